#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baton/baton.h"
#include "baton/redact.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

/* One pattern per kind of secret. They are joined into one alternation, each branch
 * marked with (*MARK:kind), so a text is scanned once whatever the number of kinds.
 * \K keeps the part before it (a key name, a URL's user) in the output. Byte mode, not
 * UTF: transcripts may hold invalid UTF-8, and every pattern is ASCII. */
static const struct {
	const char *kind;
	const char *re;
} kinds[] = {
	{ "private_key", "-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\\z)" },
	{ "aws_access_key", "\\b(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[0-9A-Z]{16}\\b" },
	{ "aws_secret_key", "(?i:aws.{0,20}?(?:secret|private).{0,20}?)['\"]?\\s*[:=]\\s*['\"]?\\K[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])" },
	{ "github_token", "\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\\b" },
	{ "gitlab_token", "\\bgl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_\\-]{20,}" },
	{ "slack_token", "\\bxox[abposre]-[A-Za-z0-9\\-]{10,}" },
	{ "slack_webhook", "https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9/_\\-]{20,}" },
	{ "anthropic_key", "\\bsk-ant-[A-Za-z0-9_\\-]{20,}" },
	{ "openai_key", "\\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\\-]{32,}" },
	{ "google_api_key", "\\bAIza[0-9A-Za-z_\\-]{35}(?![0-9A-Za-z_\\-])" },
	{ "google_oauth_token", "\\bya29\\.[0-9A-Za-z_\\-]{20,}" },
	{ "stripe_key", "\\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}|\\bwhsec_[0-9A-Za-z]{20,}" },
	{ "npm_token", "\\bnpm_[A-Za-z0-9]{36}\\b" },
	{ "huggingface_token", "\\bhf_[A-Za-z0-9]{30,}\\b" },
	{ "sendgrid_key", "\\bSG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}\\b" },
	{ "twilio_key", "\\bSK[0-9a-f]{32}\\b" },
	{ "digitalocean_token", "\\bdo[pors]_v1_[a-f0-9]{64}\\b" },
	{ "pypi_token", "\\bpypi-AgE[A-Za-z0-9_\\-]{50,}" },
	{ "shopify_token", "\\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\\b" },
	{ "telegram_bot_token", "\\b[0-9]{8,10}:AA[A-Za-z0-9_\\-]{33}\\b" },
	{ "azure_storage_key", "(?i:AccountKey=)\\K[A-Za-z0-9+/]{40,}={0,2}" },
	{ "jwt", "\\beyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,}" },
	{ "bearer_token", "(?i:\\bbearer\\s+)\\K[A-Za-z0-9_\\-.=~+/]{16,}" },
	{ "basic_auth", "(?i:\\bauthorization\\s*[:=]\\s*['\"]?basic\\s+)\\K[A-Za-z0-9+/]{8,}={0,2}" },
	{ "url_password", "\\b[a-zA-Z][a-zA-Z0-9+.\\-]{1,20}://[^\\s:/@'\"]{1,128}:\\K[^\\s@/'\"]{1,256}(?=@)" },
	{ "password_assignment",
	  "(?i:\\b(?:password|passwd|passphrase|secret|secret[_-]?key|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)\\b)"
	  "['\"]?\\s*(?::|=|:=|=>)\\s*['\"]?\\K(?![$<{(\\[%]|\\*{3})[^\\s'\",;(){}<>\\[\\]]{6,}(?![(\\[A-Za-z0-9_])" },
};

/* Every pattern needs one of these literals: text holding none of them cannot hold a
 * secret, and skips the regular expression. Most transcript lines hold none, so this
 * is what lets redaction keep up with reading. A literal is compared exactly, or
 * without case where the pattern ignores case (ci). Adding a pattern means adding
 * its literal here; the corpus test fails on a miss. (aws_secret_key needs "secret"
 * or "private" anyway, so "aws" itself is no needle.) */
