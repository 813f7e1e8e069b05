/* Redaction of secrets before anything is written (DESIGN.md §7): cloud and API keys
 * and tokens, private key blocks, JWTs, bearer credentials, passwords in URLs and in
 * assignments. Patterns are PCRE2 with JIT, compiled once per context on first use.
 * A match is replaced by "[REDACTED:<kind>]"; text around it is kept. */
#ifndef BATON_REDACT_H
#define BATON_REDACT_H

#include <stddef.h>

struct baton_ctx;
struct strbuf;

/* Append the redacted form of in[0..len) to out. Returns 0, or a BATON_E* code. */
int baton_redact(struct baton_ctx *ctx, struct strbuf *out, const char *in, size_t len);

/* Redacted copy of a NUL-terminated string (malloc'd), or NULL on failure (message on
 * ctx). NULL in gives NULL out without an error. */
char *baton_redact_str(struct baton_ctx *ctx, const char *in);

/* Number of pattern kinds known (for docs and tests), and the name of kind i. */
size_t baton_redact_kinds(void);
const char *baton_redact_kind_name(size_t i);

/* Free the compiled patterns kept on a context (called by baton_ctx_close). */
void baton_redactor_free(void *redactor);

#endif
