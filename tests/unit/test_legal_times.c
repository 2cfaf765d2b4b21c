/*
 * test_legal_times.c - the legal-times table (data/procedure-legal-times.csv,
 * store/import.h import_legal_times) on a temporary SQLite file, or on
 * PostgreSQL when MOTCUA_TEST_PG holds a URL: after the shipped import the
 * marriage registration (1.000894, catalog time "1") has a same-day
 * duration with its basis, a code with its own full duration is untouched,
 * running the import again changes nothing, a malformed table is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/catalog.h"
#include "store/db.h"
#include "store/import.h"
#include "store/migrate.h"
#include "util/embed.h"
#include "util/err.h"

static struct db *db;
static char dir[] = "/tmp/motcua-test-legal-XXXXXX";
static char path[128];

/* The first column of the first row of `sql` as text ("" when none). */
static void q1(const char *sql, const char *arg, char *out, size_t n)
{
	struct db_stmt *s;
	struct buf err = BUF_INIT;
	if (db_prepare(db, sql, &s, &err))
		fail_msg("%s", err.ptr);
	if (arg)
		db_bind_text(s, 1, arg, -1);
	out[0] = 0;
	if (db_step(s) == DB_ROW && !db_column_is_null(s, 0))
		snprintf(out, n, "%s", db_column_text(s, 0));
	db_finalize(s);
	buf_release(&err);
}

/* Every channel's duration and its origin, as one text. */
static char *fingerprint(void)
{
	struct db_stmt *s;
	struct buf err = BUF_INIT, out = BUF_INIT;
	if (db_prepare(db, "SELECT code, seq, COALESCE(dur_unit, '-'),"
		       " COALESCE(dur_amount, -1), COALESCE(duration_source, '-'),"
		       " COALESCE(duration_basis, '-'), time_text"
		       " FROM procedure_channels ORDER BY code, seq", &s, &err))
		fail_msg("%s", err.ptr);
	while (db_step(s) == DB_ROW)
		buf_addf(&out, "%s|%lld|%s|%lld|%s|%s|%s\n",
			 db_column_text(s, 0), (long long)db_column_int64(s, 1),
			 db_column_text(s, 2), (long long)db_column_int64(s, 3),
			 db_column_text(s, 4), db_column_text(s, 5),
			 db_column_text(s, 6));
	db_finalize(s);
	buf_release(&err);
	return out.ptr;
}

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	const char *pg = getenv("MOTCUA_TEST_PG");
	int rc;
	catalog_cache_reset();
	if (pg && *pg) {
		rc = db_open(pg, &db, &err);
	} else {
		if (!mkdtemp(dir))
			return -1;
		snprintf(path, sizeof(path), "sqlite:%s/t.db", dir);
		rc = db_open(path, &db, &err);
	}
	if (!rc)
		rc = migrate_run(db, NULL, &err);
	if (!rc)
		rc = import_shipped(db, NULL, &err);
	if (rc)
		fprintf(stderr, "setup: %s\n", err.ptr);
	buf_release(&err);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	if (path[0]) {
		static const char *const ext[] = { "", "-wal", "-shm" };
		char p[160];
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/t.db%s", dir, ext[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return 0;
}

static void test_marriage_same_day(void **state)
{
	(void)state;
	char v[256];
	static const char *const cols[][2] = {
		{ "time_text", "1" },
		{ "dur_unit", "same_day" },
		{ "dur_amount", "0" },
		{ "duration_source", "legal_times" },
		{ "duration_basis", "Luật Hộ tịch 2014, Điều 18 khoản 2" },
	};
	for (size_t i = 0; i < sizeof(cols) / sizeof(*cols); i++) {
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT %s FROM procedure_channels"
			 " WHERE code = ? AND channel = 'truc_tiep'", cols[i][0]);
		q1(sql, "1.000894", v, sizeof(v));
		assert_string_equal(v, cols[i][1]);
	}
	/* Certification with an empty catalog time, and 3 working days. */
	q1("SELECT dur_unit FROM procedure_channels WHERE code = ?"
	   " AND channel = 'truc_tiep'", "2.000815", v, sizeof(v));
	assert_string_equal(v, "same_day");
	q1("SELECT dur_unit || ' ' || dur_amount FROM procedure_channels"
	   " WHERE code = ? ORDER BY seq", "1.004873", v, sizeof(v));
	assert_string_equal(v, "working_days 3");
	/* The model of the public page carries the basis. */
	json_t *p;
	struct buf err = BUF_INIT;
	if (catalog_procedure_get(db, "1.000894", &p, &err))
		fail_msg("%s", err.ptr);
	json_t *c0 = json_array_get(json_object_get(p, "channels"), 0);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(c0, "duration"), "text")), "Trong ngày");
	assert_string_equal(json_string_value(json_object_get(
		c0, "duration_basis")), "Luật Hộ tịch 2014, Điều 18 khoản 2");
	assert_string_equal(json_string_value(json_object_get(c0, "time_text")),
			    "1");
	json_decref(p);
	buf_release(&err);
}

