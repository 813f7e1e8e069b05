/* Transcript ingest (DESIGN.md §2): per transcript, read only the bytes appended
 * since last time, redact them, append them to the archive, derive messages into the
 * index, and link the agent conversation to a baton session.
 *
 * The reader parses the redacted bytes exactly as archived, and its working state is
 * saved with the read position in the same transaction, so `baton index rebuild`
 * (which replays the archive) derives the very same rows as incremental ingest. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/index.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/lines.h"
#include "baton/log.h"
#include "baton/redact.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "ops/ingest_internal.h"
#include "sources/source.h"
#include "store/archive.h"
#include "store/modules.h"

#define MAX_LINE (16 * 1024 * 1024)   /* longer lines are skipped (counted as bad) */
#define CHUNK (4 * 1024 * 1024)       /* bytes per archive step and transaction */
#define MAX_WHOLE (64 * 1024 * 1024)  /* whole-document transcripts (.json) */
#define HEAD_LEN 4096                 /* bytes hashed to recognise a replaced file */
#define MAX_TEXT (64 * 1024)          /* message text kept in the index */
#define MAX_RESULT (8 * 1024)         /* tool results are truncated harder */
#define ACTIVE_MS (24LL * 3600 * 1000) /* a conversation newer than this makes an active session */

/* ---- roots ---------------------------------------------------------------------- */

int baton_ingest_set_roots(struct baton_ctx *ctx, const struct baton_source_roots *r)
{
	static const char *const keys[] = { "sources.home", "sources.claude_dir", "sources.codex_dir",
					    "sources.gemini_dir", "sources.opencode_dir" };
	const char *vals[] = { r->home, r->claude_dir, r->codex_dir, r->gemini_dir, r->opencode_dir };
	for (size_t i = 0; i < 5; i++)
		if (vals[i] && *vals[i] && baton_config_set(&ctx->config, keys[i], vals[i], "caller"))
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
	return 0;
}

void baton_ingest_set_progress(struct baton_ctx *ctx, baton_progress_fn fn, void *ud)
{
	ctx->progress = fn;
	ctx->progress_ud = ud;
}

struct roots_buf {
	struct baton_source_roots r;
	char *owned[4];
};

static void roots_release(struct roots_buf *b)
{
	for (int i = 0; i < 4; i++)
		free(b->owned[i]);
}

/* Configured roots, else the agents' defaults under sources.home. */
static void roots_resolve(struct baton_ctx *ctx, struct roots_buf *b)
{
	static const char *const keys[] = { "sources.claude_dir", "sources.codex_dir", "sources.gemini_dir",
					    "sources.opencode_dir" };
	static const char *const defs[] = { ".claude", ".codex", ".gemini", ".local/share/opencode" };
	const char *home = baton_config_str(ctx, "sources.home", NULL);
	const char **slots[] = { &b->r.claude_dir, &b->r.codex_dir, &b->r.gemini_dir, &b->r.opencode_dir };
	memset(b, 0, sizeof *b);
	b->r.home = home;
	for (int i = 0; i < 4; i++) {
		const char *v = baton_config_str(ctx, keys[i], NULL);
		if (v && *v)
			*slots[i] = v;
		else if (home && *home)
			*slots[i] = b->owned[i] = baton_path_join(home, defs[i]);
	}
}

/* ---- the sink: messages and usage into the index -------------------------------- */

static int sanitize(struct strbuf *sb, const char *s, size_t max)
{
	size_t n = strlen(s);
	int cut = n > max;
	if (cut) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* do not split a UTF-8 sequence */
	}
	if (baton_utf8_sanitize(sb, s, n))
		return -1;
	return cut ? baton_strbuf_adds(sb, " […]") : 0;
}

/* The full-text index is kept here, not by triggers: a trigger writing the FTS5
 * table makes every statement open a statement journal, and FTS5 flushes its
 * in-memory term hash to disk at each statement savepoint, so trigger upkeep wrote
 * one tiny segment per message (then merged them): most of ingest's time. Single-row
 * statements without triggers need no savepoint; FTS5 then flushes once per commit. */
static int fts_write(struct baton_ctx *ctx, bool del, int64_t id, const char *text, const char *tool, const char *cmd)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, del
		? "INSERT INTO messages_fts(messages_fts, rowid, text, tool, command) VALUES('delete', ?1, ?2, ?3, ?4)"
		: "INSERT INTO messages_fts(rowid, text, tool, command) VALUES(?1, ?2, ?3, ?4)");
	if (!st)
		return BATON_ERROR;
	sqlite3_bind_int64(st, 1, id);
	baton_bind_text(st, 2, text);
	baton_bind_text(st, 3, tool);
	baton_bind_text(st, 4, cmd);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "index message text");
}

/* The stored row of a message key, copied out (the statement is reused). */
struct old_row {
	bool found;
	int64_t id, seq;
	char *transcript, *ts, *tool, *paths, *command, *text;
};

static void old_row_release(struct old_row *o)
{
	free(o->transcript);
	free(o->ts);
	free(o->tool);
	free(o->paths);
	free(o->command);
	free(o->text);
}

static char *col_dup(sqlite3_stmt *st, int i, bool *oom)
{
	const char *v = baton_col_text(st, i);
	char *d = v ? strdup(v) : NULL;
	if (v && !d)
		*oom = true;
	return d;
}

static int old_row_find(struct baton_ctx *ctx, const char *source, const char *sid, const char *key, struct old_row *o)
{
	memset(o, 0, sizeof *o);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT id, seq, transcript, ts, tool, paths, command, text FROM messages"
		" WHERE source = ?1 AND agent_session_id = ?2 AND key = ?3");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, key);
	int r = sqlite3_step(st);
	bool oom = false;
	if (r == SQLITE_ROW) {
		o->found = true;
		o->id = sqlite3_column_int64(st, 0);
		o->seq = sqlite3_column_int64(st, 1);
		o->transcript = col_dup(st, 2, &oom);
		o->ts = col_dup(st, 3, &oom);
		o->tool = col_dup(st, 4, &oom);
		o->paths = col_dup(st, 5, &oom);
		o->command = col_dup(st, 6, &oom);
		o->text = col_dup(st, 7, &oom);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return baton_index_error(ctx, "find message");
	if (oom || (o->found && !o->transcript))
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	return 0;
}

