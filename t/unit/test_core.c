/* strbuf, json helpers, UTF-8, ULIDs, config, line reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/config.h"
#include "baton/json.h"
#include "baton/lines.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"

static void strbuf_grows_and_caps(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(baton_strbuf_addf(&sb, "%d,", i), 0);
	assert_int_equal(strncmp(sb.buf, "0,1,2,", 6), 0);
	assert_int_equal(sb.len, strlen(sb.buf));
	baton_strbuf_release(&sb);
	sb.cap = 8;
	assert_int_equal(baton_strbuf_adds(&sb, "12345678"), 0);
	assert_int_equal(baton_strbuf_addch(&sb, '9'), -1);
	assert_string_equal(sb.buf, "12345678");
	char *d = baton_strbuf_detach(&sb);
	assert_string_equal(d, "12345678");
	assert_string_equal(sb.buf, "");
	free(d);
}

static void utf8_sanitize(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char bad[] = "ok\xff\xfez\xc3\xa9\xe2\x82";
	assert_false(baton_utf8_valid(bad, sizeof bad - 1));
	assert_int_equal(baton_utf8_sanitize(&sb, bad, sizeof bad - 1), 0);
	assert_true(baton_utf8_valid(sb.buf, sb.len));
	assert_string_equal(sb.buf, "ok\xEF\xBF\xBD\xEF\xBF\xBDz\xc3\xa9\xEF\xBF\xBD\xEF\xBF\xBD");
	baton_strbuf_release(&sb);
	/* overlong encodings and surrogates are invalid */
	assert_false(baton_utf8_valid("\xc0\xaf", 2));
	assert_false(baton_utf8_valid("\xed\xa0\x80", 3));
	assert_true(baton_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void json_getters(void **state)
{
	cJSON *o = cJSON_Parse("{\"s\":\"x\",\"n\":42,\"ns\":\"17\",\"b\":true,\"a\":[1],\"o\":{}}");
	assert_string_equal(baton_json_str(o, "s"), "x");
	assert_null(baton_json_str(o, "n"));
	assert_int_equal(baton_json_int(o, "n", 0), 42);
	assert_int_equal(baton_json_int(o, "ns", 0), 17);
	assert_int_equal(baton_json_int(o, "missing", -1), -1);
	assert_true(baton_json_bool(o, "b", false));
	assert_non_null(baton_json_arr(o, "a"));
	assert_null(baton_json_arr(o, "o"));
	assert_non_null(baton_json_obj(o, "o"));
	baton_json_add_str(o, "null", NULL);
	char *p = baton_json_print(o);
	assert_non_null(strstr(p, "\"null\":null"));
	cJSON_free(p);
	cJSON_Delete(o);
}

static struct baton_ctx *bare_ctx(uint64_t seed)
{
	struct baton_ctx *ctx = calloc(1, sizeof *ctx);
	ctx->log_fd = -1;
	baton_random_seed(ctx, seed);
	return ctx;
}

static void ulid_monotonic_and_valid(void **state)
{
	struct baton_ctx *ctx = bare_ctx(7);
	char prev[BATON_ULID_LEN] = "", id[BATON_ULID_LEN];
	for (int i = 0; i < 10000; i++) {
		baton_ulid_new(ctx, id, 1795370066939LL, NULL); /* same millisecond */
		assert_true(baton_ulid_valid(id));
		assert_true(strcmp(id, prev) > 0);
		memcpy(prev, id, sizeof id);
	}
	assert_int_equal(baton_ulid_time(id), 1795370066939LL);
	/* a floor from another process's log is respected */
	char floor[BATON_ULID_LEN];
	baton_ulid_new(ctx, floor, 1795370099999LL, NULL);
	struct baton_ctx *other = bare_ctx(8);
	baton_ulid_new(other, id, 1795370000000LL, floor);
	assert_true(strcmp(id, floor) > 0);
	assert_false(baton_ulid_valid("01J"));
	assert_false(baton_ulid_valid("01JUUUUUUUUUUUUUUUUUUUUUUU")); /* U is not Crockford */
	/* the same seed gives the same ids: what golden tests rely on */
	struct baton_ctx *a = bare_ctx(42), *b = bare_ctx(42);
	char ia[BATON_ULID_LEN], ib[BATON_ULID_LEN];
	baton_ulid_new(a, ia, 5, NULL);
	baton_ulid_new(b, ib, 5, NULL);
	assert_string_equal(ia, ib);
	char uuid[40];
	baton_uuid_new(a, uuid);
	assert_int_equal(strlen(uuid), 36);
	assert_int_equal(uuid[14], '4');
	free(a);
	free(b);
	free(other);
	free(ctx);
}

static void config_files_and_env(void **state)
{
	char dir[] = "/tmp/baton-cfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/config.toml", dir);
	FILE *f = fopen(path, "w");
	fputs("# comment\nauto_session_default = false\n[core]\nfsync = true # inline\nname = \"a \\\"b\\\"\"\n"
	      "[journal]\ndir = '.notes'\nlimit = 12\n", f);
	fclose(f);
	struct baton_ctx *ctx = bare_ctx(1);
	baton_config_init(&ctx->config);
	assert_int_equal(baton_config_load_file(ctx, &ctx->config, path), 0);
	assert_string_equal(baton_config_get(&ctx->config, "core.name"), "a \"b\"");
	assert_string_equal(baton_config_str(ctx, "journal.dir", "x"), ".notes");
	assert_int_equal(baton_config_int(ctx, "journal.limit", 0), 12);
	assert_false(baton_config_bool(ctx, "auto_session_default", true));
	assert_true(baton_config_bool(ctx, "core.fsync", false));
	setenv("BATON_JOURNAL_LIMIT", "99", 1);
	assert_int_equal(baton_config_int(ctx, "journal.limit", 0), 99);
	unsetenv("BATON_JOURNAL_LIMIT");
	/* a broken file: a clear error naming the line, nothing loaded from it is kept wrong */
	f = fopen(path, "w");
	fputs("[core]\nfsync = maybe\n", f);
	fclose(f);
	assert_int_equal(baton_config_load_file(ctx, &ctx->config, path), BATON_EINVALID);
	assert_non_null(strstr(baton_errmsg(ctx), "line 2"));
	f = fopen(path, "w");
	fputs("[core\nx = 1\n", f);
	fclose(f);
	assert_int_equal(baton_config_load_file(ctx, &ctx->config, path), BATON_EINVALID);
	/* a missing file is not an error */
	snprintf(path, sizeof path, "%s/none.toml", dir);
	assert_int_equal(baton_config_load_file(ctx, &ctx->config, path), 0);
	baton_config_release(&ctx->config);
	free(ctx);
	snprintf(path, sizeof path, "%s/config.toml", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static int write_tmp(char *path, const char *data, size_t len)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

static void lines_bounded(void **state)
{
	char path[] = "/tmp/baton-lines-XXXXXX";
	/* a normal line, an overlong one, a normal one, then a partial last line */
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_adds(&sb, "one\n");
	for (int i = 0; i < 100000; i++)
		baton_strbuf_addch(&sb, 'x');
	baton_strbuf_adds(&sb, "\ntwo\nparti");
	int fd = write_tmp(path, sb.buf, sb.len);
	struct baton_lines lr;
	assert_int_equal(baton_lines_init(&lr, fd, 0, 1000), 0);
	char *line;
	size_t len;
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 1);
	assert_string_equal(line, "one");
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 1);
	assert_string_equal(line, "two");
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 0);
	assert_int_equal(lr.skipped_long, 1);
	int64_t resume = baton_lines_offset(&lr);
	assert_int_equal(resume, (int64_t)sb.len - 5); /* before "parti" */
	baton_lines_release(&lr);
	/* the writer finishes the line: the next read resumes there */
	assert_int_equal(write(fd, "al\n", 3), 3);
	assert_int_equal(baton_lines_init(&lr, fd, resume, 1000), 0);
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 1);
	assert_string_equal(line, "partial");
	baton_lines_release(&lr);
	close(fd);
	unlink(path);
	baton_strbuf_release(&sb);
}

static void lines_overlong_at_eof_resumes_at_its_start(void **state)
{
	char path[] = "/tmp/baton-lines-XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_adds(&sb, "a\n");
	for (int i = 0; i < 5000; i++)
		baton_strbuf_addch(&sb, 'y');
	int fd = write_tmp(path, sb.buf, sb.len);
	struct baton_lines lr;
	assert_int_equal(baton_lines_init(&lr, fd, 0, 100), 0);
	char *line;
	size_t len;
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 1);
	assert_int_equal(baton_lines_next(&lr, &line, &len, NULL), 0);
	assert_int_equal(baton_lines_offset(&lr), 2);
	baton_lines_release(&lr);
	close(fd);
	unlink(path);
	baton_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strbuf_grows_and_caps),
		cmocka_unit_test(utf8_sanitize),
		cmocka_unit_test(json_getters),
		cmocka_unit_test(ulid_monotonic_and_valid),
		cmocka_unit_test(config_files_and_env),
		cmocka_unit_test(lines_bounded),
		cmocka_unit_test(lines_overlong_at_eof_resumes_at_its_start),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
