#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source.h" /* baton_hash64 */
#include "store/modules.h"
#include "store/snapshots.h"

#define MAX_KINDS 8

struct kind {
	char *tail;  /* T","OBJ":{"id":"  (what follows "type":" up to the row id) */
	size_t tail_len;
};

struct slot {
	char *key;   /* row id, NUL, newest event id, NUL (one allocation); NULL: empty */
	size_t key_len;
	const char *event; /* into key */
	uint32_t hash;
	int kind;
};

struct baton_snapshots {
	struct kind kinds[MAX_KINDS];
	int nkinds;
	struct slot *slots;
	size_t cap, n; /* cap: a power of two */
};

struct span {
	const char *p;
	size_t n;
};

struct baton_snapshots *baton_snapshots_new(void)
{
	struct baton_snapshots *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	for (const struct baton_index_module *const *mod = baton_index_modules; *mod; mod++) {
		const char *t = (*mod)->snapshot_type, *o = (*mod)->snapshot_object;
		if (!t || !o || m->nkinds == MAX_KINDS)
			continue;
		size_t n = strlen(t) + strlen(o) + 16;
		struct kind *k = &m->kinds[m->nkinds];
		if (!(k->tail = malloc(n)))
			goto fail;
		k->tail_len = (size_t)snprintf(k->tail, n, "%s\",\"%s\":{\"id\":\"", t, o);
		m->nkinds++;
	}
	m->cap = 1024;
	if (!m->nkinds || !(m->slots = calloc(m->cap, sizeof *m->slots)))
		goto fail;
	return m;
fail:
	baton_snapshots_free(m);
	return NULL;
}

void baton_snapshots_free(struct baton_snapshots *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nkinds; i++)
		free(m->kinds[i].tail);
	for (size_t i = 0; m->slots && i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

/* p at a string's first character: its closing quote, when the string has no escape
 * (ids and timestamps never do); else NULL. */
static const char *plain_end(const char *p, const char *end)
{
	const char *q = memchr(p, '"', (size_t)(end - p));
	return q && !memchr(p, '\\', (size_t)(q - p)) ? q : NULL;
}

/* p at a string's first character: its closing quote, escapes allowed; else NULL. */
static const char *string_end(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p;
	}
	return NULL;
}

static const char *expect(const char *p, const char *end, const char *lit, size_t n)
{
	return p && (size_t)(end - p) >= n && !memcmp(p, lit, n) ? p + n : NULL;
}
#define EXPECT(p, end, lit) expect((p), (end), (lit), sizeof(lit) - 1)

/* The line's kind, event id and row id, when it is a snapshot of baton's own shape
 * (header fields in the writer's order, a compact object, whole: ends in "}}"). */
static int scan(const struct baton_snapshots *m, const char *line, size_t len, int *kind, struct span *event,
		struct span *key)
{
	const char *end = line + len, *p;
	if (len < 64 || line[len - 1] != '}' || line[len - 2] != '}' ||
	    !(p = EXPECT(line, end, "{\"v\":1,\"id\":\"")))
		return 0;
	event->p = p;
	if (!(p = plain_end(p, end)))
		return 0;
	event->n = (size_t)(p - event->p);
	if (!(p = EXPECT(p, end, "\",\"at\":\"")) || !(p = plain_end(p, end)) ||
	    !(p = EXPECT(p, end, "\",\"host\":\"")) || !(p = string_end(p, end)) ||
	    !(p = EXPECT(p, end, "\",\"type\":\"")))
		return 0;
	for (int k = 0; k < m->nkinds; k++) {
		const char *q = expect(p, end, m->kinds[k].tail, m->kinds[k].tail_len);
		const char *e = q ? plain_end(q, end) : NULL;
		if (e && e > q) {
			*kind = k;
			key->p = q;
			key->n = (size_t)(e - q);
			return event->n > 0;
		}
	}
	return 0;
}

static uint32_t hash_of(int kind, const struct span *key)
{
	return (uint32_t)baton_hash64(key->p, key->n, 0) ^ (uint32_t)kind;
}

static struct slot *find(const struct baton_snapshots *m, int kind, const struct span *key, uint32_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && s->kind == kind && s->key_len == key->n && !memcmp(s->key, key->p, key->n)))
			return s;
	}
}

static int grow(struct baton_snapshots *m)
{
	size_t cap = m->cap * 2;
	struct slot *old = m->slots, *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	size_t old_cap = m->cap;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key)
			continue;
		size_t j = old[i].hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = old[i];
	}
	free(old);
	return 0;
}

/* set s (empty or holding an older event) to key and event */
static int store(struct slot *s, int kind, const struct span *key, const struct span *event, uint32_t h)
{
	char *k = malloc(key->n + event->n + 2);
	if (!k)
		return -1;
	memcpy(k, key->p, key->n);
	k[key->n] = 0;
	memcpy(k + key->n + 1, event->p, event->n);
	k[key->n + 1 + event->n] = 0;
	free(s->key);
	s->key = k;
	s->key_len = key->n;
	s->event = k + key->n + 1;
	s->hash = h;
	s->kind = kind;
	return 0;
}

/* event ids compare as strings, as the replay's merge orders them */
static int event_cmp(const struct span *a, const char *b)
{
	size_t bn = strlen(b);
	int c = memcmp(a->p, b, a->n < bn ? a->n : bn);
	return c ? c : (a->n > bn) - (a->n < bn);
}

int baton_snapshots_note(struct baton_snapshots *m, const char *line, size_t len)
{
	struct span event, key;
	int kind;
	if (!scan(m, line, len, &kind, &event, &key))
		return 0;
	uint32_t h = hash_of(kind, &key);
	struct slot *s = find(m, kind, &key, h);
	if (s->key) {
		if (event_cmp(&event, s->event) > 0 && store(s, kind, &key, &event, h))
			return -1;
		return 0;
	}
	if (store(s, kind, &key, &event, h))
		return -1;
	if (++m->n * 2 > m->cap && grow(m))
		return -1;
	return 0;
}

int baton_snapshots_superseded(const struct baton_snapshots *m, const char *line, size_t len, const char **id,
			       size_t *id_len)
{
	struct span event, key;
	int kind;
	if (!m || !scan(m, line, len, &kind, &event, &key))
		return 0;
	const struct slot *s = find(m, kind, &key, hash_of(kind, &key));
	if (!s->key || event_cmp(&event, s->event) >= 0)
		return 0;
	*id = event.p;
	*id_len = event.n;
	return 1;
}
