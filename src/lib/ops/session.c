#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/index.h"
#include "baton/journal.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/redact.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "store/modules.h"
#include "store/state.h"

#define MAX_CHANGED_FILES 20

const char *const baton_session_statuses[] = {
	"active", "paused", "handoff_ready", "completed", "abandoned", "expired", "archived", NULL,
};

bool baton_session_status_valid(const char *s)
{
	for (const char *const *p = baton_session_statuses; s && *p; p++)
		if (!strcmp(*p, s))
			return true;
	return false;
}

/* ---- the model ---------------------------------------------------------------- */

static void add_str_or_null(cJSON *o, const char *key, const cJSON *in)
{
	const char *s = baton_json_str(in, key);
	baton_json_add_str(o, key, s);
}

static cJSON *string_array(const cJSON *in)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, in)
		if (cJSON_IsString(it))
			cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring));
	return a;
}

cJSON *baton_session_normalize(const cJSON *in)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	static const char *const head[] = { "id", "created_at", "updated_at", "status", "source", "shortname",
					    "objective", "cwd", "repo_root", "project_id" };
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		add_str_or_null(o, head[i], in);
	if (!baton_json_str(in, "status"))
		baton_json_set(o, "status", cJSON_CreateString("active"));
	cJSON_AddItemToObject(o, "working_set", string_array(baton_json_arr(in, "working_set")));
	add_str_or_null(o, "notes", in);

	const cJSON *g = baton_json_obj(in, "git");
	cJSON *go = cJSON_AddObjectToObject(o, "git");
	add_str_or_null(go, "branch", g);
	add_str_or_null(go, "head_sha", g);
	baton_json_add_bool(go, "dirty", baton_json_bool(g, "dirty", false));

	const cJSON *c = baton_json_obj(in, "checkpoint");
	if (c && baton_json_str(c, "path")) {
		cJSON *co = cJSON_AddObjectToObject(o, "checkpoint");
		add_str_or_null(co, "path", c);
		add_str_or_null(co, "timestamp", c);
	} else {
		cJSON_AddNullToObject(o, "checkpoint");
	}
	const cJSON *rc = baton_json_obj(in, "recent_changes");
	cJSON *ro = cJSON_AddObjectToObject(o, "recent_changes");
	cJSON_AddItemToObject(ro, "dirs", string_array(baton_json_arr(rc, "dirs")));
	cJSON_AddItemToObject(ro, "files", string_array(baton_json_arr(rc, "files")));

	add_str_or_null(o, "parent_id", in);
	baton_json_add_int(o, "compaction_count", baton_json_int(in, "compaction_count", 0));
	add_str_or_null(o, "tldr", in);
	const cJSON *h = baton_json_obj(in, "handoff");
	if (h && baton_json_str(h, "markdown")) {
		cJSON *ho = cJSON_AddObjectToObject(o, "handoff");
		add_str_or_null(ho, "markdown", h);
		add_str_or_null(ho, "created_at", h);
	} else {
		cJSON_AddNullToObject(o, "handoff");
	}
	add_str_or_null(o, "close_reason", in);
	return o;
}

/* "docs/projects/<id>/…" in a path names the project. */
static char *detect_project(const char *cwd)
{
	const char *p = strstr(cwd, "/docs/projects/");
	if (!p)
		return NULL;
	p += strlen("/docs/projects/");
	size_t n = strcspn(p, "/");
	return n ? strndup(p, n) : NULL;
}

static char *slugify(const char *text, size_t max_words, size_t max_len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t words = 0;
	const char *p = text ? text : "";
	while (*p && words < max_words) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (sb.len)
			baton_strbuf_addch(&sb, '-');
		while (isalnum((unsigned char)*p)) {
			if (sb.len < max_len)
				baton_strbuf_addch(&sb, (char)tolower((unsigned char)*p));
			p++;
		}
		words++;
	}
	while (sb.len && sb.buf[sb.len - 1] == '-')
		sb.buf[--sb.len] = '\0';
	if (!sb.len)
		baton_strbuf_adds(&sb, "session");
	return baton_strbuf_detach(&sb);
}

