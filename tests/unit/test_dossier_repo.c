/*
 * test_dossier_repo.c - store/dossier_repo.h on SQLite (a temporary file)
 * and, when MOTCUA_TEST_PG is set, PostgreSQL (a schema of its own):
 * creation (code format, book numbers, secret), idempotency (same key
 * twice: one dossier), the daily sequence under 4 threads x 2 connections
 * (no duplicate), actions with events and audit, optimistic conflict,
 * authorization, replay after a walk of actions, queues and counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/calendar.h"
#include "store/db.h"
#include "store/dossier_repo.h"
#include "store/migrate.h"
#include "util/err.h"

#include "testdb.h"

static struct calendar cal;
static struct deadline dl;
static const struct auth_actor officer = { 3, "mai.motcua", "127.0.0.1" };

static struct db *open_conn(struct testdb *c)
{
	struct db *db;
	struct buf err = BUF_INIT;
	if (db_open(c->url, &db, &err))
		fail_msg("%s", err.ptr);
	if (c->pg) {
		char sql[128];
		snprintf(sql, sizeof sql, "SET search_path TO %s", c->schema);
		testdb_exec(db, sql);
	}
	buf_release(&err);
	return db;
}

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
	in.n_components = 1;
	in.components = &comp;
	return dossier_create(db, &in, key, &dl, NULL, now, &officer, out, err);
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "dossier");
	testdb_seed_desk(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "dossier");
	testdb_seed_desk(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

static void test_create_idem(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a, b;
	struct buf err = BUF_INIT;
	mc_time now = testdb_time("2026-03-02 08:00");
	if (create(c->db, "form-1", now, &a, &err))
		fail_msg("%s", err.ptr);
	assert_string_equal(a.code, "H24.99-260302-0001");
	assert_int_equal(strlen(a.secret), DOSSIER_SECRET_LEN);
	assert_true(a.due_at == testdb_time("2026-03-05 17:00"));
	assert_int_equal(a.book_no, 1);
	assert_int_equal(a.fee_dong, 50000);
	assert_int_equal(create(c->db, "form-1", now + 1, &b, &err), 0);
	assert_true(b.replayed);
	assert_string_equal(b.code, a.code);
	assert_string_equal(b.secret, "");
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossiers"), 1);
	assert_int_equal(dossier_check_secret(c->db, a.code, a.secret, &err), 0);
	assert_int_equal(dossier_check_secret(c->db, a.code,
					      "aaaaaaaaaaaaaaaaaaaaaaaaaa", &err),
			 MC_ENOTFOUND);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM audit_log WHERE "
				      "action = 'dossier.receive'"), 1);
	buf_release(&err);
}

struct thr {
	struct testdb *c;
	int n;
	char codes[50][DOSSIER_CODE_MAX];
	int failed;
};

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct db *dbs[2] = { open_conn(t->c), open_conn(t->c) };
	for (int i = 0; i < 20; i++) {
		struct dossier_created o;
		struct buf err = BUF_INIT;
		if (create(dbs[i % 2], NULL, testdb_time("2026-03-03 09:00"), &o, &err)) {
			fprintf(stderr, "create: %s\n", err.ptr);
			t->failed++;
		} else {
			snprintf(t->codes[t->n++], DOSSIER_CODE_MAX, "%s", o.code);
		}
		buf_release(&err);
	}
	db_close(dbs[0]);
	db_close(dbs[1]);
	return NULL;
}

static void test_sequence_threads(void **state)
{
	struct testdb *c = *state;
	static struct thr t[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof t[i]);
		t[i].c = c;
		pthread_create(&th[i], NULL, worker, &t[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		assert_int_equal(t[i].failed, 0);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(DISTINCT code) FROM dossiers"
				      " WHERE code LIKE 'H24.99-260303-%'"), 80);
	assert_int_equal(testdb_count(c->db, "SELECT MAX(last) FROM dossier_counter "
				      "WHERE period = '260303'"), 80);
}

static void test_actions_conflict_replay(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct buf err = BUF_INIT, diff = BUF_INIT;
	mc_time now = testdb_time("2026-03-04 08:00");
	const char *items[] = { "Bản sao giấy khai sinh" };
	bool equal = false;
	if (create(c->db, NULL, now, &a, &err))
		fail_msg("%s", err.ptr);
	memset(&in, 0, sizeof in);
	in.action = DA_FORWARD;
	in.expected_version = 1;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 60, &officer, &out, &err), 0);
	assert_int_equal(out.to, DS_IN_PROGRESS);
	assert_int_equal(out.version, 2);
	/* stale version */
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 120, &officer, &out, &err),
			 MC_ECONFLICT);
	assert_non_null(strstr(err.ptr, "phiên bản 2"));
	/* a receiver may not do the specialist's step */
	struct principal p;
	memset(&p, 0, sizeof p);
	p.user_id = 9;
	authz_add_grant(&p, ROLE_RECEIVER, "10000");
	in.expected_version = 2;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, &p,
				     now + 120, &officer, &out, &err),
			 MC_EFORBIDDEN);
	authz_add_grant(&p, ROLE_SPECIALIST, "24");
	in.action = DA_REQUEST_SUPPLEMENT;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, &p,
				     now + 120, &officer, &out, &err),
			 MC_EINVALID); /* no items */
	in.n_items = 1;
	in.items = items;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, &p,
				     now + 120, &officer, &out, &err), 0);
	in.action = DA_FORWARD;
	in.expected_version = 3;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 180, &officer, &out, &err), MC_EINVALID);
	assert_string_equal(err.ptr, "Hồ sơ đang chờ bổ sung: không thể chuyển bước");
	in.action = DA_RECEIVE_SUPPLEMENT;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     testdb_time("2026-03-05 08:00"), &officer, &out, &err), 0);
	in.expected_version = 4;
	in.action = DA_FORWARD;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     testdb_time("2026-03-05 09:00"), &officer, &out, &err), 0);
	in.expected_version = 5;
	in.action = DA_RECORD_RESULT;
	in.result_number = "12/QĐ";
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     testdb_time("2026-03-05 10:00"), &officer, &out, &err), 0);
	in.expected_version = 6;
	in.action = DA_RETURN;
	in.collected_by = "Nguyễn Văn A";
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     testdb_time("2026-03-06 10:00"), &officer, &out, &err), 0);
	assert_int_equal(out.to, DS_RETURNED);
	assert_int_equal(dossier_replay(c->db, a.code, NULL, &equal, &diff,
					&err), 0);
	assert_true(equal);
	/* tamper with the row: replay names the field */
	testdb_exec(c->db, "UPDATE dossiers SET due_at = due_at + 60 WHERE id = "
		       "(SELECT MAX(id) FROM dossiers)");
	assert_int_equal(dossier_replay(c->db, a.code, NULL, &equal, &diff,
					&err), 0);
	assert_false(equal);
	assert_non_null(strstr(diff.ptr, "due_at"));
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_events e "
				      "JOIN dossiers d ON d.id = e.dossier_id "
				      "WHERE d.id = (SELECT MAX(id) FROM "
				      "dossiers)"), 7);
	json_t *m = NULL;
	assert_int_equal(dossier_get(c->db, a.code, DOSSIER_WITH_EVENTS,
				     now, NULL, &m, &err), 0);
	assert_string_equal(json_string_value(json_object_get(m, "classification")),
			    "early"); /* result 03-05, due 03-09 */
	assert_null(json_object_get(json_object_get(m, "applicant"), "name"));
	json_decref(m);
	buf_release(&err);
	buf_release(&diff);
}

