/*
 * calendar.c - working days of Vietnamese civil servants: the civil date
 * arithmetic, the schedule of announced days off, and the provisional
 * schedule derived from the Labour Code for years nobody has announced.
 * Pure: the schedule is handed in; nothing here reads files or the clock.
 */
#include "core/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "core/lunar.h"
#include "util/err.h"
#include "util/xalloc.h"

#define MIN_YEAR 1900
#define MAX_YEAR 2199
/* At most 5 Tết + 6 other holidays + 7 compensatory days in one year. */
#define MAX_DERIVED 32

/* Days from 1970-01-01; proleptic Gregorian, years counted from March. */
int32_t date_to_days(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void days_to_date(int32_t days, int *y, int *m, int *d)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int days_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (int)((days % 7 + 7 + 4) % 7);
	return w;
}

bool date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1)
		return false;
	int n = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	return d <= n;
}

static int days_year(int32_t day)
{
	int y, m, d;
	days_to_date(day, &y, &m, &d);
	return y;
}

static bool weekend(int32_t day)
{
	int w = days_weekday(day);
	return w == 0 || w == 6;
}

static const char *const kind_names[] = {
	[DAY_HOLIDAY] = "holiday",
	[DAY_COMPENSATORY] = "compensatory",
	[DAY_SWAPPED_OFF] = "swapped_off",
	[DAY_MAKEUP] = "makeup_workday",
};

const char *calendar_kind_name(enum day_kind kind)
{
	if ((unsigned)kind >= ARRAY_SIZE(kind_names))
		BUG("bad day kind %d", (int)kind);
	return kind_names[kind];
}

int calendar_kind_parse(const char *s, enum day_kind *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum day_kind)i;
			return 0;
		}
	}
	return MC_EINVALID;
}

void calendar_init(struct calendar *c, int first_year, int last_year)
{
	if (first_year < MIN_YEAR || last_year > MAX_YEAR ||
	    first_year > last_year)
		BUG("calendar range %d..%d", first_year, last_year);
	c->entries = NULL;
	c->n_entries = c->alloc_entries = 0;
	c->first_year = first_year;
	c->last_year = last_year;
	c->announced = xcalloc((size_t)(last_year - first_year + 1), 1);
}

void calendar_release(struct calendar *c)
{
	free(c->entries);
	free(c->announced);
	c->entries = NULL;
	c->announced = NULL;
	c->n_entries = c->alloc_entries = 0;
}

static void push(struct calendar *c, const struct day_entry *e)
{
	if (c->n_entries == c->alloc_entries) {
		c->alloc_entries = c->alloc_entries ? 2 * c->alloc_entries : 64;
		c->entries = xrealloc(c->entries, sizeof(*c->entries) *
						  (size_t)c->alloc_entries);
	}
	c->entries[c->n_entries++] = *e;
}

