/*
 * test_duration.c - the processing-time parser: one row per catalog
 * phrase shape (procedures.csv) and per refusal; codes and formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/duration.h"
#include "util/err.h"

struct row {
	const char *text;
	int rc;
	enum duration_unit unit;
	int amount;
};

static const struct row rows[] = {
	/* The four phrases. */
	{ "3 ngày làm việc", 0, DUR_WORKING_DAYS, 3 },
	{ "04 giờ làm việc", 0, DUR_WORKING_HOURS, 4 },
	{ "Trong ngày", 0, DUR_SAME_DAY, 0 },
	{ "15 ngày", 0, DUR_CALENDAR_DAYS, 15 },
	/* The catalog's capitalisation (procedures.csv). */
	{ "5 Ngày làm việc", 0, DUR_WORKING_DAYS, 5 },
	{ "30 Ngày", 0, DUR_CALENDAR_DAYS, 30 },
	{ "8 Giờ", 0, DUR_WORKING_HOURS, 8 },
	{ "1 Ngày", 0, DUR_CALENDAR_DAYS, 1 },
	/* Without diacritics, upper case, odd spacing, NFD input. */
	{ "3 ngay lam viec", 0, DUR_WORKING_DAYS, 3 },
	{ "3 NGÀY LÀM VIỆC", 0, DUR_WORKING_DAYS, 3 },
	{ "  10\tngày   làm  việc ", 0, DUR_WORKING_DAYS, 10 },
	{ "2 nga\xcc\x80y la\xcc\x80m vie\xcc\xa3\xcc\x82\x63", 0,
	  DUR_WORKING_DAYS, 2 },
	{ "12ngày", 0, DUR_CALENDAR_DAYS, 12 },
	/* Same day phrases. */
	{ "ngay", 0, DUR_SAME_DAY, 0 },
	{ "Ngay trong ngày", 0, DUR_SAME_DAY, 0 },
	{ "trong ngay", 0, DUR_SAME_DAY, 0 },
	{ "Trong ngày làm việc (nếu nhận sau 15 giờ thì trả trong ngày "
	  "làm việc tiếp theo)", 0, DUR_SAME_DAY, 0 },
	/* Prefixes and trailing qualifiers. */
	{ "Không quá 05 ngày làm việc", 0, DUR_WORKING_DAYS, 5 },
	{ "Trong 03 ngày làm việc kể từ ngày nhận đủ hồ sơ", 0,
	  DUR_WORKING_DAYS, 3 },
	{ "Tối đa 2 ngày", 0, DUR_CALENDAR_DAYS, 2 },
	{ "2 tuần", 0, DUR_CALENDAR_DAYS, 14 },
	{ "0 ngày làm việc", 0, DUR_WORKING_DAYS, 0 },
	{ "3650 ngày", 0, DUR_CALENDAR_DAYS, 3650 },
	/* Refused: no unit (the catalog's bare "1"), no amount, fractions. */
	{ "1", MC_EINVALID, 0, 0 },
	{ "", MC_EINVALID, 0, 0 },
	{ "   ", MC_EINVALID, 0, 0 },
	{ "Ngày", MC_EINVALID, 0, 0 },
	{ "ngày làm việc", MC_EINVALID, 0, 0 },
	{ "0,5 ngày làm việc", MC_EINVALID, 0, 0 },
	{ "1.5 giờ", MC_EINVALID, 0, 0 },
	{ "-3 ngày làm việc", MC_EINVALID, 0, 0 },
	{ "3651 ngày", MC_EINVALID, 0, 0 },
	{ "99999999999 ngày", MC_EINVALID, 0, 0 },
	{ "6 Tháng", MC_EINVALID, 0, 0 },
	{ "Không quy định", MC_EINVALID, 0, 0 },
	{ "3 ngàyx", MC_EINVALID, 0, 0 },
	{ "Không phải trả kết quả cho người nộp thuế", MC_EINVALID, 0, 0 },
};

static void test_parse_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct duration d = { DUR_SAME_DAY, -1 };
		struct buf err = BUF_INIT;
		int rc = duration_parse(rows[i].text, &d, &err);
		if (rc != rows[i].rc)
			fail_msg("'%s': rc %d, want %d (%s)", rows[i].text, rc,
				 rows[i].rc, err.ptr);
		if (rc == 0 && (d.unit != rows[i].unit ||
				d.amount != rows[i].amount))
			fail_msg("'%s': unit %d amount %d, want %d %d",
				 rows[i].text, d.unit, d.amount, rows[i].unit,
				 rows[i].amount);
		if (rc != 0)
			assert_true(err.len > 0);
		buf_release(&err);
	}
}

static void test_format_and_code(void **state)
{
	(void)state;
	static const struct {
		struct duration d;
		const char *text, *code;
	} cases[] = {
		{ { DUR_WORKING_DAYS, 3 }, "3 ngày làm việc", "3wd" },
		{ { DUR_WORKING_HOURS, 4 }, "4 giờ làm việc", "4wh" },
		{ { DUR_CALENDAR_DAYS, 15 }, "15 ngày", "15cd" },
		{ { DUR_SAME_DAY, 0 }, "Trong ngày", "0sd" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct buf b = BUF_INIT, err = BUF_INIT;
		duration_format(&cases[i].d, &b);
		assert_string_equal(b.ptr, cases[i].text);
		/* The canonical text parses back to the same duration. */
		struct duration back;
		assert_int_equal(duration_parse(b.ptr, &back, &err), 0);
		assert_int_equal(back.unit, cases[i].d.unit);
		assert_int_equal(back.amount, cases[i].d.amount);
		buf_reset(&b);
		duration_code(&cases[i].d, &b);
		assert_string_equal(b.ptr, cases[i].code);
		assert_int_equal(duration_from_code(b.ptr, &back, &err), 0);
		assert_int_equal(back.unit, cases[i].d.unit);
		assert_int_equal(back.amount, cases[i].d.amount);
		buf_release(&b);
		buf_release(&err);
	}
}

static void test_bad_codes(void **state)
{
	(void)state;
	static const char *const bad[] = { "", "wd", "3", "3xd", "3wdx",
					   "-3wd", "2sd", "3651cd", "3 wd" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct duration d;
		struct buf err = BUF_INIT;
		if (duration_from_code(bad[i], &d, &err) != MC_EINVALID)
			fail_msg("code '%s' accepted", bad[i]);
		assert_true(err.len > 0);
		buf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_format_and_code),
		cmocka_unit_test(test_bad_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
