/* Agent hooks: the events of Claude Code, Codex and Gemini CLI mapped onto the
 * session store (see include/baton/hook.h). The hot path opens nothing it does not
 * need: no git snapshot (libgit2 costs ~12 ms to load), no transcript beyond a small
 * tail; the rest is a job for baton_hook_finish in a detached process. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/hook.h"
#include "baton/index.h"
#include "baton/ingest.h"
#include "baton/journal.h"
#include "baton/journal_render.h"
#include "baton/json.h"
#include "baton/log.h"
#include "baton/redact.h"
#include "baton/run.h"
#include "baton/session.h"
#include "baton/strbuf.h"
#include "baton/ulid.h"
#include "core/ctx.h"
#include "store/modules.h"
#include "store/state.h"

#define INLINE_TAIL_DEFAULT (256 * 1024) /* transcript bytes ingested inside the hook */
#define CONTEXT_MAX 9000                 /* the agents cap hook output at 10 000 chars */
#define LIST_MAX 6                       /* items per list in the context */
#define OBJECTIVE_MAX 160
#define TOUCHED_MAX 20

static const char *const default_phrases =
	"continue, resume, where were we, pick up where, carry on, keep going, where did we leave off";

/* ---- parsing -------------------------------------------------------------------- */

static const struct {
	const char *name;
	enum baton_hook_action action;
} event_map[] = {
	{ "SessionStart", BATON_HOOK_START },
	{ "UserPromptSubmit", BATON_HOOK_PROMPT },
	{ "BeforeAgent", BATON_HOOK_PROMPT },
	{ "PreCompact", BATON_HOOK_COMPACT },
	{ "PreCompress", BATON_HOOK_COMPACT },
	{ "Stop", BATON_HOOK_STOP },
	{ "SubagentStop", BATON_HOOK_STOP },
	{ "AfterAgent", BATON_HOOK_STOP },
	{ "notify", BATON_HOOK_STOP },
	{ "agent-turn-complete", BATON_HOOK_STOP },
	{ "SessionEnd", BATON_HOOK_END },
	{ "PostToolUse", BATON_HOOK_TOOL },
	{ "AfterTool", BATON_HOOK_TOOL },
};

/* Event names compare ignoring case, '-' and '_': "session-start" is SessionStart. */
static int event_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
			return 0;
	}
}

int baton_hook_parse(struct baton_hook *h, const char *event, const char *agent, const char *payload, size_t len)
{
	static const char *const agents[] = { "claude", "codex", "gemini" };
	memset(h, 0, sizeof *h);
	h->event = event ? event : "";
	if (!agent)
		agent = "claude";
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(agent, agents[i]))
			h->agent = agents[i];
	if (!h->agent) {
		snprintf(h->err, sizeof h->err, "unknown agent '%.40s' (claude, codex, gemini)", agent);
		return BATON_EINVALID;
	}
	if (len > BATON_HOOK_STDIN_MAX) {
		snprintf(h->err, sizeof h->err, "hook input over %d bytes", BATON_HOOK_STDIN_MAX);
		return BATON_EINVALID;
	}
	h->payload = payload ? cJSON_ParseWithLength(payload, len) : NULL;
	if (!cJSON_IsObject(h->payload)) {
		snprintf(h->err, sizeof h->err, "%s hook input is not a JSON object (%zu bytes)", h->event, len);
		return BATON_EINVALID;
	}
	const cJSON *p = h->payload;
	if (!*h->event && baton_json_str(p, "hook_event_name"))
		h->event = baton_json_str(p, "hook_event_name");
	for (size_t i = 0; i < sizeof event_map / sizeof event_map[0]; i++)
		if (event_eq(h->event, event_map[i].name))
			h->action = event_map[i].action;
	h->agent_session_id = baton_json_str(p, "session_id");
	if (!h->agent_session_id)
		h->agent_session_id = baton_json_str(p, "thread-id"); /* Codex notify */
	h->transcript_path = baton_json_str(p, "transcript_path");
	h->cwd = baton_json_str(p, "cwd");
	h->prompt = baton_json_str(p, "prompt");
	h->source = baton_json_str(p, "source");
	h->trigger = baton_json_str(p, "trigger");
	h->reason = baton_json_str(p, "reason");
	if (h->agent_session_id && !*h->agent_session_id)
		h->agent_session_id = NULL;
	if (h->transcript_path && !*h->transcript_path)
		h->transcript_path = NULL;
	/* Gemini's PreCompress fires before every model call, compressing or not: only
	 * a /compress the user asked for is a compaction we can count. */
	if (h->action == BATON_HOOK_COMPACT && !strcmp(h->agent, "gemini") && event_eq(h->event, "PreCompress") &&
	    !(h->trigger && !strcmp(h->trigger, "manual")))
		h->action = BATON_HOOK_IGNORE;
	/* a notify that is not a finished turn is nothing we know */
	const char *type = baton_json_str(p, "type");
	if (event_eq(h->event, "notify") && type && strcmp(type, "agent-turn-complete"))
		h->action = BATON_HOOK_IGNORE;
	return 0;
}

void baton_hook_release(struct baton_hook *h)
{
	if (!h)
		return;
	cJSON_Delete(h->payload);
	h->payload = NULL;
}

void baton_hook_output_release(struct baton_hook_output *out)
{
	if (!out)
		return;
	free(out->text);
	cJSON_Delete(out->job);
	out->text = NULL;
	out->job = NULL;
}

/* ---- continuation intent ---------------------------------------------------------- */

static int word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* phrase (len n) occurs in s[0..slen) at word boundaries, ignoring case; runs of
 * blanks in the phrase match runs of blanks in s. */
static int has_phrase(const char *s, size_t slen, const char *phrase, size_t n)
{
	for (size_t i = 0; i < slen; i++) {
		if (i && word_char((unsigned char)s[i - 1]))
			continue;
		size_t a = i, b = 0;
		while (b < n && a < slen) {
			if (isspace((unsigned char)phrase[b])) {
				if (!isspace((unsigned char)s[a]))
					break;
				while (b < n && isspace((unsigned char)phrase[b]))
					b++;
				while (a < slen && isspace((unsigned char)s[a]))
					a++;
				continue;
			}
			if (tolower((unsigned char)s[a]) != tolower((unsigned char)phrase[b]))
				break;
			a++;
			b++;
		}
		if (b == n && (a >= slen || !word_char((unsigned char)s[a])))
			return 1;
	}
	return 0;
}

bool baton_hook_is_continue(const char *prompt, const char *phrases)
{
	if (!prompt)
		return false;
	while (isspace((unsigned char)*prompt))
		prompt++;
	size_t slen = strlen(prompt);
	if (slen > 80)
		slen = 80;
	const char *p = phrases ? phrases : default_phrases;
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && isspace((unsigned char)p[m - 1]))
			m--;
		/* "pick up where…": a trailing ellipsis or dots say "and so on" */
		while (m && (p[m - 1] == '.' || (m >= 3 && !memcmp(p + m - 3, "\xe2\x80\xa6", 3)))) {
			m -= p[m - 1] == '.' ? 1 : 3;
			while (m && isspace((unsigned char)p[m - 1]))
				m--;
		}
		if (m && has_phrase(prompt, slen, p, m))
			return true;
		p += n;
	}
	return false;
}

