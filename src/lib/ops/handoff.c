/* Handoff operations (handoff.h): create the markdown from the analyzer's context and
 * store it on the session, read it back, the session's commits, the current session. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/analyze.h"
#include "baton/clock.h"
#include "baton/handoff.h"
#include "baton/index.h"
#include "baton/ingest.h"
#include "baton/journal.h"
#include "baton/json.h"
#include "baton/redact.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

/* ---- rendering ------------------------------------------------------------------ */

/* How much each list and line may hold; tried in order until the document fits. */
static const struct level {
	int items;
	size_t width;
} levels[] = {
	{ 20, 300 }, { 10, 200 }, { 6, 140 }, { 4, 100 }, { 2, 80 }, { 1, 60 }, { 0, 60 },
};

/* s as one line of at most width bytes (cut on a UTF-8 boundary, with an ellipsis). */
static void line(struct strbuf *sb, const char *s, size_t width)
{
	size_t start = sb->len;
	bool space = false;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = sb->len > start;
			continue;
		}
		if (sb->len - start + (space ? 1 : 0) >= width) {
			size_t cut = sb->len;
			while (cut > start && ((unsigned char)sb->buf[cut] & 0xC0) == 0x80)
				cut--;
			sb->len = cut;
			sb->buf[cut] = '\0';
			baton_strbuf_adds(sb, "…");
			return;
		}
		if (space)
			baton_strbuf_addch(sb, ' ');
		space = false;
		baton_strbuf_addch(sb, (char)c);
	}
}

/* Backquoted code span: backquotes inside become single quotes so the span holds. */
static void code(struct strbuf *sb, const char *s, size_t width)
{
	struct strbuf t = STRBUF_INIT;
	line(&t, s, width);
	for (char *p = t.buf; *p; p++)
		if (*p == '`')
			*p = '\'';
	baton_strbuf_addf(sb, "`%s`", t.buf);
	baton_strbuf_release(&t);
}

static const char *hms(const char *ts, char buf[20])
{
	if (ts && strlen(ts) >= 19 && ts[10] == 'T') {
		snprintf(buf, 20, "%.8s", ts + 11);
		return buf;
	}
	snprintf(buf, 20, "--:--:--");
	return buf;
}

/* "- … and N more" when a list was cut; returns whether something was left out. */
static bool more(struct strbuf *sb, int shown, int total)
{
	if (total > shown) {
		baton_strbuf_addf(sb, "- … and %d more\n", total - shown);
		return true;
	}
	return false;
}

static void strings_section(struct strbuf *sb, const char *title, const cJSON *arr, const struct level *lv,
			    bool *cut)
{
	int n = cJSON_GetArraySize(arr), i = 0;
	if (!n)
		return;
	baton_strbuf_addf(sb, "\n## %s\n", title);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (i >= lv->items)
			break;
		if (!cJSON_IsString(it))
			continue;
		baton_strbuf_adds(sb, "- ");
		line(sb, it->valuestring, lv->width);
		baton_strbuf_addch(sb, '\n');
		i++;
	}
	*cut |= more(sb, i, n);
}

static const char *mark(const char *status)
{
	if (!status)
		return "[ ]";
	if (!strcmp(status, "completed"))
		return "[x]";
	if (!strcmp(status, "in_progress"))
		return "[~]";
	if (!strcmp(status, "cancelled"))
		return "[-]";
	if (!strcmp(status, "blocked"))
		return "[!]";
	return "[ ]";
}

/* Is hash (abbreviated) one of the commits of the repository log? */
static bool in_log(const cJSON *commits, const char *hash)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, commits) {
		const char *h = baton_json_str(c, "hash");
		if (h && hash && !strncmp(h, hash, strlen(hash)))
			return true;
	}
	return false;
}

