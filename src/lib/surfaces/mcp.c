/* MCP protocol core: JSON-RPC 2.0 frames → replies, over the operation table.
 * See include/baton/mcp.h for the contract and docs/mcp.md for the decisions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/index.h"
#include "baton/json.h"
#include "baton/mcp.h"
#include "baton/op.h"
#include "baton/strbuf.h"

struct baton_mcp {
	struct baton_mcp_opts opts;
	char version[16]; /* negotiated protocol version; "" before initialize */
	struct baton_ctx *kept; /* the store of the last read-only call, still open */
	struct strbuf kept_stamp; /* baton_ctx_stamp of kept when it was opened */
};

static const char *const versions[] = { "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25" };

static const char instructions[] =
	"baton is the user's local memory of coding-agent work across repositories, agents and machines: "
	"sessions (objective, tasks, git state, checkpoints), their journal and handoffs. "
	"Start with get_current_session or session_list to find where the work stands. "
	"Each tool is a `baton` CLI command; its result is exactly the JSON `baton --json` prints. "
	"Tools that change something answer a compact acknowledgement; pass \"verbose\": true for the whole result.";

int baton_mcp_new(struct baton_mcp **out, const struct baton_mcp_opts *opts)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return BATON_ENOMEM;
	if (opts)
		(*out)->opts = *opts;
	return 0;
}

/* The kept store, no longer kept; the caller closes it */
static struct baton_ctx *take_kept(struct baton_mcp *m)
{
	struct baton_ctx *ctx = m->kept;
	m->kept = NULL;
	baton_strbuf_release(&m->kept_stamp);
	return ctx;
}

static void drop_kept(struct baton_mcp *m)
{
	baton_ctx_close(take_kept(m));
}

void baton_mcp_free(struct baton_mcp *m)
{
	if (m)
		drop_kept(m);
	free(m);
}

/* The store for one tools/call. Every call used to open it (about 1 ms: the schema,
 * the WAL's index, the config files), which is most of a search at a million
 * messages. A read-only operation (BATON_OP_READ_ONLY) now reuses the store the
 * previous one opened when nothing it was opened from has changed (baton_ctx_stamp:
 * the index file, a rebuild replaces it; the config files; the host id), after
 * replaying what the logs hold beyond the index, as an open does. Other processes'
 * commits are seen anyway: SQLite's WAL shows each read the latest commit. Any other
 * call opens its own store, as before, after the kept one is closed (an ingest may
 * reconfigure SQLite itself, which needs no other connection open; a mutation draws
 * ids from its store's generator, which a fixed seed makes the CLI's). *own is set
 * when the caller must close the store. */
static int call_store(struct baton_mcp *m, const struct baton_op *op, struct baton_ctx **ctx, bool *own)
{
	struct strbuf now = STRBUF_INIT;
	bool keep = op->flags & BATON_OP_READ_ONLY;
	int rc;
	*own = true;
	if (m->kept && keep && !baton_ctx_stamp(m->kept, &now) && now.len == m->kept_stamp.len &&
	    !memcmp(now.buf, m->kept_stamp.buf, now.len) && !baton_index_catch_up(m->kept)) {
		baton_strbuf_release(&now);
		*ctx = m->kept;
		*own = false;
		return 0;
	}
	baton_strbuf_release(&now);
	drop_kept(m);
	rc = baton_ctx_open(ctx, &m->opts.open);
	if (!rc && m->opts.setup)
		rc = m->opts.setup(*ctx);
	if (!rc && keep) {
		if (!baton_ctx_stamp(*ctx, &m->kept_stamp)) {
			m->kept = *ctx;
			*own = false;
		} else {
			baton_strbuf_release(&m->kept_stamp);
		}
	}
	return rc;
}

const char *baton_mcp_version(const struct baton_mcp *m)
{
	return m->version[0] ? m->version : NULL;
}

static void logf_(struct baton_mcp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct baton_mcp *m, const char *fmt, ...)
{
	if (!m->opts.log)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	m->opts.log(m->opts.log_arg, buf);
}

/* {"jsonrpc":"2.0","id":…} with the id echoed in its own JSON type (null when unknown). */
static cJSON *envelope(const cJSON *id)
{
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "jsonrpc", "2.0");
	cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
	return r;
}

