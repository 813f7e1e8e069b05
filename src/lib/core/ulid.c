#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "baton/clock.h"

#include "baton/ulid.h"
#include "core/ctx.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void baton_random_seed(struct baton_ctx *ctx, uint64_t seed)
{
	if (!seed) {
		if (getrandom(&seed, sizeof seed, 0) != sizeof seed)
			seed = (uint64_t)baton_real_now_ms() ^ (uint64_t)getpid() << 32;
	}
	for (int i = 0; i < 4; i++)
		ctx->rng[i] = splitmix(&seed);
}

uint64_t baton_random(struct baton_ctx *ctx)
{
	uint64_t *s = ctx->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static int decode(const char *s, uint8_t out[16])
{
	/* 26 chars * 5 bits = 130 bits; the first char carries only 3. */
	memset(out, 0, 16);
	for (int i = 0; i < 26; i++) {
		const char *p = strchr(crockford, s[i]);
		if (!s[i] || !p)
			return -1;
		unsigned v = (unsigned)(p - crockford);
		if (i == 0 && v > 7)
			return -1;
		/* shift the 128-bit number left by 5 and add v */
		unsigned carry = v;
		for (int b = 15; b >= 0; b--) {
			unsigned x = ((unsigned)out[b] << 5) | carry;
			out[b] = (uint8_t)(x & 0xff);
			carry = x >> 8;
		}
	}
	return s[26] ? -1 : 0;
}

static void encode(const uint8_t in[16], char *buf)
{
	uint8_t n[16];
	memcpy(n, in, 16);
	for (int i = 25; i >= 0; i--) {
		/* divide the 128-bit number by 32, remainder is the digit */
		unsigned rem = 0;
		for (int b = 0; b < 16; b++) {
			unsigned x = (rem << 8) | n[b];
			n[b] = (uint8_t)(x >> 5);
			rem = x & 31;
		}
		buf[i] = crockford[rem];
	}
	buf[26] = '\0';
}

bool baton_ulid_valid(const char *s)
{
	uint8_t b[16];
	return s && strlen(s) == 26 && decode(s, b) == 0;
}

int64_t baton_ulid_time(const char *s)
{
	uint8_t b[16];
	if (!s || decode(s, b))
		return 0;
	int64_t ms = 0;
	for (int i = 0; i < 6; i++)
		ms = (ms << 8) | b[i];
	return ms;
}

static void increment(uint8_t b[16])
{
	for (int i = 15; i >= 6; i--)
		if (++b[i])
			return;
	/* the 80 random bits overflowed: carry into the time part */
	for (int i = 5; i >= 0; i--)
		if (++b[i])
			return;
}

/* b += 1 + the low 40 bits of r: a step that stays within the 80 random bits, whose
 * top bit the draw leaves clear */
static void step(uint8_t b[16], uint64_t r)
{
	uint64_t carry = 1 + (r & ((1ull << 40) - 1));
	for (int i = 15; i >= 6 && carry; i--) {
		carry += b[i];
		b[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void ulid_make(struct baton_ctx *ctx, char *buf, int64_t ms, const char *floor, bool spread)
{
	uint8_t b[16];
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
	uint64_t r1 = baton_random(ctx), r2 = baton_random(ctx);
	memcpy(b + 6, &r1, 8);
	memcpy(b + 14, &r2, 2);
	b[6] &= 0x7f; /* leave room for increments without overflowing into time */

	if (ctx->ulid_last_ms && memcmp(b, ctx->ulid_last, 16) <= 0) {
		memcpy(b, ctx->ulid_last, 16);
		increment(b);
	}
	uint8_t f[16];
	if (floor && decode(floor, f) == 0 && memcmp(b, f, 16) <= 0) {
		memcpy(b, f, 16);
		if (spread)
			step(b, baton_random(ctx));
		else
			increment(b);
	}
	memcpy(ctx->ulid_last, b, 16);
	ctx->ulid_last_ms = ms ? ms : 1;
	encode(b, buf);
}

void baton_ulid_new(struct baton_ctx *ctx, char *buf, int64_t ms, const char *floor)
{
	ulid_make(ctx, buf, ms, floor, false);
}

void baton_ulid_new_above(struct baton_ctx *ctx, char *buf, int64_t ms, const char *floor)
{
	ulid_make(ctx, buf, ms, floor, true);
}

void baton_uuid_new(struct baton_ctx *ctx, char *buf)
{
	uint8_t b[16];
	uint64_t r1 = baton_random(ctx), r2 = baton_random(ctx);
	memcpy(b, &r1, 8);
	memcpy(b + 8, &r2, 8);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = hex[b[i] & 15];
	}
	buf[o] = '\0';
}
