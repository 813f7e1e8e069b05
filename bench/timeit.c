/* timeit N CMD...: run CMD N times (fork/exec, stdout to /dev/null) and print
 * "p50_ms p99_ms mean_ms" on one line. Used by bench/run; no dependencies. */
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: timeit N CMD...\n");
		return 2;
	}
	int n = (int)strtol(argv[1], NULL, 10);
	if (n < 1 || n > 1000000)
		return 2;
	const char *in = getenv("TIMEIT_STDIN"); /* a file fed to each run's stdin */
	double *t = calloc((size_t)n, sizeof *t), sum = 0;
	const char *before = getenv("TIMEIT_BEFORE"); /* a shell command run, untimed, before each run */
	for (int i = 0; i < n; i++) {
		if (before && *before && system(before) != 0) {
			fprintf(stderr, "timeit: TIMEIT_BEFORE failed\n");
			return 1;
		}
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
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		waitpid(p, &st, 0);
		t[i] = now_ms() - a;
		sum += t[i];
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "timeit: %s failed (status %d)\n", argv[2], st);
			return 1;
		}
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%.3f %.3f %.3f\n", t[n / 2], t[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1], sum / n);
	return 0;
}