static void render_level(struct strbuf *sb, const cJSON *cx, const char *created_at, const struct level *lv, bool *cut)
{
	const cJSON *it;
	const char *name = baton_json_str(cx, "shortname");
	const cJSON *gs = baton_json_obj(cx, "git_status");
	char t[20];
	int i, n;

	baton_strbuf_adds(sb, "# Handoff: ");
	line(sb, name ? name : baton_json_str(cx, "session_id"), 80);
	baton_strbuf_adds(sb, "\n\n");
	baton_strbuf_addf(sb, "- Session: %s (%s)\n", baton_json_str(cx, "session_id") ? baton_json_str(cx, "session_id") : "?",
			  baton_json_str(cx, "status") ? baton_json_str(cx, "status") : "?");
	if (created_at)
		baton_strbuf_addf(sb, "- Created: %s\n", created_at);
	if (baton_json_str(cx, "cwd")) {
		baton_strbuf_adds(sb, "- Where: ");
		line(sb, baton_json_str(cx, "cwd"), 200);
		if (baton_json_str(gs, "branch"))
			baton_strbuf_addf(sb, " (branch %s)", baton_json_str(gs, "branch"));
		baton_strbuf_addch(sb, '\n');
	}
	const cJSON *convs = baton_json_arr(cx, "conversations");
	if (cJSON_GetArraySize(convs)) {
		baton_strbuf_adds(sb, "- Agents:");
		i = 0;
		cJSON_ArrayForEach(it, convs) {
			if (i++ >= 4) {
				baton_strbuf_addf(sb, " (+%d)", cJSON_GetArraySize(convs) - 4);
				break;
			}
			baton_strbuf_addf(sb, "%s %s ", i > 1 ? "," : "", baton_json_str(it, "source") ? baton_json_str(it, "source") : "?");
			line(sb, baton_json_str(it, "agent_session_id"), 64);
		}
		baton_strbuf_addch(sb, '\n');
	}

	baton_strbuf_adds(sb, "\n## Goal\n");
	const char *obj = baton_json_str(cx, "objective"), *goal = baton_json_str(cx, "initial_goal");
	line(sb, obj ? obj : goal ? goal : "(none recorded)", lv->width < 200 ? 200 : lv->width);
	baton_strbuf_addch(sb, '\n');
	if (goal && obj && strcmp(goal, obj) && lv->items > 0) {
		baton_strbuf_adds(sb, "First prompt: ");
		line(sb, goal, lv->width);
		baton_strbuf_addch(sb, '\n');
	}

	strings_section(sb, "Handoff notes", baton_json_arr(cx, "notes"), lv, cut);

	const cJSON *todos = baton_json_obj(cx, "todos"), *prog = baton_json_obj(cx, "progress");
	const cJSON *items = baton_json_arr(todos, "items"), *active = baton_json_arr(cx, "active_tasks");
	n = cJSON_GetArraySize(items);
	if (n || baton_json_int(prog, "total", 0) || cJSON_GetArraySize(active)) {
		baton_strbuf_adds(sb, "\n## Tasks\n");
		if (n) {
			baton_strbuf_addf(sb, "Todo list (%s): %lld done, %lld in progress, %lld pending\n",
					  baton_json_str(todos, "tool") ? baton_json_str(todos, "tool") : "todos",
					  (long long)baton_json_int(todos, "completed", 0),
					  (long long)baton_json_int(todos, "in_progress", 0),
					  (long long)baton_json_int(todos, "pending", 0));
			/* open items first: they are what the next agent works on */
			i = 0;
			for (int pass = 0; pass < 2; pass++)
				cJSON_ArrayForEach(it, items) {
					bool done = !strcmp(baton_json_str(it, "status"), "completed") ||
						    !strcmp(baton_json_str(it, "status"), "cancelled");
					if (done != (pass == 1) || i >= lv->items)
						continue;
					baton_strbuf_addf(sb, "- %s ", mark(baton_json_str(it, "status")));
					line(sb, baton_json_str(it, "text"), lv->width);
					baton_strbuf_addch(sb, '\n');
					i++;
				}
			*cut |= more(sb, i, n);
		}
		if (baton_json_int(prog, "total", 0)) {
			baton_strbuf_addf(sb, "Journal: %lld of %lld steps done", (long long)baton_json_int(prog, "done", 0),
					  (long long)baton_json_int(prog, "total", 0));
			if (baton_json_str(prog, "current")) {
				baton_strbuf_adds(sb, "; current: ");
				line(sb, baton_json_str(prog, "current"), lv->width);
			}
			baton_strbuf_addch(sb, '\n');
		}
		if (cJSON_GetArraySize(active)) {
			baton_strbuf_adds(sb, "Active:");
			i = 0;
			cJSON_ArrayForEach(it, active) {
				if (i >= (lv->items ? lv->items : 1))
					break;
				baton_strbuf_adds(sb, i++ ? "; " : " ");
				line(sb, it->valuestring, lv->width);
			}
			baton_strbuf_addch(sb, '\n');
			*cut |= i < cJSON_GetArraySize(active);
		}
	}

	strings_section(sb, "Blockers", baton_json_arr(cx, "blockers"), lv, cut);
	strings_section(sb, "Next steps", baton_json_arr(cx, "next_steps"), lv, cut);

	const cJSON *dec = baton_json_arr(cx, "decisions");
	if ((n = cJSON_GetArraySize(dec))) {
		baton_strbuf_adds(sb, "\n## Decisions\n");
		i = 0;
		cJSON_ArrayForEach(it, dec) {
			if (i >= lv->items)
				break;
			baton_strbuf_adds(sb, "- ");
			line(sb, baton_json_str(it, "text"), lv->width);
			if (baton_json_str(it, "rationale")) {
				baton_strbuf_adds(sb, " (why: ");
				line(sb, baton_json_str(it, "rationale"), lv->width);
				baton_strbuf_addch(sb, ')');
			}
			if (baton_json_str(it, "source") && !strcmp(baton_json_str(it, "source"), "transcript"))
				baton_strbuf_adds(sb, " [transcript]");
			baton_strbuf_addch(sb, '\n');
			i++;
		}
		*cut |= more(sb, i, n);
	}

	const cJSON *errs = baton_json_arr(cx, "errors");
	if ((n = cJSON_GetArraySize(errs))) {
		baton_strbuf_adds(sb, "\n## Unresolved errors\n");
		/* the latest first: the oldest are the likeliest to be stale */
		i = 0;
		for (int k = n - 1; k >= 0 && i < lv->items; k--, i++) {
			it = cJSON_GetArrayItem(errs, k);
			baton_strbuf_addf(sb, "- %s %s", hms(baton_json_str(it, "timestamp"), t),
					  baton_json_str(it, "tool") ? baton_json_str(it, "tool") : "?");
			if (baton_json_str(it, "target")) {
				baton_strbuf_addch(sb, ' ');
				code(sb, baton_json_str(it, "target"), lv->width / 2);
			}
			baton_strbuf_adds(sb, ": ");
			line(sb, baton_json_str(it, "text"), lv->width);
			baton_strbuf_addch(sb, '\n');
		}
		*cut |= more(sb, i, n);
	}

	const cJSON *files = baton_json_arr(cx, "files_modified");
	if ((n = cJSON_GetArraySize(files))) {
		baton_strbuf_adds(sb, "\n## Files modified\n");
		i = 0;
		cJSON_ArrayForEach(it, files) {
			if (i >= lv->items * 2) /* short lines: twice as many */
				break;
			baton_strbuf_adds(sb, "- ");
			line(sb, baton_json_str(it, "path"), lv->width);
			long long c = (long long)baton_json_int(it, "count", 0);
			baton_strbuf_addf(sb, " (%lld edit%s)\n", c, c == 1 ? "" : "s");
			i++;
		}
		*cut |= more(sb, i, n);
	}

	const cJSON *commits = baton_json_arr(cx, "commits"), *shell = baton_json_arr(cx, "shell_commits");
	int extra = 0;
	cJSON_ArrayForEach(it, shell)
		extra += !baton_json_bool(it, "ok", false) || !in_log(commits, baton_json_str(it, "hash"));
	if ((n = cJSON_GetArraySize(commits) + extra)) {
		baton_strbuf_adds(sb, "\n## Commits\n");
		i = 0;
		cJSON_ArrayForEach(it, commits) {
			if (i >= lv->items)
				break;
			baton_strbuf_addf(sb, "- %.7s ", baton_json_str(it, "hash") ? baton_json_str(it, "hash") : "?");
			line(sb, baton_json_str(it, "message"), lv->width);
			baton_strbuf_addf(sb, " (%s)\n", baton_json_str(it, "timestamp") ? baton_json_str(it, "timestamp") : "?");
			i++;
		}
		/* commits the agent made that the log does not show (another repo, rewritten
		 * history), and attempts that failed */
		cJSON_ArrayForEach(it, shell) {
			bool okc = baton_json_bool(it, "ok", false);
			if ((okc && in_log(commits, baton_json_str(it, "hash"))) || i >= lv->items)
				continue;
			if (okc)
				baton_strbuf_addf(sb, "- %.7s ", baton_json_str(it, "hash"));
			else
				baton_strbuf_adds(sb, "- failed: ");
			line(sb, baton_json_str(it, "message"), lv->width);
			baton_strbuf_addf(sb, " (%s, by ", hms(baton_json_str(it, "timestamp"), t));
			code(sb, baton_json_str(it, "command"), lv->width / 2);
			baton_strbuf_adds(sb, ")\n");
			i++;
		}
		*cut |= more(sb, i, n);
	}

	if (gs) {
		baton_strbuf_adds(sb, "\n## Git status\n");
		baton_strbuf_addf(sb, "%s at %.7s, ", baton_json_str(gs, "branch") ? baton_json_str(gs, "branch") : "(detached)",
				  baton_json_str(gs, "head_sha") ? baton_json_str(gs, "head_sha") : "(no commits)");
		long long total = (long long)baton_json_int(gs, "total_changed", 0);
		if (!total) {
			baton_strbuf_adds(sb, "clean\n");
		} else {
			baton_strbuf_addf(sb, "%lld uncommitted change%s\n", total, total == 1 ? "" : "s");
			i = 0;
			cJSON_ArrayForEach(it, baton_json_arr(gs, "files")) {
				if (i >= lv->items)
					break;
				baton_strbuf_adds(sb, "- ");
				line(sb, it->valuestring, lv->width);
				baton_strbuf_addch(sb, '\n');
				i++;
			}
			*cut |= more(sb, i, (int)total);
		}
	}

	const cJSON *recent = baton_json_arr(cx, "recent_tool_calls");
	if ((n = cJSON_GetArraySize(recent))) {
		baton_strbuf_adds(sb, "\n## Recent activity\n");
		/* the last calls, oldest of them first */
		int from = n > lv->items ? n - lv->items : 0;
		for (int k = from; k < n; k++) {
			it = cJSON_GetArrayItem(recent, k);
			baton_strbuf_addf(sb, "- %s %s: ", hms(baton_json_str(it, "timestamp"), t),
					  baton_json_str(it, "tool") ? baton_json_str(it, "tool") : "?");
			line(sb, baton_json_str(it, "summary"), lv->width / 2);
			baton_strbuf_addch(sb, '\n');
		}
		if (from)
			*cut = true;
	}
}

