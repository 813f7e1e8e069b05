/* BM25 for search as an FTS5 auxiliary function, baton_bm25(messages_fts, ?state):
 * FTS5's own bm25() with the same formula and constants, but with a bounded cost
 * before the first row and a time budget it honours.
 *
 * FTS5's bm25() computes each phrase's IDF on the first row by matching the phrase
 * over the whole corpus, inside one SQL function call where neither the progress
 * handler nor sqlite3_interrupt() can stop it: "the" read a 1.2M-entry doclist, a
 * phrase of two common words re-matched positions in hundreds of thousands of rows,
 * and `pro* AND ca*` ran 224 ms with a 5 ms budget. Here:
 *  - a query of one phrase without filters (most searches) defers its IDF: a
 *    constant factor does not change the order, and the walk over the hits that
 *    follows counts them (exact when every hit is walked, the window's density
 *    otherwise); baton_rank_finish() applies it;
 *  - otherwise each phrase is counted up to RANK_IDF_CAP matches (oldest first); a
 *    phrase with more is estimated from how far into the rowid range the cap was
 *    reached. Below the cap the IDF, and so the score, is FTS5's to the bit;
 *  - the count checks the deadline and stops the statement with SQLITE_INTERRUPT. */
#ifndef BATON_OPS_SEARCH_RANK_H
#define BATON_OPS_SEARCH_RANK_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct baton_rank {
	/* in */
	int64_t deadline;       /* baton_real_now_ms() past which the count gives up */
	bool defer;             /* one phrase: leave its IDF to baton_rank_order */
	int64_t minrow, maxrow; /* the rowid range of the indexed messages */
	const char *table;      /* the FTS5 table (its _docsize shadow table is read) */
	/* out */
	bool hit_budget;        /* the deadline passed inside the function */
	int nphrase;            /* -1 until the first row */
	int64_t nrow;
	double avgdl;
	double *idf, *freq;
	int ncol;
	int64_t *colmax;
	/* what each row scored was bounded from (see baton_rank_order) */
	int64_t *rowids;
	double *tf; /* nphrase per row */
	int nrows, caprows;
	bool ordered;
	int nexact; /* hits whose exact score is known (baton_rank_order) */
};

/* A hit: its rowid and its score (bm25's sign: lower is better). */
struct baton_rank_hit {
	int64_t id;
	double score;
};

/* The sqlite3_bind_pointer type of the state argument. */
#define BATON_RANK_PTR "baton_rank"

/* Make baton_bm25() known to db (once per connection: a second call is harmless
 * but keeps another copy registered). 0 or an SQLite error code. */
int baton_rank_register(sqlite3 *db);

/* The IDF of a deferred single phrase: nhits hits were walked newest first, the last
 * (the oldest) at rowid last; all is true when the walk read every hit. */
double baton_rank_deferred_idf(const struct baton_rank *rk, int64_t nhits, int64_t last, bool all);

/* baton_bm25() does not read each row's length (FTS5's docsize table: at a million
 * messages, a page read per hit, most of a search's time). It returns an upper bound
 * of the row's BM25, taking the length as the least the row's match offsets allow,
 * and keeps the phrase frequencies. This puts hits[0..return) in their final order
 * with exact scores, reading lengths only while a hit could still be among the best
 * `want` (an unread hit's bound is worse than the want-th exact score): the top
 * `want` are those BM25 gives, to the bit. hits[] hold what baton_bm25 returned;
 * nhits, last, all as for baton_rank_deferred_idf. Returns min(want, nhits), or -1
 * with an SQLite error on db. Call again with a larger want for more. */
int baton_rank_order(struct baton_rank *rk, sqlite3 *db, struct baton_rank_hit *hits, int nhits, int want, int64_t last,
		     bool all);

void baton_rank_release(struct baton_rank *rk);

/* A watchdog that calls sqlite3_interrupt(db) at deadline_ms (baton_real_now_ms
 * time), and each millisecond after, until stopped. Stop it before any statement
 * that must not be interrupted, and leave no other statement running meanwhile. The progress handler runs between VDBE instructions
 * only, and FTS5 merges doclists (a long prefix, a phrase of common words) inside a
 * single one. */
struct baton_watchdog;

/* NULL when the thread cannot start (the query then runs without it). */
struct baton_watchdog *baton_watchdog_start(sqlite3 *db, int64_t deadline_ms);

/* Stop and join; true when it fired. Accepts NULL. After it returns, db is not
 * interrupted by it any more (a fired interrupt ends with the statements it hit:
 * SQLite clears it when no statement is running). */
bool baton_watchdog_stop(struct baton_watchdog *w);

#endif
