/* argv → the JSON arguments of an operation, driven by the operation's argument list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "baton/json.h"
#include "baton/strbuf.h"
#include "cli/args.h"

/* "--foo-bar" names argument "foo_bar"; an alias matches too. */
static int flag_matches(const struct baton_arg *a, const char *flag, size_t n)
{
	const char *names[2] = { a->name, a->alias };
	for (int k = 0; k < 2; k++) {
		const char *s = names[k];
		if (!s || strlen(s) != n)
			continue;
		size_t i;
		for (i = 0; i < n; i++) {
			char c = s[i] == '_' ? '-' : s[i];
			if (c != flag[i])
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

static const struct baton_arg *find_long(const struct baton_op *op, const char *flag, size_t n)
{
	for (const struct baton_arg *a = op->args; a && a->name; a++)
		if (!(a->flags & BATON_ARG_MCP_ONLY) && flag_matches(a, flag, n))
			return a;
	return NULL;
}

static const struct baton_arg *find_short(const struct baton_op *op, char c)
{
	for (const struct baton_arg *a = op->args; a && a->name; a++)
		if (a->short_flag == c && !(a->flags & BATON_ARG_MCP_ONLY))
			return a;
	return NULL;
}

static int set_value(struct strbuf *err, cJSON *args, const struct baton_arg *a, const char *val, const char *flag)
{
	switch (a->type) {
	case BATON_ARG_STRING:
		baton_json_set(args, a->name, cJSON_CreateString(val));
		return 0;
	case BATON_ARG_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(val, &end, 10);
		if (errno || end == val || *end) {
			baton_strbuf_addf(err, "%s needs a whole number, not '%s'", flag, val);
			return -1;
		}
		baton_json_set(args, a->name, cJSON_CreateNumber((double)v));
		return 0;
	}
	case BATON_ARG_BOOL:
		baton_json_set(args, a->name, cJSON_CreateBool(1));
		return 0;
	case BATON_ARG_LIST:
	case BATON_ARG_REST: {
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(args, a->name);
		if (!arr) {
			arr = cJSON_CreateArray();
			cJSON_AddItemToObject(args, a->name, arr);
		}
		cJSON_AddItemToArray(arr, cJSON_CreateString(val));
		return 0;
	}
	}
	return -1;
}

int baton_cli_parse_args(cJSON **out, struct strbuf *err, const struct baton_op *op, int argc, char **argv,
			 struct baton_cli_globals *g)
{
	cJSON *args = cJSON_CreateObject();
	int dashdash = 0;
	*out = NULL;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		if (!dashdash && !strcmp(s, "--")) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && s[0] == '-' && s[1]) {
			if (!strcmp(s, "--json")) {
				g->json = 1;
				continue;
			}
			if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
				g->help = 1;
				continue;
			}
			const struct baton_arg *a = NULL;
			const char *val = NULL;
			if (s[1] == '-') {
				const char *name = s + 2;
				const char *eq = strchr(name, '=');
				size_t n = eq ? (size_t)(eq - name) : strlen(name);
				a = find_long(op, name, n);
				if (!a && n > 3 && !strncmp(name, "no-", 3)) {
					const struct baton_arg *b = find_long(op, name + 3, n - 3);
					if (b && b->type == BATON_ARG_BOOL && !eq) {
						baton_json_set(args, b->name, cJSON_CreateBool(0));
						continue;
					}
				}
				if (!a) {
					baton_strbuf_addf(err, "unknown option '%.*s' for '%s'", (int)(n + 2), s,
							  op->cli[0] ? op->cli : "baton");
					goto fail;
				}
				if (eq)
					val = eq + 1;
			} else {
				a = find_short(op, s[1]);
				if (!a) {
					baton_strbuf_addf(err, "unknown option '%s' for '%s'", s, op->cli[0] ? op->cli : "baton");
					goto fail;
				}
				if (s[2])
					val = s + 2;
			}
			if (a->type == BATON_ARG_BOOL) {
				if (val) {
					int b = !strcmp(val, "true") || !strcmp(val, "1") || !strcmp(val, "yes");
					if (!b && strcmp(val, "false") && strcmp(val, "0") && strcmp(val, "no")) {
						baton_strbuf_addf(err, "%s takes no value (or true/false), not '%s'", s, val);
						goto fail;
					}
					baton_json_set(args, a->name, cJSON_CreateBool(b));
				} else {
					baton_json_set(args, a->name, cJSON_CreateBool(1));
				}
				continue;
			}
			if (!val) {
				if (i + 1 >= argc) {
					baton_strbuf_addf(err, "option '%s' needs a value", s);
					goto fail;
				}
				val = argv[++i];
			}
			if (set_value(err, args, a, val, s))
				goto fail;
			continue;
		}
		/* a positional word: the next positional argument not yet given, else REST */
		const struct baton_arg *a = NULL;
		for (const struct baton_arg *p = op->args; p && p->name; p++) {
			if ((p->flags & BATON_ARG_POSITIONAL) && !cJSON_GetObjectItemCaseSensitive(args, p->name)) {
				a = p;
				break;
			}
		}
		if (!a)
			for (const struct baton_arg *p = op->args; p && p->name; p++)
				if (p->type == BATON_ARG_REST)
					a = p;
		if (!a) {
			baton_strbuf_addf(err, "unexpected argument '%s' for '%s'", s, op->cli[0] ? op->cli : "baton");
			goto fail;
		}
		if (set_value(err, args, a, s, a->name))
			goto fail;
	}
	*out = args;
	return 0;
fail:
	cJSON_Delete(args);
	return -1;
}

const char *baton_cli_flag_name(const struct baton_arg *a, char *buf, size_t len)
{
	size_t i = 0;
	for (const char *s = a->name; *s && i + 1 < len; s++)
		buf[i++] = *s == '_' ? '-' : *s;
	buf[i] = '\0';
	return buf;
}