int calendar_add(struct calendar *c, int32_t day, enum day_kind kind,
		 const char *name, struct buf *err)
{
	int y = days_year(day);
	if (y < MIN_YEAR || y > MAX_YEAR) {
		buf_setf(err, "day %d is outside %d..%d", (int)day, MIN_YEAR,
			 MAX_YEAR);
		return MC_ERANGE;
	}
	if ((unsigned)kind >= ARRAY_SIZE(kind_names))
		BUG("bad day kind %d", (int)kind);
	struct day_entry e = { day, kind, name ? name : "", false };
	push(c, &e);
	/*
	 * A year counts as announced once it has a holiday: a lone swap at
	 * the edge of a year (2018-12-31, swapped for the 2019 New Year)
	 * belongs to the next year's announcement and must not stop the
	 * derivation of its own year.
	 */
	if (kind == DAY_HOLIDAY && y >= c->first_year && y <= c->last_year)
		c->announced[y - c->first_year] = 1;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct day_entry *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

const struct day_entry *calendar_entry(const struct calendar *c, int32_t day)
{
	int lo = 0, hi = c->n_entries - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int32_t d = c->entries[mid].day;
		if (d == day)
			return &c->entries[mid];
		if (d < day)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int calendar_finish(struct calendar *c, struct buf *err)
{
	int rc = MC_EINVALID;
	if (c->n_entries)
		qsort(c->entries, (size_t)c->n_entries, sizeof(*c->entries),
		      cmp_entry);
	for (int i = 1; i < c->n_entries; i++) {
		if (c->entries[i].day == c->entries[i - 1].day) {
			int y, m, d;
			days_to_date(c->entries[i].day, &y, &m, &d);
			buf_setf(err, "two entries for %04d-%02d-%02d", y, m, d);
			goto out;
		}
	}
	int n_announced = c->n_entries;
	for (int y = c->first_year; y <= c->last_year; y++) {
		if (c->announced[y - c->first_year])
			continue;
		struct day_entry tmp[MAX_DERIVED];
		int n;
		rc = calendar_derive_year(y, tmp, MAX_DERIVED, &n, err);
		if (rc)
			goto out;
		for (int i = 0; i < n; i++) {
			/* Announced rows win (an edge swap of the next year). */
			if (!n_announced ||
			    !bsearch(&tmp[i], c->entries, (size_t)n_announced,
				     sizeof(*c->entries), cmp_entry))
				push(c, &tmp[i]);
		}
	}
	if (c->n_entries)
		qsort(c->entries, (size_t)c->n_entries, sizeof(*c->entries),
		      cmp_entry);
	rc = 0;
out:
	return rc;
}

/* State of one derivation: the entries found so far. */
struct derive {
	struct day_entry *out;
	int max, n;
	bool overflow;
};

static void derive_put(struct derive *dv, int32_t day, enum day_kind kind,
		       const char *name)
{
	if (dv->n == dv->max) {
		dv->overflow = true;
		return;
	}
	struct day_entry e = { day, kind, name, true };
	dv->out[dv->n++] = e;
}

static bool derive_has(const struct derive *dv, int32_t day)
{
	for (int i = 0; i < dv->n; i++)
		if (dv->out[i].day == day)
			return true;
	return false;
}

static int lunar_day(int year, int month, int day, int32_t *out,
		     struct buf *err)
{
	struct lunar_date l = { year, month, day, false };
	int y, m, d;
	int rc = lunar_to_solar(&l, &y, &m, &d);
	if (rc) {
		buf_setf(err, "no solar date for lunar %d/%d/%d", day, month,
			 year);
		return rc;
	}
	*out = date_to_days(y, m, d);
	return 0;
}

#define NEW_YEAR "Tết Dương lịch"
#define GIO_TO "Giỗ Tổ Hùng Vương"
#define VICTORY "Ngày Chiến thắng"
#define LABOUR "Ngày Quốc tế Lao động"
#define NATIONAL "Quốc khánh"
#define NATIONAL_ADJ "Quốc khánh (ngày liền kề)"

/* The name of the day off in place of holiday `name` (a static string). */
static const char *compensatory_name(const char *name)
{
	static const char *const map[][2] = {
		{ NEW_YEAR, NEW_YEAR " (nghỉ bù)" },
		{ GIO_TO, GIO_TO " (nghỉ bù)" },
		{ VICTORY, VICTORY " (nghỉ bù)" },
		{ LABOUR, LABOUR " (nghỉ bù)" },
		{ NATIONAL, NATIONAL " (nghỉ bù)" },
		{ NATIONAL_ADJ, NATIONAL " (nghỉ bù ngày liền kề)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], name))
			return map[i][1];
	return "Tết Nguyên đán (nghỉ bù)";
}

/*
 * The day joined to 2/9 for Quốc khánh. BLLĐ 45/2019/QH14 art. 112 cl. 1(đ)
 * gives "2/9 and one adjacent day before or after", and cl. 3 leaves the
 * choice to the Prime Minister each year. Provisional default: 3/9 when 2/9
 * is a Monday (1/9 is then a Sunday, which would be no day off at all) or
 * a Thursday (3/9 joins the weekend), otherwise 1/9. This reproduces every
 * choice announced so far: 2021 3/9 (Thu), 2022 1/9 (Fri), 2023 1/9 (Sat),
 * 2024 3/9 (Mon), 2025 1/9 (Tue), 2026 1/9 (Wed).
 */
static int32_t national_day_adjacent(int year)
{
	int32_t d2 = date_to_days(year, 9, 2);
	int w = days_weekday(d2);
	return (w == 1 || w == 4) ? d2 + 1 : d2 - 1;
}

int calendar_derive_year(int year, struct day_entry *out, int max,
			 int *n_out, struct buf *err)
{
	static const char *const tet_names[] = {
		"Tết Nguyên đán (ngày cuối năm âm lịch)",
		"Tết Nguyên đán (mùng 1)", "Tết Nguyên đán (mùng 2)",
		"Tết Nguyên đán (mùng 3)", "Tết Nguyên đán (mùng 4)",
	};
	struct derive dv = { out, max, 0, false };
	int rc;
	int32_t tet, gio_to;

	*n_out = 0;
	if (year < MIN_YEAR || year > MAX_YEAR) {
		buf_setf(err, "year %d is outside %d..%d", year, MIN_YEAR,
			 MAX_YEAR);
		rc = MC_ERANGE;
		goto out;
	}
	if ((rc = lunar_day(year, 1, 1, &tet, err)) ||
	    (rc = lunar_day(year, 3, 10, &gio_to, err)))
		goto out;

	/*
	 * Holidays. From 2021: BLLĐ 45/2019/QH14 art. 112 cl. 1 (11 days).
	 * Before 2021: BLLĐ 10/2012/QH13 art. 115 cl. 1 (10 days: Quốc
	 * khánh is 2/9 only). Tết: 5 days; the PM fixes which (art. 112
	 * cl. 3); the provisional default is the last day of the lunar year
	 * and mùng 1 to mùng 4.
	 * NEEDSWORK: before 1/5/2013 the 1994 code applied (Tết 4 days;
	 * Giỗ Tổ only from 2007); years before 2013 are derived as if the
	 * 2012 code applied.
	 */
	derive_put(&dv, date_to_days(year, 1, 1), DAY_HOLIDAY, NEW_YEAR);
	for (int i = 0; i < 5; i++)
		derive_put(&dv, tet - 1 + i, DAY_HOLIDAY, tet_names[i]);
	derive_put(&dv, gio_to, DAY_HOLIDAY, GIO_TO);
	derive_put(&dv, date_to_days(year, 4, 30), DAY_HOLIDAY, VICTORY);
	derive_put(&dv, date_to_days(year, 5, 1), DAY_HOLIDAY, LABOUR);
	int32_t d2 = date_to_days(year, 9, 2);
	derive_put(&dv, d2, DAY_HOLIDAY, NATIONAL);
	if (year >= 2021)
		derive_put(&dv, national_day_adjacent(year), DAY_HOLIDAY,
			   NATIONAL_ADJ);
	qsort(out, (size_t)dv.n, sizeof(*out), cmp_entry);

	/*
	 * Compensatory days: a holiday on the weekly rest day is taken on the
	 * next working day (BLLĐ 45/2019/QH14 art. 111 cl. 3; before 2021
	 * BLLĐ 10/2012/QH13 art. 115 cl. 3). Holidays are in date order, so
	 * each one after a block of holidays takes the first free weekday.
	 */
	int n_holidays = dv.n;
	for (int i = 0; i < n_holidays; i++) {
		if (!weekend(out[i].day))
			continue;
		int32_t d = out[i].day + 1;
		while (weekend(d) || derive_has(&dv, d))
			d++;
		derive_put(&dv, d, DAY_COMPENSATORY,
			   compensatory_name(out[i].name));
	}
	if (dv.overflow) {
		buf_setf(err, "more than %d derived days in %d", max, year);
		rc = MC_ETOOBIG;
		goto out;
	}
	qsort(out, (size_t)dv.n, sizeof(*out), cmp_entry);
	*n_out = dv.n;
	rc = 0;
out:
	return rc;
}

int calendar_is_workday(const struct calendar *c, int32_t day, bool *out,
			struct buf *err)
{
	int y = days_year(day);
	if (y < c->first_year || y > c->last_year) {
		buf_setf(err, "year %d is outside the calendar (%d..%d)", y,
			 c->first_year, c->last_year);
		return MC_ERANGE;
	}
	const struct day_entry *e = calendar_entry(c, day);
	if (e)
		*out = e->kind == DAY_MAKEUP;
	else
		*out = !weekend(day);
	return 0;
}

bool calendar_year_announced(const struct calendar *c, int year)
{
	if (year < c->first_year || year > c->last_year)
		return false;
	return c->announced[year - c->first_year] != 0;
}
