/*
 * auth_repo.c - users, grants, sessions, API tokens and the login throttle
 * (contract in store/auth_repo.h). Secrets are hashed before they reach
 * SQL; no secret is ever formatted into an error, a log line or a model.
 * Every change commits together with its audit entry (store/audit.h).
 */
#include "store/auth_repo.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/audit.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/text.h"
#include "util/xalloc.h"

#define THROTTLE_FORGET_S 3600	/* a failure older than this is forgotten */
#define TOKEN_PREFIX "mct_"
/*
 * users.updated_at doubles as the version of the optimistic check
 * (auth_user_update()): it must grow on every change, even two in one
 * second. Two parameters, both "now".
 */
#define BUMP_VERSION "CASE WHEN updated_at >= ? THEN updated_at + 1 ELSE ? END"

/* ---- crypto helpers ----------------------------------------------------- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_setup(void)
{
	if (sodium_init() < 0)
		BUG("libsodium cannot initialise");
}

static void crypto_ready(void)
{
	pthread_once(&sodium_once, sodium_setup);
}

/* Hex SHA-256 of a NUL-terminated string: the stored form of a token. */
static void sha256_hex(const char *s, char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, h, sizeof(h));
}

/* 32 random bytes as hex, after `prefix`, into out. */
static void random_token(const char *prefix, char out[AUTH_TOKEN_BUF])
{
	unsigned char r[32];
	size_t n = strlen(prefix);
	crypto_ready();
	randombytes_buf(r, sizeof(r));
	memcpy(out, prefix, n);
	sodium_bin2hex(out + n, AUTH_TOKEN_BUF - n, r, sizeof(r));
	sodium_memzero(r, sizeof(r));
}

void auth_csrf_token(const char *session_token, char out[AUTH_TOKEN_HEX + 1])
{
	static const char msg[] = "motcua-csrf-v1";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_ready();
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)session_token,
				    strlen(session_token));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
				      sizeof(msg) - 1);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, mac, sizeof(mac));
}

bool auth_secret_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return la == 0 || sodium_memcmp(a, b, la) == 0;
}

/* ---- small helpers ------------------------------------------------------ */

