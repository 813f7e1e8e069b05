/* `baton restore`: the session.restore operation, plus opening tmux windows. */
#ifndef BATON_CLI_RESTORE_H
#define BATON_CLI_RESTORE_H

/* Print the resume script; with --tmux run the tmux commands that open one window per
 * line (--dry-run: print them). Returns the exit code. */
int baton_cli_restore_main(int argc, char **argv);

#endif
