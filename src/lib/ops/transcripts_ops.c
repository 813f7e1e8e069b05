/* Transcript operations: ingest, messages, search, stats, and a debug dump of one
 * transcript's normalised messages (used by the golden tests). */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/index.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/lines.h"
#include "baton/redact.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "core/ctx.h"
#include "ops/ingest_internal.h"
#include "ops/search_rank.h"
#include "sources/source.h"

#define SEARCH_DEFAULT_LIMIT 20
#define SEARCH_MAX_LIMIT 500
#define SEARCH_DEFAULT_BUDGET_MS 2000
#define SEARCH_HEAP (256LL * 1024 * 1024) /* memory ceiling for one query */
/* BM25 costs about a microsecond per hit (FTS5 reads each hit's length): a query
 * matching most messages ("the", "is*") took seconds at a million messages. Such a
 * query is ranked among its newest SEARCH_RANK_WINDOW hits only, and says so
 * ("complete": false); a query with fewer hits is ranked over all of them. */
#define SEARCH_RANK_WINDOW 4000

static cJSON *stats_json(const struct baton_ingest_stats *s, int64_t ms)
{
	cJSON *o = cJSON_CreateObject();
	baton_json_add_int(o, "files", s->files);
	baton_json_add_int(o, "files_read", s->files_read);
	baton_json_add_int(o, "bytes", s->bytes);
	baton_json_add_int(o, "lines", s->lines);
	baton_json_add_int(o, "bad_lines", s->bad_lines);
	baton_json_add_int(o, "messages", s->messages);
	baton_json_add_int(o, "conversations", s->conversations);
	baton_json_add_int(o, "sessions", s->sessions);
	baton_json_add_int(o, "resets", s->resets);
	baton_json_add_int(o, "errors", s->errors);
	baton_json_add_int(o, "ms", ms);
	return o;
}

/* ---- ingest --------------------------------------------------------------------- */

static const struct baton_arg ingest_args[] = {
	{ "source", BATON_ARG_STRING, 0, 0, NULL, "only this agent: claude, codex, gemini or opencode" },
	{ "link_session", BATON_ARG_STRING, 0, 0, NULL, "link conversations to this session (default: $BATON_SESSION)" },
	{ "paths", BATON_ARG_REST, 0, 0, NULL, "transcript files to ingest (default: every known location)" },
	{ NULL },
};

static int op_ingest(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct baton_ingest_stats st = { 0 };
	const char *source = baton_json_str(args, "source");
	const char *forced = baton_json_str(args, "link_session");
	const cJSON *paths = baton_json_arr(args, "paths"), *p;
	int64_t t0 = baton_real_now_ms();
	int rc = 0;
	if (source && !baton_source_find(source))
		return baton_error(ctx, BATON_EINVALID, "ingest: unknown source '%s' (claude, codex, gemini, opencode)", source);
	if (cJSON_GetArraySize(paths)) {
		int i = 0, n = cJSON_GetArraySize(paths);
		cJSON_ArrayForEach(p, paths) {
			if ((rc = baton_ingest_file(ctx, source, p->valuestring, forced, &st)))
				return rc;
			if (ctx->progress)
				ctx->progress(ctx->progress_ud, ++i, n, st.bytes);
		}
		if (baton_ingest_merge(ctx) == BATON_ENOMEM) /* else: tried again next time */
			return BATON_ENOMEM;
	} else if ((rc = baton_ingest_all(ctx, source, forced, &st))) {
		return rc;
	}
	*out = stats_json(&st, baton_real_now_ms() - t0);
	return 0;
}

/* ---- messages ------------------------------------------------------------------- */

static const struct baton_arg messages_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "session id, unique prefix, or short name" },
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "at most N messages (default 50, 0: all)" },
	{ "offset", BATON_ARG_INT, 0, 0, NULL, "skip the first N messages" },
	{ "role", BATON_ARG_STRING, 0, 0, NULL, "only user, assistant, tool or system messages" },
	{ "kind", BATON_ARG_STRING, 0, 0, NULL, "only text, tool_use, tool_result, thinking or summary" },
	{ NULL },
};

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static const char *const roles[] = { "user", "assistant", "tool", "system", NULL };
static const char *const kinds[] = { "text", "tool_use", "tool_result", "thinking", "summary", NULL };

static cJSON *message_row(sqlite3_stmt *st, int c)
{
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "source", baton_col_text(st, c));
	baton_json_add_str(o, "agent_session_id", baton_col_text(st, c + 1));
	baton_json_add_int(o, "seq", sqlite3_column_int64(st, c + 2));
	baton_json_add_str(o, "timestamp", baton_col_text(st, c + 3));
	baton_json_add_str(o, "role", baton_col_text(st, c + 4));
	baton_json_add_str(o, "kind", baton_col_text(st, c + 5));
	baton_json_add_str(o, "tool", baton_col_text(st, c + 6));
	cJSON *paths = baton_col_text(st, c + 7) ? cJSON_Parse(baton_col_text(st, c + 7)) : NULL;
	cJSON_AddItemToObject(o, "paths", paths ? paths : cJSON_CreateArray());
	baton_json_add_str(o, "command", baton_col_text(st, c + 8));
	baton_json_add_str(o, "text", baton_col_text(st, c + 9));
	return o;
}

