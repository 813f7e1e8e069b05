#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "baton/clock.h"
#include "baton/fsutil.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/lines.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "store/modules.h"
#include "store/snapshots.h"

#define LOG_MAX_LINE (64 * 1024 * 1024)
/* The index's page size, set when a rebuild creates it (see rebuild). */
#define BATON_INDEX_PAGE_SIZE 16384

static const char core_schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS log_state(file TEXT PRIMARY KEY, offset INTEGER NOT NULL,"
	" last_id TEXT, bad_lines INTEGER NOT NULL DEFAULT 0);";

int baton_index_error(struct baton_ctx *ctx, const char *what)
{
	int ec = ctx->db ? sqlite3_errcode(ctx->db) : SQLITE_ERROR;
	int code = BATON_ERROR;
	if (ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB)
		code = BATON_ECORRUPT;
	else if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED)
		code = BATON_EBUSY;
	else if (ec == SQLITE_NOMEM)
		code = BATON_ENOMEM;
	return baton_error(ctx, code, "index: %s: %s%s", what, ctx->db ? sqlite3_errmsg(ctx->db) : "not open",
			   code == BATON_ECORRUPT ? " (run 'baton index rebuild')" : "");
}

static void stmt_cache_clear(struct baton_ctx *ctx)
{
	for (int i = 0; i < ctx->nstmts; i++)
		sqlite3_finalize(ctx->stmts[i].st);
	ctx->nstmts = 0;
}

void baton_index_idle(struct baton_ctx *ctx)
{
	for (int i = 0; i < ctx->nstmts; i++)
		sqlite3_reset(ctx->stmts[i].st);
	baton_index_rollback(ctx);
}

