/* timeit N CMD...: run CMD N times (fork/exec, stdout to /dev/null) and print
 * "p50_ms p99_ms mean_ms" on one line. Used by bench/run; no dependencies.
 *   TIMEIT_STDIN=FILE     each run's stdin
 *   TIMEIT_BEFORE=SHELL   a command run, untimed, before each run of CMD
 *   TIMEIT_AFTER=SHELL    a command run, untimed, after each run of CMD (waiting
 *                         for what CMD left running, say)
 *   TIMEIT_BASELINE=PROG  also run PROG (same stdin) after each BEFORE, before and
 *                         after CMD by turns, and print its "p50 p99 mean" after
 *                         CMD's: a floor measured interleaved with CMD, so that
 *                         their ratio holds on a machine whose speed drifts. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One timed run of argv; its wall time in ms, or -1 when it did not exit 0. */
static double run(char **argv, const char *in)
{
	double a = now_ms();
	pid_t p = fork();
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		if (in) {
			int ifd = open(in, O_RDONLY);
			if (ifd >= 0)
				dup2(ifd, 0);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	double t = now_ms() - a;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "timeit: %s failed (status %d)\n", argv[0], st);
		return -1;
	}
	return t;
}

static void report(double *t, int n)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%.3f %.3f %.3f", t[n / 2], t[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1], sum / n);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: timeit N CMD...\n");
		return 2;
	}
	int n = (int)strtol(argv[1], NULL, 10);
	if (n < 1 || n > 1000000)
		return 2;
	const char *in = getenv("TIMEIT_STDIN");
	const char *before = getenv("TIMEIT_BEFORE"), *after = getenv("TIMEIT_AFTER");
	char *base[] = { getenv("TIMEIT_BASELINE"), NULL };
	double *t = calloc((size_t)n, sizeof *t), *b = calloc((size_t)n, sizeof *b);
	if (!t || !b)
		return 1;
	for (int i = 0; i < n; i++) {
		if (before && *before && system(before) != 0) {
			fprintf(stderr, "timeit: TIMEIT_BEFORE failed\n");
			return 1;
		}
		/* which of the two runs first alternates: whatever BEFORE leaves running
		 * (writeback, a job finishing) weighs on both alike */
		bool base_first = i % 2 == 0;
		if (base[0] && *base[0] && base_first && (b[i] = run(base, in)) < 0)
			return 1;
		if ((t[i] = run(argv + 2, in)) < 0)
			return 1;
		if (after && *after && system(after) != 0) {
			fprintf(stderr, "timeit: TIMEIT_AFTER failed\n");
			return 1;
		}
		if (base[0] && *base[0] && !base_first && (b[i] = run(base, in)) < 0)
			return 1;
	}
	report(t, n);
	if (base[0] && *base[0]) {
		putchar(' ');
		report(b, n);
	}
	putchar('\n');
	return 0;
}
