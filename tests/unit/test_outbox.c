/*
 * test_outbox.c - store/outbox.h on SQLite (a temporary file) and, when
 * MOTCUA_TEST_PG is set, PostgreSQL (a schema of its own): the backoff
 * table, enqueue only inside a transaction, claims by kind with a lease,
 * sent, failed with backoff until dead, retry (audited), lists, webhooks
 * (checks, add, duplicate name, remove kills their pending messages),
 * purge of old sent messages, and
 * the dossier hook (which events enqueue, e-mail only with an address, one
 * message per webhook, the texts of core/dossier_public.h, and nothing
 * left when the event's transaction rolls back).
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
#include "store/migrate.h"
#include "store/outbox.h"
#include "util/err.h"

#include "testdb.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

static const struct auth_actor admin = { 7, "lan", "127.0.0.1" };

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "outbox");
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "outbox");
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

/* ---- pure parts ------------------------------------------------------------ */

static void test_backoff(void **state)
{
	struct outbox_policy p = OUTBOX_POLICY_DEFAULT;
	static const struct {
		int attempts;
		int64_t delay;
	} rows[] = {
		{ 1, 60 },   { 2, 120 },   { 3, 240 },	 { 4, 480 },
		{ 8, 7680 }, { 9, 15360 }, { 10, 21600 }, { 40, 21600 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(outbox_backoff(&p, rows[i].attempts),
				 rows[i].delay);
	struct outbox_policy q = { 10, 25, 3 };
	assert_int_equal(outbox_backoff(&q, 1), 10);
	assert_int_equal(outbox_backoff(&q, 2), 20);
	assert_int_equal(outbox_backoff(&q, 3), 25);
}

static void test_webhook_check(void **state)
{
	static const struct {
		const char *name, *url, *secret, *field;
	} rows[] = {
		{ "sms-gw", "https://sms.example.vn/hook", "0123456789abcdef",
		  NULL },
		{ "sms", "http://127.0.0.1:8080/x?y=1", "0123456789abcdef",
		  NULL },
		{ "s", "https://a.vn", "0123456789abcdef", "name" },
		{ "có dấu", "https://a.vn", "0123456789abcdef", "name" },
		{ "sms", "ftp://a.vn", "0123456789abcdef", "url" },
		{ "sms", "https://", "0123456789abcdef", "url" },
		{ "sms", "https://a.vn/x y", "0123456789abcdef", "url" },
		{ "sms", "https://a.vn", "short", "secret" },
		{ "sms", "https://a.vn", "0123456789 abcdef", "secret" },
		{ "sms", NULL, "0123456789abcdef", "url" },
		{ "sms", "https://a.vn", NULL, "secret" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf err = BUF_INIT;
		const char *f = NULL;
		int rc = outbox_webhook_check(rows[i].name, rows[i].url,
					      rows[i].secret, &f, &err);
		if (!rows[i].field) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, MC_EINVALID);
			assert_string_equal(f, rows[i].field);
			/* The reason names the field. */
			const char *label = !strcmp(f, "name") ? "Tên:"
					    : !strcmp(f, "url") ? "Địa chỉ URL:"
								: "Khóa bí mật:";
			assert_true(!strncmp(err.ptr, label, strlen(label)));
		}
		buf_release(&err);
	}
}

/* ---- the queue ------------------------------------------------------------- */

static int64_t enqueue(struct db *db, enum outbox_kind k, const char *target,
		       int64_t webhook_id, mc_time at)
{
	struct buf err = BUF_INIT;
	int64_t id = 0;
	struct outbox_msg m = { .kind = k,
				.target = target,
				.webhook_id = webhook_id,
				.dossier_code = "D-1",
				.event_seq = 1,
				.event = "received",
				.subject = "Hồ sơ đã được tiếp nhận",
				.body = k == OUTBOX_EMAIL ? "Kính gửi ông/bà"
							  : "{\"a\":1}" };
	if (db_begin(db, &err))
		fail_msg("%s", err.ptr);
	if (outbox_enqueue(db, &m, at, &id, &err))
		fail_msg("%s", err.ptr);
	if (db_commit(db, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
	return id;
}

static void free_items(struct outbox_item *items, int n)
{
	for (int i = 0; i < n; i++)
		outbox_item_release(&items[i]);
	free(items);
}

static void test_queue(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	struct outbox_item *items;
	int n;
	int64_t wh = 0;
	struct outbox_msg m = { .kind = OUTBOX_EMAIL, .target = "a@b.vn",
				.body = "x" };
	/* Outside a transaction: refused. */
	assert_int_equal(outbox_enqueue(db, &m, T0, NULL, &err), MC_EINVALID);
	assert_int_equal(outbox_webhook_add(db, &admin, "sms-gw",
					    "http://127.0.0.1:9/h",
					    "0123456789abcdef", T0, &wh, &err),
			 0);
	int64_t e1 = enqueue(db, OUTBOX_EMAIL, "dan@example.vn", 0, T0);
	int64_t e2 = enqueue(db, OUTBOX_EMAIL, "thi@example.vn", 0, T0 + 5);
	int64_t w1 = enqueue(db, OUTBOX_WEBHOOK, "http://old", wh, T0);
	assert_true(e1 > 0 && e2 > e1 && w1 > e2);

	/* Webhooks only: the e-mails wait. The URL in force and the
	 * secret come with the item. */
	assert_int_equal(outbox_claim(db, T0 + 10, 60, 10, OUTBOX_KIND_WEBHOOK,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, w1);
	assert_int_equal(items[0].kind, OUTBOX_WEBHOOK);
	assert_string_equal(items[0].target, "http://127.0.0.1:9/h");
	assert_string_equal(items[0].webhook_secret, "0123456789abcdef");
	free_items(items, n);
	/* Leased: not claimed again before the lease ends. */
	assert_int_equal(outbox_claim(db, T0 + 20, 60, 10,
				      OUTBOX_KIND_WEBHOOK | OUTBOX_KIND_EMAIL,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, e1);
	assert_int_equal(items[1].id, e2);
	assert_string_equal(items[0].subject, "Hồ sơ đã được tiếp nhận");
	assert_string_equal(items[0].body, "Kính gửi ông/bà");
	assert_int_equal(items[0].created_at, T0);
	free_items(items, n);
	/* After the webhook's lease (T0 + 10 + 60) it is due again. */
	assert_int_equal(outbox_claim(db, T0 + 70, 60, 10, OUTBOX_KIND_WEBHOOK,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 1);
	free_items(items, n);

	/* Sent. */
	assert_int_equal(outbox_mark_sent(db, e1, T0 + 21, &err), 0);
	/* Failed with backoff 10, 20, then dead at the third. */
	struct outbox_policy pol = { 10, 100, 3 };
	bool dead = true;
	assert_int_equal(outbox_mark_failed(db, e2, "smtp: refused (451)", &pol,
					    T0 + 30, &dead, &err),
			 0);
	assert_false(dead);
	assert_int_equal(outbox_claim(db, T0 + 39, 60, 10, OUTBOX_KIND_EMAIL,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(outbox_claim(db, T0 + 40, 60, 10, OUTBOX_KIND_EMAIL,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].attempts, 1);
	free_items(items, n);
	assert_int_equal(outbox_mark_failed(db, e2, "again", &pol, T0 + 41,
					    &dead, &err),
			 0);
	assert_false(dead);
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT next_at FROM outbox WHERE id = %lld",
		 (long long)e2);
	assert_int_equal(testdb_count(db, sql), T0 + 41 + 20);
	assert_int_equal(outbox_mark_failed(db, e2, "third", &pol, T0 + 61,
					    &dead, &err),
			 0);
	assert_true(dead);
	assert_int_equal(outbox_claim(db, T0 + 10000, 60, 10, OUTBOX_KIND_EMAIL,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 0);
	free(items);

	/* Lists. */
	json_t *l = NULL;
	struct outbox_filter f = { .status = "dead" };
	assert_int_equal(outbox_list(db, &f, &l, &err), 0);
	json_t *its = json_object_get(l, "items");
	assert_int_equal(json_array_size(its), 1);
	json_t *d = json_array_get(its, 0);
	assert_int_equal(json_integer_value(json_object_get(d, "id")), e2);
	assert_string_equal(json_string_value(json_object_get(d, "last_error")),
			    "third");
	assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 3);
	assert_null(json_object_get(d, "body"));
	json_t *cn = json_object_get(l, "counts");
	assert_int_equal(json_integer_value(json_object_get(cn, "dead")), 1);
	assert_int_equal(json_integer_value(json_object_get(cn, "sent")), 1);
	assert_int_equal(json_integer_value(json_object_get(cn, "pending")), 1);
	json_decref(l);
	struct outbox_filter all = { 0 };
	assert_int_equal(outbox_list(db, &all, &l, &err), 0);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 3);
	json_decref(l);
	assert_int_equal(outbox_get(db, e1, &l, &err), 0);
	assert_string_equal(json_string_value(json_object_get(l, "body")),
			    "Kính gửi ông/bà");
	assert_string_equal(json_string_value(json_object_get(l, "status")),
			    "sent");
	json_decref(l);
	assert_int_equal(outbox_get(db, 999, &l, &err), MC_ENOTFOUND);

	/* Retry: the dead one comes back, audited; a sent one cannot. */
	int64_t audits = testdb_count(db, "SELECT COUNT(*) FROM audit_log WHERE"
				   " action = 'outbox.retry'");
	assert_int_equal(outbox_retry(db, &admin, e2, T0 + 20000, &err), 0);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM audit_log WHERE"
				   " action = 'outbox.retry'"),
			 audits + 1);
	assert_int_equal(outbox_claim(db, T0 + 20000, 60, 10, OUTBOX_KIND_EMAIL,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].attempts, 0);
	free_items(items, n);
	assert_int_equal(outbox_retry(db, &admin, e1, T0, &err), MC_ECONFLICT);
	/* Purge: only what was sent before the limit goes. */
	int64_t purged = -1;
	assert_int_equal(outbox_purge(db, T0 + 21, &purged, &err), 0);
	assert_int_equal(purged, 0);
	assert_int_equal(outbox_purge(db, T0 + 22, &purged, &err), 0);
	assert_int_equal(purged, 1);
	assert_int_equal(outbox_get(db, e1, &l, &err), MC_ENOTFOUND);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox"), 2);
	assert_int_equal(outbox_retry(db, &admin, 999, T0, &err),
			 MC_ENOTFOUND);
	buf_release(&err);
}

static void test_webhooks(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	int64_t a = 0, b = 0, found = 0;
	struct outbox_item *items;
	int n;
	testdb_exec(db, "DELETE FROM outbox");
	testdb_exec(db, "DELETE FROM webhooks");
	assert_int_equal(outbox_webhook_add(db, &admin, "platform",
					    "https://lgsp.example.vn/in",
					    "secret-secret-secret", T0, &a,
					    &err),
			 0);
	assert_int_equal(outbox_webhook_add(db, &admin, "platform",
					    "https://other.example.vn/in",
					    "secret-secret-secret", T0, &b,
					    &err),
			 MC_ECONFLICT);
	assert_true(!strncmp(err.ptr, "Tên:", 5));
	assert_int_equal(outbox_webhook_add(db, &admin, "bad", "nope",
					    "secret-secret-secret", T0, &b,
					    &err),
			 MC_EINVALID);
	assert_int_equal(outbox_webhook_find(db, "platform", &found, &err), 0);
	assert_int_equal(found, a);
	assert_int_equal(outbox_webhook_find(db, "none", &found, &err),
			 MC_ENOTFOUND);
	json_t *l = NULL;
	assert_int_equal(outbox_webhook_list(db, &l, &err), 0);
	json_t *w = json_array_get(json_object_get(l, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "name")),
			    "platform");
	assert_null(json_object_get(w, "secret"));
	json_decref(l);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM audit_log WHERE"
				   " action = 'webhook.add'"),
			 1);
	/* A pending message; the webhook is removed: it dies with it. */
	int64_t m = enqueue(db, OUTBOX_WEBHOOK, "https://lgsp.example.vn/in",
			    a, T0);
	assert_int_equal(outbox_webhook_remove(db, &admin, a, T0, &err), 0);
	assert_int_equal(outbox_webhook_remove(db, &admin, a, T0, &err),
			 MC_ENOTFOUND);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " status = 'dead'"),
			 1);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM audit_log WHERE"
				   " action = 'webhook.remove'"),
			 1);
	/* Even when put back, it is not delivered anywhere: dead again. */
	assert_int_equal(outbox_retry(db, &admin, m, T0, &err), 0);
	assert_int_equal(outbox_claim(db, T0, 60, 10, OUTBOX_KIND_WEBHOOK,
				      &items, &n, &err),
			 0);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " status = 'dead'"),
			 1);
	buf_release(&err);
}

