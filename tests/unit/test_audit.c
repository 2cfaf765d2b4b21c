/*
 * test_audit.c - the hash-chained audit trail (store/audit.h): the hashed
 * content against a known answer computed outside C, appends and
 * rollbacks, each kind of tampering (altered, deleted, inserted, swapped,
 * the tail cut off: only an anchor finds that), concurrent appends, paging
 * of the verifier, and the search filters. On SQLite (a temporary
 * directory) and, when MOTCUA_TEST_PG is set, on PostgreSQL (one schema
 * per check, dropped at the end). Every tampering starts from a new chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/arena.h"
#include "util/err.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/handlers.h"
#include "web/query.h"
#include "web/respond.h"

struct backend {
	enum db_kind kind;
	char url[PATH_MAX];	/* SQLite: the temporary directory */
};

static struct backend be_sqlite = { DB_SQLITE, "" };
static struct backend be_pg = { DB_PG, "" };

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

static void url_of(const struct backend *be, const char *name, struct buf *u)
{
	buf_reset(u);
	if (be->kind == DB_SQLITE)
		buf_addf(u, "sqlite:%s/%s.db", be->url, name);
	else
		buf_adds(u, be->url);
}

/* Connects to database `name` (PG: schema t_audit_PID_NAME) without
 * migrating; for the threads. */
static int connect_db(const struct backend *be, const char *name,
		      struct db **out, struct buf *err)
{
	struct buf u = BUF_INIT;
	int rc;
	url_of(be, name, &u);
	if ((rc = db_open(u.ptr, out, err)) == 0 && be->kind == DB_PG) {
		buf_reset(&u);
		buf_addf(&u, "CREATE SCHEMA IF NOT EXISTS t_audit_%d_%s; "
			 "SET search_path TO t_audit_%d_%s",
			 (int)getpid(), name, (int)getpid(), name);
		rc = db_exec(*out, u.ptr, err);
	}
	buf_release(&u);
	return rc;
}

/* A new, migrated database `name`. */
static struct db *open_db(const struct backend *be, const char *name)
{
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	if (connect_db(be, name, &db, &err) || migrate_run(db, NULL, &err))
		fail_msg("%s: %s", name, err.ptr);
	buf_release(&err);
	return db;
}