sqlite3_stmt *baton_index_stmt(struct baton_ctx *ctx, const char *sql)
{
	for (int i = 0; i < ctx->nstmts; i++) {
		if (ctx->stmts[i].sql == sql) {
			sqlite3_stmt *st = ctx->stmts[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(ctx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		baton_index_error(ctx, "prepare");
		return NULL;
	}
	if (ctx->nstmts == (int)(sizeof ctx->stmts / sizeof ctx->stmts[0])) {
		/* full: drop the oldest half (rare; the set of statements is small and static) */
		for (int i = 0; i < ctx->nstmts / 2; i++)
			sqlite3_finalize(ctx->stmts[i].st);
		memmove(ctx->stmts, ctx->stmts + ctx->nstmts / 2, sizeof ctx->stmts[0] * (size_t)(ctx->nstmts - ctx->nstmts / 2));
		ctx->nstmts -= ctx->nstmts / 2;
	}
	ctx->stmts[ctx->nstmts].sql = sql;
	ctx->stmts[ctx->nstmts].st = st;
	ctx->nstmts++;
	return st;
}

/* ---- the epoch: what caches outside the index check --------------------------- */

static char *epoch_path(const struct baton_ctx *ctx)
{
	return baton_path_join(ctx->home, "epoch");
}

void baton_index_note_epoch(struct baton_ctx *ctx)
{
	ctx->epoch_dirty = true;
}

/* A new value, written in place (26 bytes, one write): a reader that catches it
 * half-written sees a value matching nothing, which only costs it its cache. */
static void bump_epoch(struct baton_ctx *ctx)
{
	/* random, not a ULID: drawing from the context's generator would move its
	 * monotonic clock (and the ids of tests with a fixed clock) */
	unsigned char r[12];
	char id[BATON_ULID_LEN];
	char *p = epoch_path(ctx);
	ctx->epoch_dirty = false;
	if (!p)
		return;
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		int64_t t = baton_real_now_ms() ^ ((int64_t)getpid() << 40);
		memcpy(r, &t, sizeof t);
		memset(r + sizeof t, 0, sizeof r - sizeof t);
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(id + 2 * i, 3, "%02x", r[i]);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (pwrite(fd, id, strlen(id), 0) < 0)
			unlink(p); /* no epoch file reads as a new epoch too */
		close(fd);
	}
	free(p);
}

void baton_index_epoch(struct baton_ctx *ctx, char out[BATON_ULID_LEN])
{
	char *p = epoch_path(ctx);
	snprintf(out, BATON_ULID_LEN, "0");
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
	free(p);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, BATON_ULID_LEN - 1);
	out[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(out, BATON_ULID_LEN, "0");
	close(fd);
}

int baton_index_exec(struct baton_ctx *ctx, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(ctx->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_free(msg);
		return baton_index_error(ctx, "exec");
	}
	return 0;
}

int baton_index_begin(struct baton_ctx *ctx)
{
	return baton_index_exec(ctx, "BEGIN IMMEDIATE");
}

int baton_index_commit(struct baton_ctx *ctx)
{
	int rc = baton_index_exec(ctx, "COMMIT");
	if (!rc && ctx->epoch_dirty)
		bump_epoch(ctx);
	return rc;
}

void baton_index_rollback(struct baton_ctx *ctx)
{
	if (ctx->db && !sqlite3_get_autocommit(ctx->db))
		sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
}

int baton_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

const char *baton_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int baton_index_apply(struct baton_ctx *ctx, const cJSON *event)
{
	const char *type = baton_json_str(event, "type");
	if (!type)
		return 0;
	for (const struct baton_index_module *const *m = baton_index_modules; *m; m++) {
		for (const struct baton_event_handler *h = (*m)->handlers; h && h->type; h++)
			if (!strcmp(h->type, type))
				return h->apply(ctx, event);
	}
	return 0;
}

static int create_schema(struct baton_ctx *ctx)
{
	int rc = baton_index_exec(ctx, core_schema);
	for (const struct baton_index_module *const *m = baton_index_modules; !rc && *m; m++)
		if ((*m)->schema)
			rc = baton_index_exec(ctx, (*m)->schema);
	return rc;
}

static int create_indexes(struct baton_ctx *ctx)
{
	int rc = 0;
	for (const struct baton_index_module *const *m = baton_index_modules; !rc && *m; m++)
		if ((*m)->indexes)
			rc = baton_index_exec(ctx, (*m)->indexes);
	return rc;
}

/* BATON_TRACE_SQL=1: each statement and its time on stderr (for finding slow paths) */
static int trace_sql(unsigned type, void *arg, void *p, void *x)
{
	(void)arg;
	if (type == SQLITE_TRACE_PROFILE) {
		char *sql = sqlite3_expanded_sql(p);
		fprintf(stderr, "sql %.3f ms: %.200s\n", (double)*(sqlite3_int64 *)x / 1e6, sql ? sql : "?");
		sqlite3_free(sql);
	}
	return 0;
}

/* Page-cache slots faulted in up front (PAGECACHE_PAGES): a command reads a few dozen
 * 16 KiB pages, and each 4 KiB of a fresh buffer otherwise costs a page fault when the
 * page is copied in, ~11 us each on these machines against ~2 us per page mapped with
 * MAP_POPULATE (a save went from 232 to 150 faults, a list from 198 to 145). Commands
 * that need more fall back to malloc for the rest. */
#define PAGECACHE_PAGES 32
#define LONG_LIVED_CACHE_KIB 32768 /* baton_index_long_lived: 2,048 pages */

static void close_db(struct baton_ctx *ctx);
static int open_db(struct baton_ctx *ctx, const char *path, int flags);

static void *slots;      /* the page-cache slots given to SQLite, or NULL */
static size_t slots_len;

static int long_lived; /* baton_index_long_lived: no slots, a larger cache */

#if !BATON_ASAN && defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
#define PREFAULT_HEAP 1
#define PREFAULT_HEAP_MAX (1024 * 1024) /* the most populated at once */
#else
#define PREFAULT_HEAP 0
#endif

/* The same reasoning for malloc's heap: a command that opens the index goes on to
 * touch 100-250 KiB of it (SQLite's schema and statements, the JSON of its answer),
 * one fault per fresh 4 KiB page. malloc keeps a free top of up to 128 KiB above what
 * it handed out; that top is populated in one call (list: 124 -> 89 faults). Only
 * pages malloc already owns: its tuning (M_TOP_PAD would fix the mmap threshold,
 * and bulk commands would then fault in every large buffer afresh) is left alone.
 * A kernel without MADV_POPULATE_WRITE (before 5.14) refuses the call and nothing
 * changes. Not earlier than this: a hook that never opens the index touches little
 * heap, and populating would cost it ~0.1 ms. */
static void heap_prefault(void)
{
#if PREFAULT_HEAP
	size_t top = mallinfo2().keepcost;
	uintptr_t end = (uintptr_t)sbrk(0), lo = (end - top + 4095) & ~(uintptr_t)4095;
	if (top <= PREFAULT_HEAP_MAX && end > lo)
		madvise((void *)lo, end - lo, MADV_POPULATE_WRITE);
#endif
}

void baton_index_long_lived(void)
{
	long_lived = 1;
}

/* Process-wide SQLite settings, before its first use. Memory statistics cost a mutex
 * round trip on every allocation (5% of a save's instructions), and no connection is
 * ever shared between threads (each is opened NOMUTEX anyway). */
static void sqlite_setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	if (long_lived)
		return;
	heap_prefault();
	int hdr = 0;
	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
		return;
	size_t sz = ((size_t)BATON_INDEX_PAGE_SIZE + (size_t)hdr + 15) & ~(size_t)15, len = sz * PAGECACHE_PAGES;
	void *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return;
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, buf, (int)sz, PAGECACHE_PAGES) != SQLITE_OK) {
		munmap(buf, len); /* SQLite already in use: it keeps its own allocations */
		return;
	}
	slots = buf;
	slots_len = len;
}

