/* The run ledger: runs, their threads of attempts, dead-run detection, the agents'
 * resume / retry / start commands, and the index module behind them.
 * The operations (runs, runs show, fix, restore) are in run_ops.c. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/redact.h"
#include "baton/run.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "store/modules.h"

/* ---- agents ------------------------------------------------------------------- */

/* Built-in command templates; config.toml's [agents.NAME] keys of the same names
 * override them (and name agents baton does not know). */
static const struct {
	const char *agent, *key, *tpl;
} default_templates[] = {
	{ "claude", "resume", "claude --resume {session}" },
	{ "claude", "resume_latest", "claude --continue" },
	{ "claude", "start", "claude {model_args} {prompt}" },
	{ "codex", "resume", "codex resume {session}" },
	{ "codex", "resume_exec", "codex exec resume {session}" },
	{ "codex", "resume_latest", "codex resume --last" },
	{ "codex", "start", "codex {model_args} {prompt}" },
	{ "gemini", "resume", "gemini --resume {session}" },
	{ "gemini", "resume_latest", "gemini --resume latest" },
	{ "gemini", "start", "gemini {model_args} --prompt-interactive {prompt}" },
	{ "opencode", "resume", "opencode --session {session}" },
	{ "opencode", "resume_latest", "opencode --continue" },
	{ "opencode", "start", "opencode {model_args} --prompt {prompt}" },
};

static const char *const known_agents[] = { "claude", "codex", "gemini", "opencode", NULL };

bool baton_run_agent_known(const char *name)
{
	for (const char *const *p = known_agents; name && *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

const char *baton_run_template(struct baton_ctx *ctx, const char *agent, const char *key)
{
	struct strbuf k = STRBUF_INIT;
	baton_strbuf_addf(&k, "agents.%s.%s", agent ? agent : "", key);
	const char *v = baton_config_get(&ctx->config, k.buf);
	baton_strbuf_release(&k);
	if (v && *v)
		return v;
	if (!strcmp(key, "retry"))
		return "{argv}";
	for (size_t i = 0; agent && i < sizeof default_templates / sizeof default_templates[0]; i++)
		if (!strcmp(default_templates[i].agent, agent) && !strcmp(default_templates[i].key, key))
			return default_templates[i].tpl;
	return NULL;
}

/* ---- this machine: boot id and processes --------------------------------------- */

const char *baton_boot_id(struct baton_ctx *ctx)
{
	if (ctx->boot_id)
		return ctx->boot_id;
	char buf[128] = "";
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	ctx->boot_id = strdup(buf);
	return ctx->boot_id ? ctx->boot_id : "";
}

int baton_proc_start(int64_t *out, int pid)
{
	char path[64], buf[1024];
	*out = 0;
	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) S ppid … starttime …": comm may hold ')' and spaces, so go from the
	 * last ')'; the state is field 3 and starttime field 22. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return -1;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno || end == p)
		return -1;
	*out = v;
	return 0;
}

/* Alive, and the same process as recorded (a pid can be reused). start 0: unknown. */
static bool proc_alive(int64_t pid, int64_t start)
{
	int64_t now;
	if (pid <= 0 || baton_proc_start(&now, (int)pid))
		return false;
	return !start || now == start;
}

/* ---- argv ------------------------------------------------------------------------ */

static const char *argv_at(const cJSON *argv, int i)
{
	const cJSON *it = cJSON_GetArrayItem(argv, i);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The value of flag (given as "--flag V", "--flag=V", or short "-f V") in argv, or NULL. */
static const char *flag_value(const cJSON *argv, const char *lng, const char *shrt)
{
	int n = cJSON_GetArraySize(argv);
	size_t ll = strlen(lng);
	for (int i = 1; i < n; i++) {
		const char *a = argv_at(argv, i);
		if (!a)
			continue;
		if (!strcmp(a, "--"))
			break;
		if ((!strcmp(a, lng) || (shrt && !strcmp(a, shrt))) && i + 1 < n)
			return argv_at(argv, i + 1);
		if (!strncmp(a, lng, ll) && a[ll] == '=')
			return a + ll + 1;
	}
	return NULL;
}

static bool has_flag(const cJSON *argv, const char *lng, const char *shrt)
{
	int n = cJSON_GetArraySize(argv);
	size_t ll = strlen(lng);
	for (int i = 1; i < n; i++) {
		const char *a = argv_at(argv, i);
		if (!a || !strcmp(a, "--"))
			break;
		if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt)) || (!strncmp(a, lng, ll) && a[ll] == '='))
			return true;
	}
	return false;
}

static bool all_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The agent's own session id named on its command line, or NULL. */
static const char *argv_agent_session(const char *agent, const cJSON *argv)
{
	const char *v = NULL;
	if (!agent)
		return NULL;
	if (!strcmp(agent, "claude")) {
		if (has_flag(argv, "--fork-session", NULL))
			return flag_value(argv, "--session-id", NULL);
		v = flag_value(argv, "--session-id", NULL);
		if (!v)
			v = flag_value(argv, "--resume", "-r");
	} else if (!strcmp(agent, "codex")) {
		const char *a1 = argv_at(argv, 1), *a2 = argv_at(argv, 2), *a3 = argv_at(argv, 3);
		if (a1 && !strcmp(a1, "resume"))
			v = a2;
		else if (a1 && a2 && !strcmp(a1, "exec") && !strcmp(a2, "resume"))
			v = a3;
	} else if (!strcmp(agent, "gemini")) {
		v = flag_value(argv, "--resume", "-r");
		if (v && (!strcmp(v, "latest") || all_digits(v)))
			v = NULL;
	} else if (!strcmp(agent, "opencode")) {
		v = flag_value(argv, "--session", "-s");
	}
	return v && *v && *v != '-' ? v : NULL;
}

/* Claude lets the caller choose a new session's id: do so unless the command already
 * picks a session, or is a subcommand that has none. */
static bool claude_wants_session_id(const cJSON *argv)
{
	static const char *const picks[][2] = {
		{ "--session-id", NULL }, { "--resume", "-r" }, { "--continue", "-c" },
		{ "--help", "-h" }, { "--version", "-v" },
	};
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++)
		if (has_flag(argv, picks[i][0], picks[i][1]))
			return false;
	static const char *const subcommands[] = { "mcp", "config", "doctor", "update", "upgrade", "install",
						   "migrate-installer", "setup-token", "plugin", "auth", NULL };
	const char *a1 = argv_at(argv, 1);
	for (const char *const *s = subcommands; a1 && *s; s++)
		if (!strcmp(a1, *s))
			return false;
	return true;
}

/* A copy of argv without claude's "--session-id X" (a retry needs a fresh id). */
cJSON *baton_run_argv_for_retry(const char *agent, const cJSON *argv)
{
	cJSON *out = cJSON_CreateArray();
	int n = cJSON_GetArraySize(argv);
	bool claude = agent && !strcmp(agent, "claude");
	for (int i = 0; i < n; i++) {
		const char *a = argv_at(argv, i);
		if (!a)
			continue;
		if (claude && i > 0 && !strcmp(a, "--session-id")) {
			i++;
			continue;
		}
		if (claude && i > 0 && !strncmp(a, "--session-id=", 13))
			continue;
		cJSON_AddItemToArray(out, cJSON_CreateString(a));
	}
	return out;
}

/* ---- command templates ---------------------------------------------------------- */

/* Words of a template: split on blanks, '…' and "…" quote (\ escapes inside "…").
 * Each word remembers whether it was written bare (a bare lone placeholder may
 * expand to several words or to none). */
struct tpl_word {
	char *text;
	bool quoted;
};

static int tpl_split(struct tpl_word **out, size_t *n, const char *tpl)
{
	struct tpl_word *w = NULL;
	size_t nw = 0;
	const char *p = tpl;
	*out = NULL;
	*n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		struct strbuf sb = STRBUF_INIT;
		bool quoted = false;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e) {
					baton_strbuf_release(&sb);
					goto bad;
				}
				baton_strbuf_add(&sb, p + 1, (size_t)(e - p - 1));
				p = e + 1;
				quoted = true;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					baton_strbuf_addch(&sb, *p++);
				}
				if (!*p) {
					baton_strbuf_release(&sb);
					goto bad;
				}
				p++;
				quoted = true;
			} else {
				baton_strbuf_addch(&sb, *p++);
			}
		}
		struct tpl_word *nw2 = realloc(w, sizeof *w * (nw + 1));
		if (!nw2) {
			baton_strbuf_release(&sb);
			goto bad;
		}
		w = nw2;
		w[nw].text = baton_strbuf_detach(&sb);
		w[nw].quoted = quoted;
		nw++;
	}
	*out = w;
	*n = nw;
	return 0;
bad:
	for (size_t i = 0; i < nw; i++)
		free(w[i].text);
	free(w);
	return -1;
}

static const char *var_value(const struct baton_run_vars *v, const char *name, size_t len)
{
#define VAR(n, field) if (len == sizeof(n) - 1 && !memcmp(name, n, len)) return v->field ? v->field : ""
	VAR("session", session);
	VAR("model", model);
	VAR("prompt", prompt);
	VAR("run", run);
	VAR("task", task);
	VAR("cwd", cwd);
	VAR("baton_session", baton_session);
	VAR("agent", agent);
#undef VAR
	return NULL;
}

