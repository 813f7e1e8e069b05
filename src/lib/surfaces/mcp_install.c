/* `baton mcp install/uninstall/status`: baton's entry in each agent's MCP config.
 * JSON files are edited as trees (every other key kept, re-printed with two-space
 * indentation as the agents write them); Codex's TOML is edited as text, so every
 * byte outside baton's table stays as it was. See include/baton/mcp_install.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/json.h"
#include "baton/mcp_install.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

#define SERVER "baton"
#define MAX_CONFIG (64 * 1024 * 1024)

enum kind { K_CLAUDE, K_CODEX, K_GEMINI, K_OPENCODE };

static const char *const agents[] = { "claude", "codex", "gemini", "opencode" };

struct target {
	enum kind kind;
	const char *agent, *scope;
	char *path;  /* the config file (symlinks resolved) */
	char *exe;   /* absolute path of this baton binary */
	char *home;  /* BATON_HOME to pass, or NULL for the default store */
};

static void target_release(struct target *t)
{
	free(t->path);
	free(t->exe);
	free(t->home);
}

static int env_dir(struct strbuf *sb, const char *var, const char *home, const char *fallback)
{
	const char *v = getenv(var);
	if (v && *v)
		return baton_strbuf_adds(sb, v);
	return baton_strbuf_addf(sb, "%s/%s", home, fallback);
}

static int target_init(struct baton_ctx *ctx, struct target *t, const char *agent, const char *scope)
{
	struct strbuf sb = STRBUF_INIT;
	char *root = NULL;
	int rc = 0;
	memset(t, 0, sizeof *t);
	size_t k;
	for (k = 0; k < 4 && strcmp(agents[k], agent); k++)
		;
	if (k == 4)
		return baton_error(ctx, BATON_EINVALID, "mcp: unknown agent '%s' (claude, codex, gemini, opencode)", agent);
	t->kind = (enum kind)k;
	t->agent = agents[k];
	if (!scope)
		scope = "user";
	if (strcmp(scope, "user") && strcmp(scope, "project"))
		return baton_error(ctx, BATON_EINVALID, "mcp: unknown scope '%s' (user, project)", scope);
	t->scope = !strcmp(scope, "user") ? "user" : "project";
	int project = !strcmp(scope, "project");
	if (project && t->kind == K_CODEX)
		return baton_error(ctx, BATON_EINVALID, "mcp: codex keeps MCP servers in $CODEX_HOME/config.toml only: use --scope user");

	const char *home = getenv("HOME");
	if (!project && (!home || !*home))
		return baton_error(ctx, BATON_EINVALID, "mcp: HOME is not set: cannot find %s's config", t->agent);
	if (project) {
		if ((rc = baton_git_root(ctx, &root, ctx->cwd)) && rc != BATON_ENOTFOUND)
			goto out;
		rc = 0;
		const char *base = root ? root : ctx->cwd;
		static const char *const rel[] = { ".mcp.json", NULL, ".gemini/settings.json", "opencode.json" };
		baton_strbuf_addf(&sb, "%s/%s", base, rel[k]);
	} else if (t->kind == K_CLAUDE) {
		const char *d = getenv("CLAUDE_CONFIG_DIR");
		baton_strbuf_addf(&sb, "%s/.claude.json", d && *d ? d : home);
	} else if (t->kind == K_CODEX) {
		env_dir(&sb, "CODEX_HOME", home, ".codex");
		baton_strbuf_adds(&sb, "/config.toml");
	} else if (t->kind == K_GEMINI) {
		baton_strbuf_addf(&sb, "%s/.gemini/settings.json", home);
	} else {
		env_dir(&sb, "XDG_CONFIG_HOME", home, ".config");
		baton_strbuf_adds(&sb, "/opencode/opencode.json");
	}
	/* write through a symlinked config (dotfile repos) instead of replacing the link */
	char real[PATH_MAX];
	t->path = realpath(sb.buf, real) ? strdup(real) : baton_path_absolute(sb.buf, ctx->cwd);

	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		rc = baton_error(ctx, BATON_ERROR, "mcp: cannot find the baton binary (/proc/self/exe): %s", strerror(errno));
		goto out;
	}
	exe[n] = '\0';
	t->exe = strdup(exe);
	/* the agent starts the server with its own environment: name a non-default store */
	char *def = home && *home ? baton_path_join(home, ".baton") : NULL;
	int other = !def || strcmp(def, ctx->home);
	free(def);
	if (other && !(t->home = strdup(ctx->home)))
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (!t->path || !t->exe)
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
out:
	free(root);
	baton_strbuf_release(&sb);
	return rc;
}

