/* Handoff: the compact markdown the next agent reads to pick up a session's work,
 * built from the analyzer's context (analyze.h), stored on the session, and the
 * operations around it: handoff (create_handoff), handoff show (get_handoff_context),
 * commits (get_session_commits) and current (get_current_session). */
#ifndef BATON_HANDOFF_H
#define BATON_HANDOFF_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stddef.h>

#include "baton/op.h"

struct baton_ctx;
struct strbuf;

#define BATON_HANDOFF_MAX_CHARS 8000  /* default bound of the markdown */
#define BATON_HANDOFF_MIN_CHARS 200   /* smallest bound accepted */

extern const struct baton_op baton_handoff_ops[];

/* Append the handoff markdown of context (with "notes" [str] when present) to out:
 * sections in a fixed order (title and facts, Goal, Handoff notes, Tasks, Blockers,
 * Next steps, Decisions, Unresolved errors, Files modified, Commits, Git status,
 * Recent activity), empty ones left out. The result is at most max_chars bytes (so
 * at most max_chars characters): lists and lines are shortened step by step until it
 * fits, and cut as a last resort. *truncated (optional) says whether anything was
 * left out. Pure: the same context gives the same bytes. Returns 0 or -1 (memory). */
int baton_handoff_render(struct strbuf *out, const cJSON *context, const char *created_at, size_t max_chars,
			 bool *truncated);

/* The handoff markdown of session: the stored one when it has one, else one built
 * now (analyzed and rendered, not stored). *out malloc'd (caller's). */
int baton_handoff_markdown(struct baton_ctx *ctx, char **out, const cJSON *session, size_t max_chars);

#endif
