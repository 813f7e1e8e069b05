/* `baton hooks install/uninstall/status`: baton's handlers in each agent's hook config.
 *
 *   claude  user: ~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set)
 *           project: <repo>/.claude/settings.json
 *   codex   user: $CODEX_HOME/hooks.json (default ~/.codex); project: <repo>/.codex/hooks.json
 *   gemini  user: ~/.gemini/settings.json; project: <repo>/.gemini/settings.json,
 *           with hooksConfig.enabled = true
 *
 * The files are edited as JSON trees: every other key and every other hook is kept in
 * its place (cJSON keeps insertion order), and the file is printed back in the style
 * JSON.stringify(x, null, INDENT) gives, with the indentation the file already had.
 * Writes are atomic and keep the previous bytes in FILE.baton-bak; uninstall puts the
 * backup's bytes back when nothing else changed since, so install → uninstall is a
 * byte-for-byte round trip. A file that does not parse is refused, untouched. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/hook.h"
#include "baton/json.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

#define MAX_CONFIG (16 * 1024 * 1024)
#define TIMEOUT_S 10 /* the agent kills a hook after this; ours answer in milliseconds */

enum kind { K_CLAUDE, K_CODEX, K_GEMINI };
static const char *const agents[] = { "claude", "codex", "gemini" };

/* The events each agent gets, and the optional tool event (hooks.post_tool_use). */
static const char *const events[3][7] = {
	{ "SessionStart", "UserPromptSubmit", "PreCompact", "Stop", "SubagentStop", "SessionEnd", NULL },
	{ "SessionStart", "UserPromptSubmit", "PreCompact", "Stop", "SubagentStop", "SessionEnd", NULL },
	{ "SessionStart", "BeforeAgent", "PreCompress", "AfterAgent", "SessionEnd", NULL, NULL },
};
static const char *const tool_event[3] = { "PostToolUse", "PostToolUse", "AfterTool" };

struct target {
	enum kind kind;
	const char *agent, *scope;
	char *path;   /* the config file (symlinks resolved) */
	char *exe;    /* this baton binary */
	char *prefix; /* the command's start: [BATON_HOME=… ]'exe' */
};

static void target_release(struct target *t)
{
	free(t->path);
	free(t->exe);
	free(t->prefix);
}

static int target_init(struct baton_ctx *ctx, struct target *t, const char *agent, const char *scope)
{
	struct strbuf sb = STRBUF_INIT, pre = STRBUF_INIT;
	char *root = NULL;
	int rc = 0;
	memset(t, 0, sizeof *t);
	size_t k;
	if (!agent)
		agent = "claude";
	for (k = 0; k < 3 && strcmp(agents[k], agent); k++)
		;
	if (k == 3)
		return baton_error(ctx, BATON_EINVALID, "hooks: unknown agent '%s' (claude, codex, gemini)", agent);
	t->kind = (enum kind)k;
	t->agent = agents[k];
	if (!scope)
		scope = "user";
	if (strcmp(scope, "user") && strcmp(scope, "project"))
		return baton_error(ctx, BATON_EINVALID, "hooks: unknown scope '%s' (user, project)", scope);
	t->scope = !strcmp(scope, "user") ? "user" : "project";
	const char *home = getenv("HOME");
	if (!strcmp(t->scope, "project")) {
		if ((rc = baton_git_root(ctx, &root, ctx->cwd)))
			goto out;
		static const char *const rel[] = { ".claude/settings.json", ".codex/hooks.json", ".gemini/settings.json" };
		baton_strbuf_addf(&sb, "%s/%s", root ? root : ctx->cwd, rel[k]);
	} else {
		if (!home || !*home) {
			rc = baton_error(ctx, BATON_EINVALID, "hooks: HOME is not set: cannot find %s's settings", t->agent);
			goto out;
		}
		const char *d = k == K_CLAUDE ? getenv("CLAUDE_CONFIG_DIR") : k == K_CODEX ? getenv("CODEX_HOME") : NULL;
		if (d && *d)
			baton_strbuf_addf(&sb, "%s/%s", d, k == K_CODEX ? "hooks.json" : "settings.json");
		else
			baton_strbuf_addf(&sb, "%s/%s", home,
					  k == K_CLAUDE ? ".claude/settings.json" : k == K_CODEX ? ".codex/hooks.json"
											  : ".gemini/settings.json");
	}
	char real[PATH_MAX];
	t->path = realpath(sb.buf, real) ? strdup(real) : baton_path_absolute(sb.buf, ctx->cwd);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		rc = baton_error(ctx, BATON_ERROR, "hooks: cannot find the baton binary (/proc/self/exe): %s", strerror(errno));
		goto out;
	}
	exe[n] = '\0';
	t->exe = strdup(exe);
	/* the agent runs the hook with its own environment: name a non-default store */
	char *def = home && *home ? baton_path_join(home, ".baton") : NULL;
	if (!def || strcmp(def, ctx->home)) {
		baton_strbuf_adds(&pre, "BATON_HOME=");
		baton_shell_quote(&pre, ctx->home);
		baton_strbuf_addch(&pre, ' ');
	}
	free(def);
	if (strcspn(exe, " \t\n'\"\\$`;&|<>()*?[]#~") == strlen(exe))
		baton_strbuf_adds(&pre, exe);
	else
		baton_shell_quote(&pre, exe);
	t->prefix = baton_strbuf_detach(&pre);
	if (!t->path || !t->exe || !t->prefix)
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
out:
	free(root);
	baton_strbuf_release(&sb);
	baton_strbuf_release(&pre);
	return rc;
}

