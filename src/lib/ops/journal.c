/* The journal operations (log, checkpoint, pause, close, view, view list), the
 * entries table of the index, and the files rendered into the repository. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/index.h"
#include "baton/journal.h"
#include "baton/journal_render.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/redact.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "store/modules.h"

#define DEFAULT_DIR ".sessions"
#define DEFAULT_LIST_LIMIT 20
#define RENDERED_MAX (64 * 1024 * 1024) /* a rendered file we compare before rewriting */

/* ---- entries -------------------------------------------------------------------- */

int baton_journal_entries(struct baton_ctx *ctx, cJSON **out, const char *session_id)
{
	*out = NULL;
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT json FROM journal_entries WHERE session_id = ?1 ORDER BY id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, session_id);
	cJSON *arr = cJSON_CreateArray();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *e = cJSON_Parse(baton_col_text(st, 0));
		if (e)
			cJSON_AddItemToArray(arr, e);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cJSON_Delete(arr);
		return baton_index_error(ctx, "read journal entries");
	}
	*out = arr;
	return 0;
}

/* Fold session sid's stored entries into f (begun by the caller), as they are read:
 * each is parsed into scratch memory and dropped once folded. A session of a few
 * hundred entries held them all as cJSON trees, and the heap they grew cost a hook
 * more in page faults than anything else it did. */
static int fold_stored(struct baton_ctx *ctx, struct baton_journal_folder *f, const char *sid)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT json FROM journal_entries WHERE session_id = ?1 ORDER BY id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, sid);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *e = baton_json_parse_scratch((const char *)sqlite3_column_text(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0));
		if (e)
			baton_journal_fold_entry(f, e);
		baton_json_scratch_delete(e);
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "read journal entries");
}

int baton_journal_load(struct baton_ctx *ctx, cJSON **out, const cJSON *session)
{
	struct baton_journal_folder f;
	*out = NULL;
	if (baton_journal_fold_begin(&f)) {
		cJSON_Delete(f.j);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	int rc = fold_stored(ctx, &f, baton_json_str(session, "id"));
	cJSON *j = baton_journal_fold_end(&f, session);
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return j ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory");
}

/* ---- index ---------------------------------------------------------------------- */

static const char journal_schema[] =
	"CREATE TABLE IF NOT EXISTS journal_entries("
	" id TEXT PRIMARY KEY, session_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS journal_entries_session ON journal_entries(session_id, id);";

/* The stored row: the entry with its id, time and session in front. Keyed by event
 * id, so applying an event twice (a replay) changes nothing. */
/* An entry as the journal stores and folds it: {id, at, session_id, ...entry} */
static cJSON *entry_row(const char *id, const char *at, const char *session_id, const cJSON *entry)
{
	cJSON *row = cJSON_CreateObject();
	baton_json_add_str(row, "id", id);
	baton_json_add_str(row, "at", at);
	baton_json_add_str(row, "session_id", session_id);
	const cJSON *f;
	cJSON_ArrayForEach(f, entry)
		if (strcmp(f->string, "id") && strcmp(f->string, "at") && strcmp(f->string, "session_id"))
			baton_json_add_copy(row, f->string, f);
	return row;
}

static int apply_entry(struct baton_ctx *ctx, const cJSON *ev)
{
	const char *id = baton_json_str(ev, "id"), *at = baton_json_str(ev, "at");
	const char *sid = baton_json_str(ev, "session_id");
	const cJSON *entry = baton_json_obj(ev, "entry");
	const char *kind = baton_json_str(entry, "kind");
	if (!id || !at || !sid || !kind)
		return 0; /* malformed: skip */
	cJSON *row = entry_row(id, at, sid, entry);
	char *json = baton_json_print(row);
	cJSON_Delete(row);
	if (!json)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT OR IGNORE INTO journal_entries(id, session_id, at, kind, json) VALUES(?1, ?2, ?3, ?4, ?5)");
	if (!st) {
		cJSON_free(json);
		return BATON_ERROR;
	}
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, at);
	baton_bind_text(st, 4, kind);
	sqlite3_bind_text(st, 5, json, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	cJSON_free(json);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply entry_added");
}

static const struct baton_event_handler journal_handlers[] = {
	{ "entry_added", apply_entry },
	{ NULL, NULL },
};

static const char *const journal_tables[] = { "journal_entries", NULL };

const struct baton_index_module baton_journal_index = {
	.name = "journal",
	.schema = journal_schema,
	.tables = journal_tables,
	.handlers = journal_handlers,
	.replay = NULL,
};

/* ---- files in the repository ---------------------------------------------------- */

static int is_closed(const char *status)
{
	return status && (!strcmp(status, "completed") || !strcmp(status, "abandoned") || !strcmp(status, "expired") ||
			  !strcmp(status, "archived"));
}

/* The journal directory of session, malloc'd; NULL when nothing is rendered for it. */
static char *journal_dir(struct baton_ctx *ctx, const cJSON *session)
{
	const char *root = baton_json_str(session, "repo_root");
	if (!root || !baton_config_bool(ctx, "journal.render", true))
		return NULL;
	const char *dir = baton_config_str(ctx, "journal.dir", DEFAULT_DIR);
	return baton_path_absolute(*dir ? dir : DEFAULT_DIR, root);
}

/* "<shortname>-<id>.md" with the shortname reduced to characters safe in a file name. */
static void doc_name(struct strbuf *sb, const cJSON *session)
{
	const char *s = baton_json_str(session, "shortname");
	size_t start = sb->len;
	for (; s && *s && sb->len - start < 60; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.')
			baton_strbuf_addch(sb, (char)(sb->len == start && c == '.' ? '_' : c));
		else if (sb->len > start && sb->buf[sb->len - 1] != '-')
			baton_strbuf_addch(sb, '-');
	}
	if (sb->len == start)
		baton_strbuf_adds(sb, "session");
	baton_strbuf_addf(sb, "-%s.md", baton_json_str(session, "id"));
}

static char *doc_path(struct baton_ctx *ctx, const cJSON *session)
{
	char *dir = journal_dir(ctx, session);
	if (!dir)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/%s/", dir, is_closed(baton_json_str(session, "status")) ? "archive" : "active");
	doc_name(&sb, session);
	free(dir);
	return baton_strbuf_detach(&sb);
}

/* Write data to path unless the file already holds exactly that. */
static int write_if_changed(struct baton_ctx *ctx, const char *path, const struct strbuf *data)
{
	struct strbuf old = STRBUF_INIT;
	int same = baton_read_file(ctx, &old, path, RENDERED_MAX) == 0 && old.len == data->len &&
		   !memcmp(old.buf, data->buf, data->len);
	baton_strbuf_release(&old);
	return same ? 0 : baton_write_atomic(ctx, path, data->buf, data->len, 0644, 0);
}

/* Remove, in dir, the files `keep` does not name that are this session's documents
 * (suffix "-<id>.md") — left behind by a rename or a close. */
static void remove_stale_docs(const char *dir, const char *id, const char *keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char suffix[64];
	snprintf(suffix, sizeof suffix, "-%s.md", id);
	size_t sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= sl || strcmp(e->d_name + n - sl, suffix))
			continue;
		char *p = baton_path_join(dir, e->d_name);
		if (p && (!keep || strcmp(p, keep)))
			unlink(p);
		free(p);
	}
	closedir(d);
}