/* ---- files ------------------------------------------------------------------------ */

static char *backup_path(const struct target *t)
{
	struct strbuf sb = STRBUF_INIT;
	if (baton_strbuf_addf(&sb, "%s.baton-bak", t->path))
		return NULL;
	return baton_strbuf_detach(&sb);
}

/* Read the config: 0 with *exists set (a missing file reads as empty). */
static int read_config(struct baton_ctx *ctx, struct strbuf *sb, const char *path, int *exists)
{
	int rc = baton_read_file(ctx, sb, path, MAX_CONFIG);
	*exists = rc != BATON_ENOTFOUND;
	return rc == BATON_ENOTFOUND ? 0 : rc;
}


/* Replace the config atomically, keeping its previous bytes in FILE.baton-bak. */
static int write_config(struct baton_ctx *ctx, const struct target *t, const struct strbuf *old, int existed,
			const char *data, size_t len, char **backup)
{
	return baton_settings_replace(ctx, t->path, old->buf, old->len, existed, data, len,
				      strcmp(t->scope, "user") ? 0644 : 0600, backup);
}

/* ---- JSON configs ----------------------------------------------------------------- */

static const char *container_key(enum kind k)
{
	return k == K_OPENCODE ? "mcp" : "mcpServers";
}

static cJSON *json_entry(const struct target *t)
{
	cJSON *e = cJSON_CreateObject();
	if (t->kind == K_OPENCODE) {
		baton_json_add_str(e, "type", "local");
		cJSON *cmd = cJSON_AddArrayToObject(e, "command");
		cJSON_AddItemToArray(cmd, cJSON_CreateString(t->exe));
		cJSON_AddItemToArray(cmd, cJSON_CreateString("mcp"));
		baton_json_add_bool(e, "enabled", true);
		if (t->home) {
			cJSON *env = cJSON_AddObjectToObject(e, "environment");
			baton_json_add_str(env, "BATON_HOME", t->home);
		}
		return e;
	}
	if (t->kind == K_CLAUDE)
		baton_json_add_str(e, "type", "stdio");
	baton_json_add_str(e, "command", t->exe);
	cJSON *args = cJSON_AddArrayToObject(e, "args");
	cJSON_AddItemToArray(args, cJSON_CreateString("mcp"));
	if (t->home) {
		cJSON *env = cJSON_AddObjectToObject(e, "env");
		baton_json_add_str(env, "BATON_HOME", t->home);
	}
	return e;
}

/* JSON.stringify(x, null, 2) style: cJSON indents with tabs and puts a tab after
 * ':'; raw tabs never occur inside printed strings, so every tab is layout. */
static int print_json(struct strbuf *sb, const cJSON *root)
{
	char *s = cJSON_Print(root);
	if (!s)
		return -1;
	int bol = 1;
	for (const char *p = s; *p; p++) {
		if ((*p == '{' || *p == '[') && p[1] == '\n') {
			/* an empty object prints "{\n<tabs>}": make it "{}" */
			const char *q = p + 2;
			while (*q == '\t')
				q++;
			if (*q == (*p == '{' ? '}' : ']')) {
				baton_strbuf_addch(sb, *p);
				p = q - 1;
				bol = 0;
				continue;
			}
		}
		if (*p == '\t')
			baton_strbuf_adds(sb, bol ? "  " : " ");
		else
			baton_strbuf_addch(sb, *p);
		bol = *p == '\n' || (bol && *p == '\t');
	}
	cJSON_free(s);
	return baton_strbuf_addch(sb, '\n');
}

