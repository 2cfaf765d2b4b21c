/*
 * desk_repo.c - units and desks for the administration pages (see
 * desk_repo.h): lists and the before/after view of the 2025 reform from
 * the catalog tables, and the audited, version-checked desk update.
 */
#include "store/desk_repo.h"

#include <ctype.h>
#include <string.h>

#include "core/officehours.h"
#include "store/audit.h"
#include "store/deskhours.h"
#include "util/err.h"
#include "util/json.h"
#include "util/text.h"

/* A column as a JSON string ("" for NULL). */
static json_t *col_str(struct db_stmt *st, int i)
{
	return json_stringn(db_column_text(st, i), db_column_len(st, i));
}

/* A column as a JSON string, null for NULL or "". */
static json_t *col_opt(struct db_stmt *st, int i)
{
	if (db_column_is_null(st, i) || !db_column_len(st, i))
		return json_null();
	return col_str(st, i);
}

/* Appends `s` to `b` with LIKE's '%', '_' and '\' escaped by '\'. */
static void add_like(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addch(b, '\\');
		buf_addch(b, *s);
	}
}

int desk_repo_units(struct db *db, const char *query, json_t **out,
		    struct buf *err)
{
	struct buf key = BUF_INIT, name_pat = BUF_INIT, code_pat = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *items = json_array();
	int rc = 0;

	*out = NULL;
	if (query && *query &&
	    (rc = text_search_key(query, strlen(query), &key, err)))
		goto out;
	buf_addch(&name_pat, '%');
	add_like(&name_pat, key.ptr);
	if (key.len)
		buf_addch(&name_pat, '%');
	/* A code is typed as digits: no key needed, a prefix match. */
	add_like(&code_pat, key.len ? key.ptr : "");
	buf_addch(&code_pat, '%');
	if ((rc = db_prepare_cached(
		     db,
		     "SELECT u.code, u.name, u.full_name, u.type, u.level,"
		     " u.parent_code, p.name, d.name, d.agency_code"
		     " FROM units u"
		     " LEFT JOIN units p ON p.era = '2025' AND p.code = u.parent_code"
		     " LEFT JOIN desks d ON d.unit_code = u.code"
		     " WHERE u.era = '2025' AND (u.name_key LIKE ? ESCAPE '\\'"
		     " OR u.code LIKE ? ESCAPE '\\')"
		     " ORDER BY u.level, u.name_key, u.code",
		     &st, err)))
		goto out;
	db_bind_text(st, 1, name_pat.ptr, -1);
	db_bind_text(st, 2, code_pat.ptr, -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			items,
			json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
				  "code", col_str(st, 0), "name", col_str(st, 1),
				  "full_name", col_str(st, 2), "type",
				  col_str(st, 3), "level",
				  (json_int_t)db_column_int64(st, 4),
				  "parent_code", col_opt(st, 5), "parent_name",
				  col_opt(st, 6), "desk_name", col_opt(st, 7),
				  "agency_code", col_opt(st, 8)));
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "units: %s", db_errmsg(db));
		goto out;
	}
	rc = 0;
	*out = json_pack("{s:O, s:I}", "items", items, "total",
			 (json_int_t)json_array_size(items));
out:
	json_decref(items);
	buf_release(&key);
	buf_release(&name_pat);
	buf_release(&code_pat);
	return rc;
}

/* Reads the desk row of the current statement (columns of DESK_COLS). */
#define DESK_COLS                                                          \
	"id, unit_code, name, agency_code, office_hours, cutoff, address," \
	" phone, version, updated_at"

static json_t *desk_row(struct db_stmt *st)
{
	return json_pack(
		"{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "id",
		(json_int_t)db_column_int64(st, 0), "unit_code", col_str(st, 1),
		"name", col_str(st, 2), "agency_code", col_str(st, 3),
		"office_hours", col_str(st, 4), "cutoff", col_str(st, 5),
		"address", col_str(st, 6), "phone", col_str(st, 7), "version",
		(json_int_t)db_column_int64(st, 8), "updated_at",
		(json_int_t)db_column_int64(st, 9));
}

int desk_repo_get(struct db *db, const char *code, json_t **out,
		  struct buf *err)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	if (!text_utf8_valid(code, strlen(code), NULL)) {
		buf_setf(err, "unknown desk");
		return MC_ENOTFOUND;
	}
	if ((rc = db_prepare_cached(db,
				    "SELECT " DESK_COLS
				    " FROM desks WHERE unit_code = ?",
				    &st, err)))
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = desk_row(st);
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "desks: %s", db_errmsg(db));
		return MC_EDB;
	}
	if (!*out) {
		buf_setf(err, "no desk for unit '%.20s'", code);
		return MC_ENOTFOUND;
	}
	return 0;
}

