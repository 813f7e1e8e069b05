/* The ingest sink, shared by ingest, the archive replay and the debug dump. */
#ifndef BATON_OPS_INGEST_INTERNAL_H
#define BATON_OPS_INGEST_INTERNAL_H

#include "baton/cjson.h"
#include <stdbool.h>

#include "sources/source.h"

struct baton_ingest_sink {
	struct baton_sink sink;
	struct baton_ctx *ctx;
	const char *source;
	const char *tkey;       /* the transcript's archive name */
	int64_t messages;       /* rows added or changed */
	cJSON *collect;         /* dump mode: messages go here instead of the index */
	cJSON *collect_usage;
};

/* A sink writing to the index for transcript tkey of source. */
void baton_ingest_sink_init(struct baton_ingest_sink *s, struct baton_ctx *ctx, const char *source, const char *tkey);

/* Feed buf[0..len) to the reader, line by line, or as one document when whole. */
int baton_ingest_parse(struct baton_reader *r, const char *buf, size_t len, bool whole);

#endif