static int parse_json(struct baton_ctx *ctx, cJSON **out, const struct target *t, const struct strbuf *sb)
{
	*out = NULL;
	size_t i = 0;
	while (i < sb->len && isspace((unsigned char)sb->buf[i]))
		i++;
	if (i == sb->len) {
		*out = cJSON_CreateObject();
		return 0;
	}
	cJSON *j = cJSON_ParseWithLengthOpts(sb->buf, sb->len + 1, NULL, 1);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return baton_error(ctx, BATON_EINVALID,
				   "mcp: '%s' is not a JSON object (comments or a syntax error?): fix it or add baton by hand; the file was not changed",
				   t->path);
	}
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, container_key(t->kind));
	if (c && !cJSON_IsObject(c)) {
		cJSON_Delete(j);
		return baton_error(ctx, BATON_EINVALID, "mcp: '%s': \"%s\" is not an object; the file was not changed", t->path,
				   container_key(t->kind));
	}
	*out = j;
	return 0;
}

static int json_install(struct baton_ctx *ctx, const struct target *t, cJSON *res)
{
	struct strbuf old = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *root = NULL, *want = json_entry(t);
	char *backup = NULL;
	int existed, rc;
	if ((rc = read_config(ctx, &old, t->path, &existed)) || (rc = parse_json(ctx, &root, t, &old)))
		goto out;
	cJSON *c = cJSON_GetObjectItemCaseSensitive(root, container_key(t->kind));
	if (!c)
		c = cJSON_AddObjectToObject(root, container_key(t->kind));
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(c, SERVER);
	const char *status = !have ? "installed" : cJSON_Compare(have, want, 1) ? "unchanged" : "updated";
	if (strcmp(status, "unchanged")) {
		baton_json_set(c, SERVER, want);
		want = NULL;
		if (print_json(&text, root)) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = write_config(ctx, t, &old, existed, text.buf, text.len, &backup)))
			goto out;
	}
	baton_json_add_str(res, "status", status);
	baton_json_add_str(res, "backup", backup);
out:
	free(backup);
	cJSON_Delete(want);
	cJSON_Delete(root);
	baton_strbuf_release(&old);
	baton_strbuf_release(&text);
	return rc;
}

/* Remove baton's entry; put the backup's bytes back when the rest is what it holds. */
static int json_uninstall(struct baton_ctx *ctx, const struct target *t, cJSON *res)
{
	struct strbuf old = STRBUF_INIT, bak = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *root = NULL, *broot = NULL;
	char *bpath = backup_path(t), *backup = NULL;
	int existed, bexists = 0, restored = 0, rc;
	const char *status = "absent";
	if (!bpath) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_config(ctx, &old, t->path, &existed)) || !existed || (rc = parse_json(ctx, &root, t, &old)))
		goto out;
	cJSON *c = cJSON_GetObjectItemCaseSensitive(root, container_key(t->kind));
	if (!cJSON_GetObjectItemCaseSensitive(c, SERVER))
		goto out;
	status = "removed";
	cJSON_DeleteItemFromObjectCaseSensitive(c, SERVER);
	if ((rc = read_config(ctx, &bak, bpath, &bexists)))
		goto out;
	if (bexists) {
		broot = cJSON_ParseWithLengthOpts(bak.buf, bak.len + 1, NULL, 1);
		if (!broot && !bak.len)
			broot = cJSON_CreateObject();
		cJSON *trimmed = cJSON_Duplicate(root, 1);
		/* a container we added and that is empty again was not there before */
		const cJSON *tc = cJSON_GetObjectItemCaseSensitive(trimmed, container_key(t->kind));
		if (!cJSON_GetArraySize(tc) && !cJSON_GetObjectItemCaseSensitive(broot, container_key(t->kind)))
			cJSON_DeleteItemFromObjectCaseSensitive(trimmed, container_key(t->kind));
		restored = broot && cJSON_Compare(trimmed, broot, 1);
		cJSON_Delete(trimmed);
	} else if (cJSON_GetArraySize(root) == 1 && !cJSON_GetArraySize(c)) {
		/* install created this file: nothing of anyone else's is in it */
		if (unlink(t->path)) {
			rc = baton_error(ctx, BATON_ERROR, "mcp: cannot remove '%s': %s", t->path, strerror(errno));
			goto out;
		}
		restored = 1;
		goto out;
	}
	if (restored) {
		mode_t mode = baton_file_mode(t->path, 0600);
		if ((rc = baton_write_atomic(ctx, t->path, bak.buf, bak.len, mode, 1)))
			goto out;
		unlink(bpath);
		goto out;
	}
	if (print_json(&text, root)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	rc = write_config(ctx, t, &old, 1, text.buf, text.len, &backup);
out:
	if (!rc) {
		baton_json_add_str(res, "status", status);
		baton_json_add_bool(res, "restored", restored);
		baton_json_add_str(res, "backup", backup);
	}
	free(bpath);
	free(backup);
	cJSON_Delete(root);
	cJSON_Delete(broot);
	baton_strbuf_release(&old);
	baton_strbuf_release(&bak);
	baton_strbuf_release(&text);
	return rc;
}

