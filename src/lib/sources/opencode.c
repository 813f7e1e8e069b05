/* opencode (formats.md §4): the SQLite database of 1.2+ ($XDG_DATA_HOME/opencode/
 * opencode*.db) and the JSON storage/ tree the versions before it wrote (users who
 * upgraded keep it: v1.16 dropped the migration into the database).
 *
 * Both are exported as the same JSONL lines {session, message, part}, archived and
 * parsed by one function (normalise), so a conversation reads the same from either,
 * keyed by part id: a session present in both is one conversation, and the tree's
 * lines yield to rows the database already gave (baton_msg.yield).
 *
 * The database belongs to a running agent: it is opened read-only (WAL readers never
 * block its writer), with a short busy timeout, and as immutable only when a
 * read-only open is refused. Parts changed after the watermark (time_updated, ms)
 * are exported; a part written again (a tool call completing) updates its message.
 *
 * The tree is one transcript: its watermark is the newest inode change time (ns) of
 * the message and part files exported (µs), plus a small map of the files at exactly
 * that time and a hash of their bytes (a file rewritten within one clock tick keeps
 * its time), kept in the state under "export". ctime, not mtime: a copy that preserves mtimes still moves ctime forward. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/fsutil.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"

#define STEP (8 * 1024 * 1024)         /* JSONL bytes per chunk (one archive step) */
#define MAX_FILE (8 * 1024 * 1024)     /* a tree file larger than this is skipped */
#define MAX_SESSION_FILE (1024 * 1024)
#define MAX_MARK 4096                  /* files remembered at the watermark's instant */

/* ---- where ---------------------------------------------------------------------- */

static bool has_dir(const char *dir, const char *name)
{
	char *p = baton_path_join(dir, name);
	bool r = p && baton_is_dir(p);
	free(p);
	return r;
}

/* A storage tree holds message/ (or at least session/) directories. */
static bool is_tree(const char *dir)
{
	return has_dir(dir, "message") || has_dir(dir, "session");
}

/* dir itself when it is a storage tree, dir/storage when it is the data dir. */
static char *locate(const char *dir)
{
	if (!baton_is_dir(dir))
		return NULL;
	if (is_tree(dir) && !has_dir(dir, "storage"))
		return strdup(dir);
	char *st = baton_path_join(dir, "storage");
	if (st && baton_is_dir(st) && is_tree(st))
		return st;
	free(st);
	return NULL;
}

static bool claims(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (!strncmp(b, "opencode", 8) && n > 3 && !strcmp(b + n - 3, ".db"))
		return true;
	char *t = locate(path);
	free(t);
	return t != NULL;
}

static int discover(struct baton_ctx *ctx, const struct baton_source_roots *roots,
		    int (*found)(void *ud, const char *path), void *ud)
{
	(void)ctx;
	if (!roots->opencode_dir)
		return 0;
	int rc = baton_walk(roots->opencode_dir, 0, "opencode", ".db", found, ud);
	/* after the databases: the tree's lines yield to theirs either way, but reading
	 * the database first spares rewriting rows */
	char *tree = rc ? NULL : locate(roots->opencode_dir);
	if (tree)
		rc = found(ud, tree);
	free(tree);
	return rc;
}

/* ---- the database ----------------------------------------------------------------- */

