/*
 * deskhours.c - one desk's office hours from table desks (see
 * deskhours.h). One cached SELECT per call; the parsing is
 * core/officehours.c's.
 */
#include "store/deskhours.h"

#include <string.h>

#include "util/err.h"

int deskhours_apply_cutoff(struct officehours *oh, const char *cutoff,
			   struct buf *err)
{
	/* Reuse the parser for the one clause: the canonical text of the
	 * hours without its cut-off, then "cutoff VALUE". */
	struct buf t = BUF_INIT;
	struct officehours tmp;
	officehours_format(oh, &t);
	char *clause = strstr(t.ptr, "cutoff ");
	if (clause) {
		size_t at = (size_t)(clause - t.ptr);
		while (at && (t.ptr[at - 1] == ' ' || t.ptr[at - 1] == ';'))
			at--;
		/* Keep what followed the cut-off clause (e.g. "; makeup"). */
		const char *rest = strchr(clause, ';');
		struct buf u = BUF_INIT;
		buf_add(&u, t.ptr, at);
		if (rest)
			buf_adds(&u, rest);
		buf_release(&t);
		t = u;
	}
	buf_addf(&t, "; cutoff %s", cutoff);
	int rc = officehours_parse(t.ptr, &tmp, err);
	buf_release(&t);
	if (!rc)
		oh->cutoff = tmp.cutoff;
	return rc;
}

static json_t *col_or_null(struct db_stmt *s, int col)
{
	return db_column_is_null(s, col) ? json_null()
					 : json_string(db_column_text(s, col));
}

int deskhours_get(struct db *db, const char *code, json_t **desk,
		  struct officehours *oh, struct buf *err)
{
	struct db_stmt *s;
	json_t *d = NULL;
	int rc = db_prepare_cached(db, "SELECT id, name, office_hours, cutoff"
				   " FROM desks WHERE unit_code = ?", &s, err);
	if (rc)
		return rc;
	if ((rc = db_bind_text(s, 1, code, -1))) {
		buf_setf(err, "desk '%.40s': not valid text", code);
		goto out;
	}
	rc = db_step(s);
	if (rc < 0) {
		buf_setf(err, "desks: %s", db_errmsg(db));
		goto out;
	}
	if (rc != DB_ROW) {
		buf_setf(err, "unknown desk '%.40s'", code);
		rc = MC_ENOTFOUND;
		goto out;
	}
	d = json_pack("{s:I, s:s, s:s, s:o, s:o}", "id",
		      (json_int_t)db_column_int64(s, 0), "code", code, "name",
		      db_column_text(s, 1), "office_hours", col_or_null(s, 2),
		      "cutoff", col_or_null(s, 3));
	const char *text = json_string_value(json_object_get(d, "office_hours"));
	const char *cutoff = json_string_value(json_object_get(d, "cutoff"));
	struct officehours h;
	if (text && *text) {
		if ((rc = officehours_parse(text, &h, err))) {
			buf_adds(err, " (stored office hours of the desk)");
			goto out;
		}
	} else {
		officehours_default(&h);
	}
	if (cutoff && *cutoff &&
	    (rc = deskhours_apply_cutoff(&h, cutoff, err))) {
		buf_adds(err, " (stored cut-off of the desk)");
		goto out;
	}
	*oh = h;
	*desk = d;
	d = NULL;
	rc = 0;
out:
	db_done(s);
	json_decref(d);
	return rc;
}
