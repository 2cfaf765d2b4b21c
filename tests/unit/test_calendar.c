/*
 * test_calendar.c - working days (core/calendar.c) and the days-off CSV
 * (core/schedule.c): the shipped 2019-2026 schedule, make-up Saturdays,
 * swaps, Tết around the year's turn, the provisional derivation from the
 * Labour Code, and the errors an administrator's import can make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/schedule.h"
#include "util/embed.h"
#include "util/err.h"

#define SHIPPED "data/vn-civil-service-days-off.csv"

struct fixture {
	struct schedule s;
	struct calendar c;
};

static int setup_shipped(void **state)
{
	static struct fixture f;
	struct buf err = BUF_INIT;
	const struct embed_file *ef = embed_find(SHIPPED);
	if (!ef)
		return -1;
	f.s = (struct schedule)SCHEDULE_INIT;
	calendar_init(&f.c, 1900, 2199);
	int rc = schedule_parse(&f.s, (const char *)ef->data, ef->len, &err);
	if (!rc)
		rc = schedule_fill(&f.s, &f.c, &err);
	if (!rc)
		rc = calendar_finish(&f.c, &err);
	if (rc)
		fprintf(stderr, "shipped schedule: %s\n", err.ptr);
	buf_release(&err);
	*state = &f;
	return rc ? -1 : 0;
}

static int teardown_shipped(void **state)
{
	struct fixture *f = *state;
	calendar_release(&f->c);
	schedule_release(&f->s);
	return 0;
}

static bool workday(const struct calendar *c, int y, int m, int d)
{
	bool w = false;
	struct buf err = BUF_INIT;
	if (calendar_is_workday(c, date_to_days(y, m, d), &w, &err))
		fail_msg("%d-%02d-%02d: %s", y, m, d, err.ptr);
	buf_release(&err);
	return w;
}

static void test_dates(void **state)
{
	(void)state;
	assert_int_equal(date_to_days(1970, 1, 1), 0);
	assert_int_equal(date_to_days(1969, 12, 31), -1);
	assert_int_equal(date_to_days(2000, 3, 1), 11017);
	assert_int_equal(days_weekday(date_to_days(2026, 8, 22)), 6);
	assert_int_equal(days_weekday(date_to_days(2026, 8, 31)), 1);
	assert_int_equal(days_weekday(date_to_days(1900, 1, 1)), 1);
	for (int32_t day = date_to_days(1899, 12, 1);
	     day <= date_to_days(2200, 3, 1); day++) {
		int y, m, d;
		days_to_date(day, &y, &m, &d);
		if (!date_valid(y, m, d) || date_to_days(y, m, d) != day)
			fail_msg("day %d -> %d-%d-%d", (int)day, y, m, d);
	}
	assert_false(date_valid(2026, 2, 29));
	assert_true(date_valid(2000, 2, 29));
	assert_false(date_valid(1900, 2, 29));
	assert_false(date_valid(2026, 4, 31));
}

static void test_2026_swap(void **state)
{
	const struct calendar *c = &((struct fixture *)*state)->c;
	/* 9441/TB-BNV: Monday 31/8 off, Saturday 22/8 worked. */
	assert_true(workday(c, 2026, 8, 22));
	assert_false(workday(c, 2026, 8, 31));
	assert_false(workday(c, 2026, 8, 29));
	assert_false(workday(c, 2026, 9, 1));
	assert_false(workday(c, 2026, 9, 2));
	assert_true(workday(c, 2026, 9, 3));
	assert_true(workday(c, 2026, 8, 21));
	assert_false(workday(c, 2026, 8, 23));
	const struct day_entry *e = calendar_entry(c, date_to_days(2026, 8, 22));
	assert_non_null(e);
	assert_int_equal(e->kind, DAY_MAKEUP);
	assert_false(e->provisional);
	/* 12729/VPCP-KGVX: 2/1/2026 off, Saturday 10/1/2026 worked. */
	assert_false(workday(c, 2026, 1, 2));
	assert_true(workday(c, 2026, 1, 10));
	/* Giỗ Tổ on Sunday 26/4/2026: Monday 27/4 off (art. 111 cl. 3). */
	assert_false(workday(c, 2026, 4, 27));
	assert_true(workday(c, 2026, 4, 28));
}

