/* What the readers share: the source list, emitting through the sink with the state
 * bookkeeping every reader needs, and small text and file-walking helpers. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baton/fsutil.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "sources/source.h"

const struct baton_source *const baton_sources[] = {
	&baton_source_claude,
	&baton_source_codex,
	&baton_source_gemini,
	&baton_source_opencode,
	NULL,
};

const struct baton_source *baton_source_find(const char *name)
{
	for (const struct baton_source *const *s = baton_sources; name && *s; s++)
		if (!strcmp((*s)->name, name))
			return *s;
	return NULL;
}

const char *baton_reader_get(const struct baton_reader *r, const char *key)
{
	return baton_json_str(r->state, key);
}

void baton_reader_set(struct baton_reader *r, const char *key, const char *value)
{
	if (!value)
		return;
	const char *old = baton_json_str(r->state, key);
	if (old && !strcmp(old, value))
		return;
	baton_json_set(r->state, key, cJSON_CreateString(value));
}

void baton_reader_set_once(struct baton_reader *r, const char *key, const char *value)
{
	if (value && *value && !baton_json_str(r->state, key))
		baton_json_set(r->state, key, cJSON_CreateString(value));
}

/* The id from the file name: the last UUID-shaped run of 36 characters before the
 * extension, else the whole stem. */
static void sid_from_path(struct strbuf *sb, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	if (n >= 36) {
		const char *u = base + n - 36;
		if (u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-') {
			baton_strbuf_add(sb, u, 36);
			return;
		}
	}
	baton_strbuf_add(sb, base, n);
}

const char *baton_reader_sid(struct baton_reader *r)
{
	const char *s = baton_reader_get(r, "sid");
	if (s)
		return s;
	struct strbuf sb = STRBUF_INIT;
	sid_from_path(&sb, r->path ? r->path : "unknown");
	baton_reader_set(r, "sid", sb.buf);
	baton_strbuf_release(&sb);
	return baton_reader_get(r, "sid");
}

int baton_reader_emit(struct baton_reader *r, const struct baton_msg *m)
{
	int64_t seq = baton_json_int(r->state, "seq", 0) + 1;
	cJSON *sq = cJSON_GetObjectItemCaseSensitive(r->state, "seq");
	if (cJSON_IsNumber(sq))
		cJSON_SetNumberValue(sq, (double)seq); /* in place: one message, no allocation */
	else
		baton_json_set(r->state, "seq", cJSON_CreateNumber((double)seq));
	if (m->ts) {
		const char *first = baton_reader_get(r, "first"), *last = baton_reader_get(r, "last");
		if (!first || strcmp(m->ts, first) < 0)
			baton_reader_set(r, "first", m->ts);
		if (!last || strcmp(m->ts, last) > 0)
			baton_reader_set(r, "last", m->ts);
	}
	if (m->prompt && m->text && !baton_reader_get(r, "prompt") && !baton_text_is_wrapper(m->text)) {
		/* keep it short: it only seeds an objective */
		char buf[512];
		snprintf(buf, sizeof buf, "%s", m->text);
		baton_reader_set(r, "prompt", buf);
	}
	r->messages++;
	return r->sink && r->sink->message ? r->sink->message(r->sink->ud, baton_reader_sid(r), seq, m) : 0;
}

int baton_reader_usage(struct baton_reader *r, const struct baton_usage *u)
{
	return r->sink && r->sink->usage ? r->sink->usage(r->sink->ud, baton_reader_sid(r), u) : 0;
}

int baton_reader_truncate(struct baton_reader *r, const char *key)
{
	return r->sink && r->sink->truncate ? r->sink->truncate(r->sink->ud, baton_reader_sid(r), key) : 0;
}

bool baton_text_is_wrapper(const char *t)
{
	/* each starts with <, [, # or C (checked first, below) */
	static const char *const pre[] = {
		"<command-name>", "<command-message>", "<command-args>", "<local-command-stdout>",
		"<local-command-stderr>", "<local-command-caveat>", "<system-reminder>",
		"[Request interrupted by user", "<environment_context>", "<user_instructions>",
		"<permissions instructions>", "<skills_instructions>", "# AGENTS.md", "<INSTRUCTIONS>",
		"Caveat: The messages below", "<user_shell_command>", "<turn_aborted>", "<session_context>",
	};
	while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
		t++;
	if (!*t)
		return true;
	if (*t != '<' && *t != '[' && *t != '#' && *t != 'C')
		return false; /* no wrapper starts otherwise: most prompts stop here */
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (!strncmp(t, pre[i], strlen(pre[i])))
			return true;
	return false;
}