int baton_handoff_render(struct strbuf *out, const cJSON *context, const char *created_at, size_t max_chars,
			 bool *truncated)
{
	static const char tail[] = "\n… (handoff cut to fit)\n";
	struct strbuf sb = STRBUF_INIT;
	bool cut = false;
	size_t nl = sizeof levels / sizeof levels[0];
	for (size_t l = 0; l < nl; l++) {
		baton_strbuf_reset(&sb);
		cut = l > 0;
		render_level(&sb, context, created_at, &levels[l], &cut);
		if (sb.len <= max_chars)
			break;
	}
	if (sb.len > max_chars) {
		/* still too long (a tiny bound): cut on a line, else a character, boundary */
		size_t keep = max_chars > sizeof tail - 1 ? max_chars - (sizeof tail - 1) : 0;
		while (keep > 0 && ((unsigned char)sb.buf[keep] & 0xC0) == 0x80)
			keep--;
		const char *nlp = keep ? memrchr(sb.buf, '\n', keep) : NULL;
		if (nlp && (size_t)(nlp - sb.buf) > keep / 2)
			keep = (size_t)(nlp - sb.buf);
		sb.len = keep;
		sb.buf[keep] = '\0';
		if (max_chars >= sizeof tail - 1)
			baton_strbuf_adds(&sb, tail);
		cut = true;
	}
	int rc = baton_strbuf_add(out, sb.buf, sb.len);
	baton_strbuf_release(&sb);
	if (truncated)
		*truncated = cut;
	return rc;
}

