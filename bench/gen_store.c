#define _POSIX_C_SOURCE 200809L
/* gen_store DIR HOST SESSIONS EVENTS: write a synthetic event log for HOST into
 * DIR/log/HOST.jsonl: SESSIONS distinct sessions, EVENTS events in all (session_saved
 * snapshots, then repeated saves of random sessions), ids increasing like a real log.
 * Deterministic (fixed seed), so every run measures the same store. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char crock[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void ulid(char *out, uint64_t ms, uint64_t seq)
{
	for (int i = 9; i >= 0; i--, ms >>= 5)
		out[i] = crock[ms & 31];
	for (int i = 25; i >= 10; i--, seq >>= 5)
		out[i] = crock[seq & 31];
	out[26] = 0;
}

static void iso(char *out, size_t n, uint64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gen_store DIR HOST SESSIONS EVENTS\n");
		return 2;
	}
	long nsess = strtol(argv[3], NULL, 10), nev = strtol(argv[4], NULL, 10);
	char path[4096];
	snprintf(path, sizeof path, "%s/log", argv[1]);
	mkdir(argv[1], 0700);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/log/%s.jsonl", argv[1], argv[2]);
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	static const char *const words[] = { "fix", "login", "race", "refactor", "parser", "add", "tests", "cache",
					     "migrate", "schema", "docs", "release", "flaky", "ci", "deploy", "search" };
	static const char *const status[] = { "active", "paused", "completed", "abandoned" };
	uint64_t t0 = 1780000000000ULL;
	char *created = calloc((size_t)nsess, 25);
	for (long e = 0; e < nev; e++) {
		uint64_t ms = t0 + (uint64_t)e * 50;
		long s = e < nsess ? e : (long)(next() % (uint64_t)nsess);
		char eid[27], sid[27], at[32];
		ulid(eid, ms, (uint64_t)e);
		ulid(sid, t0 + (uint64_t)s * 50, (uint64_t)s);
		iso(at, sizeof at, ms);
		if (e < nsess)
			memcpy(created + s * 25, at, 25);
		char obj[200];
		snprintf(obj, sizeof obj, "%s the %s %s in repo %ld", words[next() % 16], words[next() % 16],
			 words[next() % 16], s % 200);
		fprintf(f,
			"{\"v\":1,\"id\":\"%s\",\"at\":\"%s\",\"host\":\"%s\",\"type\":\"session_saved\",\"session\":{"
			"\"id\":\"%s\",\"created_at\":\"%s\",\"updated_at\":\"%s\",\"status\":\"%s\",\"source\":\"cli\","
			"\"shortname\":\"s%ld\",\"objective\":\"%s\",\"cwd\":\"/home/dev/repo%ld\",\"repo_root\":\"/home/dev/repo%ld\","
			"\"project_id\":null,\"working_set\":[\"T-%ld\"],\"notes\":null,\"git\":{\"branch\":\"main\","
			"\"head_sha\":\"%016llx%016llx%08x\",\"dirty\":true},\"checkpoint\":null,\"recent_changes\":{\"dirs\":[\"src\"],"
			"\"files\":[\"src/a.c\",\"src/b.c\"]},\"parent_id\":null,\"compaction_count\":0,\"tldr\":null,\"handoff\":null,"
			"\"close_reason\":null}}\n",
			eid, at, argv[2], sid, created + s * 25, at, status[next() % 4], s, obj, s % 200, s % 200, e,
			(unsigned long long)next(), (unsigned long long)next(), (unsigned)next());
	}
	fclose(f);
	free(created);
	return 0;
}
