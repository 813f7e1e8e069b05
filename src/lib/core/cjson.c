/* baton's own cJSON: the contract is in include/baton/cjson.h, checked against
 * libcjson 1.7.15 by t/unit/test_cjson.c. Where libcjson's behaviour is odd (an
 * invalid \u digit reads as U+0000, any byte <= 0x20 is whitespace, -0 prints 0) the
 * oddity is kept on purpose: stores written by earlier baton builds and the goldens
 * depend on the exact bytes. */
#include <float.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "baton/cjson.h"

/* ---- allocation ---------------------------------------------------------------- */

static struct {
	void *(*allocate)(size_t);
	void (*deallocate)(void *);
	void *(*reallocate)(void *, size_t); /* only with malloc and free */
} hooks = { malloc, free, realloc };

void cJSON_InitHooks(cJSON_Hooks *h)
{
	hooks.allocate = h && h->malloc_fn ? h->malloc_fn : malloc;
	hooks.deallocate = h && h->free_fn ? h->free_fn : free;
	hooks.reallocate = hooks.allocate == malloc && hooks.deallocate == free ? realloc : NULL;
}

void *cJSON_malloc(size_t size)
{
	return hooks.allocate(size);
}

void cJSON_free(void *object)
{
	hooks.deallocate(object);
}

static cJSON *new_item(void)
{
	cJSON *it = hooks.allocate(sizeof *it);
	if (it)
		memset(it, 0, sizeof *it);
	return it;
}

static char *dup_str(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *c = hooks.allocate(n);
	if (c)
		memcpy(c, s, n);
	return c;
}

static int saturate(double d)
{
	if (d >= INT_MAX)
		return INT_MAX;
	if (d <= (double)INT_MIN)
		return INT_MIN;
	if (d != d)
		return 0; /* libcjson converts NaN anyway (undefined); nothing reads it */
	return (int)d;
}

/* ---- parsing ------------------------------------------------------------------- */

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	int depth;
};

/* Any byte <= 0x20 (NUL included) is whitespace. Stopping at the end leaves pos on the
 * last byte, which is then whitespace and so never a token: only the
 * require_null_terminated check reads it, as a NUL. */
static inline void skip_ws(struct parser *p)
{
	if (p->pos >= p->len)
		return;
	while (p->pos < p->len && p->s[p->pos] <= 32)
		p->pos++;
	if (p->pos == p->len)
		p->pos--;
}

static bool parse_value(struct parser *p, cJSON *item);

static unsigned hex4(const unsigned char *h)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = h[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return 0; /* libcjson: any invalid digit makes the whole escape 0 */
		v = v << 4 | d;
	}
	return v;
}

/* Decode \uXXXX (or a surrogate pair) at q, the closing quote at end. Returns the
 * bytes of input used, 0 when invalid. */
static size_t utf16_escape(const unsigned char *q, const unsigned char *end, unsigned char **o)
{
	if (end - q < 6)
		return 0;
	unsigned long cp = hex4(q + 2);
	size_t used = 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return 0;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		const unsigned char *lo = q + 6;
		if (end - lo < 6 || lo[0] != '\\' || lo[1] != 'u')
			return 0;
		unsigned l = hex4(lo + 2);
		if (l < 0xDC00 || l > 0xDFFF)
			return 0;
		cp = 0x10000 + (((cp & 0x3FF) << 10) | (l & 0x3FF));
		used = 12;
	}
	unsigned char *w = *o;
	if (cp < 0x80) {
		*w++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*w++ = (unsigned char)(0xC0 | cp >> 6);
		*w++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (unsigned char)(0xE0 | cp >> 12);
		*w++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*w++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (unsigned char)(0xF0 | cp >> 18);
		*w++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		*w++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*w++ = (unsigned char)(0x80 | (cp & 0x3F));
	}
	*o = w;
	return used;
}