/* ---- the context printed into the agent ----------------------------------------------- */

static void add_list(struct strbuf *sb, const char *title, const cJSON *arr, const char *status_key,
		     const char *want_status, int newest_first)
{
	int n = 0, total = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const char *st = status_key ? baton_json_str(it, status_key) : NULL;
		if (!want_status || (st && !strcmp(st, want_status)))
			total++;
	}
	if (!total)
		return;
	baton_strbuf_addf(sb, "%s:\n", title);
	int size = cJSON_GetArraySize(arr);
	for (int k = 0; k < size && n < LIST_MAX; k++) {
		it = cJSON_GetArrayItem(arr, newest_first ? size - 1 - k : k);
		const char *st = status_key ? baton_json_str(it, status_key) : NULL;
		if (want_status && !(st && !strcmp(st, want_status)))
			continue;
		const char *text = baton_json_str(it, "text");
		if (!text)
			continue;
		baton_strbuf_addf(sb, "- %.300s", text);
		const char *why = baton_json_str(it, "rationale");
		if (why)
			baton_strbuf_addf(sb, " (why: %.200s)", why);
		baton_strbuf_addch(sb, '\n');
		n++;
	}
	if (total > n)
		baton_strbuf_addf(sb, "- … and %d more (baton view)\n", total - n);
}

