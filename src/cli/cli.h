/* The program's shared pieces: opening the store the way every command does, exit
 * codes, and the commands that are not operations of the table. */
#ifndef BATON_CLI_CLI_H
#define BATON_CLI_CLI_H

#include "baton/baton.h"
#include "baton/op.h"

struct baton_cli_command {
	const char *words;    /* "mcp", "hook", "run" */
	const char *summary;
	int (*main)(int argc, char **argv); /* argv after the command words; returns the exit code */
};

/* Commands beyond the operation table (commands.c), terminated by { NULL }. */
extern const struct baton_cli_command baton_cli_commands[];

/* Open the store from the environment (BATON_HOME, BATON_NOW, BATON_SEED, BATON_HOST,
 * BATON_BOOT_ID);
 * on failure prints the error and returns its code. */
int baton_cli_open(struct baton_ctx **out);
/* The same; with no_index, the index is left closed (baton_ctx_open_index). */
int baton_cli_open_lazy(struct baton_ctx **out, bool no_index);

/* Give the library the agents' transcript roots from the environment (HOME,
 * CLAUDE_CONFIG_DIR, CODEX_HOME, XDG_DATA_HOME). Returns 0 or a BATON_E* code. */
int baton_cli_source_roots(struct baton_ctx *ctx);

/* A progress bar on stderr for op, when stderr is a terminal and not --json. */
void baton_cli_progress(struct baton_ctx *ctx, const char *op_name, int json);
/* The store-opening options every command uses, from the environment (BATON_NOW,
 * BATON_SEED, BATON_HOST; strings borrowed from environ). Prints and returns
 * BATON_EINVALID when BATON_NOW does not parse. */
int baton_cli_open_opts(struct baton_open_opts *o);

/* Exit code for a library return code: 0, 1 (error) or 2 (usage). */
int baton_cli_exit_code(int rc);

struct baton_cli_globals;

/* How every command starts: argv parsed into *out for op. Returns -1 to go on, else
 * the exit code to return: 2 after a usage error (said on stderr), 0 after --help
 * (printed). */
int baton_cli_args(const struct baton_op *op, int argc, char **argv, cJSON **out, struct baton_cli_globals *g);

/* Parse argv for op, run it, print the result; returns the exit code. */
int baton_cli_run_op(const struct baton_op *op, int argc, char **argv);

#endif
