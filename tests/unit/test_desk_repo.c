/*
 * test_desk_repo.c - store/desk_repo.h and store/calendar_admin.h: the
 * checks of the desk form (agency identifier, hours, cut-off) and of a
 * calendar entry, tables of rows; then the repositories on SQLite (a
 * temporary file) and, when MOTCUA_TEST_PG is set, PostgreSQL (a schema of
 * its own): search, the before/after view, audited and version-checked
 * writes (a stale form writes nothing), imports with a dry-run preview.
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

#include "store/calendar_admin.h"
#include "store/db.h"
#include "store/desk_repo.h"
#include "store/migrate.h"
#include "util/err.h"

#include "testdb.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

static const struct auth_actor admin = { 7, "lan", "127.0.0.1" };

/* Province 24 (Bắc Ninh) with commune 07738 made of three old communes of
 * old district 213 of old province 24 (Bắc Giang); a desk for 07738. */
static void seed(struct db *db)
{
	testdb_exec(db,
		"INSERT INTO units (era, code, name, full_name, type, "
		"parent_code, level, name_key) VALUES "
		"('2025', '24', 'Bắc Ninh', 'Tỉnh Bắc Ninh', 'tỉnh', NULL, 1, "
		"'bac ninh'), "
		"('2025', '07738', 'Cảnh Thụy', 'Phường Cảnh Thụy', 'phường', "
		"'24', 3, 'canh thuy'), "
		"('2025', '07800', 'Đồng Việt', 'Xã Đồng Việt', 'xã', "
		"'24', 3, 'dong viet'), "
		"('pre2025', '24', 'Bắc Giang', 'Tỉnh Bắc Giang', 'tỉnh', NULL,"
		" 1, 'bac giang'), "
		"('pre2025', '213', 'Bắc Giang', 'Thành phố Bắc Giang', "
		"'thành phố', '24', 2, 'bac giang');"
		"INSERT INTO unit_merges (new_code, seq, old_code, old_name, "
		"old_district_code, old_province_code, relation) VALUES "
		"('07738', 1, '07729', 'Xã Tiến Dũng', '213', '24', "
		"'Nhập toàn bộ'), "
		"('07738', 2, '07738', 'Phường Cảnh Thụy', '213', '24', "
		"'Nhập toàn bộ');"
		"INSERT INTO desks (unit_code, name) VALUES ('07738', "
		"'Trung tâm phục vụ hành chính công Phường Cảnh Thụy');"
		/* 2026 announced (one holiday is enough here). */
		"INSERT INTO calendar_days (day, kind, name, source, "
		"imported_at) VALUES ('2026-01-01', 'holiday', 'Tết Dương "
		"lịch', 'CV 1', 0), ('2026-09-02', 'holiday', 'Quốc khánh', "
		"'CV 1', 0)");
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "desk");
	seed(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "desk");
	seed(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

/* ---- pure checks ---------------------------------------------------------- */

static void test_agency_code(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		int want;
	} rows[] = {
		{ "", 0 },			/* not assigned yet */
		{ "000.00.23.H40", 0 },		/* TT 01/2018 order */
		{ "H40.123.45", 0 },		/* TT 03/2025 order */
		{ "H40.01", 0 },
		{ "H40", MC_EINVALID },		/* one group */
		{ "000.00.23.H4", MC_EINVALID },	/* no MX1X2 group */
		{ "000.00.23.40H", MC_EINVALID },
		{ "h40.123.45", MC_EINVALID },	/* caller upper-cases */
		{ "H40..45", MC_EINVALID },
		{ "H40.1234.45", MC_EINVALID },
		{ "000.00.23.H40.", MC_EINVALID },
		{ "000.00.23.44.H40", MC_EINVALID },	/* five groups */
		{ "H40-123-45", MC_EINVALID },
		{ "Đ40.123.45", MC_EINVALID },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf err = BUF_INIT;
		int rc = desk_agency_code_check(rows[i].code, &err);
		if (rc != rows[i].want)
			fail_msg("'%s': %d, want %d (%s)", rows[i].code, rc,
				 rows[i].want, err.ptr);
		if (rc)
			assert_true(err.len > 0);
		buf_release(&err);
	}
}

