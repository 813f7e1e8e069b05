/* Registering baton's MCP server with the agents: `baton mcp install/uninstall/status`.
 *
 * Each agent keeps its MCP servers in its own config file:
 *   claude    user: ~/.claude.json "mcpServers" ($CLAUDE_CONFIG_DIR/.claude.json when set)
 *             project: <repo>/.mcp.json "mcpServers"
 *   codex     user: $CODEX_HOME/config.toml (default ~/.codex) [mcp_servers.baton]
 *   gemini    user: ~/.gemini/settings.json "mcpServers"; project: <repo>/.gemini/settings.json
 *   opencode  user: $XDG_CONFIG_HOME/opencode/opencode.json "mcp" (default ~/.config);
 *             project: <repo>/opencode.json
 * The entry runs the absolute path of the running baton binary with "mcp" (and
 * BATON_HOME when the store is not the default one). Edits keep every other key
 * (TOML: every other byte), are atomic, keep the previous bytes in FILE.baton-bak,
 * and refuse a file that does not parse. Uninstall puts the original bytes back
 * when nothing else changed since the install.
 */
#ifndef BATON_MCP_INSTALL_H
#define BATON_MCP_INSTALL_H

#include "baton/op.h"

/* mcp.install, mcp.uninstall, mcp.status (CLI: "mcp install" …). */
extern const struct baton_op baton_mcp_install_ops[];

#endif