int baton_handoff_markdown(struct baton_ctx *ctx, char **out, const cJSON *session, size_t max_chars)
{
	const char *md = baton_json_str(baton_json_obj(session, "handoff"), "markdown");
	cJSON *cx = NULL;
	*out = NULL;
	if (md) {
		*out = strdup(md);
		return *out ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	int rc = baton_analyze_session(ctx, &cx, session);
	if (rc)
		return rc;
	struct strbuf sb = STRBUF_INIT;
	char now[BATON_TIME_LEN];
	baton_time_format(now, baton_now_ms(ctx));
	if (baton_handoff_render(&sb, cx, now, max_chars, NULL)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		baton_strbuf_release(&sb);
	} else {
		*out = baton_strbuf_detach(&sb);
	}
	cJSON_Delete(cx);
	return rc;
}

/* ---- operations ----------------------------------------------------------------- */

/* The session named by id, else the current repository's active one. */
static int pick_session(struct baton_ctx *ctx, cJSON **out, const char *id, const char *what)
{
	*out = NULL;
	if (id)
		return baton_session_get(ctx, out, id);
	int rc = baton_session_current(ctx, out, ctx->cwd);
	if (rc)
		return rc;
	if (!*out)
		return baton_error(ctx, BATON_ENOTFOUND, "%s: no active session in '%s'; name one with --session ID", what,
				   ctx->cwd);
	return 0;
}

/* Read what the session's own transcripts added since the last ingest, so a handoff
 * made mid-conversation (an agent calling create_handoff) includes its latest turns.
 * A transcript that is gone or unreadable is no error: its archive is what counts. */
static int refresh_transcripts(struct baton_ctx *ctx, const char *session_id)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT source, transcript_path FROM conversations WHERE session_id = ?1 AND transcript_path IS NOT NULL"
		" ORDER BY source, agent_session_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, session_id);
	cJSON *list = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_str(o, "source", baton_col_text(st, 0));
		baton_json_add_str(o, "path", baton_col_text(st, 1));
		cJSON_AddItemToArray(list, o);
	}
	sqlite3_reset(st);
	const cJSON *it;
	int rc = 0;
	cJSON_ArrayForEach(it, list) {
		const char *path = baton_json_str(it, "path");
		if (!path || access(path, R_OK))
			continue;
		rc = baton_ingest_file(ctx, baton_json_str(it, "source"), path, NULL, NULL);
		if (rc == BATON_ENOMEM || rc == BATON_EBUSY)
			break;
		rc = 0;
	}
	cJSON_Delete(list);
	return rc;
}

