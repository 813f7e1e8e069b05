/* The session operations: save, list, show, resume, delete, and the overview. */
#include <stdlib.h>
#include <string.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/handoff.h"
#include "baton/index.h"
#include "baton/journal.h"
#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

#define DEFAULT_LIMIT 20

/* ---- save ----------------------------------------------------------------------- */

static const struct baton_arg save_args[] = {
	{ "objective", BATON_ARG_STRING, 0, 'm', "goal", "what this piece of work is for (required for a new session)" },
	{ "cwd", BATON_ARG_STRING, 0, 0, NULL, "working directory of the session (default: the current one)" },
	{ "project", BATON_ARG_STRING, 0, 0, NULL, "project id (default: detected from docs/projects/<id>/)" },
	{ "tasks", BATON_ARG_LIST, 0, 0, "task", "task ids of the working set (comma-separated, repeatable)" },
	{ "notes", BATON_ARG_STRING, 0, 0, NULL, "free notes" },
	{ "name", BATON_ARG_STRING, 0, 0, NULL, "short name (default: from the objective)" },
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "update this session instead of the current one" },
	{ "new", BATON_ARG_BOOL, 0, 0, NULL, "start a new session even when this repo has an active one" },
	{ "parent", BATON_ARG_STRING, 0, 0, NULL, "parent session id (a handoff's child)" },
	{ NULL },
};

static int set_list(cJSON *s, const char *key, const cJSON *list)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		/* each element may itself be "a,b": split and trim */
		const char *p = it->valuestring;
		while (*p) {
			size_t n = strcspn(p, ",");
			const char *a = p, *e = p + n;
			while (a < e && (*a == ' ' || *a == '\t'))
				a++;
			while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e > a) {
				char *t = strndup(a, (size_t)(e - a));
				int dup = 0;
				const cJSON *x;
				cJSON_ArrayForEach(x, arr)
					if (t && !strcmp(x->valuestring, t))
						dup = 1;
				if (t && !dup)
					cJSON_AddItemToArray(arr, cJSON_CreateString(t));
				free(t);
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
	baton_json_set(s, key, arr);
	return 0;
}

static int op_save(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *objective = baton_json_str(args, "objective");
	const char *cwd = baton_json_str(args, "cwd");
	const char *id = baton_json_str(args, "session");
	cJSON *s = NULL;
	int rc;

	if (objective && !objective[strspn(objective, " \t\r\n")])
		return baton_error(ctx, BATON_EINVALID, "save: the objective is empty; say what the work is for with -m TEXT");
	char *dir = baton_path_absolute(cwd ? cwd : ctx->cwd, ctx->cwd);
	if (!dir)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (!baton_is_dir(dir)) {
		rc = baton_error(ctx, BATON_EINVALID, "save: directory '%s' does not exist", dir);
		goto out;
	}
	/* A CLI save (BATON_OP_LAZY_INDEX) comes without the index. Naming a session reads
	 * it; so does finding the directory's current one, unless the last save's child
	 * left it in a file that still holds. Without the index the save appends and
	 * answers, and its child does the rest (baton_session_settle). */
	bool lazy = !ctx->db, named = id || baton_json_str(args, "parent"), known = false;
	bool current = !id && !baton_json_bool(args, "new", false), fresh = false;
	if (lazy && current && !named)
		baton_session_current_known(ctx, &s, dir, &known);
	if ((named || (current && !known)) && (rc = baton_ctx_open_index(ctx, true)))
		goto out;
	if (id) {
		if ((rc = baton_session_get(ctx, &s, id)))
			goto out;
		if (cwd)
			baton_json_set(s, "cwd", cJSON_CreateString(dir));
	} else if (current && !known) {
		if ((rc = baton_session_current(ctx, &s, dir)))
			goto out;
	}
	if (!s) {
		fresh = true;
		if (!objective) {
			rc = baton_error(ctx, BATON_EINVALID,
					 "save: an objective is required for a new session: baton save -m \"what you are doing\"");
			goto out;
		}
		if ((rc = baton_session_new(ctx, &s, dir)))
			goto out;
	}
	if (objective)
		baton_json_set(s, "objective", cJSON_CreateString(objective));
	if (baton_json_str(args, "notes"))
		baton_json_set(s, "notes", cJSON_CreateString(baton_json_str(args, "notes")));
	if (baton_json_str(args, "name"))
		baton_json_set(s, "shortname", cJSON_CreateString(baton_json_str(args, "name")));
	if (baton_json_str(args, "project"))
		baton_json_set(s, "project_id", cJSON_CreateString(baton_json_str(args, "project")));
	if (baton_json_str(args, "parent")) {
		cJSON *parent = NULL;
		if ((rc = baton_session_get(ctx, &parent, baton_json_str(args, "parent"))))
			goto out;
		baton_json_set(s, "parent_id", cJSON_CreateString(baton_json_str(parent, "id")));
		cJSON_Delete(parent);
	}
	if (baton_json_arr(args, "tasks"))
		set_list(s, "working_set", baton_json_arr(args, "tasks"));
	const char *status = baton_json_str(s, "status");
	if (status && strcmp(status, "active") && strcmp(status, "paused") && strcmp(status, "handoff_ready")) {
		rc = baton_error(ctx, BATON_EINVALID, "save: session '%s' is %s; start a new one with --new",
				 baton_json_str(s, "id"), status);
		goto out;
	}
	baton_json_set(s, "status", cJSON_CreateString("active"));
	if ((rc = baton_session_refresh(ctx, s)))
		goto out;
	cJSON *saved;
	rc = baton_session_put(ctx, s, &saved);
	s = NULL;
	if (rc)
		goto out;
	if (lazy) {
		free(ctx->settle_dir);
		ctx->settle_dir = strdup(dir);
	}
	if (!ctx->db && !fresh) { /* its entries are in the index: rendered after the answer */
		free(ctx->settle_journal);
		ctx->settle_journal = strdup(baton_json_str(saved, "id"));
	} else if ((rc = ctx->db ? baton_journal_sync(ctx, NULL, saved) : baton_journal_sync_new(ctx, saved))) {
		cJSON_Delete(saved);
		goto out;
	}
	*out = cJSON_CreateObject();
	cJSON_AddItemToObject(*out, "session", saved);
out:
	cJSON_Delete(s);
	free(dir);
	return rc;
}