static void test_tet_around_new_year(void **state)
{
	const struct calendar *c = &((struct fixture *)*state)->c;
	/* Tết Bính Ngọ: 29 tháng Chạp Ất Tỵ (16/2) to mùng 4 (20/2). */
	assert_true(workday(c, 2026, 2, 13));
	for (int d = 14; d <= 22; d++)
		assert_false(workday(c, 2026, 2, d));
	assert_true(workday(c, 2026, 2, 23));
	/* The 2019 New Year swap crosses the solar year: 31/12/2018 off,
	 * Saturday 5/1/2019 worked. */
	assert_false(workday(c, 2018, 12, 31));
	assert_false(workday(c, 2019, 1, 1));
	assert_true(workday(c, 2019, 1, 2));
	assert_true(workday(c, 2019, 1, 5));
	/* 2018 itself is not announced: its holidays are derived around the
	 * announced edge row. */
	assert_false(calendar_year_announced(c, 2018));
	const struct day_entry *e = calendar_entry(c, date_to_days(2018, 12, 31));
	assert_non_null(e);
	assert_int_equal(e->kind, DAY_SWAPPED_OFF);
	assert_false(e->provisional);
	e = calendar_entry(c, date_to_days(2018, 2, 16)); /* Tết Mậu Tuất */
	assert_non_null(e);
	assert_true(e->provisional);
	assert_int_equal(e->kind, DAY_HOLIDAY);
}

static void test_derived_2027(void **state)
{
	const struct calendar *c = &((struct fixture *)*state)->c;
	assert_false(calendar_year_announced(c, 2027));
	assert_true(calendar_year_announced(c, 2026));
	/* Tết Đinh Mùi: mùng 1 is Saturday 6/2/2027. Provisional block: 5/2
	 * (last day of Bính Ngọ) to 9/2, plus two compensatory days for the
	 * Saturday and the Sunday: 10/2 and 11/2. */
	for (int d = 5; d <= 11; d++) {
		const struct day_entry *e =
			calendar_entry(c, date_to_days(2027, 2, d));
		if (!e)
			fail_msg("2027-02-%02d: no entry", d);
		assert_true(e->provisional);
		assert_false(workday(c, 2027, 2, d));
	}
	assert_int_equal(calendar_entry(c, date_to_days(2027, 2, 10))->kind,
			 DAY_COMPENSATORY);
	assert_true(workday(c, 2027, 2, 12));
	assert_true(workday(c, 2027, 2, 4));
	/* 1/5/2027 is a Saturday: Monday 3/5 off. */
	assert_false(workday(c, 2027, 5, 3));
	assert_int_equal(calendar_entry(c, date_to_days(2027, 5, 3))->kind,
			 DAY_COMPENSATORY);
	/* Quốc khánh: 2/9/2027 is a Thursday, so 3/9 joins it. */
	assert_false(workday(c, 2027, 9, 2));
	assert_false(workday(c, 2027, 9, 3));
	assert_true(workday(c, 2027, 9, 1));
	/* Giỗ Tổ 16/4/2027 (Friday). */
	assert_false(workday(c, 2027, 4, 16));
}

static void test_sunday_holiday_derived(void **state)
{
	(void)state;
	/* Nothing announced: every year is derived. */
	struct calendar c;
	struct buf err = BUF_INIT;
	calendar_init(&c, 2020, 2035);
	assert_int_equal(calendar_finish(&c, &err), 0);
	/* Giỗ Tổ on Sunday 26/4/2026 -> Monday 27/4. */
	const struct day_entry *e = calendar_entry(&c, date_to_days(2026, 4, 26));
	assert_non_null(e);
	assert_int_equal(e->kind, DAY_HOLIDAY);
	e = calendar_entry(&c, date_to_days(2026, 4, 27));
	assert_non_null(e);
	assert_int_equal(e->kind, DAY_COMPENSATORY);
	assert_true(e->provisional);
	assert_false(workday(&c, 2026, 4, 27));
	/* 30/4/2028 is a Sunday and 1/5 a Monday holiday: Tuesday 2/5 off. */
	assert_int_equal(days_weekday(date_to_days(2028, 4, 30)), 0);
	assert_false(workday(&c, 2028, 5, 2));
	assert_true(workday(&c, 2028, 5, 3));
	/* 2020 is under the 2012 code: Quốc khánh is 2/9 alone. */
	assert_null(calendar_entry(&c, date_to_days(2020, 9, 1)));
	assert_null(calendar_entry(&c, date_to_days(2020, 9, 3)));
	assert_non_null(calendar_entry(&c, date_to_days(2020, 9, 2)));
	/* Outside the range: an error, not a guess. */
	bool w;
	assert_int_equal(calendar_is_workday(&c, date_to_days(2036, 1, 2), &w,
					     &err),
			 MC_ERANGE);
	assert_non_null(strstr(err.ptr, "2036"));
	calendar_release(&c);
	buf_release(&err);
}

