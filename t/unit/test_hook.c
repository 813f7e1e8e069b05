/* Hooks: parsing the agents' payloads, the continuation intent, and the actions on a
 * real temporary store (start creates and links, prompt sets the objective, compact
 * counts, ignored events touch nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/hook.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/session.h"
#include "baton/strbuf.h"

static void test_continue(void **state)
{
	(void)state;
	assert_true(baton_hook_is_continue("continue", NULL));
	assert_true(baton_hook_is_continue("  Continue.", NULL));
	assert_true(baton_hook_is_continue("ok, where were we?", NULL));
	assert_true(baton_hook_is_continue("Where  were\twe", NULL));
	assert_true(baton_hook_is_continue("please pick up where we left off", NULL));
	assert_true(baton_hook_is_continue("resume the refactor", NULL));
	assert_false(baton_hook_is_continue("discontinue the old API", NULL));
	assert_false(baton_hook_is_continue("resumed builds are broken", NULL));
	assert_false(baton_hook_is_continue("Fix the parser", NULL));
	assert_false(baton_hook_is_continue(NULL, NULL));
	/* far into a long prompt it is not an intent to continue */
	assert_false(baton_hook_is_continue("Write a function that parses the config file and validates every "
					    "key, then continue", NULL));
	assert_true(baton_hook_is_continue("go on", "go on, onwards"));
	assert_false(baton_hook_is_continue("continue", "go on, onwards"));
	assert_true(baton_hook_is_continue("pick up where you stopped", "pick up where…"));
}

static void test_parse(void **state)
{
	(void)state;
	struct baton_hook h;
	const char *p = "{\"session_id\":\"s1\",\"transcript_path\":\"/t.jsonl\",\"cwd\":\"/x\",\"prompt\":\"hi\"}";
	assert_int_equal(baton_hook_parse(&h, "UserPromptSubmit", "claude", p, strlen(p)), 0);
	assert_int_equal(h.action, BATON_HOOK_PROMPT);
	assert_string_equal(h.agent_session_id, "s1");
	assert_string_equal(h.prompt, "hi");
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "before-agent", "gemini", p, strlen(p)), 0);
	assert_int_equal(h.action, BATON_HOOK_PROMPT);
	baton_hook_release(&h);
	const char *pc = "{\"session_id\":\"s1\",\"trigger\":\"auto\"}";
	assert_int_equal(baton_hook_parse(&h, "PreCompress", "gemini", pc, strlen(pc)), 0);
	assert_int_equal(h.action, BATON_HOOK_IGNORE); /* fires before every model call */
	baton_hook_release(&h);
	const char *pm = "{\"session_id\":\"s1\",\"trigger\":\"manual\"}";
	assert_int_equal(baton_hook_parse(&h, "PreCompress", "gemini", pm, strlen(pm)), 0);
	assert_int_equal(h.action, BATON_HOOK_COMPACT);
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "PreCompact", "codex", pc, strlen(pc)), 0);
	assert_int_equal(h.action, BATON_HOOK_COMPACT);
	baton_hook_release(&h);
	const char *n = "{\"type\":\"agent-turn-complete\",\"thread-id\":\"t9\",\"cwd\":\"/x\"}";
	assert_int_equal(baton_hook_parse(&h, "notify", "codex", n, strlen(n)), 0);
	assert_int_equal(h.action, BATON_HOOK_STOP);
	assert_string_equal(h.agent_session_id, "t9");
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "PreToolUse", "claude", p, strlen(p)), 0);
	assert_int_equal(h.action, BATON_HOOK_IGNORE);
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "SessionStart", "claude", "[1]", 3), BATON_EINVALID);
	assert_non_null(strstr(h.err, "not a JSON object"));
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "SessionStart", "claude", "", 0), BATON_EINVALID);
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "SessionStart", "vim", p, strlen(p)), BATON_EINVALID);
	baton_hook_release(&h);
	assert_int_equal(baton_hook_parse(&h, "SessionStart", "claude", p, BATON_HOOK_STDIN_MAX + 1), BATON_EINVALID);
	baton_hook_release(&h);
}

static int run(struct baton_ctx *ctx, const char *event, const char *agent, const char *payload, char **text)
{
	struct baton_hook h;
	struct baton_hook_output out = { 0 };
	int rc = baton_hook_parse(&h, event, agent, payload, strlen(payload));
	if (!rc)
		rc = baton_hook_run(ctx, &h, NULL, &out);
	if (!rc && out.job)
		rc = baton_hook_finish(ctx, out.job); /* the detached work, in process as BATON_HOOK_SYNC=1 runs it */
	*text = out.text;
	out.text = NULL;
	baton_hook_output_release(&out);
	baton_hook_release(&h);
	return rc;
}