static cJSON *error_reply(const cJSON *id, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cJSON *error_reply(const cJSON *id, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *r = envelope(id);
	cJSON *e = r ? cJSON_AddObjectToObject(r, "error") : NULL;
	if (!e) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddNumberToObject(e, "code", code);
	baton_json_add_str(e, "message", msg);
	return r;
}

static cJSON *result_reply(const cJSON *id, cJSON *result)
{
	cJSON *r = envelope(id);
	if (!r || !result) {
		cJSON_Delete(r);
		cJSON_Delete(result);
		return NULL;
	}
	cJSON_AddItemToObject(r, "result", result);
	return r;
}

static int version_known(const char *v)
{
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
		if (!strcmp(versions[i], v))
			return 1;
	return 0;
}

/* Features by version: the strings are ISO dates, so they compare as text. */
static int since(const struct baton_mcp *m, const char *v)
{
	return strcmp(m->version[0] ? m->version : BATON_MCP_LATEST_VERSION, v) >= 0;
}

static cJSON *do_initialize(struct baton_mcp *m, const cJSON *id, const cJSON *params)
{
	const char *want = baton_json_str(params, "protocolVersion");
	if (!want)
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "initialize: params.protocolVersion must be a string");
	if (m->version[0])
		return error_reply(id, BATON_MCP_INVALID_REQUEST, "initialize: already initialized (protocol %s)", m->version);
	/* an unknown version gets our latest: the client decides whether to go on */
	snprintf(m->version, sizeof m->version, "%s", version_known(want) ? want : BATON_MCP_LATEST_VERSION);
	cJSON *r = cJSON_CreateObject();
	baton_json_add_str(r, "protocolVersion", m->version);
	cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON *tools = cJSON_AddObjectToObject(caps, "tools");
	cJSON_AddBoolToObject(tools, "listChanged", 0);
	cJSON *info = cJSON_AddObjectToObject(r, "serverInfo");
	baton_json_add_str(info, "name", "baton");
	baton_json_add_str(info, "version", BATON_VERSION);
	baton_json_add_str(r, "instructions", instructions);
	return result_reply(id, r);
}

static cJSON *tool_entry(const struct baton_mcp *m, const struct baton_op *op)
{
	cJSON *t = cJSON_CreateObject();
	baton_json_add_str(t, "name", op->mcp);
	baton_json_add_str(t, "description", op->summary);
	cJSON_AddItemToObject(t, "inputSchema", baton_op_schema(op));
	if (since(m, "2025-03-26")) {
		cJSON *a = cJSON_AddObjectToObject(t, "annotations");
		cJSON_AddBoolToObject(a, "readOnlyHint", !(op->flags & BATON_OP_MUTATES));
	}
	return t;
}

static cJSON *do_tools_list(struct baton_mcp *m, const cJSON *id, const cJSON *params)
{
	/* one page holds every tool: a cursor can only be one we never gave out */
	if (cJSON_GetObjectItemCaseSensitive(params, "cursor") && !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(params, "cursor")))
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "tools/list: invalid cursor");
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS);
	cJSON *r = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(r, "tools");
	for (size_t i = 0; i < n && i < BATON_MAX_OPS; i++)
		if (all[i]->mcp && !(all[i]->flags & BATON_OP_NO_MCP))
			cJSON_AddItemToArray(arr, tool_entry(m, all[i]));
	return result_reply(id, r);
}

/* A CallToolResult: the text is exactly what `baton --json` prints (without its
 * final newline); structuredContent the same object. */
static cJSON *tool_result(const cJSON *payload, const char *error)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *content = cJSON_AddArrayToObject(r, "content");
	cJSON *item = cJSON_CreateObject();
	cJSON_AddItemToArray(content, item);
	baton_json_add_str(item, "type", "text");
	if (error) {
		baton_json_add_str(item, "text", error);
		cJSON_AddBoolToObject(r, "isError", 1);
		return r;
	}
	char *text = baton_json_print(payload);
	if (!text) {
		cJSON_Delete(r);
		return NULL;
	}
	baton_json_add_str(item, "text", text);
	/* the same JSON again, as an object: printed once, copied as it is (a copy of the
	 * tree printed a second time was a fifth of a search's cost in the server) */
	cJSON *structured = cJSON_CreateRaw(text);
	cJSON_free(text);
	if (!structured || !cJSON_AddItemToObject(r, "structuredContent", structured)) {
		cJSON_Delete(structured);
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddBoolToObject(r, "isError", 0);
	return r;
}

