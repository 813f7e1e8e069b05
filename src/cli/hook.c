/* `baton hook EVENT [--agent claude|codex|gemini] [JSON]`: one agent hook event.
 *
 * The agent waits for this process, so it never breaks or stalls the agent: every
 * failure is logged to $BATON_HOME/hooks.log and the exit is 0 with nothing on
 * stdout; the store's lock is waited on for 200 ms at most (BATON_HOOK_LOCK_MS); the
 * slow part of Stop/SessionEnd (a git snapshot, a large transcript tail) runs in a
 * detached child after the hook has answered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/hook.h"
#include "baton/index.h"
#include "baton/strbuf.h"
#include "cli/background.h"
#include "cli/cli.h"
#include "cli/hook.h"

#define LOCK_MS_DEFAULT 200

static const char usage[] =
	"usage: baton hook EVENT [--agent claude|codex|gemini] [JSON]\n\n"
	"Run one agent hook event with the hook's JSON on stdin (Codex notify: as the\n"
	"last argument). Installed by 'baton hooks install'; see baton-hooks(1).\n\n"
	"events: SessionStart, UserPromptSubmit (Gemini: BeforeAgent), PreCompact (Gemini:\n"
	"PreCompress), Stop, SubagentStop (Gemini: AfterAgent), SessionEnd, PostToolUse\n"
	"(Gemini: AfterTool), notify (Codex). Others are accepted and ignored.\n\n"
	"Always exits 0; failures go to $BATON_HOME/hooks.log.\n";

/* stdin, at most cap + 1 bytes (one more says "too large"). A terminal is not input. */
static int read_stdin(struct strbuf *sb, size_t cap)
{
	if (isatty(0))
		return 0;
	char buf[65536];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		size_t take = (size_t)n;
		if (sb->len + take > cap + 1)
			take = cap + 1 - sb->len;
		if (baton_strbuf_add(sb, buf, take))
			return -1;
		if (sb->len > cap)
			return 0;
	}
}

/* The store; with no_index, its config and paths only (baton_ctx_open_index later). */
static int open_store(struct baton_ctx **out, const char **why, bool no_index)
{
	struct baton_open_opts o;
	*out = NULL;
	*why = "bad BATON_NOW";
	if (baton_cli_open_opts(&o))
		return BATON_EINVALID;
	o.no_index = no_index;
	const char *lm = getenv("BATON_HOOK_LOCK_MS");
	o.lock_timeout_ms = lm && *lm ? (int)strtol(lm, NULL, 10) : LOCK_MS_DEFAULT;
	if (o.lock_timeout_ms <= 0)
		o.lock_timeout_ms = 1;
	int rc = baton_ctx_open(out, &o);
	if (!rc)
		rc = baton_cli_source_roots(*out);
	*why = *out ? baton_errmsg(*out) : "out of memory";
	return rc;
}

/* The job in a detached child: its own session, stdio on /dev/null, so the agent
 * sees the hook finish now. The job's failures go to hooks.log. */
static void run_job(const cJSON *job, const char *agent, const char *event)
{
	struct baton_ctx *ctx = NULL;
	const char *why;
	if (open_store(&ctx, &why, false)) {
		baton_cli_bg_log(agent, event, "deferred: cannot open the store: %s", why);
	} else if (baton_hook_finish(ctx, job)) {
		baton_cli_bg_log(agent, event, "deferred: %s", baton_errmsg(ctx));
	}
	if (ctx)
		baton_index_checkpoint(ctx); /* the agent's next hook opens an empty WAL */
	baton_ctx_close(ctx);
}

struct job {
	const cJSON *job;
	const char *agent, *event;
};

static void job_main(void *arg)
{
	const struct job *j = arg;
	run_job(j->job, j->agent, j->event);
}

static void detach(const cJSON *job, const char *agent, const char *event)
{
	static struct job j; /* in memory the child keeps */
	j = (struct job){ job, agent, event };
	baton_cli_detach(job_main, &j, agent, event);
}

int baton_cli_hook_main(int argc, char **argv)
{
	const char *event = NULL, *agent = NULL, *arg_json = NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--agent") && i + 1 < argc)
			agent = argv[++i];
		else if (!strncmp(a, "--agent=", 8))
			agent = a + 8;
		else if (!event && a[0] != '-')
			event = a;
		else if (a[0] == '{')
			arg_json = a;
		/* anything else is ignored: a newer installer's flag must not break a hook */
	}
	if (!event) {
		/* run by hand without an event: say how it is used (still exit 0) */
		fputs(usage, stderr);
		return 0;
	}
	struct strbuf in = STRBUF_INIT;
	struct baton_hook h;
	struct baton_hook_output out = { 0 };
	struct baton_ctx *ctx = NULL;
	const char *why;
	int rc;
	if (arg_json) {
		baton_strbuf_adds(&in, arg_json);
	} else if (read_stdin(&in, BATON_HOOK_STDIN_MAX)) {
		baton_cli_bg_log(agent, event, "cannot read stdin: %s", strerror(errno));
		goto out;
	}
	if (baton_hook_parse(&h, event, agent, in.buf, in.len)) {
		baton_cli_bg_log(agent, event, "%s", h.err);
		baton_hook_release(&h);
		goto out;
	}
	if (h.action == BATON_HOOK_IGNORE)
		goto done; /* no store opened for what we do not handle */
	h.run_id = getenv("BATON_RUN_ID");
	const char *forced = getenv("BATON_SESSION");
	if (forced && !*forced)
		forced = NULL;
	/* Stop and SessionEnd have nothing to answer: their work needs no store here */
	if ((out.job = baton_hook_job(&h, forced)))
		goto job;
	/* A conversation already linked and recorded: an ordinary prompt has nothing to
	 * do, and a context already rendered (nothing written since) is printed as is,
	 * both known from files, without opening the index. */
	if ((rc = open_store(&ctx, &why, true))) {
		baton_cli_bg_log(h.agent, event, "cannot open the store: %s", why);
		goto done;
	}
	if (!baton_hook_fast(ctx, &h, forced, &out)) {
		if ((rc = baton_ctx_open_index(ctx, true))) {
			baton_cli_bg_log(h.agent, event, "cannot open the store: %s", baton_errmsg(ctx));
			goto done;
		}
		if ((rc = baton_hook_run(ctx, &h, forced, &out))) {
			baton_cli_bg_log(h.agent, event, "%s", baton_errmsg(ctx));
			goto done;
		}
	}
	if (out.text) {
		fputs(out.text, stdout);
		if (out.text[0] && out.text[strlen(out.text) - 1] != '\n')
			fputc('\n', stdout);
		if (fflush(stdout) == EOF)
			baton_cli_bg_log(h.agent, event, "cannot write the output: %s", strerror(errno));
	}
	baton_ctx_close(ctx);
	ctx = NULL;
job:
	if (out.job) {
		const char *sync = getenv("BATON_HOOK_SYNC");
		if (sync && *sync && strcmp(sync, "0"))
			run_job(out.job, h.agent, event);
		else
			detach(out.job, h.agent, event);
	}
done:
	baton_hook_output_release(&out);
	baton_ctx_close(ctx);
	baton_hook_release(&h);
out:
	baton_strbuf_release(&in);
	return 0;
}