/* ---- printing in the file's own style ------------------------------------------------ */

struct style {
	char indent[16]; /* one level: "  ", "    " or "\t" */
	int final_newline;
};

static void detect_style(struct style *st, const struct strbuf *text)
{
	snprintf(st->indent, sizeof st->indent, "  ");
	st->final_newline = !text->len || text->buf[text->len - 1] == '\n';
	for (const char *p = text->buf; (p = strchr(p, '\n'));) {
		p++;
		size_t n = strspn(p, " \t");
		if (n && p[n] && p[n] != '\n' && p[n] != '\r') {
			if (n >= sizeof st->indent)
				n = sizeof st->indent - 1;
			memcpy(st->indent, p, n);
			st->indent[n] = '\0';
			return;
		}
	}
}

static void pad(struct strbuf *sb, const struct style *st, int depth)
{
	for (int i = 0; i < depth; i++)
		baton_strbuf_adds(sb, st->indent);
}

/* JSON.stringify(x, null, indent): one member per line, "key": value, empty {} and []. */
static int print_value(struct strbuf *sb, const cJSON *v, const struct style *st, int depth)
{
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		int obj = cJSON_IsObject(v);
		if (!v->child)
			return baton_strbuf_adds(sb, obj ? "{}" : "[]");
		baton_strbuf_addch(sb, obj ? '{' : '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			baton_strbuf_addch(sb, '\n');
			pad(sb, st, depth + 1);
			if (obj) {
				cJSON *k = cJSON_CreateString(c->string ? c->string : "");
				int r = baton_json_append(sb, k);
				cJSON_Delete(k);
				if (r)
					return -1;
				baton_strbuf_adds(sb, ": ");
			}
			if (print_value(sb, c, st, depth + 1))
				return -1;
			if (c->next)
				baton_strbuf_addch(sb, ',');
		}
		baton_strbuf_addch(sb, '\n');
		pad(sb, st, depth);
		return baton_strbuf_addch(sb, obj ? '}' : ']');
	}
	return baton_json_append(sb, v);
}

static int print_config(struct strbuf *sb, const cJSON *root, const struct style *st)
{
	if (print_value(sb, root, st, 0))
		return -1;
	return st->final_newline ? baton_strbuf_addch(sb, '\n') : 0;
}

/* ---- files --------------------------------------------------------------------------- */

