/* The store: append, replay, torn lines, lag, rebuild, verify, several hosts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "store/state.h"

static char home[64];

static int setup(void **state)
{
	snprintf(home, sizeof home, "/tmp/baton-store-XXXXXX");
	assert_non_null(mkdtemp(home));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	return system(cmd);
}

/* The store at home (sub: a store of its own under it), with or without its index. */
static struct baton_ctx *open_at(const char *sub, const char *host, bool no_index)
{
	char dir[128];
	snprintf(dir, sizeof dir, "%s%s%s", home, sub ? "/" : "", sub ? sub : "");
	struct baton_open_opts o = { .home = dir, .cwd = "/", .host = host, .no_index = no_index };
	struct baton_ctx *ctx;
	if (baton_ctx_open(&ctx, &o))
		fail_msg("open: %s", baton_errmsg(ctx));
	return ctx;
}

static struct baton_ctx *open_store(const char *host)
{
	return open_at(NULL, host, false);
}

static int count_sessions(struct baton_ctx *ctx)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT count(*) FROM sessions WHERE deleted = 0");
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static void save(struct baton_ctx *ctx, const char *objective)
{
	cJSON *s;
	assert_int_equal(baton_session_new(ctx, &s, "/"), 0);
	baton_json_set(s, "objective", cJSON_CreateString(objective));
	assert_int_equal(baton_session_put(ctx, s, NULL), 0);
}

static char *log_path(struct baton_ctx *ctx)
{
	char *p = malloc(512);
	snprintf(p, 512, "%s/log/%s.jsonl", baton_home(ctx), baton_host(ctx));
	return p;
}

