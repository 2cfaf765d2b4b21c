/*
 * feedback_repo.c - feedback and complaints in the database (see
 * feedback_repo.h): the form's check, creation with a code and a secret,
 * reads, actions with their event and audit entry in one transaction,
 * the queue and the public list. The rules are core/feedback.c's.
 */
#include "store/feedback_repo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/mailfmt.h"
#include "store/audit.h"
#include "store/outbox.h"
#include "util/err.h"
#include "util/json.h"
#include "util/text.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------------ */

static const char *str_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/*
 * Trimmed NFC text as a new JSON string; lines squeezed into one unless
 * `keep_lines`. *bad when not UTF-8 (the string is then "").
 */
static json_t *clean(const char *s, bool keep_lines, bool *bad)
{
	struct buf sq = BUF_INIT, nfc = BUF_INIT, e = BUF_INIT;
	s = s ? s : "";
	if (keep_lines) {
		size_t len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		buf_add(&sq, s, len);
	} else {
		text_squeeze(s, strlen(s), &sq);
	}
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

static void upper(json_t *o, const char *k)
{
	struct buf b = BUF_INIT;
	for (const char *p = str_of(o, k); *p; p++)
		buf_addch(&b, (char)toupper((unsigned char)*p));
	json_object_set_new(o, k, json_string(b.ptr));
	buf_release(&b);
}

static void sha256_hex(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* 16 random bytes as 26 characters of lower-case base32. */
static void new_secret(char out[FEEDBACK_SECRET_LEN + 1])
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[17] = { 0 };
	randombytes_buf(r, 16);
	for (int i = 0; i < FEEDBACK_SECRET_LEN; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = ((unsigned)r[byte] << 8 | r[byte + 1]) >>
			     (11 - off);
		out[i] = alpha[v & 31];
	}
	out[FEEDBACK_SECRET_LEN] = '\0';
	sodium_memzero(r, sizeof r);
}

static void iso_local(json_t *o, const char *k, mc_time t, bool set)
{
	if (!set) {
		json_object_set_new(o, k, json_null());
		return;
	}
	struct buf b = BUF_INIT;
	mctime_format_iso(t, &b);
	json_object_set_new(o, k, json_string(b.ptr));
	buf_release(&b);
}

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null()
					  : json_string(db_column_text(st, col));
}

static int db_fail(struct db *db, const char *what, struct buf *err)
{
	buf_setf(err, "feedback: %s: %s", what, db_errmsg(db));
	return MC_EDB;
}

/* ---- the form ------------------------------------------------------------------- */

