#include <dlfcn.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baton/fsutil.h"

#include "baton/baton.h"
#include "baton/clock.h"
#include "baton/git.h"
#include "baton/json.h"
#include "core/ctx.h"

/* libgit2 is reached through this table of pointers. In the release binary it is
 * linked statically (BATON_GIT_LINKED): nothing is loaded at start. Elsewhere it is
 * loaded on first use with dlopen, not linked: as a shared library its dependencies
 * (TLS, SSH, Kerberos) cost about 5 ms at every process start, more than a hook's
 * whole budget, and most commands never touch git. The header gives every type, and
 * __typeof__ keeps each pointer's signature checked by the compiler. */
#define GIT_API(X) \
	X(git_libgit2_init) X(git_libgit2_shutdown) X(git_libgit2_opts) X(git_error_last) \
	X(git_repository_open_ext) X(git_repository_is_bare) X(git_repository_workdir) \
	X(git_repository_free) X(git_repository_head) X(git_reference_is_branch) \
	X(git_reference_shorthand) X(git_reference_target) X(git_reference_lookup) \
	X(git_reference_symbolic_target) X(git_reference_free) X(git_oid_tostr) \
	X(git_status_options_init) X(git_status_list_new) X(git_status_list_entrycount) \
	X(git_status_byindex) X(git_status_list_free) X(git_revwalk_new) X(git_revwalk_sorting) \
	X(git_revwalk_push_head) X(git_revwalk_next) X(git_revwalk_free) X(git_commit_lookup) \
	X(git_commit_time) X(git_commit_summary) X(git_commit_author) X(git_commit_free)

struct git_state {
	void *dl;
	int inited;
#define X(f) __typeof__(&f) f;
	GIT_API(X)
#undef X
};

#define G(ctx, f) (((struct git_state *)(ctx)->git)->f)

/* Debian's libgit2 initialises transports baton never uses: with mbedTLS it parses
 * every certificate of the system CA bundle (220 KB: 7-9 ms, most of a save's time in a
 * repository), and it initialises libssh2, which initialises OpenSSL (~1 ms). While
 * libgit2 initialises, these do nothing (libgit2 tolerates an empty CA chain, and
 * libssh2 initialises itself when a session is first made); at any other time they are
 * the real functions, so HTTPS or SSH, were they ever used, would work as before.
 * Linked statically, libgit2 has no SSH at all (ssh_absent.c), so only the two mbedTLS
 * calls are interposed there.
 * How they come between libgit2 and its dependencies depends on how libgit2 is linked:
 * - statically (BATON_GIT_LINKED, the release binary): the linker's --wrap sends
 *   libgit2's calls to __wrap_NAME, and __real_NAME is the library's (Makefile);
 * - dlopen'ed (sanitizer builds, or no static archives): the binary exports the names
 *   (--dynamic-list src/lib/git/interpose.list), a library loaded later binds to the
 *   executable's symbols first, and the real ones are found with dlsym. */
static int git_initialising;
#ifdef BATON_GIT_LINKED
#define INTERPOSE(ret, name, params, args, fail)             \
	ret __real_##name params;                            \
	ret __wrap_##name params;                            \
	ret __wrap_##name params                             \
	{                                                    \
		return git_initialising ? 0 : __real_##name args; \
	}