/* ---- the dossier hook -------------------------------------------------------- */

/* A dossier row with just what the hook reads; its id. */
static int64_t make_dossier(struct db *db, const char *code,
			   const char *email)
{
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	int64_t id;
	if (testdb_count(db, "SELECT COUNT(*) FROM desks WHERE unit_code = 'T1'") ==
	    0)
		testdb_exec(db, "INSERT INTO desks (unit_code, name, address) VALUES"
			    " ('T1', 'Bộ phận Một cửa phường Thử',"
			    " 'số 1 đường Lê Lợi')");
	int64_t desk = testdb_count(db, "SELECT id FROM desks WHERE unit_code = 'T1'");
	if (db_prepare(db,
		       "INSERT INTO dossiers (code, secret_hash,"
		       " procedure_code, desk_id, unit_code, channel, request,"
		       " applicant_kind, applicant_email, applicant_phone,"
		       " state, resume_state, step, n_steps, queue_role,"
		       " assignee_id, dur_code, pauses, supplement_count,"
		       " apology_used, violation, active, version, fee_dong,"
		       " paid_dong, created_at, updated_at) VALUES (?, 'x',"
		       " 'P.1', ?, 'T1', 'truc_tiep', 'r', 'person', ?,"
		       " '0912345678', 'received', 'received', 0, 3,"
		       " 'receiver', 0, '3wd', '', 0, 0, 0, 1, 1, 0, 0, ?, ?)"
		       " RETURNING id",
		       &st, &err))
		fail_msg("%s", err.ptr);
	db_bind_text(st, 1, code, -1);
	db_bind_int64(st, 2, desk);
	db_bind_text(st, 3, email, -1);
	db_bind_int64(st, 4, T0);
	db_bind_int64(st, 5, T0);
	if (db_step(st) != DB_ROW)
		fail_msg("insert dossier: %s", db_errmsg(db));
	id = db_column_int64(st, 0);
	db_finalize(st);
	buf_release(&err);
	return id;
}

