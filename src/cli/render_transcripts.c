/* Human renderings of the transcript operations: ingest, messages, search, stats. */
#include <stdio.h>
#include <string.h>

#include "baton/json.h"
#include "cli/render.h"

static const char *or(const char *s, const char *def)
{
	return s && *s ? s : def;
}

static long long num(const cJSON *o, const char *key)
{
	return (long long)baton_json_int(o, key, 0);
}

/* A text on one line, at most max bytes (not splitting a UTF-8 sequence). */
static void one_line(FILE *out, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && s[n] && n < max; n++)
		;
	if (s && s[n])
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++)
		fputc(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i], out);
	if (s && s[n])
		fputs("…", out);
}

/* "2026-11-22T18:47:45.123Z" → "2026-11-22 18:47" */
static void short_time(char *buf, size_t len, const char *ts)
{
	if (!ts || strlen(ts) < 16)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.10s %.5s", ts, ts + 11);
}

void baton_render_ingest(FILE *out, const cJSON *r)
{
	double mb = (double)num(r, "bytes") / (1024.0 * 1024.0), s = (double)num(r, "ms") / 1000.0;
	if (!num(r, "files_read"))
		fprintf(out, "nothing new in %lld transcript%s\n", num(r, "files"), num(r, "files") == 1 ? "" : "s");
	else
		fprintf(out, "read %lld of %lld transcripts: %lld new messages, %.1f MB in %.1f s\n", num(r, "files_read"),
			num(r, "files"), num(r, "messages"), mb, s);
	if (num(r, "conversations") || num(r, "sessions"))
		fprintf(out, "linked %lld conversation%s (%lld new session%s)\n", num(r, "conversations"),
			num(r, "conversations") == 1 ? "" : "s", num(r, "sessions"), num(r, "sessions") == 1 ? "" : "s");
	if (num(r, "resets"))
		fprintf(out, "%lld transcript%s replaced or truncated: read again\n", num(r, "resets"),
			num(r, "resets") == 1 ? "" : "s");
	if (num(r, "bad_lines"))
		fprintf(out, "warning: %lld unreadable line%s skipped\n", num(r, "bad_lines"), num(r, "bad_lines") == 1 ? "" : "s");
	if (num(r, "errors"))
		fprintf(out, "warning: %lld transcript%s could not be read\n", num(r, "errors"), num(r, "errors") == 1 ? "" : "s");
}

void baton_render_messages(FILE *out, const cJSON *r)
{
	const cJSON *m, *arr = baton_json_arr(r, "messages");
	long long off = num(r, "offset"), n = num(r, "count");
	if (!n) {
		fprintf(out, "no messages%s\n", num(r, "total") ? " at this offset" : "");
		return;
	}
	fprintf(out, "session %s: messages %lld-%lld of %lld\n", or(baton_json_str(r, "session_id"), "?"), off + 1, off + n,
		num(r, "total"));
	cJSON_ArrayForEach(m, arr) {
		char when[32], what[64];
		const char *kind = or(baton_json_str(m, "kind"), "text"), *tool = baton_json_str(m, "tool");
		short_time(when, sizeof when, baton_json_str(m, "timestamp"));
		if (tool)
			snprintf(what, sizeof what, "%s %s", kind, tool);
		else
			snprintf(what, sizeof what, "%s", kind);
		fprintf(out, "%s  %-9s %-22.22s ", when, or(baton_json_str(m, "role"), "?"), what);
		const char *cmd = baton_json_str(m, "command");
		if (cmd) {
			fputs("$ ", out);
			one_line(out, cmd, 160);
		} else {
			one_line(out, or(baton_json_str(m, "text"), ""), 160);
		}
		fputc('\n', out);
	}
}

void baton_render_search(FILE *out, const cJSON *r)
{
	const cJSON *h, *hits = baton_json_arr(r, "hits");
	long long n = num(r, "count");
	fprintf(out, "%lld hit%s for '%s' (%lld ms)%s\n", n, n == 1 ? "" : "s", or(baton_json_str(r, "query"), ""),
		num(r, "ms"), cJSON_IsFalse(cJSON_GetObjectItem(r, "complete")) ? ", stopped at the time budget" : "");
	cJSON_ArrayForEach(h, hits) {
		char when[32];
		const char *tool = baton_json_str(h, "tool");
		short_time(when, sizeof when, baton_json_str(h, "timestamp"));
		fprintf(out, "\n%.12s  %s  %s %s/%s%s%s #%lld\n    ", or(baton_json_str(h, "session_id"), "?"), when,
			or(baton_json_str(h, "source"), "?"), or(baton_json_str(h, "role"), "?"), or(baton_json_str(h, "kind"), "?"),
			tool ? " " : "", tool ? tool : "", num(h, "seq"));
		one_line(out, or(baton_json_str(h, "snippet"), ""), 400);
		fputc('\n', out);
	}
}

static void counts_line(FILE *out, const char *label, const cJSON *obj)
{
	const cJSON *it;
	fprintf(out, "%-14s", label);
	if (!cJSON_GetArraySize(obj))
		fputs(" -", out);
	cJSON_ArrayForEach(it, obj)
		fprintf(out, " %s %lld", it->string, (long long)it->valuedouble);
	fputc('\n', out);
}

void baton_render_stats(FILE *out, const cJSON *r)
{
	const cJSON *t = baton_json_obj(r, "totals"), *src = baton_json_obj(r, "by_source");
	const cJSON *msg = baton_json_obj(r, "messages"), *tok = baton_json_obj(r, "tokens");
	fprintf(out, "%lld sessions, %lld agent conversations, %lld messages\n", num(t, "sessions"), num(t, "conversations"),
		num(t, "messages"));
	counts_line(out, "sessions by", baton_json_obj(r, "by_status"));
	counts_line(out, "  source", baton_json_obj(src, "sessions"));
	counts_line(out, "conversations", baton_json_obj(src, "conversations"));
	counts_line(out, "messages by", baton_json_obj(msg, "by_role"));
	counts_line(out, "  kind", baton_json_obj(msg, "by_kind"));
	if (tok)
		fprintf(out, "tokens        %lld in %lld responses: input %lld, output %lld, cache read %lld, cache write %lld,"
			     " reasoning %lld\n",
			num(tok, "total"), num(tok, "responses"), num(tok, "input"), num(tok, "output"), num(tok, "cache_read"),
			num(tok, "cache_write"), num(tok, "reasoning"));
	const cJSON *h = baton_json_obj(r, "handoffs");
	if (h)
		fprintf(out, "handoffs      %lld sessions carry one, %lld ready to pick up\n", num(h, "sessions"), num(h, "ready"));
}
