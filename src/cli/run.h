/* `baton run`: execute a command as a recorded run of the ledger. */
#ifndef BATON_CLI_RUN_H
#define BATON_CLI_RUN_H

#include "baton/run.h"

/* The command: baton run [--agent A] [--model M] [--task T] [--session S]
 * [--attempt-of RUN] -- COMMAND [ARGS…]. Returns the command's exit code (128+N when
 * it was killed by signal N), 1 when the store fails, 2 on a usage error. */
int baton_cli_run_main(int argc, char **argv);

/* Run spec's command as a recorded run, in directory dir (NULL: here): plan it,
 * fork, record run_started while the child waits, let it exec, wait, record
 * run_finished. stdin, stdout, stderr and the terminal are the child's; SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT sent to baton alone are forwarded to it. The child's
 * environment gains BATON_RUN_ID (and BATON_SESSION when the run has a session).
 * Returns the exit code as baton_cli_run_main does. */
int baton_cli_run_exec(const struct baton_run_spec *spec, const char *dir);

#endif
