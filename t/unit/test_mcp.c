/* The MCP protocol core in-process: frames in, replies out (include/baton/mcp.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/baton.h"
#include "baton/json.h"
#include "baton/mcp.h"
#include "baton/op.h"

static char home[64], store[96];

static int setup(void **state)
{
	snprintf(home, sizeof home, "/tmp/baton-mcp-XXXXXX");
	assert_non_null(mkdtemp(home));
	snprintf(store, sizeof store, "%s/.baton", home);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	return system(cmd);
}

static struct baton_mcp *server(void)
{
	struct baton_mcp_opts o = { 0 };
	o.open.home = store;
	o.open.cwd = home;
	o.open.now_ms = 1767225600000;
	o.open.seed = 3;
	o.open.host = "unit";
	struct baton_mcp *m;
	assert_int_equal(baton_mcp_new(&m, &o), 0);
	return m;
}

/* Handle one frame; the parsed reply (NULL for none). */
static cJSON *call(struct baton_mcp *m, const char *frame)
{
	char *out;
	assert_int_equal(baton_mcp_handle(m, &out, frame, strlen(frame)), 0);
	if (!out)
		return NULL;
	assert_null(strchr(out, '\n'));
	cJSON *j = cJSON_Parse(out);
	assert_non_null(j);
	free(out);
	return j;
}

static int error_code(const cJSON *r)
{
	return (int)baton_json_int(baton_json_obj(r, "error"), "code", 0);
}

static void init(struct baton_mcp *m, const char *version)
{
	char f[256];
	snprintf(f, sizeof f, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\"}}", version);
	cJSON *r = call(m, f);
	assert_non_null(baton_json_obj(r, "result"));
	cJSON_Delete(r);
}

static void negotiates_versions(void **state)
{
	static const char *const ok[] = { "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25" };
	for (size_t i = 0; i < 4; i++) {
		struct baton_mcp *m = server();
		assert_null(baton_mcp_version(m));
		init(m, ok[i]);
		assert_string_equal(baton_mcp_version(m), ok[i]);
		baton_mcp_free(m);
	}
	struct baton_mcp *m = server();
	init(m, "1999-01-01");
	assert_string_equal(baton_mcp_version(m), BATON_MCP_LATEST_VERSION);
	baton_mcp_free(m);
}

static void ids_keep_their_type(void **state)
{
	struct baton_mcp *m = server();
	cJSON *r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"ping\"}");
	assert_string_equal(baton_json_str(r, "id"), "abc");
	cJSON_Delete(r);
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"ping\"}");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r, "id")));
	assert_int_equal(baton_json_int(r, "id", 0), 42);
	cJSON_Delete(r);
	baton_mcp_free(m);
}

static void protocol_errors(void **state)
{
	struct baton_mcp *m = server();
	cJSON *r = call(m, "{not json");
	assert_int_equal(error_code(r), BATON_MCP_PARSE_ERROR);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "id")));
	cJSON_Delete(r);
	/* a NUL byte inside a frame makes it not JSON */
	char *out;
	assert_int_equal(baton_mcp_handle(m, &out, "{\"a\":1}\0{}", 10), 0);
	r = cJSON_Parse(out);
	free(out);
	assert_int_equal(error_code(r), BATON_MCP_PARSE_ERROR);
	cJSON_Delete(r);
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	assert_int_equal(error_code(r), BATON_MCP_INVALID_REQUEST); /* not initialized */
	cJSON_Delete(r);
	init(m, "2025-11-25");
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"server/discover\"}");
	assert_int_equal(error_code(r), BATON_MCP_METHOD_NOT_FOUND);
	cJSON_Delete(r);
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}");
	assert_int_equal(error_code(r), BATON_MCP_INVALID_PARAMS);
	cJSON_Delete(r);
	assert_null(call(m, "{\"jsonrpc\":\"2.0\",\"method\":\"whatever\"}"));
	assert_null(call(m, "   "));
	char *line = baton_mcp_error_reply(BATON_MCP_PARSE_ERROR, "too long");
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"too long\"}}");
	free(line);
	baton_mcp_free(m);
}

