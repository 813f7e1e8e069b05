/* libFuzzer target for one transcript reader, chosen at build time with
 * -DREADER=baton_source_<name>: the input is fed line by line, then as one whole
 * document, with the state carried over as ingest carries it. Nothing may crash,
 * leak or read out of bounds whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_sink sink = { 0 };
	cJSON *state = cJSON_CreateObject();
	struct baton_reader r = { .src = &READER, .path = "/nonexistent/tmp/p/chats/x.jsonl", .state = state, .sink = &sink };
	char *buf = malloc(size + 1);
	if (!buf || !state) {
		free(buf);
		cJSON_Delete(state);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf, *e = buf + size; p < e;) {
		char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (n)
			r.src->line(&r, p, n);
		p += n + 1;
	}
	r.src->line(&r, buf, size);
	free(buf);
	cJSON_Delete(state);
	return 0;
}
