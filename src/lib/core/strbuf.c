#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baton/strbuf.h"

char baton_strbuf_empty[1];

void baton_strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = baton_strbuf_empty;
	sb->len = sb->alloc = sb->cap = 0;
	if (hint)
		baton_strbuf_grow(sb, hint);
}

void baton_strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sb->buf = baton_strbuf_empty;
	sb->len = sb->alloc = 0;
}

int baton_strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need < sb->len)
		return -1;
	if (sb->cap && sb->len + extra > sb->cap)
		return -1;
	if (need <= sb->alloc)
		return 0;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n = n < ((size_t)-1) / 2 ? n * 2 : need;
	char *p = realloc(sb->alloc ? sb->buf : NULL, n);
	if (!p)
		return -1;
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = n;
	return 0;
}

int baton_strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (baton_strbuf_grow(sb, len))
		return -1;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int baton_strbuf_adds(struct strbuf *sb, const char *s)
{
	return baton_strbuf_add(sb, s, strlen(s));
}

int baton_strbuf_addch(struct strbuf *sb, char c)
{
	return baton_strbuf_add(sb, &c, 1);
}

int baton_strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || baton_strbuf_grow(sb, (size_t)n))
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int baton_strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = baton_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

void baton_strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

char *baton_strbuf_detach(struct strbuf *sb)
{
	char *r = sb->alloc ? sb->buf : strdup("");
	sb->buf = baton_strbuf_empty;
	sb->len = sb->alloc = 0;
	return r;
}