static void test_queue(void **state)
{
	struct testdb *c = *state;
	struct dossier_queue_q q;
	struct buf err = BUF_INIT;
	json_t *out = NULL;
	const char *units[] = { "10000" };
	memset(&q, 0, sizeof q);
	q.role = ROLE_RECEIVER;
	q.units = units;
	q.n_units = 1;
	if (dossier_queue(c->db, &q, testdb_time("2026-03-06 16:00"), &out, &err))
		fail_msg("%s", err.ptr);
	json_t *counts = json_object_get(out, "counts");
	int64_t total = json_integer_value(json_object_get(counts, "total"));
	/* the 03-02 dossier (due 03-05 17:00) is overdue; the 80 of 03-03
	 * (due 03-06 17:00) are in their last 20%; the returned one is not
	 * in any queue */
	assert_int_equal(total, 81);
	assert_int_equal(json_integer_value(json_object_get(counts, "overdue")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(counts,
							    "approaching")), 80);
	json_decref(out);
	q.urgency = "approaching";
	q.per_page = 10;
	assert_int_equal(dossier_queue(c->db, &q, testdb_time("2026-03-06 16:00"), &out,
				       &err), 0);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 10);
	json_decref(out);
	/* the whole book of the year (print, CSV): per_page 0 on both
	 * databases (PostgreSQL refuses LIMIT -1) */
	assert_int_equal(dossier_book(c->db, 1, 2026, 1, 0, &out, &err), 0);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 82);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
				 json_object_get(out, "items"), 81), "no")), 82);
	json_decref(out);
	buf_release(&err);
}

