/* Transcript sources: one reader per agent behind one small interface.
 *
 * A reader turns the lines of one transcript (JSONL, or a whole document given as one
 * line) into normalised messages, token usage and conversation facts, through a sink
 * of callbacks. It keeps whatever it must remember between lines in `state`, a small
 * JSON object the ingester persists with the file's read position, so reading a file
 * in many increments gives exactly what reading it at once gives (the archive replay
 * of `baton index rebuild` reads it at once). Readers never fail on bad input: a line
 * that does not parse, or a record of an unknown type, is counted and skipped.
 */
#ifndef BATON_SOURCES_SOURCE_H
#define BATON_SOURCES_SOURCE_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct baton_ctx;
struct baton_source_roots;
struct strbuf;

/* One normalised message (borrowed strings, valid during the callback). */
struct baton_msg {
	const char *key;        /* stable within the conversation: re-reading dedupes */
	const char *ts;         /* RFC 3339, or NULL */
	const char *role;       /* user, assistant, system, tool */
	const char *kind;       /* text, tool_use, tool_result, thinking, summary */
	const char *tool;       /* tool name for tool_use / tool_result, or NULL */
	const cJSON *paths;     /* array of file paths touched, or NULL */
	const char *command;    /* shell command, or NULL */
	const char *text;       /* may be NULL */
	bool prompt;            /* a prompt typed by a person (objective candidate) */
	bool yield;             /* a row already stored for this key by another transcript
				 * wins (opencode's legacy JSON tree defers to its database) */
};

/* Token usage of one API response; key dedupes repeats (per formats.md §6.5). */
struct baton_usage {
	const char *key;
	const char *model;
	int64_t input, output, cache_read, cache_write, reasoning;
};

struct baton_sink {
	void *ud;
	int (*message)(void *ud, const char *agent_session_id, int64_t seq, const struct baton_msg *m);
	int (*usage)(void *ud, const char *agent_session_id, const struct baton_usage *u);
	/* Forget messages: those from `key` on (Gemini $rewindTo), or all when key is NULL
	 * (a whole-document snapshot or $set.messages follows). */
	int (*truncate)(void *ud, const char *agent_session_id, const char *key);
};

/* A reader's per-file working state: the sink and the persisted state object, whose
 * members any reader may use: "sid" (agent session id), "cwd", "branch", "prompt"
 * (first human prompt), "first", "last" (timestamps), "seq", "title". */
struct baton_reader {
	const struct baton_source *src;
	const char *path;       /* the transcript's original path (for ids from names) */
	cJSON *state;           /* owned by the caller */
	struct baton_sink *sink;
	int64_t lines, bad_lines, messages;
};

struct baton_source {
	const char *name;       /* "claude", "codex", "gemini", "opencode" */
	bool whole_file;        /* read the whole document each time it changes */
	/* Call found(ud, path) for every transcript under roots. */
	int (*discover)(struct baton_ctx *ctx, const struct baton_source_roots *roots,
			int (*found)(void *ud, const char *path), void *ud);
	/* Does this path look like one of ours (for explicit PATH arguments)? */
	bool (*claims)(const char *path);
	/* One line (or a whole document). Returns 0, or a code from the sink. */
	int (*line)(struct baton_reader *r, const char *line, size_t len);
	/* For stores that are not transcript files (opencode's SQLite database, its older
	 * JSON tree): hand chunk() what changed after watermark `since`, as JSONL for
	 * `line`, in pieces of bounded size, each with the watermark reached once it is
	 * applied (exact below 2^53: it is archived as a JSON number). `state` is the
	 * persisted reader state: an export may keep bookkeeping in it under "export",
	 * which is archived with each step and so survives a rebuild; *bad counts inputs
	 * skipped (unparsable, too large).
	 * Returns 0, a code from chunk, or BATON_ENOMEM. NULL for file readers. */
	int (*export)(struct baton_ctx *ctx, const char *path, int64_t since, cJSON *state, int64_t *bad,
		      int (*chunk)(void *ud, const char *lines, size_t len, int64_t next), void *ud);
	/* For a directory given or discovered: the store this source reads in it
	 * (malloc'd), or NULL when there is none. NULL for sources without one. */
	char *(*locate)(const char *dir);
};

extern const struct baton_source baton_source_claude;
extern const struct baton_source baton_source_codex;
extern const struct baton_source baton_source_gemini;
extern const struct baton_source baton_source_opencode;

/* All sources, NULL-terminated, and lookup by name (NULL when unknown). */
extern const struct baton_source *const baton_sources[];
const struct baton_source *baton_source_find(const char *name);

/* ---- helpers shared by the readers (source.c) ---------------------------------- */

/* Emit m for the reader's conversation, stamping seq and updating first/last/prompt. */
int baton_reader_emit(struct baton_reader *r, const struct baton_msg *m);
int baton_reader_usage(struct baton_reader *r, const struct baton_usage *u);
int baton_reader_truncate(struct baton_reader *r, const char *key);

/* State accessors. */
const char *baton_reader_get(const struct baton_reader *r, const char *key);
void baton_reader_set(struct baton_reader *r, const char *key, const char *value);
/* Set key only when it has no value yet. */
void baton_reader_set_once(struct baton_reader *r, const char *key, const char *value);

/* The agent session id the reader has settled on, or the fallback from the file name. */
const char *baton_reader_sid(struct baton_reader *r);

/* A bounded memory of tool-call id → tool name in the reader's state under key (at
 * most 64, oldest dropped), so a later result can name the tool it answers; kept in
 * the state so reading a file in pieces gives the same rows. */
void baton_reader_remember_tool(struct baton_reader *r, const char *key, const char *id, const char *name);
const char *baton_reader_tool_of(const struct baton_reader *r, const char *key, const char *id);

/* A human prompt that is scaffolding rather than typed (Claude wrappers, Codex
 * environment context, interrupts). */
bool baton_text_is_wrapper(const char *text);

/* Append a block-text rendering of a JSON value (strings as is, arrays of
 * {text}/{type:text} joined by newlines, anything else printed) to sb. */
struct strbuf;
void baton_json_text(struct strbuf *sb, const cJSON *v);

/* 64-bit FNV-1a of data, as 16 hex digits into buf (17 bytes). */
void baton_hash_hex(char *buf, const void *data, size_t len);
uint64_t baton_hash64(const void *data, size_t len, uint64_t h);

/* Normalise a shell argv of the form [bash|sh|zsh, -lc|-c, SCRIPT] to SCRIPT; else
 * the words joined by spaces (malloc'd). */
char *baton_argv_command(const cJSON *argv);

/* Helpers for discover: walk dir (depth levels), calling found for files whose name
 * ends with suffix and (when prefix) starts with prefix. Missing dirs are fine. */
int baton_walk(const char *dir, int depth, const char *prefix, const char *suffix,
	       int (*found)(void *ud, const char *path), void *ud);

#endif