/*
 * In 2022 the PM's choices were the provisional defaults (Tết 31/1-4/2,
 * Quốc khánh 1-2/9) and there was no swap: the derivation must give
 * exactly the announced days off.
 */
static void test_derivation_matches_2022(void **state)
{
	const struct fixture *f = *state;
	struct day_entry d[32];
	int n;
	struct buf err = BUF_INIT;
	assert_int_equal(calendar_derive_year(2022, d, 32, &n, &err), 0);
	int32_t from = date_to_days(2022, 1, 1), to = date_to_days(2022, 12, 31);
	for (int32_t day = from; day <= to; day++) {
		bool w = false;
		assert_int_equal(calendar_is_workday(&f->c, day, &w, &err), 0);
		bool announced_off = !w;
		bool derived_off = days_weekday(day) == 0 || days_weekday(day) == 6;
		for (int i = 0; i < n; i++)
			if (d[i].day == day)
				derived_off = d[i].kind != DAY_MAKEUP;
		if (announced_off != derived_off) {
			char s[11];
			schedule_format_day(day, s);
			fail_msg("%s: announced %s, derived %s", s,
				 announced_off ? "off" : "work",
				 derived_off ? "off" : "work");
		}
	}
	assert_int_equal(calendar_derive_year(1899, d, 32, &n, &err), MC_ERANGE);
	assert_int_equal(calendar_derive_year(2022, d, 5, &n, &err), MC_ETOOBIG);
	buf_release(&err);
}

static void test_announced_match_csv(void **state)
{
	const struct fixture *f = *state;
	assert_int_equal(f->s.n_rows, 98);
	for (int i = 0; i < f->s.n_rows; i++) {
		const struct schedule_row *r = &f->s.rows[i];
		const struct day_entry *e = calendar_entry(&f->c, r->day);
		char s[11];
		schedule_format_day(r->day, s);
		if (!e)
			fail_msg("%s: missing", s);
		if (e->kind != r->kind || e->provisional ||
		    strcmp(e->name, r->name))
			fail_msg("%s: %s '%s' (provisional %d)", s,
				 calendar_kind_name(e->kind), e->name,
				 e->provisional);
		bool w;
		struct buf err = BUF_INIT;
		assert_int_equal(calendar_is_workday(&f->c, r->day, &w, &err), 0);
		assert_int_equal(w, r->kind == DAY_MAKEUP);
		buf_release(&err);
	}
	int years[16];
	assert_int_equal(schedule_years(&f->s, years, 16), 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(years[i], 2019 + i);
		assert_true(calendar_year_announced(&f->c, 2019 + i));
	}
	/* Announced years hold no derived entry. */
	for (int i = 0; i < f->c.n_entries; i++) {
		int y, m, d;
		days_to_date(f->c.entries[i].day, &y, &m, &d);
		if (y >= 2019 && y <= 2026)
			assert_false(f->c.entries[i].provisional);
	}
	/* Six make-up Saturdays, one per swapped day. */
	int makeup = 0, swapped = 0;
	for (int i = 0; i < f->s.n_rows; i++) {
		makeup += f->s.rows[i].kind == DAY_MAKEUP;
		swapped += f->s.rows[i].kind == DAY_SWAPPED_OFF;
	}
	assert_int_equal(makeup, 6);
	assert_int_equal(swapped, 6);
}