static void append_and_reopen(void **state)
{
	struct baton_ctx *ctx = open_store("h1");
	save(ctx, "one");
	save(ctx, "two");
	assert_int_equal(count_sessions(ctx), 2);
	baton_ctx_close(ctx);
	ctx = open_store("h1");
	assert_int_equal(count_sessions(ctx), 2);
	/* permissions: directories 0700, files 0600 */
	struct stat st;
	assert_int_equal(stat(home, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	char *lp = log_path(ctx);
	assert_int_equal(stat(lp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(lp);
	baton_ctx_close(ctx);
}

static void lagging_index_replays_tail(void **state)
{
	struct baton_ctx *a = open_store("h1");
	struct baton_ctx *b = open_store("h1");
	save(a, "three");
	/* b's index is the same file: it already sees it; now write behind the index's back */
	char *lp = log_path(a);
	FILE *f = fopen(lp, "a");
	fprintf(f, "{\"v\":1,\"id\":\"01ZZZZZZZZZZZZZZZZZZZZZZZZ\",\"at\":\"2026-01-01T00:00:00.000Z\",\"host\":\"h1\","
		   "\"type\":\"session_saved\",\"session\":{\"id\":\"01ZZZZZZZZZZZZZZZZZZZZZZZX\",\"updated_at\":\"2026-01-01T00:00:00.000Z\","
		   "\"status\":\"active\",\"cwd\":\"/\"}}\n");
	fclose(f);
	free(lp);
	baton_ctx_close(b);
	b = open_store("h1");
	assert_int_equal(count_sessions(b), 4);
	baton_ctx_close(a);
	baton_ctx_close(b);
}

static void torn_line_is_skipped_and_closed(void **state)
{
	struct baton_ctx *ctx = open_store("h1");
	char *lp = log_path(ctx);
	FILE *f = fopen(lp, "a");
	fputs("{\"v\":1,\"id\":\"01ZZZZ", f); /* a crash mid-write */
	fclose(f);
	baton_ctx_close(ctx);
	ctx = open_store("h1");
	int before = count_sessions(ctx);
	save(ctx, "after the crash");
	assert_int_equal(count_sessions(ctx), before + 1);
	/* the torn fragment is now a closed bad line; our line is whole */
	struct strbuf sb = STRBUF_INIT;
	FILE *r = fopen(lp, "r");
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, r)) > 0)
		baton_strbuf_add(&sb, buf, n);
	fclose(r);
	assert_non_null(strstr(sb.buf, "{\"v\":1,\"id\":\"01ZZZZ\n{\"v\":1"));
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	baton_strbuf_release(&sb);
	cJSON *v;
	assert_int_equal(baton_index_verify(ctx, &v), 0);
	assert_true(baton_json_bool(v, "ok", false));
	cJSON_Delete(v);
	free(lp);
	baton_ctx_close(ctx);
}

static void missing_or_corrupt_index_rebuilds(void **state)
{
	struct baton_ctx *ctx = open_store("h1");
	int n = count_sessions(ctx);
	assert_true(n > 0);
	baton_ctx_close(ctx);
	char p[256];
	snprintf(p, sizeof p, "%s/index.db", home);
	unlink(p);
	ctx = open_store("h1");
	assert_int_equal(count_sessions(ctx), n);
	baton_ctx_close(ctx);
	/* garbage over the index: it rebuilds */
	snprintf(p, sizeof p, "%s/index.db", home);
	FILE *f = fopen(p, "w");
	fputs("this is not a database, not even close; it is long enough to look like a header ..........", f);
	fclose(f);
	char w[300];
	snprintf(w, sizeof w, "%s-wal", p);
	unlink(w);
	ctx = open_store("h1");
	assert_int_equal(count_sessions(ctx), n);
	baton_ctx_close(ctx);
}

static void hosts_merge_in_id_order(void **state)
{
	/* two machines saved the same session; the later event wins wherever it sits */
	struct baton_ctx *a = open_store("ha");
	cJSON *s;
	assert_int_equal(baton_session_new(a, &s, "/"), 0);
	baton_json_set(s, "objective", cJSON_CreateString("from a"));
	cJSON *saved;
	assert_int_equal(baton_session_put(a, s, &saved), 0);
	char id[64];
	snprintf(id, sizeof id, "%s", baton_json_str(saved, "id"));
	baton_json_set(saved, "objective", cJSON_CreateString("from b, later"));
	baton_ctx_close(a);
	struct baton_ctx *b = open_store("hb");
	assert_int_equal(baton_session_put(b, saved, NULL), 0);
	baton_ctx_close(b);
	a = open_store("ha");
	cJSON *got;
	assert_int_equal(baton_session_get(a, &got, id), 0);
	assert_string_equal(baton_json_str(got, "objective"), "from b, later");
	cJSON_Delete(got);
	struct baton_rebuild_stats st;
	assert_int_equal(baton_index_rebuild(a, &st), 0);
	assert_true(st.logs >= 2);
	assert_int_equal(baton_session_get(a, &got, id), 0);
	assert_string_equal(baton_json_str(got, "objective"), "from b, later");
	cJSON_Delete(got);
	cJSON *v;
	assert_int_equal(baton_index_verify(a, &v), 0);
	assert_true(baton_json_bool(v, "ok", false));
	cJSON_Delete(v);
	baton_ctx_close(a);
}

static void verify_detects_divergence(void **state)
{
	struct baton_ctx *ctx = open_store("h1");
	assert_int_equal(baton_index_exec(ctx, "UPDATE sessions SET objective = 'tampered' WHERE rowid = 1"), 0);
	cJSON *v;
	assert_int_equal(baton_index_verify(ctx, &v), 0);
	assert_false(baton_json_bool(v, "ok", true));
	cJSON_Delete(v);
	assert_int_equal(baton_index_rebuild(ctx, NULL), 0);
	assert_int_equal(baton_index_verify(ctx, &v), 0);
	assert_true(baton_json_bool(v, "ok", false));
	cJSON_Delete(v);
	baton_ctx_close(ctx);
}


static const char *then(struct baton_ctx *ctx, struct strbuf *file, const char *state, const char *text)
{
	baton_strbuf_reset(file);
	baton_strbuf_addf(file, "%s\n%s", state, text);
	return baton_store_state_then(ctx, file->buf);
}

/* A file headed by the store's state holds while no log changes, and only then. */
static void state_holds_while_nothing_is_written(void **state)
{
	struct baton_ctx *ctx = open_at("state", "h1", false);
	struct strbuf st = STRBUF_INIT, file = STRBUF_INIT;
	assert_string_equal(then(ctx, &file, "", "X"), "X"); /* no event anywhere yet */
	save(ctx, "one");
	assert_null(then(ctx, &file, "", "X")); /* an empty state no longer holds */
	baton_strbuf_reset(&st);
	assert_int_equal(baton_store_state(ctx, &st), 0);
	char *copy = strdup(st.buf);
	assert_string_equal(then(ctx, &file, copy, "X"), "X");
	save(ctx, "two");
	assert_null(then(ctx, &file, copy, "X")); /* the log grew */
	free(copy);
	baton_strbuf_reset(&st);
	assert_int_equal(baton_store_state(ctx, &st), 0);
	copy = strdup(st.buf);
	assert_string_equal(then(ctx, &file, copy, "X"), "X");
	char other[160];
	snprintf(other, sizeof other, "%s/state/log/h2.jsonl", home);
	FILE *f = fopen(other, "w");
	fputs("{}\n", f);
	fclose(f);
	assert_null(then(ctx, &file, copy, "X")); /* another host's log appeared */
	free(copy);
	assert_int_equal(baton_store_hash("/a"), baton_store_hash("/a"));
	assert_true(baton_store_hash("/a") != baton_store_hash("/b"));
	baton_strbuf_release(&st);
	baton_strbuf_release(&file);
	baton_ctx_close(ctx);
}

/* Without the index an append only appends, above the log's newest id; settling
 * applies it. */
static void append_without_the_index(void **state)
{
	struct baton_ctx *ctx = open_at("lazy", "h1", false);
	save(ctx, "indexed");
	baton_ctx_close(ctx);
	ctx = open_at("lazy", "h1", true);
	assert_false(baton_ctx_pending(ctx));
	char before[27], after[27];
	assert_int_equal(baton_log_newest_session(ctx, "", before), 0);
	save(ctx, "appended");
	assert_true(baton_ctx_pending(ctx));
	assert_int_equal(baton_log_newest_session(ctx, "", after), 0);
	assert_true(strcmp(after, before) != 0);
	assert_int_equal(baton_session_settle(ctx), 0);
	assert_false(baton_ctx_pending(ctx));
	assert_int_equal(count_sessions(ctx), 2);
	baton_ctx_close(ctx);
	ctx = open_at("lazy", "h1", false);
	assert_int_equal(count_sessions(ctx), 2);
	cJSON *v = NULL;
	assert_int_equal(baton_index_verify(ctx, &v), 0);
	assert_true(baton_json_bool(v, "ok", false));
	cJSON_Delete(v);
	baton_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_and_reopen),
		cmocka_unit_test(lagging_index_replays_tail),
		cmocka_unit_test(torn_line_is_skipped_and_closed),
		cmocka_unit_test(missing_or_corrupt_index_rebuilds),
		cmocka_unit_test(hosts_merge_in_id_order),
		cmocka_unit_test(verify_detects_divergence),
		cmocka_unit_test(state_holds_while_nothing_is_written),
		cmocka_unit_test(append_without_the_index),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
