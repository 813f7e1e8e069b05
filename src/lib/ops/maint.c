#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baton/config.h"
#include "baton/fsutil.h"
#include "baton/index.h"
#include "baton/json.h"
#include "baton/lines.h"
#include "baton/maint.h"
#include "core/ctx.h"

static const struct baton_arg no_args[] = { { NULL } };

static int op_rebuild(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	struct baton_rebuild_stats st;
	int rc = baton_index_rebuild(ctx, &st);
	if (rc)
		return rc;
	*out = cJSON_CreateObject();
	baton_json_add_int(*out, "events", st.events);
	baton_json_add_int(*out, "superseded", st.superseded);
	baton_json_add_int(*out, "bad_lines", st.bad_lines);
	baton_json_add_int(*out, "logs", st.logs);
	baton_json_add_int(*out, "ms", st.ms);
	return 0;
}

static int op_verify(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	return baton_index_verify(ctx, out);
}

/* Scan one log: lines, bad lines (with their offsets), a torn tail. */
static cJSON *scan_log(struct baton_ctx *ctx, const char *name, int64_t applied)
{
	cJSON *o = cJSON_CreateObject();
	char *path = baton_path_join(ctx->log_dir, name);
	baton_json_add_str(o, "file", name);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		baton_json_add_str(o, "error", strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return o;
	}
	struct baton_lines lr;
	int64_t lines = 0, bad = 0, off;
	cJSON *bads = cJSON_CreateArray();
	if (baton_lines_init(&lr, fd, 0, 64 * 1024 * 1024) == 0) {
		char *line;
		size_t len;
		while (baton_lines_next(&lr, &line, &len, &off) == 1) {
			lines++;
			cJSON *ev = cJSON_ParseWithLength(line, len);
			if (!ev || !baton_json_str(ev, "id") || !baton_json_str(ev, "type")) {
				bad++;
				if (cJSON_GetArraySize(bads) < 10)
					cJSON_AddItemToArray(bads, cJSON_CreateNumber((double)off));
			}
			cJSON_Delete(ev);
		}
		bad += (int64_t)lr.skipped_long;
	}
	int64_t end = baton_lines_offset(&lr);
	baton_lines_release(&lr);
	close(fd);
	baton_json_add_int(o, "size", (int64_t)st.st_size);
	baton_json_add_int(o, "lines", lines);
	baton_json_add_int(o, "bad_lines", bad);
	cJSON_AddItemToObject(o, "bad_offsets", bads);
	baton_json_add_bool(o, "torn_tail", end < (int64_t)st.st_size);
	baton_json_add_int(o, "applied_offset", applied);
	baton_json_add_int(o, "lag_bytes", (int64_t)st.st_size - applied > 0 ? (int64_t)st.st_size - applied : 0);
	baton_json_add_str(o, "mode", (st.st_mode & 077) ? "too open" : "ok");
	free(path);
	return o;
}

static void check_mode(cJSON *arr, const char *path, mode_t want_dir_or_file, int is_dir)
{
	struct stat st;
	if (stat(path, &st))
		return;
	if ((st.st_mode & 077) != 0) {
		cJSON *p = cJSON_CreateObject();
		baton_json_add_str(p, "path", path);
		char m[8];
		snprintf(m, sizeof m, "%04o", (unsigned)(st.st_mode & 07777));
		baton_json_add_str(p, "mode", m);
		baton_json_add_str(p, "want", is_dir ? "0700" : "0600");
		cJSON_AddItemToArray(arr, p);
	}
	(void)want_dir_or_file;
}

static int op_doctor(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	cJSON *o = cJSON_CreateObject();
	baton_json_add_str(o, "home", ctx->home);
	baton_json_add_str(o, "host", ctx->host);
	cJSON *logs = cJSON_CreateArray();
	cJSON *perms = cJSON_CreateArray();
	bool ok = true;
	check_mode(perms, ctx->home, 0700, 1);
	check_mode(perms, ctx->log_dir, 0700, 1);
	check_mode(perms, ctx->index_path, 0600, 0);
	DIR *d = opendir(ctx->log_dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 7 || strcmp(e->d_name + l - 6, ".jsonl"))
			continue;
		int64_t applied = 0;
		sqlite3_stmt *st = baton_index_stmt(ctx, "SELECT offset FROM log_state WHERE file = ?1");
		if (st) {
			baton_bind_text(st, 1, e->d_name);
			if (sqlite3_step(st) == SQLITE_ROW)
				applied = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
		}
		cJSON *l1 = scan_log(ctx, e->d_name, applied);
		if (baton_json_int(l1, "bad_lines", 0) || baton_json_bool(l1, "torn_tail", false) ||
		    baton_json_int(l1, "lag_bytes", 0) || baton_json_str(l1, "error"))
			ok = false;
		char *p = baton_path_join(ctx->log_dir, e->d_name);
		if (p)
			check_mode(perms, p, 0600, 0);
		free(p);
		cJSON_AddItemToArray(logs, l1);
	}
	if (d)
		closedir(d);
	if (cJSON_GetArraySize(perms))
		ok = false;
	baton_json_add_bool(o, "ok", ok);
	cJSON_AddItemToObject(o, "logs", logs);
	cJSON_AddItemToObject(o, "permissions", perms);
	*out = o;
	return 0;
}

static const struct baton_arg config_args[] = {
	{ "key", BATON_ARG_STRING, BATON_ARG_POSITIONAL, 0, NULL, "show only this key (section.key)" },
	{ NULL },
};

static int op_config(struct baton_ctx *ctx, const cJSON *args, cJSON **out)
{
	const char *key = baton_json_str(args, "key");
	cJSON *o = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < ctx->config.n; i++) {
		const struct baton_config_item *it = &ctx->config.items[i];
		if (key && strcmp(key, it->key))
			continue;
		cJSON *x = cJSON_CreateObject();
		baton_json_add_str(x, "key", it->key);
		baton_json_add_str(x, "value", baton_config_get(&ctx->config, it->key));
		baton_json_add_str(x, "origin", it->origin);
		cJSON_AddItemToArray(items, x);
	}
	if (key && !cJSON_GetArraySize(items)) {
		const char *v = baton_config_get(&ctx->config, key);
		if (v) {
			cJSON *x = cJSON_CreateObject();
			baton_json_add_str(x, "key", key);
			baton_json_add_str(x, "value", v);
			baton_json_add_str(x, "origin", "env");
			cJSON_AddItemToArray(items, x);
		}
	}
	*out = o;
	return 0;
}

const struct baton_op baton_maint_ops[] = {
	{ "index.rebuild", "index rebuild", "index_rebuild", "index rebuild",
	  "rebuild the index from the logs and the archive", no_args, BATON_OP_MUTATES, op_rebuild },
	{ "index.verify", "index verify", "index_verify", "index verify",
	  "replay everything into a fresh in-memory index and compare it with the one on disk", no_args, 0, op_verify },
	{ "doctor", "doctor", "doctor", "doctor",
	  "check the store: torn or bad log lines, index lag, permissions", no_args, 0, op_doctor },
	{ "config", "config", "config_show", "config [KEY]",
	  "show the configuration in force and where each value comes from", config_args, 0, op_config },
	{ NULL },
};
