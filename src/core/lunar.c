/*
 * lunar.c - the Vietnamese lunar calendar from Hồ Ngọc Đức's published
 * method ("Thuật toán tính âm lịch"): mean new moons corrected by Meeus'
 * periodic terms, the sun's apparent longitude, both read at UTC+7. Pure:
 * no globals, no I/O; every answer is recomputed from the astronomy (a few
 * dozen sines per call), so callers needing many dates may cache them.
 */
#include "core/lunar.h"

#include <math.h>
#include <stdint.h>

#include "util/err.h"

/* Vietnam's legal time: UTC+7 (the whole reason VN and CN calendars differ). */
#define TZ_HOURS 7.0
/* Julian date of the new moon of 1900-01-01 (k = 0 in the series). */
#define NM_EPOCH 2415021.076998695
/* Mean synodic month, days. */
#define SYNODIC 29.530588853
#define RAD (M_PI / 180.0)

#define FIRST_YEAR 1900
#define LAST_YEAR 2199

/*
 * A "suì": the months from the month 11 that holds the December solstice
 * of year s-1 up to, not including, the month 11 of year s. It has 12 or
 * 13 months; in a 13-month suì the first month without a major solar term
 * is the leap month and repeats the number of the month before it.
 */
struct sui {
	int32_t start[14];	/* JDN of each month's first day; start[n] ends */
	int n;			/* 12 or 13 */
	int leap;		/* index of the leap month, 0 if none */
};

static int32_t jdn_from_date(int y, int m, int d)
{
	/* Gregorian calendar, counted from March so that leap days come last. */
	int a = (14 - m) / 12;
	int64_t yy = (int64_t)y + 4800 - a;
	int mm = m + 12 * a - 3;
	return (int32_t)(d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 +
			 yy / 400 - 32045);
}

static void date_from_jdn(int32_t jdn, int *y, int *m, int *d)
{
	int64_t a = (int64_t)jdn + 32044;
	int64_t b = (4 * a + 3) / 146097;
	int64_t c = a - 146097 * b / 4;
	int64_t e = (4 * c + 3) / 1461;
	int64_t f = c - 1461 * e / 4;
	int64_t g = (5 * f + 2) / 153;
	*d = (int)(f - (153 * g + 2) / 5 + 1);
	*m = (int)(g + 3 - 12 * (g / 10));
	*y = (int)(100 * b + e - 4800 + g / 10);
}

static bool solar_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1)
		return false;
	int n = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	return d <= n;
}

/*
 * Julian date (UT) of the k-th new moon after 1900-01-01: the mean lunation
 * plus the main periodic terms of Meeus, "Astronomical Algorithms", with
 * the ΔT correction Hồ Ngọc Đức uses.
 */
static double new_moon_jd(int k)
{
	double t = k / 1236.85, t2 = t * t, t3 = t2 * t;
	double jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 -
		    0.000000155 * t3;
	jd += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * RAD);
	double m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
	double mp = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
	double f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
	double c = (0.1734 - 0.000393 * t) * sin(m * RAD) + 0.0021 * sin(2 * RAD * m);
	c = c - 0.4068 * sin(mp * RAD) + 0.0161 * sin(RAD * 2 * mp);
	c = c - 0.0004 * sin(RAD * 3 * mp);
	c = c + 0.0104 * sin(RAD * 2 * f) - 0.0051 * sin(RAD * (m + mp));
	c = c - 0.0074 * sin(RAD * (m - mp)) + 0.0004 * sin(RAD * (2 * f + m));
	c = c - 0.0004 * sin(RAD * (2 * f - m)) - 0.0006 * sin(RAD * (2 * f + mp));
	c = c + 0.0010 * sin(RAD * (2 * f - mp)) + 0.0005 * sin(RAD * (2 * mp + m));
	double dt;
	if (t < -11)
		dt = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 -
		     0.000000081 * t * t3;
	else
		dt = -0.000278 + 0.000265 * t + 0.000262 * t2;
	return jd + c - dt;
}

/* The civil day (JDN, at UTC+7) on which the k-th new moon falls. */
static int32_t new_moon_day(int k)
{
	return (int32_t)floor(new_moon_jd(k) + 0.5 + TZ_HOURS / 24.0);
}

/* The sun's apparent longitude at Julian date jd, radians in [0, 2π). */
static double sun_longitude(double jd)
{
	double t = (jd - 2451545.0) / 36525, t2 = t * t;
	double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 -
		   0.00000048 * t * t2;
	double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
	double dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(RAD * m);
	dl = dl + (0.019993 - 0.000101 * t) * sin(RAD * 2 * m) +
	     0.000290 * sin(RAD * 3 * m);
	double l = (l0 + dl) * RAD;
	return l - 2 * M_PI * floor(l / (2 * M_PI));
}

/*
 * Which 30° sector (0..11) the sun is in at the start of civil day `jdn`
 * (midnight UTC+7). Sector 9 starts at the December solstice (270°).
 */
