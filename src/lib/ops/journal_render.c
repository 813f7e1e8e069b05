/* Folding journal entries and rendering the session document: pure functions. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baton/journal_render.h"
#include "baton/json.h"
#include "baton/strbuf.h"

#define TLDR_TEXT_MAX 100  /* bytes of one quoted text inside the TL;DR */
#define KEY_FILES_MAX 12

/* ---- small text helpers ----------------------------------------------------- */

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

/* Append s on one line (CR, LF, tabs become spaces), at most max bytes (0: all), cut
 * on a UTF-8 boundary with an ellipsis. */
static void add_flat(struct strbuf *sb, const char *s, size_t max)
{
	size_t n = strlen(s);
	int cut = 0;
	if (max && n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		while (n && s[n - 1] == ' ')
			n--;
		cut = 1;
	}
	for (size_t i = 0; i < n; i++)
		baton_strbuf_addch(sb, s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
	if (cut)
		baton_strbuf_adds(sb, "\xE2\x80\xA6");
}

/* Append multi-line s so that continuation lines stay inside a list item: every line
 * after the first is indented; CRs are dropped. */
static void add_block(struct strbuf *sb, const char *s, const char *indent)
{
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		baton_strbuf_addch(sb, *s);
		if (*s == '\n' && s[1])
			baton_strbuf_adds(sb, indent);
	}
}

/* "2026-11-22T10:15:00.000Z" → "2026-11-22 10:15 UTC" */
static void add_when(struct strbuf *sb, const char *ts)
{
	if (!ts || strlen(ts) < 16) {
		baton_strbuf_adds(sb, or(ts, "?"));
		return;
	}
	baton_strbuf_addf(sb, "%.10s %.5s UTC", ts, ts + 11);
}

/* A code span that survives backticks inside the text. */
static void add_code(struct strbuf *sb, const char *s)
{
	const char *fence = strchr(s, '`') ? "`` " : "`";
	const char *close = strchr(s, '`') ? " ``" : "`";
	baton_strbuf_adds(sb, fence);
	add_flat(sb, s, 0);
	baton_strbuf_adds(sb, close);
}

/* Case-insensitive comparison of a and b after trimming blanks from both ends. */
static int trimmed_len(const char *s, const char **start)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*start = s;
	return (int)n;
}

static int same_nocase(const char *a, const char *b)
{
	const char *sa, *sb;
	int na = trimmed_len(a, &sa), nb = trimmed_len(b, &sb);
	return na == nb && strncasecmp(sa, sb, (size_t)na) == 0;
}

static int prefix_nocase(const char *step, const char *text)
{
	const char *st, *tx;
	int ns = trimmed_len(step, &st), nt = trimmed_len(text, &tx);
	return nt && nt <= ns && strncasecmp(st, tx, (size_t)nt) == 0;
}

static int contains_nocase(const char *step, const char *text)
{
	const char *tx;
	int nt = trimmed_len(text, &tx);
	if (!nt)
		return 0;
	for (const char *p = step; *p; p++)
		if (strncasecmp(p, tx, (size_t)nt) == 0)
			return 1;
	return 0;
}

/* ---- key files: path-like words mentioned in the journal --------------------- */

static const char *const source_exts[] = {
	"c", "h", "cc", "cpp", "hpp", "cxx", "m", "go", "rs", "py", "rb", "js", "mjs", "ts", "tsx", "jsx",
	"java", "kt", "swift", "cs", "php", "lua", "pl", "sh", "bash", "zsh", "fish", "sql", "md", "txt",
	"rst", "json", "jsonl", "toml", "yml", "yaml", "ini", "cfg", "conf", "xml", "html", "css", "scss",
	"mk", "cmake", "gradle", "lock", "proto", "tf", "nix", "el", "vim", "1", "5", "8", NULL,
};

static int known_ext(const char *word, size_t n)
{
	size_t dot = n;
	while (dot && word[dot - 1] != '.' && word[dot - 1] != '/')
		dot--;
	if (!dot || word[dot - 1] != '.' || dot < 2 || word[dot - 2] == '/')
		return 0;
	for (const char *const *e = source_exts; *e; e++)
		if (strlen(*e) == n - dot && !strncasecmp(word + dot, *e, n - dot))
			return 1;
	return !strncmp(word, "Makefile", n) || !strncmp(word, "Dockerfile", n);
}

/* A word names a file when it has a known extension, or is a path with a '/' that
 * ends in a directory slash or a known extension ("src/lib/", "t/cli/t0100-x.sh");
 * URLs and "and/or" do not. */
static int is_path_word(const char *w, size_t n)
{
	if (n < 3 || n > 200)
		return 0;
	for (size_t i = 0; i + 2 < n; i++)
		if (w[i] == ':' && w[i + 1] == '/' && w[i + 2] == '/')
			return 0;
	int alnum = 0;
	for (size_t i = 0; i < n; i++)
		alnum |= isalnum((unsigned char)w[i]) != 0;
	if (!alnum)
		return 0;
	if (known_ext(w, n))
		return 1;
	return memchr(w, '/', n) && w[n - 1] == '/' && n > 2;
}

