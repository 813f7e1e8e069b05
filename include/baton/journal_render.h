/* The journal's pure half: folding a session's entries into its structured journal
 * (steps, decisions, discoveries, blockers, next steps, key files, TL;DR) and
 * rendering that as markdown. No context, no clock, no I/O: the same session and
 * entries give the same bytes, so renderings are golden-testable.
 *
 * An entry is an object {"id","at","session_id","kind","text", kind-specific…}
 * (see journal.h). Kinds: progress, done, next (steps); decision (rationale,
 * context); discovery; blocker, unblock; note; checkpoint; pause; close. Entries
 * that refer to an earlier one carry its id in "ref" (resolved when logged), so a
 * fold never guesses: matching text to a step happens once, at log time. */
#ifndef BATON_JOURNAL_RENDER_H
#define BATON_JOURNAL_RENDER_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stdint.h>

struct strbuf;

/* The structured journal of session from entries (an array in log order, oldest
 * first). Keys, in order: tldr, progress {done,total,percent,current},
 * steps [{id,text,state,created_at,started_at,completed_at,current,touched}],
 * decisions [{n,id,at,text,context,rationale}], discoveries [{n,id,at,text}],
 * blockers [{n,id,at,text,status,resolved_at}], next [{step_id,text,state}],
 * notes [{id,at,text}], checkpoints [{id,at,note,pre_compact}], key_files [str],
 * entries (count). state is "completed", "in_progress" or "remaining"; blocker status
 * "open" or "resolved". Unknown kinds are skipped. Caller's; NULL when out of memory. */
cJSON *baton_journal_fold(const cJSON *session, const cJSON *entries);

/* The same fold one entry at a time, for entries that need not be held all at once
 * (each may be freed once folded: the fold keeps copies). begin returns -1 when out
 * of memory; end returns the journal (caller's); a fold not ended is dropped with
 * cJSON_Delete(f.j). */
struct baton_journal_folder {
	cJSON *j, *progress, *steps, *decisions, *discoveries, *blockers, *next, *notes, *checkpoints, *key_files;
	int64_t seq;
};
int baton_journal_fold_begin(struct baton_journal_folder *f);
void baton_journal_fold_entry(struct baton_journal_folder *f, const cJSON *entry);
cJSON *baton_journal_fold_end(struct baton_journal_folder *f, const cJSON *session);

/* How a text matched a step (baton_journal_match_step). */
enum baton_step_match {
	BATON_STEP_NONE = 0,
	BATON_STEP_EXACT,     /* same text */
	BATON_STEP_NOCASE,    /* same text ignoring case and surrounding blanks */
	BATON_STEP_PREFIX,    /* text begins the step, ignoring case */
	BATON_STEP_SUBSTRING, /* text occurs in the step, ignoring case */
};

/* The open (not completed) step of journal that `text` names, for --done: exact text,
 * else case-insensitive, else case-insensitive prefix, else substring. Ties within a
 * level go to the current step, then the most recently worked-on in-progress step,
 * then the earliest remaining one. Borrowed from journal; NULL when none matches.
 * *how (optional) says which rule matched. */
const cJSON *baton_journal_match_step(const cJSON *journal, const char *text, enum baton_step_match *how);

/* The open step whose text equals `text` ignoring case and surrounding blanks (for
 * --progress and --next, which never match loosely). Borrowed, or NULL. */
const cJSON *baton_journal_find_step(const cJSON *journal, const char *text);

/* The TL;DR paragraph: objective, status, progress fraction, current step, blocker
 * status, next step, compactions (malloc'd; NULL when out of memory). */
char *baton_journal_tldr(const cJSON *session, const cJSON *journal);

/* Sections of the rendered document, for view filters. */
enum {
	BATON_JOURNAL_FRONT = 1 << 0,      /* YAML front matter and title */
	BATON_JOURNAL_TLDR = 1 << 1,
	BATON_JOURNAL_CONTEXT = 1 << 2,
	BATON_JOURNAL_PROGRESS = 1 << 3,
	BATON_JOURNAL_DECISIONS = 1 << 4,
	BATON_JOURNAL_DISCOVERIES = 1 << 5,
	BATON_JOURNAL_BLOCKERS = 1 << 6,
	BATON_JOURNAL_NEXT = 1 << 7,
	BATON_JOURNAL_FILES = 1 << 8,
	BATON_JOURNAL_RESUME = 1 << 9,
	BATON_JOURNAL_ALL = (1 << 10) - 1,
};

/* Append the markdown document of session and its folded journal to out: YAML front
 * matter (id, shortname, status, task_ids, created_at, updated_at, compaction_count,
 * git_branch, git_last_commit) and the sections asked for. Returns 0 or -1 (memory). */
int baton_journal_render(struct strbuf *out, const cJSON *session, const cJSON *journal, unsigned sections);

/* progress.md of the journal directory: the progress section on its own. */
int baton_journal_render_progress(struct strbuf *out, const cJSON *session, const cJSON *journal);

/* One entry as a small markdown file with front matter (id, session_id, kind, at). */
int baton_journal_render_entry(struct strbuf *out, const cJSON *entry);

/* Append s as a YAML scalar: plain when that reads back as the same string, else
 * double-quoted with escapes; NULL as null. Returns 0 or -1. */
int baton_yaml_scalar(struct strbuf *out, const char *s);

#endif