/* The slots cap SQLite's page cache near PAGECACHE_PAGES: once they are taken, its
 * cache counts itself under memory pressure and recycles its own pages rather than
 * grow. Right for a command that reads a few dozen pages; a bulk ingest re-read the
 * pages it had just written (a third of a cold ingest's time). Giving them back
 * needs SQLite shut down: no connection may be open. */
static void slots_release(void)
{
	if (!slots)
		return;
	sqlite3_shutdown();
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0) == SQLITE_OK)
		munmap(slots, slots_len);
	slots = NULL;
}

/* The index file, opened for writing as every command uses it */
static int open_index(struct baton_ctx *ctx)
{
	int rc = open_db(ctx, ctx->index_path, SQLITE_OPEN_READWRITE);
	if (!rc && long_lived)
		rc = baton_index_exec(ctx, "PRAGMA cache_size = -" BATON_STR(LONG_LIVED_CACHE_KIB));
	return rc ? rc : baton_index_exec(ctx, "PRAGMA synchronous = NORMAL");
}

int baton_index_bulk(struct baton_ctx *ctx)
{
	if (!slots || !ctx->db || ctx->read_only || !sqlite3_get_autocommit(ctx->db))
		return 0;
	close_db(ctx);
	slots_release();
	return open_index(ctx);
}

