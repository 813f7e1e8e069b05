/* Runs: the ledger of agent processes. One run is one execution of a command (an
 * agent, or anything else) through `baton run`: who ran it (agent, model), for what
 * (session, task), the agent's own session id, where (cwd, host, boot), when, and how
 * it ended. Retries and resumes are new runs linked to the one before (attempt_of);
 * a chain of attempts is a thread.
 *
 * A run is a JSON object with a fixed key order (the field names are a contract):
 * id, session_id, task, agent, model, agent_session_id, cwd, argv, pid, host, boot_id,
 * started_at, completed_at, status, exit_code, signal, attempt, attempt_of.
 * status is running, completed (exit 0), failed (exit != 0) or interrupted (killed by
 * a signal, or found dead: its processes are gone, or the machine rebooted).
 *
 * Events: run_started, run_finished, run_interrupted (a reader found the run dead),
 * run_agent_session (the agent's own session id, learnt late), stage_planned (a
 * follow-up stage planned by `baton fix --new-stage`). */
#ifndef BATON_RUN_H
#define BATON_RUN_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baton/op.h"

struct baton_ctx;

extern const struct baton_op baton_run_ops[];

/* The agents baton knows by name: claude, codex, gemini, opencode. */
bool baton_run_agent_known(const char *name);

/* This boot's id: the context's override (BATON_BOOT_ID, given by the CLI), else
 * /proc/sys/kernel/random/boot_id. Borrowed from ctx; "" when unknown. */
const char *baton_boot_id(struct baton_ctx *ctx);

/* Start time of process pid in clock ticks since boot (field 22 of /proc/PID/stat).
 * Returns 0 and sets *out, or -1 when the process does not exist or has exited
 * (a zombie counts as exited). */
int baton_proc_start(int64_t *out, int pid);

/* What `baton run` was asked to run. argv is the command (argc >= 1). */
struct baton_run_spec {
	const char *agent;      /* NULL: from the basename of argv[0] */
	const char *model;
	const char *task;
	const char *session;    /* baton session id, prefix or shortname; NULL: the cwd's active one */
	const char *attempt_of; /* run id (or unique prefix) this run retries or resumes */
	char *const *argv;
	size_t argc;
};

/* Plan a run without recording anything: a run object (caller's) in contract order,
 * status "planned", with its id, the resolved agent, session, task, attempt and
 * attempt_of (from spec->attempt_of, else the latest run of the same session and
 * task), and the argv to execute: for claude, `--session-id <uuid>` is added after
 * argv[0] unless the command already picks a session, so the run is keyed to the
 * agent's own id from the start; an id given on the command line (--resume ID,
 * `codex resume ID`, …) is read into agent_session_id. BATON_ENOTFOUND when the
 * session or the attempt_of run does not exist, BATON_EINVALID for bad input. */
int baton_run_plan(struct baton_ctx *ctx, cJSON **out, const struct baton_run_spec *spec);

/* Record run_started for a planned run now executing as process pid (forked, not
 * yet exec'd), watched by the calling process. Fills pid, host, boot_id, started_at
 * and status "running" into run (in place). Returns 0 or a BATON_E* code. */
int baton_run_start(struct baton_ctx *ctx, cJSON *run, int pid);

/* Record run_finished from a waitpid(2) status: completed (exit 0), failed (exit
 * code), interrupted (signal). *out (optional): the run as now stored (caller's). */
int baton_run_finish(struct baton_ctx *ctx, cJSON **out, const char *run_id, int wait_status);

/* Record the agent's own session id for a run, learnt after it started (a hook, a
 * transcript, the agent's JSON output). The latest call wins. BATON_ENOTFOUND when
 * the run does not exist. */
int baton_run_set_agent_session(struct baton_ctx *ctx, const char *run_id, const char *agent_session_id);

/* Find a run by id or unique id prefix (at least 4 characters), after dead-run
 * detection. *out: the run (caller's). BATON_ENOTFOUND / BATON_EINVALID (ambiguous). */
int baton_run_get(struct baton_ctx *ctx, cJSON **out, const char *id);

/* Dead-run detection: every run of this host still marked running whose processes
 * (the agent and the baton wrapper watching it) are gone, or that started in another
 * boot, gets a run_interrupted event. *out_count (optional): how many. Every read
 * operation calls this first; a read-only context only skips it. */
int baton_run_reap(struct baton_ctx *ctx, int *out_count);

/* ---- helpers shared by the run operations (and the hooks) ---- */

/* A run by id or unique prefix, without dead-run detection, with its "thread_id"
 * (the first run of its chain of attempts) after the contract fields. */
int baton_run_find(struct baton_ctx *ctx, cJSON **out, const char *id);

/* The latest run (with thread_id) of task in session_id (NULL: in any session);
 * *out = NULL and 0 when there is none. */
int baton_run_latest_of_task(struct baton_ctx *ctx, cJSON **out, const char *session_id, const char *task);

/* The command template `key` (resume, resume_exec, resume_latest, retry, start) of an
 * agent: config [agents.AGENT] KEY, else the built-in one, else NULL. Borrowed. */
const char *baton_run_template(struct baton_ctx *ctx, const char *agent, const char *key);

/* Values for a template's placeholders; NULL ones expand to "". */
struct baton_run_vars {
	const char *session;       /* {session}: the agent's own session id */
	const char *model;         /* {model}; {model_args} is "--model M", or nothing */
	const char *prompt;        /* {prompt} */
	const char *run;           /* {run}: the run id */
	const char *task;          /* {task} */
	const char *cwd;           /* {cwd} */
	const char *baton_session; /* {baton_session} */
	const char *agent;         /* {agent} */
	const cJSON *argv;         /* {argv}: the run's command, word for word */
};

/* Expand a template into an argv array (caller's). Words split on blanks, with '…'
 * and "…" quoting; a bare {argv} or {model_args} becomes any number of words, and a
 * bare placeholder that expands to "" is dropped. BATON_EINVALID when the template
 * does not parse or expands to nothing. */
int baton_run_expand(struct baton_ctx *ctx, cJSON **out, const char *tpl, const struct baton_run_vars *vars);

/* Append argv as one shell command line (words quoted only when they need it). */
struct strbuf;
void baton_run_shell_join(struct strbuf *sb, const cJSON *argv);

/* A copy of a run's argv fit for a retry: claude's --session-id pair removed, so the
 * new attempt gets its own id. Caller's. */
cJSON *baton_run_argv_for_retry(const char *agent, const cJSON *argv);

#endif