static void exec_ok(struct db *db, const char *sql)
{
	struct buf err = BUF_INIT;
	if (db_exec(db, sql, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
}

static int64_t query_int(struct db *db, const char *sql)
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

/* The text of column `col` of entry `id` (caller frees). */
static char *get_text(struct db *db, int64_t id, const char *col)
{
	char sql[128];
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	snprintf(sql, sizeof(sql), "SELECT %s FROM audit_log WHERE id = ?", col);
	if (db_prepare(db, sql, &st, &err))
		fail_msg("%s", err.ptr);
	db_bind_int64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	char *v = strdup(db_column_text(st, 0));
	db_finalize(st);
	buf_release(&err);
	return v;
}

static void set_text(struct db *db, int64_t id, const char *col,
		     const char *v)
{
	char sql[128];
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	snprintf(sql, sizeof(sql), "UPDATE audit_log SET %s = ? WHERE id = ?",
		 col);
	if (db_prepare(db, sql, &st, &err))
		fail_msg("%s", err.ptr);
	db_bind_text(st, 1, v, -1);
	db_bind_int64(st, 2, id);
	assert_int_equal(db_step(st), DB_DONE);
	assert_int_equal(db_changes(st), 1);
	db_finalize(st);
	buf_release(&err);
}

static const char *const actions[] = { "login.ok", "user.update",
				       "dossier.receive", "personal.view",
				       "login.fail" };

/* Entry number i of the test chains (contents differ from one to the next). */
static void make_entry(int i, struct audit_entry *e, char *oid, size_t n,
		       json_t **before, json_t **after)
{
	snprintf(oid, n, "u%d", i);
	*before = i % 2 ? json_pack("{s:s, s:i}", "role", "viewer", "n", i)
			: NULL;
	*after = i % 2 ? json_pack("{s:s, s:i, s:s}", "role", "receiver", "n",
				   i, "full_name", "Nguyễn Thị Lan")
		       : NULL;
	*e = (struct audit_entry){
		.at = T0 + (mc_time)i * 60,
		.actor_id = i % 3 + 1,
		.actor = i % 3 == 0 ? "lan" : i % 3 == 1 ? "minh" : "hoa",
		.action = actions[i % 5],
		.object_type = i % 5 == 2 ? "dossier" : "user",
		.object_id = oid,
		.unit_code = i % 4 == 0 ? "01" : i % 4 == 1 ? "00004" : "79",
		.client = i % 7 ? "127.0.0.1" : NULL,
		.before = *before,
		.after = *after,
	};
}

/* Appends entries first..first+n-1, `per_tx` to a transaction. */
static void fill(struct db *db, int first, int n, int per_tx)
{
	struct buf err = BUF_INIT;
	for (int i = first; i < first + n;) {
		if (db_begin(db, &err))
			fail_msg("%s", err.ptr);
		for (int k = 0; k < per_tx && i < first + n; k++, i++) {
			struct audit_entry e;
			json_t *b, *a;
			char oid[16];
			int64_t id;
			make_entry(i, &e, oid, sizeof(oid), &b, &a);
			if (audit_append(db, &e, &id, &err))
				fail_msg("append %d: %s", i, err.ptr);
			json_decref(b);
			json_decref(a);
		}
		if (db_commit(db, &err))
			fail_msg("%s", err.ptr);
	}
	buf_release(&err);
}

static struct audit_verify_result verify(struct db *db)
{
	struct audit_verify_result r;
	struct buf err = BUF_INIT;
	if (audit_verify(db, &r, &err))
		fail_msg("verify: %s", err.ptr);
	buf_release(&err);
	return r;
}

static void expect_bad(struct db *db, int64_t id, const char *reason)
{
	struct audit_verify_result r = verify(db);
	if (r.first_bad_id != id || !strstr(r.reason, reason))
		fail_msg("want entry %" PRId64 " '%s', got %" PRId64 " '%s'",
			 id, reason, r.first_bad_id, r.reason);
}

/* ---- the hashed content -------------------------------------------------- */

/* Known answers from Python's hashlib over the format of docs/audit.md. */
static void test_row_hash_known_answer(void **state)
{
	struct audit_row r = {
		.id = 1, .at = T0, .actor_id = 7, .actor = "lan.nguyen",
		.action = "user.update", .object_type = "user",
		.object_id = "42", .unit_code = "01", .client = "127.0.0.1",
		.before = "{\"role\":\"viewer\"}",
		.after = "{\"full_name\":\"Nguyễn Thị Lan\",\"role\":\"receiver\"}",
		.prev_hash = "0000000000000000000000000000000000000000000000000000000000000000",
	};
	char h1[65], h2[65];
	audit_row_hash(&r, h1);
	assert_string_equal(h1, "73b492dee13a37af8e3962af68f5d9df"
				"6215f9ed3cef37ef0082ad860de3a55d");
	r.id = 2;
	r.action = "login.fail";
	r.object_id = r.unit_code = r.before = r.after = NULL;
	r.prev_hash = h1;
	audit_row_hash(&r, h2);
	assert_string_equal(h2, "b804bc2c5b8a951775955afc8af26676"
				"1caa364da00ce06a6db6bcd777231248");
	/* NULL and "" are different contents. */
	r.object_id = "";
	audit_row_hash(&r, h1);
	assert_string_not_equal(h1, h2);
}

/* ---- appends ------------------------------------------------------------- */

static void test_append_verify(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "append");
	struct buf err = BUF_INIT;
	struct audit_head head;
	struct audit_verify_result r = verify(db);
	assert_int_equal(r.first_bad_id, 0);	/* empty trail: intact */
	assert_int_equal(r.n_checked, 0);
	assert_int_equal(audit_head(db, &head, &err), 0);
	assert_int_equal(head.id, 0);

	fill(db, 1, 30, 1);
	fill(db, 31, 20, 7);
	r = verify(db);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(r.n_checked, 50);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), 50);
	assert_int_equal(query_int(db, "SELECT min(id) FROM audit_log"), 1);
	assert_int_equal(query_int(db, "SELECT max(id) FROM audit_log"), 50);
	char *p1 = get_text(db, 1, "prev_hash"), *h1 = get_text(db, 1, "hash");
	char *p2 = get_text(db, 2, "prev_hash");
	assert_string_equal(p1, "0000000000000000000000000000000000000000000000000000000000000000");
	assert_string_equal(p2, h1);
	free(p1);
	free(h1);
	free(p2);
	/* JSON is stored compact with sorted keys. */
	char *after = get_text(db, 1, "after_json");
	assert_string_equal(after, "{\"full_name\":\"Nguyễn Thị Lan\","
				   "\"n\":1,\"role\":\"receiver\"}");
	free(after);

	/* A rolled-back transaction leaves no trace and no gap. */
	struct audit_entry e = { .at = T0, .actor = "lan",
				 .action = "user.create", .object_type = "user" };
	int64_t id = 0;
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(audit_append(db, &e, &id, &err), 0);
	assert_int_equal(id, 51);
	assert_int_equal(audit_append(db, &e, &id, &err), 0);
	assert_int_equal(id, 52);
	db_rollback(db);
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), 50);
	assert_int_equal(audit_log(db, &e, &err), 0);
	assert_int_equal(query_int(db, "SELECT max(id) FROM audit_log"), 51);
	r = verify(db);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(r.n_checked, 51);
	assert_int_equal(audit_head(db, &head, &err), 0);
	assert_int_equal(head.id, 51);
	char *h51 = get_text(db, 51, "hash");
	assert_string_equal(head.hash, h51);
	free(h51);

	/* Misuse: no actor; outside a transaction. */
	e.actor = NULL;
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(audit_append(db, &e, NULL, &err), MC_EINVALID);
	db_rollback(db);
	e.actor = "lan";
	buf_reset(&err);
	assert_int_equal(audit_append(db, &e, NULL, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "outside a transaction"));
	assert_int_equal(query_int(db, "SELECT count(*) FROM audit_log"), 51);
	db_close(db);
	buf_release(&err);
}

