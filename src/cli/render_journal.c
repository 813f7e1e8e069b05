/* Human renderings of the journal operations. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

static void where(FILE *out, const cJSON *r, const char *label)
{
	if (baton_json_str(r, "path"))
		fprintf(out, "%s %s\n", label, baton_json_str(r, "path"));
}

void baton_render_journal_log(FILE *out, const cJSON *r)
{
	const cJSON *e = baton_json_obj(r, "entry"), *st = baton_json_obj(r, "step");
	const char *kind = or(baton_json_str(e, "kind"), "entry");
	const char *name = or(baton_json_str(r, "shortname"), "?"), *id = or(baton_json_str(r, "session_id"), "?");
	if (!strcmp(kind, "done")) {
		const char *m = or(baton_json_str(r, "match"), "new");
		if (!strcmp(m, "new"))
			fprintf(out, "done (no open step matched, recorded as a new completed step): %s\n",
				or(baton_json_str(st, "text"), ""));
		else
			fprintf(out, "done: %s\n", or(baton_json_str(st, "text"), ""));
	} else if (!strcmp(kind, "progress")) {
		fprintf(out, "in progress <- CURRENT: %s\n", or(baton_json_str(st, "text"), ""));
	} else if (!strcmp(kind, "next")) {
		fprintf(out, "next: %s\n", or(baton_json_str(st, "text"), ""));
	} else if (!strcmp(kind, "unblock")) {
		fprintf(out, "blocker %lld resolved: %s\n", (long long)baton_json_int(e, "n", 0), or(baton_json_str(e, "text"), ""));
	} else {
		fprintf(out, "%s: %s\n", kind, or(baton_json_str(e, "text"), ""));
	}
	fprintf(out, "logged in %s (%s)\n", name, id);
}

void baton_render_journal_checkpoint(FILE *out, const cJSON *r)
{
	const cJSON *e = baton_json_obj(r, "entry");
	fprintf(out, "checkpoint of %s (%s)", or(baton_json_str(r, "shortname"), "?"), or(baton_json_str(r, "session_id"), "?"));
	if (baton_json_bool(e, "pre_compact", false))
		fprintf(out, ", before compaction %lld", (long long)baton_json_int(r, "compaction_count", 0));
	fprintf(out, "\nTL;DR: %s\n", or(baton_json_str(r, "tldr"), ""));
	where(out, r, "journal:");
}

void baton_render_journal_pause(FILE *out, const cJSON *r)
{
	fprintf(out, "paused %s (%s); the next entry or baton save resumes it\n", or(baton_json_str(r, "shortname"), "?"),
		or(baton_json_str(r, "session_id"), "?"));
	where(out, r, "journal:");
}

void baton_render_journal_close(FILE *out, const cJSON *r)
{
	const cJSON *e = baton_json_obj(r, "entry");
	fprintf(out, "closed %s (%s): %s", or(baton_json_str(r, "shortname"), "?"), or(baton_json_str(r, "session_id"), "?"),
		or(baton_json_str(r, "status"), "?"));
	if (baton_json_str(e, "text"))
		fprintf(out, " (%s)", baton_json_str(e, "text"));
	fprintf(out, "\n");
	where(out, r, "archived:");
}

void baton_render_journal_view(FILE *out, const cJSON *r)
{
	fputs(or(baton_json_str(r, "markdown"), ""), out);
}

void baton_render_journal_list(FILE *out, const cJSON *r)
{
	const cJSON *arr = baton_json_arr(r, "sessions"), *s;
	if (!cJSON_GetArraySize(arr)) {
		fprintf(out, "no sessions\n");
		return;
	}
	cJSON_ArrayForEach(s, arr) {
		const cJSON *p = baton_json_obj(s, "progress");
		char frac[32];
		snprintf(frac, sizeof frac, "%lld/%lld", (long long)baton_json_int(p, "done", 0), (long long)baton_json_int(p, "total", 0));
		fprintf(out, "%.10s  %-13s %-7s %-24.24s %s\n", or(baton_json_str(s, "id"), "?"), or(baton_json_str(s, "status"), "?"),
			frac, or(baton_json_str(s, "shortname"), "-"), or(baton_json_str(p, "current"), "-"));
		if (baton_json_int(s, "open_blockers", 0))
			fprintf(out, "            %lld open blocker%s\n", (long long)baton_json_int(s, "open_blockers", 0),
				baton_json_int(s, "open_blockers", 0) == 1 ? "" : "s");
		if (baton_json_str(s, "path"))
			fprintf(out, "            %s\n", baton_json_str(s, "path"));
	}
}
