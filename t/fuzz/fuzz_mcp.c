/* libFuzzer target: the MCP request dispatcher (include/baton/mcp.h).
 * Each input is a sequence of frames split on '\n', fed to a fresh server, so the
 * fuzzer reaches tools/call after an initialize. tools/call runs for real against a
 * throw-away store in a temporary HOME (the install tools write there too).
 *   make fuzz-mcp [FUZZ_TIME=seconds] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/baton.h"
#include "baton/json.h"
#include "baton/mcp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char home[64], store[96];

static void remove_home(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (system(cmd))
		fprintf(stderr, "fuzz_mcp: could not remove %s\n", home);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(home, sizeof home, "/tmp/baton-fuzz-mcp.XXXXXX");
	if (!mkdtemp(home))
		abort();
	snprintf(store, sizeof store, "%s/.baton", home);
	/* nothing of the user's may be touched: HOME, the agents' dirs, the store */
	setenv("HOME", home, 1);
	setenv("CODEX_HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	unsetenv("CLAUDE_CONFIG_DIR");
	unsetenv("BATON_HOME");
	if (chdir(home))
		abort();
	atexit(remove_home);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_mcp_opts o = { 0 };
	o.open.home = store;
	o.open.now_ms = 1767225600000; /* 2026-01-01 */
	o.open.seed = 1;
	o.open.host = "fuzz";
	struct baton_mcp *m;
	if (baton_mcp_new(&m, &o))
		return 0;
	const char *p = (const char *)data, *end = p + size;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *reply = NULL;
		if (baton_mcp_handle(m, &reply, p, n) == 0 && reply) {
			/* every reply is one line of valid UTF-8 JSON */
			size_t rl = strlen(reply);
			if (memchr(reply, '\n', rl) || !baton_utf8_valid(reply, rl))
				abort();
			cJSON *j = cJSON_Parse(reply);
			if (!j || !(cJSON_IsObject(j) || cJSON_IsArray(j)))
				abort();
			cJSON_Delete(j);
		}
		free(reply);
		if (!nl)
			break;
		p = nl + 1;
	}
	baton_mcp_free(m);
	return 0;
}
