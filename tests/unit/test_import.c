/*
 * test_import.c - the reference-data import (store/import.h) and the
 * catalog repository (store/catalog.h) against a temporary SQLite file,
 * and also against PostgreSQL when MOTCUA_TEST_PG holds a URL: shipped
 * data imported twice gives the same rows; malformed files are refused
 * with file, line and column, and write nothing. Prints (does not assert)
 * the cost of a lookup and of a search.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/catalog.h"
#include "store/db.h"
#include "store/import.h"
#include "store/migrate.h"
#include "util/err.h"

static struct db *db;
static char dir[] = "/tmp/motcua-test-import-XXXXXX";
static char path[128];

static long long q1(const char *sql)
{
	struct db_stmt *s;
	struct buf err = BUF_INIT;
	long long v = -1;
	if (db_prepare(db, sql, &s, &err))
		fail_msg("%s", err.ptr);
	if (db_step(s) == DB_ROW)
		v = (long long)db_column_int64(s, 0);
	db_finalize(s);
	buf_release(&err);
	return v;
}

/* Row counts and a content fingerprint of the catalog tables. */
static void snapshot(long long *v)
{
	static const char *const sql[] = {
		"SELECT COUNT(*) FROM units",
		"SELECT COUNT(*) FROM unit_merges",
		"SELECT COUNT(*) FROM fields",
		"SELECT COUNT(*) FROM procedures",
		"SELECT COUNT(*) FROM procedure_channels",
		"SELECT COUNT(*) FROM procedure_components",
		"SELECT COUNT(*) FROM desks",
		"SELECT COUNT(*) FROM desk_procedures",
		"SELECT SUM(LENGTH(name) + LENGTH(steps) + LENGTH(legal_basis)"
		" + commune_desk) FROM procedures",
		"SELECT SUM(LENGTH(time_text) + COALESCE(fee_dong, 7) + seq)"
		" FROM procedure_channels",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql); i++)
		v[i] = q1(sql[i]);
}

static int open_db(void)
{
	struct buf err = BUF_INIT;
	const char *pg = getenv("MOTCUA_TEST_PG");
	int rc;
	catalog_cache_reset();
	if (pg && *pg) {
		rc = db_open(pg, &db, &err);
	} else {
		if (!mkdtemp(dir))
			return -1;
		snprintf(path, sizeof(path), "sqlite:%s/t.db", dir);
		rc = db_open(path, &db, &err);
	}
	if (!rc)
		rc = migrate_run(db, NULL, &err);
	if (rc)
		fprintf(stderr, "setup: %s\n", err.ptr);
	buf_release(&err);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	return open_db();
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	if (path[0]) {
		char p[160];
		snprintf(p, sizeof(p), "%s/t.db", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/t.db-wal", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/t.db-shm", dir);
		unlink(p);
		rmdir(dir);
	}
	return 0;
}

