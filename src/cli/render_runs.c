/* Human renderings of the run ledger: runs, runs show, fix, restore. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

/* "2026-11-22T18:47:45.123Z" → "2026-11-22 18:47" */
static void short_time(char *buf, size_t len, const char *ts)
{
	if (!ts || strlen(ts) < 16)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.10s %.5s", ts, ts + 11);
}

static void how_ended(char *buf, size_t len, const cJSON *o)
{
	const cJSON *code = cJSON_GetObjectItem(o, "exit_code"), *sig = cJSON_GetObjectItem(o, "signal");
	if (cJSON_IsNumber(sig))
		snprintf(buf, len, "signal %d", sig->valueint);
	else if (cJSON_IsNumber(code))
		snprintf(buf, len, "exit %d", code->valueint);
	else
		snprintf(buf, len, "-");
}

void baton_render_thread_line(FILE *out, const cJSON *t)
{
	char when[32], end[32], name[64];
	short_time(when, sizeof when, baton_json_str(t, "started_at"));
	how_ended(end, sizeof end, t);
	if (baton_json_str(t, "task"))
		snprintf(name, sizeof name, "%s", baton_json_str(t, "task"));
	else
		snprintf(name, sizeof name, "(run %.10s)", or(baton_json_str(t, "thread_id"), "?"));
	fprintf(out, "%-20.20s %-11s %3lld  %-9.9s %-16s %-9s %s\n", name, or(baton_json_str(t, "status"), "?"),
		(long long)baton_json_int(t, "attempts", 1), or(baton_json_str(t, "agent"), "-"), when, end,
		or(baton_json_str(t, "cwd"), ""));
}

static void run_line(FILE *out, const cJSON *r)
{
	char when[32], end[32];
	short_time(when, sizeof when, baton_json_str(r, "started_at"));
	how_ended(end, sizeof end, r);
	fprintf(out, "%.10s  %-16s %-9.9s %-11s %-9s #%lld  %-36s %s\n", or(baton_json_str(r, "id"), "?"), when,
		or(baton_json_str(r, "agent"), "-"), or(baton_json_str(r, "status"), "?"), end,
		(long long)baton_json_int(r, "attempt", 1), or(baton_json_str(r, "agent_session_id"), "-"),
		or(baton_json_str(r, "cwd"), ""));
}

void baton_render_runs(FILE *out, const cJSON *r)
{
	const cJSON *it, *threads = baton_json_arr(r, "threads"), *runs = baton_json_arr(r, "runs");
	if (!baton_json_int(r, "count", 0)) {
		fprintf(out, "no runs recorded (start one: baton run -- COMMAND)\n");
		return;
	}
	if (threads) {
		fprintf(out, "%-20s %-11s %3s  %-9s %-16s %-9s %s\n", "TASK", "STATUS", "ATT", "AGENT", "LAST START", "EXIT", "CWD");
		cJSON_ArrayForEach(it, threads)
			baton_render_thread_line(out, it);
	}
	if (runs) {
		fprintf(out, "%-10s  %-16s %-9s %-11s %-9s %-3s %-36s %s\n", "RUN", "STARTED", "AGENT", "STATUS", "EXIT", "ATT",
			"AGENT SESSION", "CWD");
		cJSON_ArrayForEach(it, runs)
			run_line(out, it);
	}
}

void baton_render_run_show(FILE *out, const cJSON *r)
{
	const cJSON *run = baton_json_obj(r, "run"), *it;
	char end[32];
	how_ended(end, sizeof end, run);
	fprintf(out, "run %s\n", or(baton_json_str(run, "id"), "?"));
	fprintf(out, "  status      %s (%s)\n", or(baton_json_str(run, "status"), "?"), end);
	fprintf(out, "  agent       %s%s%s\n", or(baton_json_str(run, "agent"), "-"), baton_json_str(run, "model") ? " " : "",
		or(baton_json_str(run, "model"), ""));
	if (baton_json_str(run, "agent_session_id"))
		fprintf(out, "  agent id    %s\n", baton_json_str(run, "agent_session_id"));
	if (baton_json_str(run, "session_id"))
		fprintf(out, "  session     %s\n", baton_json_str(run, "session_id"));
	if (baton_json_str(run, "task"))
		fprintf(out, "  task        %s\n", baton_json_str(run, "task"));
	fprintf(out, "  cwd         %s\n  command    ", or(baton_json_str(run, "cwd"), "?"));
	cJSON_ArrayForEach(it, baton_json_arr(run, "argv"))
		fprintf(out, " %s", it->valuestring);
	fprintf(out, "\n  pid         %lld on %s\n", (long long)baton_json_int(run, "pid", 0), or(baton_json_str(run, "host"), "?"));
	fprintf(out, "  started     %s\n  ended       %s\n", or(baton_json_str(run, "started_at"), "-"),
		or(baton_json_str(run, "completed_at"), "-"));
	fprintf(out, "  attempt     %lld", (long long)baton_json_int(run, "attempt", 1));
	if (baton_json_str(run, "attempt_of"))
		fprintf(out, " (after %s)", baton_json_str(run, "attempt_of"));
	fprintf(out, "\n\nattempts of this thread:\n");
	cJSON_ArrayForEach(it, baton_json_arr(r, "attempts"))
		run_line(out, it);
	const cJSON *stages = baton_json_arr(r, "stages");
	if (cJSON_GetArraySize(stages)) {
		fprintf(out, "\nplanned stages:\n");
		cJSON_ArrayForEach(it, stages)
			fprintf(out, "  %.10s  %s\n", baton_json_str(it, "created_at"), or(baton_json_str(it, "note"), "(open)"));
	}
}

void baton_render_run_linked(FILE *out, const cJSON *r)
{
	fprintf(out, "run %s: agent session %s\n", or(baton_json_str(r, "id"), "?"), or(baton_json_str(r, "agent_session_id"), "-"));
}

void baton_render_fix(FILE *out, const cJSON *r)
{
	const char *action = or(baton_json_str(r, "action"), "");
	if (!strcmp(action, "list")) {
		const cJSON *it, *c = baton_json_arr(r, "candidates");
		if (!cJSON_GetArraySize(c)) {
			fprintf(out, "nothing to fix: no failed or interrupted runs\n");
			return;
		}
		fprintf(out, "%-20s %-11s %3s  %-9s %-16s %-9s %s\n", "TASK", "STATUS", "ATT", "AGENT", "LAST START", "EXIT", "CWD");
		cJSON_ArrayForEach(it, c)
			baton_render_thread_line(out, it);
		fprintf(out, "\nbaton fix --run ID (or --task ID) with --resume, --retry, --agent NAME or --new-stage\n");
		return;
	}
	if (!strcmp(action, "new_stage")) {
		const cJSON *s = baton_json_obj(r, "stage");
		fprintf(out, "planned a new stage %s%s%s%s\n", or(baton_json_str(s, "id"), "?"),
			baton_json_str(s, "session_id") ? " in session " : "", or(baton_json_str(s, "session_id"), ""),
			baton_json_str(s, "note") ? ":" : "");
		if (baton_json_str(s, "note"))
			fprintf(out, "  %s\n", baton_json_str(s, "note"));
		return;
	}
	fprintf(out, "%s\n", or(baton_json_str(r, "shell"), ""));
}

void baton_render_restore(FILE *out, const cJSON *r)
{
	fputs(or(baton_json_str(r, "tmux"), or(baton_json_str(r, "script"), "")), out);
}
