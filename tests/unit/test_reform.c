/*
 * test_reform.c - core/reform.h: committed vs legal time (one row per
 * rule), time cuts in days and percent, their text, component modes,
 * lookup databases and the report's totals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/reform.h"
#include "util/err.h"

#define WD(n) { DUR_WORKING_DAYS, n }
#define WH(n) { DUR_WORKING_HOURS, n }
#define CD(n) { DUR_CALENDAR_DAYS, n }
#define SD { DUR_SAME_DAY, 0 }

static void test_compare(void **state)
{
	(void)state;
	static const struct {
		struct duration committed, legal;
		enum reform_cmp want;
		int check;	/* reform_check_committed() */
	} rows[] = {
		{ WD(2), WD(5), REFORM_SHORTER, 0 },
		{ WD(5), WD(5), REFORM_EQUAL, 0 },
		{ WD(6), WD(5), REFORM_LONGER, MC_EINVALID },
		{ WH(4), WD(1), REFORM_SHORTER, 0 },
		{ WH(8), WD(1), REFORM_EQUAL, 0 },
		{ WH(12), WD(1), REFORM_LONGER, MC_EINVALID },
		{ WD(1), WH(4), REFORM_LONGER, MC_EINVALID },
		{ SD, WD(3), REFORM_SHORTER, 0 },	/* trong ngày = 1 wd */
		{ SD, SD, REFORM_EQUAL, 0 },
		{ WD(1), SD, REFORM_EQUAL, 0 },
		{ WD(2), SD, REFORM_LONGER, MC_EINVALID },
		{ CD(10), CD(15), REFORM_SHORTER, 0 },
		{ CD(20), CD(15), REFORM_LONGER, MC_EINVALID },
		{ CD(5), WD(5), REFORM_SHORTER, 0 },	/* calendar within working */
		{ CD(7), WD(5), REFORM_INCOMPARABLE, MC_EINVALID },
		{ WD(5), CD(7), REFORM_INCOMPARABLE, MC_EINVALID },
		{ WH(2), CD(1), REFORM_INCOMPARABLE, MC_EINVALID },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct buf err = BUF_INIT;
		enum reform_cmp got = reform_compare(&rows[i].committed,
						     &rows[i].legal);
		if (got != rows[i].want)
			fail_msg("row %zu: compare %d, want %d", i, got,
				 rows[i].want);
		int rc = reform_check_committed(&rows[i].committed,
						&rows[i].legal, &err);
		if (rc != rows[i].check)
			fail_msg("row %zu: check %d, want %d (%s)", i, rc,
				 rows[i].check, err.ptr);
		if (rc)
			assert_true(err.len > 0);
		else
			assert_int_equal(err.len, 0);
		buf_release(&err);
	}
	struct buf err = BUF_INIT;
	struct duration c = WD(6), l = WD(5);
	reform_check_committed(&c, &l, &err);
	assert_non_null(strstr(err.ptr, "6 ngày làm việc dài hơn thời hạn "
				       "luật định (5 ngày làm việc)"));
	buf_release(&err);
}

/* A legal time without unit: a committed time only with the decision. */
static void test_unitless(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	assert_int_equal(reform_check_unitless("1", true, &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(reform_check_unitless("1", false, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "\"1\" không ghi đơn vị"));
	assert_non_null(strstr(err.ptr, "Số quyết định công bố"));
	buf_release(&err);
}

static void test_cut(void **state)
{
	(void)state;
	static const struct {
		struct duration legal, committed;
		bool comparable;
		int cut, pct_tenths;
		const char *text;
	} rows[] = {
		{ WD(5), WD(2), true, 24, 600, "3 ngày làm việc (60,0%)" },
		{ WD(3), WD(2), true, 8, 333, "1 ngày làm việc (33,3%)" },
		{ WD(3), WD(1), true, 16, 667, "2 ngày làm việc (66,7%)" },
		{ WD(1), WH(4), true, 4, 500, "4 giờ làm việc (50,0%)" },
		{ WD(5), WD(5), true, 0, 0, "không rút ngắn" },
		{ WD(3), SD, true, 16, 667, "2 ngày làm việc (66,7%)" },
		{ CD(15), CD(10), true, 5, 333, "5 ngày (33,3%)" },
		{ WD(5), CD(5), false, 0, 0, "không so sánh được" },
		{ WD(8), WD(7), true, 8, 125, "1 ngày làm việc (12,5%)" },
		{ WD(16), WD(15), true, 8, 63, "1 ngày làm việc (6,3%)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct reform_cut c;
		struct buf t = BUF_INIT;
		reform_time_cut(&rows[i].legal, &rows[i].committed, &c);
		reform_cut_format(&c, &t);
		if (c.comparable != rows[i].comparable ||
		    c.cut != rows[i].cut || c.pct_tenths != rows[i].pct_tenths ||
		    strcmp(t.ptr, rows[i].text))
			fail_msg("row %zu: comparable %d cut %d pct %d '%s'", i,
				 c.comparable, c.cut, c.pct_tenths, t.ptr);
		buf_release(&t);
	}
}

static void test_modes_and_lookups(void **state)
{
	(void)state;
	enum component_mode m;
	for (int i = COMP_REQUIRED; i <= COMP_REPLACED; i++) {
		assert_int_equal(reform_mode_parse(reform_mode_name(i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(reform_mode_parse("replaced", &m), MC_EINVALID);
	assert_int_equal(reform_mode_parse(NULL, &m), MC_EINVALID);
	assert_string_equal(reform_mode_label(COMP_REPLACED),
			    "Thay bằng tra cứu dữ liệu");
	assert_string_equal(reform_lookup_name("dan_cu"),
			    "Cơ sở dữ liệu quốc gia về dân cư");
	assert_null(reform_lookup_name("vneid"));
	assert_null(reform_lookup_name(NULL));
}

static void test_totals(void **state)
{
	(void)state;
	struct reform_totals t = { 0 };
	struct reform_row rows[] = {
		{ true, 600, 1, 1 },
		{ true, 333, 0, 0 },
		{ false, 0, 0, 2 },
		{ false, 0, 0, 0 },
	};
	assert_int_equal(reform_totals_avg_tenths(&t), 0);
	for (size_t i = 0; i < 4; i++)
		reform_totals_add(&t, &rows[i]);
	assert_int_equal(t.n_procedures, 4);
	assert_int_equal(t.n_cut, 2);
	assert_int_equal(t.n_simplified, 2);
	assert_int_equal(t.n_components, 4);
	/* (600 + 333) / 2 = 466.5 -> 467 */
	assert_int_equal(reform_totals_avg_tenths(&t), 467);
	struct buf b = BUF_INIT;
	reform_tenths_format(467, &b);
	assert_string_equal(b.ptr, "46,7");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_unitless),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_modes_and_lookups),
		cmocka_unit_test(test_totals),
	};
	return cmocka_run_group_tests_name("reform", tests, NULL, NULL);
}