/* SQL's IS: equal, or both NULL. */
static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int sink_message(void *ud, const char *sid, int64_t seq, const struct baton_msg *m)
{
	struct baton_ingest_sink *s = ud;
	struct baton_ctx *ctx = s->ctx;
	struct strbuf text = STRBUF_INIT, cmd = STRBUF_INIT;
	struct old_row old = { 0 };
	char *paths = NULL;
	int rc = 0;
	if (s->collect) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_int(o, "seq", seq);
		baton_json_add_str(o, "key", m->key);
		baton_json_add_str(o, "ts", m->ts);
		baton_json_add_str(o, "role", m->role);
		baton_json_add_str(o, "kind", m->kind);
		baton_json_add_str(o, "tool", m->tool);
		baton_json_add_copy(o, "paths", m->paths);
		baton_json_add_str(o, "command", m->command);
		if (m->text)
			sanitize(&text, m->text, 200);
		baton_json_add_str(o, "text", m->text ? text.buf : NULL);
		baton_json_add_bool(o, "prompt", m->prompt);
		cJSON_AddItemToArray(s->collect, o);
		baton_strbuf_release(&text);
		return 0;
	}
	if (m->text && sanitize(&text, m->text, m->kind && !strcmp(m->kind, "tool_result") ? MAX_RESULT : MAX_TEXT)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if (m->command && sanitize(&cmd, m->command, MAX_RESULT)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if (m->paths && cJSON_GetArraySize(m->paths)) {
		struct strbuf pb = STRBUF_INIT;
		char *raw = cJSON_PrintUnformatted(m->paths);
		if (raw)
			baton_utf8_sanitize(&pb, raw, strlen(raw));
		cJSON_free(raw);
		paths = baton_strbuf_detach(&pb);
	}
	const char *tool = m->tool, *ptext = m->text ? text.buf : NULL, *pcmd = m->command ? cmd.buf : NULL;
	/* insert first: a new message (nearly all of them) then costs one lookup of its
	 * key, not two; a key already there is read back and updated below */
	sqlite3_stmt *ins = baton_index_stmt(ctx,
		"INSERT INTO messages(source, agent_session_id, key, transcript, seq, ts, role, kind, tool, paths, command, text)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		" ON CONFLICT(source, agent_session_id, key) DO NOTHING");
	if (!ins) {
		rc = BATON_ERROR;
		goto out;
	}
	baton_bind_text(ins, 1, s->source);
	baton_bind_text(ins, 2, sid);
	baton_bind_text(ins, 3, m->key);
	baton_bind_text(ins, 4, s->tkey);
	sqlite3_bind_int64(ins, 5, seq);
	baton_bind_text(ins, 6, m->ts);
	baton_bind_text(ins, 7, m->role ? m->role : "user");
	baton_bind_text(ins, 8, m->kind ? m->kind : "text");
	baton_bind_text(ins, 9, tool);
	baton_bind_text(ins, 10, paths);
	baton_bind_text(ins, 11, pcmd);
	baton_bind_text(ins, 12, ptext);
	int ir = sqlite3_step(ins);
	sqlite3_reset(ins);
	if (ir != SQLITE_DONE) {
		rc = baton_index_error(ctx, "store message");
		goto out;
	}
	if (sqlite3_changes(ctx->db) == 1) {
		if (!(rc = fts_write(ctx, false, sqlite3_last_insert_rowid(ctx->db), ptext, tool, pcmd)))
			s->messages++;
		goto out;
	}
	if ((rc = old_row_find(ctx, s->source, sid, m->key, &old)))
		goto out;
	if (!old.found) {
		rc = baton_error(ctx, BATON_ECORRUPT, "index: message '%s' neither stored nor found (run 'baton index rebuild')",
				 m->key);
		goto out;
	}
	/* another store's row for the same record wins over a legacy copy */
	if (m->yield && strcmp(old.transcript, s->tkey))
		goto out;
	/* seen before (a re-read, a forked file, a streamed block grown): last write wins,
	 * but the earliest transcript keeps the row */
	bool earlier = strcmp(s->tkey, old.transcript) < 0;
	if (!earlier && same(old.text, ptext) && same(old.tool, tool) && same(old.ts, m->ts) && same(old.paths, paths))
		goto out;
	bool refts = !same(old.text, ptext) || !same(old.tool, tool) || !same(old.command, pcmd);
	if (refts && (rc = fts_write(ctx, true, old.id, old.text, old.tool, old.command)))
		goto out;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE messages SET seq = ?2, transcript = ?3, ts = ?4, role = ?5, kind = ?6, tool = ?7, paths = ?8,"
		" command = ?9, text = ?10 WHERE id = ?1");
	if (!st) {
		rc = BATON_ERROR;
		goto out;
	}
	sqlite3_bind_int64(st, 1, old.id);
	sqlite3_bind_int64(st, 2, earlier ? seq : old.seq);
	baton_bind_text(st, 3, earlier ? s->tkey : old.transcript);
	baton_bind_text(st, 4, m->ts);
	baton_bind_text(st, 5, m->role ? m->role : "user");
	baton_bind_text(st, 6, m->kind ? m->kind : "text");
	baton_bind_text(st, 7, tool);
	baton_bind_text(st, 8, paths);
	baton_bind_text(st, 9, pcmd);
	baton_bind_text(st, 10, ptext);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		rc = baton_index_error(ctx, "store message");
		goto out;
	}
	if (refts && (rc = fts_write(ctx, false, old.id, ptext, tool, pcmd)))
		goto out;
	s->messages++;
out:
	old_row_release(&old);
	free(paths);
	baton_strbuf_release(&text);
	baton_strbuf_release(&cmd);
	return rc;
}

static int sink_usage(void *ud, const char *sid, const struct baton_usage *u)
{
	struct baton_ingest_sink *s = ud;
	if (s->collect_usage) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_str(o, "key", u->key);
		baton_json_add_str(o, "model", u->model);
		baton_json_add_int(o, "input", u->input);
		baton_json_add_int(o, "output", u->output);
		baton_json_add_int(o, "cache_read", u->cache_read);
		baton_json_add_int(o, "cache_write", u->cache_write);
		baton_json_add_int(o, "reasoning", u->reasoning);
		cJSON_AddItemToArray(s->collect_usage, o);
		return 0;
	}
	if (s->collect)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(s->ctx,
		"INSERT INTO usage(source, agent_session_id, key, model, input, output, cache_read, cache_write, reasoning)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(source, agent_session_id, key) DO UPDATE SET"
		" model = coalesce(excluded.model, model), input = max(input, excluded.input), output = max(output, excluded.output),"
		" cache_read = max(cache_read, excluded.cache_read), cache_write = max(cache_write, excluded.cache_write),"
		" reasoning = max(reasoning, excluded.reasoning)");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, s->source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, u->key);
	baton_bind_text(st, 4, u->model);
	sqlite3_bind_int64(st, 5, u->input > 0 ? u->input : 0);
	sqlite3_bind_int64(st, 6, u->output > 0 ? u->output : 0);
	sqlite3_bind_int64(st, 7, u->cache_read > 0 ? u->cache_read : 0);
	sqlite3_bind_int64(st, 8, u->cache_write > 0 ? u->cache_write : 0);
	sqlite3_bind_int64(st, 9, u->reasoning > 0 ? u->reasoning : 0);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(s->ctx, "store usage");
}

/* Forget this transcript's messages from key on (all when key is NULL). */
static int sink_truncate(void *ud, const char *sid, const char *key)
{
	struct baton_ingest_sink *s = ud;
	if (s->collect) {
		cJSON_AddItemToArray(s->collect, cJSON_CreateString(key ? key : "(truncate all)"));
		return 0;
	}
	/* the same rows twice: first out of the full-text index (it needs their values), then out of the table */
#define FORGET_WHERE " WHERE transcript = ?1 AND seq >= coalesce((SELECT min(seq) FROM messages" \
	" WHERE transcript = ?1 AND source = ?2 AND agent_session_id = ?3" \
	" AND (key = ?4 OR substr(key, 1, length(?4) + 1) = ?4 || '#')), 0)"
	static const char *const sql[2][2] = {
		{ "INSERT INTO messages_fts(messages_fts, rowid, text, tool, command)"
		  " SELECT 'delete', id, text, tool, command FROM messages WHERE transcript = ?1",
		  "DELETE FROM messages WHERE transcript = ?1" },
		{ "INSERT INTO messages_fts(messages_fts, rowid, text, tool, command)"
		  " SELECT 'delete', id, text, tool, command FROM messages" FORGET_WHERE,
		  "DELETE FROM messages" FORGET_WHERE },
	};
#undef FORGET_WHERE
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = baton_index_stmt(s->ctx, sql[key != NULL][i]);
		if (!st)
			return BATON_ERROR;
		baton_bind_text(st, 1, s->tkey);
		if (key) {
			baton_bind_text(st, 2, s->source);
			baton_bind_text(st, 3, sid);
			baton_bind_text(st, 4, key);
		}
		int r = sqlite3_step(st);
		sqlite3_reset(st);
		if (r != SQLITE_DONE)
			return baton_index_error(s->ctx, "forget messages");
	}
	return 0;
}

void baton_ingest_sink_init(struct baton_ingest_sink *s, struct baton_ctx *ctx, const char *source, const char *tkey)
{
	memset(s, 0, sizeof *s);
	s->ctx = ctx;
	s->source = source;
	s->tkey = tkey;
	s->sink.ud = s;
	s->sink.message = sink_message;
	s->sink.usage = sink_usage;
	s->sink.truncate = sink_truncate;
}

/* Feed buf[0..len) line by line (a whole document when whole) to the reader. */
int baton_ingest_parse(struct baton_reader *r, const char *buf, size_t len, bool whole)
{
	int rc = 0;
	if (whole)
		return len ? r->src->line(r, buf, len) : 0;
	const char *p = buf, *end = buf + len;
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n)
			rc = r->src->line(r, p, n);
		p += n + 1;
	}
	return rc;
}

/* ---- per-transcript read state ------------------------------------------------- */

struct tstate {
	bool known;
	int64_t dev, ino, size, offset, head_len, asize;
	char head[17];
	cJSON *state;
};

