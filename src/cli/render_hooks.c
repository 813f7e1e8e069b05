/* Human renderings of `baton hooks install/uninstall/status`. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

static void list(FILE *out, const cJSON *arr)
{
	const cJSON *e;
	int n = 0;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e))
			fprintf(out, "%s%s", n++ ? ", " : "", e->valuestring);
	if (!n)
		fputs("-", out);
}

void baton_render_hooks_install(FILE *out, const cJSON *r)
{
	const char *st = baton_json_str(r, "status");
	fprintf(out, "%s: baton's hooks %s in %s\n", baton_json_str(r, "agent"),
		st && !strcmp(st, "unchanged") ? "were already installed" : st && !strcmp(st, "updated") ? "updated" : "installed",
		baton_json_str(r, "file"));
	fputs("  events: ", out);
	list(out, baton_json_arr(r, "events"));
	fprintf(out, "\n  command: %s hook EVENT --agent %s\n", baton_json_str(r, "command"), baton_json_str(r, "agent"));
	if (baton_json_str(r, "backup"))
		fprintf(out, "  previous file kept as %s\n", baton_json_str(r, "backup"));
	if (baton_json_str(r, "note"))
		fprintf(out, "  note: %s\n", baton_json_str(r, "note"));
}

void baton_render_hooks_uninstall(FILE *out, const cJSON *r)
{
	const char *st = baton_json_str(r, "status");
	if (st && !strcmp(st, "absent")) {
		fprintf(out, "%s: baton's hooks are not installed in %s\n", baton_json_str(r, "agent"), baton_json_str(r, "file"));
		return;
	}
	fprintf(out, "%s: removed %lld baton hook%s from %s%s\n", baton_json_str(r, "agent"),
		(long long)baton_json_int(r, "removed", 0), baton_json_int(r, "removed", 0) == 1 ? "" : "s",
		baton_json_str(r, "file"), baton_json_bool(r, "restored", false) ? " (original file restored)" : "");
	if (baton_json_str(r, "backup"))
		fprintf(out, "  previous file kept as %s\n", baton_json_str(r, "backup"));
}

void baton_render_hooks_status(FILE *out, const cJSON *r)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, baton_json_arr(r, "hooks")) {
		const char *state = baton_json_str(s, "error")                          ? "unreadable"
				    : !baton_json_bool(s, "installed", false)           ? "-"
				    : !baton_json_bool(s, "command_exists", false)      ? "installed (command missing!)"
				    : baton_json_bool(s, "current", false)              ? "installed"
											: "installed (another baton)";
		fprintf(out, "%-7s %-8s %-28s %s\n", baton_json_str(s, "agent"), baton_json_str(s, "scope"), state,
			baton_json_str(s, "file"));
		if (baton_json_str(s, "error"))
			fprintf(out, "        %s\n", baton_json_str(s, "error"));
		else if (baton_json_bool(s, "installed", false)) {
			fputs("        events: ", out);
			list(out, baton_json_arr(s, "events"));
			fprintf(out, "\n        command: %s\n", baton_json_str(s, "command"));
			if (cJSON_IsFalse(cJSON_GetObjectItem(s, "enabled")))
				fputs("        hooksConfig.enabled is false: gemini runs no hooks\n", out);
		}
	}
}
