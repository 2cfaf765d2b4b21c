/*
 * calendar_admin.c - audited, version-checked edits of the days-off
 * schedule (see calendar_admin.h). Whole-year imports go through
 * calendar_repo_import() inside this file's transaction (a savepoint), so
 * the import and its audit entry commit together.
 */
#include "store/calendar_admin.h"

#include <stdio.h>
#include <string.h>

#include "store/audit.h"
#include "util/err.h"
#include "util/text.h"

/* Reads the rows of [from, to] into `s`. */
static int load_year(struct db *db, int year, struct schedule *s,
		     struct buf *err)
{
	char from[11], to[11];
	struct db_stmt *st = NULL;
	schedule_format_day(date_to_days(year, 1, 1), from);
	schedule_format_day(date_to_days(year, 12, 31), to);
	int rc = db_prepare(db,
			    "SELECT day, kind, name, source FROM calendar_days"
			    " WHERE day >= ? AND day <= ? ORDER BY day",
			    &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, from, -1);
	db_bind_text(st, 2, to, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		int32_t d;
		enum day_kind k;
		if (schedule_parse_day(db_column_text(st, 0), &d) ||
		    calendar_kind_parse(db_column_text(st, 1), &k)) {
			buf_setf(err, "calendar_days: bad row '%.20s'",
				 db_column_text(st, 0));
			rc = MC_EINVALID;
			goto out;
		}
		schedule_append(s, d, k, db_column_text(st, 2),
				db_column_text(st, 3));
	}
	if (rc < 0)
		buf_setf(err, "calendar_days: %s", db_errmsg(db));
	else
		rc = 0;
out:
	db_finalize(st);
	return rc;
}