int baton_run_expand(struct baton_ctx *ctx, cJSON **out, const char *tpl, const struct baton_run_vars *v)
{
	struct tpl_word *w;
	size_t n;
	*out = NULL;
	if (tpl_split(&w, &n, tpl))
		return baton_error(ctx, BATON_EINVALID, "command template '%s' has an unclosed quote; fix it in config.toml", tpl);
	cJSON *argv = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const char *t = w[i].text;
		if (!w[i].quoted && !strcmp(t, "{argv}")) {
			const cJSON *it;
			cJSON_ArrayForEach(it, v->argv)
				if (cJSON_IsString(it))
					cJSON_AddItemToArray(argv, cJSON_CreateString(it->valuestring));
			continue;
		}
		if (!w[i].quoted && !strcmp(t, "{model_args}")) {
			if (v->model && *v->model) {
				cJSON_AddItemToArray(argv, cJSON_CreateString("--model"));
				cJSON_AddItemToArray(argv, cJSON_CreateString(v->model));
			}
			continue;
		}
		struct strbuf sb = STRBUF_INIT;
		bool lone = !w[i].quoted && t[0] == '{';
		for (const char *p = t; *p;) {
			const char *e = *p == '{' ? strchr(p, '}') : NULL;
			const char *val = e ? var_value(v, p + 1, (size_t)(e - p - 1)) : NULL;
			if (val) {
				baton_strbuf_adds(&sb, val);
				if (e[1])
					lone = false;
				p = e + 1;
			} else {
				baton_strbuf_addch(&sb, *p++);
				lone = false;
			}
		}
		if (sb.len || !lone)
			cJSON_AddItemToArray(argv, cJSON_CreateString(sb.buf));
		baton_strbuf_release(&sb);
	}
	for (size_t i = 0; i < n; i++)
		free(w[i].text);
	free(w);
	if (!cJSON_GetArraySize(argv)) {
		cJSON_Delete(argv);
		return baton_error(ctx, BATON_EINVALID, "command template '%s' expands to nothing", tpl);
	}
	*out = argv;
	return 0;
}

/* A word as the shell reads it back: bare when it is plainly safe, else quoted. */
static void quote_word(struct strbuf *sb, const char *s)
{
	bool safe = *s != '\0';
	for (const char *p = s; *p && safe; p++)
		safe = isalnum((unsigned char)*p) || strchr("_-./:=@%+,", *p);
	if (safe)
		baton_strbuf_adds(sb, s);
	else
		baton_shell_quote(sb, s);
}

void baton_run_shell_join(struct strbuf *sb, const cJSON *argv)
{
	const cJSON *it;
	int first = 1;
	cJSON_ArrayForEach(it, argv) {
		if (!cJSON_IsString(it))
			continue;
		if (!first)
			baton_strbuf_addch(sb, ' ');
		first = 0;
		quote_word(sb, it->valuestring);
	}
}

/* ---- the model ------------------------------------------------------------------ */

/* The columns of a run in contract order, then the internal ones. */
#define RUN_COLS(p)                                                                                        \
	p "id, " p "session_id, " p "task, " p "agent, " p "model, " p "agent_session_id, " p "cwd, " p "argv, " \
	p "pid, " p "host, " p "boot_id, " p "started_at, " p "completed_at, " p "status, " p "exit_code, "     \
	p "signal, " p "attempt, " p "attempt_of, " p "thread_id, " p "proc_start, " p "wrapper_pid, "           \
	p "wrapper_start"
#define RUN_NCOLS 18

static void add_col(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		cJSON_AddNullToObject(o, key);
		break;
	case SQLITE_INTEGER:
		baton_json_add_int(o, key, sqlite3_column_int64(st, i));
		break;
	default:
		baton_json_add_str(o, key, baton_col_text(st, i));
	}
}

static cJSON *row_run(sqlite3_stmt *st)
{
	static const char *const keys[RUN_NCOLS] = { "id", "session_id", "task", "agent", "model",
		"agent_session_id", "cwd", "argv", "pid", "host", "boot_id", "started_at", "completed_at",
		"status", "exit_code", "signal", "attempt", "attempt_of" };
	cJSON *o = cJSON_CreateObject();
	for (int i = 0; i < RUN_NCOLS; i++) {
		if (i == 7) {
			const char *a = baton_col_text(st, i);
			cJSON *arr = a ? cJSON_Parse(a) : NULL;
			cJSON_AddItemToObject(o, keys[i], arr ? arr : cJSON_CreateArray());
			continue;
		}
		add_col(o, keys[i], st, i);
	}
	return o;
}

/* A run, for internal callers: the contract fields plus thread_id. */
static cJSON *row_run_thread(sqlite3_stmt *st)
{
	cJSON *o = row_run(st);
	baton_json_add_str(o, "thread_id", baton_col_text(st, RUN_NCOLS));
	return o;
}

static int find_run(struct baton_ctx *ctx, cJSON **out, const char *id, bool with_thread)
{
	*out = NULL;
	if (!id || !*id)
		return baton_error(ctx, BATON_EINVALID, "a run id is required");
	size_t n = strlen(id);
	char upper[64];
	if (n < 4 || n >= sizeof upper)
		return baton_error(ctx, BATON_ENOTFOUND, "run '%s' not found; 'baton runs --sessions' lists runs", id);
	for (size_t i = 0; i <= n; i++)
		upper[i] = (char)toupper((unsigned char)id[i]);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT " RUN_COLS("") " FROM runs WHERE id = ?1 OR (id >= ?1 AND id < ?1 || '~')"
		" ORDER BY id = ?1 DESC, id LIMIT 2");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, upper);
	int rows = 0, r, exact = 0;
	cJSON *first = NULL;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!rows) {
			first = with_thread ? row_run_thread(st) : row_run(st);
			exact = !strcmp(baton_col_text(st, 0), upper);
		}
		rows++;
		if (exact)
			break;
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		cJSON_Delete(first);
		return baton_index_error(ctx, "find run");
	}
	if (rows == 1 || exact) {
		*out = first;
		return 0;
	}
	cJSON_Delete(first);
	if (rows > 1)
		return baton_error(ctx, BATON_EINVALID, "run id '%s' is ambiguous: give more characters", id);
	return baton_error(ctx, BATON_ENOTFOUND, "run '%s' not found; 'baton runs --sessions' lists runs", id);
}

int baton_run_find(struct baton_ctx *ctx, cJSON **out, const char *id)
{
	return find_run(ctx, out, id, true);
}

int baton_run_get(struct baton_ctx *ctx, cJSON **out, const char *id)
{
	*out = NULL;
	int rc = baton_run_reap(ctx, NULL);
	return rc ? rc : find_run(ctx, out, id, false);
}

/* The latest run of a session's task (session NULL: runs without a session). */
int baton_run_latest_of_task(struct baton_ctx *ctx, cJSON **out, const char *session_id, const char *task)
{
	*out = NULL;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT " RUN_COLS("") " FROM runs WHERE task = ?1 AND (session_id IS ?2 OR ?3 = 1)"
		" ORDER BY started_at DESC, id DESC LIMIT 1");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, task);
	baton_bind_text(st, 2, session_id);
	sqlite3_bind_int(st, 3, session_id ? 0 : 1);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = row_run_thread(st);
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : baton_index_error(ctx, "find the task's runs");
}

/* ---- recording ------------------------------------------------------------------ */

int baton_run_plan(struct baton_ctx *ctx, cJSON **out, const struct baton_run_spec *spec)
{
	cJSON *session = NULL, *base = NULL, *argv = NULL, *run = NULL;
	char *agent = NULL;
	int rc = 0;
	*out = NULL;
	if (!spec->argv || spec->argc < 1 || !spec->argv[0] || !*spec->argv[0])
		return baton_error(ctx, BATON_EINVALID, "run: no command given: baton run [OPTIONS] -- COMMAND [ARGS…]");
	argv = cJSON_CreateArray();
	for (size_t i = 0; i < spec->argc; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(spec->argv[i]));

	if (spec->attempt_of && (rc = find_run(ctx, &base, spec->attempt_of, true)))
		goto out;
	const char *sid = NULL;
	if (spec->session) {
		if ((rc = baton_session_get(ctx, &session, spec->session)))
			goto out;
		sid = baton_json_str(session, "id");
	} else if (base) {
		sid = baton_json_str(base, "session_id");
	} else {
		if ((rc = baton_session_current(ctx, &session, ctx->cwd)))
			goto out;
		sid = baton_json_str(session, "id");
	}
	const char *task = spec->task ? spec->task : baton_json_str(base, "task");
	if (!base && task && (rc = baton_run_latest_of_task(ctx, &base, sid, task)))
		goto out;

	agent = strdup(spec->agent && *spec->agent ? spec->agent : base_name(spec->argv[0]));
	if (!agent) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	const char *model = spec->model;
	if (!model)
		model = flag_value(argv, "--model", "-m");
	if (!model && base && !strcmp(agent, baton_json_str(base, "agent") ? baton_json_str(base, "agent") : ""))
		model = baton_json_str(base, "model");

	if (!strcmp(agent, "claude") && claude_wants_session_id(argv)) {
		char uuid[40];
		baton_uuid_new(ctx, uuid);
		cJSON_InsertItemInArray(argv, 1, cJSON_CreateString("--session-id"));
		cJSON_InsertItemInArray(argv, 2, cJSON_CreateString(uuid));
	}

	char id[BATON_ULID_LEN];
	baton_ulid_new(ctx, id, baton_now_ms(ctx), NULL);
	run = cJSON_CreateObject();
	baton_json_add_str(run, "id", id);
	baton_json_add_str(run, "session_id", sid);
	baton_json_add_str(run, "task", task);
	baton_json_add_str(run, "agent", agent);
	baton_json_add_str(run, "model", model);
	baton_json_add_str(run, "agent_session_id", argv_agent_session(agent, argv));
	baton_json_add_str(run, "cwd", ctx->cwd);
	cJSON_AddItemToObject(run, "argv", argv);
	argv = NULL;
	cJSON_AddNullToObject(run, "pid");
	baton_json_add_str(run, "host", ctx->host);
	baton_json_add_str(run, "boot_id", baton_boot_id(ctx));
	cJSON_AddNullToObject(run, "started_at");
	cJSON_AddNullToObject(run, "completed_at");
	baton_json_add_str(run, "status", "planned");
	cJSON_AddNullToObject(run, "exit_code");
	cJSON_AddNullToObject(run, "signal");
	baton_json_add_int(run, "attempt", base ? baton_json_int(base, "attempt", 1) + 1 : 1);
	baton_json_add_str(run, "attempt_of", baton_json_str(base, "id"));
	baton_json_add_str(run, "thread_id", base ? baton_json_str(base, "thread_id") : id);
	*out = run;
out:
	cJSON_Delete(session);
	cJSON_Delete(base);
	cJSON_Delete(argv);
	free(agent);
	return rc;
}

