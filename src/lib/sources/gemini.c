/* Gemini CLI: ~/.gemini/tmp/<project>/chats/session-*.json (one document, rewritten,
 * up to v0.38) and session-*.jsonl (append-only, v0.39+), formats.md §3.
 *
 * JSONL replay rules: a message id may be written again (last copy wins: messages
 * are keyed by id, so the sink updates them), {"$set":{"messages":[…]}} replaces the
 * file's messages, {"$rewindTo": id} drops that message and everything after it.
 * A whole .json document arrives as one line and replaces the file's messages. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/ingest.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

static bool claims(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return strstr(path, "/chats/") && (ends_with(b, ".json") || ends_with(b, ".jsonl"));
}

struct disc {
	int (*found)(void *ud, const char *path);
	void *ud;
};

static int disc_found(void *ud, const char *path)
{
	struct disc *d = ud;
	return claims(path) ? d->found(d->ud, path) : 0;
}

static int discover(struct baton_ctx *ctx, const struct baton_source_roots *roots,
		    int (*found)(void *ud, const char *path), void *ud)
{
	if (!roots->gemini_dir)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/tmp", roots->gemini_dir);
	struct disc d = { found, ud };
	/* tmp/<project>/chats/<file>, and subagent chats one level deeper */
	int rc = baton_walk(sb.buf, 3, NULL, NULL, disc_found, &d);
	baton_strbuf_release(&sb);
	return rc;
}

/* The project root: <project dir>/.project_root (v0.29+) beside chats/. */
static void project_root(struct baton_reader *r)
{
	if (baton_reader_get(r, "cwd") || !r->path)
		return;
	const char *c = strstr(r->path, "/chats/");
	if (!c)
		return;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%.*s/.project_root", (int)(c - r->path), r->path);
	int fd = open(sb.buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			if (buf[0] == '/')
				baton_reader_set(r, "cwd", buf);
		}
	}
	baton_strbuf_release(&sb);
}

static int emit(struct baton_reader *r, const char *key, const char *ts, const char *role, const char *kind,
		const char *tool, const cJSON *paths, const char *command, const char *text, bool prompt)
{
	struct baton_msg m = { .key = key, .ts = ts, .role = role, .kind = kind, .tool = tool, .paths = paths,
			       .command = command, .text = text, .prompt = prompt };
	return baton_reader_emit(r, &m);
}

static int tool_result(struct baton_reader *r, const cJSON *fr, const char *ts)
{
	char key[256];
	struct strbuf sb = STRBUF_INIT;
	const char *id = baton_json_str(fr, "id");
	const cJSON *resp = baton_json_obj(fr, "response");
	snprintf(key, sizeof key, "fr:%s", id ? id : "?");
	if (baton_json_str(resp, "output"))
		baton_strbuf_adds(&sb, baton_json_str(resp, "output"));
	else if (baton_json_str(resp, "error"))
		baton_strbuf_adds(&sb, baton_json_str(resp, "error"));
	else
		baton_json_text(&sb, resp);
	int rc = emit(r, key, ts, "tool", "tool_result", baton_json_str(fr, "name"), NULL, NULL, sb.buf, false);
	baton_strbuf_release(&sb);
	return rc;
}