static int db_fail(struct db *db, int rc, struct buf *err)
{
	if (err && !err->len)
		buf_setf(err, "%s", db_errmsg(db));
	return rc < 0 ? rc : MC_EDB;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static json_t *iso_time(struct db_stmt *st, int col)
{
	if (db_column_is_null(st, col))
		return json_null();
	struct buf b = BUF_INIT;
	mctime_format_iso(db_column_int64(st, col), &b);
	json_t *s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

/* One audit entry in the caller's transaction. */
static int audit(struct db *db, const struct auth_actor *by,
		 const char *action, const char *otype, const char *oid,
		 const char *unit, json_t *before, json_t *after, mc_time now,
		 struct buf *err)
{
	struct audit_entry e = {
		.at = now,
		.actor_id = by ? by->id : 0,
		.actor = by && by->name ? by->name : "system",
		.action = action,
		.object_type = otype,
		.object_id = oid,
		.unit_code = unit,
		.client = by ? by->client : NULL,
		.before = before,
		.after = after,
	};
	return audit_append(db, &e, NULL, err);
}

/* ---- password policy ---------------------------------------------------- */

static char **common;	/* lower-cased, sorted */
static size_t n_common;
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void common_load(void)
{
	const struct embed_file *f = embed_find("data/common-passwords.txt");
	if (!f)
		BUG("data/common-passwords.txt is not embedded");
	size_t cap = 4096;
	common = xmalloc(cap * sizeof(*common));
	const char *p = (const char *)f->data, *end = p + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t len = (size_t)(e - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len && p[0] != '#') {
			if (n_common == cap) {
				cap *= 2;
				common = xrealloc(common, cap * sizeof(*common));
			}
			char *w = xmalloc(len + 1);
			memcpy(w, p, len);
			w[len] = '\0';
			ascii_lower(w);
			common[n_common++] = w;
		}
		p = e + 1;
	}
	if (n_common)
		qsort(common, n_common, sizeof(*common), cmp_str);
}

static bool is_common(const char *lower)
{
	pthread_once(&common_once, common_load);
	return n_common &&
	       bsearch(&lower, common, n_common, sizeof(*common), cmp_str);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int auth_password_policy(const char *username, const char *password,
			 struct buf *err)
{
	int rc = MC_EINVALID;
	char *lower = NULL;
	size_t len = password ? strlen(password) : 0;
	if (!len) {
		buf_setf(err, "Chưa nhập mật khẩu.");
		goto out;
	}
	if (len > AUTH_PASSWORD_MAX ||
	    !text_utf8_valid(password, len, NULL)) {
		buf_setf(err, "Mật khẩu quá dài hoặc có ký tự không hợp lệ.");
		goto out;
	}
	if (utf8_chars(password) < AUTH_PASSWORD_MIN) {
		buf_setf(err, "Mật khẩu phải có ít nhất %d ký tự.",
			 AUTH_PASSWORD_MIN);
		goto out;
	}
	lower = xstrdup(password);
	ascii_lower(lower);
	if (is_common(lower)) {
		buf_setf(err, "Mật khẩu này quá phổ biến, dễ bị đoán; "
			      "hãy chọn mật khẩu khác.");
		goto out;
	}
	if (username && *username) {
		char *u = xstrdup(username);
		ascii_lower(u);
		bool inside = strstr(lower, u) != NULL;
		free(u);
		if (inside) {
			buf_setf(err, "Mật khẩu không được chứa tên đăng nhập.");
			goto out;
		}
	}
	rc = 0;
out:
	if (lower) {
		sodium_memzero(lower, len);
		free(lower);
	}
	return rc;
}

int auth_username_check(const char *username, struct buf *err)
{
	size_t n = username ? strlen(username) : 0;
	if (n < 3 || n > 32) {
		buf_setf(err, "Tên đăng nhập phải dài từ 3 đến 32 ký tự.");
		return MC_EINVALID;
	}
	if (!isalnum((unsigned char)username[0])) {
		buf_setf(err, "Tên đăng nhập phải bắt đầu bằng chữ hoặc số.");
		return MC_EINVALID;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)username[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			buf_setf(err, "Tên đăng nhập chỉ gồm chữ thường không "
				      "dấu (a-z), số và . _ -");
			return MC_EINVALID;
		}
	}
	return 0;
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
			 struct buf *err)
{
	crypto_ready();
	if (crypto_pwhash_str(out, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		buf_setf(err, "argon2id: out of memory");
		return MC_EIO;
	}
	return 0;
}

/* ---- units -------------------------------------------------------------- */

int auth_unit_parent(struct db *db, const char *code,
		     char parent[AUTHZ_UNIT_MAX], struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	parent[0] = '\0';
	if (!code || !*code || strlen(code) >= AUTHZ_UNIT_MAX)
		return MC_ENOTFOUND;
	if (!strcmp(code, AUTHZ_UNIT_COUNTRY))
		return 0;
	if ((rc = db_prepare_cached(db,
				    "SELECT coalesce(parent_code, '') FROM units "
				    "WHERE era = '2025' AND code = ?",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_str(parent, AUTHZ_UNIT_MAX, db_column_text(st, 0));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		rc = db_fail(db, rc, err);
	}
	db_done(st);
	return rc;
}

/* The unit of a new grant: "VN" or a 2025 unit; else MC_EINVALID. */
static int check_unit(struct db *db, const char *unit, struct buf *err)
{
	char parent[AUTHZ_UNIT_MAX];
	int rc = auth_unit_parent(db, unit, parent, err);
	if (rc == MC_ENOTFOUND) {
		buf_setf(err, "Đơn vị \"%s\" không có trong danh mục đơn vị "
			      "hành chính 2025 (hoặc VN cho toàn quốc).",
			 unit ? unit : "");
		rc = MC_EINVALID;
	}
	return rc;
}

/* ---- users -------------------------------------------------------------- */

/* users.id of a username; MC_ENOTFOUND. */
static int user_id_of(struct db *db, const char *username, int64_t *id,
		      bool *disabled, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare_cached(db,
				    "SELECT id, disabled FROM users "
				    "WHERE username = ?",
				    &st, err)) < 0)
		return rc;
	if ((rc = db_bind_text(st, 1, username, -1)) < 0) {
		db_done(st);
		return MC_ENOTFOUND;	/* not valid UTF-8: no such user */
	}
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		if (disabled)
			*disabled = db_column_int64(st, 1) == 1;
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		rc = db_fail(db, rc, err);
	}
	db_done(st);
	return rc;
}

static int not_found_user(const char *username, struct buf *err)
{
	buf_setf(err, "Không có người dùng \"%s\".", username);
	return MC_ENOTFOUND;
}

static int insert_grant(struct db *db, int64_t user_id, enum role role,
			const char *unit, mc_time now, bool *added,
			struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare_cached(db,
				    "INSERT INTO role_grants "
				    "(user_id, role, unit_code, created_at) "
				    "VALUES (?, ?, ?, ?) "
				    "ON CONFLICT (user_id, role, unit_code) "
				    "DO NOTHING",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, authz_role_name(role), -1);
	db_bind_text(st, 3, unit, -1);
	db_bind_int64(st, 4, now);
	rc = db_step(st);
	if (rc == DB_DONE) {
		if (added)
			*added = db_changes(st) > 0;
		rc = 0;
	} else {
		rc = db_fail(db, rc, err);
	}
	db_done(st);
	return rc;
}

static json_t *grant_json(enum role role, const char *unit)
{
	return json_pack("{s:s, s:s}", "role", authz_role_name(role), "unit",
			 unit);
}

int auth_user_create(struct db *db, const struct auth_actor *by,
		     const char *username, const char *full_name,
		     const char *password, enum role role, const char *unit,
		     mc_time now, int64_t *id_out, struct buf *err)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_stmt *st = NULL;
	int64_t id = 0;
	bool in_tx = false;
	json_t *after = NULL;
	int rc;
	if ((rc = auth_username_check(username, err)) < 0)
		goto out;
	if (!full_name)
		full_name = "";
	if (strlen(full_name) > 200 ||
	    !text_utf8_valid(full_name, strlen(full_name), NULL)) {
		buf_setf(err, "Họ tên quá dài hoặc có ký tự không hợp lệ.");
		rc = MC_EINVALID;
		goto out;
	}
	if ((rc = auth_password_policy(username, password, err)) < 0)
		goto out;
	if ((rc = check_unit(db, unit, err)) < 0)
		goto out;
	if ((rc = hash_password(password, hash, err)) < 0)
		goto out;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "INSERT INTO users (username, full_name, "
				    "password_hash, disabled, created_at, "
				    "updated_at) VALUES (?, ?, ?, 0, ?, ?) "
				    "RETURNING id",
				    &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, username, -1);
	db_bind_text(st, 2, full_name, -1);
	db_bind_text(st, 3, hash, -1);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_column_int64(st, 0);
	if (rc < 0 && db_error_is_unique(db)) {
		db_done(st);
		buf_setf(err, "Tên đăng nhập \"%s\" đã có.", username);
		rc = MC_ECONFLICT;
		goto out;
	}
	db_done(st);
	if (rc != DB_ROW) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if ((rc = insert_grant(db, id, role, unit, now, NULL, err)) < 0)
		goto out;
	after = json_pack("{s:s, s:s, s:[o]}", "username", username,
			  "full_name", full_name, "grants",
			  grant_json(role, unit));
	if ((rc = audit(db, by, "user.create", "user", username, unit, NULL,
			after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
	if (rc == 0 && id_out)
		*id_out = id;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* Revokes the live sessions of user_id except `keep`; count in *n. */
static int revoke_user_sessions(struct db *db, int64_t user_id, int64_t keep,
				mc_time now, int64_t *n, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare_cached(db,
				    "UPDATE sessions SET revoked_at = ? "
				    "WHERE user_id = ? AND id <> ? AND "
				    "revoked_at IS NULL AND expires_at > ?",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, keep);
	db_bind_int64(st, 4, now);
	rc = db_step(st);
	if (rc == DB_DONE) {
		if (n)
			*n = db_changes(st);
		rc = 0;
	} else {
		rc = db_fail(db, rc, err);
	}
	db_done(st);
	return rc;
}

int auth_user_passwd(struct db *db, const struct auth_actor *by,
		     const char *username, const char *password,
		     int64_t keep_session_id, mc_time now, struct buf *err)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_stmt *st = NULL;
	bool in_tx = false;
	int64_t id = 0, n = 0;
	json_t *after = NULL;
	int rc;
	if ((rc = user_id_of(db, username, &id, NULL, err)) < 0) {
		if (rc == MC_ENOTFOUND)
			not_found_user(username, err);
		goto out;
	}
	if ((rc = auth_password_policy(username, password, err)) < 0)
		goto out;
	if ((rc = hash_password(password, hash, err)) < 0)
		goto out;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "UPDATE users SET password_hash = ?, "
				    "updated_at = " BUMP_VERSION " WHERE id = ?",
				    &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, hash, -1);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if ((rc = revoke_user_sessions(db, id, keep_session_id, now, &n,
				       err)) < 0)
		goto out;
	/* The audit records that it changed, never the value. */
	after = json_pack("{s:s, s:I}", "password", "changed",
			  "sessions_revoked", (json_int_t)n);
	if ((rc = audit(db, by, "user.passwd", "user", username, NULL, NULL,
			after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/*
 * The last-administrator rule of the guarded variants (auth_repo.h): the
 * province or country `unit` must keep an enabled "admin" other than
 * user_id. Locks the rows of that unit's administrators first (PostgreSQL:
 * a concurrent guarded change waits, then counts what was committed;
 * SQLite's BEGIN IMMEDIATE serialises already). Inside the caller's
 * transaction. Units that are communes are not guarded.
 */
static int keep_one_admin(struct db *db, int64_t user_id, const char *unit,
			  struct buf *err)
{
	char parent[AUTHZ_UNIT_MAX];
	struct db_stmt *st = NULL;
	int64_t others = 0;
	int rc = auth_unit_parent(db, unit, parent, err);
	if (rc == MC_ENOTFOUND || (rc == 0 && parent[0]))
		return 0;	/* gone from the list, or a commune */
	if (rc < 0)
		return rc;
	if ((rc = db_prepare_cached(db,
				    "UPDATE users SET updated_at = updated_at "
				    "WHERE id IN (SELECT user_id FROM "
				    "role_grants WHERE role = 'admin' AND "
				    "unit_code = ?)",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, unit, -1);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db,
				    "SELECT count(*) FROM role_grants g "
				    "JOIN users u ON u.id = g.user_id "
				    "WHERE g.role = 'admin' AND g.unit_code = ? "
				    "AND u.disabled = 0 AND g.user_id <> ?",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, unit, -1);
	db_bind_int64(st, 2, user_id);
	rc = db_step(st);
	if (rc == DB_ROW)
		others = db_column_int64(st, 0);
	db_done(st);
	if (rc != DB_ROW)
		return db_fail(db, rc, err);
	if (others > 0)
		return 0;
	if (!strcmp(unit, AUTHZ_UNIT_COUNTRY))
		buf_setf(err, "Đây là quản trị toàn quốc cuối cùng: hãy cấp "
			      "quyền quản trị toàn quốc cho người khác "
			      "trước.");
	else
		buf_setf(err, "Đây là quản trị cuối cùng của tỉnh %s: hãy "
			      "cấp quyền quản trị tỉnh cho người khác "
			      "trước.",
			 unit);
	return MC_ECONFLICT;
}

/* keep_one_admin() for each province or country admin grant of user_id. */
static int keep_admins_of(struct db *db, int64_t user_id, struct buf *err)
{
	char units[AUTHZ_MAX_GRANTS][AUTHZ_UNIT_MAX];
	struct db_stmt *st = NULL;
	int n = 0, rc;
	if ((rc = db_prepare_cached(db,
				    "SELECT unit_code FROM role_grants "
				    "WHERE user_id = ? AND role = 'admin' "
				    "ORDER BY unit_code",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, user_id);
	while ((rc = db_step(st)) == DB_ROW && n < AUTHZ_MAX_GRANTS)
		copy_str(units[n++], AUTHZ_UNIT_MAX, db_column_text(st, 0));
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	for (int i = 0; i < n; i++)
		if ((rc = keep_one_admin(db, user_id, units[i], err)) < 0)
			return rc;
	return 0;
}

static int set_disabled(struct db *db, const struct auth_actor *by,
			const char *username, bool disabled, bool guard,
			mc_time now, struct buf *err)
{
	struct db_stmt *st = NULL;
	bool in_tx = false, was = false;
	int64_t id = 0;
	json_t *before = NULL, *after = NULL;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = user_id_of(db, username, &id, &was, err)) < 0) {
		if (rc == MC_ENOTFOUND)
			not_found_user(username, err);
		goto out;
	}
	if (guard && disabled && !was &&
	    (rc = keep_admins_of(db, id, err)) < 0)
		goto out;
	if ((rc = db_prepare_cached(db,
				    "UPDATE users SET disabled = ?, "
				    "updated_at = " BUMP_VERSION " WHERE id = ?",
				    &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, disabled ? 1 : 0);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (disabled &&
	    (rc = revoke_user_sessions(db, id, 0, now, NULL, err)) < 0)
		goto out;
	before = json_pack("{s:b}", "disabled", was);
	after = json_pack("{s:b}", "disabled", disabled);
	if ((rc = audit(db, by, disabled ? "user.disable" : "user.enable",
			"user", username, NULL, before, after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}

int auth_user_set_disabled(struct db *db, const struct auth_actor *by,
			   const char *username, bool disabled, mc_time now,
			   struct buf *err)
{
	return set_disabled(db, by, username, disabled, false, now, err);
}

int auth_user_set_disabled_guarded(struct db *db, const struct auth_actor *by,
				   const char *username, bool disabled,
				   mc_time now, struct buf *err)
{
	return set_disabled(db, by, username, disabled, true, now, err);
}

/* The grants of every user (user_id 0) or one, as user_id -> array. */
static int load_grants(struct db *db, int64_t user_id, json_t *by_user,
		       struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare(db,
			     "SELECT g.user_id, g.role, g.unit_code, "
			     "coalesce(u.full_name, '') FROM role_grants g "
			     "LEFT JOIN units u ON u.era = '2025' AND "
			     "u.code = g.unit_code "
			     "WHERE ? = 0 OR g.user_id = ? "
			     "ORDER BY g.user_id, g.unit_code, g.role",
			     &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, user_id);
	while ((rc = db_step(st)) == DB_ROW) {
		char key[24];
		enum role r;
		const char *unit = db_column_text(st, 2);
		snprintf(key, sizeof(key), "%lld",
			 (long long)db_column_int64(st, 0));
		json_t *arr = json_object_get(by_user, key);
		if (!arr) {
			arr = json_array();
			json_object_set_new(by_user, key, arr);
		}
		if (authz_role_parse(db_column_text(st, 1), &r) < 0)
			continue;	/* a role this binary does not know */
		const char *uname = db_column_text(st, 3);
		if (!strcmp(unit, AUTHZ_UNIT_COUNTRY))
			uname = "Toàn quốc";
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:s}", "role",
				       authz_role_name(r), "role_label",
				       authz_role_label(r), "unit", unit,
				       "unit_name", uname));
	}
	db_finalize(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

static int query_users(struct db *db, const char *username, json_t **out,
		       struct buf *err)
{
	struct db_stmt *st = NULL;
	json_t *items = json_array(), *grants = json_object();
	int rc;
	*out = NULL;
	if ((rc = db_begin_read(db, err)) < 0)
		goto out;
	if ((rc = db_prepare(db,
			     "SELECT id, username, full_name, disabled, "
			     "created_at, updated_at FROM users "
			     "WHERE ? = '' OR username = ? ORDER BY username",
			     &st, err)) < 0)
		goto rollback;
	db_bind_text(st, 1, username ? username : "", -1);
	db_bind_text(st, 2, username ? username : "", -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:b, s:o, s:I}", "id",
				  (json_int_t)db_column_int64(st, 0),
				  "username", db_column_text(st, 1),
				  "full_name", db_column_text(st, 2),
				  "disabled", db_column_int64(st, 3) == 1,
				  "created_at", iso_time(st, 4), "version",
				  (json_int_t)db_column_int64(st, 5)));
	db_finalize(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto rollback;
	}
	int64_t one = 0;
	if (username && json_array_size(items) == 1)
		one = json_integer_value(
			json_object_get(json_array_get(items, 0), "id"));
	if ((!username || one) &&
	    (rc = load_grants(db, one, grants, err)) < 0)
		goto rollback;
	rc = db_commit(db, err);
	if (rc < 0)
		goto out;
	size_t i;
	json_t *u;
	json_array_foreach(items, i, u)
	{
		char key[24];
		snprintf(key, sizeof(key), "%lld",
			 (long long)json_integer_value(json_object_get(u, "id")));
		json_t *g = json_object_get(grants, key);
		json_object_set_new(u, "grants",
				    g ? json_incref(g) : json_array());
	}
	*out = items;
	items = NULL;
	goto out;
rollback:
	db_rollback(db);
out:
	json_decref(items);
	json_decref(grants);
	return rc;
}

int auth_user_get(struct db *db, const char *username, json_t **out,
		  struct buf *err)
{
	json_t *items = NULL;
	int rc;
	*out = NULL;
	if (!username || !*username)
		return not_found_user("", err);
	if ((rc = query_users(db, username, &items, err)) < 0)
		return rc;
	if (json_array_size(items) != 1) {
		json_decref(items);
		return not_found_user(username ? username : "", err);
	}
	*out = json_incref(json_array_get(items, 0));
	json_decref(items);
	return 0;
}

int auth_user_list(struct db *db, json_t **out, struct buf *err)
{
	json_t *items = NULL;
	int rc = query_users(db, NULL, &items, err);
	*out = NULL;
	if (rc < 0)
		return rc;
	*out = json_pack("{s:o, s:I}", "items", items, "total",
			 (json_int_t)json_array_size(items));
	return 0;
}

/* ---- administration of users -------------------------------------------- */

#define SEARCH_PER_PAGE 50
#define SEARCH_PER_PAGE_MAX 200

/* Whether every word of the search key `q` appears in `key`. */
static bool key_has_words(const char *key, const char *q)
{
	char word[128];
	while (*q) {
		const char *sp = strchr(q, ' ');
		size_t n = sp ? (size_t)(sp - q) : strlen(q);
		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, q, n);
		word[n] = '\0';
		if (!strstr(key, word))
			return false;
		q = sp ? sp + 1 : q + strlen(q);
	}
	return true;
}

/* The newest login of a user, from the audit trail (or null). */
static int last_login(struct db *db, const char *username, json_t **out,
		      struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	*out = NULL;
	/* Walks the actor's entries backwards (index audit_log_actor) and
	 * stops at the first login. */
	if ((rc = db_prepare_cached(db,
				    "SELECT at FROM audit_log WHERE actor = ? "
				    "AND action = 'login.ok' "
				    "ORDER BY id DESC LIMIT 1",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, username, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = iso_time(st, 0);
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!*out)
		*out = json_null();
	return 0;
}

/* The SQL of auth_user_search(): users by status and scope. */
static int search_sql(const struct auth_user_filter *f, struct buf *sql,
		      struct buf *err)
{
	buf_adds(sql, "SELECT id, username, full_name, disabled, created_at, "
		      "updated_at FROM users WHERE (? = 0 OR disabled = ?)");
	if (f->scope) {
		if (f->n_scope < 0 || f->n_scope > AUTHZ_MAX_GRANTS) {
			buf_setf(err, "too many units in the scope");
			return MC_EINVALID;
		}
		if (!f->n_scope) {
			buf_adds(sql, " AND 1 = 0");
		} else {
			/* A grant on a unit of the scope, or on a commune
			 * whose parent is one. */
			buf_adds(sql, " AND EXISTS (SELECT 1 FROM role_grants "
				      "g LEFT JOIN units u ON u.era = '2025' "
				      "AND u.code = g.unit_code WHERE "
				      "g.user_id = users.id AND (");
			for (int i = 0; i < f->n_scope; i++)
				buf_adds(sql, i ? " OR g.unit_code = ? OR "
						  "u.parent_code = ?"
						: "g.unit_code = ? OR "
						  "u.parent_code = ?");
			buf_adds(sql, "))");
		}
	}
	buf_adds(sql, " ORDER BY username");
	return 0;
}

/* Adds "grants" and "last_login" to each user of `items`. */
static int add_details(struct db *db, json_t *items, struct buf *err)
{
	size_t i;
	json_t *u;
	int rc = 0;
	json_array_foreach(items, i, u)
	{
		json_t *by_user = json_object(), *when = NULL;
		int64_t id = json_integer_value(json_object_get(u, "id"));
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)id);
		rc = load_grants(db, id, by_user, err);
		if (!rc)
			rc = last_login(db,
					json_string_value(
						json_object_get(u, "username")),
					&when, err);
		if (!rc) {
			json_t *g = json_object_get(by_user, key);
			json_object_set_new(u, "grants",
					    g ? json_incref(g) : json_array());
			json_object_set_new(u, "last_login", when);
		}
		json_decref(by_user);
		if (rc)
			break;
	}
	return rc;
}

int auth_user_search(struct db *db, const struct auth_user_filter *f,
		     json_t **out, struct buf *err)
{
	struct db_stmt *st = NULL;
	struct buf sql = BUF_INIT, q = BUF_INIT, key = BUF_INIT;
	json_t *items = json_array();
	int per_page = f->per_page ? f->per_page : SEARCH_PER_PAGE;
	int64_t total = 0, first, status = 0;
	bool in_tx = false;
	int rc = MC_EINVALID;
	*out = NULL;
	if (f->page < 1 || f->page > 1000000 || per_page < 1 ||
	    per_page > SEARCH_PER_PAGE_MAX) {
		buf_setf(err, "page or per_page out of range");
		goto out;
	}
	if (f->query && *f->query &&
	    (rc = text_search_key(f->query, strlen(f->query), &q, err)) < 0)
		goto out;
	if ((rc = search_sql(f, &sql, err)) < 0)
		goto out;
	if (f->status == AUTH_USERS_ACTIVE)
		status = 1;
	else if (f->status == AUTH_USERS_DISABLED)
		status = 2;
	first = (int64_t)(f->page - 1) * per_page;
	if ((rc = db_begin_read(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare(db, sql.ptr, &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, status);
	db_bind_int64(st, 2, status == 2 ? 1 : 0);
	for (int i = 0; f->scope && i < f->n_scope; i++) {
		db_bind_text(st, 3 + 2 * i, f->scope[i], -1);
		db_bind_text(st, 4 + 2 * i, f->scope[i], -1);
	}
	/* The query is matched here, on search keys (no accents in SQL);
	 * the users of one province are a few thousand rows at most. */
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = db_column_text(st, 1);
		const char *full = db_column_text(st, 2);
		if (q.len) {
			buf_reset(&key);
			buf_adds(&key, name);
			buf_addch(&key, ' ');
			if (text_search_key(full, strlen(full), &key, NULL) <
				    0 ||
			    !key_has_words(key.ptr, q.ptr))
				continue;
		}
		if (total++ < first || total > first + per_page)
			continue;
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:b, s:o, s:I}", "id",
				  (json_int_t)db_column_int64(st, 0),
				  "username", name, "full_name", full,
				  "disabled", db_column_int64(st, 3) == 1,
				  "created_at", iso_time(st, 4), "version",
				  (json_int_t)db_column_int64(st, 5)));
	}
	db_finalize(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if ((rc = add_details(db, items, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
	if (rc < 0)
		goto out;
	*out = json_pack("{s:O, s:I, s:i, s:i, s:I}", "items", items, "total",
			 (json_int_t)total, "page", f->page, "per_page",
			 per_page, "pages",
			 (json_int_t)(total ? (total + per_page - 1) / per_page
					    : 1));
out:
	if (in_tx)
		db_rollback(db);
	json_decref(items);
	buf_release(&sql);
	buf_release(&q);
	buf_release(&key);
	return rc;
}

int auth_user_update(struct db *db, const struct auth_actor *by,
		     const char *username, const char *full_name,
		     int64_t version, mc_time now, struct buf *err)
{
	struct db_stmt *st = NULL;
	struct buf nfc = BUF_INIT;
	bool in_tx = false;
	int64_t id = 0, current = 0;
	json_t *before = NULL, *after = NULL;
	char *old = NULL;
	int rc = MC_EINVALID;
	if (!full_name)
		full_name = "";
	if (strlen(full_name) > 200 ||
	    text_nfc(full_name, strlen(full_name), &nfc, NULL) < 0) {
		buf_setf(err, "Họ tên quá dài hoặc có ký tự không hợp lệ.");
		goto out;
	}
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "SELECT id, full_name, updated_at FROM "
				    "users WHERE username = ?",
				    &st, err)) < 0)
		goto out;
	if (db_bind_text(st, 1, username ? username : "", -1) < 0)
		db_bind_text(st, 1, "", -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		old = xstrdup(db_column_text(st, 1));
		current = db_column_int64(st, 2);
	}
	db_done(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (!id) {
		rc = not_found_user(username ? username : "", err);
		goto out;
	}
	if (current != version) {
		buf_setf(err, "Tài khoản \"%s\" vừa được người khác thay đổi "
			      "sau khi bạn mở trang: hãy xem lại và lưu lại.",
			 username);
		rc = MC_ECONFLICT;
		goto out;
	}
	if ((rc = db_prepare_cached(db,
				    "UPDATE users SET full_name = ?, "
				    "updated_at = " BUMP_VERSION " WHERE id = ?",
				    &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, nfc.ptr, -1);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, id);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	before = json_pack("{s:s}", "full_name", old);
	after = json_pack("{s:s}", "full_name", nfc.ptr);
	if ((rc = audit(db, by, "user.update", "user", username, NULL, before,
			after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	free(old);
	buf_release(&nfc);
	return rc;
}

/* A valid argon2id string of a random password, verified when the user
 * does not exist so that the time does not tell. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_setup(void)
{
	char pw[AUTH_TOKEN_BUF];
	random_token("", pw);
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		BUG("argon2id: out of memory");
}

int auth_password_verify(struct db *db, const char *username,
			 const char *password, int64_t *user_id,
			 struct buf *err)
{
	struct db_stmt *st = NULL;
	char hash[crypto_pwhash_STRBYTES] = "";
	int64_t id = 0;
	bool enabled = false;
	int rc;
	crypto_ready();
	*user_id = 0;
	if (!username || !password || strlen(password) > AUTH_PASSWORD_MAX)
		return MC_EFORBIDDEN;
	if ((rc = db_prepare_cached(db,
				    "SELECT id, password_hash, disabled "
				    "FROM users WHERE username = ?",
				    &st, err)) < 0)
		return rc;
	if (db_bind_text(st, 1, username, -1) < 0) {
		db_done(st);
		st = NULL;
		rc = DB_DONE;
	} else {
		rc = db_step(st);
	}
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		copy_str(hash, sizeof(hash), db_column_text(st, 1));
		enabled = db_column_int64(st, 2) == 0;
	}
	if (st)
		db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!id) {
		pthread_once(&dummy_once, dummy_setup);
		memcpy(hash, dummy_hash, sizeof(hash));
	}
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) ==
		  0;
	sodium_memzero(hash, sizeof(hash));
	if (!ok || !id || !enabled)
		return MC_EFORBIDDEN;
	*user_id = id;
	return 0;
}

int auth_grant_add(struct db *db, const struct auth_actor *by,
		   const char *username, enum role role, const char *unit,
		   mc_time now, struct buf *err)
{
	int64_t id = 0;
	bool in_tx = false, added = false;
	json_t *after = NULL;
	int rc;
	if ((rc = check_unit(db, unit, err)) < 0)
		goto out;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = user_id_of(db, username, &id, NULL, err)) < 0) {
		if (rc == MC_ENOTFOUND)
			not_found_user(username, err);
		goto out;
	}
	if ((rc = insert_grant(db, id, role, unit, now, &added, err)) < 0)
		goto out;
	if (added) {
		after = grant_json(role, unit);
		if ((rc = audit(db, by, "grant.add", "user", username, unit,
				NULL, after, now, err)) < 0)
			goto out;
	}
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	return rc;
}

static int grant_remove(struct db *db, const struct auth_actor *by,
			const char *username, enum role role, const char *unit,
			bool guard, mc_time now, struct buf *err)
{
	struct db_stmt *st = NULL;
	int64_t id = 0;
	bool in_tx = false;
	json_t *before = NULL;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = user_id_of(db, username, &id, NULL, err)) < 0) {
		if (rc == MC_ENOTFOUND)
			not_found_user(username, err);
		goto out;
	}
	if (guard && role == ROLE_ADMIN && unit &&
	    (rc = keep_one_admin(db, id, unit, err)) < 0)
		goto out;
	if ((rc = db_prepare_cached(db,
				    "DELETE FROM role_grants WHERE user_id = ? "
				    "AND role = ? AND unit_code = ?",
				    &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, authz_role_name(role), -1);
	db_bind_text(st, 3, unit ? unit : "", -1);
	rc = db_step(st);
	int64_t n = rc == DB_DONE ? db_changes(st) : 0;
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (!n) {
		buf_setf(err, "Người dùng \"%s\" không có quyền %s tại %s.",
			 username, authz_role_name(role), unit ? unit : "");
		rc = MC_ENOTFOUND;
		goto out;
	}
	before = grant_json(role, unit);
	if ((rc = audit(db, by, "grant.remove", "user", username, unit,
			before, NULL, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	return rc;
}

int auth_grant_remove(struct db *db, const struct auth_actor *by,
		      const char *username, enum role role, const char *unit,
		      mc_time now, struct buf *err)
{
	return grant_remove(db, by, username, role, unit, false, now, err);
}

int auth_grant_remove_guarded(struct db *db, const struct auth_actor *by,
			      const char *username, enum role role,
			      const char *unit, mc_time now, struct buf *err)
{
	return grant_remove(db, by, username, role, unit, true, now, err);
}

int auth_principal_load(struct db *db, int64_t user_id, struct principal *p,
			struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	memset(p, 0, sizeof(*p));
	if ((rc = db_prepare_cached(db,
				    "SELECT username, full_name, disabled "
				    "FROM users WHERE id = ?",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW && db_column_int64(st, 2) == 0) {
		p->user_id = user_id;
		copy_str(p->name, sizeof(p->name), db_column_text(st, 0));
		copy_str(p->full_name, sizeof(p->full_name),
			 db_column_text(st, 1));
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!p->user_id)
		return MC_ENOTFOUND;
	if ((rc = db_prepare_cached(db,
				    "SELECT role, unit_code FROM role_grants "
				    "WHERE user_id = ? "
				    "ORDER BY unit_code, role",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, user_id);
	while ((rc = db_step(st)) == DB_ROW) {
		enum role r;
		if (authz_role_parse(db_column_text(st, 0), &r) == 0)
			authz_add_grant(p, r, db_column_text(st, 1));
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* ---- sessions ----------------------------------------------------------- */

int auth_session_create(struct db *db, int64_t user_id, const char *client,
			const char *user_agent, mc_time now,
			char token[AUTH_TOKEN_BUF], int64_t *session_id,
			struct buf *err)
{
	char hash[AUTH_TOKEN_HEX + 1];
	char ua[256];
	struct db_stmt *st = NULL;
	int rc;
	random_token("", token);
	sha256_hex(token, hash);
	ua[0] = '\0';
	if (user_agent && text_utf8_valid(user_agent, strlen(user_agent),
					  NULL)) {
		copy_str(ua, sizeof(ua), user_agent);
		/* Do not cut a UTF-8 sequence in the middle. */
		size_t n = strlen(ua);
		while (n && ((unsigned char)ua[n - 1] & 0xC0) == 0x80)
			n--;
		if (n && ((unsigned char)ua[n - 1] & 0x80))
			n--;
		if (strlen(user_agent) >= sizeof(ua))
			ua[n] = '\0';
	}
	/* Sessions long dead are forgotten (a week after their expiry). */
	if ((rc = db_prepare_cached(db,
				    "DELETE FROM sessions WHERE expires_at < ?",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, now - 7 * 86400);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db,
				    "INSERT INTO sessions (token_hash, user_id, "
				    "created_at, last_seen, expires_at, "
				    "client, user_agent) "
				    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, hash, -1);
	db_bind_int64(st, 2, user_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, now + AUTH_SESSION_MAX_S);
	db_bind_text(st, 6, client, -1);
	db_bind_text(st, 7, ua[0] ? ua : NULL, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (session_id)
			*session_id = db_column_int64(st, 0);
		rc = 0;
	} else {
		rc = db_fail(db, rc, err);
	}
	db_done(st);
	if (rc < 0)
		sodium_memzero(token, AUTH_TOKEN_BUF);
	return rc;
}

/* Writes `now` into a column when it is older than AUTH_TOUCH_EVERY_S. */
static int touch(struct db *db, const char *sql, int64_t id, mc_time now,
		 struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare_cached(db, sql, &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, now - AUTH_TOUCH_EVERY_S);
	rc = db_step(st);
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int auth_session_find(struct db *db, const char *token, mc_time now,
		      struct principal *p, int64_t *session_id, bool *expired,
		      struct auth_touch *t, struct buf *err)
{
	char hash[AUTH_TOKEN_HEX + 1];
	struct db_stmt *st = NULL;
	int64_t id = 0, user_id = 0, last_seen = 0, expires = 0;
	bool revoked = true;
	int rc;
	if (expired)
		*expired = false;
	if (!token || strlen(token) != AUTH_TOKEN_HEX)
		return MC_ENOTFOUND;
	sha256_hex(token, hash);
	if ((rc = db_prepare_cached(db,
				    "SELECT id, user_id, last_seen, expires_at, "
				    "revoked_at IS NOT NULL FROM sessions "
				    "WHERE token_hash = ?",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, hash, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		user_id = db_column_int64(st, 1);
		last_seen = db_column_int64(st, 2);
		expires = db_column_int64(st, 3);
		revoked = db_column_int64(st, 4) == 1;
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!id || revoked)
		return MC_ENOTFOUND;
	if (now >= expires || now >= last_seen + AUTH_SESSION_IDLE_S) {
		if (expired)
			*expired = true;
		return MC_ENOTFOUND;
	}
	if ((rc = auth_principal_load(db, user_id, p, err)) < 0)
		return rc;
	/* Only a stale mark is written: a write per request would serialise
	 * every reader behind the database's one writer. */
	if (last_seen < now - AUTH_TOUCH_EVERY_S)
		t->session_id = id;
	if (session_id)
		*session_id = id;
	return 0;
}

int auth_touch(struct db *db, const struct auth_touch *t, mc_time now,
	       struct buf *err)
{
	int rc = 0;

	if (t->session_id)
		rc = touch(db,
			   "UPDATE sessions SET last_seen = ? "
			   "WHERE id = ? AND last_seen < ?",
			   t->session_id, now, err);
	if (!rc && t->token_id)
		rc = touch(db,
			   "UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
			   "AND (last_used_at IS NULL OR last_used_at < ?)",
			   t->token_id, now, err);
	return rc;
}

int auth_session_lookup(struct db *db, const char *token, mc_time now,
			struct principal *p, int64_t *session_id,
			bool *expired, struct buf *err)
{
	struct auth_touch t = { 0, 0 };
	int rc = auth_session_find(db, token, now, p, session_id, expired, &t,
				   err);

	return rc ? rc : auth_touch(db, &t, now, err);
}

int auth_session_revoke(struct db *db, const struct auth_actor *by,
			int64_t session_id, int64_t user_id, mc_time now,
			struct buf *err)
{
	struct db_stmt *st = NULL;
	bool in_tx = false;
	json_t *after = NULL;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "UPDATE sessions SET revoked_at = ? "
				    "WHERE id = ? AND (? = 0 OR user_id = ?) "
				    "AND revoked_at IS NULL",
				    &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, session_id);
	db_bind_int64(st, 3, user_id);
	db_bind_int64(st, 4, user_id);
	rc = db_step(st);
	int64_t n = rc == DB_DONE ? db_changes(st) : 0;
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (!n) {
		buf_setf(err, "Không có phiên đăng nhập này.");
		rc = MC_ENOTFOUND;
		goto out;
	}
	if (by) {
		char oid[24];
		snprintf(oid, sizeof(oid), "%lld", (long long)session_id);
		after = json_pack("{s:b}", "revoked", 1);
		if ((rc = audit(db, by, "session.revoke", "session", oid,
				NULL, NULL, after, now, err)) < 0)
			goto out;
	}
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	return rc;
}

int auth_sessions_revoke_user(struct db *db, const struct auth_actor *by,
			      const char *username, mc_time now, int64_t *n,
			      struct buf *err)
{
	int64_t id = 0, count = 0;
	bool in_tx = false;
	json_t *after = NULL;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = user_id_of(db, username, &id, NULL, err)) < 0) {
		if (rc == MC_ENOTFOUND)
			not_found_user(username, err);
		goto out;
	}
	if ((rc = revoke_user_sessions(db, id, 0, now, &count, err)) < 0)
		goto out;
	after = json_pack("{s:I}", "sessions_revoked", (json_int_t)count);
	if ((rc = audit(db, by, "session.revoke_all", "user", username, NULL,
			NULL, after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
	if (rc == 0 && n)
		*n = count;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	return rc;
}

int auth_sessions_list(struct db *db, int64_t user_id, int64_t current_id,
		       mc_time now, json_t **out, struct buf *err)
{
	struct db_stmt *st = NULL;
	json_t *items = json_array();
	int rc;
	*out = NULL;
	if ((rc = db_prepare(db,
			     "SELECT id, created_at, last_seen, expires_at, "
			     "coalesce(client, ''), coalesce(user_agent, '') "
			     "FROM sessions WHERE user_id = ? AND "
			     "revoked_at IS NULL AND expires_at > ? AND "
			     "last_seen > ? ORDER BY created_at DESC, id DESC "
			     "LIMIT 100",
			     &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, user_id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now - AUTH_SESSION_IDLE_S);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_column_int64(st, 0);
		json_array_append_new(
			items,
			json_pack("{s:I, s:o, s:o, s:o, s:s, s:s, s:b}", "id",
				  (json_int_t)id, "created_at",
				  iso_time(st, 1), "last_seen",
				  iso_time(st, 2), "expires_at",
				  iso_time(st, 3), "client",
				  db_column_text(st, 4), "user_agent",
				  db_column_text(st, 5), "current",
				  id == current_id));
	}
	db_finalize(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	*out = json_pack("{s:O}", "items", items);
	rc = 0;
out:
	json_decref(items);
	return rc;
}

/* ---- API tokens --------------------------------------------------------- */

static int token_name_check(const char *name, struct buf *err)
{
	size_t n = name ? strlen(name) : 0;
	bool ok = n >= 3 && n <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		ok = isalnum(c) || c == '.' || c == '_' || c == '-';
	}
	if (!ok) {
		buf_setf(err, "Tên token phải dài 3-64 ký tự, gồm chữ không "
			      "dấu, số và . _ -");
		return MC_EINVALID;
	}
	return 0;
}

int auth_token_create(struct db *db, const struct auth_actor *by,
		      const char *name, enum role role, const char *unit,
		      mc_time now, char token[AUTH_TOKEN_BUF],
		      struct buf *err)
{
	char hash[AUTH_TOKEN_HEX + 1];
	struct db_stmt *st = NULL;
	bool in_tx = false;
	json_t *after = NULL;
	int rc;
	token[0] = '\0';
	if ((rc = token_name_check(name, err)) < 0)
		goto out;
	if ((rc = check_unit(db, unit, err)) < 0)
		goto out;
	random_token(TOKEN_PREFIX, token);
	sha256_hex(token, hash);
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "INSERT INTO api_tokens (name, token_hash, "
				    "role, unit_code, created_at, created_by) "
				    "VALUES (?, ?, ?, ?, ?, ?)",
				    &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, name, -1);
	db_bind_text(st, 2, hash, -1);
	db_bind_text(st, 3, authz_role_name(role), -1);
	db_bind_text(st, 4, unit, -1);
	db_bind_int64(st, 5, now);
	db_bind_text(st, 6, by && by->name ? by->name : "system", -1);
	rc = db_step(st);
	bool dup = rc < 0 && db_error_is_unique(db);
	db_done(st);
	if (dup) {
		buf_setf(err, "Đã có token tên \"%s\".", name);
		rc = MC_ECONFLICT;
		goto out;
	}
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	after = grant_json(role, unit);
	if ((rc = audit(db, by, "token.create", "token", name, unit, NULL,
			after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	if (rc < 0)
		sodium_memzero(token, AUTH_TOKEN_BUF);
	json_decref(after);
	return rc;
}

int auth_token_find(struct db *db, const char *token, mc_time now,
		    struct principal *p, struct auth_touch *t,
		    struct buf *err)
{
	char hash[AUTH_TOKEN_HEX + 1];
	struct db_stmt *st = NULL;
	int64_t id = 0, last_used = 0;
	enum role r = ROLE_VIEWER;
	bool role_ok = false;
	char unit[AUTHZ_UNIT_MAX] = "", name[64] = "";
	int rc;
	memset(p, 0, sizeof(*p));
	if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) ||
	    strlen(token) != strlen(TOKEN_PREFIX) + AUTH_TOKEN_HEX)
		return MC_ENOTFOUND;
	sha256_hex(token, hash);
	if ((rc = db_prepare_cached(db,
				    "SELECT id, name, role, unit_code, "
				    "coalesce(last_used_at, 0) "
				    "FROM api_tokens WHERE token_hash = ? "
				    "AND revoked_at IS NULL",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, hash, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		copy_str(name, sizeof(name), db_column_text(st, 1));
		role_ok = authz_role_parse(db_column_text(st, 2), &r) == 0;
		copy_str(unit, sizeof(unit), db_column_text(st, 3));
		last_used = db_column_int64(st, 4);
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!id || !role_ok)
		return MC_ENOTFOUND;
	p->token_id = id;
	snprintf(p->name, sizeof(p->name), "token:%s", name);
	authz_add_grant(p, r, unit);
	if (last_used < now - AUTH_TOUCH_EVERY_S)
		t->token_id = id;	/* else fresh enough (see sessions) */
	return 0;
}

int auth_token_lookup(struct db *db, const char *token, mc_time now,
		      struct principal *p, struct buf *err)
{
	struct auth_touch t = { 0, 0 };
	int rc = auth_token_find(db, token, now, p, &t, err);

	return rc ? rc : auth_touch(db, &t, now, err);
}

int auth_token_revoke(struct db *db, const struct auth_actor *by,
		      const char *name, mc_time now, struct buf *err)
{
	struct db_stmt *st = NULL;
	bool in_tx = false;
	json_t *after = NULL;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = db_prepare_cached(db,
				    "UPDATE api_tokens SET revoked_at = ? "
				    "WHERE name = ? AND revoked_at IS NULL",
				    &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, now);
	if (db_bind_text(st, 2, name ? name : "", -1) < 0)
		db_bind_text(st, 2, "", -1);
	rc = db_step(st);
	int64_t n = rc == DB_DONE ? db_changes(st) : 0;
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (!n) {
		buf_setf(err, "Không có token \"%s\" đang hiệu lực.",
			 name ? name : "");
		rc = MC_ENOTFOUND;
		goto out;
	}
	after = json_pack("{s:b}", "revoked", 1);
	if ((rc = audit(db, by, "token.revoke", "token", name, NULL, NULL,
			after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(after);
	return rc;
}

int auth_token_list(struct db *db, json_t **out, struct buf *err)
{
	struct db_stmt *st = NULL;
	json_t *items = json_array();
	int rc;
	*out = NULL;
	if ((rc = db_prepare(db,
			     "SELECT name, role, unit_code, created_at, "
			     "revoked_at, last_used_at, created_by "
			     "FROM api_tokens ORDER BY name",
			     &st, err)) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		enum role r;
		const char *role = db_column_text(st, 1);
		const char *label = authz_role_parse(role, &r) == 0
					    ? authz_role_label(r)
					    : role;
		json_array_append_new(
			items,
			json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, "
				  "s:s}",
				  "name", db_column_text(st, 0), "role", role,
				  "role_label", label, "unit",
				  db_column_text(st, 2), "created_at",
				  iso_time(st, 3), "revoked_at",
				  iso_time(st, 4), "last_used_at",
				  iso_time(st, 5), "revoked",
				  !db_column_is_null(st, 4), "created_by",
				  db_column_text(st, 6)));
	}
	db_finalize(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	*out = json_pack("{s:O, s:I}", "items", items, "total",
			 (json_int_t)json_array_size(items));
	rc = 0;
out:
	json_decref(items);
	return rc;
}

/* ---- login throttle ----------------------------------------------------- */

int auth_throttle_check(struct db *db, const char *key, mc_time now,
			int64_t *wait_s, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	*wait_s = 0;
	if ((rc = db_prepare_cached(db,
				    "SELECT next_allowed_at FROM login_throttle "
				    "WHERE throttle_key = ?",
				    &st, err)) < 0)
		return rc;
	if (db_bind_text(st, 1, key, -1) < 0) {
		/* Fail closed: a key that cannot be looked up (not UTF-8)
		 * could never be counted either. */
		db_done(st);
		if (err)
			buf_setf(err, "throttle key is not valid UTF-8");
		return MC_EINVALID;
	}
	rc = db_step(st);
	if (rc == DB_ROW) {
		int64_t next = db_column_int64(st, 0);
		if (next > now)
			*wait_s = next - now;
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int auth_throttle_fail(struct db *db, const char *key, mc_time now,
		       int64_t *wait_s, struct buf *err)
{
	struct db_stmt *st = NULL;
	int64_t failures = 0, delay = 0;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	/* One statement counts atomically, across nodes too. */
	if ((rc = db_prepare_cached(
		     db,
		     "INSERT INTO login_throttle (throttle_key, failures, "
		     "last_failure_at, next_allowed_at) VALUES (?, 1, ?, ?) "
		     "ON CONFLICT (throttle_key) DO UPDATE SET "
		     "failures = CASE WHEN login_throttle.last_failure_at < ? "
		     "THEN 1 ELSE login_throttle.failures + 1 END, "
		     "last_failure_at = excluded.last_failure_at "
		     "RETURNING failures",
		     &st, err)) < 0)
		goto fail;
	if ((rc = db_bind_text(st, 1, key, -1)) < 0) {
		db_done(st);
		goto fail;
	}
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now - THROTTLE_FORGET_S);
	rc = db_step(st);
	if (rc == DB_ROW)
		failures = db_column_int64(st, 0);
	db_done(st);
	if (rc != DB_ROW) {
		rc = db_fail(db, rc, err);
		goto fail;
	}
	delay = authz_throttle_delay(failures, !strncmp(key, "ip:", 3));
	if ((rc = db_prepare_cached(db,
				    "UPDATE login_throttle SET "
				    "next_allowed_at = ? WHERE throttle_key = ?",
				    &st, err)) < 0)
		goto fail;
	db_bind_int64(st, 1, now + delay);
	db_bind_text(st, 2, key, -1);
	rc = db_step(st);
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto fail;
	}
	if ((rc = db_commit(db, err)) < 0)
		return rc;
	if (wait_s)
		*wait_s = delay;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int auth_throttle_clear(struct db *db, const char *key, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if ((rc = db_prepare_cached(db,
				    "DELETE FROM login_throttle "
				    "WHERE throttle_key = ?",
				    &st, err)) < 0)
		return rc;
	if (db_bind_text(st, 1, key, -1) < 0) {
		db_done(st);
		return 0;
	}
	rc = db_step(st);
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}