static int redact_in_place(struct baton_ctx *ctx, cJSON *item)
{
	if (!cJSON_IsString(item))
		return 0;
	char *r = baton_redact_str(ctx, item->valuestring);
	if (!r)
		return BATON_ERROR;
	if (strcmp(r, item->valuestring))
		cJSON_SetValuestring(item, r);
	free(r);
	return 0;
}

int baton_run_start(struct baton_ctx *ctx, cJSON *run, int pid)
{
	static const char *const keys[RUN_NCOLS] = { "id", "session_id", "task", "agent", "model",
		"agent_session_id", "cwd", "argv", "pid", "host", "boot_id", "started_at", "completed_at",
		"status", "exit_code", "signal", "attempt", "attempt_of" };
	int64_t child_start = 0, self_start = 0;
	char now[BATON_TIME_LEN];
	int rc;
	/* The child is forked but held before exec, so its start time is readable now
	 * and stays the same across the exec. */
	baton_proc_start(&child_start, pid);
	baton_proc_start(&self_start, (int)getpid());
	baton_time_format(now, baton_now_ms(ctx));
	baton_json_set(run, "pid", cJSON_CreateNumber(pid));
	baton_json_set(run, "host", cJSON_CreateString(ctx->host));
	baton_json_set(run, "boot_id", cJSON_CreateString(baton_boot_id(ctx)));
	baton_json_set(run, "started_at", cJSON_CreateString(now));
	baton_json_set(run, "status", cJSON_CreateString("running"));

	cJSON *rec = cJSON_CreateObject();
	for (int i = 0; i < RUN_NCOLS; i++)
		baton_json_add_copy(rec, keys[i], cJSON_GetObjectItemCaseSensitive(run, keys[i]));
	/* what came from outside is redacted before it is written */
	const cJSON *it;
	cJSON_ArrayForEach(it, baton_json_arr(rec, "argv"))
		if ((rc = redact_in_place(ctx, (cJSON *)it)))
			goto fail;
	if ((rc = redact_in_place(ctx, cJSON_GetObjectItem(rec, "task"))) ||
	    (rc = redact_in_place(ctx, cJSON_GetObjectItem(rec, "model"))))
		goto fail;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "run", rec);
	baton_json_add_str(f, "thread_id", baton_json_str(run, "thread_id") ? baton_json_str(run, "thread_id")
									  : baton_json_str(run, "id"));
	baton_json_add_int(f, "proc_start", child_start);
	baton_json_add_int(f, "wrapper_pid", (int64_t)getpid());
	baton_json_add_int(f, "wrapper_start", self_start);
	return baton_log_append(ctx, "run_started", f, NULL);
fail:
	cJSON_Delete(rec);
	return rc;
}

int baton_run_finish(struct baton_ctx *ctx, cJSON **out, const char *run_id, int ws)
{
	char now[BATON_TIME_LEN];
	if (out)
		*out = NULL;
	baton_time_format(now, baton_now_ms(ctx));
	cJSON *f = cJSON_CreateObject();
	baton_json_add_str(f, "run_id", run_id);
	if (WIFSIGNALED(ws)) {
		baton_json_add_str(f, "status", "interrupted");
		cJSON_AddNullToObject(f, "exit_code");
		baton_json_add_int(f, "signal", WTERMSIG(ws));
	} else {
		int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
		baton_json_add_str(f, "status", code ? "failed" : "completed");
		baton_json_add_int(f, "exit_code", code);
		cJSON_AddNullToObject(f, "signal");
	}
	baton_json_add_str(f, "completed_at", now);
	int rc = baton_log_append(ctx, "run_finished", f, NULL);
	if (!rc && out)
		rc = find_run(ctx, out, run_id, false);
	return rc;
}

int baton_run_set_agent_session(struct baton_ctx *ctx, const char *run_id, const char *agent_session_id)
{
	cJSON *run = NULL;
	if (!agent_session_id || !*agent_session_id)
		return baton_error(ctx, BATON_EINVALID, "run: an agent session id is required");
	int rc = find_run(ctx, &run, run_id, false);
	if (rc)
		return rc;
	cJSON *f = cJSON_CreateObject();
	baton_json_add_str(f, "run_id", baton_json_str(run, "id"));
	baton_json_add_str(f, "agent_session_id", agent_session_id);
	cJSON_Delete(run);
	return baton_log_append(ctx, "run_agent_session", f, NULL);
}

int baton_run_reap(struct baton_ctx *ctx, int *out_count)
{
	if (out_count)
		*out_count = 0;
	if (ctx->read_only)
		return 0;
	const char *boot = baton_boot_id(ctx);
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT id, boot_id, pid, proc_start, wrapper_pid, wrapper_start FROM runs"
		" WHERE status = 'running' AND host = ?1 ORDER BY id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, ctx->host);
	struct baton_event_spec *evs = NULL;
	size_t n = 0, alloc = 0;
	int r, rc = 0;
	char now[BATON_TIME_LEN];
	baton_time_format(now, baton_now_ms(ctx));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *b = baton_col_text(st, 1);
		const char *reason = NULL;
		if (!b || strcmp(b, boot))
			reason = "reboot";
		else if (!proc_alive(sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)) &&
			 !proc_alive(sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)))
			reason = "process_gone";
		if (!reason)
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 8;
			struct baton_event_spec *e = realloc(evs, sizeof *evs * na);
			if (!e) {
				rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
				break;
			}
			evs = e;
			alloc = na;
		}
		cJSON *f = cJSON_CreateObject();
		baton_json_add_str(f, "run_id", baton_col_text(st, 0));
		baton_json_add_str(f, "reason", reason);
		baton_json_add_str(f, "detected_at", now);
		evs[n].type = "run_interrupted";
		evs[n].fields = f;
		n++;
	}
	sqlite3_reset(st);
	if (!rc && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = baton_index_error(ctx, "find running runs");
	if (!rc && n)
		rc = baton_log_append_many(ctx, evs, n, NULL);
	else
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(evs[i].fields);
	free(evs);
	if (!rc && out_count)
		*out_count = (int)n;
	return rc;
}

/* ---- threads --------------------------------------------------------------------- */

static const char *const run_statuses[] = { "running", "completed", "failed", "interrupted", NULL };

static bool run_status_valid(const char *s)
{
	for (const char *const *p = run_statuses; s && *p; p++)
		if (!strcmp(*p, s))
			return true;
	return false;
}

/* One row per thread: its latest run and how many attempts it has. */
static const char threads_sql[] =
	"WITH t AS (SELECT thread_id, count(*) AS n, max(started_at || id) AS k FROM runs GROUP BY thread_id)"
	" SELECT " RUN_COLS("r.") ", t.n FROM runs r JOIN t ON r.thread_id = t.thread_id AND r.started_at || r.id = t.k"
	" WHERE (?1 IS NULL OR r.status = ?1) AND (?2 IS NULL OR r.task = ?2) AND (?3 IS NULL OR r.session_id = ?3)"
	" AND (?4 = 0 OR r.status IN ('failed', 'interrupted')) AND (?5 IS NULL OR r.started_at >= ?5)"
	" AND (?6 IS NULL OR r.thread_id = ?6)"
	" ORDER BY r.started_at DESC, r.id DESC LIMIT ?7";