/* "2026-11-22T10:15:00.000Z" → "20261122T101500Z" */
static void entry_stamp(struct strbuf *sb, const char *at)
{
	if (!at || strlen(at) < 19) {
		baton_strbuf_adds(sb, "00000000T000000Z");
		return;
	}
	baton_strbuf_addf(sb, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", at, at + 5, at + 8, at + 11, at + 14, at + 17);
}

/* Entry files are named "<8 digits>T…": anything else in the directory is not ours. */
static int is_entry_file(const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return name[8] == 'T' && n > 3 && !strcmp(name + n - 3, ".md");
}

static int sync_entries(struct baton_ctx *ctx, const char *dir, const cJSON *entries)
{
	struct strbuf name = STRBUF_INIT, body = STRBUF_INIT;
	cJSON *names = cJSON_CreateArray();
	const cJSON *e;
	int rc = 0, seq = 0;
	cJSON_ArrayForEach(e, entries) {
		baton_strbuf_reset(&name);
		baton_strbuf_reset(&body);
		baton_strbuf_addf(&name, "%s/", dir);
		size_t base = name.len;
		entry_stamp(&name, baton_json_str(e, "at"));
		baton_strbuf_addf(&name, "-%04d-", ++seq);
		for (const char *k = baton_json_str(e, "kind"); k && *k; k++)
			if (isalnum((unsigned char)*k) || *k == '_')
				baton_strbuf_addch(&name, *k);
		baton_strbuf_adds(&name, ".md");
		cJSON_AddItemToArray(names, cJSON_CreateString(name.buf + base));
		if (baton_journal_render_entry(&body, e)) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = write_if_changed(ctx, name.buf, &body)))
			goto out;
	}
	/* entries renumbered by a merge from another machine leave old names behind */
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!is_entry_file(de->d_name))
			continue;
		int known = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, names)
			if (!strcmp(it->valuestring, de->d_name))
				known = 1;
		if (!known) {
			char *p = baton_path_join(dir, de->d_name);
			if (p)
				unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
out:
	cJSON_Delete(names);
	baton_strbuf_release(&name);
	baton_strbuf_release(&body);
	return rc;
}