static int tstate_load(struct baton_ctx *ctx, const char *tkey, struct tstate *t)
{
	memset(t, 0, sizeof *t);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT dev, ino, size, offset, head, head_len, asize, state FROM transcripts WHERE key = ?1");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, tkey);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		t->known = true;
		t->dev = sqlite3_column_int64(st, 0);
		t->ino = sqlite3_column_int64(st, 1);
		t->size = sqlite3_column_int64(st, 2);
		t->offset = sqlite3_column_int64(st, 3);
		snprintf(t->head, sizeof t->head, "%s", baton_col_text(st, 4) ? baton_col_text(st, 4) : "");
		t->head_len = sqlite3_column_int64(st, 5);
		t->asize = sqlite3_column_int64(st, 6);
		t->state = baton_col_text(st, 7) ? cJSON_Parse(baton_col_text(st, 7)) : NULL;
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return baton_index_error(ctx, "read transcript state");
	if (!cJSON_IsObject(t->state)) {
		cJSON_Delete(t->state);
		t->state = cJSON_CreateObject();
	}
	return t->state ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory");
}

static int tstate_save(struct baton_ctx *ctx, const char *tkey, const char *source, const char *path,
		       const struct tstate *t)
{
	char *state = baton_json_print(t->state);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT OR REPLACE INTO transcripts(key, source, path, dev, ino, size, offset, head, head_len, asize, state, sid)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	if (!st || !state) {
		cJSON_free(state);
		return st ? baton_error(ctx, BATON_ENOMEM, "out of memory") : BATON_ERROR;
	}
	baton_bind_text(st, 1, tkey);
	baton_bind_text(st, 2, source);
	baton_bind_text(st, 3, path);
	sqlite3_bind_int64(st, 4, t->dev);
	sqlite3_bind_int64(st, 5, t->ino);
	sqlite3_bind_int64(st, 6, t->size);
	sqlite3_bind_int64(st, 7, t->offset);
	baton_bind_text(st, 8, t->head);
	sqlite3_bind_int64(st, 9, t->head_len);
	sqlite3_bind_int64(st, 10, t->asize);
	baton_bind_text(st, 11, state);
	baton_bind_text(st, 12, baton_json_str(t->state, "sid"));
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	cJSON_free(state);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "record transcript state");
}

/* After the conversation's new messages: its last_seen moves with them. */
static int touch_conversation(struct baton_ctx *ctx, const char *source, const cJSON *state)
{
	const char *sid = baton_json_str(state, "sid"), *last = baton_json_str(state, "last");
	if (!sid || !last)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE conversations SET last_seen = ?3 WHERE source = ?1 AND agent_session_id = ?2"
		" AND (last_seen IS NULL OR last_seen < ?3)");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, last);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "update conversation");
}

/* A reset (the file was replaced or truncated) starts the reader afresh but keeps
 * the conversation id and the sequence counter. */
static void state_reset(cJSON **state)
{
	cJSON *fresh = cJSON_CreateObject();
	static const char *const keep[] = { "sid", "seq", "prompt", "first" };
	for (size_t i = 0; i < 4; i++) {
		const cJSON *v = cJSON_GetObjectItem(*state, keep[i]);
		if (v)
			cJSON_AddItemToObject(fresh, keep[i], cJSON_Duplicate(v, 1));
	}
	cJSON_Delete(*state);
	*state = fresh;
}

/* One archived step through the reader, inside the caller's transaction. */
static int apply_step(struct baton_ctx *ctx, const struct baton_source *src, const char *tkey, const char *path,
		      struct tstate *t, const char *data, size_t len, bool whole, int64_t *lines, int64_t *bad,
		      int64_t *msgs)
{
	struct baton_ingest_sink s;
	baton_ingest_sink_init(&s, ctx, src->name, tkey);
	struct baton_reader r = { .src = src, .path = path, .state = t->state, .sink = &s.sink };
	int rc = baton_ingest_parse(&r, data, len, whole);
	const cJSON *convs = baton_json_obj(t->state, "convs"), *c;
	if (!rc && convs) {
		cJSON_ArrayForEach(c, convs)
			if (!rc)
				rc = touch_conversation(ctx, src->name, c);
	} else if (!rc) {
		rc = touch_conversation(ctx, src->name, t->state);
	}
	if (lines)
		*lines += r.lines;
	if (bad)
		*bad += r.bad_lines;
	if (msgs)
		*msgs += s.messages;
	return rc;
}

/* ---- archive replay (the index module's rebuild source) ------------------------- */

static int replay_step(void *ud, const char *name, const cJSON *meta, const char *data, size_t len, int64_t size_after)
{
	struct baton_ctx *ctx = ud;
	const struct baton_source *src = baton_source_find(baton_json_str(meta, "source"));
	const char *path = baton_json_str(meta, "path");
	struct tstate t;
	if (!src || !path)
		return 0; /* from a newer baton, or damaged: skip */
	int rc = tstate_load(ctx, name, &t);
	if (rc)
		return rc;
	if (baton_json_bool(meta, "reset", false))
		state_reset(&t.state);
	if (baton_json_obj(meta, "export"))
		baton_json_set(t.state, "export", cJSON_Duplicate(baton_json_obj(meta, "export"), 1));
	rc = apply_step(ctx, src, name, path, &t, data, len, baton_json_bool(meta, "whole", false), NULL, NULL, NULL);
	t.dev = baton_json_int(meta, "dev", 0);
	t.ino = baton_json_int(meta, "ino", 0);
	t.size = baton_json_int(meta, "size", 0);
	t.offset = baton_json_int(meta, "end", 0);
	t.head_len = baton_json_int(meta, "head_len", 0);
	snprintf(t.head, sizeof t.head, "%s", baton_json_str(meta, "head") ? baton_json_str(meta, "head") : "");
	t.asize = size_after;
	if (!rc)
		rc = tstate_save(ctx, name, src->name, path, &t);
	cJSON_Delete(t.state);
	return rc;
}

static int replay_archive(struct baton_ctx *ctx)
{
	return baton_archive_replay(ctx, replay_step, ctx);
}

/* ---- linking (DESIGN.md §1) ----------------------------------------------------- */

int baton_conversation_session(struct baton_ctx *ctx, const char *source, const char *agent_session_id,
			       char **out_session_id)
{
	*out_session_id = NULL;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT session_id FROM conversations WHERE source = ?1 AND agent_session_id = ?2");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, agent_session_id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out_session_id = strdup(baton_col_text(st, 0));
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return *out_session_id ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (r != SQLITE_DONE)
		return baton_index_error(ctx, "find conversation");
	return baton_error(ctx, BATON_ENOTFOUND, "conversation '%s' of %s is not known; run 'baton ingest'",
			   agent_session_id ? agent_session_id : "", source ? source : "?");
}

/* The first line of a prompt, shortened at a word boundary. */
static char *shorten(const char *s, size_t max)
{
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	size_t n = strcspn(s, "\n");
	if (n > max) {
		n = max;
		while (n > max / 2 && s[n] != ' ')
			n--;
	}
	struct strbuf sb = STRBUF_INIT;
	baton_utf8_sanitize(&sb, s, n);
	if (s[n] && s[n] != '\n')
		baton_strbuf_adds(&sb, "…");
	return baton_strbuf_detach(&sb);
}

static char *slug(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	int words = 0;
	for (const char *p = text ? text : ""; *p && words < 4;) {
		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			p++;
		if (!*p)
			break;
		if (sb.len)
			baton_strbuf_addch(&sb, '-');
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
			if (sb.len < 40)
				baton_strbuf_addch(&sb, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
			p++;
		}
		words++;
	}
	if (!sb.len)
		baton_strbuf_adds(&sb, "conversation");
	return baton_strbuf_detach(&sb);
}

/* A new session for a conversation seen for the first time: its times, place and
 * objective come from the records, not from now and here. */
