/* Growable strings (git's strbuf, curl's dynbuf): never NULL, always NUL-terminated.
 * A cap, when set, bounds the length for anything read from outside. */
#ifndef BATON_STRBUF_H
#define BATON_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;     /* never NULL: points to a static "" until the first growth */
	size_t len;
	size_t alloc;
	size_t cap;    /* 0: unbounded; otherwise appends beyond cap fail */
};

#define STRBUF_INIT { baton_strbuf_empty, 0, 0, 0 }
extern char baton_strbuf_empty[1];

void baton_strbuf_init(struct strbuf *sb, size_t hint);
void baton_strbuf_release(struct strbuf *sb);
/* Grow room for `extra` more bytes. Returns 0, or -1 when over the cap or out of memory. */
int baton_strbuf_grow(struct strbuf *sb, size_t extra);
int baton_strbuf_add(struct strbuf *sb, const void *data, size_t len);
int baton_strbuf_adds(struct strbuf *sb, const char *s);
int baton_strbuf_addch(struct strbuf *sb, char c);
int baton_strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int baton_strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void baton_strbuf_reset(struct strbuf *sb);
/* Give the buffer to the caller (malloc'd, never NULL unless out of memory); sb is reset. */
char *baton_strbuf_detach(struct strbuf *sb);

#endif
