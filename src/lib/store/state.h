/* The store's state: how long the index has applied each log, "LOG OFFSET" lines by
 * name. A file rendered from the index (a hook's context, a directory's current
 * session) is headed by the state it was rendered at, and holds while every log is
 * exactly that long and no log was added: while nothing was written anywhere since,
 * reading the index again would give the same answer. */
#ifndef BATON_STORE_STATE_H
#define BATON_STORE_STATE_H

#include <stdint.h>

struct baton_ctx;
struct strbuf;

/* The state as the index has it, appended to out. 0 or BATON_ERROR. */
int baton_store_state(struct baton_ctx *ctx, struct strbuf *out);

/* The text after a state ("LOG OFFSET" lines, then an empty line; or the empty line
 * alone: a store with no event yet) when that state still holds, else NULL. Reads
 * only the log directory: no index. */
const char *baton_store_state_then(struct baton_ctx *ctx, const char *state);

/* Write path, a file of $BATON_HOME/SUB ("hooks/context", "cache/current"), atomically
 * and 0600, making the directory on first use. 0 or BATON_E*: a file rendered ahead
 * that cannot be written only costs its reader the index. */
int baton_store_put(struct baton_ctx *ctx, const char *sub, const char *path, const struct strbuf *sb);

/* FNV-1a of s: the name of a file kept per directory (hooks/dirs, cache/current). */
uint64_t baton_store_hash(const char *s);

#endif