static void scan_paths(cJSON *files, const char *text)
{
	const char *p = text;
	while (p && *p && cJSON_GetArraySize(files) < KEY_FILES_MAX) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		const char *e = p;
		while (s < e && strchr("`'\"([{<*", *s))
			s++;
		while (e > s && strchr("`'\")]}>*,;:!?.", e[-1]))
			e--;
		size_t n = (size_t)(e - s);
		if (!is_path_word(s, n))
			continue;
		int dup = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, files)
			if (strlen(it->valuestring) == n && !strncmp(it->valuestring, s, n))
				dup = 1;
		if (!dup) {
			char *w = strndup(s, n);
			if (w)
				cJSON_AddItemToArray(files, cJSON_CreateString(w));
			free(w);
		}
	}
}

/* ---- fold ------------------------------------------------------------------- */

static cJSON *find_by_id(const cJSON *arr, const char *id)
{
	cJSON *it;
	if (!id)
		return NULL;
	cJSON_ArrayForEach(it, arr) {
		const char *x = baton_json_str(it, "id");
		if (x && !strcmp(x, id))
			return it;
	}
	return NULL;
}

static void set_str(cJSON *o, const char *key, const char *s)
{
	baton_json_set(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static cJSON *new_step(cJSON *steps, const cJSON *e, const char *state, int64_t seq)
{
	cJSON *st = cJSON_CreateObject();
	const char *at = baton_json_str(e, "at");
	baton_json_add_str(st, "id", baton_json_str(e, "id"));
	baton_json_add_str(st, "text", or(baton_json_str(e, "text"), ""));
	baton_json_add_str(st, "state", state);
	baton_json_add_str(st, "created_at", at);
	baton_json_add_str(st, "started_at", strcmp(state, "remaining") ? at : NULL);
	baton_json_add_str(st, "completed_at", !strcmp(state, "completed") ? at : NULL);
	baton_json_add_bool(st, "current", false);
	baton_json_add_int(st, "touched", seq);
	cJSON_AddItemToArray(steps, st);
	return st;
}

/* A new item at the end of list: {"n": its place from 1 (when numbered), "id", "at",
 * text_key: text}; the caller adds the rest of its fields. */
static cJSON *new_item(cJSON *list, bool numbered, const char *id, const char *at, const char *text_key,
		       const char *text)
{
	cJSON *it = cJSON_CreateObject();
	if (numbered)
		baton_json_add_int(it, "n", cJSON_GetArraySize(list) + 1);
	baton_json_add_str(it, "id", id);
	baton_json_add_str(it, "at", at);
	baton_json_add_str(it, text_key, text);
	cJSON_AddItemToArray(list, it);
	return it;
}

static int is_state(const cJSON *step, const char *state)
{
	const char *s = baton_json_str(step, "state");
	return s && !strcmp(s, state);
}

int baton_journal_fold_begin(struct baton_journal_folder *f)
{
	memset(f, 0, sizeof *f);
	cJSON *j = f->j = cJSON_CreateObject();
	if (!j)
		return -1;
	cJSON_AddNullToObject(j, "tldr");
	f->progress = cJSON_AddObjectToObject(j, "progress");
	f->steps = cJSON_AddArrayToObject(j, "steps");
	f->decisions = cJSON_AddArrayToObject(j, "decisions");
	f->discoveries = cJSON_AddArrayToObject(j, "discoveries");
	f->blockers = cJSON_AddArrayToObject(j, "blockers");
	f->next = cJSON_AddArrayToObject(j, "next");
	f->notes = cJSON_AddArrayToObject(j, "notes");
	f->checkpoints = cJSON_AddArrayToObject(j, "checkpoints");
	f->key_files = cJSON_AddArrayToObject(j, "key_files");
	return 0;
}

void baton_journal_fold_entry(struct baton_journal_folder *f, const cJSON *e)
{
	cJSON *steps = f->steps, *decisions = f->decisions, *discoveries = f->discoveries;
	cJSON *blockers = f->blockers, *notes = f->notes, *checkpoints = f->checkpoints;
	cJSON *key_files = f->key_files;
	const char *kind = baton_json_str(e, "kind");
	const char *id = baton_json_str(e, "id"), *at = baton_json_str(e, "at");
	const char *text = baton_json_str(e, "text");
	cJSON *ref = find_by_id(steps, baton_json_str(e, "ref"));
	if (!kind || !id)
		return;
	int64_t seq = ++f->seq;
	if (!strcmp(kind, "progress")) {
		if (ref && !is_state(ref, "completed")) {
			if (is_state(ref, "remaining"))
				set_str(ref, "started_at", at);
			set_str(ref, "state", "in_progress");
			baton_json_set(ref, "touched", cJSON_CreateNumber((double)seq));
		} else {
			new_step(steps, e, "in_progress", seq);
		}
	} else if (!strcmp(kind, "next")) {
		if (!ref || is_state(ref, "completed"))
			new_step(steps, e, "remaining", seq);
	} else if (!strcmp(kind, "done")) {
		if (ref && !is_state(ref, "completed")) {
			set_str(ref, "state", "completed");
			set_str(ref, "completed_at", at);
			baton_json_set(ref, "touched", cJSON_CreateNumber((double)seq));
		} else if (!ref) {
			new_step(steps, e, "completed", seq);
		}
	} else if (!strcmp(kind, "decision")) {
		cJSON *d = new_item(decisions, true, id, at, "text", text);
		baton_json_add_str(d, "context", baton_json_str(e, "context"));
		baton_json_add_str(d, "rationale", baton_json_str(e, "rationale"));
	} else if (!strcmp(kind, "discovery")) {
		new_item(discoveries, true, id, at, "text", text);
	} else if (!strcmp(kind, "blocker")) {
		cJSON *b = new_item(blockers, true, id, at, "text", text);
		baton_json_add_str(b, "status", "open");
		cJSON_AddNullToObject(b, "resolved_at");
	} else if (!strcmp(kind, "unblock")) {
		cJSON *b = find_by_id(blockers, baton_json_str(e, "ref"));
		if (b && !strcmp(or(baton_json_str(b, "status"), ""), "open")) {
			set_str(b, "status", "resolved");
			set_str(b, "resolved_at", at);
		}
	} else if (!strcmp(kind, "note")) {
		new_item(notes, false, id, at, "text", text);
	} else if (!strcmp(kind, "checkpoint")) {
		cJSON *c = new_item(checkpoints, false, id, at, "note", text);
		baton_json_add_bool(c, "pre_compact", baton_json_bool(e, "pre_compact", false));
	}
	if (text && strcmp(kind, "checkpoint") && strcmp(kind, "pause") && strcmp(kind, "close"))
		scan_paths(key_files, text);
	if (baton_json_str(e, "rationale"))
		scan_paths(key_files, baton_json_str(e, "rationale"));
}

cJSON *baton_journal_fold_end(struct baton_journal_folder *f, const cJSON *session)
{
	cJSON *j = f->j, *progress = f->progress, *steps = f->steps, *next = f->next;
	int64_t seq = f->seq;
	f->j = NULL;
	/* the current step: the in-progress one worked on last */
	cJSON *cur = NULL, *st;
	int64_t done = 0, total = 0;
	cJSON_ArrayForEach(st, steps) {
		total++;
		if (is_state(st, "completed"))
			done++;
		if (is_state(st, "in_progress") && (!cur || baton_json_int(st, "touched", 0) > baton_json_int(cur, "touched", 0)))
			cur = st;
	}
	if (cur)
		baton_json_set(cur, "current", cJSON_CreateTrue());
	baton_json_add_int(progress, "done", done);
	baton_json_add_int(progress, "total", total);
	baton_json_add_int(progress, "percent", total ? done * 100 / total : 0);
	baton_json_add_str(progress, "current", cur ? baton_json_str(cur, "text") : NULL);

	/* next steps, in the order to pick them up: the current step, the other steps in
	 * progress (latest first), then what remains in the order it was planned */
	for (int pass = 0; pass < 3; pass++) {
		int64_t last = INT64_MAX;
		for (;;) {
			cJSON *pick = NULL;
			if (pass == 1) {
				cJSON_ArrayForEach(st, steps) {
					int64_t t = baton_json_int(st, "touched", 0);
					if (is_state(st, "in_progress") && st != cur && t < last &&
					    (!pick || t > baton_json_int(pick, "touched", 0)))
						pick = st;
				}
				if (!pick)
					break;
				last = baton_json_int(pick, "touched", 0);
			} else {
				cJSON_ArrayForEach(st, steps)
					if ((pass == 0 && st == cur) || (pass == 2 && is_state(st, "remaining"))) {
						cJSON *n = cJSON_CreateObject();
						baton_json_add_str(n, "step_id", baton_json_str(st, "id"));
						baton_json_add_str(n, "text", baton_json_str(st, "text"));
						baton_json_add_str(n, "state", baton_json_str(st, "state"));
						cJSON_AddItemToArray(next, n);
					}
				break;
			}
			cJSON *n = cJSON_CreateObject();
			baton_json_add_str(n, "step_id", baton_json_str(pick, "id"));
			baton_json_add_str(n, "text", baton_json_str(pick, "text"));
			baton_json_add_str(n, "state", baton_json_str(pick, "state"));
			cJSON_AddItemToArray(next, n);
		}
	}
	baton_json_add_int(j, "entries", seq);
	char *tldr = baton_journal_tldr(session, j);
	if (tldr)
		baton_json_set(j, "tldr", cJSON_CreateString(tldr));
	free(tldr);
	return j;
}

cJSON *baton_journal_fold(const cJSON *session, const cJSON *entries)
{
	struct baton_journal_folder f;
	const cJSON *e;
	if (baton_journal_fold_begin(&f))
		return NULL;
	cJSON_ArrayForEach(e, entries)
		baton_journal_fold_entry(&f, e);
	return baton_journal_fold_end(&f, session);
}

/* ---- step matching ---------------------------------------------------------- */

/* Rank of a candidate within one matching level: lower wins. */
static int64_t step_rank(const cJSON *st, int64_t index)
{
	if (baton_json_bool(st, "current", false))
		return INT64_MIN;
	if (is_state(st, "in_progress"))
		return -1 - baton_json_int(st, "touched", 0) + (INT64_MIN / 2); /* later touched first */
	return index;
}

const cJSON *baton_journal_match_step(const cJSON *journal, const char *text, enum baton_step_match *how)
{
	const cJSON *steps = baton_json_arr(journal, "steps"), *st;
	if (how)
		*how = BATON_STEP_NONE;
	if (!text)
		return NULL;
	for (int level = BATON_STEP_EXACT; level <= BATON_STEP_SUBSTRING; level++) {
		const cJSON *best = NULL;
		int64_t best_rank = INT64_MAX, i = 0;
		cJSON_ArrayForEach(st, steps) {
			const char *s = baton_json_str(st, "text");
			int64_t idx = i++;
			if (!s || is_state(st, "completed"))
				continue;
			int m = level == BATON_STEP_EXACT ? !strcmp(s, text)
				: level == BATON_STEP_NOCASE ? same_nocase(s, text)
				: level == BATON_STEP_PREFIX ? prefix_nocase(s, text)
				: contains_nocase(s, text);
			int64_t r = step_rank(st, idx);
			if (m && r < best_rank) {
				best = st;
				best_rank = r;
			}
		}
		if (best) {
			if (how)
				*how = (enum baton_step_match)level;
			return best;
		}
	}
	return NULL;
}

const cJSON *baton_journal_find_step(const cJSON *journal, const char *text)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, baton_json_arr(journal, "steps"))
		if (!is_state(st, "completed") && baton_json_str(st, "text") && same_nocase(baton_json_str(st, "text"), text))
			return st;
	return NULL;
}

