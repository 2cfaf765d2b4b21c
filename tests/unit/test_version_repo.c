/*
 * test_version_repo.c - store/version_repo.h: field errors of a draft
 * (nothing written), draft edit and delete, stale forms, publication and
 * its numbering, immutability once in force, the version in force for a
 * unit on a day (province, commune, another province, VN), the public
 * history, the board's committed times, the reform report and a desk's
 * procedure list, with their audit entries. On SQLite (a temporary file)
 * and, when MOTCUA_TEST_PG is set, on PostgreSQL (a schema of its own).
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

#include "store/db.h"
#include "store/migrate.h"
#include "store/version_repo.h"
#include "util/err.h"

#include "testdb.h"

#define NOW 1772323200	/* 2026-03-01 07:00 +07:00 */

static const struct auth_actor admin = { 7, "lan.admin", "127.0.0.1" };

static int32_t day(const char *s)
{
	int32_t d;
	if (version_parse_day(s, &d))
		fail_msg("bad day %s", s);
	return d;
}

/* Province 24 with communes 10000 (desk serving P1) and 10001 (desk
 * serving nothing); province 01 with 00004. Procedure P1: counter 5
 * working days, online 5 working days, post "1" (no unit); three
 * components. P2: 15 calendar days, one component. */
static void seed(struct db *db)
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
		"('2025', '00004', 'C', 'Phường C', 'Phường', '01', 3, 'c')");
	testdb_exec(db,
		"INSERT INTO procedures (code, name, name_key, field, levels, "
		"commune_level, commune_list_2026, commune_desk, issuing_body, "
		"decision_no, procedure_type, implementing_agency, "
		"competent_authority, target, receiving_address, "
		"online_submission, processing_time_text, fee_text, "
		"dossier_items, legal_basis, steps, conditions, results, "
		"related_procedures, dossier_note, source_url, detail_status) "
		"VALUES ('P1', 'Đăng ký khai sinh', 'dang ky khai sinh', "
		"'Hộ tịch', 'Cấp xã', 1, 1, 1, '', '', '', '', '', '', '', 1, "
		"'', '', 3, '', '', '', '[]', '', '', '', 'ok'), "
		"('P2', 'Cấp phép', 'cap phep', 'Xây dựng', 'Cấp xã', 1, 1, 1, "
		"'', '', '', '', '', '', '', 1, '', '', 1, '', '', '', '[]', "
		"'', '', '', 'ok')");
	testdb_exec(db,
		"INSERT INTO procedure_channels (code, seq, channel, origin, "
		"time_text, dur_unit, dur_amount, fee_text, fee_dong, note) "
		"VALUES ('P1', 1, 'truc_tiep', 'detail', '5 Ngày làm việc', "
		"'working_days', 5, 'Miễn phí', 0, ''), "
		"('P1', 2, 'truc_tuyen', 'detail', '5 Ngày làm việc', "
		"'working_days', 5, 'Miễn phí', 0, ''), "
		"('P1', 3, 'buu_chinh', 'detail', '1', NULL, NULL, '', NULL, ''), "
		"('P2', 1, 'truc_tiep', 'detail', '15 Ngày', 'calendar_days', "
		"15, '100.000 đồng', 100000, '')");
	testdb_exec(db,
		"INSERT INTO procedure_components (code, seq, group_name, name, "
		"quantity, originals, copies, has_form) VALUES "
		"('P1', 1, '', 'Tờ khai đăng ký khai sinh', '1 bản chính', 1, 0, 1), "
		"('P1', 2, '', 'Giấy chứng sinh', '1 bản chính', 1, 0, 0), "
		"('P1', 3, '', 'Bản sao CCCD của người đi đăng ký', '1 bản sao', "
		"0, 1, 0), "
		"('P2', 1, '', 'Đơn đề nghị', '1 bản chính', 1, 0, 1)");
	testdb_exec(db,
		"INSERT INTO desks (unit_code, name) VALUES ('10000', 'Một cửa "
		"Xã A'), ('10001', 'Một cửa Xã B'), ('00004', 'Một cửa C')");
	testdb_exec(db,
		"INSERT INTO desk_procedures (desk_id, procedure_code) SELECT "
		"id, 'P1' FROM desks WHERE unit_code IN ('10000', '00004')");
}

/* A valid input for P1: counter 2 working days, CCCD copy replaced by the
 * population database. */
