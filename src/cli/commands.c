/* Commands that are not operations of the table: each has its own main. */
#include <stddef.h>

#include "cli/cli.h"
#include "cli/mcp.h"

const struct baton_cli_command baton_cli_commands[] = {
	{ "mcp", "serve the operations as MCP tools over stdio (mcp install/uninstall/status: register it)", baton_cli_mcp_main },
	{ NULL, NULL, NULL },
};
