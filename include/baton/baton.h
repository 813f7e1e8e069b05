/* baton — a local-first memory for AI coding-agent work.
 *
 * The umbrella header of the library. Rules that hold for every public function:
 *
 * Errors. Functions return int: 0 on success, one of the negative BATON_E* codes on
 * failure. The message describing the failure is kept on the context handle
 * (baton_errmsg) and stays valid until the next call that fails. Callers propagate
 * codes without rewriting the message.
 *
 * Ownership. What comes back through an `out` pointer (first parameter) belongs to
 * the caller, who frees it with the matching _free (or cJSON_Delete for cJSON, free
 * for char *). What comes back as a return value is borrowed from its parent and
 * lives as long as the parent does. Every _free and _close accepts NULL.
 *
 * The library never prints, never exits and never reads argv. Everything it needs is
 * in the context handle: there are no globals but static const tables.
 */
#ifndef BATON_BATON_H
#define BATON_BATON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BATON_VERSION "0.1.0"

enum {
	BATON_OK = 0,
	BATON_ERROR = -1,      /* anything else: I/O, SQLite, unexpected */
	BATON_ENOTFOUND = -2,  /* a session, entry or file that does not exist */
	BATON_EEXISTS = -3,    /* something that must not exist already does */
	BATON_EINVALID = -4,   /* bad arguments or input: a usage error */
	BATON_ECORRUPT = -5,   /* stored data that does not parse */
	BATON_EGIT = -6,       /* a git operation failed */
	BATON_ENOMEM = -7,     /* out of memory */
	BATON_EBUSY = -8,      /* a lock could not be had within the time allowed */
};

struct baton_ctx;

/* How to open a context. Zero-initialise, then set what you need. */
struct baton_open_opts {
	const char *home;      /* store directory; NULL: $BATON_HOME, else ~/.baton */
	const char *cwd;       /* working directory for repo detection; NULL: getcwd() */
	int64_t now_ms;        /* fixed clock for tests (0: the real clock) */
	uint64_t seed;         /* ULID randomness seed for tests (0: from the OS) */
	bool read_only;        /* do not create the store; fail if it is missing */
	int lock_timeout_ms;   /* how long to wait for the log lock (0: 10000) */
	bool no_catch_up;      /* skip replaying a lagging index on open (doctor) */
	const char *host;      /* host id override (tests, sync); NULL: home/host */
	const char *boot_id;   /* boot id override (tests: a simulated reboot); NULL: the kernel's */
	bool no_index;         /* config and paths only: open the index later with baton_ctx_open_index */
};

/* Open the store at opts->home (creating it, 0700, on first use), open or rebuild
 * the index, and replay any log tail the index has not applied yet.
 * On failure *out is still set when possible so the caller can read baton_errmsg;
 * it must be closed either way. Returns 0 or a BATON_E* code. */
int baton_ctx_open(struct baton_ctx **out, const struct baton_open_opts *opts);
void baton_ctx_close(struct baton_ctx *ctx);

/* Open the index of a context opened with no_index (no-op when it is open), and
 * replay what the logs hold beyond it unless catch_up is false. */
int baton_ctx_open_index(struct baton_ctx *ctx, bool catch_up);

/* Whether a command left work for after its answer (a CLI save: events appended
 * while the index was not open, which its next open would apply anyway; the journal;
 * the directory's current session): baton_session_settle does it. */
bool baton_ctx_pending(const struct baton_ctx *ctx);

/* A description of the files ctx was built from (index, host id, config files, the
 * nearest .baton.toml and repository roots on the way up from cwd): device, inode, size
 * and modification time of each, or its absence. Equal stamps taken at two moments
 * mean a fresh open would read the same configuration and the same index file, so a
 * long-lived process may keep ctx (the MCP server). Appended to out; 0 or BATON_ENOMEM. */
struct strbuf;
int baton_ctx_stamp(const struct baton_ctx *ctx, struct strbuf *out);

/* The message of the last failure; "" when none. Borrowed from ctx. */
const char *baton_errmsg(const struct baton_ctx *ctx);

/* Set the context's error message (printf-style) and return code. For modules. */
int baton_error(struct baton_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Borrowed paths of the open store. */
const char *baton_home(const struct baton_ctx *ctx);
const char *baton_host(const struct baton_ctx *ctx);
const char *baton_cwd(const struct baton_ctx *ctx);

#endif
