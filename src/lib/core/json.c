#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton/json.h"
#include "baton/strbuf.h"

/* ---- scratch parsing ------------------------------------------------------------ */

/* A record line becomes ~100 small allocations in cJSON (every node, key and
 * string): malloc and free were a quarter of a reader's time. While a scratch parse
 * runs, cJSON allocates by bumping a pointer through this thread's block; the free
 * hook ignores pointers inside the block, and the block is reused once the tree is
 * deleted. Outside a scratch parse (and past the block's end) it is malloc and free. */
#define SCRATCH_BYTES (1024 * 1024)

static _Thread_local struct {
	char *base;
	size_t used;
	int open;       /* scratch trees not yet deleted */
	bool active;    /* a scratch parse is running */
	bool spilled;   /* some node of the open trees came from malloc */
} scratch;

static void *hook_malloc(size_t n)
{
	if (scratch.active) {
		size_t a = (n + 15) & ~(size_t)15;
		if (scratch.base && a <= SCRATCH_BYTES - scratch.used) {
			void *p = scratch.base + scratch.used;
			scratch.used += a;
			return p;
		}
		scratch.spilled = true;
	}
	return malloc(n);
}

static void hook_free(void *p)
{
	if (scratch.base && (char *)p >= scratch.base && (char *)p < scratch.base + SCRATCH_BYTES)
		return;
	free(p);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void hooks_install(void)
{
	cJSON_Hooks h = { hook_malloc, hook_free };
	cJSON_InitHooks(&h);
}

void baton_json_init(void)
{
	pthread_once(&hooks_once, hooks_install);
}

cJSON *baton_json_parse_scratch(const char *s, size_t len)
{
	baton_json_init();
	if (!scratch.base)
		scratch.base = malloc(SCRATCH_BYTES); /* none: cJSON mallocs as usual */
	scratch.active = true;
	cJSON *t = cJSON_ParseWithLength(s, len);
	scratch.active = false;
	if (t)
		scratch.open++;
	else if (!scratch.open)
		scratch.used = 0, scratch.spilled = false;
	return t;
}

void baton_json_scratch_delete(cJSON *tree)
{
	if (!tree)
		return;
	/* nodes in the block need no free: only those malloc'd past its end do */
	if (scratch.spilled || !scratch.base)
		cJSON_Delete(tree);
	if (scratch.open > 0 && !--scratch.open) {
		scratch.used = 0;
		scratch.spilled = false;
	}
}

void baton_json_scratch_release(void)
{
	if (scratch.open)
		return; /* trees still point into it */
	free(scratch.base);
	scratch.base = NULL;
	scratch.used = 0;
}

const char *baton_json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

int64_t baton_json_int(const cJSON *obj, const char *key, int64_t def)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(it)) {
		/* converting an out-of-range double is undefined: outside input can hold 1e300 */
		double d = it->valuedouble;
		if (d != d)
			return def;
		if (d >= 9.2e18)
			return INT64_MAX;
		if (d <= -9.2e18)
			return INT64_MIN;
		return (int64_t)d;
	}
	if (cJSON_IsString(it) && it->valuestring[0]) {
		char *end;
		long long v = strtoll(it->valuestring, &end, 10);
		if (!*end)
			return (int64_t)v;
	}
	return def;
}

bool baton_json_bool(const cJSON *obj, const char *key, bool def)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	if (cJSON_IsNumber(it))
		return it->valuedouble != 0;
	return def;
}

cJSON *baton_json_obj(const cJSON *obj, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsObject(it) ? it : NULL;
}

cJSON *baton_json_arr(const cJSON *obj, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsArray(it) ? it : NULL;
}

void baton_json_pick(const cJSON *obj, const char *const *keys, size_t n, const cJSON **out)
{
	size_t left = n;
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	for (const cJSON *it = obj ? obj->child : NULL; it && left; it = it->next) {
		const char *s = it->string;
		if (!s)
			continue;
		for (size_t i = 0; i < n; i++)
			if (!out[i] && keys[i][0] == s[0] && !strcmp(keys[i], s)) {
				out[i] = it;
				left--;
				break;
			}
	}
}

const char *baton_json_as_str(const cJSON *it)
{
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

bool baton_json_as_bool(const cJSON *it, bool def)
{
	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	if (cJSON_IsNumber(it))
		return it->valuedouble != 0;
	return def;
}

cJSON *baton_json_as_obj(const cJSON *it)
{
	return cJSON_IsObject(it) ? (cJSON *)it : NULL;
}

cJSON *baton_json_add_str(cJSON *obj, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, key, s) : cJSON_AddNullToObject(obj, key);
}

cJSON *baton_json_add_int(cJSON *obj, const char *key, int64_t v)
{
	return cJSON_AddNumberToObject(obj, key, (double)v);
}

cJSON *baton_json_add_bool(cJSON *obj, const char *key, bool v)
{
	return cJSON_AddBoolToObject(obj, key, v);
}

cJSON *baton_json_add_copy(cJSON *obj, const char *key, const cJSON *item)
{
	if (!item)
		return cJSON_AddNullToObject(obj, key);
	cJSON *c = cJSON_Duplicate(item, 1);
	if (!c || !cJSON_AddItemToObject(obj, key, c)) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

void baton_json_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

char *baton_json_print(const cJSON *item)
{
	return cJSON_PrintUnformatted(item);
}

int baton_json_append(struct strbuf *sb, const cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);
	if (!s)
		return -1;
	int r = baton_strbuf_adds(sb, s);
	cJSON_free(s);
	return r;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	unsigned cp;
	if ((c & 0xe0) == 0xc0) {
		n = 2; cp = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; cp = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int baton_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (!p[i])
			return 0;
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int baton_utf8_sanitize(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < len) {
		size_t n = p[i] ? utf8_seq(p + i, len - i) : 0;
		if (n) {
			i += n;
			continue;
		}
		if (baton_strbuf_add(sb, s + run, i - run))
			return -1;
		if (p[i] && baton_strbuf_add(sb, "\xEF\xBF\xBD", 3))
			return -1;
		i++;
		run = i;
	}
	return baton_strbuf_add(sb, s + run, len - run);
}