static int sync_files(struct baton_ctx *ctx, char **out_path, const cJSON *session, bool new_session)
{
	const char *id = baton_json_str(session, "id");
	char *dir = journal_dir(ctx, session), *doc = NULL;
	struct strbuf p = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *entries = NULL, *journal = NULL;
	int rc = 0;
	if (!dir || !id)
		goto out;
	int fresh = !baton_is_dir(dir);
	if ((rc = baton_mkdir_p(ctx, dir, 0755)))
		goto out;
	/* A new journal directory keeps itself out of git's way (it would leave every repo
	 * dirty); delete the .gitignore to commit the journal. Never rewritten after. */
	if (fresh && baton_config_bool(ctx, "journal.gitignore", true)) {
		char *gi = baton_path_join(dir, ".gitignore");
		static const char ignore_all[] = "# written by baton: the session journal is regenerated from the store\n*\n";
		rc = gi ? baton_write_atomic(ctx, gi, ignore_all, sizeof ignore_all - 1, 0644, 0)
			: baton_error(ctx, BATON_ENOMEM, "out of memory");
		free(gi);
		if (rc)
			goto out;
	}
	/* a session just created has none yet: no index to read */
	if (!new_session && (rc = baton_journal_entries(ctx, &entries, id)))
		goto out;
	if (!(journal = baton_journal_fold(session, entries))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	doc = doc_path(ctx, session);
	baton_strbuf_addf(&p, "%s/%s", dir, is_closed(baton_json_str(session, "status")) ? "archive" : "active");
	if (!doc || (rc = baton_mkdir_p(ctx, p.buf, 0755)))
		goto out;
	if (baton_journal_render(&text, session, journal, BATON_JOURNAL_ALL)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = write_if_changed(ctx, doc, &text)))
		goto out;
	static const char *const places[] = { "active", "archive" };
	for (size_t i = 0; i < 2; i++) {
		baton_strbuf_reset(&p);
		baton_strbuf_addf(&p, "%s/%s", dir, places[i]);
		remove_stale_docs(p.buf, id, doc);
	}
	baton_strbuf_reset(&p);
	baton_strbuf_addf(&p, "%s/journal/%s", dir, id);
	if ((rc = baton_mkdir_p(ctx, p.buf, 0755)))
		goto out;
	baton_strbuf_reset(&text);
	if (baton_journal_render_progress(&text, session, journal)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	char *prog = baton_path_join(p.buf, "progress.md");
	rc = prog ? write_if_changed(ctx, prog, &text) : baton_error(ctx, BATON_ENOMEM, "out of memory");
	free(prog);
	if (rc)
		goto out;
	rc = sync_entries(ctx, p.buf, entries);
out:
	if (!rc && out_path) {
		*out_path = doc;
		doc = NULL;
	}
	cJSON_Delete(entries);
	cJSON_Delete(journal);
	baton_strbuf_release(&p);
	baton_strbuf_release(&text);
	free(doc);
	free(dir);
	return rc;
}

static int sync_journal(struct baton_ctx *ctx, char **out_path, const cJSON *session, bool new_session)
{
	if (out_path)
		*out_path = NULL;
	int rc = sync_files(ctx, out_path, session, new_session);
	if (rc) {
		char why[sizeof ctx->err];
		snprintf(why, sizeof why, "%s", baton_errmsg(ctx));
		rc = baton_error(ctx, BATON_ERROR,
				 "journal of session '%s' not written: %s; the session itself is recorded "
				 "(fix that, or set journal.render = false)", baton_json_str(session, "id"), why);
	}
	return rc;
}

int baton_journal_sync(struct baton_ctx *ctx, char **out_path, const cJSON *session)
{
	return sync_journal(ctx, out_path, session, false);
}

int baton_journal_sync_new(struct baton_ctx *ctx, const cJSON *session)
{
	return sync_journal(ctx, NULL, session, true);
}

/* ---- which session -------------------------------------------------------------- */

/* The latest session of this repository (or directory) with that status (NULL: any). */
static int latest_here(struct baton_ctx *ctx, cJSON **out, const char *status)
{
	return baton_session_latest(ctx, out, ctx->cwd, status);
}

/* The session an operation acts on: the one named (argument, else $BATON_SESSION),
 * else this repository's active session, else its latest paused one (the work
 * resumes), else — for reading only — its latest session of any status. */
static int resolve(struct baton_ctx *ctx, cJSON **out, const char *named, const char *verb, int any_status)
{
	const char *env = getenv("BATON_SESSION");
	*out = NULL;
	if (!named && env && *env)
		named = env;
	if (named)
		return baton_session_get(ctx, out, named);
	int rc = baton_session_current(ctx, out, ctx->cwd);
	if (!rc && !*out)
		rc = latest_here(ctx, out, "paused");
	if (!rc && !*out) /* handed-off work: whoever logs on it picks it up */
		rc = latest_here(ctx, out, "handoff_ready");
	if (!rc && !*out && any_status)
		rc = latest_here(ctx, out, NULL);
	if (!rc && !*out && !any_status) {
		/* say so when the work here was closed, rather than "nothing here" */
		cJSON *last = NULL;
		rc = latest_here(ctx, &last, NULL);
		if (!rc && last && is_closed(baton_json_str(last, "status")))
			rc = baton_error(ctx, BATON_EINVALID,
					 "%s: the latest session in '%s', '%s' (%s), is already %s; start a new one with "
					 "baton save --new -m \"objective\"", verb, ctx->cwd, baton_json_str(last, "id"),
					 baton_json_str(last, "shortname"), baton_json_str(last, "status"));
		cJSON_Delete(last);
	}
	if (rc)
		return rc;
	if (!*out)
		return baton_error(ctx, BATON_ENOTFOUND,
				   "%s: no active session in '%s'; start one with baton save -m \"objective\", or pass --session ID",
				   verb, ctx->cwd);
	return 0;
}

/* Closed sessions take no more entries: their record is final. */
static int check_open(struct baton_ctx *ctx, const cJSON *s, const char *verb)
{
	const char *status = baton_json_str(s, "status");
	if (!is_closed(status))
		return 0;
	return baton_error(ctx, BATON_EINVALID, "%s: session '%s' is %s; nothing can be added to a closed session "
			   "(start a new one with baton save --new -m \"objective\")", verb, baton_json_str(s, "id"), status);
}

/* ---- recording ------------------------------------------------------------------ */

/* *out: a trimmed, redacted copy of text (malloc'd). BATON_EINVALID when the text is
 * blank: an empty entry is always a slip. */
static int clean_text(struct baton_ctx *ctx, char **out, const char *text, const char *verb, const char *what)
{
	const char *s = text;
	*out = NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return baton_error(ctx, BATON_EINVALID, "%s: the %s is empty; say what to record", verb, what);
	char *t = strndup(s, n);
	if (!t)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	*out = baton_redact_str(ctx, t);
	free(t);
	return *out ? 0 : BATON_ERROR;
}

/* Paused (or handed-off) work that gets a new entry is being worked on again. */
static void reactivate(cJSON *s)
{
	const char *st = baton_json_str(s, "status");
	if (st && (!strcmp(st, "paused") || !strcmp(st, "handoff_ready")))
		baton_json_set(s, "status", cJSON_CreateString("active"));
}

/* Append entry (consumed) for session s and the session itself (consumed) with its
 * new TL;DR, in one write, then regenerate the files. *out: the common result
 * {session_id, shortname, status, entry, tldr, compaction_count, path};
 * *out_journal (optional): the journal folded with the new entry. */
static int record_opt(struct baton_ctx *ctx, cJSON *s, cJSON *entry, cJSON **out, cJSON **out_journal,
		      cJSON **out_session, bool sync)
{
	struct baton_journal_folder f = { 0 };
	cJSON *journal = NULL, *saved = NULL, *written = NULL;
	char *path = NULL;
	char sid[BATON_ULID_LEN + 64];
	snprintf(sid, sizeof sid, "%s", baton_json_str(s, "id") ? baton_json_str(s, "id") : "");
	int rc = baton_journal_fold_begin(&f) ? baton_error(ctx, BATON_ENOMEM, "out of memory")
					      : fold_stored(ctx, &f, sid);
	if (rc)
		goto out;
	/* The TL;DR reads the journal with the new entry and the status and compaction
	 * count the session is about to get; it uses neither the entry's id nor its
	 * time, which the append assigns: a provisional row stands in for it. */
	char at[BATON_TIME_LEN];
	baton_time_format(at, baton_now_ms(ctx));
	cJSON *row = entry_row("~", at, sid, entry);
	baton_journal_fold_entry(&f, row);
	cJSON_Delete(row);
	if (!(journal = baton_journal_fold_end(&f, s))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	char *tldr = baton_journal_tldr(s, journal);
	if (!tldr) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	baton_json_set(s, "tldr", cJSON_CreateString(tldr));
	free(tldr);
	rc = baton_session_prepare(ctx, s, &saved);
	s = NULL;
	if (rc)
		goto out;
	cJSON *ef = cJSON_CreateObject(), *sf = cJSON_CreateObject();
	baton_json_add_str(ef, "session_id", sid);
	cJSON_AddItemToObject(ef, "entry", entry);
	entry = NULL;
	cJSON_AddItemToObject(sf, "session", cJSON_Duplicate(saved, 1));
	struct baton_event_spec ev[2] = { { "entry_added", ef }, { "session_saved", sf } };
	if ((rc = baton_log_append_many(ctx, ev, 2, &written)))
		goto out;
	const cJSON *e0 = cJSON_GetArrayItem(written, 0);
	if (sync && (rc = baton_journal_sync(ctx, &path, saved)))
		goto out;
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "session_id", baton_json_str(saved, "id"));
	baton_json_add_str(o, "shortname", baton_json_str(saved, "shortname"));
	baton_json_add_str(o, "status", baton_json_str(saved, "status"));
	cJSON_AddItemToObject(o, "entry", entry_row(baton_json_str(e0, "id"), baton_json_str(e0, "at"),
						    baton_json_str(e0, "session_id"), baton_json_obj(e0, "entry")));
	baton_json_add_str(o, "tldr", baton_json_str(saved, "tldr"));
	baton_json_add_int(o, "compaction_count", baton_json_int(saved, "compaction_count", 0));
	baton_json_add_str(o, "path", path);
	if (out)
		*out = o;
	else
		cJSON_Delete(o);
	if (out_journal) {
		/* folded again, from the index, which now holds the entry as written (its
		 * real id and time); the first fold is freed first, so this one reuses its
		 * memory rather than fault in more */
		cJSON_Delete(journal);
		journal = NULL;
		rc = baton_journal_fold_begin(&f) ? baton_error(ctx, BATON_ENOMEM, "out of memory")
						  : fold_stored(ctx, &f, sid);
		journal = baton_journal_fold_end(&f, saved);
		if (rc || !journal) {
			if (!rc)
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			if (out) {
				cJSON_Delete(*out);
				*out = NULL;
			}
			goto out;
		}
		*out_journal = journal;
		journal = NULL;
	}
	if (out_session) {
		*out_session = saved;
		saved = NULL;
	}
out:
	cJSON_Delete(s);
	cJSON_Delete(entry);
	cJSON_Delete(f.j);
	cJSON_Delete(journal);
	cJSON_Delete(saved);
	cJSON_Delete(written);
	free(path);
	return rc;
}

static int record(struct baton_ctx *ctx, cJSON *s, cJSON *entry, cJSON **out, cJSON **out_journal)
{
	return record_opt(ctx, s, entry, out, out_journal, NULL, true);
}


/* ---- log ------------------------------------------------------------------------ */

static const struct baton_arg log_args[] = {
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "session id, id prefix or short name (default: this repo's active one)" },
	{ "progress", BATON_ARG_STRING, 0, 0, NULL, "a step being worked on now (it becomes the current step)" },
	{ "done", BATON_ARG_STRING, 0, 0, NULL, "a step completed: marks the open step it names (exact, else prefix or substring) done" },
	{ "decision", BATON_ARG_STRING, 0, 0, NULL, "a choice made (needs --rationale)" },
	{ "rationale", BATON_ARG_STRING, 0, 0, NULL, "why the decision was made" },
	{ "context", BATON_ARG_STRING, 0, 0, NULL, "the situation of the decision (default: the current step)" },
	{ "discovery", BATON_ARG_STRING, 0, 0, NULL, "something learned that must not be lost" },
	{ "blocker", BATON_ARG_STRING, 0, 0, NULL, "something in the way" },
	{ "unblock", BATON_ARG_INT, 0, 0, NULL, "blocker number N is resolved" },
	{ "next", BATON_ARG_STRING, 0, 0, NULL, "a step to do later (planned, remaining)" },
	{ "note", BATON_ARG_STRING, 0, 0, NULL, "key context to keep across compactions" },
	{ NULL },
};