/* ---- tampering ------------------------------------------------------------ */

/* UPDATE of one field of a middle entry, one row per column. */
static void test_tamper_update(void **state)
{
	static const struct {
		const char *col, *value;
	} rows[] = {
		{ "actor", "mallory" },
		{ "action", "login.ok" },
		{ "unit_code", "02" },
		{ "object_id", "u999" },
		{ "after_json", "{\"role\":\"admin\"}" },
		{ "before_json", "{\"n\":21,\"role\":\"viewer\" }" },	/* a space */
		{ "client", "10.0.0.1" },
		{ "at", "1767225601" },
		{ "prev_hash", "0000000000000000000000000000000000000000000000000000000000000000" },
	};
	const struct backend *be = *state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "upd%zu", i);
		struct db *db = open_db(be, name);
		fill(db, 1, 40, 5);
		assert_int_equal(verify(db).first_bad_id, 0);
		if (!strcmp(rows[i].col, "at"))
			exec_ok(db, "UPDATE audit_log SET at = at + 1 WHERE id = 21");
		else
			set_text(db, 21, rows[i].col, rows[i].value);
		if (!strcmp(rows[i].col, "prev_hash"))
			expect_bad(db, 21, "inserted or moved");
		else
			expect_bad(db, 21, "entry 21: content altered (hash mismatch)");
		db_close(db);
	}
	/* A NULL made "" (or back) is a change too. */
	struct db *db = open_db(be, "updnull");
	fill(db, 1, 10, 10);
	set_text(db, 7, "client", "");	/* entry 7 had no client */
	expect_bad(db, 7, "entry 7: content altered");
	db_close(db);
}

static void test_tamper_delete_middle(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "del1");
	fill(db, 1, 40, 5);
	exec_ok(db, "DELETE FROM audit_log WHERE id = 20");
	expect_bad(db, 21, "entry 21: entry 20 is missing (deleted)");
	db_close(db);

	db = open_db(be, "del3");
	fill(db, 1, 40, 40);
	exec_ok(db, "DELETE FROM audit_log WHERE id BETWEEN 20 AND 22");
	expect_bad(db, 23, "entry 23: entries 20 to 22 are missing (deleted)");
	db_close(db);

	db = open_db(be, "delfirst");
	fill(db, 1, 10, 10);
	exec_ok(db, "DELETE FROM audit_log WHERE id = 1");
	expect_bad(db, 2, "entry 2: entry 1 is missing (deleted)");
	db_close(db);

	/* Deleted, and the later ids moved down to hide the gap. */
	db = open_db(be, "delshift");
	fill(db, 1, 40, 40);
	exec_ok(db, "DELETE FROM audit_log WHERE id = 20");
	exec_ok(db, "UPDATE audit_log SET id = -id WHERE id > 20");
	exec_ok(db, "UPDATE audit_log SET id = -id - 1 WHERE id < 0");
	expect_bad(db, 20, "entry 20: inserted or moved");
	db_close(db);
}

