/*
 * test_rating_repo.c - store/rating_repo.h and store/lookup_repo.h on SQLite
 * (a temporary file) and, when MOTCUA_TEST_PG is set, PostgreSQL: the
 * second factor (secret, last 4 of phone or ID; unknown code and wrong
 * factor give the same answer), the public model (masked name, timeline
 * without internal notes or send_back, missing items, result place,
 * apology date), a rating refused before the result, created once with its
 * officers and audit entry, a second refused, the inspector's list with
 * scope, filters and summary.
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

#include "core/calendar.h"
#include "store/db.h"
#include "store/dossier_repo.h"
#include "store/lookup_repo.h"
#include "store/migrate.h"
#include "store/rating_repo.h"
#include "util/err.h"

#include "testdb.h"

static struct calendar cal;
static struct deadline dl;
static const struct auth_actor officer = { 3, "mai.motcua", "127.0.0.1" };

static int create(struct db *db, const char *key, mc_time now,
		  struct dossier_created *out, struct buf *err)
{
	struct dossier_create_in in;
	struct dossier_component_in comp = { 1, "Tờ khai", DCM_ORIGINAL, 1, 0,
					     0, NULL };
	memset(&in, 0, sizeof in);
	in.action = DA_RECEIVE;
	in.procedure_code = "P1";
	in.desk_id = 1;
	in.channel = DCH_COUNTER;
	in.request = "Đăng ký";
	in.applicant.name = "Nguyễn Văn A";
	in.applicant.id_number = "027090012345";
	in.applicant.phone = "0912 345 678";
	in.n_components = 1;
	in.components = &comp;
	return dossier_create(db, &in, key, &dl, NULL, now, &officer, out, err);
}

static const struct auth_actor leader = { 4, "lan.lanhdao", "127.0.0.1" };

static void act(struct db *db, const char *code, enum dossier_action a,
		int64_t version, mc_time at, const struct auth_actor *who,
		struct dossier_act_in *extra)
{
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct buf err = BUF_INIT;
	if (extra)
		in = *extra;
	else
		memset(&in, 0, sizeof in);
	in.action = a;
	in.expected_version = version;
	if (dossier_act(db, code, &in, &dl, NULL, NULL, at, who, &out, &err))
		fail_msg("%s: %s", dossier_action_name(a), err.ptr);
	buf_release(&err);
}

static struct rating good(void)
{
	struct rating r;
	memset(&r, 0, sizeof r);
	r.scores[RC_TIME] = 2;
	r.scores[RC_TRIPS] = 1;
	r.scores[RC_AGENCIES] = 1;
	r.scores[RC_ATTITUDE] = 2;
	r.scores[RC_PUBLICITY] = 2;
	r.level = RL_VERY_SATISFIED;
	r.comment = "Nhanh, gọn.";
	return r;
}

static const char *jstr(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);
	if (path2)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "rating");
	testdb_seed_desk(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "rating");
	testdb_seed_desk(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

static void test_verify(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct buf err = BUF_INIT, e1 = BUF_INIT, e2 = BUF_INIT;
	if (create(c->db, NULL, testdb_time("2026-03-02 08:00"), &a, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(lookup_verify(c->db, a.code, a.secret, NULL, &err), 0);
	assert_int_equal(lookup_verify(c->db, a.code, NULL, "5678", &err), 0);
	assert_int_equal(lookup_verify(c->db, a.code, "", "2345", &err), 0);
	/* wrong factors and unknown codes: the same answer and message */
	assert_int_equal(lookup_verify(c->db, a.code, NULL, "1111", &e1),
			 MC_ENOTFOUND);
	assert_int_equal(lookup_verify(c->db, "H24.99-000000-0001", NULL,
				       "5678", &e2),
			 MC_ENOTFOUND);
	assert_string_equal(e1.ptr, e2.ptr);
	buf_reset(&e1);
	assert_int_equal(lookup_verify(c->db, a.code,
				       "aaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, &e1),
			 MC_ENOTFOUND);
	assert_string_equal(e1.ptr, e2.ptr);
	assert_int_equal(lookup_verify(c->db, a.code, NULL, NULL, &err),
			 MC_ENOTFOUND);
	assert_int_equal(lookup_verify(c->db, a.code, NULL, "567", &err),
			 MC_ENOTFOUND);
	/* lookup_open: the same answers, with the model when it matches */
	{
		json_t *m = NULL;
		int64_t wait = 0;
		assert_int_equal(lookup_open(c->db, a.code, a.secret, NULL,
					     NULL, testdb_time("2026-03-02 09:00"), &wait, &m, &err),
				 0);
		assert_string_equal(json_string_value(json_object_get(m,
								      "code")),
				    a.code);
		json_decref(m);
		assert_int_equal(lookup_open(c->db, a.code, NULL, "2345",
					     NULL, testdb_time("2026-03-02 09:00"), &wait, &m, &err),
				 0);
		json_decref(m);
		assert_int_equal(lookup_open(c->db, a.code, NULL, "9999",
					     NULL, testdb_time("2026-03-02 09:00"), &wait, &m, &err),
				 MC_ENOTFOUND);
		assert_null(m);
		assert_int_equal(lookup_open(c->db, "NO-SUCH", NULL, "2345",
					     NULL, testdb_time("2026-03-02 09:00"), &wait, &m, &err),
				 MC_ENOTFOUND);
		assert_int_equal(lookup_open(c->db, a.code,
					     "aaaaaaaaaaaaaaaaaaaaaaaaaa", "2345",
					     NULL, testdb_time("2026-03-02 09:00"), &wait, &m, &err),
				 MC_ENOTFOUND);
	}
	/* a throttled key: refused before any check, known code or not */
	testdb_exec(c->db, "INSERT INTO login_throttle (throttle_key, failures, "
		       "last_failure_at, next_allowed_at) VALUES ('lookup:t', 9, "
		       "0, 9999999999)");
	{
		json_t *m = NULL;
		int64_t wait = 0;
		assert_int_equal(lookup_open(c->db, a.code, a.secret, NULL,
					     "lookup:t", testdb_time("2026-03-02 09:00"),
					     &wait, &m, &err),
				 MC_EFORBIDDEN);
		assert_true(wait > 0);
		wait = 0;
		assert_int_equal(lookup_open(c->db, "NO-SUCH", a.secret, NULL,
					     "lookup:t", testdb_time("2026-03-02 09:00"),
					     &wait, &m, &err),
				 MC_EFORBIDDEN);
		assert_true(wait > 0);
		assert_int_equal(lookup_open(c->db, a.code, a.secret, NULL,
					     "lookup:other",
					     testdb_time("2026-03-02 09:00"), &wait, &m,
					     &err),
				 0);
		json_decref(m);
	}
	/* a secret given wrong never falls back to last 4 */
	assert_int_equal(lookup_verify(c->db, a.code, "x", "5678", &err),
			 MC_ENOTFOUND);
	buf_release(&err);
	buf_release(&e1);
	buf_release(&e2);
}

