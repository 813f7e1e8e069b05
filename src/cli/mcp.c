/* `baton mcp`: the MCP server's stdio transport. Reads newline-delimited JSON-RPC
 * frames from stdin with a bounded buffer, hands each to the protocol core
 * (include/baton/mcp.h) and writes its reply as one line on stdout. Nothing but
 * protocol goes to stdout; diagnostics go to stderr. EOF on stdin exits 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/config.h"
#include "baton/index.h"
#include "baton/mcp.h"
#include "cli/cli.h"
#include "cli/mcp.h"

#define DEFAULT_MAX_LINE (16 * 1024 * 1024)
#define MIN_MAX_LINE 64
#define READ_BLOCK 65536

static const char usage[] =
	"usage: baton mcp [--max-line BYTES] [--trace]\n"
	"       baton mcp install --agent claude|codex|gemini|opencode [--scope user|project]\n"
	"       baton mcp uninstall --agent AGENT [--scope user|project]\n"
	"       baton mcp status [--agent AGENT]\n"
	"\n"
	"Serve baton's operations as MCP tools over stdio (newline-delimited JSON-RPC 2.0).\n"
	"Meant to be started by an agent; register it with 'baton mcp install'.\n"
	"\n"
	"options:\n"
	"  --max-line BYTES   longest frame accepted (default 16777216; config mcp.max_line,\n"
	"                     env BATON_MCP_MAX_LINE); a longer one is answered -32700\n"
	"  --trace            log every frame received and sent on stderr\n"
	"\n"
	"See baton-mcp(1).\n";

static void log_stderr(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "baton mcp: %s\n", line);
}

static int parse_size(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < MIN_MAX_LINE)
		return -1;
	*out = v;
	return 0;
}

/* Write all of buf; 0, or -1 when the client is gone (EPIPE) or another error. */
static int write_all(const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(1, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int send_line(char *reply)
{
	size_t n = strlen(reply);
	char *line = realloc(reply, n + 2);
	if (!line) {
		free(reply);
		return -1;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	int rc = write_all(line, n + 1);
	free(line);
	return rc;
}

/* The frame limit: --max-line, else config mcp.max_line (the environment's
 * BATON_MCP_MAX_LINE overrides the file), else 16 MiB. */
static long long max_line_setting(const struct baton_open_opts *o)
{
	long long v = DEFAULT_MAX_LINE;
	struct baton_ctx *ctx = NULL;
	if (baton_ctx_open(&ctx, o) == 0) {
		int64_t c = baton_config_int(ctx, "mcp.max_line", DEFAULT_MAX_LINE);
		if (c >= MIN_MAX_LINE)
			v = c;
	} else {
		/* the store is broken: still serve (tools/call will say why), honour the env */
		fprintf(stderr, "baton mcp: %s\n", ctx ? baton_errmsg(ctx) : "out of memory");
		const char *e = getenv("BATON_MCP_MAX_LINE");
		long long x;
		if (e && !parse_size(e, &x))
			v = x;
	}
	baton_ctx_close(ctx);
	return v;
}

static int trace; /* --trace: every frame in and out on stderr */

static void trace_frame(const char *dir, const char *s, size_t n)
{
	if (trace)
		fprintf(stderr, "baton mcp: %s %.*s%s\n", dir, (int)(n > 2000 ? 2000 : n), s, n > 2000 ? "…" : "");
}

static int serve(struct baton_mcp *m, size_t max_line)
{
	char *buf = NULL;
	size_t len = 0, alloc = 0, scanned = 0;
	int discarding = 0, status = 0;
	for (;;) {
		char *nl = len > scanned ? memchr(buf + scanned, '\n', len - scanned) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - buf);
			char *reply = NULL;
			if (discarding) {
				char msg[128];
				snprintf(msg, sizeof msg, "parse error: frame longer than %zu bytes (mcp.max_line)", max_line);
				reply = baton_mcp_error_reply(BATON_MCP_PARSE_ERROR, msg);
				discarding = 0;
			} else if (n > max_line) {
				char msg[128];
				snprintf(msg, sizeof msg, "parse error: frame longer than %zu bytes (mcp.max_line)", max_line);
				reply = baton_mcp_error_reply(BATON_MCP_PARSE_ERROR, msg);
			} else {
				trace_frame("<-", buf, n);
				if (baton_mcp_handle(m, &reply, buf, n))
					reply = baton_mcp_error_reply(BATON_MCP_INTERNAL_ERROR, "internal error: out of memory");
			}
			if (reply)
				trace_frame("->", reply, strlen(reply));
			memmove(buf, nl + 1, len - n - 1);
			len -= n + 1;
			scanned = 0;
			if (reply && send_line(reply)) {
				if (errno != EPIPE)
					fprintf(stderr, "baton mcp: cannot write to stdout: %s\n", strerror(errno));
				break; /* the client is gone */
			}
			continue;
		}
		scanned = len;
		if (len > max_line) {
			/* over the limit: drop what we hold and skip to the end of this frame */
			if (!discarding)
				fprintf(stderr, "baton mcp: frame over %zu bytes, skipping it\n", max_line);
			discarding = 1;
			len = scanned = 0;
		}
		if (alloc - len < READ_BLOCK) {
			size_t na = len + READ_BLOCK + 1;
			char *nb = realloc(buf, na);
			if (!nb) {
				fprintf(stderr, "baton mcp: out of memory\n");
				status = 1;
				break;
			}
			buf = nb;
			alloc = na;
		}
		ssize_t r = read(0, buf + len, READ_BLOCK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "baton mcp: cannot read stdin: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (r == 0) {
			/* EOF: a last frame without its newline is still a frame */
			char *reply = NULL;
			if (discarding) {
				char msg[128];
				snprintf(msg, sizeof msg, "parse error: frame longer than %zu bytes (mcp.max_line)", max_line);
				reply = baton_mcp_error_reply(BATON_MCP_PARSE_ERROR, msg);
			} else if (len && baton_mcp_handle(m, &reply, buf, len)) {
				reply = baton_mcp_error_reply(BATON_MCP_INTERNAL_ERROR, "internal error: out of memory");
			}
			if (reply)
				send_line(reply);
			break;
		}
		len += (size_t)r;
	}
	free(buf);
	return status;
}

int baton_cli_mcp_main(int argc, char **argv)
{
	long long max_line = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--trace")) {
			trace = 1;
			continue;
		}
		const char *val = NULL;
		if (!strncmp(a, "--max-line=", 11))
			val = a + 11;
		else if (!strcmp(a, "--max-line") && i + 1 < argc)
			val = argv[++i];
		if (val) {
			if (parse_size(val, &max_line)) {
				fprintf(stderr, "baton: --max-line needs a number of bytes (at least %d), not '%s'\n", MIN_MAX_LINE, val);
				return 2;
			}
			continue;
		}
		fprintf(stderr, "baton: unexpected argument '%s' for 'mcp'\n%s", a, usage);
		return 2;
	}
	baton_index_long_lived(); /* before any store is opened (max_line_setting opens one) */
	struct baton_mcp_opts opts = { .log = log_stderr, .setup = baton_cli_source_roots };
	if (baton_cli_open_opts(&opts.open))
		return 2;
	if (!max_line)
		max_line = max_line_setting(&opts.open);
	signal(SIGPIPE, SIG_IGN);
	if (isatty(0))
		fprintf(stderr, "baton mcp: serving MCP on stdin/stdout (an agent starts this; see 'baton mcp install'). Ctrl-D ends.\n");
	struct baton_mcp *m;
	if (baton_mcp_new(&m, &opts)) {
		fprintf(stderr, "baton mcp: out of memory\n");
		return 1;
	}
	int rc = serve(m, (size_t)max_line);
	baton_mcp_free(m);
	return rc;
}