static void test_full_duration_untouched(void **state)
{
	(void)state;
	char v[256];
	/* In the table ("Trong ngày") but the catalog says "1 Ngày làm việc". */
	q1("SELECT dur_unit || ' ' || dur_amount || ' '"
	   " || COALESCE(duration_source, 'catalog') FROM procedure_channels"
	   " WHERE code = ? AND channel = 'truc_tiep'", "2.000908", v,
	   sizeof(v));
	assert_string_equal(v, "working_days 1 catalog");
	/* A hand table naming a code with a full duration changes nothing. */
	static const char t[] = "code,channel,duration,legal_basis,note\n"
				"2.000908,truc_tiep,Trong ngày,X Điều 1,\n";
	struct import_stats st = { 0 };
	struct buf err = BUF_INIT;
	char *before = fingerprint();
	if (import_legal_times(db, "t.csv", t, strlen(t), &st, &err))
		fail_msg("%s", err.ptr);
	assert_int_equal(st.legal_times, 0);
	char *after = fingerprint();
	assert_string_equal(before, after);
	free(before);
	free(after);
	buf_release(&err);
}

static void test_twice(void **state)
{
	(void)state;
	struct import_stats st = { 0 };
	struct buf err = BUF_INIT;
	char *before = fingerprint();
	const struct embed_file *f = embed_find("data/procedure-legal-times.csv");
	assert_non_null(f);
	if (import_legal_times(db, "t.csv", (const char *)f->data, f->len, &st,
			       &err))
		fail_msg("%s", err.ptr);
	/* Rewrites its own rows: every table code is in the catalog. */
	char n[32];
	q1("SELECT COUNT(*) FROM procedure_channels WHERE duration_source = ?",
	   "legal_times", n, sizeof(n));
	assert_int_equal(st.legal_times, (int)strtol(n, NULL, 10));
	q1("SELECT COUNT(DISTINCT code) FROM procedure_channels WHERE"
	   " duration_source = ?", "legal_times", n, sizeof(n));
	assert_string_equal(n, "18");	/* 19 rows; 2.000908 has its own */
	struct import_stats st2 = { 0 };
	if (import_shipped(db, &st2, &err))
		fail_msg("%s", err.ptr);
	char *after = fingerprint();
	assert_string_equal(before, after);
	free(before);
	free(after);
	buf_release(&err);
}

static void test_refused(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "code,channel,duration,legal_basis,note\n"
		  "1.000894,,1,Luật X Điều 1,\n", "column 'duration'" },
		{ "code,channel,duration,legal_basis,note\n"
		  "1.000894,quay,Trong ngày,Luật X Điều 1,\n", "column 'channel'" },
		{ "code,channel,duration,legal_basis,note\n"
		  "1.000894,,Trong ngày,,\n", "column 'legal_basis'" },
		{ "code,channel,duration,note\n1.000894,,Trong ngày,\n",
		  "column 'legal_basis'" },
		{ "code,channel,duration,legal_basis,note\n"
		  "1.001193,,5 ngày làm việc,Luật X Điều 1,\n"
		  "x,,Trong ngày,Luật X Điều 1,\n", "t.csv:3: column 'code'" },
	};
	char *before = fingerprint();
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct buf err = BUF_INIT;
		assert_int_equal(import_legal_times(db, "t.csv", bad[i][0],
						    strlen(bad[i][0]), NULL,
						    &err), MC_EINVALID);
		if (!strstr(err.ptr, bad[i][1]))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.ptr,
				 bad[i][1]);
		buf_release(&err);
	}
	char *after = fingerprint();
	assert_string_equal(before, after);	/* nothing written */
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marriage_same_day),
		cmocka_unit_test(test_full_duration_untouched),
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
