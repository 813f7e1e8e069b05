/* Files and paths: directories created 0700, files written 0600 and atomically. */
#ifndef BATON_FSUTIL_H
#define BATON_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

struct baton_ctx;
struct strbuf;

/* mkdir -p with mode for every directory created. Returns 0 or BATON_ERROR. */
int baton_mkdir_p(struct baton_ctx *ctx, const char *path, mode_t mode);

/* Write data to path through a temporary file in the same directory and rename(2),
 * fsync'd when `durable`. The file gets `mode`. Returns 0 or BATON_ERROR. */
int baton_write_atomic(struct baton_ctx *ctx, const char *path, const void *data, size_t len,
		       mode_t mode, int durable);

/* The mode of the file at path, or def when it does not exist. */
mode_t baton_file_mode(const char *path, mode_t def);

/* Replace an agent's settings file at path (hooks, MCP) atomically and durably,
 * keeping its previous bytes old[0..old_len) in PATH.baton-bak when it existed, and
 * removing a stale backup when it did not (a backup claims the file existed before).
 * The file keeps its mode (a new one gets new_mode); a missing directory is made
 * 0700. *backup (optional): the backup's path when one was written (caller's). */
int baton_settings_replace(struct baton_ctx *ctx, const char *path, const char *old, size_t old_len, int existed,
			   const char *data, size_t len, mode_t new_mode, char **backup);

/* Read a whole file into sb (appending), failing with BATON_EINVALID when it is larger
 * than cap bytes (0: no cap). A missing file is BATON_ENOTFOUND. */
int baton_read_file(struct baton_ctx *ctx, struct strbuf *sb, const char *path, size_t cap);

/* Join dir and name into a malloc'd path ("dir/name"). NULL when out of memory. */
char *baton_path_join(const char *dir, const char *name);

/* Make path absolute against base (or the process cwd when base is NULL) and resolve
 * "." and ".." lexically. Malloc'd; NULL when out of memory. */
char *baton_path_absolute(const char *path, const char *base);

/* 1 when path is a directory, 0 otherwise. */
int baton_is_dir(const char *path);

#endif