/* The installed entry as {command, args} for status, or NULL. */
static cJSON *json_status(struct baton_ctx *ctx, const struct target *t, int *rc)
{
	struct strbuf old = STRBUF_INIT;
	cJSON *root = NULL, *res = NULL;
	int existed;
	*rc = read_config(ctx, &old, t->path, &existed);
	if (!*rc && existed)
		*rc = parse_json(ctx, &root, t, &old);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, container_key(t->kind)), SERVER);
	if (e) {
		res = cJSON_CreateObject();
		const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(e, "command");
		if (t->kind == K_OPENCODE && cJSON_IsArray(cmd)) {
			cJSON *rest = cJSON_Duplicate(cmd, 1);
			cJSON *first = cJSON_DetachItemFromArray(rest, 0);
			cJSON_AddItemToObject(res, "command", first ? first : cJSON_CreateNull());
			cJSON_AddItemToObject(res, "args", rest);
		} else {
			baton_json_add_copy(res, "command", cmd);
			baton_json_add_copy(res, "args", cJSON_GetObjectItemCaseSensitive(e, "args"));
		}
	}
	cJSON_Delete(root);
	baton_strbuf_release(&old);
	return res;
}

/* ---- Codex TOML, edited as text ------------------------------------------------------ */

struct tline {
	const char *s;  /* start of the line in the text */
	size_t len;     /* with its '\n' when it has one */
	int header;     /* a [table] header outside any multi-line value */
	char name[128]; /* the header's dotted name, spaces and quotes removed */
};

/* Split text into lines and check that it reads as TOML: every line outside a
 * multi-line string or array is blank, a comment, a [table] header, or key = value.
 * That is not a full parser, but it refuses what a careful text edit could break. */
