/* Agent hooks (`baton hook EVENT --agent A`): one short native process per event, fed
 * the agent's hook JSON. Claude Code, Codex and Gemini CLI events map onto a handful
 * of actions:
 *
 *   start    SessionStart                    link/create the session, ingest a small
 *                                            transcript tail, print the session context
 *   prompt   UserPromptSubmit, BeforeAgent   first prompt → objective; "continue" &c.
 *                                            → print the session context
 *   compact  PreCompact; Gemini PreCompress  checkpoint (pre_compact): compaction + 1,
 *            only when trigger is "manual"   print what must survive
 *   stop     Stop, SubagentStop, AfterAgent, ingest the new tail, refresh git state
 *            Codex notify                    (deferred: see below)
 *   end      SessionEnd                      as stop, and mark the conversation ended
 *   tool     PostToolUse, AfterTool          files touched (config hooks.post_tool_use)
 *
 * Everything else is ignored. The work that costs more than a hook's budget (a git
 * snapshot loads libgit2: ~12 ms; a large transcript tail) is returned as a job for
 * baton_hook_finish, which the program runs in a detached process.
 *
 * Output is in the agent's form: Claude and Codex read plain stdout as context on
 * SessionStart and UserPromptSubmit; Gemini wants one JSON object,
 * {"hookSpecificOutput":{"hookEventName":…,"additionalContext":…}}. Nothing is ever
 * printed that an agent reads as a block. */
#ifndef BATON_HOOK_H
#define BATON_HOOK_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stddef.h>

#include "baton/op.h"

struct baton_ctx;

#define BATON_HOOK_STDIN_MAX (1024 * 1024) /* larger hook input is treated as malformed */

enum baton_hook_action {
	BATON_HOOK_IGNORE = 0,
	BATON_HOOK_START,
	BATON_HOOK_PROMPT,
	BATON_HOOK_COMPACT,
	BATON_HOOK_STOP,
	BATON_HOOK_END,
	BATON_HOOK_TOOL,
};

struct baton_hook {
	enum baton_hook_action action;
	const char *agent;            /* "claude", "codex" or "gemini" (static) */
	const char *event;            /* the event name as given (borrowed from the caller) */
	cJSON *payload;               /* the parsed input (owned) */
	/* borrowed from payload; NULL when absent */
	const char *agent_session_id; /* session_id, or Codex notify's thread-id */
	const char *transcript_path;
	const char *cwd;
	const char *prompt;
	const char *source;           /* SessionStart: startup, resume, clear, compact */
	const char *trigger;          /* PreCompact / PreCompress: manual, auto */
	const char *reason;           /* SessionEnd */
	const char *run_id;           /* the caller's $BATON_RUN_ID (inside `baton run`): a
				       * SessionStart records the agent's session id on it */
	char err[200];                /* why parsing failed */
};

/* Parse one hook invocation: the event name given on the command line, the agent
 * ("claude", "codex", "gemini"; NULL: claude) and the payload (stdin, or Codex notify's
 * argv JSON). Needs no store, so ignored events cost nothing more. Returns 0, or
 * BATON_EINVALID with h->err set (unknown agent, payload not a JSON object, over
 * BATON_HOOK_STDIN_MAX). Release h either way. */
int baton_hook_parse(struct baton_hook *h, const char *event, const char *agent, const char *payload, size_t len);
void baton_hook_release(struct baton_hook *h);

struct baton_hook_output {
	char *text;  /* what to print on stdout, or NULL for nothing (malloc'd) */
	cJSON *job;  /* work for baton_hook_finish, or NULL (caller's) */
};

/* Run the action of h against the store. forced_session: $BATON_SESSION (or NULL)
 * forces the session the conversation is linked to. On failure nothing is to be
 * printed: out is left empty and the message is on ctx. */
int baton_hook_run(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced_session,
		   struct baton_hook_output *out);
void baton_hook_output_release(struct baton_hook_output *out);

/* The job of a stop or end event, made without the store (the hook answers at once
 * and the job runs detached); NULL for other actions (caller's). */
cJSON *baton_hook_job(const struct baton_hook *h, const char *forced_session);

/* The deferred part of stop/end (and of a start or a compact answered at once):
 * ingest the transcript's new tail; for a start answered from files, link the
 * conversation and record it live (what the full path does before answering); for a
 * compact, its checkpoint; refresh the session's git state and recent changes (saved
 * only when they changed), regenerate its journal files, for end mark the
 * conversation's marker ended and record a conversation_ended event; last, render
 * the contexts the next hooks print (hooks/context/, hooks/dirs/). */
int baton_hook_finish(struct baton_ctx *ctx, const cJSON *job);

/* Whether prompt expresses an intent to continue earlier work: one of phrases (a
 * comma-separated list; NULL: "continue, resume, where were we, pick up where, carry
 * on, keep going, where did we leave off") occurs as whole words, ignoring case, near
 * the start of the prompt (its first 80 characters). */
bool baton_hook_is_continue(const char *prompt, const char *phrases);

/* The fast path, without the index, of a conversation whose earlier hook found it
 * linked to an open session with an objective and recorded it live at this boot: that
 * hook left a marker ($BATON_HOME/hooks/seen/AGENT-ID: epoch, boot id, session), which
 * holds while the store's epoch (baton_index_epoch) and the boot are the same.
 * - An ordinary UserPromptSubmit has nothing to do: true, out empty.
 * - A SessionStart, a "continue" prompt or a PreCompact print the session's context
 *   as it was last rendered ($BATON_HOME/hooks/context/), when no event has been
 *   written to the store since: true with out filled, the text and the job (a
 *   start's: read the transcript's new tail; a compact's: the checkpoint itself,
 *   then the rest). Config hooks.context_cache = false turns this off.
 * - A SessionStart also does so for a conversation whose marker says it ended (a
 *   resume), or that is new ("startup", "clear") in a directory whose current session
 *   the jobs left in $BATON_HOME/hooks/dirs/ while nothing was written since; its job
 *   then records the link and the live record first.
 * False when the full path must run (out empty): no marker, BATON_SESSION, a run's
 * hook, another action. Needs only the context's config (no_index will do). */
bool baton_hook_fast(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced_session,
		     struct baton_hook_output *out);

/* The session context printed into the agent: TL;DR, progress, blockers, next steps,
 * and with full also decisions, discoveries and notes (what must survive a
 * compaction). Bounded to well under the agents' 10 000-character cap. *out
 * malloc'd; "" when the session has nothing worth saying yet. */
int baton_hook_context(struct baton_ctx *ctx, char **out, const cJSON *session, bool full);

/* hooks.install, hooks.uninstall, hooks.status (hooks_install.c). */
extern const struct baton_op baton_hooks_ops[];

#endif