static int hook(struct db *db, int64_t id, int64_t seq,
		enum dossier_action a, const char *note, const char *payload,
		bool commit)
{
	struct buf err = BUF_INIT;
	if (db_begin(db, &err))
		fail_msg("%s", err.ptr);
	int rc = outbox_dossier_event(db, id, seq, a, T0 + 3600, 0, note,
				      payload, &err);
	if (rc)
		fail_msg("hook: %s", err.ptr);
	if (commit) {
		if (db_commit(db, &err))
			fail_msg("%s", err.ptr);
	} else {
		db_rollback(db);
	}
	buf_release(&err);
	return rc;
}

static void test_dossier_hook(void **state)
{
	struct testdb *c = *state;
	struct db *db = c->db;
	struct buf err = BUF_INIT;
	testdb_exec(db, "DELETE FROM outbox");
	testdb_exec(db, "DELETE FROM webhooks");
	int64_t with = make_dossier(db, "H-1", "dan@example.vn");
	int64_t without = make_dossier(db, "H-2", NULL);

	/* No webhook, no address: nothing. Not public: nothing. */
	hook(db, without, 1, DA_RECEIVE, NULL, NULL, true);
	hook(db, with, 2, DA_FORWARD, "nội bộ", NULL, true);
	hook(db, with, 2, DA_SEND_BACK, "nội bộ", NULL, true);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox"), 0);

	/* Received: one e-mail with the texts of dossier_public. */
	hook(db, with, 1, DA_RECEIVE, "ghi chú nội bộ", NULL, true);
	json_t *l = NULL;
	struct outbox_filter f = { .dossier_code = "H-1" };
	assert_int_equal(outbox_list(db, &f, &l, &err), 0);
	json_t *its = json_object_get(l, "items");
	assert_int_equal(json_array_size(its), 1);
	json_t *m = json_array_get(its, 0);
	assert_string_equal(json_string_value(json_object_get(m, "kind")),
			    "email");
	assert_string_equal(json_string_value(json_object_get(m, "target")),
			    "dan@example.vn");
	assert_string_equal(json_string_value(json_object_get(m, "event")),
			    "received");
	assert_string_equal(json_string_value(json_object_get(m, "subject")),
			    "Hồ sơ đã được tiếp nhận - hồ sơ H-1");
	int64_t id = json_integer_value(json_object_get(m, "id"));
	json_decref(l);
	assert_int_equal(outbox_get(db, id, &l, &err), 0);
	const char *body = json_string_value(json_object_get(l, "body"));
	assert_non_null(strstr(body, "Hồ sơ số: H-1"));
	assert_non_null(strstr(body, "Hồ sơ đã được tiếp nhận"));
	/* An internal note never reaches the applicant. */
	assert_null(strstr(body, "ghi chú nội bộ"));
	json_decref(l);

	/* A webhook: supplement request -> e-mail + webhook, the items in
	 * both; the dossier without e-mail -> the webhook only. */
	assert_int_equal(outbox_webhook_add(db, &admin, "sms",
					    "http://127.0.0.1:9/h",
					    "0123456789abcdef", T0, NULL, &err),
			 0);
	hook(db, with, 3, DA_REQUEST_SUPPLEMENT, "thiếu giấy",
	     "{\"items\":[\"Bản sao Giấy khai sinh\",\"Tờ khai\"]}", true);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 3"),
			 2);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 3 AND kind = 'webhook' AND"
				   " body LIKE '%Bản sao Giấy khai sinh%'"
				   " AND body LIKE '%\"event\":\"supplement\"%'"
				   " AND body LIKE '%0912345678%'"),
			 1);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 3 AND kind = 'email' AND"
				   " body LIKE '%Bản sao Giấy khai sinh; Tờ khai%'"),
			 1);
	hook(db, without, 4, DA_REFUSE, "Không đủ điều kiện theo luật", NULL,
	     true);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 4 AND kind = 'webhook' AND"
				   " dossier_code = 'H-2' AND body LIKE"
				   " '%Không đủ điều kiện theo luật%'"),
			 1);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 4 AND kind = 'email'"),
			 0);
	/* The event's transaction rolls back: no message either. */
	int64_t before = testdb_count(db, "SELECT COUNT(*) FROM outbox");
	hook(db, with, 5, DA_RECORD_RESULT, NULL, NULL, false);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox"), before);
	/* Result ready: the place is the desk's name and address. */
	hook(db, with, 5, DA_RECORD_RESULT, NULL, NULL, true);
	assert_int_equal(testdb_count(db, "SELECT COUNT(*) FROM outbox WHERE"
				   " event_seq = 5 AND kind = 'email' AND"
				   " body LIKE '%số 1 đường Lê Lợi%'"),
			 1);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_webhook_check),
	};
	const struct CMUnitTest sqlite[] = {
		cmocka_unit_test_setup_teardown(test_queue, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_webhooks, setup_sqlite,
						teardown),
		cmocka_unit_test_setup_teardown(test_dossier_hook,
						setup_sqlite, teardown),
	};
	const struct CMUnitTest pg[] = {
		cmocka_unit_test_setup_teardown(test_queue, setup_pg, teardown),
		cmocka_unit_test_setup_teardown(test_webhooks, setup_pg,
						teardown),
		cmocka_unit_test_setup_teardown(test_dossier_hook, setup_pg,
						teardown),
	};
	int rc = cmocka_run_group_tests_name("pure", pure, NULL, NULL);
	rc |= cmocka_run_group_tests_name("sqlite", sqlite, NULL, NULL);
	if (getenv("MOTCUA_TEST_PG") && *getenv("MOTCUA_TEST_PG"))
		rc |= cmocka_run_group_tests_name("postgresql", pg, NULL, NULL);
	else
		printf("NOTE test_outbox: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	return rc;
}