/* The pre-2025 communes merged into commune `code`. */
static int before_commune(struct db *db, const char *code, json_t *arr,
			  struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT m.old_code, m.old_name, m.old_district_code,"
		" d.full_name, m.old_province_code, p.full_name, m.relation"
		" FROM unit_merges m"
		" LEFT JOIN units d ON d.era = 'pre2025'"
		"  AND d.code = m.old_district_code"
		" LEFT JOIN units p ON p.era = 'pre2025'"
		"  AND p.code = m.old_province_code"
		" WHERE m.new_code = ? ORDER BY m.seq",
		&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				       "code", col_str(st, 0), "name",
				       col_str(st, 1), "district_code",
				       col_str(st, 2), "district_name",
				       col_str(st, 3), "province_code",
				       col_str(st, 4), "province_name",
				       col_str(st, 5), "relation",
				       col_str(st, 6)));
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "unit_merges: %s", db_errmsg(db));
		return MC_EDB;
	}
	return 0;
}

/* The pre-2025 provinces whose communes went into province `code`. */
static int before_province(struct db *db, const char *code, json_t *arr,
			   struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT DISTINCT m.old_province_code, p.name, p.full_name"
		" FROM unit_merges m"
		" JOIN units c ON c.era = '2025' AND c.code = m.new_code"
		" LEFT JOIN units p ON p.era = 'pre2025'"
		"  AND p.code = m.old_province_code"
		" WHERE c.parent_code = ? ORDER BY m.old_province_code",
		&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			arr, json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:s}",
				       "code", col_str(st, 0), "name",
				       col_str(st, 2), "district_code", "",
				       "district_name", "", "province_code",
				       col_str(st, 0), "province_name",
				       col_str(st, 2), "relation", ""));
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "unit_merges: %s", db_errmsg(db));
		return MC_EDB;
	}
	return 0;
}

int desk_repo_unit(struct db *db, const char *code, json_t **out,
		   struct buf *err)
{
	struct db_stmt *st;
	json_t *u = NULL, *desk = NULL;
	int rc;

	*out = NULL;
	if (!text_utf8_valid(code, strlen(code), NULL)) {
		buf_setf(err, "unknown unit");
		return MC_ENOTFOUND;
	}
	if ((rc = db_prepare_cached(
		     db,
		     "SELECT u.code, u.name, u.full_name, u.type, u.level,"
		     " p.code, p.name, p.full_name,"
		     " (SELECT count(*) FROM units c WHERE c.era = '2025'"
		     "  AND c.parent_code = u.code)"
		     " FROM units u LEFT JOIN units p ON p.era = '2025'"
		     " AND p.code = u.parent_code"
		     " WHERE u.era = '2025' AND u.code = ?",
		     &st, err)))
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		json_t *parent = json_null();
		if (!db_column_is_null(st, 5))
			parent = json_pack("{s:o, s:o, s:o}", "code",
					   col_str(st, 5), "name",
					   col_str(st, 6), "full_name",
					   col_str(st, 7));
		u = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:I}", "code",
			      col_str(st, 0), "name", col_str(st, 1),
			      "full_name", col_str(st, 2), "type",
			      col_str(st, 3), "level",
			      (json_int_t)db_column_int64(st, 4), "parent",
			      parent, "n_children",
			      (json_int_t)db_column_int64(st, 8));
	}
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "units: %s", db_errmsg(db));
		rc = MC_EDB;
		goto out;
	}
	if (!u) {
		buf_setf(err, "unknown unit '%.20s'", code);
		rc = MC_ENOTFOUND;
		goto out;
	}
	rc = desk_repo_get(db, code, &desk, err);
	if (rc && rc != MC_ENOTFOUND)
		goto out;
	json_object_set_new(u, "desk", desk ? desk : json_null());
	json_t *before = json_array();
	json_object_set_new(u, "before", before);
	if (json_integer_value(json_object_get(u, "level")) == 1)
		rc = before_province(db, code, before, err);
	else
		rc = before_commune(db, code, before, err);
	if (rc)
		goto out;
	*out = u;
	u = NULL;
out:
	json_decref(u);
	return rc;
}

/* ---- validation --------------------------------------------------------- */

static bool is_alnum_upper(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether [s, s+len) is MX1X2: a letter and two digits. */
static bool is_level1(const char *s, size_t len)
{
	return len == 3 && s[0] >= 'A' && s[0] <= 'Z' && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]);
}

