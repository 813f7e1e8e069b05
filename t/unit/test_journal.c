/* The journal: folding entries into steps, matching --done text, the TL;DR, YAML
 * scalars, the rendered document; and, through a real store, that entries survive
 * an index rebuild unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/index.h"
#include "baton/journal.h"
#include "baton/journal_render.h"
#include "baton/json.h"
#include "baton/op.h"
#include "baton/strbuf.h"

static const char session_json[] =
	"{\"id\":\"01SESSION0000000000000000\",\"created_at\":\"2026-11-22T09:00:00.000Z\","
	"\"updated_at\":\"2026-11-22T11:00:00.000Z\",\"status\":\"active\",\"shortname\":\"login\","
	"\"objective\":\"Fix the login timeout.\",\"cwd\":\"/src/app\",\"repo_root\":\"/src/app\","
	"\"working_set\":[\"T-1\",\"42\"],\"git\":{\"branch\":\"main\",\"head_sha\":\"abcdef0123456789\",\"dirty\":true},"
	"\"recent_changes\":{\"dirs\":[\"src\"],\"files\":[\"src/login.c\"]},\"compaction_count\":2}";

/* e(id suffix, kind, text, extra JSON members or "") → one entry */
static cJSON *entry(int n, const char *kind, const char *text, const char *extra)
{
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "{\"id\":\"E%04d\",\"at\":\"2026-11-22T%02d:%02d:00.000Z\",\"session_id\":\"01SESSION0000000000000000\","
			  "\"kind\":\"%s\",\"text\":\"%s\"%s%s}", n, 9 + n / 60, n % 60, kind, text, *extra ? "," : "", extra);
	cJSON *e = cJSON_Parse(sb.buf);
	baton_strbuf_release(&sb);
	assert_non_null(e);
	return e;
}

/* A day: two planned steps, one started, one done by prefix, a decision, a blocker
 * resolved and one open. */
static cJSON *day_entries(void)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, entry(1, "next", "Write a failing test in t/login.sh", ""));
	cJSON_AddItemToArray(a, entry(2, "next", "Ship it", ""));
	cJSON_AddItemToArray(a, entry(3, "progress", "Reproduce the timeout", ""));
	cJSON_AddItemToArray(a, entry(4, "progress", "Write a failing test in t/login.sh", "\"ref\":\"E0001\""));
	cJSON_AddItemToArray(a, entry(5, "decision", "Retry after 30s", "\"rationale\":\"SLA is 25s\",\"context\":\"Reproduce\""));
	cJSON_AddItemToArray(a, entry(6, "blocker", "Staging is down", ""));
	cJSON_AddItemToArray(a, entry(7, "blocker", "Need a token", ""));
	cJSON_AddItemToArray(a, entry(8, "unblock", "Staging is down", "\"ref\":\"E0006\",\"n\":1"));
	cJSON_AddItemToArray(a, entry(9, "done", "Reproduce", "\"ref\":\"E0003\""));
	cJSON_AddItemToArray(a, entry(10, "discovery", "see https://example.com/x and/or src/auth/lock.c", ""));
	cJSON_AddItemToArray(a, entry(11, "note", "keep the old API", ""));
	cJSON_AddItemToArray(a, entry(12, "checkpoint", "lunch", "\"pre_compact\":true,\"compaction\":1"));
	cJSON_AddItemToArray(a, entry(13, "someday_kind", "ignored", ""));
	return a;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const cJSON *step_named(const cJSON *j, const char *text)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, baton_json_arr(j, "steps"))
		if (!strcmp(baton_json_str(st, "text"), text))
			return st;
	return NULL;
}

