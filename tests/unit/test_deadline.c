/*
 * test_deadline.c - the deadline engine (core/deadline.h) and its time
 * helpers (core/mctime.h): one table row per rule and per known bug,
 * classification, elapsed time, progress, step split, then properties
 * over many pseudo-random receipts. The calendar is a fixture: the
 * announced 2024-2026 schedule (data/vn-civil-service-days-off.csv)
 * added with calendar_add; 2023 and 2027 are derived by calendar.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/duration.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "util/err.h"

/* ---- fixture ------------------------------------------------------------ */

static const struct {
	const char *date;
	enum day_kind kind;
} schedule[] = {
	/* 2024 */
	{ "2024-01-01", DAY_HOLIDAY }, { "2024-02-08", DAY_HOLIDAY },
	{ "2024-02-09", DAY_HOLIDAY }, { "2024-02-12", DAY_HOLIDAY },
	{ "2024-02-13", DAY_COMPENSATORY }, { "2024-02-14", DAY_COMPENSATORY },
	{ "2024-04-18", DAY_HOLIDAY }, { "2024-04-29", DAY_SWAPPED_OFF },
	{ "2024-04-30", DAY_HOLIDAY }, { "2024-05-01", DAY_HOLIDAY },
	{ "2024-05-04", DAY_MAKEUP }, { "2024-09-02", DAY_HOLIDAY },
	{ "2024-09-03", DAY_HOLIDAY },
	/* 2025 */
	{ "2025-01-01", DAY_HOLIDAY }, { "2025-01-27", DAY_HOLIDAY },
	{ "2025-01-28", DAY_HOLIDAY }, { "2025-01-29", DAY_HOLIDAY },
	{ "2025-01-30", DAY_HOLIDAY }, { "2025-01-31", DAY_HOLIDAY },
	{ "2025-04-07", DAY_HOLIDAY }, { "2025-04-26", DAY_MAKEUP },
	{ "2025-04-30", DAY_HOLIDAY }, { "2025-05-01", DAY_HOLIDAY },
	{ "2025-05-02", DAY_SWAPPED_OFF }, { "2025-09-01", DAY_HOLIDAY },
	{ "2025-09-02", DAY_HOLIDAY },
	/* 2026 (Thông báo 9441/TB-BNV) */
	{ "2026-01-01", DAY_HOLIDAY }, { "2026-01-02", DAY_SWAPPED_OFF },
	{ "2026-01-10", DAY_MAKEUP }, { "2026-02-16", DAY_HOLIDAY },
	{ "2026-02-17", DAY_HOLIDAY }, { "2026-02-18", DAY_HOLIDAY },
	{ "2026-02-19", DAY_HOLIDAY }, { "2026-02-20", DAY_HOLIDAY },
	{ "2026-04-27", DAY_COMPENSATORY }, { "2026-04-30", DAY_HOLIDAY },
	{ "2026-05-01", DAY_HOLIDAY }, { "2026-08-22", DAY_MAKEUP },
	{ "2026-08-31", DAY_SWAPPED_OFF }, { "2026-09-01", DAY_HOLIDAY },
	{ "2026-09-02", DAY_HOLIDAY },
};

static struct calendar cal;

static int32_t day_of(const char *ymd)
{
	int y = (int)strtol(ymd, NULL, 10);
	int m = (int)strtol(ymd + 5, NULL, 10);
	int d = (int)strtol(ymd + 8, NULL, 10);
	return date_to_days(y, m, d);
}

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	calendar_init(&cal, 2023, 2027);
	for (size_t i = 0; i < sizeof(schedule) / sizeof(*schedule); i++)
		if (calendar_add(&cal, day_of(schedule[i].date),
				 schedule[i].kind, "fixture", &err))
			fail_msg("calendar_add %s: %s", schedule[i].date,
				 err.ptr);
	if (calendar_finish(&cal, &err))
		fail_msg("calendar_finish: %s", err.ptr);
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	calendar_release(&cal);
	return 0;
}

static mc_time T(const char *s)
{
	mc_time t = 0;
	struct buf err = BUF_INIT;
	if (mctime_parse(s, &t, &err))
		fail_msg("bad time in test: %s", err.ptr);
	buf_release(&err);
	return t;
}

static const char *fmt(mc_time t, char out[32])
{
	struct buf b = BUF_INIT;
	mctime_format_local(t, &b);
	snprintf(out, 32, "%s", b.ptr);
	buf_release(&b);
	return out;
}

#define SAT_DESK "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30; cutoff 15:00"

static void engine(struct deadline *d, const char *desk,
		   enum deadline_count count, bool rest_count)
{
	struct officehours oh;
	struct deadline_policy pol;
	struct buf err = BUF_INIT;
	if (desk) {
		if (officehours_parse(desk, &oh, &err))
			fail_msg("desk '%s': %s", desk, err.ptr);
	} else {
		officehours_default(&oh);
	}
	deadline_policy_default(&pol);
	pol.count = count;
	pol.rest_day_sessions_count = rest_count;
	if (deadline_init(d, &cal, &oh, &pol, &err))
		fail_msg("deadline_init: %s", err.ptr);
	buf_release(&err);
}

