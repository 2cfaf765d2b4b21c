/*
 * schedule.h - the yearly schedule of days off as CSV text (the shipped
 * data/vn-civil-service-days-off.csv and administrators' imports): columns
 * date,kind,name,source. Pure: parses bytes it is handed, reads no file.
 * The parsed rows own their strings and can fill a struct calendar.
 */
#ifndef MC_CORE_SCHEDULE_H
#define MC_CORE_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "util/buf.h"

struct schedule_row {
	int32_t day;		/* days since 1970-01-01 */
	enum day_kind kind;
	char *name;		/* owned */
	char *source;		/* owned; may be "" */
	int line;		/* CSV line it came from, 0 if none */
};

struct schedule {
	struct schedule_row *rows;	/* sorted by day, one per day */
	int n_rows, alloc_rows;
};

#define SCHEDULE_INIT { NULL, 0, 0 }

/*
 * Parses CSV text (UTF-8, header line naming the columns date, kind, name,
 * source in any order; other columns are ignored) and appends its rows to
 * `s`, then sorts them. Dates are YYYY-MM-DD in 1900..2199; kinds are
 * holiday, compensatory, swapped_off, makeup_workday (calendar_kind_name);
 * name is required. A makeup_workday must be a Saturday or a Sunday. A date
 * given twice is an error. On a bad row returns MC_EINVALID with
 * "line N: field: reason" in err and leaves `s` with the rows read so far
 * (release it either way).
 */
int schedule_parse(struct schedule *s, const char *text, size_t len,
		   struct buf *err);

/* Appends one row (copies the strings); the caller keeps `s` sorted. */
void schedule_append(struct schedule *s, int32_t day, enum day_kind kind,
		     const char *name, const char *source);
void schedule_release(struct schedule *s);

/*
 * The years the schedule announces: the years with at least one holiday
 * row (the same rule as calendar_add). Writes up to `max` years in
 * ascending order into `years`; returns how many there are.
 */
int schedule_years(const struct schedule *s, int *years, int max);

/*
 * Adds every row to `c` (calendar_add). The names stay owned by `s`: keep
 * `s` alive as long as `c`. Does not call calendar_finish().
 */
int schedule_fill(const struct schedule *s, struct calendar *c,
		  struct buf *err);

/* Formats a day number as YYYY-MM-DD into out (11 bytes). */
void schedule_format_day(int32_t day, char out[11]);
/* Parses YYYY-MM-DD (exactly) into a day number; MC_EINVALID if not a date. */
int schedule_parse_day(const char *s, int32_t *day);

#endif
