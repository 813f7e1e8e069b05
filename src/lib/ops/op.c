#include <string.h>

#include "baton/baton.h"
#include "baton/journal.h"
#include "baton/json.h"
#include "baton/op.h"
#include "baton/session.h"
#include "baton/maint.h"
#include "baton/ingest.h"
#include "baton/handoff.h"
#include "baton/mcp_install.h"
#include "baton/run.h"
#include "baton/hook.h"

/* Every module's operations, in the order --help and tools/list show them. */
static const struct baton_op *const tables[] = {
	baton_session_ops,
	baton_journal_ops,
	baton_transcript_ops,
	baton_handoff_ops,
	baton_run_ops,
	baton_maint_ops,
	baton_mcp_install_ops,
	baton_hooks_ops,
};

size_t baton_ops_list(const struct baton_op **out, size_t cap)
{
	size_t n = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const struct baton_op *op = tables[t]; op->name; op++, n++)
			if (n < cap)
				out[n] = op;
	return n;
}

const struct baton_op *baton_op_find(const char *name)
{
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

const struct baton_op *baton_op_find_cli(const char *words)
{
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS);
	for (size_t i = 0; i < n; i++)
		if (all[i]->cli && !strcmp(all[i]->cli, words))
			return all[i];
	return NULL;
}

const struct baton_op *baton_op_find_mcp(const char *tool)
{
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS);
	for (size_t i = 0; i < n; i++)
		if (all[i]->mcp && !(all[i]->flags & BATON_OP_NO_MCP) && !strcmp(all[i]->mcp, tool))
			return all[i];
	return NULL;
}

static const struct baton_arg *find_arg(const struct baton_op *op, const char *key)
{
	for (const struct baton_arg *a = op->args; a && a->name; a++)
		if (!strcmp(a->name, key))
			return a;
	return NULL;
}

static const char *type_name(enum baton_arg_type t)
{
	switch (t) {
	case BATON_ARG_STRING: return "a string";
	case BATON_ARG_INT: return "an integer";
	case BATON_ARG_BOOL: return "a boolean";
	default: return "an array of strings";
	}
}

static int type_ok(const struct baton_arg *a, const cJSON *v)
{
	switch (a->type) {
	case BATON_ARG_STRING:
		return cJSON_IsString(v);
	case BATON_ARG_INT:
		return cJSON_IsNumber(v) && v->valuedouble == (double)(int64_t)v->valuedouble;
	case BATON_ARG_BOOL:
		return cJSON_IsBool(v);
	case BATON_ARG_LIST:
	case BATON_ARG_REST: {
		if (!cJSON_IsArray(v))
			return 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			if (!cJSON_IsString(it))
				return 0;
		return 1;
	}
	}
	return 0;
}

int baton_op_call(struct baton_ctx *ctx, const struct baton_op *op, const cJSON *args, cJSON **out)
{
	*out = NULL;
	if (args && !cJSON_IsObject(args))
		return baton_error(ctx, BATON_EINVALID, "%s: arguments must be an object", op->name);
	const cJSON *it;
	cJSON_ArrayForEach(it, args) {
		const struct baton_arg *a = find_arg(op, it->string);
		if (!a) {
			if (!strcmp(it->string, "verbose"))
				continue; /* MCP's acknowledgement switch, not the operation's */
			return baton_error(ctx, BATON_EINVALID, "%s: unknown argument '%s'", op->name, it->string);
		}
		if (cJSON_IsNull(it))
			continue;
		if (!type_ok(a, it))
			return baton_error(ctx, BATON_EINVALID, "%s: argument '%s' must be %s", op->name, a->name,
					   type_name(a->type));
	}
	for (const struct baton_arg *a = op->args; a && a->name; a++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, a->name);
		if ((a->flags & BATON_ARG_REQUIRED) && (!v || cJSON_IsNull(v)))
			return baton_error(ctx, BATON_EINVALID, "%s: missing required argument '%s'", op->name, a->name);
	}
	static const cJSON empty_obj = { .type = cJSON_Object };
	int rc = op->fn(ctx, args ? args : &empty_obj, out);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

cJSON *baton_op_schema(const struct baton_op *op)
{
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(s, "properties");
	cJSON *req = cJSON_CreateArray();
	for (const struct baton_arg *a = op->args; a && a->name; a++) {
		if (a->flags & BATON_ARG_CLI_ONLY)
			continue;
		cJSON *p = cJSON_AddObjectToObject(props, a->name);
		switch (a->type) {
		case BATON_ARG_STRING: cJSON_AddStringToObject(p, "type", "string"); break;
		case BATON_ARG_INT: cJSON_AddStringToObject(p, "type", "integer"); break;
		case BATON_ARG_BOOL: cJSON_AddStringToObject(p, "type", "boolean"); break;
		case BATON_ARG_LIST:
		case BATON_ARG_REST:
			cJSON_AddStringToObject(p, "type", "array");
			cJSON_AddItemToObject(p, "items", cJSON_CreateObject());
			cJSON_AddStringToObject(cJSON_GetObjectItem(p, "items"), "type", "string");
			break;
		}
		if (a->help)
			cJSON_AddStringToObject(p, "description", a->help);
		if (a->flags & BATON_ARG_REQUIRED)
			cJSON_AddItemToArray(req, cJSON_CreateString(a->name));
	}
	if (op->flags & BATON_OP_MUTATES) {
		cJSON *p = cJSON_AddObjectToObject(props, "verbose");
		cJSON_AddStringToObject(p, "type", "boolean");
		cJSON_AddStringToObject(p, "description", "answer with the whole result instead of a compact acknowledgement");
	}
	if (cJSON_GetArraySize(req))
		cJSON_AddItemToObject(s, "required", req);
	else
		cJSON_Delete(req);
	cJSON_AddBoolToObject(s, "additionalProperties", 0);
	return s;
}

cJSON *baton_op_ack(const cJSON *result)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddBoolToObject(a, "ok", 1);
	static const char *const keys[] = { "id", "session_id", "status" };
	for (size_t i = 0; i < 3; i++) {
		const char *v = baton_json_str(result, keys[i]);
		if (v)
			cJSON_AddStringToObject(a, keys[i], v);
	}
	const cJSON *s = baton_json_obj(result, "session");
	if (s && !baton_json_str(result, "session_id") && baton_json_str(s, "id"))
		cJSON_AddStringToObject(a, "session_id", baton_json_str(s, "id"));
	if (s && !baton_json_str(result, "status") && baton_json_str(s, "status"))
		cJSON_AddStringToObject(a, "status", baton_json_str(s, "status"));
	return a;
}