int feedback_check(const struct feedback_input *in, json_t **norm,
		   json_t **errors)
{
	static const struct {
		const char *field, *label;
		bool lines;
	} f[] = {
		{ "kind", "Loại phản ánh", false },
		{ "unit_code", "Đơn vị", false },
		{ "procedure_code", "Thủ tục", false },
		{ "dossier_code", "Mã hồ sơ", false },
		{ "dossier_secret", "Mã tra cứu hồ sơ", false },
		{ "dossier_last4", "4 số cuối", false },
		{ "officer", "Cán bộ", false },
		{ "subject", "Tiêu đề", false },
		{ "content", "Nội dung", true },
		{ "sender_name", "Họ và tên", false },
		{ "phone", "Số điện thoại", false },
		{ "email", "Thư điện tử", false },
	};
	const char *vals[] = { in->kind,	   in->unit_code,
			       in->procedure_code, in->dossier_code,
			       in->dossier_secret, in->dossier_last4,
			       in->officer,	   in->subject,
			       in->content,	   in->sender_name,
			       in->phone,	   in->email };
	json_t *n = json_object(), *e = json_object();
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		bool bad = false;
		json_object_set_new(n, f[i].field,
				    clean(vals[i], f[i].lines, &bad));
		if (bad)
			json_field_error(e, f[i].field, f[i].label,
					 "không phải văn bản hợp lệ");
	}
	upper(n, "procedure_code");
	upper(n, "dossier_code");

	enum feedback_kind kind = FB_KIND_PROCEDURE;
	if (feedback_kind_parse(str_of(n, "kind"), &kind))
		json_field_error(e, "kind", "Loại phản ánh",
				 "chọn phản ánh về thủ tục, về hồ sơ hay về cán bộ");
	else if (kind == FB_KIND_DOSSIER) {
		if (!*str_of(n, "dossier_code"))
			json_field_error(e, "dossier_code", "Mã hồ sơ",
					 "ghi mã hồ sơ in trên giấy tiếp nhận");
		const char *l4 = str_of(n, "dossier_last4");
		bool digits = strlen(l4) == 4;
		for (const char *p = l4; *p; p++)
			digits = digits && isdigit((unsigned char)*p);
		if (!*str_of(n, "dossier_secret") && !*l4)
			json_field_error(e, "dossier_last4", "4 số cuối",
					 "ghi mã tra cứu trên giấy tiếp nhận, hoặc 4 "
					 "số cuối điện thoại hay giấy tờ tùy thân "
					 "của người nộp hồ sơ");
		else if (*l4 && !digits)
			json_field_error(e, "dossier_last4", "4 số cuối",
					 "gồm đúng 4 chữ số");
	} else {
		if (!*str_of(n, "unit_code"))
			json_field_error(e, "unit_code", "Đơn vị",
					 "chọn xã, phường nơi tiếp nhận phản ánh");
	}
	if (kind == FB_KIND_OFFICER && !json_object_get(e, "kind")) {
		const char *o = str_of(n, "officer");
		if (!*o)
			json_field_error(e, "officer", "Cán bộ",
					 "ghi tên hoặc vị trí làm việc của cán bộ");
		else if (text_chars(o) > FEEDBACK_NAME_MAX)
			json_field_error(e, "officer", "Cán bộ",
					 "dài tối đa 100 ký tự");
	}
	const char *subj = str_of(n, "subject");
	if (text_chars(subj) < 5)
		json_field_error(e, "subject", "Tiêu đề", "ghi ít nhất 5 ký tự");
	else if (text_chars(subj) > FEEDBACK_SUBJECT_MAX)
		json_field_error(e, "subject", "Tiêu đề", "dài tối đa 200 ký tự");
	const char *content = str_of(n, "content");
	if (text_chars(content) < 10)
		json_field_error(e, "content", "Nội dung",
				 "ghi rõ nội dung phản ánh, ít nhất 10 ký tự");
	else if (text_chars(content) > FEEDBACK_CONTENT_MAX)
		json_field_error(e, "content", "Nội dung", "dài tối đa 5000 ký tự");
	const char *name = str_of(n, "sender_name");
	if (text_chars(name) < 2)
		json_field_error(e, "sender_name", "Họ và tên",
				 "ghi họ và tên người gửi");
	else if (text_chars(name) > FEEDBACK_NAME_MAX)
		json_field_error(e, "sender_name", "Họ và tên",
				 "dài tối đa 100 ký tự");

	/* Phone: digits, spaces, dots and a leading +84 are accepted and
	 * kept as digits only (0xxxxxxxxx). */
	struct buf ph = BUF_INIT;
	bool ph_bad = false;
	const char *p = str_of(n, "phone");
	if (!strncmp(p, "+84", 3)) {
		buf_addch(&ph, '0');
		p += 3;
	}
	for (; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if (!isdigit((unsigned char)*p))
			ph_bad = true;
		buf_addch(&ph, *p);
	}
	if (ph.len && (ph_bad || ph.len < 9 || ph.len > 11 || ph.ptr[0] != '0'))
		json_field_error(e, "phone", "Số điện thoại",
				 "gồm 10 chữ số, bắt đầu bằng 0");
	else
		json_object_set_new(n, "phone", json_string(ph.ptr));
	buf_release(&ph);
	const char *mail = str_of(n, "email");
	const char *at = strchr(mail, '@');
	if (*mail && (!at || at == mail || !strchr(at, '.') ||
		      strchr(mail, ' ') || strlen(mail) > 254))
		json_field_error(e, "email", "Thư điện tử",
				 "không đúng dạng, ví dụ ten@example.vn");

	*norm = n;
	if (json_object_size(e)) {
		*errors = e;
		return MC_EINVALID;
	}
	json_decref(e);
	*errors = NULL;
	return 0;
}

/* The unit `code` of the 2025 list with a desk: its parent and name. */
static int unit_lookup(struct db *db, const char *code, json_t *norm,
		       bool *found, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT u.parent_code, u.full_name"
				   " FROM units u JOIN desks d"
				   " ON d.unit_code = u.code"
				   " WHERE u.era = '2025' AND u.code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW) {
		json_object_set_new(norm, "unit_code", json_string(code));
		json_object_set_new(norm, "unit_parent",
				    json_string(db_column_text(st, 0)));
		json_object_set_new(norm, "unit_name",
				    json_string(db_column_text(st, 1)));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = 0;
	} else {
		rc = db_fail(db, "unit", err);
	}
	db_done(st);
	return rc;
}

static int procedure_lookup(struct db *db, json_t *norm, bool *found,
			    struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT name FROM procedures WHERE code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, str_of(norm, "procedure_code"), -1);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW) {
		json_object_set_new(norm, "procedure_name",
				    json_string(db_column_text(st, 0)));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = 0;
	} else {
		rc = db_fail(db, "procedure", err);
	}
	db_done(st);
	return rc;
}

/* Whether the last 4 characters of `s` (digits only, ignoring others)
 * are `last4`. */
static bool ends_with_digits(const char *s, const char *last4)
{
	char d[64];
	size_t n = 0;
	for (; *s && n < sizeof d - 1; s++)
		if (isdigit((unsigned char)*s))
			d[n++] = *s;
	d[n] = '\0';
	return n >= 4 && sodium_memcmp(d + n - 4, last4, 4) == 0;
}

/*
 * The dossier `code` with its second factor: the secret of its receipt
 * (hash compared in constant time) or the last 4 digits of the applicant's
 * phone or ID number. *ok false for an unknown code and a wrong factor
 * alike; on success its unit and procedure go into norm.
 */
