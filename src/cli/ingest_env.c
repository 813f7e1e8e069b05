/* Where the agents keep their transcripts, read from the environment here (the
 * library takes them as arguments), and the ingest progress bar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/ingest.h"
#include "baton/strbuf.h"
#include "cli/cli.h"

int baton_cli_source_roots(struct baton_ctx *ctx)
{
	struct baton_source_roots r = { 0 };
	struct strbuf oc = STRBUF_INIT;
	const char *xdg = getenv("XDG_DATA_HOME");
	r.home = getenv("HOME");
	r.claude_dir = getenv("CLAUDE_CONFIG_DIR");
	r.codex_dir = getenv("CODEX_HOME");
	if (xdg && *xdg) {
		baton_strbuf_addf(&oc, "%s/opencode", xdg);
		r.opencode_dir = oc.buf;
	}
	int rc = baton_ingest_set_roots(ctx, &r);
	baton_strbuf_release(&oc);
	return rc;
}

static void draw(void *ud, int64_t done, int64_t total, int64_t bytes)
{
	int *drawn = ud;
	if (total < 0) {
		fputs("ingest: waiting for another baton ingest to finish…\n", stderr);
		return;
	}
	if (!total)
		return;
	int width = 30, fill = (int)(done * width / total);
	fprintf(stderr, "\ringest [%.*s%*s] %lld/%lld files, %.1f MB", fill, "##############################",
		width - fill, "", (long long)done, (long long)total, (double)bytes / 1e6);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
	*drawn = 1;
}

void baton_cli_progress(struct baton_ctx *ctx, const char *op_name, int json)
{
	static int drawn;
	if (json || !isatty(2) || strcmp(op_name, "ingest"))
		return;
	baton_ingest_set_progress(ctx, draw, &drawn);
}