static int64_t user(struct db *db, const char *name, enum role r,
		    const char *unit)
{
	struct buf err = BUF_INIT;
	int64_t id = 0;
	if (auth_user_create(db, NULL, name, name, "correct horse battery 9",
			     r, unit, testdb_time("2026-01-01 08:00"), &id, &err))
		fail_msg("user %s: %s", name, err.ptr);
	buf_release(&err);
	return id;
}

/* Workflow 1: forward to a chosen officer of the next step's role. */
static void test_assignee(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct buf err = BUF_INIT, diff = BUF_INIT;
	struct dossier row;
	json_t *m = NULL;
	bool equal = false;
	mc_time now = testdb_time("2026-04-01 08:00");
	int64_t s1 = user(c->db, "spec.xa", ROLE_SPECIALIST, "10000");
	int64_t s2 = user(c->db, "spec.tinh", ROLE_SPECIALIST, "24");
	int64_t rv = user(c->db, "recv.xa", ROLE_RECEIVER, "10000");
	int64_t hn = user(c->db, "spec.hn", ROLE_SPECIALIST, "01");
	if (create(c->db, NULL, now, &a, &err))
		fail_msg("%s", err.ptr);
	/* the candidates of step 1 (specialist): the commune's and the
	 * province's specialists, not the receiver, not Hà Nội's */
	assert_int_equal(dossier_assignees(c->db, a.code, 1, &m, &err), 0);
	assert_string_equal(json_string_value(json_object_get(m, "role")),
			    "specialist");
	json_t *items = json_object_get(m, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(items, 0), "username")),
			    "spec.tinh");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(items, 1), "id")), s1);
	json_decref(m);
	assert_int_equal(dossier_assignees(c->db, a.code, 9, &m, &err),
			 MC_EINVALID);
	memset(&in, 0, sizeof in);
	in.action = DA_FORWARD;
	in.expected_version = 1;
	/* a receiver, an officer of another province, nobody: refused */
	int64_t bad[] = { rv, hn, 999999 };
	for (int i = 0; i < 3; i++) {
		in.assignee_id = bad[i];
		buf_reset(&err);
		assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL,
					     NULL, now + 60, &officer, &out,
					     &err), MC_EINVALID);
		assert_non_null(strstr(err.ptr, "Người được giao"));
	}
	in.assignee_id = s2;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 60, &officer, &out, &err), 0);
	assert_int_equal(dossier_load(c->db, a.code, &row, NULL, &err), 0);
	assert_int_equal(row.assignee_id, s2);
	assert_int_equal(row.queue_role, ROLE_SPECIALIST);
	/* the commune's specialist may not act on a step given to s2 */
	struct principal p;
	memset(&p, 0, sizeof p);
	p.user_id = s1;
	authz_add_grant(&p, ROLE_SPECIALIST, "10000");
	in.assignee_id = 0;
	in.expected_version = 2;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, &p,
				     now + 120, &officer, &out, &err),
			 MC_EFORBIDDEN);
	/* only forward and send_back take an assignee */
	in.action = DA_PAUSE;
	in.assignee_id = s1;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 120, &officer, &out, &err),
			 MC_EINVALID);
	/* s2 forwards to the leader's queue: the queue again */
	memset(&p, 0, sizeof p);
	p.user_id = s2;
	authz_add_grant(&p, ROLE_SPECIALIST, "24");
	in.action = DA_FORWARD;
	in.assignee_id = 0;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, &p,
				     now + 180, &officer, &out, &err), 0);
	assert_int_equal(dossier_load(c->db, a.code, &row, NULL, &err), 0);
	assert_int_equal(row.assignee_id, 0);
	/* send back to step 1, to s1 by name */
	in.action = DA_SEND_BACK;
	in.to_step = 1;
	in.assignee_id = s1;
	in.expected_version = 3;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 240, &officer, &out, &err), 0);
	assert_int_equal(dossier_load(c->db, a.code, &row, NULL, &err), 0);
	assert_int_equal(row.assignee_id, s1);
	assert_int_equal(row.step, 1);
	assert_int_equal(dossier_events_list(c->db, a.code, &m, &err), 0);
	json_t *last = json_array_get(json_object_get(m, "items"), 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(last, "payload"), "assignee_id")),
			 s1);
	json_decref(m);
	assert_int_equal(dossier_replay(c->db, a.code, NULL, &equal, &diff,
					&err), 0);
	assert_true(equal);
	buf_release(&err);
	buf_release(&diff);
}