static sqlite3 *open_ro(const char *path)
{
	sqlite3 *db = NULL;
	struct strbuf uri = STRBUF_INIT;
	for (int pass = 0; pass < 2; pass++) {
		baton_strbuf_reset(&uri);
		baton_strbuf_adds(&uri, "file:");
		for (const char *p = path; *p; p++) {
			if (*p == '?' || *p == '#' || *p == '%')
				baton_strbuf_addf(&uri, "%%%02X", (unsigned char)*p);
			else
				baton_strbuf_addch(&uri, *p);
		}
		baton_strbuf_adds(&uri, pass ? "?immutable=1" : "?mode=ro");
		if (sqlite3_open_v2(uri.buf, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
		    sqlite3_exec(db, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL) == SQLITE_OK)
			break;
		sqlite3_close(db);
		db = NULL;
	}
	baton_strbuf_release(&uri);
	if (db)
		sqlite3_busy_timeout(db, 200);
	return db;
}

/* data JSON of a row with its id put back (opencode strips ids out of `data`). */
static cJSON *with_id(const char *data, const char *id)
{
	cJSON *o = data ? cJSON_Parse(data) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	baton_json_set(o, "id", cJSON_CreateString(id ? id : ""));
	return o;
}

static int export_db(struct baton_ctx *ctx, const char *path, int64_t since,
		     int (*chunk)(void *ud, const char *lines, size_t len, int64_t next), void *ud)
{
	sqlite3 *db = open_ro(path);
	sqlite3_stmt *st = NULL;
	struct strbuf out = STRBUF_INIT;
	int rc = 0;
	if (!db)
		return 0; /* locked out or not a database: try again next time */
	if (sqlite3_prepare_v2(db,
		"SELECT p.id, p.time_updated, p.data, m.id, m.data, s.id, s.directory, s.title"
		" FROM part p JOIN message m ON m.id = p.message_id JOIN session s ON s.id = p.session_id"
		" WHERE p.time_updated > ?1 ORDER BY p.time_updated, p.id", -1, &st, NULL) != SQLITE_OK)
		goto out; /* another schema: nothing we know how to read */
	sqlite3_bind_int64(st, 1, since);
	int64_t last_t = since;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(st, 1);
		/* cut between timestamps so a watermark never splits a millisecond */
		if (out.len >= STEP && t != last_t) {
			if ((rc = chunk(ud, out.buf, out.len, last_t)))
				goto out;
			baton_strbuf_reset(&out);
		}
		cJSON *line = cJSON_CreateObject();
		cJSON *s = cJSON_AddObjectToObject(line, "session");
		baton_json_add_str(s, "id", (const char *)sqlite3_column_text(st, 5));
		baton_json_add_str(s, "directory", (const char *)sqlite3_column_text(st, 6));
		baton_json_add_str(s, "title", (const char *)sqlite3_column_text(st, 7));
		cJSON_AddItemToObject(line, "message", with_id((const char *)sqlite3_column_text(st, 4),
							      (const char *)sqlite3_column_text(st, 3)));
		cJSON_AddItemToObject(line, "part", with_id((const char *)sqlite3_column_text(st, 2),
							   (const char *)sqlite3_column_text(st, 0)));
		baton_json_add_int(line, "time_updated", t);
		int r = baton_json_append(&out, line);
		cJSON_Delete(line);
		if (r || baton_strbuf_addch(&out, '\n')) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		last_t = t;
	}
	if (out.len)
		rc = chunk(ud, out.buf, out.len, last_t);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	baton_strbuf_release(&out);
	return rc;
}

/* ---- the JSON tree ------------------------------------------------------------------ */

struct ent {
	char *name;
	int64_t ctime;
	int64_t size;
	bool dir;
};

static void ents_free(struct ent *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* Microseconds: the watermark travels through JSON (archive metadata), whose
 * numbers are doubles, exact only below 2^53. */
static int64_t ctime_us(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000 + (int64_t)st->st_ctim.tv_nsec / 1000;
}

/* The directories and *.json regular files in dir, sorted; a missing dir has none.
 * Symbolic links are not followed. Returns 0 or BATON_ENOMEM. */
static int list(const char *dir, struct ent **out, size_t *n_out)
{
	struct ent *v = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;
	*out = NULL;
	*n_out = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		bool isdir = S_ISDIR(st.st_mode);
		if (!isdir && !(S_ISREG(st.st_mode) && len > 5 && !strcmp(e->d_name + len - 5, ".json")))
			continue;
		if (n == alloc) {
			size_t a = alloc ? alloc * 2 : 16;
			struct ent *p = realloc(v, a * sizeof *p);
			if (!p) {
				rc = BATON_ENOMEM;
				break;
			}
			v = p;
			alloc = a;
		}
		/* the stem: ids are file names without .json */
		if (!(v[n].name = strndup(e->d_name, isdir ? len : len - 5))) {
			rc = BATON_ENOMEM;
			break;
		}
		v[n].ctime = ctime_us(&st);
		v[n].size = (int64_t)st.st_size;
		v[n].dir = isdir;
		n++;
	}
	closedir(d);
	if (rc) {
		ents_free(v, n);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof *v, ent_cmp);
	*out = v;
	*n_out = n;
	return 0;
}

