/* The handoff analyzer (analyze.h): one pass over a session's messages, in the order
 * `baton messages` shows them, keeping only bounded state (the todo list, per-file
 * counts, a ring of recent calls, the calls still waiting for their result), then the
 * journal and git. Everything it reads was redacted before it was stored. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baton/analyze.h"
#include "baton/clock.h"
#include "baton/fsutil.h"
#include "baton/git.h"
#include "baton/index.h"
#include "baton/journal.h"
#include "baton/json.h"
#include "baton/strbuf.h"
#include "core/ctx.h"
#include "sources/source.h"

#define RECENT 10          /* tool calls kept for "recent activity" */
#define MAX_PENDING 64     /* calls waiting for their result (a result may never come) */
#define MAX_ERRORS 100     /* unresolved errors kept (the oldest go first) */
#define MAX_DECISIONS 20   /* decisions found in assistant text (the latest kept) */
#define MAX_FILES 5000     /* distinct modified files counted */
#define MAX_TODOS 500      /* todo items kept */
#define GOAL_MAX 2000      /* bytes of the initial goal kept */
#define LINE_MAX 300       /* bytes of one summary line */

/* ---- small text helpers --------------------------------------------------------- */

/* Append s[0..n) as one line: runs of blanks and newlines become one space, cut at
 * max bytes (on a UTF-8 boundary) with an ellipsis. */
static void one_line(struct strbuf *sb, const char *s, size_t n, size_t max)
{
	size_t start = sb->len;
	bool space = false;
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = sb->len > start;
			continue;
		}
		if (sb->len - start >= max) {
			size_t cut = sb->len;
			while (cut > start && ((unsigned char)sb->buf[cut] & 0xC0) == 0x80)
				cut--;
			sb->len = cut;
			sb->buf[cut] = '\0';
			baton_strbuf_adds(sb, "…");
			return;
		}
		if (space)
			baton_strbuf_addch(sb, ' ');
		space = false;
		baton_strbuf_addch(sb, (char)c);
	}
}

static cJSON *line_str(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	if (s)
		one_line(&sb, s, strlen(s), max);
	cJSON *r = cJSON_CreateString(sb.buf);
	baton_strbuf_release(&sb);
	return r;
}

static bool has_nocase(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

/* ---- command and result recognition (public for the unit tests) ----------------- */

#define MAX_WORDS 8

/* Is the simple command words[0..n) `git [global options] commit`? */
static bool words_commit(char words[][64], int n)
{
	int i = 0;
	while (i < n && strchr(words[i], '=') && words[i][0] != '-' && words[i][0] != '=')
		i++; /* VAR=value prefixes */
	if (i < n && (!strcmp(words[i], "command") || !strcmp(words[i], "exec")))
		i++;
	if (i >= n)
		return false;
	const char *w = strrchr(words[i], '/');
	w = w ? w + 1 : words[i];
	if (strcmp(w, "git"))
		return false;
	for (i++; i < n; i++) {
		if (!strcmp(words[i], "-C") || !strcmp(words[i], "-c") || !strcmp(words[i], "--git-dir") ||
		    !strcmp(words[i], "--work-tree") || !strcmp(words[i], "--namespace")) {
			i++; /* takes an argument */
			continue;
		}
		if (words[i][0] == '-')
			continue;
		return !strcmp(words[i], "commit");
	}
	return false;
}

bool baton_analyze_is_git_commit(const char *cmd)
{
	char words[MAX_WORDS][64];
	int n = 0;
	size_t wl = 0;
	bool in_word = false;
	char q = 0;
	if (!cmd)
		return false;
	for (const char *p = cmd;; p++) {
		char c = *p;
		bool end = !c;
		if (!end && q) {
			if (c == q) {
				q = 0;
				continue;
			}
			if (c == '\\' && q == '"' && p[1])
				c = *++p;
			if (n < MAX_WORDS && wl < 63)
				words[n][wl++] = c;
			in_word = true;
			continue;
		}
		if (!end && (c == '\'' || c == '"')) {
			q = c;
			in_word = true;
			continue;
		}
		if (!end && c == '\\' && p[1]) {
			c = *++p;
			if (n < MAX_WORDS && wl < 63)
				words[n][wl++] = c;
			in_word = true;
			continue;
		}
		bool sep = end || c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || c == '`' ||
			   (c == '$' && p[1] == '(');
		if (end || sep || c == ' ' || c == '\t' || c == '\r') {
			if (in_word && n < MAX_WORDS) {
				words[n][wl] = '\0';
				n++;
			}
			in_word = false;
			wl = 0;
			if (sep) {
				if (words_commit(words, n))
					return true;
				n = 0;
			}
			if (end)
				return false;
			continue;
		}
		if (n < MAX_WORDS && wl < 63)
			words[n][wl++] = c;
		in_word = true;
	}
}

/* The exit code a shell tool's result reports in its header lines ("Exit code 2",
 * "Exit code: 1", "Process exited with code 0", "Command exited with code 1: …"),
 * or -1 when it reports none. Only the first lines, before any "Output:", count: the
 * output itself may say anything. */
static long exit_code(const char *text)
{
	static const char *const marks[] = { "exit code", "process exited with code", "command exited with code",
					     "exited with code", "exit status" };
	const char *p = text;
	for (int l = 0; l < 6 && p && *p; l++) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!strncasecmp(p, "output:", 7))
			break;
		for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
			size_t n = strlen(marks[i]);
			if (strncasecmp(p, marks[i], n))
				continue;
			const char *q = p + n;
			while (*q == ':' || *q == ' ' || *q == '\t')
				q++;
			if (isdigit((unsigned char)*q))
				return strtol(q, NULL, 10);
		}
		p = strchr(p, '\n');
	}
	return -1;
}

