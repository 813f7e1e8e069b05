#include <stdio.h>
#include <string.h>
#include <time.h>

#include "baton/clock.h"
#include "baton/json.h"
#include "cli/render.h"

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

/* "3m ago", "2h ago", "5d ago" from an RFC 3339 time; the date when older. */
static void ago(char *buf, size_t len, const char *ts)
{
	int64_t t, now = baton_real_now_ms();
	const char *fixed = getenv("BATON_NOW");
	if (fixed && baton_time_parse(&t, fixed) == 0)
		now = t;
	if (!ts || baton_time_parse(&t, ts)) {
		snprintf(buf, len, "?");
		return;
	}
	int64_t s = (now - t) / 1000;
	if (s < 60)
		snprintf(buf, len, "just now");
	else if (s < 3600)
		snprintf(buf, len, "%lldm ago", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh ago", (long long)(s / 3600));
	else if (s < 30 * 86400)
		snprintf(buf, len, "%lldd ago", (long long)(s / 86400));
	else
		snprintf(buf, len, "%.10s", ts);
}

static void session_line(FILE *out, const cJSON *s)
{
	char a[32];
	ago(a, sizeof a, baton_json_str(s, "updated_at"));
	const cJSON *g = baton_json_obj(s, "git");
	fprintf(out, "%.12s  %-13s %-9s %-24.24s %s\n", baton_json_str(s, "id"), or(baton_json_str(s, "status"), "?"), a,
		or(baton_json_str(s, "shortname"), "-"), or(baton_json_str(s, "objective"), ""));
	fprintf(out, "              %s%s%s%s\n", or(baton_json_str(s, "cwd"), "?"), baton_json_str(g, "branch") ? " [" : "",
		baton_json_str(g, "branch") ? baton_json_str(g, "branch") : "", baton_json_str(g, "branch") ? "]" : "");
}

static void render_list(FILE *out, const cJSON *r)
{
	const cJSON *arr = baton_json_arr(r, "sessions"), *s;
	if (!cJSON_GetArraySize(arr)) {
		fprintf(out, "no sessions\n");
		return;
	}
	cJSON_ArrayForEach(s, arr)
		session_line(out, s);
}

static void render_session(FILE *out, const cJSON *s)
{
	const cJSON *g = baton_json_obj(s, "git");
	fprintf(out, "%s  %s\n", baton_json_str(s, "id"), or(baton_json_str(s, "shortname"), ""));
	fprintf(out, "  status      %s\n", or(baton_json_str(s, "status"), "?"));
	fprintf(out, "  objective   %s\n", or(baton_json_str(s, "objective"), "(none)"));
	fprintf(out, "  cwd         %s\n", or(baton_json_str(s, "cwd"), "?"));
	if (baton_json_str(s, "repo_root"))
		fprintf(out, "  repo        %s\n", baton_json_str(s, "repo_root"));
	if (baton_json_str(s, "project_id"))
		fprintf(out, "  project     %s\n", baton_json_str(s, "project_id"));
	if (baton_json_str(g, "branch") || baton_json_str(g, "head_sha"))
		fprintf(out, "  git         %s %.12s%s\n", or(baton_json_str(g, "branch"), "(detached)"),
			or(baton_json_str(g, "head_sha"), "(no commits)"), baton_json_bool(g, "dirty", false) ? " dirty" : "");
	const cJSON *ws = baton_json_arr(s, "working_set"), *it;
	if (cJSON_GetArraySize(ws)) {
		fprintf(out, "  tasks      ");
		cJSON_ArrayForEach(it, ws)
			fprintf(out, " %s", it->valuestring);
		fprintf(out, "\n");
	}
	if (baton_json_str(s, "notes"))
		fprintf(out, "  notes       %s\n", baton_json_str(s, "notes"));
	if (baton_json_str(s, "tldr"))
		fprintf(out, "  tl;dr       %s\n", baton_json_str(s, "tldr"));
	const cJSON *c = baton_json_obj(s, "checkpoint");
	if (c)
		fprintf(out, "  checkpoint  %s (%s)\n", baton_json_str(c, "path"), or(baton_json_str(c, "timestamp"), "?"));
	const cJSON *files = baton_json_arr(baton_json_obj(s, "recent_changes"), "files");
	if (cJSON_GetArraySize(files)) {
		fprintf(out, "  changes    ");
		cJSON_ArrayForEach(it, files)
			fprintf(out, " %s", it->valuestring);
		fprintf(out, "\n");
	}
	if (baton_json_int(s, "compaction_count", 0))
		fprintf(out, "  compactions %lld\n", (long long)baton_json_int(s, "compaction_count", 0));
	if (baton_json_str(s, "parent_id"))
		fprintf(out, "  parent      %s\n", baton_json_str(s, "parent_id"));
	fprintf(out, "  created     %s\n  updated     %s\n", or(baton_json_str(s, "created_at"), "?"),
		or(baton_json_str(s, "updated_at"), "?"));
}

static void render_show(FILE *out, const cJSON *r)
{
	render_session(out, baton_json_obj(r, "session"));
}

static void render_save(FILE *out, const cJSON *r)
{
	const cJSON *s = baton_json_obj(r, "session");
	fprintf(out, "saved %s (%s)\n", baton_json_str(s, "id"), or(baton_json_str(s, "shortname"), ""));
}

static void render_resume(FILE *out, const cJSON *r)
{
	fprintf(out, "%s\n%s", or(baton_json_str(r, "summary"), ""), or(baton_json_str(r, "script"), ""));
}

/* what the overview's time-boxed ingest left to a background `baton ingest` */
static void render_overview_ingest(FILE *out, const cJSON *ing)
{
	if (!ing || baton_json_bool(ing, "complete", true))
		return;
	int64_t n = baton_json_int(ing, "pending_files", 0);
	if (!n)
		fprintf(out, "\nAnother baton ingest is reading the agents' transcripts; run baton again when it is done.\n");
	else if (baton_json_bool(ing, "background", false))
		fprintf(out, "\n%lld more transcript%s being read in the background (baton ingest waits for it).\n",
			(long long)n, n == 1 ? " is" : "s are");
	else
		fprintf(out, "\n%lld more transcript%s not read yet: run baton ingest.\n", (long long)n, n == 1 ? " is" : "s are");
}

static void render_overview(FILE *out, const cJSON *r)
{
	const cJSON *cur = baton_json_obj(r, "current");
	if (cur) {
		fprintf(out, "Current session in %s:\n", or(baton_json_str(r, "cwd"), "?"));
		render_session(out, cur);
		fprintf(out, "\n");
	} else {
		fprintf(out, "No active session in %s (start one: baton save -m \"objective\")\n\n", or(baton_json_str(r, "cwd"), "?"));
	}
	const cJSON *arr = baton_json_arr(r, "recent"), *s;
	if (!cJSON_GetArraySize(arr)) {
		fprintf(out, "No sessions recorded yet.\n");
		render_overview_ingest(out, baton_json_obj(r, "ingest"));
		return;
	}
	fprintf(out, "Recent sessions:\n");
	cJSON_ArrayForEach(s, arr)
		session_line(out, s);
	render_overview_ingest(out, baton_json_obj(r, "ingest"));
}

static void render_delete(FILE *out, const cJSON *r)
{
	fprintf(out, "deleted %s\n", baton_json_str(r, "session_id"));
}

static void render_verify(FILE *out, const cJSON *r)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, baton_json_arr(r, "tables"))
		fprintf(out, "%-16s %8lld rows  %lld missing  %lld extra\n", baton_json_str(t, "table"),
			(long long)baton_json_int(t, "rows", 0), (long long)baton_json_int(t, "missing", 0),
			(long long)baton_json_int(t, "extra", 0));
	fprintf(out, "%s\n", baton_json_bool(r, "ok", false) ? "index verified: it matches a replay of the logs"
							     : "index differs from a replay: run 'baton index rebuild'");
}

