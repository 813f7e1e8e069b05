/* Redaction: every kind in the corpus is caught, near-misses are kept verbatim.
 * The corpus is data (t/fixtures/redact/): secrets.tsv and keep.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/baton.h"
#include "baton/redact.h"
#include "baton/strbuf.h"
#include "core/ctx.h"

#ifndef FIXTURES
#define FIXTURES "t/fixtures"
#endif

static struct baton_ctx *ctx;

static int setup(void **state)
{
	ctx = calloc(1, sizeof *ctx);
	ctx->log_fd = -1;
	return 0;
}

static int teardown(void **state)
{
	baton_redactor_free(ctx->redactor);
	free(ctx);
	return 0;
}

/* "\n" in the corpus stands for a newline */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static FILE *open_fixture(const char *name)
{
	char path[512];
	const char *src = getenv("BATON_SRC");
	snprintf(path, sizeof path, "%s/t/fixtures/redact/%s", src ? src : ".", name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	return f;
}

/* The next case of secrets.tsv (kind TAB text TAB fragment, \n escaped in text) split
 * in place in line; 0 at the end. */
static int next_secret(FILE *f, char *line, int size, char **kind, char **text, char **frag)
{
	do {
		if (!fgets(line, size, f))
			return 0;
	} while (line[0] == '#');
	line[strcspn(line, "\n")] = '\0';
	*kind = line;
	*text = strchr(line, '\t');
	assert_non_null(*text);
	*(*text)++ = '\0';
	*frag = strchr(*text, '\t');
	assert_non_null(*frag);
	*(*frag)++ = '\0';
	unescape(*text);
	return 1;
}

static void every_kind_is_redacted(void **state)
{
	FILE *f = open_fixture("secrets.tsv");
	char line[4096], *kind, *text, *frag;
	int n = 0;
	char seen[64][4100];
	int nseen = 0;
	while (next_secret(f, line, sizeof line, &kind, &text, &frag)) {
		char *out = baton_redact_str(ctx, text);
		assert_non_null(out);
		char want[4200];
		snprintf(want, sizeof want, "[REDACTED:%s]", kind);
		/* the fragment must be gone from the text outside the markers */
		struct strbuf bare = STRBUF_INIT;
		for (const char *p = out; *p;) {
			if (!strncmp(p, "[REDACTED:", 10)) {
				p = strchr(p, ']') ? strchr(p, ']') + 1 : p + strlen(p);
				continue;
			}
			baton_strbuf_addch(&bare, *p++);
		}
		int leaked = strstr(bare.buf, frag) != NULL;
		baton_strbuf_release(&bare);
		if (!strstr(out, want) || leaked)
			fail_msg("kind %s: input '%s' gave '%s'", kind, text, out);
		free(out);
		int dup = 0;
		for (int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], kind);
		if (!dup && nseen < 64)
			snprintf(seen[nseen++], sizeof seen[0], "%s", kind);
		n++;
	}
	fclose(f);
	assert_true(n >= 25);
	assert_true(nseen >= 20); /* at least 20 kinds of secrets */
}

/* The prefilter reads every other byte pair: a secret must be caught at odd and even
 * offsets alike, and at the very end of the text. */
static void alignment_does_not_matter(void **state)
{
	FILE *f = open_fixture("secrets.tsv");
	char line[4096], *kind, *text, *frag;
	int n = 0;
	while (next_secret(f, line, sizeof line, &kind, &text, &frag)) {
		char *base = baton_redact_str(ctx, text);
		assert_non_null(base);
		for (int shift = 1; shift <= 3; shift++) {
			char in[4200], want[4300];
			snprintf(in, sizeof in, "%.*s%s", shift, "   ", text);
			snprintf(want, sizeof want, "%.*s%s", shift, "   ", base);
			char *out = baton_redact_str(ctx, in);
			assert_non_null(out);
			if (strcmp(out, want))
				fail_msg("shifted by %d: '%s' gave '%s', want '%s'", shift, in, out, want);
			free(out);
		}
		free(base);
		n++;
	}
	fclose(f);
	assert_true(n >= 25);
	/* a two-byte literal (twilio's SK) at an odd offset, right before the end */
	char *out = baton_redact_str(ctx, " SK0123456789abcdef0123456789abcdef");
	assert_string_equal(out, " [REDACTED:twilio_key]");
	free(out);
}

static void near_misses_are_kept(void **state)
{
	FILE *f = open_fixture("keep.txt");
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *out = baton_redact_str(ctx, line);
		assert_non_null(out);
		if (strcmp(out, line))
			fail_msg("near-miss changed: '%s' became '%s'", line, out);
		free(out);
		n++;
	}
	fclose(f);
	assert_true(n >= 20);
}

static void context_around_a_secret_is_kept(void **state)
{
	char *out = baton_redact_str(ctx, "before AKIAABCDEFGHIJKLMNOP after");
	assert_string_equal(out, "before [REDACTED:aws_access_key] after");
	free(out);
	out = baton_redact_str(ctx, "postgres://u:pw12345@h/db");
	assert_string_equal(out, "postgres://u:[REDACTED:url_password]@h/db");
	free(out);
	/* binary and invalid UTF-8 pass through unharmed */
	struct strbuf sb = STRBUF_INIT;
	const char bin[] = "a\xff\x00z";
	assert_int_equal(baton_redact(ctx, &sb, bin, 4), 0);
	assert_int_equal(sb.len, 4);
	assert_memory_equal(sb.buf, bin, 4);
	baton_strbuf_release(&sb);
	assert_null(baton_redact_str(ctx, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_is_redacted),
		cmocka_unit_test(alignment_does_not_matter),
		cmocka_unit_test(near_misses_are_kept),
		cmocka_unit_test(context_around_a_secret_is_kept),
	};
	return cmocka_run_group_tests_name("redact", tests, setup, teardown);
}