static void test_model_and_rating(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct dossier_act_in x;
	struct buf err = BUF_INIT;
	json_t *m = NULL, *tl, *list = NULL, *one = NULL;
	const char *items[] = { "Bản sao Giấy khai sinh", "Tờ khai" };
	struct rating r = good();
	int64_t id = 0;
	char *dump;

	if (create(c->db, NULL, testdb_time("2026-03-09 08:00"), &a, &err))
		fail_msg("%s", err.ptr);
	memset(&x, 0, sizeof x);
	x.note = "NỘI BỘ: gọi anh Bình";
	act(c->db, a.code, DA_FORWARD, 1, testdb_time("2026-03-09 09:00"), &officer,
	    &x);
	x.n_items = 2;
	x.items = items;
	act(c->db, a.code, DA_REQUEST_SUPPLEMENT, 2, testdb_time("2026-03-09 10:00"),
	    &officer, &x);

	assert_int_equal(lookup_model(c->db, a.code, testdb_time("2026-03-09 11:00"), &m,
				      &err),
			 0);
	assert_string_equal(jstr(m, "applicant_name", NULL), "Nguyễn V** A**");
	assert_string_equal(jstr(m, "state", NULL), "supplement_requested");
	assert_int_equal(json_array_size(json_object_get(m, "missing")), 2);
	assert_non_null(strstr(jstr(m, "status_text", NULL),
			       "bổ sung: Bản sao Giấy khai sinh; Tờ khai."));
	assert_false(json_is_true(json_object_get(m, "can_rate")));
	dump = json_dumps(m, 0);
	assert_null(strstr(dump, "NỘI BỘ"));
	assert_null(strstr(dump, "mai.motcua"));
	assert_null(strstr(dump, "027090012345"));
	assert_null(strstr(dump, "0912"));
	free(dump);
	tl = json_object_get(m, "timeline");
	assert_int_equal(json_array_size(tl), 3);
	assert_string_equal(jstr(json_array_get(tl, 0), "kind", NULL),
			    "received");
	assert_string_equal(jstr(json_array_get(tl, 1), "kind", NULL), "step");
	assert_non_null(strstr(jstr(json_array_get(tl, 1), "text", NULL),
			       "Thẩm định, xử lý hồ sơ"));
	assert_string_equal(jstr(json_array_get(tl, 2), "kind", NULL),
			    "supplement");
	json_decref(m);

	/* not rateable before the result */
	assert_int_equal(rating_create(c->db, a.code, &r, "lookup",
				       testdb_time("2026-03-09 11:00"), NULL, &id, &err),
			 MC_EINVALID);
	assert_string_equal(err.ptr,
			    "Hồ sơ chưa có kết quả: chưa thể đánh giá.");
	buf_reset(&err);

	memset(&x, 0, sizeof x);
	act(c->db, a.code, DA_RECEIVE_SUPPLEMENT, 3, testdb_time("2026-03-10 08:00"),
	    &officer, NULL);
	act(c->db, a.code, DA_FORWARD, 4, testdb_time("2026-03-10 09:00"), &officer,
	    NULL);
	x.new_due = testdb_time("2026-03-20 16:00");
	x.note = "xin lỗi";
	act(c->db, a.code, DA_APOLOGIZE, 5, testdb_time("2026-03-10 10:00"), &leader, &x);
	memset(&x, 0, sizeof x);
	x.result_number = "12/QĐ";
	act(c->db, a.code, DA_RECORD_RESULT, 6, testdb_time("2026-03-10 11:00"), &leader,
	    &x);
	assert_int_equal(lookup_model(c->db, a.code, testdb_time("2026-03-10 12:00"), &m,
				      &err),
			 0);
	assert_true(json_is_true(json_object_get(m, "result_ready")));
	assert_non_null(strstr(jstr(m, "status_text", NULL),
			       "Đã có kết quả, nhận tại Một cửa Xã A"));
	assert_string_equal(jstr(m, "apology", "new_due_text"),
			    "16:00 ngày 20/03/2026");
	json_decref(m);

	memset(&x, 0, sizeof x);
	x.collected_by = "Nguyễn Văn A";
	act(c->db, a.code, DA_RETURN, 7, testdb_time("2026-03-11 08:00"), &officer, &x);
	assert_int_equal(lookup_model(c->db, a.code, testdb_time("2026-03-11 09:00"), &m,
				      &err),
			 0);
	assert_true(json_is_true(json_object_get(m, "can_rate")));
	assert_true(json_is_null(json_object_get(m, "rating")));
	json_decref(m);

	assert_int_equal(rating_create(c->db, a.code, &r, "lookup",
				       testdb_time("2026-03-11 09:00"), NULL, &id, &err),
			 0);
	assert_true(id > 0);
	/* once only */
	r.level = RL_DISSATISFIED;
	assert_int_equal(rating_create(c->db, a.code, &r, "kiosk",
				       testdb_time("2026-03-11 09:05"), &officer, NULL,
				       &err),
			 MC_ECONFLICT);
	assert_non_null(strstr(err.ptr, "chỉ được đánh giá một lần"));
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM ratings"), 1);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM rating_officers"),
			 2);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM audit_log WHERE "
				      "action = 'rating.create'"),
			 1);
	assert_int_equal(rating_get(c->db, a.code, &one, &err), 0);
	assert_string_equal(jstr(one, "level", NULL), "very_satisfied");
	assert_int_equal(json_integer_value(json_object_get(one, "total")), 8);
	json_decref(one);
	assert_int_equal(lookup_model(c->db, a.code, testdb_time("2026-03-11 09:10"), &m,
				      &err),
			 0);
	assert_false(json_is_true(json_object_get(m, "can_rate")));
	assert_string_equal(jstr(m, "rating", "level_label"), "Rất hài lòng");
	json_decref(m);

	/* the inspector's list: scope by unit and by province */
	{
		const char *prov[] = { "24" };
		const char *other[] = { "01" };
		struct rating_list_q q;
		memset(&q, 0, sizeof q);
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 1);
		json_t *it = json_array_get(json_object_get(list, "items"), 0);
		assert_int_equal(json_array_size(json_object_get(it,
								 "officers")),
				 2);
		assert_string_equal(jstr(it, "dossier", "state"), "returned");
		json_decref(list);
		q.units = prov;
		q.n_units = 1;
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 1);
		json_decref(list);
		q.units = other;
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 0);
		json_decref(list);
		q.units = NULL;
		q.officer_id = leader.id;
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 1);
		json_decref(list);
		q.officer_id = 999;
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 0);
		json_decref(list);
		q.officer_id = 0;
		q.complaints_only = true;
		assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(list,
								    "total")),
				 0);
		json_decref(list);
	}
	buf_release(&err);
}