static int op_messages(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *role = baton_json_str(args, "role"), *kind = baton_json_str(args, "kind");
	int64_t limit = baton_json_int(args, "limit", 50), offset = baton_json_int(args, "offset", 0);
	cJSON *s = NULL;
	int rc;
	if (limit < 0 || offset < 0)
		return baton_error(ctx, BATON_EINVALID, "messages: --limit and --offset must be 0 or more");
	if (role && !one_of(role, roles))
		return baton_error(ctx, BATON_EINVALID, "messages: unknown role '%s' (user, assistant, tool, system)", role);
	if (kind && !one_of(kind, kinds))
		return baton_error(ctx, BATON_EINVALID,
				   "messages: unknown kind '%s' (text, tool_use, tool_result, thinking, summary)", kind);
	if ((rc = baton_session_get(ctx, &s, baton_json_str(args, "id"))))
		return rc;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT count(*) FROM messages m JOIN conversations c ON c.source = m.source"
		" AND c.agent_session_id = m.agent_session_id WHERE c.session_id = ?1"
		" AND (?2 IS NULL OR m.role = ?2) AND (?3 IS NULL OR m.kind = ?3)");
	if (!st) {
		rc = BATON_ERROR;
		goto out;
	}
	baton_bind_text(st, 1, baton_json_str(s, "id"));
	baton_bind_text(st, 2, role);
	baton_bind_text(st, 3, kind);
	int64_t total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	st = baton_index_stmt(ctx,
		"SELECT m.source, m.agent_session_id, m.seq, m.ts, m.role, m.kind, m.tool, m.paths, m.command, m.text"
		" FROM messages m JOIN conversations c ON c.source = m.source AND c.agent_session_id = m.agent_session_id"
		" WHERE c.session_id = ?1 AND (?2 IS NULL OR m.role = ?2) AND (?3 IS NULL OR m.kind = ?3)"
		" ORDER BY coalesce(m.ts, ''), m.transcript, m.seq LIMIT ?4 OFFSET ?5");
	if (!st) {
		rc = BATON_ERROR;
		goto out;
	}
	baton_bind_text(st, 1, baton_json_str(s, "id"));
	baton_bind_text(st, 2, role);
	baton_bind_text(st, 3, kind);
	sqlite3_bind_int64(st, 4, limit ? limit : -1);
	sqlite3_bind_int64(st, 5, offset);
	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "session_id", baton_json_str(s, "id"));
	baton_json_add_int(*out, "total", total);
	baton_json_add_int(*out, "offset", offset);
	cJSON *count = cJSON_AddNumberToObject(*out, "count", 0);
	cJSON *arr = cJSON_AddArrayToObject(*out, "messages");
	int r, n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON_AddItemToArray(arr, message_row(st, 0));
		n++;
	}
	sqlite3_reset(st);
	cJSON_SetNumberValue(count, n);
	if (r != SQLITE_DONE)
		rc = baton_index_error(ctx, "read messages");
out:
	cJSON_Delete(s);
	return rc;
}

/* ---- search --------------------------------------------------------------------- */

static const struct baton_arg search_args[] = {
	{ "query", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL,
	  "FTS5 query: words, \"a phrase\", prefix*, AND/OR/NOT, NEAR(a b)" },
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "only this session's conversations" },
	{ "repo", BATON_ARG_STRING, 0, 0, NULL, "only sessions of the repository containing PATH" },
	{ "project", BATON_ARG_STRING, 0, 0, NULL, "only sessions of project ID" },
	{ "source", BATON_ARG_STRING, 0, 0, NULL, "only claude, codex, gemini or opencode" },
	{ "since", BATON_ARG_STRING, 0, 0, NULL, "messages since TIME (RFC 3339, date, or 30m/2h/3d/1w ago)" },
	{ "role", BATON_ARG_STRING, 0, 0, NULL, "only user, assistant, tool or system messages" },
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "at most N hits (default 20, at most 500)" },
	{ "budget_ms", BATON_ARG_INT, 0, 0, NULL, "time budget in ms (default 2000); partial results past it" },
	{ NULL },
};

static int progress_cb(void *ud)
{
	struct baton_rank *rk = ud;
	if (baton_real_now_ms() > rk->deadline) {
		rk->hit_budget = true;
		return 1;
	}
	return 0;
}

