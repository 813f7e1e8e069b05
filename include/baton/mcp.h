/* The MCP server's protocol core: one JSON-RPC frame in, at most one frame out.
 *
 * This is pure protocol over the operation table: it never reads or writes a file
 * descriptor (the stdio loop lives in the CLI, src/cli/mcp.c). tools/list publishes
 * every operation not flagged BATON_OP_NO_MCP; tools/call opens the store, runs the
 * operation through baton_op_call exactly as the CLI does, and answers the JSON the
 * CLI's --json prints (a compact acknowledgement for mutations unless the arguments
 * carry "verbose": true).
 *
 * Protocol versions 2024-11-05, 2025-03-26, 2025-06-18 and 2025-11-25 are negotiated
 * ("legacy" lifecycle: initialize first). Anything else, server/discover included,
 * is answered -32601 at once, so dual-era clients fall back to initialize quickly.
 */
#ifndef BATON_MCP_H
#define BATON_MCP_H

#include <stddef.h>

#include "baton/baton.h"

/* JSON-RPC error codes. */
enum {
	BATON_MCP_PARSE_ERROR = -32700,
	BATON_MCP_INVALID_REQUEST = -32600,
	BATON_MCP_METHOD_NOT_FOUND = -32601,
	BATON_MCP_INVALID_PARAMS = -32602,
	BATON_MCP_INTERNAL_ERROR = -32603,
};

/* The newest protocol version spoken; the answer to an unknown requested version. */
#define BATON_MCP_LATEST_VERSION "2025-11-25"

struct baton_mcp;

struct baton_mcp_opts {
	/* How every tools/call opens the store (its strings are borrowed and must outlive
	 * the server). The store is opened per call, so a long-lived server sees writes
	 * and index rebuilds by other processes, and config changes, exactly as a fresh
	 * CLI process would. */
	struct baton_open_opts open;
	/* Optional: called on each freshly opened store before the operation runs, to give
	 * it what the CLI would (the agents' transcript roots). Returns 0 or a BATON_E*. */
	int (*setup)(struct baton_ctx *ctx);
	/* Optional diagnostics sink (the CLI writes them to stderr); one line, no '\n'. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

/* A server state (negotiated version, initialized or not). opts is copied.
 * Returns 0 or BATON_ENOMEM. */
int baton_mcp_new(struct baton_mcp **out, const struct baton_mcp_opts *opts);
void baton_mcp_free(struct baton_mcp *m);

/* Handle one frame (a line without its '\n'; it need not be NUL-terminated).
 * *out is the reply line (malloc'd, compact JSON, no '\n', valid UTF-8) or NULL when
 * the frame gets no reply (notifications, responses, blank lines). Protocol errors
 * are replies, not failures: the return value is 0, or BATON_ENOMEM when no reply
 * could be built at all. */
int baton_mcp_handle(struct baton_mcp *m, char **out, const char *line, size_t len);

/* A JSON-RPC error reply with id null (malloc'd), e.g. for a frame the transport
 * dropped because it was over its size limit. NULL when out of memory. */
char *baton_mcp_error_reply(int code, const char *message);

/* The protocol version negotiated by initialize; NULL before it. Borrowed. */
const char *baton_mcp_version(const struct baton_mcp *m);

#endif
