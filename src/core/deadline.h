/*
 * deadline.h - due times in the legal working time of one desk:
 * due = f(calendar, desk hours, receipt, duration, policy), with pauses,
 * a restart, working time elapsed, on-time classification and per-step
 * allotments. Pure: no I/O, no clock ("now" is an argument), no globals;
 * a deadline that cannot be computed is an error with a reason, never a
 * made-up date. docs/deadlines.md has the same rules with worked examples.
 *
 * Working time. A desk working day is a working day of the calendar
 * (weekly rest days, holidays and days off excluded, make-up days
 * included; calendar.h) on which the desk has sessions; a make-up day
 * keeps the sessions of officehours.makeup_wday. Working time is the time
 * inside those sessions. The close of a working day is the end of its
 * last session.
 *
 * Effective start (the receipt rules). A receipt inside a session of a
 * working day, at or before the cut-off minute, starts the clock at once.
 * A receipt before a session of a working day (06:50, 11:31 at lunch)
 * starts it at that session. A receipt after the cut-off (15:01: "sau 15
 * giờ", NĐ 61/2018 art. 18, NĐ 23/2015 art. 7, Law on Civil Status 2014
 * art. 5 cl. 3, QĐ 766 rule for 2.000986), after the close, or on a day
 * off starts it at the first session of the next working day. The "receipt
 * day" D is the local day of the effective start. Minutes are compared
 * exactly: 15:00 is not after 15:00; the time is in UTC+7.
 *
 * Units (duration.h):
 *   working days, policy day-end (default): day 1 is the working day after
 *     D (Civil Code 2015 art. 147: the first day is not counted); the due
 *     is the close of the N-th working day (art. 148: a time limit in days
 *     ends at the end of its last day; the desk's day ends at its close).
 *   working days, policy hour-exact (a province's choice): N times the
 *     working minutes of the desk's ordinary day (makeup_wday), counted
 *     from the effective start.
 *   working hours: N x 60 working minutes counted from the effective start;
 *     lunch and nights do not count (research §7.4: how "giờ làm việc"
 *     spans the lunch break is UNCONFIRMED; office hours only is the rule
 *     the issue chose).
 *   calendar days ("15 ngày"): the last day is D + N; if it is not a
 *     working day the time limit ends at the close of the next working day
 *     (Civil Code 2015 art. 148 cl. 5), else at its close.
 *   same day (trong ngày, ngay): the close of D, i.e. today's close before
 *     the cut-off, the next working day's close after it (NĐ 23/2015 art. 7;
 *     Law on Civil Status 2014 art. 5 cl. 3).
 * 0 working days means the close of D, like the same day.
 *
 * The clock. The allotment is measured from the clock start: the close of
 * D for working and calendar days under day-end (the rest of the receipt
 * day is not counted), the effective start otherwise. The due is the
 * earliest instant at which the running clock has used the allotment.
 *
 * Pauses: intervals in which the clock stops (waiting for the applicant's
 * supplement, subtracted as QĐ 766/QĐ-TTg does; civil-status verification
 * correspondence, NĐ 07/2025 amending NĐ 123/2015). Each pause moves the
 * due by the working time it covers after the clock start; overlapping
 * pauses count once; a pause that begins at or after the due (the time
 * was already used up) does not move it.
 *
 * Restart: the time limit counted again from the start once the complete
 * dossier is received (NĐ 61/2018 art. 19 cl. 4). The restart instant is
 * treated as a new receipt (receipt rules apply); pauses before it are
 * ignored.
 *
 * Settings whose legal basis is UNCONFIRMED (research vn-requirements.md
 * §1.10, §7.3, §7.4, §11) and their defaults:
 *   - the 15:00 cut-off under NĐ 118/2025: per desk (officehours.cutoff),
 *     default 15:00, "cutoff none" turns it off;
 *   - Saturday (rest-day) sessions: reception only by default, working
 *     time with rest_day_sessions_count;
 *   - day-end vs hour-exact counting of working days: policy.count;
 *   - the "approaching" share: policy.approach_permille, default 200
 *     (less than 20% of the allotment left).
 */
#ifndef MC_CORE_DEADLINE_H
#define MC_CORE_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/duration.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "util/buf.h"

enum deadline_count {
	DL_COUNT_DAY_END,	/* working days end at a close (default) */
	DL_COUNT_HOUR_EXACT,	/* N x the desk's day, from the receipt */
};

struct deadline_policy {
	enum deadline_count count;
	/*
	 * Sessions on a weekly rest day that is not a holiday (a desk's
	 * Saturday morning) count as working time and the day as a working
	 * day. Default false: they are reception time only, and a receipt
	 * then counts from the next working day.
	 */
	bool rest_day_sessions_count;
	/* "Approaching" below this share of the allotment, in 1/1000. */
	int approach_permille;
};

/* count day-end, rest-day sessions reception only, approaching at 20%. */
void deadline_policy_default(struct deadline_policy *p);

/* "day-end" or "hour-exact" -> *out; MC_EINVALID with the reason. */
int deadline_count_parse(const char *s, enum deadline_count *out,
			 struct buf *err);
const char *deadline_count_name(enum deadline_count c);

/*
 * The engine for one desk: an index over the calendar's range (one byte
 * and two counters per day) built once, so each computation is a few
 * O(1) look-ups and an exponential search; no allocation per call. Read
 * only after deadline_init: safe to share between threads.
 */
