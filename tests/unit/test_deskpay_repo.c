/*
 * test_deskpay_repo.c - store/deskpay_repo.h: the checks of the desk's
 * bank account form (a table of rows), then the repository on SQLite (a
 * temporary file) and, when MOTCUA_TEST_PG is set, PostgreSQL (a schema
 * of its own): first save, update, a stale version writes nothing, clear,
 * each write with its audit entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/deskpay_repo.h"
#include "store/migrate.h"
#include "util/err.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

struct ctx {
	bool pg;
	char dir[PATH_MAX];
	char schema[64];
	struct db *db;
};

static const struct auth_actor admin = { 7, "lan", "127.0.0.1" };

static void exec_ok(struct db *db, const char *sql)
{
	struct buf err = BUF_INIT;
	if (db_exec(db, sql, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	if (db_prepare(db, sql, &st, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_column_int64(st, 0);
	db_finalize(st);
	buf_release(&err);
	return v;
}

static int setup_common(struct ctx *c)
{
	struct buf err = BUF_INIT, u = BUF_INIT;
	if (c->pg) {
		buf_adds(&u, getenv("MOTCUA_TEST_PG"));
	} else {
		snprintf(c->dir, sizeof(c->dir), "/tmp/test_deskpay.XXXXXX");
		if (!mkdtemp(c->dir))
			fail_msg("mkdtemp");
		buf_addf(&u, "sqlite:%s/t.db", c->dir);
	}
	if (db_open(u.ptr, &c->db, &err))
		fail_msg("%s", err.ptr);
	if (c->pg) {
		snprintf(c->schema, sizeof(c->schema), "t_deskpay_%d",
			 (int)getpid());
		buf_reset(&u);
		buf_addf(&u, "DROP SCHEMA IF EXISTS %s CASCADE; "
			 "CREATE SCHEMA %s; SET search_path TO %s",
			 c->schema, c->schema, c->schema);
		exec_ok(c->db, u.ptr);
	}
	if (migrate_run(c->db, NULL, &err))
		fail_msg("%s", err.ptr);
	buf_release(&u);
	buf_release(&err);
	return 0;
}

static int setup_sqlite(void **state)
{
	static struct ctx c;
	memset(&c, 0, sizeof(c));
	*state = &c;
	return setup_common(&c);
}

static int setup_pg(void **state)
{
	static struct ctx c;
	memset(&c, 0, sizeof(c));
	c.pg = true;
	*state = &c;
	return setup_common(&c);
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	if (c->pg) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE",
			 c->schema);
		exec_ok(c->db, sql);
	}
	db_close(c->db);
	if (!c->pg) {
		char p[PATH_MAX + 16];
		static const char *const files[] = { "t.db", "t.db-wal",
						     "t.db-shm" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/%s", c->dir, files[i]);
			unlink(p);
		}
		rmdir(c->dir);
	}
	return 0;
}

/* ---- the form's checks ---------------------------------------------------- */

static void test_check(void **state)
{
	(void)state;
	static const struct {
		const char *bin, *bank, *acc, *holder;
		const char *bad;	/* the field in error, NULL: valid */
		const char *acc_norm;	/* the account as saved */
	} rows[] = {
		{ "970415", "VietinBank", "113000193241", "TT PVHCC", NULL,
		  "113000193241" },
		{ " 970415 ", "VietinBank", "1130 0019 3241", "TT PVHCC", NULL,
		  "113000193241" },	/* spaces for reading */
		{ "970436", "Vietcombank", "0011.0012.3456", "UBND", NULL,
		  "001100123456" },
		{ "970405", "Agribank", "abc123", "X", NULL, "ABC123" },
		{ "", "", "", "", NULL, "" },	/* all empty: no account */
		{ "97041", "VietinBank", "1", "X", "bank_bin", NULL },
		{ "9704155", "VietinBank", "1", "X", "bank_bin", NULL },
		{ "97041A", "VietinBank", "1", "X", "bank_bin", NULL },
		{ "970415", "", "1", "X", "bank_name", NULL },
		{ "970415", "VietinBank", "", "X", "account_no", NULL },
		{ "970415", "VietinBank", "12345678901234567890", "X",
		  "account_no", NULL },	/* 20 > 19 (VietQR 38.01.01) */
		{ "970415", "VietinBank", "1130/0019", "X", "account_no", NULL },
		{ "970415", "VietinBank", "1", "", "account_name", NULL },
		{ "", "VietinBank", "", "", "bank_bin", NULL },	/* partial */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct deskpay_edit e = { rows[i].bin, rows[i].bank,
					  rows[i].acc, rows[i].holder };
		json_t *norm = NULL, *errors = NULL;
		int rc = deskpay_check(&e, &norm, &errors);
		assert_non_null(norm);
		if (rows[i].bad) {
			if (rc != MC_EINVALID ||
			    !json_object_get(errors, rows[i].bad))
				fail_msg("row %zu: want an error on %s", i,
					 rows[i].bad);
			/* The message names the field in Vietnamese. */
			assert_non_null(strchr(json_string_value(json_object_get(
					       errors, rows[i].bad)), ':'));
		} else {
			if (rc)
				fail_msg("row %zu: refused (%s)", i,
					 json_dumps(errors, 0));
			assert_null(errors);
			assert_string_equal(json_string_value(json_object_get(
						    norm, "account_no")),
					    rows[i].acc_norm);
		}
		json_decref(norm);
		json_decref(errors);
	}
}