static int dossier_lookup(struct db *db, json_t *norm, bool *ok,
			  struct buf *err)
{
	struct db_stmt *st;
	const char *secret = str_of(norm, "dossier_secret");
	const char *last4 = str_of(norm, "dossier_last4");
	char want[65] = "";
	*ok = false;
	if (*secret)
		sha256_hex(secret, want);
	int rc = db_prepare_cached(db,
				   "SELECT x.secret_hash, x.applicant_phone,"
				   " x.applicant_id_number, d.unit_code,"
				   " x.procedure_code FROM dossiers x JOIN"
				   " desks d ON d.id = x.desk_id"
				   " WHERE x.code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, str_of(norm, "dossier_code"), -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *h = db_column_text(st, 0);
		if (*secret)
			*ok = strlen(h) == 64 && sodium_memcmp(h, want, 64) == 0;
		else if (strlen(last4) == 4)
			*ok = ends_with_digits(db_column_text(st, 1), last4) ||
			      ends_with_digits(db_column_text(st, 2), last4);
		if (*ok) {
			json_object_set_new(norm, "unit_code",
					    json_string(db_column_text(st, 3)));
			json_object_set_new(norm, "procedure_code",
					    json_string(db_column_text(st, 4)));
		}
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = 0;
	} else {
		rc = db_fail(db, "dossier", err);
	}
	db_done(st);
	return rc;
}

int feedback_resolve(struct db *db, json_t *norm, json_t *errors,
		     struct buf *err)
{
	enum feedback_kind kind;
	bool found;
	int rc;
	if (feedback_kind_parse(str_of(norm, "kind"), &kind))
		return 0;
	if (kind == FB_KIND_DOSSIER) {
		if ((rc = dossier_lookup(db, norm, &found, err)))
			return rc;
		if (!found) {
			json_field_error(errors, "dossier_code", "Mã hồ sơ",
					 "không tìm thấy hồ sơ với mã và thông tin "
					 "xác minh đã ghi");
			return 0;
		}
	}
	if ((rc = unit_lookup(db, str_of(norm, "unit_code"), norm, &found,
			      err)))
		return rc;
	if (!found)
		json_field_error(errors, "unit_code", "Đơn vị",
				 "không có bộ phận một cửa của đơn vị này");
	json_object_set_new(norm, "procedure_name", json_null());
	if (*str_of(norm, "procedure_code")) {
		if ((rc = procedure_lookup(db, norm, &found, err)))
			return rc;
		if (!found)
			json_field_error(errors, "procedure_code", "Thủ tục",
					 "không có thủ tục mang mã này");
	}
	return 0;
}

int feedback_units(struct db *db, const char *parent, json_t **out,
		   struct buf *err)
{
	struct db_stmt *st;
	int rc;
	*out = NULL;
	if (parent && *parent)
		rc = db_prepare_cached(db,
				       "SELECT u.code, u.full_name FROM units u"
				       " JOIN desks d ON d.unit_code = u.code"
				       " WHERE u.era = '2025' AND"
				       " u.parent_code = ? ORDER BY u.name_key",
				       &st, err);
	else
		rc = db_prepare_cached(db,
				       "SELECT code, full_name FROM units"
				       " WHERE era = '2025' AND level = 1"
				       " ORDER BY name_key",
				       &st, err);
	if (rc)
		return rc;
	if (parent && *parent)
		db_bind_text(st, 1, parent, -1);
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:s, s:s}", "code",
						       db_column_text(st, 0),
						       "name",
						       db_column_text(st, 1)));
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return db_fail(db, "units", err);
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

/* ---- create -------------------------------------------------------------------- */

static int audit_fb(struct db *db, const struct auth_actor *actor,
		    const char *client, const char *action, const char *code,
		    const char *unit, const char *from, const char *to,
		    mc_time now, struct buf *err)
{
	char act[64];
	struct audit_entry e;
	json_t *b = from ? json_pack("{s:s}", "state", from) : NULL;
	json_t *a = to ? json_pack("{s:s}", "state", to) : NULL;
	snprintf(act, sizeof act, "feedback.%s", action);
	memset(&e, 0, sizeof e);
	e.at = now;
	e.actor_id = actor ? actor->id : 0;
	e.actor = actor && actor->name ? actor->name : "citizen";
	e.action = act;
	e.object_type = "feedback";
	e.object_id = code;
	e.unit_code = unit;
	e.client = actor ? actor->client : client;
	e.before = b;
	e.after = a;
	int rc = audit_append(db, &e, NULL, err);
	json_decref(b);
	json_decref(a);
	return rc;
}

static int add_event(struct db *db, int64_t id, int64_t seq, mc_time at,
		     const char *actor, const char *action, const char *from,
		     const char *to, const char *note, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "INSERT INTO feedback_events (feedback_id,"
				   " seq, at, actor, action, from_state,"
				   " to_state, note) VALUES (?, ?, ?, ?, ?, ?,"
				   " ?, ?)",
				   &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, seq);
	db_bind_int64(st, 3, at);
	db_bind_text(st, 4, actor, -1);
	db_bind_text(st, 5, action, -1);
	db_bind_text(st, 6, from, -1);
	db_bind_text(st, 7, to, -1);
	db_bind_text(st, 8, note && *note ? note : NULL, -1);
	rc = db_step(st);
	db_done(st);
	return rc < 0 ? db_fail(db, "event", err) : 0;
}

