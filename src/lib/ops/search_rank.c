/* baton_bm25(): FTS5's BM25 with a bounded, interruptible IDF (see search_rank.h). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baton/clock.h"
#include "ops/search_rank.h"

/* FTS5's bm25() constants */
#define K1 1.2
#define B 0.75
/* Matches counted per phrase for its IDF before estimating: a term's doclist is read
 * this far at most (a few ms at worst); a phrase of fewer matches is counted whole. */
#define RANK_IDF_CAP 20000

struct count {
	struct baton_rank *rk;
	int64_t n, stop; /* stop: the rowid at which the cap was reached, or 0 */
};

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *ud)
{
	struct count *c = ud;
	if (++c->n >= RANK_IDF_CAP) {
		c->stop = api->xRowid(fts);
		return SQLITE_DONE;
	}
	if (!(c->n & 255) && baton_real_now_ms() > c->rk->deadline) {
		c->rk->hit_budget = true;
		return SQLITE_INTERRUPT;
	}
	return SQLITE_OK;
}

static double idf_of(int64_t nrow, double n)
{
	/* FTS5's: a phrase in more than half the rows would get a negative IDF */
	double idf = log(((double)nrow - n + 0.5) / (n + 0.5));
	return idf <= 0.0 ? 1e-6 : idf;
}

/* n matches were seen in the rowids [from, maxrow] (or [minrow, from]): at that
 * density over the whole range */
static double extrapolate(const struct baton_rank *rk, double n, int64_t span)
{
	double all = (double)(rk->maxrow - rk->minrow + 1);
	double est = span > 0 && span < all ? n * all / (double)span : n;
	return est > (double)rk->nrow ? (double)rk->nrow : est;
}

static int rank_init(const Fts5ExtensionApi *api, Fts5Context *fts, struct baton_rank *rk)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc, np = api->xPhraseCount(fts);
	if ((rc = api->xRowCount(fts, &nrow)) || (rc = api->xColumnTotalSize(fts, -1, &ntok)))
		return rc;
	rk->nrow = nrow;
	rk->avgdl = (double)ntok / (double)nrow;
	rk->ncol = api->xColumnCount(fts);
	free(rk->idf); /* an earlier try stopped by the budget */
	free(rk->freq);
	free(rk->colmax);
	rk->idf = rk->freq = NULL;
	rk->colmax = NULL;
	if (!(rk->idf = calloc((size_t)np + 1, sizeof *rk->idf)) || !(rk->freq = calloc((size_t)np + 1, sizeof *rk->freq)) ||
	    !(rk->colmax = calloc((size_t)rk->ncol + 1, sizeof *rk->colmax)))
		return SQLITE_NOMEM;
	if (rk->defer && np == 1) {
		rk->idf[0] = 1.0;
	} else {
		rk->defer = false;
		for (int i = 0; i < np; i++) {
			struct count c = { rk, 0, 0 };
			if ((rc = api->xQueryPhrase(fts, i, &c, count_cb)))
				return rc;
			rk->idf[i] = idf_of(nrow, c.stop ? extrapolate(rk, (double)c.n, c.stop - rk->minrow + 1) : (double)c.n);
		}
	}
	rk->nphrase = np;
	return 0;
}

/* the same expression, in the same order, as FTS5's fts5Bm25Function */
static double bm25_of(const struct baton_rank *rk, const double *tf, double d)
{
	double score = 0.0;
	for (int i = 0; i < rk->nphrase; i++)
		score += rk->idf[i] * ((tf[i] * (K1 + 1.0)) / (tf[i] + K1 * (1 - B + B * d / rk->avgdl)));
	return -1.0 * score;
}