static int read_config(struct baton_ctx *ctx, struct strbuf *sb, const char *path, int *exists)
{
	int rc = baton_read_file(ctx, sb, path, MAX_CONFIG);
	*exists = rc != BATON_ENOTFOUND;
	return rc == BATON_ENOTFOUND ? 0 : rc;
}


static int parse_config(struct baton_ctx *ctx, cJSON **out, const struct target *t, const struct strbuf *sb)
{
	*out = NULL;
	size_t i = strspn(sb->buf, " \t\r\n");
	if (i == sb->len) {
		*out = cJSON_CreateObject();
		return 0;
	}
	cJSON *j = cJSON_ParseWithLengthOpts(sb->buf, sb->len + 1, NULL, 1);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return baton_error(ctx, BATON_EINVALID,
				   "hooks: '%s' is not a JSON object (comments or a syntax error?): fix it, or add the hooks by hand "
				   "(baton-hooks(1)); the file was not changed", t->path);
	}
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "hooks");
	if (h && !cJSON_IsObject(h)) {
		cJSON_Delete(j);
		return baton_error(ctx, BATON_EINVALID, "hooks: '%s': \"hooks\" is not an object; the file was not changed", t->path);
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, h)
		if (!cJSON_IsArray(e)) {
			baton_error(ctx, BATON_EINVALID, "hooks: '%s': \"hooks\".\"%s\" is not an array; the file was not changed",
				    t->path, e->string);
			cJSON_Delete(j);
			return BATON_EINVALID;
		}
	*out = j;
	return 0;
}

/* Replace the config atomically, keeping its previous bytes in FILE.baton-bak. */
static int write_config(struct baton_ctx *ctx, const struct target *t, const struct strbuf *old, int existed,
			const struct strbuf *text, char **backup)
{
	return baton_settings_replace(ctx, t->path, old->buf, old->len, existed, text->buf, text->len, 0600, backup);
}

/* ---- our handlers ------------------------------------------------------------------------- */

/* A handler command is ours when it reads "… hook EVENT --agent AGENT" to its end:
 * the shape install writes, whatever the binary is called or where it lives. */
static int is_ours(const char *cmd)
{
	if (!cmd || !strstr(cmd, " hook "))
		return 0;
	size_t n = strlen(cmd);
	while (n && isspace((unsigned char)cmd[n - 1]))
		n--;
	for (size_t k = 0; k < 3; k++) {
		char tail[32];
		int tl = snprintf(tail, sizeof tail, " --agent %s", agents[k]);
		if (n >= (size_t)tl && !strncmp(cmd + n - tl, tail, (size_t)tl))
			return 1;
	}
	return 0;
}

static cJSON *handler(const struct target *t, const char *event)
{
	struct strbuf cmd = STRBUF_INIT;
	baton_strbuf_addf(&cmd, "%s hook %s --agent %s", t->prefix, event, t->agent);
	cJSON *h = cJSON_CreateObject();
	if (t->kind == K_GEMINI)
		baton_json_add_str(h, "name", "baton");
	baton_json_add_str(h, "type", "command");
	baton_json_add_str(h, "command", cmd.buf);
	baton_json_add_int(h, "timeout", t->kind == K_GEMINI ? TIMEOUT_S * 1000 : TIMEOUT_S);
	baton_strbuf_release(&cmd);
	return h;
}

/* Remove every handler of ours from the hooks object, then groups and event arrays
 * that only held ours. Returns how many handlers were removed. */
static int strip_ours(cJSON *hooks)
{
	int removed = 0;
	cJSON *ev = hooks ? hooks->child : NULL;
	while (ev) {
		cJSON *next_ev = ev->next;
		int had = 0;
		cJSON *g = cJSON_IsArray(ev) ? ev->child : NULL;
		while (g) {
			cJSON *next_g = g->next;
			cJSON *hs = cJSON_GetObjectItemCaseSensitive(g, "hooks");
			cJSON *h = cJSON_IsArray(hs) ? hs->child : NULL;
			int here = 0;
			while (h) {
				cJSON *next_h = h->next;
				if (is_ours(baton_json_str(h, "command"))) {
					cJSON_Delete(cJSON_DetachItemViaPointer(hs, h));
					here++;
				}
				h = next_h;
			}
			if (here && !hs->child)
				cJSON_Delete(cJSON_DetachItemViaPointer(ev, g));
			had += here;
			g = next_g;
		}
		if (had && !ev->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(hooks, ev));
		removed += had;
		ev = next_ev;
	}
	return removed;
}

