/* The run ledger: command templates, process identity, planning (agents' session
 * ids), idempotent event appliers, dead-run detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/run.h"
#include "baton/strbuf.h"

struct fixture {
	char dir[64];
	struct baton_ctx *ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/baton-test-run.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	struct baton_open_opts o = { .home = f->dir, .cwd = f->dir, .host = "h1", .boot_id = "boot-1", .seed = 7 };
	assert_int_equal(baton_ctx_open(&f->ctx, &o), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	baton_ctx_close(f->ctx);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static char *expand(struct baton_ctx *ctx, const char *tpl, const struct baton_run_vars *v)
{
	cJSON *argv = NULL;
	if (baton_run_expand(ctx, &argv, tpl, v))
		return NULL;
	char *s = baton_json_print(argv);
	cJSON_Delete(argv);
	return s;
}

static void templates(void **state)
{
	struct fixture *f = *state;
	cJSON *orig = cJSON_Parse("[\"codex\",\"exec\",\"it's\"]");
	struct baton_run_vars v = { .session = "S-1", .model = "o3", .prompt = "two words", .argv = orig };
	char *s;
	s = expand(f->ctx, "claude --resume {session}", &v);
	assert_string_equal(s, "[\"claude\",\"--resume\",\"S-1\"]");
	free(s);
	s = expand(f->ctx, "x {model_args} {prompt}", &v);
	assert_string_equal(s, "[\"x\",\"--model\",\"o3\",\"two words\"]");
	free(s);
	s = expand(f->ctx, "{argv} --id={session}", &v);
	assert_string_equal(s, "[\"codex\",\"exec\",\"it's\",\"--id=S-1\"]");
	free(s);
	s = expand(f->ctx, "sh -c 'echo {session} x' \"a\\\"b\" '{argv}'", &v);
	assert_string_equal(s, "[\"sh\",\"-c\",\"echo S-1 x\",\"a\\\"b\",\"{argv}\"]");
	free(s);
	v.model = NULL;
	v.prompt = NULL;
	s = expand(f->ctx, "claude {model_args} {prompt} {unknown}", &v);
	assert_string_equal(s, "[\"claude\",\"{unknown}\"]"); /* empty lone placeholders vanish */
	free(s);
	s = expand(f->ctx, "x '{prompt}'", &v);
	assert_string_equal(s, "[\"x\",\"\"]"); /* a quoted one stays, empty */
	free(s);
	cJSON *argv = NULL;
	assert_int_equal(baton_run_expand(f->ctx, &argv, "claude 'unclosed", &v), BATON_EINVALID);
	assert_int_equal(baton_run_expand(f->ctx, &argv, "{prompt}", &v), BATON_EINVALID);
	assert_null(argv);
	cJSON_Delete(orig);
}

static void shell_join(void **state)
{
	cJSON *a = cJSON_Parse("[\"claude\",\"--resume\",\"0a-b_c.d/e:f=g@h%i+j,k\",\"two words\",\"it's\",\"\",\"$x\"]");
	struct strbuf sb = STRBUF_INIT;
	baton_run_shell_join(&sb, a);
	assert_string_equal(sb.buf, "claude --resume 0a-b_c.d/e:f=g@h%i+j,k 'two words' 'it'\\''s' '' '$x'");
	baton_strbuf_release(&sb);
	cJSON_Delete(a);
}

static void retry_argv(void **state)
{
	cJSON *a = cJSON_Parse("[\"claude\",\"--session-id\",\"u\",\"-p\",\"x\",\"--session-id=v\"]");
	cJSON *r = baton_run_argv_for_retry("claude", a);
	char *s = baton_json_print(r);
	assert_string_equal(s, "[\"claude\",\"-p\",\"x\"]");
	free(s);
	cJSON_Delete(r);
	r = baton_run_argv_for_retry("codex", a); /* only claude's id is baton's to replace */
	assert_int_equal(cJSON_GetArraySize(r), 6);
	cJSON_Delete(r);
	cJSON_Delete(a);
}

static void process_identity(void **state)
{
	int64_t a, b;
	assert_int_equal(baton_proc_start(&a, (int)getpid()), 0);
	assert_true(a > 0);
	assert_int_equal(baton_proc_start(&b, (int)getpid()), 0);
	assert_true(a == b);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	/* an exited child not yet reaped is a zombie: not alive */
	int tries = 0;
	while (baton_proc_start(&b, (int)pid) == 0 && tries++ < 1000)
		usleep(1000);
	assert_int_equal(baton_proc_start(&b, (int)pid), -1);
	waitpid(pid, NULL, 0);
	assert_int_equal(baton_proc_start(&b, (int)pid), -1);
	assert_int_equal(baton_proc_start(&b, 0), -1);
	assert_int_equal(baton_proc_start(&b, -5), -1);
}

