/* The context handle's insides, shared by the library's modules (not public). */
#ifndef BATON_CORE_CTX_H
#define BATON_CORE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "baton/baton.h"
#include "baton/config.h"

struct sqlite3;
struct sqlite3_stmt;

struct baton_ctx {
	char *home;            /* store directory */
	char *host;            /* this machine's stable id */
	char *boot_id;         /* this boot's id: the override, else read on first use (run.c) */
	char *cwd;             /* working directory for detection */
	char *log_dir;         /* home/log */
	char *log_path;        /* home/log/<host>.jsonl */
	char *index_path;      /* home/index.db */
	struct sqlite3 *db;    /* the index */
	int log_fd;            /* O_APPEND descriptor on log_path, -1 until first write */
	int lock_timeout_ms;
	bool read_only;
	bool epoch_dirty;      /* a change the caches outside the index must notice (baton_index_note_epoch) */
	bool index_behind;     /* appended with the index not open: baton_index_settle brings it up */
	char *settle_dir;      /* a CLI save's directory, whose current session baton_session_settle leaves */
	char *settle_journal;  /* a session whose journal baton_session_settle renders */

	int64_t now_ms;        /* fixed clock (tests), 0: real */
	uint64_t rng[4];       /* xoshiro256** state for ULIDs */
	int64_t ulid_last_ms;
	uint8_t ulid_last[16];

	struct baton_config config;
	struct { const char *sql; struct sqlite3_stmt *st; } stmts[96]; /* index statement cache */
	int nstmts;
	void *redactor;        /* compiled redaction patterns, made on first use */
	void *zstd;            /* the archive's compression context, made on first use */
	void *git;             /* git state of cwd, read on first use */
	/* ingest progress callback (baton_ingest_set_progress), or NULL */
	void (*progress)(void *ud, int64_t done, int64_t total, int64_t bytes);
	void *progress_ud;
	char err[1024];
};

#endif