/* Workflow 2: a keyed action applies once; other uses of the key are
 * conflicts; keys expire. */
static void test_action_keys(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct buf err = BUF_INIT, diff = BUF_INIT;
	const struct auth_actor other = { 4, "lan.motcua", NULL };
	const char *items[] = { "Tờ khai" };
	bool equal = false;
	char sql[256];
	mc_time now = testdb_time("2026-04-02 08:00");
	if (create(c->db, NULL, now, &a, &err))
		fail_msg("%s", err.ptr);
	memset(&in, 0, sizeof in);
	in.action = DA_FORWARD;
	in.expected_version = 1;
	in.idem_key = "form-k1";
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 60, &officer, &out, &err), 0);
	assert_false(out.replayed);
	assert_int_equal(out.version, 2);
	/* the double click: the first result, nothing applied again */
	memset(&out, 0, sizeof out);
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 61, &officer, &out, &err), 0);
	assert_true(out.replayed);
	assert_int_equal(out.version, 2);
	assert_int_equal(out.event_seq, 2);
	assert_int_equal(out.from, DS_RECEIVED);
	assert_int_equal(out.to, DS_IN_PROGRESS);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE "
		 "object_id = '%s' AND action = 'dossier.forward'", a.code);
	assert_int_equal(testdb_count(c->db, sql), 1);
	/* the same key for another action, or by another officer */
	in.action = DA_REQUEST_SUPPLEMENT;
	in.n_items = 1;
	in.items = items;
	in.expected_version = 2;
	buf_reset(&err);
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 62, &officer, &out, &err),
			 MC_ECONFLICT);
	assert_non_null(strstr(err.ptr, "Khóa chống gửi trùng"));
	in.action = DA_FORWARD;
	in.n_items = 0;
	in.expected_version = 1;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 62, &other, &out, &err),
			 MC_ECONFLICT);
	/* a stale version without a key is still a conflict */
	in.idem_key = NULL;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 63, &officer, &out, &err),
			 MC_ECONFLICT);
	in.idem_key = "form-k2";
	in.expected_version = 2;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 64, &officer, &out, &err), 0);
	assert_int_equal(out.version, 3);
	/* keys are too long or empty */
	in.idem_key = "";
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + 65, &officer, &out, &err),
			 MC_EINVALID);
	/* after DOSSIER_ACT_KEY_TTL the key is forgotten (and deleted) */
	in.idem_key = "form-k1";
	in.action = DA_RECORD_RESULT;
	in.result_number = "7/QĐ";
	in.expected_version = 3;
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     now + DOSSIER_ACT_KEY_TTL + 120, &officer,
				     &out, &err), 0);
	assert_false(out.replayed);
	assert_int_equal(out.to, DS_RESULT_READY);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_action_keys"
				      " WHERE idem_key = 'form-k1'"), 1);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_action_keys"
				      " WHERE idem_key = 'form-k2'"), 0);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM dossiers WHERE code = "
		 "'%s' AND result_number = '7/QĐ'", a.code);
	assert_int_equal(testdb_count(c->db, sql), 1);
	assert_int_equal(dossier_replay(c->db, a.code, NULL, &equal, &diff,
					&err), 0);
	assert_true(equal);
	buf_release(&err);
	buf_release(&diff);
}

