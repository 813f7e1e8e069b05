/* Codex CLI: ~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl and archived_sessions/
 * (formats.md §2). Lines are {timestamp, type, payload}; mid-2025 files hold bare
 * response items after a bare {id, timestamp, instructions} first line.
 *
 * Messages come from response_item (what the model saw and said); event_msg
 * user_message/agent_message repeat them and are skipped. Usage: token_count events
 * and token_usage_record lines both describe one response, and both carry the
 * thread's running total, which is therefore the dedupe key. */
#include <stdlib.h>
#include <string.h>

#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"


static bool claims(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return !strncmp(b, "rollout-", 8) && strlen(b) > 6 && !strcmp(b + strlen(b) - 6, ".jsonl");
}

static int discover(struct baton_ctx *ctx, const struct baton_source_roots *roots,
		    int (*found)(void *ud, const char *path), void *ud)
{
	if (!roots->codex_dir)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/sessions", roots->codex_dir);
	int rc = baton_walk(sb.buf, 3, "rollout-", ".jsonl", found, ud);
	baton_strbuf_reset(&sb);
	baton_strbuf_addf(&sb, "%s/archived_sessions", roots->codex_dir);
	if (!rc)
		rc = baton_walk(sb.buf, 3, "rollout-", ".jsonl", found, ud);
	baton_strbuf_release(&sb);
	return rc;
}

/* File paths named by apply_patch headers ("*** Add File: p", Update, Delete, Move to). */
static cJSON *patch_paths(const char *patch)
{
	static const char *const heads[] = { "*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: " };
	cJSON *a = NULL;
	for (const char *p = patch; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		for (size_t i = 0; i < 4; i++) {
			size_t h = strlen(heads[i]);
			if (n > h && !strncmp(p, heads[i], h)) {
				char *path = strndup(p + h, n - h);
				if (path) {
					if (!a)
						a = cJSON_CreateArray();
					cJSON_AddItemToArray(a, cJSON_CreateString(path));
					free(path);
				}
			}
		}
		p += n + (eol ? 1 : 0);
	}
	return a;
}

static int emit(struct baton_reader *r, const char *hash, int idx, const char *ts, const char *role,
		const char *kind, const char *tool, const cJSON *paths, const char *command, const char *text,
		bool prompt)
{
	char key[64];
	snprintf(key, sizeof key, "%s#%d", hash, idx);
	struct baton_msg m = { .key = key, .ts = ts, .role = role, .kind = kind, .tool = tool, .paths = paths,
			       .command = command, .text = text, .prompt = prompt };
	return baton_reader_emit(r, &m);
}

static int response_item(struct baton_reader *r, const cJSON *p, const char *hash, const char *ts)
{
	const char *type = baton_json_str(p, "type");
	struct strbuf sb = STRBUF_INIT;
	cJSON *args = NULL, *paths = NULL;
	char *command = NULL, *tool = NULL;
	int rc = 0;
	if (!type)
		return 0;
	if (!strcmp(type, "message")) {
		const char *role = baton_json_str(p, "role");
		if (!role || (strcmp(role, "user") && strcmp(role, "assistant")))
			goto out; /* developer and system scaffolding */
		baton_json_text(&sb, cJSON_GetObjectItem(p, "content"));
		bool user = !strcmp(role, "user");
		if (user && baton_text_is_wrapper(sb.buf))
			goto out;
		rc = emit(r, hash, 0, ts, role, "text", NULL, NULL, NULL, sb.buf, user);
	} else if (!strcmp(type, "reasoning")) {
		baton_json_text(&sb, cJSON_GetObjectItem(p, "summary"));
		if (!sb.len)
			baton_json_text(&sb, cJSON_GetObjectItem(p, "content"));
		if (sb.len)
			rc = emit(r, hash, 0, ts, "assistant", "thinking", NULL, NULL, NULL, sb.buf, false);
	} else if (!strcmp(type, "function_call") || !strcmp(type, "custom_tool_call") ||
		   !strcmp(type, "local_shell_call") || !strcmp(type, "tool_search_call") ||
		   !strcmp(type, "web_search_call")) {
		const char *name = baton_json_str(p, "name");
		const char *ns = baton_json_str(p, "namespace");
		const char *argstr = baton_json_str(p, "arguments");
		const char *input = baton_json_str(p, "input");
		if (!name)
			name = !strcmp(type, "local_shell_call") ? "shell" : !strcmp(type, "tool_search_call") ? "tool_search"
				: !strcmp(type, "web_search_call") ? "web_search" : type;
		if (ns && *ns) {
			struct strbuf t = STRBUF_INIT;
			baton_strbuf_addf(&t, "%s%s%s", ns, strncmp(name, "__", 2) ? "__" : "", name);
			tool = baton_strbuf_detach(&t);
		} else {
			tool = strdup(name);
		}
		args = argstr ? cJSON_Parse(argstr) : NULL;
		const cJSON *a = args ? args : cJSON_GetObjectItem(p, "arguments");
		if (!strcmp(type, "local_shell_call"))
			command = baton_argv_command(cJSON_GetObjectItem(baton_json_obj(p, "action"), "command"));
		else if (baton_json_str(a, "cmd"))
			command = strdup(baton_json_str(a, "cmd"));
		else if (cJSON_GetObjectItem(a, "command") && (!strcmp(name, "shell") || !strcmp(name, "shell_command") ||
								 !strcmp(name, "container.exec") || !strcmp(name, "local_shell")))
			command = baton_argv_command(cJSON_GetObjectItem(a, "command"));
		if (!input)
			input = baton_json_str(a, "input");
		if (tool && !strcmp(tool, "apply_patch") && input)
			paths = patch_paths(input);
		else if (command && strstr(command, "*** Begin Patch"))
			paths = patch_paths(command);
		if (input)
			baton_strbuf_adds(&sb, input);
		else if (argstr)
			baton_strbuf_adds(&sb, argstr);
		else if (cJSON_IsObject(a))
			baton_json_text(&sb, a);
		else
			baton_json_text(&sb, cJSON_GetObjectItem(p, "action"));
		baton_reader_remember_tool(r, "calls", baton_json_str(p, "call_id"), tool);
		rc = emit(r, hash, 0, ts, "assistant", "tool_use", tool, paths, command, sb.buf, false);
	} else if (!strcmp(type, "function_call_output") || !strcmp(type, "custom_tool_call_output")) {
		const cJSON *o = cJSON_GetObjectItem(p, "output");
		cJSON *inner = NULL;
		/* older shells answered JSON text {"output":…,"metadata":…} */
		if (cJSON_IsString(o) && o->valuestring[0] == '{' && (inner = cJSON_Parse(o->valuestring)) &&
		    baton_json_str(inner, "output"))
			baton_strbuf_adds(&sb, baton_json_str(inner, "output"));
		else
			baton_json_text(&sb, o);
		cJSON_Delete(inner);
		const char *call = baton_json_str(p, "call_id");
		const char *name = call ? baton_reader_tool_of(r, "calls", call) : NULL;
		rc = emit(r, hash, 0, ts, "tool", "tool_result", name, NULL, NULL, sb.buf, false);
	}
out:
	cJSON_Delete(args);
	cJSON_Delete(paths);
	free(command);
	free(tool);
	baton_strbuf_release(&sb);
	return rc;
}