/* Cutting off the tail leaves a valid chain: only the anchor finds it. */
static void test_tamper_delete_last(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "dellast");
	struct buf err = BUF_INIT;
	struct audit_head early, head;
	struct audit_verify_result r;
	fill(db, 1, 30, 10);
	assert_int_equal(audit_head(db, &early, &err), 0);
	fill(db, 31, 10, 10);
	assert_int_equal(audit_head(db, &head, &err), 0);
	assert_int_equal(early.id, 30);
	assert_int_equal(head.id, 40);
	/* Both anchors hold on the intact trail. */
	assert_int_equal(audit_check_anchor(db, early.id, early.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(audit_check_anchor(db, head.id, head.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 0);

	exec_ok(db, "DELETE FROM audit_log WHERE id = 40");
	r = verify(db);
	assert_int_equal(r.first_bad_id, 0);	/* the chain alone: not seen */
	assert_int_equal(r.n_checked, 39);
	assert_int_equal(audit_check_anchor(db, head.id, head.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 40);
	assert_string_equal(r.reason, "anchor: entry 40 is missing (deleted; "
				      "the trail now ends at entry 39)");
	assert_int_equal(audit_check_anchor(db, early.id, early.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 0);

	/* A tail rewritten consistently from entry 35 on: the chain holds,
	 * an anchor at 30 holds, an anchor at the old head does not. */
	exec_ok(db, "DELETE FROM audit_log WHERE id >= 35");
	fill(db, 1000, 6, 6);	/* 35 .. 40 again, other contents */
	assert_int_equal(verify(db).first_bad_id, 0);
	assert_int_equal(audit_check_anchor(db, early.id, early.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(audit_check_anchor(db, head.id, head.hash, &r, &err), 0);
	assert_int_equal(r.first_bad_id, 40);
	assert_non_null(strstr(r.reason, "anchor: entry 40 has changed"));

	assert_int_equal(audit_check_anchor(db, 3, "abc", &r, &err), MC_EINVALID);
	db_close(db);
	buf_release(&err);
}

/* Inserts a row with the given id, prev_hash and hash (made up). */
static void insert_forged(struct db *db, int64_t id, const char *prev,
			  const char *hash)
{
	struct db_stmt *st;
	struct buf err = BUF_INIT;
	if (db_prepare(db, "INSERT INTO audit_log (id, at, actor_id, actor, "
			   "action, object_type, prev_hash, hash) VALUES "
			   "(?, ?, 1, 'mallory', 'user.update', 'user', ?, ?)",
		       &st, &err))
		fail_msg("%s", err.ptr);
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, T0 + 1);
	db_bind_text(st, 3, prev, -1);
	db_bind_text(st, 4, hash, -1);
	if (db_step(st) != DB_DONE)
		fail_msg("%s", db_errmsg(db));
	db_finalize(st);
	buf_release(&err);
}

/* The hash a forger would compute for insert_forged()'s row. */
static void forged_hash(int64_t id, const char *prev, char out[65])
{
	struct audit_row r = { .id = id, .at = T0 + 1, .actor_id = 1,
			       .actor = "mallory", .action = "user.update",
			       .object_type = "user", .prev_hash = prev };
	audit_row_hash(&r, out);
}

#define FAKE "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"

/* Moves entries >= id up by one, freeing `id`. */
static void make_room(struct db *db, int64_t id)
{
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "UPDATE audit_log SET id = -id WHERE id >= %" PRId64 "; "
		 "UPDATE audit_log SET id = -id + 1 WHERE id < 0", id);
	exec_ok(db, sql);
}

static void test_tamper_insert(void **state)
{
	const struct backend *be = *state;
	char h[65];
	/* In the middle, made-up id, prev and hash. */
	struct db *db = open_db(be, "ins1");
	fill(db, 1, 40, 8);
	make_room(db, 25);
	insert_forged(db, 25, FAKE, FAKE);
	expect_bad(db, 25, "entry 25: inserted or moved");
	db_close(db);

	/* In the middle, chained to 24 and hashed right: the entry after it
	 * no longer follows. */
	db = open_db(be, "ins2");
	fill(db, 1, 40, 8);
	make_room(db, 25);
	char *h24 = get_text(db, 24, "hash");
	forged_hash(25, h24, h);
	insert_forged(db, 25, h24, h);
	free(h24);
	expect_bad(db, 26, "entry 26: inserted or moved (its previous hash "
			   "does not match entry 25");
	db_close(db);

	/* Hashed right but claiming another predecessor. */
	db = open_db(be, "ins3");
	fill(db, 1, 20, 20);
	forged_hash(21, FAKE, h);
	insert_forged(db, 21, FAKE, h);
	expect_bad(db, 21, "entry 21: inserted (its previous hash does not "
			   "match entry 20)");
	db_close(db);

	/* Before the first entry, and far beyond the last. */
	db = open_db(be, "ins4");
	fill(db, 1, 10, 10);
	insert_forged(db, 0, FAKE, FAKE);
	expect_bad(db, 0, "entry 0: inserted (ids start at 1");
	db_close(db);
	db = open_db(be, "ins5");
	fill(db, 1, 10, 10);
	insert_forged(db, 1000, FAKE, FAKE);
	expect_bad(db, 1000, "entry 1000: inserted (out of sequence after "
			     "entry 10");
	db_close(db);
}

static void test_tamper_swap(void **state)
{
	const struct backend *be = *state;
	/* Contents of 10 and 11 exchanged, ids and hashes left. */
	struct db *db = open_db(be, "swap1");
	fill(db, 1, 20, 20);
	/* Exchange through a free id: 10 -> -10, 11 -> 10, -10 -> 11, and
	 * the hashes and links back where they were. */
	char *p10 = get_text(db, 10, "prev_hash"), *h10 = get_text(db, 10, "hash");
	char *p11 = get_text(db, 11, "prev_hash"), *h11 = get_text(db, 11, "hash");
	exec_ok(db, "UPDATE audit_log SET id = -10 WHERE id = 10; "
		    "UPDATE audit_log SET id = 10 WHERE id = 11; "
		    "UPDATE audit_log SET id = 11 WHERE id = -10");
	set_text(db, 10, "prev_hash", p10);
	set_text(db, 10, "hash", h10);
	set_text(db, 11, "prev_hash", p11);
	set_text(db, 11, "hash", h11);
	expect_bad(db, 10, "entry 10: content altered (hash mismatch)");
	db_close(db);

	/* Whole rows exchanged (ids kept in place, everything else moved). */
	db = open_db(be, "swap2");
	fill(db, 1, 20, 20);
	exec_ok(db, "UPDATE audit_log SET id = -10 WHERE id = 10; "
		    "UPDATE audit_log SET id = 10 WHERE id = 11; "
		    "UPDATE audit_log SET id = 11 WHERE id = -10");
	expect_bad(db, 10, "entry 10: inserted or moved");
	db_close(db);
	free(p10);
	free(h10);
	free(p11);
	free(h11);
}

/* ---- concurrency and size ------------------------------------------------- */

struct app_thread {
	const struct backend *be;
	int first, n;
	int rc;
	char err[256];
};

static void *append_thread(void *arg)
{
	struct app_thread *t = arg;
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	t->rc = connect_db(t->be, "conc", &db, &err);
	for (int i = t->first; !t->rc && i < t->first + t->n; i++) {
		struct audit_entry e;
		json_t *b, *a;
		char oid[16];
		make_entry(i, &e, oid, sizeof(oid), &b, &a);
		if (!(t->rc = db_begin(db, &err))) {
			t->rc = audit_append(db, &e, NULL, &err);
			if (t->rc)
				db_rollback(db);
			else
				t->rc = db_commit(db, &err);
		}
		json_decref(b);
		json_decref(a);
	}
	snprintf(t->err, sizeof(t->err), "%s", err.ptr);
	if (db)
		db_close(db);
	buf_release(&err);
	return NULL;
}

static void test_concurrent_appends(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "conc");
	struct app_thread t[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		t[i] = (struct app_thread){ .be = be, .first = i * 1000,
					    .n = 60 };
		assert_int_equal(pthread_create(&th[i], NULL, append_thread,
						&t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		if (t[i].rc)
			fail_msg("thread %d: %s", i, t[i].err);
	}
	struct audit_verify_result r = verify(db);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(r.n_checked, 240);
	assert_int_equal(query_int(db, "SELECT max(id) FROM audit_log"), 240);
	/* Every thread's entries are there, in one chain. */
	assert_int_equal(query_int(db, "SELECT count(DISTINCT object_id) "
				       "FROM audit_log"), 240);
	db_close(db);
}

/* More entries than a page of the verifier; a break past the first page. */
static void test_verify_pages(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "pages");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	fill(db, 1, 2500, 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("NOTE test_audit: %s: 2500 appends, one per transaction, "
	       "%.0f/s (information only)\n",
	       be->kind == DB_PG ? "postgresql" : "sqlite", 2500 / s);
	struct audit_verify_result r = verify(db);
	assert_int_equal(r.first_bad_id, 0);
	assert_int_equal(r.n_checked, 2500);
	exec_ok(db, "UPDATE audit_log SET actor = 'x' WHERE id = 2001");
	r = verify(db);
	assert_int_equal(r.first_bad_id, 2001);
	assert_int_equal(r.n_checked, 2001);
	exec_ok(db, "DELETE FROM audit_log WHERE id = 1000");
	expect_bad(db, 1001, "entry 1001: entry 1000 is missing (deleted)");
	db_close(db);
}

/* ---- search ------------------------------------------------------------- */

static json_t *search(struct db *db, const struct audit_filter *f)
{
	json_t *out;
	struct buf err = BUF_INIT;
	if (audit_search(db, f, &out, &err))
		fail_msg("search: %s", err.ptr);
	buf_release(&err);
	return out;
}

static int64_t total_of(struct db *db, const struct audit_filter *f)
{
	json_t *j = search(db, f);
	int64_t n = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	return n;
}

static void test_search(void **state)
{
	const struct backend *be = *state;
	struct db *db = open_db(be, "search");
	exec_ok(db, "INSERT INTO units (era, code, name, full_name, type, "
		    "parent_code, level, name_key) VALUES "
		    "('2025', '01', 'Hà Nội', 'Thành phố Hà Nội', 'thành phố', "
		    "NULL, 1, 'ha noi'), "
		    "('2025', '00004', 'Ba Đình', 'Phường Ba Đình', 'phường', "
		    "'01', 3, 'ba dinh'), "
		    "('2025', '79', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', "
		    "'thành phố', NULL, 1, 'ho chi minh')");
	fill(db, 1, 100, 10);
	struct audit_filter f = { 0 };
	json_t *j = search(db, &f);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 100);
	assert_int_equal(json_integer_value(json_object_get(j, "per_page")), 50);
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), 50);
	json_t *first = json_array_get(items, 0);	/* newest first */
	assert_int_equal(json_integer_value(json_object_get(first, "id")), 100);
	assert_string_equal(json_string_value(json_object_get(first, "at")),
			    "2026-01-01T08:40:00+07:00");
	assert_true(json_is_null(json_object_get(first, "before")));
	json_t *second = json_array_get(items, 1);	/* entry 99: a change */
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(second, "after"), "role")),
			    "receiver");
	json_decref(j);

	f.page = 3;
	f.per_page = 40;
	j = search(db, &f);
	items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), 20);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(items, 0), "id")), 20);
	json_decref(j);

	/* One filter at a time; counts follow make_entry(). */
	f = (struct audit_filter){ .actor = "lan" };	/* i % 3 == 0 */
	assert_int_equal(total_of(db, &f), 33);
	f = (struct audit_filter){ .unit_code = "00004" };	/* i % 4 == 1 */
	assert_int_equal(total_of(db, &f), 25);
	f = (struct audit_filter){ .unit_code = "01" };	/* and its commune */
	assert_int_equal(total_of(db, &f), 50);
	f = (struct audit_filter){ .object_type = "dossier" };
	assert_int_equal(total_of(db, &f), 20);
	f = (struct audit_filter){ .object_type = "user", .object_id = "u8" };
	assert_int_equal(total_of(db, &f), 1);
	f = (struct audit_filter){ .action_prefix = "login." };
	assert_int_equal(total_of(db, &f), 40);
	f = (struct audit_filter){ .action_prefix = "login_" };	/* escaped */
	assert_int_equal(total_of(db, &f), 0);
	f = (struct audit_filter){ .from = T0 + 10 * 60, .to = T0 + 20 * 60 };
	assert_int_equal(total_of(db, &f), 10);	/* 10 .. 19 */
	f = (struct audit_filter){ .actor = "lan", .unit_code = "01",
				   .action_prefix = "login." };
	/* i % 3 == 0, i % 4 in {0,1}, i % 5 in {0,4}: counted by hand */
	int64_t want = 0;
	for (int i = 1; i <= 100; i++)
		want += i % 3 == 0 && i % 4 <= 1 && (i % 5 == 0 || i % 5 == 4);
	assert_int_equal(total_of(db, &f), want);

	/* The reader's scope. */
	const char *hcm[] = { "79" }, *bd[] = { "00004" }, *two[] = { "01", "79" };
	f = (struct audit_filter){ .scope = hcm, .n_scope = 1 };
	assert_int_equal(total_of(db, &f), 50);	/* i % 4 in {2, 3} */
	f = (struct audit_filter){ .scope = bd, .n_scope = 1 };
	assert_int_equal(total_of(db, &f), 25);
	f = (struct audit_filter){ .scope = two, .n_scope = 2 };
	assert_int_equal(total_of(db, &f), 100);
	f = (struct audit_filter){ .scope = bd, .n_scope = 1, .unit_code = "79" };
	assert_int_equal(total_of(db, &f), 0);
	f = (struct audit_filter){ .scope = hcm, .n_scope = 0 };
	assert_int_equal(total_of(db, &f), 0);

	/* Bad pages. */
	struct buf err = BUF_INIT;
	f = (struct audit_filter){ .per_page = 201 };
	assert_int_equal(audit_search(db, &f, &j, &err), MC_EINVALID);
	f = (struct audit_filter){ .page = -1 };
	assert_int_equal(audit_search(db, &f, &j, &err), MC_EINVALID);
	buf_release(&err);
	db_close(db);
}


