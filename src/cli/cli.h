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

/* Exit code for a library return code: 0, 1 (error) or 2 (usage). */
int baton_cli_exit_code(int rc);

/* Parse argv for op, run it, print the result; returns the exit code. */
int baton_cli_run_op(const struct baton_op *op, int argc, char **argv);

#endif