/* ---- TL;DR ------------------------------------------------------------------ */

/* A sentence from free text: flattened, cut, ending in one full stop. */
static void add_sentence(struct strbuf *sb, const char *s, size_t max)
{
	size_t start = sb->len;
	add_flat(sb, s, max);
	while (sb->len > start && (sb->buf[sb->len - 1] == ' ' || sb->buf[sb->len - 1] == '.'))
		sb->buf[--sb->len] = '\0';
	char last = sb->len > start ? sb->buf[sb->len - 1] : '.';
	if (last != '?' && last != '!')
		baton_strbuf_addch(sb, '.');
}

char *baton_journal_tldr(const cJSON *session, const cJSON *journal)
{
	struct strbuf sb = STRBUF_INIT;
	const char *objective = baton_json_str(session, "objective");
	const char *status = or(baton_json_str(session, "status"), "active");
	const cJSON *p = baton_json_obj(journal, "progress");
	int64_t done = baton_json_int(p, "done", 0), total = baton_json_int(p, "total", 0);
	const char *cur = baton_json_str(p, "current");

	const char *sp;
	if (objective && trimmed_len(objective, &sp))
		add_sentence(&sb, sp, 2 * TLDR_TEXT_MAX);
	else
		baton_strbuf_adds(&sb, "No objective recorded.");
	if (!strcmp(status, "completed")) {
		baton_strbuf_adds(&sb, " Completed.");
	} else if (!strcmp(status, "abandoned")) {
		baton_strbuf_adds(&sb, " Abandoned");
		if (baton_json_str(session, "close_reason")) {
			baton_strbuf_adds(&sb, ": ");
			add_sentence(&sb, baton_json_str(session, "close_reason"), TLDR_TEXT_MAX);
		} else {
			baton_strbuf_addch(&sb, '.');
		}
	} else if (strcmp(status, "active")) {
		baton_strbuf_addf(&sb, " Status: %s.", !strcmp(status, "handoff_ready") ? "ready for handoff" : status);
	}
	if (total)
		baton_strbuf_addf(&sb, " %lld of %lld steps done (%lld%%).", (long long)done, (long long)total,
				  (long long)baton_json_int(p, "percent", 0));
	else
		baton_strbuf_adds(&sb, " No progress logged yet.");
	if (cur) {
		baton_strbuf_adds(&sb, " Current step: ");
		add_sentence(&sb, cur, TLDR_TEXT_MAX);
	}
	const cJSON *b, *last_open = NULL;
	int open = 0;
	cJSON_ArrayForEach(b, baton_json_arr(journal, "blockers"))
		if (!strcmp(or(baton_json_str(b, "status"), ""), "open")) {
			open++;
			last_open = b;
		}
	if (!open) {
		baton_strbuf_adds(&sb, " No open blockers.");
	} else {
		baton_strbuf_addf(&sb, " Blocked: %d open blocker%s, latest #%lld: ", open, open == 1 ? "" : "s",
				  (long long)baton_json_int(last_open, "n", 0));
		add_sentence(&sb, or(baton_json_str(last_open, "text"), "?"), TLDR_TEXT_MAX);
	}
	const cJSON *n;
	cJSON_ArrayForEach(n, baton_json_arr(journal, "next"))
		if (!strcmp(or(baton_json_str(n, "state"), ""), "remaining")) {
			baton_strbuf_adds(&sb, " Next: ");
			add_sentence(&sb, or(baton_json_str(n, "text"), "?"), TLDR_TEXT_MAX);
			break;
		}
	int64_t cc = baton_json_int(session, "compaction_count", 0);
	if (cc)
		baton_strbuf_addf(&sb, " Context compacted %lld time%s.", (long long)cc, cc == 1 ? "" : "s");
	return baton_strbuf_detach(&sb);
}

