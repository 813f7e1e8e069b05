/* opencode 1.2+: $XDG_DATA_HOME/opencode/opencode*.db, SQLite (formats.md §4).
 *
 * The database belongs to a running agent: it is opened read-only (WAL readers never
 * block its writer), with a short busy timeout, and as immutable only when a
 * read-only open is refused. Parts changed after the watermark (time_updated, ms)
 * are exported as JSONL lines {session, message, part}, archived and parsed like any
 * transcript; a part written again (a tool call completing) updates its message.
 * The pre-1.2 JSON storage tree is not read (see docs/transcripts.md). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"

#define MAX_EXPORT (32 * 1024 * 1024) /* per ingest; the rest comes next time */

static bool claims(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	return !strncmp(b, "opencode", 8) && n > 3 && !strcmp(b + n - 3, ".db");
}

static int discover(struct baton_ctx *ctx, const struct baton_source_roots *roots,
		    int (*found)(void *ud, const char *path), void *ud)
{
	if (!roots->opencode_dir)
		return 0;
	return baton_walk(roots->opencode_dir, 0, "opencode", ".db", found, ud);
}

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

static int export(struct baton_ctx *ctx, const char *path, int64_t since, struct strbuf *out, int64_t *next)
{
	sqlite3 *db = open_ro(path);
	sqlite3_stmt *st = NULL;
	int rc = 0;
	*next = since;
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
		/* stop between timestamps so the watermark never splits a millisecond */
		if (out->len > MAX_EXPORT && t != last_t)
			break;
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
		char *txt = cJSON_PrintUnformatted(line);
		cJSON_Delete(line);
		if (!txt || baton_strbuf_adds(out, txt) || baton_strbuf_addch(out, '\n')) {
			cJSON_free(txt);
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		cJSON_free(txt);
		last_t = t;
	}
	*next = last_t;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static void ms_time(char *buf, int64_t ms)
{
	if (ms > 0)
		baton_time_format(buf, ms);
	else
		buf[0] = '\0';
}

static int parse_line(struct baton_reader *r, const char *line, size_t len)
{
	cJSON *rec = cJSON_ParseWithLength(line, len);
	int rc = 0;
	r->lines++;
	if (!cJSON_IsObject(rec)) {
		r->bad_lines++;
		cJSON_Delete(rec);
		return 0;
	}
	const cJSON *s = baton_json_obj(rec, "session"), *m = baton_json_obj(rec, "message"), *p = baton_json_obj(rec, "part");
	const char *pid = baton_json_str(p, "id"), *type = baton_json_str(p, "type"), *role = baton_json_str(m, "role");
	struct strbuf sb = STRBUF_INIT;
	cJSON *paths = NULL, *conv = NULL;
	char ts[BATON_TIME_LEN], key[160];
	if (!s || !m || !pid || !type)
		goto out;
	/* one database holds every session: each line says whose it is, and the facts
	 * linking needs are kept per conversation in state.convs */
	const char *sid = baton_json_str(s, "id");
	if (!sid)
		goto out;
	baton_reader_set(r, "sid", sid);
	cJSON *convs = baton_json_obj(r->state, "convs");
	if (!convs)
		convs = cJSON_AddObjectToObject(r->state, "convs");
	conv = baton_json_obj(convs, sid);
	if (!conv) {
		conv = cJSON_AddObjectToObject(convs, sid);
		baton_json_add_str(conv, "sid", sid);
		baton_json_add_str(conv, "cwd", baton_json_str(s, "directory"));
	}
	if (baton_json_str(s, "title"))
		baton_json_set(conv, "title", cJSON_CreateString(baton_json_str(s, "title")));
	const cJSON *time = baton_json_obj(p, "time");
	int64_t ms = baton_json_int(time, "start", 0);
	if (!ms)
		ms = baton_json_int(baton_json_obj(m, "time"), "created", 0);
	ms_time(ts, ms);
	snprintf(key, sizeof key, "%s#0", pid);
	struct baton_msg msg = { .key = key, .ts = ts[0] ? ts : NULL, .role = role ? role : "assistant" };
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
						.tool = msg.tool, .text = res };
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
out:
	cJSON_Delete(paths);
	baton_strbuf_release(&sb);
	cJSON_Delete(rec);
	return rc;
}

const struct baton_source baton_source_opencode = {
	.name = "opencode",
	.discover = discover,
	.claims = claims,
	.line = parse_line,
	.export = export,
};
