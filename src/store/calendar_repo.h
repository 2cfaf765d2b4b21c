/*
 * calendar_repo.h - the schedule of days off in the database (table
 * calendar_days, migrations/0002_calendar.sql): load it, and replace whole
 * years from an import in one transaction. All the calendar's SQL is here;
 * the rules (what a year is, what counts as announced) are core/schedule.h
 * and core/calendar.h.
 */
#ifndef MC_STORE_CALENDAR_REPO_H
#define MC_STORE_CALENDAR_REPO_H

#include <stdbool.h>

#include "core/calendar.h"
#include "core/schedule.h"
#include "store/db.h"
#include "util/buf.h"

/*
 * Appends every stored row to `s` (sorted by day). MC_EDB when the query
 * fails (e.g. the table is missing: run `motcua init`), MC_EINVALID for a
 * row with a bad date or kind, naming it.
 */
int calendar_repo_load(struct db *db, struct schedule *s, struct buf *err);

/*
 * Loads the stored rows into `s` and fills `c` (already calendar_init'ed)
 * with them, then calendar_finish(): years without rows are derived. `c`
 * borrows its names from `s`: release `c` before `s`.
 */
int calendar_repo_load_calendar(struct db *db, struct schedule *s,
				struct calendar *c, struct buf *err);

/* What an import changed in one year. */
struct calendar_year_change {
	int year;
	bool replaced;	/* the whole year was replaced; false: edge rows only */
	int added, removed, changed, unchanged;
};

struct calendar_import_report {
	struct calendar_year_change *years;	/* ascending; owned */
	int n_years;
};

void calendar_import_report_release(struct calendar_import_report *r);

/*
 * Imports `s` in one transaction. Every year that `s` announces (a year
 * with a holiday row, schedule_years()) is replaced: its stored rows are
 * deleted and the new ones written. Rows of other years (an edge row such
 * as 2018-12-31 of the 2019 notice) are upserted without touching the rest
 * of their year. Other years are kept. `rep` (may be NULL) receives the
 * changes per year; release it. MC_EINVALID when `s` announces no year,
 * MC_EDB on a database failure (nothing is changed). `db` must not be in a
 * transaction.
 */
int calendar_repo_import(struct db *db, const struct schedule *s,
			 struct calendar_import_report *rep, struct buf *err);

/*
 * Imports the shipped data/vn-civil-service-days-off.csv (embedded), as
 * `motcua init` does. Same results as calendar_repo_import().
 */
int calendar_repo_import_shipped(struct db *db,
				 struct calendar_import_report *rep,
				 struct buf *err);

/* The embedded path of the shipped schedule. */
#define CALENDAR_SHIPPED_CSV "data/vn-civil-service-days-off.csv"

#endif
