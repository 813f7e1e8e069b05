/* Sessions: one piece of work with an objective, across repos, in the global store.
 *
 * A session is a JSON object with a fixed key order (the field names are a contract):
 * id, created_at, updated_at, status, source, shortname, objective, cwd, repo_root,
 * project_id, working_set, notes, git {branch, head_sha, dirty}, checkpoint {path,
 * timestamp} | null, recent_changes {dirs, files}, parent_id, compaction_count, tldr,
 * handoff {markdown, created_at} | null, close_reason.
 * Every change is a session_saved event holding the whole snapshot (last write wins,
 * by event id); session_deleted is a tombstone. */
#ifndef BATON_SESSION_H
#define BATON_SESSION_H

#include "baton/cjson.h"
#include <stdbool.h>

#include "baton/op.h"

struct baton_ctx;

extern const struct baton_op baton_session_ops[];

/* Statuses, and whether a name is one. */
extern const char *const baton_session_statuses[];
bool baton_session_status_valid(const char *s);

/* Find a session by id or unique id prefix (at least 4 characters), or shortname.
 * *out: the session object (caller's). BATON_ENOTFOUND, or BATON_EINVALID when the
 * prefix is ambiguous, with a message naming it. */
int baton_session_get(struct baton_ctx *ctx, cJSON **out, const char *id);

/* The active session of the repository (or directory, outside a repository) that
 * contains dir: the most recently updated one with status "active".
 * *out = NULL (and 0) when there is none. */
int baton_session_current(struct baton_ctx *ctx, cJSON **out, const char *dir);

/* The same known without the index: *known when the last save's detached child left
 * dir's current session in $BATON_HOME/cache/current and nothing was written since;
 * then *out as baton_session_current would give it. Always 0. */
int baton_session_current_known(struct baton_ctx *ctx, cJSON **out, const char *dir, bool *known);

/* What a CLI save leaves until after its answer, its detached child's work: the
 * index brought up to the logs (baton_index_settle), the journal of a session updated
 * without the index rendered, and the directory's current session left for the next
 * save there. baton_ctx_pending says whether there is any. 0 or BATON_E*. */
int baton_session_settle(struct baton_ctx *ctx);

/* The most recently updated session of dir's repository (or of dir itself outside
 * one; NULL: the context's cwd) with that status (NULL: any); *out NULL when none. */
int baton_session_latest(struct baton_ctx *ctx, cJSON **out, const char *dir, const char *status);

/* A new session object with defaults for cwd (absolute), detected repo root and
 * project (caller's). */
int baton_session_new(struct baton_ctx *ctx, cJSON **out, const char *cwd);

/* Record session as a session_saved snapshot: stamps updated_at, fills defaults,
 * fixes the key order, redacts free text. session is consumed. *out (optional): the
 * session as saved (caller's). */
int baton_session_put(struct baton_ctx *ctx, cJSON *session, cJSON **out);

/* What baton_session_put records, without recording it: *out is the session_saved
 * snapshot (caller's), for callers that append it with other events in one write.
 * session is consumed. */
int baton_session_prepare(struct baton_ctx *ctx, cJSON *session, cJSON **out);

/* Refresh git {branch, head_sha, dirty}, recent_changes and checkpoint of session
 * from its cwd (in place). Outside a repository git fields become null. */
int baton_session_refresh(struct baton_ctx *ctx, cJSON *session);

/* The same session object with keys in contract order and defaults filled (caller's). */
cJSON *baton_session_normalize(const cJSON *in);

/* The auto-save policy (DESIGN.md §4): flag (-1 unset, 0, 1) wins, then
 * BATON_AUTO_SESSION, then config auto_session_default, then `interactive`. */
bool baton_autosave_enabled(struct baton_ctx *ctx, int flag, bool interactive);

/* A shell-safe single-quoted form of s appended to sb ('…' with ' as '\''). */
struct strbuf;
int baton_shell_quote(struct strbuf *sb, const char *s);

#endif