static int toml_lines(struct baton_ctx *ctx, const char *path, const char *text, size_t len, struct tline **out, size_t *n)
{
	size_t cap = 16, cnt = 0;
	struct tline *v = malloc(cap * sizeof *v);
	int ml = 0;    /* inside """ (1) or ''' (2) */
	int depth = 0; /* open [ or { of a multi-line value */
	if (!v)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	for (size_t i = 0; i < len;) {
		const char *s = text + i;
		const char *nl = memchr(s, '\n', len - i);
		size_t l = nl ? (size_t)(nl - s) + 1 : len - i;
		if (cnt == cap) {
			struct tline *nv = realloc(v, (cap *= 2) * sizeof *v);
			if (!nv) {
				free(v);
				return baton_error(ctx, BATON_ENOMEM, "out of memory");
			}
			v = nv;
		}
		struct tline *t = &v[cnt++];
		memset(t, 0, sizeof *t);
		t->s = s;
		t->len = l;
		size_t body = nl ? l - 1 : l;
		size_t p = 0;
		if (!ml && !depth) {
			while (p < body && (s[p] == ' ' || s[p] == '\t'))
				p++;
			if (p == body || s[p] == '#' || s[p] == '\r') {
				i += l;
				continue;
			}
			if (s[p] == '[') {
				/* [a.b] or [[a.b]], maybe with a comment after */
				size_t q = p, k = 0;
				int dbl = q + 1 < body && s[q + 1] == '[';
				q += dbl ? 2 : 1;
				while (q < body && s[q] != ']') {
					if (s[q] != ' ' && s[q] != '\t' && s[q] != '"' && s[q] != '\'' && k + 1 < sizeof t->name)
						t->name[k++] = s[q];
					q++;
				}
				t->name[k] = '\0';
				if (q >= body || !k || (dbl && (q + 1 >= body || s[q + 1] != ']')))
					goto bad;
				t->header = 1;
				i += l;
				continue;
			}
			/* key = value */
			size_t q = p;
			while (q < body && s[q] != '=') {
				if (s[q] == '"' || s[q] == '\'') {
					char qc = s[q++];
					while (q < body && s[q] != qc)
						q++;
				}
				q++;
			}
			if (q >= body)
				goto bad;
			p = q + 1;
		}
		/* scan the value (or the continuation of one) for strings and brackets */
		while (p < body) {
			char c = s[p];
			if (ml) {
				const char *end = ml == 1 ? "\"\"\"" : "'''";
				if (c == '\\' && ml == 1)
					p += 2;
				else if (p + 3 <= body && !memcmp(s + p, end, 3))
					ml = 0, p += 3;
				else
					p++;
				continue;
			}
			if (c == '#')
				break;
			if ((c == '"' || c == '\'') && p + 3 <= body && s[p + 1] == c && s[p + 2] == c) {
				ml = c == '"' ? 1 : 2;
				p += 3;
				continue;
			}
			if (c == '"' || c == '\'') {
				p++;
				while (p < body && s[p] != c) {
					if (c == '"' && s[p] == '\\')
						p++;
					p++;
				}
				if (p >= body)
					goto bad; /* a one-line string must end on its line */
				p++;
				continue;
			}
			if (c == '[' || c == '{')
				depth++;
			else if ((c == ']' || c == '}') && --depth < 0)
				goto bad;
			p++;
		}
		i += l;
		continue;
bad:
		free(v);
		return baton_error(ctx, BATON_EINVALID,
				   "mcp: '%s' line %zu does not read as TOML: fix it or add [mcp_servers.baton] by hand; the file was not changed",
				   path, cnt);
	}
	if (ml || depth) {
		free(v);
		return baton_error(ctx, BATON_EINVALID, "mcp: '%s' ends inside an unfinished value; the file was not changed", path);
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int ours(const struct tline *t)
{
	static const char pfx[] = "mcp_servers." SERVER ".";
	return t->header && (!strcmp(t->name, "mcp_servers." SERVER) || !strncmp(t->name, pfx, sizeof pfx - 1));
}

/* baton defined some other way (dotted keys, inline table) cannot be edited safely. */
static int other_form(const struct tline *v, size_t n)
{
	const char *table = "";
	for (size_t i = 0; i < n; i++) {
		if (v[i].header) {
			table = v[i].name;
			continue;
		}
		const char *s = v[i].s;
		size_t l = v[i].len, p = 0;
		while (p < l && (s[p] == ' ' || s[p] == '\t'))
			p++;
		char key[64];
		size_t k = 0;
		while (p < l && s[p] != '=' && s[p] != '\n' && k + 1 < sizeof key) {
			if (s[p] != ' ' && s[p] != '\t' && s[p] != '"' && s[p] != '\'')
				key[k++] = s[p];
			p++;
		}
		key[k] = '\0';
		if ((!*table && !strncmp(key, "mcp_servers." SERVER, 17) && (key[17] == '.' || !key[17])) ||
		    (!strcmp(table, "mcp_servers") && !strncmp(key, SERVER, 5) && (key[5] == '.' || !key[5])))
			return (int)i + 1;
	}
	return 0;
}

static void toml_str(struct strbuf *sb, const char *s)
{
	baton_strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			baton_strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			baton_strbuf_addf(sb, "\\u%04x", c);
		else
			baton_strbuf_addch(sb, (char)c);
	}
	baton_strbuf_addch(sb, '"');
}

static void toml_block(struct strbuf *sb, const struct target *t)
{
	baton_strbuf_adds(sb, "[mcp_servers." SERVER "]\ncommand = ");
	toml_str(sb, t->exe);
	baton_strbuf_adds(sb, "\nargs = [\"mcp\"]\n");
	if (t->home) {
		baton_strbuf_adds(sb, "env = { BATON_HOME = ");
		toml_str(sb, t->home);
		baton_strbuf_adds(sb, " }\n");
	}
}

/* The key of a "key = value" line ("" otherwise). */
static void line_key(const struct tline *t, char *key, size_t cap)
{
	size_t p = 0, k = 0;
	while (p < t->len && (t->s[p] == ' ' || t->s[p] == '\t'))
		p++;
	while (p < t->len && t->s[p] != '=' && t->s[p] != ' ' && t->s[p] != '\t' && t->s[p] != '\n' && k + 1 < cap)
		key[k++] = t->s[p++];
	key[k] = '\0';
}

static int toml_edit(struct baton_ctx *ctx, const struct target *t, const struct strbuf *old, struct strbuf *out,
		     int install, int *found)
{
	struct tline *v = NULL;
	size_t n = 0;
	int rc = toml_lines(ctx, t->path, old->buf, old->len, &v, &n);
	if (rc)
		return rc;
	int bad = other_form(v, n);
	if (bad) {
		free(v);
		return baton_error(ctx, BATON_EINVALID,
				   "mcp: '%s' line %d defines baton's server other than as a [mcp_servers.baton] table: edit it by hand",
				   t->path, bad);
	}
	*found = 0;
	size_t i = 0;
	while (i < n) {
		if (!ours(&v[i])) {
			baton_strbuf_add(out, v[i].s, v[i].len);
			i++;
			continue;
		}
		int main_table = !strcmp(v[i].name, "mcp_servers." SERVER);
		*found |= main_table;
		size_t j = i + 1;
		while (j < n && !v[j].header)
			j++;
		if (install && main_table) {
			/* our keys are rewritten, any other key the user added stays */
			struct strbuf block = STRBUF_INIT;
			toml_block(&block, t);
			baton_strbuf_add(out, block.buf, block.len);
			baton_strbuf_release(&block);
			for (size_t k = i + 1; k < j; k++) {
				char key[32];
				line_key(&v[k], key, sizeof key);
				if (!strcmp(key, "command") || !strcmp(key, "args") || (t->home && !strcmp(key, "env")))
					continue;
				baton_strbuf_add(out, v[k].s, v[k].len);
			}
		} else if (install) {
			for (size_t k = i; k < j; k++)
				baton_strbuf_add(out, v[k].s, v[k].len);
		} else if (out->len >= 2 && out->buf[out->len - 1] == '\n' && out->buf[out->len - 2] == '\n') {
			/* uninstall: drop the blank line that separated the table too */
			out->buf[--out->len] = '\0';
		}
		i = j;
	}
	if (install && !*found) {
		if (out->len && out->buf[out->len - 1] != '\n')
			baton_strbuf_addch(out, '\n');
		if (out->len)
			baton_strbuf_addch(out, '\n');
		toml_block(out, t);
	}
	free(v);
	return 0;
}

static int toml_install(struct baton_ctx *ctx, const struct target *t, cJSON *res)
{
	struct strbuf old = STRBUF_INIT, text = STRBUF_INIT;
	char *backup = NULL;
	int existed, found, rc;
	if ((rc = read_config(ctx, &old, t->path, &existed)) || (rc = toml_edit(ctx, t, &old, &text, 1, &found)))
		goto out;
	const char *status = !found ? "installed" : (text.len == old.len && !memcmp(text.buf, old.buf, old.len)) ? "unchanged" : "updated";
	if (strcmp(status, "unchanged") && (rc = write_config(ctx, t, &old, existed, text.buf, text.len, &backup)))
		goto out;
	baton_json_add_str(res, "status", status);
	baton_json_add_str(res, "backup", backup);
out:
	free(backup);
	baton_strbuf_release(&old);
	baton_strbuf_release(&text);
	return rc;
}

static int trimmed_equal(const struct strbuf *a, const struct strbuf *b)
{
	size_t la = a->len, lb = b->len;
	while (la && a->buf[la - 1] == '\n')
		la--;
	while (lb && b->buf[lb - 1] == '\n')
		lb--;
	return la == lb && !memcmp(a->buf, b->buf, la);
}

static int toml_uninstall(struct baton_ctx *ctx, const struct target *t, cJSON *res)
{
	struct strbuf old = STRBUF_INIT, text = STRBUF_INIT, bak = STRBUF_INIT;
	char *bpath = backup_path(t), *backup = NULL;
	int existed, found = 0, bexists = 0, restored = 0, rc;
	const char *status = "absent";
	if (!bpath) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_config(ctx, &old, t->path, &existed)) || !existed || (rc = toml_edit(ctx, t, &old, &text, 0, &found)))
		goto out;
	if (text.len == old.len && !memcmp(text.buf, old.buf, old.len))
		goto out;
	status = "removed";
	if ((rc = read_config(ctx, &bak, bpath, &bexists)))
		goto out;
	if (bexists && trimmed_equal(&text, &bak)) {
		restored = 1;
		if (!(rc = baton_write_atomic(ctx, t->path, bak.buf, bak.len, baton_file_mode(t->path, 0600), 1)))
			unlink(bpath);
		goto out;
	}
	if (!bexists && !text.len) {
		restored = 1;
		if (unlink(t->path))
			rc = baton_error(ctx, BATON_ERROR, "mcp: cannot remove '%s': %s", t->path, strerror(errno));
		goto out;
	}
	rc = write_config(ctx, t, &old, 1, text.buf, text.len, &backup);