static int session_for(struct baton_ctx *ctx, const char *source, const cJSON *state, cJSON **out)
{
	const char *cwd = baton_json_str(state, "cwd");
	const char *first = baton_json_str(state, "first"), *last = baton_json_str(state, "last");
	const char *prompt = baton_json_str(state, "prompt");
	char id[BATON_ULID_LEN], now[BATON_TIME_LEN];
	int64_t now_ms = baton_now_ms(ctx), last_ms = 0;
	char *root = NULL, *objective = NULL, *red = NULL, *sn = NULL;
	int rc = 0;
	*out = NULL;
	baton_time_format(now, now_ms);
	if (!last || baton_time_parse(&last_ms, last))
		last_ms = now_ms;
	if (cwd && baton_is_dir(cwd) && (rc = baton_git_root(ctx, &root, cwd)))
		return rc;
	if (prompt) {
		objective = shorten(prompt, 160);
		red = baton_redact_str(ctx, objective);
		if (!red) {
			rc = BATON_ERROR;
			goto out;
		}
	}
	sn = slug(red);
	/* above every stored id: with a fixed clock and seed (tests) two processes
	 * would otherwise draw the same one */
	sqlite3_stmt *mx = baton_index_stmt(ctx, "SELECT max(id) FROM sessions");
	char floor[BATON_ULID_LEN] = "";
	if (mx && sqlite3_step(mx) == SQLITE_ROW && baton_col_text(mx, 0))
		snprintf(floor, sizeof floor, "%s", baton_col_text(mx, 0));
	if (mx)
		sqlite3_reset(mx);
	baton_ulid_new(ctx, id, now_ms, floor[0] ? floor : NULL);
	cJSON *s = cJSON_CreateObject();
	baton_json_add_str(s, "id", id);
	baton_json_add_str(s, "created_at", first ? first : now);
	baton_json_add_str(s, "updated_at", last ? last : now);
	baton_json_add_str(s, "status", now_ms - last_ms < ACTIVE_MS ? "active" : "expired");
	baton_json_add_str(s, "source", source);
	baton_json_add_str(s, "shortname", sn);
	baton_json_add_str(s, "objective", red);
	baton_json_add_str(s, "cwd", cwd);
	baton_json_add_str(s, "repo_root", root ? root : NULL);
	cJSON *g = cJSON_AddObjectToObject(s, "git");
	baton_json_add_str(g, "branch", baton_json_str(state, "branch"));
	*out = baton_session_normalize(s);
	cJSON_Delete(s);
	if (!*out)
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
out:
	free(root);
	free(objective);
	free(red);
	free(sn);
	return rc;
}

static cJSON *conversation_fields(const char *source, const char *sid, const char *session_id, const char *path,
				  const cJSON *state)
{
	cJSON *f = cJSON_CreateObject();
	cJSON *c = cJSON_AddObjectToObject(f, "conversation");
	baton_json_add_str(c, "source", source);
	baton_json_add_str(c, "agent_session_id", sid);
	baton_json_add_str(c, "session_id", session_id);
	baton_json_add_str(c, "transcript_path", path);
	baton_json_add_str(c, "first_seen", baton_json_str(state, "first"));
	baton_json_add_str(c, "last_seen", baton_json_str(state, "last"));
	baton_json_add_str(c, "cwd", baton_json_str(state, "cwd"));
	return f;
}

/* forced: a session id that must get the link; explicit: the caller named this very
 * transcript (a hook, a PATH argument), so forcing may also move an existing link. */
static int link_conversation(struct baton_ctx *ctx, const char *source, const char *path, const cJSON *state,
			     const char *forced, bool explicit, struct baton_ingest_stats *stats)
{
	const char *sid = baton_json_str(state, "sid");
	char *linked = NULL;
	cJSON *session = NULL, *fs = NULL;
	int rc;
	if (!sid)
		return 0; /* nothing read yet that names the conversation */
	rc = baton_conversation_session(ctx, source, sid, &linked);
	if (rc && rc != BATON_ENOTFOUND)
		return rc;
	rc = 0;
	if (forced && (rc = baton_session_get(ctx, &fs, forced)))
		goto out;
	if (linked) {
		if (fs && explicit && strcmp(linked, baton_json_str(fs, "id")))
			rc = baton_log_append(ctx, "conversation_linked",
					      conversation_fields(source, sid, baton_json_str(fs, "id"), path, state), NULL);
		goto out;
	}
	const char *last = baton_json_str(state, "last");
	if (fs && !explicit && last && baton_json_str(fs, "created_at") &&
	    strcmp(last, baton_json_str(fs, "created_at")) < 0) {
		/* an old conversation found by discovery: not the forced session's work */
		cJSON_Delete(fs);
		fs = NULL;
	}
	if (fs) {
		session = fs;
		fs = NULL;
	} else {
		const char *cwd = baton_json_str(state, "cwd");
		cJSON *cur = NULL;
		if (cwd && (rc = baton_session_current(ctx, &cur, cwd)))
			goto out;
		/* the repo's active session takes conversations of its lifetime */
		if (cur && (!last || !baton_json_str(cur, "created_at") ||
			    strcmp(last, baton_json_str(cur, "created_at")) >= 0)) {
			session = cur;
		} else {
			cJSON_Delete(cur);
			if ((rc = session_for(ctx, source, state, &session)))
				goto out;
			cJSON *sf = cJSON_CreateObject();
			cJSON_AddItemToObject(sf, "session", cJSON_Duplicate(session, 1));
			struct baton_event_spec ev[2] = {
				{ "session_saved", sf },
				{ "conversation_linked", conversation_fields(source, sid, baton_json_str(session, "id"), path, state) },
			};
			rc = baton_log_append_many(ctx, ev, 2, NULL);
			if (!rc && stats) {
				stats->sessions++;
				stats->conversations++;
			}
			goto out;
		}
	}
	rc = baton_log_append(ctx, "conversation_linked",
			      conversation_fields(source, sid, baton_json_str(session, "id"), path, state), NULL);
	if (!rc && stats)
		stats->conversations++;
out:
	free(linked);
	cJSON_Delete(session);
	cJSON_Delete(fs);
	return rc;
}

cJSON *baton_conversation_link_fields(const char *source, const char *agent_session_id, const char *session_id,
				      const char *transcript_path, const char *cwd)
{
	if (!source || !agent_session_id || !*agent_session_id || !session_id)
		return NULL;
	cJSON *state = cJSON_CreateObject();
	baton_json_add_str(state, "cwd", cwd);
	cJSON *f = conversation_fields(source, agent_session_id, session_id, transcript_path, state);
	cJSON_Delete(state);
	return f;
}

/* ---- batches -------------------------------------------------------------------- */

/* Steps of many transcripts share one transaction, up to BATCH_BYTES of input. One
 * transaction per file made every small file a commit: FTS5 flushes its term hash to
 * a new segment at each commit and merges those segments again and again, and every
 * commit rewrote the same B-tree pages into the WAL and checkpointed them (together
 * ~40% of a cold ingest). The bound keeps a concurrent writer's wait (a hook) short.
 * Linking writes the event log, which takes its own transaction, so the links of a
 * batch's transcripts wait for its commit, in order: reading never depends on them,
 * and a crash before they are made is repaired by the next ingest, which links every
 * transcript it looks at. */
#define BATCH_BYTES (32 * 1024 * 1024)
/* Input from which a run is a bulk ingest (bulk_begin; config ingest.bulk_bytes) */
#define BULK_BYTES (16 * 1024 * 1024)

struct pending_link {
	const struct baton_source *src;
	char *path;
	cJSON *state;
	bool explicit;
};

struct found_list;

struct batch {
	struct baton_ingest_stats *stats;
	const char *forced;
	bool open;        /* our transaction is open */
	int64_t bytes;    /* input bytes in it */
	struct pending_link *links;
	size_t nlinks, alloc;
	/* a bulk ingest (bulk_begin) starts at the first commit after BULK_BYTES */
	int64_t start;                /* stats->bytes when the run began */
	const struct found_list *all; /* the run's transcripts, or NULL */
	size_t next;                  /* the one being read */
	bool bulk, defer;
};

static int bulk_begin(struct baton_ctx *ctx, struct batch *b);

static int link_conversation(struct baton_ctx *ctx, const char *source, const char *path, const cJSON *state,
			     const char *forced, bool explicit, struct baton_ingest_stats *stats);

static void links_drop(struct batch *b, size_t from)
{
	for (size_t i = from; i < b->nlinks; i++) {
		free(b->links[i].path);
		cJSON_Delete(b->links[i].state);
	}
	b->nlinks = 0;
}

static void batch_release(struct batch *b)
{
	links_drop(b, 0);
	free(b->links);
	b->links = NULL;
	b->alloc = 0;
}

/* A step failed: its whole batch goes (the next ingest reads it again). */
static void batch_abort(struct baton_ctx *ctx, struct batch *b)
{
	baton_index_rollback(ctx);
	b->open = false;
	b->bytes = 0;
	links_drop(b, 0);
}

/* Commit the batch, then make its links. A link that fails for one transcript (a
 * forced session gone) does not stop discovery's others, as before batching. */