static cJSON *context_result(const cJSON *s)
{
	const cJSON *h = baton_json_obj(s, "handoff");
	const char *md = baton_json_str(h, "markdown");
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "session_id", baton_json_str(s, "id"));
	baton_json_add_str(o, "markdown", md);
	baton_json_add_bool(o, "has_context", md != NULL);
	baton_json_add_str(o, "created_at", baton_json_str(h, "created_at"));
	return o;
}

static const struct baton_arg handoff_args[] = {
	{ "session", BATON_ARG_STRING, 0, 's', NULL, "the session to hand off (default: this repo's active one)" },
	{ "max_chars", BATON_ARG_INT, 0, 0, NULL, "bound of the markdown in bytes (default 8000, at least 200)" },
	{ "show", BATON_ARG_STRING, BATON_ARG_CLI_ONLY, 0, NULL, "print the stored handoff of session ID instead" },
	{ "ingest", BATON_ARG_BOOL, 0, 0, NULL, "first read what the session's transcripts added (default true)" },
	{ "notes", BATON_ARG_REST, 0, 0, NULL, "notes for the next agent, put first in the handoff" },
	{ NULL },
};

static int op_handoff(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	int64_t max = baton_json_int(args, "max_chars", BATON_HANDOFF_MAX_CHARS);
	cJSON *s = NULL, *cx = NULL, *saved = NULL;
	struct strbuf md = STRBUF_INIT;
	int rc;
	if (baton_json_str(args, "show")) {
		if ((rc = baton_session_get(ctx, &s, baton_json_str(args, "show"))))
			return rc;
		*out = context_result(s);
		cJSON_Delete(s);
		return 0;
	}
	if (max < BATON_HANDOFF_MIN_CHARS)
		return baton_error(ctx, BATON_EINVALID, "handoff: --max-chars must be at least %d", BATON_HANDOFF_MIN_CHARS);
	if ((rc = pick_session(ctx, &s, baton_json_str(args, "session"), "handoff")))
		return rc;
	if (baton_json_bool(args, "ingest", true)) {
		char *id = strdup(baton_json_str(s, "id"));
		if (!id) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		cJSON_Delete(s);
		s = NULL;
		/* ingest may touch the session (a late link): read it again afterwards */
		if (!(rc = refresh_transcripts(ctx, id)))
			rc = baton_session_get(ctx, &s, id);
		free(id);
		if (rc)
			goto out;
	}
	if ((rc = baton_analyze_session(ctx, &cx, s)))
		goto out;
	const cJSON *notes = baton_json_arr(args, "notes"), *it;
	if (cJSON_GetArraySize(notes)) {
		/* bare words (baton handoff fix the flaky test) make one note; quoted
		 * phrases, or an MCP caller's list of sentences, are one note each */
		cJSON *arr = cJSON_AddArrayToObject(cx, "notes");
		struct strbuf one = STRBUF_INIT;
		bool joined = true;
		cJSON_ArrayForEach(it, notes)
			if (strpbrk(it->valuestring, " \t\n"))
				joined = false;
		cJSON_ArrayForEach(it, notes) {
			char *r = baton_redact_str(ctx, it->valuestring);
			if (!r) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				baton_strbuf_release(&one);
				goto out;
			}
			if (joined) {
				if (one.len)
					baton_strbuf_addch(&one, ' ');
				baton_strbuf_adds(&one, r);
			} else {
				cJSON_AddItemToArray(arr, cJSON_CreateString(r));
			}
			free(r);
		}
		if (joined && one.len)
			cJSON_AddItemToArray(arr, cJSON_CreateString(one.buf));
		baton_strbuf_release(&one);
	} else {
		cJSON_AddArrayToObject(cx, "notes");
	}
	const char *st = baton_json_str(s, "status");
	/* a finished session keeps its status: its handoff is a record, not an invitation;
	 * an expired one is exactly what gets picked up again */
	if (!st || !strcmp(st, "active") || !strcmp(st, "paused") || !strcmp(st, "handoff_ready") ||
	    !strcmp(st, "expired")) {
		baton_json_set(s, "status", cJSON_CreateString("handoff_ready"));
		baton_json_set(cx, "status", cJSON_CreateString("handoff_ready"));
	}
	char now[BATON_TIME_LEN];
	bool cut = false;
	baton_time_format(now, baton_now_ms(ctx));
	if (baton_handoff_render(&md, cx, now, (size_t)max, &cut)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	cJSON *h = cJSON_CreateObject();
	baton_json_add_str(h, "markdown", md.buf);
	baton_json_add_str(h, "created_at", now);
	baton_json_set(s, "handoff", h);
	rc = baton_session_put(ctx, s, &saved);
	s = NULL;
	if (rc)
		goto out;
	if ((rc = baton_journal_sync(ctx, NULL, saved)))
		goto out;
	const cJSON *sh = baton_json_obj(saved, "handoff");
	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "session_id", baton_json_str(saved, "id"));
	baton_json_add_str(*out, "status", baton_json_str(saved, "status"));
	baton_json_add_str(*out, "created_at", now);
	baton_json_add_int(*out, "chars", (int64_t)strlen(baton_json_str(sh, "markdown") ? baton_json_str(sh, "markdown") : ""));
	baton_json_add_int(*out, "max_chars", max);
	baton_json_add_bool(*out, "truncated", cut);
	baton_json_add_str(*out, "markdown", baton_json_str(sh, "markdown"));
	cJSON_AddItemToObject(*out, "context", cx);
	cx = NULL;