/* "A/B;A/B" -> pauses (at most 8). */
static int parse_pauses(const char *s, struct deadline_pause *p)
{
	int n = 0;
	char tmp[24];
	while (s && *s) {
		const char *slash = strchr(s, '/');
		const char *semi = strchr(s, ';');
		size_t la = (size_t)(slash - s);
		size_t lb = semi ? (size_t)(semi - slash - 1) : strlen(slash + 1);
		memcpy(tmp, s, la);
		tmp[la] = '\0';
		p[n].start = T(tmp);
		memcpy(tmp, slash + 1, lb);
		tmp[lb] = '\0';
		p[n].end = T(tmp);
		n++;
		s = semi ? semi + 1 : NULL;
	}
	return n;
}

/* ---- the table ---------------------------------------------------------- */

enum { DAYEND = DL_COUNT_DAY_END, HOUREX = DL_COUNT_HOUR_EXACT };

struct row {
	const char *name;
	const char *desk;	/* NULL: the default desk */
	int count;
	bool rest_count;
	const char *received;
	const char *duration;	/* a catalog phrase */
	const char *pauses;	/* "A/B;A/B" or NULL */
	const char *restart;	/* or NULL */
	const char *want;	/* local "YYYY-MM-DD HH:MM", NULL on error */
	int want_rc;
};

