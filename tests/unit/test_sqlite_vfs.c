/*
 * test_sqlite_vfs.c - the VFS that writes a WAL frame in one call
 * (store/sqlite_vfs.c) leaves WAL files that SQLite's own VFS recovers
 * whole after a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/db.h"
#include "store/sqlite_vfs.h"
#include "util/buf.h"

#define ROWS 300	/* about 700 frames: below the automatic checkpoint */
#define BLOB 1500

static char dir[64];

/* The child's writes: ROWS transactions, then an exit without closing,
 * so the rows live in the WAL only. Exit status: 0, or what failed. */
static int child_writes(const char *url)
{
	struct db *db;
	struct db_stmt *st;
	if (db_open(url, &db, NULL))
		return 2;
	if (db_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);"
			"CREATE INDEX t_v ON t (v)",
		    NULL))
		return 3;
	char blob[BLOB + 1];
	for (int i = 0; i < ROWS; i++) {
		memset(blob, 'a' + i % 26, BLOB);
		snprintf(blob, 16, "%08d", i);
		blob[8] = '-';
		blob[BLOB] = 0;
		if (db_begin(db, NULL) ||
		    db_prepare_cached(db, "INSERT INTO t (k, v) VALUES (?, ?)",
				      &st, NULL))
			return 4;
		db_bind_int64(st, 1, i);
		db_bind_text(st, 2, blob, -1);
		int rc = db_step(st);
		db_done(st);
		if (rc != DB_DONE || db_commit(db, NULL))
			return 5;
	}
	if (sqlite_vfs_joined_writes() < ROWS)
		return 6;	/* the frames did not go through the shim */
	_exit(0);
}

static void test_wal_recovered_by_plain_vfs(void **state)
{
	(void)state;
	char path[128], url[160], wal[140];
	snprintf(path, sizeof(path), "%s/crash.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_writes(url));
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The rows are in the WAL, not yet in the database file. */
	struct stat sb;
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > (off_t)ROWS * 4096);

	/* SQLite's own VFS, by name, recovers every transaction. */
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE,
					 "unix"),
			 SQLITE_OK);
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT count(*), sum(length(v)),"
					    " min(k), max(k),"
					    " sum(substr(v, 1, 8) + 0 = k)"
					    " FROM t",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), ROWS);
	assert_int_equal(sqlite3_column_int64(q, 1), (int64_t)ROWS * BLOB);
	assert_int_equal(sqlite3_column_int64(q, 2), 0);
	assert_int_equal(sqlite3_column_int64(q, 3), ROWS - 1);
	assert_int_equal(sqlite3_column_int64(q, 4), ROWS);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1,
					    &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	sqlite3_close(h);
}

/* In the process itself: readers on other connections see every commit
 * while a writer adds frames, and a checkpoint copies them. */
static void test_readers_and_checkpoint(void **state)
{
	(void)state;
	char url[160];
	snprintf(url, sizeof(url), "sqlite:%s/live.db", dir);
	struct db *w, *r;
	struct db_stmt *st;
	assert_int_equal(db_open(url, &w, NULL), 0);
	assert_int_equal(db_open(url, &r, NULL), 0);
	assert_int_equal(db_exec(w, "CREATE TABLE t (k INTEGER PRIMARY KEY,"
				    " v TEXT)", NULL),
			 0);
	uint64_t before = sqlite_vfs_joined_writes();
	for (int i = 1; i <= 1500; i++) {
		assert_int_equal(db_prepare_cached(w, "INSERT INTO t (k, v) "
						   "VALUES (?, hex(randomblob(900)))",
						   &st, NULL),
				 0);
		db_bind_int64(st, 1, i);
		assert_int_equal(db_step(st), DB_DONE);
		db_done(st);
		if (i % 100 == 0) {
			assert_int_equal(db_prepare_cached(
						 r, "SELECT count(*) FROM t",
						 &st, NULL),
					 0);
			assert_int_equal(db_step(st), DB_ROW);
			assert_int_equal(db_column_int64(st, 0), i);
			db_done(st);
		}
	}
	assert_true(sqlite_vfs_joined_writes() - before >= 1500);
	assert_int_equal(db_exec(w, "PRAGMA wal_checkpoint(TRUNCATE)", NULL),
			 0);
	assert_int_equal(db_prepare_cached(r, "SELECT count(*) FROM t", &st,
					   NULL),
			 0);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int64(st, 0), 1500);
	db_done(st);
	db_close(r);
	db_close(w);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/motcua-test-vfs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_recovered_by_plain_vfs),
		cmocka_unit_test(test_readers_and_checkpoint),
	};
	return cmocka_run_group_tests_name("sqlite_vfs", tests, setup,
					   teardown);
}