static int op_search(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct baton_rank_hit *hits = NULL;
	struct baton_rank rk = { .nphrase = -1 };
	struct baton_watchdog *wd = NULL;
	cJSON **page = NULL;
	struct strbuf ids = STRBUF_INIT;
	const char *query = baton_json_str(args, "query"), *since = baton_json_str(args, "since");
	const char *role = baton_json_str(args, "role"), *repo = baton_json_str(args, "repo");
	const char *source = baton_json_str(args, "source");
	int64_t limit = baton_json_int(args, "limit", SEARCH_DEFAULT_LIMIT);
	int64_t budget_ms = baton_json_int(args, "budget_ms", SEARCH_DEFAULT_BUDGET_MS);
	char since_ts[BATON_TIME_LEN] = "";
	char *root = NULL, *repo_abs = NULL;
	cJSON *s = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (!query || !query[strspn(query, " \t\r\n")])
		return baton_error(ctx, BATON_EINVALID, "search: the query is empty");
	if (limit <= 0 || limit > SEARCH_MAX_LIMIT)
		return baton_error(ctx, BATON_EINVALID, "search: --limit must be between 1 and %d", SEARCH_MAX_LIMIT);
	if (budget_ms <= 0)
		return baton_error(ctx, BATON_EINVALID, "search: --budget-ms must be more than 0");
	if (role && !one_of(role, roles))
		return baton_error(ctx, BATON_EINVALID, "search: unknown role '%s' (user, assistant, tool, system)", role);
	if (source && !baton_source_find(source))
		return baton_error(ctx, BATON_EINVALID, "search: unknown source '%s' (claude, codex, gemini, opencode)", source);
	if (since) {
		int64_t ms;
		if (baton_time_parse_since(&ms, since, baton_now_ms(ctx)))
			return baton_error(ctx, BATON_EINVALID,
					   "search: cannot read time '%s': use RFC 3339, YYYY-MM-DD, or 30m/2h/3d/1w", since);
		baton_time_format(since_ts, ms);
	}
	/* one read transaction for the whole search: each statement in autocommit took
	 * and dropped the WAL's read lock (two fcntl calls) and checked the WAL again,
	 * dozens of times per search; one snapshot also keeps the pages the ranking read
	 * for the page of snippets */
	bool txn = sqlite3_get_autocommit(ctx->db) && !baton_index_exec(ctx, "BEGIN");
	if (baton_json_str(args, "session") && (rc = baton_session_get(ctx, &s, baton_json_str(args, "session"))))
		goto out;
	if (repo) {
		repo_abs = baton_path_absolute(repo, ctx->cwd);
		if (!repo_abs) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		if (baton_is_dir(repo_abs) && (rc = baton_git_root(ctx, &root, repo_abs)))
			goto out;
	}
	/* not through the statement cache: the budget handler must see only this query.
	 * One pass ranks: hits are walked newest first (no sorter, FTS5 alone when there
	 * are no filters) and bm25() is computed for each hit of the window as it goes;
	 * the best `limit` are then read back with their snippets (sql[2]). FTS5's own
	 * ORDER BY rank evaluated the query twice (a floor walk to find the window, then
	 * its sorter) and sorted every hit of the window in SQL. ?9 is
	 * SEARCH_RANK_WINDOW + 1: a hit past the window means the window applies.
	 * Without filters, hits of deleted sessions count in the window (as before) and
	 * are dropped when the page is fetched. */
#define SEARCH_CONV " JOIN conversations c ON c.source = m.source AND c.agent_session_id = m.agent_session_id" \
	" JOIN sessions s ON s.id = c.session_id AND s.deleted = 0 WHERE messages_fts MATCH ?1"
#define SEARCH_JOIN " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid" SEARCH_CONV
#define SEARCH_JOIN_FILTER " FROM messages_fts JOIN messages m INDEXED BY messages_filter" \
	" ON m.id = messages_fts.rowid" SEARCH_CONV
	bool filtered = baton_json_str(s, "id") || repo || baton_json_str(args, "project") || source || since || role;
	static const char *const sql[3] = {
		/* INDEXED BY: the planner prefers the message row, ~3x slower here */
		"SELECT messages_fts.rowid, baton_bm25(messages_fts, ?10)" SEARCH_JOIN_FILTER
		" AND (?2 IS NULL OR c.session_id = ?2)"
		" AND (?3 IS NULL OR s.repo_root = ?3 OR s.cwd = ?3 OR substr(s.cwd, 1, length(?3) + 1) = ?3 || '/')"
		" AND (?4 IS NULL OR s.project_id = ?4)"
		" AND (?5 IS NULL OR m.source = ?5)"
		" AND (?6 IS NULL OR m.ts >= ?6)"
		" AND (?7 IS NULL OR m.role = ?7)"
		" ORDER BY messages_fts.rowid DESC LIMIT ?9",
		"SELECT rowid, baton_bm25(messages_fts, ?10) FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?9",
		/* the page: FTS5 walks the hits between the page's oldest and newest (bare
		 * rowid bounds), the '+' keeps the list a filter on that walk. With both
		 * bounds on one hit FTS5 seeks to it instead: cheaper for phrases and NEAR
		 * (a walk re-matched the positions over the whole window), but a seek
		 * steps through a term's doclist from its start (20 seeks were 40% of a
		 * rare word's search at 1.2M messages) and a prefix query re-reads every
		 * matching term's doclist at each seek, so words and prefixes walk. */
		"SELECT m.source, m.agent_session_id, m.seq, m.ts, m.role, m.kind, m.tool, m.paths, m.command,"
		" snippet(messages_fts, 0, '**', '**', '…', 16), c.session_id, messages_fts.rowid" SEARCH_JOIN
		" AND messages_fts.rowid >= ?2 AND messages_fts.rowid <= ?3"
		" AND +messages_fts.rowid IN (SELECT value FROM json_each(?4))",
	};
#undef SEARCH_JOIN
#undef SEARCH_JOIN_FILTER
#undef SEARCH_CONV
	rk.deadline = baton_real_now_ms() + budget_ms;
	rk.defer = !filtered;
	rk.table = "messages_fts";
	int64_t t0 = baton_real_now_ms();
	sqlite3_int64 old_heap = sqlite3_hard_heap_limit64(-1);
	sqlite3_hard_heap_limit64(sqlite3_memory_used() + SEARCH_HEAP);
	int r = SQLITE_DONE, n = 0, nhits = 0;
	bool windowed = false;
	cJSON *res = NULL;
	if (!(hits = malloc(sizeof *hits * (SEARCH_RANK_WINDOW + 1)))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto done;
	}
	/* the rowid range, for the IDF estimates of search_rank.c (one min/max per
	 * SELECT: both in one would scan the table) */
	if (!(st = baton_index_stmt(ctx, "SELECT (SELECT min(id) FROM messages), (SELECT max(id) FROM messages)"))) {
		rc = BATON_ERROR;
		goto done;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		rk.minrow = sqlite3_column_int64(st, 0);
		rk.maxrow = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	st = NULL;
	sqlite3_progress_handler(ctx->db, 1000, progress_cb, &rk);
	r = sqlite3_prepare_v2(ctx->db, sql[filtered ? 0 : 1], -1, &st, NULL);
	if (r != SQLITE_OK && strstr(sqlite3_errmsg(ctx->db), "baton_bm25")) {
		/* first search on this connection */
		if (baton_rank_register(ctx->db) == SQLITE_OK)
			r = sqlite3_prepare_v2(ctx->db, sql[filtered ? 0 : 1], -1, &st, NULL);
	}
	if (r != SQLITE_OK) {
		rc = baton_index_error(ctx, "search");
		goto done;
	}
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, SEARCH_RANK_WINDOW + 1);
	sqlite3_bind_pointer(st, 10, &rk, BATON_RANK_PTR, NULL);
	if (filtered) {
		baton_bind_text(st, 2, baton_json_str(s, "id"));
		baton_bind_text(st, 3, repo ? (root ? root : repo_abs) : NULL);
		baton_bind_text(st, 4, baton_json_str(args, "project"));
		baton_bind_text(st, 5, source);
		baton_bind_text(st, 6, since ? since_ts : NULL);
		baton_bind_text(st, 7, role);
	}
	wd = baton_watchdog_start(ctx->db, rk.deadline);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (nhits == SEARCH_RANK_WINDOW) {
			windowed = true; /* ranked within the newest hits only */
			r = SQLITE_DONE;
			break;
		}
		hits[nhits].id = sqlite3_column_int64(st, 0);
		hits[nhits++].score = sqlite3_column_double(st, 1);
	}
	if (baton_watchdog_stop(wd) && r == SQLITE_INTERRUPT)
		rk.hit_budget = true;
	wd = NULL;
	if (r != SQLITE_DONE && !rk.hit_budget)
		goto done; /* an error: reported below */
	r = SQLITE_DONE;
	/* past the budget: rank the hits found so far, and fetch that page anyway (at
	 * most `limit` seeks) */
	bool late = rk.hit_budget;
	rk.hit_budget = false;
	sqlite3_finalize(st);
	st = NULL;
	/* exact scores for the best `limit` (a length read per hit that may be among
	 * them, at most one per hit walked: not cut short by the budget) */
	sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	int64_t last = nhits ? hits[nhits - 1].id : 0;
	bool all = !windowed && !late;
	int ranked = baton_rank_order(&rk, ctx->db, hits, nhits, (int)limit, last, all);
	if (ranked < 0) {
		rc = baton_index_error(ctx, "search");
		goto done;
	}
	if (!late)
		sqlite3_progress_handler(ctx->db, 1000, progress_cb, &rk);
	if (sqlite3_prepare_v2(ctx->db, sql[2], -1, &st, NULL) != SQLITE_OK) {
		rc = baton_index_error(ctx, "search");
		goto done;
	}
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	res = cJSON_CreateObject();
	baton_json_add_str(res, "query", query);
	cJSON *count = cJSON_AddNumberToObject(res, "count", 0);
	cJSON *complete = cJSON_AddBoolToObject(res, "complete", !windowed && !late);
	cJSON *ms = cJSON_AddNumberToObject(res, "ms", 0);
	cJSON *arr = cJSON_AddArrayToObject(res, "hits");
	/* the best `limit` hits; more only if some were dropped (deleted sessions) */
	if (!(page = calloc((size_t)limit, sizeof *page))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto done;
	}
	bool seek = !strchr(query, '*') && (strchr(query, '"') || strstr(query, "NEAR"));
	for (int next = 0; next < nhits && n < limit && !rk.hit_budget && r == SQLITE_DONE;) {
		if (next == ranked) { /* hits were dropped: rank further */
			sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
			if ((ranked = baton_rank_order(&rk, ctx->db, hits, nhits, nhits, last, all)) < 0) {
				rc = baton_index_error(ctx, "search");
				goto done;
			}
			if (!late)
				sqlite3_progress_handler(ctx->db, 1000, progress_cb, &rk);
		}
		int cnt = (int)(limit - n) < ranked - next ? (int)(limit - n) : ranked - next;
		if (seek)
			cnt = 1;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		ids.len = 0;
		for (int i = 0; i < cnt; i++) {
			int64_t id = hits[next + i].id;
			lo = id < lo ? id : lo;
			hi = id > hi ? id : hi;
			if (baton_strbuf_addf(&ids, "%c%lld", i ? ',' : '[', (long long)id)) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				goto done;
			}
		}
		if (baton_strbuf_addch(&ids, ']')) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto done;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 2, lo);
		sqlite3_bind_int64(st, 3, hi);
		sqlite3_bind_text(st, 4, ids.buf, (int)ids.len, SQLITE_STATIC);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 11);
			int j = 0;
			while (j < cnt && hits[next + j].id != id)
				j++;
			if (j == cnt || page[j])
				continue;
			cJSON *o = cJSON_CreateObject();
			baton_json_add_str(o, "session_id", baton_col_text(st, 10));
			cJSON *m = message_row(st, 0);
			cJSON_DeleteItemFromObjectCaseSensitive(m, "text");
			cJSON *it;
			cJSON_ArrayForEach(it, m)
				cJSON_AddItemToObject(o, it->string, cJSON_Duplicate(it, 1));
			cJSON_Delete(m);
			baton_json_add_str(o, "snippet", baton_col_text(st, 9));
			cJSON_AddNumberToObject(o, "score", -hits[next + j].score);
			page[j] = o;
		}
		for (int i = 0; i < cnt; i++) { /* best first */
			if (page[i]) {
				cJSON_AddItemToArray(arr, page[i]);
				page[i] = NULL;
				n++;
			}
		}
		next += cnt;
	}
	if (r == SQLITE_ROW)
		r = SQLITE_DONE;
	if (r == SQLITE_DONE || rk.hit_budget) { /* past the budget: what was found so far */
		cJSON_SetNumberValue(count, n);
		if (rk.hit_budget)
			complete->type = cJSON_False; /* cJSON has no setter for booleans */
		cJSON_SetNumberValue(ms, (double)(baton_real_now_ms() - t0));
		*out = res;
		res = NULL;
	}
