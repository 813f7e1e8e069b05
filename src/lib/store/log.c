#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
	if ((rc = baton_index_begin(ctx)))
		goto out;
	in_txn = 1;
	/* Whatever an earlier writer left unapplied (a crash between write and commit)
	 * is applied first, so our offset bookkeeping stays exact. */
	if ((rc = baton_index_apply_log(ctx, own_log_name(ctx))) || (rc = last_id(ctx, floor, sizeof floor)))
		goto out;

	struct stat st;
	if (fstat(ctx->log_fd, &st)) {
		rc = baton_error(ctx, BATON_ERROR, "cannot stat log '%s': %s", ctx->log_path, strerror(errno));
		goto out;
	}
	if (st.st_size > 0) {
		char lastc = '\n';
		int rfd = open(ctx->log_path, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			if (pread(rfd, &lastc, 1, st.st_size - 1) != 1)
				lastc = '\n';
			close(rfd);
		}
		if (lastc != '\n') /* a torn line from a crash: close it, it will be skipped */
			baton_strbuf_addch(&buf, '\n');
	}

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