static int keep_row(struct baton_rank *rk, int64_t rowid)
{
	if (rk->nrows == rk->caprows) {
		int cap = rk->caprows ? rk->caprows * 2 : 256;
		int64_t *ids = realloc(rk->rowids, sizeof *ids * (size_t)cap);
		if (!ids)
			return SQLITE_NOMEM;
		rk->rowids = ids;
		double *tf = realloc(rk->tf, sizeof *tf * (size_t)cap * (size_t)rk->nphrase);
		if (!tf)
			return SQLITE_NOMEM;
		rk->tf = tf;
		rk->caprows = cap;
	}
	rk->rowids[rk->nrows] = rowid;
	memcpy(rk->tf + (size_t)rk->nrows * (size_t)rk->nphrase, rk->freq, sizeof *rk->freq * (size_t)rk->nphrase);
	rk->nrows++;
	return 0;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc, int nval, sqlite3_value **val)
{
	struct baton_rank *rk = nval > 0 ? sqlite3_value_pointer(val[0], BATON_RANK_PTR) : NULL;
	int rc = 0, ninst = 0;
	if (!rk) {
		sqlite3_result_error(sc, "baton_bm25: no state", -1);
		return;
	}
	if (rk->nphrase < 0 && (rc = rank_init(api, fts, rk))) {
		sqlite3_result_error_code(sc, rc);
		return;
	}
	memset(rk->freq, 0, sizeof *rk->freq * (size_t)rk->nphrase);
	memset(rk->colmax, 0, sizeof *rk->colmax * (size_t)rk->ncol);
	rc = api->xInstCount(fts, &ninst);
	for (int i = 0; !rc && i < ninst; i++) {
		int ip, ic, io;
		if (!(rc = api->xInst(fts, i, &ip, &ic, &io))) {
			rk->freq[ip] += 1.0;
			/* a match at token offset io: the column has at least io + 1 tokens */
			if (ic >= 0 && ic < rk->ncol && io + 1 > rk->colmax[ic])
				rk->colmax[ic] = io + 1;
		}
	}
	if (!rc)
		rc = keep_row(rk, api->xRowid(fts));
	if (rc) {
		sqlite3_result_error_code(sc, rc);
		return;
	}
	int64_t least = 0;
	for (int c = 0; c < rk->ncol; c++)
		least += rk->colmax[c];
	sqlite3_result_double(sc, bm25_of(rk, rk->freq, (double)least));
}

int baton_rank_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
		rc = sqlite3_finalize(st);
	}
	if (rc == SQLITE_OK && !api)
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "baton_bm25", NULL, rank_fn, NULL);
	return rc;
}

double baton_rank_deferred_idf(const struct baton_rank *rk, int64_t nhits, int64_t last, bool all)
{
	if (all)
		return idf_of(rk->nrow, (double)nhits);
	/* the walk went newest first: nhits in [last, maxrow] */
	return idf_of(rk->nrow, extrapolate(rk, (double)nhits, rk->maxrow - last + 1));
}

/* Whether a ranks before b: best first (FTS5's bm25 is negative, lower is better); a
 * tie goes to the older message, as FTS5's ORDER BY rank did. */
static inline bool hit_before(const struct baton_rank_hit *a, const struct baton_rank_hit *b)
{
	return a->score < b->score || (a->score == b->score && a->id < b->id);
}

/* Sort a[0..n) by hit_before, with tmp[0..n) as scratch: a bottom-up
 * merge sort with the comparison inlined. glibc's qsort, calling the comparator
 * through a pointer, was a fifth of a one-word search's instructions (4000 hits). */