static cJSON *thread_from_row(sqlite3_stmt *st)
{
	cJSON *last = row_run(st);
	cJSON *t = cJSON_CreateObject();
	baton_json_add_str(t, "thread_id", baton_col_text(st, RUN_NCOLS));
	baton_json_add_copy(t, "task", cJSON_GetObjectItem(last, "task"));
	baton_json_add_copy(t, "session_id", cJSON_GetObjectItem(last, "session_id"));
	baton_json_add_copy(t, "status", cJSON_GetObjectItem(last, "status"));
	baton_json_add_int(t, "attempts", sqlite3_column_int64(st, RUN_NCOLS + 4));
	baton_json_add_copy(t, "agent", cJSON_GetObjectItem(last, "agent"));
	baton_json_add_copy(t, "model", cJSON_GetObjectItem(last, "model"));
	baton_json_add_copy(t, "run_id", cJSON_GetObjectItem(last, "id"));
	baton_json_add_copy(t, "agent_session_id", cJSON_GetObjectItem(last, "agent_session_id"));
	baton_json_add_copy(t, "started_at", cJSON_GetObjectItem(last, "started_at"));
	baton_json_add_copy(t, "completed_at", cJSON_GetObjectItem(last, "completed_at"));
	baton_json_add_copy(t, "exit_code", cJSON_GetObjectItem(last, "exit_code"));
	baton_json_add_copy(t, "signal", cJSON_GetObjectItem(last, "signal"));
	baton_json_add_copy(t, "cwd", cJSON_GetObjectItem(last, "cwd"));
	cJSON_Delete(last);
	return t;
}

struct thread_filter {
	const char *status, *task, *session_id, *since, *thread_id;
	bool broken; /* only threads whose latest run failed or was interrupted */
	int64_t limit;
};

static int list_threads(struct baton_ctx *ctx, cJSON **out, const struct thread_filter *f)
{
	*out = NULL;
	sqlite3_stmt *st = baton_index_stmt(ctx, threads_sql);
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, f->status);
	baton_bind_text(st, 2, f->task);
	baton_bind_text(st, 3, f->session_id);
	sqlite3_bind_int(st, 4, f->broken);
	baton_bind_text(st, 5, f->since);
	baton_bind_text(st, 6, f->thread_id);
	sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : -1);
	cJSON *arr = cJSON_CreateArray();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, thread_from_row(st));
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cJSON_Delete(arr);
		return baton_index_error(ctx, "list runs");
	}
	*out = arr;
	return 0;
}

/* The session filter of an operation: an id, prefix or shortname → the full id. */
static int resolve_session(struct baton_ctx *ctx, char **out, const char *given)
{
	*out = NULL;
	if (!given)
		return 0;
	cJSON *s = NULL;
	int rc = baton_session_get(ctx, &s, given);
	if (!rc && !(*out = strdup(baton_json_str(s, "id"))))
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
	cJSON_Delete(s);
	return rc;
}

/* ---- runs ------------------------------------------------------------------------- */

static const struct baton_arg runs_args[] = {
	{ "status", BATON_ARG_STRING, 0, 0, NULL, "only threads whose latest run is running, completed, failed or interrupted" },
	{ "task", BATON_ARG_STRING, 0, 0, NULL, "only runs of this task" },
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "only runs of this baton session (id, prefix or short name)" },
	{ "sessions", BATON_ARG_BOOL, 0, 0, NULL, "full history: every run (every agent session), not one line per thread" },
	{ "since", BATON_ARG_STRING, 0, 0, NULL, "started since TIME (RFC 3339, date, or 30m/2h/3d/1w ago)" },
	{ "limit", BATON_ARG_INT, 0, 'n', NULL, "at most N lines (default 20 threads or 50 runs, 0: all)" },
	{ NULL },
};

static int op_runs(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *status = baton_json_str(args, "status"), *since = baton_json_str(args, "since");
	bool all = baton_json_bool(args, "sessions", false);
	int64_t limit = baton_json_int(args, "limit", all ? 50 : 20);
	char since_ts[BATON_TIME_LEN] = "";
	char *sid = NULL;
	cJSON *arr = NULL;
	int rc;
	if (status && !run_status_valid(status))
		return baton_error(ctx, BATON_EINVALID, "runs: unknown status '%s' (running, completed, failed, interrupted)", status);
	if (limit < 0)
		return baton_error(ctx, BATON_EINVALID, "runs: --limit must be 0 or more");
	if (since) {
		int64_t ms;
		if (baton_time_parse_since(&ms, since, baton_now_ms(ctx)))
			return baton_error(ctx, BATON_EINVALID, "runs: cannot read time '%s': use RFC 3339, YYYY-MM-DD, or 30m/2h/3d/1w", since);
		baton_time_format(since_ts, ms);
	}
	if ((rc = baton_run_reap(ctx, NULL)) || (rc = resolve_session(ctx, &sid, baton_json_str(args, "session"))))
		goto out;
	if (!all) {
		struct thread_filter f = { status, baton_json_str(args, "task"), sid, since ? since_ts : NULL, NULL, false, limit };
		if ((rc = list_threads(ctx, &arr, &f)))
			goto out;
	} else {
		sqlite3_stmt *st = baton_index_stmt(ctx,
			"SELECT " RUN_COLS("") " FROM runs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR task = ?2)"
			" AND (?3 IS NULL OR session_id = ?3) AND (?4 IS NULL OR started_at >= ?4)"
			" ORDER BY started_at DESC, id DESC LIMIT ?5");
		if (!st) {
			rc = BATON_ERROR;
			goto out;
		}
		baton_bind_text(st, 1, status);
		baton_bind_text(st, 2, baton_json_str(args, "task"));
		baton_bind_text(st, 3, sid);
		baton_bind_text(st, 4, since ? since_ts : NULL);
		sqlite3_bind_int64(st, 5, limit ? limit : -1);
		arr = cJSON_CreateArray();
		int r;
		while ((r = sqlite3_step(st)) == SQLITE_ROW)
			cJSON_AddItemToArray(arr, row_run(st));
		sqlite3_reset(st);
		if (r != SQLITE_DONE) {
			rc = baton_index_error(ctx, "list runs");
			goto out;
		}
	}
	*out = cJSON_CreateObject();
	baton_json_add_int(*out, "count", cJSON_GetArraySize(arr));
	cJSON_AddItemToObject(*out, all ? "runs" : "threads", arr);
	arr = NULL;
out:
	cJSON_Delete(arr);
	free(sid);
	return rc;
}

/* ---- runs show --------------------------------------------------------------------- */

static const struct baton_arg show_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "run id or unique prefix" },
	{ NULL },
};

static int thread_runs(struct baton_ctx *ctx, cJSON **out, const char *thread)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT " RUN_COLS("") " FROM runs WHERE thread_id = ?1 ORDER BY started_at, id");
	*out = NULL;
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, thread);
	cJSON *arr = cJSON_CreateArray();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, row_run(st));
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cJSON_Delete(arr);
		return baton_index_error(ctx, "list a thread's runs");
	}
	*out = arr;
	return 0;
}

static int thread_stages(struct baton_ctx *ctx, cJSON **out, const char *thread)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT id, session_id, run_id, thread_id, task, note, created_at FROM run_stages"
		" WHERE thread_id = ?1 ORDER BY created_at, id");
	*out = NULL;
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, thread);
	static const char *const keys[] = { "id", "session_id", "run_id", "thread_id", "task", "note", "created_at" };
	cJSON *arr = cJSON_CreateArray();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		for (int i = 0; i < 7; i++)
			baton_json_add_str(o, keys[i], baton_col_text(st, i));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		cJSON_Delete(arr);
		return baton_index_error(ctx, "list planned stages");
	}
	*out = arr;
	return 0;
}

static int op_show(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *run = NULL, *attempts = NULL, *stages = NULL;
	int rc = baton_run_reap(ctx, NULL);
	if (rc || (rc = baton_run_find(ctx, &run, baton_json_str(args, "id"))))
		return rc;
	char *thread = strdup(baton_json_str(run, "thread_id"));
	cJSON_DeleteItemFromObject(run, "thread_id");
	if (!thread)
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (!rc && !(rc = thread_runs(ctx, &attempts, thread)) && !(rc = thread_stages(ctx, &stages, thread))) {
		*out = cJSON_CreateObject();
		cJSON_AddItemToObject(*out, "run", run);
		baton_json_add_str(*out, "thread_id", thread);
		cJSON_AddItemToObject(*out, "attempts", attempts);
		cJSON_AddItemToObject(*out, "stages", stages);
		run = attempts = stages = NULL;
	}
	free(thread);
	cJSON_Delete(run);
	cJSON_Delete(attempts);
	cJSON_Delete(stages);
	return rc;
}

/* ---- runs link ------------------------------------------------------------------------ */

