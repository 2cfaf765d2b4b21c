/*
 * calendar_admin.h - the administrator's edits of the days-off schedule
 * (table calendar_days, store/calendar_repo.h): one entry added, changed
 * or removed, or a year replaced from CSV, each in one transaction with a
 * version check (a stale form is refused) and an audit entry holding the
 * year before and after. The server's calendar cache (web/calcache.h)
 * notices the change by itself within a second.
 */
#ifndef MC_STORE_CALENDAR_ADMIN_H
#define MC_STORE_CALENDAR_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/mctime.h"
#include "core/schedule.h"
#include "store/auth_repo.h"
#include "store/calendar_repo.h"
#include "store/db.h"
#include "util/buf.h"

#define CALENDAR_ADMIN_NAME_MAX 200	/* characters */
#define CALENDAR_ADMIN_SOURCE_MAX 300
#define CALENDAR_ADMIN_CSV_MAX (256 * 1024)	/* bytes of an import */

/*
 * The stored rows dated in `year` (appended to `s`, sorted) and the year's
 * version: 16 hex digits of a hash of those rows, which changes with any
 * change of the year (from this file, an import, or by hand). MC_EDB,
 * MC_EINVALID for a bad stored row.
 */
int calendar_admin_year(struct db *db, int year, struct schedule *s,
			char version[17], struct buf *err);

/* The rows of `s` as [{"date","kind","name","source"}] (a new array). */
json_t *calendar_admin_rows_json(const struct schedule *s);

/* One entry as typed; NULL reads as "". */
struct calendar_entry_edit {
	const char *date;	/* YYYY-MM-DD */
	const char *kind;	/* holiday, compensatory, swapped_off,
				 * makeup_workday */
	const char *name;
	const char *source;
};

/*
 * Checks an entry of `year` without the database: the date (YYYY-MM-DD,
 * a real date in `year`), the kind, the name (required), the lengths, and
 * the weekday rules: a make-up working day is a Saturday or a Sunday; a
 * compensatory or swapped day off is a weekday (Labour Code 2019 art. 111
 * cl. 3; the yearly notices swap a weekday for a Saturday). On success 0
 * and the row appended to `one` (core/schedule.h; the caller releases it).
 * MC_EINVALID and *errors (a new object field -> Vietnamese message
 * naming the field) otherwise.
 */
int calendar_entry_check(int year, const struct calendar_entry_edit *in,
			 struct schedule *one, json_t **errors);

enum calendar_op { CAL_ADD, CAL_CHANGE, CAL_REMOVE };

/*
 * Adds (CAL_ADD), replaces (CAL_CHANGE: the entry of `old_date`, which may
 * move to another date) or removes (CAL_REMOVE: the entry of `old_date`;
 * `in` unused) one entry of `year`. `version` (NULL: no check) must be the
 * year's current version, else MC_ECONFLICT. Checks calendar_entry_check()
 * and, against the stored year: no second entry on a date (field "date"),
 * and no holiday added to a year that has no announced schedule (field
 * "kind": one holiday would make the year announced and drop the whole
 * provisional schedule derived from the law; import the year's schedule
 * instead). Errors: MC_EINVALID with *errors, MC_ENOTFOUND (no entry on
 * old_date), MC_ECONFLICT, MC_EDB (nothing written). Audited as
 * "calendar.update" (object "calendar", id the year) with the year's rows
 * before and after. *version_out (may be NULL) gets the new version.
 */
int calendar_admin_edit(struct db *db, const struct auth_actor *by, int year,
			enum calendar_op op, const char *old_date,
			const struct calendar_entry_edit *in,
			const char *version, mc_time now, json_t **errors,
			char version_out[17], struct buf *err);

/*
 * Replaces the schedule of `year` with the CSV `csv` (the columns of
 * core/schedule.h: date,kind,name,source) through calendar_repo_import():
 * every row must be dated in `year` and the file must announce the year
 * (at least one holiday row). `dry_run`: everything is done and then
 * rolled back (the preview: nothing written, no audit). Otherwise audited
 * as "calendar.import" with the year before and after. *diff (a new
 * object) tells what changes: {"added":[row],"removed":[row],
 * "changed":[{"before":row,"after":row}],"unchanged":n} with rows as
 * calendar_admin_rows_json(); *rep gets calendar_repo's counts (release
 * it). `version` as in calendar_admin_edit(). MC_EINVALID with the reason
 * in err ("line N: field: reason" for a bad CSV row), MC_ECONFLICT,
 * MC_ETOOBIG (more than CALENDAR_ADMIN_CSV_MAX bytes), MC_EDB.
 */
int calendar_admin_import(struct db *db, const struct auth_actor *by,
			  int year, const char *csv, size_t len,
			  const char *version, bool dry_run, mc_time now,
			  struct calendar_import_report *rep, json_t **diff,
			  struct buf *err);

#endif
