/*
 * bench_intake_rows.c - the raw floor of one durable intake: a loop of
 * SQLite transactions that each write exactly the rows POST /api/v1/dossiers
 * writes (the daily code counter and the book counter, the dossier row,
 * its first event, its components, the idempotency key, the audit entry),
 * into the real schema with its indexes (a database made by `motcua init`
 * and holding one dossier made by the server: its rows are the template),
 * at the server's durability (WAL, synchronous=NORMAL). No HTTP, no JSON,
 * no validation, no reads but the template rows: what is left is the cost
 * of storing a dossier. Links sqlite3 only; bench/run-dossier.sh prints its
 * rate beside the HTTP rate.
 *
 * usage: bench_intake_rows DB_PATH [SECONDS]
 * Prints "raw_rows_per_s N" (dossiers per second).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_intake_rows: %s: %s\n", sql,
			msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * "INSERT INTO t (first, c2, c3 ...) SELECT ?, c2, c3 ... FROM t WHERE
 * key = ?": copies a template row with a new value of `first`; `skip` is
 * a column left out (the rowid key), or NULL.
 */
static int copy_sql(sqlite3 *h, const char *table, const char *first,
		    const char *skip, const char *key, char *out, size_t cap)
{
	char q[128];
	sqlite3_stmt *st;
	snprintf(q, sizeof q, "SELECT name FROM pragma_table_info('%s')",
		 table);
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	char cols[2048] = "";
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (!strcmp(c, first) || (skip && !strcmp(c, skip)))
			continue;
		n += (size_t)snprintf(cols + n, sizeof cols - n, ", %s", c);
		if (n >= sizeof cols)
			break;
	}
	sqlite3_finalize(st);
	if (n == 0 || n >= sizeof cols)
		return -1;
	size_t m = (size_t)snprintf(out, cap,
				    "INSERT INTO %s (%s%s) SELECT ?%s FROM %s "
				    "WHERE %s = ?",
				    table, first, cols, cols, table, key);
	return m < cap ? 0 : -1;
}

static int prep(sqlite3 *h, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(h, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "bench_intake_rows: %s: %s\n", sql, sqlite3_errmsg(h));
	return -1;
}