static int batch_flush(struct baton_ctx *ctx, struct batch *b)
{
	int rc = 0;
	if (b->open) {
		if ((rc = baton_index_commit(ctx))) {
			batch_abort(ctx, b);
			return rc;
		}
		b->open = false;
		b->bytes = 0;
	}
	size_t i;
	for (i = 0; i < b->nlinks && !rc; i++) {
		struct pending_link *l = &b->links[i];
		const cJSON *convs = baton_json_obj(l->state, "convs"), *c;
		if (convs) {
			/* a database of many conversations */
			cJSON_ArrayForEach(c, convs)
				if (!rc)
					rc = link_conversation(ctx, l->src->name, l->path, c, b->forced, l->explicit, b->stats);
		} else {
			rc = link_conversation(ctx, l->src->name, l->path, l->state, b->forced, l->explicit, b->stats);
		}
		if (!l->explicit && (rc == BATON_ENOTFOUND || rc == BATON_EINVALID)) {
			b->stats->errors++;
			rc = 0;
		}
	}
	links_drop(b, 0);
	if (!rc && !b->bulk && b->stats->bytes - b->start >= baton_config_int(ctx, "ingest.bulk_bytes", BULK_BYTES))
		rc = bulk_begin(ctx, b);
	return rc;
}

/* Link path's conversation(s) after the batch commits (now if none is open); takes state. */
static int batch_link(struct baton_ctx *ctx, struct batch *b, const struct baton_source *src, const char *path,
		      cJSON *state, bool explicit)
{
	if (b->nlinks == b->alloc) {
		size_t a = b->alloc ? b->alloc * 2 : 64;
		struct pending_link *p = realloc(b->links, a * sizeof *p);
		if (!p) {
			cJSON_Delete(state);
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
		}
		b->links = p;
		b->alloc = a;
	}
	struct pending_link *l = &b->links[b->nlinks];
	if (!(l->path = strdup(path))) {
		cJSON_Delete(state);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	l->src = src;
	l->state = state;
	l->explicit = explicit;
	b->nlinks++;
	return b->open ? 0 : batch_flush(ctx, b);
}

/* ---- reading one transcript ----------------------------------------------------- */

/* A tree of files is named "tree-…": after every file's hex name, so its archive
 * replays after the database of the same agent (whose rows it yields to). */
static char *transcript_key(const char *source, const char *path, bool tree)
{
	char h[17];
	struct strbuf sb = STRBUF_INIT;
	baton_hash_hex(h, path, strlen(path));
	baton_strbuf_addf(&sb, "%s/%s%s.zst", source, tree ? "tree-" : "", h);
	return baton_strbuf_detach(&sb);
}

static int head_hash(int fd, int64_t len, char out[17])
{
	char buf[HEAD_LEN];
	ssize_t n = len > 0 ? pread(fd, buf, (size_t)(len < HEAD_LEN ? len : HEAD_LEN), 0) : 0;
	if (n < 0)
		return -1;
	baton_hash_hex(out, buf, (size_t)n);
	return (int)n;
}

/* Archive and apply one step: one transaction. */
static int commit_step(struct baton_ctx *ctx, const struct baton_source *src, const char *tkey, const char *path,
		       struct tstate *t, const struct stat *st, int64_t off, int64_t end, bool reset, bool whole,
		       const struct strbuf *data, struct batch *b)
{
	struct baton_ingest_stats *stats = b->stats;
	cJSON *meta = cJSON_CreateObject();
	int rc;
	baton_json_add_int(meta, "v", 1);
	baton_json_add_str(meta, "source", src->name);
	baton_json_add_str(meta, "path", path);
	baton_json_add_int(meta, "dev", (int64_t)st->st_dev);
	baton_json_add_int(meta, "ino", (int64_t)st->st_ino);
	baton_json_add_int(meta, "size", (int64_t)st->st_size);
	baton_json_add_int(meta, "off", off);
	baton_json_add_int(meta, "end", end);
	baton_json_add_str(meta, "head", t->head);
	baton_json_add_int(meta, "head_len", t->head_len);
	if (reset)
		baton_json_add_bool(meta, "reset", true);
	if (whole)
		baton_json_add_bool(meta, "whole", true);
	if (baton_json_obj(t->state, "export")) /* a store's own read position (source.h) */
		baton_json_add_copy(meta, "export", baton_json_obj(t->state, "export"));
	if (!b->open) {
		if ((rc = baton_index_begin(ctx)))
			goto out;
		b->open = true;
	}
	int64_t asize = 0;
	struct baton_archive_job *job;
	/* the archive compresses and writes on another core while the reader and the
	 * index work: both only read data */
	if ((rc = baton_archive_append_start(ctx, tkey, t->asize, meta, data->buf, data->len, &job)))
		goto fail;
	if (reset)
		state_reset(&t->state);
	rc = apply_step(ctx, src, tkey, path, t, data->buf, data->len, whole, &stats->lines, &stats->bad_lines,
			&stats->messages);
	int arc = baton_archive_append_finish(ctx, job, &asize);
	if (rc || (rc = arc))
		goto fail;
	t->asize = asize;
	t->dev = (int64_t)st->st_dev;
	t->ino = (int64_t)st->st_ino;
	t->size = (int64_t)st->st_size;
	t->offset = end;
	if ((rc = tstate_save(ctx, tkey, src->name, path, t)))
		goto fail;
	t->known = true;
	b->bytes += (int64_t)data->len;
	if (b->bytes >= baton_config_int(ctx, "ingest.batch_bytes", BATCH_BYTES))
		rc = batch_flush(ctx, b);
	goto out;
fail:
	batch_abort(ctx, b);
out:
	cJSON_Delete(meta);
	return rc;
}

static int read_whole(struct baton_ctx *ctx, const struct baton_source *src, const char *tkey, const char *path,
		      struct tstate *t, int fd, const struct stat *st, struct batch *b)
{
	struct baton_ingest_stats *stats = b->stats;
	struct strbuf raw = STRBUF_INIT, red = STRBUF_INIT;
	int rc = 0;
	char h[17];
	if (st->st_size > MAX_WHOLE) {
		stats->bad_lines++;
		return 0;
	}
	if (baton_strbuf_grow(&raw, (size_t)st->st_size + 1)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	ssize_t n = pread(fd, raw.buf, (size_t)st->st_size, 0);
	if (n < 0) {
		rc = baton_error(ctx, BATON_ERROR, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	raw.len = (size_t)n;
	raw.buf[raw.len] = '\0';
	baton_hash_hex(h, raw.buf, raw.len);
	if (t->known && !strcmp(h, t->head))
		goto out; /* unchanged */
	/* one line: the document re-printed without its newlines */
	cJSON *doc = cJSON_ParseWithLength(raw.buf, raw.len);
	char *flat = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	if (!flat) {
		stats->bad_lines++; /* being rewritten, or not JSON: next time */
		goto out;
	}
	rc = baton_redact(ctx, &red, flat, strlen(flat));
	cJSON_free(flat);
	if (rc)
		goto out;
	snprintf(t->head, sizeof t->head, "%s", h);
	t->head_len = (int64_t)raw.len;
	stats->bytes += (int64_t)raw.len;
	stats->files_read++;
	rc = commit_step(ctx, src, tkey, path, t, st, 0, (int64_t)raw.len, false, true, &red, b);
out:
	baton_strbuf_release(&raw);
	baton_strbuf_release(&red);
	return rc;
}

static int read_lines(struct baton_ctx *ctx, const struct baton_source *src, const char *tkey, const char *path,
		      struct tstate *t, int fd, const struct stat *st, struct batch *b)
{
	struct baton_ingest_stats *stats = b->stats;
	struct baton_lines lr;
	struct strbuf chunk = STRBUF_INIT;
	int64_t start = t->offset;
	bool reset = false;
	int rc = 0;
	if (t->known) {
		char h[17];
		int hl = t->head_len ? head_hash(fd, t->head_len, h) : 0;
		if ((int64_t)st->st_size < t->offset || hl < 0 || (t->head_len && (hl != t->head_len || strcmp(h, t->head)))) {
			reset = true; /* replaced or truncated: read it again from the start */
			start = 0;
			stats->resets++;
		} else if ((int64_t)st->st_size == t->offset) {
			return 0;
		}
	}
	if (baton_lines_init(&lr, fd, start, MAX_LINE))
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	char *line;
	size_t len;
	int r;
	int64_t chunk_start = start;
	bool any = false;
	uint64_t long_before = 0;
	while ((r = baton_lines_next(&lr, &line, &len, NULL)) == 1) {
		if ((rc = baton_redact(ctx, &chunk, line, len)) || (rc = baton_strbuf_addch(&chunk, '\n') ? BATON_ENOMEM : 0))
			goto out;
		if (chunk.len >= CHUNK) {
			int64_t end = baton_lines_offset(&lr);
			t->head_len = end < HEAD_LEN ? end : HEAD_LEN;
			head_hash(fd, t->head_len, t->head);
			stats->bytes += end - chunk_start;
			if ((rc = commit_step(ctx, src, tkey, path, t, st, chunk_start, end, reset, false, &chunk, b)))
				goto out;
			reset = false;
			any = true;
			chunk_start = end;
			baton_strbuf_reset(&chunk);
		}
	}
	if (r < 0) {
		rc = baton_error(ctx, BATON_ERROR, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	stats->bad_lines += (int64_t)(lr.skipped_long - long_before);
	int64_t end = baton_lines_offset(&lr);
	if (end > chunk_start || reset) {
		t->head_len = end < HEAD_LEN ? end : HEAD_LEN;
		head_hash(fd, t->head_len, t->head);
		stats->bytes += end - chunk_start;
		rc = commit_step(ctx, src, tkey, path, t, st, chunk_start, end, reset, false, &chunk, b);
		any = true;
	}
	if (any)
		stats->files_read++;
out:
	baton_lines_release(&lr);
	baton_strbuf_release(&chunk);
	return rc;
}

/* A store that is not a transcript file (a database, a tree of files): the source
 * exports what changed since the watermark as JSONL, in bounded steps. */
struct export_run {
	struct baton_ctx *ctx;
	const struct baton_source *src;
	const char *tkey, *path;
	struct tstate *t;
	const struct stat *st;
	struct baton_ingest_stats *stats;
	struct batch *b;
	bool any;
};

static int export_step(void *ud, const char *lines, size_t len, int64_t next)
{
	struct export_run *x = ud;
	struct strbuf red = STRBUF_INIT;
	int rc = 0;
	/* line by line: a pattern must never run across records */
	for (const char *p = lines, *e = lines + len; p < e && !rc;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (!(rc = baton_redact(x->ctx, &red, p, n)))
			rc = baton_strbuf_addch(&red, '\n') ? baton_error(x->ctx, BATON_ENOMEM, "out of memory") : 0;
		p += n + 1;
	}
	if (!rc) {
		x->stats->bytes += (int64_t)len;
		x->any = x->any || len;
		rc = commit_step(x->ctx, x->src, x->tkey, x->path, x->t, x->st, x->t->offset, next, false, false, &red,
				 x->b);
	}
	baton_strbuf_release(&red);
	return rc;
}

static int read_export(struct baton_ctx *ctx, const struct baton_source *src, const char *tkey, const char *path,
		       struct tstate *t, const struct stat *st, struct batch *b)
{
	struct baton_ingest_stats *stats = b->stats;
	struct export_run x = { ctx, src, tkey, path, t, st, stats, b, false };
	int rc = src->export(ctx, path, t->offset, t->state, &stats->bad_lines, export_step, &x);
	if (x.any)
		stats->files_read++;
	return rc;
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

static int ingest_path(struct baton_ctx *ctx, const struct baton_source *src, const char *path, bool explicit,
		       struct batch *b)
{
	struct baton_ingest_stats *stats = b->stats;
	char *store = NULL;
	if (src->locate && baton_is_dir(path)) {
		/* a directory: the store the source keeps in it (opencode's storage/ tree) */
		if (!(store = src->locate(path)))
			return explicit ? baton_error(ctx, BATON_EINVALID, "'%s' holds no %s store", path, src->name) : 0;
		path = store;
	}
	char *tkey = transcript_key(src->name, path, store != NULL);
	struct tstate t = { 0 };
	struct stat st;
	int fd = -1, rc;
	if (!tkey) {
		free(store);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	stats->files++;
	if ((rc = tstate_load(ctx, tkey, &t)))
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (explicit)
			rc = baton_error(ctx, errno == ENOENT ? BATON_ENOTFOUND : BATON_ERROR, "cannot read transcript '%s': %s",
					 path, strerror(errno));
		else
			stats->errors++;
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !(store && S_ISDIR(st.st_mode))) {
		rc = explicit ? baton_error(ctx, BATON_EINVALID, "'%s' is not a file", path) : 0;
		goto out;
	}
	if (src->export)
		rc = read_export(ctx, src, tkey, path, &t, &st, b);
	else if (src->whole_file || (!strcmp(src->name, "gemini") && has_suffix(path, ".json")))
		rc = read_whole(ctx, src, tkey, path, &t, fd, &st, b);
	else
		rc = read_lines(ctx, src, tkey, path, &t, fd, &st, b);
	if (!rc) {
		rc = batch_link(ctx, b, src, path, t.state, explicit);
		t.state = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	cJSON_Delete(t.state);
	free(tkey);
	free(store);
	return rc;
}

static const struct baton_source *guess_source(const char *path)
{
	if (baton_source_codex.claims(path))
		return &baton_source_codex;
	if (baton_source_opencode.claims(path))
		return &baton_source_opencode;
	if (baton_source_gemini.claims(path))
		return &baton_source_gemini;
	if (has_suffix(path, ".jsonl"))
		return &baton_source_claude;
	return NULL;
}

int baton_ingest_pending(struct baton_ctx *ctx, const char *source, const char *path, int64_t *out_bytes)
{
	struct tstate t = { 0 };
	struct stat st;
	*out_bytes = 0;
	if (stat(path, &st))
		return baton_error(ctx, errno == ENOENT ? BATON_ENOTFOUND : BATON_ERROR, "cannot read transcript '%s': %s",
				   path, strerror(errno));
	char *tkey = transcript_key(source, path, S_ISDIR(st.st_mode));
	if (!tkey)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	int rc = tstate_load(ctx, tkey, &t);
	free(tkey);
	if (rc)
		return rc;
	cJSON_Delete(t.state);
	/* a replaced or truncated file is read again from its start */
	int same = t.known && t.ino == (int64_t)st.st_ino && t.dev == (int64_t)st.st_dev && st.st_size >= t.offset;
	*out_bytes = same ? (int64_t)st.st_size - t.offset : (int64_t)st.st_size;
	return 0;
}

int baton_ingest_file(struct baton_ctx *ctx, const char *source, const char *path, const char *forced_session_id,
		      struct baton_ingest_stats *stats)
{
	struct baton_ingest_stats local = { 0 };
	const struct baton_source *src;
	if (!stats)
		stats = &local;
	if (!path || !*path)
		return baton_error(ctx, BATON_EINVALID, "ingest: a transcript path is required");
	char *abs = baton_path_absolute(path, ctx->cwd);
	if (!abs)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	src = source ? baton_source_find(source) : guess_source(abs);
	int rc;
	if (!src)
		rc = source ? baton_error(ctx, BATON_EINVALID, "ingest: unknown source '%s' (claude, codex, gemini, opencode)", source)
			    : baton_error(ctx, BATON_EINVALID, "ingest: cannot tell which agent wrote '%s'; give --source", abs);
	else {
		struct batch b = { .stats = stats, .forced = forced_session_id, .start = stats->bytes };
		rc = ingest_path(ctx, src, abs, true, &b);
		if (!rc)
			rc = batch_flush(ctx, &b);
		else if (b.open)
			batch_abort(ctx, &b);
		batch_release(&b);
	}
	free(abs);
	return rc;
}

struct found_list {
	char **paths;
	const struct baton_source **srcs;
	size_t n, alloc;
	const struct baton_source *cur;
};

static int found_add(void *ud, const char *path)
{
	struct found_list *l = ud;
	if (l->n == l->alloc) {
		size_t a = l->alloc ? l->alloc * 2 : 64;
		char **p = realloc(l->paths, a * sizeof *p);
		if (!p)
			return BATON_ENOMEM;
		l->paths = p;
		const struct baton_source **s = realloc(l->srcs, a * sizeof *s);
		if (!s)
			return BATON_ENOMEM;
		l->srcs = s;
		l->alloc = a;
	}
	if (!(l->paths[l->n] = strdup(path)))
		return BATON_ENOMEM;
	l->srcs[l->n++] = l->cur;
	return 0;
}

/* ---- full-text segments ---------------------------------------------------------- */

/* Leaf pages (~4 KB each) a merge step writes before its commit */
#define FTS_MERGE_STEP 4096
/* meta key: max(messages.id) when the segments were last merged into one */
#define FTS_MERGED_KEY "fts_merged_rows"

/* One merge step in its own transaction; *out_more: it found work to do (FTS5
 * changes sqlite3_total_changes() by 2 or more then). pages < 0 starts a merge of
 * every segment, pages > 0 continues one. */
static int merge_step(struct baton_ctx *ctx, int pages, bool *out_more)
{
	*out_more = false;
	int rc = baton_index_begin(ctx);
	if (rc)
		return rc;
	sqlite3_stmt *st = baton_index_stmt(ctx, "INSERT INTO messages_fts(messages_fts, rank) VALUES('merge', ?1)");
	if (!st) {
		baton_index_rollback(ctx);
		return BATON_ERROR;
	}
	sqlite3_bind_int(st, 1, pages);
	int before = sqlite3_total_changes(ctx->db), r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		rc = baton_index_error(ctx, "merge the full-text index");
		baton_index_rollback(ctx);
		return rc;
	}
	*out_more = sqlite3_total_changes(ctx->db) - before >= 2;
	return baton_index_commit(ctx);
}

/* Every segment merged into one when the index has doubled since the last time (or
 * always, when force) */
static int merge_all(struct baton_ctx *ctx, bool force)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = '" FTS_MERGED_KEY "'),"
					    " (SELECT max(id) FROM messages)");
	if (!st)
		return BATON_ERROR;
	int64_t merged = 0, top = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		merged = sqlite3_column_int64(st, 0);
		top = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (top <= 0 || (!force && top < 2 * merged))
		return 0;
	bool more = true;
	int rc = merge_step(ctx, -FTS_MERGE_STEP, &more);
	while (!rc && more)
		rc = merge_step(ctx, FTS_MERGE_STEP, &more);
	if (rc)
		return rc;
	if (!(st = baton_index_stmt(ctx, "INSERT OR REPLACE INTO meta(key, value) VALUES('" FTS_MERGED_KEY "', ?1)")))
		return BATON_ERROR;
	sqlite3_bind_int64(st, 1, top);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "merge the full-text index");
}

int baton_ingest_merge(struct baton_ctx *ctx)
{
	return merge_all(ctx, false);
}

/* ---- bulk ingests ---------------------------------------------------------------- */

/* FTS5's own default: merge 4 segments of a level as they appear */
#define FTS_AUTOMERGE 4

/* What the rest of a run will read, roughly (baton_ingest_pending of each file; a
 * tree of files counts nothing). *out_files (optional): how many files have something
 * to read. */
static int64_t pending_bytes(struct baton_ctx *ctx, const struct found_list *l, size_t from, int64_t *out_files)
{
	int64_t sum = 0, files = 0, n;
	for (size_t i = from; i < l->n; i++) {
		if (baton_is_dir(l->paths[i]) || baton_ingest_pending(ctx, l->srcs[i]->name, l->paths[i], &n))
			continue;
		sum += n;
		files += n > 0;
	}
	if (out_files)
		*out_files = files;
	return sum;
}

static int64_t ingested_bytes(struct baton_ctx *ctx)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT coalesce(sum(offset), 0) FROM transcripts");
	int64_t n = 0;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}

/* FTS5's automerge level, persistent in the table's config; 0 means never merge */
static int set_automerge(struct baton_ctx *ctx, int level)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT CAST(v AS INTEGER) FROM messages_fts_config WHERE k = 'automerge'");
	if (!st)
		return BATON_ERROR;
	int cur = FTS_AUTOMERGE;
	if (sqlite3_step(st) == SQLITE_ROW)
		cur = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (cur == level)
		return 0;
	if (!(st = baton_index_stmt(ctx, "INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', ?1)")))
		return BATON_ERROR;
	sqlite3_bind_int(st, 1, level);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "configure the full-text index");
}