done:
	baton_watchdog_stop(wd);
	sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	sqlite3_hard_heap_limit64(old_heap);
	if (!rc && r != SQLITE_DONE && !rk.hit_budget) {
		const char *msg = sqlite3_errmsg(ctx->db);
		int ec = sqlite3_errcode(ctx->db);
		if (r == SQLITE_NOMEM)
			rc = baton_error(ctx, BATON_ENOMEM, "search: the query needs more than the %lld MB allowed; narrow it",
					 SEARCH_HEAP / (1024 * 1024));
		else if (ec == SQLITE_ERROR) /* the statement is fixed: an error is the query's */
			rc = baton_error(ctx, BATON_EINVALID,
					 "search: cannot read query '%s' (%s): quote phrases with \"…\", use word*, AND, OR, NOT",
					 query, msg);
		else
			rc = baton_index_error(ctx, "search");
	}
	cJSON_Delete(res);
out:
	if (page)
		for (int64_t i = 0; i < limit; i++)
			cJSON_Delete(page[i]);
	free(page);
	baton_strbuf_release(&ids);
	free(hits);
	sqlite3_finalize(st);
	baton_rank_release(&rk);
	if (txn)
		baton_index_rollback(ctx); /* it only read: ending it is all */
	cJSON_Delete(s);
	free(root);
	free(repo_abs);
	return rc;
}