static int open_db(struct baton_ctx *ctx, const char *path, int flags)
{
	sqlite_setup();
	if (sqlite3_open_v2(path, &ctx->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = baton_index_error(ctx, "open");
		sqlite3_close(ctx->db);
		ctx->db = NULL;
		return rc;
	}
	sqlite3_busy_timeout(ctx->db, ctx->lock_timeout_ms);
	/* Every baton process is short-lived: a checkpoint at each close (SQLite's default
	 * for the last connection) would copy the WAL back and sync twice per command.
	 * Checkpoints happen when the WAL grows (wal_autocheckpoint) instead. */
	sqlite3_db_config(ctx->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_extended_result_codes(ctx->db, 0);
	if (getenv("BATON_TRACE_SQL"))
		sqlite3_trace_v2(ctx->db, SQLITE_TRACE_PROFILE, trace_sql, NULL);
	return 0;
}

/* The WAL is left in place at close (NO_CKPT_ON_CLOSE): most commands write a few
 * pages and a checkpoint each time would cost two syncs. But every baton process
 * opens the index alone, so SQLite rebuilds the WAL's shared index by reading the
 * whole WAL on each open, and forgets what was checkpointed: the WAL would only
 * grow, and every open get slower. Whoever closes a WAL past this size checkpoints
 * it and truncates it to nothing, unless another process is reading (then the next
 * closer does). */
#define WAL_TRUNCATE_BYTES (1024 * 1024)

/* Checkpoint and truncate the WAL when it holds more than min_bytes, unless another
 * process is reading (busy: left for the next closer). */
static void wal_truncate(struct baton_ctx *ctx, off_t min_bytes)
{
	const char *db = sqlite3_db_filename(ctx->db, "main");
	struct stat st;
	if (!db || !*db || sqlite3_db_readonly(ctx->db, "main"))
		return;
	struct strbuf wal = STRBUF_INIT;
	if (!baton_strbuf_addf(&wal, "%s-wal", db) && !stat(wal.buf, &st) && st.st_size > min_bytes) {
		sqlite3_busy_timeout(ctx->db, 0);
		sqlite3_wal_checkpoint_v2(ctx->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_busy_timeout(ctx->db, ctx->lock_timeout_ms);
	}
	baton_strbuf_release(&wal);
}

static void close_db(struct baton_ctx *ctx)
{
	stmt_cache_clear(ctx);
	wal_truncate(ctx, WAL_TRUNCATE_BYTES);
	sqlite3_close(ctx->db);
	ctx->db = NULL;
}

void baton_index_checkpoint(struct baton_ctx *ctx)
{
	if (!ctx->db)
		return;
	wal_truncate(ctx, 0);
	/* The first commit into an empty WAL writes its header and syncs it, and the
	 * directory too (SQLite does both on a new WAL): ~0.9 ms here, where a commit into
	 * a started WAL syncs nothing (synchronous = NORMAL). One small commit now pays
	 * that off the clock, and leaves two pages for the next opener to read. */
	char sql[96];
	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('wal_started', '%lld')",
		 (long long)baton_real_now_ms());
	sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);
}

int baton_index_settle(struct baton_ctx *ctx)
{
	int rc = ctx->db ? baton_index_catch_up(ctx) : baton_ctx_open_index(ctx, true);
	if (rc)
		return rc;
	ctx->index_behind = false;
	baton_index_checkpoint(ctx);
	return 0;
}

void baton_index_close(struct baton_ctx *ctx)
{
	if (ctx->db)
		close_db(ctx);
}

/* log_state row for file name: offset and last id (malloc'd into *last). */
static int log_state_get(struct baton_ctx *ctx, const char *name, int64_t *offset, char **last)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT offset, last_id FROM log_state WHERE file = ?1");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, name);
	*offset = 0;
	if (last)
		*last = NULL;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*offset = sqlite3_column_int64(st, 0);
		if (last && baton_col_text(st, 1))
			*last = strdup(baton_col_text(st, 1));
	} else if (r != SQLITE_DONE) {
		return baton_index_error(ctx, "read log state");
	}
	sqlite3_reset(st);
	return 0;
}

static int log_state_set(struct baton_ctx *ctx, const char *name, int64_t offset, const char *last, int64_t bad)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT INTO log_state(file, offset, last_id, bad_lines) VALUES(?1, ?2, ?3, ?4)"
		" ON CONFLICT(file) DO UPDATE SET offset = max(offset, excluded.offset),"
		" last_id = coalesce(excluded.last_id, last_id), bad_lines = bad_lines + excluded.bad_lines");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, offset);
	baton_bind_text(st, 3, last);
	sqlite3_bind_int64(st, 4, bad);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "record log offset");
}

static int is_log_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && l > 6 && !strcmp(n + l - 6, ".jsonl");
}

int baton_index_apply_log(struct baton_ctx *ctx, const char *name)
{
	char *path = baton_path_join(ctx->log_dir, name);
	char *last = NULL;
	int64_t offset;
	int fd = -1, rc;
	struct baton_lines lr = { 0 };
	int64_t bad = 0;
	if (!path)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if ((rc = log_state_get(ctx, name, &offset, &last)))
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : baton_error(ctx, BATON_ERROR, "cannot read log '%s': %s", path, strerror(errno));
		goto out;
	}
	if (baton_lines_init(&lr, fd, offset, LOG_MAX_LINE)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	char *line;
	size_t len;
	int r;
	while ((r = baton_lines_next(&lr, &line, &len, NULL)) == 1) {
		cJSON *ev = cJSON_ParseWithLength(line, len);
		const char *id = baton_json_str(ev, "id");
		if (!ev || !id || !baton_json_str(ev, "type")) {
			bad++;
			cJSON_Delete(ev);
			continue;
		}
		rc = baton_index_apply(ctx, ev);
		if (!rc && (!last || strcmp(id, last) > 0)) {
			free(last);
			last = strdup(id);
		}
		cJSON_Delete(ev);
		if (rc)
			goto out;
	}
	if (r < 0) {
		rc = baton_error(ctx, BATON_ERROR, "cannot read log '%s': %s", path, strerror(errno));
		goto out;
	}
	bad += (int64_t)lr.skipped_long;
	rc = log_state_set(ctx, name, baton_lines_offset(&lr), last, bad);
out:
	baton_lines_release(&lr);
	if (fd >= 0)
		close(fd);
	free(last);
	free(path);
	return rc;
}

