/*
 * officehours.h - the office hours of one desk: its weekly sessions
 * (several per day, e.g. a morning and an afternoon; Saturday morning if
 * the desk opens then), the cut-off hour after which a receipt counts from
 * the next working session, and which weekday's hours a make-up working
 * day keeps. Pure; desks store the compact text form of officehours_parse.
 *
 * Which days are working days is the calendar's business (calendar.h),
 * not this module's: a Saturday session is reception time unless the
 * deadline policy says otherwise (deadline.h).
 */
#ifndef MC_CORE_OFFICEHOURS_H
#define MC_CORE_OFFICEHOURS_H

#include "util/buf.h"

#define OH_MAX_SESSIONS 4

/* Minutes since local midnight (UTC+7), start < end <= 1440. */
struct oh_session {
	int start, end;
};

struct officehours {
	/* Per weekday, 0 = Sunday ... 6 = Saturday: sessions sorted, disjoint. */
	struct oh_session sess[7][OH_MAX_SESSIONS];
	int n_sess[7];
	/*
	 * Receipts after this minute of the day count from the next working
	 * session (NĐ 61/2018 art. 18; NĐ 23/2015 art. 7; Law on Civil Status
	 * 2014 art. 5 cl. 3: "sau 15 giờ"). A receipt at 15:00 itself is not
	 * "after 15:00". -1: the desk has no cut-off.
	 */
	int cutoff;
	/*
	 * The weekday whose sessions a make-up working day (ngày làm bù)
	 * keeps: an ordinary weekday, Monday by default. Its total is also
	 * the "desk working day" of the hour-exact policy.
	 */
	int makeup_wday;
};

/*
 * The default desk, used when no desk is named: Monday to Friday
 * 07:30-11:30 and 13:30-17:00, cut-off 15:00, make-up days keep Monday's
 * hours. Text form: "mon-fri 07:30-11:30,13:30-17:00; cutoff 15:00".
 */
void officehours_default(struct officehours *oh);

/*
 * Parses the compact text form: clauses separated by ';'.
 *   DAYS SESSION[,SESSION...]   DAYS: mon..sun (or t2..t7, cn), a range
 *                               "mon-fri" or a list "mon,wed"; SESSION:
 *                               "HH:MM-HH:MM"
 *   cutoff HH:MM | cutoff none
 *   makeup DAY                  (default mon)
 * Example: "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30; cutoff 15:00".
 * Days not named have no session; at least one weekday must have one.
 * MC_EINVALID with the reason in err (out untouched) on a syntax error,
 * overlapping or unsorted sessions, a day given twice, more than
 * OH_MAX_SESSIONS sessions, or a make-up weekday without sessions.
 */
int officehours_parse(const char *text, struct officehours *out,
		      struct buf *err);

/* Appends the canonical text form (parses back to the same hours). */
void officehours_format(const struct officehours *oh, struct buf *out);

/* Working minutes of a weekday (sum of its sessions). */
int officehours_day_minutes(const struct officehours *oh, int wday);

#endif
