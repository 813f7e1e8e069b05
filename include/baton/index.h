/* The index: SQLite (WAL) at ~/.baton/index.db, derived from the logs (and the
 * transcript archive), rebuildable at any time. It records, per log file, the byte
 * offset applied, in the same transaction as the rows that came from it. */
#ifndef BATON_INDEX_H
#define BATON_INDEX_H

#include "baton/cjson.h"
#include <sqlite3.h>
#include <stdint.h>

#include "baton/ulid.h"

struct baton_ctx;

/* Bump whenever any module's schema changes: an index of another version rebuilds. */
#define BATON_INDEX_VERSION 10

/* Open the index, creating or rebuilding it when missing, of another version, or
 * corrupt; then replay whatever the logs hold beyond the recorded offsets. */
int baton_index_open(struct baton_ctx *ctx);

/* Close the index (no-op when not open). A WAL left over 1 MiB is checkpointed and
 * truncated first when no other process is reading: see close_db in index.c. */
void baton_index_close(struct baton_ctx *ctx);

/* Checkpoint the WAL into the index and truncate it now, whatever its size, unless
 * another process is reading; then start it anew with one small commit. Every process
 * that opens the index reads the whole WAL first (up to 1 MiB: about a third of a
 * hook's instructions), and the first commit into an empty WAL syncs its header and
 * the directory: work done off anyone's clock (a hook's detached job) leaves a WAL of
 * two pages, which cost the next process neither. */
void baton_index_checkpoint(struct baton_ctx *ctx);

/* Bring the index up to the logs after appends made without it open (a CLI save
 * answers after its append: see baton_log_append_many), then checkpoint its WAL as
 * baton_index_checkpoint does. Opens the index when it is not open. 0 or BATON_E*. */
int baton_index_settle(struct baton_ctx *ctx);

/* Before work on many pages (a bulk ingest): reopens the index with a page cache that
 * grows, in place of the few prefaulted slots short commands use. Call it between
 * transactions with no other SQLite connection open in the process; a no-op when
 * already done, in a transaction, or read-only. */
int baton_index_bulk(struct baton_ctx *ctx);

/* End whatever the connection has in flight: every cached statement reset (one left
 * on a row holds its read snapshot) and an open transaction rolled back. For a store
 * kept open between calls (the MCP server), whose next call must see later commits. */
void baton_index_idle(struct baton_ctx *ctx);

/* For a process that lives long and reads much (the MCP server), before it opens
 * any store: SQLite keeps its usual page cache, grown to LONG_LIVED_CACHE, in place
 * of the few prefaulted slots that suit a short command, so a store kept open
 * between calls keeps the pages the previous calls read. */
void baton_index_long_lived(void);

/* The epoch: a value in $BATON_HOME/epoch that changes whenever a session closes or
 * is deleted, or a conversation moves to another session (index appliers call
 * baton_index_note_epoch; the next commit writes a new value, and so does a
 * rebuild). Caches kept outside the index (the hooks' fast path) hold the epoch
 * they were made in and are trusted only while it is unchanged. */
void baton_index_note_epoch(struct baton_ctx *ctx);
void baton_index_epoch(struct baton_ctx *ctx, char out[BATON_ULID_LEN]);

/* Replay log tails the index has not applied (all hosts' logs). */
int baton_index_catch_up(struct baton_ctx *ctx);

/* Apply the lines of one log file from its recorded offset to its end; must be called
 * inside a transaction. name is the file name inside the log directory. */
int baton_index_apply_log(struct baton_ctx *ctx, const char *name);

/* Apply one parsed event to the index (dispatch on its "type"); inside a transaction.
 * Unknown types are ignored (a newer baton wrote them). */
int baton_index_apply(struct baton_ctx *ctx, const cJSON *event);

struct baton_rebuild_stats {
	int64_t events;     /* events replayed (applied, or superseded) */
	int64_t superseded; /* snapshots skipped: a newer one of the same row followed */
	int64_t bad_lines;  /* lines that did not parse, skipped */
	int64_t logs;       /* log files read */
	int64_t ms;         /* wall time */
};

/* Replay every log (all hosts, merged in ULID order) and the archive into a fresh
 * index that replaces the old one. */
int baton_index_rebuild(struct baton_ctx *ctx, struct baton_rebuild_stats *stats);

/* Replay everything into a fresh in-memory index and compare every derived table
 * with the on-disk one. *out: {"ok":bool,"tables":[{"table","rows","missing","extra"}]}. */
int baton_index_verify(struct baton_ctx *ctx, cJSON **out);

/* A prepared statement for sql (a string literal: cached by address), reset and with
 * bindings cleared. Borrowed. NULL on error (message set on ctx). */
sqlite3_stmt *baton_index_stmt(struct baton_ctx *ctx, const char *sql);

/* Run sql (no results). Returns 0 or BATON_ERROR (or BATON_ECORRUPT / BATON_EBUSY). */
int baton_index_exec(struct baton_ctx *ctx, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int baton_index_begin(struct baton_ctx *ctx);
int baton_index_commit(struct baton_ctx *ctx);
void baton_index_rollback(struct baton_ctx *ctx);

/* Translate an SQLite failure into a context error naming what failed. */
int baton_index_error(struct baton_ctx *ctx, const char *what);

/* Bind helpers: NULL strings bind as SQL NULL. */
int baton_bind_text(sqlite3_stmt *st, int i, const char *s);
/* A column as a borrowed string (NULL for SQL NULL). */
const char *baton_col_text(sqlite3_stmt *st, int i);

#endif