static const char *const log_kinds[] = { "progress", "done", "decision", "discovery", "blocker", "unblock", "next", "note", NULL };

static const char *match_name(enum baton_step_match m)
{
	switch (m) {
	case BATON_STEP_EXACT: return "exact";
	case BATON_STEP_NOCASE: return "nocase";
	case BATON_STEP_PREFIX: return "prefix";
	case BATON_STEP_SUBSTRING: return "substring";
	default: return "new";
	}
}

static int op_log(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *kind = NULL, *second = NULL;
	for (const char *const *k = log_kinds; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, *k);
		if (!v || cJSON_IsNull(v))
			continue;
		if (kind && !second)
			second = *k;
		if (!kind)
			kind = *k;
	}
	const char *rationale = baton_json_str(args, "rationale"), *context = baton_json_str(args, "context");
	if (!kind && (rationale || context))
		return baton_error(ctx, BATON_EINVALID, "log: --%s belongs to a --decision", rationale ? "rationale" : "context");
	if (!kind)
		return baton_error(ctx, BATON_EINVALID, "log: say what to log: --progress, --done, --decision with --rationale, "
				   "--discovery, --blocker, --unblock N, --next or --note TEXT");
	if (second)
		return baton_error(ctx, BATON_EINVALID, "log: one entry at a time: --%s and --%s were both given", kind, second);
	if (strcmp(kind, "decision") && (rationale || context))
		return baton_error(ctx, BATON_EINVALID, "log: --%s belongs to a --decision", rationale ? "rationale" : "context");
	if (!strcmp(kind, "decision") && (!rationale || !rationale[strspn(rationale, " \t\r\n")]))
		return baton_error(ctx, BATON_EINVALID,
				   "log: a decision needs its rationale: add --rationale \"why this choice\"");
	int64_t n = baton_json_int(args, "unblock", 0);
	if (!strcmp(kind, "unblock") && n < 1)
		return baton_error(ctx, BATON_EINVALID, "log: --unblock takes a blocker number (1, 2, …; see baton view --blockers)");

	cJSON *s = NULL, *journal = NULL, *entry = NULL, *step = NULL;
	char *text = NULL, *why = NULL, *ctxt = NULL;
	enum baton_step_match how = BATON_STEP_NONE;
	int rc = 0;
	char what[32];
	snprintf(what, sizeof what, "--%s text", kind);
	if ((strcmp(kind, "unblock") && (rc = clean_text(ctx, &text, baton_json_str(args, kind), "log", what))) ||
	    (rationale && (rc = clean_text(ctx, &why, rationale, "log", "--rationale text"))) ||
	    (context && (rc = clean_text(ctx, &ctxt, context, "log", "--context text"))))
		goto out;
	if ((rc = resolve(ctx, &s, baton_json_str(args, "session"), "log", 0)) || (rc = check_open(ctx, s, "log")))
		goto out;
	if ((rc = baton_journal_load(ctx, &journal, s)))
		goto out;

	entry = cJSON_CreateObject();
	baton_json_add_str(entry, "kind", kind);
	const cJSON *ref = NULL;
	if (!strcmp(kind, "unblock")) {
		const cJSON *b = cJSON_GetArrayItem(baton_json_arr(journal, "blockers"), (int)n - 1);
		if (!b || n > cJSON_GetArraySize(baton_json_arr(journal, "blockers"))) {
			rc = baton_error(ctx, BATON_EINVALID, "log: session '%s' has no blocker %lld (it has %d; see baton view --blockers)",
					 baton_json_str(s, "id"), (long long)n, cJSON_GetArraySize(baton_json_arr(journal, "blockers")));
			goto out;
		}
		if (strcmp(baton_json_str(b, "status"), "open")) {
			rc = baton_error(ctx, BATON_EINVALID, "log: blocker %lld of session '%s' is already resolved", (long long)n,
					 baton_json_str(s, "id"));
			goto out;
		}
		baton_json_add_str(entry, "text", baton_json_str(b, "text"));
		baton_json_add_str(entry, "ref", baton_json_str(b, "id"));
		baton_json_add_int(entry, "n", n);
	} else {
		baton_json_add_str(entry, "text", text);
		if (!strcmp(kind, "progress") || !strcmp(kind, "next"))
			ref = baton_journal_find_step(journal, text);
		else if (!strcmp(kind, "done"))
			ref = baton_journal_match_step(journal, text, &how);
		if (ref)
			baton_json_add_str(entry, "ref", baton_json_str(ref, "id"));
		if (!strcmp(kind, "decision")) {
			baton_json_add_str(entry, "rationale", why);
			baton_json_add_str(entry, "context",
					   ctxt ? ctxt : baton_json_str(baton_json_obj(journal, "progress"), "current"));
		}
	}
	reactivate(s);
	cJSON *after = NULL;
	rc = record(ctx, s, entry, out, &after);
	s = entry = NULL;
	if (rc)
		goto out;
	/* what the entry did to the steps, for the caller to show */
	if (!strcmp(kind, "progress") || !strcmp(kind, "next") || !strcmp(kind, "done")) {
		const char *want = ref ? baton_json_str(ref, "id") : baton_json_str(baton_json_obj(*out, "entry"), "id");
		const cJSON *st;
		cJSON_ArrayForEach(st, baton_json_arr(after, "steps"))
			if (want && !step && !strcmp(baton_json_str(st, "id"), want))
				step = cJSON_Duplicate(st, 1);
	}
	cJSON_Delete(after);
	if (step)
		cJSON_AddItemToObject(*out, "step", step);
	else
		cJSON_AddNullToObject(*out, "step");
	step = NULL;
	baton_json_add_str(*out, "match", !strcmp(kind, "done") ? match_name(how) : NULL);