out:
	if (!rc) {
		baton_json_add_str(res, "status", status);
		baton_json_add_bool(res, "restored", restored);
		baton_json_add_str(res, "backup", backup);
	}
	free(bpath);
	free(backup);
	baton_strbuf_release(&old);
	baton_strbuf_release(&text);
	baton_strbuf_release(&bak);
	return rc;
}

/* The [mcp_servers.baton] table's command and args, read back for status. */
static cJSON *toml_status(struct baton_ctx *ctx, const struct target *t, int *rc)
{
	struct strbuf old = STRBUF_INIT;
	struct tline *v = NULL;
	size_t n = 0;
	cJSON *res = NULL;
	int existed;
	*rc = read_config(ctx, &old, t->path, &existed);
	if (*rc || !existed || (*rc = toml_lines(ctx, t->path, old.buf, old.len, &v, &n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].header || strcmp(v[i].name, "mcp_servers." SERVER))
			continue;
		res = cJSON_CreateObject();
		cJSON_AddNullToObject(res, "command");
		cJSON_AddNullToObject(res, "args");
		for (size_t k = i + 1; k < n && !v[k].header; k++) {
			char key[32];
			line_key(&v[k], key, sizeof key);
			const char *eq = memchr(v[k].s, '=', v[k].len);
			if (!eq || (strcmp(key, "command") && strcmp(key, "args")))
				continue;
			/* a one-line TOML string or array of strings reads as JSON here */
			cJSON *val = cJSON_ParseWithLength(eq + 1, v[k].len - (size_t)(eq + 1 - v[k].s));
			baton_json_set(res, key, val ? val : cJSON_CreateNull());
		}
		break;
	}
out:
	free(v);
	baton_strbuf_release(&old);
	return res;
}