static const struct {
	const char *lit;
	int ci;
} needles[] = {
	{ "PRIVATE KEY", 0 }, { "AKIA", 0 }, { "ASIA", 0 }, { "ABIA", 0 }, { "ACCA", 0 }, { "AROA", 0 },
	{ "AIDA", 0 }, { "ghp_", 0 }, { "gho_", 0 }, { "ghu_", 0 }, { "ghs_", 0 }, { "ghr_", 0 },
	{ "github_pat_", 0 }, { "glpat-", 0 }, { "gldt-", 0 }, { "glptt-", 0 }, { "glrt-", 0 }, { "glcbt-", 0 },
	{ "gloas-", 0 }, { "xox", 0 }, { "hooks.slack.com", 0 }, { "sk-", 0 }, { "AIza", 0 }, { "ya29.", 0 },
	{ "_live_", 0 }, { "_test_", 0 }, { "whsec_", 0 }, { "npm_", 0 }, { "hf_", 0 }, { "SG.", 0 },
	{ "SK", 0 }, { "_v1_", 0 }, { "pypi-", 0 }, { "shp", 0 }, { ":AA", 0 }, { "eyJ", 0 }, { "://", 0 },
	{ "accountkey=", 1 }, { "bearer", 1 }, { "authorization", 1 }, { "password", 1 }, { "passwd", 1 },
	{ "passphrase", 1 }, { "secret", 1 }, { "apikey", 1 }, { "api_key", 1 }, { "api-key", 1 },
	{ "access_token", 1 }, { "access-token", 1 }, { "accesstoken", 1 }, { "auth_token", 1 },
	{ "auth-token", 1 }, { "authtoken", 1 }, { "private", 1 },
};

/* A literal of two bytes must say which bytes its pattern allows after it (the scan
 * reads every other pair: see maybe_secret). */
static const struct {
	const char *lit, *next;
} two_byte[] = {
	{ "SK", "0123456789abcdef" }, /* twilio_key: SK[0-9a-f]{32} */
};

#define MAX_PER_BYTE 32

struct redactor {
	pcre2_code *re;
	pcre2_match_data *md;
	/* byte pairs that can be a needle's first two bytes or its second and third (both
	 * cases for ci ones): the scan reads every other pair (maybe_secret) */
	uint8_t bigram[65536 / 8];
	/* hashed first three bytes of every needle (all their cases for ci ones; for a
	 * two-byte needle, with each byte that may follow): English pairs such as "se",
	 * "pa", "ea" pass the pair test often, and this second test then spares the
	 * compare of each needle for most of them ("sec" passes, "see" does not) */
	uint8_t triple[65536 / 8];
	/* per first byte, the needles that can start with it: a bigram hit then compares
	 * a handful, not every needle (common English pairs like "se", "pa" hit often) */
	uint8_t nfirst[256];
	uint8_t first[256][MAX_PER_BYTE];
	uint8_t nlen[sizeof needles / sizeof needles[0]];
	/* a needle's first four bytes (fewer when shorter) as one word compare:
	 * (load | fold) & keep == want, fold lowering the letters of ci needles */
	uint32_t fold[sizeof needles / sizeof needles[0]], keep[sizeof needles / sizeof needles[0]];
	uint32_t want[sizeof needles / sizeof needles[0]];
	size_t scanned;   /* bytes matched so far without JIT */
	int jit;          /* JIT compiled (or tried) */
};

/* JIT compilation of the whole alternation costs about a millisecond: worth it for
 * transcripts, not for the one objective a `save` redacts. Compile it once this
 * context has scanned more than this many bytes. */
#define JIT_AFTER_BYTES (64 * 1024)

size_t baton_redact_kinds(void)
{
	return sizeof kinds / sizeof kinds[0];
}

const char *baton_redact_kind_name(size_t i)
{
	return i < baton_redact_kinds() ? kinds[i].kind : NULL;
}

void baton_redactor_free(void *p)
{
	struct redactor *r = p;
	if (!r)
		return;
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->re);
	free(r);
}

/* The regular expression, compiled when a text first passes the prefilter: most
 * commands redact a line or two that never do, and compiling the alternation
 * costs about a millisecond. */