static int message(struct baton_reader *r, const cJSON *m)
{
	const char *id = baton_json_str(m, "id");
	const char *type = baton_json_str(m, "type");
	const char *ts = baton_json_str(m, "timestamp");
	const cJSON *content = cJSON_GetObjectItem(m, "content");
	char key[256];
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;
	if (!id || !type)
		return 0;
	if (!strcmp(type, "user")) {
		/* text parts make the prompt; functionResponse parts are tool results */
		const cJSON *p;
		if (cJSON_IsString(content)) {
			baton_strbuf_adds(&sb, content->valuestring);
		} else {
			cJSON_ArrayForEach(p, content) {
				const cJSON *fr = baton_json_obj(p, "functionResponse");
				if (fr) {
					if ((rc = tool_result(r, fr, ts)))
						goto out;
				} else if (baton_json_str(p, "text")) {
					if (sb.len)
						baton_strbuf_addch(&sb, '\n');
					baton_strbuf_adds(&sb, baton_json_str(p, "text"));
				}
			}
		}
		if (sb.len && !baton_text_is_wrapper(sb.buf)) {
			/* after compression the history restarts from a generated state snapshot */
			bool summary = !strncmp(sb.buf, "<state_snapshot>", 16);
			snprintf(key, sizeof key, "%s#0", id);
			rc = emit(r, key, ts, "user", summary ? "summary" : "text", NULL, NULL, NULL, sb.buf, !summary);
		}
		goto out;
	}
	if (strcmp(type, "gemini")) {
		/* info, error, warning: shown to the user, worth finding */
		baton_json_text(&sb, content);
		snprintf(key, sizeof key, "%s#0", id);
		if (sb.len)
			rc = emit(r, key, ts, "system", "text", NULL, NULL, NULL, sb.buf, false);
		goto out;
	}
	const cJSON *th;
	int i = 0;
	cJSON_ArrayForEach(th, baton_json_arr(m, "thoughts")) {
		baton_strbuf_reset(&sb);
		baton_strbuf_addf(&sb, "%s%s%s", baton_json_str(th, "subject") ? baton_json_str(th, "subject") : "",
				  baton_json_str(th, "subject") ? ": " : "",
				  baton_json_str(th, "description") ? baton_json_str(th, "description") : "");
		snprintf(key, sizeof key, "%s#t%d", id, i++);
		if ((rc = emit(r, key, baton_json_str(th, "timestamp") ? baton_json_str(th, "timestamp") : ts,
			       "assistant", "thinking", NULL, NULL, NULL, sb.buf, false)))
			goto out;
	}
	baton_strbuf_reset(&sb);
	/* text parts only: functionCall parts repeat toolCalls, thought parts the thoughts */
	if (cJSON_IsString(content)) {
		baton_strbuf_adds(&sb, content->valuestring);
	} else {
		const cJSON *part;
		cJSON_ArrayForEach(part, content) {
			if (!baton_json_str(part, "text") || baton_json_bool(part, "thought", false))
				continue;
			if (sb.len)
				baton_strbuf_addch(&sb, '\n');
			baton_strbuf_adds(&sb, baton_json_str(part, "text"));
		}
	}
	if (sb.len) {
		snprintf(key, sizeof key, "%s#0", id);
		if ((rc = emit(r, key, ts, "assistant", "text", NULL, NULL, NULL, sb.buf, false)))
			goto out;
	}
	const cJSON *tc;
	i = 0;
	cJSON_ArrayForEach(tc, baton_json_arr(m, "toolCalls")) {
		const cJSON *args = baton_json_obj(tc, "args");
		const char *name = baton_json_str(tc, "name");
		cJSON *paths = NULL;
		const char *fp = baton_json_str(args, "file_path");
		if (!fp)
			fp = baton_json_str(args, "absolute_path");
		if (fp) {
			paths = cJSON_CreateArray();
			cJSON_AddItemToArray(paths, cJSON_CreateString(fp));
		}
		char *a = args ? cJSON_PrintUnformatted(args) : NULL;
		snprintf(key, sizeof key, "%s#c%d", id, i++);
		rc = emit(r, key, baton_json_str(tc, "timestamp") ? baton_json_str(tc, "timestamp") : ts, "assistant",
			  "tool_use", name, paths, baton_json_str(args, "command"), a, false);
		cJSON_free(a);
		cJSON_Delete(paths);
		if (rc)
			goto out;
		const cJSON *res;
		cJSON_ArrayForEach(res, baton_json_arr(tc, "result")) {
			const cJSON *fr = baton_json_obj(res, "functionResponse");
			if (fr && (rc = tool_result(r, fr, baton_json_str(tc, "timestamp") ? baton_json_str(tc, "timestamp") : ts)))
				goto out;
		}
	}
	const cJSON *tok = baton_json_obj(m, "tokens");
	if (tok) {
		int64_t cached = baton_json_int(tok, "cached", 0);
		struct baton_usage u = {
			.key = id,
			.model = baton_json_str(m, "model"),
			.input = baton_json_int(tok, "input", 0) - cached,
			.output = baton_json_int(tok, "output", 0),
			.cache_read = cached,
			.reasoning = baton_json_int(tok, "thoughts", 0),
		};
		rc = baton_reader_usage(r, &u);
	}
out:
	baton_strbuf_release(&sb);
	return rc;
}

static int all_messages(struct baton_reader *r, const cJSON *arr)
{
	int rc = baton_reader_truncate(r, NULL);
	const cJSON *m;
	cJSON_ArrayForEach(m, arr)
		if (!rc)
			rc = message(r, m);
	return rc;
}

static int parse_line(struct baton_reader *r, const char *line, size_t len)
{
	cJSON *rec = cJSON_ParseWithLength(line, len);
	int rc = 0;
	r->lines++;
	if (!cJSON_IsObject(rec)) {
		r->bad_lines++;
		cJSON_Delete(rec);
		return 0;
	}
	project_root(r);
	const cJSON *set = baton_json_obj(rec, "$set");
	const char *rewind = baton_json_str(rec, "$rewindTo");
	if (set) {
		baton_reader_set_once(r, "sid", baton_json_str(set, "sessionId"));
		if (cJSON_IsArray(cJSON_GetObjectItem(set, "messages")))
			rc = all_messages(r, cJSON_GetObjectItem(set, "messages"));
	} else if (cJSON_GetObjectItem(rec, "$rewindTo")) {
		rc = baton_reader_truncate(r, rewind ? rewind : "");
	} else if (baton_json_str(rec, "id") && baton_json_str(rec, "type")) {
		rc = message(r, rec);
	} else if (baton_json_str(rec, "sessionId")) {
		/* the metadata line, or a whole legacy document */
		baton_reader_set_once(r, "sid", baton_json_str(rec, "sessionId"));
		if (baton_json_str(rec, "summary"))
			baton_reader_set(r, "title", baton_json_str(rec, "summary"));
		if (cJSON_IsArray(cJSON_GetObjectItem(rec, "messages")))
			rc = all_messages(r, cJSON_GetObjectItem(rec, "messages"));
	}
	cJSON_Delete(rec);
	return rc;
}

const struct baton_source baton_source_gemini = {
	.name = "gemini",
	.whole_file = false, /* per file: .json files are read whole by the ingester */
	.discover = discover,
	.claims = claims,
	.line = parse_line,
};