/* Names of the log files (sorted), malloc'd array of malloc'd strings. */
static int list_logs(struct baton_ctx *ctx, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(ctx->log_dir);
	if (!d)
		return errno == ENOENT ? 0 : baton_error(ctx, BATON_ERROR, "cannot read '%s': %s", ctx->log_dir, strerror(errno));
	struct dirent *e;
	size_t alloc = 0;
	int rc = 0;
	while ((e = readdir(d))) {
		if (!is_log_name(e->d_name))
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			char **p = realloc(*out, alloc * sizeof **out);
			if (!p) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				break;
			}
			*out = p;
		}
		if (!((*out)[*n] = strdup(e->d_name))) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			break;
		}
		(*n)++;
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++) /* insertion sort: a handful of hosts */
		for (size_t j = i; j > 0 && strcmp((*out)[j - 1], (*out)[j]) > 0; j--) {
			char *t = (*out)[j];
			(*out)[j] = (*out)[j - 1];
			(*out)[j - 1] = t;
		}
	return rc;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A writer holds the log's lock from its append until its index commit: its tail
 * will be applied by that writer, so a reader need not queue behind it. */
static int writer_active(struct baton_ctx *ctx, const char *name)
{
	char *path = baton_path_join(ctx->log_dir, name);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	int busy = 0;
	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB))
		busy = errno == EWOULDBLOCK;
	close(fd); /* releases the shared lock */
	return busy;
}

/* Does any log hold bytes past its recorded offset that no writer is applying? */
static int lagging(struct baton_ctx *ctx, char **names, size_t n, int *out)
{
	*out = 0;
	for (size_t i = 0; i < n && !*out; i++) {
		char *path = baton_path_join(ctx->log_dir, names[i]);
		struct stat st;
		int64_t off;
		if (!path)
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
		int ok = stat(path, &st) == 0;
		free(path);
		if (!ok)
			continue;
		int rc = log_state_get(ctx, names[i], &off, NULL);
		if (rc)
			return rc;
		if (st.st_size > off && !writer_active(ctx, names[i]))
			*out = 1;
	}
	return 0;
}

int baton_index_catch_up(struct baton_ctx *ctx)
{
	char **names;
	size_t n;
	int lag = 0, rc = list_logs(ctx, &names, &n);
	if (rc)
		return rc;
	if ((rc = lagging(ctx, names, n, &lag)) || !lag)
		goto out;
	if (ctx->read_only)
		goto out;
	if ((rc = baton_index_begin(ctx)))
		goto out;
	for (size_t i = 0; i < n && !rc; i++)
		rc = baton_index_apply_log(ctx, names[i]);
	if (rc)
		baton_index_rollback(ctx);
	else
		rc = baton_index_commit(ctx);
out:
	free_names(names, n);
	return rc;
}

struct merge_src {
	int fd;
	struct baton_lines lr;
	cJSON *ev;       /* the next event of this log, or NULL when done */
	const char *id;
	char *last;
	int64_t bad;
	int64_t superseded;
	const struct baton_snapshots *snaps; /* skip what these supersede; may be NULL */
};

/* *last = max(*last, id[0..n)), ids compared as strings; -1 out of memory */
static int last_max(char **last, const char *id, size_t n)
{
	if (*last) {
		size_t ln = strlen(*last);
		int c = memcmp(id, *last, n < ln ? n : ln);
		if ((c ? c : (n > ln) - (n < ln)) <= 0)
			return 0;
	}
	char *dup = strndup(id, n);
	if (!dup)
		return -1;
	free(*last);
	*last = dup;
	return 0;
}