bool baton_analyze_failed(const char *text)
{
	if (!text)
		return false;
	long code = exit_code(text);
	if (code >= 0)
		return code != 0;
	if (strstr(text, "<tool_use_error>"))
		return true;
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
		text++;
	return !strncmp(text, "Error:", 6) || !strncmp(text, "error:", 6) || !strncmp(text, "Error ", 6) ||
	       !strncmp(text, "fatal:", 6);
}

bool baton_analyze_commit_line(const char *text, char sha[41], const char **subject, size_t *subject_len)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *l = p, *le = p + n;
		if (n > 8 && !strncmp(l, "Output: ", 8))
			l += 8;
		const char *close = l < le && *l == '[' ? memchr(l, ']', (size_t)(le - l)) : NULL;
		if (close) {
			/* the last word inside the brackets is the abbreviated hash */
			const char *h = close;
			while (h > l + 1 && h[-1] != ' ')
				h--;
			size_t hl = (size_t)(close - h);
			bool hex = hl >= 7 && hl <= 40 && h > l + 1;
			for (size_t i = 0; hex && i < hl; i++)
				hex = isxdigit((unsigned char)h[i]);
			if (hex) {
				memcpy(sha, h, hl);
				sha[hl] = '\0';
				const char *s = close + 1;
				while (s < le && *s == ' ')
					s++;
				*subject = s;
				*subject_len = (size_t)(le - s);
				return true;
			}
		}
		p += n + (eol ? 1 : 0);
	}
	return false;
}

/* ---- the pass over messages ----------------------------------------------------- */

struct pending {
	char *tool;
	char *key;      /* what a later success must match to resolve a failure */
	char *command;
	char *target;   /* the command, else the first file */
	cJSON *edits;   /* files an editing call changes, counted once it succeeds */
	bool commit;
	int64_t task;   /* TaskCreate: the id it will get */
};

struct an {
	struct baton_ctx *ctx;
	const char *root;        /* paths under it are shown relative */
	cJSON *goal;             /* string or NULL */
	cJSON *todos;            /* [{id,text,status}] */
	const char *todo_tool;   /* static */
	int64_t task_seq;
	cJSON *files;            /* [{path,count}] in first-seen order */
	cJSON *shell_commits;
	cJSON *recent;
	cJSON *decisions;
	cJSON *errors;
	struct pending pend[MAX_PENDING];
	int npend;
	int64_t messages, tool_calls, prompts;
};

static void pending_free(struct pending *p)
{
	free(p->tool);
	free(p->key);
	free(p->command);
	free(p->target);
	cJSON_Delete(p->edits);
	memset(p, 0, sizeof *p);
}

static bool is_one(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

/* Every agent's file-editing tools (formats.md §1.8, §2.5, §3.2, §4.2). */
static const char *const edit_tools[] = {
	"Write", "Edit", "MultiEdit", "NotebookEdit", "apply_patch", "write_file", "replace", "edit", "write",
	"patch", "multiedit", "str_replace_editor", "str_replace_based_edit_tool", "create_file", NULL,
};

static const char *norm_status(const char *s)
{
	if (!s)
		return "pending";
	if (!strcmp(s, "completed") || !strcmp(s, "done") || !strcmp(s, "complete"))
		return "completed";
	if (!strcmp(s, "in_progress") || !strcmp(s, "in-progress") || !strcmp(s, "active"))
		return "in_progress";
	if (!strcmp(s, "cancelled") || !strcmp(s, "canceled") || !strcmp(s, "deleted"))
		return "cancelled";
	if (!strcmp(s, "blocked"))
		return "blocked";
	return "pending";
}

static void todo_add(cJSON *arr, const char *id, const char *text, const char *status)
{
	if (!text || !*text || cJSON_GetArraySize(arr) >= MAX_TODOS)
		return;
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "id", id);
	cJSON_AddItemToObject(o, "text", line_str(text, LINE_MAX));
	baton_json_add_str(o, "status", norm_status(status));
	cJSON_AddItemToArray(arr, o);
}