static void test_desk_form(void **state)
{
	(void)state;
	static const struct {
		struct desk_edit in;
		const char *bad_field;	/* NULL: accepted */
		const char *msg;	/* part of the message */
	} rows[] = {
		{ { "Bộ phận một cửa", "", "", "", "", "", 0 }, NULL, NULL },
		{ { "  Bộ phận  một cửa ", " h40.123.45 ",
		    "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30",
		    "16:00", "Số 1", "0204 3854 123", 0 },
		  NULL, NULL },
		{ { "", "", "", "", "", "", 0 }, "name", "Tên bộ phận" },
		{ { "X", "H40", "", "", "", "", 0 }, "agency_code",
		  "Mã định danh" },
		{ { "X", "", "mon-fri 07:30", "", "", "", 0 }, "office_hours",
		  "Giờ làm việc" },
		{ { "X", "", "", "15h", "", "", 0 }, "cutoff",
		  "Giờ chốt nhận hồ sơ: phải có dạng HH:MM" },
		{ { "X", "", "", "24:00", "", "", 0 }, "cutoff", "HH:MM" },
		{ { "X", "", "", "15:60", "", "", 0 }, "cutoff", "HH:MM" },
		{ { "X", "", "", "none", "", "", 0 }, NULL, NULL },
		{ { "X", "", "", "", "", "gọi 113", 0 }, "phone",
		  "Số điện thoại" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *norm = NULL, *errors = NULL;
		int rc = desk_edit_check(&rows[i].in, &norm, &errors);
		assert_non_null(norm);
		if (!rows[i].bad_field) {
			if (rc)
				fail_msg("row %zu refused: %s", i,
					 json_dumps(errors, 0));
			assert_null(errors);
		} else {
			assert_int_equal(rc, MC_EINVALID);
			const char *m = json_string_value(
				json_object_get(errors, rows[i].bad_field));
			if (!m || !strstr(m, rows[i].msg))
				fail_msg("row %zu: %s", i,
					 json_dumps(errors, 0));
		}
		json_decref(norm);
		json_decref(errors);
	}
	/* Normalised: trimmed, squeezed, upper case. */
	json_t *norm, *errors;
	assert_int_equal(desk_edit_check(&rows[1].in, &norm, &errors), 0);
	assert_string_equal(json_string_value(json_object_get(norm, "name")),
			    "Bộ phận một cửa");
	assert_string_equal(
		json_string_value(json_object_get(norm, "agency_code")),
		"H40.123.45");
	json_decref(norm);
}

static void test_entry_check(void **state)
{
	(void)state;
	static const struct {
		const char *date, *kind, *name;
		const char *bad_field;
	} rows[] = {
		{ "2026-02-28", "makeup_workday", "Làm bù", NULL }, /* Sat */
		{ "2026-03-01", "makeup_workday", "Làm bù", NULL }, /* Sun */
		{ "2026-03-02", "makeup_workday", "Làm bù", "kind" }, /* Mon */
		{ "2026-03-02", "swapped_off", "Nghỉ", NULL },
		{ "2026-03-01", "compensatory", "Nghỉ bù", "kind" },
		{ "2026-03-01", "holiday", "Lễ", NULL },
		{ "2025-12-31", "holiday", "Lễ", "date" },
		{ "2026-02-30", "holiday", "Lễ", "date" },
		{ "2026-2-3", "holiday", "Lễ", "date" },
		{ "2026-03-02", "nghi", "Lễ", "kind" },
		{ "2026-03-02", "holiday", "   ", "name" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct schedule one = SCHEDULE_INIT;
		json_t *errors = NULL;
		struct calendar_entry_edit in = { rows[i].date, rows[i].kind,
						  rows[i].name, "" };
		int rc = calendar_entry_check(2026, &in, &one, &errors);
		if (!rows[i].bad_field) {
			if (rc)
				fail_msg("row %zu: %s", i,
					 json_dumps(errors, 0));
			assert_int_equal(one.n_rows, 1);
		} else {
			assert_int_equal(rc, MC_EINVALID);
			if (!json_object_get(errors, rows[i].bad_field))
				fail_msg("row %zu: %s", i,
					 json_dumps(errors, 0));
			assert_int_equal(one.n_rows, 0);
		}
		json_decref(errors);
		schedule_release(&one);
	}
}

/* ---- repositories ------------------------------------------------------- */

static void test_units(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	json_t *o;

	/* Diacritic-insensitive name search, and code prefixes. */
	assert_int_equal(desk_repo_units(c->db, "CANH thuy", &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	json_t *it = json_array_get(json_object_get(o, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "code")),
			    "07738");
	assert_string_equal(
		json_string_value(json_object_get(it, "parent_name")),
		"Bắc Ninh");
	json_decref(o);
	assert_int_equal(desk_repo_units(c->db, "đồng", &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	json_decref(o);
	assert_int_equal(desk_repo_units(c->db, "077", &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	json_decref(o);
	assert_int_equal(desk_repo_units(c->db, "50%", &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
	json_decref(o);
	assert_int_equal(desk_repo_units(c->db, NULL, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 3);
	/* Provinces first. */
	it = json_array_get(json_object_get(o, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "code")),
			    "24");
	json_decref(o);

	/* A commune: its old communes with their district and province. */
	assert_int_equal(desk_repo_unit(c->db, "07738", &o, &err), 0);
	json_t *b = json_object_get(o, "before");
	assert_int_equal(json_array_size(b), 2);
	it = json_array_get(b, 0);
	assert_string_equal(json_string_value(json_object_get(it, "name")),
			    "Xã Tiến Dũng");
	assert_string_equal(
		json_string_value(json_object_get(it, "district_name")),
		"Thành phố Bắc Giang");
	assert_string_equal(
		json_string_value(json_object_get(it, "province_name")),
		"Tỉnh Bắc Giang");
	assert_true(json_is_object(json_object_get(o, "desk")));
	json_decref(o);
	/* A province: the old provinces of its communes. */
	assert_int_equal(desk_repo_unit(c->db, "24", &o, &err), 0);
	b = json_object_get(o, "before");
	assert_int_equal(json_array_size(b), 1);
	assert_true(json_is_null(json_object_get(o, "desk")));
	assert_int_equal(json_integer_value(json_object_get(o, "n_children")),
			 2);
	json_decref(o);
	assert_int_equal(desk_repo_unit(c->db, "99999", &o, &err),
			 MC_ENOTFOUND);
	buf_release(&err);
}

static void test_desk_update(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	json_t *norm, *errors, *after;
	int64_t v0 = testdb_count(c->db, "SELECT value FROM catalog_meta WHERE "
				  "name = 'catalog_version'");
	int64_t a0 = testdb_count(c->db, "SELECT count(*) FROM audit_log");

	struct desk_edit in = { "Bộ phận một cửa Cảnh Thụy", "h40.123.45",
				"mon-fri 07:00-11:00,13:00-16:30", "16:00",
				"Số 1 Hoàng Văn Thụ", "0204 3854 123", 0 };
	assert_int_equal(desk_edit_check(&in, &norm, &errors), 0);
	if (desk_repo_update(c->db, &admin, "07738", norm, 0, T0, &after,
			     &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_integer_value(json_object_get(after, "version")),
			 1);
	assert_string_equal(
		json_string_value(json_object_get(after, "agency_code")),
		"H40.123.45");
	json_decref(after);
	assert_int_equal(testdb_count(c->db, "SELECT value FROM catalog_meta WHERE "
				      "name = 'catalog_version'"),
			 v0 + 1);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"),
			 a0 + 1);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'desk.update' AND object_id = "
				      "'07738' AND before_json LIKE "
				      "'%\"version\":0%' AND after_json LIKE "
				      "'%16:00%'"),
			 1);

	/* A stale form (made from version 0) writes nothing. */
	buf_reset(&err);
	assert_int_equal(desk_repo_update(c->db, &admin, "07738", norm, 0, T0,
					  NULL, &err),
			 MC_ECONFLICT);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"),
			 a0 + 1);
	assert_int_equal(testdb_count(c->db, "SELECT version FROM desks WHERE "
				      "unit_code = '07738'"),
			 1);
	/* A unit without a desk. */
	assert_int_equal(desk_repo_update(c->db, &admin, "24", norm, 0, T0,
					  NULL, &err),
			 MC_ENOTFOUND);
	json_decref(norm);

	/* Empty optional fields are stored as NULL (the default desk). */
	struct desk_edit plain = { "X", "", "", "", "", "", 1 };
	assert_int_equal(desk_edit_check(&plain, &norm, &errors), 0);
	assert_int_equal(desk_repo_update(c->db, &admin, "07738", norm, 1, T0,
					  NULL, &err),
			 0);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM desks WHERE "
				      "office_hours IS NULL AND cutoff IS NULL"
				      " AND unit_code = '07738'"),
			 1);
	json_decref(norm);
	buf_release(&err);
}

static void test_calendar_edit(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	struct schedule s = SCHEDULE_INIT;
	char v[17], v2[17];
	json_t *errors;
	int64_t a0 = testdb_count(c->db, "SELECT count(*) FROM audit_log");

	assert_int_equal(calendar_admin_year(c->db, 2026, &s, v, &err), 0);
	assert_int_equal(s.n_rows, 2);
	schedule_release(&s);

	struct calendar_entry_edit sat = { "2026-08-29", "makeup_workday",
					   "Làm bù cho 31/8", "CV 2" };
	if (calendar_admin_edit(c->db, &admin, 2026, CAL_ADD, NULL, &sat, v,
				T0, &errors, v2, &err))
		fail_msg("%s %s", err.ptr, json_dumps(errors, 0));
	assert_string_not_equal(v, v2);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'calendar.update' AND "
				      "object_id = '2026'"),
			 1);

	/* The old version is stale now; a duplicate date is refused. */
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2026, CAL_ADD, NULL,
					     &sat, v, T0, &errors, NULL, &err),
			 MC_ECONFLICT);
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2026, CAL_ADD, NULL,
					     &sat, v2, T0, &errors, NULL, &err),
			 MC_EINVALID);
	assert_non_null(json_object_get(errors, "date"));
	json_decref(errors);

	/* A holiday into a year without an announced schedule. */
	struct calendar_entry_edit h27 = { "2027-01-01", "holiday",
					   "Tết Dương lịch", "" };
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2027, CAL_ADD, NULL,
					     &h27, NULL, T0, &errors, NULL,
					     &err),
			 MC_EINVALID);
	assert_non_null(json_object_get(errors, "kind"));
	json_decref(errors);

	/* Change: move the make-up day to the Sunday. */
	struct calendar_entry_edit sun = { "2026-08-30", "makeup_workday",
					   "Làm bù cho 31/8", "CV 2" };
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2026, CAL_CHANGE,
					     "2026-08-29", &sun, NULL, T0,
					     &errors, NULL, &err),
			 0);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM calendar_days "
				      "WHERE day = '2026-08-30'"),
			 1);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM calendar_days "
				      "WHERE day = '2026-08-29'"),
			 0);
	/* Remove it; removing again is not found. */
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2026, CAL_REMOVE,
					     "2026-08-30", NULL, NULL, T0,
					     &errors, NULL, &err),
			 0);
	assert_int_equal(calendar_admin_edit(c->db, &admin, 2026, CAL_REMOVE,
					     "2026-08-30", NULL, NULL, T0,
					     &errors, NULL, &err),
			 MC_ENOTFOUND);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"),
			 a0 + 3);
	buf_release(&err);
}