/* A run becomes a bulk ingest at its first commit after BULK_BYTES: the index is
 * reopened with a page cache that grows (baton_index_bulk). When the rest of the run
 * reads at least as much as the index then holds, the run ends with every segment
 * merged into one (merge_all), so the merges FTS5 makes as segments appear (each
 * posting rewritten once per level) would be wasted: they are off until then, a
 * fifth of a cold ingest. A run that dies leaves them off; the next run turns them
 * back on (set_automerge at its start). */
static int bulk_begin(struct baton_ctx *ctx, struct batch *b)
{
	int rc = baton_index_bulk(ctx);
	b->bulk = true;
	if (rc || !b->all)
		return rc;
	b->defer = pending_bytes(ctx, b->all, b->next, NULL) >= ingested_bytes(ctx);
	return b->defer ? set_automerge(ctx, 0) : 0;
}

/* ---- budgeted runs ------------------------------------------------------------- */

/* $BATON_HOME/ingest.lock, held by a whole run: two runs at once would read the
 * same new bytes and archive them twice. Returns the descriptor, -1 when wait is
 * false and another run holds it, or -2 on an error (then runs go unlocked, as before
 * the lock existed: the readers' keys keep messages from doubling). */
static int ingest_lock(struct baton_ctx *ctx, bool wait)
{
	struct strbuf p = STRBUF_INIT;
	if (baton_strbuf_addf(&p, "%s/ingest.lock", ctx->home))
		return -2;
	int fd = open(p.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	baton_strbuf_release(&p);
	if (fd < 0)
		return -2;
	bool told = false;
	while (flock(fd, LOCK_EX | (wait && told ? 0 : LOCK_NB))) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK && wait && !told) {
			if (ctx->progress) /* before the wait: a terminal says why nothing moves */
				ctx->progress(ctx->progress_ud, 0, -1, 0);
			told = true;
			continue;
		}
		int busy = errno == EWOULDBLOCK;
		close(fd);
		return busy ? -1 : -2;
	}
	return fd;
}

