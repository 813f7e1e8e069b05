/* The operation table: the one spine shared by the CLI, the MCP server and the hooks.
 *
 * Each operation has a name, a CLI command path and synopsis, an MCP tool name, its
 * arguments (from which the CLI parses argv and the MCP server publishes its JSON
 * input schema), and one function args JSON → result JSON. Output objects are built
 * with keys in a fixed order, so --json output is deterministic byte for byte.
 *
 * Adding an operation: write its function and its argument list in the module that
 * owns it, export a `const struct baton_op` array from that module, and list the
 * array in src/lib/ops/op.c. The CLI, MCP and the parity test pick it up from there.
 */
#ifndef BATON_OP_H
#define BATON_OP_H

#include "baton/cjson.h"
#include <stdbool.h>

struct baton_ctx;

enum baton_arg_type {
	BATON_ARG_STRING,  /* --name TEXT */
	BATON_ARG_INT,     /* --limit N */
	BATON_ARG_BOOL,    /* --flag (true when present; --no-flag false) */
	BATON_ARG_LIST,    /* --tasks a,b  (comma-separated, repeatable) → array of strings */
	BATON_ARG_REST,    /* all remaining positional words → array of strings */
};

enum {
	BATON_ARG_REQUIRED = 1 << 0,  /* the operation fails without it */
	BATON_ARG_POSITIONAL = 1 << 1, /* given as the next bare word on the CLI */
	BATON_ARG_CLI_ONLY = 1 << 2,  /* not published in the MCP schema (e.g. --json) */
	BATON_ARG_MCP_ONLY = 1 << 3,  /* not a CLI flag (e.g. verbose) */
};

struct baton_arg {
	const char *name;    /* JSON key; the CLI flag is --name with '_' → '-' */
	enum baton_arg_type type;
	unsigned flags;
	char short_flag;     /* e.g. 'm' for -m, or 0 */
	const char *alias;   /* another long flag for the same key, e.g. "goal", or NULL */
	const char *help;    /* one line: shown by --help and in the MCP schema */
};

enum {
	BATON_OP_MUTATES = 1 << 0,  /* writes to the store: MCP answers a compact ack */
	BATON_OP_NO_MCP = 1 << 1,   /* CLI only (e.g. the mcp server itself, run) */
	BATON_OP_NO_STORE = 1 << 2, /* runs without opening the store */
	BATON_OP_READ_ONLY = 1 << 3, /* only reads the index: the MCP server may answer it
				      * from a store kept open between calls */
	BATON_OP_LAZY_INDEX = 1 << 4, /* the CLI opens the store without its index: the
				       * operation opens it when it must (save), and what it
				       * appended without it is applied after the answer */
};

struct baton_op {
	const char *name;      /* "session.save" */
	const char *cli;       /* command words: "save", "index rebuild" */
	const char *mcp;       /* MCP tool name: "session_save" */
	const char *synopsis;  /* "save -m OBJECTIVE [--cwd DIR] …" */
	const char *summary;   /* one line for --help, the man page and the MCP description */
	const struct baton_arg *args; /* terminated by { NULL } */
	unsigned flags;
	/* args: an object whose keys are argument names (absent = not given).
	 * On success *out is the result object (caller's). On failure, a BATON_E* code
	 * with the message on ctx. */
	int (*fn)(struct baton_ctx *ctx, const cJSON *args, cJSON **out);
};

#define BATON_MAX_OPS 256

/* Fill out[0..cap) with every operation, in a fixed order (the pointers are to static
 * tables); returns the number of operations. */
size_t baton_ops_list(const struct baton_op **out, size_t cap);

/* Look up by name, CLI words (e.g. "index rebuild") or MCP tool name. NULL if none. */
const struct baton_op *baton_op_find(const char *name);
const struct baton_op *baton_op_find_cli(const char *words);
const struct baton_op *baton_op_find_mcp(const char *tool);

/* Check args against the operation's argument list (unknown keys, wrong types,
 * missing required ones) and call it. Returns what the operation returns, or
 * BATON_EINVALID with a message naming the argument. */
int baton_op_call(struct baton_ctx *ctx, const struct baton_op *op, const cJSON *args, cJSON **out);

/* The JSON Schema of an operation's input (caller's). */
cJSON *baton_op_schema(const struct baton_op *op);

/* A compact acknowledgement of a mutation's result: {"ok":true} plus the result's
 * "id" / "session_id" / "status" when present (caller's). */
cJSON *baton_op_ack(const cJSON *result);

#endif