static void lists_every_mcp_operation(void **state)
{
	struct baton_mcp *m = server();
	init(m, "2025-06-18");
	cJSON *r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	const cJSON *tools = baton_json_arr(baton_json_obj(r, "result"), "tools");
	const struct baton_op *all[BATON_MAX_OPS];
	size_t n = baton_ops_list(all, BATON_MAX_OPS), want = 0;
	for (size_t i = 0; i < n; i++)
		if (all[i]->mcp && !(all[i]->flags & BATON_OP_NO_MCP)) {
			const cJSON *t = cJSON_GetArrayItem(tools, (int)want++);
			assert_string_equal(baton_json_str(t, "name"), all[i]->mcp);
			assert_string_equal(baton_json_str(t, "description"), all[i]->summary);
			assert_non_null(baton_json_obj(t, "inputSchema"));
		}
	assert_int_equal(cJSON_GetArraySize(tools), (int)want);
	cJSON_Delete(r);
	baton_mcp_free(m);
}

static void calls_answer_cli_json(void **state)
{
	struct baton_mcp *m = server();
	init(m, "2025-11-25");
	cJSON *r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"session_save\","
			   "\"arguments\":{\"objective\":\"unit\",\"name\":\"u\",\"verbose\":true}}}");
	const cJSON *res = baton_json_obj(r, "result");
	assert_false(baton_json_bool(res, "isError", true));
	const cJSON *sc = baton_json_obj(res, "structuredContent");
	char *printed = baton_json_print(sc);
	const cJSON *item = cJSON_GetArrayItem(baton_json_arr(res, "content"), 0);
	assert_string_equal(baton_json_str(item, "text"), printed);
	assert_string_equal(baton_json_str(baton_json_obj(sc, "session"), "objective"), "unit");
	cJSON_free(printed);
	cJSON_Delete(r);
	/* without verbose: the acknowledgement */
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"session_save\","
		    "\"arguments\":{\"session\":\"u\",\"notes\":\"n\"}}}");
	sc = baton_json_obj(baton_json_obj(r, "result"), "structuredContent");
	assert_true(baton_json_bool(sc, "ok", false));
	assert_non_null(baton_json_str(sc, "session_id"));
	assert_null(baton_json_obj(sc, "session"));
	cJSON_Delete(r);
	/* an operation failure is a tool error with the message */
	r = call(m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"session_show\","
		    "\"arguments\":{\"id\":\"missing\"}}}");
	res = baton_json_obj(r, "result");
	assert_true(baton_json_bool(res, "isError", false));
	assert_non_null(strstr(baton_json_str(cJSON_GetArrayItem(baton_json_arr(res, "content"), 0), "text"), "not found"));
	cJSON_Delete(r);
	baton_mcp_free(m);
}

static void batches_follow_the_version(void **state)
{
	const char *batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"n\"}]";
	struct baton_mcp *m = server();
	init(m, "2025-03-26");
	cJSON *r = call(m, batch);
	assert_true(cJSON_IsArray(r));
	assert_int_equal(cJSON_GetArraySize(r), 1);
	cJSON_Delete(r);
	baton_mcp_free(m);
	m = server();
	init(m, "2025-06-18");
	r = call(m, batch);
	assert_int_equal(error_code(r), BATON_MCP_INVALID_REQUEST);
	cJSON_Delete(r);
	baton_mcp_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negotiates_versions),
		cmocka_unit_test(ids_keep_their_type),
		cmocka_unit_test(protocol_errors),
		cmocka_unit_test(lists_every_mcp_operation),
		cmocka_unit_test(calls_answer_cli_json),
		cmocka_unit_test(batches_follow_the_version),
	};
	return cmocka_run_group_tests_name("mcp", tests, setup, teardown);
}
