/*
 * reform.h - pure comparisons of procedure versions for administrative
 * reform (cải cách thủ tục hành chính): whether a committed processing time
 * respects the legal one, how much it cuts (in days and percent), and how
 * many dossier components a version drops or replaces by a look-up in a
 * national database (NQ 66.7/2025/NQ-CP). No I/O, no clock; table-tested
 * in tests/unit/test_reform.c. Used by store/version_repo.c and the report.
 */
#ifndef MC_CORE_REFORM_H
#define MC_CORE_REFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/duration.h"
#include "util/buf.h"

/*
 * Working hours in one working day for comparisons across units: the
 * normal working day is 8 hours (Bộ luật Lao động 2019, art. 105 cl. 1;
 * civil servants keep the 8-hour day of QĐ 188/1999/QĐ-TTg).
 */
#define REFORM_HOURS_PER_DAY 8

enum reform_cmp {
	REFORM_SHORTER = -1,	/* committed is shorter than legal */
	REFORM_EQUAL = 0,
	REFORM_LONGER = 1,
	REFORM_INCOMPARABLE = 2,	/* units that cannot be compared */
};

/*
 * Compares a committed time with the legal one. Working days, working
 * hours and "trong ngày" (counted as one working day: the receipt day at
 * most) compare in working hours. Calendar days compare with calendar days
 * and, as committed time, with legal working days (N calendar days always
 * elapse no later than N working days). Working time against a legal time
 * in calendar days is REFORM_INCOMPARABLE: holidays (Tết) can stretch a few
 * working days past any number of calendar days.
 */
enum reform_cmp reform_compare(const struct duration *committed,
			       const struct duration *legal);

/*
 * The rule of a province's commitment: the committed time may not exceed
 * the legal time (a province may only shorten it). 0 when allowed;
 * MC_EINVALID with a Vietnamese reason in err ("dài hơn thời hạn luật
 * định", "không so sánh được") otherwise.
 */
int reform_check_committed(const struct duration *committed,
			   const struct duration *legal, struct buf *err);

/*
 * The rule when the legal time has no unit (the national catalog lost it,
 * e.g. a bare "1", and no row of data/procedure-legal-times.csv fills it):
 * the committed time cannot be compared with the law, so it is allowed only
 * with the version's publishing decision (decision_ref: the province's
 * quyết định công bố, which then is the committed time's legal basis).
 * This is a rule of this system, not of a decree: it keeps a time nobody
 * can check from entering a version without a named source. 0 when
 * `has_decision`; MC_EINVALID with a Vietnamese reason naming `legal_text`
 * and the field to fill otherwise.
 */
int reform_check_unitless(const char *legal_text, bool has_decision,
			  struct buf *err);

/*
 * A time cut. When `comparable`: legal and committed in a common scale
 * (`scale` is DUR_WORKING_HOURS for working time, DUR_CALENDAR_DAYS for
 * calendar time), the cut in that scale, and the cut in tenths of a
 * percent of the legal time (333 = 33,3 %), rounded half up. Legal 0
 * gives 0 %.
 */
struct reform_cut {
	bool comparable;
	enum duration_unit scale;
	int legal, committed, cut;	/* in `scale` units */
	int pct_tenths;
};
void reform_time_cut(const struct duration *legal,
		     const struct duration *committed, struct reform_cut *out);

/*
 * The cut as Vietnamese text: "3 ngày làm việc (60,0%)", "4 giờ làm việc
 * (50,0%)", "không rút ngắn"; "không so sánh được" when not comparable.
 * Hours that make whole days are shown as days.
 */
void reform_cut_format(const struct reform_cut *c, struct buf *out);

/* Tenths as "33,3" (Vietnamese decimal comma). */
void reform_tenths_format(int tenths, struct buf *out);

/* Modes of a component in a version. */
enum component_mode {
	COMP_REQUIRED = 0,	/* still to be submitted */
	COMP_DROPPED,		/* no longer required */
	COMP_REPLACED,		/* replaced by a national-database look-up */
};

/* "required", "dropped", "replaced_by_lookup" (stored, API). */
const char *reform_mode_name(enum component_mode m);
/* Vietnamese label: "Phải nộp", "Đã bãi bỏ", "Thay bằng tra cứu dữ liệu". */
const char *reform_mode_label(enum component_mode m);
/* The mode named `s`: 0, or MC_EINVALID. */
int reform_mode_parse(const char *s, enum component_mode *out);

/*
 * National databases a component can be replaced by (NQ 66.7/2025/NQ-CP
 * lists the replacements per procedure; names as the resolution writes
 * them). code: stable key; name: Vietnamese. Ended by a NULL code.
 */
struct reform_lookup_db {
	const char *code, *name;
};
extern const struct reform_lookup_db reform_lookup_dbs[];
/* The name of lookup database `code`, or NULL when unknown. */
const char *reform_lookup_name(const char *code);

/*
 * One procedure's reform in a unit, for the report: the time cut of its
 * main channel (the counter's, else the first) and the component counts.
 */
struct reform_row {
	bool has_cut;		/* comparable and cut > 0 */
	int pct_tenths;		/* of the main channel when has_cut */
	int n_dropped, n_replaced;
};

/* Totals of the report. */
struct reform_totals {
	int n_procedures;	/* rows added */
	int n_cut;		/* with a time cut */
	int64_t sum_pct_tenths;	/* over rows with a cut */
	int n_simplified;	/* procedures with a component dropped or replaced */
	int n_components;	/* components dropped or replaced */
};

void reform_totals_add(struct reform_totals *t, const struct reform_row *r);
/* Average cut in tenths of a percent over procedures with a cut (0 if none),
 * rounded half up. */
int reform_totals_avg_tenths(const struct reform_totals *t);

#endif