struct racer {
	struct testdb *c;
	const char *code;
	int rc;
	struct dossier_act_out out;
};

static void *race_forward(void *arg)
{
	struct racer *r = arg;
	struct db *db = open_conn(r->c);
	struct dossier_act_in in;
	struct buf err = BUF_INIT;
	memset(&in, 0, sizeof in);
	in.action = DA_FORWARD;
	in.expected_version = 1;
	in.idem_key = "race";
	r->rc = dossier_act(db, r->code, &in, &dl, NULL, NULL,
			    testdb_time("2026-04-03 08:05"), &officer, &r->out, &err);
	if (r->rc)
		fprintf(stderr, "race: %s\n", err.ptr);
	buf_release(&err);
	db_close(db);
	return NULL;
}

/* Two nodes receive the same keyed action at once: one applies it, the
 * other answers its result. */
static void test_action_key_race(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a;
	struct buf err = BUF_INIT;
	static struct racer r[4];
	pthread_t th[4];
	char sql[160];
	if (create(c->db, NULL, testdb_time("2026-04-03 08:00"), &a, &err))
		fail_msg("%s", err.ptr);
	for (int i = 0; i < 4; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].c = c;
		r[i].code = a.code;
		pthread_create(&th[i], NULL, race_forward, &r[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	int applied = 0;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r[i].rc, 0);
		assert_int_equal(r[i].out.version, 2);
		applied += !r[i].out.replayed;
	}
	assert_int_equal(applied, 1);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM dossier_events e JOIN "
		 "dossiers d ON d.id = e.dossier_id WHERE d.code = '%s'", a.code);
	assert_int_equal(testdb_count(c->db, sql), 2);
	buf_release(&err);
}

/* Workflow 5: payments with the time they were made, receipt numbers
 * unique per desk, a double click recorded once. */
