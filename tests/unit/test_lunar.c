/*
 * test_lunar.c - the Vietnamese lunar calendar (core/lunar.c): Tết and Giỗ
 * Tổ against the official dates, leap months, the UTC+7 cases where Vietnam
 * and China differ, round trips and lunar dates that do not exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "core/calendar.h"
#include "core/lunar.h"
#include "util/err.h"

struct solar { int y, m, d; };

/*
 * Tết (1/1) and Giỗ Tổ (10/3) per year. 2019-2027: the dates in the yearly
 * notices (data/vn-civil-service-days-off.md, "Lunar cross-check");
 * 2028-2030: vn-requirements.md §7.5.
 */
static const struct {
	int year;
	struct solar tet, gio_to;
} festivals[] = {
	{ 2019, { 2019, 2, 5 }, { 2019, 4, 14 } },
	{ 2020, { 2020, 1, 25 }, { 2020, 4, 2 } },
	{ 2021, { 2021, 2, 12 }, { 2021, 4, 21 } },
	{ 2022, { 2022, 2, 1 }, { 2022, 4, 10 } },
	{ 2023, { 2023, 1, 22 }, { 2023, 4, 29 } },
	{ 2024, { 2024, 2, 10 }, { 2024, 4, 18 } },
	{ 2025, { 2025, 1, 29 }, { 2025, 4, 7 } },
	{ 2026, { 2026, 2, 17 }, { 2026, 4, 26 } },
	{ 2027, { 2027, 2, 6 }, { 2027, 4, 16 } },
	{ 2028, { 2028, 1, 26 }, { 2028, 4, 4 } },
	{ 2029, { 2029, 2, 13 }, { 2029, 4, 23 } },
	{ 2030, { 2030, 2, 2 }, { 2030, 4, 12 } },
};

static void check_to_solar(int ly, int lm, int ld, bool leap, struct solar want)
{
	struct lunar_date l = { ly, lm, ld, leap };
	int y = 0, m = 0, d = 0;
	char what[64];
	snprintf(what, sizeof(what), "lunar %d/%d%s/%d", ld, lm,
		 leap ? "+" : "", ly);
	if (lunar_to_solar(&l, &y, &m, &d) != 0)
		fail_msg("%s: no solar date", what);
	if (y != want.y || m != want.m || d != want.d)
		fail_msg("%s: got %d-%02d-%02d, want %d-%02d-%02d", what, y, m,
			 d, want.y, want.m, want.d);
}

static void check_from_solar(struct solar s, int ly, int lm, int ld, bool leap)
{
	struct lunar_date l;
	assert_int_equal(lunar_from_solar(s.y, s.m, s.d, &l), 0);
	if (l.year != ly || l.month != lm || l.day != ld || l.leap != leap)
		fail_msg("%d-%02d-%02d: got %d/%d%s/%d, want %d/%d%s/%d", s.y,
			 s.m, s.d, l.day, l.month, l.leap ? "+" : "", l.year,
			 ld, lm, leap ? "+" : "", ly);
}

static void test_tet_and_gio_to(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(festivals) / sizeof(festivals[0]); i++) {
		int y = festivals[i].year;
		check_to_solar(y, 1, 1, false, festivals[i].tet);
		check_to_solar(y, 3, 10, false, festivals[i].gio_to);
		check_from_solar(festivals[i].tet, y, 1, 1, false);
		check_from_solar(festivals[i].gio_to, y, 3, 10, false);
	}
}

static void test_last_day_of_year(void **state)
{
	(void)state;
	/* 9441/TB-BNV: 16/02/2026 is 29 tháng Chạp Ất Tỵ (a 29-day month). */
	check_from_solar((struct solar){ 2026, 2, 16 }, 2025, 12, 29, false);
	/* 2024 ends on a 30 tháng Chạp (9/2/2024); 2025 and 2026 on the 29th. */
	check_from_solar((struct solar){ 2024, 2, 9 }, 2023, 12, 30, false);
	int n;
	assert_int_equal(lunar_month_days(2023, 12, false, &n), 0);
	assert_int_equal(n, 30);
	assert_int_equal(lunar_month_days(2025, 12, false, &n), 0);
	assert_int_equal(n, 29);
	/* The notice's last Tết day: 20/02/2026 = mùng 4 Bính Ngọ. */
	check_from_solar((struct solar){ 2026, 2, 20 }, 2026, 1, 4, false);
}

