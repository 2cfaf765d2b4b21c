/*
 * test_online_repo.c - store/online_repo.h on SQLite (a temporary file)
 * and, when MOTCUA_TEST_PG is set, PostgreSQL (a schema of its own): an
 * online submission with its files in one transaction, the repeat of a
 * key (same dossier, same secret, nothing written), a failure leaving
 * nothing, the files of a dossier and who references a file, the
 * citizen's supplement before acceptance, the places serving a procedure.
 * (The set-up is the one of test_dossier_repo.c: ARCHITECTURE's debt.)
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
#include "store/online_repo.h"
#include "store/migrate.h"
#include "util/err.h"

#include "testdb.h"

static struct calendar cal;
static struct deadline dl;
static const struct auth_actor citizen = { 0, "citizen:online", "127.0.0.1" };
static const struct auth_actor officer = { 3, "mai.motcua", "127.0.0.1" };

static void seed(struct db *db)
{
	testdb_seed_desk(db);
	testdb_exec(db, "INSERT INTO desk_procedures (desk_id, procedure_code) "
		    "VALUES (1, 'P1')");
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const struct online_file files2[] = {
	{ 1, SHA_A, "to-khai.pdf", "application/pdf", 1000 },
	{ 1, SHA_B, "anh.png", "image/png", 2000 },
};

static void submit_in(struct dossier_create_in *in)
{
	memset(in, 0, sizeof *in);
	in->action = DA_SUBMIT;
	in->procedure_code = "P1";
	in->desk_id = 1;
	in->channel = DCH_ONLINE;
	in->request = "Đăng ký trực tuyến";
	in->applicant.name = "Trần Thị B";
	in->applicant.id_number = "027090012345";
	in->applicant.phone = "0912345678";
}

static int setup_sqlite(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, false, "online");
	seed(t.db);
	return 0;
}

static int setup_pg(void **state)
{
	static struct testdb t;
	testdb_setup(state, &t, true, "online");
	seed(t.db);
	return 0;
}

static int teardown(void **state)
{
	return testdb_teardown(state);
}

static void test_submit_and_repeat(void **state)
{
	struct testdb *c = *state;
	struct dossier_create_in in;
	struct dossier_created a, b;
	struct buf err = BUF_INIT;
	mc_time now = testdb_time("2026-03-02 08:00");
	const char *key = "k-0123456789abcdef0123456789abcdef";
	submit_in(&in);
	if (online_submit(c->db, &in, key, files2, 2, &dl, NULL, now, &citizen,
			  &a, &err))
		fail_msg("%s", err.ptr);
	assert_false(a.replayed);
	assert_int_equal(a.state, DS_SUBMITTED);
	assert_int_equal(strlen(a.secret), DOSSIER_SECRET_LEN);
	assert_int_equal(dossier_check_secret(c->db, a.code, a.secret, &err), 0);
	int64_t n0 = testdb_count(c->db, "SELECT COUNT(*) FROM dossiers");
	int64_t f0 = testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files");
	assert_int_equal(f0, 2);
	/* the repeat: same code, same secret, nothing written */
	if (online_submit(c->db, &in, key, files2, 2, &dl, NULL, now + 5,
			  &citizen, &b, &err))
		fail_msg("%s", err.ptr);
	assert_true(b.replayed);
	assert_string_equal(a.code, b.code);
	assert_string_equal(a.secret, b.secret);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossiers"), n0);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files"), f0);
	/* the key is not stored in clear */
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM online_submissions"
				      " WHERE key_hash LIKE '%0123456789abcdef%'"),
			 0);
	/* recall with another key: nothing */
	char code[DOSSIER_CODE_MAX], secret[DOSSIER_SECRET_LEN + 1];
	assert_int_equal(online_recall(c->db, "k-ffff456789abcdef0123456789abcdef",
				       code, secret, &err), MC_ENOTFOUND);
	assert_int_equal(online_recall(c->db, key, code, secret, &err), 0);
	assert_string_equal(secret, a.secret);
	/* files of the dossier, and who references a file */
	json_t *fl = NULL;
	if (online_files_list(c->db, a.code, &fl, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_array_size(json_object_get(fl, "items")), 2);
	json_decref(fl);
	char name[256];
	assert_int_equal(online_file_of(c->db, a.code, SHA_B, name, sizeof name,
					&err), 0);
	assert_string_equal(name, "anh.png");
	assert_int_equal(online_file_of(c->db, a.code, SHA_C, name, sizeof name,
					&err), MC_ENOTFOUND);
	char units[4][16];
	int n = 0;
	if (online_file_units(c->db, SHA_A, units, 4, &n, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(n, 1);
	assert_string_equal(units[0], "10000");
	assert_int_equal(online_file_units(c->db, SHA_C, units, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	/* a bad key is refused, nothing written */
	assert_int_equal(online_submit(c->db, &in, "short", files2, 2, &dl, NULL,
				       now, &citizen, &b, &err), MC_EINVALID);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossiers"), n0);
	buf_release(&err);
}

static void test_failure_leaves_nothing(void **state)
{
	struct testdb *c = *state;
	struct dossier_create_in in;
	struct dossier_created a;
	struct buf err = BUF_INIT;
	int64_t n0 = testdb_count(c->db, "SELECT COUNT(*) FROM dossiers");
	int64_t f0 = testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files");
	submit_in(&in);
	in.procedure_code = "NOPE";	/* unknown: fails inside */
	assert_int_not_equal(online_submit(c->db, &in,
					   "k-aaaa456789abcdef0123456789abcdef",
					   files2, 2, &dl, NULL,
					   testdb_time("2026-03-02 09:00"), &citizen, &a,
					   &err), 0);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossiers"), n0);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files"), f0);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM online_submissions "
				      "WHERE dossier_code = ''"), 0);
	/* a counter-channel create through online_submit is refused */
	submit_in(&in);
	in.action = DA_RECEIVE;
	assert_int_equal(online_submit(c->db, &in, NULL, NULL, 0, &dl, NULL,
				       testdb_time("2026-03-02 09:00"), &citizen, &a,
				       &err), MC_EINVALID);
	buf_release(&err);
}

