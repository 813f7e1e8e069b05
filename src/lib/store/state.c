/* The store's state, as files rendered ahead of time record it: see state.h. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baton/fsutil.h"
#include "baton/index.h"
#include "baton/strbuf.h"
#include "core/ctx.h"
#include "store/state.h"

#define STATE_LOGS 64 /* hosts beyond this: the state never holds */

/* The store's state as the index has it: "LOG OFFSET\n" per log, by name. */
int baton_store_state(struct baton_ctx *ctx, struct strbuf *out)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT file, offset FROM log_state ORDER BY file");
	if (!st)
		return BATON_ERROR;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		baton_strbuf_addf(out, "%s %lld\n", baton_col_text(st, 0), (long long)sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "read log_state");
}

/* Whether the logs named in state[0..len) ("LOG OFFSET" lines) are all there, exactly
 * that long, and the only logs there are. */
static bool state_holds(struct baton_ctx *ctx, const char *state, size_t len)
{
	struct {
		const char *name;
		size_t nlen;
		long long offset;
		bool seen;
	} logs[STATE_LOGS];
	size_t n = 0;
	for (const char *p = state, *end = state + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp = memchr(p, ' ', (size_t)(end - p));
		if (!nl || !sp || sp > nl || n == STATE_LOGS)
			return false;
		char *e;
		logs[n].offset = strtoll(sp + 1, &e, 10);
		if (e != nl || logs[n].offset < 0)
			return false;
		logs[n].name = p;
		logs[n].nlen = (size_t)(sp - p);
		logs[n++].seen = false;
		p = nl + 1;
	}
	DIR *d = opendir(ctx->log_dir);
	if (!d)
		return false;
	bool ok = true;
	struct dirent *e;
	struct stat st;
	while (ok && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= 6 || strcmp(e->d_name + l - 6, ".jsonl"))
			continue; /* what the index reads as a log (index.c) */
		long long want = 0;
		for (size_t i = 0; i < n; i++)
			if (logs[i].nlen == l && !memcmp(logs[i].name, e->d_name, l)) {
				want = logs[i].offset;
				logs[i].seen = true;
			}
		ok = !fstatat(dirfd(d), e->d_name, &st, 0) && st.st_size == want;
	}
	closedir(d);
	for (size_t i = 0; ok && i < n; i++)
		ok = logs[i].seen || !logs[i].offset;
	return ok;
}

/* The text after a state ("LOG OFFSET" lines, then an empty line; or the empty line
 * alone: a store with no event yet) when that state still holds, else NULL. */
const char *baton_store_state_then(struct baton_ctx *ctx, const char *state)
{
	if (*state == '\n') /* no log had an event: still none has */
		return state_holds(ctx, state, 0) ? state + 1 : NULL;
	const char *blank = strstr(state, "\n\n");
	return blank && state_holds(ctx, state, (size_t)(blank + 1 - state)) ? blank + 2 : NULL;
}


uint64_t baton_store_hash(const char *s)
{
	uint64_t x = 0xcbf29ce484222325u;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		x = (x ^ *c) * 0x100000001b3u;
	return x;
}

int baton_store_put(struct baton_ctx *ctx, const char *sub, const char *path, const struct strbuf *sb)
{
	if (!baton_write_atomic(ctx, path, sb->buf, sb->len, 0600, 0))
		return 0;
	struct strbuf dir = STRBUF_INIT;
	baton_strbuf_addf(&dir, "%s/%s", baton_home(ctx), sub);
	int rc = baton_mkdir_p(ctx, dir.buf, 0700);
	if (!rc)
		rc = baton_write_atomic(ctx, path, sb->buf, sb->len, 0600, 0);
	baton_strbuf_release(&dir);
	return rc;
}