/* ---- the repository --------------------------------------------------------- */

static json_t *norm_of(const char *bin, const char *acc)
{
	struct deskpay_edit e = { bin, "VietinBank", acc, "TT PVHCC" };
	json_t *norm = NULL, *errors = NULL;
	if (deskpay_check(&e, &norm, &errors))
		fail_msg("check: %s", json_dumps(errors, 0));
	return norm;
}

static void test_save(void **state)
{
	struct ctx *c = *state;
	struct buf err = BUF_INIT;
	json_t *got = NULL;
	int64_t a0 = count(c->db, "SELECT count(*) FROM audit_log");

	assert_int_equal(deskpay_get(c->db, "07738", &got, &err), 0);
	assert_false(json_is_true(json_object_get(got, "configured")));
	assert_int_equal(json_integer_value(json_object_get(got, "version")), 0);
	json_decref(got);

	/* First save: version 0 -> 1, audited. */
	json_t *n = norm_of("970415", "1130 0019 3241");
	assert_int_equal(deskpay_save(c->db, &admin, "07738", n, 0, T0, &err), 0);
	json_decref(n);
	assert_int_equal(deskpay_get(c->db, "07738", &got, &err), 0);
	assert_true(json_is_true(json_object_get(got, "configured")));
	assert_string_equal(json_string_value(json_object_get(got, "account_no")),
			    "113000193241");
	assert_int_equal(json_integer_value(json_object_get(got, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(got, "updated_by")),
			    "lan");
	json_decref(got);
	assert_int_equal(count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'desk.payment'"), 1);

	/* A stale form (made before the first save) writes nothing. */
	n = norm_of("970436", "1");
	assert_int_equal(deskpay_save(c->db, &admin, "07738", n, 0, T0 + 60,
				      &err), MC_ECONFLICT);
	json_decref(n);
	assert_int_equal(deskpay_get(c->db, "07738", &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "bank_bin")),
			    "970415");
	json_decref(got);
	assert_int_equal(count(c->db, "SELECT count(*) FROM audit_log"), a0 + 1);

	/* Update from the current version. */
	n = norm_of("970436", "0011001234");
	assert_int_equal(deskpay_save(c->db, &admin, "07738", n, 1, T0 + 120,
				      &err), 0);
	json_decref(n);
	assert_int_equal(deskpay_get(c->db, "07738", &got, &err), 0);
	assert_string_equal(json_string_value(json_object_get(got, "bank_bin")),
			    "970436");
	assert_int_equal(json_integer_value(json_object_get(got, "version")), 2);
	json_decref(got);

	/* All empty: the account is removed (no VietQR), audited. */
	struct deskpay_edit none = { "", "", "", "" };
	json_t *errors = NULL;
	assert_int_equal(deskpay_check(&none, &n, &errors), 0);
	assert_int_equal(deskpay_save(c->db, &admin, "07738", n, 2, T0 + 180,
				      &err), 0);
	json_decref(n);
	assert_int_equal(deskpay_get(c->db, "07738", &got, &err), 0);
	assert_false(json_is_true(json_object_get(got, "configured")));
	json_decref(got);
	assert_int_equal(count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'desk.payment'"), 3);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest pure[] = { cmocka_unit_test(test_check) };
	const struct CMUnitTest repo[] = { cmocka_unit_test(test_save) };
	int failed = cmocka_run_group_tests_name("deskpay", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("deskpay-sqlite", repo,
					      setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("deskpay-postgresql",
						      repo, setup_pg, teardown);
	else
		printf("NOTE test_deskpay_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return failed ? 1 : 0;
}