out:
	baton_strbuf_release(&md);
	cJSON_Delete(s);
	cJSON_Delete(cx);
	cJSON_Delete(saved);
	return rc;
}

static const struct baton_arg show_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_POSITIONAL, 0, NULL, "session id, prefix or short name (default: this repo's active one)" },
	{ NULL },
};

static int op_show(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s;
	int rc = pick_session(ctx, &s, baton_json_str(args, "id"), "handoff show");
	if (rc)
		return rc;
	*out = context_result(s);
	cJSON_Delete(s);
	return 0;
}

static const struct baton_arg commits_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "session id, prefix or short name" },
	{ "max", BATON_ARG_INT, 0, 'n', NULL, "at most N commits, newest first (default 50, 0: all)" },
	{ NULL },
};

static int op_commits(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	int64_t max = baton_json_int(args, "max", 50);
	cJSON *s = NULL, *commits = NULL;
	char *root = NULL;
	if (max < 0)
		return baton_error(ctx, BATON_EINVALID, "commits: --max must be 0 or more");
	int rc = baton_session_get(ctx, &s, baton_json_str(args, "id"));
	if (rc)
		return rc;
	if ((rc = baton_analyze_commits(ctx, &commits, &root, s, max > 1000000 ? 1000000 : (int)max)))
		goto out;
	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "session_id", baton_json_str(s, "id"));
	int n = cJSON_GetArraySize(commits);
	cJSON_AddItemToObject(*out, "commits", commits);
	commits = NULL;
	baton_json_add_int(*out, "count", n);
	baton_json_add_str(*out, "repo", root);
