/* Time: RFC 3339 UTC timestamps with milliseconds, and the parser for --since. */
#ifndef BATON_CLOCK_H
#define BATON_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define BATON_TIME_LEN 25 /* "2026-11-22T18:47:45.123Z" + NUL */

struct baton_ctx;

/* Milliseconds since the epoch: the context's fixed clock if set, else the real one. */
int64_t baton_now_ms(const struct baton_ctx *ctx);
int64_t baton_real_now_ms(void);

/* Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least BATON_TIME_LEN bytes). */
void baton_time_format(char *buf, int64_t ms);

/* Parse an RFC 3339 time ("2026-11-22T18:47:45Z", fractions and offsets accepted),
 * a date ("2026-11-22", midnight UTC), or an epoch in seconds or milliseconds.
 * Returns 0 and sets *out, or -1. */
int baton_time_parse(int64_t *out, const char *s);

/* Like baton_time_parse, but also relative spans counted back from now:
 * "90s", "30m", "2h", "3d", "1w". Returns 0 or -1. */
int baton_time_parse_since(int64_t *out, const char *s, int64_t now_ms);

#endif