static const char *opt(json_t *o, const char *k)
{
	const char *s = str_of(o, k);
	return *s ? s : NULL;
}

int feedback_create(struct db *db, json_t *norm, mc_time now,
		    const char *client, char code[FEEDBACK_CODE_LEN + 1],
		    char secret[FEEDBACK_SECRET_LEN + 1], struct buf *err)
{
	char hash[65];
	int64_t id = 0;
	bool in_tx = false;
	int rc;
	enum feedback_kind kind;
	if (feedback_kind_parse(str_of(norm, "kind"), &kind))
		BUG("feedback_create: unchecked form");
	new_secret(secret);
	sha256_hex(secret, hash);
	if ((rc = db_begin(db, err)))
		goto out;
	in_tx = true;
	/* A random code collides rarely (31^5 a day): try again then. */
	for (int attempt = 0;; attempt++) {
		unsigned char rnd[5];
		struct db_stmt *st;
		randombytes_buf(rnd, sizeof rnd);
		feedback_code_make(now, rnd, code);
		if ((rc = db_prepare_cached(
			     db,
			     "INSERT INTO feedback (code, secret_hash, kind,"
			     " unit_code, unit_parent, procedure_code,"
			     " dossier_code, officer, subject, content,"
			     " sender_name, sender_phone, sender_email, state,"
			     " received_at, version, updated_at) VALUES (?, ?,"
			     " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?,"
			     " 1, ?) RETURNING id",
			     &st, err)))
			goto out;
		db_bind_text(st, 1, code, -1);
		db_bind_text(st, 2, hash, -1);
		db_bind_text(st, 3, feedback_kind_name(kind), -1);
		db_bind_text(st, 4, str_of(norm, "unit_code"), -1);
		db_bind_text(st, 5, str_of(norm, "unit_parent"), -1);
		db_bind_text(st, 6, opt(norm, "procedure_code"), -1);
		db_bind_text(st, 7, kind == FB_KIND_DOSSIER
					    ? opt(norm, "dossier_code")
					    : NULL,
			     -1);
		db_bind_text(st, 8, kind == FB_KIND_OFFICER
					    ? opt(norm, "officer")
					    : NULL,
			     -1);
		db_bind_text(st, 9, str_of(norm, "subject"), -1);
		db_bind_text(st, 10, str_of(norm, "content"), -1);
		db_bind_text(st, 11, str_of(norm, "sender_name"), -1);
		db_bind_text(st, 12, opt(norm, "phone"), -1);
		db_bind_text(st, 13, opt(norm, "email"), -1);
		db_bind_int64(st, 14, now);
		db_bind_int64(st, 15, now);
		/* A savepoint, so that a duplicate code does not abort the
		 * PostgreSQL transaction. */
		if ((rc = db_begin(db, err))) {
			db_done(st);
			goto out;
		}
		rc = db_step(st);
		if (rc == DB_ROW)
			id = db_column_int64(st, 0);
		db_done(st);
		if (rc == DB_ROW) {
			if ((rc = db_commit(db, err)))
				goto out;
			break;
		}
		bool dup = db_error_is_unique(db);
		db_rollback(db);
		if (!dup || attempt >= 5) {
			rc = db_fail(db, "insert", err);
			goto out;
		}
	}
	if ((rc = add_event(db, id, 1, now, "citizen", "create", "",
			    "received", NULL, err)))
		goto out;
	if ((rc = audit_fb(db, NULL, client, "create", code,
			   str_of(norm, "unit_code"), NULL, "received", now,
			   err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	if (rc) {
		memset(secret, 0, FEEDBACK_SECRET_LEN + 1);
		memset(code, 0, FEEDBACK_CODE_LEN + 1);
	}
	return rc;
}

int feedback_check_secret(struct db *db, const char *code,
			  const char *secret, struct buf *err)
{
	struct db_stmt *st;
	char want[65];
	int rc;
	if (!secret || strlen(secret) != FEEDBACK_SECRET_LEN ||
	    !feedback_code_valid(code)) {
		buf_setf(err, "Không tìm thấy phản ánh");
		return MC_ENOTFOUND;
	}
	sha256_hex(secret, want);
	if ((rc = db_prepare_cached(db,
				    "SELECT secret_hash FROM feedback"
				    " WHERE code = ?",
				    &st, err)))
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *h = db_column_text(st, 0);
		rc = (strlen(h) == 64 && sodium_memcmp(h, want, 64) == 0)
			     ? 0
			     : MC_ENOTFOUND;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		rc = db_fail(db, "secret", err);
	}
	db_done(st);
	if (rc == MC_ENOTFOUND)
		buf_setf(err, "Không tìm thấy phản ánh");
	return rc;
}

int feedback_unit_of(struct db *db, const char *code, char unit[16],
		     char parent[16], struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT unit_code, unit_parent FROM feedback"
				   " WHERE code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(unit, 16, "%s", db_column_text(st, 0));
		snprintf(parent, 16, "%s", db_column_text(st, 1));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		rc = db_fail(db, "unit_of", err);
	}
	db_done(st);
	return rc;
}

/* ---- read ------------------------------------------------------------------------ */

#define FB_COLS                                                               \
	"f.id, f.code, f.kind, f.unit_code, f.procedure_code,"                \
	" f.dossier_code, f.officer, f.subject, f.content, f.state,"          \
	" f.received_at, f.info_request, f.refuse_reason, f.answer,"          \
	" f.answered_at, f.published_at, f.public_question, f.satisfied,"     \
	" f.rated_at, f.rating_comment, f.version, f.sender_name,"            \
	" f.sender_phone, f.sender_email, f.answered_by,"                     \
	" (SELECT full_name FROM units u WHERE u.era = '2025' AND"            \
	" u.code = f.unit_code),"                                             \
	" (SELECT name FROM procedures p WHERE p.code = f.procedure_code)"

static void put_labels(json_t *o, const char *kind, const char *state)
{
	enum feedback_kind k;
	enum feedback_state s;
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "kind_label",
			    json_string(feedback_kind_parse(kind, &k)
						? kind
						: feedback_kind_label(k)));
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "state_label",
			    json_string(feedback_state_parse(state, &s)
						? state
						: feedback_state_label(s)));
}