static const struct row rows[] = {
	/* Receipt rules. */
	{ "Friday-evening receipt counts from Monday; day 1 is Tuesday",
	  NULL, DAYEND, false, "2026-03-06 17:30", "3 ngày làm việc", NULL,
	  NULL, "2026-03-12 17:00", 0 },
	{ "11:29 is inside the morning session", NULL, DAYEND, false,
	  "2026-03-10 11:29", "2 ngày làm việc", NULL, NULL,
	  "2026-03-12 17:00", 0 },
	{ "11:29 + 4 working hours skips lunch and night", NULL, DAYEND, false,
	  "2026-03-10 11:29", "04 giờ làm việc", NULL, NULL,
	  "2026-03-11 07:59", 0 },
	{ "11:31 (lunch) counts from 13:30", NULL, DAYEND, false,
	  "2026-03-10 11:31", "04 giờ làm việc", NULL, NULL,
	  "2026-03-11 08:00", 0 },
	{ "11:31 working days: the same receipt day", NULL, DAYEND, false,
	  "2026-03-10 11:31", "2 ngày làm việc", NULL, NULL,
	  "2026-03-12 17:00", 0 },
	{ "14:59 before the cut-off", NULL, DAYEND, false, "2026-03-10 14:59",
	  "1 ngày làm việc", NULL, NULL, "2026-03-11 17:00", 0 },
	{ "14:59 same day ends at today's close", NULL, DAYEND, false,
	  "2026-03-10 14:59", "Trong ngày", NULL, NULL, "2026-03-10 17:00", 0 },
	{ "15:00 is not after 15:00", NULL, DAYEND, false, "2026-03-10 15:00",
	  "Trong ngày", NULL, NULL, "2026-03-10 17:00", 0 },
	{ "15:01 same day ends at the next working day's close", NULL, DAYEND,
	  false, "2026-03-10 15:01", "Trong ngày", NULL, NULL,
	  "2026-03-11 17:00", 0 },
	{ "15:01 working days: day 1 is the day after the next", NULL, DAYEND,
	  false, "2026-03-10 15:01", "1 ngày làm việc", NULL, NULL,
	  "2026-03-12 17:00", 0 },
	{ "15:01 working hours count from the next morning", NULL, DAYEND,
	  false, "2026-03-10 15:01", "4 giờ làm việc", NULL, NULL,
	  "2026-03-11 11:30", 0 },
	{ "17:01 after the close", NULL, DAYEND, false, "2026-03-10 17:01",
	  "1 ngày làm việc", NULL, NULL, "2026-03-12 17:00", 0 },
	{ "17:01 same day", NULL, DAYEND, false, "2026-03-10 17:01", "ngay",
	  NULL, NULL, "2026-03-11 17:00", 0 },
	{ "06:45 before opening counts from 07:30", NULL, DAYEND, false,
	  "2026-03-10 06:45", "4 giờ làm việc", NULL, NULL,
	  "2026-03-10 11:30", 0 },
	{ "0 working days is the close of the receipt day", NULL, DAYEND,
	  false, "2026-03-10 10:00", "0 ngày làm việc", NULL, NULL,
	  "2026-03-10 17:00", 0 },
	{ "cutoff none: 16:00 still counts today", "mon-fri 07:30-11:30,"
	  "13:30-17:00; cutoff none", DAYEND, false, "2026-03-10 16:00",
	  "1 ngày làm việc", NULL, NULL, "2026-03-11 17:00", 0 },
	/* Holidays and the 2026 schedule. */
	{ "a holiday inside the window (30/4, 1/5)", NULL, DAYEND, false,
	  "2026-04-29 09:00", "3 ngày làm việc", NULL, NULL,
	  "2026-05-06 17:00", 0 },
	{ "the make-up Saturday 22/8/2026 is day 1", NULL, DAYEND, false,
	  "2026-08-21 10:00", "1 ngày làm việc", NULL, NULL,
	  "2026-08-22 17:00", 0 },
	{ "a make-up Saturday keeps weekday hours (Saturday desk)", SAT_DESK,
	  DAYEND, false, "2026-08-22 14:00", "Trong ngày", NULL, NULL,
	  "2026-08-22 17:00", 0 },
	{ "after the cut-off on the make-up Saturday", NULL, DAYEND, false,
	  "2026-08-22 16:00", "1 ngày làm việc", NULL, NULL,
	  "2026-08-25 17:00", 0 },
	{ "the swapped Monday 31/8/2026 and 1-2/9 are off", NULL, DAYEND, false,
	  "2026-08-28 10:00", "1 ngày làm việc", NULL, NULL,
	  "2026-09-03 17:00", 0 },
	{ "Tết Dương lịch across the year boundary (1/1, swapped 2/1)", NULL,
	  DAYEND, false, "2025-12-31 10:00", "3 ngày làm việc", NULL, NULL,
	  "2026-01-07 17:00", 0 },
	{ "make-up Saturday 10/1/2026", NULL, DAYEND, false,
	  "2026-01-08 10:00", "2 ngày làm việc", NULL, NULL,
	  "2026-01-10 17:00", 0 },
	{ "Tết Bính Ngọ after the cut-off (the issue's example)", NULL, DAYEND,
	  false, "2026-02-12 16:00", "1 ngày làm việc", NULL, NULL,
	  "2026-02-23 17:00", 0 },
	{ "from December 2024 over 1/1 and Tết Ất Tỵ", NULL, DAYEND, false,
	  "2024-12-30 09:00", "20 ngày làm việc", NULL, NULL,
	  "2025-02-04 17:00", 0 },
	{ "a holiday on a Sunday (Giỗ Tổ 26/4/2026, off Monday 27/4)", NULL,
	  DAYEND, false, "2026-04-24 10:00", "1 ngày làm việc", NULL, NULL,
	  "2026-04-28 17:00", 0 },
	{ "leap lunar month: Giỗ Tổ 2023 is 29/4 (after leap month 2)", NULL,
	  DAYEND, false, "2023-04-28 10:00", "1 ngày làm việc", NULL, NULL,
	  "2023-05-04 17:00", 0 },
	/* Units. */
	{ "\"1 ngày\" is a calendar day", NULL, DAYEND, false,
	  "2026-03-09 08:00", "1 ngày", NULL, NULL, "2026-03-10 17:00", 0 },
	{ "\"8 giờ\" is 8 working hours, more than a 7.5 h day", NULL, DAYEND,
	  false, "2026-03-09 08:00", "8 giờ", NULL, NULL, "2026-03-10 08:30",
	  0 },
	{ "15 calendar days", NULL, DAYEND, false, "2026-03-02 09:00",
	  "15 ngày", NULL, NULL, "2026-03-17 17:00", 0 },
	{ "calendar days ending on a Saturday move to Monday (art. 148)",
	  NULL, DAYEND, false, "2026-03-05 10:00", "2 ngày", NULL, NULL,
	  "2026-03-09 17:00", 0 },
	{ "calendar days ending in Tết move past it", NULL, DAYEND, false,
	  "2026-02-10 10:00", "7 ngày", NULL, NULL, "2026-02-23 17:00", 0 },
	/* Policies. */
	{ "hour-exact: 3 x 7.5 h from 10:00", NULL, HOUREX, false,
	  "2026-03-10 10:00", "3 ngày làm việc", NULL, NULL,
	  "2026-03-13 10:00", 0 },
	{ "hour-exact after the cut-off", NULL, HOUREX, false,
	  "2026-03-10 15:30", "1 ngày làm việc", NULL, NULL,
	  "2026-03-11 17:00", 0 },
	{ "hour-exact: 1 working day is not 8 hours", NULL, HOUREX, false,
	  "2026-03-09 08:00", "1 ngày làm việc", NULL, NULL,
	  "2026-03-10 08:00", 0 },
	{ "Saturday reception only: counts from Monday", SAT_DESK, DAYEND,
	  false, "2026-03-07 09:00", "Trong ngày", NULL, NULL,
	  "2026-03-09 17:00", 0 },
	{ "Saturday sessions counted: same day closes 11:30", SAT_DESK, DAYEND,
	  true, "2026-03-07 09:00", "Trong ngày", NULL, NULL,
	  "2026-03-07 11:30", 0 },
	{ "Saturday sessions counted: Friday + 1 day is Saturday", SAT_DESK,
	  DAYEND, true, "2026-03-06 09:00", "1 ngày làm việc", NULL, NULL,
	  "2026-03-07 11:30", 0 },
	/* Pauses and restart. */
	{ "four supplement rounds", NULL, DAYEND, false, "2026-03-02 09:00",
	  "10 ngày làm việc",
	  "2026-03-03 09:00/2026-03-04 09:00;2026-03-06 15:00/2026-03-09 08:30;"
	  "2026-03-11 11:00/2026-03-11 14:00;2026-03-12 16:00/2026-03-13 16:00",
	  NULL, "2026-03-19 11:30", 0 },
	{ "overlapping pauses count once", NULL, DAYEND, false,
	  "2026-03-02 09:00", "1 ngày làm việc",
	  "2026-03-03 07:30/2026-03-03 11:30;2026-03-03 09:30/2026-03-03 13:30",
	  NULL, "2026-03-04 11:30", 0 },
	{ "a pause covering the due", NULL, DAYEND, false, "2026-03-02 09:00",
	  "1 ngày làm việc", "2026-03-03 16:00/2026-03-05 09:00", NULL,
	  "2026-03-05 10:00", 0 },
	{ "a pause after the due does not move it", NULL, DAYEND, false,
	  "2026-03-02 09:00", "1 ngày làm việc",
	  "2026-03-04 09:00/2026-03-04 10:00", NULL, "2026-03-03 17:00", 0 },
	{ "a pause starting at the due does not move it", NULL, DAYEND, false,
	  "2026-03-02 09:00", "1 ngày làm việc",
	  "2026-03-03 17:00/2026-03-04 10:00", NULL, "2026-03-03 17:00", 0 },
	{ "a pause on the receipt day is not counted (day-end)", NULL, DAYEND,
	  false, "2026-03-02 09:00", "1 ngày làm việc",
	  "2026-03-02 10:00/2026-03-02 16:00", NULL, "2026-03-03 17:00", 0 },
	{ "a pause of working hours", NULL, DAYEND, false, "2026-03-09 08:00",
	  "8 giờ làm việc", "2026-03-09 10:00/2026-03-09 14:30", NULL,
	  "2026-03-10 11:00", 0 },
	{ "restart after the cut-off; the earlier pause is ignored", NULL,
	  DAYEND, false, "2026-03-02 09:00", "3 ngày làm việc",
	  "2026-03-03 09:00/2026-03-04 09:00", "2026-03-05 15:30",
	  "2026-03-11 17:00", 0 },
	{ "restart then a pause", NULL, DAYEND, false, "2026-03-02 09:00",
	  "3 ngày làm việc", "2026-03-09 07:30/2026-03-09 11:30",
	  "2026-03-05 15:30", "2026-03-12 11:30", 0 },
	/* Errors, never a made-up date. */
	{ "receipt outside the calendar", NULL, DAYEND, false,
	  "2030-01-02 09:00", "3 ngày làm việc", NULL, NULL, NULL, MC_ERANGE },
	{ "due after the calendar's last year", NULL, DAYEND, false,
	  "2027-12-20 09:00", "30 ngày làm việc", NULL, NULL, NULL, MC_ERANGE },
	{ "pause ending before it starts", NULL, DAYEND, false,
	  "2026-03-02 09:00", "3 ngày làm việc",
	  "2026-03-04 09:00/2026-03-03 09:00", NULL, NULL, MC_EINVALID },
	{ "pauses not sorted", NULL, DAYEND, false, "2026-03-02 09:00",
	  "3 ngày làm việc",
	  "2026-03-05 09:00/2026-03-05 10:00;2026-03-03 09:00/2026-03-03 10:00",
	  NULL, NULL, MC_EINVALID },
	{ "restart before receipt", NULL, DAYEND, false, "2026-03-02 09:00",
	  "3 ngày làm việc", NULL, "2026-03-01 09:00", NULL, MC_EINVALID },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const struct row *r = &rows[i];
		struct deadline d;
		struct deadline_pause pauses[8];
		struct deadline_req req = { 0 };
		struct buf err = BUF_INIT;
		char got[32];

		engine(&d, r->desk, (enum deadline_count)r->count,
		       r->rest_count);
		req.received = T(r->received);
		if (duration_parse(r->duration, &req.dur, &err))
			fail_msg("%s: %s", r->name, err.ptr);
		req.n_pauses = parse_pauses(r->pauses, pauses);
		req.pauses = pauses;
		if (r->restart) {
			req.has_restart = true;
			req.restart = T(r->restart);
		}
		mc_time due = 12345;
		int rc = deadline_due(&d, &req, &due, &err);
		if (rc != r->want_rc)
			fail_msg("%s: rc %d, want %d (%s)", r->name, rc,
				 r->want_rc, err.ptr);
		if (rc) {
			assert_int_equal(due, 12345);
			assert_true(err.len > 0);
		} else if (due != T(r->want)) {
			fail_msg("%s: due %s, want %s", r->name, fmt(due, got),
				 r->want);
		}
		buf_release(&err);
		deadline_release(&d);
	}
}