static void test_leap_months(void **state)
{
	(void)state;
	static const struct { int year, leap; } rows[] = {
		{ 2017, 6 }, { 2019, 0 }, { 2020, 4 }, { 2021, 0 },
		{ 2023, 2 }, { 2024, 0 }, { 2025, 6 }, { 2026, 0 },
		{ 2028, 5 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (lunar_leap_month(rows[i].year) != rows[i].leap)
			fail_msg("%d: leap month %d, want %d", rows[i].year,
				 lunar_leap_month(rows[i].year), rows[i].leap);
	}
	/* 2020: tháng 4 nhuận began on 23/5/2020; 2023: tháng 2 nhuận on
	 * 22/3/2023; 2025: tháng 6 nhuận on 25/7/2025. */
	check_to_solar(2020, 4, 1, true, (struct solar){ 2020, 5, 23 });
	check_from_solar((struct solar){ 2020, 5, 23 }, 2020, 4, 1, true);
	check_from_solar((struct solar){ 2020, 5, 22 }, 2020, 4, 30, false);
	check_to_solar(2023, 2, 1, true, (struct solar){ 2023, 3, 22 });
	check_from_solar((struct solar){ 2023, 3, 22 }, 2023, 2, 1, true);
	check_to_solar(2025, 6, 1, true, (struct solar){ 2025, 7, 25 });
	check_to_solar(2025, 7, 1, false, (struct solar){ 2025, 8, 23 });
}

static void test_vietnam_not_china(void **state)
{
	(void)state;
	/*
	 * New moons and solar terms near midnight fall on different civil
	 * days at UTC+7 and UTC+8, which moves months and the leap month:
	 * Vietnam's Tết Ất Sửu was 21/1/1985, China's 20/2/1985 (Hồ Ngọc
	 * Đức, calrules_en.html#comparison).
	 */
	check_from_solar((struct solar){ 1985, 1, 21 }, 1985, 1, 1, false);
	check_from_solar((struct solar){ 1985, 2, 20 }, 1985, 2, 1, false);
	check_to_solar(1985, 1, 1, false, (struct solar){ 1985, 1, 21 });
	/* The range starts with Tết Canh Tý 1900. */
	check_from_solar((struct solar){ 1900, 1, 31 }, 1900, 1, 1, false);
}

static void test_round_trip(void **state)
{
	(void)state;
	/* Every 3rd day over 1900-2199 (and the last day): solar -> lunar
	 * -> solar is the identity. */
	int32_t first = date_to_days(1900, 1, 31);
	int32_t last = date_to_days(2199, 12, 31);
	int n = 0;
	for (int32_t day = first; day <= last + 2; day += 3) {
		if (day > last)
			day = last;
		int y, m, d, y2, m2, d2;
		days_to_date(day, &y, &m, &d);
		struct lunar_date l;
		if (lunar_from_solar(y, m, d, &l))
			fail_msg("%d-%02d-%02d: out of range", y, m, d);
		if (lunar_to_solar(&l, &y2, &m2, &d2) || y2 != y || m2 != m ||
		    d2 != d)
			fail_msg("%d-%02d-%02d -> %d/%d%s/%d -> %d-%02d-%02d",
				 y, m, d, l.day, l.month, l.leap ? "+" : "",
				 l.year, y2, m2, d2);
		n++;
		if (day == last)
			break;
	}
	assert_true(n > 36000);
}

static void test_invalid(void **state)
{
	(void)state;
	struct lunar_date l;
	int y, m, d;
	static const struct lunar_date bad[] = {
		{ 2025, 12, 30, false },	/* Chạp Ất Tỵ has 29 days */
		{ 2026, 4, 1, true },	/* 2026 has no leap month */
		{ 2025, 5, 1, true },	/* 2025's leap month is 6 */
		{ 2025, 13, 1, false },
		{ 2025, 0, 1, false },
		{ 2025, 1, 0, false },
		{ 2025, 1, 31, false },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lunar_to_solar(&bad[i], &y, &m, &d) != MC_EINVALID)
			fail_msg("row %zu: want MC_EINVALID", i);
	l = (struct lunar_date){ 1899, 12, 1, false };
	assert_int_equal(lunar_to_solar(&l, &y, &m, &d), MC_ERANGE);
	l = (struct lunar_date){ 2200, 1, 1, false };
	assert_int_equal(lunar_to_solar(&l, &y, &m, &d), MC_ERANGE);
	assert_int_equal(lunar_from_solar(1900, 1, 30, &l), MC_ERANGE);
	assert_int_equal(lunar_from_solar(2200, 1, 1, &l), MC_ERANGE);
	assert_int_equal(lunar_from_solar(2023, 2, 29, &l), MC_EINVALID);
	assert_int_equal(lunar_from_solar(2024, 2, 29, &l), 0);
	assert_int_equal(lunar_from_solar(2199, 12, 31, &l), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tet_and_gio_to),
		cmocka_unit_test(test_last_day_of_year),
		cmocka_unit_test(test_leap_months),
		cmocka_unit_test(test_vietnam_not_china),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