/* The events of feedback `id` into o["events"] and the waits for the
 * citizen into times["pauses"]. */
static int load_events(struct db *db, int64_t id, unsigned flags, json_t *o,
		       json_t *times, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT seq, at, actor, action, to_state,"
				   " note FROM feedback_events WHERE"
				   " feedback_id = ? ORDER BY seq",
				   &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	json_t *events = json_array(), *pauses = json_array();
	json_t *open = NULL;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *action = db_column_text(st, 3);
		mc_time at = db_column_int64(st, 1);
		enum feedback_action a;
		json_t *ev = json_object();
		json_object_set_new(ev, "seq", json_integer(db_column_int64(st, 0)));
		iso_local(ev, "at", at, true);
		json_object_set_new(ev, "action", json_string(action));
		json_object_set_new(ev, "action_label",
				    json_string(feedback_action_parse(action, &a)
							? "Gửi phản ánh"
							: feedback_action_label(a)));
		put_labels(ev, "procedure", db_column_text(st, 4));
		json_object_del(ev, "kind");
		json_object_del(ev, "kind_label");
		json_object_set_new(ev, "note", text_or_null(st, 5));
		if (flags & FEEDBACK_OFFICER)
			json_object_set_new(ev, "actor",
					    json_string(db_column_text(st, 2)));
		json_array_append_new(events, ev);
		if (!strcmp(action, "ask_info")) {
			open = json_pack("[I, i]", (json_int_t)at, 0);
			json_array_append_new(pauses, open);
		} else if (!strcmp(action, "supply_info") && open) {
			json_array_set_new(open, 1, json_integer(at));
			open = NULL;
		}
	}
	db_done(st);
	if (rc < 0) {
		json_decref(events);
		json_decref(pauses);
		return db_fail(db, "events", err);
	}
	json_object_set_new(o, "events", events);
	json_object_set_new(times, "pauses", pauses);
	return 0;
}

/* The row at the statement's cursor (FB_COLS) as the feedback shape,
 * without events; *id gets its id. */
static json_t *row_json(struct db_stmt *st, unsigned flags, int64_t *id)
{
	json_t *o = json_object(), *times = json_object();
	*id = db_column_int64(st, 0);
	json_object_set_new(o, "code", json_string(db_column_text(st, 1)));
	put_labels(o, db_column_text(st, 2), db_column_text(st, 9));
	json_object_set_new(o, "unit_code", json_string(db_column_text(st, 3)));
	json_object_set_new(o, "unit_name", json_string(db_column_text(st, 25)));
	json_object_set_new(o, "procedure_code", text_or_null(st, 4));
	json_object_set_new(o, "procedure_name", text_or_null(st, 26));
	json_object_set_new(o, "dossier_code", text_or_null(st, 5));
	json_object_set_new(o, "officer", text_or_null(st, 6));
	json_object_set_new(o, "subject", json_string(db_column_text(st, 7)));
	json_object_set_new(o, "content", json_string(db_column_text(st, 8)));
	iso_local(o, "received_at", db_column_int64(st, 10), true);
	json_object_set_new(o, "info_request", text_or_null(st, 11));
	json_object_set_new(o, "refuse_reason", text_or_null(st, 12));
	json_object_set_new(o, "answer", text_or_null(st, 13));
	iso_local(o, "answered_at", db_column_int64(st, 14),
		  !db_column_is_null(st, 14));
	iso_local(o, "published_at", db_column_int64(st, 15),
		  !db_column_is_null(st, 15));
	json_object_set_new(o, "public_question", text_or_null(st, 16));
	json_object_set_new(o, "satisfied",
			    db_column_is_null(st, 17)
				    ? json_null()
				    : json_boolean(db_column_int64(st, 17)));
	iso_local(o, "rated_at", db_column_int64(st, 18),
		  !db_column_is_null(st, 18));
	json_object_set_new(o, "rating_comment", text_or_null(st, 19));
	json_object_set_new(o, "version", json_integer(db_column_int64(st, 20)));
	if (flags & FEEDBACK_OFFICER) {
		json_object_set_new(o, "sender",
				    json_pack("{s:s, s:o, s:o}", "name",
					      db_column_text(st, 21), "phone",
					      text_or_null(st, 22), "email",
					      text_or_null(st, 23)));
		json_object_set_new(o, "answered_by", text_or_null(st, 24));
	}
	json_object_set_new(times, "received",
			    json_integer(db_column_int64(st, 10)));
	json_object_set_new(times, "answered",
			    json_integer(db_column_int64(st, 14)));
	json_object_set_new(o, "times", times);
	return o;
}

