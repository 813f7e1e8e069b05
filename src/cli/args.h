/* argv → operation arguments. */
#ifndef BATON_CLI_ARGS_H
#define BATON_CLI_ARGS_H

#include "baton/cjson.h"
#include <stddef.h>

#include "baton/op.h"

struct strbuf;

struct baton_cli_globals {
	int json;  /* --json: print the result as is */
	int help;  /* --help / -h */
};

/* Parse argv (after the command words) into *out for op. Returns 0, or -1 with a
 * usage message in err. --json and --help are recognised anywhere into g. */
int baton_cli_parse_args(cJSON **out, struct strbuf *err, const struct baton_op *op, int argc, char **argv,
			 struct baton_cli_globals *g);

/* The CLI flag spelling of an argument ("objective" → "objective", "auto_save" →
 * "auto-save") in buf. */
const char *baton_cli_flag_name(const struct baton_arg *a, char *buf, size_t len);

#endif