static int usage(struct baton_reader *r, const cJSON *total, const cJSON *last)
{
	int64_t t = baton_json_int(total, "total_tokens", 0);
	if (!last || t <= 0)
		return 0;
	char key[32];
	snprintf(key, sizeof key, "t%lld", (long long)t);
	int64_t cached = baton_json_int(last, "cached_input_tokens", 0);
	struct baton_usage u = {
		.key = key,
		.model = baton_reader_get(r, "model"),
		/* OpenAI's input_tokens include the cached ones; count them once */
		.input = baton_json_int(last, "input_tokens", 0) - cached,
		.output = baton_json_int(last, "output_tokens", 0),
		.cache_read = cached,
		.cache_write = baton_json_int(last, "cache_write_input_tokens", 0),
		.reasoning = baton_json_int(last, "reasoning_output_tokens", 0),
	};
	return baton_reader_usage(r, &u);
}

static int parse_line(struct baton_reader *r, const char *line, size_t len)
{
	cJSON *rec = baton_json_parse_scratch(line, len);
	int rc = 0;
	char hash[17];
	r->lines++;
	if (!cJSON_IsObject(rec)) {
		r->bad_lines++;
		baton_json_scratch_delete(rec);
		return 0;
	}
	/* the line's hash keys its messages: only lines that make one pay for it */
	const char *type = baton_json_str(rec, "type");
	const char *ts = baton_json_str(rec, "timestamp");
	const cJSON *p = baton_json_obj(rec, "payload");
	if (!p) {
		/* the legacy forms: a bare meta line, state separators, bare response items */
		if (baton_json_str(rec, "record_type"))
			goto out;
		if (!type && baton_json_str(rec, "id")) {
			baton_reader_set_once(r, "sid", baton_json_str(rec, "id"));
			goto out;
		}
		baton_hash_hex(hash, line, len);
		rc = response_item(r, rec, hash, ts);
		goto out;
	}
	if (!type)
		goto out;
	if (!strcmp(type, "session_meta")) {
		/* a resumed or forked file may repeat another thread's meta: the first wins */
		baton_reader_set_once(r, "sid", baton_json_str(p, "id"));
		baton_reader_set_once(r, "cwd", baton_json_str(p, "cwd"));
		const char *b = baton_json_str(baton_json_obj(p, "git"), "branch");
		if (b && *b)
			baton_reader_set(r, "branch", b);
	} else if (!strcmp(type, "turn_context")) {
		baton_reader_set_once(r, "cwd", baton_json_str(p, "cwd"));
		baton_reader_set(r, "model", baton_json_str(p, "model"));
	} else if (!strcmp(type, "response_item")) {
		baton_hash_hex(hash, line, len);
		rc = response_item(r, p, hash, ts);
	} else if (!strcmp(type, "compacted")) {
		const char *msg = baton_json_str(p, "message");
		if (msg && *msg) {
			baton_hash_hex(hash, line, len);
			rc = emit(r, hash, 0, ts, "system", "summary", NULL, NULL, NULL, msg, false);
		}
	} else if (!strcmp(type, "token_usage_record")) {
		rc = usage(r, baton_json_obj(p, "thread_token_usage"), baton_json_obj(p, "usage"));
	} else if (!strcmp(type, "event_msg")) {
		const char *et = baton_json_str(p, "type");
		if (et && !strcmp(et, "token_count")) {
			const cJSON *info = baton_json_obj(p, "info");
			rc = usage(r, baton_json_obj(info, "total_token_usage"), baton_json_obj(info, "last_token_usage"));
		}
	}
out:
	baton_json_scratch_delete(rec);
	return rc;
}

const struct baton_source baton_source_codex = {
	.name = "codex",
	.discover = discover,
	.claims = claims,
	.line = parse_line,
};
