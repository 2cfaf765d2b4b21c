/*
 * intake_repo.c - the counter's cheap look-ups (see intake_repo.h).
 */
#include "store/intake_repo.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

int intake_unit_ref(struct db *db, const char *code, struct intake_unit *out,
		    struct buf *err)
{
	struct db_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = db_prepare_cached(db,
				   "SELECT u.code, u.full_name, u.parent_code,"
				   " p.full_name FROM units u"
				   " LEFT JOIN units p ON p.era = '2025'"
				   " AND p.code = u.parent_code"
				   " WHERE u.era = '2025' AND u.code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(out->code, sizeof(out->code), "%s",
			 db_column_text(st, 0));
		snprintf(out->full_name, sizeof(out->full_name), "%s",
			 db_column_text(st, 1));
		snprintf(out->parent_code, sizeof(out->parent_code), "%s",
			 db_column_text(st, 2));
		snprintf(out->parent_full_name, sizeof(out->parent_full_name),
			 "%s", db_column_text(st, 3));
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "no unit %s", code);
		rc = MC_ENOTFOUND;
	} else {
		buf_setf(err, "units: %s", db_errmsg(db));
	}
	db_done(st);
	return rc;
}

int intake_desk_serves(struct db *db, const char *unit_code,
		       const char *procedure_code, bool *yes, struct buf *err)
{
	struct db_stmt *st = NULL;
	*yes = false;
	int rc = db_prepare_cached(db,
				   "SELECT 1 FROM desks d JOIN desk_procedures p"
				   " ON p.desk_id = d.id WHERE d.unit_code = ?"
				   " AND p.procedure_code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, unit_code, -1);
	db_bind_text(st, 2, procedure_code, -1);
	rc = db_step(st);
	if (rc == DB_ROW || rc == DB_DONE) {
		*yes = rc == DB_ROW;
		rc = 0;
	} else {
		buf_setf(err, "desk_procedures: %s", db_errmsg(db));
	}
	db_done(st);
	return rc;
}