out:
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	cJSON_Delete(s);
	cJSON_Delete(journal);
	cJSON_Delete(entry);
	cJSON_Delete(step);
	free(text);
	free(why);
	free(ctxt);
	return rc;
}

/* ---- checkpoint, pause, close --------------------------------------------------- */

static const struct baton_arg checkpoint_args[] = {
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "session id, id prefix or short name (default: this repo's active one)" },
	{ "note", BATON_ARG_STRING, 0, 0, NULL, "what the checkpoint marks" },
	{ "pre_compact", BATON_ARG_BOOL, 0, 0, NULL, "the agent's context is about to be compacted: count it" },
	{ NULL },
};

/* The optional note of a lifecycle entry: absent is fine, blank is a mistake. */
static int optional_text(struct baton_ctx *ctx, char **out, const cJSON *args, const char *key, const char *verb)
{
	*out = NULL;
	const char *v = baton_json_str(args, key);
	if (!v)
		return 0;
	char what[32];
	snprintf(what, sizeof what, "--%s text", key);
	return clean_text(ctx, out, v, verb, what);
}

void baton_journal_checkpoint_session(cJSON *session, bool pre_compact)
{
	int64_t cc = baton_json_int(session, "compaction_count", 0) + (pre_compact ? 1 : 0);
	baton_json_set(session, "compaction_count", cJSON_CreateNumber((double)cc));
	reactivate(session);
}