/* ---- the inspector's page (web/h_audit.c), in-process ------------------- */

static struct app web_app;
static char web_dir[PATH_MAX];

static int web_setup(void **state)
{
	char tmpl[] = "/tmp/motcua-test-audit-web-XXXXXX";
	struct buf err = BUF_INIT, url = BUF_INIT;
	struct db *db = NULL;
	int rc = -1;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(web_dir, sizeof(web_dir), "%s", tmpl);
	buf_addf(&url, "sqlite:%s/web.db", web_dir);
	if (db_open(url.ptr, &db, &err) || migrate_run(db, NULL, &err) ||
	    db_exec(db, "INSERT INTO units (era, code, name, full_name, type, "
			"parent_code, level, name_key) VALUES "
			"('2025', '01', 'Hà Nội', 'Thành phố Hà Nội', "
			"'thành phố', NULL, 1, 'ha noi'), "
			"('2025', '00004', 'Ba Đình', 'Phường Ba Đình', "
			"'phường', '01', 3, 'ba dinh'), "
			"('2025', '79', 'Hồ Chí Minh', 'Thành phố Hồ Chí Minh', "
			"'thành phố', NULL, 1, 'ho chi minh')", &err))
		goto out;
	fill(db, 1, 100, 25);
	struct audit_entry e = { .at = T0 + 101 * 60, .actor = "<script>x",
				 .action = "user.update", .object_type = "user",
				 .object_id = "u&1", .unit_code = "79" };
	e.after = json_pack("{s:s}", "full_name", "<b>Lan</b>");
	rc = audit_log(db, &e, &err);
	json_decref(e.after);
	if (!rc)
		rc = app_init(&web_app, url.ptr, "http://mc.example", NULL, &err);
out:
	if (rc)
		fprintf(stderr, "web setup: %s\n", err.ptr);
	if (db)
		db_close(db);
	buf_release(&err);
	buf_release(&url);
	return rc ? -1 : 0;
}