static cJSON *plan(struct baton_ctx *ctx, const char *agent, int argc, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	struct baton_run_spec spec = { .agent = agent, .argv = argv, .argc = (size_t)argc };
	cJSON *run = NULL;
	assert_int_equal(baton_run_plan(ctx, &run, &spec), 0);
	return run;
}

static void planning(void **state)
{
	struct fixture *f = *state;
	cJSON *r = plan(f->ctx, NULL, 3, "/usr/local/bin/claude", "-p", "hi");
	const cJSON *argv = baton_json_arr(r, "argv");
	assert_string_equal(baton_json_str(r, "agent"), "claude");
	assert_int_equal(cJSON_GetArraySize(argv), 5);
	assert_string_equal(cJSON_GetArrayItem(argv, 1)->valuestring, "--session-id");
	assert_string_equal(cJSON_GetArrayItem(argv, 2)->valuestring, baton_json_str(r, "agent_session_id"));
	assert_int_equal(strlen(baton_json_str(r, "agent_session_id")), 36);
	assert_string_equal(baton_json_str(r, "status"), "planned");
	assert_string_equal(baton_json_str(r, "boot_id"), "boot-1");
	assert_int_equal(baton_json_int(r, "attempt", 0), 1);
	cJSON_Delete(r);

	static const struct {
		const char *args[6];
		const char *asid, *model;
	} cases[] = {
		{ { "claude", "--resume", "abc", NULL }, "abc", NULL },
		{ { "claude", "-c", NULL }, NULL, NULL },
		{ { "claude", "--session-id=u-1", "--model", "opus", NULL }, "u-1", "opus" },
		{ { "claude", "-r", "abc", "--fork-session", NULL }, NULL, NULL },
		{ { "codex", "resume", "T-1", NULL }, "T-1", NULL },
		{ { "codex", "resume", "--last", NULL }, NULL, NULL },
		{ { "codex", "exec", "resume", "T-2", NULL }, "T-2", NULL },
		{ { "codex", "-m", "o3", "exec", NULL }, NULL, "o3" },
		{ { "gemini", "--resume", "latest", NULL }, NULL, NULL },
		{ { "gemini", "-r", "5", NULL }, NULL, NULL },
		{ { "gemini", "--resume", "g-1", NULL }, "g-1", NULL },
		{ { "opencode", "--session", "ses_1", NULL }, "ses_1", NULL },
		{ { "aider", "--resume", "x", NULL }, NULL, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *av[6];
		size_t n = 0;
		while (cases[i].args[n]) {
			av[n] = (char *)cases[i].args[n];
			n++;
		}
		struct baton_run_spec spec = { .argv = av, .argc = n };
		assert_int_equal(baton_run_plan(f->ctx, &r, &spec), 0);
		const char *got = baton_json_str(r, "agent_session_id");
		if (cases[i].asid)
			assert_string_equal(got, cases[i].asid);
		else
			assert_null(got);
		if (cases[i].model)
			assert_string_equal(baton_json_str(r, "model"), cases[i].model);
		assert_int_equal(cJSON_GetArraySize(baton_json_arr(r, "argv")), (int)n); /* nothing added */
		cJSON_Delete(r);
	}

	r = plan(f->ctx, "claude", 2, "my-wrapper", "--x"); /* --agent names it: claude rules apply */
	assert_int_equal(cJSON_GetArraySize(baton_json_arr(r, "argv")), 4);
	cJSON_Delete(r);

	struct baton_run_spec bad = { .argv = NULL, .argc = 0 };
	assert_int_equal(baton_run_plan(f->ctx, &r, &bad), BATON_EINVALID);
	char *av[] = { "x" };
	struct baton_run_spec nosession = { .session = "nope", .argv = av, .argc = 1 };
	assert_int_equal(baton_run_plan(f->ctx, &r, &nosession), BATON_ENOTFOUND);
	struct baton_run_spec noattempt = { .attempt_of = "01ZZZZZZZZZZ", .argv = av, .argc = 1 };
	assert_int_equal(baton_run_plan(f->ctx, &r, &noattempt), BATON_ENOTFOUND);
}

/* Append a run_started event by hand: any pids, boot and host. */
static void started(struct baton_ctx *ctx, const char *id, const char *host, const char *boot, int64_t pid,
		    int64_t start, int64_t wpid, int64_t wstart)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"run\":{\"id\":\"%s\",\"session_id\":null,\"task\":null,\"agent\":\"agent\",\"model\":null,"
		 "\"agent_session_id\":null,\"cwd\":\"/\",\"argv\":[\"agent\"],\"pid\":%lld,\"host\":\"%s\","
		 "\"boot_id\":\"%s\",\"started_at\":\"2026-11-22T10:00:00.000Z\",\"completed_at\":null,"
		 "\"status\":\"running\",\"exit_code\":null,\"signal\":null,\"attempt\":1,\"attempt_of\":null},"
		 "\"thread_id\":\"%s\",\"proc_start\":%lld,\"wrapper_pid\":%lld,\"wrapper_start\":%lld}",
		 id, (long long)pid, host, boot, id, (long long)start, (long long)wpid, (long long)wstart);
	assert_int_equal(baton_log_append(ctx, "run_started", cJSON_Parse(buf), NULL), 0);
}