/* ---- list ----------------------------------------------------------------------- */

static const struct baton_arg list_args[] = {
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "at most N sessions (default 20, 0: all)" },
	{ "since", BATON_ARG_STRING, 0, 0, NULL, "updated since TIME (RFC 3339, date, or 30m/2h/3d/1w ago)" },
	{ "repo", BATON_ARG_STRING, 0, 0, NULL, "only sessions of the repository containing PATH" },
	{ "project", BATON_ARG_STRING, 0, 0, NULL, "only sessions of project ID" },
	{ "status", BATON_ARG_STRING, 0, 0, NULL, "only sessions with this status" },
	{ "source", BATON_ARG_STRING, 0, 0, NULL, "only sessions from this source (cli, claude, codex, gemini, opencode)" },
	{ NULL },
};

static int op_list(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	int64_t limit = baton_json_int(args, "limit", DEFAULT_LIMIT);
	const char *since = baton_json_str(args, "since");
	const char *repo = baton_json_str(args, "repo");
	const char *status = baton_json_str(args, "status");
	char since_ts[BATON_TIME_LEN] = "";
	char *root = NULL, *repo_abs = NULL;
	int rc = 0;
	if (limit < 0)
		return baton_error(ctx, BATON_EINVALID, "list: --limit must be 0 or more");
	if (since) {
		int64_t ms;
		if (baton_time_parse_since(&ms, since, baton_now_ms(ctx)))
			return baton_error(ctx, BATON_EINVALID,
					   "list: cannot read time '%s': use RFC 3339, YYYY-MM-DD, or 30m/2h/3d/1w", since);
		baton_time_format(since_ts, ms);
	}
	if (status && !baton_session_status_valid(status))
		return baton_error(ctx, BATON_EINVALID,
				   "list: unknown status '%s' (active, paused, handoff_ready, completed, abandoned, expired, archived)", status);
	if (repo) {
		repo_abs = baton_path_absolute(repo, ctx->cwd);
		if (!repo_abs)
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
		if (!baton_is_dir(repo_abs)) {
			rc = baton_error(ctx, BATON_EINVALID, "list: directory '%s' does not exist", repo_abs);
			goto out;
		}
		if ((rc = baton_git_root(ctx, &root, repo_abs)))
			goto out;
	}
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT json FROM sessions WHERE deleted = 0"
		" AND (?1 IS NULL OR updated_at >= ?1)"
		" AND (?2 IS NULL OR repo_root = ?2 OR cwd = ?3 OR substr(cwd, 1, length(?3) + 1) = ?3 || '/')"
		" AND (?4 IS NULL OR project_id = ?4)"
		" AND (?5 IS NULL OR status = ?5)"
		" AND (?6 IS NULL OR source = ?6)"
		" ORDER BY updated_at DESC, id DESC LIMIT ?7");
	if (!st) {
		rc = BATON_ERROR;
		goto out;
	}
	baton_bind_text(st, 1, since ? since_ts : NULL);
	baton_bind_text(st, 2, repo ? (root ? root : repo_abs) : NULL);
	baton_bind_text(st, 3, repo ? (root ? root : repo_abs) : NULL);
	baton_bind_text(st, 4, baton_json_str(args, "project"));
	baton_bind_text(st, 5, status);
	baton_bind_text(st, 6, baton_json_str(args, "source"));
	sqlite3_bind_int64(st, 7, limit ? limit : -1);
	*out = cJSON_CreateObject();
	cJSON *count = cJSON_AddNumberToObject(*out, "count", 0);
	cJSON *arr = cJSON_AddArrayToObject(*out, "sessions");
	int r, n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *s = cJSON_Parse(baton_col_text(st, 0));
		if (s) {
			cJSON_AddItemToArray(arr, s);
			n++;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		rc = baton_index_error(ctx, "list sessions");
	cJSON_SetNumberValue(count, n);
out:
	free(root);
	free(repo_abs);
	return rc;
}