static int wants_tool_event(struct baton_ctx *ctx)
{
	return baton_config_bool(ctx, "hooks.post_tool_use", false);
}

/* ---- install ---------------------------------------------------------------------------- */

/* Put our handler for each event into root; returns 1 when root changed. */
static int merge(struct baton_ctx *ctx, const struct target *t, cJSON *root, cJSON *done)
{
	int changed = 0;
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	if (!hooks) {
		hooks = cJSON_AddObjectToObject(root, "hooks");
		changed = 1;
	}
	const char *list[8];
	size_t n = 0;
	for (size_t i = 0; events[t->kind][i]; i++)
		list[n++] = events[t->kind][i];
	if (wants_tool_event(ctx))
		list[n++] = tool_event[t->kind];
	for (size_t i = 0; i < n; i++) {
		cJSON *want = handler(t, list[i]);
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(hooks, list[i]);
		if (!arr) {
			arr = cJSON_AddArrayToObject(hooks, list[i]);
			changed = 1;
		}
		int found = 0;
		cJSON *g;
		cJSON_ArrayForEach(g, arr) {
			cJSON *hs = cJSON_GetObjectItemCaseSensitive(g, "hooks");
			cJSON *h = cJSON_IsArray(hs) ? hs->child : NULL;
			while (h) {
				cJSON *next = h->next;
				const char *cmd = baton_json_str(h, "command");
				/* ours for this event: "… hook EVENT …" */
				struct strbuf pat = STRBUF_INIT;
				baton_strbuf_addf(&pat, " hook %s ", list[i]);
				int mine = is_ours(cmd) && strstr(cmd, pat.buf);
				baton_strbuf_release(&pat);
				if (mine && found) {
					cJSON_Delete(cJSON_DetachItemViaPointer(hs, h)); /* a duplicate */
					changed = 1;
				} else if (mine) {
					found = 1;
					if (!cJSON_Compare(h, want, 1)) {
						cJSON_ReplaceItemViaPointer(hs, h, cJSON_Duplicate(want, 1));
						changed = 1;
					}
				}
				h = next;
			}
		}
		if (!found) {
			cJSON *grp = cJSON_CreateObject();
			cJSON *hs = cJSON_AddArrayToObject(grp, "hooks");
			cJSON_AddItemToArray(hs, cJSON_Duplicate(want, 1));
			cJSON_AddItemToArray(arr, grp);
			changed = 1;
		}
		cJSON_AddItemToArray(done, cJSON_CreateString(list[i]));
		cJSON_Delete(want);
	}
	if (t->kind == K_GEMINI) {
		cJSON *hc = cJSON_GetObjectItemCaseSensitive(root, "hooksConfig");
		if (!cJSON_IsObject(hc)) {
			if (hc)
				cJSON_DeleteItemFromObjectCaseSensitive(root, "hooksConfig");
			hc = cJSON_AddObjectToObject(root, "hooksConfig");
		}
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(hc, "enabled"))) {
			baton_json_set(hc, "enabled", cJSON_CreateTrue());
			changed = 1;
		}
	}
	return changed;
}

static const char *note_for(const struct target *t)
{
	if (t->kind == K_CODEX)
		return "codex runs a new or changed hook only once you trust it: open /hooks in codex and trust baton's "
		       "(or run codex with --dangerously-bypass-hook-trust)";
	if (t->kind == K_GEMINI)
		return "gemini: PreCompress fires before every model call; baton counts a compaction only for a manual /compress";
	return NULL;
}