static void test_malformed_duration(void **state)
{
	(void)state;
	struct deadline d;
	struct buf err = BUF_INIT;
	struct deadline_req req = { 0 };
	mc_time due;
	engine(&d, NULL, DL_COUNT_DAY_END, false);
	req.received = T("2026-03-02 09:00");
	req.dur.unit = DUR_WORKING_DAYS;
	req.dur.amount = -1;
	assert_int_equal(deadline_due(&d, &req, &due, &err), MC_EINVALID);
	req.dur.amount = 3;
	req.dur.unit = (enum duration_unit)9;
	assert_int_equal(deadline_due(&d, &req, &due, &err), MC_EINVALID);
	deadline_release(&d);
	buf_release(&err);
}

static void test_init_years(void **state)
{
	(void)state;
	struct deadline d;
	struct officehours oh;
	struct buf err = BUF_INIT;
	struct deadline_req req = { 0 };
	mc_time due;
	officehours_default(&oh);
	assert_int_equal(deadline_init_years(&d, &cal, &oh, NULL, 2022, 2026,
					     &err), MC_ERANGE);
	assert_int_equal(deadline_init_years(&d, &cal, &oh, NULL, 2026, 2026,
					     &err), 0);
	req.received = T("2026-02-12 16:00");
	req.dur = (struct duration){ DUR_WORKING_DAYS, 1 };
	assert_int_equal(deadline_due(&d, &req, &due, &err), 0);
	assert_int_equal(due, T("2026-02-23 17:00"));
	/* The engine's range is its own: 2025 and late 2026 are outside. */
	req.received = T("2025-12-31 10:00");
	assert_int_equal(deadline_due(&d, &req, &due, &err), MC_ERANGE);
	req.received = T("2026-12-31 10:00");
	req.dur.amount = 3;
	assert_int_equal(deadline_due(&d, &req, &due, &err), MC_ERANGE);
	deadline_release(&d);
	buf_release(&err);
}