#else
static void *git_dl; /* the loaded libgit2: its dependencies hold the real functions */
#define INTERPOSE(ret, name, params, args, fail)                      \
	ret name params;                                              \
	ret name params                                               \
	{                                                             \
		ret(*real) params;                                    \
		if (git_initialising)                                 \
			return 0;                                     \
		*(void **)&real = git_dl ? dlsym(git_dl, #name) : NULL; \
		return real ? real args : fail;                       \
	}
#endif
/* -0x2900: MBEDTLS_ERR_X509_FILE_IO_ERROR */
INTERPOSE(int, mbedtls_x509_crt_parse_file, (void *chain, const char *path), (chain, path), -0x2900)
INTERPOSE(int, mbedtls_x509_crt_parse_path, (void *chain, const char *path), (chain, path), -0x2900)
#ifndef BATON_GIT_LINKED /* linked: ssh_absent.c stands in for libgit2's SSH transport */
INTERPOSE(int, libssh2_init, (int flags), (flags), -1)
#endif

#ifdef BATON_GIT_LINKED
static int git_bind(struct baton_ctx *ctx, struct git_state *g)
{
	(void)ctx;
#define X(f) g->f = f;
	GIT_API(X)
#undef X
	return 0;
}
#define git_unbind(g) ((void)(g))
#else
static int git_bind(struct baton_ctx *ctx, struct git_state *g)
{
	static const char *const names[] = { "libgit2.so." LIBGIT2_SOVERSION, "libgit2.so" };
	for (size_t i = 0; i < 2 && !g->dl; i++)
		g->dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!g->dl)
		return baton_error(ctx, BATON_EGIT, "git: cannot load libgit2 (%s): install the libgit2 package", dlerror());
#define X(f)                                                                                 \
	if (!(*(void **)&g->f = dlsym(g->dl, #f))) {                                             \
		dlclose(g->dl);                                                                  \
		return baton_error(ctx, BATON_EGIT, "git: libgit2 lacks %s: install libgit2 %s", #f, \
				   LIBGIT2_SOVERSION);                                           \
	}
	GIT_API(X)
#undef X
	git_dl = g->dl;
	return 0;
}
#define git_unbind(g) dlclose((g)->dl)
#endif

static int git_init(struct baton_ctx *ctx)
{
	if (ctx->git)
		return 0;
	struct git_state *g = calloc(1, sizeof *g);
	if (!g)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	if (git_bind(ctx, g)) {
		free(g);
		return BATON_EGIT;
	}
	git_initialising = 1;
	int init = g->git_libgit2_init();
	git_initialising = 0;
	if (init < 0) {
		git_unbind(g);
		free(g);
		return baton_error(ctx, BATON_EGIT, "git: cannot initialise libgit2");
	}
	g->inited = 1;
	/* owner validation would refuse repositories of other users; baton only reads */
	g->git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	ctx->git = g;
	return 0;
}

void baton_git_state_free(void *git)
{
	struct git_state *g = git;
	if (!g)
		return;
	if (g->inited)
		g->git_libgit2_shutdown();
	/* libgit2 registers thread-local destructors: keep it mapped until exit */
	free(g);
}

static int git_fail(struct baton_ctx *ctx, const char *what, const char *path)
{
	const git_error *e = G(ctx, git_error_last)();
	return baton_error(ctx, BATON_EGIT, "git: %s '%s': %s", what, path, e && e->message ? e->message : "failed");
}

static int open_repo(struct baton_ctx *ctx, git_repository **repo, const char *dir)
{
	int rc = git_init(ctx);
	if (rc)
		return rc;
	int r = G(ctx, git_repository_open_ext)(repo, dir, 0, NULL);
	if (r == GIT_ENOTFOUND)
		return BATON_ENOTFOUND;
	if (r < 0)
		return git_fail(ctx, "cannot open repository at", dir);
	if (G(ctx, git_repository_is_bare)(*repo)) {
		G(ctx, git_repository_free)(*repo);
		*repo = NULL;
		return BATON_ENOTFOUND;
	}
	return 0;
}

static char *workdir_of(struct baton_ctx *ctx, git_repository *repo)
{
	const char *wd = G(ctx, git_repository_workdir)(repo);
	if (!wd)
		return NULL;
	char *s = strdup(wd);
	size_t n = s ? strlen(s) : 0;
	if (n > 1 && s[n - 1] == '/')
		s[n - 1] = '\0';
	return s;
}

/* Discovery walks up looking for ".git" (a directory, or a file in worktrees and
 * submodules) without loading libgit2: every command needs the repository root, few
 * need more, and loading libgit2 costs more than the rest of a hook. */
int baton_git_root(struct baton_ctx *ctx, char **out, const char *dir)
{
	*out = NULL;
	char *d = baton_path_absolute(dir, NULL);
	if (!d)
		return baton_error(ctx, BATON_ENOMEM, "out of memory");
	for (;;) {
		char *g = baton_path_join(d, ".git");
		struct stat st;
		int found = g && stat(g, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode));
		free(g);
		if (found) {
			*out = d;
			return 0;
		}
		char *slash = strrchr(d, '/');
		if (!slash || slash == d)
			break;
		*slash = '\0';
	}
	free(d);
	return 0;
}

void baton_git_snapshot_release(struct baton_git_snapshot *snap)
{
	free(snap->root);
	free(snap->branch);
	free(snap->head_sha);
	for (size_t i = 0; i < snap->nfiles; i++)
		free(snap->files[i]);
	free(snap->files);
	memset(snap, 0, sizeof *snap);
}

int baton_git_snapshot(struct baton_ctx *ctx, struct baton_git_snapshot *out, const char *dir, size_t max_files)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_status_list *list = NULL;
	memset(out, 0, sizeof *out);
	char *root = NULL;
	int rc = baton_git_root(ctx, &root, dir);
	if (rc)
		return rc;
	if (!root)
		return BATON_ENOTFOUND; /* not a repository: no need to load libgit2 */
	free(root);
	if ((rc = open_repo(ctx, &repo, dir)))
		return rc;
	out->root = workdir_of(ctx, repo);

	int r = G(ctx, git_repository_head)(&head, repo);
	if (r == 0) {
		if (G(ctx, git_reference_is_branch)(head))
			out->branch = strdup(G(ctx, git_reference_shorthand)(head));
		const git_oid *oid = G(ctx, git_reference_target)(head);
		if (oid) {
			char hex[GIT_OID_HEXSZ + 1];
			G(ctx, git_oid_tostr)(hex, sizeof hex, oid);
			out->head_sha = strdup(hex);
		}
	} else if (r == GIT_EUNBORNBRANCH) {
		/* no commit yet: the branch name is where HEAD points */
		git_reference *sym = NULL;
		if (G(ctx, git_reference_lookup)(&sym, repo, "HEAD") == 0) {
			const char *t = G(ctx, git_reference_symbolic_target)(sym);
			if (t && !strncmp(t, "refs/heads/", 11))
				out->branch = strdup(t + 11);
			G(ctx, git_reference_free)(sym);
		}
	}

	git_status_options so;
	G(ctx, git_status_options_init)(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (G(ctx, git_status_list_new)(&list, repo, &so) < 0) {
		rc = git_fail(ctx, "cannot read status of", dir);
		goto out;
	}
	size_t n = G(ctx, git_status_list_entrycount)(list);
	out->total_changed = n;
	out->dirty = n > 0;
	size_t keep = n < max_files ? n : max_files;
	out->files = keep ? calloc(keep, sizeof *out->files) : NULL;
	for (size_t i = 0; i < keep && out->files; i++) {
		const git_status_entry *e = G(ctx, git_status_byindex)(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
		const char *p = d ? (d->new_file.path ? d->new_file.path : d->old_file.path) : NULL;
		if (p && (out->files[out->nfiles] = strdup(p)))
			out->nfiles++;
	}
out:
	G(ctx, git_status_list_free)(list);
	G(ctx, git_reference_free)(head);
	G(ctx, git_repository_free)(repo);
	if (rc)
		baton_git_snapshot_release(out);
	return rc;
}

int baton_git_commits(struct baton_ctx *ctx, cJSON **out, const char *root, int64_t since_ms,
		      int64_t until_ms, int max)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	*out = NULL;
	int rc = open_repo(ctx, &repo, root);
	if (rc == BATON_ENOTFOUND)
		return baton_error(ctx, BATON_ENOTFOUND, "git: '%s' is not in a repository", root);
	if (rc)
		return rc;
	cJSON *arr = cJSON_CreateArray();
	if (!arr) {
		rc = baton_error(ctx, BATON_ENOMEM, "out of memory");
		goto out;
	}
	if (G(ctx, git_revwalk_new)(&walk, repo) < 0) {
		rc = git_fail(ctx, "cannot walk history of", root);
		goto out;
	}
	G(ctx, git_revwalk_sorting)(walk, GIT_SORT_TIME);
	if (G(ctx, git_revwalk_push_head)(walk) < 0) {
		/* an unborn branch has no history: an empty list */
		*out = arr;
		arr = NULL;
		goto out;
	}
	git_oid oid;
	int count = 0;
	/* commit times are in seconds: widen the window to whole seconds */
	int64_t since_s = since_ms / 1000, until_s = until_ms ? (until_ms + 999) / 1000 : 0;
	while ((max <= 0 || count < max) && G(ctx, git_revwalk_next)(&oid, walk) == 0) {
		git_commit *c = NULL;
		if (G(ctx, git_commit_lookup)(&c, repo, &oid) < 0)
			continue;
		int64_t t = (int64_t)G(ctx, git_commit_time)(c);
		if (t < since_s) {
			/* time-sorted walk: everything further is older (clock skew aside) */
			G(ctx, git_commit_free)(c);
			break;
		}
		if (!until_s || t <= until_s) {
			char hex[GIT_OID_HEXSZ + 1], ts[BATON_TIME_LEN];
			G(ctx, git_oid_tostr)(hex, sizeof hex, &oid);
			baton_time_format(ts, t * 1000);
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, o);
			baton_json_add_str(o, "hash", hex);
			const char *msg = G(ctx, git_commit_summary)(c);
			baton_json_add_str(o, "message", msg ? msg : "");
			baton_json_add_str(o, "timestamp", ts);
			const git_signature *a = G(ctx, git_commit_author)(c);
			baton_json_add_str(o, "author", a && a->name ? a->name : "");
			count++;
		}
		G(ctx, git_commit_free)(c);
	}
	*out = arr;
	arr = NULL;
out:
	cJSON_Delete(arr);
	G(ctx, git_revwalk_free)(walk);
	G(ctx, git_repository_free)(repo);
	return rc;
}
