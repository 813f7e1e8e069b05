#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "baton/fsutil.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "core/ctx.h"
#include "sources/source.h"
#include "store/archive.h"

#define SKIPPABLE_MAGIC 0x184D2A5BU /* one of the 16 skippable magics: ours */
#define MAX_STEP (256 * 1024 * 1024) /* a decompressed step larger than this is not ours */

char *baton_archive_dir(struct baton_ctx *ctx)
{
	return baton_path_join(ctx->home, "archive");
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void baton_archive_ctx_free(void *z)
{
	if (z) /* every command closes its context: only one that archived touches zstd */
		ZSTD_freeCCtx(z);
}

/* One append: prepared on the caller's thread (paths, directories, metadata: what
 * may report through ctx), compressed and written on a thread of its own, which
 * touches nothing but the job and the compression context. */
struct baton_archive_job {
	pthread_t thread;
	bool threaded;
	void *zstd;
	char *path;
	char *buf;          /* skippable frame (header + meta), then the compressed step */
	size_t head, bound; /* bytes of the skippable frame; room after it */
	const char *data;
	size_t len;
	int64_t expect_size, out_size;
	int failed;
	char err[256];
};

static void job_run(struct baton_archive_job *j)
{
	int fd = -1;
	size_t z = ZSTD_compressCCtx(j->zstd, j->buf + j->head, j->bound, j->data, j->len, 3);
	if (ZSTD_isError(z)) {
		snprintf(j->err, sizeof j->err, "archive: cannot compress: %s", ZSTD_getErrorName(z));
		goto fail;
	}
	fd = open(j->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(j->err, sizeof j->err, "archive: cannot open '%s': %s", j->path, strerror(errno));
		goto fail;
	}
	/* bytes beyond what the index recorded were never committed: cut them */
	if (st.st_size > j->expect_size && ftruncate(fd, j->expect_size)) {
		snprintf(j->err, sizeof j->err, "archive: cannot truncate '%s': %s", j->path, strerror(errno));
		goto fail;
	}
	int64_t at = st.st_size < j->expect_size ? st.st_size : j->expect_size;
	size_t total = j->head + z, done = 0;
	while (done < total) {
		ssize_t w = pwrite(fd, j->buf + done, total - done, at + (int64_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(j->err, sizeof j->err, "archive: cannot write '%s': %s", j->path, strerror(errno));
			goto fail;
		}
		done += (size_t)w;
	}
	j->out_size = at + (int64_t)total;
	close(fd);
	return;
fail:
	if (fd >= 0)
		close(fd);
	j->failed = 1;
}

static void *job_thread(void *arg)
{
	job_run(arg);
	return NULL;
}

static void job_free(struct baton_archive_job *j)
{
	if (!j)
		return;
	free(j->buf);
	free(j->path);
	free(j);
}

int baton_archive_append_start(struct baton_ctx *ctx, const char *name, int64_t expect_size, const cJSON *meta,
			       const char *data, size_t len, struct baton_archive_job **out)
{
	char *dir = baton_archive_dir(ctx), *m = NULL;
	struct baton_archive_job *j = calloc(1, sizeof *j);
	int rc = 0;
	*out = NULL;
	if (!dir || !j || !(j->path = baton_path_join(dir, name))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	char *slash = strrchr(j->path, '/');
	*slash = '\0';
	rc = baton_mkdir_p(ctx, j->path, 0700);
	*slash = '/';
	if (rc)
		goto out;
	m = baton_json_print(meta);
	size_t mlen = m ? strlen(m) : 0;
	j->head = 8 + mlen;
	j->bound = ZSTD_compressBound(len);
	j->buf = malloc(j->head + j->bound);
	/* one context for every step: a fresh one per call (ZSTD_compress) allocated and
	 * cleared its tables each time, a third of the compression time in perf */
	if (!ctx->zstd)
		ctx->zstd = ZSTD_createCCtx();
	if (!m || !j->buf || !ctx->zstd) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	put32((unsigned char *)j->buf, SKIPPABLE_MAGIC);
	put32((unsigned char *)j->buf + 4, (uint32_t)mlen);
	memcpy(j->buf + 8, m, mlen);
	j->zstd = ctx->zstd;
	j->data = data;
	j->len = len;
	j->expect_size = expect_size;
	/* no thread (none to spare, or a tiny step): the work is done in finish */
	j->threaded = len >= 64 * 1024 && pthread_create(&j->thread, NULL, job_thread, j) == 0;
	*out = j;
	j = NULL;
out:
	job_free(j);
	cJSON_free(m);
	free(dir);
	return rc;
}

int baton_archive_append_finish(struct baton_ctx *ctx, struct baton_archive_job *j, int64_t *out_size)
{
	if (!j)
		return 0;
	if (j->threaded)
		pthread_join(j->thread, NULL);
	else
		job_run(j);
	int rc = j->failed ? baton_error(ctx, BATON_ERROR, "%s", j->err) : 0;
	if (!rc && out_size)
		*out_size = j->out_size;
	job_free(j);
	return rc;
}

int baton_archive_append(struct baton_ctx *ctx, const char *name, int64_t expect_size, const cJSON *meta,
			 const char *data, size_t len, int64_t *out_size)
{
	struct baton_archive_job *j;
	int rc = baton_archive_append_start(ctx, name, expect_size, meta, data, len, &j);
	return rc ? rc : baton_archive_append_finish(ctx, j, out_size);
}

static int replay_file(struct baton_ctx *ctx, const char *path, const char *name, baton_archive_step_fn step, void *ud)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int rc = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || st.st_size == 0) {
		close(fd);
		return 0;
	}
	unsigned char *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return baton_error(ctx, BATON_ERROR, "archive: cannot read '%s': %s", path, strerror(errno));
	size_t size = (size_t)st.st_size, pos = 0;
	char *out = NULL;
	size_t out_alloc = 0;
	cJSON *meta = NULL;
	while (pos + 8 <= size && !rc) {
		uint32_t magic = get32(map + pos);
		if ((magic & 0xFFFFFFF0U) == 0x184D2A50U) {
			uint32_t n = get32(map + pos + 4);
			if (pos + 8 + n > size)
				break; /* torn */
			cJSON_Delete(meta);
			meta = magic == SKIPPABLE_MAGIC ? cJSON_ParseWithLength((const char *)map + pos + 8, n) : NULL;
			pos += 8 + n;
			continue;
		}
		size_t fs = ZSTD_findFrameCompressedSize(map + pos, size - pos);
		if (ZSTD_isError(fs))
			break; /* torn or foreign: stop here */
		unsigned long long cs = ZSTD_getFrameContentSize(map + pos, fs);
		if (cs == ZSTD_CONTENTSIZE_ERROR || cs == ZSTD_CONTENTSIZE_UNKNOWN || cs > MAX_STEP)
			break;
		if (cs + 1 > out_alloc) {
			char *p = realloc(out, (size_t)cs + 1);
			if (!p) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				break;
			}
			out = p;
			out_alloc = (size_t)cs + 1;
		}
		size_t d = ZSTD_decompress(out, (size_t)cs + 1, map + pos, fs);
		if (ZSTD_isError(d))
			break;
		out[d] = '\0';
		pos += fs;
		if (meta)
			rc = step(ud, name, meta, out, d, (int64_t)pos);
		cJSON_Delete(meta);
		meta = NULL;
	}
	cJSON_Delete(meta);
	free(out);
	munmap(map, (size_t)st.st_size);
	return rc;
}

struct walk {
	struct baton_ctx *ctx;
	const char *root;
	baton_archive_step_fn step;
	void *ud;
};

static int walk_found(void *ud, const char *path)
{
	struct walk *w = ud;
	size_t n = strlen(w->root);
	const char *name = !strncmp(path, w->root, n) && path[n] == '/' ? path + n + 1 : path;
	return replay_file(w->ctx, path, name, w->step, w->ud);
}

int baton_archive_replay(struct baton_ctx *ctx, baton_archive_step_fn step, void *ud)
{
	char *dir = baton_archive_dir(ctx);
	if (!dir)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	struct walk w = { ctx, dir, step, ud };
	int rc = baton_walk(dir, 1, NULL, ".zst", walk_found, &w);
	free(dir);
	return rc;
}
