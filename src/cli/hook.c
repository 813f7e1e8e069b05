/* `baton hook EVENT [--agent claude|codex|gemini] [JSON]`: one agent hook event.
 *
 * The agent waits for this process, so it never breaks or stalls the agent: every
 * failure is logged to $BATON_HOME/hooks.log and the exit is 0 with nothing on
 * stdout; the store's lock is waited on for 200 ms at most (BATON_HOOK_LOCK_MS); the
 * slow part of Stop/SessionEnd (a git snapshot, a large transcript tail) runs in a
 * detached child after the hook has answered. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/hook.h"
#include "baton/index.h"
#include "baton/strbuf.h"
#include "cli/cli.h"
#include "cli/hook.h"

#define LOCK_MS_DEFAULT 200
#define LOG_MAX (1024 * 1024) /* hooks.log is rotated to hooks.log.1 beyond this */

static const char usage[] =
	"usage: baton hook EVENT [--agent claude|codex|gemini] [JSON]\n\n"
	"Run one agent hook event with the hook's JSON on stdin (Codex notify: as the\n"
	"last argument). Installed by 'baton hooks install'; see baton-hooks(1).\n\n"
	"events: SessionStart, UserPromptSubmit (Gemini: BeforeAgent), PreCompact (Gemini:\n"
	"PreCompress), Stop, SubagentStop (Gemini: AfterAgent), SessionEnd, PostToolUse\n"
	"(Gemini: AfterTool), notify (Codex). Others are accepted and ignored.\n\n"
	"Always exits 0; failures go to $BATON_HOME/hooks.log.\n";

static char *store_dir(void)
{
	const char *h = getenv("BATON_HOME");
	struct strbuf sb = STRBUF_INIT;
	if (h && *h)
		baton_strbuf_adds(&sb, h);
	else if ((h = getenv("HOME")) && *h)
		baton_strbuf_addf(&sb, "%s/.baton", h);
	else
		return NULL;
	return baton_strbuf_detach(&sb);
}

/* One line in hooks.log; failing to log is not worth failing over. */
static void hook_log(const char *agent, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void hook_log(const char *agent, const char *event, const char *fmt, ...)
{
	char *dir = store_dir();
	if (!dir)
		return;
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	baton_strbuf_addf(&path, "%s/hooks.log", dir);
	mkdir(dir, 0700);
	struct stat st;
	if (stat(path.buf, &st) == 0 && st.st_size > LOG_MAX) {
		struct strbuf old = STRBUF_INIT;
		baton_strbuf_addf(&old, "%s.1", path.buf);
		rename(path.buf, old.buf);
		baton_strbuf_release(&old);
	}
	char now[BATON_TIME_LEN];
	baton_time_format(now, baton_real_now_ms());
	baton_strbuf_addf(&line, "%s pid %d %s %s: ", now, (int)getpid(), agent ? agent : "?", event ? event : "?");
	va_list ap;
	va_start(ap, fmt);
	baton_strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < line.len; i++)
		if (line.buf[i] == '\n')
			line.buf[i] = ' ';
	baton_strbuf_addch(&line, '\n');
	int fd = open(path.buf, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, line.buf, line.len);
		(void)w;
		close(fd);
	}
	baton_strbuf_release(&path);
	baton_strbuf_release(&line);
	free(dir);
}

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
		hook_log(agent, event, "deferred: cannot open the store: %s", why);
	} else if (baton_hook_finish(ctx, job)) {
		hook_log(agent, event, "deferred: %s", baton_errmsg(ctx));
	}
	if (ctx)
		baton_index_checkpoint(ctx); /* the agent's next hook opens an empty WAL */
	baton_ctx_close(ctx);
}

struct deferred {
	const cJSON *job;
	const char *agent, *event;
};

static int deferred_main(void *arg)
{
	const struct deferred *d = arg;
	setsid();
	signal(SIGHUP, SIG_IGN);
	run_job(d->job, d->agent, d->event);
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Under AddressSanitizer the child is an ordinary fork: ASan keeps per-thread state
 * that a task sharing our memory must not take over. */
#define SHARE_MEMORY (!BATON_ASAN)
#define CHILD_STACK (8u << 20) /* as a main thread's; pages are touched only as used */

/* Start the job in a child sharing our memory (clone with CLONE_VM: no page tables
 * copied, no copy-on-write for either side) and leave at once; the child then owns the
 * memory alone. fork() cost the agent 0.55-0.65 ms more per hook here (Stop 4.1 ->
 * 3.5 ms, docs/hooks.md). We touch nothing after the clone but two system calls: the
 * kernel is told not to clear our thread id word at exit (it lies in memory the child
 * goes on using), and we exit. 0 when the child runs. */
static int detach_shared(struct deferred *d)
{
	if (!SHARE_MEMORY)
		return -1;
	char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
			   -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	mprotect(stack, 4096, PROT_NONE); /* a guard page below it */
	if (clone(deferred_main, stack + CHILD_STACK, CLONE_VM | SIGCHLD, d) < 0) {
		munmap(stack, CHILD_STACK);
		return -1;
	}
	syscall(SYS_set_tid_address, NULL);
	syscall(SYS_exit_group, 0);
	return 0; /* not reached */
}

static void detach(const cJSON *job, const char *agent, const char *event)
{
	/* The agent waits for its pipes to close, not only for our exit: the child must
	 * never hold them. Our answer is already written, so our own stdio goes to
	 * /dev/null first and the child inherits that. We do not wait for the child
	 * either: when we exit it is reparented, and setsid keeps it out of the agent's
	 * process group. */
	fflush(NULL);
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	static struct deferred d; /* in memory the child keeps */
	d = (struct deferred){ job, agent, event };
	if (detach_shared(&d) == 0)
		return;
	pid_t p = fork();
	if (p < 0) {
		hook_log(agent, event, "cannot fork for the deferred work: %s", strerror(errno));
		return;
	}
	if (p > 0) {
		/* Done: our answer is out. Leaving now, without freeing or flushing
		 * anything, keeps this process from writing to pages it now shares
		 * copy-on-write with the child: each such write is a page fault and a copy
		 * (~10 us here), tens of them on the way out through free() and exit(). */
		_exit(0);
	}
	deferred_main(&d);
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
		hook_log(agent, event, "cannot read stdin: %s", strerror(errno));
		goto out;
	}
	if (baton_hook_parse(&h, event, agent, in.buf, in.len)) {
		hook_log(agent, event, "%s", h.err);
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
		hook_log(h.agent, event, "cannot open the store: %s", why);
		goto done;
	}
	if (!baton_hook_fast(ctx, &h, forced, &out)) {
		if ((rc = baton_ctx_open_index(ctx, true))) {
			hook_log(h.agent, event, "cannot open the store: %s", baton_errmsg(ctx));
			goto done;
		}
		if ((rc = baton_hook_run(ctx, &h, forced, &out))) {
			hook_log(h.agent, event, "%s", baton_errmsg(ctx));
			goto done;
		}
	}
	if (out.text) {
		fputs(out.text, stdout);
		if (out.text[0] && out.text[strlen(out.text) - 1] != '\n')
			fputc('\n', stdout);
		if (fflush(stdout) == EOF)
			hook_log(h.agent, event, "cannot write the output: %s", strerror(errno));
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