static void test_actions(void **state)
{
	(void)state;
	char dir[] = "/tmp/baton-test-hook.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char home[256], work[256], payload[1024];
	snprintf(home, sizeof home, "%s/store", dir);
	snprintf(work, sizeof work, "%s/work", dir);
	assert_int_equal(mkdir(work, 0700), 0);
	struct baton_open_opts o = { .home = home, .cwd = work, .now_ms = 1795000000000LL, .seed = 3, .host = "h" };
	struct baton_ctx *ctx = NULL;
	assert_int_equal(baton_ctx_open(&ctx, &o), 0);
	char *text = NULL;
	snprintf(payload, sizeof payload,
		 "{\"session_id\":\"conv-1\",\"transcript_path\":\"%s/none.jsonl\",\"cwd\":\"%s\",\"source\":\"startup\"}", dir,
		 work);
	assert_int_equal(run(ctx, "SessionStart", "claude", payload, &text), 0);
	assert_null(text); /* a new session has nothing to say yet */
	char *sid = NULL;
	assert_int_equal(baton_conversation_session(ctx, "claude", "conv-1", &sid), 0);
	snprintf(payload, sizeof payload, "{\"session_id\":\"conv-1\",\"cwd\":\"%s\",\"prompt\":\"Fix the login bug\\nmore\"}",
		 work);
	assert_int_equal(run(ctx, "UserPromptSubmit", "claude", payload, &text), 0);
	assert_null(text);
	cJSON *s = NULL;
	assert_int_equal(baton_session_get(ctx, &s, sid), 0);
	assert_string_equal(baton_json_str(s, "objective"), "Fix the login bug");
	assert_string_equal(baton_json_str(s, "shortname"), "fix-the-login-bug");
	assert_string_equal(baton_json_str(s, "source"), "claude");
	cJSON_Delete(s);
	snprintf(payload, sizeof payload, "{\"session_id\":\"conv-1\",\"cwd\":\"%s\",\"trigger\":\"auto\"}", work);
	assert_int_equal(run(ctx, "PreCompact", "claude", payload, &text), 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "TL;DR: Fix the login bug."));
	assert_non_null(strstr(text, "Context compacted 1 time"));
	free(text);
	assert_int_equal(baton_session_get(ctx, &s, sid), 0);
	assert_int_equal(baton_json_int(s, "compaction_count", 0), 1);
	cJSON_Delete(s);
	/* Gemini's answers are JSON */
	snprintf(payload, sizeof payload, "{\"session_id\":\"conv-1\",\"cwd\":\"%s\",\"prompt\":\"continue\"}", work);
	assert_int_equal(run(ctx, "UserPromptSubmit", "gemini", payload, &text), 0);
	/* another agent's conversation in the same place joins the active session */
	char *gsid = NULL;
	assert_int_equal(baton_conversation_session(ctx, "gemini", "conv-1", &gsid), 0);
	assert_string_equal(gsid, sid);
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	assert_non_null(strstr(baton_json_str(baton_json_obj(j, "hookSpecificOutput"), "additionalContext"), "Fix the login"));
	cJSON_Delete(j);
	free(text);
	free(gsid);
	free(sid);
	baton_ctx_close(ctx);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A waiting handoff goes into the context; a long one is cut to the agents' cap,
 * saying where the rest is, and the context keeps its footer. */
static void test_context_handoff(void **state)
{
	(void)state;
	char dir[] = "/tmp/baton-test-hook.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char home[256];
	snprintf(home, sizeof home, "%s/store", dir);
	struct baton_open_opts o = { .home = home, .cwd = dir, .now_ms = 1795000000000LL, .seed = 5, .host = "h" };
	struct baton_ctx *ctx = NULL;
	assert_int_equal(baton_ctx_open(&ctx, &o), 0);
	cJSON *s = cJSON_CreateObject();
	baton_json_add_str(s, "id", "01JHANDOFF0000000000000000");
	baton_json_add_str(s, "shortname", "lexer");
	baton_json_add_str(s, "status", "handoff_ready");
	baton_json_add_str(s, "objective", "port the lexer");
	cJSON *h = cJSON_AddObjectToObject(s, "handoff");
	baton_json_add_str(h, "created_at", "2026-11-22T10:00:00.000Z");
	baton_json_add_str(h, "markdown", "# Handoff: lexer\nshort and whole");
	char *text = NULL;
	assert_int_equal(baton_hook_context(ctx, &text, s, false), 0);
	assert_non_null(strstr(text, "Handoff left for the next agent (2026-11-22T10:00:00.000Z):\n# Handoff: lexer\nshort and whole\n"));
	free(text);
	/* 30 000 characters, with multibyte ones where the cut may fall */
	struct strbuf big = STRBUF_INIT;
	while (big.len < 30000)
		baton_strbuf_adds(&big, "é lexer line ");
	baton_json_set(h, "markdown", cJSON_CreateString(big.buf));
	assert_int_equal(baton_hook_context(ctx, &text, s, true), 0);
	assert_true(strlen(text) <= 10000);
	assert_non_null(strstr(text, "(the whole handoff: baton handoff --show 01JHANDOFF0000000000000000)"));
	assert_non_null(strstr(text, "Keep it current: "));
	struct strbuf chk = STRBUF_INIT;
	baton_utf8_sanitize(&chk, text, strlen(text));
	assert_string_equal(chk.buf, text); /* not cut inside a character */
	baton_strbuf_release(&chk);
	free(text);
	/* not offered once the work is active again */
	baton_json_set(s, "status", cJSON_CreateString("active"));
	assert_int_equal(baton_hook_context(ctx, &text, s, false), 0);
	assert_null(strstr(text, "Handoff left"));
	free(text);
	baton_strbuf_release(&big);
	cJSON_Delete(s);
	baton_ctx_close(ctx);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_context_handoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
