/* Rebuild-time compaction of snapshot events.
 *
 * Some events replace a row whole, last write wins by event id (session_saved: every
 * save and journal entry writes the session's full snapshot). A rebuild would parse
 * and upsert each of them, only for the newest to survive. A first pass over the logs
 * notes, per row id, the newest snapshot's event id, reading only each line's head; the
 * replay then skips every older snapshot of that id before parsing it.
 *
 * Only lines of the exact shape baton's own log writer produces are recognised
 * ({"v":1,"id":"E","at":"…","host":"…","type":"T","OBJ":{"id":"K",…}}); any other line
 * is parsed and applied as always, so the result is the same index, only sooner. */
#ifndef BATON_STORE_SNAPSHOTS_H
#define BATON_STORE_SNAPSHOTS_H

#include <stddef.h>

struct baton_snapshots;

/* An empty table for the modules' snapshot event types (NULL when no module has one,
 * or out of memory: then nothing is skipped). */
struct baton_snapshots *baton_snapshots_new(void);
void baton_snapshots_free(struct baton_snapshots *m);

/* Note one log line (first pass). Returns 0, or -1 out of memory (the table is then
 * unusable: free it and skip nothing). */
int baton_snapshots_note(struct baton_snapshots *m, const char *line, size_t len);

/* 1 when line is a snapshot that a newer one of the same id replaces (second pass):
 * the caller may skip it; *id, *id_len then give its event id (pointing into line). */
int baton_snapshots_superseded(const struct baton_snapshots *m, const char *line, size_t len, const char **id,
			       size_t *id_len);

#endif