int baton_journal_checkpoint(struct baton_ctx *ctx, cJSON *session, const char *note, bool pre_compact, bool sync,
			     cJSON **out, cJSON **out_session)
{
	baton_journal_checkpoint_session(session, pre_compact);
	int64_t cc = baton_json_int(session, "compaction_count", 0);
	cJSON *e = cJSON_CreateObject();
	baton_json_add_str(e, "kind", "checkpoint");
	baton_json_add_str(e, "text", note);
	baton_json_add_bool(e, "pre_compact", pre_compact);
	baton_json_add_int(e, "compaction", cc);
	return record_opt(ctx, session, e, out, NULL, out_session, sync);
}

static int op_checkpoint(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s = NULL;
	char *note = NULL;
	bool pre = baton_json_bool(args, "pre_compact", false);
	int rc;
	if ((rc = optional_text(ctx, &note, args, "note", "checkpoint")))
		return rc;
	if ((rc = resolve(ctx, &s, baton_json_str(args, "session"), "checkpoint", 0)) ||
	    (rc = check_open(ctx, s, "checkpoint")) || (rc = baton_session_refresh(ctx, s)))
		goto out;
	rc = baton_journal_checkpoint(ctx, s, note, pre, true, out, NULL);
	s = NULL;
out:
	cJSON_Delete(s);
	free(note);
	return rc;
}

static const struct baton_arg pause_args[] = {
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "session id, id prefix or short name (default: this repo's active one)" },
	{ "note", BATON_ARG_STRING, 0, 0, NULL, "where things stand, for whoever resumes" },
	{ NULL },
};