static void render_rebuild(FILE *out, const cJSON *r)
{
	fprintf(out, "rebuilt the index: %lld events from %lld logs in %lld ms (%lld bad lines skipped)\n",
		(long long)baton_json_int(r, "events", 0), (long long)baton_json_int(r, "logs", 0),
		(long long)baton_json_int(r, "ms", 0), (long long)baton_json_int(r, "bad_lines", 0));
}

static void render_doctor(FILE *out, const cJSON *r)
{
	fprintf(out, "store %s (host %s)\n", baton_json_str(r, "home"), baton_json_str(r, "host"));
	const cJSON *l;
	cJSON_ArrayForEach(l, baton_json_arr(r, "logs")) {
		fprintf(out, "log %s: %lld lines, %lld bytes", baton_json_str(l, "file"), (long long)baton_json_int(l, "lines", 0),
			(long long)baton_json_int(l, "size", 0));
		if (baton_json_int(l, "bad_lines", 0))
			fprintf(out, ", %lld bad lines (skipped)", (long long)baton_json_int(l, "bad_lines", 0));
		if (baton_json_bool(l, "torn_tail", false))
			fprintf(out, ", torn last line (a crash mid-write; the next write closes it)");
		if (baton_json_int(l, "lag_bytes", 0))
			fprintf(out, ", index %lld bytes behind", (long long)baton_json_int(l, "lag_bytes", 0));
		fprintf(out, "\n");
	}
	cJSON_ArrayForEach(l, baton_json_arr(r, "permissions"))
		fprintf(out, "permissions: %s is %s, want %s (chmod %s)\n", baton_json_str(l, "path"), baton_json_str(l, "mode"),
			baton_json_str(l, "want"), baton_json_str(l, "want"));
	fprintf(out, "%s\n", baton_json_bool(r, "ok", false) ? "ok" : "problems found (see above)");
}