/* ---- stats ---------------------------------------------------------------------- */

static const struct baton_arg stats_args[] = {
	{ "project", BATON_ARG_STRING, 0, 0, NULL, "only sessions of project ID" },
	{ "source", BATON_ARG_STRING, 0, 0, NULL, "only sessions (and conversations) from this source" },
	{ NULL },
};

static int group_into(struct baton_ctx *ctx, cJSON *obj, const char *sql, const char *project, const char *source)
{
	sqlite3_stmt *st = baton_index_stmt(ctx, sql);
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, project);
	baton_bind_text(st, 2, source);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		baton_json_add_int(obj, baton_col_text(st, 0) ? baton_col_text(st, 0) : "unknown", sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "stats");
}

#define SESS_WHERE " WHERE deleted = 0 AND (?1 IS NULL OR project_id = ?1) AND (?2 IS NULL OR source = ?2)"
#define CONV_JOIN " FROM conversations c JOIN sessions s ON s.id = c.session_id AND s.deleted = 0" \
		  " WHERE (?1 IS NULL OR s.project_id = ?1) AND (?2 IS NULL OR c.source = ?2)"

static int op_stats(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *project = baton_json_str(args, "project"), *source = baton_json_str(args, "source");
	int rc;
	if (source && strcmp(source, "cli") && !baton_source_find(source))
		return baton_error(ctx, BATON_EINVALID, "stats: unknown source '%s' (cli, claude, codex, gemini, opencode)", source);
	cJSON *o = cJSON_CreateObject();
	cJSON *tot = cJSON_AddObjectToObject(o, "totals");
	cJSON *by_status = cJSON_AddObjectToObject(o, "by_status");
	cJSON *by_source = cJSON_AddObjectToObject(o, "by_source");
	cJSON *msgs = cJSON_AddObjectToObject(o, "messages");
	cJSON *by_role = cJSON_CreateObject(), *by_kind = cJSON_CreateObject();
	cJSON *tokens = cJSON_AddObjectToObject(o, "tokens");
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT (SELECT count(*) FROM sessions" SESS_WHERE "),"
		" (SELECT count(*)" CONV_JOIN "),"
		" (SELECT count(*) FROM messages m JOIN conversations c USING(source, agent_session_id)"
		" JOIN sessions s ON s.id = c.session_id AND s.deleted = 0"
		" WHERE (?1 IS NULL OR s.project_id = ?1) AND (?2 IS NULL OR c.source = ?2))");
	if (!st) {
		rc = BATON_ERROR;
		goto fail;
	}
	baton_bind_text(st, 1, project);
	baton_bind_text(st, 2, source);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = baton_index_error(ctx, "stats");
		goto fail;
	}
	baton_json_add_int(tot, "sessions", sqlite3_column_int64(st, 0));
	baton_json_add_int(tot, "conversations", sqlite3_column_int64(st, 1));
	baton_json_add_int(tot, "messages", sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	if ((rc = group_into(ctx, by_status, "SELECT status, count(*) FROM sessions" SESS_WHERE " GROUP BY status ORDER BY status",
			     project, source)))
		goto fail;
	cJSON *ss = cJSON_AddObjectToObject(by_source, "sessions");
	cJSON *cs = cJSON_AddObjectToObject(by_source, "conversations");
	if ((rc = group_into(ctx, ss, "SELECT source, count(*) FROM sessions" SESS_WHERE " GROUP BY source ORDER BY source",
			     project, source)) ||
	    (rc = group_into(ctx, cs, "SELECT c.source, count(*)" CONV_JOIN " GROUP BY c.source ORDER BY c.source", project, source)))
		goto fail;
	cJSON_AddItemToObject(msgs, "by_role", by_role);
	cJSON_AddItemToObject(msgs, "by_kind", by_kind);
	if ((rc = group_into(ctx, by_role,
			     "SELECT m.role, count(*) FROM messages m JOIN conversations c USING(source, agent_session_id)"
			     " JOIN sessions s ON s.id = c.session_id AND s.deleted = 0"
			     " WHERE (?1 IS NULL OR s.project_id = ?1) AND (?2 IS NULL OR c.source = ?2) GROUP BY m.role ORDER BY m.role",
			     project, source)) ||
	    (rc = group_into(ctx, by_kind,
			     "SELECT m.kind, count(*) FROM messages m JOIN conversations c USING(source, agent_session_id)"
			     " JOIN sessions s ON s.id = c.session_id AND s.deleted = 0"
			     " WHERE (?1 IS NULL OR s.project_id = ?1) AND (?2 IS NULL OR c.source = ?2) GROUP BY m.kind ORDER BY m.kind",
			     project, source)))
		goto fail;
	st = baton_index_stmt(ctx,
		"SELECT count(*), coalesce(sum(u.input), 0), coalesce(sum(u.output), 0), coalesce(sum(u.cache_read), 0),"
		" coalesce(sum(u.cache_write), 0), coalesce(sum(u.reasoning), 0)"
		" FROM usage u JOIN conversations c USING(source, agent_session_id)"
		" JOIN sessions s ON s.id = c.session_id AND s.deleted = 0"
		" WHERE (?1 IS NULL OR s.project_id = ?1) AND (?2 IS NULL OR c.source = ?2)");
	if (!st) {
		rc = BATON_ERROR;
		goto fail;
	}
	baton_bind_text(st, 1, project);
	baton_bind_text(st, 2, source);
	if (sqlite3_step(st) == SQLITE_ROW) {
		baton_json_add_int(tokens, "responses", sqlite3_column_int64(st, 0));
		baton_json_add_int(tokens, "input", sqlite3_column_int64(st, 1));
		baton_json_add_int(tokens, "output", sqlite3_column_int64(st, 2));
		baton_json_add_int(tokens, "cache_read", sqlite3_column_int64(st, 3));
		baton_json_add_int(tokens, "cache_write", sqlite3_column_int64(st, 4));
		baton_json_add_int(tokens, "reasoning", sqlite3_column_int64(st, 5));
		baton_json_add_int(tokens, "total", sqlite3_column_int64(st, 1) + sqlite3_column_int64(st, 2) +
						   sqlite3_column_int64(st, 3) + sqlite3_column_int64(st, 4));
	}
	sqlite3_reset(st);
	/* handoffs: sessions carrying one, and those waiting to be picked up */
	st = baton_index_stmt(ctx,
		"SELECT coalesce(sum(json_extract(json, '$.handoff.markdown') IS NOT NULL), 0),"
		" coalesce(sum(status = 'handoff_ready'), 0) FROM sessions" SESS_WHERE);
	if (!st) {
		rc = BATON_ERROR;
		goto fail;
	}
	baton_bind_text(st, 1, project);
	baton_bind_text(st, 2, source);
	cJSON *handoffs = cJSON_AddObjectToObject(o, "handoffs");
	if (sqlite3_step(st) == SQLITE_ROW) {
		baton_json_add_int(handoffs, "sessions", sqlite3_column_int64(st, 0));
		baton_json_add_int(handoffs, "ready", sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	*out = o;
	return 0;
fail:
	cJSON_Delete(o);
	return rc;
}

/* ---- transcript dump (debugging, golden tests) ---------------------------------- */

static const struct baton_arg dump_args[] = {
	{ "path", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "a transcript file" },
	{ "source", BATON_ARG_STRING, 0, 0, NULL, "claude, codex, gemini or opencode (default: from the path)" },
	{ "count", BATON_ARG_BOOL, 0, 0, NULL, "only count lines, messages and tokens (streams; times the readers)" },
	{ "more", BATON_ARG_REST, 0, 0, NULL, "more transcripts (with --count)" },
	{ NULL },
};

struct counts {
	int64_t messages, usage, input, output, cache_read, cache_write, reasoning;
	int64_t lines, bad, bytes, files;
};

static int count_message(void *ud, const char *sid, int64_t seq, const struct baton_msg *m)
{
	((struct counts *)ud)->messages++;
	return 0;
}

static int count_usage(void *ud, const char *sid, const struct baton_usage *u)
{
	struct counts *c = ud;
	c->usage++;
	c->input += u->input;
	c->output += u->output;
	c->cache_read += u->cache_read;
	c->cache_write += u->cache_write;
	c->reasoning += u->reasoning;
	return 0;
}

static int count_truncate(void *ud, const char *sid, const char *key)
{
	return 0;
}

/* --count: each line read, redacted and parsed as ingest does, through a bounded line
 * buffer, with nothing kept but the totals: the readers' own speed and memory. ctx
 * only lends its redactor and error buffer (a worker passes its own). */
static int count_file(struct baton_ctx *ctx, const struct baton_source *src, const char *path, struct counts *c)
{
	struct baton_lines lr;
	struct strbuf red = STRBUF_INIT;
	struct baton_sink sink = { c, count_message, count_usage, count_truncate };
	cJSON *state = cJSON_CreateObject();
	struct baton_reader r = { .src = src, .path = path, .state = state, .sink = &sink };
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0, got;
	char *line;
	size_t len;
	if (fd < 0) {
		cJSON_Delete(state);
		return baton_error(ctx, BATON_ENOTFOUND, "transcript dump: cannot read '%s'", path);
	}
	if (!state || baton_lines_init(&lr, fd, 0, 16 * 1024 * 1024)) {
		close(fd);
		cJSON_Delete(state);
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	while (!rc && (got = baton_lines_next(&lr, &line, &len, NULL)) == 1) {
		baton_strbuf_reset(&red);
		if (!(rc = baton_redact(ctx, &red, line, len)) && red.len)
			rc = src->line(&r, red.buf, red.len);
	}
	if (!rc && got < 0)
		rc = baton_error(ctx, BATON_ERROR, "transcript dump: cannot read '%s'", path);
	c->lines += r.lines;
	c->bad += r.bad_lines + (int64_t)lr.skipped_long;
	c->bytes += baton_lines_offset(&lr);
	c->files++;
	baton_lines_release(&lr);
	close(fd);
	baton_strbuf_release(&red);
	cJSON_Delete(state);
	return rc;
}

/* Files are shared out to COUNT_THREADS workers (the caller's thread is one), each
 * taking the next file not yet taken: the totals are sums, so the order does not
 * matter. A worker redacts with a context of its own (the redactor's match data is
 * per thread) and reports its first error; the error of the earliest file wins, as
 * reading them in order would have reported it. */
#define COUNT_THREADS 2

struct count_job {
	const char **paths;
	const struct baton_source **srcs;
	size_t n;
	atomic_size_t next;
	atomic_size_t stop;      /* lowest index of a file that failed, n when none */
};

struct count_worker {
	struct count_job *job;
	struct baton_ctx wctx;   /* redactor and error buffer only */
	struct counts c;
	size_t failed;           /* index of the file that failed, or n */
	int rc;
	pthread_t thread;
	bool started;
};

static void *count_worker_run(void *ud)
{
	struct count_worker *w = ud;
	struct count_job *j = w->job;
	w->failed = j->n;
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n || i > atomic_load(&j->stop))
			break;
		if ((w->rc = count_file(&w->wctx, j->srcs[i], j->paths[i], &w->c))) {
			w->failed = i;
			size_t cur = atomic_load(&j->stop);
			while (i < cur && !atomic_compare_exchange_weak(&j->stop, &cur, i))
				;
			break;
		}
	}
	baton_json_scratch_release();
	return NULL;
}

static int dump_count(struct baton_ctx *ctx, const cJSON *args, const struct baton_source *forced, cJSON **out)
{
	struct counts c = { 0 };
	const cJSON *more = baton_json_arr(args, "more"), *next = more ? more->child : NULL;
	struct count_job job = { 0 };
	struct count_worker w[COUNT_THREADS];
	size_t alloc = 0;
	int rc = 0;
	memset(w, 0, sizeof w);
	for (const char *path = baton_json_str(args, "path"); path;
	     path = next ? next->valuestring : NULL, next = next ? next->next : NULL) {
		const struct baton_source *src = forced;
		for (const struct baton_source *const *s = baton_sources; *s && !src; s++)
			if ((*s)->claims(path))
				src = *s;
		if (!src)
			src = &baton_source_claude;
		if (src->export || src->whole_file || (strlen(path) > 5 && !strcmp(path + strlen(path) - 5, ".json"))) {
			rc = baton_error(ctx, BATON_EINVALID, "transcript dump: --count reads JSONL transcripts, not '%s'", path);
			goto out;
		}
		if (job.n == alloc) {
			size_t a = alloc ? alloc * 2 : 64;
			const char **p = realloc(job.paths, a * sizeof *p);
			if (p)
				job.paths = p;
			const struct baton_source **q = p ? realloc(job.srcs, a * sizeof *q) : NULL;
			if (!q) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				goto out;
			}
			job.srcs = q;
			alloc = a;
		}
		job.paths[job.n] = path;
		job.srcs[job.n++] = src;
	}
	atomic_init(&job.next, 0);
	atomic_init(&job.stop, job.n);
	size_t nw = job.n < COUNT_THREADS ? 1 : COUNT_THREADS;
	for (size_t k = 0; k < nw; k++)
		w[k].job = &job;
	/* the caller's thread works too, with the caller's context (its redactor is reused) */
	for (size_t k = 1; k < nw; k++)
		w[k].started = !pthread_create(&w[k].thread, NULL, count_worker_run, &w[k]);
	{
		struct baton_ctx *own = &w[0].wctx;
		*own = (struct baton_ctx){ .redactor = ctx->redactor };
		count_worker_run(&w[0]);
		ctx->redactor = own->redactor;
		own->redactor = NULL;
		if (w[0].rc)
			memcpy(ctx->err, own->err, sizeof ctx->err);
	}
	size_t first = job.n;
	for (size_t k = 0; k < nw; k++) {
		if (k && w[k].started)
			pthread_join(w[k].thread, NULL);
		else if (k) /* no thread: do its share here */
			count_worker_run(&w[k]);
		if (w[k].rc && w[k].failed < first) {
			first = w[k].failed;
			rc = w[k].rc;
			if (k)
				memcpy(ctx->err, w[k].wctx.err, sizeof ctx->err);
		}
		baton_redactor_free(k ? w[k].wctx.redactor : NULL);
		c.messages += w[k].c.messages;
		c.usage += w[k].c.usage;
		c.input += w[k].c.input;
		c.output += w[k].c.output;
		c.cache_read += w[k].c.cache_read;
		c.cache_write += w[k].c.cache_write;
		c.reasoning += w[k].c.reasoning;
		c.lines += w[k].c.lines;
		c.bad += w[k].c.bad;
		c.bytes += w[k].c.bytes;
		c.files += w[k].c.files;
	}
	if (rc)
		goto out;
	*out = cJSON_CreateObject();
	baton_json_add_int(*out, "files", c.files);
	baton_json_add_int(*out, "bytes", c.bytes);
	baton_json_add_int(*out, "lines", c.lines);
	baton_json_add_int(*out, "bad_lines", c.bad);
	baton_json_add_int(*out, "messages", c.messages);
	baton_json_add_int(*out, "usage_records", c.usage);
	baton_json_add_int(*out, "input", c.input);
	baton_json_add_int(*out, "output", c.output);
	baton_json_add_int(*out, "cache_read", c.cache_read);
	baton_json_add_int(*out, "cache_write", c.cache_write);
	baton_json_add_int(*out, "reasoning", c.reasoning);
out:
	free(job.paths);
	free(job.srcs);
	return rc;
}