static int op_pause(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s = NULL;
	char *note = NULL;
	int rc;
	if ((rc = optional_text(ctx, &note, args, "note", "pause")))
		return rc;
	if ((rc = resolve(ctx, &s, baton_json_str(args, "session"), "pause", 0)) || (rc = check_open(ctx, s, "pause")) ||
	    (rc = baton_session_refresh(ctx, s)))
		goto out;
	baton_json_set(s, "status", cJSON_CreateString("paused"));
	cJSON *e = cJSON_CreateObject();
	baton_json_add_str(e, "kind", "pause");
	baton_json_add_str(e, "text", note);
	rc = record(ctx, s, e, out, NULL);
	s = NULL;
out:
	cJSON_Delete(s);
	free(note);
	return rc;
}

static const struct baton_arg close_args[] = {
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "session id, id prefix or short name (default: this repo's active one)" },
	{ "complete", BATON_ARG_BOOL, 0, 0, NULL, "the objective is met" },
	{ "abandon", BATON_ARG_BOOL, 0, 0, NULL, "the work is dropped (needs --reason)" },
	{ "reason", BATON_ARG_STRING, 0, 0, NULL, "why it is closed (required with --abandon)" },
	{ NULL },
};

static int op_close(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	bool complete = baton_json_bool(args, "complete", false), abandon = baton_json_bool(args, "abandon", false);
	cJSON *s = NULL;
	char *reason = NULL;
	int rc;
	if (complete == abandon)
		return baton_error(ctx, BATON_EINVALID, "close: say how it ends: --complete, or --abandon --reason \"why\"");
	if (abandon && !baton_json_str(args, "reason"))
		return baton_error(ctx, BATON_EINVALID, "close: abandoning needs a reason: add --reason \"why\"");
	if ((rc = optional_text(ctx, &reason, args, "reason", "close")))
		return rc;
	if ((rc = resolve(ctx, &s, baton_json_str(args, "session"), "close", 0)))
		goto out;
	if (is_closed(baton_json_str(s, "status"))) {
		rc = baton_error(ctx, BATON_EINVALID, "close: session '%s' is already %s", baton_json_str(s, "id"),
				 baton_json_str(s, "status"));
		goto out;
	}
	if ((rc = baton_session_refresh(ctx, s)))
		goto out;
	const char *outcome = complete ? "completed" : "abandoned";
	baton_json_set(s, "status", cJSON_CreateString(outcome));
	baton_json_set(s, "close_reason", reason ? cJSON_CreateString(reason) : cJSON_CreateNull());
	cJSON *e = cJSON_CreateObject();
	baton_json_add_str(e, "kind", "close");
	baton_json_add_str(e, "text", reason);
	baton_json_add_str(e, "outcome", outcome);
	rc = record(ctx, s, e, out, NULL);
	s = NULL;
out:
	cJSON_Delete(s);
	free(reason);
	return rc;
}

/* ---- view ----------------------------------------------------------------------- */

static const struct baton_arg view_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_POSITIONAL, 0, "session", "session id, id prefix or short name (default: this repo's)" },
	{ "progress", BATON_ARG_BOOL, 0, 0, NULL, "only the progress: completed, in progress, remaining" },
	{ "decisions", BATON_ARG_BOOL, 0, 0, NULL, "only the decisions" },
	{ "discoveries", BATON_ARG_BOOL, 0, 0, NULL, "only the discoveries" },
	{ "blockers", BATON_ARG_BOOL, 0, 0, NULL, "only the blockers" },
	{ "next", BATON_ARG_BOOL, 0, 0, NULL, "only the next steps" },
	{ NULL },
};

static const struct {
	const char *arg;
	unsigned section;
	const char *keys[3];
} view_filters[] = {
	{ "progress", BATON_JOURNAL_PROGRESS, { "progress", "steps", NULL } },
	{ "decisions", BATON_JOURNAL_DECISIONS, { "decisions", NULL, NULL } },
	{ "discoveries", BATON_JOURNAL_DISCOVERIES, { "discoveries", NULL, NULL } },
	{ "blockers", BATON_JOURNAL_BLOCKERS, { "blockers", NULL, NULL } },
	{ "next", BATON_JOURNAL_NEXT, { "next", NULL, NULL } },
};

static int op_view(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s = NULL, *journal = NULL;
	struct strbuf md = STRBUF_INIT;
	unsigned sections = 0;
	int rc;
	for (size_t i = 0; i < sizeof view_filters / sizeof view_filters[0]; i++)
		if (baton_json_bool(args, view_filters[i].arg, false))
			sections |= view_filters[i].section;
	if ((rc = resolve(ctx, &s, baton_json_str(args, "id"), "view", 1)) || (rc = baton_journal_load(ctx, &journal, s)))
		goto out;
	if (baton_journal_render(&md, s, journal, sections ? sections : BATON_JOURNAL_ALL)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "session_id", baton_json_str(s, "id"));
	baton_json_add_str(o, "shortname", baton_json_str(s, "shortname"));
	baton_json_add_str(o, "status", baton_json_str(s, "status"));
	char *path = doc_path(ctx, s);
	baton_json_add_str(o, "path", path);
	free(path);
	cJSON *secs = cJSON_AddArrayToObject(o, "sections");
	if (!sections) {
		cJSON_AddItemToObject(o, "journal", journal);
		journal = NULL;
	} else {
		cJSON *j = cJSON_AddObjectToObject(o, "journal");
		baton_json_add_copy(j, "tldr", cJSON_GetObjectItem(journal, "tldr"));
		for (size_t i = 0; i < sizeof view_filters / sizeof view_filters[0]; i++) {
			if (!(sections & view_filters[i].section))
				continue;
			cJSON_AddItemToArray(secs, cJSON_CreateString(view_filters[i].arg));
			for (int k = 0; k < 3 && view_filters[i].keys[k]; k++)
				baton_json_add_copy(j, view_filters[i].keys[k], cJSON_GetObjectItem(journal, view_filters[i].keys[k]));
		}
	}
	baton_json_add_str(o, "markdown", md.buf);
	*out = o;
out:
	cJSON_Delete(s);
	cJSON_Delete(journal);
	baton_strbuf_release(&md);
	return rc;
}