static void merge_advance(struct merge_src *s)
{
	char *line;
	size_t len;
	cJSON_Delete(s->ev);
	s->ev = NULL;
	s->id = NULL;
	while (baton_lines_next(&s->lr, &line, &len, NULL) == 1) {
		const char *sid;
		size_t sid_len;
		if (baton_snapshots_superseded(s->snaps, line, len, &sid, &sid_len) && !last_max(&s->last, sid, sid_len)) {
			s->superseded++;
			continue;
		}
		cJSON *ev = cJSON_ParseWithLength(line, len);
		const char *id = baton_json_str(ev, "id");
		if (ev && id && baton_json_str(ev, "type")) {
			s->ev = ev;
			s->id = id;
			return;
		}
		cJSON_Delete(ev);
		s->bad++;
	}
}

/* First pass for the replay: the newest snapshot of each row, from every log, into
 * *out (NULL: skip nothing, when no module has snapshots or the table ran out of
 * memory; the replay is then slower, never different). The readers are rewound. */
static int note_snapshots(struct baton_ctx *ctx, struct merge_src *src, size_t n, struct baton_snapshots **out)
{
	struct baton_snapshots *m = baton_snapshots_new();
	char *line;
	size_t len;
	*out = NULL;
	if (!m)
		return 0;
	for (size_t i = 0; m && i < n; i++) {
		int r = 0;
		while (m && (r = baton_lines_next(&src[i].lr, &line, &len, NULL)) == 1)
			if (baton_snapshots_note(m, line, len)) {
				baton_snapshots_free(m);
				m = NULL;
			}
		if (m && r < 0) {
			baton_snapshots_free(m);
			return baton_error(ctx, BATON_ERROR, "cannot read log: %s", strerror(errno));
		}
	}
	for (size_t i = 0; i < n; i++) {
		baton_lines_release(&src[i].lr);
		if (baton_lines_init(&src[i].lr, src[i].fd, 0, LOG_MAX_LINE)) {
			baton_snapshots_free(m);
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
		}
	}
	*out = m;
	return 0;
}

/* Replay every log from offset 0, merged in id order, into ctx->db (in a transaction);
 * with compact, skipping superseded snapshots (verify replays everything, so it checks
 * the rebuild's shortcut too). */
static int replay_all(struct baton_ctx *ctx, struct baton_rebuild_stats *stats, int compact)
{
	char **names;
	size_t n;
	int rc = list_logs(ctx, &names, &n);
	if (rc)
		return rc;
	struct baton_snapshots *snaps = NULL;
	struct merge_src *src = calloc(n ? n : 1, sizeof *src);
	if (!src) {
		free_names(names, n);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		src[i].fd = -1;
	for (size_t i = 0; i < n; i++) {
		char *path = baton_path_join(ctx->log_dir, names[i]);
		src[i].fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
		if (src[i].fd < 0 || baton_lines_init(&src[i].lr, src[i].fd, 0, LOG_MAX_LINE)) {
			rc = baton_error(ctx, BATON_ERROR, "cannot read log '%s': %s", path ? path : names[i], strerror(errno));
			free(path);
			goto out;
		}
		free(path);
	}
	if (compact && (rc = note_snapshots(ctx, src, n, &snaps)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		src[i].snaps = snaps;
		merge_advance(&src[i]);
	}
	for (;;) {
		struct merge_src *min = NULL;
		for (size_t i = 0; i < n; i++)
			if (src[i].ev && (!min || strcmp(src[i].id, min->id) < 0))
				min = &src[i];
		if (!min)
			break;
		if ((rc = baton_index_apply(ctx, min->ev)))
			goto out;
		if (last_max(&min->last, min->id, strlen(min->id))) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		if (stats)
			stats->events++;
		merge_advance(min);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		src[i].bad += (int64_t)src[i].lr.skipped_long;
		if (stats) {
			stats->bad_lines += src[i].bad;
			stats->superseded += src[i].superseded;
			stats->events += src[i].superseded;
		}
		rc = log_state_set(ctx, names[i], baton_lines_offset(&src[i].lr), src[i].last, src[i].bad);
	}
	if (stats)
		stats->logs = (int64_t)n;
	for (const struct baton_index_module *const *m = baton_index_modules; !rc && *m; m++)
		if ((*m)->replay)
			rc = (*m)->replay(ctx);
out:
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(src[i].ev);
		baton_lines_release(&src[i].lr);
		if (src[i].fd >= 0)
			close(src[i].fd);
		free(src[i].last);
	}
	free(src);
	free_names(names, n);
	baton_snapshots_free(snaps);
	return rc;
}

static int set_version(struct baton_ctx *ctx)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", BATON_INDEX_VERSION);
	return baton_index_exec(ctx, sql);
}

