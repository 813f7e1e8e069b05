/* baton — the program: argv → operation → human or JSON output.
 *
 * Exit codes: 0 ok, 1 error (not found, store, git, I/O), 2 usage (bad flags or
 * arguments). Commands that are not operations of the table (the MCP server, hooks,
 * the run wrapper) are listed in `commands` below. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/op.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "cli/args.h"
#include "cli/background.h"
#include "cli/cli.h"
#include "cli/render.h"

int baton_cli_exit_code(int rc)
{
	if (!rc)
		return 0;
	return rc == BATON_EINVALID ? 2 : 1;
}

int baton_cli_open_opts(struct baton_open_opts *o)
{
	const char *now = getenv("BATON_NOW"), *seed = getenv("BATON_SEED");
	memset(o, 0, sizeof *o);
	if (now && *now && baton_time_parse(&o->now_ms, now)) {
		fprintf(stderr, "baton: BATON_NOW='%s' is not a time (RFC 3339 or epoch)\n", now);
		return BATON_EINVALID;
	}
	if (seed && *seed)
		o->seed = strtoull(seed, NULL, 10);
	o->host = getenv("BATON_HOST");
	o->boot_id = getenv("BATON_BOOT_ID");
	return 0;
}

int baton_cli_open(struct baton_ctx **out)
{
	return baton_cli_open_lazy(out, false);
}

int baton_cli_open_lazy(struct baton_ctx **out, bool no_index)
{
	struct baton_open_opts o;
	*out = NULL;
	if (baton_cli_open_opts(&o))
		return BATON_EINVALID;
	o.no_index = no_index;
	int rc = baton_ctx_open(out, &o);
	if (!rc)
		rc = baton_cli_source_roots(*out);
	if (rc) {
		fprintf(stderr, "baton: %s\n", *out ? baton_errmsg(*out) : "out of memory");
		baton_ctx_close(*out);
		*out = NULL;
	}
	return rc;
}

/* What a command appended without the index, applied to it (the detached child's
 * work, or this process's after its answer). Its failure is not the command's: the
 * index applies the log's tail at its next open anyway. */
struct settle {
	struct baton_ctx *ctx;
	const char *command;
};

static void settle_main(void *arg)
{
	const struct settle *s = arg;
	if (baton_session_settle(s->ctx))
		baton_cli_bg_log("cli", s->command, "cannot apply the log to the index: %s", baton_errmsg(s->ctx));
}

static void print_op_help(FILE *f, const struct baton_op *op)
{
	fprintf(f, "usage: baton %s\n\n%s\n", op->synopsis, op->summary);
	int any = 0;
	for (const struct baton_arg *a = op->args; a && a->name; a++) {
		if (a->flags & BATON_ARG_MCP_ONLY)
			continue;
		if (!any++)
			fprintf(f, "\noptions:\n");
		char name[64], buf[128];
		baton_cli_flag_name(a, name, sizeof name);
		if (a->flags & BATON_ARG_POSITIONAL)
			snprintf(buf, sizeof buf, " %s", name);
		else
			snprintf(buf, sizeof buf, "%s%c%s--%s%s%s", a->short_flag ? "-" : "", a->short_flag ? a->short_flag : ' ',
				 a->short_flag ? ", " : "", name, a->type == BATON_ARG_BOOL ? "" : " X",
				 a->alias ? " (or --" : "");
		if (a->alias && !(a->flags & BATON_ARG_POSITIONAL)) {
			size_t l = strlen(buf);
			snprintf(buf + l, sizeof buf - l, "%s)", a->alias);
		}
		fprintf(f, "  %-34s %s\n", a->short_flag ? buf : buf + 1, a->help ? a->help : "");
	}
	fprintf(f, "  %-34s %s\n", "--json", "print the result as JSON");
	if (op->mcp && !(op->flags & BATON_OP_NO_MCP))
		fprintf(f, "\nMCP tool: %s. See baton(1).\n", op->mcp);
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: baton [COMMAND] [OPTIONS] [--json]\n\n"
		   "baton: a local-first memory for AI coding-agent work.\n"
		   "With no command: what was I doing (recent sessions, this repo's active one).\n\ncommands:\n");
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-18s %s\n", all[i]->cli[0] ? all[i]->cli : "(none)", all[i]->summary);
	for (const struct baton_cli_command *c = baton_cli_commands; c->words; c++)
		if (!baton_op_find_cli(c->words)) /* a command fronting an operation is listed once */
			fprintf(f, "  %-18s %s\n", c->words, c->summary);
	fprintf(f, "\n'baton COMMAND --help' for one command; man baton for everything.\n"
		   "exit codes: 0 ok, 1 error, 2 usage\n");
}

/* How many leading words of argv name an operation or a command (longest match). */
static int match_words(int argc, char **argv, const struct baton_op **op, const struct baton_cli_command **cmd)
{
	struct strbuf sb = STRBUF_INIT;
	int best = 0;
	*op = NULL;
	*cmd = NULL;
	for (int k = 1; k <= 3 && k <= argc; k++) {
		if (argv[k - 1][0] == '-')
			break;
		if (k > 1)
			baton_strbuf_addch(&sb, ' ');
		baton_strbuf_adds(&sb, argv[k - 1]);
		const struct baton_op *o = baton_op_find_cli(sb.buf);
		if (o) {
			*op = o;
			*cmd = NULL;
			best = k;
		}
		for (const struct baton_cli_command *c = baton_cli_commands; c->words; c++)
			if (!strcmp(c->words, sb.buf)) {
				*cmd = c;
				*op = NULL;
				best = k;
			}
	}
	baton_strbuf_release(&sb);
	return best;
}