static void test_effective_start(void **state)
{
	(void)state;
	static const struct {
		const char *at, *want;
	} cases[] = {
		{ "2026-03-10 11:29", "2026-03-10 11:29" },
		{ "2026-03-10 11:30", "2026-03-10 13:30" },
		{ "2026-03-10 11:31", "2026-03-10 13:30" },
		{ "2026-03-10 14:59", "2026-03-10 14:59" },
		{ "2026-03-10 15:00", "2026-03-10 15:00" },
		{ "2026-03-10 15:01", "2026-03-11 07:30" },
		{ "2026-03-10 17:01", "2026-03-11 07:30" },
		{ "2026-03-06 17:30", "2026-03-09 07:30" },
		{ "2026-02-13 16:00", "2026-02-23 07:30" },
		{ "2026-08-22 09:00", "2026-08-22 09:00" },
	};
	struct deadline d;
	struct buf err = BUF_INIT;
	engine(&d, NULL, DL_COUNT_DAY_END, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		mc_time t;
		char got[32];
		assert_int_equal(deadline_start(&d, T(cases[i].at), &t, &err), 0);
		if (t != T(cases[i].want))
			fail_msg("start of %s: %s, want %s", cases[i].at,
				 fmt(t, got), cases[i].want);
	}
	deadline_release(&d);
	buf_release(&err);
}

/* ---- classification, elapsed, progress, split ------------------------- */

static void test_classify(void **state)
{
	(void)state;
	static const struct {
		const char *finished;
		enum deadline_class want;
	} cases[] = {
		{ "2026-03-10 17:00:30", DL_ON_TIME },	/* the same minute */
		{ "2026-03-10 17:01", DL_LATE },
		{ "2026-03-11 08:00", DL_LATE },
		{ "2026-03-10 08:00", DL_ON_TIME },	/* the due day */
		{ "2026-03-10 00:00", DL_ON_TIME },
		{ "2026-03-09 23:59", DL_EARLY },	/* an earlier day */
		{ "2026-03-09 16:59", DL_EARLY },
	};
	mc_time due = T("2026-03-10 17:00");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		enum deadline_class c = deadline_classify(due, T(cases[i].finished));
		if (c != cases[i].want)
			fail_msg("finished %s: %s, want %s", cases[i].finished,
				 deadline_class_name(c),
				 deadline_class_name(cases[i].want));
	}
	/* A day is a UTC+7 day: 23:30 local is 16:30 UTC of the same day. */
	assert_int_equal(deadline_classify(T("2026-03-11 10:00"),
					   T("2026-03-10T16:30:00Z")),
			 DL_EARLY);
	assert_int_equal(deadline_classify(T("2026-03-11 10:00"),
					   T("2026-03-10T17:30:00Z")),
			 DL_ON_TIME);
}