/* ---- YAML ------------------------------------------------------------------- */

static int yaml_plain_ok(const char *s)
{
	static const char *const words[] = { "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False",
					     "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off",
					     "Off", "OFF", NULL };
	if (!*s || !isalnum((unsigned char)s[0]))
		return 0;
	for (const char *const *w = words; *w; w++)
		if (!strcmp(s, *w))
			return 0;
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_.:/+-", *p))
			return 0;
		if (*p == ':' && (!p[1] || p[1] == ' '))
			return 0;
	}
	/* anything that reads as a number must be quoted to stay a string */
	char *end;
	(void)strtod(s, &end);
	if (!*end)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '_' && *p != 'x' && *p != 'o')
			return 1;
	return 0;
}

static int yaml_quoted(struct strbuf *out, const char *s)
{
	int r = baton_strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; !r && *p; p++) {
		switch (*p) {
		case '"': r = baton_strbuf_adds(out, "\\\""); break;
		case '\\': r = baton_strbuf_adds(out, "\\\\"); break;
		case '\n': r = baton_strbuf_adds(out, "\\n"); break;
		case '\t': r = baton_strbuf_adds(out, "\\t"); break;
		case '\r': r = baton_strbuf_adds(out, "\\r"); break;
		default:
			r = *p < 0x20 || *p == 0x7f ? baton_strbuf_addf(out, "\\x%02x", *p) : baton_strbuf_addch(out, (char)*p);
		}
	}
	return r ? r : baton_strbuf_addch(out, '"');
}