static void good_input(struct version_input *in, const char *eff)
{
	memset(in, 0, sizeof(*in));
	in->effective_from = eff;
	in->decision_ref = "1234/QĐ-UBND";
	in->summary = "Rút ngắn thời hạn theo NQ 66.7";
	in->n_channels = 2;
	in->channels[0].committed = "2 ngày làm việc";
	in->channels[1].committed = "";
	in->n_components = 3;
	in->components[2].mode = "replaced_by_lookup";
	in->components[2].lookup_db = "dan_cu";
	in->components[2].reason = "Khai thác từ CSDLQG về dân cư";
	in->components[2].legal_basis = "Nghị quyết 66.7/2025/NQ-CP";
	in->revision = 1;
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "version");
	seed(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "version");
	seed(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

static void test_field_errors(void **state)
{
	struct testdb *c = *state;
	struct version_input in;
	struct buf err = BUF_INIT;
	json_t *fe = NULL;
	int64_t id = 0;
	int32_t today = day("2026-03-01");
	good_input(&in, "2026-02-28");	/* the past */
	in.decision_ref = "  ";
	in.channels[0].committed = "6 ngày làm việc";	/* longer than 5 */
	in.channels[1].committed = "ba ngày";
	in.n_channels = 3;
	in.channels[2].committed = "1 ngày làm việc";	/* legal has no unit */
	in.components[1].mode = "dropped";	/* without reason, basis */
	in.components[2].lookup_db = "vneid";
	assert_int_equal(version_create(c->db, &admin, "P1", "24", &in, today,
					NOW, &id, &fe, &err),
			 MC_EINVALID);
	assert_non_null(fe);
	static const char *const fields[] = {
		"effective_from", "decision_ref", "channels.0.committed",
		"channels.1.committed", "channels.2.committed",
		"components.1.reason", "components.1.legal_basis",
		"components.2.lookup_db",
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (!json_object_get(fe, fields[i]))
			fail_msg("no error for %s", fields[i]);
	assert_int_equal(json_object_size(fe), 8);
	assert_non_null(strstr(json_string_value(json_object_get(
				       fe, "channels.0.committed")),
			       "dài hơn thời hạn luật định (5 ngày làm việc)"));
	json_decref(fe);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM procedure_versions"),
			 0);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log"), 0);
	/* Unknown procedure, commune as scope. */
	good_input(&in, "2026-03-10");
	assert_int_equal(version_create(c->db, &admin, "NOPE", "24", &in, today,
					NOW, &id, &fe, &err), MC_ENOTFOUND);
	assert_int_equal(version_create(c->db, &admin, "P1", "10000", &in,
					today, NOW, &id, &fe, &err),
			 MC_EINVALID);
	assert_null(fe);
	buf_release(&err);
}

static void test_lifecycle(void **state)
{
	struct testdb *c = *state;
	struct version_input in;
	struct buf err = BUF_INIT;
	json_t *fe = NULL, *v = NULL;
	int64_t id = 0, id2 = 0;
	int32_t today = day("2026-03-01");
	struct version_ref ref;

	/* A draft, edited, then a stale edit refused. */
	good_input(&in, "2026-03-10");
	assert_int_equal(version_create(c->db, &admin, "P1", "24", &in, today,
					NOW, &id, &fe, &err), 0);
	assert_true(id > 0);
	assert_int_equal(version_get(c->db, id, today, &v, &err), 0);
	assert_string_equal(json_string_value(json_object_get(v, "status")),
			    "draft");
	assert_true(json_is_null(json_object_get(v, "version_no")));
	json_t *ch0 = json_array_get(json_object_get(v, "channels"), 0);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(ch0, "committed"), "code")), "2wd");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(ch0, "cut"), "pct_tenths")), 600);
	assert_int_equal(json_integer_value(json_object_get(v, "n_replaced")), 1);
	json_decref(v);
	in.summary = "Sửa tóm tắt";
	assert_int_equal(version_update(c->db, &admin, id, &in, today, NOW + 60,
					&fe, &err), 0);
	buf_reset(&err);
	assert_int_equal(version_update(c->db, &admin, id, &in, today, NOW + 90,
					&fe, &err), MC_ECONFLICT);	/* revision 1 is stale */
	assert_true(err.len > 0);
	/* Not in force before publication. */
	assert_int_equal(version_current(c->db, "P1", "10000", day("2026-03-20"),
					 &ref, &err), 0);
	assert_int_equal(ref.id, 0);

	/* Another draft, deleted. */
	good_input(&in, "2026-04-01");
	assert_int_equal(version_create(c->db, &admin, "P1", "24", &in, today,
					NOW, &id2, &fe, &err), 0);
	assert_int_equal(version_delete(c->db, &admin, id2, 1, NOW, &err), 0);
	assert_int_equal(version_get(c->db, id2, today, &v, &err), MC_ENOTFOUND);

	/* Publish (revision 2 after the edit); a stale one first. */
	buf_reset(&err);
	assert_int_equal(version_publish(c->db, &admin, id, 1, today, NOW, &err),
			 MC_ECONFLICT);
	assert_int_equal(version_publish(c->db, &admin, id, 2, today, NOW, &err),
			 0);
	assert_int_equal(version_get(c->db, id, today, &v, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(v, "version_no")), 1);
	assert_false(json_is_true(json_object_get(v, "in_force")));
	assert_true(json_is_true(json_object_get(v, "editable")));
	json_decref(v);
	assert_int_equal(testdb_count(c->db, "SELECT value FROM catalog_meta WHERE "
				      "name = 'catalog_version'"), 1);

	/* The version in force on a day, for units. */
	static const struct {
		const char *unit, *day;
		bool ours;
	} rows[] = {
		{ "10000", "2026-03-09", false },	/* before the date */
		{ "10000", "2026-03-10", true },	/* commune of 24 */
		{ "24", "2026-12-31", true },		/* the province */
		{ "00004", "2026-03-10", false },	/* another province */
		{ NULL, "2026-03-10", false },		/* the country */
		{ "VN", "2026-03-10", false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		assert_int_equal(version_current(c->db, "P1", rows[i].unit,
						 day(rows[i].day), &ref, &err),
				 0);
		if ((ref.id == id) != rows[i].ours)
			fail_msg("row %zu: id %lld", i, (long long)ref.id);
	}
	assert_int_equal(version_current(c->db, "P1", "99999", today, &ref, &err),
			 MC_ENOTFOUND);

	/* Published, not yet in force: still editable (revision 3). */
	in.effective_from = "2026-03-10";
	in.revision = 3;
	assert_int_equal(version_update(c->db, &admin, id, &in, today, NOW, &fe,
					&err), 0);
	/* In force: refused, whatever is asked. */
	int32_t later = day("2026-03-10");
	in.revision = 4;
	buf_reset(&err);
	assert_int_equal(version_update(c->db, &admin, id, &in, later, NOW, &fe,
					&err), MC_EFORBIDDEN);
	assert_non_null(strstr(err.ptr, "không được sửa"));
	assert_int_equal(version_delete(c->db, &admin, id, 4, NOW, &err),
			 MC_EFORBIDDEN);
	assert_int_equal(version_publish(c->db, &admin, id, 4, later, NOW, &err),
			 MC_EFORBIDDEN);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM procedure_versions "
				      "WHERE revision = 4 AND summary = "
				      "'Rút ngắn thời hạn theo NQ 66.7'"), 1);

	/* A next version must take effect later than the last one. */
	good_input(&in, "2026-03-10");
	in.channels[0].committed = "1 ngày làm việc";
	assert_int_equal(version_create(c->db, &admin, "P1", "24", &in, later,
					NOW, &id2, &fe, &err), 0);
	buf_reset(&err);
	assert_int_equal(version_publish(c->db, &admin, id2, 1, later, NOW, &err),
			 MC_EINVALID);
	in.effective_from = "2026-05-01";
	assert_int_equal(version_update(c->db, &admin, id2, &in, later, NOW, &fe,
					&err), 0);
	assert_int_equal(version_publish(c->db, &admin, id2, 2, later, NOW, &err),
			 0);
	assert_int_equal(version_current(c->db, "P1", "10000", day("2026-05-01"),
					 &ref, &err), 0);
	assert_int_equal(ref.id, id2);
	assert_int_equal(ref.version_no, 2);
	assert_int_equal(version_current(c->db, "P1", "10000", day("2026-04-30"),
					 &ref, &err), 0);
	assert_int_equal(ref.id, id);

	/* A national version later than the province's wins from its date. */
	int64_t idvn;
	good_input(&in, "2026-06-01");
	in.channels[0].committed = "3 ngày làm việc";
	assert_int_equal(version_create(c->db, &admin, "P1", "VN", &in, later,
					NOW, &idvn, &fe, &err), 0);
	assert_int_equal(version_publish(c->db, &admin, idvn, 1, later, NOW,
					 &err), 0);
	assert_int_equal(version_current(c->db, "P1", "00004", day("2026-06-01"),
					 &ref, &err), 0);
	assert_int_equal(ref.id, idvn);
	assert_int_equal(version_current(c->db, "P1", "10000", day("2026-05-31"),
					 &ref, &err), 0);
	assert_int_equal(ref.id, id2);

	/* The public model: history of 24 and VN, newest first. */
	json_t *pub;
	assert_int_equal(version_public(c->db, "P1", "10000", day("2026-05-02"),
					&pub, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(pub, "current"), "id")), id2);
	assert_int_equal(json_array_size(json_object_get(pub, "history")), 3);
	json_decref(pub);
	assert_int_equal(version_public(c->db, "P1", "00004", day("2026-05-02"),
					&pub, &err), 0);
	assert_true(json_is_null(json_object_get(pub, "current")));
	assert_int_equal(json_array_size(json_object_get(pub, "history")), 1);
	json_decref(pub);

	/* The board: committed time of the main channel. */
	json_t *board;
	assert_int_equal(version_committed_for_unit(c->db, "10000",
						    day("2026-05-02"), &board,
						    &err), 0);
	assert_string_equal(json_string_value(json_object_get(board, "P1")),
			    "1 ngày làm việc");
	json_decref(board);

	/* Audit: create x4, update x3, delete, publish x3. */
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'procedure_version.publish'"), 3);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'procedure_version.delete'"), 1);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action LIKE 'procedure_version.%' AND "
				      "object_type = 'procedure_version'"), 11);
	buf_release(&err);
}