static int compile_re(struct baton_ctx *ctx, struct redactor *r)
{
	struct strbuf pat = STRBUF_INIT;
	for (size_t i = 0; i < baton_redact_kinds(); i++)
		baton_strbuf_addf(&pat, "%s(*MARK:%s)(?:%s)", i ? "|" : "", kinds[i].kind, kinds[i].re);
	int err;
	PCRE2_SIZE off;
	r->re = pcre2_compile((PCRE2_SPTR)pat.buf, pat.len, 0, &err, &off, NULL);
	baton_strbuf_release(&pat);
	if (!r->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		return baton_error(ctx, BATON_ERROR, "redact: pattern does not compile at %zu: %s", (size_t)off, (char *)msg);
	}
	r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
	if (!r->md) {
		pcre2_code_free(r->re);
		r->re = NULL;
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	}
	return 0;
}

static void add_pair(struct redactor *r, unsigned char a, unsigned char b, int ci)
{
	for (int ca = 0; ca < (ci ? 2 : 1); ca++)
		for (int cb = 0; cb < (ci ? 2 : 1); cb++) {
			unsigned x = (unsigned)(ca ? toupper(a) : a) << 8 | (unsigned)(cb ? toupper(b) : b);
			r->bigram[x >> 3] |= (uint8_t)(1u << (x & 7));
		}
}

static inline unsigned triple_hash(const unsigned char *p)
{
	return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> 16;
}

static void add_triple(struct redactor *r, const char *lit, unsigned char third, int ci)
{
	unsigned char t[3] = { (unsigned char)lit[0], (unsigned char)lit[1], third };
	for (int m = 0; m < (ci ? 8 : 1); m++) {
		unsigned char v[3];
		for (int j = 0; j < 3; j++)
			v[j] = (unsigned char)(m & (1 << j) ? toupper(t[j]) : ci ? tolower(t[j]) : t[j]);
		unsigned h = triple_hash(v);
		r->triple[h >> 3] |= (uint8_t)(1u << (h & 7));
	}
}

/* The prefilter's tables; the expression waits for compile_re. */
static int compile(struct baton_ctx *ctx, struct redactor **out)
{
	struct redactor *r = calloc(1, sizeof *r);
	if (!r)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
		const char *lit = needles[i].lit;
		int ci = needles[i].ci;
		const char *next = NULL;
		add_pair(r, (unsigned char)lit[0], (unsigned char)lit[1], ci);
		if (lit[2]) {
			add_pair(r, (unsigned char)lit[1], (unsigned char)lit[2], ci);
			add_triple(r, lit, (unsigned char)lit[2], ci);
			continue;
		}
		for (size_t t = 0; t < sizeof two_byte / sizeof two_byte[0]; t++)
			if (!strcmp(two_byte[t].lit, lit))
				next = two_byte[t].next;
		assert(next); /* a two-byte literal without its next bytes would be missed */
		for (; next && *next; next++) {
			add_pair(r, (unsigned char)lit[1], (unsigned char)*next, ci);
			add_triple(r, lit, (unsigned char)*next, ci);
		}
	}
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
		unsigned char a = (unsigned char)needles[i].lit[0];
		unsigned char cs[2] = { a, (unsigned char)toupper(a) };
		r->nlen[i] = (uint8_t)strlen(needles[i].lit);
		unsigned char w[4] = { 0 }, f[4] = { 0 }, k[4] = { 0 };
		for (size_t j = 0; j < 4 && j < r->nlen[i]; j++) {
			w[j] = (unsigned char)needles[i].lit[j];
			k[j] = 0xFF;
			f[j] = needles[i].ci && isalpha(w[j]) ? 0x20 : 0;
		}
		memcpy(&r->want[i], w, 4);
		memcpy(&r->fold[i], f, 4);
		memcpy(&r->keep[i], k, 4);
		for (int c = 0; c < (needles[i].ci && cs[1] != a ? 2 : 1); c++) {
			assert(r->nfirst[cs[c]] < MAX_PER_BYTE);
			r->first[cs[c]][r->nfirst[cs[c]]++] = (uint8_t)i;
		}
	}
	*out = r;
	return 0;
}