static const char *status_of(struct baton_ctx *ctx, const char *id, char *buf, size_t len)
{
	cJSON *r = NULL;
	assert_int_equal(baton_run_find(ctx, &r, id), 0);
	snprintf(buf, len, "%s", baton_json_str(r, "status"));
	cJSON_Delete(r);
	return buf;
}

static void dead_runs(void **state)
{
	struct fixture *f = *state;
	char buf[32];
	int64_t self_start;
	assert_int_equal(baton_proc_start(&self_start, (int)getpid()), 0);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);

	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA1", "h1", "boot-1", getpid(), self_start, dead, 1);   /* agent alive */
	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA2", "h1", "boot-1", dead, 1, getpid(), self_start);   /* wrapper alive */
	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA3", "h1", "boot-1", dead, 1, dead, 1);                /* both gone */
	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA4", "h1", "boot-1", getpid(), self_start + 1, dead, 1); /* pid reused */
	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA5", "h1", "boot-0", getpid(), self_start, getpid(), self_start); /* rebooted */
	started(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA6", "h2", "boot-0", dead, 1, dead, 1); /* another machine's */
	int n = -1;
	assert_int_equal(baton_run_reap(f->ctx, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA1", buf, sizeof buf), "running");
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA2", buf, sizeof buf), "running");
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA3", buf, sizeof buf), "interrupted");
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA4", buf, sizeof buf), "interrupted");
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA5", buf, sizeof buf), "interrupted");
	assert_string_equal(status_of(f->ctx, "01JAAAAAAAAAAAAAAAAAAAAAA6", buf, sizeof buf), "running");
	assert_int_equal(baton_run_reap(f->ctx, &n), 0);
	assert_int_equal(n, 0); /* nothing twice */

	/* the wrapper's finish, arriving after a reader's guess, wins */
	assert_int_equal(baton_run_finish(f->ctx, NULL, "01JAAAAAAAAAAAAAAAAAAAAAA3", 2 << 8), 0);
	cJSON *r = NULL;
	assert_int_equal(baton_run_get(f->ctx, &r, "01jaaaaaaaaaaaaaaaaaaaaaa3"), 0); /* case-insensitive */
	assert_string_equal(baton_json_str(r, "status"), "failed");
	assert_int_equal(baton_json_int(r, "exit_code", -1), 2);
	cJSON_Delete(r);
	assert_int_equal(baton_run_get(f->ctx, &r, "01JAAAA"), BATON_EINVALID); /* ambiguous */
	assert_int_equal(baton_run_get(f->ctx, &r, "01JB"), BATON_ENOTFOUND);
}

static void apply(struct baton_ctx *ctx, const char *json)
{
	cJSON *ev = cJSON_Parse(json);
	assert_non_null(ev);
	assert_int_equal(baton_index_begin(ctx), 0);
	assert_int_equal(baton_index_apply(ctx, ev), 0);
	assert_int_equal(baton_index_apply(ctx, ev), 0); /* a replay applies it twice */
	assert_int_equal(baton_index_commit(ctx), 0);
	cJSON_Delete(ev);
}

static void appliers(void **state)
{
	struct fixture *f = *state;
	char buf[32];
	started(f->ctx, "01JBBBBBBBBBBBBBBBBBBBBBB1", "h9", "boot-9", 1, 1, 1, 1);
	const char *id = "01JBBBBBBBBBBBBBBBBBBBBBB1";
	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000005\",\"type\":\"run_finished\",\"run_id\":\"01JBBBBBBBBBBBBBBBBBBBBBB1\","
		      "\"status\":\"failed\",\"exit_code\":4,\"signal\":null,\"completed_at\":\"2026-11-22T11:00:00.000Z\"}");
	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000006\",\"type\":\"run_interrupted\",\"run_id\":\"01JBBBBBBBBBBBBBBBBBBBBBB1\","
		      "\"reason\":\"reboot\"}");
	assert_string_equal(status_of(f->ctx, id, buf, sizeof buf), "failed"); /* a guess does not undo a finish */
	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000004\",\"type\":\"run_finished\",\"run_id\":\"01JBBBBBBBBBBBBBBBBBBBBBB1\","
		      "\"status\":\"completed\",\"exit_code\":0,\"signal\":null,\"completed_at\":\"2026-11-22T10:30:00.000Z\"}");
	assert_string_equal(status_of(f->ctx, id, buf, sizeof buf), "failed"); /* an older finish loses */

	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000008\",\"type\":\"run_agent_session\",\"run_id\":\"01JBBBBBBBBBBBBBBBBBBBBBB1\","
		      "\"agent_session_id\":\"new\"}");
	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000007\",\"type\":\"run_agent_session\",\"run_id\":\"01JBBBBBBBBBBBBBBBBBBBBBB1\","
		      "\"agent_session_id\":\"old\"}");
	cJSON *r = NULL;
	assert_int_equal(baton_run_find(f->ctx, &r, id), 0);
	assert_string_equal(baton_json_str(r, "agent_session_id"), "new");
	cJSON_Delete(r);

	/* the same run_started twice is one run */
	started(f->ctx, "01JBBBBBBBBBBBBBBBBBBBBBB2", "h9", "boot-9", 1, 1, 1, 1);
	apply(f->ctx, "{\"id\":\"01JZ0000000000000000000009\",\"type\":\"run_started\",\"thread_id\":\"x\",\"run\":{"
		      "\"id\":\"01JBBBBBBBBBBBBBBBBBBBBBB2\",\"argv\":[],\"started_at\":\"2026-11-22T12:00:00.000Z\"}}");
	assert_int_equal(baton_run_find(f->ctx, &r, "01JBBBBBBBBBBBBBBBBBBBBBB2"), 0);
	assert_string_equal(baton_json_str(r, "thread_id"), "01JBBBBBBBBBBBBBBBBBBBBBB2");
	cJSON_Delete(r);
	/* malformed events are skipped, not errors */
	apply(f->ctx, "{\"id\":\"01JZ000000000000000000000A\",\"type\":\"run_started\",\"run\":{}}");
	apply(f->ctx, "{\"id\":\"01JZ000000000000000000000B\",\"type\":\"run_finished\"}");

	assert_int_equal(baton_run_set_agent_session(f->ctx, "01JBBBBBBBBBBBBBBBBBBBBBB9", "x"), BATON_ENOTFOUND);
	assert_int_equal(baton_run_set_agent_session(f->ctx, id, ""), BATON_EINVALID);
	assert_int_equal(baton_run_set_agent_session(f->ctx, id, "later"), 0);
	assert_int_equal(baton_run_find(f->ctx, &r, id), 0);
	assert_string_equal(baton_json_str(r, "agent_session_id"), "later");
	cJSON_Delete(r);
}

static void agents_and_templates(void **state)
{
	struct fixture *f = *state;
	assert_true(baton_run_agent_known("claude"));
	assert_true(baton_run_agent_known("opencode"));
	assert_false(baton_run_agent_known("aider"));
	assert_false(baton_run_agent_known(NULL));
	assert_string_equal(baton_run_template(f->ctx, "codex", "resume_exec"), "codex exec resume {session}");
	assert_string_equal(baton_run_template(f->ctx, "opencode", "resume"), "opencode --session {session}");
	assert_string_equal(baton_run_template(f->ctx, "aider", "retry"), "{argv}");
	assert_null(baton_run_template(f->ctx, "aider", "resume"));
	assert_string_equal(baton_boot_id(f->ctx), "boot-1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(templates, setup, teardown),
		cmocka_unit_test(shell_join),
		cmocka_unit_test(retry_argv),
		cmocka_unit_test(process_identity),
		cmocka_unit_test_setup_teardown(planning, setup, teardown),
		cmocka_unit_test_setup_teardown(dead_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(appliers, setup, teardown),
		cmocka_unit_test_setup_teardown(agents_and_templates, setup, teardown),
	};
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