int baton_session_new(struct baton_ctx *ctx, cJSON **out, const char *cwd)
{
	char *abs = baton_path_absolute(cwd ? cwd : ctx->cwd, ctx->cwd);
	char *root = NULL, *project = NULL;
	cJSON *s = NULL;
	int rc;
	*out = NULL;
	if (!abs)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (!baton_is_dir(abs)) {
		rc = baton_error(ctx, BATON_EINVALID, "directory '%s' does not exist", abs);
		goto out;
	}
	if ((rc = baton_git_root(ctx, &root, abs)))
		goto out;
	project = detect_project(abs);
	s = cJSON_CreateObject();
	char id[BATON_ULID_LEN], now[BATON_TIME_LEN];
	int64_t ms = baton_now_ms(ctx);
	/* above the session ids of this same millisecond: with a fixed BATON_SEED and
	 * BATON_NOW (tests) each process draws the same random bits and would reuse the
	 * previous one's id. Only this millisecond: an imported id from the future must
	 * not drag new ids after it. They are read from the log's tail, not the index, so
	 * that a save without the index (a CLI save) draws the id one with it would. */
	char floor[BATON_ULID_LEN] = "", prefix[11];
	uint64_t t = (uint64_t)ms;
	for (int i = 9; i >= 0; i--, t >>= 5) /* the ULID's time part, without drawing randomness */
		prefix[i] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[t & 31];
	prefix[10] = '\0';
	baton_log_newest_session(ctx, prefix, floor);
	baton_ulid_new_above(ctx, id, ms, floor[0] ? floor : NULL);
	baton_time_format(now, ms);
	baton_json_add_str(s, "id", id);
	baton_json_add_str(s, "created_at", now);
	baton_json_add_str(s, "status", "active");
	baton_json_add_str(s, "source", "cli");
	baton_json_add_str(s, "cwd", abs);
	baton_json_add_str(s, "repo_root", root);
	baton_json_add_str(s, "project_id", project);
	*out = s;
out:
	free(abs);
	free(root);
	free(project);
	return rc;
}

/* newest regular file directly in dir, if newer than *best_mtime */
static void newest_in(const char *dir, char **best, struct timespec *best_mtime)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = baton_path_join(dir, e->d_name);
		struct stat st;
		if (p && stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mtim.tv_sec > best_mtime->tv_sec ||
		     (st.st_mtim.tv_sec == best_mtime->tv_sec && st.st_mtim.tv_nsec > best_mtime->tv_nsec))) {
			free(*best);
			*best = p;
			*best_mtime = st.st_mtim;
			continue;
		}
		free(p);
	}
	closedir(d);
}

/* The newest checkpoint file: in <root>/.sessions/checkpoints/, <root>/checkpoints/,
 * or <root>/docs/projects/<project>/checkpoints/. */
static void find_checkpoint(cJSON *session)
{
	const char *root = baton_json_str(session, "repo_root");
	if (!root)
		root = baton_json_str(session, "cwd");
	if (!root)
		return;
	const char *project = baton_json_str(session, "project_id");
	char *best = NULL;
	struct timespec mt = { 0, 0 };
	static const char *const rel[] = { ".sessions/checkpoints", "checkpoints" };
	for (size_t i = 0; i < 2; i++) {
		char *d = baton_path_join(root, rel[i]);
		if (d)
			newest_in(d, &best, &mt);
		free(d);
	}
	if (project) {
		struct strbuf sb = STRBUF_INIT;
		baton_strbuf_addf(&sb, "%s/docs/projects/%s/checkpoints", root, project);
		newest_in(sb.buf, &best, &mt);
		baton_strbuf_release(&sb);
	}
	if (!best) {
		baton_json_set(session, "checkpoint", cJSON_CreateNull());
		return;
	}
	char ts[BATON_TIME_LEN];
	baton_time_format(ts, (int64_t)mt.tv_sec * 1000 + mt.tv_nsec / 1000000);
	cJSON *c = cJSON_CreateObject();
	baton_json_add_str(c, "path", best);
	baton_json_add_str(c, "timestamp", ts);
	baton_json_set(session, "checkpoint", c);
	free(best);
}