/* Does a needle start at in[i]? */
static inline bool needle_at(const struct redactor *r, const char *in, size_t len, size_t i)
{
	const unsigned char *p = (const unsigned char *)in;
	if (len - i >= 3) {
		unsigned h = triple_hash(p + i);
		if (!(r->triple[h >> 3] & (1u << (h & 7))))
			return false;
	}
	uint32_t word = 0;
	bool whole = len - i >= 4;
	if (whole)
		memcpy(&word, p + i, 4);
	for (unsigned j = 0; j < r->nfirst[p[i]]; j++) {
		unsigned k = r->first[p[i]][j];
		const char *lit = needles[k].lit;
		size_t n = r->nlen[k];
		if (whole && ((word | r->fold[k]) & r->keep[k]) != r->want[k])
			continue;
		if (n <= len - i && (needles[k].ci ? !strncasecmp(in + i, lit, n) : !memcmp(in + i, lit, n)))
			return true;
	}
	return false;
}

/* Could in[0..len) hold a secret? Every needle is three bytes or more (or two with
 * a known next byte), so wherever one starts, the pair at the even offset among its
 * first two positions is its first or its second pair: reading only the pairs at
 * even offsets, half the loads of a scan of every pair, and checking the needles at
 * that offset and the one before on a hit finds every needle. */
static int maybe_secret(const struct redactor *r, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	for (size_t i = 0; i + 1 < len; i += 2) {
		unsigned b = (unsigned)p[i] << 8 | p[i + 1];
		if (!(r->bigram[b >> 3] & (1u << (b & 7))))
			continue;
		if ((i && needle_at(r, in, len, i - 1)) || needle_at(r, in, len, i))
			return 1;
	}
	return 0;
}

int baton_redact(struct baton_ctx *ctx, struct strbuf *out, const char *in, size_t len)
{
	int rc;
	if (!ctx->redactor) {
		struct redactor *r = NULL;
		if ((rc = compile(ctx, &r)))
			return rc;
		ctx->redactor = r;
	}
	struct redactor *r = ctx->redactor;
	if (!maybe_secret(r, in, len))
		return baton_strbuf_add(out, in, len) ? baton_error(ctx, BATON_ENOMEM, "out of memory") : 0;
	if (!r->re && (rc = compile_re(ctx, r)))
		return rc;
	r->scanned += len;
	if (!r->jit && r->scanned > JIT_AFTER_BYTES) {
		r->jit = 1;
		pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* no JIT: the interpreter still works */
	}
	size_t pos = 0;
	while (pos <= len) {
		int m = pcre2_match(r->re, (PCRE2_SPTR)in, len, pos, 0, r->md, NULL);
		if (m == PCRE2_ERROR_NOMATCH)
			break;
		if (m < 0) {
			/* a match limit hit on pathological input: keep nothing we could not check */
			if (baton_strbuf_adds(out, "[REDACTED:unscanned]"))
				return baton_error(ctx, BATON_ENOMEM, "out of memory");
			return 0;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
		size_t s = ov[0], e = ov[1];
		if (e <= s) { /* empty match cannot happen with these patterns; step on */
			if (baton_strbuf_add(out, in + pos, (s < len ? s + 1 : len) - pos))
				return baton_error(ctx, BATON_ENOMEM, "out of memory");
			pos = s + 1;
			continue;
		}
		const char *kind = (const char *)pcre2_get_mark(r->md);
		if (baton_strbuf_add(out, in + pos, s - pos) ||
		    baton_strbuf_addf(out, "[REDACTED:%s]", kind ? kind : "secret"))
			return baton_error(ctx, BATON_ENOMEM, "out of memory");
		pos = e;
	}
	if (pos < len && baton_strbuf_add(out, in + pos, len - pos))
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	return 0;
}

char *baton_redact_str(struct baton_ctx *ctx, const char *in)
{
	if (!in)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	if (baton_redact(ctx, &sb, in, strlen(in))) {
		baton_strbuf_release(&sb);
		return NULL;
	}
	return baton_strbuf_detach(&sb);
}