/* ---- show ----------------------------------------------------------------------- */

static const struct baton_arg id_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "session id, unique id prefix, or short name" },
	{ NULL },
};

static int op_show(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s;
	int rc = baton_session_get(ctx, &s, baton_json_str(args, "id"));
	if (rc)
		return rc;
	*out = cJSON_CreateObject();
	cJSON_AddItemToObject(*out, "session", s);
	return 0;
}

/* ---- resume --------------------------------------------------------------------- */

static const struct baton_arg resume_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_POSITIONAL, 0, NULL, "session (default: this repo's latest, else the latest overall)" },
	{ "agent", BATON_ARG_STRING, 0, 'a', NULL,
	  "continue in claude, codex, gemini or opencode (default: the agent of the latest conversation)" },
	{ NULL },
};

static const char *const agents[] = { "claude", "codex", "gemini", "opencode", NULL };

/* The agent's own command to resume its conversation sid, and to start a new one
 * with a first prompt (real-clis.md, formats.md §4.3). */
static const struct agent_cmd {
	const char *name, *resume, *start;
} agent_cmds[] = {
	{ "claude", "claude --resume ", "claude " },
	{ "codex", "codex resume ", "codex " },
	{ "gemini", "gemini --resume ", "gemini --prompt-interactive " },
	{ "opencode", "opencode --session ", "opencode --prompt " },
};

/* The source and id of the session's most recent agent conversation (malloc'd), or
 * NULLs when it has none. */
static int latest_conversation(struct baton_ctx *ctx, char **source, char **sid, const char *session_id)
{
	*source = *sid = NULL;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT source, agent_session_id FROM conversations WHERE session_id = ?1"
		" ORDER BY coalesce(last_seen, '') DESC, source DESC, agent_session_id DESC LIMIT 1");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, session_id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW && baton_col_text(st, 0) && baton_col_text(st, 1)) {
		*source = strdup(baton_col_text(st, 0));
		*sid = strdup(baton_col_text(st, 1));
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return baton_index_error(ctx, "read conversations");
	return 0;
}