static int web_teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	app_release(&web_app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", web_dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct call {
	struct arena a;
	struct http_request req;
	struct http_response res;
	struct auth_info auth;
	int rc;
};

/* Calls handle_audit for `url` as `p` (NULL: anonymous), renders. */
static void call(struct call *c, const char *url, const struct principal *p)
{
	memset(c, 0, sizeof(*c));
	const char *q = strchr(url, '?');
	c->req.method = HTTP_GET;
	c->req.path = q ? arena_strndup(&c->a, url, (size_t)(q - url))
			: arena_strdup(&c->a, url);
	c->req.query = q ? q + 1 : "";
	c->req.body = "";
	c->req.arena = &c->a;
	c->req.app = &web_app;
	c->req.route_index = -1;
	c->req.want_json = !strncmp(c->req.path, "/api/", 5);
	if (p) {
		c->auth.p = *p;
		c->req.auth = &c->auth;
	}
	struct buf err = BUF_INIT;
	assert_int_equal(query_parse_url(&c->a, c->req.query,
					 &c->req.query_params,
					 &c->req.n_query_params, &err), 0);
	buf_release(&err);
	http_response_init(&c->res);
	c->rc = handle_audit(&c->req, &c->res);
	if (!c->rc)
		respond_finish(&c->req, &c->res);
}