static const struct baton_arg link_args[] = {
	{ "id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "run id or unique prefix ($BATON_RUN_ID inside baton run)" },
	{ "agent_session_id", BATON_ARG_STRING, BATON_ARG_REQUIRED | BATON_ARG_POSITIONAL, 0, NULL, "the agent's own session id" },
	{ NULL },
};

static int op_link(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	int rc = baton_run_set_agent_session(ctx, baton_json_str(args, "id"), baton_json_str(args, "agent_session_id"));
	return rc ? rc : baton_run_get(ctx, out, baton_json_str(args, "id"));
}

/* ---- commands for a run: resume, retry, another agent -------------------------------- */

/* The resume command of a run. *exact: it names the agent's own session (false: the
 * agent's "latest session" form, when the id was never learnt). */
static int resume_argv(struct baton_ctx *ctx, cJSON **out, bool *exact, const cJSON *run)
{
	const char *agent = baton_json_str(run, "agent"), *asid = baton_json_str(run, "agent_session_id");
	const cJSON *argv = baton_json_arr(run, "argv");
	const char *tpl = NULL;
	*exact = asid != NULL;
	if (asid) {
		const char *a1 = argv_at(argv, 1);
		if (a1 && !strcmp(a1, "exec"))
			tpl = baton_run_template(ctx, agent, "resume_exec");
		if (!tpl)
			tpl = baton_run_template(ctx, agent, "resume");
	} else {
		tpl = baton_run_template(ctx, agent, "resume_latest");
	}
	if (!tpl)
		return baton_error(ctx, BATON_EINVALID,
				   "no resume command known for agent '%s'%s; set [agents.%s] resume = \"… {session}\" in config.toml",
				   agent ? agent : "?", asid ? "" : " without its session id", agent ? agent : "NAME");
	struct baton_run_vars v = { .session = asid, .model = baton_json_str(run, "model"), .run = baton_json_str(run, "id"),
				    .task = baton_json_str(run, "task"), .cwd = baton_json_str(run, "cwd"),
				    .baton_session = baton_json_str(run, "session_id"), .agent = agent, .argv = argv };
	return baton_run_expand(ctx, out, tpl, &v);
}

/* argv with its --model / -m value set to model (added after argv[0] when absent). */
static void set_model(cJSON *argv, const char *model)
{
	int n = cJSON_GetArraySize(argv);
	for (int i = 1; i < n; i++) {
		const char *a = argv_at(argv, i);
		if (!a || !strcmp(a, "--"))
			break;
		if ((!strcmp(a, "--model") || !strcmp(a, "-m")) && i + 1 < n) {
			cJSON_ReplaceItemInArray(argv, i + 1, cJSON_CreateString(model));
			return;
		}
		if (!strncmp(a, "--model=", 8)) {
			struct strbuf sb = STRBUF_INIT;
			baton_strbuf_addf(&sb, "--model=%s", model);
			cJSON_ReplaceItemInArray(argv, i, cJSON_CreateString(sb.buf));
			baton_strbuf_release(&sb);
			return;
		}
	}
	cJSON_InsertItemInArray(argv, 1, cJSON_CreateString("--model"));
	cJSON_InsertItemInArray(argv, 2, cJSON_CreateString(model));
}

#define MAX_PROMPT (100 * 1024) /* one argv word must stay under Linux's 128 KiB */

/* What another agent is told when it takes over: the session's handoff when there is
 * one, else what baton knows of the work and how the last attempt ended. */
static void takeover_prompt(struct strbuf *sb, const cJSON *run, const cJSON *session)
{
	const cJSON *h = baton_json_obj(session, "handoff");
	if (baton_json_str(h, "markdown")) {
		baton_strbuf_adds(sb, baton_json_str(h, "markdown"));
	} else {
		baton_strbuf_adds(sb, "Continue this piece of work");
		if (session)
			baton_strbuf_addf(sb, " (baton session %s)", baton_json_str(session, "id"));
		baton_strbuf_adds(sb, ".\n");
		if (baton_json_str(session, "objective"))
			baton_strbuf_addf(sb, "Objective: %s\n", baton_json_str(session, "objective"));
		if (baton_json_str(run, "task"))
			baton_strbuf_addf(sb, "Task: %s\n", baton_json_str(run, "task"));
		baton_strbuf_addf(sb, "The previous attempt (run %s, agent %s) ended %s", baton_json_str(run, "id"),
				  baton_json_str(run, "agent") ? baton_json_str(run, "agent") : "?", baton_json_str(run, "status"));
		if (cJSON_IsNumber(cJSON_GetObjectItem(run, "exit_code")))
			baton_strbuf_addf(sb, " with exit code %lld", (long long)baton_json_int(run, "exit_code", 0));
		if (cJSON_IsNumber(cJSON_GetObjectItem(run, "signal")))
			baton_strbuf_addf(sb, " by signal %lld", (long long)baton_json_int(run, "signal", 0));
		baton_strbuf_adds(sb, ".\n");
		if (session)
			baton_strbuf_addf(sb, "Run `baton resume %s` for the full context.\n", baton_json_str(session, "id"));
	}
	if (sb->len > MAX_PROMPT) {
		size_t n = MAX_PROMPT;
		while (n > 0 && ((unsigned char)sb->buf[n] & 0xC0) == 0x80)
			n--; /* do not cut a UTF-8 sequence */
		sb->buf[n] = '\0';
		sb->len = n;
	}
}

/* ---- fix ------------------------------------------------------------------------------ */

static const struct baton_arg fix_args[] = {
	{ "run", BATON_ARG_STRING, 0, 0, NULL, "the run to fix (id or unique prefix)" },
	{ "task", BATON_ARG_STRING, 0, 0, NULL, "the task whose latest run to fix" },
	{ "session", BATON_ARG_STRING, 0, 0, NULL, "only work of this baton session" },
	{ "resume", BATON_ARG_BOOL, 0, 0, NULL, "resume the agent's own session where it stopped" },
	{ "retry", BATON_ARG_BOOL, 0, 0, NULL, "run the same command again, as a new attempt" },
	{ "agent", BATON_ARG_STRING, 0, 0, NULL, "hand the work to another agent (claude, codex, gemini, opencode), with the handoff" },
	{ "model", BATON_ARG_STRING, 0, 0, NULL, "model for --retry or --agent" },
	{ "new_stage", BATON_ARG_BOOL, 0, 0, NULL, "plan a new stage of the work: a follow-up item on the session" },
	{ "note", BATON_ARG_STRING, 0, 0, NULL, "what the new stage is for (with --new-stage)" },
	{ "dry_run", BATON_ARG_BOOL, BATON_ARG_CLI_ONLY, 0, NULL, "print the command instead of running it" },
	{ NULL },
};

static int plan_stage(struct baton_ctx *ctx, cJSON **out, const cJSON *run, const char *note)
{
	char id[BATON_ULID_LEN], now[BATON_TIME_LEN];
	int64_t ms = baton_now_ms(ctx);
	char *red = baton_redact_str(ctx, note);
	*out = NULL;
	if (note && !red)
		return BATON_ERROR;
	baton_ulid_new(ctx, id, ms, NULL);
	baton_time_format(now, ms);
	cJSON *s = cJSON_CreateObject();
	baton_json_add_str(s, "id", id);
	baton_json_add_str(s, "session_id", baton_json_str(run, "session_id"));
	baton_json_add_str(s, "run_id", baton_json_str(run, "id"));
	baton_json_add_str(s, "thread_id", baton_json_str(run, "thread_id"));
	baton_json_add_str(s, "task", baton_json_str(run, "task"));
	baton_json_add_str(s, "note", red);
	baton_json_add_str(s, "created_at", now);
	free(red);
	cJSON *f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "stage", cJSON_Duplicate(s, 1));
	int rc = baton_log_append(ctx, "stage_planned", f, NULL);
	if (rc)
		cJSON_Delete(s);
	else
		*out = s;
	return rc;
}