static void summary_text(struct strbuf *sb, const cJSON *s)
{
	const cJSON *g = baton_json_obj(s, "git");
	baton_strbuf_addf(sb, "Session %s (%s), %s, updated %s\n", baton_json_str(s, "shortname"),
			  baton_json_str(s, "id"), baton_json_str(s, "status"), baton_json_str(s, "updated_at"));
	baton_strbuf_addf(sb, "Objective: %s\n", baton_json_str(s, "objective") ? baton_json_str(s, "objective") : "(none)");
	baton_strbuf_addf(sb, "Where: %s", baton_json_str(s, "cwd"));
	if (baton_json_str(s, "repo_root"))
		baton_strbuf_addf(sb, " (repo %s", baton_json_str(s, "repo_root"));
	if (baton_json_str(g, "branch"))
		baton_strbuf_addf(sb, ", branch %s", baton_json_str(g, "branch"));
	if (baton_json_str(g, "head_sha"))
		baton_strbuf_addf(sb, " at %.7s", baton_json_str(g, "head_sha"));
	if (baton_json_bool(g, "dirty", false))
		baton_strbuf_adds(sb, ", uncommitted changes");
	if (baton_json_str(s, "repo_root"))
		baton_strbuf_adds(sb, ")");
	baton_strbuf_adds(sb, "\n");
	const cJSON *ws = baton_json_arr(s, "working_set");
	if (cJSON_GetArraySize(ws)) {
		baton_strbuf_adds(sb, "Tasks:");
		const cJSON *it;
		cJSON_ArrayForEach(it, ws)
			baton_strbuf_addf(sb, " %s", it->valuestring);
		baton_strbuf_adds(sb, "\n");
	}
	if (baton_json_str(s, "notes"))
		baton_strbuf_addf(sb, "Notes: %s\n", baton_json_str(s, "notes"));
	if (baton_json_str(s, "tldr"))
		baton_strbuf_addf(sb, "TL;DR: %s\n", baton_json_str(s, "tldr"));
	const cJSON *c = baton_json_obj(s, "checkpoint");
	if (c)
		baton_strbuf_addf(sb, "Last checkpoint: %s (%s)\n", baton_json_str(c, "path"), baton_json_str(c, "timestamp"));
	const cJSON *rc = baton_json_obj(s, "recent_changes");
	const cJSON *files = baton_json_arr(rc, "files");
	if (cJSON_GetArraySize(files)) {
		baton_strbuf_adds(sb, "Recent changes:");
		const cJSON *it;
		cJSON_ArrayForEach(it, files)
			baton_strbuf_addf(sb, " %s", it->valuestring);
		baton_strbuf_adds(sb, "\n");
	}
}

/* The resume script: cd into the session's directory, then the next command: the
 * agent's own resume (sid set), a new conversation of the agent with the handoff as
 * its first prompt (prompt set), or `baton show` (no agent). Every word from the
 * store is single-quoted, so quotes, $(), backquotes and newlines stay text. */
static void resume_script(struct strbuf *sb, const cJSON *s, const struct agent_cmd *ag, const char *sid,
			  const char *prompt)
{
	baton_strbuf_adds(sb, "#!/bin/sh\n# baton resume: ");
	/* the comment must stay one line whatever the objective holds */
	for (const char *p = baton_json_str(s, "shortname"); p && *p; p++)
		baton_strbuf_addch(sb, *p == '\n' || *p == '\r' ? ' ' : *p);
	baton_strbuf_adds(sb, "\ncd ");
	baton_shell_quote(sb, baton_json_str(s, "cwd"));
	baton_strbuf_adds(sb, " || exit 1\n");
	if (!ag) {
		baton_strbuf_adds(sb, "baton show ");
		baton_shell_quote(sb, baton_json_str(s, "id"));
		baton_strbuf_adds(sb, "\n");
		return;
	}
	/* the agent's hooks link its conversation to this session */
	baton_strbuf_adds(sb, "BATON_SESSION=");
	baton_shell_quote(sb, baton_json_str(s, "id"));
	baton_strbuf_adds(sb, "; export BATON_SESSION\nexec ");
	baton_strbuf_adds(sb, sid ? ag->resume : ag->start);
	baton_shell_quote(sb, sid ? sid : prompt);
	baton_strbuf_adds(sb, "\n");
}