int baton_cli_args(const struct baton_op *op, int argc, char **argv, cJSON **out, struct baton_cli_globals *g)
{
	struct strbuf err = STRBUF_INIT;
	*out = NULL;
	if (baton_cli_parse_args(out, &err, op, argc, argv, g)) {
		fprintf(stderr, "baton: %s (usage: baton %s)\n", err.buf, op->synopsis);
		baton_strbuf_release(&err);
		return 2;
	}
	baton_strbuf_release(&err);
	if (g->help) {
		print_op_help(stdout, op);
		cJSON_Delete(*out);
		*out = NULL;
		return 0;
	}
	return -1;
}

int baton_cli_run_op(const struct baton_op *op, int argc, char **argv)
{
	struct baton_cli_globals g = { 0 };
	cJSON *args = NULL, *result = NULL;
	struct baton_ctx *ctx = NULL;
	int rc;
	if ((rc = baton_cli_args(op, argc, argv, &args, &g)) >= 0)
		return rc;
	if ((rc = baton_cli_open_lazy(&ctx, op->flags & BATON_OP_LAZY_INDEX))) {
		cJSON_Delete(args);
		return baton_cli_exit_code(rc);
	}
	/* auto-save: decided here, where the terminal is known */
	for (const struct baton_arg *a = op->args; a && a->name; a++) {
		if (!strcmp(a->name, "auto_save") && !cJSON_GetObjectItem(args, "auto_save")) {
			const char *ci = getenv("CI");
			bool interactive = isatty(0) && isatty(1) && !(ci && *ci && strcmp(ci, "0") && strcmp(ci, "false"));
			cJSON_AddBoolToObject(args, "auto_save", baton_autosave_enabled(ctx, -1, interactive));
		}
	}
	/* BATON_SESSION forces the link of agent conversations (DESIGN.md §1) */
	for (const struct baton_arg *a = op->args; a && a->name; a++) {
		const char *bs = getenv("BATON_SESSION");
		if (!strcmp(a->name, "link_session") && bs && *bs && !cJSON_GetObjectItem(args, "link_session"))
			cJSON_AddStringToObject(args, "link_session", bs);
	}
	baton_cli_progress(ctx, op->name, g.json);
	rc = baton_op_call(ctx, op, args, &result);
	if (rc) {
		fprintf(stderr, "baton: %s\n", baton_errmsg(ctx));
	} else if (g.json) {
		char *s = baton_json_print(result);
		if (s)
			printf("%s\n", s);
		cJSON_free(s);
	} else {
		baton_render(stdout, op, result);
	}
	cJSON_Delete(result);
	cJSON_Delete(args);
	if (fflush(stdout) == EOF && !rc) {
		fprintf(stderr, "baton: cannot write output: %s\n", strerror(errno));
		rc = BATON_ERROR;
	}
	if (baton_ctx_pending(ctx)) {
		/* a save appended without the index: the index applies it after the answer,
		 * in a detached child unless BATON_SAVE_SYNC asks for it here */
		const char *sync = getenv("BATON_SAVE_SYNC");
		static struct settle s; /* in memory the child keeps */
		s = (struct settle){ ctx, op->cli };
		if (!rc && !(sync && *sync && strcmp(sync, "0")))
			baton_cli_detach(settle_main, &s, "cli", op->cli); /* does not return */
		else
			settle_main(&s);
	}
	baton_ctx_close(ctx);
	return baton_cli_exit_code(rc);
}

int main(int argc, char **argv)
{
	const struct baton_op *op;
	const struct baton_cli_command *cmd;
	argc--;
	argv++;
	/* global flags may come before the command words: move them after */
	int lead = 0;
	while (lead < argc && !strcmp(argv[lead], "--json"))
		lead++;
	if (lead && lead < argc) {
		char *first[8];
		int m = lead < 8 ? lead : 8;
		memcpy(first, argv, sizeof(char *) * (size_t)m);
		memmove(argv, argv + m, sizeof(char *) * (size_t)(argc - m));
		memcpy(argv + argc - m, first, sizeof(char *) * (size_t)m);
	}
	if (argc >= 1 && !strcmp(argv[0], "--commands")) {
		/* every command's words, one per line: for completion scripts and the docs test */
		const struct baton_op *all[BATON_MAX_OPS];
		size_t n = baton_ops_list(all, BATON_MAX_OPS);
		for (size_t i = 0; i < n; i++)
			if (all[i]->cli[0])
				printf("%s\n", all[i]->cli);
		for (const struct baton_cli_command *c = baton_cli_commands; c->words; c++)
			if (!baton_op_find_cli(c->words))
				printf("%s\n", c->words);
		return 0;
	}
	if (argc >= 1 && (!strcmp(argv[0], "--version") || !strcmp(argv[0], "version"))) {
		printf("baton %s\n", BATON_VERSION);
		return 0;
	}
	if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "help"))) {
		if (argc >= 2 && strcmp(argv[0], "help") == 0) {
			int k = match_words(argc - 1, argv + 1, &op, &cmd);
			if (k && op) {
				print_op_help(stdout, op);
				return 0;
			}
			if (k && cmd) {
				char *h[] = { (char *)"--help", NULL };
				return cmd->main(1, h);
			}
			fprintf(stderr, "baton: unknown command '%s'; 'baton --help' lists them\n", argv[1]);
			return 2;
		}
		print_help(stdout);
		return 0;
	}
	int k = match_words(argc, argv, &op, &cmd);
	if (cmd)
		return cmd->main(argc - k, argv + k);
	if (!op) {
		if (argc > 0 && argv[0][0] != '-') {
			fprintf(stderr, "baton: unknown command '%s'; 'baton --help' lists them\n", argv[0]);
			return 2;
		}
		op = baton_op_find_cli("");
		k = 0;
	}
	return baton_cli_run_op(op, argc - k, argv + k);
}