static void test_report(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	json_t *r;
	/* Continues test_lifecycle: on 2026-05-15 version 2 of 24 is in force
	 * (1 working day from 5: 80%, CCCD replaced). */
	assert_int_equal(version_report(c->db, "24", "2026-01-01", "2026-05-15",
					&r, &err), 0);
	json_t *units = json_object_get(r, "units");
	assert_int_equal(json_array_size(units), 2);	/* 24 and 10000 */
	json_t *prov = json_array_get(units, 0);
	assert_string_equal(json_string_value(json_object_get(prov, "code")), "24");
	json_t *row = json_array_get(json_object_get(prov, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "code")), "P1");
	assert_string_equal(json_string_value(json_object_get(row, "pct_text")),
			    "80,0%");
	assert_string_equal(json_string_value(json_object_get(row,
							      "cut_days_text")),
			    "4,0");
	assert_string_equal(json_string_value(json_object_get(row, "components")),
			    "Bản sao CCCD của người đi đăng ký");
	assert_string_equal(json_string_value(json_object_get(row,
							      "effective_from")),
			    "2026-05-01");
	json_t *tot = json_object_get(r, "totals");
	assert_int_equal(json_integer_value(json_object_get(tot, "n_cut")), 1);
	assert_int_equal(json_integer_value(json_object_get(tot, "n_components")),
			 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(units, 1), "code")), "10000");
	json_decref(r);
	/* Since a later date: nothing. Another province: nothing. */
	assert_int_equal(version_report(c->db, "24", "2026-05-02", "2026-05-15",
					&r, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "totals"), "n_procedures")), 0);
	json_decref(r);
	assert_int_equal(version_report(c->db, "01", NULL, "2026-05-15", &r,
					&err), 0);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "totals"), "n_procedures")), 0);
	json_decref(r);
	assert_int_equal(version_report(c->db, "24", "2026-13-01", "2026-05-15",
					&r, &err), MC_EINVALID);
	buf_release(&err);
}

