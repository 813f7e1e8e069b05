/* Configuration: ~/.baton/config.toml, then a repo's .baton.toml, then the
 * environment (BATON_<SECTION>_<KEY>, upper-case), each overriding the one before.
 * The files are a TOML subset: [section], key = value, with strings ("…" or '…'),
 * booleans (true/false) and integers. Keys before any [section] have section "". */
#ifndef BATON_CONFIG_H
#define BATON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct baton_config_item {
	char *key;    /* "section.key", or "key" for the top level */
	char *value;  /* unquoted, unescaped */
	char *origin; /* file path or "env" */
};

struct baton_config {
	struct baton_config_item *items;
	size_t n, alloc;
};

struct baton_ctx;

void baton_config_init(struct baton_config *cfg);
void baton_config_release(struct baton_config *cfg);

/* Parse one file into cfg (later values override). A missing file is not an error.
 * A file that does not parse returns BATON_EINVALID with "config: PATH line N: …". */
int baton_config_load_file(struct baton_ctx *ctx, struct baton_config *cfg, const char *path);

/* Set one value (used for environment overrides and tests). Returns 0 or BATON_ENOMEM. */
int baton_config_set(struct baton_config *cfg, const char *key, const char *value, const char *origin);

/* Borrowed value of "section.key", or NULL. Environment overrides are looked up
 * live: BATON_SECTION_KEY (dots become underscores, upper-cased). */
const char *baton_config_get(const struct baton_config *cfg, const char *key);
const char *baton_config_str(const struct baton_ctx *ctx, const char *key, const char *def);
bool baton_config_bool(const struct baton_ctx *ctx, const char *key, bool def);
int64_t baton_config_int(const struct baton_ctx *ctx, const char *key, int64_t def);

/* Parse a boolean the way config and environment spell it: true/false, yes/no, on/off,
 * 1/0. Returns 0 and sets *out, or -1. */
int baton_parse_bool(bool *out, const char *s);

#endif