static const struct baton_arg view_list_args[] = {
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "at most N sessions (default 20, 0: all)" },
	{ "status", BATON_ARG_STRING, 0, 0, NULL, "only sessions with this status" },
	{ NULL },
};

static int op_view_list(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	int64_t limit = baton_json_int(args, "limit", DEFAULT_LIST_LIMIT);
	const char *status = baton_json_str(args, "status");
	if (limit < 0)
		return baton_error(ctx, BATON_EINVALID, "view list: --limit must be 0 or more");
	if (status && !baton_session_status_valid(status))
		return baton_error(ctx, BATON_EINVALID,
				   "view list: unknown status '%s' (active, paused, handoff_ready, completed, abandoned, expired, archived)",
				   status);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT json FROM sessions WHERE deleted = 0 AND (?1 IS NULL OR status = ?1)"
		" ORDER BY updated_at DESC, id DESC LIMIT ?2");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, limit ? limit : -1);
	/* collect first: folding reads the index through the same statement cache */
	cJSON *found = cJSON_CreateArray();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *s = cJSON_Parse(baton_col_text(st, 0));
		if (s)
			cJSON_AddItemToArray(found, s);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cJSON_Delete(found);
		return baton_index_error(ctx, "list sessions");
	}
	cJSON *o = cJSON_CreateObject();
	baton_json_add_int(o, "count", cJSON_GetArraySize(found));
	cJSON *arr = cJSON_AddArrayToObject(o, "sessions");
	const cJSON *s;
	int rc = 0;
	cJSON_ArrayForEach(s, found) {
		cJSON *j = NULL;
		if ((rc = baton_journal_load(ctx, &j, s)))
			break;
		const cJSON *b;
		int open = 0;
		cJSON_ArrayForEach(b, baton_json_arr(j, "blockers"))
			open += !strcmp(baton_json_str(b, "status"), "open");
		cJSON *x = cJSON_CreateObject();
		baton_json_add_str(x, "id", baton_json_str(s, "id"));
		baton_json_add_str(x, "shortname", baton_json_str(s, "shortname"));
		baton_json_add_str(x, "status", baton_json_str(s, "status"));
		baton_json_add_str(x, "updated_at", baton_json_str(s, "updated_at"));
		baton_json_add_str(x, "objective", baton_json_str(s, "objective"));
		baton_json_add_copy(x, "progress", baton_json_obj(j, "progress"));
		baton_json_add_int(x, "open_blockers", open);
		baton_json_add_int(x, "entries", baton_json_int(j, "entries", 0));
		baton_json_add_int(x, "compaction_count", baton_json_int(s, "compaction_count", 0));
		baton_json_add_str(x, "tldr", baton_json_str(j, "tldr"));
		char *path = doc_path(ctx, s);
		baton_json_add_str(x, "path", path);
		free(path);
		cJSON_AddItemToArray(arr, x);
		cJSON_Delete(j);
	}
	cJSON_Delete(found);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return 0;
}

const struct baton_op baton_journal_ops[] = {
	{ "journal.log", "log", "session_log",
	  "log [--session ID] (--progress TEXT | --done TEXT | --decision TEXT --rationale TEXT [--context TEXT] | "
	  "--discovery TEXT | --blocker TEXT | --unblock N | --next TEXT | --note TEXT)",
	  "add an entry to the session's journal: progress, done, decision, discovery, blocker, next step, note",
	  log_args, BATON_OP_MUTATES, op_log },
	{ "journal.checkpoint", "checkpoint", "session_checkpoint", "checkpoint [--session ID] [--note TEXT] [--pre-compact]",
	  "refresh the session's snapshot (git state, recent changes) and its TL;DR; --pre-compact counts a compaction",
	  checkpoint_args, BATON_OP_MUTATES, op_checkpoint },
	{ "journal.pause", "pause", "session_pause", "pause [--session ID] [--note TEXT]",
	  "checkpoint the session and mark it paused (the next entry resumes it)", pause_args, BATON_OP_MUTATES, op_pause },
	{ "journal.close", "close", "session_close", "close [--session ID] (--complete | --abandon --reason TEXT)",
	  "close the session as completed or abandoned, and archive its document", close_args, BATON_OP_MUTATES, op_close },
	{ "journal.view", "view", "session_view",
	  "view [ID] [--progress] [--decisions] [--discoveries] [--blockers] [--next]",
	  "the session's journal rendered as markdown (with --json: the structured journal)", view_args, 0, op_view },
	{ "journal.view_list", "view list", "session_view_list", "view list [--limit N] [--status S]",
	  "sessions with their journal progress, blockers and TL;DR", view_list_args, 0, op_view_list },
	{ NULL },
};