static cJSON *do_tools_call(struct baton_mcp *m, const cJSON *id, const cJSON *params)
{
	const char *name = baton_json_str(params, "name");
	if (!name)
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "tools/call: params.name must be a string");
	const struct baton_op *op = baton_op_find_mcp(name);
	if (!op)
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "Unknown tool: %s", name);
	const cJSON *given = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (given && !cJSON_IsNull(given) && !cJSON_IsObject(given))
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "tools/call: params.arguments must be an object");

	cJSON *args = given && cJSON_IsObject(given) ? cJSON_Duplicate(given, 1) : cJSON_CreateObject();
	cJSON *result = NULL, *reply = NULL, *ack = NULL;
	struct baton_ctx *ctx = NULL;
	bool own = true; /* ctx is this call's to close (not the kept store) */
	if (!args)
		return NULL;
	/* "verbose" belongs to MCP, not to the operation: strip it before the call */
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "verbose");
	if (v && !cJSON_IsNull(v) && !cJSON_IsBool(v)) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s: argument 'verbose' must be a boolean", op->name);
		reply = result_reply(id, tool_result(NULL, msg));
		goto out;
	}
	int verbose = cJSON_IsTrue(v);
	cJSON_DeleteItemFromObjectCaseSensitive(args, "verbose");

	int rc = call_store(m, op, &ctx, &own);
	if (!rc)
		rc = baton_op_call(ctx, op, args, &result);
	if (!own) {
		baton_index_idle(ctx); /* no read snapshot may outlive the call */
		if (rc) {              /* nor a store in an unknown state be kept */
			take_kept(m);  /* closed below, once its message is read */
			own = true;
		}
	}
	if (rc == BATON_ENOMEM) {
		reply = error_reply(id, BATON_MCP_INTERNAL_ERROR, "%s: out of memory", name);
	} else if (rc) {
		logf_(m, "tools/call %s: %s", name, ctx ? baton_errmsg(ctx) : "out of memory");
		reply = result_reply(id, tool_result(NULL, ctx ? baton_errmsg(ctx) : "out of memory"));
	} else {
		const cJSON *payload = result;
		if ((op->flags & BATON_OP_MUTATES) && !verbose)
			payload = ack = baton_op_ack(result);
		reply = result_reply(id, tool_result(payload, NULL));
	}
out:
	if (own)
		baton_ctx_close(ctx);
	cJSON_Delete(ack);
	cJSON_Delete(result);
	cJSON_Delete(args);
	return reply;
}