static void test_payments(void **state)
{
	struct testdb *c = *state;
	struct dossier_created a, b, o;
	struct dossier_payment_in pin;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int64_t id1 = 0, id2 = 0;
	char sql[200];
	mc_time now = testdb_time("2026-04-06 09:00");
	if (create(c->db, NULL, testdb_time("2026-04-06 08:00"), &a, &err) ||
	    create(c->db, NULL, testdb_time("2026-04-06 08:05"), &b, &err))
		fail_msg("%s", err.ptr);
	memset(&pin, 0, sizeof pin);
	pin.amount = 50000;
	pin.method = "cash";
	pin.receipt_no = "BL-001";
	pin.at = testdb_time("2026-04-06 08:10");
	assert_int_equal(dossier_payment_add(c->db, a.code, &pin, now, &officer,
					     &id1, &err), 0);
	assert_true(id1 > 0);
	/* the double click: the same id, one row */
	assert_int_equal(dossier_payment_add(c->db, a.code, &pin, now + 2,
					     &officer, &id2, &err), 0);
	assert_int_equal(id2, id1);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM dossier_payments WHERE "
		 "receipt_no = 'BL-001'");
	assert_int_equal(testdb_count(c->db, sql), 1);
	/* the number again: on another dossier, another amount */
	struct {
		const char *code;
		int64_t amount;
		const char *method, *receipt;
		mc_time at;
		const char *want;
	} bad[] = {
		{ b.code, 50000, "cash", "BL-001", 0, "Số biên lai:" },
		{ a.code, 20000, "cash", "BL-001", 0, "Số biên lai:" },
		{ a.code, 20000, "card", "BL-002", 0, "Hình thức nộp:" },
		{ a.code, 0, "cash", "BL-002", 0, "Số tiền:" },
		{ a.code, 10, "cash", "BL-002", testdb_time("2026-04-06 10:00"),
		  "Thời điểm nộp:" },
		{ a.code, 10, "cash", "BL-002", testdb_time("2026-04-05 16:00"),
		  "Thời điểm nộp:" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&pin, 0, sizeof pin);
		pin.amount = bad[i].amount;
		pin.method = bad[i].method;
		pin.receipt_no = bad[i].receipt;
		pin.at = bad[i].at;
		buf_reset(&err);
		assert_int_equal(dossier_payment_add(c->db, bad[i].code, &pin,
						     now, &officer, NULL, &err),
				 MC_EINVALID);
		if (strncmp(err.ptr, bad[i].want, strlen(bad[i].want)))
			fail_msg("row %zu: %s", i, err.ptr);
	}
	/* at 0: now; the start of the creation day is allowed */
	memset(&pin, 0, sizeof pin);
	pin.amount = 1000;
	pin.method = "transfer";
	pin.receipt_no = "";
	assert_int_equal(dossier_payment_add(c->db, b.code, &pin, now, &officer,
					     NULL, &err), 0);
	assert_int_equal(dossier_payment_add(c->db, b.code, &pin, now, &officer,
					     NULL, &err), 0);
	pin.at = testdb_time("2026-04-06 00:00");
	pin.receipt_no = "BL-003";
	assert_int_equal(dossier_payment_add(c->db, b.code, &pin, now, &officer,
					     NULL, &err), 0);
	/* another desk has its own numbers */
	testdb_exec(c->db, "INSERT INTO units (era, code, name, full_name, type, "
		       "parent_code, level, name_key) VALUES ('2025', '10001', "
		       "'B', 'Xã B', 'Xã', '24', 3, 'b')");
	testdb_exec(c->db, "INSERT INTO desks (unit_code, name, agency_code) "
		       "VALUES ('10001', 'Một cửa Xã B', 'H24.98')");
	struct dossier_create_in in;
	memset(&in, 0, sizeof in);
	in.action = DA_RECEIVE;
	in.procedure_code = "P1";
	in.desk_id = testdb_count(c->db, "SELECT MAX(id) FROM desks");
	in.channel = DCH_COUNTER;
	in.applicant.name = "Trần B";
	if (dossier_create(c->db, &in, NULL, &dl, NULL, now, &officer, &o, &err))
		fail_msg("%s", err.ptr);
	pin.at = 0;
	pin.receipt_no = "BL-001";
	pin.amount = 50000;
	assert_int_equal(dossier_payment_add(c->db, o.code, &pin, now, &officer,
					     NULL, &err), 0);
	assert_int_equal(dossier_payments_list(c->db, a.code, &m, &err), 0);
	json_t *it = json_array_get(json_object_get(m, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "at")),
			    "2026-04-06T08:10:00+07:00");
	assert_string_equal(json_string_value(json_object_get(it,
							      "recorded_at")),
			    "2026-04-06T09:00:00+07:00");
	assert_int_equal(json_integer_value(json_object_get(m, "paid_dong")),
			 50000);
	assert_int_equal(json_integer_value(json_object_get(m, "due_dong")), 0);
	json_decref(m);
	assert_int_equal(dossier_payments_list(c->db, b.code, &m, &err), 0);
	assert_int_equal(json_array_size(json_object_get(m, "items")), 3);
	assert_int_equal(json_integer_value(json_object_get(m, "paid_dong")),
			 3000);
	json_decref(m);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE "
		 "action = 'dossier.payment' AND object_id = '%s' AND "
		 "after_json LIKE '%%08:10%%'", a.code);
	assert_int_equal(testdb_count(c->db, sql), 1);
	buf_release(&err);
}