int baton_session_refresh(struct baton_ctx *ctx, cJSON *session)
{
	const char *cwd = baton_json_str(session, "cwd");
	struct baton_git_snapshot snap;
	cJSON *git = cJSON_CreateObject();
	cJSON *changes = cJSON_CreateObject();
	cJSON *dirs = cJSON_AddArrayToObject(changes, "dirs");
	cJSON *files = cJSON_AddArrayToObject(changes, "files");
	int rc = cwd && baton_is_dir(cwd) ? baton_git_snapshot(ctx, &snap, cwd, MAX_CHANGED_FILES * 10) : BATON_ENOTFOUND;
	if (rc == 0) {
		baton_json_add_str(git, "branch", snap.branch);
		baton_json_add_str(git, "head_sha", snap.head_sha);
		baton_json_add_bool(git, "dirty", snap.dirty);
		/* baton's own rendered journal is not the user's change */
		const char *jdir = baton_config_str(ctx, "journal.dir", ".sessions");
		size_t jlen = strlen(jdir), kept = 0;
		for (size_t i = 0; i < snap.nfiles; i++) {
			const char *f = snap.files[i];
			if (jlen && !strncmp(f, jdir, jlen) && (f[jlen] == '/' || !f[jlen]))
				continue;
			if (kept++ < MAX_CHANGED_FILES)
				cJSON_AddItemToArray(files, cJSON_CreateString(f));
			size_t n = strcspn(f, "/");
			char *dir = f[n] ? strndup(f, n) : strdup(".");
			int seen = 0;
			const cJSON *it;
			cJSON_ArrayForEach(it, dirs)
				if (dir && !strcmp(it->valuestring, dir))
					seen = 1;
			if (dir && !seen)
				cJSON_AddItemToArray(dirs, cJSON_CreateString(dir));
			free(dir);
		}
		if (snap.root && !baton_json_str(session, "repo_root"))
			baton_json_set(session, "repo_root", cJSON_CreateString(snap.root));
		baton_git_snapshot_release(&snap);
	} else if (rc == BATON_ENOTFOUND) {
		rc = 0;
		baton_json_add_str(git, "branch", NULL);
		baton_json_add_str(git, "head_sha", NULL);
		baton_json_add_bool(git, "dirty", false);
	} else {
		cJSON_Delete(git);
		cJSON_Delete(changes);
		return rc;
	}
	baton_json_set(session, "git", git);
	baton_json_set(session, "recent_changes", changes);
	find_checkpoint(session);
	return 0;
}

static int redact_field(struct baton_ctx *ctx, cJSON *obj, const char *key)
{
	const char *s = baton_json_str(obj, key);
	if (!s)
		return 0;
	char *r = baton_redact_str(ctx, s);
	if (!r)
		return BATON_ERROR;
	if (strcmp(r, s))
		baton_json_set(obj, key, cJSON_CreateString(r));
	free(r);
	return 0;
}

int baton_session_prepare(struct baton_ctx *ctx, cJSON *session, cJSON **out)
{
	int rc;
	*out = NULL;
	char now[BATON_TIME_LEN];
	baton_time_format(now, baton_now_ms(ctx));
	baton_json_set(session, "updated_at", cJSON_CreateString(now));
	if (!baton_json_str(session, "created_at"))
		baton_json_set(session, "created_at", cJSON_CreateString(now));
	if (!baton_json_str(session, "shortname")) {
		char *slug = slugify(baton_json_str(session, "objective"), 4, 40);
		baton_json_set(session, "shortname", cJSON_CreateString(slug));
		free(slug);
	}
	static const char *const text[] = { "objective", "notes", "tldr", "close_reason", "shortname" };
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
		if ((rc = redact_field(ctx, session, text[i]))) {
			cJSON_Delete(session);
			return rc;
		}
	cJSON *h = baton_json_obj(session, "handoff");
	if (h && (rc = redact_field(ctx, h, "markdown"))) {
		cJSON_Delete(session);
		return rc;
	}
	*out = baton_session_normalize(session);
	cJSON_Delete(session);
	return *out ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory");
}

int baton_session_put(struct baton_ctx *ctx, cJSON *session, cJSON **out)
{
	cJSON *norm;
	if (out)
		*out = NULL;
	int rc = baton_session_prepare(ctx, session, &norm);
	if (rc)
		return rc;
	cJSON *fields = cJSON_CreateObject();
	cJSON_AddItemToObject(fields, "session", cJSON_Duplicate(norm, 1));
	if ((rc = baton_log_append(ctx, "session_saved", fields, NULL))) {
		cJSON_Delete(norm);
		return rc;
	}
	if (out)
		*out = norm;
	else
		cJSON_Delete(norm);
	return 0;
}

/* ---- queries -------------------------------------------------------------------- */

static cJSON *row_session(sqlite3_stmt *st, int col)
{
	const char *j = baton_col_text(st, col);
	return j ? cJSON_Parse(j) : NULL;
}

