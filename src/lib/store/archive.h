/* The transcript archive: ~/.baton/archive/<source>/<key>.zst, one file per
 * transcript. Each ingest step appends a zstd skippable frame holding a JSON
 * description of the step (original path, device, inode, byte range read, head
 * hash) followed by one zstd frame of the redacted lines read. Decompressors skip
 * the metadata, so `zstdcat` shows the transcript; the replay reads both, and so
 * `baton index rebuild` restores every message and every file's read position even
 * after the agent deleted its transcript. */
#ifndef BATON_STORE_ARCHIVE_H
#define BATON_STORE_ARCHIVE_H

#include "baton/cjson.h"
#include <stddef.h>
#include <stdint.h>

struct baton_ctx;

/* Append one step to archive file `name` (relative to the archive directory, e.g.
 * "claude/0123abcd.zst"): meta (printed) then data[0..len) compressed. The file is
 * first cut back to expect_size bytes when it is longer (a step written before a
 * crash and never recorded in the index); *out_size is its size after the append.
 * Returns 0 or BATON_ERROR. */
int baton_archive_append(struct baton_ctx *ctx, const char *name, int64_t expect_size, const cJSON *meta,
			 const char *data, size_t len, int64_t *out_size);

/* The same append in two halves, so the caller can work while a thread compresses
 * and writes the step: start prepares it (directories, metadata; errors through ctx)
 * and hands it to a thread; finish waits for it and reports its outcome, exactly as
 * baton_archive_append would, and frees the job. data must stay unchanged (it may be
 * read meanwhile) and ctx's archive unused until finish, which must be called once
 * for every job start made. */
struct baton_archive_job;
int baton_archive_append_start(struct baton_ctx *ctx, const char *name, int64_t expect_size, const cJSON *meta,
			       const char *data, size_t len, struct baton_archive_job **out);
int baton_archive_append_finish(struct baton_ctx *ctx, struct baton_archive_job *job, int64_t *out_size);

/* Replay every archive file in name order: for each step, step(ud, name, meta, data,
 * len, size_after) with data decompressed (borrowed). A torn step at the end of a
 * file ends that file. Returns 0 or the first non-zero value step returned. */
typedef int (*baton_archive_step_fn)(void *ud, const char *name, const cJSON *meta, const char *data, size_t len,
				     int64_t size_after);
int baton_archive_replay(struct baton_ctx *ctx, baton_archive_step_fn step, void *ud);

/* Free the compression context cached on the context (ctx->zstd); NULL is fine. */
void baton_archive_ctx_free(void *z);

/* The archive directory (malloc'd). */
char *baton_archive_dir(struct baton_ctx *ctx);

#endif
