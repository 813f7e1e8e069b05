/* `baton fix`: resume, retry, hand over or re-plan failed and interrupted work.
 * The decisions are the run.fix operation's (MCP has the same); this file adds the
 * terminal dialogue and runs the command the operation returns. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/json.h"
#include "baton/op.h"
#include "baton/run.h"
#include "baton/strbuf.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/fix.h"
#include "cli/render.h"
#include "cli/run.h"

/* Run the command of a run.fix result as a new attempt, in the run's directory. */
static int execute(const cJSON *res)
{
	const cJSON *cmd = baton_json_arr(res, "command");
	int n = cJSON_GetArraySize(cmd);
	char **av = calloc((size_t)n + 1, sizeof *av);
	if (!av) {
		fprintf(stderr, "baton: out of memory\n");
		return 1;
	}
	for (int i = 0; i < n; i++)
		av[i] = cJSON_GetArrayItem(cmd, i)->valuestring;
	/* session and task come with --attempt-of (even when the session is deleted since) */
	struct baton_run_spec spec = {
		.agent = baton_json_str(res, "agent"),
		.model = baton_json_str(res, "model"),
		.attempt_of = baton_json_str(res, "attempt_of"),
		.argv = av,
		.argc = (size_t)n,
	};
	fprintf(stderr, "baton: %s\n", baton_json_str(res, "shell"));
	int code = baton_cli_run_exec(&spec, baton_json_str(res, "cwd"));
	free(av);
	return code;
}

/* Print prompt, read one line from the terminal into buf (trimmed). -1 at end of input. */
static int ask(char *buf, size_t len, const char *prompt)
{
	fputs(prompt, stdout);
	fflush(stdout);
	if (!fgets(buf, (int)len, stdin)) {
		fputc('\n', stdout);
		return -1;
	}
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	size_t s = strspn(buf, " \t");
	memmove(buf, buf + s, n - s + 1);
	return 0;
}

static bool yes(const char *s)
{
	return !strcmp(s, "y") || !strcmp(s, "Y") || !strcmp(s, "yes");
}

static int interactive(const struct baton_op *op, cJSON *args)
{
	struct baton_ctx *ctx = NULL;
	cJSON *res = NULL, *res2 = NULL, *args2 = NULL;
	char line[512];
	int code = 0, rc;
	if ((rc = baton_cli_open(&ctx)))
		return baton_cli_exit_code(rc);
	if ((rc = baton_op_call(ctx, op, args, &res))) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
		code = baton_cli_exit_code(rc);
		goto out;
	}
	const cJSON *cands = baton_json_arr(res, "candidates");
	int n = cJSON_GetArraySize(cands);
	if (!n) {
		printf("nothing to fix: no failed or interrupted runs\n");
		goto out;
	}
	printf("Work that needs fixing:\n");
	for (int i = 0; i < n; i++) {
		printf("%3d) ", i + 1);
		baton_render_thread_line(stdout, cJSON_GetArrayItem(cands, i));
	}
	int pick = 0;
	while (!pick) {
		char prompt[64];
		snprintf(prompt, sizeof prompt, "Choose one [1-%d%s], q to quit: ", n, n == 1 ? ", Enter for 1" : "");
		if (ask(line, sizeof line, prompt) || !strcmp(line, "q"))
			goto out;
		char *end;
		long v = strtol(line, &end, 10);
		if (!line[0] && n == 1)
			pick = 1;
		else if (line[0] && !*end && v >= 1 && v <= n)
			pick = (int)v;
		else
			printf("Type a number from 1 to %d.\n", n);
	}
	const cJSON *t = cJSON_GetArrayItem(cands, pick - 1);
	args2 = cJSON_CreateObject();
	baton_json_add_str(args2, "run", baton_json_str(t, "run_id"));
	char action = 0;
	while (!action) {
		if (ask(line, sizeof line, "[r]esume  re[t]ry  [c]hange agent  [n]ew stage  [q]uit: ") || !strcmp(line, "q"))
			goto out;
		if (strlen(line) == 1 && strchr("rtcn", line[0]))
			action = line[0];
		else
			printf("Type r, t, c, n or q.\n");
	}
	if (action == 'r') {
		baton_json_add_bool(args2, "resume", true);
	} else if (action == 't') {
		baton_json_add_bool(args2, "retry", true);
	} else if (action == 'c') {
		do
			if (ask(line, sizeof line, "Agent (claude, codex, gemini, opencode): "))
				goto out;
		while (!line[0]);
		baton_json_add_str(args2, "agent", line);
		if (ask(line, sizeof line, "Model (Enter for the agent's default): "))
			goto out;
		if (line[0])
			baton_json_add_str(args2, "model", line);
	} else {
		baton_json_add_bool(args2, "new_stage", true);
		if (ask(line, sizeof line, "What is the next stage for? (Enter to leave it open): "))
			goto out;
		if (line[0])
			baton_json_add_str(args2, "note", line);
		if (ask(line, sizeof line, "Record this new stage? [y/N] ") || !yes(line)) {
			printf("nothing done\n");
			goto out;
		}
	}
	if ((rc = baton_op_call(ctx, op, args2, &res2))) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
		code = baton_cli_exit_code(rc);
		goto out;
	}
	if (action == 'n') {
		baton_render(stdout, op, res2);
		goto out;
	}
	printf("Will run:\n  %s\n", baton_json_str(res2, "shell"));
	if (!baton_json_bool(res2, "exact", true))
		printf("(the agent's own session id was never learnt: this resumes its latest session there)\n");
	if (ask(line, sizeof line, "Run it? [y/N] ") || !yes(line)) {
		printf("nothing done\n");
		goto out;
	}
	fflush(stdout);
	baton_ctx_close(ctx);
	ctx = NULL;
	code = execute(res2);
out:
	baton_ctx_close(ctx);
	cJSON_Delete(res);
	cJSON_Delete(res2);
	cJSON_Delete(args2);
	cJSON_Delete(args);
	return code;
}

int baton_cli_fix_main(int argc, char **argv)
{
	const struct baton_op *op = baton_op_find("run.fix");
	struct baton_cli_globals g = { 0 };
	struct baton_ctx *ctx = NULL;
	cJSON *args = NULL, *res = NULL;
	int rc, code = 0;
	if ((rc = baton_cli_args(op, argc, argv, &args, &g)) >= 0)
		return rc;
	bool act = baton_json_bool(args, "resume", false) || baton_json_bool(args, "retry", false) ||
		   baton_json_bool(args, "new_stage", false) || baton_json_str(args, "agent");
	if (!act && !g.json && isatty(0) && isatty(1))
		return interactive(op, args);
	if ((rc = baton_cli_open(&ctx))) {
		cJSON_Delete(args);
		return baton_cli_exit_code(rc);
	}
	if ((rc = baton_op_call(ctx, op, args, &res))) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
		code = baton_cli_exit_code(rc);
		goto out;
	}
	if (g.json) {
		char *s = baton_json_print(res);
		if (s)
			printf("%s\n", s);
		cJSON_free(s);
		goto out;
	}
	if (baton_json_arr(res, "command") && !baton_json_bool(args, "dry_run", false)) {
		baton_ctx_close(ctx);
		ctx = NULL;
		code = execute(res);
		goto out;
	}
	baton_render(stdout, op, res);
out:
	baton_ctx_close(ctx);
	cJSON_Delete(res);
	cJSON_Delete(args);
	if (fflush(stdout) == EOF && !code)
		code = 1;
	return code;
}