static void done(struct call *c)
{
	http_response_release(&c->res);
	arena_release(&c->a);
}

static struct principal who(const char *name, enum role r, const char *unit)
{
	struct principal p = { .user_id = 9 };
	snprintf(p.name, sizeof(p.name), "%s", name);
	assert_true(authz_add_grant(&p, r, unit));
	return p;
}

static int64_t json_total(struct call *c)
{
	json_t *j = json_loads(c->res.body.ptr, 0, NULL);
	assert_non_null(j);
	int64_t n = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	return n;
}

static void test_page_refuses(void **state)
{
	struct call c;
	struct principal viewer = who("v", ROLE_VIEWER, "VN");
	struct principal admin79 = who("a", ROLE_UNIT_ADMIN, "79");
	call(&c, "/quan-tri/nhat-ky", NULL);
	assert_int_equal(c.rc, MC_EFORBIDDEN);	/* never public */
	done(&c);
	call(&c, "/api/v1/audit", &viewer);
	assert_int_equal(c.rc, MC_EFORBIDDEN);
	done(&c);
	call(&c, "/api/v1/audit", &admin79);	/* audit_read: admin, inspector */
	assert_int_equal(c.rc, MC_EFORBIDDEN);
	done(&c);
}

static void test_page_html(void **state)
{
	struct call c;
	struct principal insp = who("t", ROLE_INSPECTOR, "VN");
	call(&c, "/quan-tri/nhat-ky", &insp);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.res.status, 200);
	const char *b = c.res.body.ptr;
	assert_non_null(strstr(b, "<h1>Nhật ký hệ thống</h1>"));
	assert_non_null(strstr(b, "Có <b>101</b> mục, trang 1/3"));
	assert_non_null(strstr(b, "Phạm vi xem: toàn quốc."));
	/* Newest first, escaped, expandable, with its change. */
	assert_non_null(strstr(b, "<b>&lt;script&gt;x</b>"));
	assert_null(strstr(b, "<script>"));
	assert_non_null(strstr(b, "<details>"));
	assert_non_null(strstr(b, "&lt;b&gt;Lan&lt;/b&gt;"));
	assert_non_null(strstr(b, "<time datetime=\"2026-01-01T08:41:00+07:00\">"
				  "2026-01-01 08:41</time>"));
	assert_non_null(strstr(b, "class=\"changed\""));
	assert_non_null(strstr(b, "href=\"/quan-tri/nhat-ky?trang=2\" rel=\"next\""));
	assert_string_equal(respond_header(&c.res, "Cache-Control"), "no-store");
	done(&c);

	/* Filters are kept in the pager's links (encoded) and the form. */
	call(&c, "/quan-tri/nhat-ky?nguoi-dung=lan&h%C3%A0nh=1&hanh-dong=login.&so-dong=5",
	     &insp);
	assert_int_equal(c.res.status, 200);
	b = c.res.body.ptr;
	assert_non_null(strstr(b, "value=\"lan\""));
	assert_non_null(strstr(b, "href=\"/quan-tri/nhat-ky?nguoi-dung=lan&amp;"
				  "hanh-dong=login.&amp;so-dong=5&amp;trang=2\""));
	done(&c);

	call(&c, "/quan-tri/nhat-ky?tu-ngay=hôm-qua", &insp);
	assert_int_equal(c.res.status, 400);
	assert_non_null(strstr(c.res.body.ptr, "tu-ngay"));
	done(&c);
	call(&c, "/api/v1/audit?so-dong=500", &insp);
	assert_int_equal(c.res.status, 400);
	done(&c);
}

