/* Transcript ingest: read the agents' transcripts incrementally, archive the bytes
 * read (redacted, zstd), derive messages into the index, and link every agent
 * conversation to a baton session (DESIGN.md §1).
 *
 * Where transcripts live comes from the caller (the CLI reads the environment):
 * baton_ingest_set_roots records the roots on the context; unset roots default to the
 * agents' usual places under the user's home directory given there. */
#ifndef BATON_INGEST_H
#define BATON_INGEST_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stdint.h>

#include "baton/op.h"

struct baton_ctx;

struct baton_source_roots {
	const char *home;         /* the user's home: defaults below are under it */
	const char *claude_dir;   /* $CLAUDE_CONFIG_DIR, default ~/.claude */
	const char *codex_dir;    /* $CODEX_HOME, default ~/.codex */
	const char *gemini_dir;   /* ~/.gemini */
	const char *opencode_dir; /* $XDG_DATA_HOME/opencode, default ~/.local/share/opencode */
};

/* Remember roots on ctx (copied; NULL members keep their defaults). They are stored
 * as config values sources.home, sources.claude_dir, …, so config.toml can set them
 * too. Returns 0 or BATON_ENOMEM. */
int baton_ingest_set_roots(struct baton_ctx *ctx, const struct baton_source_roots *roots);

/* Progress of a long ingest: files done of total, bytes read so far. The library
 * calls it between files; the CLI draws a bar on a TTY. files_total < 0: the run
 * waits for another ingest to finish (ingest.lock) first. */
typedef void (*baton_progress_fn)(void *ud, int64_t files_done, int64_t files_total, int64_t bytes);
void baton_ingest_set_progress(struct baton_ctx *ctx, baton_progress_fn fn, void *ud);

struct baton_ingest_stats {
	int64_t files;          /* transcripts looked at */
	int64_t files_read;     /* transcripts with new bytes */
	int64_t bytes;          /* bytes read from transcripts */
	int64_t lines;          /* lines parsed */
	int64_t bad_lines;      /* lines skipped (do not parse, too long) */
	int64_t messages;       /* messages added or updated */
	int64_t conversations;  /* conversations linked for the first time */
	int64_t sessions;       /* sessions created for them */
	int64_t resets;         /* files re-read because replaced or truncated */
	int64_t errors;         /* files that could not be read (skipped) */
	int64_t pending_files;  /* left for later: the deadline passed, or another ingest runs */
	bool busy;              /* another ingest held the store's ingest lock */
};

/* Ingest the new tail of one transcript of `source` ("claude", "codex", "gemini",
 * "opencode"; NULL: guessed from the path) and link its conversation. When
 * forced_session_id is not NULL the conversation is linked to that session (and
 * re-linked if it was linked elsewhere); else the linking rule applies. Safe to call
 * often: an unchanged file costs a stat. stats (optional) are added to.
 * Errors: BATON_EINVALID (unknown source), BATON_ENOTFOUND (no such file or session),
 * other codes for I/O and the store. */
int baton_ingest_file(struct baton_ctx *ctx, const char *source, const char *path,
		      const char *forced_session_id, struct baton_ingest_stats *stats);

/* How many bytes of the transcript at path (absolute) of `source` have not been
 * ingested yet: its size beyond the recorded offset, or its whole size when it is new,
 * replaced or truncated. A stat and one indexed lookup: callers (hooks) use it to
 * decide whether ingesting now fits their time budget. BATON_ENOTFOUND: no such file. */
int baton_ingest_pending(struct baton_ctx *ctx, const char *source, const char *path, int64_t *out_bytes);

/* Merge the full-text index's segments into one when the messages indexed since the
 * last merge are at least as many as those before it (the first time: any), in
 * steps of their own transactions, so a concurrent writer waits for one step only.
 * Searches walk each segment's doclist separately: a store ingested in one go is
 * left with ~8 segments, and merging them took search p50 at 1.2M messages from 12
 * to 8 ms. The doubling bounds the work over a store's life to about twice one merge
 * of the final index. baton_ingest_all calls it; hooks' single-file ingest does not.
 * Returns 0 (also when there was nothing to do) or an error code; ingested data is
 * committed either way, and an interrupted merge resumes at the next call. */
int baton_ingest_merge(struct baton_ctx *ctx);

/* Discover and ingest every transcript of `source` (NULL: all sources). forced
 * applies to conversations seen for the first time whose records are newer than
 * the forced session's creation. */
int baton_ingest_all(struct baton_ctx *ctx, const char *source, const char *forced_session_id,
		     struct baton_ingest_stats *stats);

/* baton_ingest_all within a time budget: no transcript is started after deadline_ms
 * (baton_real_now_ms's clock; 0: none), though one with new bytes is read at least
 * and the one under way is finished. The transcripts left are counted in stats->pending_files. On a
 * store that has read no transcript yet (a first run on a machine with agent history)
 * the newest files go first, so what was done last shows first. Every run of either
 * function holds $BATON_HOME/ingest.lock: with a deadline a run finding it held reads
 * nothing and sets stats->busy (another ingest is at work); without one it waits. */
int baton_ingest_all_until(struct baton_ctx *ctx, const char *source, const char *forced_session_id,
			   int64_t deadline_ms, struct baton_ingest_stats *stats);

/* Start `baton ingest` as a detached process (its own session, stdio on /dev/null,
 * this process's environment), to read what a budgeted run left. It runs the binary
 * of this process (/proc/self/exe). Returns 0, or BATON_ERROR / BATON_ENOMEM (with
 * the message on ctx) when it cannot start. */
int baton_ingest_detach(struct baton_ctx *ctx);

/* The baton session linked to an agent conversation: *out_session_id malloc'd
 * (caller's), or BATON_ENOTFOUND when the conversation is not known. */
int baton_conversation_session(struct baton_ctx *ctx, const char *source, const char *agent_session_id,
			       char **out_session_id);

/* The fields of a conversation_linked event linking agent conversation (source,
 * agent_session_id) to session_id (a later link replaces an earlier one), for callers
 * that know a conversation before its transcript names it (a SessionStart hook fires
 * before the agent writes anything) and append it with other events in one write.
 * transcript_path and cwd may be NULL; NULL (nothing to link) when an id is missing. */
cJSON *baton_conversation_link_fields(const char *source, const char *agent_session_id, const char *session_id,
				      const char *transcript_path, const char *cwd);

/* Operations: ingest, messages, search, stats, and the hidden transcripts.dump. */
extern const struct baton_op baton_transcript_ops[];

#endif