static int sun_sector(int32_t jdn)
{
	return (int)floor(sun_longitude(jdn - 0.5 - TZ_HOURS / 24.0) / M_PI * 6);
}

/* The lunation index of the new moon nearest to civil day `jdn`. */
static int lunation_near(int32_t jdn)
{
	return (int)floor((jdn - NM_EPOCH) / SYNODIC + 0.5);
}

/* First day of the month 11 of year y: the month holding the solstice. */
static int32_t month11_start(int y)
{
	int k = (int)floor((jdn_from_date(y, 12, 31) - 2415021) / SYNODIC);
	int32_t nm = new_moon_day(k);
	if (sun_sector(nm) >= 9) /* already past the solstice: one back */
		nm = new_moon_day(k - 1);
	return nm;
}

/* Fills the suì that ends with the month 11 of year s. */
static void sui_compute(int s, struct sui *out)
{
	int32_t a11 = month11_start(s - 1), b11 = month11_start(s);
	int k = lunation_near(a11);
	out->n = b11 - a11 > 365 ? 13 : 12;
	out->leap = 0;
	for (int i = 0; i < out->n; i++)
		out->start[i] = new_moon_day(k + i);
	out->start[0] = a11;
	out->start[out->n] = b11;
	if (out->n == 13) {
		/*
		 * The leap month is the first one (after month 11) during
		 * which the sun enters no new sector: its first day and the
		 * next month's first day lie in the same sector.
		 */
		int prev = sun_sector(out->start[1]);
		out->leap = 13;
		for (int i = 1; i < 13; i++) {
			int next = sun_sector(new_moon_day(k + i + 1));
			if (next == prev) {
				out->leap = i;
				break;
			}
			prev = next;
		}
	}
}

/* Month number (1..12) of month index i of a suì. */
static int sui_month(const struct sui *s, int i)
{
	int off = (s->leap && i >= s->leap) ? i - 1 : i;
	return (off + 10) % 12 + 1;
}

static int32_t jdn_first(void)
{
	return jdn_from_date(FIRST_YEAR, 1, 31); /* Tết Canh Tý 1900 */
}

int lunar_from_solar(int y, int m, int d, struct lunar_date *out)
{
	if (!solar_valid(y, m, d))
		return MC_EINVALID;
	int32_t jdn = jdn_from_date(y, m, d);
	if (jdn < jdn_first() || y > LAST_YEAR)
		return MC_ERANGE;
	int s = jdn >= month11_start(y) ? y + 1 : y;
	struct sui sui;
	sui_compute(s, &sui);
	int i = sui.n - 1;
	while (i > 0 && sui.start[i] > jdn)
		i--;
	out->month = sui_month(&sui, i);
	out->leap = sui.leap && i == sui.leap;
	out->day = jdn - sui.start[i] + 1;
	/* Months 11 and 12 (and a leap 11 or 12) open the suì: year s-1. */
	out->year = (out->month >= 11 && i < 4) ? s - 1 : s;
	return 0;
}

int lunar_to_solar(const struct lunar_date *l, int *y, int *m, int *d)
{
	if (l->year < FIRST_YEAR || l->year > LAST_YEAR)
		return MC_ERANGE;
	if (l->month < 1 || l->month > 12 || l->day < 1 || l->day > 30)
		return MC_EINVALID;
	int s = l->month >= 11 ? l->year + 1 : l->year;
	struct sui sui;
	sui_compute(s, &sui);
	int i = -1;
	for (int j = 0; j < sui.n; j++) {
		bool leap = sui.leap && j == sui.leap;
		if (sui_month(&sui, j) == l->month && leap == l->leap) {
			i = j;
			break;
		}
	}
	if (i < 0)
		return MC_EINVALID; /* leap flag on a month that is not leap */
	if (l->day > sui.start[i + 1] - sui.start[i])
		return MC_EINVALID; /* day 30 of a 29-day month */
	int32_t jdn = sui.start[i] + l->day - 1;
	int yy, mm, dd;
	date_from_jdn(jdn, &yy, &mm, &dd);
	if (yy > LAST_YEAR)
		return MC_ERANGE;
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int lunar_month_days(int year, int month, bool leap, int *out)
{
	struct lunar_date l = { year, month, 30, leap };
	int y, m, d;
	int rc = lunar_to_solar(&l, &y, &m, &d);
	if (rc == MC_EINVALID) {
		l.day = 29;
		rc = lunar_to_solar(&l, &y, &m, &d);
		if (!rc)
			*out = 29;
		return rc;
	}
	if (!rc)
		*out = 30;
	return rc;
}

int lunar_leap_month(int year)
{
	/* A leap month of lunar year Y lies in suì Y (months 1..10) or suì Y+1. */
	for (int s = year; s <= year + 1; s++) {
		struct sui sui;
		sui_compute(s, &sui);
		if (!sui.leap || sui.leap >= sui.n)
			continue;
		int mo = sui_month(&sui, sui.leap);
		bool in_year = (s == year) ? mo <= 10 : mo >= 11;
		if (in_year)
			return mo;
	}
	return 0;
}