static int op_fix(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *run_id = baton_json_str(args, "run"), *task = baton_json_str(args, "task");
	const char *agent = baton_json_str(args, "agent"), *model = baton_json_str(args, "model");
	bool resume = baton_json_bool(args, "resume", false), retry = baton_json_bool(args, "retry", false);
	bool stage = baton_json_bool(args, "new_stage", false);
	cJSON *base = NULL, *list = NULL, *argv = NULL, *session = NULL, *st = NULL;
	char *sid = NULL;
	int rc;
	*out = NULL;
	if (resume + retry + stage + (agent != NULL) > 1)
		return baton_error(ctx, BATON_EINVALID, "fix: choose one of --resume, --retry, --agent NAME, --new-stage");
	if (model && !retry && !agent)
		return baton_error(ctx, BATON_EINVALID, "fix: --model goes with --retry or --agent NAME");
	if (baton_json_str(args, "note") && !stage)
		return baton_error(ctx, BATON_EINVALID, "fix: --note goes with --new-stage");
	if (run_id && task)
		return baton_error(ctx, BATON_EINVALID, "fix: give --run ID or --task ID, not both");
	if (agent && !*agent)
		return baton_error(ctx, BATON_EINVALID, "fix: --agent needs a name");
	if ((rc = baton_run_reap(ctx, NULL)) || (rc = resolve_session(ctx, &sid, baton_json_str(args, "session"))))
		goto out;
	if (run_id) {
		if ((rc = baton_run_find(ctx, &base, run_id)))
			goto out;
	} else if (task) {
		if ((rc = baton_run_latest_of_task(ctx, &base, sid, task)))
			goto out;
		if (!base) {
			rc = baton_error(ctx, BATON_ENOTFOUND, "fix: no runs of task '%s'; 'baton runs' lists the work", task);
			goto out;
		}
	}
	bool act = resume || retry || stage || agent;
	if (!act || !base) {
		struct thread_filter f = { NULL, NULL, sid, NULL, baton_json_str(base, "thread_id"), !base, 50 };
		if ((rc = list_threads(ctx, &list, &f)))
			goto out;
		if (!act) {
			*out = cJSON_CreateObject();
			baton_json_add_str(*out, "action", "list");
			baton_json_add_int(*out, "count", cJSON_GetArraySize(list));
			cJSON_AddItemToObject(*out, "candidates", list);
			list = NULL;
			goto out;
		}
		int n = cJSON_GetArraySize(list);
		if (n == 0) {
			rc = baton_error(ctx, BATON_ENOTFOUND, "fix: nothing to fix: no failed or interrupted runs");
			goto out;
		}
		if (n > 1) {
			rc = baton_error(ctx, BATON_EINVALID, "fix: %d threads need fixing; pick one with --run ID or --task ID ('baton fix' lists them)", n);
			goto out;
		}
		if ((rc = baton_run_find(ctx, &base, baton_json_str(cJSON_GetArrayItem(list, 0), "run_id"))))
			goto out;
	}

	const char *action = resume ? "resume" : retry ? "retry" : stage ? "new_stage" : "change_agent";
	const char *new_agent = agent ? agent : baton_json_str(base, "agent");
	const char *new_model = model ? model : agent ? NULL : baton_json_str(base, "model");
	bool exact = true;
	if (resume) {
		rc = resume_argv(ctx, &argv, &exact, base);
	} else if (retry) {
		cJSON *orig = baton_run_argv_for_retry(baton_json_str(base, "agent"), baton_json_arr(base, "argv"));
		struct baton_run_vars v = { .session = baton_json_str(base, "agent_session_id"), .model = new_model,
					    .run = baton_json_str(base, "id"), .task = baton_json_str(base, "task"),
					    .cwd = baton_json_str(base, "cwd"), .baton_session = baton_json_str(base, "session_id"),
					    .agent = new_agent, .argv = orig };
		rc = baton_run_expand(ctx, &argv, baton_run_template(ctx, new_agent, "retry"), &v);
		cJSON_Delete(orig);
		if (!rc && model)
			set_model(argv, model);
	} else if (agent) {
		const char *tpl = baton_run_template(ctx, agent, "start");
		if (!tpl) {
			rc = baton_error(ctx, BATON_EINVALID, "fix: no start command known for agent '%s'; set [agents.%s] start = \"… {prompt}\" in config.toml",
					 agent, agent);
			goto out;
		}
		if (baton_json_str(base, "session_id")) {
			rc = baton_session_get(ctx, &session, baton_json_str(base, "session_id"));
			if (rc == BATON_ENOTFOUND)
				rc = 0; /* deleted since: the prompt says what the run knows */
			if (rc)
				goto out;
		}
		struct strbuf prompt = STRBUF_INIT;
		takeover_prompt(&prompt, base, session);
		struct baton_run_vars v = { .session = NULL, .model = model, .prompt = prompt.buf, .run = baton_json_str(base, "id"),
					    .task = baton_json_str(base, "task"), .cwd = baton_json_str(base, "cwd"),
					    .baton_session = baton_json_str(base, "session_id"), .agent = agent,
					    .argv = baton_json_arr(base, "argv") };
		rc = baton_run_expand(ctx, &argv, tpl, &v);
		baton_strbuf_release(&prompt);
	} else {
		rc = plan_stage(ctx, &st, base, baton_json_str(args, "note"));
	}
	if (rc)
		goto out;

	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "action", action);
	cJSON *shown = cJSON_Duplicate(base, 1);
	cJSON_DeleteItemFromObject(shown, "thread_id");
	cJSON_AddItemToObject(*out, "run", shown);
	baton_json_add_str(*out, "agent", stage ? NULL : new_agent);
	baton_json_add_str(*out, "model", stage ? NULL : new_model);
	baton_json_add_str(*out, "task", baton_json_str(base, "task"));
	baton_json_add_str(*out, "session_id", baton_json_str(base, "session_id"));
	baton_json_add_str(*out, "attempt_of", stage ? NULL : baton_json_str(base, "id"));
	baton_json_add_str(*out, "cwd", baton_json_str(base, "cwd"));
	if (argv) {
		struct strbuf sh = STRBUF_INIT;
		baton_strbuf_adds(&sh, "cd ");
		baton_shell_quote(&sh, baton_json_str(base, "cwd") ? baton_json_str(base, "cwd") : ".");
		baton_strbuf_adds(&sh, " && ");
		baton_run_shell_join(&sh, argv);
		cJSON_AddItemToObject(*out, "command", argv);
		baton_json_add_str(*out, "shell", sh.buf);
		baton_strbuf_release(&sh);
		argv = NULL;
	} else {
		cJSON_AddNullToObject(*out, "command");
		cJSON_AddNullToObject(*out, "shell");
	}
	baton_json_add_bool(*out, "exact", exact);
	cJSON_AddItemToObject(*out, "stage", st ? st : cJSON_CreateNull());
	st = NULL;
out:
	cJSON_Delete(base);
	cJSON_Delete(list);
	cJSON_Delete(argv);
	cJSON_Delete(session);
	cJSON_Delete(st);
	free(sid);
	return rc;
}

/* ---- restore ------------------------------------------------------------------------- */

static const struct baton_arg restore_args[] = {
	{ "all", BATON_ARG_BOOL, 0, 0, NULL, "also every other active session (its latest run, else baton resume)" },
	{ "since", BATON_ARG_STRING, 0, 0, NULL, "runs live at boot BOOT_ID and later boots, or started since TIME (default: the previous boot)" },
	{ "tmux", BATON_ARG_BOOL, 0, 0, NULL, "open each in its own tmux window (the CLI runs the tmux commands)" },
	{ "dry_run", BATON_ARG_BOOL, BATON_ARG_CLI_ONLY, 0, NULL, "with --tmux: print the tmux commands instead of running them" },
	{ NULL },
};

static int restore_item(struct baton_ctx *ctx, cJSON *items, const cJSON *run, const cJSON *session)
{
	cJSON *argv = NULL;
	bool exact = false;
	struct strbuf cmd = STRBUF_INIT, line = STRBUF_INIT;
	const char *cwd = run ? baton_json_str(run, "cwd") : baton_json_str(session, "cwd");
	int rc = 0;
	if (run) {
		if ((rc = resume_argv(ctx, &argv, &exact, run)))
			goto out;
		/* Through `baton run`, the resumed agent is a new attempt in the ledger, so a
		 * second restore does not offer it again. */
		if (baton_config_bool(ctx, "runs.restore_wrap", true) && baton_json_str(run, "id")) {
			baton_strbuf_adds(&cmd, "baton run --attempt-of ");
			baton_strbuf_adds(&cmd, baton_json_str(run, "id"));
			baton_strbuf_adds(&cmd, " -- ");
		} else if (baton_config_bool(ctx, "runs.restore_wrap", true) && baton_json_str(run, "session_id")) {
			/* a conversation the hooks saw: from now on a run in the ledger too */
			baton_strbuf_adds(&cmd, "baton run --session ");
			baton_shell_quote(&cmd, baton_json_str(run, "session_id"));
			baton_strbuf_adds(&cmd, " -- ");
		}
		baton_run_shell_join(&cmd, argv);
	} else {
		baton_strbuf_adds(&cmd, "baton resume ");
		baton_shell_quote(&cmd, baton_json_str(session, "id"));
	}
	baton_strbuf_adds(&line, "cd ");
	baton_shell_quote(&line, cwd ? cwd : ".");
	baton_strbuf_addf(&line, " && %s", cmd.buf);
	cJSON *it = cJSON_CreateObject();
	baton_json_add_str(it, "session_id", run ? baton_json_str(run, "session_id") : baton_json_str(session, "id"));
	baton_json_add_str(it, "from", !run ? "session" : baton_json_str(run, "id") ? "run" : "conversation");
	baton_json_add_str(it, "run_id", baton_json_str(run, "id"));
	baton_json_add_str(it, "agent", baton_json_str(run, "agent"));
	baton_json_add_str(it, "agent_session_id", baton_json_str(run, "agent_session_id"));
	baton_json_add_str(it, "cwd", cwd);
	baton_json_add_str(it, "command", cmd.buf);
	baton_json_add_str(it, "line", line.buf);
	baton_json_add_bool(it, "exact", exact);
	cJSON_AddItemToArray(items, it);
out:
	cJSON_Delete(argv);
	baton_strbuf_release(&cmd);
	baton_strbuf_release(&line);
	return rc;
}

/* A conversation an item already resumes: the same agent conversation, or a run of
 * the same agent in the same session that never learnt its conversation id. */
static bool item_has_conversation(const cJSON *items, const char *agent, const char *asid, const char *sid)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		const char *a = baton_json_str(it, "agent"), *i_asid = baton_json_str(it, "agent_session_id");
		const char *i_sid = baton_json_str(it, "session_id");
		if (i_asid ? !strcmp(i_asid, asid) : (a && i_sid && sid && !strcmp(a, agent) && !strcmp(i_sid, sid)))
			return true;
	}
	return false;
}

/* Agent conversations the hooks saw live in an earlier boot (boot, or any boot since
 * since_ts) that never ended (no SessionEnd after their last start) and were not
 * picked up again since (no later record, e.g. in this boot). */
