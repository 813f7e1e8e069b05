/* `baton hook EVENT`: one agent hook event (see include/baton/hook.h). */
#ifndef BATON_CLI_HOOK_H
#define BATON_CLI_HOOK_H

/* argv: the words after "hook". Always returns 0: a hook never fails the agent. */
int baton_cli_hook_main(int argc, char **argv);

#endif
