#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baton/config.h"
#include "core/ctx.h"

void baton_config_init(struct baton_config *cfg)
{
	cfg->items = NULL;
	cfg->n = cfg->alloc = 0;
}

void baton_config_release(struct baton_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->items[i].key);
		free(cfg->items[i].value);
		free(cfg->items[i].origin);
	}
	free(cfg->items);
	baton_config_init(cfg);
}

int baton_config_set(struct baton_config *cfg, const char *key, const char *value, const char *origin)
{
	for (size_t i = 0; i < cfg->n; i++) {
		if (!strcmp(cfg->items[i].key, key)) {
			char *v = strdup(value), *o = strdup(origin);
			if (!v || !o) {
				free(v);
				free(o);
				return BATON_ENOMEM;
			}
			free(cfg->items[i].value);
			free(cfg->items[i].origin);
			cfg->items[i].value = v;
			cfg->items[i].origin = o;
			return 0;
		}
	}
	if (cfg->n == cfg->alloc) {
		size_t na = cfg->alloc ? cfg->alloc * 2 : 16;
		void *p = realloc(cfg->items, na * sizeof *cfg->items);
		if (!p)
			return BATON_ENOMEM;
		cfg->items = p;
		cfg->alloc = na;
	}
	struct baton_config_item *it = &cfg->items[cfg->n];
	it->key = strdup(key);
	it->value = strdup(value);
	it->origin = strdup(origin);
	if (!it->key || !it->value || !it->origin) {
		free(it->key);
		free(it->value);
		free(it->origin);
		return BATON_ENOMEM;
	}
	cfg->n++;
	return 0;
}

struct parse_state {
	struct baton_config *cfg;
	const char *path;
	char why[160];
};

/* TOML value → plain string. Returns 0, or -1 with st->why set. */
static int unquote(char *out, size_t cap, const char *v, struct parse_state *st)
{
	size_t o = 0;
	if (*v == '"' || *v == '\'') {
		char q = *v++;
		while (*v && *v != q) {
			char c = *v++;
			if (q == '"' && c == '\\') {
				switch (*v++) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case '"': c = '"'; break;
				case '\\': c = '\\'; break;
				default:
					snprintf(st->why, sizeof st->why, "unknown escape in string");
					return -1;
				}
			}
			if (o + 1 >= cap) {
				snprintf(st->why, sizeof st->why, "value too long");
				return -1;
			}
			out[o++] = c;
		}
		if (*v != q) {
			snprintf(st->why, sizeof st->why, "unterminated string");
			return -1;
		}
		v++;
		while (isspace((unsigned char)*v))
			v++;
		if (*v && *v != '#') {
			snprintf(st->why, sizeof st->why, "unexpected text after string");
			return -1;
		}
		out[o] = '\0';
		return 0;
	}
	/* bare value: a boolean or an integer, up to an inline comment */
	while (*v && *v != '#' && o + 1 < cap)
		out[o++] = *v++;
	while (o && isspace((unsigned char)out[o - 1]))
		o--;
	out[o] = '\0';
	if (!strcmp(out, "true") || !strcmp(out, "false"))
		return 0;
	char *end;
	errno = 0;
	(void)strtoll(out, &end, 10);
	if (o && !*end && !errno)
		return 0;
	snprintf(st->why, sizeof st->why, "value must be a \"string\", true/false or an integer");
	return -1;
}

static int on_item(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	char key[256], val[4096];
	if (!name || !value) /* a section header alone */
		return 1;
	if (snprintf(key, sizeof key, "%s%s%s", section, *section ? "." : "", name) >= (int)sizeof key) {
		snprintf(st->why, sizeof st->why, "key too long");
		return 0;
	}
	if (unquote(val, sizeof val, value, st))
		return 0;
	if (baton_config_set(st->cfg, key, val, st->path)) {
		snprintf(st->why, sizeof st->why, "out of memory");
		return 0;
	}
	return 1;
}

int baton_config_load_file(struct baton_ctx *ctx, struct baton_config *cfg, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return baton_error(ctx, BATON_EINVALID, "config: cannot read '%s': %s", path, strerror(errno));
	}
	struct parse_state st = { cfg, path, "" };
	int line = ini_parse_file(f, on_item, &st);
	fclose(f);
	if (line > 0)
		return baton_error(ctx, BATON_EINVALID, "config: '%s' line %d: %s; fix or remove that line",
				   path, line, st.why[0] ? st.why : "not a [section] or key = value");
	if (line < 0)
		return baton_error(ctx, BATON_EINVALID, "config: cannot parse '%s'", path);
	return 0;
}

const char *baton_config_get(const struct baton_config *cfg, const char *key)
{
	char env[300] = "BATON_";
	size_t o = 6;
	for (const char *k = key; *k && o + 1 < sizeof env; k++)
		env[o++] = *k == '.' ? '_' : (char)toupper((unsigned char)*k);
	env[o] = '\0';
	const char *e = getenv(env);
	if (e)
		return e;
	for (size_t i = cfg->n; i-- > 0;)
		if (!strcmp(cfg->items[i].key, key))
			return cfg->items[i].value;
	return NULL;
}

const char *baton_config_str(const struct baton_ctx *ctx, const char *key, const char *def)
{
	const char *v = baton_config_get(&ctx->config, key);
	return v ? v : def;
}

int baton_parse_bool(bool *out, const char *s)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

bool baton_config_bool(const struct baton_ctx *ctx, const char *key, bool def)
{
	const char *v = baton_config_get(&ctx->config, key);
	bool b;
	return v && baton_parse_bool(&b, v) == 0 ? b : def;
}

int64_t baton_config_int(const struct baton_ctx *ctx, const char *key, int64_t def)
{
	const char *v = baton_config_get(&ctx->config, key);
	if (!v)
		return def;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	return (!errno && end != v && !*end) ? (int64_t)n : def;
}