static void render_config(FILE *out, const cJSON *r)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, baton_json_arr(r, "items"))
		fprintf(out, "%s = %s    # %s\n", baton_json_str(it, "key"), baton_json_str(it, "value"), baton_json_str(it, "origin"));
}

static const struct {
	const char *op;
	void (*fn)(FILE *, const cJSON *);
} renderers[] = {
	{ "overview", render_overview },
	{ "session.save", render_save },
	{ "session.list", render_list },
	{ "session.show", render_show },
	{ "session.resume", render_resume },
	{ "session.delete", render_delete },
	{ "journal.log", baton_render_journal_log },
	{ "journal.checkpoint", baton_render_journal_checkpoint },
	{ "journal.pause", baton_render_journal_pause },
	{ "journal.close", baton_render_journal_close },
	{ "journal.view", baton_render_journal_view },
	{ "journal.view_list", baton_render_journal_list },
	{ "handoff.create", baton_render_handoff },
	{ "handoff.show", baton_render_handoff_show },
	{ "session.commits", baton_render_commits },
	{ "session.current", baton_render_current },
	{ "index.rebuild", render_rebuild },
	{ "index.verify", render_verify },
	{ "doctor", render_doctor },
	{ "config", render_config },
	{ "mcp.install", baton_render_mcp_install },
	{ "mcp.uninstall", baton_render_mcp_uninstall },
	{ "mcp.status", baton_render_mcp_status },
	{ "run.list", baton_render_runs },
	{ "run.show", baton_render_run_show },
	{ "run.link", baton_render_run_linked },
	{ "run.fix", baton_render_fix },
	{ "session.restore", baton_render_restore },
	{ "hooks.install", baton_render_hooks_install },
	{ "hooks.uninstall", baton_render_hooks_uninstall },
	{ "hooks.status", baton_render_hooks_status },
	{ "ingest", baton_render_ingest },
	{ "messages", baton_render_messages },
	{ "search", baton_render_search },
	{ "stats", baton_render_stats },
};

void baton_render(FILE *out, const struct baton_op *op, const cJSON *result)
{
	for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++) {
		if (!strcmp(renderers[i].op, op->name)) {
			renderers[i].fn(out, result);
			return;
		}
	}
	char *s = cJSON_Print(result);
	if (s)
		fprintf(out, "%s\n", s);
	cJSON_free(s);
}