static int dump_chunk(void *ud, const char *lines, size_t len, int64_t next)
{
	(void)next;
	return baton_strbuf_add(ud, lines, len) ? BATON_ENOMEM : 0;
}

/* Parse a transcript as ingest would (redacted), without touching the store. */
static int op_dump(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *path = baton_json_str(args, "path"), *source = baton_json_str(args, "source");
	const struct baton_source *src = source ? baton_source_find(source) : NULL;
	struct strbuf raw = STRBUF_INIT, red = STRBUF_INIT;
	int rc = 0;
	if (source && !src)
		return baton_error(ctx, BATON_EINVALID, "transcript dump: unknown source '%s'", source);
	if (baton_json_bool(args, "count", false))
		return dump_count(ctx, args, src, out);
	if (cJSON_GetArraySize(baton_json_arr(args, "more")))
		return baton_error(ctx, BATON_EINVALID, "transcript dump: one PATH at a time (several only with --count)");
	if (!src) {
		for (const struct baton_source *const *s = baton_sources; *s && !src; s++)
			if ((*s)->claims(path))
				src = *s;
		if (!src)
			src = &baton_source_claude;
	}
	bool whole = strlen(path) > 5 && !strcmp(path + strlen(path) - 5, ".json");
	cJSON *xstate = NULL;
	int64_t xbad = 0;
	if (src->export) {
		char *store = src->locate && baton_is_dir(path) ? src->locate(path) : NULL;
		if (!(xstate = cJSON_CreateObject()))
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		else
			rc = src->export(ctx, store ? store : path, 0, xstate, &xbad, dump_chunk, &raw);
		free(store);
		cJSON_Delete(xstate);
	} else {
		rc = baton_read_file(ctx, &raw, path, 512 * 1024 * 1024);
	}
	if (rc)
		goto out;
	if (whole) {
		cJSON *doc = cJSON_ParseWithLength(raw.buf, raw.len);
		char *flat = doc ? cJSON_PrintUnformatted(doc) : NULL;
		cJSON_Delete(doc);
		if (flat)
			rc = baton_redact(ctx, &red, flat, strlen(flat));
		cJSON_free(flat);
	} else {
		for (const char *p = raw.buf, *e = raw.buf + raw.len; p < e && !rc;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			if (!nl)
				break; /* a torn last line, as ingest skips it */
			if (!(rc = baton_redact(ctx, &red, p, (size_t)(nl - p))))
				baton_strbuf_addch(&red, '\n');
			p = nl + 1;
		}
	}
	if (rc)
		goto out;
	struct baton_ingest_sink s;
	baton_ingest_sink_init(&s, ctx, src->name, "dump");
	s.collect = cJSON_CreateArray();
	s.collect_usage = cJSON_CreateArray();
	cJSON *state = cJSON_CreateObject();
	struct baton_reader r = { .src = src, .path = path, .state = state, .sink = &s.sink };
	rc = baton_ingest_parse(&r, red.buf, red.len, whole);
	if (!rc) {
		*out = cJSON_CreateObject();
		baton_json_add_str(*out, "source", src->name);
		baton_json_add_int(*out, "lines", r.lines);
		baton_json_add_int(*out, "bad_lines", r.bad_lines + xbad);
		cJSON_DeleteItemFromObjectCaseSensitive(state, "tools");
		cJSON_DeleteItemFromObjectCaseSensitive(state, "calls");
		cJSON_AddItemToObject(*out, "state", state);
		state = NULL;
		cJSON_AddItemToObject(*out, "messages", s.collect);
		cJSON_AddItemToObject(*out, "usage", s.collect_usage);
	} else {
		cJSON_Delete(s.collect);
		cJSON_Delete(s.collect_usage);
	}
	cJSON_Delete(state);
out:
	baton_strbuf_release(&raw);
	baton_strbuf_release(&red);
	return rc;
}

