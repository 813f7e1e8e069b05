/* libFuzzer target: baton's JSON parser and printer (src/lib/core/cjson.c), which
 * reads every transcript line, hook stdin and MCP frame. Each input is parsed with a
 * length (no NUL after it) and printed both ways; when libcjson.so.1 can be
 * dlopen'ed the same must come out of it: same acceptance, same bytes.
 *   make fuzz-cjson [FUZZ_TIME=seconds] */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/cjson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
	cJSON *(*parse)(const char *, size_t, const char **, cJSON_bool);
	char *(*print)(const cJSON *);
	char *(*print_unf)(const cJSON *);
	void (*del)(cJSON *);
	void (*free_)(void *);
} lib;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	void *h = dlopen("libcjson.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "fuzz_cjson: libcjson.so.1 not loadable, no differential check\n");
		return 0;
	}
	*(void **)&lib.parse = dlsym(h, "cJSON_ParseWithLengthOpts");
	*(void **)&lib.print = dlsym(h, "cJSON_Print");
	*(void **)&lib.print_unf = dlsym(h, "cJSON_PrintUnformatted");
	*(void **)&lib.del = dlsym(h, "cJSON_Delete");
	*(void **)&lib.free_ = dlsym(h, "cJSON_free");
	if (!lib.parse || !lib.print || !lib.print_unf || !lib.del || !lib.free_)
		abort();
	return 0;
}

static void same(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the input's own allocation, exactly size bytes: reading past it is caught */
	char *s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	const char *e1 = NULL, *e2 = NULL;
	cJSON *a = cJSON_ParseWithLengthOpts(s, size, &e1, 0);
	char *pa = a ? cJSON_PrintUnformatted(a) : NULL, *fa = a ? cJSON_Print(a) : NULL;
	if (lib.parse) {
		cJSON *b = lib.parse(s, size, &e2, 0);
		if ((a == NULL) != (b == NULL) || (a && e1 != e2))
			abort();
		if (b) {
			char *pb = lib.print_unf(b), *fb = lib.print(b);
			same(pa, pb);
			same(fa, fb);
			lib.free_(pb);
			lib.free_(fb);
		}
		lib.del(b);
	}
	cJSON_free(pa);
	cJSON_free(fa);
	cJSON_Delete(a);
	free(s);
	return 0;
}