/* One request or notification object → a reply object or NULL (no reply). */
static cJSON *dispatch(struct baton_mcp *m, const cJSON *msg, int in_batch)
{
	if (!cJSON_IsObject(msg))
		return error_reply(NULL, BATON_MCP_INVALID_REQUEST, "a JSON-RPC message must be an object");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	int id_ok = cJSON_IsString(id) || cJSON_IsNumber(id);

	if (!method) {
		/* a response to a request of ours (we send none): never answer it */
		if (id && (cJSON_GetObjectItemCaseSensitive(msg, "result") || cJSON_GetObjectItemCaseSensitive(msg, "error")))
			return NULL;
		return error_reply(id_ok ? id : NULL, BATON_MCP_INVALID_REQUEST, "invalid request: 'method' is missing");
	}
	if (!id) {
		/* a notification never gets a reply, not even an error */
		return NULL;
	}
	if (!id_ok)
		return error_reply(NULL, BATON_MCP_INVALID_REQUEST, "invalid request: 'id' must be a string or a number");
	const char *jv = baton_json_str(msg, "jsonrpc");
	if (!jv || strcmp(jv, "2.0"))
		return error_reply(id, BATON_MCP_INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"");
	if (!cJSON_IsString(method))
		return error_reply(id, BATON_MCP_INVALID_REQUEST, "invalid request: 'method' must be a string");
	const char *meth = method->valuestring;
	if (params && cJSON_IsNull(params))
		params = NULL;
	if (params && !cJSON_IsObject(params))
		return error_reply(id, BATON_MCP_INVALID_PARAMS, "%.100s: params must be an object", meth);

	if (!strcmp(meth, "initialize")) {
		if (in_batch)
			return error_reply(id, BATON_MCP_INVALID_REQUEST, "initialize must not be part of a batch");
		return do_initialize(m, id, params);
	}
	if (!strcmp(meth, "ping"))
		return result_reply(id, cJSON_CreateObject());
	int tools_list = !strcmp(meth, "tools/list"), tools_call = !strcmp(meth, "tools/call");
	if (!tools_list && !tools_call)
		return error_reply(id, BATON_MCP_METHOD_NOT_FOUND, "method '%.100s' not found", meth);
	if (!m->version[0])
		return error_reply(id, BATON_MCP_INVALID_REQUEST, "%s: the server is not initialized: send initialize first", meth);
	return tools_list ? do_tools_list(m, id, params) : do_tools_call(m, id, params);
}

/* Print a reply as one line of valid UTF-8 (the operations' strings come from outside). */
static char *to_line(cJSON *reply)
{
	if (!reply)
		return NULL;
	char *s = cJSON_PrintUnformatted(reply);
	cJSON_Delete(reply);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (baton_utf8_valid(s, len))
		return s;
	struct strbuf sb = STRBUF_INIT;
	int rc = baton_utf8_sanitize(&sb, s, len);
	cJSON_free(s);
	if (rc) {
		baton_strbuf_release(&sb);
		return NULL;
	}
	return baton_strbuf_detach(&sb);
}

char *baton_mcp_error_reply(int code, const char *message)
{
	return to_line(error_reply(NULL, code, "%s", message));
}

int baton_mcp_handle(struct baton_mcp *m, char **out, const char *line, size_t len)
{
	*out = NULL;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	size_t lead = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t' || line[lead] == '\r'))
		lead++;
	if (lead == len)
		return 0; /* a blank line is no message */

	cJSON *msg = NULL, *reply = NULL;
	/* cJSON stops at a NUL byte; a frame holding one is not JSON */
	if (!memchr(line, '\0', len)) {
		char *copy = malloc(len + 1);
		if (!copy)
			return BATON_ENOMEM;
		memcpy(copy, line, len);
		copy[len] = '\0';
		msg = cJSON_ParseWithLengthOpts(copy, len + 1, NULL, 1);
		free(copy);
	}
	if (!msg) {
		logf_(m, "parse error on a %zu-byte frame", len);
		reply = error_reply(NULL, BATON_MCP_PARSE_ERROR, "parse error: the frame is not valid JSON");
	} else if (cJSON_IsArray(msg)) {
		if (!cJSON_GetArraySize(msg)) {
			reply = error_reply(NULL, BATON_MCP_INVALID_REQUEST, "invalid request: empty batch");
		} else if (!m->version[0] || strcmp(m->version, "2025-03-26")) {
			/* batching exists only in protocol 2025-03-26 (added there, removed in 2025-06-18) */
			reply = error_reply(NULL, BATON_MCP_INVALID_REQUEST,
					    "invalid request: JSON-RPC batches are not supported in protocol version %s",
					    m->version[0] ? m->version : "(not initialized)");
		} else {
			reply = cJSON_CreateArray();
			const cJSON *it;
			cJSON_ArrayForEach(it, msg) {
				cJSON *r = dispatch(m, it, 1);
				if (r)
					cJSON_AddItemToArray(reply, r);
			}
			if (!cJSON_GetArraySize(reply)) {
				cJSON_Delete(reply);
				reply = NULL; /* a batch of notifications only: no reply */
			}
		}
	} else {
		reply = dispatch(m, msg, 0);
	}
	cJSON_Delete(msg);
	if (!reply)
		return 0;
	*out = to_line(reply);
	return *out ? 0 : BATON_ENOMEM;
}