struct deadline {
	struct officehours oh;
	struct deadline_policy pol;
	int32_t first_day, n_days;	/* local days covered */
	int first_year, last_year;
	uint8_t *tmpl;			/* per day: 0 off, else 1 + weekday
					   whose sessions apply */
	int32_t *cum_min;		/* n_days + 1: working minutes before day */
	int32_t *cum_wd;		/* n_days + 1: working days before day */
	int std_day_min;		/* minutes of makeup_wday */
};

/*
 * Builds the index for the whole range of `cal` (finished; borrowed only
 * during the call) with desk hours `oh` and policy `pol` (copied; NULL for
 * the defaults). MC_EINVALID with the reason for a desk without sessions
 * or a bad policy. Release with deadline_release().
 */
int deadline_init(struct deadline *d, const struct calendar *cal,
		  const struct officehours *oh,
		  const struct deadline_policy *pol, struct buf *err);
/*
 * The same over the years [first_year, last_year] only (MC_ERANGE unless
 * inside the calendar's range): about 9 bytes per day instead of ~1 MB for
 * 1900-2199, and a faster build. A server keeps one engine per distinct
 * desk hours (officehours_format() is a good key), not one per desk.
 */
int deadline_init_years(struct deadline *d, const struct calendar *cal,
			const struct officehours *oh,
			const struct deadline_policy *pol, int first_year,
			int last_year, struct buf *err);
void deadline_release(struct deadline *d);

/* An interval [start, end) in which the clock stops. */
struct deadline_pause {
	mc_time start, end;
};

enum deadline_req_flags {
	/*
	 * Start the clock exactly at `received`: no receipt rules, D is the
	 * day of `received`. For chaining one step after another.
	 */
	DL_REQ_RAW_START = 1 << 0,
};

struct deadline_req {
	mc_time received;		/* receipt, UTC */
	struct duration dur;
	/* Sorted by start (overlaps allowed); borrowed. */
	const struct deadline_pause *pauses;
	int n_pauses;
	bool has_restart;
	mc_time restart;		/* clock from zero at this instant */
	unsigned flags;			/* enum deadline_req_flags */
};

/*
 * The due time of a request into *due. Errors (reason in err, *due
 * untouched): MC_ERANGE when the receipt or the due falls outside the
 * calendar's years; MC_EINVALID for a malformed duration or pause (end
 * before start, pauses not sorted by start).
 */
int deadline_due(const struct deadline *d, const struct deadline_req *r,
		 mc_time *due, struct buf *err);

/*
 * The effective start of the clock for a receipt at `t` (receipt rules
 * above) into *out. MC_ERANGE outside the calendar.
 */
int deadline_start(const struct deadline *d, mc_time t, mc_time *out,
		   struct buf *err);

/*
 * Working time in seconds between a and b (negative when b < a), minus
 * the working time covered by `pauses` (sorted by start; may be NULL with
 * n_pauses 0) inside [a, b]. For averages per procedure and the time a
 * step used. MC_ERANGE outside the calendar.
 */
int deadline_between(const struct deadline *d, mc_time a, mc_time b,
		     const struct deadline_pause *pauses, int n_pauses,
		     int64_t *seconds, struct buf *err);

enum deadline_class {
	DL_EARLY,	/* finished on an earlier local day than the due day */
	DL_ON_TIME,
	DL_LATE,	/* finished after the due minute */
};

/*
 * Classification exact to the minute (QĐ 766: on time when the end is not
 * after the appointment; TT 01/2018 art. 13 index 1: earlier than due):
 * late if `finished` is in a later minute than `due`; early if it falls
 * on an earlier calendar day in UTC+7; on time otherwise.
 */
enum deadline_class deadline_classify(mc_time due, mc_time finished);
const char *deadline_class_name(enum deadline_class c);

/* Where a running dossier stands at `now`. Times in seconds of work. */
struct deadline_progress {
	mc_time start;		/* effective start (after receipt rules) */
	mc_time due;
	int64_t allotted;	/* working time the duration allows */
	int64_t used;		/* clock time used up to now (pauses out) */
	int64_t remaining;	/* allotted - used; negative when overdue */
	bool paused;		/* now is inside a pause */
	bool overdue;		/* now is after the due minute */
	bool approaching;	/* not overdue, remaining < share of allotted */
};

/*
 * The progress of request `r` at `now`. Pauses still open must be closed
 * at `now` by the caller. Errors as deadline_due().
 */
int deadline_progress(const struct deadline *d, const struct deadline_req *r,
		      mc_time now, struct deadline_progress *out,
		      struct buf *err);

/*
 * Splits the allotment of `r` into n_steps consecutive steps in proportion
 * to `weights` (>= 0, not all 0; e.g. the hours each step is allotted in
 * the internal procedure) and writes each step's due into dues[0..n):
 * step i ends when the clock has used the first w0+..+wi shares (rounded
 * down to a second); the last step's due is the request's due. Pauses
 * apply as in deadline_due(). For the process-control slip (Phiếu kiểm
 * soát quá trình giải quyết hồ sơ, TT 01/2018 Mẫu 02). Errors as
 * deadline_due(), and MC_EINVALID for bad weights.
 */
int deadline_split(const struct deadline *d, const struct deadline_req *r,
		   const int *weights, int n_steps, mc_time *dues,
		   struct buf *err);

#endif