static int restore_conversations(struct baton_ctx *ctx, cJSON *items, const char *cur, const char *boot,
				 const char *since_ts)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT b.source, b.agent_session_id, b.session_id, b.cwd FROM conversation_boots b"
		" WHERE b.host = ?1 AND b.boot_id IS NOT ?2 AND (?3 IS NULL OR b.boot_id = ?3)"
		" AND (?4 IS NULL OR b.started_at >= ?4)"
		" AND NOT EXISTS (SELECT 1 FROM conversation_ends e WHERE e.source = b.source"
		"  AND e.agent_session_id = b.agent_session_id AND e.event_id > b.event_id)"
		" AND NOT EXISTS (SELECT 1 FROM conversation_boots l WHERE l.source = b.source"
		"  AND l.agent_session_id = b.agent_session_id AND l.event_id > b.event_id)"
		" ORDER BY b.started_at, b.event_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, ctx->host);
	baton_bind_text(st, 2, cur);
	baton_bind_text(st, 3, boot);
	baton_bind_text(st, 4, since_ts);
	cJSON *convs = cJSON_CreateArray();
	int r, rc = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject();
		baton_json_add_str(c, "agent", baton_col_text(st, 0));
		baton_json_add_str(c, "agent_session_id", baton_col_text(st, 1));
		baton_json_add_str(c, "session_id", baton_col_text(st, 2));
		baton_json_add_str(c, "cwd", baton_col_text(st, 3));
		cJSON_AddItemToArray(convs, c);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		rc = baton_index_error(ctx, "find conversations live at an earlier boot");
	const cJSON *c;
	cJSON_ArrayForEach(c, convs) {
		if (rc)
			break;
		if (!item_has_conversation(items, baton_json_str(c, "agent"), baton_json_str(c, "agent_session_id"),
					   baton_json_str(c, "session_id")))
			rc = restore_item(ctx, items, c, NULL);
	}
	cJSON_Delete(convs);
	return rc;
}

static bool item_has_session(const cJSON *items, const char *sid)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
		if (sid && baton_json_str(it, "session_id") && !strcmp(baton_json_str(it, "session_id"), sid))
			return true;
	return false;
}

/* A tmux window name: the session's short name, else the agent. */
static void window_name(struct baton_ctx *ctx, struct strbuf *sb, const cJSON *item)
{
	cJSON *s = NULL;
	const char *sid = baton_json_str(item, "session_id");
	if (sid && baton_session_get(ctx, &s, sid) == 0 && baton_json_str(s, "shortname"))
		baton_strbuf_adds(sb, baton_json_str(s, "shortname"));
	else
		baton_strbuf_adds(sb, baton_json_str(item, "agent") ? baton_json_str(item, "agent") : "baton");
	cJSON_Delete(s);
}

static void tmux_script(struct baton_ctx *ctx, struct strbuf *sb, const cJSON *items)
{
	const char *tses = baton_config_str(ctx, "runs.tmux_session", "baton-restore");
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, items) {
		struct strbuf name = STRBUF_INIT, cmd = STRBUF_INIT, win = STRBUF_INIT;
		window_name(ctx, &name, it);
		/* the window stays after the agent exits, as a shell in the same place */
		baton_strbuf_addf(&cmd, "%s; exec \"${SHELL:-/bin/sh}\"", baton_json_str(it, "command"));
		baton_strbuf_adds(&win, " -n ");
		baton_shell_quote(&win, name.buf);
		baton_strbuf_adds(&win, " -c ");
		baton_shell_quote(&win, baton_json_str(it, "cwd") ? baton_json_str(it, "cwd") : ".");
		baton_strbuf_addch(&win, ' ');
		baton_shell_quote(&win, cmd.buf);
		if (i++ == 0) {
			baton_strbuf_adds(sb, "tmux new-session -d -s ");
			baton_shell_quote(sb, tses);
			baton_strbuf_addf(sb, "%s 2>/dev/null || ", win.buf);
		}
		baton_strbuf_adds(sb, "tmux new-window -t ");
		struct strbuf target = STRBUF_INIT;
		baton_strbuf_addf(&target, "%s:", tses);
		baton_shell_quote(sb, target.buf);
		baton_strbuf_addf(sb, "%s\n", win.buf);
		baton_strbuf_release(&target);
		baton_strbuf_release(&name);
		baton_strbuf_release(&cmd);
		baton_strbuf_release(&win);
	}
}

static int op_restore(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *since = baton_json_str(args, "since");
	const char *boot = NULL;
	char since_ts[BATON_TIME_LEN] = "";
	char *prev = NULL;
	cJSON *items = cJSON_CreateArray(), *sessions = NULL;
	int rc = baton_run_reap(ctx, NULL), r;
	if (rc)
		goto out;
	const char *cur = baton_boot_id(ctx);
	sqlite3_stmt *st;
	if (since) {
		/* a boot id known to the ledger: that boot and those after it */
		st = baton_index_stmt(ctx, "SELECT min(t) FROM (SELECT min(started_at) AS t FROM runs WHERE boot_id = ?1 AND host = ?2"
					   " UNION ALL SELECT min(started_at) FROM conversation_boots WHERE boot_id = ?1 AND host = ?2)");
		if (!st) {
			rc = BATON_ERROR;
			goto out;
		}
		baton_bind_text(st, 1, since);
		baton_bind_text(st, 2, ctx->host);
		if (sqlite3_step(st) == SQLITE_ROW && baton_col_text(st, 0))
			snprintf(since_ts, sizeof since_ts, "%s", baton_col_text(st, 0));
		sqlite3_reset(st);
		int64_t ms;
		if (!since_ts[0]) {
			if (baton_time_parse_since(&ms, since, baton_now_ms(ctx))) {
				rc = baton_error(ctx, BATON_EINVALID,
						 "restore: '%s' is neither a boot id of this machine's runs nor a time (RFC 3339, date, 2h/3d)", since);
				goto out;
			}
			baton_time_format(since_ts, ms);
		}
	} else {
		st = baton_index_stmt(ctx,
			"SELECT boot_id FROM (SELECT boot_id, started_at, id AS k FROM runs WHERE host = ?1 AND boot_id IS NOT ?2"
			" UNION ALL SELECT boot_id, started_at, event_id FROM conversation_boots WHERE host = ?1 AND boot_id IS NOT ?2)"
			" ORDER BY started_at DESC, k DESC LIMIT 1");
		if (!st) {
			rc = BATON_ERROR;
			goto out;
		}
		baton_bind_text(st, 1, ctx->host);
		baton_bind_text(st, 2, cur);
		if (sqlite3_step(st) == SQLITE_ROW && baton_col_text(st, 0))
			prev = strdup(baton_col_text(st, 0));
		sqlite3_reset(st);
		boot = prev;
	}
	/* The latest run of each thread, if it was cut off in an earlier boot: a thread
	 * already resumed in this boot has a newer run and is left alone. */
	if (since || boot) {
		st = baton_index_stmt(ctx,
			"WITH t AS (SELECT thread_id, max(started_at || id) AS k FROM runs GROUP BY thread_id)"
			" SELECT " RUN_COLS("r.") " FROM runs r JOIN t ON r.thread_id = t.thread_id AND r.started_at || r.id = t.k"
			" WHERE r.host = ?1 AND r.status = 'interrupted' AND r.boot_id IS NOT ?2"
			" AND (?3 IS NULL OR r.boot_id = ?3) AND (?4 IS NULL OR r.started_at >= ?4)"
			" ORDER BY r.started_at, r.id");
		if (!st) {
			rc = BATON_ERROR;
			goto out;
		}
		baton_bind_text(st, 1, ctx->host);
		baton_bind_text(st, 2, cur);
		baton_bind_text(st, 3, boot);
		baton_bind_text(st, 4, since ? since_ts : NULL);
		cJSON *runs = cJSON_CreateArray();
		while ((r = sqlite3_step(st)) == SQLITE_ROW)
			cJSON_AddItemToArray(runs, row_run(st));
		sqlite3_reset(st);
		const cJSON *run;
		if (r != SQLITE_DONE)
			rc = baton_index_error(ctx, "find interrupted runs");
		cJSON_ArrayForEach(run, runs)
			if (!rc)
				rc = restore_item(ctx, items, run, NULL);
		cJSON_Delete(runs);
		if (rc || (rc = restore_conversations(ctx, items, cur, boot, since ? since_ts : NULL)))
			goto out;
	}
	if (baton_json_bool(args, "all", false)) {
		st = baton_index_stmt(ctx, "SELECT json FROM sessions WHERE deleted = 0 AND status = 'active'"
					   " AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.session_id = sessions.id AND runs.status = 'running')"
					   " ORDER BY updated_at DESC, id DESC");
		if (!st) {
			rc = BATON_ERROR;
			goto out;
		}
		sessions = cJSON_CreateArray();
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			cJSON *s = cJSON_Parse(baton_col_text(st, 0));
			if (s)
				cJSON_AddItemToArray(sessions, s);
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE) {
			rc = baton_index_error(ctx, "list active sessions");
			goto out;
		}
		const cJSON *s;
		cJSON_ArrayForEach(s, sessions) {
			const char *sid = baton_json_str(s, "id");
			if (item_has_session(items, sid))
				continue;
			st = baton_index_stmt(ctx, "SELECT " RUN_COLS("") " FROM runs WHERE session_id = ?1 ORDER BY started_at DESC, id DESC LIMIT 1");
			if (!st) {
				rc = BATON_ERROR;
				goto out;
			}
			baton_bind_text(st, 1, sid);
			cJSON *run = sqlite3_step(st) == SQLITE_ROW ? row_run(st) : NULL;
			sqlite3_reset(st);
			rc = restore_item(ctx, items, run, s);
			cJSON_Delete(run);
			if (rc)
				goto out;
		}
	}
	struct strbuf script = STRBUF_INIT;
	baton_strbuf_addf(&script, "#!/bin/sh\n# baton restore: %d to resume", cJSON_GetArraySize(items));
	if (boot)
		baton_strbuf_addf(&script, ", live at boot %s", boot);
	baton_strbuf_adds(&script, "\n");
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
		baton_strbuf_addf(&script, "%s\n", baton_json_str(it, "line"));
	*out = cJSON_CreateObject();
	baton_json_add_str(*out, "boot_id", cur);
	baton_json_add_str(*out, "previous_boot_id", boot);
	baton_json_add_int(*out, "count", cJSON_GetArraySize(items));
	cJSON_AddItemToObject(*out, "items", items);
	items = NULL;
	baton_json_add_str(*out, "script", script.buf);
	baton_strbuf_release(&script);
	if (baton_json_bool(args, "tmux", false) && cJSON_GetArraySize(baton_json_arr(*out, "items"))) {
		struct strbuf tm = STRBUF_INIT;
		tmux_script(ctx, &tm, baton_json_arr(*out, "items"));
		baton_json_add_str(*out, "tmux", tm.buf);
		baton_strbuf_release(&tm);
	} else {
		cJSON_AddNullToObject(*out, "tmux");
	}