static void remove_db_files(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 3; i++) {
		baton_strbuf_reset(&sb);
		if (!baton_strbuf_addf(&sb, "%s%s", path, sfx[i]))
			unlink(sb.buf);
	}
	baton_strbuf_release(&sb);
}

/* Take the exclusive lock on our log (creating it) so no writer interleaves. */
int baton_log_lock(struct baton_ctx *ctx);
void baton_log_unlock(struct baton_ctx *ctx);

static int index_usable(struct baton_ctx *ctx);
static int rebuild(struct baton_ctx *ctx, struct baton_rebuild_stats *stats, int only_if_needed);

int baton_index_rebuild(struct baton_ctx *ctx, struct baton_rebuild_stats *stats)
{
	return rebuild(ctx, stats, 0);
}

/* Rebuild under the log lock; when only_if_needed, first look again: another process
 * may have rebuilt it while we waited for the lock. */
static int rebuild(struct baton_ctx *ctx, struct baton_rebuild_stats *stats, int only_if_needed)
{
	struct baton_rebuild_stats local = { 0 };
	struct strbuf tmp = STRBUF_INIT;
	int64_t t0 = baton_real_now_ms();
	int rc, locked = 0;
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (ctx->read_only)
		return baton_error(ctx, BATON_EINVALID, "index: cannot rebuild a read-only store");
	if ((rc = baton_log_lock(ctx)))
		return rc;
	locked = 1;
	if (only_if_needed && index_usable(ctx)) {
		rc = 0;
		goto out;
	}
	if (baton_strbuf_addf(&tmp, "%s.rebuild.%ld", ctx->index_path, (long)getpid())) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if (ctx->db)
		close_db(ctx);
	slots_release(); /* a rebuild reads and writes every page */
	unlink(tmp.buf);
	remove_db_files(tmp.buf);
	if ((rc = open_db(ctx, tmp.buf, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)))
		goto out;
	chmod(tmp.buf, 0600);
	/* 16 KiB pages: message rows of a few KiB (tool output) left ~40% of 4 KiB pages
	 * empty (one row per page), and ingest wrote and checkpointed that waste too:
	 * the index is ~20% smaller and ingest ~25% cheaper in CPU. Set before the first
	 * write, so it takes effect only here, where every index file is made. */
	if ((rc = baton_index_exec(ctx, "PRAGMA page_size = " BATON_STR(BATON_INDEX_PAGE_SIZE) "; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
					   " PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;")) ||
	    (rc = create_schema(ctx)) || (rc = baton_index_exec(ctx, "BEGIN")))
		goto out;
	if ((rc = replay_all(ctx, stats, 1)) || (rc = create_indexes(ctx))) {
		baton_index_rollback(ctx);
		goto out;
	}
	if ((rc = baton_index_commit(ctx)) || (rc = set_version(ctx)) ||
	    (rc = baton_index_exec(ctx, "PRAGMA journal_mode = WAL")))
		goto out;
	close_db(ctx);
	remove_db_files(ctx->index_path);
	if (rename(tmp.buf, ctx->index_path)) {
		rc = baton_error(ctx, BATON_ERROR, "cannot replace '%s': %s", ctx->index_path, strerror(errno));
		goto out;
	}
	rc = open_index(ctx);
	if (!rc)
		bump_epoch(ctx); /* anything may have changed */
out:
	if (rc && ctx->db && tmp.len) {
		close_db(ctx);
		unlink(tmp.buf);
		remove_db_files(tmp.buf);
	}
	if (locked)
		baton_log_unlock(ctx);
	stats->ms = baton_real_now_ms() - t0;
	baton_strbuf_release(&tmp);
	return rc;
}