/* ---- operations ------------------------------------------------------------------------ */

static cJSON *result_head(const struct target *t)
{
	cJSON *r = cJSON_CreateObject();
	baton_json_add_str(r, "agent", t->agent);
	baton_json_add_str(r, "scope", t->scope);
	baton_json_add_str(r, "file", t->path);
	baton_json_add_str(r, "server", SERVER);
	return r;
}

static void add_command(cJSON *r, const struct target *t)
{
	baton_json_add_str(r, "command", t->exe);
	cJSON *args = cJSON_AddArrayToObject(r, "args");
	cJSON_AddItemToArray(args, cJSON_CreateString("mcp"));
	baton_json_add_str(r, "baton_home", t->home);
}

static const struct baton_arg install_args[] = {
	{ "agent", BATON_ARG_STRING, BATON_ARG_REQUIRED, 'a', NULL, "the agent: claude, codex, gemini or opencode" },
	{ "scope", BATON_ARG_STRING, 0, 's', NULL, "user (default: the agent's user config) or project (this repository's)" },
	{ NULL },
};

static int op_install(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct target t;
	int rc = target_init(ctx, &t, baton_json_str(args, "agent"), baton_json_str(args, "scope"));
	if (rc)
		goto out;
	cJSON *r = result_head(&t);
	add_command(r, &t);
	rc = t.kind == K_CODEX ? toml_install(ctx, &t, r) : json_install(ctx, &t, r);
	if (rc)
		cJSON_Delete(r);
	else
		*out = r;
out:
	target_release(&t);
	return rc;
}

