#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/fsutil.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"

int baton_error(struct baton_ctx *ctx, int code, const char *fmt, ...)
{
	if (ctx) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *baton_errmsg(const struct baton_ctx *ctx)
{
	return ctx ? ctx->err : "out of memory";
}

const char *baton_home(const struct baton_ctx *ctx)
{
	return ctx->home;
}

const char *baton_host(const struct baton_ctx *ctx)
{
	return ctx->host;
}

const char *baton_cwd(const struct baton_ctx *ctx)
{
	return ctx->cwd;
}

/* The stable host id: read from home/host, created on first use from the hostname
 * and random bits ("laptop-3f9a2c"), so two machines with one name stay apart. */
static int load_host(struct baton_ctx *ctx, const char *override)
{
	char *path = baton_path_join(ctx->home, "host");
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;
	if (!path)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (override && *override) {
		rc = baton_strbuf_adds(&sb, override) ? BATON_ENOMEM : 0;
	} else if ((rc = baton_read_file(ctx, &sb, path, 4096)) == BATON_ENOTFOUND) {
		rc = 0;
		char hn[256] = "host";
		gethostname(hn, sizeof hn - 1);
		hn[sizeof hn - 1] = '\0';
		baton_strbuf_reset(&sb);
		for (char *p = hn; *p && sb.len < 40; p++) {
			char c = (char)tolower((unsigned char)*p);
			if (isalnum((unsigned char)c) || c == '-')
				baton_strbuf_addch(&sb, c);
			else if (c == '.')
				break;
		}
		if (!sb.len)
			baton_strbuf_adds(&sb, "host");
		baton_strbuf_addf(&sb, "-%06llx", (unsigned long long)(baton_random(ctx) & 0xffffff));
		if (!ctx->read_only) {
			/* Several processes may start on a new store at once: the first link(2)
			 * wins and everyone reads the winner's id. */
			struct strbuf tmp = STRBUF_INIT;
			baton_strbuf_addch(&sb, '\n');
			baton_strbuf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid());
			rc = baton_write_atomic(ctx, tmp.buf, sb.buf, sb.len, 0600, 1);
			if (!rc && link(tmp.buf, path) && errno != EEXIST)
				rc = baton_error(ctx, BATON_ERROR, "cannot create '%s': %s", path, strerror(errno));
			unlink(tmp.buf);
			baton_strbuf_release(&tmp);
			baton_strbuf_reset(&sb);
			if (!rc)
				rc = baton_read_file(ctx, &sb, path, 4096);
		}
	}
	while (sb.len && isspace((unsigned char)sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = '\0';
	if (!rc) {
		for (size_t i = 0; i < sb.len; i++)
			if (!isalnum((unsigned char)sb.buf[i]) && sb.buf[i] != '-' && sb.buf[i] != '_')
				rc = baton_error(ctx, BATON_ECORRUPT, "host id in '%s' is not [A-Za-z0-9_-]: fix or delete the file", path);
		if (!sb.len)
			rc = baton_error(ctx, BATON_ECORRUPT, "host id in '%s' is empty: delete the file", path);
	}
	if (!rc)
		ctx->host = baton_strbuf_detach(&sb);
	baton_strbuf_release(&sb);
	free(path);
	return rc;
}

/* The search for a repository's config: each directory from cwd upwards, until one
 * holds a .baton.toml or a .git (that one included) or the root. visit gets both
 * paths and their stat results (NULL: absent); a non-zero return stops the walk. */
typedef int (*repo_visit_fn)(void *ud, const char *cfg, const struct stat *cfg_st, const char *git,
			     const struct stat *git_st);

static int walk_repo_config(const char *cwd, repo_visit_fn visit, void *ud)
{
	char *dir = strdup(cwd);
	int rc = dir ? 0 : BATON_ENOMEM;
	while (!rc) {
		char *cfg = baton_path_join(dir, ".baton.toml");
		char *git = baton_path_join(dir, ".git");
		struct stat cst, gst;
		bool found = cfg && stat(cfg, &cst) == 0, root = git && stat(git, &gst) == 0;
		rc = cfg && git ? visit(ud, cfg, found ? &cst : NULL, git, root ? &gst : NULL) : BATON_ENOMEM;
		free(cfg);
		free(git);
		char *slash = strrchr(dir, '/');
		if (found || root || !slash || slash == dir)
			break;
		*slash = '\0';
	}
	free(dir);
	return rc;
}

static int load_found_config(void *ud, const char *cfg, const struct stat *cfg_st, const char *git,
			     const struct stat *git_st)
{
	struct baton_ctx *ctx = ud;
	return cfg_st ? baton_config_load_file(ctx, &ctx->config, cfg) : 0;
}

/* The nearest .baton.toml from cwd upwards, stopping at a repository root. */
static int load_repo_config(struct baton_ctx *ctx)
{
	int rc = walk_repo_config(ctx->cwd, load_found_config, ctx);
	return rc == BATON_ENOMEM ? baton_error(ctx, BATON_ENOMEM, "out of memory") : rc;
}

/* One line of baton_ctx_stamp: the file's identity and version, or its absence */
static int stamp_line(struct strbuf *out, const char *path, const struct stat *st)
{
	int r = st ? baton_strbuf_addf(out, "%s %llu %llu %lld %lld.%09ld\n", path, (unsigned long long)st->st_dev,
				       (unsigned long long)st->st_ino, (long long)st->st_size,
				       (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec)
		   : baton_strbuf_addf(out, "%s -\n", path);
	return r ? BATON_ENOMEM : 0;
}

static int stamp_walked(void *ud, const char *cfg, const struct stat *cfg_st, const char *git, const struct stat *git_st)
{
	int rc = stamp_line(ud, cfg, cfg_st);
	return rc ? rc : stamp_line(ud, git, git_st);
}

int baton_ctx_stamp(const struct baton_ctx *ctx, struct strbuf *out)
{
	static const char *const in_home[] = { "index.db", "host", "config.toml" };
	int rc = 0;
	for (size_t i = 0; i < sizeof in_home / sizeof *in_home && !rc; i++) {
		char *p = baton_path_join(ctx->home, in_home[i]);
		struct stat st;
		rc = p ? stamp_line(out, p, stat(p, &st) ? NULL : &st) : BATON_ENOMEM;
		free(p);
	}
	return rc ? rc : walk_repo_config(ctx->cwd, stamp_walked, out);
}

int baton_ctx_open(struct baton_ctx **out, const struct baton_open_opts *opts)
{
	static const struct baton_open_opts none;
	struct baton_ctx *ctx = calloc(1, sizeof *ctx);
	int rc = 0;
	*out = ctx;
	if (!ctx)
		return BATON_ENOMEM;
	if (!opts)
		opts = &none;
	baton_json_init();
	ctx->log_fd = -1;
	ctx->now_ms = opts->now_ms;
	ctx->read_only = opts->read_only;
	ctx->lock_timeout_ms = opts->lock_timeout_ms > 0 ? opts->lock_timeout_ms : 10000;
	baton_random_seed(ctx, opts->seed);
	baton_config_init(&ctx->config);
	if (opts->boot_id && *opts->boot_id && !(ctx->boot_id = strdup(opts->boot_id)))
		return BATON_ENOMEM;

	const char *home = opts->home;
	if (!home || !*home)
		home = getenv("BATON_HOME");
	if (home && *home) {
		ctx->home = baton_path_absolute(home, NULL);
	} else {
		const char *h = getenv("HOME");
		if (!h || !*h)
			return baton_error(ctx, BATON_EINVALID, "neither BATON_HOME nor HOME is set: set one to choose the store");
		char *hh = baton_path_absolute(h, NULL);
		ctx->home = hh ? baton_path_join(hh, ".baton") : NULL;
		free(hh);
	}
	if (opts->cwd) {
		ctx->cwd = baton_path_absolute(opts->cwd, NULL);
	} else {
		char buf[PATH_MAX];
		const char *pwd = getenv("PWD");
		struct stat a, b;
		/* $PWD keeps the user's spelling of symlinked paths when it is accurate */
		if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			ctx->cwd = baton_path_absolute(pwd, NULL);
		else
			ctx->cwd = getcwd(buf, sizeof buf) ? strdup(buf) : strdup("/");
	}
	if (!ctx->home || !ctx->cwd)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	ctx->log_dir = baton_path_join(ctx->home, "log");
	ctx->index_path = baton_path_join(ctx->home, "index.db");
	if (!ctx->log_dir || !ctx->index_path)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");

	if (ctx->read_only) {
		if (!baton_is_dir(ctx->home))
			return baton_error(ctx, BATON_ENOTFOUND, "no store at '%s'", ctx->home);
	} else if ((rc = baton_mkdir_p(ctx, ctx->home, 0700)) || (rc = baton_mkdir_p(ctx, ctx->log_dir, 0700))) {
		return baton_error(ctx, rc, "cannot create the store at '%s': %s; set BATON_HOME to a writable directory",
				   ctx->home, strerror(errno));
	}
	if ((rc = load_host(ctx, opts->host)))
		return rc;
	struct strbuf lp = STRBUF_INIT;
	if (baton_strbuf_addf(&lp, "%s/%s.jsonl", ctx->log_dir, ctx->host))
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	ctx->log_path = baton_strbuf_detach(&lp);

	char *cfg = baton_path_join(ctx->home, "config.toml");
	if (!cfg)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	rc = baton_config_load_file(ctx, &ctx->config, cfg);
	free(cfg);
	if (rc || (rc = load_repo_config(ctx)))
		return rc;
	/* the caller's budget wins (hooks); else core.lock_timeout_ms, else 10 s */
	if (opts->lock_timeout_ms <= 0) {
		int64_t t = baton_config_int(ctx, "core.lock_timeout_ms", 10000);
		ctx->lock_timeout_ms = t > 0 && t < 3600 * 1000 ? (int)t : 10000;
	}

	return opts->no_index ? 0 : baton_ctx_open_index(ctx, !opts->no_catch_up);
}

int baton_ctx_open_index(struct baton_ctx *ctx, bool catch_up)
{
	if (ctx->db)
		return 0;
	int rc = baton_index_open(ctx);
	if (!rc && catch_up)
		rc = baton_index_catch_up(ctx);
	return rc;
}

bool baton_ctx_pending(const struct baton_ctx *ctx)
{
	return ctx && (ctx->index_behind || ctx->settle_dir || ctx->settle_journal);
}

void baton_git_state_free(void *git);
void baton_redactor_free(void *r);
void baton_archive_ctx_free(void *z);

void baton_ctx_close(struct baton_ctx *ctx)
{
	if (!ctx)
		return;
	baton_index_close(ctx);
	if (ctx->log_fd >= 0)
		close(ctx->log_fd);
	baton_git_state_free(ctx->git);
	baton_redactor_free(ctx->redactor);
	baton_archive_ctx_free(ctx->zstd);
	baton_json_scratch_release();
	baton_config_release(&ctx->config);
	free(ctx->home);
	free(ctx->host);
	free(ctx->boot_id);
	free(ctx->cwd);
	free(ctx->log_dir);
	free(ctx->log_path);
	free(ctx->index_path);
	free(ctx->settle_dir);
	free(ctx->settle_journal);
	free(ctx);
}