static int op_resume(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *id = baton_json_str(args, "id");
	cJSON *s = NULL;
	int rc;
	if (id) {
		if ((rc = baton_session_get(ctx, &s, id)))
			return rc;
	} else {
		char *root = NULL;
		if ((rc = baton_git_root(ctx, &root, ctx->cwd)))
			return rc;
		sqlite3_stmt *st = baton_index_stmt(ctx,
			"SELECT json FROM sessions WHERE deleted = 0 AND (?1 IS NULL OR repo_root = ?1 OR cwd = ?2)"
			" ORDER BY updated_at DESC, id DESC LIMIT 1");
		for (int pass = 0; st && pass < 2 && !s; pass++) {
			sqlite3_reset(st);
			baton_bind_text(st, 1, pass == 0 ? (root ? root : ctx->cwd) : NULL);
			baton_bind_text(st, 2, pass == 0 ? ctx->cwd : NULL);
			if (sqlite3_step(st) == SQLITE_ROW)
				s = cJSON_Parse(baton_col_text(st, 0));
			sqlite3_reset(st);
		}
		free(root);
		if (!st)
			return BATON_ERROR;
		if (!s)
			return baton_error(ctx, BATON_ENOTFOUND, "resume: no sessions yet; start one with baton save -m \"objective\"");
	}
	const char *agent = baton_json_str(args, "agent");
	char *source = NULL, *sid = NULL, *md = NULL;
	const struct agent_cmd *ag = NULL;
	struct strbuf sum = STRBUF_INIT, script = STRBUF_INIT, prompt = STRBUF_INIT;
	if (agent) {
		size_t i;
		for (i = 0; agents[i] && strcmp(agents[i], agent); i++)
			;
		if (!agents[i]) {
			rc = baton_error(ctx, BATON_EINVALID, "resume: unknown agent '%s' (claude, codex, gemini, opencode)", agent);
			goto out;
		}
	}
	if ((rc = latest_conversation(ctx, &source, &sid, baton_json_str(s, "id"))))
		goto out;
	if (!agent)
		agent = source;
	for (size_t i = 0; agent && i < sizeof agent_cmds / sizeof agent_cmds[0]; i++)
		if (!strcmp(agent_cmds[i].name, agent))
			ag = &agent_cmds[i];
	bool same = ag && source && !strcmp(source, ag->name);
	if (ag && !same) {
		/* any-to-any: the other agent starts from the handoff */
		if ((rc = baton_handoff_markdown(ctx, &md, s, BATON_HANDOFF_MAX_CHARS)))
			goto out;
		baton_strbuf_addf(&prompt, "You are taking over baton session %s. Read this handoff, check the repository state,"
				  " then continue the work.\n\n%s", baton_json_str(s, "id"), md);
	}
	summary_text(&sum, s);
	resume_script(&script, s, ag, same ? sid : NULL, prompt.buf);
	*out = cJSON_CreateObject();
	cJSON_AddItemToObject(*out, "session", s);
	s = NULL;
	cJSON_AddStringToObject(*out, "summary", sum.buf);
	cJSON_AddStringToObject(*out, "script", script.buf);
	baton_json_add_str(*out, "agent", ag ? ag->name : NULL);
	baton_json_add_str(*out, "mode", !ag ? NULL : same ? "resume" : "handoff");
out:
	cJSON_Delete(s);
	free(source);
	free(sid);
	free(md);
	baton_strbuf_release(&sum);
	baton_strbuf_release(&script);
	baton_strbuf_release(&prompt);
	return rc;
}

/* ---- delete --------------------------------------------------------------------- */

static int op_delete(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *s;
	int rc = baton_session_get(ctx, &s, baton_json_str(args, "id"));
	if (rc)
		return rc;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "session_id", baton_json_str(s, "id"));
	if (!(rc = baton_log_append(ctx, "session_deleted", f, NULL))) {
		*out = cJSON_CreateObject();
		cJSON_AddStringToObject(*out, "session_id", baton_json_str(s, "id"));
		cJSON_AddBoolToObject(*out, "deleted", 1);
	}
	cJSON_Delete(s);
	return rc;
}

/* ---- overview ------------------------------------------------------------------- */

static const struct baton_arg overview_args[] = {
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "recent sessions to show (default 10)" },
	{ "auto_save", BATON_ARG_BOOL, 0, 0, "auto-session-save", "refresh the current session's snapshot (default: the auto-save policy)" },
	{ "ingest", BATON_ARG_BOOL, 0, 0, NULL, "first read what the agents' transcripts added (default true)" },
	{ "link_session", BATON_ARG_STRING, 0, 0, NULL, "link new conversations to this session (default: $BATON_SESSION)" },
	{ NULL },
};

/* How long the overview reads transcripts before it answers (config
 * overview.ingest_budget_ms; negative: no limit). A first run on a machine with a
 * gigabyte of agent history would otherwise take a minute. */
#define OVERVIEW_INGEST_BUDGET_MS 2000