int baton_yaml_scalar(struct strbuf *out, const char *s)
{
	if (!s)
		return baton_strbuf_adds(out, "null");
	return yaml_plain_ok(s) ? baton_strbuf_adds(out, s) : yaml_quoted(out, s);
}

/* ---- the document ----------------------------------------------------------- */

static void yaml_kv(struct strbuf *sb, const char *key, const char *val)
{
	baton_strbuf_addf(sb, "%s: ", key);
	baton_yaml_scalar(sb, val);
	baton_strbuf_addch(sb, '\n');
}

static void front_matter(struct strbuf *sb, const cJSON *s)
{
	const cJSON *g = baton_json_obj(s, "git"), *it;
	baton_strbuf_adds(sb, "---\n");
	yaml_kv(sb, "id", baton_json_str(s, "id"));
	yaml_kv(sb, "shortname", baton_json_str(s, "shortname"));
	yaml_kv(sb, "status", baton_json_str(s, "status"));
	baton_strbuf_adds(sb, "task_ids: [");
	int first = 1;
	cJSON_ArrayForEach(it, baton_json_arr(s, "working_set")) {
		if (!cJSON_IsString(it))
			continue;
		if (!first)
			baton_strbuf_adds(sb, ", ");
		first = 0;
		/* inside a flow sequence ',' and brackets would split: quote those too */
		if (strpbrk(it->valuestring, ",[]{}"))
			yaml_quoted(sb, it->valuestring);
		else
			baton_yaml_scalar(sb, it->valuestring);
	}
	baton_strbuf_adds(sb, "]\n");
	yaml_kv(sb, "created_at", baton_json_str(s, "created_at"));
	yaml_kv(sb, "updated_at", baton_json_str(s, "updated_at"));
	baton_strbuf_addf(sb, "compaction_count: %lld\n", (long long)baton_json_int(s, "compaction_count", 0));
	yaml_kv(sb, "git_branch", baton_json_str(g, "branch"));
	yaml_kv(sb, "git_last_commit", baton_json_str(g, "head_sha"));
	baton_strbuf_adds(sb, "---\n\n# ");
	add_flat(sb, or(baton_json_str(s, "shortname"), "session"), 0);
	baton_strbuf_adds(sb, "\n");
}

static void section(struct strbuf *sb, const char *title)
{
	baton_strbuf_addf(sb, "\n## %s\n\n", title);
}

static void none(struct strbuf *sb, const char *what)
{
	baton_strbuf_addf(sb, "_%s_\n", what);
}

static void render_tldr(struct strbuf *sb, const cJSON *s, const cJSON *j)
{
	const cJSON *p = baton_json_obj(j, "progress"), *b;
	section(sb, "TL;DR");
	add_flat(sb, or(baton_json_str(j, "tldr"), ""), 0);
	baton_strbuf_addf(sb, "\n\n- **Progress:** %lld/%lld steps done (%lld%%)\n", (long long)baton_json_int(p, "done", 0),
			  (long long)baton_json_int(p, "total", 0), (long long)baton_json_int(p, "percent", 0));
	baton_strbuf_adds(sb, "- **Current step:** ");
	add_flat(sb, or(baton_json_str(p, "current"), "none"), 0);
	int open = 0, all = 0;
	cJSON_ArrayForEach(b, baton_json_arr(j, "blockers")) {
		all++;
		open += !strcmp(or(baton_json_str(b, "status"), ""), "open");
	}
	if (open)
		baton_strbuf_addf(sb, "\n- **Blockers:** %d open of %d\n", open, all);
	else if (all)
		baton_strbuf_addf(sb, "\n- **Blockers:** none open (%d resolved)\n", all);
	else
		baton_strbuf_adds(sb, "\n- **Blockers:** none\n");
}