/* The string starting at p->pos (a quote): its decoded bytes, allocated, or NULL. Raw
 * control bytes and invalid UTF-8 pass through as they are. */
static char *parse_string(struct parser *p)
{
	const unsigned char *start = p->s + p->pos + 1, *limit = p->s + p->len;
	const unsigned char *end = start;
	bool escaped = false;
	/* the closing quote is the first one not preceded by an odd run of backslashes */
	for (;;) {
		end = memchr(end, '"', (size_t)(limit - end));
		if (!end)
			return NULL;
		const unsigned char *b = end;
		while (b > start && b[-1] == '\\')
			b--;
		if (b != end)
			escaped = true;
		if (!((end - b) & 1))
			break;
		end++;
	}
	if (!escaped)
		escaped = memchr(start, '\\', (size_t)(end - start)) != NULL;
	unsigned char *out = hooks.allocate((size_t)(end - start) + 1);
	if (!out)
		return NULL;
	unsigned char *w = out;
	if (!escaped) {
		memcpy(w, start, (size_t)(end - start));
		w += end - start;
	} else {
		const unsigned char *q = start;
		while (q < end) {
			const unsigned char *bs = memchr(q, '\\', (size_t)(end - q));
			if (!bs)
				bs = end;
			memcpy(w, q, (size_t)(bs - q));
			w += bs - q;
			q = bs;
			if (q >= end)
				break;
			size_t used = 2;
			switch (q[1]) {
			case 'b': *w++ = '\b'; break;
			case 'f': *w++ = '\f'; break;
			case 'n': *w++ = '\n'; break;
			case 'r': *w++ = '\r'; break;
			case 't': *w++ = '\t'; break;
			case '"': case '\\': case '/': *w++ = q[1]; break;
			case 'u':
				used = utf16_escape(q, end, &w);
				if (!used)
					goto fail;
				break;
			default:
				goto fail;
			}
			q += used;
		}
	}
	*w = '\0';
	p->pos = (size_t)(end - p->s) + 1;
	return (char *)out;
fail:
	hooks.deallocate(out);
	return NULL;
}

static inline bool num_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
}

/* A number is what strtod reads from the run of [0-9+-eE.] here (however long: Debian's
 * 1.7.15 has the later unbounded copy), so "01", "1." and "-.5" are numbers, and "1e"
 * is 1 followed by "e". */
static bool parse_number(struct parser *p, cJSON *item)
{
	const unsigned char *s = p->s + p->pos;
	size_t left = p->len - p->pos;
	double d;
	size_t used;

	/* fast path: up to 15 digits are exact in a double, as strtod gives them */
	size_t i = s[0] == '-';
	uint64_t v = 0;
	while (i < left && i < 16 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (uint64_t)(s[i++] - '0');
	size_t digits = i - (s[0] == '-');
	if (digits >= 1 && digits <= 15 && (i == left || !num_char(s[i]))) {
		d = (double)v;
		if (s[0] == '-')
			d = -d;
		used = i;
	} else {
		size_t n = 0;
		while (n < left && num_char(s[n]))
			n++;
		char stack[64], *buf = n < sizeof stack ? stack : malloc(n + 1);
		if (!buf)
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		char *after;
		d = strtod(buf, &after);
		used = (size_t)(after - buf);
		if (buf != stack)
			free(buf);
		if (!used)
			return false;
	}
	item->type = cJSON_Number;
	item->valuedouble = d;
	item->valueint = saturate(d);
	p->pos += used;
	return true;
}

/* Members of an array or object, from just past the opening bracket. */
static bool parse_container(struct parser *p, cJSON *item, bool object)
{
	unsigned char close = object ? '}' : ']';

	if (p->depth >= CJSON_NESTING_LIMIT)
		return false;
	p->depth++;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close)
		goto done;
	for (;;) {
		cJSON *it = new_item();
		if (!it)
			goto fail;
		cJSON_AddItemToArray(item, it);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				goto fail;
			it->string = parse_string(p);
			if (!it->string)
				goto fail;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				goto fail;
			p->pos++;
			skip_ws(p);
		}
		if (!parse_value(p, it))
			goto fail;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ',')
			break;
		p->pos++;
		skip_ws(p);
	}
	if (p->pos >= p->len || p->s[p->pos] != close)
		goto fail;
