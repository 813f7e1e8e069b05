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
	if (!(rk->idf = calloc((size_t)np + 1, sizeof *rk->idf)) || !(rk->freq = calloc((size_t)np + 1, sizeof *rk->freq)))
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

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc, int nval, sqlite3_value **val)
{
	struct baton_rank *rk = nval > 0 ? sqlite3_value_pointer(val[0], BATON_RANK_PTR) : NULL;
	int rc = 0, ninst = 0, ntok = 0;
	if (!rk) {
		sqlite3_result_error(sc, "baton_bm25: no state", -1);
		return;
	}
	if (rk->nphrase < 0 && (rc = rank_init(api, fts, rk))) {
		sqlite3_result_error_code(sc, rc);
		return;
	}
	memset(rk->freq, 0, sizeof *rk->freq * (size_t)rk->nphrase);
	rc = api->xInstCount(fts, &ninst);
	for (int i = 0; !rc && i < ninst; i++) {
		int ip, ic, io;
		if (!(rc = api->xInst(fts, i, &ip, &ic, &io)))
			rk->freq[ip] += 1.0;
	}
	if (!rc)
		rc = api->xColumnSize(fts, -1, &ntok);
	if (rc) {
		sqlite3_result_error_code(sc, rc);
		return;
	}
	/* the same expression, in the same order, as FTS5's fts5Bm25Function */
	double score = 0.0, d = (double)ntok;
	for (int i = 0; i < rk->nphrase; i++)
		score += rk->idf[i] * ((rk->freq[i] * (K1 + 1.0)) / (rk->freq[i] + K1 * (1 - B + B * d / rk->avgdl)));
	sqlite3_result_double(sc, -1.0 * score);
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

void baton_rank_release(struct baton_rank *rk)
{
	if (!rk)
		return;
	free(rk->idf);
	free(rk->freq);
	rk->idf = rk->freq = NULL;
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
			/* under the lock: the query is still running, the connection open */
			sqlite3_interrupt(w->db);
			w->fired = true;
			break;
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