out:
	cJSON_Delete(items);
	cJSON_Delete(sessions);
	free(prev);
	return rc;
}

const struct baton_op baton_run_ops[] = {
	{ "run.list", "runs", "run_list",
	  "runs [--status S] [--task ID] [--session ID] [--sessions] [--since TIME] [--limit N]",
	  "the run ledger: one line per thread of attempts (task, status, attempts, last agent, start, exit)",
	  runs_args, 0, op_runs },
	{ "run.show", "runs show", "run_show", "runs show ID",
	  "one run, with every attempt of its thread and the stages planned for it", show_args, 0, op_show },
	{ "run.link", "runs link", "run_link", "runs link RUN AGENT_SESSION_ID",
	  "record the agent's own session id of a run (for hooks and wrappers that learn it late)",
	  link_args, BATON_OP_MUTATES, op_link },
	{ "run.fix", "fix", "run_fix",
	  "fix [--run ID | --task ID] [--resume | --retry | --agent NAME [--model M] | --new-stage [--note TEXT]] [--dry-run]",
	  "failed and interrupted work: resume it, retry it, hand it to another agent, or plan a new stage",
	  fix_args, BATON_OP_MUTATES, op_fix },
	{ "session.restore", "restore", "session_restore", "restore [--all] [--since BOOT|TIME] [--tmux] [--dry-run]",
	  "after a reboot: one resume line for every session whose agent was running at the previous boot",
	  restore_args, 0, op_restore },
	{ NULL },
};

/* ---- index: tables and events --------------------------------------------------- */

/* end_kind: 0 none yet, 1 found dead (run_interrupted), 2 run_finished. A finish
 * recorded by the wrapper beats a reader's guess, whatever the order. */
static const char run_schema[] =
	"CREATE TABLE IF NOT EXISTS runs("
	" id TEXT PRIMARY KEY, event_id TEXT NOT NULL, thread_id TEXT NOT NULL,"
	" session_id TEXT, task TEXT, agent TEXT, model TEXT, agent_session_id TEXT, agent_session_event TEXT,"
	" cwd TEXT, argv TEXT NOT NULL, pid INTEGER, proc_start INTEGER, wrapper_pid INTEGER, wrapper_start INTEGER,"
	" host TEXT, boot_id TEXT, started_at TEXT NOT NULL, completed_at TEXT, status TEXT NOT NULL,"
	" exit_code INTEGER, signal INTEGER, attempt INTEGER NOT NULL, attempt_of TEXT,"
	" end_event TEXT, end_kind INTEGER NOT NULL DEFAULT 0, end_reason TEXT);"
	"CREATE INDEX IF NOT EXISTS runs_thread ON runs(thread_id, started_at, id);"
	"CREATE INDEX IF NOT EXISTS runs_task ON runs(task, session_id, started_at);"
	"CREATE INDEX IF NOT EXISTS runs_session ON runs(session_id, started_at);"
	"CREATE INDEX IF NOT EXISTS runs_status ON runs(status, host);"
	"CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at, id);"
	"CREATE TABLE IF NOT EXISTS run_stages("
	" id TEXT PRIMARY KEY, session_id TEXT, run_id TEXT, thread_id TEXT, task TEXT, note TEXT,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS run_stages_session ON run_stages(session_id, created_at);";

static int step_done(struct baton_ctx *ctx, sqlite3_stmt *st, const char *what)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, what);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(v))
		sqlite3_bind_int64(st, i, (sqlite3_int64)v->valuedouble);
	else
		sqlite3_bind_null(st, i);
}

static int apply_started(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *r = baton_json_obj(ev, "run");
	const char *id = baton_json_str(r, "id");
	if (!id || !baton_json_str(r, "started_at"))
		return 0; /* malformed: skip */
	const cJSON *args = baton_json_arr(r, "argv");
	char *argv = args ? baton_json_print(args) : NULL;
	if (args && !argv)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT OR IGNORE INTO runs(id, event_id, thread_id, session_id, task, agent, model, agent_session_id,"
		" cwd, argv, pid, proc_start, wrapper_pid, wrapper_start, host, boot_id, started_at, status, attempt,"
		" attempt_of) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
		" 'running', ?18, ?19)");
	if (!st) {
		cJSON_free(argv);
		return BATON_ERROR;
	}
	const char *thread = baton_json_str(ev, "thread_id");
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, baton_json_str(ev, "id"));
	baton_bind_text(st, 3, thread ? thread : id);
	static const char *const text[] = { "session_id", "task", "agent", "model", "agent_session_id", "cwd" };
	for (int i = 0; i < 6; i++)
		baton_bind_text(st, 4 + i, baton_json_str(r, text[i]));
	sqlite3_bind_text(st, 10, argv ? argv : "[]", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 11, r, "pid");
	bind_int_or_null(st, 12, ev, "proc_start");
	bind_int_or_null(st, 13, ev, "wrapper_pid");
	bind_int_or_null(st, 14, ev, "wrapper_start");
	baton_bind_text(st, 15, baton_json_str(r, "host"));
	baton_bind_text(st, 16, baton_json_str(r, "boot_id"));
	baton_bind_text(st, 17, baton_json_str(r, "started_at"));
	sqlite3_bind_int64(st, 18, baton_json_int(r, "attempt", 1));
	baton_bind_text(st, 19, baton_json_str(r, "attempt_of"));
	int rc = step_done(ctx, st, "apply run_started");
	cJSON_free(argv);
	return rc;
}

static int apply_finished(struct baton_ctx *ctx, const cJSON *ev)
{
	const char *id = baton_json_str(ev, "run_id"), *status = baton_json_str(ev, "status");
	if (!id || !status)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE runs SET status = ?2, exit_code = ?3, signal = ?4, completed_at = ?5, end_event = ?6,"
		" end_kind = 2, end_reason = NULL WHERE id = ?1 AND (end_kind < 2 OR end_event < ?6)");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, status);
	bind_int_or_null(st, 3, ev, "exit_code");
	bind_int_or_null(st, 4, ev, "signal");
	baton_bind_text(st, 5, baton_json_str(ev, "completed_at"));
	baton_bind_text(st, 6, baton_json_str(ev, "id"));
	return step_done(ctx, st, "apply run_finished");
}

static int apply_interrupted(struct baton_ctx *ctx, const cJSON *ev)
{
	const char *id = baton_json_str(ev, "run_id");
	if (!id)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE runs SET status = 'interrupted', end_event = ?2, end_kind = 1, end_reason = ?3"
		" WHERE id = ?1 AND end_kind = 0");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, baton_json_str(ev, "id"));
	baton_bind_text(st, 3, baton_json_str(ev, "reason"));
	return step_done(ctx, st, "apply run_interrupted");
}

static int apply_agent_session(struct baton_ctx *ctx, const cJSON *ev)
{
	const char *id = baton_json_str(ev, "run_id");
	if (!id || !baton_json_str(ev, "agent_session_id"))
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"UPDATE runs SET agent_session_id = ?2, agent_session_event = ?3"
		" WHERE id = ?1 AND (agent_session_event IS NULL OR agent_session_event < ?3)");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, id);
	baton_bind_text(st, 2, baton_json_str(ev, "agent_session_id"));
	baton_bind_text(st, 3, baton_json_str(ev, "id"));
	return step_done(ctx, st, "apply run_agent_session");
}

static int apply_stage(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *s = baton_json_obj(ev, "stage");
	if (!baton_json_str(s, "id") || !baton_json_str(s, "created_at"))
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT OR IGNORE INTO run_stages(id, session_id, run_id, thread_id, task, note, created_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		return BATON_ERROR;
	static const char *const cols[] = { "id", "session_id", "run_id", "thread_id", "task", "note", "created_at" };
	for (int i = 0; i < 7; i++)
		baton_bind_text(st, i + 1, baton_json_str(s, cols[i]));
	return step_done(ctx, st, "apply stage_planned");
}

static const struct baton_event_handler run_handlers[] = {
	{ "run_started", apply_started },
	{ "run_finished", apply_finished },
	{ "run_interrupted", apply_interrupted },
	{ "run_agent_session", apply_agent_session },
	{ "stage_planned", apply_stage },
	{ NULL, NULL },
};

static const char *const run_tables[] = { "runs", "run_stages", NULL };

const struct baton_index_module baton_run_index = {
	.name = "run",
	.schema = run_schema,
	.tables = run_tables,
	.handlers = run_handlers,
	.replay = NULL,
};