int desk_agency_code_check(const char *code, struct buf *err)
{
	const char *groups[5];
	size_t lens[5];
	int n = 0;
	size_t len = strlen(code);

	if (!len)
		return 0;
	if (len > DESK_AGENCY_MAX) {
		buf_setf(err, "dài tối đa %d ký tự", DESK_AGENCY_MAX);
		return MC_EINVALID;
	}
	for (const char *p = code;;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 4) {
			buf_setf(err, "gồm tối đa 4 nhóm ngăn cách bởi dấu chấm");
			return MC_EINVALID;
		}
		for (size_t i = 0; i < l; i++)
			if (!is_alnum_upper((unsigned char)p[i])) {
				buf_setf(err, "chỉ gồm chữ cái không dấu, chữ số "
					      "và dấu chấm");
				return MC_EINVALID;
			}
		if (l < 2 || l > 3) {
			buf_setf(err, "mỗi nhóm giữa hai dấu chấm gồm 2 hoặc 3 "
				      "ký tự");
			return MC_EINVALID;
		}
		groups[n] = p;
		lens[n++] = l;
		if (!dot)
			break;
		p = dot + 1;
	}
	if (n < 2) {
		buf_setf(err, "gồm 2 đến 4 nhóm ngăn cách bởi dấu chấm, ví dụ "
			      "000.00.23.H40 hoặc H40.123.45");
		return MC_EINVALID;
	}
	if (!is_level1(groups[0], lens[0]) &&
	    !is_level1(groups[n - 1], lens[n - 1])) {
		buf_setf(err, "nhóm mã cấp tỉnh (một chữ cái và hai chữ số, "
			      "ví dụ H40) phải đứng đầu hoặc cuối");
		return MC_EINVALID;
	}
	return 0;
}

/* Trims and NFC-normalises `s` into a new JSON string; *bad on bad UTF-8. */
static json_t *clean(const char *s, bool *bad)
{
	struct buf sq = BUF_INIT, nfc = BUF_INIT, e = BUF_INIT;
	if (!s)
		s = "";
	text_squeeze(s, strlen(s), &sq);
	if (text_nfc(sq.ptr, sq.len, &nfc, &e)) {
		*bad = true;
		buf_reset(&nfc);
	}
	json_t *j = json_stringn(nfc.ptr, nfc.len);
	buf_release(&sq);
	buf_release(&nfc);
	buf_release(&e);
	return j ? j : json_string("");
}