static void sort_hits(struct baton_rank_hit *a, int n, struct baton_rank_hit *tmp)
{
	struct baton_rank_hit *src = a, *dst = tmp;
	for (int w = 1; w < n; w *= 2) {
		for (int lo = 0; lo < n; lo += 2 * w) {
			int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			int i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = hit_before(&src[j], &src[i]) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct baton_rank_hit *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, sizeof *a * (size_t)n);
}

struct row_ref {
	int64_t id;
	int row;
};

static int row_cmp(const void *pa, const void *pb)
{
	const struct row_ref *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

/* the kept frequencies of rowid (rows were kept in walk order) */
static const double *tf_of(const struct baton_rank *rk, const struct row_ref *refs, int64_t rowid)
{
	int lo = 0, hi = rk->nrows - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (refs[mid].id == rowid)
			return rk->tf + (size_t)refs[mid].row * (size_t)rk->nphrase;
		if (refs[mid].id < rowid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* the row's length in tokens, as xColumnSize(-1): the sum of its docsize varints */
static int row_length(sqlite3_stmt *st, int64_t rowid, double *out)
{
	sqlite3_bind_int64(st, 1, rowid);
	int r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ? SQLITE_CORRUPT : r;
	}
	const unsigned char *p = sqlite3_column_blob(st, 0);
	int n = sqlite3_column_bytes(st, 0), i = 0;
	int64_t sum = 0;
	while (i < n) {
		uint64_t v = 0;
		int k = 0;
		while (k < 8 && i < n && (p[i] & 0x80)) /* SQLite's varint: 7 bits a byte, big-endian */
			v = (v << 7) | (p[i++] & 0x7f), k++;
		if (i >= n)
			break;
		v = k == 8 ? (v << 8) | p[i++] : (v << 7) | p[i++];
		sum += (int)v; /* FTS5 reads each as a 32-bit int */
	}
	*out = (double)sum;
	sqlite3_reset(st);
	return SQLITE_OK;
}

/* A score computed with an IDF of 1 (-x), with its real IDF: -1.0 * (idf * x), the
 * operations of fts5Bm25Function, so the result is FTS5's to the bit. */
static double scale(double idf, double s)
{
	return -1.0 * (idf * -s);
}

int baton_rank_order(struct baton_rank *rk, sqlite3 *db, struct baton_rank_hit *hits, int nhits, int want, int64_t last,
		     bool all)
{
	sqlite3_stmt *st = NULL;
	struct row_ref *perm = NULL;
	struct baton_rank_hit *tmp = NULL;
	int rc = SQLITE_OK, e = rk->nexact, ntop = 0;
	double *top = NULL, idf = 1.0;
	if (want > nhits)
		want = nhits;
	if (want < 1 || rk->nphrase < 0 || e >= nhits)
		return want < 0 ? 0 : want;
	if (rk->defer)
		idf = baton_rank_deferred_idf(rk, nhits, last, all);
	char *sql = sqlite3_mprintf("SELECT sz FROM \"%w_docsize\" WHERE id = ?1", rk->table);
	if (!sql || !(perm = malloc(sizeof *perm * (size_t)(rk->nrows + 1))) || !(top = malloc(sizeof *top * (size_t)(want + 1))) ||
	    !(tmp = malloc(sizeof *tmp * (size_t)nhits))) {
		rc = SQLITE_NOMEM;
		goto out;
	}
	if (!rk->ordered) {
		/* a deferred IDF scales bounds and scores alike (monotone: bounds stay bounds) */
		if (rk->defer)
			for (int i = 0; i < nhits; i++)
				hits[i].score = scale(idf, hits[i].score);
		sort_hits(hits, nhits, tmp);
		rk->ordered = true;
	}
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)))
		goto out;
	/* the walk went newest first (ORDER BY rowid DESC): the kept rows are then in
	 * descending rowid order, and reversed they are sorted */
	bool desc = true;
	for (int i = 1; i < rk->nrows && desc; i++)
		desc = rk->rowids[i] < rk->rowids[i - 1];
	for (int i = 0; i < rk->nrows; i++)
		perm[i] = desc ? (struct row_ref){ rk->rowids[rk->nrows - 1 - i], rk->nrows - 1 - i }
			       : (struct row_ref){ rk->rowids[i], i };
	if (!desc)
		qsort(perm, (size_t)rk->nrows, sizeof *perm, row_cmp);
	for (int i = 0; i < nhits; i++) {
		if (i >= e) {
			/* every hit from here on scores no better than its bound: done once the
			 * want-th best exact score beats the best bound left (strictly: a tie
			 * could go to an older hit) */
			if (ntop == want && top[want - 1] < hits[i].score)
				break;
			const double *tf = tf_of(rk, perm, hits[i].id);
			double d = 0;
			if (!tf) {
				rc = SQLITE_CORRUPT;
				goto out;
			}
			if ((rc = row_length(st, hits[i].id, &d)))
				goto out;
			hits[i].score = bm25_of(rk, tf, d);
			if (rk->defer)
				hits[i].score = scale(idf, hits[i].score);
			e = i + 1;
		}
		/* keep the want best exact scores, best first */
		int j;
		if (ntop < want)
			j = ntop++;
		else if (hits[i].score < top[want - 1])
			j = want - 1;
		else
			continue;
		while (j > 0 && top[j - 1] > hits[i].score) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = hits[i].score;
	}
	rk->nexact = e;
	sort_hits(hits, e, tmp);
out:
	sqlite3_finalize(st);
	sqlite3_free(sql);
	free(tmp);
	free(perm);
	free(top);
	return rc ? -1 : want;
}

void baton_rank_release(struct baton_rank *rk)
{
	if (!rk)
		return;
	free(rk->idf);
	free(rk->freq);
	free(rk->colmax);
	free(rk->rowids);
	free(rk->tf);
	rk->idf = rk->freq = rk->tf = NULL;
	rk->colmax = rk->rowids = NULL;
}

struct baton_watchdog {
	sqlite3 *db;
	int64_t deadline;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, fired;
};

static void *watchdog_main(void *ud)
{
	struct baton_watchdog *w = ud;
	/* the deadline is in baton_real_now_ms() time (CLOCK_REALTIME), as is the
	 * condition variable's default clock */
	struct timespec ts = { (time_t)(w->deadline / 1000), (long)(w->deadline % 1000) * 1000000L };
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT && !w->stop) {
			/* under the lock: the query is still running, the connection open.
			 * Again each millisecond until stopped: sqlite3_step() clears an
			 * interrupt that arrives while no statement runs, so one sent just
			 * before the query's first step would be lost. */
			sqlite3_interrupt(w->db);
			w->fired = true;
			ts.tv_nsec += 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct baton_watchdog *baton_watchdog_start(sqlite3 *db, int64_t deadline_ms)
{
	struct baton_watchdog *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->db = db;
	w->deadline = deadline_ms;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, watchdog_main, w)) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return NULL;
	}
	return w;
}

bool baton_watchdog_stop(struct baton_watchdog *w)
{
	if (!w)
		return false;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	bool fired = w->fired;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	return fired;
}