static const char *or_str(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* The context of session from its folded journal (see baton_hook_context). */
static int render_context(struct baton_ctx *ctx, char **out, const cJSON *session, const cJSON *journal, bool full)
{
	struct strbuf sb = STRBUF_INIT;
	char *tldr = NULL;
	int rc = 0;
	*out = NULL;
	int64_t entries = baton_json_int(journal, "entries", 0);
	if (!entries && !baton_json_str(session, "objective")) {
		*out = strdup("");
		goto out;
	}
	if (!(tldr = baton_journal_tldr(session, journal))) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	const char *where = baton_json_str(session, "repo_root");
	if (!where)
		where = baton_json_str(session, "cwd");
	baton_strbuf_addf(&sb, "baton session \"%s\" (%s, %s%s%s)\n", baton_json_str(session, "shortname"),
			  baton_json_str(session, "id"), baton_json_str(session, "status"), where ? ", " : "",
			  where ? where : "");
	baton_strbuf_addf(&sb, "TL;DR: %s\n", tldr);
	const cJSON *steps = baton_json_arr(journal, "steps");
	if (full) {
		add_list(&sb, "In progress", steps, "state", "in_progress", 0);
		add_list(&sb, "Remaining", steps, "state", "remaining", 0);
	}
	add_list(&sb, "Open blockers", baton_json_arr(journal, "blockers"), "status", "open", 0);
	add_list(&sb, "Next steps", baton_json_arr(journal, "next"), NULL, NULL, 0);
	if (full) {
		add_list(&sb, "Decisions", baton_json_arr(journal, "decisions"), NULL, NULL, 1);
		add_list(&sb, "Discoveries", baton_json_arr(journal, "discoveries"), NULL, NULL, 1);
		add_list(&sb, "Key context", baton_json_arr(journal, "notes"), NULL, NULL, 1);
		const cJSON *f;
		int n = 0;
		cJSON_ArrayForEach(f, baton_json_arr(journal, "key_files"))
			if (cJSON_IsString(f) && n++ < LIST_MAX * 2)
				baton_strbuf_addf(&sb, "%s%s", n == 1 ? "Key files: " : ", ", f->valuestring);
		if (n)
			baton_strbuf_addch(&sb, '\n');
	}
	/* A handoff left for whoever picks the work up (baton handoff) goes in whole when
	 * it fits, else cut where the context's budget ends. */
	const cJSON *ho = baton_json_obj(session, "handoff");
	const char *md = baton_json_str(ho, "markdown"), *st = baton_json_str(session, "status");
	static const char footer[] = "Keep it current: baton log --progress/--done/--decision/--blocker/--next \"…\"; "
				     "the full journal: baton view\n";
	if (md && *md && st && !strcmp(st, "handoff_ready")) {
		baton_strbuf_addf(&sb, "Handoff left for the next agent (%s):\n", or_str(baton_json_str(ho, "created_at"), "?"));
		size_t room = CONTEXT_MAX > sb.len + sizeof footer + 80 ? CONTEXT_MAX - sb.len - sizeof footer - 80 : 0;
		size_t n = strlen(md);
		if (n > room) {
			n = room;
			while (n && ((unsigned char)md[n] & 0xC0) == 0x80)
				n--;
		}
		baton_strbuf_add(&sb, md, n);
		if (n < strlen(md))
			baton_strbuf_addf(&sb, "\n[…] (the whole handoff: baton handoff --show %s)", baton_json_str(session, "id"));
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			baton_strbuf_addch(&sb, '\n');
	}
	baton_strbuf_adds(&sb, footer);
	if (sb.len > CONTEXT_MAX) {
		size_t n = CONTEXT_MAX;
		while (n && ((unsigned char)sb.buf[n] & 0xC0) == 0x80)
			n--;
		sb.len = n;
		sb.buf[n] = '\0';
		baton_strbuf_adds(&sb, "\n[…] (baton view shows the rest)\n");
	}
	*out = baton_strbuf_detach(&sb);
out:
	free(tldr);
	baton_strbuf_release(&sb);
	return rc ? rc : (*out ? 0 : baton_error(ctx, BATON_ENOMEM, "out of memory"));
}

int baton_hook_context(struct baton_ctx *ctx, char **out, const cJSON *session, bool full)
{
	cJSON *journal = NULL;
	*out = NULL;
	int rc = baton_journal_load(ctx, &journal, session);
	if (!rc)
		rc = render_context(ctx, out, session, journal, full);
	cJSON_Delete(journal);
	return rc;
}

/* ---- which session ------------------------------------------------------------------ */

static int is_closed(const char *status)
{
	return status && (!strcmp(status, "completed") || !strcmp(status, "abandoned") || !strcmp(status, "expired") ||
			  !strcmp(status, "archived"));
}

/* The first line of a prompt, shortened at a word boundary, redacted. */
static char *objective_from(struct baton_ctx *ctx, const char *prompt)
{
	while (*prompt && isspace((unsigned char)*prompt))
		prompt++;
	size_t n = strcspn(prompt, "\n");
	int cut = 0;
	if (n > OBJECTIVE_MAX) {
		n = OBJECTIVE_MAX;
		while (n > OBJECTIVE_MAX / 2 && prompt[n] != ' ')
			n--;
		while (n && ((unsigned char)prompt[n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	while (n && isspace((unsigned char)prompt[n - 1]))
		n--;
	if (!n)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	baton_utf8_sanitize(&sb, prompt, n);
	if (cut)
		baton_strbuf_adds(&sb, "…");
	char *r = baton_redact_str(ctx, sb.buf);
	baton_strbuf_release(&sb);
	return r;
}

/* The directory a hook works in: the payload's cwd when it is one, else ours. */
static const char *hook_dir(struct baton_ctx *ctx, const char *cwd)
{
	return cwd && baton_is_dir(cwd) ? cwd : ctx->cwd;
}

/* ---- conversations live at this boot (for restore after a reboot) ------------------- */

/* 1 when this conversation is already recorded live at this boot of this host and
 * has not ended since; 0 when not (a new boot, or an end after the record: a
 * conversation resumed after its SessionEnd is live again); -1 on an index error. */
static int live_known(struct baton_ctx *ctx, const struct baton_hook *h)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT 1 FROM conversation_boots b WHERE b.source = ?1 AND b.agent_session_id = ?2"
		" AND b.host = ?3 AND b.boot_id = ?4 AND NOT EXISTS (SELECT 1 FROM conversation_ends e"
		" WHERE e.source = b.source AND e.agent_session_id = b.agent_session_id AND e.event_id > b.event_id)");
	if (!st)
		return -1;
	baton_bind_text(st, 1, h->agent);
	baton_bind_text(st, 2, h->agent_session_id);
	baton_bind_text(st, 3, ctx->host);
	baton_bind_text(st, 4, baton_boot_id(ctx));
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

static cJSON *live_fields(struct baton_ctx *ctx, const struct baton_hook *h, const char *session_id)
{
	cJSON *f = cJSON_CreateObject();
	cJSON *c = cJSON_AddObjectToObject(f, "conversation");
	baton_json_add_str(c, "source", h->agent);
	baton_json_add_str(c, "agent_session_id", h->agent_session_id);
	baton_json_add_str(c, "session_id", session_id);
	baton_json_add_str(c, "cwd", hook_dir(ctx, h->cwd));
	baton_json_add_str(c, "boot_id", baton_boot_id(ctx));
	return f;
}

/* A handoff left in this repository (or directory) for the next agent: the newest
 * session waiting in handoff_ready, which a conversation starting there picks up
 * when there is no active session (hooks.pickup_handoff, default true). */
static int handoff_waiting(struct baton_ctx *ctx, cJSON **out, const char *dir)
{
	*out = NULL;
	if (!baton_config_bool(ctx, "hooks.pickup_handoff", true))
		return 0;
	return baton_session_latest(ctx, out, dir, "handoff_ready");
}

/* The session of the hook's conversation: $BATON_SESSION, else the one the
 * conversation is linked to (unless closed, when create is set), else — with create —
 * the linking rule of DESIGN.md §1: this repository's active session, else a new one.
 * A new link is recorded at once, before the agent has written a transcript line.
 * *out NULL (and 0) when there is none and create is not set. */
static int find_session(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced, bool create,
			cJSON **out)
{
	char *linked = NULL;
	cJSON *s = NULL;
	int rc = 0, link = 0;
	*out = NULL;
	if (h->agent_session_id) {
		rc = baton_conversation_session(ctx, h->agent, h->agent_session_id, &linked);
		if (rc == BATON_ENOTFOUND)
			rc = 0;
		if (rc)
			goto out;
	}
	if (forced && *forced) {
		if ((rc = baton_session_get(ctx, &s, forced)))
			goto out;
		link = !linked || strcmp(linked, baton_json_str(s, "id"));
	} else if (linked) {
		rc = baton_session_get(ctx, &s, linked);
		if (rc == BATON_ENOTFOUND)
			rc = 0; /* deleted since: link again below */
		if (rc)
			goto out;
		if (s && create && is_closed(baton_json_str(s, "status"))) {
			cJSON_Delete(s);
			s = NULL;
		}
	}
	if (!s && create) {
		const char *dir = hook_dir(ctx, h->cwd);
		if ((rc = baton_session_current(ctx, &s, dir)))
			goto out;
		if (!s && (rc = handoff_waiting(ctx, &s, dir)))
			goto out;
		if (!s) {
			cJSON *fresh = NULL;
			if ((rc = baton_session_new(ctx, &fresh, dir)))
				goto out;
			baton_json_set(fresh, "source", cJSON_CreateString(h->agent));
			if (h->prompt) {
				char *obj = objective_from(ctx, h->prompt);
				if (obj)
					baton_json_set(fresh, "objective", cJSON_CreateString(obj));
				free(obj);
			}
			if ((rc = baton_session_put(ctx, fresh, &s)))
				goto out;
		}
		link = 1;
	}
	if (s && h->agent_session_id) {
		/* the link (when new) and "live at this boot" (when not yet known) in one write */
		struct baton_event_spec ev[2];
		size_t n = 0;
		int live = live_known(ctx, h);
		if (live < 0) {
			rc = BATON_ERROR;
			goto out;
		}
		if (link)
			ev[n++] = (struct baton_event_spec){ "conversation_linked",
				baton_conversation_link_fields(h->agent, h->agent_session_id, baton_json_str(s, "id"),
							       h->transcript_path, h->cwd) };
		if (!live)
			ev[n++] = (struct baton_event_spec){ "conversation_live", live_fields(ctx, h, baton_json_str(s, "id")) };
		if (n && (rc = baton_log_append_many(ctx, ev, n, NULL)))
			goto out;
	}
	*out = s;
	s = NULL;
out:
	free(linked);
	cJSON_Delete(s);
	return rc;
}

/* ---- the output, in the agent's form ---------------------------------------------- */

static char *agent_output(const struct baton_hook *h, const char *text)
{
	if (!text || !*text)
		return NULL;
	if (strcmp(h->agent, "gemini"))
		return strdup(text);
	/* Gemini reads stdout as one JSON object; plain text would only be shown */
	cJSON *o = cJSON_CreateObject();
	cJSON *hs = cJSON_AddObjectToObject(o, "hookSpecificOutput");
	baton_json_add_str(hs, "hookEventName", h->event);
	baton_json_add_str(hs, "additionalContext", text);
	char *s = baton_json_print(o);
	cJSON_Delete(o);
	if (!s)
		return NULL;
	char *r = strdup(s);
	cJSON_free(s);
	return r;
}

/* ---- the fast path: a marker per conversation ------------------------------------------- */

/* $BATON_HOME/hooks/seen/AGENT-ID, or NULL when the id is not a safe file name */
static char *marker_path(struct baton_ctx *ctx, const char *agent, const char *id)
{
	if (!id || !*id || strlen(id) > 128 || id[0] == '.')
		return NULL;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return NULL;
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/hooks/seen/%s-%s", baton_home(ctx), agent, id);
	return baton_strbuf_detach(&sb);
}

/* What a conversation's marker says: nothing (none, damaged, another epoch); the
 * session it is linked to and that it is recorded live at this boot (M_LIVE); or only
 * the session, the conversation having ended or this being another boot (M_LINKED):
 * a SessionStart resuming it can print that session's context, its job recording the
 * conversation live again. The marker: "EPOCH BOOT SESSION[ ended]\n". */
enum marker { M_NONE, M_LINKED, M_LIVE };

static enum marker marker_read(struct baton_ctx *ctx, const struct baton_hook *h, char sid[BATON_ULID_LEN])
{
	char *p = marker_path(ctx, h->agent, h->agent_session_id);
	int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
	free(p);
	if (fd < 0)
		return M_NONE;
	char buf[256], epoch[BATON_ULID_LEN];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return M_NONE;
	buf[n] = '\0';
	baton_index_epoch(ctx, epoch);
	size_t el = strlen(epoch);
	if (strncmp(buf, epoch, el) || buf[el] != ' ')
		return M_NONE;
	const char *boot = buf + el + 1, *id = strchr(boot, ' ');
	if (!id)
		return M_NONE;
	id++;
	size_t il = strcspn(id, " \n");
	if (!il || il >= BATON_ULID_LEN)
		return M_NONE;
	for (size_t i = 0; i < il; i++)
		if (!isalnum((unsigned char)id[i]))
			return M_NONE; /* a session id names files (hooks/context/) */
	bool ended = !strcmp(id + il, " ended\n");
	if (!ended && strcmp(id + il, "\n"))
		return M_NONE;
	memcpy(sid, id, il);
	sid[il] = '\0';
	const char *now = baton_boot_id(ctx);
	size_t bl = strlen(now);
	return !ended && (size_t)(id - 1 - boot) == bl && !strncmp(boot, now, bl) ? M_LIVE : M_LINKED;
}

/* After a hook found the conversation linked to session s (its live record made, or
 * with ended its end): leave the marker when the session is open with an objective,
 * remove it otherwise. epoch: the store's epoch read before the hook looked. Best
 * effort: a marker that cannot be written only costs the next hook the full path. */
static void mark(struct baton_ctx *ctx, const struct baton_hook *h, const char *epoch, const cJSON *s, bool ended)
{
	char *p = marker_path(ctx, h->agent, h->agent_session_id);
	if (!p)
		return;
	const char *objective = baton_json_str(s, "objective");
	if (!s || !objective || !*objective || is_closed(baton_json_str(s, "status"))) {
		unlink(p);
		free(p);
		return;
	}
	struct strbuf dir = STRBUF_INIT, tmp = STRBUF_INIT, body = STRBUF_INIT;
	baton_strbuf_addf(&dir, "%s/hooks/seen", baton_home(ctx));
	baton_strbuf_addf(&tmp, "%s.%ld", p, (long)getpid());
	baton_strbuf_addf(&body, "%s %s %s%s\n", epoch, baton_boot_id(ctx), baton_json_str(s, "id"), ended ? " ended" : "");
	if (!baton_mkdir_p(ctx, dir.buf, 0700)) {
		int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			int ok = write(fd, body.buf, body.len) == (ssize_t)body.len;
			close(fd);
			if (!ok || rename(tmp.buf, p))
				unlink(tmp.buf);
		}
	}
	baton_strbuf_release(&dir);
	baton_strbuf_release(&tmp);
	baton_strbuf_release(&body);
	free(p);
}

/* Markers of conversations that ended without a SessionEnd (a crash, a reboot) would
 * pile up, and so would the contexts of sessions long gone and the files of
 * directories no longer worked in: the detached job removes those untouched for
 * MARKER_DAYS, at most once a day. A marker removed too early only
 * costs its conversation one full path. */
#define MARKER_DAYS 14

static void prune_dir(const char *dir, time_t now)
{
	struct strbuf f = STRBUF_INIT;
	struct stat st;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		baton_strbuf_reset(&f);
		baton_strbuf_addf(&f, "%s/%s", dir, e->d_name);
		if (!lstat(f.buf, &st) && S_ISREG(st.st_mode) && now - st.st_mtime > MARKER_DAYS * 24 * 3600)
			unlink(f.buf);
	}
	closedir(d);
	baton_strbuf_release(&f);
}

static void prune_markers(struct baton_ctx *ctx)
{
	struct strbuf dir = STRBUF_INIT, stamp = STRBUF_INIT;
	struct stat st;
	time_t now = time(NULL);
	baton_strbuf_addf(&dir, "%s/hooks/seen", baton_home(ctx));
	baton_strbuf_addf(&stamp, "%s/.pruned", dir.buf);
	if (stat(dir.buf, &st) || (!stat(stamp.buf, &st) && now - st.st_mtime < 24 * 3600))
		goto out;
	int fd = open(stamp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	prune_dir(dir.buf, now);
	baton_strbuf_reset(&dir);
	baton_strbuf_addf(&dir, "%s/hooks/context", baton_home(ctx));
	prune_dir(dir.buf, now);
	baton_strbuf_reset(&dir);
	baton_strbuf_addf(&dir, "%s/hooks/dirs", baton_home(ctx));
	prune_dir(dir.buf, now);
out:
	baton_strbuf_release(&dir);
	baton_strbuf_release(&stamp);
}

/* ---- the context, rendered ahead -------------------------------------------------- */

/* A session's context as last rendered, in $BATON_HOME/hooks/context/SESSION.VARIANT,
 * headed by the state of the store it was rendered from: the offset the index had
 * applied of every log, read before rendering. It holds while every log is exactly
 * that long and no log was added, that is while no event has been written anywhere
 * since: then rendering again would print the same bytes. A hook that finds it
 * holding prints it without opening the index (SQLite reads its whole schema at
 * open, ~1 M instructions) or folding the journal (~2 M). The detached jobs render
 * all variants after their own writes; a full path renders the one it printed.
 *
 *   baton-context 1 VERSION SESSION VARIANT
 *   LOG OFFSET          one line per log
 *   (empty line)
 *   the context
 *
 * "compact" is what a PreCompact prints: the full context of the session as the
 * checkpoint leaves it (baton_journal_checkpoint_session). */
enum variant { V_SHORT, V_FULL, V_COMPACT, V_COUNT };
static const char *const variant_name[V_COUNT] = { "short", "full", "compact" };
#define CACHE_MAX (4 * CONTEXT_MAX) /* a file larger than this is not ours */

static char *cache_path(struct baton_ctx *ctx, const char *sid, enum variant v)
{
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/hooks/context/%s.%s", baton_home(ctx), sid, variant_name[v]);
	return baton_strbuf_detach(&sb);
}

static bool cache_on(struct baton_ctx *ctx)
{
	return baton_config_bool(ctx, "hooks.context_cache", true);
}

static void cache_put(struct baton_ctx *ctx, const char *sid, enum variant v, const struct strbuf *state,
		      const char *text)
{
	if (!sid || !cache_on(ctx))
		return;
	struct strbuf sb = STRBUF_INIT;
	char *p = cache_path(ctx, sid, v);
	baton_strbuf_addf(&sb, "baton-context 1 %s %s %s\n%s\n%s", BATON_VERSION, sid, variant_name[v],
			  state->buf ? state->buf : "", text);
	if (p && sb.len <= CACHE_MAX)
		baton_store_put(ctx, "hooks/context", p, &sb);
	free(p);
	baton_strbuf_release(&sb);
}

/* The context of session sid in variant v when it still holds (malloc'd), else NULL. */
static char *cache_get(struct baton_ctx *ctx, const char *sid, enum variant v)
{
	struct strbuf sb = STRBUF_INIT, head = STRBUF_INIT;
	char *p = cache_path(ctx, sid, v), *r = NULL;
	const char *text;
	if (!p || baton_read_file(ctx, &sb, p, CACHE_MAX))
		goto out;
	baton_strbuf_addf(&head, "baton-context 1 %s %s %s\n", BATON_VERSION, sid, variant_name[v]);
	if (sb.len > head.len && !memcmp(sb.buf, head.buf, head.len) && (text = baton_store_state_then(ctx, sb.buf + head.len)))
		r = strdup(text);
out:
	free(p);
	baton_strbuf_release(&sb);
	baton_strbuf_release(&head);
	return r;
}

/* Render every variant of session s for the next hooks (the detached job's last
 * step, after its own writes). */
static void cache_refresh(struct baton_ctx *ctx, const cJSON *s)
{
	struct strbuf state = STRBUF_INIT;
	cJSON *journal = NULL, *after = NULL;
	char *text = NULL;
	const char *sid = baton_json_str(s, "id");
	if (!sid || !cache_on(ctx) || is_closed(baton_json_str(s, "status")) || baton_store_state(ctx, &state) ||
	    baton_journal_load(ctx, &journal, s) || !(after = cJSON_Duplicate(s, 1)))
		goto out;
	baton_journal_checkpoint_session(after, true);
	for (int v = 0; v < V_COUNT; v++) {
		if (render_context(ctx, &text, v == V_COMPACT ? after : s, journal, v != V_SHORT))
			break;
		cache_put(ctx, sid, (enum variant)v, &state, text);
		free(text);
		text = NULL;
	}
out:
	baton_strbuf_release(&state);
	cJSON_Delete(journal);
	cJSON_Delete(after);
}

/* ---- the session a new conversation gets ------------------------------------------------ */

/* A conversation starting (SessionStart "startup" or "clear": a new conversation id)
 * is linked to its directory's current session (DESIGN.md §1). The detached jobs
 * leave which session that is in $BATON_HOME/hooks/dirs/HASH (FNV-1a of the
 * directory), headed by the store's state like the contexts:
 *
 *   baton-dir 1 VERSION SESSION
 *   DIRECTORY
 *   LOG OFFSET          one line per log
 *   (empty line)
 *
 * While the state holds no session was saved, closed or made current since, so the
 * SessionStart prints that session's context without the index, and its job records
 * the link. */
static char *dir_path(struct baton_ctx *ctx, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	baton_strbuf_addf(&sb, "%s/hooks/dirs/%016llx", baton_home(ctx), (unsigned long long)baton_store_hash(dir));
	return baton_strbuf_detach(&sb);
}

#define DIR_MAGIC "baton-dir 1 " BATON_VERSION " "

/* Whether dir's current session is known without the index: its id into sid. */
static bool dir_get(struct baton_ctx *ctx, const char *dir, char sid[BATON_ULID_LEN])
{
	struct strbuf sb = STRBUF_INIT;
	char *p = dir_path(ctx, dir);
	bool ok = false;
	size_t ml = strlen(DIR_MAGIC), dl = strlen(dir);
	if (!p || baton_read_file(ctx, &sb, p, CACHE_MAX) || sb.len <= ml || memcmp(sb.buf, DIR_MAGIC, ml))
		goto out;
	const char *id = sb.buf + ml, *d;
	size_t il = strcspn(id, "\n");
	if (il >= BATON_ULID_LEN || !id[il])
		goto out;
	memcpy(sid, id, il);
	sid[il] = '\0';
	d = id + il + 1;
	ok = baton_ulid_valid(sid) && (size_t)(sb.buf + sb.len - d) > dl && !memcmp(d, dir, dl) && d[dl] == '\n' &&
	     baton_store_state_then(ctx, d + dl + 1);
out:
	free(p);
	baton_strbuf_release(&sb);
	return ok;
}

/* Leave dir's current session for the next conversation starting there (the
 * detached job's last step); remove what it said when there is none worth printing.
 * s: the session the job just rendered (NULL: none). */
static void dir_refresh(struct baton_ctx *ctx, const char *cwd, const cJSON *s)
{
	struct strbuf state = STRBUF_INIT, sb = STRBUF_INIT, old = STRBUF_INIT;
	cJSON *cur = NULL;
	const char *dir = hook_dir(ctx, cwd);
	char *p = cache_on(ctx) && dir && !strchr(dir, '\n') ? dir_path(ctx, dir) : NULL;
	if (!p || baton_store_state(ctx, &state) || baton_session_current(ctx, &cur, dir))
		goto out;
	const char *id = baton_json_str(cur, "id"), *objective = baton_json_str(cur, "objective");
	if (!id || !objective || !*objective) {
		unlink(p);
		goto out;
	}
	if (!s || strcmp(id, or_str(baton_json_str(s, "id"), "")))
		cache_refresh(ctx, cur);
	baton_strbuf_addf(&sb, DIR_MAGIC "%s\n%s\n%s\n", id, dir, state.buf ? state.buf : "");
	if (!baton_read_file(ctx, &old, p, CACHE_MAX) && old.len == sb.len && !memcmp(old.buf, sb.buf, sb.len))
		goto out; /* as it was: no write */
	baton_store_put(ctx, "hooks/dirs", p, &sb);
out:
	free(p);
	cJSON_Delete(cur);
	baton_strbuf_release(&state);
	baton_strbuf_release(&sb);
	baton_strbuf_release(&old);
}

/* ---- the actions ---------------------------------------------------------------------- */

static cJSON *new_job(const struct baton_hook *h, const char *forced, const char *session_id);

cJSON *baton_hook_job(const struct baton_hook *h, const char *forced_session)
{
	if (h->action != BATON_HOOK_STOP && h->action != BATON_HOOK_END)
		return NULL;
	return new_job(h, forced_session, NULL);
}

static cJSON *new_job(const struct baton_hook *h, const char *forced, const char *session_id)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	baton_json_add_str(j, "agent", h->agent);
	baton_json_add_str(j, "event", h->event);
	baton_json_add_str(j, "agent_session_id", h->agent_session_id);
	baton_json_add_str(j, "transcript_path", h->transcript_path);
	baton_json_add_str(j, "cwd", h->cwd);
	baton_json_add_str(j, "forced", forced && *forced ? forced : NULL);
	baton_json_add_str(j, "session_id", session_id);
	baton_json_add_bool(j, "refresh", h->action == BATON_HOOK_STOP || h->action == BATON_HOOK_END);
	baton_json_add_bool(j, "end", h->action == BATON_HOOK_END);
	baton_json_add_str(j, "reason", h->reason);
	return j;
}

/* Ingest the transcript tail now when it is small (and the file is there); a large
 * one is left to the job. Returns 1 when something is left. A missing transcript is
 * normal at startup: the agent writes it after the first prompt. */
static int ingest_small_tail(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced)
{
	if (!h->transcript_path)
		return 0;
	int64_t pending = 0;
	int rc = baton_ingest_pending(ctx, h->agent, h->transcript_path, &pending);
	if (rc)
		return 0;
	if (!pending)
		return 0;
	if (pending > baton_config_int(ctx, "hooks.inline_ingest_bytes", INLINE_TAIL_DEFAULT))
		return 1;
	rc = baton_ingest_file(ctx, h->agent, h->transcript_path, forced && *forced ? forced : NULL, NULL);
	return rc ? 1 : 0; /* whatever failed here, the detached job tries again */
}

static int act_start(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced, struct baton_hook_output *out)
{
	struct strbuf state = STRBUF_INIT;
	cJSON *s = NULL;
	char *text = NULL, *linked = NULL, epoch[BATON_ULID_LEN];
	baton_index_epoch(ctx, epoch);
	/* A conversation seen for the first time is read now (when its tail is small), so
	 * that a session made for it takes its objective from its first prompt; a known
	 * one's tail can wait for the detached job: the context printed comes from the
	 * journal, not from the transcript. */
	int known = h->agent_session_id && !baton_conversation_session(ctx, h->agent, h->agent_session_id, &linked);
	free(linked);
	int64_t pending = 0;
	int left = !known ? ingest_small_tail(ctx, h, forced)
			  : h->transcript_path && !baton_ingest_pending(ctx, h->agent, h->transcript_path, &pending) && pending > 0;
	int rc = find_session(ctx, h, forced, true, &s);
	if (rc)
		goto out;
	/* run under `baton run`: the run learns which agent conversation it is; a run
	 * that is not there (another store) is no reason to fail the hook */
	if (h->run_id && *h->run_id && h->agent_session_id) {
		rc = baton_run_set_agent_session(ctx, h->run_id, h->agent_session_id);
		if (rc == BATON_ENOTFOUND)
			rc = 0;
		if (rc)
			goto out;
	}
	bool compacted = h->source && !strcmp(h->source, "compact");
	if ((rc = baton_store_state(ctx, &state)) || (rc = baton_hook_context(ctx, &text, s, compacted)))
		goto out;
	out->text = agent_output(h, text);
	if (left)
		out->job = new_job(h, forced, baton_json_str(s, "id")); /* which renders every variant */
	else if (!forced || !*forced)
		cache_put(ctx, baton_json_str(s, "id"), compacted ? V_FULL : V_SHORT, &state, text);
	if (!forced || !*forced)
		mark(ctx, h, epoch, s, false);
out:
	baton_strbuf_release(&state);
	free(text);
	cJSON_Delete(s);
	return rc;
}

static int act_prompt(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced, struct baton_hook_output *out)
{
	struct strbuf state = STRBUF_INIT;
	cJSON *s = NULL;
	char *text = NULL, *obj = NULL, epoch[BATON_ULID_LEN];
	baton_index_epoch(ctx, epoch);
	int rc = find_session(ctx, h, forced, true, &s);
	if (rc)
		goto out;
	int fresh_objective = 0;
	if (!baton_json_str(s, "objective") && h->prompt && !is_closed(baton_json_str(s, "status")) &&
	    (obj = objective_from(ctx, h->prompt))) {
		baton_json_set(s, "objective", cJSON_CreateString(obj));
		/* a name made before there was an objective is replaced by one made from it */
		const char *sn = baton_json_str(s, "shortname");
		if (!sn || !strcmp(sn, "session"))
			baton_json_set(s, "shortname", cJSON_CreateNull());
		cJSON *saved = NULL;
		if ((rc = baton_session_put(ctx, s, &saved))) {
			s = NULL;
			goto out;
		}
		s = saved;
		fresh_objective = 1;
	}
	if (!fresh_objective &&
	    baton_hook_is_continue(h->prompt, baton_config_str(ctx, "hooks.continue_phrases", NULL))) {
		if ((rc = baton_store_state(ctx, &state)) || (rc = baton_hook_context(ctx, &text, s, false)))
			goto out;
		out->text = agent_output(h, text);
		if (!forced || !*forced)
			cache_put(ctx, baton_json_str(s, "id"), V_SHORT, &state, text);
	}
	if (!forced || !*forced)
		mark(ctx, h, epoch, s, false);
out:
	baton_strbuf_release(&state);
	free(text);
	free(obj);
	cJSON_Delete(s);
	return rc;
}

static void compaction_note(char *buf, size_t n, const struct baton_hook *h)
{
	snprintf(buf, n, "%s compaction (%s)", h->agent, h->trigger ? h->trigger : "auto");
}

/* As on the fast path, the context printed is the session as the checkpoint leaves it,
 * and the checkpoint itself (a log append and its fsync) is the detached job's first
 * step: the agent does not wait for it. */
static int act_compact(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced, struct baton_hook_output *out)
{
	cJSON *s = NULL, *after = NULL;
	char *text = NULL;
	int rc = find_session(ctx, h, forced, true, &s);
	if (rc)
		goto out;
	if (!is_closed(baton_json_str(s, "status"))) {
		char note[96];
		compaction_note(note, sizeof note, h);
		if (!(after = cJSON_Duplicate(s, 1)) || !(out->job = new_job(h, forced, baton_json_str(s, "id"))) ||
		    !baton_json_add_str(out->job, "checkpoint", note)) {
			rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
			goto out;
		}
		baton_journal_checkpoint_session(after, true);
	}
	if ((rc = baton_hook_context(ctx, &text, after ? after : s, true)))
		goto out;
	/* Gemini's PreCompress is advisory: what it prints goes nowhere useful */
	if (strcmp(h->agent, "gemini"))
		out->text = agent_output(h, text);
out:
	if (rc)
		baton_hook_output_release(out);
	free(text);
	cJSON_Delete(s);
	cJSON_Delete(after);
	return rc;
}

/* Paths a tool call wrote: file_path / path / notebook_path, or the files of a Codex
 * apply_patch ("*** Update File: x"). */
static void touched_paths(const cJSON *input, cJSON *acc)
{
	static const char *const keys[] = { "file_path", "path", "notebook_path", "absolute_path" };
	for (size_t i = 0; i < 4; i++)
		if (baton_json_str(input, keys[i]))
			cJSON_AddItemToArray(acc, cJSON_CreateString(baton_json_str(input, keys[i])));
	const char *patch = baton_json_str(input, "command");
	if (!patch)
		patch = baton_json_str(input, "input");
	static const char *const marks[] = { "*** Update File: ", "*** Add File: ", "*** Delete File: " };
	for (const char *p = patch; p && *p;) {
		for (size_t m = 0; m < 3; m++) {
			size_t ml = strlen(marks[m]);
			if (!strncmp(p, marks[m], ml)) {
				size_t n = strcspn(p + ml, "\r\n");
				char *f = strndup(p + ml, n);
				if (f)
					cJSON_AddItemToArray(acc, cJSON_CreateString(f));
				free(f);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static int act_tool(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced)
{
	if (!baton_config_bool(ctx, "hooks.post_tool_use", false))
		return 0;
	cJSON *paths = cJSON_CreateArray(), *s = NULL;
	touched_paths(baton_json_obj(h->payload, "tool_input"), paths);
	int rc = 0;
	if (!cJSON_GetArraySize(paths))
		goto out;
	if ((rc = find_session(ctx, h, forced, false, &s)) || !s || is_closed(baton_json_str(s, "status")))
		goto out;
	cJSON *rcs = baton_json_obj(s, "recent_changes");
	if (!rcs) {
		rcs = cJSON_CreateObject();
		baton_json_set(s, "recent_changes", rcs);
	}
	cJSON *files = baton_json_arr(rcs, "files");
	if (!files) {
		files = cJSON_CreateArray();
		baton_json_set(rcs, "files", files);
	}
	const char *root = baton_json_str(s, "repo_root");
	size_t rl = root ? strlen(root) : 0;
	int changed = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, paths) {
		const char *f = p->valuestring;
		if (rl && !strncmp(f, root, rl) && f[rl] == '/')
			f += rl + 1; /* recent changes are relative to the repository */
		int seen = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, files)
			seen |= cJSON_IsString(it) && !strcmp(it->valuestring, f);
		if (seen)
			continue;
		cJSON_InsertItemInArray(files, 0, cJSON_CreateString(f));
		changed = 1;
	}
	while (cJSON_GetArraySize(files) > TOUCHED_MAX)
		cJSON_DeleteItemFromArray(files, cJSON_GetArraySize(files) - 1);
	if (changed) {
		rc = baton_session_put(ctx, s, NULL);
		s = NULL;
	}
out:
	cJSON_Delete(paths);
	cJSON_Delete(s);
	return rc;
}

bool baton_hook_fast(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced, struct baton_hook_output *out)
{
	char sid[BATON_ULID_LEN];
	enum variant v;
	struct stat st;
	out->text = NULL;
	out->job = NULL;
	if ((forced && *forced) || (h->run_id && *h->run_id))
		return false;
	if (h->action == BATON_HOOK_START)
		v = h->source && !strcmp(h->source, "compact") ? V_FULL : V_SHORT;
	else if (h->action == BATON_HOOK_PROMPT)
		v = V_SHORT;
	else if (h->action == BATON_HOOK_COMPACT)
		v = V_COMPACT;
	else
		return false;
	/* every action here prints the context, but an ordinary prompt */
	bool context = h->action != BATON_HOOK_PROMPT ||
		       baton_hook_is_continue(h->prompt, baton_config_str(ctx, "hooks.continue_phrases", NULL));
	if (context && !cache_on(ctx))
		return false;
	/* the marker: linked to an open session with an objective, live at this boot; a
	 * SessionStart may also resume an ended conversation, or start a new one where
	 * the directory's current session is known, its job recording it live */
	enum marker m = marker_read(ctx, h, sid);
	if (m == M_NONE && h->action == BATON_HOOK_START && h->source &&
	    (!strcmp(h->source, "startup") || !strcmp(h->source, "clear")) && dir_get(ctx, hook_dir(ctx, h->cwd), sid))
		m = M_LINKED;
	if (m == M_NONE || (m == M_LINKED && h->action != BATON_HOOK_START))
		return false;
	if (!context)
		return true; /* an ordinary prompt: nothing to do */
	char *text = cache_get(ctx, sid, v);
	if (!text)
		return false;
	bool made = true;
	if (m == M_LINKED) {
		/* the link and the live record are the job's first step */
		made = (out->job = new_job(h, NULL, sid)) && baton_json_add_bool(out->job, "link", true);
	} else if (v == V_COMPACT) {
		/* the checkpoint itself is the job's first step: what is printed is already
		 * the context as it leaves the session */
		char note[96];
		compaction_note(note, sizeof note, h);
		made = (out->job = new_job(h, NULL, sid)) && baton_json_add_str(out->job, "checkpoint", note);
	} else if (h->action == BATON_HOOK_START && h->transcript_path && !stat(h->transcript_path, &st)) {
		/* whether the tail was read is in the index: the job reads what is new */
		out->job = new_job(h, NULL, sid);
	}
	if (!made) {
		cJSON_Delete(out->job);
		out->job = NULL;
		free(text);
		return false;
	}
	/* Gemini's PreCompress is advisory: what it prints goes nowhere useful */
	if (v != V_COMPACT || strcmp(h->agent, "gemini"))
		out->text = agent_output(h, text);
	free(text);
	return true;
}

int baton_hook_run(struct baton_ctx *ctx, const struct baton_hook *h, const char *forced_session,
		   struct baton_hook_output *out)
{
	out->text = NULL;
	out->job = NULL;
	int rc = 0;
	switch (h->action) {
	case BATON_HOOK_START:
		rc = act_start(ctx, h, forced_session, out);
		break;
	case BATON_HOOK_PROMPT:
		rc = act_prompt(ctx, h, forced_session, out);
		break;
	case BATON_HOOK_COMPACT:
		rc = act_compact(ctx, h, forced_session, out);
		break;
	case BATON_HOOK_STOP:
	case BATON_HOOK_END:
		/* nothing inline: the turn's records may not even be written yet */
		out->job = new_job(h, forced_session, NULL);
		break;
	case BATON_HOOK_TOOL:
		rc = act_tool(ctx, h, forced_session);
		break;
	case BATON_HOOK_IGNORE:
		break;
	}
	if (rc)
		baton_hook_output_release(out);
	return rc;
}

/* ---- the deferred part ------------------------------------------------------------ */

/* Codex notify names no transcript: the one its conversation was linked with. */
static char *known_transcript(struct baton_ctx *ctx, const char *source, const char *sid)
{
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"SELECT transcript_path FROM conversations WHERE source = ?1 AND agent_session_id = ?2");
	if (!st)
		return NULL;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	char *r = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && baton_col_text(st, 0))
		r = strdup(baton_col_text(st, 0));
	sqlite3_reset(st);
	return r;
}

static int json_same(const cJSON *a, const cJSON *b)
{
	return (!a && !b) || (a && b && cJSON_Compare(a, b, 1));
}

int baton_hook_finish(struct baton_ctx *ctx, const cJSON *job)
{
	const char *agent = baton_json_str(job, "agent"), *sid = baton_json_str(job, "agent_session_id");
	const char *forced = baton_json_str(job, "forced");
	char *path = baton_json_str(job, "transcript_path") ? strdup(baton_json_str(job, "transcript_path"))
							     : sid ? known_transcript(ctx, agent, sid) : NULL;
	char *linked = NULL, epoch[BATON_ULID_LEN];
	cJSON *s = NULL, *before = NULL;
	int rc = 0;
	/* the conversation as the hook saw it, for its marker */
	struct baton_hook hk = { .action = BATON_HOOK_START, .agent = agent, .event = baton_json_str(job, "event"),
				 .agent_session_id = sid, .transcript_path = path, .cwd = baton_json_str(job, "cwd") };
	baton_index_epoch(ctx, epoch);
	if (path) {
		rc = baton_ingest_file(ctx, agent, path, forced, NULL);
		if (rc == BATON_ENOTFOUND && !forced)
			rc = 0; /* no transcript (yet, or any more): the rest still holds */
		if (rc)
			goto out;
	}
	const char *id = forced ? forced : baton_json_str(job, "session_id");
	if (baton_json_bool(job, "link", false)) {
		/* a SessionStart answered from its marker or its directory's: the link and
		 * the live record the full path makes before it answers */
		if ((rc = find_session(ctx, &hk, forced, true, &s)))
			goto out;
		if (!forced)
			mark(ctx, &hk, epoch, s, false);
	} else {
		if (!id && sid) {
			rc = baton_conversation_session(ctx, agent, sid, &linked);
			if (rc == BATON_ENOTFOUND)
				rc = 0;
			if (rc)
				goto out;
			id = linked;
		}
		if (id && (rc = baton_session_get(ctx, &s, id)) == BATON_ENOTFOUND) {
			rc = 0;
			s = NULL;
		}
		if (rc)
			goto out;
	}
	const char *note = baton_json_str(job, "checkpoint");
	if (s && note && !is_closed(baton_json_str(s, "status"))) {
		/* a PreCompact answered from the rendered context: its checkpoint */
		cJSON *saved = NULL;
		rc = baton_journal_checkpoint(ctx, s, note, true, false, NULL, &saved);
		s = saved;
		if (rc)
			goto out;
	}
	if (s && baton_json_bool(job, "refresh", false) && !is_closed(baton_json_str(s, "status"))) {
		before = cJSON_Duplicate(s, 1);
		if ((rc = baton_session_refresh(ctx, s)))
			goto out;
		if (!json_same(baton_json_obj(before, "git"), baton_json_obj(s, "git")) ||
		    !json_same(baton_json_obj(before, "recent_changes"), baton_json_obj(s, "recent_changes")) ||
		    !json_same(cJSON_GetObjectItem(before, "checkpoint"), cJSON_GetObjectItem(s, "checkpoint"))) {
			cJSON *saved = NULL;
			rc = baton_session_put(ctx, s, &saved);
			s = saved;
			if (rc)
				goto out;
		}
	}
	if (s && (rc = baton_journal_sync(ctx, NULL, s)))
		goto out;
	prune_markers(ctx);
	if (baton_json_bool(job, "end", false) && sid) {
		/* an ended conversation that comes back must be recorded live again: its
		 * marker says so before the end is written */
		mark(ctx, &hk, epoch, forced ? NULL : s, true);
		cJSON *f = cJSON_CreateObject();
		cJSON *c = cJSON_AddObjectToObject(f, "conversation");
		baton_json_add_str(c, "source", agent);
		baton_json_add_str(c, "agent_session_id", sid);
		baton_json_add_str(c, "session_id", s ? baton_json_str(s, "id") : NULL);
		baton_json_add_str(c, "reason", baton_json_str(job, "reason"));
		rc = baton_log_append(ctx, "conversation_ended", f, NULL);
	}
	/* last: after every write of this job, for the next hooks of the session and the
	 * next conversation in its directory */
	if (!rc && s)
		cache_refresh(ctx, s);
	if (!rc)
		dir_refresh(ctx, hk.cwd, s);
out:
	free(path);
	free(linked);
	cJSON_Delete(s);
	cJSON_Delete(before);
	return rc;
}

/* ---- index: conversations ended, and live per boot ------------------------------------------------------ */

static const char hook_schema[] =
	"CREATE TABLE IF NOT EXISTS conversation_ends(source TEXT NOT NULL, agent_session_id TEXT NOT NULL,"
	" session_id TEXT, ended_at TEXT NOT NULL, reason TEXT, event_id TEXT NOT NULL,"
	" PRIMARY KEY(source, agent_session_id));"
	"CREATE TABLE IF NOT EXISTS conversation_boots(source TEXT NOT NULL, agent_session_id TEXT NOT NULL,"
	" host TEXT NOT NULL, boot_id TEXT NOT NULL, session_id TEXT, cwd TEXT, started_at TEXT NOT NULL,"
	" event_id TEXT NOT NULL, PRIMARY KEY(source, agent_session_id, host, boot_id));"
	"CREATE INDEX IF NOT EXISTS conversation_boots_boot ON conversation_boots(host, boot_id);";

/* Last write wins by event id: a conversation resumed and ended again keeps the last
 * end; whether it is still ended is ended_at against the conversation's last_seen. */
static int apply_ended(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *c = baton_json_obj(ev, "conversation");
	const char *source = baton_json_str(c, "source"), *sid = baton_json_str(c, "agent_session_id");
	const char *id = baton_json_str(ev, "id"), *at = baton_json_str(ev, "at");
	if (!source || !sid || !id || !at)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT INTO conversation_ends(source, agent_session_id, session_id, ended_at, reason, event_id)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(source, agent_session_id) DO UPDATE SET"
		" session_id = excluded.session_id, ended_at = excluded.ended_at, reason = excluded.reason,"
		" event_id = excluded.event_id WHERE excluded.event_id > event_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, baton_json_str(c, "session_id"));
	baton_bind_text(st, 4, at);
	baton_bind_text(st, 5, baton_json_str(c, "reason"));
	baton_bind_text(st, 6, id);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply conversation_ended");
}

/* One row per conversation and boot it was live in; the latest record of a boot wins
 * (a conversation ended and resumed in the same boot is live from the resume). */
static int apply_live(struct baton_ctx *ctx, const cJSON *ev)
{
	const cJSON *c = baton_json_obj(ev, "conversation");
	const char *source = baton_json_str(c, "source"), *sid = baton_json_str(c, "agent_session_id");
	const char *id = baton_json_str(ev, "id"), *at = baton_json_str(ev, "at"), *host = baton_json_str(ev, "host");
	if (!source || !sid || !id || !at || !host)
		return 0;
	sqlite3_stmt *st = baton_index_stmt(ctx,
		"INSERT INTO conversation_boots(source, agent_session_id, host, boot_id, session_id, cwd, started_at, event_id)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(source, agent_session_id, host, boot_id) DO UPDATE SET"
		" session_id = excluded.session_id, cwd = excluded.cwd, started_at = excluded.started_at,"
		" event_id = excluded.event_id WHERE excluded.event_id > event_id");
	if (!st)
		return BATON_ERROR;
	baton_bind_text(st, 1, source);
	baton_bind_text(st, 2, sid);
	baton_bind_text(st, 3, host);
	baton_bind_text(st, 4, baton_json_str(c, "boot_id") ? baton_json_str(c, "boot_id") : "");
	baton_bind_text(st, 5, baton_json_str(c, "session_id"));
	baton_bind_text(st, 6, baton_json_str(c, "cwd"));
	baton_bind_text(st, 7, at);
	baton_bind_text(st, 8, id);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : baton_index_error(ctx, "apply conversation_live");
}

static const struct baton_event_handler hook_handlers[] = {
	{ "conversation_ended", apply_ended },
	{ "conversation_live", apply_live },
	{ NULL, NULL },
};

static const char *const hook_tables[] = { "conversation_ends", "conversation_boots", NULL };

const struct baton_index_module baton_hook_index = {
	.name = "hooks",
	.schema = hook_schema,
	.tables = hook_tables,
	.handlers = hook_handlers,
	.replay = NULL,
};