done:
	p->depth--;
	item->type = object ? cJSON_Object : cJSON_Array;
	p->pos++;
	return true;
fail:
	cJSON_Delete(item->child);
	item->child = NULL;
	return false;
}

static bool parse_word(struct parser *p, const char *w, size_t n)
{
	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return false;
	p->pos += n;
	return true;
}

static bool parse_value(struct parser *p, cJSON *item)
{
	if (p->pos >= p->len)
		return false;
	switch (p->s[p->pos]) {
	case 'n':
		if (!parse_word(p, "null", 4))
			return false;
		item->type = cJSON_NULL;
		return true;
	case 'f':
		if (!parse_word(p, "false", 5))
			return false;
		item->type = cJSON_False;
		return true;
	case 't':
		if (!parse_word(p, "true", 4))
			return false;
		item->type = cJSON_True;
		item->valueint = 1;
		return true;
	case '"':
		item->valuestring = parse_string(p);
		if (!item->valuestring)
			return false;
		item->type = cJSON_String;
		return true;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(p, item);
	case '[':
		return parse_container(p, item, false);
	case '{':
		return parse_container(p, item, true);
	default:
		return false;
	}
}

cJSON *cJSON_ParseWithLengthOpts(const char *value, size_t buffer_length,
				 const char **return_parse_end, cJSON_bool require_null_terminated)
{
	struct parser p = { (const unsigned char *)value, buffer_length, 0, 0 };
	cJSON *item = NULL;

	if (!value || !buffer_length)
		goto fail;
	item = new_item();
	if (!item)
		goto fail;
	if (p.len > 4 && !memcmp(p.s, "\xEF\xBB\xBF", 3))
		p.pos = 3;
	skip_ws(&p);
	if (!parse_value(&p, item))
		goto fail;
	if (require_null_terminated) {
		skip_ws(&p);
		if (p.pos >= p.len || p.s[p.pos] != '\0')
			goto fail;
	}
	if (return_parse_end)
		*return_parse_end = value + p.pos;
	return item;
fail:
	cJSON_Delete(item);
	if (value && return_parse_end)
		*return_parse_end = value + (p.pos < p.len ? p.pos : p.len ? p.len - 1 : 0);
	return NULL;
}

cJSON *cJSON_ParseWithOpts(const char *value, const char **return_parse_end,
			   cJSON_bool require_null_terminated)
{
	if (!value)
		return NULL;
	return cJSON_ParseWithLengthOpts(value, strlen(value) + 1, return_parse_end,
					 require_null_terminated);
}

cJSON *cJSON_Parse(const char *value)
{
	return cJSON_ParseWithOpts(value, NULL, 0);
}

cJSON *cJSON_ParseWithLength(const char *value, size_t buffer_length)
{
	return cJSON_ParseWithLengthOpts(value, buffer_length, NULL, 0);
}

/* ---- printing ------------------------------------------------------------------ */

struct printer {
	char *buf;
	size_t len, cap;
	size_t depth;
	bool fmt;
};