/* A file's bytes, at most cap: 0 read, 1 skipped (unreadable, too large), or
 * BATON_ENOMEM. The size is checked before reading, and the read stops at the cap
 * whatever the file grew to meanwhile. */
static int slurp(const char *path, struct strbuf *sb, size_t cap)
{
	struct stat st;
	baton_strbuf_reset(sb);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)cap) {
		close(fd);
		return 1;
	}
	char buf[65536];
	int rc = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0;
			break;
		}
		if (sb->len + (size_t)r > cap) {
			rc = 1;
			break;
		}
		if (baton_strbuf_add(sb, buf, (size_t)r)) {
			rc = BATON_ENOMEM;
			break;
		}
	}
	close(fd);
	if (rc)
		baton_strbuf_reset(sb);
	return rc;
}

struct sess {
	char *sid;
	char *path;       /* session/<project>/<sid>.json */
	int64_t ctime;
	bool loaded;
	char *directory, *title;
};

/* One part file to export: part/<mid>/<pid>.json of message/<sid>/<mid>.json. An
 * orphan (no message file) is only counted. */
struct cand {
	int64_t eff;      /* the later change time of the part and its message */
	char *sid, *mid, *pid;
};

struct tree {
	const char *root;
	int64_t since;
	const cJSON *old_at;   /* file → hash at the old watermark */
	struct sess *sess;
	size_t nsess, asess;
	struct cand *c;
	size_t n, alloc;
	char **mids;
	size_t nmids, amids;
	struct strbuf mraw, praw;
};

static void tree_release(struct tree *t)
{
	for (size_t i = 0; i < t->nsess; i++) {
		free(t->sess[i].sid);
		free(t->sess[i].path);
		free(t->sess[i].directory);
		free(t->sess[i].title);
	}
	free(t->sess);
	for (size_t i = 0; i < t->n; i++) {
		free(t->c[i].sid);
		free(t->c[i].mid);
		free(t->c[i].pid);
	}
	free(t->c);
	for (size_t i = 0; i < t->nmids; i++)
		free(t->mids[i]);
	free(t->mids);
	baton_strbuf_release(&t->mraw);
	baton_strbuf_release(&t->praw);
}

static char *path3(const char *root, const char *a, const char *b, const char *c)
{
	struct strbuf sb = STRBUF_INIT;
	if (baton_strbuf_addf(&sb, "%s/%s/%s/%s%s", root, a, b, c, c[0] ? ".json" : "")) {
		baton_strbuf_release(&sb);
		return NULL;
	}
	return baton_strbuf_detach(&sb);
}

/* Hash of a candidate's bytes (message then part; unreadable ones count as empty),
 * as 16 hex digits: what tells a file rewritten at the watermark's instant. */
static int cand_hash(struct tree *t, const struct cand *c, bool read, char out[17])
{
	if (read) {
		int r;
		baton_strbuf_reset(&t->mraw);
		char *mp = c->sid ? path3(t->root, "message", c->sid, c->mid) : NULL;
		char *pp = path3(t->root, "part", c->mid, c->pid);
		if ((c->sid && !mp) || !pp) {
			free(mp);
			free(pp);
			return BATON_ENOMEM;
		}
		r = mp ? slurp(mp, &t->mraw, MAX_FILE) : 0;
		if (r >= 0)
			r = slurp(pp, &t->praw, MAX_FILE);
		free(mp);
		free(pp);
		if (r < 0)
			return r;
	}
	uint64_t h = baton_hash64(t->mraw.buf, t->mraw.len, 0);
	h = baton_hash64("\n", 1, h);
	h = baton_hash64(t->praw.buf, t->praw.len, h);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return 0;
}