int baton_session_get(struct baton_ctx *ctx, cJSON **out, const char *id)
{
	*out = NULL;
	if (!id || !*id)
		return baton_error(ctx, BATON_EINVALID, "a session id is required");
	size_t n = strlen(id);
	char upper[64];
	int prefix_ok = n >= 4 && n < sizeof upper;
	for (size_t i = 0; prefix_ok && i < n; i++) {
		upper[i] = (char)toupper((unsigned char)id[i]);
		if (!isalnum((unsigned char)id[i]))
			prefix_ok = 0;
	}
	upper[prefix_ok ? n : 0] = '\0';
	/* exact id, else unique id prefix, else unique shortname: separate lookups, each
	 * on an index (one query with an OR would scan every session) */
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT json, id FROM sessions WHERE id = ?1 AND deleted = 0");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	cJSON *first = NULL;
	int rows = 0, exact = 0, r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		first = row_session(st, 0);
		exact = rows = 1;
	}
	sqlite3_reset(st);
	if (!exact && upper[0] && (r == SQLITE_DONE)) {
		st = baton_index_stmt(ctx, "SELECT json, id FROM sessions WHERE id >= ?1 AND id < ?1 || '~' AND +deleted = 0 ORDER BY id LIMIT 2");
		if (!st)
			return BATON_ERROR;
		baton_bind_text(st, 1, upper);
		while ((r = sqlite3_step(st)) == SQLITE_ROW)
			if (!rows++)
				first = row_session(st, 0);
		sqlite3_reset(st);
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		cJSON_Delete(first);
		return baton_index_error(ctx, "find session");
	}
	if (rows == 1 || exact) {
		*out = first;
		return first ? 0 : baton_error(ctx, BATON_ECORRUPT, "session '%s': stored snapshot does not parse", id);
	}
	cJSON_Delete(first);
	if (rows > 1)
		return baton_error(ctx, BATON_EINVALID, "session id '%s' is ambiguous: give more characters", id);
	st = baton_index_stmt(ctx, "SELECT json FROM sessions WHERE deleted = 0 AND shortname = ?1 ORDER BY updated_at DESC, id DESC LIMIT 2");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	rows = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!rows)
			first = row_session(st, 0);
		rows++;
	}
	sqlite3_reset(st);
	if (rows == 1) {
		*out = first;
		return 0;
	}
	cJSON_Delete(first);
	if (rows > 1)
		return baton_error(ctx, BATON_EINVALID, "session name '%s' matches several sessions: use the id", id);
	return baton_error(ctx, BATON_ENOTFOUND, "session '%s' not found; 'baton list' shows the sessions", id);
}

int baton_session_latest(struct baton_ctx *ctx, cJSON **out, const char *dir, const char *status)
{
	char *root = NULL;
	*out = NULL;
	if (!dir)
		dir = ctx->cwd;
	int rc = baton_git_root(ctx, &root, dir);
	if (rc)
		return rc;
	/* by repository, else by directory, with the status when one is asked for: each
	 * form walks its index (repo_root|cwd, status, updated_at) from the newest */
	static const char *const sql[2][2] = {
		{ "SELECT json FROM sessions WHERE cwd = ?1 AND +deleted = 0 AND ?2 IS NULL"
		  " ORDER BY updated_at DESC, id DESC LIMIT 1",
		  "SELECT json FROM sessions WHERE cwd = ?1 AND status = ?2 AND +deleted = 0"
		  " ORDER BY updated_at DESC, id DESC LIMIT 1" },
		{ "SELECT json FROM sessions WHERE repo_root = ?1 AND +deleted = 0 AND ?2 IS NULL"
		  " ORDER BY updated_at DESC, id DESC LIMIT 1",
		  "SELECT json FROM sessions WHERE repo_root = ?1 AND status = ?2 AND +deleted = 0"
		  " ORDER BY updated_at DESC, id DESC LIMIT 1" },
	};
	sqlite3_stmt *st = baton_index_stmt(ctx, sql[root != NULL][status != NULL]);
	if (!st) {
		free(root);
		return BATON_ERROR;
	}
	baton_bind_text(st, 1, root ? root : dir);
	baton_bind_text(st, 2, status);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = row_session(st, 0);
	sqlite3_reset(st);
	free(root);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return baton_index_error(ctx, "find session");
	return 0;
}