struct by_mtime {
	int64_t mtime;
	size_t i;
	char *path;
	const struct baton_source *src;
};

static int newer_first(const void *a, const void *b)
{
	const struct by_mtime *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A first run reads the newest transcripts first: a budgeted run then shows what was
 * done last, and the rest follows in the background */
static int newest_first(struct found_list *l)
{
	struct by_mtime *k = malloc((l->n ? l->n : 1) * sizeof *k);
	if (!k)
		return BATON_ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		struct stat st;
		k[i] = (struct by_mtime){ .i = i, .path = l->paths[i], .src = l->srcs[i] };
		if (!stat(l->paths[i], &st))
			k[i].mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	qsort(k, l->n, sizeof *k, newer_first);
	for (size_t i = 0; i < l->n; i++) {
		l->paths[i] = k[i].path;
		l->srcs[i] = k[i].src;
	}
	free(k);
	return 0;
}

static bool nothing_read_yet(struct baton_ctx *ctx)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT NOT EXISTS (SELECT 1 FROM transcripts)");
	bool none = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	return none;
}

int baton_ingest_detach(struct baton_ctx *ctx)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char *argv[] = { "baton", "ingest", NULL };
	extern char **environ;
	pid_t pid;
	if (posix_spawn_file_actions_init(&fa))
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (posix_spawnattr_init(&at)) {
		posix_spawn_file_actions_destroy(&fa);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	int e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!e)
		e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!e)
		e = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (!e)
		e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	if (!e)
		e = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
	/* not waited for: it outlives us, and init reaps it */
	int rc = e ? baton_error(ctx, BATON_ERROR, "cannot start 'baton ingest' in the background: %s; run it yourself",
			         strerror(e)) : 0;
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int baton_ingest_all(struct baton_ctx *ctx, const char *source, const char *forced, struct baton_ingest_stats *stats)
{
	return baton_ingest_all_until(ctx, source, forced, 0, stats);
}