static void mark_key(char *buf, size_t n, const struct cand *c)
{
	snprintf(buf, n, "%s/%s", c->mid, c->pid);
}

/* Keep the part when it changed after the watermark, or at its instant with other
 * bytes than were read then. Takes the strings (freed when not kept). */
static int consider(struct tree *t, int64_t eff, bool orphan, char *sid, char *mid, char *pid)
{
	struct cand c = { eff, sid, mid, pid };
	int rc = 0;
	if (!mid || !pid || (!orphan && !sid)) {
		rc = BATON_ENOMEM;
		goto drop;
	}
	if (eff < t->since)
		goto drop;
	if (eff == t->since) {
		char h[17], key[512];
		if ((rc = cand_hash(t, &c, true, h)))
			goto drop;
		mark_key(key, sizeof key, &c);
		const char *old = baton_json_str(t->old_at, key);
		if (old && !strcmp(old, h))
			goto drop;
	}
	if (t->n == t->alloc) {
		size_t a = t->alloc ? t->alloc * 2 : 256;
		struct cand *p = realloc(t->c, a * sizeof *p);
		if (!p) {
			rc = BATON_ENOMEM;
			goto drop;
		}
		t->c = p;
		t->alloc = a;
	}
	t->c[t->n++] = c;
	return 0;
drop:
	free(sid);
	free(mid);
	free(pid);
	return rc;
}

static int add_str(char ***v, size_t *n, size_t *alloc, const char *s)
{
	if (*n == *alloc) {
		size_t a = *alloc ? *alloc * 2 : 256;
		char **p = realloc(*v, a * sizeof *p);
		if (!p)
			return BATON_ENOMEM;
		*v = p;
		*alloc = a;
	}
	if (!((*v)[*n] = strdup(s)))
		return BATON_ENOMEM;
	(*n)++;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sess_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sess *)a)->sid, ((const struct sess *)b)->sid);
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int r = strcmp(x->mid, y->mid);
	return r ? r : strcmp(x->pid, y->pid);
}

/* session/<project>/<sid>.json: where each session's facts are. */
static int scan_sessions(struct tree *t)
{
	struct ent *pe = NULL, *se = NULL;
	size_t np = 0, ns = 0;
	char *dir = baton_path_join(t->root, "session");
	int rc = dir ? list(dir, &pe, &np) : BATON_ENOMEM;
	for (size_t i = 0; i < np && !rc; i++) {
		if (!pe[i].dir)
			continue;
		char *pd = baton_path_join(dir, pe[i].name);
		if (!pd || (rc = list(pd, &se, &ns))) {
			rc = BATON_ENOMEM;
			free(pd);
			break;
		}
		for (size_t j = 0; j < ns && !rc; j++) {
			if (se[j].dir)
				continue;
			if (t->nsess == t->asess) {
				size_t a = t->asess ? t->asess * 2 : 64;
				struct sess *p = realloc(t->sess, a * sizeof *p);
				if (!p) {
					rc = BATON_ENOMEM;
					break;
				}
				t->sess = p;
				t->asess = a;
			}
			struct sess *s = &t->sess[t->nsess];
			memset(s, 0, sizeof *s);
			s->sid = strdup(se[j].name);
			s->path = path3(t->root, "session", pe[i].name, se[j].name);
			s->ctime = se[j].ctime;
			t->nsess++;
			if (!s->sid || !s->path)
				rc = BATON_ENOMEM;
		}
		ents_free(se, ns);
		se = NULL;
		free(pd);
	}
	ents_free(pe, np);
	free(dir);
	if (!rc && t->nsess)
		qsort(t->sess, t->nsess, sizeof *t->sess, sess_cmp);
	return rc;
}

/* message/<sid>/<mid>.json and their part/<mid>/<pid>.json, then parts whose message
 * is missing. */