static void render_context(struct strbuf *sb, const cJSON *s, const cJSON *j)
{
	const cJSON *g = baton_json_obj(s, "git"), *it;
	section(sb, "Context");
	baton_strbuf_adds(sb, "- **Objective:** ");
	add_block(sb, or(baton_json_str(s, "objective"), "(none)"), "  ");
	baton_strbuf_addch(sb, '\n');
	const cJSON *ws = baton_json_arr(s, "working_set");
	if (cJSON_GetArraySize(ws)) {
		baton_strbuf_adds(sb, "- **Tasks:** ");
		int first = 1;
		cJSON_ArrayForEach(it, ws) {
			if (!first)
				baton_strbuf_adds(sb, ", ");
			first = 0;
			add_flat(sb, it->valuestring, 0);
		}
		baton_strbuf_addch(sb, '\n');
	}
	baton_strbuf_adds(sb, "- **Where:** ");
	add_code(sb, or(baton_json_str(s, "cwd"), "?"));
	if (baton_json_str(g, "branch") || baton_json_str(g, "head_sha")) {
		baton_strbuf_adds(sb, " (");
		if (baton_json_str(g, "branch")) {
			baton_strbuf_adds(sb, "branch ");
			add_code(sb, baton_json_str(g, "branch"));
		} else {
			baton_strbuf_adds(sb, "detached");
		}
		if (baton_json_str(g, "head_sha"))
			baton_strbuf_addf(sb, " at `%.7s`", baton_json_str(g, "head_sha"));
		if (baton_json_bool(g, "dirty", false))
			baton_strbuf_adds(sb, ", uncommitted changes");
		baton_strbuf_addch(sb, ')');
	}
	baton_strbuf_addch(sb, '\n');
	const cJSON *kf = baton_json_arr(j, "key_files");
	if (cJSON_GetArraySize(kf)) {
		baton_strbuf_adds(sb, "- **Key files:** ");
		int first = 1;
		cJSON_ArrayForEach(it, kf) {
			if (!first)
				baton_strbuf_adds(sb, ", ");
			first = 0;
			add_code(sb, it->valuestring);
		}
		baton_strbuf_addch(sb, '\n');
	}
	const cJSON *notes = baton_json_arr(j, "notes");
	const char *sn = baton_json_str(s, "notes");
	if (sn || cJSON_GetArraySize(notes)) {
		baton_strbuf_adds(sb, "- **Key context:**\n");
		if (sn) {
			baton_strbuf_adds(sb, "  - ");
			add_block(sb, sn, "    ");
			baton_strbuf_addch(sb, '\n');
		}
		cJSON_ArrayForEach(it, notes) {
			baton_strbuf_adds(sb, "  - ");
			add_block(sb, or(baton_json_str(it, "text"), ""), "    ");
			baton_strbuf_adds(sb, " (");
			add_when(sb, baton_json_str(it, "at"));
			baton_strbuf_adds(sb, ")\n");
		}
	}
	const cJSON *cps = baton_json_arr(j, "checkpoints");
	int ncp = cJSON_GetArraySize(cps);
	if (ncp) {
		const cJSON *last = cJSON_GetArrayItem(cps, ncp - 1);
		baton_strbuf_adds(sb, "- **Last checkpoint:** ");
		add_when(sb, baton_json_str(last, "at"));
		if (baton_json_bool(last, "pre_compact", false))
			baton_strbuf_adds(sb, " (before a context compaction)");
		if (baton_json_str(last, "note")) {
			baton_strbuf_adds(sb, ": ");
			add_block(sb, baton_json_str(last, "note"), "  ");
		}
		baton_strbuf_addch(sb, '\n');
	}
	int64_t cc = baton_json_int(s, "compaction_count", 0);
	if (cc)
		baton_strbuf_addf(sb, "- **Context compactions:** %lld\n", (long long)cc);
}

/* The steps of one state in display order: completed ones in the order they were
 * completed, the others in the order they were planned. A malloc'd array of
 * borrowed pointers (NULL and *n = 0 when none or out of memory). */
static const cJSON **steps_in(const cJSON *j, const char *state, size_t *n)
{
	const cJSON *steps = baton_json_arr(j, "steps"), *st;
	size_t k = 0, cap = (size_t)cJSON_GetArraySize(steps);
	const cJSON **v = cap ? calloc(cap, sizeof *v) : NULL;
	*n = 0;
	if (!v)
		return NULL;
	cJSON_ArrayForEach(st, steps)
		if (is_state(st, state))
			v[k++] = st;
	if (!strcmp(state, "completed"))
		for (size_t a = 1; a < k; a++) /* insertion sort: stable, and lists are short */
			for (size_t b = a; b > 0 && baton_json_int(v[b - 1], "touched", 0) > baton_json_int(v[b], "touched", 0); b--) {
				const cJSON *t = v[b];
				v[b] = v[b - 1];
				v[b - 1] = t;
			}
	*n = k;
	return v;
}

static void render_steps(struct strbuf *sb, const cJSON *j, const char *heading)
{
	static const struct {
		const char *state, *title, *box, *empty;
	} groups[] = {
		{ "completed", "Completed", "[x]", "nothing completed yet" },
		{ "in_progress", "In Progress", "[ ]", "nothing in progress" },
		{ "remaining", "Remaining", "[ ]", "nothing planned" },
	};
	for (size_t g = 0; g < 3; g++) {
		size_t n;
		const cJSON **v = steps_in(j, groups[g].state, &n);
		baton_strbuf_addf(sb, "%s %s\n\n", heading, groups[g].title);
		if (!n)
			none(sb, groups[g].empty);
		for (size_t i = 0; i < n; i++) {
			const cJSON *st = v[i];
			baton_strbuf_addf(sb, "- %s ", groups[g].box);
			add_block(sb, or(baton_json_str(st, "text"), ""), "      ");
			if (g == 0) {
				baton_strbuf_adds(sb, " (done ");
				add_when(sb, baton_json_str(st, "completed_at"));
				baton_strbuf_addch(sb, ')');
			} else if (g == 1) {
				baton_strbuf_adds(sb, " (since ");
				add_when(sb, baton_json_str(st, "started_at"));
				baton_strbuf_addch(sb, ')');
				if (baton_json_bool(st, "current", false))
					baton_strbuf_adds(sb, " <- CURRENT");
			}
			baton_strbuf_addch(sb, '\n');
		}
		free(v);
		if (g < 2)
			baton_strbuf_addch(sb, '\n');
	}
}

