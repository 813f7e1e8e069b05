#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "baton/clock.h"
#include "ops/search_rank.h"

static sqlite3 *corpus(void)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(text, tool, command, prefix='2 3 4')", NULL, NULL, NULL),
			 SQLITE_OK);
	static const char *const w[] = { "alpha", "beta", "gamma", "delta", "parser", "parse", "cache", "the", "a", "fix" };
	char text[256];
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO f(rowid, text, tool, command) VALUES(?1, ?2, ?3, ?4)", -1, &st, NULL),
			 SQLITE_OK);
	unsigned x = 12345;
	for (int i = 1; i <= 600; i++) {
		size_t n = 0;
		int len = 1 + (int)(x % 40);
		text[0] = 0;
		for (int k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			unsigned r = (x >> 16) % 100;
			/* skewed: "the" is everywhere, "delta" rare */
			const char *word = w[r < 40 ? 7 : r < 55 ? 8 : r < 65 ? 0 : r < 73 ? 1 : r < 80 ? 2 : r < 82 ? 3 : r < 88 ? 4 :
					  r < 92 ? 5 : r < 97 ? 6 : 9];
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", k ? " " : "", word);
		}
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, i % 3 ? NULL : "Bash", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, i % 5 ? NULL : "make fix", -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(baton_rank_register(db), SQLITE_OK);
	return db;
}

/* baton_bm25 bounds each hit's score, and baton_rank_order then gives the best
 * `want` hits with the scores and order of FTS5's bm25() to the bit (no phrase
 * reaches the count cap here); a single phrase's IDF, deferred, included */
static void same_ranking_as_bm25(void **state)
{
	sqlite3 *db = corpus();
	static const char *const queries[] = {
		"delta", "alpha", "the", "par*", "pa*", "\"alpha beta\"", "alpha OR delta", "alpha AND beta",
		"alpha NOT gamma", "NEAR(alpha gamma, 3)", "fix", "bash OR make", "cache* OR \"the the\"", NULL,
	};
	static const int wants[] = { 1, 5, 20, 600 };
	for (const char *const *q = queries; *q; q++) {
		sqlite3_stmt *a, *b_desc, *asc;
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, bm25(f) FROM f WHERE f MATCH ?1 ORDER BY rank, rowid", -1, &a,
						    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, baton_bm25(f, ?2) FROM f WHERE f MATCH ?1 ORDER BY rowid DESC",
						    -1, &b_desc, NULL), SQLITE_OK);
		/* hits in another order than search's walk: the same answers */
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, baton_bm25(f, ?2) FROM f WHERE f MATCH ?1 ORDER BY rowid",
						    -1, &asc, NULL), SQLITE_OK);
		struct baton_rank_hit want[600], got[600];
		int n = 0;
		sqlite3_bind_text(a, 1, *q, -1, SQLITE_STATIC);
		while (sqlite3_step(a) == SQLITE_ROW && n < 600) {
			want[n].id = sqlite3_column_int64(a, 0);
			want[n++].score = sqlite3_column_double(a, 1);
		}
		sqlite3_reset(a);
		assert_true(n > 0);
		for (int defer = 0; defer < 3; defer++) {
			sqlite3_stmt *b = defer < 2 ? b_desc : asc;
			for (size_t w = 0; w < sizeof wants / sizeof *wants; w++) {
				struct baton_rank rk = { .deadline = baton_real_now_ms() + 60000, .defer = defer == 1, .nphrase = -1,
							 .minrow = 1, .maxrow = 600, .table = "f" };
				int m = 0, r;
				sqlite3_bind_text(b, 1, *q, -1, SQLITE_STATIC);
				sqlite3_bind_pointer(b, 2, &rk, BATON_RANK_PTR, NULL);
				while ((r = sqlite3_step(b)) == SQLITE_ROW && m < 600) {
					got[m].id = sqlite3_column_int64(b, 0);
					got[m++].score = sqlite3_column_double(b, 1);
				}
				assert_int_equal(r, SQLITE_DONE);
				sqlite3_reset(b);
				assert_int_equal(m, n);
				int k = baton_rank_order(&rk, db, got, m, wants[w], got[m - 1].id, true);
				assert_int_equal(k, wants[w] < n ? wants[w] : n);
				for (int i = 0; i < k; i++)
					if (got[i].id != want[i].id || got[i].score != want[i].score)
						fail_msg("query '%s' (defer %d, want %d), #%d: row %lld %.17g, bm25() row %lld %.17g", *q,
							 defer, wants[w], i, (long long)got[i].id, got[i].score, (long long)want[i].id,
							 want[i].score);
				/* asked again for all: the rest, in order too */
				assert_int_equal(baton_rank_order(&rk, db, got, m, m, got[m - 1].id, true), n);
				for (int i = 0; i < n; i++)
					assert_true(got[i].id == want[i].id && got[i].score == want[i].score);
				baton_rank_release(&rk);
			}
		}
		sqlite3_finalize(a);
		sqlite3_finalize(b_desc);
		sqlite3_finalize(asc);
	}
	sqlite3_close(db);
}

/* the watchdog stops what the progress handler cannot see: here a statement with no
 * handler at all, that would otherwise run for minutes */
static void watchdog_interrupts(void **state)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) FROM c",
		-1, &st, NULL), SQLITE_OK);
	struct baton_watchdog *w = baton_watchdog_start(db, baton_real_now_ms() + 1);
	assert_non_null(w);
	/* the deadline passed before the statement starts: still stopped (SQLite clears
	 * an interrupt sent while nothing runs) */
	for (int64_t t = baton_real_now_ms(); baton_real_now_ms() < t + 3;)
		;
	assert_int_equal(sqlite3_step(st), SQLITE_INTERRUPT);
	assert_true(baton_watchdog_stop(w));
	sqlite3_finalize(st);
	/* the interrupt ended with that statement */
	assert_int_equal(sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL), SQLITE_OK);

	/* stopped before its deadline: never fires */
	w = baton_watchdog_start(db, baton_real_now_ms() + 3600 * 1000);
	assert_non_null(w);
	assert_int_equal(sqlite3_exec(db, "SELECT 1", NULL, NULL, NULL), SQLITE_OK);
	assert_false(baton_watchdog_stop(w));
	assert_false(baton_watchdog_stop(NULL));
	sqlite3_close(db);
}

/* a phrase counted past the cap: the IDF is estimated, and stays finite and positive */
static void idf_estimate(void **state)
{
	struct baton_rank rk = { .nrow = 1000000, .minrow = 1, .maxrow = 1000000 };
	double all = baton_rank_deferred_idf(&rk, 4000, 1, true);
	double est = baton_rank_deferred_idf(&rk, 4000, 1000000 - 39999, false); /* 4000 in the newest 4% */
	assert_true(all > est && est > 0.0);
	/* 100000 of 1e6: log((1e6 - 1e5 + .5) / (1e5 + .5)) */
	assert_true(est > 2.19 && est < 2.2);
	assert_true(baton_rank_deferred_idf(&rk, 900000, 1, true) == 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_ranking_as_bm25),
		cmocka_unit_test(watchdog_interrupts),
		cmocka_unit_test(idf_estimate),
	};
	return cmocka_run_group_tests_name("search_rank", tests, NULL, NULL);
}