void baton_json_text(struct strbuf *sb, const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return;
	if (cJSON_IsString(v)) {
		baton_strbuf_adds(sb, v->valuestring);
		return;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, v) {
			size_t before = sb->len;
			if (sb->len)
				baton_strbuf_addch(sb, '\n');
			size_t mark = sb->len;
			if (cJSON_IsString(it))
				baton_strbuf_adds(sb, it->valuestring);
			else if (baton_json_str(it, "text"))
				baton_strbuf_adds(sb, baton_json_str(it, "text"));
			else if (baton_json_obj(it, "functionResponse"))
				baton_json_text(sb, cJSON_GetObjectItem(baton_json_obj(baton_json_obj(it, "functionResponse"), "response"), "output"));
			else if (!baton_json_str(it, "type") || strcmp(baton_json_str(it, "type"), "image"))
				baton_json_text(sb, it);
			if (sb->len == mark) { /* nothing added: drop the separator */
				sb->len = before;
				sb->buf[before] = '\0';
			}
		}
		return;
	}
	if (cJSON_IsObject(v) && baton_json_str(v, "text")) {
		baton_strbuf_adds(sb, baton_json_str(v, "text"));
		return;
	}
	if (cJSON_IsObject(v) && baton_json_str(v, "output")) {
		baton_strbuf_adds(sb, baton_json_str(v, "output"));
		return;
	}
	char *s = cJSON_PrintUnformatted(v);
	if (s)
		baton_strbuf_adds(sb, s);
	cJSON_free(s);
}

uint64_t baton_hash64(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;
	if (!h)
		h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void baton_hash_hex(char *buf, const void *data, size_t len)
{
	snprintf(buf, 17, "%016llx", (unsigned long long)baton_hash64(data, len, 0));
}

char *baton_argv_command(const cJSON *argv)
{
	if (cJSON_IsString(argv))
		return strdup(argv->valuestring);
	if (!cJSON_IsArray(argv))
		return NULL;
	int n = cJSON_GetArraySize(argv);
	const cJSON *a0 = cJSON_GetArrayItem(argv, 0), *a1 = cJSON_GetArrayItem(argv, 1), *a2 = cJSON_GetArrayItem(argv, 2);
	if (n == 3 && cJSON_IsString(a0) && cJSON_IsString(a1) && cJSON_IsString(a2)) {
		const char *sh = strrchr(a0->valuestring, '/');
		sh = sh ? sh + 1 : a0->valuestring;
		if ((!strcmp(sh, "bash") || !strcmp(sh, "sh") || !strcmp(sh, "zsh")) &&
		    (!strcmp(a1->valuestring, "-lc") || !strcmp(a1->valuestring, "-c")))
			return strdup(a2->valuestring);
	}
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it;
	cJSON_ArrayForEach(it, argv) {
		if (!cJSON_IsString(it))
			continue;
		if (sb.len)
			baton_strbuf_addch(&sb, ' ');
		baton_strbuf_adds(&sb, it->valuestring);
	}
	return baton_strbuf_detach(&sb);
}

static int name_matches(const char *name, const char *prefix, const char *suffix)
{
	size_t n = strlen(name), ls = suffix ? strlen(suffix) : 0;
	if (prefix && strncmp(name, prefix, strlen(prefix)))
		return 0;
	return n > ls && (!suffix || !strcmp(name + n - ls, suffix));
}

/* Directory entries sorted, so discovery (and ingest order) is deterministic. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int baton_walk(const char *dir, int depth, const char *prefix, const char *suffix,
	       int (*found)(void *ud, const char *path), void *ud)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			char **p = realloc(names, alloc * sizeof *names);
			if (!p)
				break;
			names = p;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *p = baton_path_join(dir, names[i]);
		struct stat st;
		if (!rc && p && lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth > 0)
				rc = baton_walk(p, depth - 1, prefix, suffix, found, ud);
			else if (S_ISREG(st.st_mode) && name_matches(names[i], prefix, suffix))
				rc = found(ud, p);
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

#define MAX_TOOL_IDS 64

/* The entry for id, searched newest first (a result mostly answers the latest call);
 * *n counts the entries passed. */
static cJSON *tool_find(const cJSON *m, const char *id, int *n)
{
	cJSON *first = m ? m->child : NULL;
	*n = 0;
	for (cJSON *it = first ? first->prev : NULL; it; it = it == first ? NULL : it->prev) {
		(*n)++;
		if (it->string && !strcmp(it->string, id))
			return it;
	}
	return NULL;
}

void baton_reader_remember_tool(struct baton_reader *r, const char *key, const char *id, const char *name)
{
	if (!id || !name)
		return;
	cJSON *m = baton_json_obj(r->state, key);
	if (!m) {
		m = cJSON_CreateObject();
		cJSON_AddItemToObject(r->state, key, m);
	}
	int n;
	cJSON *old = tool_find(m, id, &n);
	if (old)
		cJSON_Delete(cJSON_DetachItemViaPointer(m, old));
	else if (n >= MAX_TOOL_IDS)
		cJSON_DeleteItemFromArray(m, 0);
	cJSON_AddItemToObject(m, id, cJSON_CreateString(name));
}

const char *baton_reader_tool_of(const struct baton_reader *r, const char *key, const char *id)
{
	int n;
	const cJSON *it = id ? tool_find(baton_json_obj(r->state, key), id, &n) : NULL;
	return cJSON_IsString(it) ? it->valuestring : NULL;
}
