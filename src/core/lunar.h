/*
 * lunar.h - the Vietnamese lunar calendar (âm lịch), computed with Hồ Ngọc
 * Đức's astronomical algorithm at UTC+7 (Vietnam's meridian: where it
 * differs from China's UTC+8 calendar, Vietnam's is followed). Valid for
 * 1900-2199. Pure.
 */
#ifndef MC_CORE_LUNAR_H
#define MC_CORE_LUNAR_H

#include <stdbool.h>

struct lunar_date {
	int year, month, day;	/* month 1..12 */
	bool leap;		/* a leap (nhuận) month */
};

/*
 * Solar (Gregorian) -> lunar. MC_EINVALID for a date that does not exist,
 * MC_ERANGE outside 1900-01-31 (Tết 1900) .. 2199-12-31.
 */
int lunar_from_solar(int y, int m, int d, struct lunar_date *out);

/*
 * Lunar -> solar. MC_EINVALID when the lunar date does not exist (day 30 of
 * a 29-day month, a leap flag on a month that is not leap that year),
 * MC_ERANGE for a lunar year outside 1900..2199 or a result after 2199.
 */
int lunar_to_solar(const struct lunar_date *l, int *y, int *m, int *d);

/*
 * The length (29 or 30) of a lunar month into *out. MC_EINVALID when the
 * month does not exist, MC_ERANGE outside the range.
 */
int lunar_month_days(int year, int month, bool leap, int *out);

/* The number of the leap month of lunar year `year`, 0 if it has none. */
int lunar_leap_month(int year);

#endif
