/* Work a command leaves until after its answer: a detached child that does it while
 * the caller goes on (a hook's job, a save's index update), and the log of what such
 * work could not do, $BATON_HOME/hooks.log. */
#ifndef BATON_CLI_BACKGROUND_H
#define BATON_CLI_BACKGROUND_H

/* One line in $BATON_HOME/hooks.log, "TIME pid N WHO WHAT: message" (rotated to
 * hooks.log.1 beyond 1 MiB). Failing to log is not worth failing over. */
void baton_cli_bg_log(const char *who, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Run fn(arg) in a detached child and exit 0 here: the answer must already be
 * written. Our stdio goes to /dev/null first, so a caller waiting on our pipes (an
 * agent, a shell's $(...)) sees us finish now; the child is in its own session. arg
 * must stay valid in the child (static, or heap the child goes on owning). When no
 * child can be started, fn runs here before the exit. Does not return. */
__attribute__((noreturn)) void baton_cli_detach(void (*fn)(void *), void *arg, const char *who, const char *what);

#endif
