/*
 * test_auth_repo.c - store/auth_repo.h: the password policy, users and
 * grants (nothing half-written on a refusal), password checks, sessions at
 * a given "now" (idle and absolute expiry, touch, revocation), API tokens,
 * the login throttle's growth and the audit entries. On SQLite (a temporary
 * file) and, when MOTCUA_TEST_PG is set, on PostgreSQL (a schema of its
 * own, dropped at the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/auth_repo.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/err.h"

#include "testdb.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */
#define PW "Cay-xoai-truoc-ngo-7"	/* passes the policy */

static const struct auth_actor cli = { 0, "system", NULL };

static int64_t count(struct db *db, const char *sql, const char *arg)
{
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	if (db_prepare(db, sql, &st, &err))
		fail_msg("%s", err.ptr);
	if (arg)
		db_bind_text(st, 1, arg, -1);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_column_int64(st, 0);
	db_finalize(st);
	buf_release(&err);
	return v;
}

/* Province 24 with communes 10000, 10001; province 01 with 00004. */
static void seed_units(struct db *db)
{
	testdb_exec(db,
		"INSERT INTO units (era, code, name, full_name, type, "
		"parent_code, level, name_key) VALUES "
		"('2025', '24', 'Bắc Ninh', 'Tỉnh Bắc Ninh', 'Tỉnh', NULL, 1, "
		"'bac ninh'), "
		"('2025', '10000', 'A', 'Xã A', 'Xã', '24', 3, 'a'), "
		"('2025', '10001', 'B', 'Xã B', 'Xã', '24', 3, 'b'), "
		"('2025', '01', 'Hà Nội', 'Thành phố Hà Nội', 'Thành phố', "
		"NULL, 1, 'ha noi'), "
		"('2025', '00004', 'C', 'Phường C', 'Phường', '01', 3, 'c'), "
		"('pre2025', '99999', 'Old', 'Xã Old', 'Xã', '24', 3, 'old')");
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "auth");
	seed_units(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "auth");
	seed_units(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

/* ---- pure parts (no database) ------------------------------------------ */

static void test_password_policy(void **state)
{
	(void)state;
	static const struct {
		const char *user, *pw;
		int want;
		const char *why;	/* part of the reason */
	} rows[] = {
		{ "lan", PW, 0, NULL },
		{ "lan", "", MC_EINVALID, "Chưa nhập" },
		{ "lan", "ngan-qua", MC_EINVALID, "ít nhất 10" },
		{ "lan", "123456789", MC_EINVALID, "ít nhất 10" },
		/* 10 characters of 2-byte UTF-8 count as 10, not 20. */
		{ "lan", "đđđđđđđđđ", MC_EINVALID, "ít nhất 10" },
		{ "lan", "đđđđđđđđđđ", 0, NULL },
		{ "lan", "matkhau123", MC_EINVALID, "phổ biến" },
		{ "lan", "MatKhau123", MC_EINVALID, "phổ biến" },
		{ "lan", "123456789a", MC_EINVALID, "phổ biến" },
		{ "lan", "1234567890", MC_EINVALID, "phổ biến" },
		{ "lan", "qwertyuiop", MC_EINVALID, "phổ biến" },
		{ "nguyenvanlan", "xx-NguyenVanLan-2026", MC_EINVALID,
		  "tên đăng nhập" },
		{ "lan", "\xff\xfe-not-utf8-at-all", MC_EINVALID,
		  "không hợp lệ" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf err = BUF_INIT;
		int rc = auth_password_policy(rows[i].user, rows[i].pw, &err);
		if (rc != rows[i].want)
			fail_msg("row %zu: rc %d (%s)", i, rc, err.ptr);
		if (rows[i].why && !strstr(err.ptr, rows[i].why))
			fail_msg("row %zu: reason '%s'", i, err.ptr);
		buf_release(&err);
	}
	struct buf err = BUF_INIT;
	assert_int_equal(auth_username_check("lan.nguyen_2", &err), 0);
	assert_int_equal(auth_username_check("ab", &err), MC_EINVALID);
	assert_int_equal(auth_username_check("Lan", &err), MC_EINVALID);
	assert_int_equal(auth_username_check(".lan", &err), MC_EINVALID);
	assert_int_equal(auth_username_check("lan nguyen", &err),
			 MC_EINVALID);
	assert_int_equal(auth_username_check("lân", &err), MC_EINVALID);
	buf_release(&err);
}

static void test_csrf_and_compare(void **state)
{
	(void)state;
	char a[AUTH_TOKEN_HEX + 1], b[AUTH_TOKEN_HEX + 1];
	auth_csrf_token("00112233", a);
	auth_csrf_token("00112233", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), AUTH_TOKEN_HEX);
	auth_csrf_token("00112234", b);
	assert_string_not_equal(a, b);
	assert_true(auth_secret_equal("abc", "abc"));
	assert_false(auth_secret_equal("abc", "abd"));
	assert_false(auth_secret_equal("abc", "abcd"));
	assert_false(auth_secret_equal(NULL, "abc"));
}

/* ---- users and grants --------------------------------------------------- */

static void test_users(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	int64_t id = 0, uid = 0;

	assert_int_equal(auth_user_create(db, &cli, "lan", "Nguyễn Thị Lan",
					  PW, ROLE_ADMIN, "24", T0, &id, &err),
			 0);
	assert_true(id > 0);
	/* Refusals write nothing. */
	static const struct {
		const char *user, *pw, *unit;
		int want;
	} bad[] = {
		{ "lan", PW, "24", MC_ECONFLICT },
		{ "hoa", "matkhau123", "24", MC_EINVALID },
		{ "hoa", PW, "99999", MC_EINVALID },	/* pre-2025 unit */
		{ "hoa", PW, "77777", MC_EINVALID },
		{ "hoa", PW, "", MC_EINVALID },
		{ "Hoa", PW, "24", MC_EINVALID },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&err);
		int rc = auth_user_create(db, &cli, bad[i].user, "", bad[i].pw,
					  ROLE_RECEIVER, bad[i].unit, T0, NULL,
					  &err);
		if (rc != bad[i].want)
			fail_msg("bad row %zu: %d (%s)", i, rc, err.ptr);
		assert_true(err.len > 0);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM users", NULL), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM role_grants", NULL),
			 1);

	/* Password checks. */
	assert_int_equal(auth_password_verify(db, "lan", PW, &uid, &err), 0);
	assert_int_equal(uid, id);
	assert_int_equal(auth_password_verify(db, "lan", "wrong-password-1",
					      &uid, &err),
			 MC_EFORBIDDEN);
	assert_int_equal(uid, 0);
	assert_int_equal(auth_password_verify(db, "nobody", PW, &uid, &err),
			 MC_EFORBIDDEN);
	assert_int_equal(auth_password_verify(db, "\xff", PW, &uid, &err),
			 MC_EFORBIDDEN);
	/* The stored hash is argon2id, never the password. */
	assert_int_equal(count(db,
			       "SELECT count(*) FROM users WHERE "
			       "substr(password_hash, 1, 10) = '$argon2id$'",
			       NULL),
			 1);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM users WHERE "
			       "password_hash = ?",
			       PW),
			 0);

	/* Grants: add (idempotent), remove, principal. */
	assert_int_equal(auth_grant_add(db, &cli, "lan", ROLE_RECEIVER,
					"10000", T0, &err),
			 0);
	assert_int_equal(auth_grant_add(db, &cli, "lan", ROLE_RECEIVER,
					"10000", T0, &err),
			 0);
	assert_int_equal(auth_grant_add(db, &cli, "lan", ROLE_RECEIVER,
					"12345", T0, &err),
			 MC_EINVALID);
	assert_int_equal(auth_grant_add(db, &cli, "ghost", ROLE_RECEIVER,
					"10000", T0, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_grant_add(db, &cli, "lan", ROLE_VIEWER, "VN",
					T0, &err),
			 0);
	struct principal p;
	assert_int_equal(auth_principal_load(db, id, &p, &err), 0);
	assert_string_equal(p.name, "lan");
	assert_string_equal(p.full_name, "Nguyễn Thị Lan");
	assert_int_equal(p.n_grants, 3);
	assert_true(authz_can(&p, ACT_DOSSIER_RECEIVE, "10000", "24"));
	assert_false(authz_can(&p, ACT_DOSSIER_RECEIVE, "10001", "24"));
	assert_true(authz_can(&p, ACT_REPORTS_VIEW, "00004", "01"));
	assert_int_equal(auth_grant_remove(db, &cli, "lan", ROLE_VIEWER, "VN",
					   T0, &err),
			 0);
	assert_int_equal(auth_grant_remove(db, &cli, "lan", ROLE_VIEWER, "VN",
					   T0, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_principal_load(db, id, &p, &err), 0);
	assert_int_equal(p.n_grants, 2);

	/* Models. */
	json_t *u = NULL, *list = NULL;
	assert_int_equal(auth_user_get(db, "lan", &u, &err), 0);
	assert_string_equal(json_string_value(json_object_get(u, "username")),
			    "lan");
	assert_int_equal(json_array_size(json_object_get(u, "grants")), 2);
	assert_null(json_object_get(u, "password_hash"));
	json_decref(u);
	assert_int_equal(auth_user_get(db, "ghost", &u, &err), MC_ENOTFOUND);
	assert_int_equal(auth_user_list(db, &list, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(list, "total")),
			 1);
	json_decref(list);

	/* Unit parents. */
	char parent[AUTHZ_UNIT_MAX];
	assert_int_equal(auth_unit_parent(db, "10001", parent, &err), 0);
	assert_string_equal(parent, "24");
	assert_int_equal(auth_unit_parent(db, "24", parent, &err), 0);
	assert_string_equal(parent, "");
	assert_int_equal(auth_unit_parent(db, "VN", parent, &err), 0);
	assert_int_equal(auth_unit_parent(db, "99999", parent, &err),
			 MC_ENOTFOUND);

	/* Audit: one entry per change, none for refusals or no-ops. */
	assert_int_equal(count(db,
			       "SELECT count(*) FROM audit_log WHERE "
			       "action = 'user.create'",
			       NULL),
			 1);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM audit_log WHERE "
			       "action = 'grant.add'",
			       NULL),
			 2);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM audit_log WHERE "
			       "action = 'grant.remove'",
			       NULL),
			 1);
	buf_release(&err);
}