/* Whole-list todo tools: TodoWrite (both shapes), update_plan, write_todos, todowrite. */
static void todos_replace(struct an *a, const char *tool, const char *input)
{
	cJSON *in = input ? cJSON_Parse(input) : NULL;
	const cJSON *list = baton_json_arr(in, "todos");
	if (!list)
		list = baton_json_arr(in, "plan");
	if (!list) {
		cJSON_Delete(in);
		return; /* truncated or malformed: keep the previous state */
	}
	cJSON *arr = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		const char *text = baton_json_str(it, "content");
		if (!text)
			text = baton_json_str(it, "step");
		if (!text)
			text = baton_json_str(it, "description");
		if (!text)
			text = baton_json_str(it, "subject");
		if (!text && cJSON_IsString(it))
			text = it->valuestring;
		todo_add(arr, baton_json_str(it, "id"), text, baton_json_str(it, "status"));
	}
	cJSON_Delete(a->todos);
	a->todos = arr;
	a->todo_tool = !strcmp(tool, "TodoWrite") ? "TodoWrite" : !strcmp(tool, "update_plan") ? "update_plan"
		     : !strcmp(tool, "write_todos") ? "write_todos" : "todowrite";
	cJSON_Delete(in);
}

static cJSON *todo_find(cJSON *arr, const char *id)
{
	cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (id && baton_json_str(it, "id") && !strcmp(baton_json_str(it, "id"), id))
			return it;
	return NULL;
}

/* Incremental task tools: TaskCreate / TaskUpdate (Claude 2.1), tracker_*_task (Gemini). */
static int64_t task_create(struct an *a, const char *tool, const char *input)
{
	cJSON *in = input ? cJSON_Parse(input) : NULL;
	const char *text = baton_json_str(in, "subject");
	if (!text)
		text = baton_json_str(in, "title");
	if (!text)
		text = baton_json_str(in, "description");
	int64_t id = ++a->task_seq;
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)id);
	if (a->todo_tool && strcmp(a->todo_tool, "TaskCreate")) {
		cJSON_Delete(a->todos); /* a whole-list tool's state is superseded */
		a->todos = cJSON_CreateArray();
	}
	a->todo_tool = "TaskCreate";
	todo_add(a->todos, buf, text, baton_json_str(in, "status"));
	cJSON_Delete(in);
	return id;
}

static void task_update(struct an *a, const char *input)
{
	cJSON *in = input ? cJSON_Parse(input) : NULL;
	char buf[32];
	const char *id = baton_json_str(in, "taskId");
	if (!id)
		id = baton_json_str(in, "task_id");
	if (!id)
		id = baton_json_str(in, "id");
	if (!id && cJSON_IsNumber(cJSON_GetObjectItem(in, "taskId"))) {
		snprintf(buf, sizeof buf, "%lld", (long long)baton_json_int(in, "taskId", 0));
		id = buf;
	}
	cJSON *t = todo_find(a->todos, id);
	if (t) {
		const char *st = baton_json_str(in, "status");
		if (st && !strcmp(st, "deleted")) {
			cJSON_DetachItemViaPointer(a->todos, t);
			cJSON_Delete(t);
		} else {
			if (st)
				baton_json_set(t, "status", cJSON_CreateString(norm_status(st)));
			const char *subj = baton_json_str(in, "subject");
			if (!subj)
				subj = baton_json_str(in, "title");
			if (subj && *subj)
				baton_json_set(t, "text", line_str(subj, LINE_MAX));
		}
	}
	cJSON_Delete(in);
}

/* TaskCreate's result names the id it gave ("Task #3 created …"): renumber. */
static void task_created(struct an *a, int64_t guessed, const char *result)
{
	const char *h = result ? strchr(result, '#') : NULL;
	if (!h || !isdigit((unsigned char)h[1]))
		return;
	char want[32], got[32];
	snprintf(want, sizeof want, "%lld", (long long)guessed);
	snprintf(got, sizeof got, "%lld", (long long)strtoll(h + 1, NULL, 10));
	cJSON *t = todo_find(a->todos, want);
	if (t && strcmp(want, got)) {
		baton_json_set(t, "id", cJSON_CreateString(got));
		a->task_seq = strtoll(got, NULL, 10);
	}
}

static void relative(struct an *a, struct strbuf *sb, const char *path)
{
	size_t n = a->root ? strlen(a->root) : 0;
	if (n && !strncmp(path, a->root, n) && path[n] == '/' && path[n + 1])
		path += n + 1;
	one_line(sb, path, strlen(path), 1024);
}

