/*
 * test_feedback_repo.c - store/feedback_repo.h: the checks of the citizen's
 * form (a table of rows), then the repository on SQLite (a temporary
 * file) and, when MOTCUA_TEST_PG is set, PostgreSQL (a schema of its own):
 * units offered, what a form names resolved, creation with a code and a
 * secret, the citizen's and the officer's views, every action with its
 * event and audit entry, a stale version, the queue by scope and the
 * public list that never shows the sender.
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
#include "store/feedback_repo.h"
#include "store/migrate.h"
#include "util/err.h"

#include "testdb.h"

#define T0 1795748400	/* 2026-11-27 10:00 +07:00, a Friday */

/* ---- the form's checks ---------------------------------------------------- */

static const char *sv(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "feedback");
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "feedback");
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

static void test_check(void **state)
{
	(void)state;
	static const struct {
		struct feedback_input in;
		const char *bad;	/* the field in error, NULL: valid */
		const char *msg;	/* start of its message */
	} rows[] = {
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", "Nguyễn Văn An", "", "" },
		  NULL, NULL },
		{ { "officer", "10000", "", "", "", "", "Cán bộ bàn số 2",
		    "Thái độ chưa tốt", "Cán bộ không hướng dẫn rõ ràng.",
		    "Trần Thị Bình", "+84 912 345 678", "b@example.vn" },
		  NULL, NULL },
		{ { "dossier", "", "", "h24-260101-0001", "", "5678", "",
		    "Hồ sơ chậm", "Hồ sơ đã quá hẹn mà chưa có kết quả.",
		    "Lê Văn Cường", "", "" },
		  NULL, NULL },
		{ { "", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "", "" },
		  "kind", "Loại phản ánh:" },
		{ { "procedure", "", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "", "" },
		  "unit_code", "Đơn vị:" },
		{ { "procedure", "10000", "", "", "", "", "", "Ngắn",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "", "" },
		  "subject", "Tiêu đề:" },
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Ngắn quá", "An", "", "" },
		  "content", "Nội dung:" },
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", " ", "", "" },
		  "sender_name", "Họ và tên:" },
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "12ab", "" },
		  "phone", "Số điện thoại:" },
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục rườm rà",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "", "an@" },
		  "email", "Thư điện tử:" },
		{ { "officer", "10000", "", "", "", "", "", "Thái độ chưa tốt",
		    "Cán bộ không hướng dẫn rõ ràng.", "An", "", "" },
		  "officer", "Cán bộ:" },
		{ { "dossier", "", "", "", "", "5678", "", "Hồ sơ chậm",
		    "Hồ sơ đã quá hẹn mà chưa có kết quả.", "An", "", "" },
		  "dossier_code", "Mã hồ sơ:" },
		{ { "dossier", "", "", "H24-260101-0001", "", "", "",
		    "Hồ sơ chậm", "Hồ sơ đã quá hẹn mà chưa có kết quả.", "An",
		    "", "" },
		  "dossier_last4", "4 số cuối:" },
		{ { "dossier", "", "", "H24-260101-0001", "", "56a8", "",
		    "Hồ sơ chậm", "Hồ sơ đã quá hẹn mà chưa có kết quả.", "An",
		    "", "" },
		  "dossier_last4", "4 số cuối: gồm đúng 4" },
		{ { "procedure", "10000", "", "", "", "", "", "Thủ tục \xff",
		    "Giấy tờ yêu cầu quá nhiều.", "An", "", "" },
		  "subject", "Tiêu đề: không phải" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *norm = NULL, *errors = NULL;
		int rc = feedback_check(&rows[i].in, &norm, &errors);
		assert_non_null(norm);
		if (!rows[i].bad) {
			if (rc)
				fail_msg("row %zu: %s", i,
					 json_dumps(errors, 0));
		} else {
			const char *m = json_string_value(
				json_object_get(errors, rows[i].bad));
			if (rc != MC_EINVALID || !m ||
			    strncmp(m, rows[i].msg, strlen(rows[i].msg)))
				fail_msg("row %zu: %s", i,
					 errors ? json_dumps(errors, 0) : "ok");
		}
		if (i == 1)
			assert_string_equal(sv(norm, "phone"), "0912345678");
		if (i == 2)
			assert_string_equal(sv(norm, "dossier_code"),
					    "H24-260101-0001");
		json_decref(norm);
		json_decref(errors);
	}
}