static void test_supplement_before_acceptance(void **state)
{
	struct testdb *c = *state;
	struct dossier_create_in in;
	struct dossier_created a;
	struct dossier_act_in ai;
	struct dossier_act_out ao;
	struct dossier d;
	struct buf err = BUF_INIT;
	bool replayed;
	const char *items[] = { "Bản sao giấy khai sinh" };
	static const struct online_file more[] = {
		{ 2, SHA_C, "khai-sinh.jpg", "image/jpeg", 3000 },
	};
	submit_in(&in);
	if (online_submit(c->db, &in, NULL, files2, 1, &dl, NULL,
			  testdb_time("2026-03-03 08:00"), &citizen, &a, &err))
		fail_msg("%s", err.ptr);
	/* not waiting: refused */
	assert_int_equal(online_supplement(c->db, a.code, NULL, more, 1, "x",
					   &dl, NULL, testdb_time("2026-03-03 08:30"),
					   &citizen, &replayed, &err),
			 MC_EINVALID);
	memset(&ai, 0, sizeof ai);
	ai.action = DA_REQUEST_SUPPLEMENT;
	ai.expected_version = 1;
	ai.n_items = 1;
	ai.items = items;
	ai.note = "Thiếu bản sao giấy khai sinh";
	if (dossier_act(c->db, a.code, &ai, &dl, NULL, NULL,
			testdb_time("2026-03-03 09:00"), &officer, &ao, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(ao.to, DS_SUPPLEMENT_REQUESTED);
	const char *key = "s-0123456789abcdef0123456789abcdef";
	if (online_supplement(c->db, a.code, key, more, 1,
			      "Công dân bổ sung trực tuyến", &dl, NULL,
			      testdb_time("2026-03-04 10:00"), &citizen, &replayed, &err))
		fail_msg("%s", err.ptr);
	assert_false(replayed);
	if (dossier_load(c->db, a.code, &d, NULL, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(d.state, DS_SUBMITTED);
	assert_int_equal(d.supplement_count, 0);
	assert_true(d.due_at == 0);
	char name[64];
	assert_int_equal(online_file_of(c->db, a.code, SHA_C, name, sizeof name,
					&err), 0);
	/* the same key again: the first result, files not linked twice */
	int64_t f0 = testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files");
	if (online_supplement(c->db, a.code, key, more, 1,
			      "Công dân bổ sung trực tuyến", &dl, NULL,
			      testdb_time("2026-03-04 10:01"), &citizen, &replayed, &err))
		fail_msg("%s", err.ptr);
	assert_true(replayed);
	assert_int_equal(testdb_count(c->db, "SELECT COUNT(*) FROM dossier_files"), f0);
	/* accepted: the clock runs from acceptance */
	memset(&ai, 0, sizeof ai);
	ai.action = DA_ACCEPT;
	ai.expected_version = 3;
	if (dossier_act(c->db, a.code, &ai, &dl, NULL, NULL,
			testdb_time("2026-03-05 08:00"), &officer, &ao, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(ao.to, DS_RECEIVED);
	assert_true(ao.due_at == testdb_time("2026-03-10 17:00"));
	bool equal = false;
	struct buf diff = BUF_INIT;
	if (dossier_replay(c->db, a.code, NULL, &equal, &diff, &err))
		fail_msg("%s", err.ptr);
	assert_true(equal);
	buf_release(&diff);
	buf_release(&err);
}

static void test_places(void **state)
{
	struct testdb *c = *state;
	json_t *o = NULL;
	struct buf err = BUF_INIT;
	if (online_places(c->db, "P1", NULL, &o, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(o, "items"), 0), "code")), "24");
	json_decref(o);
	if (online_places(c->db, "P1", "24", &o, &err))
		fail_msg("%s", err.ptr);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(o, "items"), 0), "full_name")),
		"Xã A");
	json_decref(o);
	if (online_places(c->db, "P1", "01", &o, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
	json_decref(o);
	assert_true(online_key_valid("0123456789abcdef"));
	assert_false(online_key_valid("0123456789abcde"));
	assert_false(online_key_valid("0123456789abcdef/.."));
	buf_release(&err);
}

#define TESTS                                            \
	cmocka_unit_test(test_submit_and_repeat),        \
	cmocka_unit_test(test_failure_leaves_nothing),   \
	cmocka_unit_test(test_supplement_before_acceptance), \
	cmocka_unit_test(test_places)

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
	int failed = cmocka_run_group_tests_name("online-sqlite", tests,
						 setup_sqlite, teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url)
		failed += cmocka_run_group_tests_name("online-postgresql", tests,
						      setup_pg, teardown);
	else
		printf("NOTE test_online_repo: MOTCUA_TEST_PG is not set: the "
		       "PostgreSQL checks were skipped (not failed)\n");
	deadline_release(&dl);
	calendar_release(&cal);
	buf_release(&err);
	return failed ? 1 : 0;
}