static void file_touched(struct an *a, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	relative(a, &sb, path);
	cJSON *it;
	cJSON_ArrayForEach(it, a->files) {
		if (!strcmp(baton_json_str(it, "path"), sb.buf)) {
			baton_json_set(it, "count", cJSON_CreateNumber((double)(baton_json_int(it, "count", 0) + 1)));
			baton_strbuf_release(&sb);
			return;
		}
	}
	if (sb.len && cJSON_GetArraySize(a->files) < MAX_FILES) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_str(o, "path", sb.buf);
		baton_json_add_int(o, "count", 1);
		cJSON_AddItemToArray(a->files, o);
	}
	baton_strbuf_release(&sb);
}

/* What one call did, in a line: the command, the file, or the start of its input. */
static cJSON *call_summary(struct an *a, const char *command, const cJSON *paths, const char *text)
{
	if (command && *command)
		return line_str(command, 120);
	const cJSON *p0 = cJSON_GetArrayItem(paths, 0);
	if (cJSON_IsString(p0)) {
		struct strbuf sb = STRBUF_INIT;
		relative(a, &sb, p0->valuestring);
		cJSON *r = line_str(sb.buf, 120);
		baton_strbuf_release(&sb);
		return r;
	}
	return line_str(text ? text : "", 80);
}

static void push_capped(cJSON *arr, cJSON *item, int cap)
{
	cJSON_AddItemToArray(arr, item);
	while (cJSON_GetArraySize(arr) > cap)
		cJSON_DeleteItemFromArray(arr, 0);
}

static void errors_resolve(struct an *a, const char *key)
{
	for (int i = cJSON_GetArraySize(a->errors) - 1; i >= 0; i--) {
		const char *k = baton_json_str(cJSON_GetArrayItem(a->errors, i), "key");
		if (k && key && !strcmp(k, key))
			cJSON_DeleteItemFromArray(a->errors, i);
	}
}

static const char *const decision_marks[] = {
	"decided", "decision:", "going with", "go with", "chose ", "chosen", "opted", "instead of",
	"rather than", "settled on", "trade-off", "tradeoff", NULL,
};

/* Sentences of assistant text that carry a decision marker. */
static void scan_decisions(struct an *a, const char *text)
{
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\n");
		const char *e = p;
		/* end of sentence: ". ", "! ", "? " or the end of the line */
		for (; e < p + n; e++)
			if ((*e == '.' || *e == '!' || *e == '?') && (e + 1 == p + n || e[1] == ' '))
				break;
		size_t len = (size_t)(e - p) + (e < p + n ? 1 : 0);
		char *s = strndup(p, len);
		bool hit = false;
		for (const char *const *m = decision_marks; s && *m && !hit; m++)
			hit = has_nocase(s, *m);
		if (hit) {
			cJSON *o = cJSON_CreateObject();
			baton_json_add_str(o, "source", "transcript");
			cJSON_AddItemToObject(o, "text", line_str(s, 240));
			cJSON_AddNullToObject(o, "rationale");
			push_capped(a->decisions, o, MAX_DECISIONS);
		}
		free(s);
		p += len;
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
			p++;
	}
}

static void on_tool_use(struct an *a, const char *ts, const char *tool, const cJSON *paths, const char *command,
			const char *text)
{
	a->tool_calls++;
	cJSON *r = cJSON_CreateObject();
	baton_json_add_str(r, "timestamp", ts);
	baton_json_add_str(r, "tool", tool ? tool : "?");
	cJSON_AddItemToObject(r, "summary", call_summary(a, command, paths, text));
	push_capped(a->recent, r, RECENT);

	int64_t task = 0;
	if (tool && (!strcmp(tool, "TodoWrite") || !strcmp(tool, "update_plan") || !strcmp(tool, "write_todos") ||
		     !strcmp(tool, "todowrite")))
		todos_replace(a, tool, text);
	else if (tool && (!strcmp(tool, "TaskCreate") || !strcmp(tool, "tracker_create_task")))
		task = task_create(a, tool, text);
	else if (tool && (!strcmp(tool, "TaskUpdate") || !strcmp(tool, "tracker_update_task")))
		task_update(a, text);

	bool edits = is_one(tool, edit_tools) || (command && strstr(command, "*** Begin Patch"));

	if (a->npend == MAX_PENDING) { /* results that never came: count, then forget the oldest */
		const cJSON *p;
		cJSON_ArrayForEach(p, a->pend[0].edits)
			file_touched(a, p->valuestring);
		pending_free(&a->pend[0]);
		memmove(a->pend, a->pend + 1, (MAX_PENDING - 1) * sizeof a->pend[0]);
		a->npend--;
		memset(&a->pend[a->npend], 0, sizeof a->pend[0]);
	}
	struct pending *pd = &a->pend[a->npend++];
	pd->tool = tool ? strdup(tool) : NULL;
	pd->command = command ? strdup(command) : NULL;
	const cJSON *p0 = cJSON_GetArrayItem(paths, 0);
	if (command)
		pd->target = strdup(command);
	else if (cJSON_IsString(p0)) {
		struct strbuf t = STRBUF_INIT;
		relative(a, &t, p0->valuestring);
		pd->target = baton_strbuf_detach(&t);
	}
	struct strbuf key = STRBUF_INIT;
	baton_strbuf_addf(&key, "%s\x1f%s", tool ? tool : "",
			  command ? command : cJSON_IsString(p0) ? p0->valuestring : "");
	pd->key = baton_strbuf_detach(&key);
	pd->commit = baton_analyze_is_git_commit(command);
	pd->task = task;
	const cJSON *p;
	if (edits)
		cJSON_ArrayForEach(p, paths)
			if (cJSON_IsString(p) && *p->valuestring) {
				if (!pd->edits)
					pd->edits = cJSON_CreateArray();
				cJSON_AddItemToArray(pd->edits, cJSON_CreateString(p->valuestring));
			}
}