int baton_session_current(struct baton_ctx *ctx, cJSON **out, const char *dir)
{
	return baton_session_latest(ctx, out, dir, "active");
}

/* ---- a directory's current session, known without the index ---------------------- */

/* A CLI save finds the session it updates (baton_session_current) without opening the
 * index when the last save's detached child left it in $BATON_HOME/cache/current/HASH
 * (FNV-1a of the directory), headed by the store's state (store/state.h):
 *
 *   baton-current 1 VERSION
 *   DIRECTORY
 *   REPOSITORY ROOT      (an empty line outside a repository)
 *   LOG OFFSET           one line per log
 *   (empty line)
 *   the current session as the index holds it, one line (nothing: there is none)
 *
 * While the state holds nothing was written since, so the index would answer the
 * same; the root is checked again, since a repository made or removed around the
 * directory changes which sessions are its own without a write. */
#define CURRENT_MAGIC "baton-current 1 " BATON_VERSION "\n"
#define CURRENT_MAX (4 * 1024 * 1024)

static char *current_path(struct baton_ctx *ctx, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/cache/current/%016llx", baton_home(ctx), (unsigned long long)baton_store_hash(dir));
	return baton_strbuf_detach(&sb);
}

/* "DIRECTORY\nROOT\n" of the file's head, for dir */
static int current_head(struct baton_ctx *ctx, struct strbuf *sb, const char *dir)
{
	char *root = NULL;
	int rc = baton_git_root(ctx, &root, dir);
	if (!rc)
		rc = baton_strbuf_addf(sb, CURRENT_MAGIC "%s\n%s\n", dir, root ? root : "") ? BATON_ENOMEM : 0;
	free(root);
	return rc;
}

int baton_session_current_known(struct baton_ctx *ctx, cJSON **out, const char *dir, bool *known)
{
	struct strbuf head = STRBUF_INIT, sb = STRBUF_INIT;
	char *p = strchr(dir, '\n') ? NULL : current_path(ctx, dir);
	const char *rest;
	*out = NULL;
	*known = false;
	if (p && !baton_read_file(ctx, &sb, p, CURRENT_MAX) && !current_head(ctx, &head, dir) && sb.len >= head.len &&
	    !memcmp(sb.buf, head.buf, head.len) && (rest = baton_store_state_then(ctx, sb.buf + head.len))) {
		size_t n = (size_t)(sb.buf + sb.len - rest);
		if (!n) {
			*known = true;
		} else if (rest[n - 1] == '\n' && (*out = cJSON_ParseWithLength(rest, n))) {
			*known = cJSON_IsObject(*out) && baton_json_str(*out, "id");
			if (!*known) {
				cJSON_Delete(*out);
				*out = NULL;
			}
		}
	}
	free(p);
	baton_strbuf_release(&head);
	baton_strbuf_release(&sb);
	return 0;
}

