/* Claude Code: ~/.claude/projects/<project>/<session>.jsonl (formats.md §1).
 *
 * One line per record; assistant responses arrive split one content block per line
 * (§1.5), each line repeating the response's usage, so usage is keyed by message id
 * and request id. Lines copied into a forked file keep their uuid, which keys the
 * messages, so re-reading them is harmless. Subagent transcripts (three layouts,
 * §1.1) belong to their parent's conversation. */
#include <stdlib.h>
#include <string.h>

#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"


static bool claims(const char *path)
{
	return strstr(path, "/projects/") && strlen(path) > 6 && !strcmp(path + strlen(path) - 6, ".jsonl");
}

struct disc {
	int (*found)(void *ud, const char *path);
	void *ud;
};

/* Skip the compaction helpers (agent-acompact-*): they repeat the main conversation. */
static int disc_found(void *ud, const char *path)
{
	struct disc *d = ud;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strncmp(base, "agent-acompact", 14))
		return 0;
	/* <session>/tool-results/… hold large outputs, not records */
	if (strstr(path, "/tool-results/"))
		return 0;
	return d->found(d->ud, path);
}

static int discover(struct baton_ctx *ctx, const struct baton_source_roots *roots,
		    int (*found)(void *ud, const char *path), void *ud)
{
	if (!roots->claude_dir)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/projects", roots->claude_dir);
	struct disc d = { found, ud };
	/* projects/<p>/<s>.jsonl, projects/<p>/agent-*.jsonl, projects/<p>/<s>/subagents/agent-*.jsonl */
	int rc = baton_walk(sb.buf, 3, NULL, ".jsonl", disc_found, &d);
	baton_strbuf_release(&sb);
	return rc;
}

/* Paths a tool input touches: file_path (Write/Edit/Read/MultiEdit), notebook_path,
 * path (Glob/Grep dirs are not files: only for the editing tools). */
static cJSON *input_paths(const cJSON *input)
{
	static const char *const keys[] = { "file_path", "notebook_path", "filePath" };
	cJSON *a = NULL;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *p = baton_json_str(input, keys[i]);
		if (p && *p) {
			if (!a)
				a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, cJSON_CreateString(p));
		}
	}
	return a;
}

static int emit_block(struct baton_reader *r, const cJSON *rec, const cJSON *b, const char *uuid, int idx,
		      const char *ts, const char *role, bool human)
{
	const char *type = baton_json_str(b, "type");
	char key[128];
	snprintf(key, sizeof key, "%s#%d", uuid, idx);
	struct baton_msg m = { .key = key, .ts = ts, .role = role };
	struct strbuf sb = STRBUF_INIT;
	cJSON *paths = NULL;
	int rc = 0;
	if (!type)
		return 0;
	if (!strcmp(type, "text")) {
		m.kind = "text";
		m.text = baton_json_str(b, "text");
		m.prompt = human && m.text && !baton_text_is_wrapper(m.text);
	} else if (!strcmp(type, "thinking")) {
		m.kind = "thinking";
		m.text = baton_json_str(b, "thinking");
	} else if (!strcmp(type, "tool_use") || !strcmp(type, "server_tool_use")) {
		const cJSON *input = cJSON_GetObjectItem(b, "input");
		m.kind = "tool_use";
		m.tool = baton_json_str(b, "name");
		baton_reader_remember_tool(r, "tools", baton_json_str(b, "id"), m.tool);
		paths = input_paths(input);
		m.paths = paths;
		m.command = baton_json_str(input, "command");
		char *s = input ? cJSON_PrintUnformatted(input) : NULL;
		if (s)
			baton_strbuf_adds(&sb, s);
		cJSON_free(s);
		m.text = sb.buf;
	} else if (!strcmp(type, "tool_result")) {
		m.role = "tool";
		m.kind = "tool_result";
		m.tool = baton_reader_tool_of(r, "tools", baton_json_str(b, "tool_use_id"));
		baton_json_text(&sb, cJSON_GetObjectItem(b, "content"));
		m.text = sb.buf;
		const cJSON *tur = baton_json_obj(rec, "toolUseResult");
		const char *fp = baton_json_str(tur, "filePath");
		if (fp) {
			paths = cJSON_CreateArray();
			cJSON_AddItemToArray(paths, cJSON_CreateString(fp));
			m.paths = paths;
		}
	} else {
		return 0; /* images, documents, redacted thinking: nothing to search */
	}
	if (m.text || m.tool)
		rc = baton_reader_emit(r, &m);
	cJSON_Delete(paths);
	baton_strbuf_release(&sb);
	return rc;
}

static int usage_of(struct baton_reader *r, const cJSON *msg, const char *request_id)
{
	const cJSON *u = baton_json_obj(msg, "usage");
	const char *id = baton_json_str(msg, "id");
	const char *model = baton_json_str(msg, "model");
	if (!u || !id || (model && !strcmp(model, "<synthetic>")))
		return 0;
	char key[256];
	snprintf(key, sizeof key, "%s:%s", id, request_id ? request_id : "");
	struct baton_usage us = {
		.key = key,
		.model = model,
		.input = baton_json_int(u, "input_tokens", 0),
		.output = baton_json_int(u, "output_tokens", 0),
		.cache_read = baton_json_int(u, "cache_read_input_tokens", 0),
		.cache_write = baton_json_int(u, "cache_creation_input_tokens", 0),
	};
	return baton_reader_usage(r, &us);
}

/* The conversation a file belongs to: the file name for main files, the parent
 * session for <session>/subagents/agent-*.jsonl, the records' sessionId for the
 * 2.0-era agent-*.jsonl beside the session files. */