static void expect_error(const char *csv, const char *want1, const char *want2)
{
	struct schedule s = SCHEDULE_INIT;
	struct buf err = BUF_INIT;
	assert_int_equal(schedule_parse(&s, csv, strlen(csv), &err), MC_EINVALID);
	if (!strstr(err.ptr, want1) || (want2 && !strstr(err.ptr, want2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err.ptr, want1,
			 want2 ? want2 : "");
	schedule_release(&s);
	buf_release(&err);
}

static void test_schedule_errors(void **state)
{
	(void)state;
	const char *h = "date,kind,name,source\n";
	char t[512];
	snprintf(t, sizeof(t), "%s2027-01-01,holiday,Tết,x\n2027-02-30,holiday,X,y\n", h);
	expect_error(t, "line 3: date", "2027-02-30");
	snprintf(t, sizeof(t), "%s2027-01-01,holiday,Tết,x\n27-01-02,holiday,X,y\n", h);
	expect_error(t, "line 3: date", NULL);
	snprintf(t, sizeof(t), "%s2027-01-01,holliday,Tết,x\n", h);
	expect_error(t, "line 2: kind", "holliday");
	snprintf(t, sizeof(t), "%s2027-01-01,holiday,,x\n", h);
	expect_error(t, "line 2: name", NULL);
	/* 2026-08-21 is a Friday: a make-up day must be a weekend day. */
	snprintf(t, sizeof(t), "%s2026-08-21,makeup_workday,Làm bù,x\n", h);
	expect_error(t, "line 2: kind", "Saturday");
	snprintf(t, sizeof(t), "%s2027-01-01,holiday,A,x\n2027-01-04,holiday,B,x\n2027-01-01,compensatory,C,x\n", h);
	expect_error(t, "line 4: date", "twice");
	expect_error("date,kind,source\n2027-01-01,holiday,x\n", "line 1: name", "column");
	expect_error("", "line 1", "header");
	snprintf(t, sizeof(t), "%s2027-01-01,holiday\n", h);
	expect_error(t, "line 2: name", "missing");
	snprintf(t, sizeof(t), "%s1899-12-29,holiday,X,y\n", h);
	expect_error(t, "line 2: date", "1900");
	snprintf(t, sizeof(t), "%s2027-01-01,holiday,\"unterminated\n", h);
	expect_error(t, "line", NULL);
}

static void test_schedule_ok(void **state)
{
	(void)state;
	/* Columns in any order, CR LF, a BOM, blanks, a missing source. */
	const char *t = "\xEF\xBB\xBF" "kind,date,name\r\n"
			"makeup_workday,2027-01-09,Làm bù\r\n"
			"holiday, 2027-01-01 ,Tết Dương lịch\r\n";
	struct schedule s = SCHEDULE_INIT;
	struct buf err = BUF_INIT;
	assert_int_equal(schedule_parse(&s, t, strlen(t), &err), 0);
	assert_int_equal(s.n_rows, 2);
	assert_int_equal(s.rows[0].day, date_to_days(2027, 1, 1));
	assert_string_equal(s.rows[0].source, "");
	assert_int_equal(s.rows[1].kind, DAY_MAKEUP);
	int years[4];
	assert_int_equal(schedule_years(&s, years, 4), 1);
	assert_int_equal(years[0], 2027);

	/* Filled into a calendar, 2027 becomes announced: only its rows. */
	struct calendar c;
	calendar_init(&c, 2026, 2028);
	assert_int_equal(schedule_fill(&s, &c, &err), 0);
	assert_int_equal(calendar_finish(&c, &err), 0);
	assert_true(calendar_year_announced(&c, 2027));
	assert_true(workday(&c, 2027, 1, 9));
	assert_true(workday(&c, 2027, 2, 8)); /* no announced Tết: a workday */
	assert_false(workday(&c, 2028, 1, 26)); /* derived Tết Mậu Thân */
	calendar_release(&c);
	schedule_release(&s);

	int32_t day;
	assert_int_equal(schedule_parse_day("2026-08-22", &day), 0);
	char out[11];
	schedule_format_day(day, out);
	assert_string_equal(out, "2026-08-22");
	assert_int_equal(schedule_parse_day("2026-8-22", &day), MC_EINVALID);
	assert_int_equal(schedule_parse_day("2026-08-2x", &day), MC_EINVALID);
	enum day_kind k;
	assert_int_equal(calendar_kind_parse("swapped_off", &k), 0);
	assert_int_equal(k, DAY_SWAPPED_OFF);
	assert_string_equal(calendar_kind_name(DAY_COMPENSATORY), "compensatory");
	assert_int_equal(calendar_kind_parse("Holiday", &k), MC_EINVALID);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test_setup_teardown(test_2026_swap, setup_shipped,
						teardown_shipped),
		cmocka_unit_test_setup_teardown(test_tet_around_new_year,
						setup_shipped, teardown_shipped),
		cmocka_unit_test_setup_teardown(test_derived_2027, setup_shipped,
						teardown_shipped),
		cmocka_unit_test(test_sunday_holiday_derived),
		cmocka_unit_test_setup_teardown(test_derivation_matches_2022,
						setup_shipped, teardown_shipped),
		cmocka_unit_test_setup_teardown(test_announced_match_csv,
						setup_shipped, teardown_shipped),
		cmocka_unit_test(test_schedule_errors),
		cmocka_unit_test(test_schedule_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
