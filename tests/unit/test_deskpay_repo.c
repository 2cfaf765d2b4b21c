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

#include "testdb.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

static const struct auth_actor admin = { 7, "lan", "127.0.0.1" };

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "deskpay");
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "deskpay");
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
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
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	json_t *got = NULL;
	int64_t a0 = testdb_count(c->db, "SELECT count(*) FROM audit_log");

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
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
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
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"), a0 + 1);

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
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
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