static void test_desk_procedures(void **state)
{
	struct testdb *c = *state;
	struct buf err = BUF_INIT;
	json_t *l;
	int changed;
	const char *add[] = { "P2", "P1" }, *rm[] = { "P1" }, *bad[] = { "X9" };
	assert_int_equal(desk_procedures_list(c->db, "10001", &l, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(l, "total")), 0);
	json_decref(l);
	assert_int_equal(desk_procedures_change(c->db, &admin, "10001", add, 2,
						NULL, 0, NOW, &changed, &err), 0);
	assert_int_equal(changed, 2);
	assert_int_equal(desk_procedures_change(c->db, &admin, "10001", NULL, 0,
						rm, 1, NOW, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(desk_procedures_change(c->db, &admin, "10001", bad, 1,
						NULL, 0, NOW, &changed, &err),
			 MC_EINVALID);
	assert_int_equal(desk_procedures_change(c->db, &admin, "24", add, 1,
						NULL, 0, NOW, &changed, &err),
			 MC_ENOTFOUND);
	assert_int_equal(desk_procedures_list(c->db, "10001", &l, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(l, "total")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(l, "items"), 0), "code")), "P2");
	json_decref(l);
	assert_int_equal(testdb_count(c->db, "SELECT count(*) FROM audit_log WHERE "
				      "action = 'desk.procedures' AND "
				      "after_json = '[\"P2\"]' AND before_json "
				      "= '[\"P1\",\"P2\"]'"), 1);
	buf_release(&err);
}

#define REPO_TESTS                                     \
	cmocka_unit_test(test_field_errors),           \
	cmocka_unit_test(test_lifecycle),              \
	cmocka_unit_test(test_report),                 \
	cmocka_unit_test(test_desk_procedures)

int main(void)
{
	const struct CMUnitTest repo[] = { REPO_TESTS };
	int failed = cmocka_run_group_tests_name("version-sqlite", repo,
						 setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("version-postgresql", repo,
						      setup_pg, teardown);
	else
		printf("NOTE test_version_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return failed ? 1 : 0;
}
