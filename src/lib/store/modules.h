/* What each module contributes to the index: its tables, the events it applies, and
 * any source beyond the logs that a rebuild must replay (the transcript archive).
 * The list lives in modules.c; add a module there. */
#ifndef BATON_STORE_MODULES_H
#define BATON_STORE_MODULES_H

#include "baton/cjson.h"

struct baton_ctx;

/* a numeric constant as an SQL literal, for schema text built at compile time */
#define BATON_STR_(x) #x
#define BATON_STR(x) BATON_STR_(x)

struct baton_event_handler {
	const char *type;
	int (*apply)(struct baton_ctx *ctx, const cJSON *event);
};

struct baton_index_module {
	const char *name;
	const char *schema;               /* tables (DDL), run when the index is created */
	const char *indexes;              /* CREATE INDEX …, run after a rebuild's bulk load
					   * (building them once sorted is far cheaper than
					   * maintaining them through a million upserts) */
	const char *const *tables;        /* derived tables that verify compares; NULL-terminated */
	const struct baton_event_handler *handlers; /* terminated by { NULL } */
	/* Extra rebuild source (after the logs), inside the rebuild's transaction; or NULL. */
	int (*replay)(struct baton_ctx *ctx);
	/* An event type whose object member snapshot_object replaces its row whole, keyed by
	 * the object's "id", last write wins by event id (store/snapshots.h): a rebuild
	 * applies only the newest of each id. NULL when the module has none. */
	const char *snapshot_type, *snapshot_object;
};

/* Every module, NULL-terminated. */
extern const struct baton_index_module *const baton_index_modules[];

#endif