static void test_between(void **state)
{
	(void)state;
	struct deadline d;
	struct buf err = BUF_INIT;
	int64_t s;
	struct deadline_pause p = { T("2026-03-09 10:00"),
				    T("2026-03-09 14:00") };
	engine(&d, NULL, DL_COUNT_DAY_END, false);
	assert_int_equal(deadline_between(&d, T("2026-03-09 08:00"),
					  T("2026-03-10 08:30"), NULL, 0, &s,
					  &err), 0);
	assert_int_equal(s, 480 * 60);
	/* Friday 16:00 to Monday 08:30: one hour each side of the weekend. */
	assert_int_equal(deadline_between(&d, T("2026-03-06 16:00"),
					  T("2026-03-09 08:30"), NULL, 0, &s,
					  &err), 0);
	assert_int_equal(s, 120 * 60);
	assert_int_equal(deadline_between(&d, T("2026-03-09 08:30"),
					  T("2026-03-06 16:00"), NULL, 0, &s,
					  &err), 0);
	assert_int_equal(s, -120 * 60);
	/* Over Tết Bính Ngọ: one working day. */
	assert_int_equal(deadline_between(&d, T("2026-02-13 07:30"),
					  T("2026-02-23 07:30"), NULL, 0, &s,
					  &err), 0);
	assert_int_equal(s, 450 * 60);
	/* With a pause 10:00-14:00 (1.5 h + 0.5 h of work) taken out. */
	assert_int_equal(deadline_between(&d, T("2026-03-09 08:00"),
					  T("2026-03-10 08:30"), &p, 1, &s,
					  &err), 0);
	assert_int_equal(s, (480 - 120) * 60);
	assert_int_equal(deadline_between(&d, T("2031-01-01 08:00"),
					  T("2026-03-10 08:30"), NULL, 0, &s,
					  &err), MC_ERANGE);
	deadline_release(&d);
	buf_release(&err);
}

static void test_progress(void **state)
{
	(void)state;
	struct deadline d;
	struct buf err = BUF_INIT;
	struct deadline_req req = { 0 };
	struct deadline_progress pr;
	engine(&d, NULL, DL_COUNT_DAY_END, false);
	req.received = T("2026-03-09 08:00");
	req.dur = (struct duration){ DUR_WORKING_DAYS, 3 };

	/* On the receipt day nothing is used yet. */
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-09 10:00"),
					   &pr, &err), 0);
	assert_int_equal(pr.due, T("2026-03-12 17:00"));
	assert_int_equal(pr.allotted, 1350 * 60);
	assert_int_equal(pr.used, 0);
	assert_false(pr.approaching);
	/* 26.7% left: not approaching; 17.8% left: approaching. */
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-12 09:00"),
					   &pr, &err), 0);
	assert_int_equal(pr.remaining, 360 * 60);
	assert_false(pr.approaching);
	assert_false(pr.overdue);
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-12 11:00"),
					   &pr, &err), 0);
	assert_int_equal(pr.remaining, 240 * 60);
	assert_true(pr.approaching);
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-12 17:01"),
					   &pr, &err), 0);
	assert_true(pr.overdue);
	assert_false(pr.approaching);
	assert_int_equal(pr.remaining, 0);
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-13 08:30"),
					   &pr, &err), 0);
	assert_int_equal(pr.remaining, -60 * 60);
	/* Inside a pause: paused, and the pause is not used time. */
	struct deadline_pause p = { T("2026-03-10 07:30"),
				    T("2026-03-10 17:00") };
	req.pauses = &p;
	req.n_pauses = 1;
	assert_int_equal(deadline_progress(&d, &req, T("2026-03-10 12:00"),
					   &pr, &err), 0);
	assert_true(pr.paused);
	assert_int_equal(pr.used, 0);
	assert_int_equal(pr.due, T("2026-03-13 17:00"));
	deadline_release(&d);
	buf_release(&err);
}

static void test_split(void **state)
{
	(void)state;
	struct deadline d;
	struct buf err = BUF_INIT;
	struct deadline_req req = { 0 };
	mc_time dues[3];
	engine(&d, NULL, DL_COUNT_DAY_END, false);
	req.received = T("2026-03-09 08:00");
	req.dur = (struct duration){ DUR_WORKING_DAYS, 3 };

	static const int even[] = { 1, 1, 1 };
	assert_int_equal(deadline_split(&d, &req, even, 3, dues, &err), 0);
	assert_int_equal(dues[0], T("2026-03-10 17:00"));
	assert_int_equal(dues[1], T("2026-03-11 17:00"));
	assert_int_equal(dues[2], T("2026-03-12 17:00"));

	static const int uneven[] = { 1, 4, 1 };	/* 225, 900, 225 min */
	assert_int_equal(deadline_split(&d, &req, uneven, 3, dues, &err), 0);
	assert_int_equal(dues[0], T("2026-03-10 11:15"));
	assert_int_equal(dues[1], T("2026-03-12 11:15"));
	assert_int_equal(dues[2], T("2026-03-12 17:00"));

	/* A pause in step 2 moves steps 2 and 3, not step 1. */
	struct deadline_pause p = { T("2026-03-11 07:30"),
				    T("2026-03-11 17:00") };
	req.pauses = &p;
	req.n_pauses = 1;
	assert_int_equal(deadline_split(&d, &req, even, 3, dues, &err), 0);
	assert_int_equal(dues[0], T("2026-03-10 17:00"));
	assert_int_equal(dues[1], T("2026-03-12 17:00"));
	assert_int_equal(dues[2], T("2026-03-13 17:00"));

	static const int zero[] = { 0, 0 };
	assert_int_equal(deadline_split(&d, &req, zero, 2, dues, &err),
			 MC_EINVALID);
	static const int neg[] = { 1, -1 };
	assert_int_equal(deadline_split(&d, &req, neg, 2, dues, &err),
			 MC_EINVALID);
	deadline_release(&d);
	buf_release(&err);
}

