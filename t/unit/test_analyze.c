/* The handoff analyzer's recognisers and the markdown's bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "baton/analyze.h"
#include "baton/handoff.h"
#include "baton/strbuf.h"

static void git_commit_detection(void **state)
{
	static const char *const yes[] = {
		"git commit -m x",
		"git add -A && git commit -m \"fix parser\"",
		"cd repo; git -C /work/app commit --amend --no-edit",
		"GIT_AUTHOR_DATE=now git commit -qm 'a && b'",
		"git -c user.name=x commit -m y",
		"/usr/bin/git commit",
		"make && (git commit -am wip)",
		"git --no-pager commit -m \"a $(date)\"",
		"echo ok | git commit -F -",
		"git add x\ngit commit -m y",
	};
	static const char *const no[] = {
		"echo 'git commit' is just text",
		"git log --grep commit",
		"git status",
		"echo \"git commit -m x\"",
		"grep -r 'git commit' .",
		"gitcommit",
		"git -C commit status",
		"",
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!baton_analyze_is_git_commit(yes[i]))
			fail_msg("missed: %s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (baton_analyze_is_git_commit(no[i]))
			fail_msg("false hit: %s", no[i]);
	assert_false(baton_analyze_is_git_commit(NULL));
}

static void failure_detection(void **state)
{
	assert_true(baton_analyze_failed("Exit code 2\nFAIL parser_test"));
	assert_true(baton_analyze_failed("Exit code: 1\nWall time: 2 seconds\nOutput:\nFAIL"));
	assert_true(baton_analyze_failed("Chunk ID: 1\nWall time: 0 s\nProcess exited with code 127\nOutput:\n"));
	assert_true(baton_analyze_failed("Command exited with code 1: 2 tests failed"));
	assert_true(baton_analyze_failed("<tool_use_error>File has not been read yet.</tool_use_error>"));
	assert_true(baton_analyze_failed("  Error: lint failed"));
	assert_true(baton_analyze_failed("fatal: not a git repository"));
	/* a zero exit code wins over whatever the output says */
	assert_false(baton_analyze_failed("Exit code: 0\nOutput:\nError: expected in this test"));
	assert_false(baton_analyze_failed("Process exited with code 0\nOutput:\n[main 1a2b3c4] x"));
	/* what the output says after its header does not count */
	assert_false(baton_analyze_failed("Output:\nexit code 3 is documented here"));
	assert_false(baton_analyze_failed("1\tprintf(\"exit code 1\");"));
	assert_false(baton_analyze_failed("All 12 tests passed"));
	assert_false(baton_analyze_failed(""));
	assert_false(baton_analyze_failed(NULL));
}

static void commit_line(void **state)
{
	char sha[41];
	const char *subj;
	size_t n;
	assert_true(baton_analyze_commit_line("[main b7b1c55] Add hello.txt\n 1 file changed", sha, &subj, &n));
	assert_string_equal(sha, "b7b1c55");
	assert_int_equal(n, strlen("Add hello.txt"));
	assert_memory_equal(subj, "Add hello.txt", n);
	assert_true(baton_analyze_commit_line("Chunk ID: x\nOutput:\n[main (root-commit) 0b9697b] Initial commit\n", sha, &subj, &n));
	assert_string_equal(sha, "0b9697b");
	assert_true(baton_analyze_commit_line("Output: [detached HEAD 1234567abc] x", sha, &subj, &n));
	assert_string_equal(sha, "1234567abc");
	assert_false(baton_analyze_commit_line("nothing to commit, working tree clean", sha, &subj, &n));
	assert_false(baton_analyze_commit_line("[main notahash] x", sha, &subj, &n));
	assert_false(baton_analyze_commit_line("[] x", sha, &subj, &n));
}

/* Whatever the context holds, the markdown stays within the bound, and valid UTF-8. */
static void render_bound(void **state)
{
	cJSON *cx = cJSON_CreateObject();
	cJSON_AddStringToObject(cx, "session_id", "01TEST");
	struct strbuf big = STRBUF_INIT;
	for (int i = 0; i < 2000; i++)
		baton_strbuf_adds(&big, "é goal ");
	cJSON_AddStringToObject(cx, "objective", big.buf);
	cJSON *files = cJSON_AddArrayToObject(cx, "files_modified");
	for (int i = 0; i < 500; i++) {
		char p[64];
		snprintf(p, sizeof p, "src/dir%03d/file€%03d.c", i, i);
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "path", p);
		cJSON_AddNumberToObject(f, "count", 1);
		cJSON_AddItemToArray(files, f);
	}
	size_t bounds[] = { 200, 201, 333, 1000, 4096, 8000 };
	for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
		struct strbuf md = STRBUF_INIT;
		bool cut = false;
		assert_int_equal(baton_handoff_render(&md, cx, "2026-11-20T14:00:00.000Z", bounds[b], &cut), 0);
		assert_true(md.len <= bounds[b]);
		assert_true(cut);
		assert_non_null(strstr(md.buf, "# Handoff"));
		/* no split UTF-8 sequence: every lead byte has its continuation bytes */
		for (size_t i = 0; i < md.len;) {
			unsigned char c = (unsigned char)md.buf[i];
			size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			assert_true(i + k <= md.len);
			for (size_t j = 1; j < k; j++)
				assert_int_equal((unsigned char)md.buf[i + j] & 0xC0, 0x80);
			i += k;
		}
		baton_strbuf_release(&md);
	}
	baton_strbuf_release(&big);
	cJSON_Delete(cx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(git_commit_detection),
		cmocka_unit_test(failure_detection),
		cmocka_unit_test(commit_line),
		cmocka_unit_test(render_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
