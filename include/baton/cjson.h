/* baton's own implementation of the part of cJSON's API that baton uses.
 *
 * Why not libcjson: Debian ships no static libcjson, and every shared library a
 * process needs costs its start (~0.3 ms and 17 page faults for libcjson + libm, out
 * of a hook's 2 ms budget). So baton keeps cJSON's names, struct and semantics (the
 * 55 files that use it only include this header instead) and implements them here,
 * written from the API contract of cJSON 1.7.15, not from its source.
 *
 * Contract kept from libcjson 1.7.15, checked by t/unit/test_cjson.c against the real
 * library (dlopen'ed at test time) over every fixture line and hand-made edge cases:
 * - Parsing accepts and rejects what it does: nesting limit 1000, any byte <= 0x20 is
 *   whitespace, raw control and invalid UTF-8 bytes inside strings pass through, an
 *   invalid \u hex digit reads as U+0000, a lone low surrogate is an error, leading
 *   zeros and "1." are numbers, trailing text after the value is ignored unless
 *   require_null_terminated (then only whitespace and NULs may follow). A UTF-8 BOM
 *   is skipped. cJSON_ParseWithLength needs no NUL.
 * - Printing is byte-identical: numbers print with %1.15g unless that does not read
 *   back within DBL_EPSILON, then %1.17g (so -0 prints -0, 123456789012345678 prints
 *   1.2345678901234568e+17); NaN and infinities print null. Strings escape " \ \b \f \n \r \t, other bytes
 *   below 0x20 as \u00xx, and pass everything else through. cJSON_Print puts each
 *   member on its own line indented by tabs, "key":<TAB>value, arrays on one line
 *   with ", ".
 * - Trees: items are linked by next/prev, a container's child->prev is its last item;
 *   cJSON_Delete frees the item and its next siblings; a reference (cJSON_IsReference)
 *   does not own child and valuestring; a cJSON_StringIsConst key is not freed.
 * - One difference, a fixed bug: Debian's libcjson 1.7.15 refuses (and leaks) an
 *   insert before any item but the first; cJSON_InsertItemInArray here inserts.
 * - Every allocation goes through the hooks set with cJSON_InitHooks (baton's scratch
 *   allocator, src/lib/core/json.c); what cJSON_Print* returns is freed with
 *   cJSON_free. Hooks are global: set them before threads start. */
#ifndef BATON_CJSON_H
#define BATON_CJSON_H

#include <stddef.h>

#define cJSON_Invalid (0)
#define cJSON_False   (1 << 0)
#define cJSON_True    (1 << 1)
#define cJSON_NULL    (1 << 2)
#define cJSON_Number  (1 << 3)
#define cJSON_String  (1 << 4)
#define cJSON_Array   (1 << 5)
#define cJSON_Object  (1 << 6)
#define cJSON_Raw     (1 << 7)

#define cJSON_IsReference   256
#define cJSON_StringIsConst 512

#define CJSON_NESTING_LIMIT 1000

/* The typedefs are cJSON's API, kept so that code written against it reads the same. */
typedef struct cJSON {
	struct cJSON *next;
	struct cJSON *prev;
	struct cJSON *child;
	int type;
	char *valuestring;
	int valueint;          /* valuedouble saturated to int */
	double valuedouble;
	char *string;          /* the key, in an object */
} cJSON;

typedef struct cJSON_Hooks {
	void *(*malloc_fn)(size_t sz);
	void (*free_fn)(void *ptr);
} cJSON_Hooks;

typedef int cJSON_bool;

/* Set the allocator (NULL: malloc/free). Not thread-safe: call before threads start. */
void cJSON_InitHooks(cJSON_Hooks *hooks);
void *cJSON_malloc(size_t size);
void cJSON_free(void *object);

/* Parse value (NUL-terminated, or buffer_length bytes). NULL on a syntax error or no
 * memory. return_parse_end, when not NULL, gets where parsing stopped (the error
 * position on failure). */
cJSON *cJSON_Parse(const char *value);
cJSON *cJSON_ParseWithLength(const char *value, size_t buffer_length);
cJSON *cJSON_ParseWithOpts(const char *value, const char **return_parse_end,
			   cJSON_bool require_null_terminated);
cJSON *cJSON_ParseWithLengthOpts(const char *value, size_t buffer_length,
				 const char **return_parse_end, cJSON_bool require_null_terminated);

/* JSON text of item, allocated through the hooks (free with cJSON_free); NULL when out
 * of memory or when the tree holds an item of no valid type. */
char *cJSON_Print(const cJSON *item);
char *cJSON_PrintUnformatted(const cJSON *item);

/* Free item, its next siblings and everything they own. NULL is fine. */
void cJSON_Delete(cJSON *item);

int cJSON_GetArraySize(const cJSON *array);
/* Borrowed items: by position, by key (ASCII case-insensitive, or exact). */
cJSON *cJSON_GetArrayItem(const cJSON *array, int index);
cJSON *cJSON_GetObjectItem(const cJSON *const object, const char *const string);
cJSON *cJSON_GetObjectItemCaseSensitive(const cJSON *const object, const char *const string);

