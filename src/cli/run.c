/* `baton run`: the wrapper that records a run around any command.
 *
 * The order matters: fork first, so the child's pid and start time are known; record
 * run_started while the child waits on a pipe; only then let it exec. A run in the
 * ledger therefore always names a process that exists or existed, and a crash of
 * baton before the record leaves no trace and runs nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baton/json.h"
#include "baton/run.h"
#include "cli/cli.h"
#include "cli/run.h"

/* The child to forward signals to: the one global of the program, read by the
 * signal handler. */
static volatile sig_atomic_t child_pid;

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* What the terminal sends (^C, ^\, hangup) goes to the whole foreground process
	 * group, so the child has it already: forward only what a process sent to baton
	 * itself (si_code <= 0: kill, sigqueue, tgkill). */
	if (child_pid > 0 && si && si->si_code <= 0 && si->si_pid != (pid_t)child_pid)
		kill((pid_t)child_pid, sig);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: baton run [--agent NAME] [--model M] [--task ID] [--session ID] [--attempt-of RUN] -- COMMAND [ARGS...]\n\n"
		   "Run COMMAND as a recorded run: agent, model, task, session, pid, start, end, status, exit code.\n"
		   "stdin, stdout, stderr and the terminal are the command's; baton's exit code is the command's\n"
		   "(128+N when it is killed by signal N).\n\n"
		   "options:\n"
		   "  --agent NAME        the agent (default: the command's name; claude, codex, gemini, opencode are known)\n"
		   "  --model M           the model (default: the command's --model/-m)\n"
		   "  --task ID           the task this run works on (runs of one task form a thread of attempts)\n"
		   "  --session ID        the baton session (default: $BATON_SESSION, else this directory's active one)\n"
		   "  --attempt-of RUN    this run retries or resumes RUN\n"
		   "\nSee baton-run(1).\n");
}

static char **argv_from_json(const cJSON *arr)
{
	int n = cJSON_GetArraySize(arr);
	char **av = calloc((size_t)n + 1, sizeof *av);
	for (int i = 0; av && i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(arr, i);
		if (!(av[i] = strdup(cJSON_IsString(it) ? it->valuestring : ""))) {
			for (int k = 0; k < i; k++)
				free(av[k]);
			free(av);
			return NULL;
		}
	}
	return av;
}

static void argv_free(char **av)
{
	for (size_t i = 0; av && av[i]; i++)
		free(av[i]);
	free(av);
}

static pid_t wait_child(pid_t pid, int *status)
{
	pid_t r;
	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

int baton_cli_run_exec(const struct baton_run_spec *spec, const char *dir)
{
	struct baton_ctx *ctx = NULL;
	cJSON *run = NULL;
	char **av = NULL, *run_id = NULL;
	struct sigaction old[NFORWARDED];
	int fds[2] = { -1, -1 }, code = 1, rc, handlers = 0;

	if (dir) {
		if (chdir(dir)) {
			fprintf(stderr, "baton: cannot enter '%s': %s\n", dir, strerror(errno));
			return 1;
		}
		setenv("PWD", dir, 1);
	}
	if ((rc = baton_cli_open(&ctx)))
		return baton_cli_exit_code(rc);
	if ((rc = baton_run_plan(ctx, &run, spec))) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
		code = baton_cli_exit_code(rc);
		goto out;
	}
	av = argv_from_json(baton_json_arr(run, "argv"));
	run_id = strdup(baton_json_str(run, "id"));
	if (!av || !run_id) {
		fprintf(stderr, "baton: out of memory\n");
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "baton: cannot make a pipe: %s\n", strerror(errno));
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, &old[i]);
	handlers = 1;

	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "baton: cannot fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* the child: the dispositions baton was given (an ignored SIGINT stays
		 * ignored), then wait for the go-ahead */
		for (size_t i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &old[i], NULL);
		close(fds[1]);
		char c = 0;
		ssize_t n;
		do
			n = read(fds[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1 || c != 'g')
			_exit(127); /* baton could not record the run: run nothing */
		setenv("BATON_RUN_ID", run_id, 1);
		if (baton_json_str(run, "session_id"))
			setenv("BATON_SESSION", baton_json_str(run, "session_id"), 1);
		execvp(av[0], av);
		int e = errno;
		fprintf(stderr, "baton: cannot run '%s': %s\n", av[0], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	child_pid = pid;
	close(fds[0]);
	fds[0] = -1;
	if ((rc = baton_run_start(ctx, run, (int)pid))) {
		fprintf(stderr, "baton: cannot record the run, so it was not started: %s\n", baton_errmsg(ctx));
		close(fds[1]);
		fds[1] = -1;
		int st;
		wait_child(pid, &st);
		child_pid = 0;
		code = baton_cli_exit_code(rc);
		goto out;
	}
	if (write(fds[1], "g", 1) != 1) {
		fprintf(stderr, "baton: cannot start the command: %s\n", strerror(errno));
		kill(pid, SIGKILL);
	}
	close(fds[1]);
	fds[1] = -1;
	/* Nothing of the store stays open while the command runs: an index rebuilt in
	 * the meantime is picked up when the run finishes. */
	baton_ctx_close(ctx);
	ctx = NULL;

	int status = 0;
	if (wait_child(pid, &status) < 0) {
		fprintf(stderr, "baton: cannot wait for the command: %s\n", strerror(errno));
		status = 1 << 8;
	}
	child_pid = 0;
	code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	if ((rc = baton_cli_open(&ctx)))
		goto out; /* baton_cli_open said why */
	if ((rc = baton_run_finish(ctx, NULL, run_id, status)))
		fprintf(stderr, "baton: the command ended but its end could not be recorded: %s\n", baton_errmsg(ctx));
out:
	if (handlers)
		for (size_t i = 0; i < NFORWARDED; i++)
			sigaction(forwarded[i], &old[i], NULL);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	baton_ctx_close(ctx);
	cJSON_Delete(run);
	argv_free(av);
	free(run_id);
	return code;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *val set, 0 when it is not this
 * flag, -1 when the value is missing. */
static int take(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

int baton_cli_run_main(int argc, char **argv)
{
	struct baton_run_spec spec = { 0 };
	static const char *const names[] = { "--agent", "--model", "--task", "--session", "--attempt-of" };
	const char **slots[] = { &spec.agent, &spec.model, &spec.task, &spec.session, &spec.attempt_of };
	int i = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		int got = 0;
		for (size_t k = 0; !got && k < sizeof names / sizeof names[0]; k++) {
			got = take(argc, argv, &i, names[k], slots[k]);
			if (got < 0) {
				fprintf(stderr, "baton: option '%s' needs a value\n", names[k]);
				return 2;
			}
		}
		if (!got) {
			fprintf(stderr, "baton: unknown option '%s' for 'run'; put the command after --\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "baton: run: no command given\n");
		usage(stderr);
		return 2;
	}
	if (!spec.session) {
		const char *env = getenv("BATON_SESSION");
		if (env && *env)
			spec.session = env;
	}
	spec.argv = argv + i;
	spec.argc = (size_t)(argc - i);
	return baton_cli_run_exec(&spec, NULL);
}