static int scan_parts(struct tree *t)
{
	struct ent *se = NULL, *me = NULL, *pe = NULL;
	size_t ns = 0, nm = 0, np = 0;
	char *mdir = baton_path_join(t->root, "message"), *pdir = baton_path_join(t->root, "part");
	int rc = mdir && pdir ? list(mdir, &se, &ns) : BATON_ENOMEM;
	for (size_t i = 0; i < ns && !rc; i++) {
		if (!se[i].dir)
			continue;
		char *sd = baton_path_join(mdir, se[i].name);
		if (!sd || list(sd, &me, &nm)) {
			free(sd);
			rc = BATON_ENOMEM;
			break;
		}
		for (size_t j = 0; j < nm && !rc; j++) {
			if (me[j].dir)
				continue;
			if ((rc = add_str(&t->mids, &t->nmids, &t->amids, me[j].name)))
				break;
			char *pd = baton_path_join(pdir, me[j].name);
			if (!pd || list(pd, &pe, &np)) {
				free(pd);
				rc = BATON_ENOMEM;
				break;
			}
			for (size_t k = 0; k < np && !rc; k++) {
				if (pe[k].dir)
					continue;
				int64_t eff = pe[k].ctime > me[j].ctime ? pe[k].ctime : me[j].ctime;
				rc = consider(t, eff, false, strdup(se[i].name), strdup(me[j].name), strdup(pe[k].name));
			}
			ents_free(pe, np);
			pe = NULL;
			free(pd);
		}
		ents_free(me, nm);
		me = NULL;
		free(sd);
	}
	ents_free(se, ns);
	se = NULL;
	if (!rc && t->nmids)
		qsort(t->mids, t->nmids, sizeof *t->mids, str_cmp);
	/* orphans: counted (skipped with a warning) once, when new */
	ns = 0;
	if (!rc)
		rc = list(pdir, &se, &ns);
	for (size_t i = 0; i < ns && !rc; i++) {
		const char *key = se[i].name;
		if (!se[i].dir || (t->nmids && bsearch(&key, t->mids, t->nmids, sizeof *t->mids, str_cmp)))
			continue;
		char *pd = baton_path_join(pdir, se[i].name);
		if (!pd || list(pd, &pe, &np)) {
			free(pd);
			rc = BATON_ENOMEM;
			break;
		}
		for (size_t k = 0; k < np && !rc; k++)
			if (!pe[k].dir)
				rc = consider(t, pe[k].ctime, true, NULL, strdup(se[i].name), strdup(pe[k].name));
		ents_free(pe, np);
		pe = NULL;
		free(pd);
	}
	ents_free(se, ns);
	free(mdir);
	free(pdir);
	return rc;
}

/* The facts of a session from its file, read once; NULL when it has none. */
static struct sess *session_of(struct tree *t, const char *sid, int64_t *bad)
{
	struct sess key = { .sid = (char *)sid };
	struct sess *s = t->nsess ? bsearch(&key, t->sess, t->nsess, sizeof *t->sess, sess_cmp) : NULL;
	if (!s || s->loaded)
		return s;
	s->loaded = true;
	struct strbuf raw = STRBUF_INIT;
	cJSON *o = NULL;
	if (slurp(s->path, &raw, MAX_SESSION_FILE) == 0)
		o = cJSON_ParseWithLength(raw.buf, raw.len);
	if (cJSON_IsObject(o)) {
		const char *d = baton_json_str(o, "directory"), *ti = baton_json_str(o, "title");
		s->directory = d ? strdup(d) : NULL;
		s->title = ti ? strdup(ti) : NULL;
	} else if (s->ctime > t->since) {
		(*bad)++; /* warned about when it changed, not at each new part */
	}
	cJSON_Delete(o);
	baton_strbuf_release(&raw);
	return s;
}

/* Ids missing from a file are taken from its name. */
static void ensure_id(cJSON *o, const char *key, const char *id)
{
	if (!baton_json_str(o, key))
		baton_json_set(o, key, cJSON_CreateString(id));
}