static void test_calendar_import(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	struct calendar_import_report rep;
	json_t *diff;
	int64_t a0 = testdb_count(c->db, "SELECT count(*) FROM audit_log");
	static const char csv[] =
		"date,kind,name,source\n"
		"2026-01-01,holiday,Tết Dương lịch,CV 2\n"	/* changed */
		"2026-04-30,holiday,Ngày Chiến thắng,CV 2\n";	/* added */

	/* Preview: the diff, nothing written, no audit. */
	if (calendar_admin_import(c->db, &admin, 2026, csv, strlen(csv), NULL,
				  true, T0, &rep, &diff, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_array_size(json_object_get(diff, "added")), 1);
	assert_int_equal(json_array_size(json_object_get(diff, "changed")), 1);
	assert_int_equal(json_array_size(json_object_get(diff, "removed")), 1);
	assert_int_equal(rep.n_years, 1);
	assert_int_equal(rep.years[0].added, 1);
	calendar_import_report_release(&rep);
	json_decref(diff);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM calendar_days "
				      "WHERE day = '2026-04-30'"),
			 0);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"), a0);

	/* For real. */
	assert_int_equal(calendar_admin_import(c->db, &admin, 2026, csv,
					       strlen(csv), NULL, false, T0,
					       &rep, &diff, &err),
			 0);
	calendar_import_report_release(&rep);
	json_decref(diff);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM calendar_days "
				      "WHERE day >= '2026-01-01' AND day <= "
				      "'2026-12-31'"),
			 2);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'calendar.import'"),
			 1);

	/* Rows of another year, no holiday, a bad row, a stale version. */
	static const char other[] = "date,kind,name\n"
				    "2027-01-01,holiday,Tết\n";
	static const char noh[] = "date,kind,name\n"
				  "2026-02-28,makeup_workday,Làm bù\n";
	static const char bad[] = "date,kind,name\n"
				  "2026-03-02,makeup_workday,Làm bù\n";
	assert_int_equal(calendar_admin_import(c->db, &admin, 2026, other,
					       strlen(other), NULL, false, T0,
					       &rep, &diff, &err),
			 MC_EINVALID);
	assert_int_equal(calendar_admin_import(c->db, &admin, 2026, noh,
					       strlen(noh), NULL, false, T0,
					       &rep, &diff, &err),
			 MC_EINVALID);
	buf_reset(&err);
	assert_int_equal(calendar_admin_import(c->db, &admin, 2026, bad,
					       strlen(bad), NULL, false, T0,
					       &rep, &diff, &err),
			 MC_EINVALID);
	assert_non_null(strstr(err.ptr, "line 2"));
	assert_int_equal(calendar_admin_import(c->db, &admin, 2026, csv,
					       strlen(csv), "0000000000000000",
					       false, T0, &rep, &diff, &err),
			 MC_ECONFLICT);
	assert_null(diff);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"),
			 a0 + 1);
	buf_release(&err);
}

#define REPO_TESTS                              \
	cmocka_unit_test(test_units),           \
	cmocka_unit_test(test_desk_update),     \
	cmocka_unit_test(test_calendar_edit),   \
	cmocka_unit_test(test_calendar_import)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_agency_code),
		cmocka_unit_test(test_desk_form),
		cmocka_unit_test(test_entry_check),
	};
	const struct CMUnitTest repo[] = { REPO_TESTS };
	int failed = cmocka_run_group_tests_name("desk", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("desk-sqlite", repo,
					      setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("desk-postgresql", repo,
						      setup_pg, teardown);
	else
		printf("NOTE test_desk_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return failed ? 1 : 0;
}