/* ---- sessions ----------------------------------------------------------- */

static int64_t make_user(struct db *db, const char *name)
{
	struct buf err = BUF_INIT;
	int64_t id = 0;
	if (auth_user_create(db, &cli, name, "", PW, ROLE_RECEIVER, "10000",
			     T0, &id, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
	return id;
}

static void test_sessions(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	struct principal p;
	char tok[AUTH_TOKEN_BUF], tok2[AUTH_TOKEN_BUF];
	int64_t sid = 0, sid2 = 0, got = 0;
	bool expired = false;
	int64_t uid = make_user(db, "hoa");

	assert_int_equal(auth_session_create(db, uid, "127.0.0.1", "curl/8",
					     T0, tok, &sid, &err),
			 0);
	assert_int_equal(strlen(tok), AUTH_TOKEN_HEX);
	/* Stored hashed only. */
	assert_int_equal(count(db,
			       "SELECT count(*) FROM sessions WHERE "
			       "token_hash = ?",
			       tok),
			 0);
	assert_int_equal(auth_session_lookup(db, tok, T0 + 1, &p, &got,
					     &expired, &err),
			 0);
	assert_int_equal(got, sid);
	assert_string_equal(p.name, "hoa");
	/* Idle: alive at 29 min (and touched), dead 30 min after the touch. */
	assert_int_equal(auth_session_lookup(db, tok, T0 + 29 * 60, &p, &got,
					     &expired, &err),
			 0);
	assert_int_equal(auth_session_lookup(db, tok, T0 + 58 * 60, &p, &got,
					     &expired, &err),
			 0);
	assert_int_equal(auth_session_lookup(db, tok, T0 + 88 * 60 + 1, &p,
					     &got, &expired, &err),
			 MC_ENOTFOUND);
	assert_true(expired);

	/* Absolute: touched every 20 minutes, dead at 12 hours. */
	assert_int_equal(auth_session_create(db, uid, NULL, NULL, T0, tok2,
					     &sid2, &err),
			 0);
	mc_time t = T0;
	for (; t < T0 + AUTH_SESSION_MAX_S; t += 20 * 60)
		assert_int_equal(auth_session_lookup(db, tok2, t, &p, &got,
						     &expired, &err),
				 0);
	assert_int_equal(auth_session_lookup(db, tok2, T0 + AUTH_SESSION_MAX_S,
					     &p, &got, &expired, &err),
			 MC_ENOTFOUND);
	assert_true(expired);

	/* Unknown and malformed tokens. */
	char other[AUTH_TOKEN_BUF];
	memcpy(other, tok, sizeof(other));
	other[0] = other[0] == 'a' ? 'b' : 'a';
	assert_int_equal(auth_session_lookup(db, other, T0 + 2, &p, &got,
					     &expired, &err),
			 MC_ENOTFOUND);
	assert_false(expired);
	assert_int_equal(auth_session_lookup(db, "short", T0, &p, &got,
					     &expired, &err),
			 MC_ENOTFOUND);

	/* Revocation: own session by id; another user's id is not found. */
	mc_time now = T0 + 13 * 3600;	/* the sessions above are dead */
	char a[AUTH_TOKEN_BUF], b[AUTH_TOKEN_BUF], d[AUTH_TOKEN_BUF];
	int64_t sa, sb, sd;
	int64_t other_uid = make_user(db, "minh");
	assert_int_equal(auth_session_create(db, uid, NULL, NULL, now, a, &sa,
					     &err),
			 0);
	assert_int_equal(auth_session_create(db, uid, NULL, NULL, now, b, &sb,
					     &err),
			 0);
	assert_int_equal(auth_session_create(db, other_uid, NULL, NULL, now, d,
					     &sd, &err),
			 0);
	json_t *list = NULL;
	assert_int_equal(auth_sessions_list(db, uid, sa, now, &list, &err), 0);
	assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
	json_decref(list);
	assert_int_equal(auth_session_revoke(db, &cli, sd, uid, now, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_session_lookup(db, d, now, &p, &got, NULL, &err),
			 0);
	assert_int_equal(auth_session_revoke(db, &cli, sa, uid, now, &err), 0);
	assert_int_equal(auth_session_lookup(db, a, now, &p, &got, &expired,
					     &err),
			 MC_ENOTFOUND);
	assert_false(expired);	/* revoked, not expired */
	/* A password change keeps the current session, ends the others. */
	char e[AUTH_TOKEN_BUF];
	int64_t se;
	assert_int_equal(auth_session_create(db, uid, NULL, NULL, now, e, &se,
					     &err),
			 0);
	assert_int_equal(auth_user_passwd(db, &cli, "hoa", "Mot-mat-khau-moi!",
					  se, now, &err),
			 0);
	assert_int_equal(auth_session_lookup(db, b, now, &p, &got, NULL, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_session_lookup(db, e, now, &p, &got, NULL, &err),
			 0);
	assert_int_equal(auth_password_verify(db, "hoa", "Mot-mat-khau-moi!",
					      &got, &err),
			 0);
	assert_int_equal(auth_user_passwd(db, &cli, "hoa", "matkhau123", 0, now,
					  &err),
			 MC_EINVALID);
	/* An administrator ends all of a user's sessions. */
	int64_t n = -1;
	assert_int_equal(auth_sessions_revoke_user(db, &cli, "hoa", now, &n,
						   &err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(auth_session_lookup(db, e, now, &p, &got, NULL, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_session_lookup(db, d, now, &p, &got, NULL, &err),
			 0);
	/* Disabling ends sessions and logins. */
	assert_int_equal(auth_user_set_disabled(db, &cli, "minh", true, now,
						&err),
			 0);
	assert_int_equal(auth_session_lookup(db, d, now, &p, &got, NULL, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_password_verify(db, "minh", PW, &got, &err),
			 MC_EFORBIDDEN);
	assert_int_equal(auth_user_set_disabled(db, &cli, "minh", false, now,
						&err),
			 0);
	assert_int_equal(auth_password_verify(db, "minh", PW, &got, &err), 0);
	assert_int_equal(auth_user_set_disabled(db, &cli, "ghost", true, now,
						&err),
			 MC_ENOTFOUND);
	buf_release(&err);
}

/* ---- API tokens --------------------------------------------------------- */

static void test_tokens(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	struct principal p;
	char tok[AUTH_TOKEN_BUF], tok2[AUTH_TOKEN_BUF];

	assert_int_equal(auth_token_create(db, &cli, "cong-dvc", ROLE_VIEWER,
					   "24", T0, tok, &err),
			 0);
	assert_int_equal(strncmp(tok, "mct_", 4), 0);
	assert_int_equal(strlen(tok), 4 + AUTH_TOKEN_HEX);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM api_tokens WHERE "
			       "token_hash = ?",
			       tok),
			 0);
	assert_int_equal(auth_token_create(db, &cli, "cong-dvc", ROLE_VIEWER,
					   "24", T0, tok2, &err),
			 MC_ECONFLICT);
	assert_int_equal(auth_token_create(db, &cli, "x", ROLE_VIEWER, "24",
					   T0, tok2, &err),
			 MC_EINVALID);
	assert_int_equal(auth_token_create(db, &cli, "bad-unit", ROLE_VIEWER,
					   "55555", T0, tok2, &err),
			 MC_EINVALID);
	assert_int_equal(auth_token_lookup(db, tok, T0, &p, &err), 0);
	assert_string_equal(p.name, "token:cong-dvc");
	assert_int_equal(p.user_id, 0);
	assert_true(p.token_id > 0);
	assert_true(authz_can(&p, ACT_REPORTS_VIEW, "10000", "24"));
	assert_false(authz_can(&p, ACT_REPORTS_VIEW, "00004", "01"));
	/* A session token is not an API token, nor a truncated one. */
	char cut[AUTH_TOKEN_BUF];
	memcpy(cut, tok, sizeof(cut));
	cut[20] = '\0';
	assert_int_equal(auth_token_lookup(db, cut, T0, &p, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_token_lookup(db, tok + 4, T0, &p, &err),
			 MC_ENOTFOUND);
	json_t *list = NULL;
	assert_int_equal(auth_token_list(db, &list, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(list, "total")),
			 1);
	char *dump = json_dumps(list, 0);
	assert_null(strstr(dump, tok + 4));	/* never the secret */
	free(dump);
	json_decref(list);
	assert_int_equal(auth_token_revoke(db, &cli, "cong-dvc", T0, &err), 0);
	assert_int_equal(auth_token_lookup(db, tok, T0, &p, &err),
			 MC_ENOTFOUND);
	assert_int_equal(auth_token_revoke(db, &cli, "cong-dvc", T0, &err),
			 MC_ENOTFOUND);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM audit_log WHERE "
			       "action LIKE 'token.%'",
			       NULL),
			 2);
	buf_release(&err);
}

/* ---- throttle ----------------------------------------------------------- */

static void test_throttle(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	int64_t wait = -1, d = -1;
	mc_time t = T0;

	assert_int_equal(auth_throttle_check(db, "user:an", t, &wait, &err), 0);
	assert_int_equal(wait, 0);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(auth_throttle_fail(db, "user:an", t, &d, &err),
				 0);
		assert_int_equal(d, 0);
	}
	assert_int_equal(auth_throttle_fail(db, "user:an", t, &d, &err), 0);
	assert_int_equal(d, 15);
	assert_int_equal(auth_throttle_check(db, "user:an", t + 5, &wait, &err),
			 0);
	assert_int_equal(wait, 10);
	assert_int_equal(auth_throttle_check(db, "user:an", t + 15, &wait,
					     &err),
			 0);
	assert_int_equal(wait, 0);
	t += 15;
	assert_int_equal(auth_throttle_fail(db, "user:an", t, &d, &err), 0);
	assert_int_equal(d, 30);
	t += 30;
	assert_int_equal(auth_throttle_fail(db, "user:an", t, &d, &err), 0);
	assert_int_equal(d, 60);
	/* Other keys are independent; addresses get more tries. */
	assert_int_equal(auth_throttle_check(db, "user:binh", t, &wait, &err),
			 0);
	assert_int_equal(wait, 0);
	for (int i = 1; i <= 19; i++)
		assert_int_equal(auth_throttle_fail(db, "ip:10.0.0.1", t, &d,
						    &err),
				 0);
	assert_int_equal(d, 0);
	assert_int_equal(auth_throttle_fail(db, "ip:10.0.0.1", t, &d, &err), 0);
	assert_int_equal(d, 15);
	/* An hour after the last failure, counting starts again. */
	t += 3601;
	assert_int_equal(auth_throttle_fail(db, "user:an", t, &d, &err), 0);
	assert_int_equal(d, 0);
	/* Clear. */
	for (int i = 0; i < 6; i++)
		auth_throttle_fail(db, "user:an", t, &d, &err);
	assert_true(d > 0);
	assert_int_equal(auth_throttle_clear(db, "user:an", &err), 0);
	assert_int_equal(auth_throttle_check(db, "user:an", t, &wait, &err), 0);
	assert_int_equal(wait, 0);
	buf_release(&err);
}

#define REPO_TESTS                                   \
	cmocka_unit_test(test_users),                \
	cmocka_unit_test(test_sessions),             \
	cmocka_unit_test(test_tokens),               \
	cmocka_unit_test(test_throttle)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_csrf_and_compare),
	};
	const struct CMUnitTest repo[] = { REPO_TESTS };
	int failed = cmocka_run_group_tests_name("auth", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("auth-sqlite", repo,
					      setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("auth-postgresql", repo,
						      setup_pg, teardown);
	else
		printf("NOTE test_auth_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return failed ? 1 : 0;
}