/* ---- the repository ----------------------------------------------------------- */

static const struct auth_actor officer = { 9, "thu", "10.0.0.2" };

static void seed(struct db *db)
{
	testdb_exec(db,
		"INSERT INTO units (era, code, name, full_name, type,"
		" parent_code, level, name_key) VALUES"
		" ('2025', '24', 'Bắc Ninh', 'Tỉnh Bắc Ninh', 'Tỉnh', NULL, 1,"
		" 'bac ninh'),"
		" ('2025', '10000', 'Kinh Bắc', 'Phường Kinh Bắc', 'Phường',"
		" '24', 3, 'kinh bac'),"
		" ('2025', '10001', 'Võ Cường', 'Phường Võ Cường', 'Phường',"
		" '24', 3, 'vo cuong'),"
		" ('2025', '01', 'Hà Nội', 'Thành phố Hà Nội', 'Thành phố',"
		" NULL, 1, 'ha noi'),"
		" ('2025', '00004', 'Ba Đình', 'Phường Ba Đình', 'Phường',"
		" '01', 3, 'ba dinh')");
	testdb_exec(db, "INSERT INTO desks (unit_code, name) VALUES"
		    " ('10000', 'TTPVHCC Kinh Bắc'),"
		    " ('00004', 'TTPVHCC Ba Đình')");
}

static json_t *form(const char *kind, const char *unit, const char *officer_s)
{
	struct feedback_input in = {
		.kind = kind, .unit_code = unit, .officer = officer_s,
		.subject = "Thủ tục rườm rà",
		.content = "Giấy tờ yêu cầu quá nhiều.\nĐề nghị rút gọn.",
		.sender_name = "Nguyễn Văn An", .phone = "0912345678",
		.email = "an@example.vn",
		.dossier_code = "H24-260101-0001", .dossier_last4 = "5678",
	};
	json_t *norm = NULL, *errors = NULL;
	if (feedback_check(&in, &norm, &errors))
		fail_msg("check: %s", json_dumps(errors, 0));
	return norm;
}

static void act_ok(struct db *db, const char *code, enum feedback_action a,
		   const char *note, int64_t version, mc_time at)
{
	struct buf err = BUF_INIT;
	struct feedback_act_in in = { .action = a, .note = note,
				      .version = version,
				      .actor = feedback_action_by_officer(a)
						       ? &officer
						       : NULL,
				      .client = "192.0.2.7", .satisfied = true };
	if (feedback_act(db, code, &in, at, &err))
		fail_msg("%s %s: %s", code, feedback_action_name(a), err.ptr);
	buf_release(&err);
}

