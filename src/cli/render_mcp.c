/* Human renderings of `baton mcp install/uninstall/status`. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

void baton_render_mcp_install(FILE *out, const cJSON *r)
{
	const char *st = baton_json_str(r, "status");
	fprintf(out, "%s: baton's MCP server %s in %s\n", baton_json_str(r, "agent"),
		st && !strcmp(st, "unchanged") ? "was already registered" : st && !strcmp(st, "updated") ? "updated" : "registered",
		baton_json_str(r, "file"));
	fprintf(out, "  command: %s mcp\n", baton_json_str(r, "command"));
	if (baton_json_str(r, "baton_home"))
		fprintf(out, "  BATON_HOME=%s\n", baton_json_str(r, "baton_home"));
	if (baton_json_str(r, "backup"))
		fprintf(out, "  previous file kept as %s\n", baton_json_str(r, "backup"));
}

void baton_render_mcp_uninstall(FILE *out, const cJSON *r)
{
	const char *st = baton_json_str(r, "status");
	if (st && !strcmp(st, "absent")) {
		fprintf(out, "%s: baton's MCP server is not registered in %s\n", baton_json_str(r, "agent"), baton_json_str(r, "file"));
		return;
	}
	fprintf(out, "%s: removed baton's MCP server from %s%s\n", baton_json_str(r, "agent"), baton_json_str(r, "file"),
		baton_json_bool(r, "restored", false) ? " (original file restored)" : "");
	if (baton_json_str(r, "backup"))
		fprintf(out, "  previous file kept as %s\n", baton_json_str(r, "backup"));
}

void baton_render_mcp_status(FILE *out, const cJSON *r)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, baton_json_arr(r, "servers")) {
		const char *state = baton_json_str(s, "error") ? "unreadable"
				    : !baton_json_bool(s, "installed", false) ? "-"
				    : baton_json_bool(s, "current", false) ? "installed"
									    : "installed (another command)";
		fprintf(out, "%-9s %-8s %-28s %s\n", baton_json_str(s, "agent"), baton_json_str(s, "scope"), state,
			baton_json_str(s, "file"));
		if (baton_json_str(s, "error"))
			fprintf(out, "          %s\n", baton_json_str(s, "error"));
	}
}