static int done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_intake_rows DB_PATH [SECONDS]\n");
		return 2;
	}
	double secs = argc > 2 ? strtod(argv[2], NULL) : 10;
	sqlite3 *h = NULL;
	sqlite3_stmt *tmpl = NULL, *counter = NULL, *dossier = NULL,
		     *event = NULL, *comps = NULL, *idem = NULL, *audit = NULL,
		     *max_audit = NULL;
	char sql[3][4096];
	int status = 1;
	if (sqlite3_open(argv[1], &h) != SQLITE_OK ||
	    exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		    "PRAGMA foreign_keys=ON"))
		goto out;
	sqlite3_busy_timeout(h, 5000);
	/* The template: the newest dossier and its audit entry. */
	if (prep(h, "SELECT d.id, a.id FROM dossiers d JOIN audit_log a"
		    " ON a.object_type = 'dossier' AND a.object_id = d.code"
		    " ORDER BY d.id DESC LIMIT 1", &tmpl))
		goto out;
	if (sqlite3_step(tmpl) != SQLITE_ROW) {
		fprintf(stderr, "bench_intake_rows: no template dossier\n");
		goto out;
	}
	sqlite3_int64 t_dossier = sqlite3_column_int64(tmpl, 0);
	sqlite3_int64 t_audit = sqlite3_column_int64(tmpl, 1);
	/* A statement left on a row keeps its read transaction open, and
	 * then SQLite can never checkpoint: the WAL would grow through the
	 * whole run (it did, to hundreds of MB), which no real writer can
	 * afford and which skips the checkpoints the server pays for. */
	sqlite3_reset(tmpl);
	if (copy_sql(h, "dossiers", "code", "id", "id", sql[0], sizeof sql[0]) ||
	    copy_sql(h, "dossier_events", "dossier_id", NULL, "dossier_id",
		     sql[1], sizeof sql[1]) ||
	    copy_sql(h, "dossier_components", "dossier_id", NULL, "dossier_id",
		     sql[2], sizeof sql[2])) {
		fprintf(stderr, "bench_intake_rows: cannot read the schema\n");
		goto out;
	}
	char audit_sql[4096];
	if (copy_sql(h, "audit_log", "id", NULL, "id", audit_sql,
		     sizeof audit_sql) ||
	    prep(h, sql[0], &dossier) || prep(h, sql[1], &event) ||
	    prep(h, sql[2], &comps) || prep(h, audit_sql, &audit) ||
	    prep(h, "INSERT INTO dossier_counter (scope, period, last)"
		    " VALUES (?, ?, 1) ON CONFLICT (scope, period)"
		    " DO UPDATE SET last = last + 1 RETURNING last", &counter) ||
	    prep(h, "INSERT INTO dossier_idempotency (idem_key, dossier_code,"
		    " created_at) VALUES (?, ?, ?)", &idem) ||
	    prep(h, "SELECT max(id) FROM audit_log", &max_audit))
		goto out;
	if (sqlite3_step(max_audit) != SQLITE_ROW)
		goto out;
	sqlite3_int64 audit_id = sqlite3_column_int64(max_audit, 0);
	sqlite3_reset(max_audit);

	char code[64], key[64];
	long n = 0;
	double t0 = now_s(), end = t0 + secs;
	while (now_s() < end) {
		for (int k = 0; k < 16; k++, n++) {
			snprintf(code, sizeof code, "RAW.%ld.%08ld", (long)t0, n);
			snprintf(key, sizeof key, "raw-%ld-%ld", (long)t0, n);
			if (exec(h, "BEGIN IMMEDIATE"))
				goto out;
			sqlite3_bind_text(counter, 1, "H24.RAW", -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(counter, 2, "261127", -1,
					  SQLITE_STATIC);
			if (done(counter))
				goto fail;
			sqlite3_bind_text(counter, 1, "book:raw", -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(counter, 2, "2026", -1, SQLITE_STATIC);
			if (done(counter))
				goto fail;
			sqlite3_bind_text(dossier, 1, code, -1, SQLITE_STATIC);
			sqlite3_bind_int64(dossier, 2, t_dossier);
			if (done(dossier))
				goto fail;
			sqlite3_int64 id = sqlite3_last_insert_rowid(h);
			sqlite3_bind_int64(event, 1, id);
			sqlite3_bind_int64(event, 2, t_dossier);
			sqlite3_bind_int64(comps, 1, id);
			sqlite3_bind_int64(comps, 2, t_dossier);
			sqlite3_bind_text(idem, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(idem, 2, code, -1, SQLITE_STATIC);
			sqlite3_bind_int64(idem, 3, (sqlite3_int64)t0);
			sqlite3_bind_int64(audit, 1, ++audit_id);
			sqlite3_bind_int64(audit, 2, t_audit);
			if (done(event) || done(comps) || done(idem) ||
			    done(audit))
				goto fail;
			if (exec(h, "COMMIT"))
				goto out;
		}
	}
	double dt = now_s() - t0;
	printf("raw_rows_per_s %.0f\n", (double)n / dt);
	printf("raw_rows_transactions %ld in %.2f s\n", n, dt);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "bench_intake_rows: %s\n", sqlite3_errmsg(h));
out:
	sqlite3_finalize(tmpl);
	sqlite3_finalize(counter);
	sqlite3_finalize(dossier);
	sqlite3_finalize(event);
	sqlite3_finalize(comps);
	sqlite3_finalize(idem);
	sqlite3_finalize(audit);
	sqlite3_finalize(max_audit);
	sqlite3_close(h);
	return status;
}