static const char *str_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "HH:MM" with 00 <= HH <= 23 and 00 <= MM <= 59. */
static bool is_hhmm(const char *s)
{
	return strlen(s) == 5 && isdigit((unsigned char)s[0]) &&
	       isdigit((unsigned char)s[1]) && s[2] == ':' &&
	       isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) &&
	       (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

int desk_edit_check(const struct desk_edit *in, json_t **norm,
		    json_t **errors)
{
	static const struct {
		const char *field, *label;
		size_t max;
	} fields[] = {
		{ "name", "Tên bộ phận một cửa", DESK_NAME_MAX },
		{ "agency_code", "Mã định danh điện tử của cơ quan",
		  DESK_AGENCY_MAX },
		{ "office_hours", "Giờ làm việc", DESK_HOURS_MAX },
		{ "cutoff", "Giờ chốt nhận hồ sơ", 5 },
		{ "address", "Địa chỉ", DESK_ADDRESS_MAX },
		{ "phone", "Số điện thoại", DESK_PHONE_MAX },
	};
	const char *vals[6] = { in->name, in->agency_code, in->office_hours,
				in->cutoff, in->address, in->phone };
	json_t *n = json_object(), *e = json_object();
	struct buf why = BUF_INIT;

	for (size_t i = 0; i < 6; i++) {
		bool bad = false;
		json_t *v = clean(vals[i], &bad);
		if (bad)
			json_field_error(e, fields[i].field, fields[i].label,
					 "không phải văn bản hợp lệ");
		else if (text_chars(json_string_value(v)) > fields[i].max) {
			buf_reset(&why);
			buf_addf(&why, "dài tối đa %zu ký tự", fields[i].max);
			json_field_error(e, fields[i].field, fields[i].label,
					 why.ptr);
		}
		json_object_set_new(n, fields[i].field, v);
	}

	if (!*str_of(n, "name"))
		json_field_error(e, "name", "Tên bộ phận một cửa", "không được để trống");

	/* Upper case: the identifiers are written in capitals. */
	struct buf up = BUF_INIT;
	for (const char *p = str_of(n, "agency_code"); *p; p++)
		buf_addch(&up, toupper((unsigned char)*p));
	json_object_set_new(n, "agency_code", json_string(up.ptr));
	buf_reset(&why);
	if (!json_object_get(e, "agency_code") &&
	    desk_agency_code_check(up.ptr, &why))
		json_field_error(e, "agency_code", "Mã định danh điện tử của cơ quan",
				 why.ptr);
	buf_release(&up);

	struct officehours oh;
	const char *hours = str_of(n, "office_hours");
	buf_reset(&why);
	if (*hours && !json_object_get(e, "office_hours") &&
	    officehours_parse(hours, &oh, &why)) {
		struct buf r = BUF_INIT;
		buf_addf(&r, "không đọc được (%s)", why.ptr);
		json_field_error(e, "office_hours", "Giờ làm việc", r.ptr);
		buf_release(&r);
	}

	/* The cut-off: Decree 61/2018/NĐ-CP art. 18 and Decree 23/2015
	 * art. 7 count a receipt after 15:00 from the next working day
	 * (core/officehours.h); a desk may set another hour or none. */
	const char *cut = str_of(n, "cutoff");
	if (*cut && strcmp(cut, "none") && !json_object_get(e, "cutoff")) {
		officehours_default(&oh);
		buf_reset(&why);
		if (!is_hhmm(cut) || deskhours_apply_cutoff(&oh, cut, &why))
			json_field_error(e, "cutoff", "Giờ chốt nhận hồ sơ",
					 "phải có dạng HH:MM (ví dụ 15:00), "
					 "hoặc để trống để dùng 15:00");
	}

	const char *phone = str_of(n, "phone");
	for (const char *p = phone; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr(" .+-()", *p)) {
			json_field_error(e, "phone", "Số điện thoại",
					 "chỉ gồm chữ số, dấu cách và các dấu . + - ( )");
			break;
		}

	buf_release(&why);
	*norm = n;
	if (json_object_size(e)) {
		*errors = e;
		return MC_EINVALID;
	}
	json_decref(e);
	*errors = NULL;
	return 0;
}

/* ---- update ------------------------------------------------------------- */

/* Binds `s`, NULL when empty. */
static void bind_opt(struct db_stmt *st, int i, const char *s)
{
	if (s && *s)
		db_bind_text(st, i, s, -1);
	else
		db_bind_null(st, i);
}

int desk_repo_update(struct db *db, const struct auth_actor *by,
		     const char *code, json_t *norm, int64_t version,
		     mc_time now, json_t **after, struct buf *err)
{
	json_t *before = NULL, *saved = NULL;
	struct db_stmt *st = NULL;
	bool in_tx = false;
	int rc;

	if (after)
		*after = NULL;
	if ((rc = db_begin(db, err)))
		goto out;
	in_tx = true;
	if ((rc = desk_repo_get(db, code, &before, err)))
		goto out;
	if (json_integer_value(json_object_get(before, "version")) != version) {
		buf_setf(err, "the desk was changed by someone else");
		rc = MC_ECONFLICT;
		goto out;
	}
	if ((rc = db_prepare(db,
			     "UPDATE desks SET name = ?, agency_code = ?,"
			     " office_hours = ?, cutoff = ?, address = ?,"
			     " phone = ?, version = version + 1, updated_at = ?"
			     " WHERE unit_code = ? AND version = ?",
			     &st, err)))
		goto out;
	db_bind_text(st, 1, str_of(norm, "name"), -1);
	bind_opt(st, 2, str_of(norm, "agency_code"));
	bind_opt(st, 3, str_of(norm, "office_hours"));
	bind_opt(st, 4, str_of(norm, "cutoff"));
	bind_opt(st, 5, str_of(norm, "address"));
	bind_opt(st, 6, str_of(norm, "phone"));
	db_bind_int64(st, 7, now);
	db_bind_text(st, 8, code, -1);
	db_bind_int64(st, 9, version);
	if ((rc = db_step(st)) < 0) {
		buf_setf(err, "desks: %s", db_errmsg(db));
		goto out;
	}
	if (db_changes(st) != 1) {
		buf_setf(err, "the desk was changed by someone else");
		rc = MC_ECONFLICT;
		goto out;
	}
	db_finalize(st);
	st = NULL;
	/* Public pages cache the desk with the catalog: make them drop it. */
	if ((rc = db_prepare(db,
			     "UPDATE catalog_meta SET value = value + 1"
			     " WHERE name = 'catalog_version'",
			     &st, err)))
		goto out;
	if ((rc = db_step(st)) < 0) {
		buf_setf(err, "catalog_meta: %s", db_errmsg(db));
		goto out;
	}
	if ((rc = desk_repo_get(db, code, &saved, err)))
		goto out;
	struct audit_entry ae = {
		.at = now,
		.actor_id = by->id,
		.actor = by->name,
		.action = "desk.update",
		.object_type = "desk",
		.object_id = code,
		.unit_code = code,
		.client = by->client,
		.before = before,
		.after = saved,
	};
	if ((rc = audit_append(db, &ae, NULL, err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
	if (!rc && after) {
		*after = saved;
		saved = NULL;
	}
out:
	if (st)
		db_finalize(st);
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(saved);
	return rc;
}