cJSON_bool cJSON_IsInvalid(const cJSON *const item);
cJSON_bool cJSON_IsFalse(const cJSON *const item);
cJSON_bool cJSON_IsTrue(const cJSON *const item);
cJSON_bool cJSON_IsBool(const cJSON *const item);
cJSON_bool cJSON_IsNull(const cJSON *const item);
cJSON_bool cJSON_IsNumber(const cJSON *const item);
cJSON_bool cJSON_IsString(const cJSON *const item);
cJSON_bool cJSON_IsArray(const cJSON *const item);
cJSON_bool cJSON_IsObject(const cJSON *const item);
cJSON_bool cJSON_IsRaw(const cJSON *const item);

/* New items, the caller's (NULL when out of memory; cJSON_CreateString(NULL) too). */
cJSON *cJSON_CreateNull(void);
cJSON *cJSON_CreateTrue(void);
cJSON *cJSON_CreateFalse(void);
cJSON *cJSON_CreateBool(cJSON_bool boolean);
cJSON *cJSON_CreateNumber(double num);
cJSON *cJSON_CreateString(const char *string);
/* A copy of raw, printed as it is: the caller vouches that it is JSON. */
cJSON *cJSON_CreateRaw(const char *raw);
cJSON *cJSON_CreateArray(void);
cJSON *cJSON_CreateObject(void);

/* Append item (ownership passes to the container; its key is replaced by a copy of
 * string). False, and nothing changes, when an argument is NULL. */
cJSON_bool cJSON_AddItemToArray(cJSON *array, cJSON *item);
cJSON_bool cJSON_AddItemToObject(cJSON *object, const char *string, cJSON *item);
/* Append a reference to item: it shares item's children and string value, which stay
 * item's owner's; deleting the reference frees only the reference. */
cJSON_bool cJSON_AddItemReferenceToObject(cJSON *object, const char *string, cJSON *item);

/* Unlink an item and give it to the caller (NULL when absent). */
cJSON *cJSON_DetachItemViaPointer(cJSON *parent, cJSON *const item);
cJSON *cJSON_DetachItemFromArray(cJSON *array, int which);
void cJSON_DeleteItemFromArray(cJSON *array, int which);
cJSON *cJSON_DetachItemFromObject(cJSON *object, const char *string);
cJSON *cJSON_DetachItemFromObjectCaseSensitive(cJSON *object, const char *string);
void cJSON_DeleteItemFromObject(cJSON *object, const char *string);
void cJSON_DeleteItemFromObjectCaseSensitive(cJSON *object, const char *string);

/* Insert newitem before position which (appended past the end). */
cJSON_bool cJSON_InsertItemInArray(cJSON *array, int which, cJSON *newitem);
/* Put replacement in item's place and delete item. */
cJSON_bool cJSON_ReplaceItemViaPointer(cJSON *const parent, cJSON *const item, cJSON *replacement);
cJSON_bool cJSON_ReplaceItemInArray(cJSON *array, int which, cJSON *newitem);
cJSON_bool cJSON_ReplaceItemInObject(cJSON *object, const char *string, cJSON *newitem);
cJSON_bool cJSON_ReplaceItemInObjectCaseSensitive(cJSON *object, const char *string, cJSON *newitem);

/* A copy of item (with its key; with its children when recurse), the caller's. */
cJSON *cJSON_Duplicate(const cJSON *item, cJSON_bool recurse);
/* Deep equality: numbers within DBL_EPSILON (relative), members in any order. */
cJSON_bool cJSON_Compare(const cJSON *const a, const cJSON *const b, const cJSON_bool case_sensitive);

/* Create and add in one call; return the new item (borrowed) or NULL. */
cJSON *cJSON_AddNullToObject(cJSON *const object, const char *const name);
cJSON *cJSON_AddTrueToObject(cJSON *const object, const char *const name);
cJSON *cJSON_AddFalseToObject(cJSON *const object, const char *const name);
cJSON *cJSON_AddBoolToObject(cJSON *const object, const char *const name, const cJSON_bool boolean);
cJSON *cJSON_AddNumberToObject(cJSON *const object, const char *const name, const double number);
cJSON *cJSON_AddStringToObject(cJSON *const object, const char *const name, const char *const string);
cJSON *cJSON_AddObjectToObject(cJSON *const object, const char *const name);
cJSON *cJSON_AddArrayToObject(cJSON *const object, const char *const name);

/* Set a number (valueint saturates to int). Returns number. */
double cJSON_SetNumberHelper(cJSON *object, double number);
#define cJSON_SetNumberValue(object, number) \
	((object != NULL) ? cJSON_SetNumberHelper(object, (double)number) : (number))
/* Replace a string item's value (not a reference's); the new value or NULL. */
char *cJSON_SetValuestring(cJSON *object, const char *valuestring);

#define cJSON_ArrayForEach(element, array) \
	for (element = (array != NULL) ? (array)->child : NULL; element != NULL; element = element->next)

#endif