static void test_shipped_twice(void **state)
{
	(void)state;
	struct import_stats st = { 0 };
	struct buf err = BUF_INIT;
	long long a[10], b[10];
	if (import_shipped(db, &st, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(q1("SELECT COUNT(*) FROM units WHERE era = '2025'"
			    " AND level = 1"), 34);
	assert_int_equal(q1("SELECT COUNT(*) FROM units WHERE era = '2025'"
			    " AND level = 3"), 3321);
	assert_int_equal(q1("SELECT COUNT(*) FROM units WHERE era = 'pre2025'"),
			 10794);
	assert_int_equal(q1("SELECT COUNT(*) FROM procedures"), 2642);
	assert_int_equal(q1("SELECT COUNT(*) FROM desks"), 3321);
	assert_int_equal(st.procedures, 2642 + 579);
	snapshot(a);
	assert_true(a[7] > 3321 * 100);
	int64_t v1, v2;
	assert_int_equal(catalog_version(db, &v1, &err), 0);
	memset(&st, 0, sizeof(st));
	if (import_shipped(db, &st, &err))
		fail_msg("%s", err.ptr);
	snapshot(b);
	for (int i = 0; i < 10; i++)
		assert_int_equal(a[i], b[i]);
	assert_int_equal(catalog_version(db, &v2, &err), 0);
	assert_true(v2 > v1);
	buf_release(&err);
}

static void expect_refused(int rc, struct buf *err, const char *want)
{
	assert_int_equal(rc, MC_EINVALID);
	if (!strstr(err->ptr, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err->ptr, want);
	buf_reset(err);
}

static void test_malformed(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	long long a[10], b[10];
	snapshot(a);
	const char *units = "code,name,type,parent_code\n"
			    "98,Thử,tỉnh,\n"
			    "98001,Một,làng,98\n";
	expect_refused(import_units_csv(db, "u.csv", units, strlen(units),
					"2025", NULL, &err),
		       &err, "u.csv:3: column 'type'");
	const char *orphan = "code,name,type,parent_code\n98001,Một,xã,97\n";
	expect_refused(import_units_csv(db, "o.csv", orphan, strlen(orphan),
					"2025", NULL, &err),
		       &err, "o.csv:2: column 'parent_code'");
	const char *badutf = "code,name,type,parent_code\n98,B\xFF,tỉnh,\n";
	expect_refused(import_units_csv(db, "b.csv", badutf, strlen(badutf),
					"2025", NULL, &err),
		       &err, "b.csv:2: column 'name': invalid UTF-8");
	const char *procs =
		"code,name,field,levels,commune_level,commune_list_2026,"
		"issuing_body,decision_no,procedure_type,implementing_agency,"
		"online_submission,processing_time,fee,dossier_items,legal_basis,"
		"detail_status,source_url\n"
		"9.999991,Thử một,Thử,Cấp xã,yes,no,,,,,yes,1 Ngày làm việc,Miễn phí,1,,ok,\n"
		"9.999992,Thử hai,Thử,Cấp xã,yes,no,,,,,maybe,,,1,,ok,\n";
	expect_refused(import_procedures(db, "p.csv", procs, strlen(procs), NULL,
					 &err),
		       &err, "p.csv:3: column 'online_submission'");
	const char *json = "[{\"code\":\"9.999993\",\"name\":\"X\",\"field\":\"F\","
			   "\"detail_status\":\"ok\",\"channels\":"
			   "[{\"channel\":\"Bồ câu\"}]}]";
	expect_refused(import_procedures(db, "p.json", json, strlen(json), NULL,
					 &err),
		       &err, "p.json: record 1 (9.999993): key 'channels.channel'");
	const char *broken = "[{\"code\": ]";
	expect_refused(import_procedures(db, "q.json", broken, strlen(broken),
					 NULL, &err),
		       &err, "q.json:1:");
	const char *steps = "{\"9.999994\": {\"steps\": \"B1\"}}";
	expect_refused(import_procedures(db, "s.json", steps, strlen(steps),
					 NULL, &err),
		       &err, "no procedure '9.999994'");
	const char *quote = "code,name,type,parent_code\n98,\"Thử,tỉnh,\n";
	expect_refused(import_units_csv(db, "q.csv", quote, strlen(quote),
					"2025", NULL, &err),
		       &err, "q.csv: ");
	snapshot(b);
	for (int i = 0; i < 10; i++)
		assert_int_equal(a[i], b[i]);
	assert_int_equal(q1("SELECT COUNT(*) FROM procedures WHERE code = '9.999991'"), 0);
	buf_release(&err);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *first_code(json_t *r)
{
	json_t *items = json_object_get(r, "items");
	return json_string_value(json_object_get(json_array_get(items, 0), "code"));
}

static void test_repository(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	json_t *p, *r;

	if (catalog_procedure_get(db, "1.000894", &p, &err))
		fail_msg("%s", err.ptr);
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			    "Thủ tục đăng ký kết hôn");
	assert_string_equal(json_string_value(json_object_get(p, "field")), "Hộ tịch");
	json_t *ch = json_object_get(p, "channels");
	assert_int_equal(json_array_size(ch), 3);
	json_t *c0 = json_array_get(ch, 0);
	assert_string_equal(json_string_value(json_object_get(c0, "channel")), "truc_tiep");
	assert_string_equal(json_string_value(json_object_get(c0, "time_text")), "1");
	/* "1" has no unit: the legal-times table gives the law's time. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		c0, "duration"), "code")), "0sd");
	assert_string_equal(json_string_value(json_object_get(
		c0, "duration_source")), "legal_times");
	assert_int_equal(json_integer_value(json_object_get(c0, "fee_dong")), 0);
	assert_true(json_array_size(json_object_get(p, "component_groups")) > 0);
	assert_true(json_array_size(json_object_get(p, "steps")) > 0);
	assert_true(json_array_size(json_object_get(p, "legal_basis")) > 5);
	assert_true(json_is_true(json_object_get(p, "has_detail")));
	json_decref(p);

	/* A procedure with a parsed duration and a fee in đồng. */
	if (catalog_procedure_get(db, "1.000017", &p, &err))
		fail_msg("%s", err.ptr);
	c0 = json_array_get(json_object_get(p, "channels"), 0);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(c0, "duration"), "unit")), "working_days");
	assert_int_equal(json_integer_value(json_object_get(c0, "fee_dong")), 50000);
	json_decref(p);

	assert_int_equal(catalog_procedure_get(db, "0.000000", &p, &err),
			 MC_ENOTFOUND);
	buf_reset(&err);

	static const char *const qs[] = { "dang ky ket hon", "ĐĂNG KÝ KẾT HÔN",
					   "1.000894" };
	for (size_t i = 0; i < 3; i++) {
		if (catalog_search(db, qs[i], NULL, 1, 20, &r, &err))
			fail_msg("%s", err.ptr);
		assert_string_equal(first_code(r), "1.000894");
		json_decref(r);
	}
	if (catalog_search(db, "", "Hộ tịch", 2, 10, &r, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_integer_value(json_object_get(r, "page")), 2);
	assert_int_equal(json_array_size(json_object_get(r, "items")), 10);
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(r, "items"), i, it)
		assert_string_equal(json_string_value(json_object_get(it, "field")),
				    "Hộ tịch");
	json_decref(r);
	assert_int_equal(catalog_search(db, "\xC3", NULL, 1, 10, &r, &err),
			 MC_EINVALID);
	buf_reset(&err);

	if (catalog_fields(db, &r, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 2642);
	json_decref(r);

	if (catalog_unit_get(db, "07738", &r, &err))
		fail_msg("%s", err.ptr);
	assert_string_equal(json_string_value(json_object_get(r, "full_name")),
			    "Phường Cảnh Thụy");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(r, "parent"), "code")), "24");
	json_t *mf = json_object_get(r, "merged_from");
	assert_int_equal(json_array_size(mf), 3);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(mf, 0), "code")), "07729");
	assert_int_equal(json_integer_value(json_object_get(r, "n_procedures")), 215);
	json_decref(r);
	if (catalog_unit_get(db, "24", &r, &err))
		fail_msg("%s", err.ptr);
	assert_true(json_array_size(json_object_get(r, "children")) > 50);
	assert_true(json_is_null(json_object_get(r, "desk")));
	json_decref(r);
	if (catalog_unit_board(db, "07738", &r, &err))
		fail_msg("%s", err.ptr);
	assert_true(json_array_size(json_object_get(r, "fields")) > 10);
	json_decref(r);
	assert_int_equal(catalog_unit_board(db, "24", &r, &err), MC_ENOTFOUND);
	assert_int_equal(catalog_unit_get(db, "99999", &r, &err), MC_ENOTFOUND);
	buf_reset(&err);
	if (catalog_units_list(db, NULL, &r, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_integer_value(json_object_get(r, "total")), 34);
	json_decref(r);

	/* Costs, for the report: printed, not asserted. */
	int n = 20000;
	double t0 = now();
	for (int k = 0; k < n; k++) {
		if (catalog_procedure_get(db, "1.000894", &p, &err))
			fail_msg("%s", err.ptr);
		json_decref(p);
	}
	double t1 = now();
	for (int k = 0; k < n; k++) {
		if (catalog_search(db, k & 1 ? "dang ky ket hon" : "ĐĂNG KÝ KẾT HÔN",
				   NULL, 1, 20, &r, &err))
			fail_msg("%s", err.ptr);
		json_decref(r);
	}
	double t2 = now();
	printf("# catalog_procedure_get: %.1f us; catalog_search: %.1f us\n",
	       (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_twice),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_repository),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