static void test_page_api_and_scope(void **state)
{
	struct call c;
	struct principal insp = who("t", ROLE_INSPECTOR, "VN");
	struct principal hn = who("h", ROLE_INSPECTOR, "01");
	struct principal two = who("h", ROLE_ADMIN, "79");
	assert_true(authz_add_grant(&two, ROLE_VIEWER, "VN"));	/* no audit */

	call(&c, "/api/v1/audit?actor=lan&per_page=10", &insp);
	assert_int_equal(c.res.status, 200);
	assert_int_equal(json_total(&c), 33);
	assert_non_null(strstr(c.res.body.ptr, "\"next\":{\"href\":\"/api/v1/"
					       "audit?nguoi-dung=lan&so-dong=10"
					       "&trang=2\"}"));
	done(&c);
	/* Whole days in UTC+7: 2026-01-01 holds entries 1..101. */
	call(&c, "/api/v1/audit?from=2026-01-01&to=2026-01-01", &insp);
	assert_int_equal(json_total(&c), 101);
	done(&c);
	call(&c, "/api/v1/audit?tu-ngay=2026-01-02", &insp);
	assert_int_equal(json_total(&c), 0);
	done(&c);
	call(&c, "/api/v1/audit?den-ngay=2025-12-31", &insp);
	assert_int_equal(json_total(&c), 0);
	done(&c);
	/* A province inspector sees the province and its communes only. */
	call(&c, "/api/v1/audit", &hn);
	assert_int_equal(json_total(&c), 50);
	done(&c);
	call(&c, "/api/v1/audit?don-vi=79", &hn);
	assert_int_equal(json_total(&c), 0);
	done(&c);
	call(&c, "/quan-tri/nhat-ky", &hn);
	assert_non_null(strstr(c.res.body.ptr, "đơn vị 01 và các xã trực thuộc"));
	done(&c);
	call(&c, "/api/v1/audit", &two);	/* the admin grant on 79 only */
	assert_int_equal(json_total(&c), 51);
	done(&c);
}

/* ---- groups ------------------------------------------------------------- */

static int sqlite_setup(void **state)
{
	char tmpl[] = "/tmp/motcua-test-audit-XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(be_sqlite.url, sizeof(be_sqlite.url), "%s", tmpl);
	return 0;
}

static int sqlite_teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", be_sqlite.url);
	return system(cmd) == 0 ? 0 : -1;
}

static int pg_teardown(void **state)
{
	struct db *db;
	struct db_stmt *st;
	struct buf err = BUF_INIT, sql = BUF_INIT, like = BUF_INIT;
	int rc = -1;
	if (db_open(be_pg.url, &db, &err))
		goto out;
	buf_addf(&like, "t\\_audit\\_%d\\_%%", (int)getpid());
	if (db_prepare(db, "SELECT nspname FROM pg_namespace "
			   "WHERE nspname LIKE ?", &st, &err) == 0) {
		db_bind_text(st, 1, like.ptr, -1);
		while (db_step(st) == DB_ROW)
			buf_addf(&sql, "DROP SCHEMA %s CASCADE; ",
				 db_column_text(st, 0));
		db_finalize(st);
		rc = sql.len ? db_exec(db, sql.ptr, &err) : 0;
	}
	db_close(db);
out:
	if (rc)
		fprintf(stderr, "test_audit: cleanup: %s\n", err.ptr);
	buf_release(&err);
	buf_release(&sql);
	buf_release(&like);
	return rc;
}

#define AUDIT_TESTS(be)                                                 \
	cmocka_unit_test_prestate(test_append_verify, be),              \
	cmocka_unit_test_prestate(test_tamper_update, be),              \
	cmocka_unit_test_prestate(test_tamper_delete_middle, be),       \
	cmocka_unit_test_prestate(test_tamper_delete_last, be),         \
	cmocka_unit_test_prestate(test_tamper_insert, be),              \
	cmocka_unit_test_prestate(test_tamper_swap, be),                \
	cmocka_unit_test_prestate(test_concurrent_appends, be),         \
	cmocka_unit_test_prestate(test_verify_pages, be),               \
	cmocka_unit_test_prestate(test_search, be)

int main(void)
{
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_row_hash_known_answer),
	};
	const struct CMUnitTest sqlite[] = { AUDIT_TESTS(&be_sqlite) };
	const struct CMUnitTest pg[] = { AUDIT_TESTS(&be_pg) };
	const struct CMUnitTest web[] = {
		cmocka_unit_test(test_page_refuses),
		cmocka_unit_test(test_page_html),
		cmocka_unit_test(test_page_api_and_scope),
	};
	int failed = cmocka_run_group_tests_name("audit", common, NULL, NULL);
	failed += cmocka_run_group_tests_name("audit-web", web, web_setup,
					      web_teardown);
	failed += cmocka_run_group_tests_name("audit-sqlite", sqlite,
					      sqlite_setup, sqlite_teardown);
	const char *url = getenv("MOTCUA_TEST_PG");
	if (url && *url) {
		snprintf(be_pg.url, sizeof(be_pg.url), "%s", url);
		failed += cmocka_run_group_tests_name("audit-postgresql", pg,
						      NULL, pg_teardown);
	} else {
		printf("NOTE test_audit: MOTCUA_TEST_PG is not set: the %zu "
		       "PostgreSQL checks were skipped (not failed)\n",
		       sizeof(pg) / sizeof(pg[0]));
	}
	return failed ? 1 : 0;
}
