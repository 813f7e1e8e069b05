/* Small helpers over cJSON: typed getters that tolerate absent or mistyped fields,
 * adders that turn NULL into JSON null, and printing. Keys keep insertion order, so
 * builders fix the order of every object they make. */
#ifndef BATON_JSON_H
#define BATON_JSON_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stdint.h>

struct strbuf;

/* Borrowed string value of obj[key], or NULL when absent or not a string. */
const char *baton_json_str(const cJSON *obj, const char *key);
/* Integer value of obj[key] (numbers, and strings of digits), or def. */
int64_t baton_json_int(const cJSON *obj, const char *key, int64_t def);
/* Boolean value of obj[key] (true/false, or 1/0), or def. */
bool baton_json_bool(const cJSON *obj, const char *key, bool def);
/* Borrowed child obj[key] when it is an object / array, else NULL. */
cJSON *baton_json_obj(const cJSON *obj, const char *key);
cJSON *baton_json_arr(const cJSON *obj, const char *key);

/* One pass over obj's members: out[i] = the first member named keys[i], or NULL. A
 * reader wanting a dozen fields of a record pays one walk, not one per field. */
void baton_json_pick(const cJSON *obj, const char *const *keys, size_t n, const cJSON **out);
/* The typed views of baton_json_str / _bool / _obj, for a member already found. */
const char *baton_json_as_str(const cJSON *it);
bool baton_json_as_bool(const cJSON *it, bool def);
cJSON *baton_json_as_obj(const cJSON *it);

/* Add key: string s, or null when s is NULL. Return the new item or NULL (no memory). */
cJSON *baton_json_add_str(cJSON *obj, const char *key, const char *s);
cJSON *baton_json_add_int(cJSON *obj, const char *key, int64_t v);
cJSON *baton_json_add_bool(cJSON *obj, const char *key, bool v);
/* Add key: a copy of item, or null when item is NULL. */
cJSON *baton_json_add_copy(cJSON *obj, const char *key, const cJSON *item);
/* Replace (or add) key with item, taking ownership of item. */
void baton_json_set(cJSON *obj, const char *key, cJSON *item);

/* Parse one record into scratch memory of the calling thread: its nodes and strings
 * are carved from a per-thread block (malloc'd past its end), not one malloc each,
 * which was a quarter of a transcript reader's time. The tree must be freed with
 * baton_json_scratch_delete by the same thread, before any other scratch parse of
 * that thread is freed, and nothing of it may outlive that (copy what is kept;
 * trees made by cJSON_Create*, cJSON_Duplicate, cJSON_Parse are ordinary). */
cJSON *baton_json_parse_scratch(const char *s, size_t len);
void baton_json_scratch_delete(cJSON *tree);
/* Free the calling thread's scratch block (a worker thread before it ends; the
 * context's close for the thread that opened it). */
void baton_json_scratch_release(void);
/* Route cJSON's allocations through the scratch allocator. Called by
 * baton_ctx_open, before any thread starts; idempotent. */
void baton_json_init(void);

/* Unformatted JSON text (malloc'd; NULL when out of memory). */
char *baton_json_print(const cJSON *item);
/* Append the unformatted text of item to sb. Returns 0 or -1. */
int baton_json_append(struct strbuf *sb, const cJSON *item);

/* Append s to sb with invalid UTF-8 sequences replaced by U+FFFD and NUL bytes
 * dropped, so that whatever comes from outside prints as valid JSON. Returns 0 or -1. */
int baton_utf8_sanitize(struct strbuf *sb, const char *s, size_t len);
/* 1 when s[0..len) is valid UTF-8 without NUL bytes. */
int baton_utf8_valid(const char *s, size_t len);

#endif
