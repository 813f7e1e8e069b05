/* Human renderings of the handoff operations. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

static void markdown(FILE *out, const char *md)
{
	size_t n = strlen(md);
	fprintf(out, "%s%s", md, n && md[n - 1] == '\n' ? "" : "\n");
}

void baton_render_handoff_show(FILE *out, const cJSON *r)
{
	const char *md = baton_json_str(r, "markdown");
	if (md)
		markdown(out, md);
	else
		fprintf(out, "no handoff stored for session %s; create one with: baton handoff --session %s\n",
			or(baton_json_str(r, "session_id"), "?"), or(baton_json_str(r, "session_id"), "ID"));
}

void baton_render_handoff(FILE *out, const cJSON *r)
{
	if (!baton_json_obj(r, "context")) { /* --show */
		baton_render_handoff_show(out, r);
		return;
	}
	markdown(out, or(baton_json_str(r, "markdown"), ""));
	fprintf(out, "\n-- stored on session %s (%s), %lld of %lld chars%s\n", or(baton_json_str(r, "session_id"), "?"),
		or(baton_json_str(r, "status"), "?"), (long long)baton_json_int(r, "chars", 0),
		(long long)baton_json_int(r, "max_chars", 0), baton_json_bool(r, "truncated", false) ? ", shortened to fit" : "");
}

void baton_render_commits(FILE *out, const cJSON *r)
{
	const cJSON *c;
	if (!baton_json_int(r, "count", 0)) {
		fprintf(out, "no commits in the time frame of session %s%s\n", or(baton_json_str(r, "session_id"), "?"),
			baton_json_str(r, "repo") ? "" : " (it has no repository)");
		return;
	}
	cJSON_ArrayForEach(c, baton_json_arr(r, "commits"))
		fprintf(out, "%.12s  %.19s  %s\n", or(baton_json_str(c, "hash"), "?"), or(baton_json_str(c, "timestamp"), "?"),
			or(baton_json_str(c, "message"), ""));
}

void baton_render_current(FILE *out, const cJSON *r)
{
	const cJSON *s = baton_json_obj(r, "session");
	if (!s) {
		fprintf(out, "no active session in %s\n", or(baton_json_str(r, "cwd"), "?"));
		return;
	}
	fprintf(out, "%s  %s  %s\n  %s\n", or(baton_json_str(s, "id"), "?"), or(baton_json_str(s, "shortname"), "-"),
		or(baton_json_str(s, "status"), "?"), or(baton_json_str(s, "objective"), "(no objective)"));
}
