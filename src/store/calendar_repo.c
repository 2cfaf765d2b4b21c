/*
 * calendar_repo.c - the days-off schedule in table calendar_days (see
 * calendar_repo.h). Imports replace whole years inside one transaction so
 * that a reader never sees a year half imported.
 */
#include "store/calendar_repo.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/embed.h"
#include "util/err.h"
#include "util/xalloc.h"

/* Reads the rows of [from, to] ('YYYY-MM-DD' bounds) into `s`. */
static int load_range(struct db *db, const char *from, const char *to,
		      struct schedule *s, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(db,
			    "SELECT day, kind, name, source FROM calendar_days"
			    " WHERE day >= ? AND day <= ? ORDER BY day",
			    &st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, from, -1);
	db_bind_text(st, 2, to, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *day = db_column_text(st, 0);
		const char *kind = db_column_text(st, 1);
		int32_t d;
		enum day_kind k;
		if (schedule_parse_day(day, &d) || calendar_kind_parse(kind, &k)) {
			buf_setf(err, "calendar_days: bad row '%.20s' '%.20s'",
				 day, kind);
			rc = MC_EINVALID;
			goto out;
		}
		schedule_append(s, d, k, db_column_text(st, 2),
				db_column_text(st, 3));
	}
	if (rc < 0) {
		buf_setf(err, "calendar_days: %s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	if (st)
		db_finalize(st);
	return rc;
}

int calendar_repo_load(struct db *db, struct schedule *s, struct buf *err)
{
	return load_range(db, "0000-01-01", "9999-12-31", s, err);
}

int calendar_repo_load_calendar(struct db *db, struct schedule *s,
				struct calendar *c, struct buf *err)
{
	int rc = calendar_repo_load(db, s, err);
	if (!rc)
		rc = schedule_fill(s, c, err);
	if (!rc)
		rc = calendar_finish(c, err);
	return rc;
}

void calendar_import_report_release(struct calendar_import_report *r)
{
	free(r->years);
	r->years = NULL;
	r->n_years = 0;
}

static int row_year(const struct schedule_row *r)
{
	int y, m, d;
	days_to_date(r->day, &y, &m, &d);
	return y;
}

static bool same_row(const struct schedule_row *a, const struct schedule_row *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) &&
	       !strcmp(a->source, b->source);
}

static const struct schedule_row *find_row(const struct schedule *s,
					   int32_t day)
{
	for (int i = 0; i < s->n_rows; i++)
		if (s->rows[i].day == day)
			return &s->rows[i];
	return NULL;
}

/*
 * Counts the changes in `year` between the stored rows and the new ones,
 * and deletes the stored year when it is replaced. Inside the transaction.
 */
static int diff_year(struct db *db, const struct schedule *s,
		     struct calendar_year_change *ch, struct buf *err)
{
	char from[11], to[11];
	struct schedule old = SCHEDULE_INIT;
	struct db_stmt *st = NULL;
	schedule_format_day(date_to_days(ch->year, 1, 1), from);
	schedule_format_day(date_to_days(ch->year, 12, 31), to);
	int rc = load_range(db, from, to, &old, err);
	if (rc)
		goto out;
	for (int i = 0; i < s->n_rows; i++) {
		const struct schedule_row *r = &s->rows[i];
		if (row_year(r) != ch->year)
			continue;
		const struct schedule_row *o = find_row(&old, r->day);
		if (!o)
			ch->added++;
		else if (same_row(o, r))
			ch->unchanged++;
		else
			ch->changed++;
	}
	if (!ch->replaced)
		goto out;
	for (int i = 0; i < old.n_rows; i++)
		if (!find_row(s, old.rows[i].day))
			ch->removed++;
	if ((rc = db_prepare(db,
			     "DELETE FROM calendar_days WHERE day >= ? AND day <= ?",
			     &st, err)))
		goto out;
	db_bind_text(st, 1, from, -1);
	db_bind_text(st, 2, to, -1);
	rc = db_step(st);
	if (rc < 0)
		buf_setf(err, "calendar_days: %s", db_errmsg(db));
	else
		rc = 0;
out:
	if (st)
		db_finalize(st);
	schedule_release(&old);
	return rc;
}

static int write_rows(struct db *db, const struct schedule *s, int64_t now,
		      struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(
		db,
		"INSERT INTO calendar_days (day, kind, name, source, imported_at)"
		" VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
		" kind = excluded.kind, name = excluded.name,"
		" source = excluded.source, imported_at = excluded.imported_at",
		&st, err);
	if (rc)
		goto out;
	for (int i = 0; i < s->n_rows; i++) {
		const struct schedule_row *r = &s->rows[i];
		char day[11];
		schedule_format_day(r->day, day);
		db_bind_text(st, 1, day, -1);
		db_bind_text(st, 2, calendar_kind_name(r->kind), -1);
		db_bind_text(st, 3, r->name, -1);
		db_bind_text(st, 4, r->source, -1);
		db_bind_int64(st, 5, now);
		if ((rc = db_step(st)) < 0) {
			buf_setf(err, "calendar_days %s: %s", day, db_errmsg(db));
			goto out;
		}
		if ((rc = db_reset(st)))
			goto out;
	}
	rc = 0;
out:
	if (st)
		db_finalize(st);
	return rc;
}

/* Adds `year` to the report if missing; returns its entry. */
static struct calendar_year_change *touch(struct calendar_import_report *r,
					  int year)
{
	for (int i = 0; i < r->n_years; i++)
		if (r->years[i].year == year)
			return &r->years[i];
	r->years = xrealloc(r->years, sizeof(*r->years) * (size_t)(r->n_years + 1));
	int i = r->n_years++;
	while (i > 0 && r->years[i - 1].year > year) {
		r->years[i] = r->years[i - 1];
		i--;
	}
	r->years[i] = (struct calendar_year_change){ .year = year };
	return &r->years[i];
}

int calendar_repo_import(struct db *db, const struct schedule *s,
			 struct calendar_import_report *rep, struct buf *err)
{
	struct calendar_import_report local = { NULL, 0 };
	bool in_tx = false;
	int rc = MC_EINVALID;

	int n_years = schedule_years(s, NULL, 0);
	if (n_years == 0) {
		buf_setf(err, "the file announces no year: a year's schedule "
			      "lists its holidays (kind holiday)");
		goto out;
	}
	int *years = xmalloc(sizeof(*years) * (size_t)n_years);
	schedule_years(s, years, n_years);
	for (int i = 0; i < n_years; i++)
		touch(&local, years[i])->replaced = true;
	free(years);
	for (int i = 0; i < s->n_rows; i++)
		touch(&local, row_year(&s->rows[i]));

	if ((rc = db_begin(db, err)))
		goto out;
	in_tx = true;
	for (int i = 0; i < local.n_years; i++)
		if ((rc = diff_year(db, s, &local.years[i], err)))
			goto out;
	if ((rc = write_rows(db, s, (int64_t)time(NULL), err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	if (!rc && rep) {
		*rep = local;
		local.years = NULL;
	}
	calendar_import_report_release(&local);
	return rc;
}

int calendar_repo_import_shipped(struct db *db,
				 struct calendar_import_report *rep,
				 struct buf *err)
{
	const struct embed_file *f = embed_find(CALENDAR_SHIPPED_CSV);
	struct schedule s = SCHEDULE_INIT;
	int rc;
	if (!f) {
		buf_setf(err, "%s is not embedded", CALENDAR_SHIPPED_CSV);
		rc = MC_ENOTFOUND;
		goto out;
	}
	rc = schedule_parse(&s, (const char *)f->data, f->len, err);
	if (!rc)
		rc = calendar_repo_import(db, &s, rep, err);
out:
	schedule_release(&s);
	return rc;
}