int feedback_get(struct db *db, const char *code, unsigned flags,
		 json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int64_t id = 0;
	json_t *o = NULL;
	*out = NULL;
	int rc = db_prepare_cached(db,
				   "SELECT " FB_COLS " FROM feedback f"
				   " WHERE f.code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		o = row_json(st, flags, &id);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
		buf_setf(err, "Không tìm thấy phản ánh");
	} else {
		rc = db_fail(db, "get", err);
	}
	db_done(st);
	if (rc)
		return rc;
	if ((rc = load_events(db, id, flags, o,
			      json_object_get(o, "times"), err))) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- actions ---------------------------------------------------------------------- */

/*
 * The sender's e-mail about what the unit did (answer, refusal, request
 * for information), through the outbox (store/outbox.h) in the caller's
 * transaction, when they gave a valid address; nothing otherwise. The
 * sender thread adds the footer and delivers it.
 */
static int notify(struct db *db, const char *code, enum feedback_action a,
		  const char *note, const char *email, mc_time now,
		  struct buf *err)
{
	const char *event, *what;
	switch (a) {
	case FBA_ANSWER:
		event = "feedback_answered";
		what = "đã được trả lời";
		break;
	case FBA_REFUSE:
		event = "feedback_refused";
		what = "không được tiếp nhận";
		break;
	case FBA_ASK_INFO:
		event = "feedback_info_requested";
		what = "cần ông/bà bổ sung thông tin";
		break;
	default:
		return 0;
	}
	if (!*email || !mailfmt_address_ok(email))
		return 0;
	struct buf subject = BUF_INIT, body = BUF_INIT;
	buf_addf(&subject, "Phản ánh, kiến nghị %s %s", code, what);
	buf_addf(&body,
		 "Kính gửi ông/bà,\n\nPhản ánh, kiến nghị mã %s %s.\n\n%s%s"
		 "Xem chi tiết tại trang Tra cứu phản ánh (/phan-anh/tra-cuu) "
		 "với mã phản ánh và mã bí mật được cấp khi gửi.\n",
		 code, what, note ? note : "", note ? "\n\n" : "");
	struct outbox_msg m = {
		.kind = OUTBOX_EMAIL,
		.target = email,
		.event = event,
		.subject = subject.ptr,
		.body = body.ptr,
	};
	int rc = outbox_enqueue(db, &m, now, NULL, err);
	buf_release(&subject);
	buf_release(&body);
	return rc;
}

int feedback_act(struct db *db, const char *code,
		 const struct feedback_act_in *in, mc_time now,
		 struct buf *err)
{
	struct db_stmt *st = NULL;
	struct buf note = BUF_INIT;
	bool in_tx = false;
	int64_t id = 0, version = 0;
	enum feedback_kind kind = FB_KIND_PROCEDURE;
	enum feedback_state from = FB_RECEIVED, to;
	bool rated = false;
	char unit[16] = "", email[256] = "";
	int rc;

	if ((rc = feedback_note_check(in->action, in->note, &note, err)))
		goto out;
	if ((rc = db_begin(db, err)))
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "SELECT id, kind, state, satisfied,"
				    " version, unit_code, sender_email"
				    " FROM feedback WHERE code = ?",
				    &st, err)))
		goto out;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		if (feedback_kind_parse(db_column_text(st, 1), &kind) ||
		    feedback_state_parse(db_column_text(st, 2), &from)) {
			buf_setf(err, "feedback %s: bad stored kind or state",
				 code);
			rc = MC_EDB;
		} else {
			rated = !db_column_is_null(st, 3);
			version = db_column_int64(st, 4);
			snprintf(unit, sizeof unit, "%s", db_column_text(st, 5));
			snprintf(email, sizeof email, "%s",
				 db_column_text(st, 6));
			rc = 0;
		}
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
		buf_setf(err, "Không tìm thấy phản ánh");
	} else {
		rc = db_fail(db, "act", err);
	}
	db_done(st);
	st = NULL;
	if (rc)
		goto out;
	if (in->version >= 0 && in->version != version) {
		buf_setf(err, "Phản ánh vừa được người khác xử lý; xem lại "
			      "trạng thái hiện tại rồi thao tác lại.");
		rc = MC_ECONFLICT;
		goto out;
	}
	if ((rc = feedback_transition(kind, from, rated, in->action, &to, err)))
		goto out;

	const char *by = in->actor && in->actor->name ? in->actor->name
						      : "citizen";
	switch (in->action) {
	case FBA_REFUSE:
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " refuse_reason = ?, version = version"
				       " + 1, updated_at = ? WHERE id = ?",
				       &st, err);
		break;
	case FBA_ASK_INFO:
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " info_request = ?, version = version"
				       " + 1, updated_at = ? WHERE id = ?",
				       &st, err);
		break;
	case FBA_SUPPLY_INFO:
		/* The information is kept in the event's note. */
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " version = version + 1,"
				       " updated_at = ? WHERE id = ?",
				       &st, err);
		break;
	case FBA_ANSWER:
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " answer = ?, answered_at = ?,"
				       " answered_by = ?, version = version"
				       " + 1, updated_at = ? WHERE id = ?",
				       &st, err);
		break;
	case FBA_PUBLISH:
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " public_question = ?, published_at = ?,"
				       " version = version + 1, updated_at = ?"
				       " WHERE id = ?",
				       &st, err);
		break;
	case FBA_RATE:
		rc = db_prepare_cached(db,
				       "UPDATE feedback SET state = ?,"
				       " rating_comment = ?, satisfied = ?,"
				       " rated_at = ?, version = version + 1,"
				       " updated_at = ? WHERE id = ?",
				       &st, err);
		break;
	default:
		BUG("feedback action %d", (int)in->action);
	}
	if (rc)
		goto out;
	const char *n = note.len ? note.ptr : NULL;
	db_bind_text(st, 1, feedback_state_name(to), -1);
	if (in->action != FBA_SUPPLY_INFO)
		db_bind_text(st, 2, n, -1);
	switch (in->action) {
	case FBA_SUPPLY_INFO:
		db_bind_int64(st, 2, now);
		db_bind_int64(st, 3, id);
		break;
	case FBA_ANSWER:
		db_bind_int64(st, 3, now);
		db_bind_text(st, 4, by, -1);
		db_bind_int64(st, 5, now);
		db_bind_int64(st, 6, id);
		break;
	case FBA_PUBLISH:
		db_bind_int64(st, 3, now);
		db_bind_int64(st, 4, now);
		db_bind_int64(st, 5, id);
		break;
	case FBA_RATE:
		db_bind_int64(st, 3, in->satisfied ? 1 : 0);
		db_bind_int64(st, 4, now);
		db_bind_int64(st, 5, now);
		db_bind_int64(st, 6, id);
		break;
	default:
		db_bind_int64(st, 3, now);
		db_bind_int64(st, 4, id);
		break;
	}
	rc = db_step(st);
	db_done(st);
	st = NULL;
	if (rc < 0) {
		rc = db_fail(db, "update", err);
		goto out;
	}
	rc = 0;
	const char *ev_note = n;
	if (in->action == FBA_RATE)
		ev_note = in->satisfied ? "Hài lòng" : "Không hài lòng";
	if ((rc = add_event(db, id, version + 1, now, by,
			    feedback_action_name(in->action),
			    feedback_state_name(from), feedback_state_name(to),
			    ev_note, err)))
		goto out;
	if ((rc = audit_fb(db, in->actor, in->client,
			   feedback_action_name(in->action), code, unit,
			   feedback_state_name(from), feedback_state_name(to),
			   now, err)))
		goto out;
	if ((rc = notify(db, code, in->action, n, email, now, err)))
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	buf_release(&note);
	return rc;
}

