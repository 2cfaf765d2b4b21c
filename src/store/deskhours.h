/*
 * deskhours.h - the working hours of one desk as the calendar needs them:
 * read from the catalog's desks table (migrations/0001_catalog.sql; the
 * catalog owns and writes it) and resolved into core/officehours.h form.
 * Read-only. The rule for the stored columns is the CLI's (`calendar due
 * --desk`, docs/deadlines.md §9): office_hours NULL or "" means the
 * default desk; a non-empty cutoff column ("HH:MM" or "none") overrides
 * the cut-off of the text.
 */
#ifndef MC_STORE_DESKHOURS_H
#define MC_STORE_DESKHOURS_H

#include <jansson.h>

#include "core/officehours.h"
#include "store/db.h"
#include "util/buf.h"

/*
 * The desk of the commune/ward with unit code `code`. On success *desk is
 * a new reference {"id":12, "code":"07738", "name":"...",
 * "office_hours":"..."|null, "cutoff":"15:00"|null} (the stored values)
 * and *oh the effective hours. Errors, reason in err: MC_ENOTFOUND (no
 * desk for that code), MC_EINVALID (the stored hours or cut-off do not
 * parse; the reason names the column), MC_EDB.
 */
int deskhours_get(struct db *db, const char *code, json_t **desk,
		  struct officehours *oh, struct buf *err);

/*
 * Applies a cut-off column value ("HH:MM" or "none") to `oh`. MC_EINVALID
 * with the reason when it does not parse (oh untouched).
 */
int deskhours_apply_cutoff(struct officehours *oh, const char *cutoff,
			   struct buf *err);

#endif