int baton_ingest_all_until(struct baton_ctx *ctx, const char *source, const char *forced, int64_t deadline_ms,
			   struct baton_ingest_stats *stats)
{
	struct baton_ingest_stats local = { 0 };
	struct roots_buf roots;
	struct found_list l = { 0 };
	int rc = 0;
	if (!stats)
		stats = &local;
	if (source && !baton_source_find(source))
		return baton_error(ctx, BATON_EINVALID, "ingest: unknown source '%s' (claude, codex, gemini, opencode)", source);
	int lock = ingest_lock(ctx, !deadline_ms);
	if (lock == -1) {
		stats->busy = true;
		return 0;
	}
	roots_resolve(ctx, &roots);
	for (const struct baton_source *const *s = baton_sources; *s && !rc; s++) {
		if (source && strcmp(source, (*s)->name))
			continue;
		l.cur = *s;
		rc = (*s)->discover(ctx, &roots.r, found_add, &l);
		if (rc == BATON_ENOMEM)
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	struct batch b = { .stats = stats, .forced = forced, .start = stats->bytes, .all = &l };
	int64_t read0 = stats->files_read; /* a budgeted run reads one file at least */
	if (!rc && deadline_ms && nothing_read_yet(ctx))
		rc = newest_first(&l);
	if (!rc)
		rc = set_automerge(ctx, FTS_AUTOMERGE);
	for (size_t i = 0; i < l.n && !rc; i++) {
		if (deadline_ms && stats->files_read > read0 && baton_real_now_ms() >= deadline_ms) {
			/* the files left with something to read (opencode's JSON trees: not
			 * counted, read by the next run) */
			pending_bytes(ctx, &l, i, &stats->pending_files);
			break;
		}
		b.next = i;
		rc = ingest_path(ctx, l.srcs[i], l.paths[i], false, &b);
		if (rc == BATON_ENOTFOUND || rc == BATON_EINVALID) {
			/* one bad transcript (or a forced session gone) must not stop the rest */
			stats->errors++;
			rc = 0;
		}
		if (ctx->progress)
			ctx->progress(ctx->progress_ud, (int64_t)i + 1, (int64_t)l.n, stats->bytes);
	}
	if (!rc)
		rc = batch_flush(ctx, &b);
	else if (b.open)
		batch_abort(ctx, &b);
	if (b.defer && !rc)
		rc = set_automerge(ctx, FTS_AUTOMERGE);
	/* what was ingested is committed: a merge that fails (a writer holding the lock
	 * past the timeout) is tried again next time. A run stopped by its deadline
	 * leaves it to the run that reads the rest: the overview would wait for it. */
	if (!rc && !stats->pending_files && merge_all(ctx, b.defer) == BATON_ENOMEM)
		rc = BATON_ENOMEM;
	batch_release(&b);
	for (size_t i = 0; i < l.n; i++)
		free(l.paths[i]);
	free(l.paths);
	free(l.srcs);
	roots_release(&roots);
	if (lock >= 0)
		close(lock);
	return rc;
}

/* ---- index module --------------------------------------------------------------- */

static const char ingest_schema[] =
	"CREATE TABLE IF NOT EXISTS transcripts(key TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL,"
	" dev INTEGER, ino INTEGER, size INTEGER, offset INTEGER NOT NULL DEFAULT 0, head TEXT, head_len INTEGER,"
	" asize INTEGER NOT NULL DEFAULT 0, state TEXT, sid TEXT);"
	"CREATE TABLE IF NOT EXISTS conversations(source TEXT NOT NULL, agent_session_id TEXT NOT NULL,"
	" session_id TEXT NOT NULL, transcript_path TEXT, first_seen TEXT, last_seen TEXT, cwd TEXT,"
	" event_id TEXT NOT NULL, PRIMARY KEY(source, agent_session_id));"
	"CREATE INDEX IF NOT EXISTS conversations_session ON conversations(session_id);"
	"CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	" agent_session_id TEXT NOT NULL, key TEXT NOT NULL, transcript TEXT NOT NULL, seq INTEGER NOT NULL, ts TEXT,"
	" role TEXT NOT NULL, kind TEXT NOT NULL, tool TEXT, paths TEXT, command TEXT, text TEXT,"
	" UNIQUE(source, agent_session_id, key));"
	"CREATE INDEX IF NOT EXISTS messages_conv ON messages(source, agent_session_id, ts, seq);"
	"CREATE INDEX IF NOT EXISTS messages_transcript ON messages(transcript, seq);"
	/* what a filtered search reads per hit (transcripts_ops.c): message rows are KiBs
	 * each, so walking thousands of hits read a 16 KiB page per hit; these entries
	 * are ~60 bytes, hundreds to a page */
	"CREATE INDEX IF NOT EXISTS messages_filter ON messages(id, source, agent_session_id, ts, role);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(text, tool, command, content='messages',"
	" content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');"
	/* prefix indexes: without them a query like is* or that* merged the doclists of
	 * every term with that prefix (the whole corpus) twice per search, 150-700 ms at
	 * 200k messages; with them 2-4 character prefixes read one doclist. Cost: ingest
	 * CPU +60%, index +40% (bench/b20, docs/transcripts.md). Longer prefixes match
	 * few terms and are still merged. */
	/* no triggers: sink_message and sink_truncate keep messages_fts (see fts_write).
	 * A 16 MiB term hash (default 1 MiB) flushed a segment per megabyte of postings,
	 * and merging those small segments was a fifth of a cold ingest; with batches
	 * (BATCH_BYTES) FTS5 now writes few, large segments. The hash is memory while a
	 * batch lasts: ingest's peak RSS is ~25 MiB. */
	"INSERT INTO messages_fts(messages_fts, rank) VALUES('hashsize', 16777216);"
	/* a schema is made by a rebuild (or verify), which merges every segment at its
	 * end (ingest_indexes): FTS5's merges along the way would be wasted */
	"INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 0);"
	"CREATE TABLE IF NOT EXISTS usage(source TEXT NOT NULL, agent_session_id TEXT NOT NULL, key TEXT NOT NULL,"
	" model TEXT, input INTEGER NOT NULL DEFAULT 0, output INTEGER NOT NULL DEFAULT 0,"
	" cache_read INTEGER NOT NULL DEFAULT 0, cache_write INTEGER NOT NULL DEFAULT 0,"
	" reasoning INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(source, agent_session_id, key));"
	/* what verify compares: the rowid is an artefact of insertion order */
	"CREATE VIEW IF NOT EXISTS messages_v AS SELECT source, agent_session_id, key, transcript, seq, ts, role, kind,"
	" tool, paths, command, text FROM messages;";

static int apply_linked(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *c = baton_json_obj(ev, "conversation");
	const char *source = baton_json_str(c, "source"), *sid = baton_json_str(c, "agent_session_id");
	const char *session = baton_json_str(c, "session_id");
	if (!source || !sid || !session)
		return 0;
	/* a conversation moving to another session: the hooks' caches must notice */
	sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT 1 FROM conversations WHERE source = ?1 AND agent_session_id = ?2"
						 " AND session_id <> ?3 AND event_id < ?4");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, session);
	baton_bind_text(st, 4, baton_json_str(ev, "id"));
	if (sqlite3_step(st) == SQLITE_ROW)
		baton_index_note_epoch(ctx);
	sqlite3_reset(st);
	st = baton_index_stmt(ctx,
		"INSERT INTO conversations(source, agent_session_id, session_id, transcript_path, first_seen, last_seen, cwd, event_id)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(source, agent_session_id) DO UPDATE SET"
		" session_id = excluded.session_id, transcript_path = excluded.transcript_path,"
		" first_seen = coalesce(first_seen, excluded.first_seen),"
		" last_seen = CASE WHEN last_seen IS NULL OR excluded.last_seen > last_seen THEN excluded.last_seen ELSE last_seen END,"
		" cwd = coalesce(excluded.cwd, cwd), event_id = excluded.event_id WHERE excluded.event_id > event_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, session);
	baton_bind_text(st, 4, baton_json_str(c, "transcript_path"));
	baton_bind_text(st, 5, baton_json_str(c, "first_seen"));
	baton_bind_text(st, 6, baton_json_str(c, "last_seen"));
	baton_bind_text(st, 7, baton_json_str(c, "cwd"));
	baton_bind_text(st, 8, baton_json_str(ev, "id"));
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return baton_index_error(ctx, "apply conversation_linked");
	/* messages may already be there (archive replayed before a late link): last_seen follows them */
	st = baton_index_stmt(ctx,
		"UPDATE conversations SET last_seen = (SELECT max(ts) FROM messages m WHERE m.source = ?1 AND m.agent_session_id = ?2)"
		" WHERE source = ?1 AND agent_session_id = ?2 AND"
		" (SELECT max(ts) FROM messages m WHERE m.source = ?1 AND m.agent_session_id = ?2) > coalesce(last_seen, '')");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply conversation_linked");
}

static const struct baton_event_handler ingest_handlers[] = {
	{ "conversation_linked", apply_linked },
	{ NULL, NULL },
};

static const char *const ingest_tables[] = { "conversations", "messages_v", "usage", NULL };

/* after a rebuild's bulk load: its segments merged into one at once (no concurrent
 * writer waits on the file being built), as baton_ingest_merge would */
static const char ingest_indexes[] =
	"INSERT INTO messages_fts(messages_fts) VALUES('optimize');"
	"INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', " BATON_STR(FTS_AUTOMERGE) ");"
	"INSERT OR REPLACE INTO meta(key, value) SELECT '" FTS_MERGED_KEY "', coalesce(max(id), 0) FROM messages;";

const struct baton_index_module baton_ingest_index = {
	.name = "transcripts",
	.schema = ingest_schema,
	.indexes = ingest_indexes,
	.tables = ingest_tables,
	.handlers = ingest_handlers,
	.replay = replay_archive,
};
