/* ULIDs: 48-bit millisecond time + 80 random bits, Crockford base32, 26 chars.
 * Monotonic within a context: two ids in the same millisecond differ by +1. */
#ifndef BATON_ULID_H
#define BATON_ULID_H

#include <stdbool.h>
#include <stdint.h>

#define BATON_ULID_LEN 27 /* 26 chars + NUL */

struct baton_ctx;

/* Write a new ULID for time ms into buf; strictly greater than every earlier id made
 * through this ctx, and than `floor` when floor is a valid ULID (may be NULL). */
void baton_ulid_new(struct baton_ctx *ctx, char *buf, int64_t ms, const char *floor);

/* The same above a floor read without the log's lock (a new session's id): a draw
 * that falls at or below it lands a random step (1 to 2^40) above it rather than
 * right after, so that two processes reading the same floor in the same millisecond
 * do not both take floor + 1. */
void baton_ulid_new_above(struct baton_ctx *ctx, char *buf, int64_t ms, const char *floor);

/* A random 64-bit number from the context's generator (seeded for tests). */
uint64_t baton_random(struct baton_ctx *ctx);

/* Seed the generator: seed 0 reads the OS's randomness. */
void baton_random_seed(struct baton_ctx *ctx, uint64_t seed);

bool baton_ulid_valid(const char *s);
/* The time part of a valid ULID in ms. */
int64_t baton_ulid_time(const char *s);

/* A random RFC 4122 version 4 UUID (36 chars + NUL) from the context's generator. */
void baton_uuid_new(struct baton_ctx *ctx, char *buf);

#endif