static int export_tree(struct baton_ctx *ctx, const char *root, int64_t since, cJSON *state, int64_t *bad,
		       int (*chunk)(void *ud, const char *lines, size_t len, int64_t next), void *ud)
{
	struct tree t = { .root = root, .since = since, .mraw = STRBUF_INIT, .praw = STRBUF_INIT };
	struct strbuf out = STRBUF_INIT;
	cJSON *tstate = baton_json_obj(state, "export"), *at = cJSON_CreateObject(), *msg = NULL;
	const char *cur_mid = NULL;
	bool msg_ok = false;
	int64_t max = since;
	int rc = 0;
	t.old_at = baton_json_obj(tstate, "at");
	if (!at || (rc = scan_sessions(&t)) || (rc = scan_parts(&t)))
		goto out;
	if (!t.n)
		goto out; /* nothing new: no step, no archive bytes */
	qsort(t.c, t.n, sizeof *t.c, cand_cmp);
	for (size_t i = 0; i < t.n; i++)
		if (t.c[i].eff > max)
			max = t.c[i].eff;
	if (max == since && t.old_at) { /* more files at the same instant: keep the old ones too */
		cJSON_Delete(at);
		if (!(at = cJSON_Duplicate(t.old_at, 1))) {
			rc = BATON_ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < t.n && !rc; i++) {
		struct cand *c = &t.c[i];
		if (!c->sid) {
			(*bad)++; /* a part without its message */
			baton_strbuf_reset(&t.mraw);
			cur_mid = NULL;
			msg_ok = false;
		}
		if (c->sid && (!cur_mid || strcmp(cur_mid, c->mid))) {
			char *mp = path3(root, "message", c->sid, c->mid);
			cJSON_Delete(msg);
			msg = NULL;
			if (!mp) {
				rc = BATON_ENOMEM;
				break;
			}
			int r = slurp(mp, &t.mraw, MAX_FILE);
			free(mp);
			if (r < 0) {
				rc = r;
				break;
			}
			msg = r ? NULL : cJSON_ParseWithLength(t.mraw.buf, t.mraw.len);
			msg_ok = cJSON_IsObject(msg);
			if (!msg_ok)
				(*bad)++; /* one warning for the message, not one per part */
			else
				ensure_id(msg, "id", c->mid);
			cur_mid = c->mid;
		}
		char *pp = path3(root, "part", c->mid, c->pid);
		if (!pp) {
			rc = BATON_ENOMEM;
			break;
		}
		int r = slurp(pp, &t.praw, MAX_FILE);
		free(pp);
		if (r < 0) {
			rc = r;
			break;
		}
		if (c->sid && msg_ok) {
			cJSON *part = r ? NULL : cJSON_ParseWithLength(t.praw.buf, t.praw.len);
			if (!cJSON_IsObject(part)) {
				(*bad)++;
			} else {
				struct sess *s = session_of(&t, c->sid, bad);
				ensure_id(part, "id", c->pid);
				cJSON *line = cJSON_CreateObject();
				cJSON *so = cJSON_AddObjectToObject(line, "session");
				baton_json_add_str(so, "id", c->sid);
				baton_json_add_str(so, "directory", s ? s->directory : NULL);
				baton_json_add_str(so, "title", s ? s->title : NULL);
				cJSON_AddItemReferenceToObject(line, "message", msg);
				cJSON_AddItemReferenceToObject(line, "part", part);
				baton_json_add_str(line, "store", "json");
				int e = baton_json_append(&out, line);
				cJSON_Delete(line);
				if (e || baton_strbuf_addch(&out, '\n'))
					rc = BATON_ENOMEM;
			}
			cJSON_Delete(part);
		}
		if (!rc && c->eff == max && cJSON_GetArraySize(at) < MAX_MARK) {
			char h[17], key[512];
			cand_hash(&t, c, false, h);
			mark_key(key, sizeof key, c);
			baton_json_set(at, key, cJSON_CreateString(h));
		}
		/* a step of bounded size; the watermark moves only with the last one, which
		 * is what a crash in between costs: reading these parts again */
		if (!rc && out.len >= STEP) {
			rc = chunk(ud, out.buf, out.len, since);
			baton_strbuf_reset(&out);
		}
	}
	if (rc)
		goto out;
	if (!tstate) {
		tstate = cJSON_CreateObject();
		cJSON_AddItemToObject(state, "export", tstate);
	}
	baton_json_set(tstate, "at", at);
	at = NULL;
	rc = chunk(ud, out.buf, out.len, max);
out:
	if (rc == BATON_ENOMEM)
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
	cJSON_Delete(msg);
	cJSON_Delete(at);
	tree_release(&t);
	baton_strbuf_release(&out);
	return rc;
}

static int export(struct baton_ctx *ctx, const char *path, int64_t since, cJSON *state, int64_t *bad,
		  int (*chunk)(void *ud, const char *lines, size_t len, int64_t next), void *ud)
{
	if (baton_is_dir(path))
		return export_tree(ctx, path, since, state, bad, chunk, ud);
	return export_db(ctx, path, since, chunk, ud);
}

/* ---- one part → messages ---------------------------------------------------------- */

static void ms_time(char *buf, int64_t ms)
{
	if (ms > 0)
		baton_time_format(buf, ms);
	else
		buf[0] = '\0';
}

/* The conversation facts linking needs, per session: one store holds them all. */
static cJSON *conversation(struct baton_reader *r, const cJSON *s, const char *sid)
{
	cJSON *convs = baton_json_obj(r->state, "convs");
	if (!convs)
		convs = cJSON_AddObjectToObject(r->state, "convs");
	cJSON *conv = baton_json_obj(convs, sid);
	if (!conv) {
		conv = cJSON_AddObjectToObject(convs, sid);
		baton_json_add_str(conv, "sid", sid);
		baton_json_add_str(conv, "cwd", baton_json_str(s, "directory"));
	} else if (!baton_json_str(conv, "cwd") && baton_json_str(s, "directory")) {
		baton_json_set(conv, "cwd", cJSON_CreateString(baton_json_str(s, "directory")));
	}
	if (baton_json_str(s, "title"))
		baton_json_set(conv, "title", cJSON_CreateString(baton_json_str(s, "title")));
	return conv;
}

/* One part of message m of session s, from either store. yield: the part comes from
 * the legacy tree, so a row the database gave for it stays. */
static int normalise(struct baton_reader *r, const cJSON *s, const cJSON *m, const cJSON *p, bool yield)
{
	const char *pid = baton_json_str(p, "id"), *type = baton_json_str(p, "type"), *role = baton_json_str(m, "role");
	const char *sid = baton_json_str(s, "id");
	cJSON *paths = NULL;
	char ts[BATON_TIME_LEN], key[160];
	int rc = 0;
	if (!pid || !sid)
		return 0;
	if (!type) {
		r->bad_lines++; /* a part of no known shape; a type we do not read is fine */
		return 0;
	}
	baton_reader_set(r, "sid", sid);
	cJSON *conv = conversation(r, s, sid);
	const cJSON *time = baton_json_obj(p, "time");
	int64_t ms = baton_json_int(time, "start", 0);
	if (!ms) /* a tool part keeps its times in its state */
		ms = baton_json_int(baton_json_obj(baton_json_obj(p, "state"), "time"), "start", 0);
	if (!ms)
		ms = baton_json_int(baton_json_obj(m, "time"), "created", 0);
	ms_time(ts, ms);
	snprintf(key, sizeof key, "%s#0", pid);
	struct baton_msg msg = { .key = key, .ts = ts[0] ? ts : NULL, .role = role ? role : "assistant", .yield = yield };
	if (ts[0]) {
		const char *f = baton_json_str(conv, "first"), *l = baton_json_str(conv, "last");
		if (!f || strcmp(ts, f) < 0)
			baton_json_set(conv, "first", cJSON_CreateString(ts));
		if (!l || strcmp(ts, l) > 0)
			baton_json_set(conv, "last", cJSON_CreateString(ts));
	}
	if (!strcmp(type, "text")) {
		msg.kind = "text";
		msg.text = baton_json_str(p, "text");
		msg.prompt = role && !strcmp(role, "user") && !baton_json_bool(p, "synthetic", false);
		if (msg.prompt && msg.text && !baton_json_str(conv, "prompt") && !baton_text_is_wrapper(msg.text)) {
			char buf[512];
			snprintf(buf, sizeof buf, "%s", msg.text);
			baton_json_set(conv, "prompt", cJSON_CreateString(buf));
		}
		if (msg.text)
			rc = baton_reader_emit(r, &msg);
	} else if (!strcmp(type, "reasoning")) {
		msg.kind = "thinking";
		msg.text = baton_json_str(p, "text");
		if (msg.text)
			rc = baton_reader_emit(r, &msg);
	} else if (!strcmp(type, "tool")) {
		const cJSON *state = baton_json_obj(p, "state");
		const cJSON *input = baton_json_obj(state, "input");
		const char *fp = baton_json_str(input, "filePath");
		if (fp) {
			paths = cJSON_CreateArray();
			cJSON_AddItemToArray(paths, cJSON_CreateString(fp));
		}
		char *in = input ? cJSON_PrintUnformatted(input) : NULL;
		msg.kind = "tool_use";
		msg.role = "assistant";
		msg.tool = baton_json_str(p, "tool");
		msg.paths = paths;
		msg.command = baton_json_str(input, "command");
		msg.text = in;
		rc = baton_reader_emit(r, &msg);
		cJSON_free(in);
		const char *status = baton_json_str(state, "status");
		const char *res = status && !strcmp(status, "completed") ? baton_json_str(state, "output")
				  : status && !strcmp(status, "error") ? baton_json_str(state, "error") : NULL;
		if (!rc && res) {
			snprintf(key, sizeof key, "%s#r", pid);
			int64_t end = baton_json_int(baton_json_obj(state, "time"), "end", 0);
			char ets[BATON_TIME_LEN];
			ms_time(ets, end);
			struct baton_msg rm = { .key = key, .ts = ets[0] ? ets : msg.ts, .role = "tool", .kind = "tool_result",
						.tool = msg.tool, .text = res, .yield = yield };
			rc = baton_reader_emit(r, &rm);
		}
	} else if (!strcmp(type, "compaction")) {
		msg.kind = "summary";
		msg.role = "system";
		msg.text = "Conversation compacted";
		rc = baton_reader_emit(r, &msg);
	}
	const cJSON *tok = baton_json_obj(m, "tokens");
	if (!rc && tok && role && !strcmp(role, "assistant")) {
		const cJSON *cache = baton_json_obj(tok, "cache");
		struct baton_usage u = {
			.key = baton_json_str(m, "id"),
			.model = baton_json_str(m, "modelID"),
			.input = baton_json_int(tok, "input", 0),
			.output = baton_json_int(tok, "output", 0),
			.reasoning = baton_json_int(tok, "reasoning", 0),
			.cache_read = baton_json_int(cache, "read", 0),
			.cache_write = baton_json_int(cache, "write", 0),
		};
		if (u.key)
			rc = baton_reader_usage(r, &u);
	}
	cJSON_Delete(paths);
	return rc;
}

/* One exported line {session, message, part[, store:"json"]}. */
static int parse_line(struct baton_reader *r, const char *line, size_t len)
{
	cJSON *rec = cJSON_ParseWithLength(line, len);
	int rc = 0;
	r->lines++;
	const cJSON *s = baton_json_obj(rec, "session"), *m = baton_json_obj(rec, "message"), *p = baton_json_obj(rec, "part");
	if (!s || !m || !p)
		r->bad_lines++;
	else
		rc = normalise(r, s, m, p, !strcmp(baton_json_str(rec, "store") ? baton_json_str(rec, "store") : "", "json"));
	cJSON_Delete(rec);
	return rc;
}

const struct baton_source baton_source_opencode = {
	.name = "opencode",
	.discover = discover,
	.claims = claims,
	.line = parse_line,
	.export = export,
	.locate = locate,
};