/* ---- lists -------------------------------------------------------------------------- */

/* " AND (f.unit_code IN (?,..) OR f.unit_parent IN (?,..))" for the
 * scope, or "" for all. */
static void scope_sql(const struct feedback_queue_q *q, struct buf *sql)
{
	if (!q->units)
		return;
	buf_adds(sql, " AND (f.unit_code IN (");
	for (int i = 0; i < q->n_units; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_adds(sql, ") OR f.unit_parent IN (");
	for (int i = 0; i < q->n_units; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_adds(sql, "))");
}

static int bind_scope(struct db_stmt *st, const struct feedback_queue_q *q,
		      int from)
{
	if (!q->units)
		return from;
	for (int i = 0; i < q->n_units; i++)
		db_bind_text(st, from + i, q->units[i], -1);
	for (int i = 0; i < q->n_units; i++)
		db_bind_text(st, from + q->n_units + i, q->units[i], -1);
	return from + 2 * q->n_units;
}

int feedback_queue(struct db *db, const struct feedback_queue_q *q,
		   json_t **out, struct buf *err)
{
	struct buf where = BUF_INIT, sql = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *items = NULL;
	int64_t total = 0;
	int per_page = q->per_page ? q->per_page : 50, page = q->page;
	enum feedback_state fs;
	int rc = MC_EINVALID;
	*out = NULL;
	if (page < 1 || per_page < 1 || per_page > 200) {
		buf_setf(err, "page or per_page out of range");
		goto out;
	}
	if (q->units && q->n_units < 1) {
		*out = json_pack("{s:[], s:i, s:i, s:i}", "items", "total", 0,
				 "page", page, "per_page", per_page);
		rc = 0;
		goto out;
	}
	if (!q->state)
		buf_adds(&where,
			   " WHERE (f.state IN ('received', 'info_requested')"
			   " OR (f.state = 'answered' AND"
			   " f.kind = 'procedure'))");
	else if (!strcmp(q->state, "all"))
		buf_adds(&where, " WHERE 1 = 1");
	else if (!feedback_state_parse(q->state, &fs))
		buf_adds(&where, " WHERE f.state = ?");
	else {
		buf_setf(err, "unknown state %s", q->state);
		goto out;
	}
	scope_sql(q, &where);
	buf_addf(&sql, "SELECT count(*) FROM feedback f%s", where.ptr);
	if ((rc = db_prepare(db, sql.ptr, &st, err)))
		goto out;
	int i = 1;
	if (q->state && strcmp(q->state, "all"))
		db_bind_text(st, i++, q->state, -1);
	bind_scope(st, q, i);
	rc = db_step(st);
	if (rc == DB_ROW)
		total = db_column_int64(st, 0);
	db_finalize(st);
	st = NULL;
	if (rc < 0) {
		rc = db_fail(db, "queue count", err);
		goto out;
	}
	buf_reset(&sql);
	buf_addf(&sql,
		 "SELECT " FB_COLS " FROM feedback f%s"
		 " ORDER BY f.received_at, f.code LIMIT ? OFFSET ?",
		 where.ptr);
	if ((rc = db_prepare(db, sql.ptr, &st, err)))
		goto out;
	i = 1;
	if (q->state && strcmp(q->state, "all"))
		db_bind_text(st, i++, q->state, -1);
	i = bind_scope(st, q, i);
	db_bind_int64(st, i++, per_page);
	db_bind_int64(st, i, (int64_t)(page - 1) * per_page);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id;
		json_t *o = row_json(st, 0, &id);
		json_object_set_new(o, "id", json_integer(id));
		json_array_append_new(items, o);
	}
	db_finalize(st);
	st = NULL;
	if (rc < 0) {
		rc = db_fail(db, "queue", err);
		goto out;
	}
	/* The waits for the citizen, for the marks and deadlines. */
	size_t k;
	json_t *it;
	json_array_foreach(items, k, it)
	{
		json_t *scratch = json_object();
		int64_t id = json_integer_value(json_object_get(it, "id"));
		rc = load_events(db, id, 0, scratch,
				 json_object_get(it, "times"), err);
		json_decref(scratch);
		json_object_del(it, "id");
		if (rc)
			goto out;
	}
	*out = json_pack("{s:O, s:I, s:i, s:i}", "items", items, "total",
			 (json_int_t)total, "page", page, "per_page", per_page);
	rc = 0;
out:
	json_decref(items);
	buf_release(&where);
	buf_release(&sql);
	return rc;
}

int feedback_public_list(struct db *db, int page, int per_page, json_t **out,
			 struct buf *err)
{
	struct db_stmt *st = NULL;
	int64_t total = 0;
	int rc;
	*out = NULL;
	per_page = per_page ? per_page : 20;
	if (page < 1 || per_page < 1 || per_page > 200) {
		buf_setf(err, "page or per_page out of range");
		return MC_EINVALID;
	}
	if ((rc = db_prepare_cached(db,
				    "SELECT count(*) FROM feedback f WHERE"
				    " f.state = 'published'",
				    &st, err)))
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		total = db_column_int64(st, 0);
	db_done(st);
	if (rc < 0)
		return db_fail(db, "public count", err);
	if ((rc = db_prepare_cached(db,
				    "SELECT " FB_COLS " FROM feedback f WHERE"
				    " f.state = 'published' ORDER BY"
				    " f.published_at DESC, f.code LIMIT ?"
				    " OFFSET ?",
				    &st, err)))
		return rc;
	db_bind_int64(st, 1, per_page);
	db_bind_int64(st, 2, (int64_t)(page - 1) * per_page);
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id;
		json_t *r = row_json(st, 0, &id);
		json_t *pq = json_object_get(r, "public_question");
		json_t *o = json_pack(
			"{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
			"code", json_object_get(r, "code"), "procedure_code",
			json_object_get(r, "procedure_code"), "procedure_name",
			json_object_get(r, "procedure_name"), "unit_name",
			json_object_get(r, "unit_name"), "subject",
			json_object_get(r, "subject"), "question",
			json_is_string(pq) ? pq : json_object_get(r, "content"),
			"answer", json_object_get(r, "answer"), "received_at",
			json_object_get(r, "received_at"), "answered_at",
			json_object_get(r, "answered_at"), "published_at",
			json_object_get(r, "published_at"));
		json_decref(r);
		json_array_append_new(items, o);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return db_fail(db, "public", err);
	}
	*out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
			 (json_int_t)total, "page", page, "per_page", per_page);
	return 0;
}