/* 1 when the index file opens and has our version; ctx->db is then open on it. */
static int index_usable(struct baton_ctx *ctx)
{
	struct stat st;
	if (ctx->db)
		close_db(ctx);
	if (stat(ctx->index_path, &st) != 0)
		return 0;
	if (open_db(ctx, ctx->index_path, ctx->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE))
		return 0;
	sqlite3_stmt *s = NULL;
	int version = -1;
	if (sqlite3_prepare_v2(ctx->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version != BATON_INDEX_VERSION) {
		close_db(ctx);
		return 0;
	}
	return 1;
}

int baton_index_open(struct baton_ctx *ctx)
{
	if (!index_usable(ctx)) {
		if (ctx->read_only)
			return baton_error(ctx, BATON_ECORRUPT,
					   "index: '%s' is missing, unreadable or of another version; run 'baton index rebuild'",
					   ctx->index_path);
		int rc = rebuild(ctx, NULL, 1);
		if (rc)
			return rc;
	}
	return ctx->read_only ? 0 : baton_index_exec(ctx, "PRAGMA synchronous = NORMAL");
}

int baton_index_verify(struct baton_ctx *ctx, cJSON **out)
{
	*out = NULL;
	sqlite3 *disk = ctx->db;
	int rc;
	cJSON *res = cJSON_CreateObject(), *tables = NULL;
	if (!res)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");

	/* replay into memory with a statement cache of its own */
	struct { const char *sql; sqlite3_stmt *st; } saved[96];
	int nsaved = ctx->nstmts;
	memcpy(saved, ctx->stmts, sizeof saved);
	ctx->nstmts = 0;
	ctx->db = NULL;
	rc = open_db(ctx, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (!rc)
		rc = create_schema(ctx);
	if (!rc && !(rc = baton_index_exec(ctx, "BEGIN"))) {
		rc = replay_all(ctx, NULL, 0);
		if (rc)
			baton_index_rollback(ctx);
		else
			rc = baton_index_commit(ctx);
	}
	sqlite3 *mem = ctx->db;
	stmt_cache_clear(ctx);
	ctx->db = disk;
	memcpy(ctx->stmts, saved, sizeof saved);
	ctx->nstmts = nsaved;
	if (rc)
		goto out;

	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	{
		baton_strbuf_adds(&sql, "ATTACH DATABASE ?1 AS disk");
		if (sqlite3_prepare_v2(mem, sql.buf, -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_bind_text(st, 1, ctx->index_path, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			rc = baton_error(ctx, BATON_ERROR, "index verify: cannot attach '%s': %s", ctx->index_path, sqlite3_errmsg(mem));
			sqlite3_finalize(st);
			baton_strbuf_release(&sql);
			sqlite3_close(mem);
			goto out;
		}
		sqlite3_finalize(st);
	}
	bool ok = true;
	tables = cJSON_CreateArray();
	for (const struct baton_index_module *const *m = baton_index_modules; *m; m++) {
		for (const char *const *t = (*m)->tables; t && *t; t++) {
			int64_t v[3] = { 0, 0, 0 };
			for (int k = 0; k < 3; k++) {
				baton_strbuf_reset(&sql);
				if (k == 0)
					baton_strbuf_addf(&sql, "SELECT count(*) FROM main.%s", *t);
				else
					baton_strbuf_addf(&sql, "SELECT count(*) FROM (SELECT * FROM %s.%s EXCEPT SELECT * FROM %s.%s)",
							  k == 1 ? "main" : "disk", *t, k == 1 ? "disk" : "main", *t);
				if (sqlite3_prepare_v2(mem, sql.buf, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
					rc = baton_error(ctx, BATON_ECORRUPT, "index verify: table '%s': %s", *t, sqlite3_errmsg(mem));
					sqlite3_finalize(st);
					baton_strbuf_release(&sql);
					sqlite3_close(mem);
					goto out;
				}
				v[k] = sqlite3_column_int64(st, 0);
				sqlite3_finalize(st);
			}
			cJSON *row = cJSON_CreateObject();
			cJSON_AddItemToArray(tables, row);
			baton_json_add_str(row, "table", *t);
			baton_json_add_int(row, "rows", v[0]);
			baton_json_add_int(row, "missing", v[1]);
			baton_json_add_int(row, "extra", v[2]);
			if (v[1] || v[2])
				ok = false;
		}
	}
	baton_strbuf_release(&sql);
	sqlite3_close(mem);
	cJSON_AddBoolToObject(res, "ok", ok);
	cJSON_AddItemToObject(res, "tables", tables);
	*out = res;
	return 0;
out:
	cJSON_Delete(tables);
	cJSON_Delete(res);
	return rc;
}
