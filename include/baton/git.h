/* Git, through libgit2 (no fork on the hot path): repository discovery, the snapshot
 * of a working tree (branch, head, dirty, changed files) and commits in a time frame. */
#ifndef BATON_GIT_H
#define BATON_GIT_H

#include "baton/cjson.h"
#include <stdbool.h>
#include <stdint.h>

struct baton_ctx;

/* The repository root (work tree) containing dir, malloc'd into *out; *out = NULL
 * (and 0 returned) when dir is not in a repository. */
int baton_git_root(struct baton_ctx *ctx, char **out, const char *dir);

struct baton_git_snapshot {
	char *root;        /* work tree root */
	char *branch;      /* short name; NULL when detached */
	char *head_sha;    /* full hex; NULL on an unborn branch */
	bool dirty;        /* tracked changes or untracked files */
	char **files;      /* changed paths relative to root, at most max_files */
	size_t nfiles;
	size_t total_changed; /* all changed paths, even beyond max_files */
};

/* Snapshot of the repository containing dir. Returns BATON_ENOTFOUND when dir is not
 * in a repository. max_files bounds the list of changed files kept. */
int baton_git_snapshot(struct baton_ctx *ctx, struct baton_git_snapshot *out, const char *dir, size_t max_files);
void baton_git_snapshot_release(struct baton_git_snapshot *snap);

/* Commits reachable from HEAD of the repository at root whose commit time is in
 * [since_ms, until_ms] (until_ms 0: no upper bound), newest first, at most max.
 * *out: array of {"hash","message","timestamp","author"} (caller's). */
int baton_git_commits(struct baton_ctx *ctx, cJSON **out, const char *root, int64_t since_ms,
		      int64_t until_ms, int max);

/* Free the per-context git state (called by baton_ctx_close). */
void baton_git_state_free(void *git);

#endif