static void fold_steps(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = day_entries();
	cJSON *j = baton_journal_fold(s, es);
	assert_non_null(j);
	const cJSON *p = baton_json_obj(j, "progress");
	assert_int_equal(baton_json_int(p, "done", -1), 1);
	assert_int_equal(baton_json_int(p, "total", -1), 3);
	assert_int_equal(baton_json_int(p, "percent", -1), 33);
	assert_string_equal(baton_json_str(p, "current"), "Write a failing test in t/login.sh");
	assert_string_equal(baton_json_str(step_named(j, "Reproduce the timeout"), "state"), "completed");
	assert_string_equal(baton_json_str(step_named(j, "Ship it"), "state"), "remaining");
	const cJSON *w = step_named(j, "Write a failing test in t/login.sh");
	assert_string_equal(baton_json_str(w, "state"), "in_progress");
	assert_string_equal(baton_json_str(w, "started_at"), "2026-11-22T09:04:00.000Z");
	assert_true(baton_json_bool(w, "current", false));
	/* blockers keep their numbers; one resolved */
	const cJSON *b1 = cJSON_GetArrayItem(baton_json_arr(j, "blockers"), 0);
	const cJSON *b2 = cJSON_GetArrayItem(baton_json_arr(j, "blockers"), 1);
	assert_string_equal(baton_json_str(b1, "status"), "resolved");
	assert_string_equal(baton_json_str(b1, "resolved_at"), "2026-11-22T09:08:00.000Z");
	assert_string_equal(baton_json_str(b2, "status"), "open");
	assert_int_equal(baton_json_int(b2, "n", 0), 2);
	/* next steps: current first, then what remains */
	const cJSON *next = baton_json_arr(j, "next");
	assert_int_equal(cJSON_GetArraySize(next), 2);
	assert_string_equal(baton_json_str(cJSON_GetArrayItem(next, 0), "state"), "in_progress");
	assert_string_equal(baton_json_str(cJSON_GetArrayItem(next, 1), "text"), "Ship it");
	/* key files: paths, not URLs or "and/or" */
	const cJSON *kf = baton_json_arr(j, "key_files");
	assert_int_equal(cJSON_GetArraySize(kf), 2);
	assert_string_equal(cJSON_GetArrayItem(kf, 0)->valuestring, "t/login.sh");
	assert_string_equal(cJSON_GetArrayItem(kf, 1)->valuestring, "src/auth/lock.c");
	assert_int_equal(baton_json_int(j, "entries", 0), 13);
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void fold_done_without_ref_and_reopen(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = cJSON_CreateArray();
	cJSON_AddItemToArray(es, entry(1, "done", "Something unplanned", ""));
	cJSON_AddItemToArray(es, entry(2, "progress", "A", ""));
	cJSON_AddItemToArray(es, entry(3, "progress", "B", ""));
	cJSON_AddItemToArray(es, entry(4, "progress", "A", "\"ref\":\"E0002\"")); /* back to A */
	cJSON_AddItemToArray(es, entry(5, "done", "A", "\"ref\":\"E0002\""));
	cJSON_AddItemToArray(es, entry(6, "done", "A", "\"ref\":\"E0002\"")); /* twice: no-op */
	cJSON_AddItemToArray(es, entry(7, "next", "B", "\"ref\":\"E0003\""));  /* already open: no new step */
	cJSON *j = baton_journal_fold(s, es);
	const cJSON *p = baton_json_obj(j, "progress");
	assert_int_equal(baton_json_int(p, "total", 0), 3);
	assert_int_equal(baton_json_int(p, "done", 0), 2);
	assert_string_equal(baton_json_str(p, "current"), "B"); /* A done: B is what is left in progress */
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void match_levels(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = cJSON_CreateArray();
	cJSON_AddItemToArray(es, entry(1, "next", "Add retry to the client", ""));
	cJSON_AddItemToArray(es, entry(2, "next", "add tests", ""));
	cJSON_AddItemToArray(es, entry(3, "progress", "Add logging", ""));
	cJSON_AddItemToArray(es, entry(4, "progress", "Refactor session store", ""));
	cJSON_AddItemToArray(es, entry(5, "done", "Old work", ""));
	cJSON *j = baton_journal_fold(s, es);
	enum baton_step_match how;
	const cJSON *m = baton_journal_match_step(j, "add tests", &how);
	assert_string_equal(baton_json_str(m, "text"), "add tests");
	assert_int_equal(how, BATON_STEP_EXACT);
	m = baton_journal_match_step(j, "  ADD TESTS ", &how);
	assert_string_equal(baton_json_str(m, "text"), "add tests");
	assert_int_equal(how, BATON_STEP_NOCASE);
	/* prefix "add" names three steps: the in-progress one wins over the planned ones */
	m = baton_journal_match_step(j, "add", &how);
	assert_string_equal(baton_json_str(m, "text"), "Add logging");
	assert_int_equal(how, BATON_STEP_PREFIX);
	m = baton_journal_match_step(j, "session", &how);
	assert_string_equal(baton_json_str(m, "text"), "Refactor session store");
	assert_int_equal(how, BATON_STEP_SUBSTRING);
	m = baton_journal_match_step(j, "retry", &how);
	assert_string_equal(baton_json_str(m, "text"), "Add retry to the client");
	/* completed steps never match; unknown text matches nothing */
	assert_null(baton_journal_match_step(j, "Old work", &how));
	assert_int_equal(how, BATON_STEP_NONE);
	assert_null(baton_journal_match_step(j, "zzz", NULL));
	assert_non_null(baton_journal_find_step(j, "ADD LOGGING"));
	assert_null(baton_journal_find_step(j, "Add"));
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void match_prefers_current(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = cJSON_CreateArray();
	cJSON_AddItemToArray(es, entry(1, "progress", "fix parser", ""));
	cJSON_AddItemToArray(es, entry(2, "progress", "fix printer", ""));
	cJSON *j = baton_journal_fold(s, es);
	const cJSON *m = baton_journal_match_step(j, "fix", NULL);
	assert_string_equal(baton_json_str(m, "text"), "fix printer");
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void tldr_text(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = day_entries();
	cJSON *j = baton_journal_fold(s, es);
	assert_string_equal(baton_json_str(j, "tldr"),
			    "Fix the login timeout. 1 of 3 steps done (33%). Current step: Write a failing test in t/login.sh. "
			    "Blocked: 1 open blocker, latest #2: Need a token. Next: Ship it. Context compacted 2 times.");
	cJSON_Delete(j);
	/* empty journal, paused, no objective */
	cJSON *empty = cJSON_CreateArray();
	baton_json_set(s, "status", cJSON_CreateString("paused"));
	baton_json_set(s, "objective", cJSON_CreateNull());
	baton_json_set(s, "compaction_count", cJSON_CreateNumber(0));
	j = baton_journal_fold(s, empty);
	assert_string_equal(baton_json_str(j, "tldr"), "No objective recorded. Status: paused. No progress logged yet. No open blockers.");
	cJSON_Delete(j);
	baton_json_set(s, "status", cJSON_CreateString("abandoned"));
	baton_json_set(s, "close_reason", cJSON_CreateString("superseded by T-9"));
	j = baton_journal_fold(s, empty);
	assert_non_null(strstr(baton_json_str(j, "tldr"), "Abandoned: superseded by T-9."));
	cJSON_Delete(j);
	cJSON_Delete(empty);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void yaml(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "01J9ZX", "01J9ZX" },
		{ "2026-11-22T09:00:00.000Z", "2026-11-22T09:00:00.000Z" },
		{ "main", "main" },
		{ "feature/x", "feature/x" },
		{ "42", "\"42\"" },
		{ "1e5", "\"1e5\"" },
		{ "true", "\"true\"" },
		{ "no", "\"no\"" },
		{ "a: b", "\"a: b\"" },
		{ "-lead", "\"-lead\"" },
		{ "say \"hi\"\n", "\"say \\\"hi\\\"\\n\"" },
		{ "", "\"\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct strbuf sb = STRBUF_INIT;
		assert_int_equal(baton_yaml_scalar(&sb, cases[i].in), 0);
		assert_string_equal(sb.buf, cases[i].out);
		baton_strbuf_release(&sb);
	}
	struct strbuf sb = STRBUF_INIT;
	baton_yaml_scalar(&sb, NULL);
	assert_string_equal(sb.buf, "null");
	baton_strbuf_release(&sb);
}

static void render_document(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = day_entries();
	cJSON *j = baton_journal_fold(s, es);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	assert_int_equal(baton_journal_render(&a, s, j, BATON_JOURNAL_ALL), 0);
	assert_int_equal(baton_journal_render(&b, s, j, BATON_JOURNAL_ALL), 0);
	assert_string_equal(a.buf, b.buf); /* deterministic */
	assert_true(starts(a.buf, "---\nid: 01SESSION0000000000000000\nshortname: login\nstatus: active\n"
				  "task_ids: [T-1, \"42\"]\n"));
	static const char *const want[] = {
		"compaction_count: 2\n", "git_branch: main\n", "git_last_commit: abcdef0123456789\n---\n\n# login\n",
		"\n## TL;DR\n", "\n## Context\n", "\n## Progress\n", "\n## Decisions\n", "\n## Discoveries\n",
		"\n## Blockers\n", "\n## Next Steps\n", "\n## Files Modified\n", "\n## Resume Commands\n",
		"- [ ] Write a failing test in t/login.sh (since 2026-11-22 09:04 UTC) <- CURRENT\n",
		"- [x] Reproduce the timeout (done 2026-11-22 09:09 UTC)\n",
		"1. **Retry after 30s** (2026-11-22 09:05 UTC)\n   - **Context:** Reproduce\n",
		"   - **Rationale:** SLA is 25s\n", "1. ~~Staging is down~~ (resolved 2026-11-22 09:08 UTC)\n",
		"2. **OPEN** Need a token (since", "- `src/login.c`\n", "cd '/src/app'\nbaton resume 01SESSION",
		"- **Key context:**\n  - keep the old API (2026-11-22 09:11 UTC)\n",
		"(branch `main` at `abcdef0`, uncommitted changes)",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(a.buf, want[i]))
			fail_msg("rendering lacks '%s':\n%s", want[i], a.buf);
	/* CURRENT marks exactly one step */
	assert_null(strstr(strstr(a.buf, "<- CURRENT") + 1, "<- CURRENT"));
	/* a filtered view: just those sections, starting at the heading */
	baton_strbuf_reset(&b);
	assert_int_equal(baton_journal_render(&b, s, j, BATON_JOURNAL_BLOCKERS), 0);
	assert_true(starts(b.buf, "## Blockers\n\n1. ~~"));
	assert_null(strstr(b.buf, "## Decisions"));
	baton_strbuf_reset(&b);
	assert_int_equal(baton_journal_render_progress(&b, s, j), 0);
	assert_true(starts(b.buf, "# Progress: login\n\n1/3 steps done (33%).\n\n## Completed\n"));
	baton_strbuf_release(&a);
	baton_strbuf_release(&b);
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

static void render_multiline_text_stays_in_its_item(void **state)
{
	cJSON *s = cJSON_Parse(session_json), *es = cJSON_CreateArray();
	cJSON_AddItemToArray(es, entry(1, "discovery", "line one\\nline two", ""));
	cJSON *j = baton_journal_fold(s, es);
	struct strbuf sb = STRBUF_INIT;
	baton_journal_render(&sb, s, j, BATON_JOURNAL_DISCOVERIES);
	assert_string_equal(sb.buf, "## Discoveries\n\n- line one\n  line two (2026-11-22 09:01 UTC)\n");
	baton_strbuf_release(&sb);
	cJSON_Delete(j);
	cJSON_Delete(es);
	cJSON_Delete(s);
}

/* Through a real store: entries written by the operations replay to the same rows. */
static void store_roundtrip(void **state)
{
	char dir[] = "/tmp/baton-unit-journal.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct baton_ctx *ctx;
	struct baton_open_opts o = { .home = dir, .cwd = dir, .now_ms = 1795338000000, .seed = 7, .host = "unit" };
	assert_int_equal(baton_ctx_open(&ctx, &o), 0);
	cJSON *out = NULL, *args = cJSON_Parse("{\"objective\":\"unit\"}");
	assert_int_equal(baton_op_call(ctx, baton_op_find("session.save"), args, &out), 0);
	cJSON_Delete(args);
	cJSON_Delete(out);
	static const char *const logs[] = {
		"{\"progress\":\"one\"}", "{\"next\":\"two\"}", "{\"blocker\":\"wall\"}", "{\"unblock\":1}",
		"{\"decision\":\"d\",\"rationale\":\"r\"}",
	};
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		args = cJSON_Parse(logs[i]);
		assert_int_equal(baton_op_call(ctx, baton_op_find("journal.log"), args, &out), 0);
		cJSON_Delete(args);
		cJSON_Delete(out);
	}
	/* "on" begins "one"; once that is completed, nothing open matches it any more */
	args = cJSON_Parse("{\"done\":\"on\"}");
	assert_int_equal(baton_op_call(ctx, baton_op_find("journal.log"), args, &out), 0);
	assert_string_equal(baton_json_str(out, "match"), "prefix");
	assert_string_equal(baton_json_str(baton_json_obj(out, "step"), "text"), "one");
	cJSON_Delete(out);
	assert_int_equal(baton_op_call(ctx, baton_op_find("journal.log"), args, &out), 0);
	assert_string_equal(baton_json_str(out, "match"), "new");
	cJSON_Delete(args);
	cJSON_Delete(out);
	/* errors store nothing */
	args = cJSON_Parse("{\"decision\":\"no why\"}");
	assert_int_equal(baton_op_call(ctx, baton_op_find("journal.log"), args, &out), BATON_EINVALID);
	cJSON_Delete(args);

	cJSON *before = NULL, *after = NULL, *list = NULL;
	assert_int_equal(baton_op_call(ctx, baton_op_find("journal.view"), NULL, &list), 0);
	const char *sid = baton_json_str(list, "session_id");
	assert_int_equal(baton_journal_entries(ctx, &before, sid), 0);
	assert_int_equal(cJSON_GetArraySize(before), 7);
	assert_int_equal(baton_index_rebuild(ctx, NULL), 0);
	assert_int_equal(baton_journal_entries(ctx, &after, sid), 0);
	assert_true(cJSON_Compare(before, after, 1));
	cJSON *v = NULL;
	assert_int_equal(baton_index_verify(ctx, &v), 0);
	assert_true(baton_json_bool(v, "ok", false));
	cJSON_Delete(v);
	cJSON_Delete(before);
	cJSON_Delete(after);
	cJSON_Delete(list);
	baton_ctx_close(ctx);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_steps),
		cmocka_unit_test(fold_done_without_ref_and_reopen),
		cmocka_unit_test(match_levels),
		cmocka_unit_test(match_prefers_current),
		cmocka_unit_test(tldr_text),
		cmocka_unit_test(yaml),
		cmocka_unit_test(render_document),
		cmocka_unit_test(render_multiline_text_stays_in_its_item),
		cmocka_unit_test(store_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