static void test_mctime(void **state)
{
	(void)state;
	struct buf b = BUF_INIT, err = BUF_INIT;
	mc_time t;
	/* 2026-02-23 17:00 +07:00 is 10:00 UTC. */
	assert_int_equal(mctime_parse("2026-02-23 17:00", &t, &err), 0);
	assert_int_equal(t, 1771840800);
	mctime_format_iso(t, &b);
	assert_string_equal(b.ptr, "2026-02-23T17:00:00+07:00");
	/* the printf-free formatter agrees with the civil time, before 1970
	 * and at the turn of a local day and year */
	static const struct { mc_time t; const char *s; } iso[] = {
		{ 0, "1970-01-01T07:00:00+07:00" },
		{ -2208988800, "1900-01-01T07:00:00+07:00" },
		{ 1798736399, "2026-12-31T23:59:59+07:00" },
		{ 1798736400, "2027-01-01T00:00:00+07:00" },
		{ 1709136245, "2024-02-28T23:04:05+07:00" },
		{ 1709139845, "2024-02-29T00:04:05+07:00" },
	};
	for (size_t i = 0; i < sizeof(iso) / sizeof(*iso); i++) {
		char s[MCTIME_ISO_LEN + 1];
		assert_int_equal(mctime_iso(iso[i].t, s), MCTIME_ISO_LEN);
		assert_string_equal(s, iso[i].s);
	}
	static const char *const same[] = {
		"2026-02-23T17:00", "2026-02-23 17:00:00",
		"2026-02-23T10:00:00Z", "2026-02-23T17:00:00+07:00",
		"2026-02-23T12:00:00+02:00",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		mc_time u;
		assert_int_equal(mctime_parse(same[i], &u, &err), 0);
		assert_int_equal(u, t);
	}
	assert_int_equal(mctime_parse("2026-02-23", &t, &err), 0);
	assert_int_equal(mctime_local_sod(t), 0);
	static const char *const bad[] = {
		"", "2026-02-30 10:00", "2026-02-23 24:00", "2026-2-3 10:00",
		"2026-02-23 10", "2026-02-23 10:00 ", "23/02/2026",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (mctime_parse(bad[i], &t, &err) != MC_EINVALID)
			fail_msg("'%s' accepted", bad[i]);
	/* Before 1970 the local day still floors. */
	t = mctime_from_local(1969, 12, 31, 23, 0, 0);
	assert_int_equal(mctime_local_day(t), -1);
	assert_int_equal(mctime_local_sod(t), 23 * 3600);
	buf_release(&b);
	buf_release(&err);
}

/* ---- properties --------------------------------------------------------- */

static uint64_t rng = 0x2026022317000007ull;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng >> 33) % n);
}

/* A random receipt in 2024-2026, at any minute of any day. */
static mc_time random_receipt(void)
{
	mc_time a = T("2024-01-01 00:00"), b = T("2026-12-01 00:00");
	return a + (mc_time)rnd((uint32_t)((b - a) / 60)) * 60;
}

static struct duration random_duration(void)
{
	static const enum duration_unit units[] = {
		DUR_WORKING_DAYS, DUR_WORKING_HOURS, DUR_CALENDAR_DAYS,
		DUR_SAME_DAY,
	};
	struct duration du = { units[rnd(4)], 0 };
	if (du.unit == DUR_WORKING_HOURS)
		du.amount = (int)rnd(120);
	else if (du.unit != DUR_SAME_DAY)
		du.amount = (int)rnd(45);
	return du;
}

/* Whether t lies within a session (ends included) of a desk working day. */
static bool in_office_hours(const struct officehours *oh, bool rest_count,
			    mc_time t)
{
	int32_t day = mctime_local_day(t);
	int32_t min = mctime_local_sod(t);
	bool work;
	struct buf err = BUF_INIT;
	if (calendar_is_workday(&cal, day, &work, &err))
		fail_msg("calendar: %s", err.ptr);
	buf_release(&err);
	const struct day_entry *e = calendar_entry(&cal, day);
	int w = days_weekday(day);
	if (work && e && e->kind == DAY_MAKEUP)
		w = oh->makeup_wday;
	else if (!work && !(rest_count && !e))
		return false;
	for (int i = 0; i < oh->n_sess[w]; i++)
		if (min >= oh->sess[w][i].start * 60 &&
		    min <= oh->sess[w][i].end * 60)
			return true;
	return false;
}