static void on_tool_result(struct an *a, const char *ts, const char *tool, const char *text)
{
	int i;
	for (i = 0; i < a->npend; i++)
		if (!tool || !a->pend[i].tool || !strcmp(a->pend[i].tool, tool))
			break;
	struct pending pd = { 0 };
	if (i < a->npend) {
		pd = a->pend[i];
		memmove(a->pend + i, a->pend + i + 1, (size_t)(a->npend - i - 1) * sizeof a->pend[0]);
		a->npend--;
		memset(&a->pend[a->npend], 0, sizeof a->pend[0]);
	}
	bool failed = baton_analyze_failed(text);
	const cJSON *ep;
	if (!failed) /* a refused edit changed nothing */
		cJSON_ArrayForEach(ep, pd.edits)
			file_touched(a, ep->valuestring);
	if (pd.task)
		task_created(a, pd.task, text);
	if (pd.commit) {
		char sha[41];
		const char *subj = NULL;
		size_t sl = 0;
		bool found = !failed && baton_analyze_commit_line(text, sha, &subj, &sl);
		cJSON *c = cJSON_CreateObject();
		baton_json_add_str(c, "timestamp", ts);
		cJSON_AddItemToObject(c, "command", line_str(pd.command, 200));
		baton_json_add_str(c, "hash", found ? sha : NULL);
		if (found) {
			struct strbuf sb = STRBUF_INIT;
			one_line(&sb, subj, sl, 200);
			baton_json_add_str(c, "message", sb.buf);
			baton_strbuf_release(&sb);
		} else {
			cJSON_AddItemToObject(c, "message", text ? line_str(text, 200) : cJSON_CreateNull());
		}
		baton_json_add_bool(c, "ok", found);
		push_capped(a->shell_commits, c, MAX_ERRORS);
	}
	char fallback[256];
	const char *key = pd.key;
	if (!key) {
		snprintf(fallback, sizeof fallback, "%s\x1f", tool ? tool : "");
		key = fallback;
	}
	errors_resolve(a, key);
	if (failed) {
		cJSON *e = cJSON_CreateObject();
		baton_json_add_str(e, "key", key);
		baton_json_add_str(e, "timestamp", ts);
		baton_json_add_str(e, "tool", tool ? tool : pd.tool);
		if (pd.target)
			cJSON_AddItemToObject(e, "target", line_str(pd.target, 200));
		else
			cJSON_AddNullToObject(e, "target");
		cJSON_AddItemToObject(e, "text", line_str(text, LINE_MAX));
		push_capped(a->errors, e, MAX_ERRORS);
	}
	pending_free(&pd);
}

