/* `baton mcp`: the MCP server over stdio. */
#ifndef BATON_CLI_MCP_H
#define BATON_CLI_MCP_H

/* Serve MCP on stdin/stdout until EOF. argv: the words after "mcp". Returns the exit
 * code: 0 at EOF or when the client goes away, 1 on a read error, 2 on usage. */
int baton_cli_mcp_main(int argc, char **argv);

#endif