static void test_refused_rateable(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct dossier_act_in x;
	struct buf err = BUF_INIT;
	struct rating r = good();
	json_t *m = NULL, *list = NULL;
	struct rating_list_q q;

	if (create(c->db, NULL, testdb_time("2026-03-16 08:00"), &a, &err))
		fail_msg("%s", err.ptr);
	memset(&x, 0, sizeof x);
	x.note = "Không đủ điều kiện theo quy định";
	act(c->db, a.code, DA_REFUSE, 1, testdb_time("2026-03-16 09:00"), &leader, &x);
	assert_int_equal(lookup_model(c->db, a.code, testdb_time("2026-03-16 10:00"), &m,
				      &err),
			 0);
	assert_string_equal(jstr(m, "reason", NULL),
			    "Không đủ điều kiện theo quy định");
	assert_true(json_is_true(json_object_get(m, "can_rate")));
	json_decref(m);
	r.scores[RC_ATTITUDE] = 0;
	r.level = RL_DISSATISFIED;
	r.comment = NULL;
	assert_int_equal(rating_create(c->db, a.code, &r, "api",
				       testdb_time("2026-03-16 10:00"), NULL, NULL, &err),
			 0);
	memset(&q, 0, sizeof q);
	q.complaints_only = true;
	assert_int_equal(rating_list(c->db, &q, &list, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(list,
								 "summary"),
						 "by_level"),
				 "dissatisfied")),
			 1);
	json_decref(list);
	assert_int_equal(rating_create(c->db, "NO-SUCH", &r, "api",
				       testdb_time("2026-03-16 10:00"), NULL, NULL, &err),
			 MC_ENOTFOUND);
	buf_release(&err);
}

#define TESTS                                     \
	cmocka_unit_test(test_verify),            \
	cmocka_unit_test(test_model_and_rating),  \
	cmocka_unit_test(test_refused_rateable)

int main(void)
{
	struct buf err = BUF_INIT;
	struct officehours oh;
	const struct CMUnitTest tests[] = { TESTS };
	calendar_init(&cal, 2025, 2027);
	if (calendar_finish(&cal, &err))
		fail_msg("calendar");
	officehours_default(&oh);
	if (deadline_init(&dl, &cal, &oh, NULL, &err))
		fail_msg("deadline");
	int failed = cmocka_run_group_tests_name("rating-sqlite", tests,
						 setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("rating-postgresql",
						      tests, setup_pg,
						      teardown);
	else
		printf("NOTE test_rating_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	deadline_release(&dl);
	calendar_release(&cal);
	buf_release(&err);
	return failed ? 1 : 0;
}