/* Leave dir's current session for the next save there (needs the index). */
static int current_remember(struct baton_ctx *ctx, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *cur = NULL;
	char *p = strchr(dir, '\n') ? NULL : current_path(ctx, dir), *js = NULL;
	int rc = 0;
	if (!p || (rc = current_head(ctx, &sb, dir)) || (rc = baton_store_state(ctx, &sb)) ||
	    (rc = baton_session_current(ctx, &cur, dir)))
		goto out;
	baton_strbuf_addch(&sb, '\n');
	if (cur && (!(js = cJSON_PrintUnformatted(cur)) || baton_strbuf_addf(&sb, "%s\n", js))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if (sb.len > CURRENT_MAX) {
		unlink(p); /* not worth keeping: the next save asks the index */
		goto out;
	}
	rc = baton_store_put(ctx, "cache/current", p, &sb);
out:
	free(p);
	free(js);
	cJSON_Delete(cur);
	baton_strbuf_release(&sb);
	return rc;
}

int baton_session_settle(struct baton_ctx *ctx)
{
	int rc = baton_index_settle(ctx);
	if (!rc && ctx->settle_journal) {
		cJSON *s = NULL;
		if (!(rc = baton_session_get(ctx, &s, ctx->settle_journal)))
			rc = baton_journal_sync(ctx, NULL, s);
		cJSON_Delete(s);
	}
	if (!rc && ctx->settle_dir)
		rc = current_remember(ctx, ctx->settle_dir);
	free(ctx->settle_journal);
	free(ctx->settle_dir);
	ctx->settle_journal = ctx->settle_dir = NULL;
	return rc;
}

bool baton_autosave_enabled(struct baton_ctx *ctx, int flag, bool interactive)
{
	bool b;
	if (flag >= 0)
		return flag;
	const char *env = getenv("BATON_AUTO_SESSION");
	if (env && *env && baton_parse_bool(&b, env) == 0)
		return b;
	const char *cfg = baton_config_get(&ctx->config, "auto_session_default");
	if (cfg && baton_parse_bool(&b, cfg) == 0)
		return b;
	return interactive;
}

int baton_shell_quote(struct strbuf *sb, const char *s)
{
	int r = baton_strbuf_addch(sb, '\'');
	for (; !r && *s; s++)
		r = *s == '\'' ? baton_strbuf_adds(sb, "'\\''") : baton_strbuf_addch(sb, *s);
	return r ? r : baton_strbuf_addch(sb, '\'');
}

/* ---- index: table and events -------------------------------------------------- */

static const char session_schema[] =
	"CREATE TABLE IF NOT EXISTS sessions("
	" id TEXT PRIMARY KEY, event_id TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
	" created_at TEXT, updated_at TEXT NOT NULL, status TEXT, source TEXT, shortname TEXT,"
	" objective TEXT, cwd TEXT, repo_root TEXT, project_id TEXT, json TEXT NOT NULL);";

static const char session_indexes[] =
	"CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(deleted, updated_at DESC, id DESC);"
	"CREATE INDEX IF NOT EXISTS sessions_repo ON sessions(repo_root, status, updated_at);"
	"CREATE INDEX IF NOT EXISTS sessions_cwd ON sessions(cwd, status, updated_at);"
	"CREATE INDEX IF NOT EXISTS sessions_shortname ON sessions(shortname);";

static int apply_saved(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *s = baton_json_obj(ev, "session");
	const char *id = baton_json_str(s, "id");
	if (!id || !baton_json_str(s, "updated_at"))
		return 0; /* malformed: skip */
	char *json = baton_json_print(s);
	if (!json)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT INTO sessions(id, event_id, deleted, created_at, updated_at, status, source, shortname,"
		" objective, cwd, repo_root, project_id, json) VALUES(?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		" ON CONFLICT(id) DO UPDATE SET event_id = excluded.event_id, deleted = 0,"
		" created_at = excluded.created_at, updated_at = excluded.updated_at, status = excluded.status,"
		" source = excluded.source, shortname = excluded.shortname, objective = excluded.objective,"
		" cwd = excluded.cwd, repo_root = excluded.repo_root, project_id = excluded.project_id,"
		" json = excluded.json WHERE excluded.event_id > sessions.event_id");
	if (!st) {
		cJSON_free(json);
		return BATON_ERROR;
	}
	static const char *const cols[] = { "created_at", "updated_at", "status", "source", "shortname",
					    "objective", "cwd", "repo_root", "project_id" };
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, baton_json_str(ev, "id"));
	for (int i = 0; i < 9; i++)
		baton_bind_text(st, 3 + i, baton_json_str(s, cols[i]));
	sqlite3_bind_text(st, 12, json, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	cJSON_free(json);
	const char *status = baton_json_str(s, "status");
	if (status && (!strcmp(status, "completed") || !strcmp(status, "abandoned")))
		baton_index_note_epoch(ctx); /* hooks must link the conversation anew */
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply session_saved");
}

static int apply_deleted(struct baton_ctx *ctx, const cJSON *ev)
{
	const char *id = baton_json_str(ev, "session_id");
	if (!id)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE sessions SET deleted = 1, event_id = ?2 WHERE id = ?1 AND event_id < ?2");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, baton_json_str(ev, "id"));
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	baton_index_note_epoch(ctx);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply session_deleted");
}

static const struct baton_event_handler session_handlers[] = {
	{ "session_saved", apply_saved },
	{ "session_deleted", apply_deleted },
	{ NULL, NULL },
};

static const char *const session_tables[] = { "sessions", NULL };

const struct baton_index_module baton_session_index = {
	.name = "session",
	.schema = session_schema,
	.indexes = session_indexes,
	.tables = session_tables,
	.handlers = session_handlers,
	.replay = NULL,
	.snapshot_type = "session_saved", /* apply_saved: upsert WHERE newer event id */
	.snapshot_object = "session",
};
