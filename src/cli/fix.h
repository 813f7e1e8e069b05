/* `baton fix`: the run.fix operation at a terminal. */
#ifndef BATON_CLI_FIX_H
#define BATON_CLI_FIX_H

/* With an action flag, compute the command (run.fix) and run it as a new recorded
 * attempt (--dry-run / --json: print it instead). Without one, on a terminal, prompt:
 * choose the thread, then resume / retry / change agent / new stage, confirm.
 * Otherwise list what needs fixing. Returns the exit code. */
int baton_cli_fix_main(int argc, char **argv);

#endif