static int op_uninstall(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct target t;
	int rc = target_init(ctx, &t, baton_json_str(args, "agent"), baton_json_str(args, "scope"));
	if (rc)
		goto out;
	cJSON *r = result_head(&t);
	rc = t.kind == K_CODEX ? toml_uninstall(ctx, &t, r) : json_uninstall(ctx, &t, r);
	if (rc)
		cJSON_Delete(r);
	else
		*out = r;
out:
	target_release(&t);
	return rc;
}

static const struct baton_arg status_args[] = {
	{ "agent", BATON_ARG_STRING, 0, 'a', NULL, "only this agent (default: all four)" },
	{ NULL },
};

static int op_status(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *only = baton_json_str(args, "agent");
	cJSON *r = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(r, "servers");
	int rc = 0;
	if (only) {
		struct target t;
		rc = target_init(ctx, &t, only, "user");
		target_release(&t);
		if (rc)
			goto out;
	}
	for (size_t k = 0; k < 4 && !rc; k++) {
		if (only && strcmp(only, agents[k]))
			continue;
		for (int p = 0; p < 2 && !rc; p++) {
			if (p && k == K_CODEX)
				continue;
			struct target t;
			if ((rc = target_init(ctx, &t, agents[k], p ? "project" : "user"))) {
				target_release(&t);
				break;
			}
			cJSON *e = t.kind == K_CODEX ? toml_status(ctx, &t, &rc) : json_status(ctx, &t, &rc);
			cJSON *x = result_head(&t);
			if (rc) {
				/* one unreadable config must not hide the others */
				baton_json_add_bool(x, "installed", false);
				baton_json_add_str(x, "error", baton_errmsg(ctx));
				rc = 0;
			} else {
				baton_json_add_bool(x, "installed", e != NULL);
				baton_json_add_copy(x, "command", e ? cJSON_GetObjectItemCaseSensitive(e, "command") : NULL);
				baton_json_add_copy(x, "args", e ? cJSON_GetObjectItemCaseSensitive(e, "args") : NULL);
				const char *cmd = baton_json_str(e, "command");
				const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "args");
				baton_json_add_bool(x, "current", cmd && !strcmp(cmd, t.exe) && cJSON_GetArraySize(a) == 1 &&
								 cJSON_IsString(cJSON_GetArrayItem(a, 0)) &&
								 !strcmp(cJSON_GetArrayItem(a, 0)->valuestring, "mcp"));
			}
			cJSON_AddItemToArray(arr, x);
			cJSON_Delete(e);
			target_release(&t);
		}
	}
out:
	if (rc)
		cJSON_Delete(r);
	else
		*out = r;
	return rc;
}

const struct baton_op baton_mcp_install_ops[] = {
	{ "mcp.install", "mcp install", "mcp_install", "mcp install --agent claude|codex|gemini|opencode [--scope user|project]",
	  "register baton's MCP server in an agent's config (idempotent, with a backup)", install_args, BATON_OP_MUTATES,
	  op_install },
	{ "mcp.uninstall", "mcp uninstall", "mcp_uninstall", "mcp uninstall --agent AGENT [--scope user|project]",
	  "remove baton's MCP server from an agent's config (the original bytes when nothing else changed)", install_args,
	  BATON_OP_MUTATES, op_uninstall },
	{ "mcp.status", "mcp status", "mcp_status", "mcp status [--agent AGENT]",
	  "where baton's MCP server is registered, and whether with this binary", status_args, 0, op_status },
	{ NULL },
};