out:
	free(root);
	cJSON_Delete(commits);
	cJSON_Delete(s);
	return rc;
}

static const struct baton_arg current_args[] = {
	{ "cwd", BATON_ARG_STRING, 0, 0, NULL, "directory whose repository to look in (default: the current one)" },
	{ NULL },
};

static int op_current(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *cwd = baton_json_str(args, "cwd");
	cJSON *s = NULL;
	int rc = baton_session_current(ctx, &s, cwd ? cwd : ctx->cwd);
	if (rc)
		return rc;
	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "cwd", cwd ? cwd : ctx->cwd);
	cJSON_AddItemToObject(*out, "session", s ? s : cJSON_CreateNull());
	return 0;
}

const struct baton_op baton_handoff_ops[] = {
	{ "handoff.create", "handoff", "create_handoff", "handoff [--session ID] [--max-chars N] [--no-ingest] [--show ID] [NOTES…]",
	  "analyze transcripts, journal and git into a compact handoff, stored on the session (status handoff_ready)",
	  handoff_args, BATON_OP_MUTATES, op_handoff },
	{ "handoff.show", "handoff show", "get_handoff_context", "handoff show [ID]",
	  "the handoff stored on a session: {session_id, markdown, has_context}", show_args, 0, op_show },
	{ "session.commits", "commits", "get_session_commits", "commits ID [--max N]",
	  "git commits of the session's repository within its time frame", commits_args, 0, op_commits },
	{ "session.current", "current", "get_current_session", "current [--cwd DIR]",
	  "the active session of this repository (or directory), or null", current_args, 0, op_current },
	{ NULL },
};
