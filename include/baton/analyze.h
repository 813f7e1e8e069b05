/* The handoff analyzer: what the next agent needs, extracted deterministically (no
 * model call) from a session's messages (every linked agent conversation), its journal
 * and its repository (DESIGN.md §4, `baton handoff`).
 *
 * The context is a JSON object with keys in this order:
 *   session_id, shortname, status, objective, initial_goal, cwd, repo_root,
 *   conversations [{source, agent_session_id, first_seen, last_seen}],
 *   counts {messages, tool_calls, user_prompts},
 *   todos {tool, items [{text, status}], completed, in_progress, pending},
 *   progress {done, total, current} (the journal's steps),
 *   active_tasks [str], files_modified [{path, count}],
 *   shell_commits [{timestamp, command, hash, message, ok}],
 *   commits [{hash, message, timestamp}] (the repository log in the session's frame),
 *   git_status {branch, head_sha, dirty, files, total_changed} | null,
 *   recent_tool_calls [{timestamp, tool, summary}] (the last 10),
 *   decisions [{source: journal|transcript, text, rationale}],
 *   errors [{timestamp, tool, target, text}] (target: the command or file) (failures not followed by a success of
 *   the same command, file or tool), blockers [str], next_steps [str].
 * Malformed messages (tool inputs that do not parse, results without their call,
 * missing timestamps) are skipped or kept partially, never an error. */
#ifndef BATON_ANALYZE_H
#define BATON_ANALYZE_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stdint.h>

struct baton_ctx;

/* Analyze session (an object as baton_session_get returns it). *out: the context
 * above (caller's). Git trouble (no repository, missing directory) gives empty
 * commits and a null git_status, not an error. Errors: index failures, BATON_ENOMEM. */
int baton_analyze_session(struct baton_ctx *ctx, cJSON **out, const cJSON *session);

/* The session's time frame, in ms: from the earlier of its creation and its first
 * conversation record to the later of its last update and its last record. */
void baton_analyze_frame(struct baton_ctx *ctx, const cJSON *session, int64_t *since_ms, int64_t *until_ms);

/* The repository log within the session's frame, newest first, at most max (0: all).
 * *out: array of {hash, message, timestamp} (caller's); empty when the session has no
 * repository. *out_root (optional): the repository root used, or NULL (caller's).
 * Errors: BATON_EGIT when the repository cannot be read. */
int baton_analyze_commits(struct baton_ctx *ctx, cJSON **out, char **out_root, const cJSON *session, int max);

/* Does the shell command run `git commit` (also `git -C DIR commit`, after `&&`, `;`,
 * `|`, env assignments; quotes respected)? */
bool baton_analyze_is_git_commit(const char *command);

/* Does a tool result's text say the call failed: a non-zero exit code in its first
 * lines ("Exit code 2", "Process exited with code 1", …; a zero one means success
 * whatever follows), a <tool_use_error>, or text starting with "Error:" / "fatal:"? */
bool baton_analyze_failed(const char *text);

/* Find git's "[branch sha] subject" line in a commit's output; on success fill
 * sha (at most 40 hex digits) and *subject (pointer into text, up to the end of its
 * line: *subject_len bytes). Returns false when there is none. */
bool baton_analyze_commit_line(const char *text, char sha[41], const char **subject, size_t *subject_len);

#endif