static void test_repo(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	json_t *norm, *errors, *o;
	char code[FEEDBACK_CODE_LEN + 1], secret[FEEDBACK_SECRET_LEN + 1];
	char code2[FEEDBACK_CODE_LEN + 1], secret2[FEEDBACK_SECRET_LEN + 1];
	seed(db);

	/* Units offered: provinces, then the units with a desk. */
	assert_int_equal(feedback_units(db, NULL, &o, &err), 0);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
	json_decref(o);
	assert_int_equal(feedback_units(db, "24", &o, &err), 0);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
	assert_string_equal(sv(json_array_get(json_object_get(o, "items"), 0),
			       "code"),
			    "10000");
	json_decref(o);

	/* Resolve: a unit without a desk, an unknown procedure, an
	 * unknown dossier. */
	norm = form("procedure", "10001", NULL);
	errors = json_object();
	json_object_set_new(norm, "procedure_code", json_string("9.999999"));
	assert_int_equal(feedback_resolve(db, norm, errors, &err), 0);
	assert_non_null(json_object_get(errors, "unit_code"));
	assert_non_null(json_object_get(errors, "procedure_code"));
	json_decref(norm);
	json_decref(errors);
	norm = form("dossier", "", NULL);
	errors = json_object();
	assert_int_equal(feedback_resolve(db, norm, errors, &err), 0);
	assert_non_null(strstr(sv(errors, "dossier_code"), "không tìm thấy"));
	json_decref(norm);
	json_decref(errors);

	/* Create a procedure feedback and an officer one. */
	norm = form("procedure", "10000", NULL);
	errors = json_object();
	assert_int_equal(feedback_resolve(db, norm, errors, &err), 0);
	assert_int_equal(json_object_size(errors), 0);
	assert_string_equal(sv(norm, "unit_parent"), "24");
	assert_int_equal(feedback_create(db, norm, T0, "192.0.2.7", code,
					 secret, &err),
			 0);
	json_decref(norm);
	assert_true(feedback_code_valid(code));
	assert_int_equal(strlen(secret), FEEDBACK_SECRET_LEN);
	norm = form("officer", "00004", "Cán bộ bàn số 2");
	assert_int_equal(feedback_resolve(db, norm, errors, &err), 0);
	assert_int_equal(feedback_create(db, norm, T0 + 60, NULL, code2,
					 secret2, &err),
			 0);
	json_decref(norm);
	json_decref(errors);
	assert_string_not_equal(code, code2);

	/* The secret: right, wrong, another's, unknown code: alike. */
	assert_int_equal(feedback_check_secret(db, code, secret, &err), 0);
	assert_int_equal(feedback_check_secret(db, code, secret2, &err),
			 MC_ENOTFOUND);
	assert_int_equal(feedback_check_secret(db, "PA261127-22222", secret,
					       &err),
			 MC_ENOTFOUND);
	assert_int_equal(feedback_check_secret(db, code, "x", &err),
			 MC_ENOTFOUND);

	/* The citizen's view has no sender and no actors. */
	assert_int_equal(feedback_get(db, code, 0, &o, &err), 0);
	assert_string_equal(sv(o, "state"), "received");
	assert_string_equal(sv(o, "unit_name"), "Phường Kinh Bắc");
	assert_null(json_object_get(o, "sender"));
	assert_null(json_object_get(json_array_get(json_object_get(o, "events"),
						   0),
				    "actor"));
	json_decref(o);
	assert_int_equal(feedback_get(db, code, FEEDBACK_OFFICER, &o, &err), 0);
	assert_string_equal(sv(json_object_get(o, "sender"), "phone"),
			    "0912345678");
	json_decref(o);

	/* Ask for information; a stale form is refused and writes
	 * nothing. */
	act_ok(db, code, FBA_ASK_INFO, "Ghi rõ giấy tờ nào.", 1, T0 + 3600);
	struct feedback_act_in stale = { .action = FBA_ANSWER,
					 .note = "Trả lời", .version = 1,
					 .actor = &officer };
	buf_reset(&err);
	assert_int_equal(feedback_act(db, code, &stale, T0 + 3700, &err),
			 MC_ECONFLICT);
	/* Not allowed now: answering while waiting for the citizen. */
	stale.version = 2;
	assert_int_equal(feedback_act(db, code, &stale, T0 + 3700, &err),
			 MC_EINVALID);
	/* A missing note. */
	struct feedback_act_in empty = { .action = FBA_SUPPLY_INFO, .note = " ",
					 .version = -1 };
	buf_reset(&err);
	assert_int_equal(feedback_act(db, code, &empty, T0 + 3700, &err),
			 MC_EINVALID);
	assert_string_equal(err.ptr, "Thông tin bổ sung: không được để trống");
	act_ok(db, code, FBA_SUPPLY_INFO, "Tờ khai và bản sao CCCD.", -1,
	       T0 + 86400 * 3);
	act_ok(db, code, FBA_ANSWER, "Đã rút gọn còn một tờ khai.", 3,
	       T0 + 86400 * 5);
	act_ok(db, code, FBA_PUBLISH, "", 4, T0 + 86400 * 6);
	act_ok(db, code, FBA_RATE, NULL, -1, T0 + 86400 * 7);
	struct feedback_act_in again = { .action = FBA_RATE, .version = -1 };
	assert_int_equal(feedback_act(db, code, &again, T0 + 86400 * 8, &err),
			 MC_EINVALID);
	assert_int_equal(feedback_get(db, code, 0, &o, &err), 0);
	assert_string_equal(sv(o, "state"), "published");
	assert_true(json_is_true(json_object_get(o, "satisfied")));
	assert_string_equal(sv(o, "answer"), "Đã rút gọn còn một tờ khai.");
	assert_int_equal(json_array_size(json_object_get(o, "events")), 6);
	json_t *p = json_array_get(
		json_object_get(json_object_get(o, "times"), "pauses"), 0);
	assert_int_equal(json_integer_value(json_array_get(p, 0)), T0 + 3600);
	assert_int_equal(json_integer_value(json_array_get(p, 1)),
			 T0 + 86400 * 3);
	json_decref(o);

	/* An officer feedback is never published. */
	act_ok(db, code2, FBA_ANSWER, "Đã nhắc nhở cán bộ.", 1, T0 + 86400);
	struct feedback_act_in pub = { .action = FBA_PUBLISH, .version = 2,
				       .actor = &officer };
	assert_int_equal(feedback_act(db, code2, &pub, T0 + 86400, &err),
			 MC_EINVALID);

	/* Events and audit entries: 2 creations + 5 + 1 actions (the
	 * refused ones wrote nothing). */
	assert_int_equal(testdb_count(db, "SELECT count(*) FROM feedback_events"), 8);
	assert_int_equal(testdb_count(db, "SELECT count(*) FROM audit_log WHERE"
				   " action LIKE 'feedback.%'"),
			 8);
	assert_int_equal(testdb_count(db, "SELECT count(*) FROM audit_log WHERE"
				   " action = 'feedback.answer' AND"
				   " actor = 'thu'"),
			 2);

	/* The sender is told by e-mail (the outbox, in the same
	 * transaction): the request for information and the two answers;
	 * not the citizen's own actions, not the refused ones. */
	assert_int_equal(testdb_count(db, "SELECT count(*) FROM outbox WHERE"
				   " target = 'an@example.vn' AND event IN"
				   " ('feedback_info_requested',"
				   " 'feedback_answered')"),
			 3);
	assert_int_equal(testdb_count(db, "SELECT count(*) FROM outbox"), 3);

	/* The queue by scope: all (any state), a commune, its province,
	 * another province. */
	const char *u_commune[] = { "10000" }, *u_prov[] = { "24" },
		   *u_other[] = { "01" };
	struct feedback_queue_q q = { .state = "all", .page = 1 };
	assert_int_equal(feedback_queue(db, &q, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
	json_decref(o);
	q.units = u_commune;
	q.n_units = 1;
	assert_int_equal(feedback_queue(db, &q, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	json_decref(o);
	q.units = u_prov;
	assert_int_equal(feedback_queue(db, &q, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	assert_string_equal(sv(json_array_get(json_object_get(o, "items"), 0),
			       "code"),
			    code);
	json_decref(o);
	q.units = u_other;
	assert_int_equal(feedback_queue(db, &q, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	assert_string_equal(sv(json_array_get(json_object_get(o, "items"), 0),
			       "code"),
			    code2);
	json_decref(o);
	/* Open ones only: both are done (published; an answered officer
	 * feedback). */
	q.units = NULL;
	q.state = NULL;
	assert_int_equal(feedback_queue(db, &q, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
	json_decref(o);
	q.state = "bogus";
	assert_int_equal(feedback_queue(db, &q, &o, &err), MC_EINVALID);

	/* The public list: the published one, without the sender. */
	assert_int_equal(feedback_public_list(db, 1, 0, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	char *dump = json_dumps(o, 0);
	assert_null(strstr(dump, "Nguyễn Văn An"));
	assert_null(strstr(dump, "0912345678"));
	assert_null(strstr(dump, "thu"));
	assert_non_null(strstr(dump, "Đã rút gọn"));
	free(dump);
	json_decref(o);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest pure[] = { cmocka_unit_test(test_check) };
	const struct CMUnitTest repo[] = { cmocka_unit_test(test_repo) };
	int failed = cmocka_run_group_tests_name("feedback", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("feedback-sqlite", repo,
					      setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("feedback-postgresql",
						      repo, setup_pg, teardown);
	else
		printf("NOTE test_feedback_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return failed ? 1 : 0;
}
