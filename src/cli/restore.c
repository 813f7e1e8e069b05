/* `baton restore`: the session.restore operation's script, or tmux windows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baton/config.h"
#include "baton/json.h"
#include "baton/op.h"
#include "baton/strbuf.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/render.h"
#include "cli/restore.h"

/* sh -c script, with the terminal; returns the exit code (127 when sh cannot run). */
static int run_sh(const char *script)
{
	pid_t pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	int st;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int baton_cli_restore_main(int argc, char **argv)
{
	const struct baton_op *op = baton_op_find("session.restore");
	struct baton_cli_globals g = { 0 };
	struct baton_ctx *ctx = NULL;
	cJSON *args = NULL, *res = NULL;
	int rc, code = 0;
	if ((rc = baton_cli_args(op, argc, argv, &args, &g)) >= 0)
		return rc;
	if ((rc = baton_cli_open(&ctx))) {
		cJSON_Delete(args);
		return baton_cli_exit_code(rc);
	}
	if ((rc = baton_op_call(ctx, op, args, &res))) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
		code = baton_cli_exit_code(rc);
		goto out;
	}
	const char *tmux = baton_json_str(res, "tmux");
	bool dry = baton_json_bool(args, "dry_run", false);
	if (g.json) {
		char *s = baton_json_print(res);
		if (s)
			printf("%s\n", s);
		cJSON_free(s);
	}
	if (tmux && !dry) {
		fflush(stdout);
		const char *tses = baton_config_str(ctx, "runs.tmux_session", "baton-restore");
		int st = run_sh(tmux);
		if (st) {
			fprintf(stderr, "baton: tmux failed (exit %d); the commands were:\n%s", st, tmux);
			code = 1;
		} else if (!g.json) {
			printf("opened %lld tmux window%s in session '%s': tmux attach -t %s\n",
			       (long long)baton_json_int(res, "count", 0), baton_json_int(res, "count", 0) == 1 ? "" : "s", tses, tses);
		}
	} else if (!g.json) {
		baton_render(stdout, op, res);
	}
out:
	baton_ctx_close(ctx);
	cJSON_Delete(res);
	cJSON_Delete(args);
	if (fflush(stdout) == EOF && !code)
		code = 1;
	return code;
}
