/* Work left until after a command's answer: see background.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/strbuf.h"
#include "cli/background.h"

#define LOG_MAX (1024 * 1024) /* hooks.log is rotated to hooks.log.1 beyond this */

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

void baton_cli_bg_log(const char *who, const char *what, const char *fmt, ...)
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
	baton_strbuf_addf(&line, "%s pid %d %s %s: ", now, (int)getpid(), who ? who : "?", what ? what : "?");
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

struct deferred {
	void (*fn)(void *);
	void *arg;
};

static int deferred_main(void *p)
{
	const struct deferred *d = p;
	setsid();
	signal(SIGHUP, SIG_IGN);
	d->fn(d->arg);
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Under AddressSanitizer the child is an ordinary fork: ASan keeps per-thread state
 * that a task sharing our memory must not take over. */
#define SHARE_MEMORY (!BATON_ASAN)
#define CHILD_STACK (8u << 20) /* as a main thread's; pages are touched only as used */

/* Start the child sharing our memory (clone with CLONE_VM: no page tables copied, no
 * copy-on-write for either side) and leave at once; the child then owns the memory
 * alone. fork() cost a hook 0.55-0.65 ms more here (Stop 4.1 -> 3.5 ms,
 * docs/hooks.md). We touch nothing after the clone but two system calls: the kernel
 * is told not to clear our thread id word at exit (it lies in memory the child goes
 * on using), and we exit. -1 when no such child could be started. */
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

void baton_cli_detach(void (*fn)(void *), void *arg, const char *who, const char *what)
{
	/* The caller waits for our pipes to close, not only for our exit: the child must
	 * never hold them. Our answer is already written, so our own stdio goes to
	 * /dev/null first and the child inherits that. We do not wait for the child
	 * either: when we exit it is reparented, and setsid keeps it out of the caller's
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
	d = (struct deferred){ fn, arg };
	detach_shared(&d);
	pid_t p = fork();
	if (p < 0) {
		baton_cli_bg_log(who, what, "cannot fork for the deferred work (%s): doing it now", strerror(errno));
		fn(arg);
		_exit(0);
	}
	if (p > 0) {
		/* Done: our answer is out. Leaving now, without freeing or flushing
		 * anything, keeps this process from writing to pages it now shares
		 * copy-on-write with the child: each such write is a page fault and a copy
		 * (~10 us here), tens of them on the way out through free() and exit(). */
		_exit(0);
	}
	deferred_main(&d);
	_exit(0);
}
