/*
 * testdb.h - the database of a repository test: a temporary SQLite file,
 * or a PostgreSQL schema of its own when MOTCUA_TEST_PG names a database;
 * the migrations applied. One set-up for every tests/unit/test_*_repo.c
 * (each used to carry its own copy). Include after <cmocka.h>.
 *
 *	static int setup_sqlite(void **state)
 *	{
 *		static struct testdb t;
 *		return testdb_setup(state, &t, false, "outbox");
 *	}
 *	... cmocka_run_group_tests(tests, setup_sqlite, testdb_teardown);
 *
 * A test seeds its own rows after testdb_setup() (t.db).
 */
#ifndef MC_TESTS_TESTDB_H
#define MC_TESTS_TESTDB_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mctime.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"

struct testdb {
	bool pg;
	char dir[PATH_MAX];		/* SQLite: the temporary directory */
	char url[PATH_MAX + 16];	/* the database URL */
	char schema[64];		/* PostgreSQL: this test's schema */
	struct db *db;
};

/* Runs SQL that must succeed. */
static inline void testdb_exec(struct db *db, const char *sql)
{
	struct buf err = BUF_INIT;
	if (db_exec(db, sql, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
}

/* The integer of a query's first row (a count). */
static inline int64_t testdb_count(struct db *db, const char *sql)
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

/* An instant from text ("2026-11-27 08:00" as core/mctime.h reads it). */
static inline mc_time testdb_time(const char *s)
{
	mc_time t = 0;
	struct buf err = BUF_INIT;
	if (mctime_parse(s, &t, &err))
		fail_msg("bad time %s", err.ptr);
	buf_release(&err);
	return t;
}

/*
 * The smallest world a dossier needs: province 24 (Bắc Ninh) with commune
 * 10000 "Xã A" and its desk (agency identifier H24.99), unit 01 (Hà Nội),
 * and procedure P1 "Đăng ký X" at the counter, 3 working days, 50.000 đồng.
 */
static inline void testdb_seed_desk(struct db *db)
{
	testdb_exec(db,
		"INSERT INTO units (era, code, name, full_name, type, "
		"parent_code, level, name_key) VALUES "
		"('2025', '24', 'Bắc Ninh', 'Tỉnh Bắc Ninh', 'Tỉnh', NULL, 1, "
		"'bac ninh'), "
		"('2025', '10000', 'A', 'Xã A', 'Xã', '24', 3, 'a'), "
		"('2025', '01', 'Hà Nội', 'Hà Nội', 'Thành phố', NULL, 1, 'hn')");
	testdb_exec(db,
		"INSERT INTO procedures (code, name, name_key, field, levels, "
		"commune_level, commune_list_2026, commune_desk, issuing_body, "
		"decision_no, procedure_type, implementing_agency, "
		"competent_authority, target, receiving_address, "
		"online_submission, processing_time_text, fee_text, "
		"dossier_items, legal_basis, steps, conditions, results, "
		"related_procedures, dossier_note, source_url, detail_status) "
		"VALUES ('P1', 'Đăng ký X', 'dang ky x', 'Hộ tịch', 'Cấp xã', "
		"1, 1, 1, '', '', '', '', '', '', '', 1, '', '', 1, '', '', '', "
		"'[]', '', '', '', 'ok')");
	testdb_exec(db,
		"INSERT INTO procedure_channels (code, seq, channel, origin, "
		"time_text, dur_unit, dur_amount, fee_text, fee_dong, note) VALUES "
		"('P1', 1, 'truc_tiep', 'detail', '3 ngày làm việc', "
		"'working_days', 3, '50.000 đồng', 50000, '')");
	testdb_exec(db, "INSERT INTO desks (unit_code, name, agency_code) VALUES "
		    "('10000', 'Một cửa Xã A', 'H24.99')");
}

/* Another connection to the test's database (its schema first on
 * PostgreSQL), e.g. for a second thread. Close it with db_close(). */
static inline struct db *testdb_connect(const struct testdb *t)
{
	struct db *db;
	struct buf err = BUF_INIT;
	if (db_open(t->url, &db, &err))
		fail_msg("%s", err.ptr);
	if (t->pg) {
		char sql[96];
		snprintf(sql, sizeof(sql), "SET search_path TO %s", t->schema);
		testdb_exec(db, sql);
	}
	buf_release(&err);
	return db;
}

/*
 * Opens `t` (pg chooses the backend) for the test `name` (a short
 * identifier: the directory is /tmp/test_NAME.XXXXXX, the schema
 * t_NAME_PID), applies the migrations, and stores &t in *state.
 */
static inline int testdb_setup(void **state, struct testdb *t, bool pg,
			const char *name)
{
	struct buf err = BUF_INIT;
	memset(t, 0, sizeof(*t));
	t->pg = pg;
	if (pg) {
		snprintf(t->url, sizeof(t->url), "%s", getenv("MOTCUA_TEST_PG"));
	} else {
		snprintf(t->dir, sizeof(t->dir), "/tmp/test_%.40s.XXXXXX", name);
		if (!mkdtemp(t->dir))
			fail_msg("mkdtemp");
		snprintf(t->url, sizeof(t->url), "sqlite:%s/t.db", t->dir);
	}
	if (db_open(t->url, &t->db, &err))
		fail_msg("%s", err.ptr);
	if (pg) {
		char sql[320];
		snprintf(t->schema, sizeof(t->schema), "t_%.40s_%d", name,
			 (int)getpid());
		snprintf(sql, sizeof(sql),
			 "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; "
			 "SET search_path TO %s",
			 t->schema, t->schema, t->schema);
		testdb_exec(t->db, sql);
	}
	if (migrate_run(t->db, NULL, &err))
		fail_msg("%s", err.ptr);
	buf_release(&err);
	*state = t;
	return 0;
}

/* Drops the schema or removes the files; a cmocka group teardown. */
static inline int testdb_teardown(void **state)
{
	struct testdb *t = *state;
	if (t->pg) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", t->schema);
		testdb_exec(t->db, sql);
	}
	db_close(t->db);
	if (!t->pg) {
		static const char *const files[] = { "t.db", "t.db-wal",
						     "t.db-shm" };
		char p[PATH_MAX + 16];
		for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
			snprintf(p, sizeof(p), "%s/%s", t->dir, files[i]);
			unlink(p);
		}
		rmdir(t->dir);
	}
	return 0;
}

#endif