static void settle_sid(struct baton_reader *r, const char *line_sid)
{
	if (baton_reader_get(r, "sid") || !r->path)
		return;
	const char *sub = strstr(r->path, "/subagents/");
	if (sub) {
		const char *s = sub;
		while (s > r->path && s[-1] != '/')
			s--;
		char buf[256];
		snprintf(buf, sizeof buf, "%.*s", (int)(sub - s), s);
		baton_reader_set(r, "sid", buf);
		return;
	}
	const char *base = strrchr(r->path, '/');
	base = base ? base + 1 : r->path;
	if (!strncmp(base, "agent-", 6)) {
		if (line_sid)
			baton_reader_set(r, "sid", line_sid);
		return;
	}
	baton_reader_sid(r); /* from the file name */
}

static int parse_line(struct baton_reader *r, const char *line, size_t len)
{
	cJSON *rec = baton_json_parse_scratch(line, len);
	int rc = 0;
	r->lines++;
	if (!cJSON_IsObject(rec)) {
		r->bad_lines++;
		baton_json_scratch_delete(rec);
		return 0;
	}
	/* the record's fields in one walk (see F_*) */
	static const char *const fields[] = { "type", "timestamp", "uuid", "sessionId", "cwd", "gitBranch",
					      "isSidechain", "message", "subtype", "compactMetadata", "isMeta",
					      "isCompactSummary", "isVisibleInTranscriptOnly", "requestId" };
	enum { F_TYPE, F_TS, F_UUID, F_SID, F_CWD, F_BRANCH, F_SIDECHAIN, F_MESSAGE, F_SUBTYPE, F_COMPACT,
	       F_META, F_SUMMARY, F_VISIBLE, F_REQUEST, F_N };
	const cJSON *f[F_N];
	baton_json_pick(rec, fields, F_N, f);
	const char *type = baton_json_as_str(f[F_TYPE]);
	const char *ts = baton_json_as_str(f[F_TS]);
	const char *uuid = baton_json_as_str(f[F_UUID]);
	char hash[17];
	if (!type)
		goto out;
	if (strcmp(type, "user") && strcmp(type, "assistant") && strcmp(type, "system"))
		goto out; /* progress, attachments, snapshots, titles, api bookkeeping */
	settle_sid(r, baton_json_as_str(f[F_SID]));
	baton_reader_set_once(r, "cwd", baton_json_as_str(f[F_CWD]));
	const char *branch = baton_json_as_str(f[F_BRANCH]);
	if (branch && *branch)
		baton_reader_set(r, "branch", branch);
	if (!uuid) {
		baton_hash_hex(hash, line, len);
		uuid = hash;
	}
	bool sidechain = baton_json_as_bool(f[F_SIDECHAIN], false);
	const cJSON *msg = baton_json_as_obj(f[F_MESSAGE]);
	const cJSON *content = cJSON_GetObjectItem(msg, "content");

	if (!strcmp(type, "system")) {
		const char *sub = baton_json_as_str(f[F_SUBTYPE]);
		if (sub && !strcmp(sub, "compact_boundary")) {
			const cJSON *cm = baton_json_as_obj(f[F_COMPACT]);
			char text[160];
			snprintf(text, sizeof text, "Conversation compacted (%s, %lld tokens before)",
				 baton_json_str(cm, "trigger") ? baton_json_str(cm, "trigger") : "auto",
				 (long long)baton_json_int(cm, "preTokens", 0));
			char key[128];
			snprintf(key, sizeof key, "%s#0", uuid);
			struct baton_msg m = { .key = key, .ts = ts, .role = "system", .kind = "summary", .text = text };
			rc = baton_reader_emit(r, &m);
		}
		goto out;
	}
	if (!strcmp(type, "user")) {
		if (baton_json_as_bool(f[F_META], false))
			goto out;
		bool summary = baton_json_as_bool(f[F_SUMMARY], false);
		bool human = !summary && !sidechain && !baton_json_as_bool(f[F_VISIBLE], false);
		if (cJSON_IsString(content)) {
			char key[128];
			snprintf(key, sizeof key, "%s#0", uuid);
			struct baton_msg m = { .key = key, .ts = ts, .role = "user", .kind = summary ? "summary" : "text",
					       .text = content->valuestring, .prompt = human && !baton_text_is_wrapper(content->valuestring) };
			rc = baton_reader_emit(r, &m);
			goto out;
		}
		const cJSON *b;
		int i = 0;
		bool has_result = false;
		cJSON_ArrayForEach(b, content)
			if (baton_json_str(b, "type") && !strcmp(baton_json_str(b, "type"), "tool_result"))
				has_result = true;
		cJSON_ArrayForEach(b, content) {
			if ((rc = emit_block(r, rec, b, uuid, i++, ts, "user", human && !has_result)))
				break;
		}
		goto out;
	}
	/* assistant */
	{
		const cJSON *b;
		int i = 0;
		cJSON_ArrayForEach(b, content) {
			if ((rc = emit_block(r, rec, b, uuid, i++, ts, "assistant", false)))
				goto out;
		}
		baton_reader_set(r, "model", baton_json_str(msg, "model"));
		rc = usage_of(r, msg, baton_json_as_str(f[F_REQUEST]));
	}
out:
	baton_json_scratch_delete(rec);
	return rc;
}

const struct baton_source baton_source_claude = {
	.name = "claude",
	.discover = discover,
	.claims = claims,
	.line = parse_line,
};