/* One walk of actions (with a supplement round when `sup`). */
static const enum dossier_action walk[] = {
	DA_FORWARD, DA_REQUEST_SUPPLEMENT, DA_RECEIVE_SUPPLEMENT, DA_FORWARD,
	DA_RECORD_RESULT, DA_RETURN,
};

static void walk_in(enum dossier_action a, int64_t version,
		    struct dossier_act_in *in)
{
	static const char *const items[] = { "Tờ khai" };
	memset(in, 0, sizeof *in);
	in->action = a;
	in->expected_version = version;
	in->n_items = a == DA_REQUEST_SUPPLEMENT ? 1 : 0;
	in->items = items;
	in->result_number = a == DA_RECORD_RESULT ? "1/QĐ" : NULL;
	in->collected_by = a == DA_RETURN ? "Người nộp" : NULL;
}

/* Demo's bulk path: the same rows, events and audit entries as the one
 * call at a time path, in the caller's transaction. */
static void test_bulk(void **state)
{
	struct testdb *c = *state;
	struct dossier_bulk *bk;
	struct dossier_created a, b;
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct dossier_create_in ci;
	struct dossier ra, rb;
	struct buf err = BUF_INIT, diff = BUF_INIT;
	char codes[12][DOSSIER_CODE_MAX], sql[256];
	bool equal;
	mc_time t0 = testdb_time("2026-04-07 08:00");
	int64_t audit0 = testdb_count(c->db, "SELECT COUNT(*) FROM audit_log");
	memset(&ci, 0, sizeof ci);
	ci.action = DA_RECEIVE;
	ci.procedure_code = "P1";
	ci.desk_id = 1;
	ci.channel = DCH_COUNTER;
	ci.applicant.name = "Lê C";
	assert_int_equal(dossier_bulk_new(c->db, NULL, &bk), 0);
	/* outside a transaction: refused */
	assert_int_equal(dossier_bulk_create(bk, &ci, NULL, &dl, t0, &officer,
					     &a, &err), MC_EINVALID);
	if (db_begin(c->db, &err))
		fail_msg("%s", err.ptr);
	for (int i = 0; i < 12; i++) {
		mc_time at = t0 + i * 60;
		if (dossier_bulk_create(bk, &ci, NULL, &dl, at, &officer, &a,
					&err))
			fail_msg("bulk create: %s", err.ptr);
		snprintf(codes[i], sizeof codes[i], "%s", a.code);
		for (size_t k = 0; k < 6; k++) {
			if (i % 2 && (k == 1 || k == 2))
				continue;
			walk_in(walk[k], a.version, &in);
			at += 3600;
			if (dossier_bulk_act(bk, a.code, &in, &dl, at, &officer,
					     &out, &err))
				fail_msg("bulk %s: %s",
					 dossier_action_name(walk[k]), err.ptr);
			a.version = out.version;
		}
		/* a refusal writes nothing and the batch goes on */
		walk_in(DA_FORWARD, a.version, &in);
		assert_int_equal(dossier_bulk_act(bk, a.code, &in, &dl, at + 1,
						  &officer, &out, &err),
				 MC_EINVALID);
		walk_in(DA_FORWARD, 2, &in);
		assert_int_equal(dossier_bulk_act(bk, a.code, &in, &dl, at + 1,
						  &officer, &out, &err),
				 MC_ECONFLICT);
	}
	if (db_commit(c->db, &err))
		fail_msg("%s", err.ptr);
	/* events 5 or 7 per dossier, each with its audit entry */
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM audit_log") - audit0,
			 6 * 7 + 6 * 5);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(dossier_replay(c->db, codes[i], NULL, &equal,
						&diff, &err), 0);
		assert_true(equal);
	}
	/* the same walk one call at a time gives the same row */
	if (create(c->db, NULL, t0 + 60, &b, &err))
		fail_msg("%s", err.ptr);
	mc_time at = t0 + 60;
	for (size_t k = 0; k < 6; k++) {
		if (k == 1 || k == 2)
			continue;
		walk_in(walk[k], b.version, &in);
		at += 3600;
		if (dossier_act(c->db, b.code, &in, &dl, NULL, NULL, at,
				&officer, &out, &err))
			fail_msg("%s", err.ptr);
		b.version = out.version;
	}
	assert_int_equal(dossier_load(c->db, codes[1], &ra, NULL, &err), 0);
	assert_int_equal(dossier_load(c->db, b.code, &rb, NULL, &err), 0);
	buf_reset(&diff);
	assert_true(dossier_equal(&ra, &rb, &diff));
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM dossiers WHERE code = "
		 "'%s' AND result_number = '1/QĐ'", codes[1]);
	assert_int_equal(testdb_count(c->db, sql), 1);
	/* the handle over several transactions: a row changed by someone
	 * else meanwhile is read again (its version is not the cached one) */
	if (db_begin(c->db, &err))
		fail_msg("%s", err.ptr);
	if (dossier_bulk_create(bk, &ci, NULL, &dl, t0 + 7200, &officer, &a,
				&err))
		fail_msg("%s", err.ptr);
	db_commit(c->db, &err);
	walk_in(DA_FORWARD, 1, &in);
	assert_int_equal(dossier_act(c->db, a.code, &in, &dl, NULL, NULL,
				     t0 + 7300, &officer, &out, &err), 0);
	if (db_begin(c->db, &err))
		fail_msg("%s", err.ptr);
	walk_in(DA_FORWARD, 1, &in);
	assert_int_equal(dossier_bulk_act(bk, a.code, &in, &dl, t0 + 7400,
					  &officer, &out, &err), MC_ECONFLICT);
	walk_in(DA_FORWARD, 2, &in);
	assert_int_equal(dossier_bulk_act(bk, a.code, &in, &dl, t0 + 7400,
					  &officer, &out, &err), 0);
	assert_int_equal(out.version, 3);
	db_commit(c->db, &err);
	assert_int_equal(dossier_replay(c->db, a.code, NULL, &equal, &diff,
					&err), 0);
	assert_true(equal);
	dossier_bulk_free(bk);
	buf_release(&err);
	buf_release(&diff);
}

#define TESTS                                               \
	cmocka_unit_test(test_create_idem),                 \
	cmocka_unit_test(test_sequence_threads),            \
	cmocka_unit_test(test_actions_conflict_replay),     \
	cmocka_unit_test(test_queue),                       \
	cmocka_unit_test(test_assignee),                    \
	cmocka_unit_test(test_action_keys),                 \
	cmocka_unit_test(test_action_key_race),             \
	cmocka_unit_test(test_payments),                    \
	cmocka_unit_test(test_bulk)

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
	int failed = cmocka_run_group_tests_name("dossier-sqlite", tests,
						 setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("dossier-postgresql", tests,
						      setup_pg, teardown);
	else
		printf("NOTE test_dossier_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	deadline_release(&dl);
	calendar_release(&cal);
	buf_release(&err);
	return failed ? 1 : 0;
}