static cJSON *result_head(const struct target *t)
{
	cJSON *r = cJSON_CreateObject();
	baton_json_add_str(r, "agent", t->agent);
	baton_json_add_str(r, "scope", t->scope);
	baton_json_add_str(r, "file", t->path);
	return r;
}

static int do_install(struct baton_ctx *ctx, const struct target *t, cJSON *r)
{
	struct strbuf old = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *root = NULL, *done = cJSON_CreateArray();
	char *backup = NULL;
	int existed, rc;
	if ((rc = read_config(ctx, &old, t->path, &existed)) || (rc = parse_config(ctx, &root, t, &old)))
		goto out;
	int had = 0;
	const cJSON *ev;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(root, "hooks")) {
		const cJSON *g, *h;
		cJSON_ArrayForEach(g, ev) cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(g, "hooks"))
			had |= is_ours(baton_json_str(h, "command"));
	}
	int changed = merge(ctx, t, root, done);
	const char *status = !changed ? "unchanged" : had ? "updated" : "installed";
	if (changed) {
		struct style st;
		detect_style(&st, &old);
		if (print_config(&text, root, &st)) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = write_config(ctx, t, &old, existed, &text, &backup)))
			goto out;
	}
	baton_json_add_str(r, "status", status);
	baton_json_add_str(r, "command", t->exe);
	cJSON_AddItemToObject(r, "events", done);
	done = NULL;
	baton_json_add_str(r, "backup", backup);
	baton_json_add_str(r, "note", note_for(t));
out:
	free(backup);
	cJSON_Delete(done);
	cJSON_Delete(root);
	baton_strbuf_release(&old);
	baton_strbuf_release(&text);
	return rc;
}

/* ---- uninstall ----------------------------------------------------------------------- */

/* What the file would hold had we never installed: root minus our handlers, minus the
 * containers we made that are empty again (those absent from the backup). */
static void strip_for_compare(cJSON *root, const cJSON *backup, enum kind kind)
{
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(root, "hooks");
	strip_ours(hooks);
	const cJSON *bh = cJSON_GetObjectItemCaseSensitive(backup, "hooks");
	if (hooks && !hooks->child && !bh)
		cJSON_DeleteItemFromObjectCaseSensitive(root, "hooks");
	if (kind == K_GEMINI) {
		cJSON *hc = cJSON_GetObjectItemCaseSensitive(root, "hooksConfig");
		const cJSON *bhc = cJSON_GetObjectItemCaseSensitive(backup, "hooksConfig");
		if (cJSON_IsObject(hc) && !cJSON_GetObjectItemCaseSensitive(bhc, "enabled"))
			cJSON_DeleteItemFromObjectCaseSensitive(hc, "enabled");
		if (cJSON_IsObject(hc) && !hc->child && !bhc)
			cJSON_DeleteItemFromObjectCaseSensitive(root, "hooksConfig");
	}
}

