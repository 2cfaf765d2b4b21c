/*
 * deskpay_repo.c - the desk's bank account for fees (see deskpay_repo.h):
 * read, validated, saved with a version check and its audit entry.
 */
#include "store/deskpay_repo.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "store/audit.h"
#include "util/err.h"
#include "util/json.h"
#include "util/text.h"

static const char *str_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int deskpay_get(struct db *db, const char *code, json_t **out,
		struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_prepare_cached(db,
				    "SELECT bank_bin, bank_name, account_no,"
				    " account_name, version, updated_at,"
				    " updated_by FROM desk_payment"
				    " WHERE unit_code = ?",
				    &st, err)))
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
				 "unit_code", code, "configured", 1,
				 "bank_bin", db_column_text(st, 0),
				 "bank_name", db_column_text(st, 1),
				 "account_no", db_column_text(st, 2),
				 "account_name", db_column_text(st, 3),
				 "version", (json_int_t)db_column_int64(st, 4),
				 "updated_at", (json_int_t)db_column_int64(st, 5),
				 "updated_by", db_column_text(st, 6));
		rc = 0;
	} else if (rc == DB_DONE) {
		*out = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:i, s:i, s:s}",
				 "unit_code", code, "configured", 0,
				 "bank_bin", "", "bank_name", "", "account_no",
				 "", "account_name", "", "version", 0,
				 "updated_at", 0, "updated_by", "");
	} else {
		buf_setf(err, "desk_payment: %s", db_errmsg(db));
	}
	db_done(st);
	return rc;
}

