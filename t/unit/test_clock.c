#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "baton/clock.h"

static void format_and_parse_round_trip(void **state)
{
	char buf[BATON_TIME_LEN];
	baton_time_format(buf, 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	baton_time_format(buf, 1795370066939LL);
	assert_string_equal(buf, "2026-11-22T17:54:26.939Z");
	int64_t ms;
	assert_int_equal(baton_time_parse(&ms, buf), 0);
	assert_int_equal(ms, 1795370066939LL);
	/* leap day and end of year */
	assert_int_equal(baton_time_parse(&ms, "2024-02-29T23:59:59Z"), 0);
	baton_time_format(buf, ms);
	assert_string_equal(buf, "2024-02-29T23:59:59.000Z");
}

static void parse_forms(void **state)
{
	int64_t ms;
	assert_int_equal(baton_time_parse(&ms, "2026-11-22"), 0);
	assert_int_equal(ms, 1795305600000LL);
	assert_int_equal(baton_time_parse(&ms, "2026-11-22T10:00:00+02:00"), 0);
	assert_int_equal(ms, 1795305600000LL + 8 * 3600000LL);
	assert_int_equal(baton_time_parse(&ms, "2026-11-22T10:00:00.5Z"), 0);
	assert_int_equal(ms % 1000, 500);
	assert_int_equal(baton_time_parse(&ms, "1795305600"), 0);
	assert_int_equal(ms, 1795305600000LL);
	assert_int_equal(baton_time_parse(&ms, "1795305600123"), 0);
	assert_int_equal(ms, 1795305600123LL);
}

static void parse_rejects(void **state)
{
	int64_t ms;
	const char *bad[] = { "", "yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "2026-11-22Tx", "2026-11-22T10:00:00Zjunk",
			      "2026/11/22", "12" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(baton_time_parse(&ms, bad[i]), -1);
}

static void since_relative(void **state)
{
	int64_t ms, now = 1000000000000LL;
	assert_int_equal(baton_time_parse_since(&ms, "2h", now), 0);
	assert_int_equal(ms, now - 2 * 3600000LL);
	assert_int_equal(baton_time_parse_since(&ms, "3d", now), 0);
	assert_int_equal(ms, now - 3 * 86400000LL);
	assert_int_equal(baton_time_parse_since(&ms, "1w", now), 0);
	assert_int_equal(ms, now - 7 * 86400000LL);
	assert_int_equal(baton_time_parse_since(&ms, "2x", now), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_and_parse_round_trip),
		cmocka_unit_test(parse_forms),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(since_relative),
	};
	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