static bool reserve(struct printer *o, size_t n)
{
	if (o->cap - o->len > n)
		return true;
	size_t cap = o->cap;
	while (cap - o->len <= n) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	char *b;
	if (hooks.reallocate) {
		b = hooks.reallocate(o->buf, cap);
		if (!b)
			return false;
	} else {
		b = hooks.allocate(cap);
		if (!b)
			return false;
		memcpy(b, o->buf, o->len);
		hooks.deallocate(o->buf);
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

static bool put(struct printer *o, const char *s, size_t n)
{
	if (!reserve(o, n))
		return false;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

static bool put_tabs(struct printer *o, size_t n)
{
	if (!reserve(o, n))
		return false;
	memset(o->buf + o->len, '\t', n);
	o->len += n;
	return true;
}

/* libcjson's round-trip test: equal within DBL_EPSILON relative to the larger. */
static bool close_enough(double a, double b)
{
	double fa = a < 0 ? -a : a, fb = b < 0 ? -b : b;
	double max = fa > fb ? fa : fb;
	double diff = a - b;
	if (diff < 0)
		diff = -diff;
	return diff <= max * DBL_EPSILON;
}

static bool print_number(struct printer *o, const cJSON *item)
{
	double d = item->valuedouble;
	char num[32];
	int n;

	if (d != d || d - d != 0)
		return put(o, "null", 4);
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d && (d != 0 || !__builtin_signbit(d))) {
		/* what %1.15g prints for an integer below 1e15, by hand: most numbers baton
		 * prints are counts and times */
		char *e = num + sizeof num, *w = e;
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		do
			*--w = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			*--w = '-';
		return put(o, w, (size_t)(e - w));
	}
	n = snprintf(num, sizeof num, "%1.15g", d);
	if (!close_enough(strtod(num, NULL), d))
		n = snprintf(num, sizeof num, "%1.17g", d);
	if (n < 0 || (size_t)n >= sizeof num)
		return false;
	return put(o, num, (size_t)n);
}

/* 0: as is; 1: two-byte escape (the letter); 'u': \u00xx */
static const unsigned char escapes[256] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	['"'] = '"', ['\\'] = '\\',
	[0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
	[0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u',
	[0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u',
	[0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
	[0x1e] = 'u', [0x1f] = 'u',
};

static bool print_string(struct printer *o, const char *str)
{
	if (!str)
		return put(o, "\"\"", 2);
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0, extra = 0;
	for (; s[n]; n++)
		if (escapes[s[n]])
			extra += escapes[s[n]] == 'u' ? 5 : 1;
	if (!reserve(o, n + extra + 2))
		return false;
	char *w = o->buf + o->len;
	*w++ = '"';
	if (!extra) {
		memcpy(w, s, n);
		w += n;
	} else {
		static const char hex[] = "0123456789abcdef";
		for (size_t i = 0; i < n; i++) {
			unsigned char c = s[i], e = escapes[c];
			if (!e) {
				*w++ = (char)c;
			} else if (e != 'u') {
				*w++ = '\\';
				*w++ = (char)e;
			} else {
				memcpy(w, "\\u00", 4);
				w[4] = hex[c >> 4];
				w[5] = hex[c & 15];
				w += 6;
			}
		}
	}
	*w++ = '"';
	o->len = (size_t)(w - o->buf);
	return true;
}

static bool print_value(struct printer *o, const cJSON *item);

static bool print_array(struct printer *o, const cJSON *item)
{
	if (!put(o, "[", 1))
		return false;
	o->depth++;
	for (const cJSON *it = item->child; it; it = it->next) {
		if (!print_value(o, it))
			return false;
		if (it->next && !put(o, ", ", o->fmt ? 2 : 1))
			return false;
	}
	o->depth--;
	return put(o, "]", 1);
}

static bool print_object(struct printer *o, const cJSON *item)
{
	if (!put(o, "{\n", o->fmt ? 2 : 1))
		return false;
	o->depth++;
	for (const cJSON *it = item->child; it; it = it->next) {
		if (o->fmt && !put_tabs(o, o->depth))
			return false;
		if (!print_string(o, it->string) || !put(o, ":\t", o->fmt ? 2 : 1) ||
		    !print_value(o, it))
			return false;
		if (it->next && !put(o, ",", 1))
			return false;
		if (o->fmt && !put(o, "\n", 1))
			return false;
	}
	if (o->fmt && !put_tabs(o, o->depth - 1))
		return false;
	o->depth--;
	return put(o, "}", 1);
}

static bool print_value(struct printer *o, const cJSON *item)
{
	if (!item)
		return false;
	switch (item->type & 0xFF) {
	case cJSON_NULL:
		return put(o, "null", 4);
	case cJSON_False:
		return put(o, "false", 5);
	case cJSON_True:
		return put(o, "true", 4);
	case cJSON_Number:
		return print_number(o, item);
	case cJSON_Raw:
		return item->valuestring && put(o, item->valuestring, strlen(item->valuestring));
	case cJSON_String:
		return print_string(o, item->valuestring);
	case cJSON_Array:
		return print_array(o, item);
	case cJSON_Object:
		return print_object(o, item);
	default:
		return false;
	}
}

static char *print(const cJSON *item, bool fmt)
{
	struct printer o = { .cap = 256, .fmt = fmt };
	o.buf = hooks.allocate(o.cap);
	if (!o.buf)
		return NULL;
	if (!print_value(&o, item) || !reserve(&o, 1)) {
		hooks.deallocate(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0';
	return o.buf;
}

char *cJSON_Print(const cJSON *item)
{
	return print(item, true);
}

char *cJSON_PrintUnformatted(const cJSON *item)
{
	return print(item, false);
}

/* ---- items --------------------------------------------------------------------- */

void cJSON_Delete(cJSON *item)
{
	while (item) {
		cJSON *next = item->next;
		if (!(item->type & cJSON_IsReference)) {
			if (item->child)
				cJSON_Delete(item->child);
			if (item->valuestring)
				hooks.deallocate(item->valuestring);
		}
		if (!(item->type & cJSON_StringIsConst) && item->string)
			hooks.deallocate(item->string);
		hooks.deallocate(item);
		item = next;
	}
}

int cJSON_GetArraySize(const cJSON *array)
{
	size_t n = 0;
	if (array)
		for (const cJSON *it = array->child; it; it = it->next)
			n++;
	return (int)n;
}

static cJSON *array_item(const cJSON *array, size_t index)
{
	cJSON *it = array ? array->child : NULL;
	while (it && index--)
		it = it->next;
	return it;
}

cJSON *cJSON_GetArrayItem(const cJSON *array, int index)
{
	return index < 0 ? NULL : array_item(array, (size_t)index);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool same_key_nocase(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (; lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		if (!*a)
			return true;
	return false;
}

static cJSON *object_item(const cJSON *object, const char *name, bool case_sensitive)
{
	if (!object || !name)
		return NULL;
	cJSON *it = object->child;
	if (case_sensitive) {
		/* an item without a key (an array's) ends the search, as in libcjson */
		while (it && it->string && strcmp(name, it->string))
			it = it->next;
	} else {
		while (it && !same_key_nocase(name, it->string))
			it = it->next;
	}
	return it && it->string ? it : NULL;
}

cJSON *cJSON_GetObjectItem(const cJSON *const object, const char *const string)
{
	return object_item(object, string, false);
}

cJSON *cJSON_GetObjectItemCaseSensitive(const cJSON *const object, const char *const string)
{
	return object_item(object, string, true);
}

#define IS(name, test) \
	cJSON_bool cJSON_Is##name(const cJSON *const item) { return item && (test); }
IS(Invalid, (item->type & 0xFF) == cJSON_Invalid)
IS(False, (item->type & 0xFF) == cJSON_False)
IS(True, (item->type & 0xFF) == cJSON_True)
IS(Bool, (item->type & (cJSON_True | cJSON_False)) != 0)
IS(Null, (item->type & 0xFF) == cJSON_NULL)
IS(Number, (item->type & 0xFF) == cJSON_Number)
IS(String, (item->type & 0xFF) == cJSON_String)
IS(Array, (item->type & 0xFF) == cJSON_Array)
IS(Object, (item->type & 0xFF) == cJSON_Object)
IS(Raw, (item->type & 0xFF) == cJSON_Raw)
#undef IS

static cJSON *create(int type)
{
	cJSON *it = new_item();
	if (it)
		it->type = type;
	return it;
}

cJSON *cJSON_CreateNull(void) { return create(cJSON_NULL); }
cJSON *cJSON_CreateTrue(void) { return create(cJSON_True); }
cJSON *cJSON_CreateFalse(void) { return create(cJSON_False); }
cJSON *cJSON_CreateBool(cJSON_bool b) { return create(b ? cJSON_True : cJSON_False); }
cJSON *cJSON_CreateArray(void) { return create(cJSON_Array); }
cJSON *cJSON_CreateObject(void) { return create(cJSON_Object); }

cJSON *cJSON_CreateNumber(double num)
{
	cJSON *it = create(cJSON_Number);
	if (it) {
		it->valuedouble = num;
		it->valueint = saturate(num);
	}
	return it;
}

/* a string or raw item holding a copy of s (none for NULL, like libcjson) */
static cJSON *create_text(int type, const char *s)
{
	cJSON *it = create(type);
	if (it && !(it->valuestring = dup_str(s))) {
		cJSON_Delete(it);
		return NULL;
	}
	return it;
}

cJSON *cJSON_CreateString(const char *string)
{
	return create_text(cJSON_String, string);
}

cJSON *cJSON_CreateRaw(const char *raw)
{
	return create_text(cJSON_Raw, raw);
}

/* Append: the list's first item keeps the last in prev. Like libcjson, item->next is
 * left as it is when the list was not empty. */
cJSON_bool cJSON_AddItemToArray(cJSON *array, cJSON *item)
{
	if (!array || !item || array == item)
		return 0;
	cJSON *first = array->child;
	if (!first) {
		array->child = item;
		item->prev = item;
		item->next = NULL;
	} else if (first->prev) {
		first->prev->next = item;
		item->prev = first->prev;
		first->prev = item;
	}
	return 1;
}

/* Give item a copy of string as its key, freeing the key it owned. */
static cJSON_bool set_key(cJSON *item, const char *string)
{
	char *key = dup_str(string);
	if (!key)
		return 0;
	if (!(item->type & cJSON_StringIsConst) && item->string)
		hooks.deallocate(item->string);
	item->string = key;
	item->type &= ~cJSON_StringIsConst;
	return 1;
}

cJSON_bool cJSON_AddItemToObject(cJSON *object, const char *string, cJSON *item)
{
	if (!object || !string || !item || object == item || !set_key(item, string))
		return 0;
	return cJSON_AddItemToArray(object, item);
}

cJSON_bool cJSON_AddItemReferenceToObject(cJSON *object, const char *string, cJSON *item)
{
	if (!object || !string || !item)
		return 0;
	cJSON *ref = new_item();
	if (!ref)
		return 0;
	*ref = *item;
	ref->string = NULL;
	ref->type |= cJSON_IsReference;
	ref->type &= ~cJSON_StringIsConst;
	ref->next = ref->prev = NULL;
	if (!cJSON_AddItemToObject(object, string, ref)) {
		hooks.deallocate(ref);
		return 0;
	}
	return 1;
}

cJSON *cJSON_DetachItemViaPointer(cJSON *parent, cJSON *const item)
{
	if (!parent || !item)
		return NULL;
	if (item != parent->child)
		item->prev->next = item->next;
	if (item->next)
		item->next->prev = item->prev;
	if (item == parent->child)
		parent->child = item->next;
	else if (!item->next)
		parent->child->prev = item->prev;
	item->prev = item->next = NULL;
	return item;
}

cJSON *cJSON_DetachItemFromArray(cJSON *array, int which)
{
	if (which < 0)
		return NULL;
	return cJSON_DetachItemViaPointer(array, array_item(array, (size_t)which));
}

void cJSON_DeleteItemFromArray(cJSON *array, int which)
{
	cJSON_Delete(cJSON_DetachItemFromArray(array, which));
}

cJSON *cJSON_DetachItemFromObject(cJSON *object, const char *string)
{
	return cJSON_DetachItemViaPointer(object, object_item(object, string, false));
}

cJSON *cJSON_DetachItemFromObjectCaseSensitive(cJSON *object, const char *string)
{
	return cJSON_DetachItemViaPointer(object, object_item(object, string, true));
}

void cJSON_DeleteItemFromObject(cJSON *object, const char *string)
{
	cJSON_Delete(cJSON_DetachItemFromObject(object, string));
}

void cJSON_DeleteItemFromObjectCaseSensitive(cJSON *object, const char *string)
{
	cJSON_Delete(cJSON_DetachItemFromObjectCaseSensitive(object, string));
}

cJSON_bool cJSON_InsertItemInArray(cJSON *array, int which, cJSON *newitem)
{
	if (which < 0 || !newitem)
		return 0;
	cJSON *at = array_item(array, (size_t)which);
	if (!at)
		return cJSON_AddItemToArray(array, newitem);
	newitem->next = at;
	newitem->prev = at->prev;
	at->prev = newitem;
	if (at == array->child)
		array->child = newitem;
	else
		newitem->prev->next = newitem;
	return 1;
}

cJSON_bool cJSON_ReplaceItemViaPointer(cJSON *const parent, cJSON *const item, cJSON *replacement)
{
	if (!parent || !item || !replacement)
		return 0;
	if (replacement == item)
		return 1;
	replacement->next = item->next;
	replacement->prev = item->prev;
	if (replacement->next)
		replacement->next->prev = replacement;
	if (parent->child == item) {
		if (item->prev == item)
			replacement->prev = replacement;
		parent->child = replacement;
	} else {
		if (replacement->prev)
			replacement->prev->next = replacement;
		if (!replacement->next)
			parent->child->prev = replacement;
	}
	item->next = item->prev = NULL;
	cJSON_Delete(item);
	return 1;
}

cJSON_bool cJSON_ReplaceItemInArray(cJSON *array, int which, cJSON *newitem)
{
	if (which < 0)
		return 0;
	return cJSON_ReplaceItemViaPointer(array, array_item(array, (size_t)which), newitem);
}

static cJSON_bool replace_in_object(cJSON *object, const char *string, cJSON *replacement, bool cs)
{
	if (!replacement || !string || !set_key(replacement, string))
		return 0;
	return cJSON_ReplaceItemViaPointer(object, object_item(object, string, cs), replacement);
}

cJSON_bool cJSON_ReplaceItemInObject(cJSON *object, const char *string, cJSON *newitem)
{
	return replace_in_object(object, string, newitem, false);
}

cJSON_bool cJSON_ReplaceItemInObjectCaseSensitive(cJSON *object, const char *string, cJSON *newitem)
{
	return replace_in_object(object, string, newitem, true);
}

cJSON *cJSON_Duplicate(const cJSON *item, cJSON_bool recurse)
{
	if (!item)
		return NULL;
	cJSON *copy = new_item();
	if (!copy)
		return NULL;
	copy->type = item->type & ~cJSON_IsReference;
	copy->valueint = item->valueint;
	copy->valuedouble = item->valuedouble;
	if (item->valuestring && !(copy->valuestring = dup_str(item->valuestring)))
		goto fail;
	if (item->string) {
		copy->string = item->type & cJSON_StringIsConst ? item->string : dup_str(item->string);
		if (!copy->string)
			goto fail;
	}
	if (!recurse)
		return copy;
	for (const cJSON *c = item->child; c; c = c->next) {
		cJSON *d = cJSON_Duplicate(c, 1);
		if (!d)
			goto fail;
		cJSON_AddItemToArray(copy, d);
	}
	return copy;
fail:
	cJSON_Delete(copy);
	return NULL;
}

cJSON_bool cJSON_Compare(const cJSON *const a, const cJSON *const b, const cJSON_bool case_sensitive)
{
	if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
		return 0;
	switch (a->type & 0xFF) {
	case cJSON_False: case cJSON_True: case cJSON_NULL: case cJSON_Number:
	case cJSON_String: case cJSON_Raw: case cJSON_Array: case cJSON_Object:
		break;
	default:
		return 0;
	}
	if (a == b)
		return 1;
	switch (a->type & 0xFF) {
	case cJSON_Number:
		return close_enough(a->valuedouble, b->valuedouble);
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring && b->valuestring && !strcmp(a->valuestring, b->valuestring);
	case cJSON_Array: {
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!cJSON_Compare(x, y, case_sensitive))
				return 0;
		return x == y;
	}
	case cJSON_Object: {
		/* Both ways: each member of one equals the first of its key in the other
		 * (they differ only with duplicate keys). A pair the first pass compared
		 * is not compared again: libcjson does, which doubles the work at every
		 * level of nesting (2^depth); the result is the same, equality being
		 * symmetric. */
		const cJSON *x;
		cJSON_ArrayForEach(x, a) {
			const cJSON *y = object_item(b, x->string, case_sensitive);
			if (!y || !cJSON_Compare(x, y, case_sensitive))
				return 0;
		}
		cJSON_ArrayForEach(x, b) {
			const cJSON *y = object_item(a, x->string, case_sensitive);
			if (!y)
				return 0;
			if (object_item(b, y->string, case_sensitive) != x && !cJSON_Compare(x, y, case_sensitive))
				return 0;
		}
		return 1;
	}
	default:
		return 1; /* false, true, null: the type is the value */
	}
}

static cJSON *add_new(cJSON *object, const char *name, cJSON *item)
{
	if (cJSON_AddItemToObject(object, name, item))
		return item;
	cJSON_Delete(item);
	return NULL;
}

cJSON *cJSON_AddNullToObject(cJSON *const object, const char *const name)
{
	return add_new(object, name, cJSON_CreateNull());
}

cJSON *cJSON_AddTrueToObject(cJSON *const object, const char *const name)
{
	return add_new(object, name, cJSON_CreateTrue());
}

cJSON *cJSON_AddFalseToObject(cJSON *const object, const char *const name)
{
	return add_new(object, name, cJSON_CreateFalse());
}

cJSON *cJSON_AddBoolToObject(cJSON *const object, const char *const name, const cJSON_bool boolean)
{
	return add_new(object, name, cJSON_CreateBool(boolean));
}

cJSON *cJSON_AddNumberToObject(cJSON *const object, const char *const name, const double number)
{
	return add_new(object, name, cJSON_CreateNumber(number));
}

cJSON *cJSON_AddStringToObject(cJSON *const object, const char *const name, const char *const string)
{
	return add_new(object, name, cJSON_CreateString(string));
}

cJSON *cJSON_AddObjectToObject(cJSON *const object, const char *const name)
{
	return add_new(object, name, cJSON_CreateObject());
}

cJSON *cJSON_AddArrayToObject(cJSON *const object, const char *const name)
{
	return add_new(object, name, cJSON_CreateArray());
}

double cJSON_SetNumberHelper(cJSON *object, double number)
{
	object->valueint = saturate(number);
	return object->valuedouble = number;
}

char *cJSON_SetValuestring(cJSON *object, const char *valuestring)
{
	if (!object || !valuestring || !(object->type & cJSON_String) ||
	    (object->type & cJSON_IsReference) || !object->valuestring)
		return NULL;
	size_t n = strlen(valuestring);
	if (n <= strlen(object->valuestring) &&
	    (valuestring + n < object->valuestring || valuestring > object->valuestring + n)) {
		memcpy(object->valuestring, valuestring, n + 1);
		return object->valuestring;
	}
	char *copy = dup_str(valuestring);
	if (!copy)
		return NULL;
	hooks.deallocate(object->valuestring);
	object->valuestring = copy;
	return copy;
}