static int do_uninstall(struct baton_ctx *ctx, const struct target *t, cJSON *r)
{
	struct strbuf old = STRBUF_INIT, bak = STRBUF_INIT, text = STRBUF_INIT, bpath = STRBUF_INIT;
	cJSON *root = NULL, *broot = NULL, *trial = NULL;
	char *backup = NULL;
	int existed, bexists = 0, restored = 0, removed = 0, rc;
	const char *status = "absent";
	if (baton_strbuf_addf(&bpath, "%s.baton-bak", t->path)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_config(ctx, &old, t->path, &existed)) || !existed || (rc = parse_config(ctx, &root, t, &old)))
		goto out;
	trial = cJSON_Duplicate(root, 1);
	if (!(removed = strip_ours(cJSON_GetObjectItemCaseSensitive(trial, "hooks"))))
		goto out;
	status = "removed";
	if ((rc = read_config(ctx, &bak, bpath.buf, &bexists)))
		goto out;
	if (bexists) {
		broot = cJSON_ParseWithLengthOpts(bak.buf, bak.len + 1, NULL, 1);
		if (!broot && !bak.buf[strspn(bak.buf, " \t\r\n")])
			broot = cJSON_CreateObject();
		/* a backup that holds our handlers (an update's) is no original to restore */
		cJSON *probe = broot ? cJSON_Duplicate(broot, 1) : NULL;
		int clean = probe && !strip_ours(cJSON_GetObjectItemCaseSensitive(probe, "hooks"));
		cJSON_Delete(probe);
		cJSON *cmp = cJSON_Duplicate(root, 1);
		strip_for_compare(cmp, broot, t->kind);
		restored = clean && cJSON_Compare(cmp, broot, 1);
		cJSON_Delete(cmp);
		if (restored) {
			if ((rc = baton_write_atomic(ctx, t->path, bak.buf, bak.len, baton_file_mode(t->path, 0600), 1)))
				goto out;
			unlink(bpath.buf);
			goto out;
		}
	} else {
		cJSON *cmp = cJSON_Duplicate(root, 1);
		cJSON *empty = cJSON_CreateObject();
		strip_for_compare(cmp, empty, t->kind);
		int nothing = !cmp->child;
		cJSON_Delete(cmp);
		cJSON_Delete(empty);
		if (nothing) {
			/* install created this file: nothing of anyone else's is in it */
			if (unlink(t->path)) {
				rc = baton_error(ctx, BATON_ERROR, "hooks: cannot remove '%s': %s", t->path, strerror(errno));
				goto out;
			}
			restored = 1;
			goto out;
		}
	}
	struct style st;
	detect_style(&st, &old);
	if (print_config(&text, trial, &st)) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	rc = write_config(ctx, t, &old, 1, &text, &backup);
out:
	if (!rc) {
		baton_json_add_str(r, "status", status);
		baton_json_add_int(r, "removed", removed);
		baton_json_add_bool(r, "restored", restored);
		baton_json_add_str(r, "backup", backup);
	}
	free(backup);
	cJSON_Delete(root);
	cJSON_Delete(broot);
	cJSON_Delete(trial);
	baton_strbuf_release(&old);
	baton_strbuf_release(&bak);
	baton_strbuf_release(&text);
	baton_strbuf_release(&bpath);
	return rc;
}

/* ---- status ------------------------------------------------------------------------------ */

/* The program a command runs: its first word after VAR=value assignments, unquoted. */
static char *command_program(const char *cmd)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = cmd;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		baton_strbuf_reset(&sb);
		int assign = 0;
		char q = 0;
		for (; *p && (q || (*p != ' ' && *p != '\t')); p++) {
			if (q) {
				if (*p == q)
					q = 0;
				else
					baton_strbuf_addch(&sb, *p);
			} else if (*p == '\'' || *p == '"') {
				q = *p;
			} else {
				if (*p == '=' && !assign && sb.len)
					assign = 1;
				baton_strbuf_addch(&sb, *p);
			}
		}
		if (!assign || !*p)
			break;
	}
	return baton_strbuf_detach(&sb);
}

static void status_one(struct baton_ctx *ctx, const struct target *t, cJSON *arr)
{
	struct strbuf old = STRBUF_INIT;
	cJSON *root = NULL, *x = result_head(t), *evs = cJSON_CreateArray();
	char *program = NULL;
	const char *cmd = NULL;
	int existed, rc = read_config(ctx, &old, t->path, &existed);
	if (!rc && existed)
		rc = parse_config(ctx, &root, t, &old);
	if (rc) {
		baton_json_add_bool(x, "installed", false);
		baton_json_add_str(x, "error", baton_errmsg(ctx));
		cJSON_Delete(evs);
		goto out;
	}
	const cJSON *ev, *g, *h;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(root, "hooks")) {
		int mine = 0;
		cJSON_ArrayForEach(g, ev) cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(g, "hooks"))
			if (is_ours(baton_json_str(h, "command"))) {
				mine = 1;
				if (!cmd)
					cmd = baton_json_str(h, "command");
			}
		if (mine)
			cJSON_AddItemToArray(evs, cJSON_CreateString(ev->string));
	}
	baton_json_add_bool(x, "installed", cJSON_GetArraySize(evs) > 0);
	cJSON_AddItemToObject(x, "events", evs);
	program = cmd ? command_program(cmd) : NULL;
	baton_json_add_str(x, "command", program);
	if (program) {
		baton_json_add_bool(x, "command_exists", access(program, X_OK) == 0);
		baton_json_add_bool(x, "current", !strcmp(program, t->exe));
	} else {
		cJSON_AddNullToObject(x, "command_exists");
		cJSON_AddNullToObject(x, "current");
	}
	if (t->kind == K_GEMINI)
		baton_json_add_bool(x, "enabled", !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
							  cJSON_GetObjectItemCaseSensitive(root, "hooksConfig"), "enabled")));
