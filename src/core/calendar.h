/*
 * calendar.h - which days are working days for Vietnamese civil servants.
 * Pure: no I/O, no clock, no globals; the caller hands in the schedule.
 *
 * A day is off when it is a weekly rest day (Saturday, Sunday) or a day
 * off of the official schedule, unless the schedule makes it a make-up
 * working day (ngày làm bù). The schedule of a year comes from the yearly
 * announcement (data/vn-civil-service-days-off.csv, administrators' imports);
 * for a year without one, calendar_derive_year() derives a provisional one
 * from the Labour Code 2019 (45/2019/QH14) art. 112 and art. 111 cl. 3.
 *
 * Dates are civil dates in Asia/Ho_Chi_Minh (UTC+7, no DST); "days" are
 * counted as days since 1970-01-01 (may be negative).
 */
#ifndef MC_CORE_CALENDAR_H
#define MC_CORE_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* Civil date <-> day number (proleptic Gregorian). */
int32_t date_to_days(int y, int m, int d);
void days_to_date(int32_t days, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int days_weekday(int32_t days);
bool date_valid(int y, int m, int d);

enum day_kind {
	DAY_HOLIDAY,	 /* statutory holiday (Labour Code 2019 art. 112) */
	DAY_COMPENSATORY,/* off in place of a holiday on a rest day (art. 111 cl. 3) */
	DAY_SWAPPED_OFF, /* a working day swapped for a make-up day */
	DAY_MAKEUP,	 /* a rest day that is worked (ngày làm bù) */
};

/* "holiday", "compensatory", "swapped_off", "makeup_workday" (CSV, DB, API). */
const char *calendar_kind_name(enum day_kind kind);
/* The kind named `s`; MC_EINVALID for any other text. */
int calendar_kind_parse(const char *s, enum day_kind *out);

struct day_entry {
	int32_t day;		/* days since 1970-01-01 */
	enum day_kind kind;
	const char *name;	/* e.g. "Tết Nguyên đán"; borrowed */
	bool provisional;	/* derived from the law, not announced */
};

/*
 * The schedule: entries sorted by day, at most one per day, plus the set
 * of years that have an announced schedule. The struct owns its arrays;
 * names are borrowed from whoever filled it (keep them alive).
 */
struct calendar {
	struct day_entry *entries;
	int n_entries, alloc_entries;
	int first_year, last_year;	/* range answered; outside: MC_ERANGE */
	uint8_t *announced;		/* per year from first_year: 1 if announced */
};

/*
 * Sets up an empty schedule answering years [first_year, last_year]
 * (at most 1900..2199). Years without announced entries are derived
 * provisionally on calendar_finish().
 */
void calendar_init(struct calendar *c, int first_year, int last_year);
void calendar_release(struct calendar *c);

/*
 * Adds one announced entry (any day in 1900..2199, MC_ERANGE otherwise;
 * it may lie outside the answered range). A year counts as announced once
 * it has a DAY_HOLIDAY entry: a lone swap at a year's edge (2018-12-31,
 * swapped for the 2019 New Year) belongs to the next year's announcement
 * and does not stop the derivation of its own year.
 */
int calendar_add(struct calendar *c, int32_t day, enum day_kind kind,
		 const char *name, struct buf *err);
/*
 * Sorts the entries and derives the provisional schedule of every year in
 * range that is not announced (derived entries never replace an announced
 * one on the same day). Call once after the adds. MC_EINVALID when two
 * announced entries share a day.
 */
int calendar_finish(struct calendar *c, struct buf *err);

/*
 * Appends to `out` the provisional entries of `year` derived from the law:
 * the holidays of art. 112 (1/1; Tết: the last day of the lunar year and
 * the first four days of the new year; 10/3 lunar; 30/4; 1/5; 2/9 and one
 * adjacent day), with compensatory days (art. 111 cl. 3) for those falling
 * on a rest day. Before 2021 the 2012 code applies (10/2012/QH13 art. 115:
 * 2/9 alone). The adjacent day of 2/9 is the PM's choice (art. 112 cl. 3);
 * provisionally 3/9 when 2/9 is a Monday or a Thursday, else 1/9, which is
 * what every announcement 2021-2026 chose. Entries are sorted by day and
 * marked provisional; names are static strings. MC_ERANGE outside
 * 1900..2199, MC_ETOOBIG when more than `max` entries (32 is enough).
 */
int calendar_derive_year(int year, struct day_entry *out, int max,
			 int *n_out, struct buf *err);

/* The entry of a day, or NULL. */
const struct day_entry *calendar_entry(const struct calendar *c, int32_t day);

/*
 * Whether `day` is a working day. MC_ERANGE (with err) outside the range.
 * *out = true/false on success.
 */
int calendar_is_workday(const struct calendar *c, int32_t day, bool *out,
			struct buf *err);

/* Whether the year's schedule was announced (false: provisional). */
bool calendar_year_announced(const struct calendar *c, int year);

#endif
