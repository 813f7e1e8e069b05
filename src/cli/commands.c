/* Commands that are not operations of the table: each has its own main. */
#include <stddef.h>

#include "cli/cli.h"
#include "cli/fix.h"
#include "cli/hook.h"
#include "cli/mcp.h"
#include "cli/restore.h"
#include "cli/run.h"

const struct baton_cli_command baton_cli_commands[] = {
	{ "mcp", "serve the operations as MCP tools over stdio (mcp install/uninstall/status: register it)", baton_cli_mcp_main },
	{ "run", "run a command (an agent) as a recorded run: baton run [--agent --model --task --session] -- CMD...",
	  baton_cli_run_main },
	/* fix and restore are operations (MCP has them); the CLI adds the terminal prompt
	 * and runs the commands they return */
	{ "fix", "failed and interrupted work: resume, retry, hand to another agent, plan a new stage", baton_cli_fix_main },
	{ "restore", "after a reboot: resume every session that was live (a script, or tmux windows)", baton_cli_restore_main },
	{ "hook", "run one agent hook event (JSON on stdin); installed by hooks install", baton_cli_hook_main },
	{ NULL, NULL, NULL },
};