static int scan_messages(struct an *a, const char *session_id)
{
	struct baton_ctx *ctx = a->ctx;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT m.ts, m.role, m.kind, m.tool, m.paths, m.command, m.text"
		" FROM messages m JOIN conversations c ON c.source = m.source AND c.agent_session_id = m.agent_session_id"
		" WHERE c.session_id = ?1 ORDER BY coalesce(m.ts, ''), m.transcript, m.seq");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, session_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ts = baton_col_text(st, 0), *role = baton_col_text(st, 1), *kind = baton_col_text(st, 2);
		const char *tool = baton_col_text(st, 3), *paths_s = baton_col_text(st, 4);
		const char *command = baton_col_text(st, 5), *text = baton_col_text(st, 6);
		a->messages++;
		if (!role || !kind)
			continue;
		if (!strcmp(kind, "text") && !strcmp(role, "user")) {
			if (text && !baton_text_is_wrapper(text)) {
				a->prompts++;
				if (!a->goal) {
					struct strbuf sb = STRBUF_INIT;
					size_t n = strlen(text);
					if (n > GOAL_MAX) {
						n = GOAL_MAX;
						while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
							n--;
					}
					baton_strbuf_add(&sb, text, n);
					if (n < strlen(text))
						baton_strbuf_adds(&sb, "…");
					a->goal = cJSON_CreateString(sb.buf);
					baton_strbuf_release(&sb);
				}
			}
		} else if (!strcmp(kind, "text") && !strcmp(role, "assistant")) {
			scan_decisions(a, text);
		} else if (!strcmp(kind, "tool_use")) {
			cJSON *paths = paths_s ? cJSON_Parse(paths_s) : NULL;
			on_tool_use(a, ts, tool, cJSON_IsArray(paths) ? paths : NULL, command, text);
			cJSON_Delete(paths);
		} else if (!strcmp(kind, "tool_result")) {
			on_tool_result(a, ts, tool, text);
		}
	}
	sqlite3_reset(st);
	/* edits whose result never came (a crash, a tool still running): assume they happened */
	for (int i = 0; i < a->npend; i++) {
		const cJSON *p;
		cJSON_ArrayForEach(p, a->pend[i].edits)
			file_touched(a, p->valuestring);
	}
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "read messages for the handoff");
}

/* ---- frame, commits, git status ------------------------------------------------- */

void baton_analyze_frame(struct baton_ctx *ctx, const cJSON *session, int64_t *since_ms, int64_t *until_ms)
{
	int64_t a = 0, b = 0, t;
	if (baton_json_str(session, "created_at") && !baton_time_parse(&t, baton_json_str(session, "created_at")))
		a = t;
	if (baton_json_str(session, "updated_at") && !baton_time_parse(&t, baton_json_str(session, "updated_at")))
		b = t;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT min(first_seen), max(last_seen) FROM conversations WHERE session_id = ?1");
	if (st) {
		baton_bind_text(st, 1, baton_json_str(session, "id"));
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (baton_col_text(st, 0) && !baton_time_parse(&t, baton_col_text(st, 0)) && (!a || t < a))
				a = t;
			if (baton_col_text(st, 1) && !baton_time_parse(&t, baton_col_text(st, 1)) && t > b)
				b = t;
		}
		sqlite3_reset(st);
	}
	if (b < a)
		b = a;
	*since_ms = a;
	*until_ms = b ? b : 1; /* 1: not "no bound" */
}

/* The session's repository: repo_root when it still exists, else the one containing cwd. */
static int session_root(struct baton_ctx *ctx, char **out, const cJSON *session)
{
	const char *root = baton_json_str(session, "repo_root"), *cwd = baton_json_str(session, "cwd");
	*out = NULL;
	const char *dir = root && baton_is_dir(root) ? root : cwd && baton_is_dir(cwd) ? cwd : NULL;
	if (!dir)
		return 0;
	return baton_git_root(ctx, out, dir);
}

int baton_analyze_commits(struct baton_ctx *ctx, cJSON **out, char **out_root, const cJSON *session, int max)
{
	char *root = NULL;
	cJSON *raw = NULL;
	int64_t since, until;
	*out = NULL;
	if (out_root)
		*out_root = NULL;
	int rc = session_root(ctx, &root, session);
	if (rc)
		goto out;
	*out = cJSON_CreateArray();
	if (!root)
		goto out;
	baton_analyze_frame(ctx, session, &since, &until);
	if ((rc = baton_git_commits(ctx, &raw, root, since, until, max)))
		goto out;
	const cJSON *c;
	cJSON_ArrayForEach(c, raw) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_str(o, "hash", baton_json_str(c, "hash"));
		baton_json_add_str(o, "message", baton_json_str(c, "message"));
		baton_json_add_str(o, "timestamp", baton_json_str(c, "timestamp"));
		cJSON_AddItemToArray(*out, o);
	}
out:
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	if (out_root && !rc) {
		*out_root = root;
		root = NULL;
	}
	cJSON_Delete(raw);
	free(root);
	return rc;
}

static cJSON *git_status(struct baton_ctx *ctx, const cJSON *session)
{
	const char *cwd = baton_json_str(session, "cwd");
	struct baton_git_snapshot snap = { 0 };
	if (!cwd || !baton_is_dir(cwd) || baton_git_snapshot(ctx, &snap, cwd, 20))
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "branch", snap.branch);
	baton_json_add_str(o, "head_sha", snap.head_sha);
	baton_json_add_bool(o, "dirty", snap.dirty);
	cJSON *files = cJSON_AddArrayToObject(o, "files");
	for (size_t i = 0; i < snap.nfiles; i++)
		cJSON_AddItemToArray(files, cJSON_CreateString(snap.files[i]));
	baton_json_add_int(o, "total_changed", (int64_t)snap.total_changed);
	baton_git_snapshot_release(&snap);
	return o;
}