static void render_progress(struct strbuf *sb, const cJSON *j)
{
	const cJSON *p = baton_json_obj(j, "progress");
	section(sb, "Progress");
	baton_strbuf_addf(sb, "%lld/%lld steps done (%lld%%).\n\n", (long long)baton_json_int(p, "done", 0),
			  (long long)baton_json_int(p, "total", 0), (long long)baton_json_int(p, "percent", 0));
	render_steps(sb, j, "###");
}

static void render_decisions(struct strbuf *sb, const cJSON *j)
{
	const cJSON *d;
	section(sb, "Decisions");
	if (!cJSON_GetArraySize(baton_json_arr(j, "decisions"))) {
		none(sb, "no decisions recorded");
		return;
	}
	int first = 1;
	cJSON_ArrayForEach(d, baton_json_arr(j, "decisions")) {
		if (!first)
			baton_strbuf_addch(sb, '\n');
		first = 0;
		baton_strbuf_addf(sb, "%lld. **", (long long)baton_json_int(d, "n", 0));
		add_flat(sb, or(baton_json_str(d, "text"), ""), 0);
		baton_strbuf_adds(sb, "** (");
		add_when(sb, baton_json_str(d, "at"));
		baton_strbuf_adds(sb, ")\n   - **Context:** ");
		add_block(sb, or(baton_json_str(d, "context"), "(none recorded)"), "     ");
		baton_strbuf_adds(sb, "\n   - **Choice:** ");
		add_block(sb, or(baton_json_str(d, "text"), ""), "     ");
		baton_strbuf_adds(sb, "\n   - **Rationale:** ");
		add_block(sb, or(baton_json_str(d, "rationale"), "(none)"), "     ");
		baton_strbuf_addch(sb, '\n');
	}
}

static void render_discoveries(struct strbuf *sb, const cJSON *j)
{
	const cJSON *d;
	section(sb, "Discoveries");
	if (!cJSON_GetArraySize(baton_json_arr(j, "discoveries"))) {
		none(sb, "no discoveries recorded");
		return;
	}
	cJSON_ArrayForEach(d, baton_json_arr(j, "discoveries")) {
		baton_strbuf_adds(sb, "- ");
		add_block(sb, or(baton_json_str(d, "text"), ""), "  ");
		baton_strbuf_adds(sb, " (");
		add_when(sb, baton_json_str(d, "at"));
		baton_strbuf_adds(sb, ")\n");
	}
}

static void render_blockers(struct strbuf *sb, const cJSON *j)
{
	const cJSON *b;
	section(sb, "Blockers");
	if (!cJSON_GetArraySize(baton_json_arr(j, "blockers"))) {
		none(sb, "no blockers");
		return;
	}
	cJSON_ArrayForEach(b, baton_json_arr(j, "blockers")) {
		int open = !strcmp(or(baton_json_str(b, "status"), ""), "open");
		baton_strbuf_addf(sb, "%lld. %s", (long long)baton_json_int(b, "n", 0), open ? "**OPEN** " : "~~");
		if (open)
			add_block(sb, or(baton_json_str(b, "text"), ""), "   ");
		else
			add_flat(sb, or(baton_json_str(b, "text"), ""), 0);
		baton_strbuf_adds(sb, open ? " (since " : "~~ (resolved ");
		add_when(sb, baton_json_str(b, open ? "at" : "resolved_at"));
		baton_strbuf_adds(sb, ")\n");
	}
}

static void render_next(struct strbuf *sb, const cJSON *j)
{
	const cJSON *n;
	section(sb, "Next Steps");
	if (!cJSON_GetArraySize(baton_json_arr(j, "next"))) {
		none(sb, "nothing planned: record a step with baton log --next TEXT");
		return;
	}
	int i = 1;
	cJSON_ArrayForEach(n, baton_json_arr(j, "next")) {
		baton_strbuf_addf(sb, "%d. ", i++);
		add_block(sb, or(baton_json_str(n, "text"), ""), "   ");
		if (!strcmp(or(baton_json_str(n, "state"), ""), "in_progress"))
			baton_strbuf_adds(sb, " (in progress)");
		baton_strbuf_addch(sb, '\n');
	}
}

static void render_files(struct strbuf *sb, const cJSON *s)
{
	const cJSON *files = baton_json_arr(baton_json_obj(s, "recent_changes"), "files"), *f;
	section(sb, "Files Modified");
	if (!cJSON_GetArraySize(files)) {
		none(sb, "no uncommitted changes at the last snapshot");
		return;
	}
	cJSON_ArrayForEach(f, files) {
		baton_strbuf_adds(sb, "- ");
		add_code(sb, f->valuestring);
		baton_strbuf_addch(sb, '\n');
	}
}

/* Shell-safe single quotes ('…' with ' as '\''). */
static void add_shell(struct strbuf *sb, const char *s)
{
	baton_strbuf_addch(sb, '\'');
	for (; *s; s++)
		if (*s == '\'')
			baton_strbuf_adds(sb, "'\\''");
		else
			baton_strbuf_addch(sb, *s);
	baton_strbuf_addch(sb, '\'');
}

