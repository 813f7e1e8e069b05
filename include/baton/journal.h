/* The journal: a session as a living document that survives context compactions and
 * work periods. Operations log, checkpoint, pause, close, view and view list
 * (MCP: session_log, session_checkpoint, session_pause, session_close, session_view,
 * session_view_list).
 *
 * Every journal entry is an `entry_added` event in the log:
 *   {"v":1,"id":…,"at":…,"host":…,"type":"entry_added","session_id":…,
 *    "entry":{"kind":…,"text":…, kind-specific fields}}
 * The entry's id and time are the event's. Kinds and their fields:
 *   progress, next  text, ref (the open step of the same text, if any)
 *   done            text, ref (the step it completes; absent: a new completed step)
 *   decision        text, rationale (required), context
 *   discovery, note text
 *   blocker         text;   unblock: text (the blocker's), ref (blocker id), n
 *   checkpoint      text (note), pre_compact, compaction (count after it)
 *   pause           text (note);   close: text (reason), outcome completed|abandoned
 * Session changes (status, compaction_count, tldr, updated_at) are session_saved
 * snapshots through baton_session_put, written after the entry.
 *
 * The rendered markdown (journal_render.h) is written into the session's repository,
 * when it has one and config journal.render (default true) allows:
 *   <journal.dir>/active/<shortname>-<id>.md     (archive/ once the session is closed)
 *   <journal.dir>/journal/<id>/progress.md       and one <stamp>-<nnnn>-<kind>.md per entry
 * journal.dir defaults to ".sessions", relative to the repository root. The store stays
 * the truth: the files are regenerated from it, never read back. */
#ifndef BATON_JOURNAL_H
#define BATON_JOURNAL_H

#include "baton/cjson.h"
#include <stdbool.h>

#include "baton/op.h"

struct baton_ctx;

extern const struct baton_op baton_journal_ops[];

/* The entries of session session_id, oldest first (by event id), each
 * {"id","at","session_id","kind",…}. *out: array (caller's). */
int baton_journal_entries(struct baton_ctx *ctx, cJSON **out, const char *session_id);

/* The folded journal of session (baton_journal_fold over its entries). *out caller's. */
int baton_journal_load(struct baton_ctx *ctx, cJSON **out, const cJSON *session);

/* Regenerate the session's files in its repository (see above); a no-op without a
 * repository or with journal.render = false. Writes are atomic, and files whose
 * content is unchanged are left alone. *out_path (optional): the document's path, or
 * NULL when nothing is rendered (caller's). A module that changes a session through
 * baton_session_put calls this afterwards to keep the document current.
 * Returns 0 or BATON_ERROR with a message that says the session itself is recorded. */
int baton_journal_sync(struct baton_ctx *ctx, char **out_path, const cJSON *session);

/* The same for a session just created, which has no entries yet: rendered without
 * reading the index (a CLI save of a new session leaves the index closed). */
int baton_journal_sync_new(struct baton_ctx *ctx, const cJSON *session);

/* A checkpoint entry (note as given; with pre_compact the compaction count goes up
 * by one) on session (consumed), which a paused or handed-off session leaves active,
 * saved with its new TL;DR in the same append. No git refresh: the caller decides
 * (hooks must not pay for it). With sync the repository's files are regenerated.
 * *out (optional): {session_id, shortname, status, entry, tldr, compaction_count,
 * path}; *out_session (optional): the session as saved. Both caller's. */
int baton_journal_checkpoint(struct baton_ctx *ctx, cJSON *session, const char *note, bool pre_compact, bool sync,
			     cJSON **out, cJSON **out_session);

/* What a checkpoint does to the session itself: with pre_compact the compaction
 * count goes up by one, and a paused or handed-off session is active again. The hooks
 * use it to render ahead of time what a PreCompact will print. */
void baton_journal_checkpoint_session(cJSON *session, bool pre_compact);

#endif