/* FNV-1a over the rows, as 16 hex digits. */
static void version_of(const struct schedule *s, char out[17])
{
	uint64_t h = 14695981039346656037ULL;
	for (int i = 0; i < s->n_rows; i++) {
		char day[11];
		schedule_format_day(s->rows[i].day, day);
		const char *parts[4] = { day,
					 calendar_kind_name(s->rows[i].kind),
					 s->rows[i].name, s->rows[i].source };
		for (int p = 0; p < 4; p++) {
			for (const char *c = parts[p]; *c; c++) {
				h ^= (unsigned char)*c;
				h *= 1099511628211ULL;
			}
			h ^= 0x1f;	/* field separator */
			h *= 1099511628211ULL;
		}
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int calendar_admin_year(struct db *db, int year, struct schedule *s,
			char version[17], struct buf *err)
{
	int rc = load_year(db, year, s, err);
	if (!rc)
		version_of(s, version);
	return rc;
}

static json_t *row_json(const struct schedule_row *r)
{
	char day[11];
	schedule_format_day(r->day, day);
	return json_pack("{s:s, s:s, s:s, s:s}", "date", day, "kind",
			 calendar_kind_name(r->kind), "name", r->name, "source",
			 r->source);
}

json_t *calendar_admin_rows_json(const struct schedule *s)
{
	json_t *a = json_array();
	for (int i = 0; i < s->n_rows; i++)
		json_array_append_new(a, row_json(&s->rows[i]));
	return a;
}

/* ---- checks ------------------------------------------------------------- */

static void field_error(json_t *errors, const char *field, const char *msg)
{
	if (!json_object_get(errors, field))
		json_object_set_new(errors, field, json_string(msg));
}

/* Trimmed NFC copy of `s` into `out`; false on bad UTF-8. */
static bool clean(const char *s, struct buf *out)
{
	struct buf sq = BUF_INIT, e = BUF_INIT;
	if (!s)
		s = "";
	text_squeeze(s, strlen(s), &sq);
	bool ok = !text_nfc(sq.ptr, sq.len, out, &e);
	buf_release(&sq);
	buf_release(&e);
	return ok;
}

int calendar_entry_check(int year, const struct calendar_entry_edit *in,
			 struct schedule *one, json_t **errors)
{
	json_t *e = json_object();
	struct buf date = BUF_INIT, name = BUF_INIT, source = BUF_INIT,
		   msg = BUF_INIT;
	int32_t day = 0;
	enum day_kind kind = DAY_HOLIDAY;
	int rc = MC_EINVALID;

	if (!clean(in->date, &date) || schedule_parse_day(date.ptr, &day)) {
		field_error(e, "date", "Ngày: phải là một ngày có thật, "
				       "dạng YYYY-MM-DD (ví dụ 2026-09-02)");
	} else {
		int y, m, d;
		days_to_date(day, &y, &m, &d);
		if (y != year) {
			buf_addf(&msg, "Ngày: phải thuộc năm %d", year);
			field_error(e, "date", msg.ptr);
		}
	}
	if (calendar_kind_parse(in->kind ? in->kind : "", &kind))
		field_error(e, "kind", "Loại ngày: chọn một trong nghỉ lễ, "
				       "nghỉ bù, nghỉ hoán đổi, làm việc bù");
	if (!clean(in->name, &name))
		field_error(e, "name", "Tên ngày: không phải văn bản hợp lệ");
	else if (!name.len)
		field_error(e, "name", "Tên ngày: không được để trống");
	else if (text_chars(name.ptr) > CALENDAR_ADMIN_NAME_MAX)
		field_error(e, "name", "Tên ngày: dài tối đa 200 ký tự");
	if (!clean(in->source, &source))
		field_error(e, "source", "Căn cứ: không phải văn bản hợp lệ");
	else if (text_chars(source.ptr) > CALENDAR_ADMIN_SOURCE_MAX)
		field_error(e, "source", "Căn cứ: dài tối đa 300 ký tự");

	if (!json_object_get(e, "date") && !json_object_get(e, "kind")) {
		int wd = days_weekday(day);
		bool weekend = wd == 0 || wd == 6;
		/* A make-up working day replaces a weekly rest day (the
		 * yearly notices of the Ministry of Home Affairs); a day
		 * off in place of a holiday falls on a working day
		 * (Labour Code 2019 art. 111 cl. 3). */
		if (kind == DAY_MAKEUP && !weekend)
			field_error(e, "kind", "Loại ngày: ngày làm việc bù "
					       "phải là thứ Bảy hoặc Chủ nhật");
		else if ((kind == DAY_COMPENSATORY ||
			  kind == DAY_SWAPPED_OFF) && weekend)
			field_error(e, "kind", "Loại ngày: ngày nghỉ bù hoặc "
					       "nghỉ hoán đổi phải là ngày "
					       "thường (thứ Hai đến thứ Sáu)");
	}

	if (json_object_size(e)) {
		*errors = e;
		e = NULL;
		goto out;
	}
	*errors = NULL;
	schedule_append(one, day, kind, name.ptr, source.ptr);
	rc = 0;
out:
	json_decref(e);
	buf_release(&date);
	buf_release(&name);
	buf_release(&source);
	buf_release(&msg);
	return rc;
}

/* ---- writes ------------------------------------------------------------- */

static const struct schedule_row *find_row(const struct schedule *s,
					   int32_t day)
{
	for (int i = 0; i < s->n_rows; i++)
		if (s->rows[i].day == day)
			return &s->rows[i];
	return NULL;
}

static bool has_holiday(const struct schedule *s)
{
	for (int i = 0; i < s->n_rows; i++)
		if (s->rows[i].kind == DAY_HOLIDAY)
			return true;
	return false;
}

static int delete_day(struct db *db, int32_t day, struct buf *err)
{
	char d[11];
	struct db_stmt *st;
	schedule_format_day(day, d);
	int rc = db_prepare(db, "DELETE FROM calendar_days WHERE day = ?", &st,
			    err);
	if (rc)
		return rc;
	db_bind_text(st, 1, d, -1);
	rc = db_step(st);
	if (rc < 0)
		buf_setf(err, "calendar_days: %s", db_errmsg(db));
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

static int insert_row(struct db *db, const struct schedule_row *r,
		      mc_time now, struct buf *err)
{
	char d[11];
	struct db_stmt *st;
	schedule_format_day(r->day, d);
	int rc = db_prepare(db,
			    "INSERT INTO calendar_days (day, kind, name, source,"
			    " imported_at) VALUES (?, ?, ?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, d, -1);
	db_bind_text(st, 2, calendar_kind_name(r->kind), -1);
	db_bind_text(st, 3, r->name, -1);
	db_bind_text(st, 4, r->source, -1);
	db_bind_int64(st, 5, now);
	rc = db_step(st);
	if (rc < 0)
		buf_setf(err, "calendar_days: %s", db_errmsg(db));
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

static int audit_year(struct db *db, const struct auth_actor *by,
		      const char *action, int year, const struct schedule *a,
		      const struct schedule *b, mc_time now, struct buf *err)
{
	char id[8];
	snprintf(id, sizeof(id), "%d", year);
	json_t *before = json_pack("{s:i, s:o}", "year", year, "entries",
				   calendar_admin_rows_json(a));
	json_t *after = json_pack("{s:i, s:o}", "year", year, "entries",
				  calendar_admin_rows_json(b));
	struct audit_entry ae = {
		.at = now,
		.actor_id = by->id,
		.actor = by->name,
		.action = action,
		.object_type = "calendar",
		.object_id = id,
		.unit_code = NULL,
		.client = by->client,
		.before = before,
		.after = after,
	};
	int rc = audit_append(db, &ae, NULL, err);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* Opens the transaction, loads the year and checks the version. */
static int begin_year(struct db *db, int year, const char *version,
		      struct schedule *cur, struct buf *err)
{
	char v[17];
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	if ((rc = calendar_admin_year(db, year, cur, v, err)))
		goto fail;
	if (version && *version && strcmp(version, v)) {
		buf_setf(err, "the schedule of %d was changed by someone else",
			 year);
		rc = MC_ECONFLICT;
		goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int calendar_admin_edit(struct db *db, const struct auth_actor *by, int year,
			enum calendar_op op, const char *old_date,
			const struct calendar_entry_edit *in,
			const char *version, mc_time now, json_t **errors,
			char version_out[17], struct buf *err)
{
	struct schedule cur = SCHEDULE_INIT, one = SCHEDULE_INIT,
			after = SCHEDULE_INIT;
	bool in_tx = false;
	int32_t old_day = 0;
	int rc;

	*errors = NULL;
	if (op != CAL_ADD &&
	    (!old_date || schedule_parse_day(old_date, &old_day))) {
		buf_setf(err, "no entry on '%.20s'", old_date ? old_date : "");
		rc = MC_ENOTFOUND;
		goto out;
	}
	if (op != CAL_REMOVE &&
	    (rc = calendar_entry_check(year, in, &one, errors)))
		goto out;
	if ((rc = begin_year(db, year, version, &cur, err)))
		goto out;
	in_tx = true;
	if (op != CAL_ADD && !find_row(&cur, old_day)) {
		buf_setf(err, "no entry on %s", old_date);
		rc = MC_ENOTFOUND;
		goto out;
	}
	if (op != CAL_REMOVE) {
		const struct schedule_row *r = &one.rows[0];
		const struct schedule_row *same = find_row(&cur, r->day);
		if (same && (op == CAL_ADD || r->day != old_day)) {
			*errors = json_pack("{s:s}", "date",
					    "Ngày: đã có một mục vào ngày này; "
					    "hãy sửa mục đó");
			rc = MC_EINVALID;
			goto out;
		}
		if (r->kind == DAY_HOLIDAY && !has_holiday(&cur)) {
			*errors = json_pack(
				"{s:s}", "kind",
				"Loại ngày: năm này chưa có lịch nghỉ được "
				"công bố; thêm một ngày lễ sẽ bỏ toàn bộ lịch "
				"tạm tính theo Bộ luật Lao động. Hãy nhập lịch "
				"cả năm (CSV) thay vì thêm từng ngày lễ");
			rc = MC_EINVALID;
			goto out;
		}
	}
	if (op != CAL_ADD && (rc = delete_day(db, old_day, err)))
		goto out;
	if (op != CAL_REMOVE && (rc = insert_row(db, &one.rows[0], now, err)))
		goto out;
	char v[17];
	if ((rc = calendar_admin_year(db, year, &after, v, err)))
		goto out;
	if ((rc = audit_year(db, by, "calendar.update", year, &cur, &after,
			     now, err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
	if (!rc && version_out)
		memcpy(version_out, v, 17);
out:
	if (in_tx)
		db_rollback(db);
	schedule_release(&cur);
	schedule_release(&one);
	schedule_release(&after);
	return rc;
}

static bool same_row(const struct schedule_row *a, const struct schedule_row *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) &&
	       !strcmp(a->source, b->source);
}

/* What changes from `a` to `b` (both one year's rows). */
static json_t *diff_of(const struct schedule *a, const struct schedule *b)
{
	json_t *added = json_array(), *removed = json_array(),
	       *changed = json_array();
	int unchanged = 0;
	for (int i = 0; i < b->n_rows; i++) {
		const struct schedule_row *o = find_row(a, b->rows[i].day);
		if (!o)
			json_array_append_new(added, row_json(&b->rows[i]));
		else if (!same_row(o, &b->rows[i]))
			json_array_append_new(
				changed, json_pack("{s:o, s:o}", "before",
						   row_json(o), "after",
						   row_json(&b->rows[i])));
		else
			unchanged++;
	}
	for (int i = 0; i < a->n_rows; i++)
		if (!find_row(b, a->rows[i].day))
			json_array_append_new(removed, row_json(&a->rows[i]));
	return json_pack("{s:o, s:o, s:o, s:i}", "added", added, "removed",
			 removed, "changed", changed, "unchanged", unchanged);
}

int calendar_admin_import(struct db *db, const struct auth_actor *by,
			  int year, const char *csv, size_t len,
			  const char *version, bool dry_run, mc_time now,
			  struct calendar_import_report *rep, json_t **diff,
			  struct buf *err)
{
	struct schedule s = SCHEDULE_INIT, cur = SCHEDULE_INIT,
			after = SCHEDULE_INIT;
	bool in_tx = false;
	int rc;

	*diff = NULL;
	if (rep)
		*rep = (struct calendar_import_report){ NULL, 0 };
	if (len > CALENDAR_ADMIN_CSV_MAX) {
		buf_setf(err, "the file is larger than %d bytes",
			 CALENDAR_ADMIN_CSV_MAX);
		rc = MC_ETOOBIG;
		goto out;
	}
	if ((rc = schedule_parse(&s, csv, len, err)))
		goto out;
	for (int i = 0; i < s.n_rows; i++) {
		int y, m, d;
		days_to_date(s.rows[i].day, &y, &m, &d);
		if (y != year) {
			char day[11];
			schedule_format_day(s.rows[i].day, day);
			buf_setf(err, "line %d: date: %s is not in %d",
				 s.rows[i].line, day, year);
			rc = MC_EINVALID;
			goto out;
		}
	}
	if (!has_holiday(&s)) {
		buf_setf(err, "the file announces no holiday of %d (kind "
			      "holiday): a year's schedule lists its holidays",
			 year);
		rc = MC_EINVALID;
		goto out;
	}
	if ((rc = begin_year(db, year, version, &cur, err)))
		goto out;
	in_tx = true;
	if ((rc = calendar_repo_import(db, &s, rep, err)))
		goto out;
	char v[17];
	if ((rc = calendar_admin_year(db, year, &after, v, err)))
		goto out;
	*diff = diff_of(&cur, &after);
	if (dry_run)
		goto out;	/* rolled back below */
	if ((rc = audit_year(db, by, "calendar.import", year, &cur, &after,
			     now, err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	if (rc) {
		json_decref(*diff);
		*diff = NULL;
		if (rep)
			calendar_import_report_release(rep);
	}
	schedule_release(&s);
	schedule_release(&cur);
	schedule_release(&after);
	return rc;
}