static void render_resume(struct strbuf *sb, const cJSON *s)
{
	section(sb, "Resume Commands");
	baton_strbuf_adds(sb, "```sh\ncd ");
	add_shell(sb, or(baton_json_str(s, "cwd"), "."));
	baton_strbuf_adds(sb, "\nbaton resume ");
	baton_strbuf_adds(sb, or(baton_json_str(s, "id"), "?"));
	baton_strbuf_adds(sb, "\nbaton view ");
	baton_strbuf_adds(sb, or(baton_json_str(s, "id"), "?"));
	baton_strbuf_adds(sb, "\n```\n");
}

int baton_journal_render(struct strbuf *out, const cJSON *session, const cJSON *journal, unsigned sections)
{
	struct strbuf sb = STRBUF_INIT;
	if (sections & BATON_JOURNAL_FRONT)
		front_matter(&sb, session);
	if (sections & BATON_JOURNAL_TLDR)
		render_tldr(&sb, session, journal);
	if (sections & BATON_JOURNAL_CONTEXT)
		render_context(&sb, session, journal);
	if (sections & BATON_JOURNAL_PROGRESS)
		render_progress(&sb, journal);
	if (sections & BATON_JOURNAL_DECISIONS)
		render_decisions(&sb, journal);
	if (sections & BATON_JOURNAL_DISCOVERIES)
		render_discoveries(&sb, journal);
	if (sections & BATON_JOURNAL_BLOCKERS)
		render_blockers(&sb, journal);
	if (sections & BATON_JOURNAL_NEXT)
		render_next(&sb, journal);
	if (sections & BATON_JOURNAL_FILES)
		render_files(&sb, session);
	if (sections & BATON_JOURNAL_RESUME)
		render_resume(&sb, session);
	/* a filtered view starts at its first heading, without the blank line */
	const char *p = sb.buf;
	if (!(sections & BATON_JOURNAL_FRONT))
		while (*p == '\n')
			p++;
	int r = baton_strbuf_adds(out, p);
	baton_strbuf_release(&sb);
	return r;
}

int baton_journal_render_progress(struct strbuf *out, const cJSON *session, const cJSON *journal)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *p = baton_json_obj(journal, "progress");
	baton_strbuf_adds(&sb, "# Progress: ");
	add_flat(&sb, or(baton_json_str(session, "shortname"), "session"), 0);
	baton_strbuf_addf(&sb, "\n\n%lld/%lld steps done (%lld%%).\n\n", (long long)baton_json_int(p, "done", 0),
			  (long long)baton_json_int(p, "total", 0), (long long)baton_json_int(p, "percent", 0));
	render_steps(&sb, journal, "##");
	int r = sb.alloc ? baton_strbuf_add(out, sb.buf, sb.len) : -1;
	baton_strbuf_release(&sb);
	return r;
}

static const char *kind_title(const char *kind)
{
	static const struct {
		const char *kind, *title;
	} t[] = {
		{ "progress", "Progress" }, { "done", "Done" }, { "next", "Next step" }, { "decision", "Decision" },
		{ "discovery", "Discovery" }, { "blocker", "Blocker" }, { "unblock", "Blocker resolved" },
		{ "note", "Note" }, { "checkpoint", "Checkpoint" }, { "pause", "Paused" }, { "close", "Closed" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(t[i].kind, kind))
			return t[i].title;
	return kind;
}

int baton_journal_render_entry(struct strbuf *out, const cJSON *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *kind = or(baton_json_str(e, "kind"), "entry");
	baton_strbuf_adds(&sb, "---\n");
	yaml_kv(&sb, "id", baton_json_str(e, "id"));
	yaml_kv(&sb, "session_id", baton_json_str(e, "session_id"));
	yaml_kv(&sb, "kind", kind);
	yaml_kv(&sb, "at", baton_json_str(e, "at"));
	baton_strbuf_addf(&sb, "---\n\n# %s (", kind_title(kind));
	add_when(&sb, baton_json_str(e, "at"));
	baton_strbuf_adds(&sb, ")\n");
	if (!strcmp(kind, "unblock"))
		baton_strbuf_addf(&sb, "\nBlocker #%lld resolved.\n", (long long)baton_json_int(e, "n", 0));
	if (!strcmp(kind, "close"))
		baton_strbuf_addf(&sb, "\nOutcome: %s.\n", or(baton_json_str(e, "outcome"), "?"));
	if (!strcmp(kind, "checkpoint") && baton_json_bool(e, "pre_compact", false))
		baton_strbuf_addf(&sb, "\nBefore context compaction #%lld.\n", (long long)baton_json_int(e, "compaction", 0));
	if (baton_json_str(e, "text")) {
		baton_strbuf_addch(&sb, '\n');
		add_block(&sb, baton_json_str(e, "text"), "");
		baton_strbuf_addch(&sb, '\n');
	}
	if (baton_json_str(e, "context")) {
		baton_strbuf_adds(&sb, "\n**Context:** ");
		add_block(&sb, baton_json_str(e, "context"), "");
		baton_strbuf_addch(&sb, '\n');
	}
	if (baton_json_str(e, "rationale")) {
		baton_strbuf_adds(&sb, "\n**Rationale:** ");
		add_block(&sb, baton_json_str(e, "rationale"), "");
		baton_strbuf_addch(&sb, '\n');
	}
	int r = sb.alloc ? baton_strbuf_add(out, sb.buf, sb.len) : -1;
	baton_strbuf_release(&sb);
	return r;
}