const struct baton_op baton_transcript_ops[] = {
	{ "ingest", "ingest", "ingest_transcripts", "ingest [--source S] [--link-session ID] [PATH…]",
	  "read new transcript records from the agents' known locations (or PATHs) into the archive and index",
	  ingest_args, BATON_OP_MUTATES, op_ingest },
	{ "messages", "messages", "get_session_messages", "messages ID [--limit N] [--offset N] [--role R] [--kind K]",
	  "the messages of a session's agent conversations, in order", messages_args, BATON_OP_READ_ONLY, op_messages },
	{ "search", "search", "search_messages",
	  "search QUERY [--session ID] [--repo P] [--project ID] [--source S] [--since T] [--role R] [--limit N] [--budget-ms N]",
	  "full-text search over every agent message (BM25 ranked, highlighted snippets)", search_args, BATON_OP_READ_ONLY, op_search },
	{ "stats", "stats", "session_stats", "stats [--project ID] [--source S]",
	  "totals: sessions by status and source, conversations, messages, tokens, handoffs", stats_args, BATON_OP_READ_ONLY, op_stats },
	{ "transcript.dump", "transcript dump", "transcript_dump", "transcript dump PATH [--source S] | transcript dump --count PATH…",
	  "debug: the normalised messages of one transcript, as ingest derives them (nothing stored)", dump_args,
	  BATON_OP_NO_MCP, op_dump },
	{ NULL },
};