out:
	cJSON_AddItemToArray(arr, x);
	free(program);
	cJSON_Delete(root);
	baton_strbuf_release(&old);
}

/* ---- operations ------------------------------------------------------------------------ */

static const struct baton_arg install_args[] = {
	{ "agent", BATON_ARG_STRING, 0, 'a', NULL, "the agent: claude (default), codex or gemini" },
	{ "scope", BATON_ARG_STRING, 0, 's', NULL, "user (default: the agent's settings in HOME) or project (this repository's)" },
	{ NULL },
};

static int op_install(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct target t;
	int rc = target_init(ctx, &t, baton_json_str(args, "agent"), baton_json_str(args, "scope"));
	if (!rc) {
		cJSON *r = result_head(&t);
		if ((rc = do_install(ctx, &t, r)))
			cJSON_Delete(r);
		else
			*out = r;
	}
	target_release(&t);
	return rc;
}

static int op_uninstall(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct target t;
	int rc = target_init(ctx, &t, baton_json_str(args, "agent"), baton_json_str(args, "scope"));
	if (!rc) {
		cJSON *r = result_head(&t);
		if ((rc = do_uninstall(ctx, &t, r)))
			cJSON_Delete(r);
		else
			*out = r;
	}
	target_release(&t);
	return rc;
}

static const struct baton_arg status_args[] = {
	{ "agent", BATON_ARG_STRING, 0, 'a', NULL, "only this agent (default: all three)" },
	{ "scope", BATON_ARG_STRING, 0, 's', NULL, "only this scope: user or project (default: both)" },
	{ NULL },
};

static int op_status(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *only = baton_json_str(args, "agent"), *scope = baton_json_str(args, "scope");
	struct target t;
	int rc = 0;
	if ((only || scope) && (rc = target_init(ctx, &t, only, scope))) {
		target_release(&t);
		return rc;
	}
	if (only || scope)
		target_release(&t);
	cJSON *r = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(r, "hooks");
	for (size_t k = 0; k < 3; k++) {
		if (only && strcmp(only, agents[k]))
			continue;
		for (int p = 0; p < 2; p++) {
			const char *sc = p ? "project" : "user";
			if (scope && strcmp(scope, sc))
				continue;
			int e = target_init(ctx, &t, agents[k], sc);
			if (!e)
				status_one(ctx, &t, arr);
			target_release(&t);
		}
	}
	*out = r;
	return 0;
}

const struct baton_op baton_hooks_ops[] = {
	{ "hooks.install", "hooks install", "hooks_install", "hooks install [--agent claude|codex|gemini] [--scope user|project]",
	  "install baton's hooks in an agent's settings (idempotent, atomic, with a backup)", install_args,
	  BATON_OP_MUTATES, op_install },
	{ "hooks.uninstall", "hooks uninstall", "hooks_uninstall",
	  "hooks uninstall [--agent claude|codex|gemini] [--scope user|project]",
	  "remove baton's hooks from an agent's settings (the original bytes when nothing else changed)", install_args,
	  BATON_OP_MUTATES, op_uninstall },
	{ "hooks.status", "hooks status", "hooks_status", "hooks status [--agent claude|codex|gemini] [--scope user|project]",
	  "where baton's hooks are installed, for which events, and whether their command still exists", status_args, 0,
	  op_status },
	{ NULL },
};
