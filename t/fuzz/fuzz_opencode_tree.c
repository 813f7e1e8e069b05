/* libFuzzer target: opencode's pre-1.2 JSON storage tree (sources/opencode.c).
 * The input is cut at 0x01 bytes into a session file, a message file, a part file and
 * an orphan part file, written into a throw-away storage/ tree; the tree is exported
 * (from scratch, then again from the watermark it reached, as a second ingest does)
 * and every exported line goes through the reader. The line parser alone is fuzzed by
 * `make fuzz-readers` (fuzz_opencode).
 *   make fuzz-opencode_tree [FUZZ_TIME=seconds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/baton.h"
#include "sources/source.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], storage[128];
static struct baton_ctx *ctx;

static void remove_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "fuzz_opencode_tree: could not remove %s\n", root);
}

static void mkdirs(const char *rel)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", storage, rel);
	for (char *s = p + strlen(storage) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
}

static void put(const char *rel, const uint8_t *data, size_t len, bool present)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", storage, rel);
	unlink(p);
	if (!present)
		return;
	FILE *f = fopen(p, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof root, "/tmp/baton-fuzz-oct.XXXXXX");
	if (!mkdtemp(root))
		abort();
	atexit(remove_root);
	snprintf(storage, sizeof storage, "%s/storage", root);
	mkdir(storage, 0700);
	mkdirs("session/global");
	mkdirs("message/ses_f");
	mkdirs("part/msg_f");
	mkdirs("part/msg_orphan");
	char home[128];
	snprintf(home, sizeof home, "%s/.baton", root);
	struct baton_open_opts o = { .home = home, .now_ms = 1767600000000, .seed = 1, .host = "fuzz" };
	if (baton_ctx_open(&ctx, &o))
		abort();
	return 0;
}

static int64_t mark;

static int chunk(void *ud, const char *lines, size_t len, int64_t next)
{
	struct baton_reader *r = ud;
	mark = next;
	for (const char *p = lines, *e = lines + len; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (n)
			r->src->line(r, p, n);
		p += n + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "session/global/ses_f.json", "message/ses_f/msg_f.json",
					     "part/msg_f/prt_f.json", "part/msg_orphan/prt_o.json" };
	const uint8_t *p = data, *e = data + size;
	for (int i = 0; i < 4; i++) {
		const uint8_t *cut = p < e ? memchr(p, 0x01, (size_t)(e - p)) : NULL;
		size_t n = cut ? (size_t)(cut - p) : (size_t)(e - p);
		put(files[i], p, n, p < e || i == 0);
		p = cut ? cut + 1 : e;
	}
	struct baton_sink sink = { 0 };
	cJSON *state = cJSON_CreateObject();
	struct baton_reader r = { .src = &baton_source_opencode, .path = storage, .state = state, .sink = &sink };
	int64_t bad = 0;
	mark = 0;
	baton_source_opencode.export(ctx, storage, 0, state, &bad, chunk, &r);
	/* again from the watermark reached: the files at it are told apart by hash */
	baton_source_opencode.export(ctx, storage, mark, state, &bad, chunk, &r);
	cJSON_Delete(state);
	return 0;
}