static const char *const desks[] = { NULL, SAT_DESK,
	"mon-thu 07:00-11:00,13:00-16:30; fri 07:00-11:00; cutoff 15:30" };

static void test_property_office_hours(void **state)
{
	(void)state;
	for (int k = 0; k < 3 * 2 * 2; k++) {
		struct deadline d;
		struct officehours oh;
		struct buf err = BUF_INIT;
		const char *desk = desks[k % 3];
		bool rest = (k / 3) % 2;
		enum deadline_count count = (enum deadline_count)(k / 6);
		if (desk)
			officehours_parse(desk, &oh, &err);
		else
			officehours_default(&oh);
		engine(&d, desk, count, rest);
		for (int i = 0; i < 3000; i++) {
			struct deadline_req req = { 0 };
			mc_time due;
			char a[32], b[32];
			req.received = random_receipt();
			req.dur = random_duration();
			assert_int_equal(deadline_due(&d, &req, &due, &err), 0);
			if (!in_office_hours(&oh, rest, due))
				fail_msg("desk %d: receipt %s + %dx%d: due %s "
					 "outside office hours", k,
					 fmt(req.received, a), req.dur.amount,
					 req.dur.unit, fmt(due, b));
			if (due < req.received)
				fail_msg("due before receipt");
		}
		deadline_release(&d);
		buf_release(&err);
	}
}

static void test_property_monotone(void **state)
{
	(void)state;
	for (int k = 0; k < 2 * 3; k++) {
		struct deadline d;
		struct buf err = BUF_INIT;
		engine(&d, desks[k % 3], (enum deadline_count)(k / 3), false);
		for (int i = 0; i < 2000; i++) {
			struct deadline_req a = { 0 }, b;
			mc_time da, db;
			a.received = random_receipt();
			a.dur = random_duration();
			/* Later receipt, same duration. */
			b = a;
			b.received += (mc_time)rnd(4 * 24 * 60) * 60;
			assert_int_equal(deadline_due(&d, &a, &da, &err), 0);
			assert_int_equal(deadline_due(&d, &b, &db, &err), 0);
			if (db < da)
				fail_msg("due shrinks with start");
			/* Same receipt, longer duration (same unit). */
			b = a;
			if (b.dur.unit != DUR_SAME_DAY) {
				b.dur.amount += 1 + (int)rnd(10);
				assert_int_equal(deadline_due(&d, &b, &db, &err), 0);
				if (db < da)
					fail_msg("due shrinks with duration");
			}
		}
		deadline_release(&d);
		buf_release(&err);
	}
}

static void test_property_chain(void **state)
{
	(void)state;
	static const enum duration_unit units[] = { DUR_WORKING_DAYS,
						    DUR_WORKING_HOURS };
	for (int k = 0; k < 2 * 3; k++) {
		struct deadline d;
		struct buf err = BUF_INIT;
		engine(&d, desks[k % 3], (enum deadline_count)(k / 3), false);
		for (int i = 0; i < 3000; i++) {
			struct deadline_req whole = { 0 }, first, second;
			mc_time dw, d1, d2;
			char a[32], b[32];
			int x = (int)rnd(20), y = (int)rnd(20);
			whole.received = random_receipt();
			whole.dur.unit = units[rnd(2)];
			whole.dur.amount = x + y;
			first = whole;
			first.dur.amount = x;
			assert_int_equal(deadline_due(&d, &whole, &dw, &err), 0);
			assert_int_equal(deadline_due(&d, &first, &d1, &err), 0);
			second = whole;
			second.dur.amount = y;
			second.received = d1;
			second.flags = DL_REQ_RAW_START;
			assert_int_equal(deadline_due(&d, &second, &d2, &err), 0);
			if (d2 != dw)
				fail_msg("desk %d: %s + %d then %d (unit %d): "
					 "%s, whole %s", k, fmt(whole.received, a),
					 x, y, whole.dur.unit, fmt(d2, b),
					 fmt(dw, a));
			/* Working hours: elapsed from the start is exact. */
			if (whole.dur.unit == DUR_WORKING_HOURS) {
				mc_time st;
				int64_t s;
				assert_int_equal(deadline_start(&d, whole.received,
								&st, &err), 0);
				assert_int_equal(deadline_between(&d, st, dw, NULL,
								  0, &s, &err), 0);
				assert_int_equal(s, (int64_t)(x + y) * 3600);
			}
		}
		deadline_release(&d);
		buf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mctime),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_malformed_duration),
		cmocka_unit_test(test_init_years),
		cmocka_unit_test(test_effective_start),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_property_office_hours),
		cmocka_unit_test(test_property_monotone),
		cmocka_unit_test(test_property_chain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
