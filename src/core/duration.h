/*
 * duration.h - a processing time with an explicit unit, and the parser of
 * the catalog's Vietnamese phrases ("3 ngày làm việc", "04 giờ làm việc",
 * "Trong ngày", "15 ngày"). Pure. A phrase without a unit (the national
 * catalog lost some, e.g. a bare "1") is not guessed: it is an error, and
 * the caller keeps the original text.
 */
#ifndef MC_CORE_DURATION_H
#define MC_CORE_DURATION_H

#include <stdbool.h>

#include "util/buf.h"

enum duration_unit {
	DUR_WORKING_DAYS,	/* ngày làm việc */
	DUR_WORKING_HOURS,	/* giờ làm việc */
	DUR_CALENDAR_DAYS,	/* ngày (calendar days, incl. rest days) */
	DUR_SAME_DAY,		/* trong ngày / ngay: amount is 0 */
};

struct duration {
	enum duration_unit unit;
	int amount;		/* days or hours; 0 for DUR_SAME_DAY */
};

/*
 * Parses one phrase (UTF-8, any case, with or without diacritics).
 * MC_EINVALID with the reason in err when no unit can be read or the
 * amount is missing, negative or absurd (> 3650 days).
 */
int duration_parse(const char *text, struct duration *out, struct buf *err);

/* Canonical Vietnamese text: "3 ngày làm việc", "4 giờ làm việc", "Trong ngày". */
void duration_format(const struct duration *d, struct buf *out);

/* The stable code used in the database and the API: "3wd", "4wh", "15cd", "0sd". */
void duration_code(const struct duration *d, struct buf *out);
int duration_from_code(const char *code, struct duration *out, struct buf *err);

#endif
