#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"

static int open_log(struct baton_ctx *ctx)
{
	if (ctx->log_fd >= 0)
		return 0;
	if (ctx->read_only)
		return baton_error(ctx, BATON_EINVALID, "store '%s' is open read-only", ctx->home);
	ctx->log_fd = open(ctx->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (ctx->log_fd < 0)
		return baton_error(ctx, BATON_ERROR, "cannot open log '%s': %s; check that the store is writable",
				   ctx->log_path, strerror(errno));
	return 0;
}

int baton_log_lock(struct baton_ctx *ctx);
void baton_log_unlock(struct baton_ctx *ctx);

int baton_log_lock(struct baton_ctx *ctx)
{
	int rc = open_log(ctx);
	if (rc)
		return rc;
	/* Bounded wait: poll the lock rather than block forever behind a stuck writer. */
	int64_t deadline = baton_real_now_ms() + ctx->lock_timeout_ms;
	long nap_ns = 100 * 1000;
	while (flock(ctx->log_fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return baton_error(ctx, BATON_ERROR, "cannot lock log '%s': %s", ctx->log_path, strerror(errno));
		if (baton_real_now_ms() >= deadline)
			return baton_error(ctx, BATON_EBUSY, "log '%s' is locked by another baton process; try again",
					   ctx->log_path);
		struct timespec ts = { 0, nap_ns };
		nanosleep(&ts, NULL);
		if (nap_ns < 4 * 1000 * 1000)
			nap_ns *= 2;
	}
	return 0;
}

void baton_log_unlock(struct baton_ctx *ctx)
{
	if (ctx->log_fd >= 0)
		flock(ctx->log_fd, LOCK_UN);
}

static const char *own_log_name(const struct baton_ctx *ctx)
{
	const char *s = strrchr(ctx->log_path, '/');
	return s ? s + 1 : ctx->log_path;
}

static int last_id(struct baton_ctx *ctx, char *buf, size_t len)
{
	buf[0] = '\0';
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT last_id FROM log_state WHERE file = ?1");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, own_log_name(ctx));
	if (sqlite3_step(st) == SQLITE_ROW && baton_col_text(st, 0))
		snprintf(buf, len, "%s", baton_col_text(st, 0));
	sqlite3_reset(st);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A write with the index not open (a CLI save: SQLite's open and schema cost more
 * than the rest of it) keeps its ids above the newest one in our log's tail: every
 * whole line starts {"v":1,"id":"ULID" (we write them so), and ids only grow along
 * one log. The last 4 KiB hold a few lines; a longer last line (a handoff) needs up
 * to 64 KiB; beyond that the index is asked. */
#define TAIL_FIRST 4096
#define TAIL_MAX (64 * 1024)
#define LINE_HEAD "{\"v\":1,\"id\":\""

/* The newest id among the lines begun in buf[0..n), the last n bytes of a log of
 * size bytes, into floor (left as it is when there is none). */
static void newest_in(const char *buf, size_t n, off_t size, char *floor)
{
	size_t hl = strlen(LINE_HEAD), idl = BATON_ULID_LEN - 1;
	/* the chunk's first byte starts a line only when the chunk is the whole log */
	const char *p = (off_t)n == size ? buf : memchr(buf, '\n', n), *end = buf + n;
	for (; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
		if (*p == '\n')
			p++;
		if ((size_t)(end - p) < hl + idl + 1 || memcmp(p, LINE_HEAD, hl) || p[hl + idl] != '"')
			continue;
		char id[BATON_ULID_LEN];
		memcpy(id, p + hl, idl);
		id[idl] = '\0';
		if (baton_ulid_valid(id) && (!floor[0] || strcmp(id, floor) > 0))
			memcpy(floor, id, BATON_ULID_LEN);
	}
}

/* Our log's last byte into *lastc ('\n' for an empty log) and, with floor, the
 * newest id among the lines begun in its tail. 1 when floor was asked for and the
 * tail holds no id while the log is longer (a line longer than TAIL_MAX): the caller
 * asks the index instead. */
static int read_tail(struct baton_ctx *ctx, off_t size, char *lastc, char *floor)
{
	char first[TAIL_FIRST], *buf = first;
	*lastc = '\n';
	if (floor)
		floor[0] = '\0';
	if (size <= 0)
		return 0;
	int fd = open(ctx->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return floor ? 1 : 0;
	for (size_t want = floor ? TAIL_FIRST : 1;; want = TAIL_MAX) {
		if ((off_t)want > size)
			want = (size_t)size;
		if (want > TAIL_FIRST && !(buf = malloc(want)))
			break;
		if (pread(fd, buf, want, size - (off_t)want) != (ssize_t)want)
			break;
		*lastc = buf[want - 1];
		if (floor)
			newest_in(buf, want, size, floor);
		if (!floor || floor[0] || want == TAIL_MAX || (off_t)want == size)
			break;
	}
	if (buf != first)
		free(buf);
	close(fd);
	return floor && !floor[0] ? 1 : 0;
}

int baton_log_newest_session(struct baton_ctx *ctx, const char *prefix, char id[BATON_ULID_LEN])
{
	static const char key[] = "\"session\":{\"id\":\"";
	size_t kl = sizeof key - 1, pl = strlen(prefix), idl = BATON_ULID_LEN - 1;
	struct stat st;
	id[0] = '\0';
	int fd = open(ctx->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t want = 0;
	char *buf = NULL;
	if (!fstat(fd, &st) && st.st_size > 0) {
		want = st.st_size < TAIL_MAX ? (size_t)st.st_size : TAIL_MAX;
		if (!(buf = malloc(want)) || pread(fd, buf, want, st.st_size - (off_t)want) != (ssize_t)want)
			want = 0;
	}
	close(fd);
	for (const char *p = buf, *end = buf + want; p && (size_t)(end - p) >= kl + idl;) {
		const char *k = memmem(p, (size_t)(end - p), key, kl);
		if (!k || (size_t)(end - k) < kl + idl)
			break;
		const char *s = k + kl;
		char cand[BATON_ULID_LEN];
		memcpy(cand, s, idl);
		cand[idl] = '\0';
		if (pl <= idl && !memcmp(cand, prefix, pl) && baton_ulid_valid(cand) && strcmp(cand, id) > 0)
			memcpy(id, cand, BATON_ULID_LEN);
		p = s;
	}
	free(buf);
	return 0;
}

int baton_log_append_many(struct baton_ctx *ctx, struct baton_event_spec *events, size_t n,
			  cJSON **out_events)
{
	struct strbuf buf = STRBUF_INIT;
	cJSON *written = NULL;
	int rc, locked = 0, in_txn = 0;
	char floor[BATON_ULID_LEN];

	if (out_events)
		*out_events = NULL;
	if ((rc = baton_log_lock(ctx)))
		goto out;
	locked = 1;
	struct stat st;
	if (fstat(ctx->log_fd, &st)) {
		rc = baton_error(ctx, BATON_ERROR, "cannot stat log '%s': %s", ctx->log_path, strerror(errno));
		goto out;
	}
	char lastc;
	/* without the index, our ids follow the log's own newest; where its tail does
	 * not tell, the index is opened after all */
	if (!ctx->db && read_tail(ctx, st.st_size, &lastc, floor) &&
	    (rc = baton_ctx_open_index(ctx, true)))
		goto out;
	if (ctx->db) {
		if ((rc = baton_index_begin(ctx)))
			goto out;
		in_txn = 1;
		/* Whatever an earlier writer left unapplied (a crash between write and
		 * commit) is applied first, so our offset bookkeeping stays exact. */
		if ((rc = baton_index_apply_log(ctx, own_log_name(ctx))) || (rc = last_id(ctx, floor, sizeof floor)))
			goto out;
		read_tail(ctx, st.st_size, &lastc, NULL);
	}
	if (lastc != '\n') /* a torn line from a crash: close it, it will be skipped */
		baton_strbuf_addch(&buf, '\n');

	written = cJSON_CreateArray();
	int64_t now = baton_now_ms(ctx);
	char at[BATON_TIME_LEN];
	baton_time_format(at, now);
	for (size_t i = 0; i < n; i++) {
		char id[BATON_ULID_LEN];
		baton_ulid_new(ctx, id, now, floor[0] ? floor : NULL);
		snprintf(floor, sizeof floor, "%s", id);
		cJSON *ev = cJSON_CreateObject();
		if (!ev || !written) {
			cJSON_Delete(ev);
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		cJSON_AddItemToArray(written, ev);
		baton_json_add_int(ev, "v", 1);
		baton_json_add_str(ev, "id", id);
		baton_json_add_str(ev, "at", at);
		baton_json_add_str(ev, "host", ctx->host);
		baton_json_add_str(ev, "type", events[i].type);
		if (events[i].fields) {
			cJSON *f;
			while ((f = events[i].fields->child)) {
				cJSON_DetachItemViaPointer(events[i].fields, f);
				cJSON_AddItemToObject(ev, f->string, f);
			}
		}
		if (baton_json_append(&buf, ev) || baton_strbuf_addch(&buf, '\n')) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (write_all(ctx->log_fd, buf.buf, buf.len)) {
		rc = baton_error(ctx, BATON_ERROR, "cannot append to log '%s': %s", ctx->log_path, strerror(errno));
		goto out;
	}
	if (baton_config_bool(ctx, "core.fsync", true) && fdatasync(ctx->log_fd)) {
		rc = baton_error(ctx, BATON_ERROR, "cannot sync log '%s': %s", ctx->log_path, strerror(errno));
		goto out;
	}
	if (!in_txn) {
		ctx->index_behind = true; /* the caller settles it: baton_index_settle */
		goto out;
	}
	/* Apply what we wrote through the same path as any replay: one code path. */
	if ((rc = baton_index_apply_log(ctx, own_log_name(ctx))))
		goto out;
	rc = baton_index_commit(ctx);
	in_txn = 0;
out:
	if (in_txn)
		baton_index_rollback(ctx);
	if (locked)
		baton_log_unlock(ctx);
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(events[i].fields);
		events[i].fields = NULL;
	}
	if (!rc && out_events)
		*out_events = written;
	else
		cJSON_Delete(written);
	baton_strbuf_release(&buf);
	return rc;
}

int baton_log_append(struct baton_ctx *ctx, const char *type, cJSON *fields, cJSON **out_event)
{
	struct baton_event_spec ev = { type, fields };
	cJSON *all = NULL;
	int rc = baton_log_append_many(ctx, &ev, 1, out_event ? &all : NULL);
	if (!rc && out_event) {
		*out_event = cJSON_DetachItemFromArray(all, 0);
		cJSON_Delete(all);
	}
	return rc;
}