/* What the agents did since last time, so the overview shows it; a transcript that
 * cannot be read must not hide the overview. Within the budget: what is left (newest
 * first on a first run) goes on in a background `baton ingest`. *out: the overview's
 * "ingest" member. */
static int overview_ingest(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct baton_ingest_stats st = { 0 };
	int64_t budget = baton_config_int(ctx, "overview.ingest_budget_ms", OVERVIEW_INGEST_BUDGET_MS);
	int64_t deadline = budget < 0 ? 0 : baton_real_now_ms() + budget;
	int rc = baton_ingest_all_until(ctx, NULL, baton_json_str(args, "link_session"), deadline, &st);
	if (rc == BATON_ENOMEM || rc == BATON_EBUSY)
		return rc;
	bool background = st.busy || (st.pending_files > 0 && !baton_ingest_detach(ctx));
	*out = cJSON_CreateObject();
	cJSON_AddBoolToObject(*out, "complete", !st.busy && !st.pending_files);
	baton_json_add_int(*out, "pending_files", st.pending_files);
	cJSON_AddBoolToObject(*out, "background", background);
	return 0;
}

static int op_overview(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *cur = NULL, *recent = NULL, *ing = NULL;
	int rc = 0;
	if (baton_json_bool(args, "ingest", true) && (rc = overview_ingest(ctx, args, &ing)))
		return rc;
	if ((rc = baton_session_current(ctx, &cur, ctx->cwd)))
		goto out;
	if (cur && baton_json_bool(args, "auto_save", false)) {
		/* refresh the snapshot; record it only when git state actually moved */
		cJSON *fresh = cJSON_Duplicate(cur, 1);
		if ((rc = baton_session_refresh(ctx, fresh))) {
			cJSON_Delete(fresh);
			goto out;
		}
		cJSON *a = baton_session_normalize(fresh), *b = baton_session_normalize(cur);
		cJSON_Delete(fresh);
		int same = cJSON_Compare(a, b, 1);
		cJSON_Delete(b);
		if (!same) {
			cJSON_Delete(cur);
			cur = NULL;
			if ((rc = baton_session_put(ctx, a, &cur)))
				goto out;
		} else {
			cJSON_Delete(a);
		}
	}
	cJSON *largs = cJSON_CreateObject();
	cJSON_AddNumberToObject(largs, "limit", (double)baton_json_int(args, "limit", 10));
	rc = op_list(ctx, largs, &recent);
	cJSON_Delete(largs);
	if (rc)
		goto out;
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "cwd", ctx->cwd);
	cJSON_AddItemToObject(*out, "current", cur ? cur : cJSON_CreateNull());
	cJSON_AddItemToObject(*out, "recent", cJSON_DetachItemFromObject(recent, "sessions"));
	cJSON_AddItemToObject(*out, "ingest", ing ? ing : cJSON_CreateNull());
	cur = ing = NULL;
out:
	cJSON_Delete(cur);
	cJSON_Delete(recent);
	cJSON_Delete(ing);
	return rc;
}

const struct baton_op baton_session_ops[] = {
	{ "overview", "", "session_overview", "baton [--limit N]",
	  "what was I doing: recent sessions across all repos and this repo's active one",
	  overview_args, 0, op_overview },
	{ "session.save", "save", "session_save",
	  "save -m OBJECTIVE [--cwd DIR] [--project ID] [--tasks a,b] [--notes TEXT] [--name SHORT] [--session ID] [--new]",
	  "snapshot the current work (git state, recent changes, checkpoint) as a session",
	  save_args, BATON_OP_MUTATES | BATON_OP_LAZY_INDEX, op_save },
	{ "session.list", "list", "session_list",
	  "list [--limit N] [--since TIME] [--repo PATH] [--project ID] [--status S] [--source S]",
	  "sessions across all repos, most recently updated first", list_args, BATON_OP_READ_ONLY, op_list },
	{ "session.show", "show", "session_show", "show ID", "one session, whole", id_args, BATON_OP_READ_ONLY, op_show },
	{ "session.resume", "resume", "session_resume", "resume [ID] [--agent claude|codex|gemini|opencode]",
	  "a concise summary of a session and a script that resumes it", resume_args, 0, op_resume },
	{ "session.delete", "delete", "session_delete", "delete ID",
	  "delete a session (a tombstone in the log; history is kept)", id_args, BATON_OP_MUTATES, op_delete },
	{ NULL },
};