/* ---- assembling the context ----------------------------------------------------- */

static int conversations(struct baton_ctx *ctx, cJSON *arr, const char *session_id)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT source, agent_session_id, first_seen, last_seen FROM conversations WHERE session_id = ?1"
		" ORDER BY coalesce(last_seen, ''), source, agent_session_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, session_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		baton_json_add_str(o, "source", baton_col_text(st, 0));
		baton_json_add_str(o, "agent_session_id", baton_col_text(st, 1));
		baton_json_add_str(o, "first_seen", baton_col_text(st, 2));
		baton_json_add_str(o, "last_seen", baton_col_text(st, 3));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "read conversations");
}

static void add_unique(cJSON *arr, const char *s)
{
	const cJSON *it;
	if (!s || !*s)
		return;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return;
	cJSON_AddItemToArray(arr, line_str(s, LINE_MAX));
}

int baton_analyze_session(struct baton_ctx *ctx, cJSON **out, const cJSON *session)
{
	const char *id = baton_json_str(session, "id");
	struct an a = { .ctx = ctx };
	cJSON *journal = NULL, *o = NULL;
	int rc;
	*out = NULL;
	a.root = baton_json_str(session, "repo_root") ? baton_json_str(session, "repo_root") : baton_json_str(session, "cwd");
	a.todos = cJSON_CreateArray();
	a.files = cJSON_CreateArray();
	a.shell_commits = cJSON_CreateArray();
	a.recent = cJSON_CreateArray();
	a.decisions = cJSON_CreateArray();
	a.errors = cJSON_CreateArray();
	if ((rc = scan_messages(&a, id)))
		goto out;
	if ((rc = baton_journal_load(ctx, &journal, session)))
		goto out;

	o = cJSON_CreateObject();
	baton_json_add_str(o, "session_id", id);
	baton_json_add_str(o, "shortname", baton_json_str(session, "shortname"));
	baton_json_add_str(o, "status", baton_json_str(session, "status"));
	baton_json_add_str(o, "objective", baton_json_str(session, "objective"));
	cJSON_AddItemToObject(o, "initial_goal", a.goal ? a.goal : cJSON_CreateNull());
	a.goal = NULL;
	baton_json_add_str(o, "cwd", baton_json_str(session, "cwd"));
	baton_json_add_str(o, "repo_root", baton_json_str(session, "repo_root"));
	cJSON *convs = cJSON_AddArrayToObject(o, "conversations");
	if ((rc = conversations(ctx, convs, id)))
		goto out;
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	baton_json_add_int(counts, "messages", a.messages);
	baton_json_add_int(counts, "tool_calls", a.tool_calls);
	baton_json_add_int(counts, "user_prompts", a.prompts);

	cJSON *todos = cJSON_AddObjectToObject(o, "todos");
	baton_json_add_str(todos, "tool", a.todo_tool);
	cJSON *items = cJSON_AddArrayToObject(todos, "items");
	int64_t nc = 0, ni = 0, np = 0;
	cJSON *it;
	cJSON_ArrayForEach(it, a.todos) {
		const char *s = baton_json_str(it, "status");
		nc += !strcmp(s, "completed");
		ni += !strcmp(s, "in_progress");
		np += !strcmp(s, "pending") || !strcmp(s, "blocked");
		cJSON *t = cJSON_CreateObject();
		baton_json_add_str(t, "text", baton_json_str(it, "text"));
		baton_json_add_str(t, "status", s);
		cJSON_AddItemToArray(items, t);
	}
	baton_json_add_int(todos, "completed", nc);
	baton_json_add_int(todos, "in_progress", ni);
	baton_json_add_int(todos, "pending", np);

	const cJSON *jp = baton_json_obj(journal, "progress");
	cJSON *prog = cJSON_AddObjectToObject(o, "progress");
	baton_json_add_int(prog, "done", baton_json_int(jp, "done", 0));
	baton_json_add_int(prog, "total", baton_json_int(jp, "total", 0));
	baton_json_add_str(prog, "current", baton_json_str(jp, "current"));

	cJSON *active = cJSON_AddArrayToObject(o, "active_tasks");
	add_unique(active, baton_json_str(jp, "current"));
	cJSON_ArrayForEach(it, baton_json_arr(journal, "steps"))
		if (baton_json_str(it, "state") && !strcmp(baton_json_str(it, "state"), "in_progress"))
			add_unique(active, baton_json_str(it, "text"));
	cJSON_ArrayForEach(it, a.todos)
		if (!strcmp(baton_json_str(it, "status"), "in_progress"))
			add_unique(active, baton_json_str(it, "text"));
	cJSON_ArrayForEach(it, baton_json_arr(session, "working_set"))
		if (cJSON_IsString(it))
			add_unique(active, it->valuestring);

	cJSON *files = cJSON_AddArrayToObject(o, "files_modified");
	/* most edited first; ties by path, so the order never depends on the scan */
	int nf = cJSON_GetArraySize(a.files);
	cJSON **fv = nf ? calloc((size_t)nf, sizeof *fv) : NULL;
	int k = 0;
	if (nf && !fv) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, a.files)
		fv[k++] = it;
	for (int i = 1; i < nf; i++) { /* insertion sort: small lists, stable */
		cJSON *x = fv[i];
		int j = i;
		while (j > 0) {
			int64_t cx = baton_json_int(x, "count", 0), cy = baton_json_int(fv[j - 1], "count", 0);
			if (cy > cx || (cy == cx && strcmp(baton_json_str(fv[j - 1], "path"), baton_json_str(x, "path")) <= 0))
				break;
			fv[j] = fv[j - 1];
			j--;
		}
		fv[j] = x;
	}
	for (int i = 0; i < nf; i++)
		cJSON_AddItemToArray(files, cJSON_Duplicate(fv[i], 1));
	free(fv);

	cJSON_AddItemToObject(o, "shell_commits", a.shell_commits);
	a.shell_commits = NULL;
	cJSON *commits = NULL;
	if (baton_analyze_commits(ctx, &commits, NULL, session, 50))
		commits = cJSON_CreateArray(); /* unreadable repository: nothing to list */
	cJSON_AddItemToObject(o, "commits", commits);
	cJSON_AddItemToObject(o, "git_status", git_status(ctx, session));
	cJSON_AddItemToObject(o, "recent_tool_calls", a.recent);
	a.recent = NULL;

	cJSON *dec = cJSON_AddArrayToObject(o, "decisions");
	cJSON_ArrayForEach(it, baton_json_arr(journal, "decisions")) {
		cJSON *d = cJSON_CreateObject();
		baton_json_add_str(d, "source", "journal");
		cJSON_AddItemToObject(d, "text", line_str(baton_json_str(it, "text"), LINE_MAX));
		if (baton_json_str(it, "rationale"))
			cJSON_AddItemToObject(d, "rationale", line_str(baton_json_str(it, "rationale"), LINE_MAX));
		else
			cJSON_AddNullToObject(d, "rationale");
		cJSON_AddItemToArray(dec, d);
	}
	cJSON_ArrayForEach(it, a.decisions)
		cJSON_AddItemToArray(dec, cJSON_Duplicate(it, 1));

	cJSON *errs = cJSON_AddArrayToObject(o, "errors");
	cJSON_ArrayForEach(it, a.errors) {
		cJSON *e = cJSON_Duplicate(it, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(e, "key");
		cJSON_AddItemToArray(errs, e);
	}
	cJSON *blockers = cJSON_AddArrayToObject(o, "blockers");
	cJSON_ArrayForEach(it, baton_json_arr(journal, "blockers"))
		if (!baton_json_str(it, "status") || strcmp(baton_json_str(it, "status"), "resolved"))
			add_unique(blockers, baton_json_str(it, "text"));
	cJSON *next = cJSON_AddArrayToObject(o, "next_steps");
	cJSON_ArrayForEach(it, baton_json_arr(journal, "next"))
		if (!baton_json_str(it, "state") || strcmp(baton_json_str(it, "state"), "completed"))
			add_unique(next, baton_json_str(it, "text"));
	cJSON_ArrayForEach(it, baton_json_arr(journal, "steps"))
		if (baton_json_str(it, "state") && !strcmp(baton_json_str(it, "state"), "remaining"))
			add_unique(next, baton_json_str(it, "text"));
	cJSON_ArrayForEach(it, a.todos)
		if (!strcmp(baton_json_str(it, "status"), "pending"))
			add_unique(next, baton_json_str(it, "text"));
	*out = o;
	o = NULL;
out:
	cJSON_Delete(o);
	cJSON_Delete(journal);
	cJSON_Delete(a.goal);
	cJSON_Delete(a.todos);
	cJSON_Delete(a.files);
	cJSON_Delete(a.shell_commits);
	cJSON_Delete(a.recent);
	cJSON_Delete(a.decisions);
	cJSON_Delete(a.errors);
	for (int i = 0; i < a.npend; i++)
		pending_free(&a.pend[i]);
	return rc;
}
