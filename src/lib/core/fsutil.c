#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/fsutil.h"
#include "baton/strbuf.h"

int baton_mkdir_p(struct baton_ctx *ctx, const char *path, mode_t mode)
{
	/* the common case, the store's directories already there: one stat, not a
	 * mkdir per path component (every command and hook opens the store) */
	if (baton_is_dir(path))
		return 0;
	char *p = strdup(path);
	int rc = 0;
	if (!p)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			rc = baton_error(ctx, BATON_ERROR, "cannot create directory '%s': %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc && !baton_is_dir(path))
		rc = baton_error(ctx, BATON_ERROR, "'%s' exists and is not a directory", path);
	return rc;
}

int baton_write_atomic(struct baton_ctx *ctx, const char *path, const void *data, size_t len,
		       mode_t mode, int durable)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd = -1, rc = BATON_ERROR;
	if (baton_strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid())) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		baton_error(ctx, BATON_ERROR, "cannot write '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			baton_error(ctx, BATON_ERROR, "cannot write '%s': %s", tmp.buf, strerror(errno));
			goto out;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, mode) || (durable && fsync(fd))) {
		baton_error(ctx, BATON_ERROR, "cannot write '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		baton_error(ctx, BATON_ERROR, "cannot write '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.buf, path)) {
		baton_error(ctx, BATON_ERROR, "cannot replace '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp.len)
		unlink(tmp.buf);
	baton_strbuf_release(&tmp);
	return rc;
}

int baton_read_file(struct baton_ctx *ctx, struct strbuf *sb, const char *path, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return baton_error(ctx, errno == ENOENT ? BATON_ENOTFOUND : BATON_ERROR, "cannot read '%s': %s",
				   path, strerror(errno));
	int rc = 0;
	char buf[65536];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = baton_error(ctx, BATON_ERROR, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (!r)
			break;
		total += (size_t)r;
		if (cap && total > cap) {
			rc = baton_error(ctx, BATON_EINVALID, "'%s' is larger than %zu bytes", path, cap);
			break;
		}
		if (baton_strbuf_add(sb, buf, (size_t)r)) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory reading '%s'", path);
			break;
		}
	}
	close(fd);
	return rc;
}

char *baton_path_join(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	size_t dl = strlen(dir);
	if (baton_strbuf_add(&sb, dir, dl) || ((dl == 0 || dir[dl - 1] != '/') && baton_strbuf_addch(&sb, '/')) ||
	    baton_strbuf_adds(&sb, name)) {
		baton_strbuf_release(&sb);
		return NULL;
	}
	return baton_strbuf_detach(&sb);
}

char *baton_path_absolute(const char *path, const char *base)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char cwd[PATH_MAX];
	if (path[0] != '/') {
		if (!base) {
			if (!getcwd(cwd, sizeof cwd))
				return NULL;
			base = cwd;
		}
		if (baton_strbuf_adds(&in, base) || baton_strbuf_addch(&in, '/'))
			goto fail;
	}
	if (baton_strbuf_adds(&in, path))
		goto fail;
	/* lexical clean-up: split on '/', drop "." and "", pop on ".." */
	const char *s = in.buf;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out.len && out.buf[out.len - 1] != '/')
				out.len--;
			if (out.len)
				out.len--;
			out.buf[out.len] = '\0';
		} else if (baton_strbuf_addch(&out, '/') || baton_strbuf_add(&out, s, n)) {
			goto fail;
		}
		s = e;
	}
	if (!out.len && baton_strbuf_addch(&out, '/'))
		goto fail;
	baton_strbuf_release(&in);
	return baton_strbuf_detach(&out);
fail:
	baton_strbuf_release(&in);
	baton_strbuf_release(&out);
	return NULL;
}

int baton_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

mode_t baton_file_mode(const char *path, mode_t def)
{
	struct stat st;
	return stat(path, &st) == 0 ? (st.st_mode & 07777) : def;
}

int baton_settings_replace(struct baton_ctx *ctx, const char *path, const char *old, size_t old_len, int existed,
			   const char *data, size_t len, mode_t new_mode, char **backup)
{
	struct strbuf bak = STRBUF_INIT;
	char *dir = strdup(path);
	mode_t mode = baton_file_mode(path, new_mode);
	int rc = 0;
	if (!dir || baton_strbuf_addf(&bak, "%s.baton-bak", path)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((rc = baton_mkdir_p(ctx, dir, 0700)))
			goto out;
	}
	if (existed) {
		if ((rc = baton_write_atomic(ctx, bak.buf, old, old_len, mode, 1)))
			goto out;
		if (backup)
			*backup = baton_strbuf_detach(&bak);
	} else {
		unlink(bak.buf);
	}
	rc = baton_write_atomic(ctx, path, data, len, mode, 1);
out:
	baton_strbuf_release(&bak);
	free(dir);
	return rc;
}