/* Trimmed NFC text as a new JSON string; *bad for invalid UTF-8. */
static json_t *clean(const char *s, bool *bad)
{
	struct buf sq = BUF_INIT, nfc = BUF_INIT, e = BUF_INIT;
	text_squeeze(s ? s : "", s ? strlen(s) : 0, &sq);
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

int deskpay_check(const struct deskpay_edit *in, json_t **norm,
		  json_t **errors)
{
	static const struct {
		const char *field, *label;
	} f[] = {
		{ "bank_bin", "Mã BIN ngân hàng" },
		{ "bank_name", "Tên ngân hàng" },
		{ "account_no", "Số tài khoản" },
		{ "account_name", "Tên chủ tài khoản" },
	};
	const char *vals[4] = { in->bank_bin, in->bank_name, in->account_no,
				in->account_name };
	json_t *n = json_object(), *e = json_object();
	bool any = false;

	for (int i = 0; i < 4; i++) {
		bool bad = false;
		json_t *v = clean(vals[i], &bad);
		if (bad)
			json_field_error(e, f[i].field, f[i].label,
					 "không phải văn bản hợp lệ");
		if (*json_string_value(v))
			any = true;
		json_object_set_new(n, f[i].field, v);
	}
	if (!any || json_object_size(e))
		goto done;

	const char *bin = str_of(n, "bank_bin");
	bool digits = strlen(bin) == 6;
	for (const char *p = bin; *p; p++)
		digits = digits && isdigit((unsigned char)*p);
	if (!digits)
		json_field_error(e, "bank_bin", f[0].label,
				 "gồm đúng 6 chữ số (mã BIN của ngân hàng trong "
				 "danh sách NAPAS, ví dụ 970415)");

	const char *bank = str_of(n, "bank_name");
	if (!*bank)
		json_field_error(e, "bank_name", f[1].label, "không được để trống");
	else if (text_chars(bank) > DESKPAY_BANK_NAME_MAX)
		json_field_error(e, "bank_name", f[1].label, "dài tối đa 100 ký tự");

	/* Account numbers are written with spaces or dots for reading;
	 * the payload carries the bare characters (research §9.2). */
	struct buf acc = BUF_INIT;
	bool acc_bad = false;
	for (const char *p = str_of(n, "account_no"); *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if (!isalnum((unsigned char)*p))
			acc_bad = true;
		buf_addch(&acc, (char)toupper((unsigned char)*p));
	}
	if (acc_bad || !acc.len || acc.len > DESKPAY_ACCOUNT_MAX)
		json_field_error(e, "account_no", f[2].label,
				 "gồm 1 đến 19 chữ số hoặc chữ cái");
	else
		json_object_set_new(n, "account_no", json_string(acc.ptr));
	buf_release(&acc);

	const char *holder = str_of(n, "account_name");
	if (!*holder)
		json_field_error(e, "account_name", f[3].label,
				 "không được để trống");
	else if (text_chars(holder) > DESKPAY_HOLDER_MAX)
		json_field_error(e, "account_name", f[3].label,
				 "dài tối đa 100 ký tự");
done:
	*norm = n;
	if (json_object_size(e)) {
		*errors = e;
		return MC_EINVALID;
	}
	json_decref(e);
	*errors = NULL;
	return 0;
}

/* Runs one write statement; MC_EDB with the reason. */
static int run(struct db_stmt *st, struct db *db, struct buf *err)
{
	int rc = db_step(st);
	if (rc < 0) {
		buf_setf(err, "desk_payment: %s", db_errmsg(db));
		return rc;
	}
	return 0;
}

int deskpay_save(struct db *db, const struct auth_actor *by,
		 const char *code, json_t *norm, int64_t version, mc_time now,
		 struct buf *err)
{
	json_t *before = NULL, *after = NULL;
	struct db_stmt *st = NULL;
	bool in_tx = false;
	int rc;
	bool clear = !*str_of(norm, "bank_bin") && !*str_of(norm, "account_no");

	if ((rc = db_begin(db, err)))
		goto out;
	in_tx = true;
	if ((rc = deskpay_get(db, code, &before, err)))
		goto out;
	if (json_integer_value(json_object_get(before, "version")) != version) {
		buf_setf(err, "the payment settings were changed by someone else");
		rc = MC_ECONFLICT;
		goto out;
	}
	bool exists = json_is_true(json_object_get(before, "configured"));
	if (clear && !exists) {
		rc = db_commit(db, err);
		in_tx = false;
		goto out;
	}
	if (clear)
		rc = db_prepare(db,
				"DELETE FROM desk_payment WHERE unit_code = ?"
				" AND version = ?",
				&st, err);
	else if (exists)
		rc = db_prepare(db,
				"UPDATE desk_payment SET bank_bin = ?,"
				" bank_name = ?, account_no = ?,"
				" account_name = ?, version = version + 1,"
				" updated_at = ?, updated_by = ?"
				" WHERE unit_code = ? AND version = ?",
				&st, err);
	else
		rc = db_prepare(db,
				"INSERT INTO desk_payment (bank_bin, bank_name,"
				" account_no, account_name, version,"
				" updated_at, updated_by, unit_code)"
				" VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
				&st, err);
	if (rc)
		goto out;
	if (clear) {
		db_bind_text(st, 1, code, -1);
		db_bind_int64(st, 2, version);
	} else {
		db_bind_text(st, 1, str_of(norm, "bank_bin"), -1);
		db_bind_text(st, 2, str_of(norm, "bank_name"), -1);
		db_bind_text(st, 3, str_of(norm, "account_no"), -1);
		db_bind_text(st, 4, str_of(norm, "account_name"), -1);
		db_bind_int64(st, 5, now);
		db_bind_text(st, 6, by->name ? by->name : "", -1);
		db_bind_text(st, 7, code, -1);
		if (exists)
			db_bind_int64(st, 8, version);
	}
	if ((rc = run(st, db, err))) {
		if (db_error_is_unique(db))
			rc = MC_ECONFLICT;
		goto out;
	}
	if ((exists || clear) && db_changes(st) != 1) {
		buf_setf(err, "the payment settings were changed by someone else");
		rc = MC_ECONFLICT;
		goto out;
	}
	db_finalize(st);
	st = NULL;
	if ((rc = deskpay_get(db, code, &after, err)))
		goto out;
	struct audit_entry ae = {
		.at = now,
		.actor_id = by->id,
		.actor = by->name,
		.action = "desk.payment",
		.object_type = "desk",
		.object_id = code,
		.unit_code = code,
		.client = by->client,
		.before = before,
		.after = after,
	};
	if ((rc = audit_append(db, &ae, NULL, err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (st)
		db_finalize(st);
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}
