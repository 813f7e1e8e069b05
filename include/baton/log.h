/* The append-only event log: ~/.baton/log/<host>.jsonl, the source of truth.
 *
 * One event per line: {"v":1,"id":ULID,"at":RFC3339,"host":…,"type":…, fields…}.
 * An append takes an exclusive lock on the log file, writes the whole line with one
 * write(2) on an O_APPEND descriptor, fsyncs (config core.fsync, default true), then
 * applies the event to the index in one SQLite transaction that also records the log
 * offset applied. Ids are strictly increasing within a host's log. A torn last line
 * left by a crash is closed with a newline by the next writer, and skipped. */
#ifndef BATON_LOG_H
#define BATON_LOG_H

#include "baton/cjson.h"

struct baton_ctx;

struct baton_event_spec {
	const char *type;  /* "session_saved", "entry_added", … */
	cJSON *fields;     /* an object whose members follow "type" in the event; consumed */
};

/* Append n events in one locked write, one fsync, one index transaction. With the
 * index not open (baton_ctx_open with no_index), the events are only appended: ids
 * then follow the log's newest (its tail), and baton_ctx_pending says so until
 * baton_index_settle or the index's next open applies them.
 * fields are consumed (freed) whether or not the call succeeds. When out_events is
 * not NULL it receives, on success, an array of the events as written (caller's).
 * Returns 0, BATON_EBUSY (lock not had within the timeout) or another BATON_E*. */
int baton_log_append_many(struct baton_ctx *ctx, struct baton_event_spec *events, size_t n,
			  cJSON **out_events);

/* One event. *out_event (optional) receives the event as written. */
int baton_log_append(struct baton_ctx *ctx, const char *type, cJSON *fields, cJSON **out_event);

/* The greatest session id beginning with prefix among the session snapshots in the
 * last 64 KiB of this host's log, into id ("" when none). Always 0. */
int baton_log_newest_session(struct baton_ctx *ctx, const char *prefix, char id[27]);

#endif
