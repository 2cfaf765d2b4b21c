/*
 * bench_intake.c - the raw floor of durable intake: a loop of SQLite
 * transactions, each one INSERT of a dossier-sized row and one INSERT of an
 * event row, at the durability the server uses (WAL, synchronous=NORMAL,
 * store/db_sqlite.c). Links sqlite3 only. bench/run-dossier.sh prints its
 * rate beside the rate of POST /api/v1/dossiers through HTTP.
 *
 * usage: bench_intake DB_PATH [SECONDS] [THREADS]
 * Prints "raw_inserts_per_s N" (transactions per second). THREADS writers
 * (default 1) each with their own connection, like the server's pool.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

/*
 * The schema is a plain stand-in of the real tables: the same kinds of
 * columns and sizes, one unique code, the queue index. No triggers, no
 * counters, no audit: that is what the ratio measures.
 */
static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS raw_dossiers ("
	" id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
	" procedure_code TEXT NOT NULL, desk_id INTEGER NOT NULL,"
	" channel TEXT NOT NULL, state TEXT NOT NULL,"
	" applicant TEXT NOT NULL, received_at INTEGER NOT NULL,"
	" due_at INTEGER NOT NULL, version INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS raw_dossiers_queue"
	" ON raw_dossiers (desk_id, state, due_at);"
	"CREATE TABLE IF NOT EXISTS raw_events ("
	" id INTEGER PRIMARY KEY, dossier_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL,"
	" at INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL,"
	" payload TEXT NOT NULL);";

static const char applicant[] =
	"{\"kind\":\"person\",\"full_name\":\"Nguyễn Thị Lan\","
	"\"id_number\":\"024190001234\",\"phone\":\"0912345678\","
	"\"email\":\"lan@example.vn\",\"address\":{\"unit\":\"07738\","
	"\"street\":\"Số 12 đường Lê Lợi, tổ dân phố 3\"},"
	"\"components\":[{\"seq\":1,\"mode\":\"original\",\"count\":1},"
	"{\"seq\":2,\"mode\":\"copy\",\"count\":2}]}";
static const char payload[] =
	"{\"channel\":\"truc_tiep\",\"due_at\":1767225600,"
	"\"note\":\"Tiếp nhận tại quầy\",\"components\":3}";

struct worker {
	const char *path;
	double seconds;
	int index;
	long done;
	int failed;
};

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
		fprintf(stderr, "bench_intake: %s: %s\n", sql,
			msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *h = NULL;
	sqlite3_stmt *ins = NULL, *ev = NULL;
	char code[64];
	w->failed = 1;
	if (sqlite3_open(w->path, &h) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(h, 5000);
	if (exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"))
		goto out;
	if (sqlite3_prepare_v2(h,
			       "INSERT INTO raw_dossiers (code, procedure_code,"
			       " desk_id, channel, state, applicant,"
			       " received_at, due_at, version)"
			       " VALUES (?, '1.001193', 806, 'truc_tiep',"
			       " 'received', ?, ?, ?, 1)",
			       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h,
			       "INSERT INTO raw_events (dossier_id, seq, action,"
			       " actor, at, from_state, to_state, payload)"
			       " VALUES (?, 1, 'receive', 'tiepnhan.canhthuy',"
			       " ?, NULL, 'received', ?)",
			       -1, &ev, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_intake: %s\n", sqlite3_errmsg(h));
		goto out;
	}
	double end = now_s() + w->seconds;
	long t = 1767225600;
	while (now_s() < end) {
		for (int k = 0; k < 16; k++) {
			snprintf(code, sizeof code, "H24.07738-260101-%d-%07ld",
				 w->index, w->done);
			if (exec(h, "BEGIN IMMEDIATE"))
				goto out;
			sqlite3_bind_text(ins, 1, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 2, applicant, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 3, t);
			sqlite3_bind_int64(ins, 4, t + 3 * 86400);
			if (sqlite3_step(ins) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(ins);
			sqlite3_bind_int64(ev, 1, sqlite3_last_insert_rowid(h));
			sqlite3_bind_int64(ev, 2, t);
			sqlite3_bind_text(ev, 3, payload, -1, SQLITE_STATIC);
			if (sqlite3_step(ev) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(ev);
			if (exec(h, "COMMIT"))
				goto out;
			w->done++;
			t += 7;
		}
	}
	w->failed = 0;
	goto out;
fail:
	fprintf(stderr, "bench_intake: %s\n", sqlite3_errmsg(h));
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(ev);
	sqlite3_close(h);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_intake DB_PATH [SECONDS] "
				"[THREADS]\n");
		return 2;
	}
	double secs = argc > 2 ? strtod(argv[2], NULL) : 10;
	int n = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 1;
	if (secs <= 0 || n < 1 || n > 64) {
		fprintf(stderr, "bench_intake: bad SECONDS or THREADS\n");
		return 2;
	}
	sqlite3 *h = NULL;
	if (sqlite3_open(argv[1], &h) != SQLITE_OK || exec(h, schema)) {
		sqlite3_close(h);
		return 1;
	}
	sqlite3_close(h);

	struct worker w[64];
	pthread_t th[64];
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ argv[1], secs, i, 0, 0 };
		pthread_create(&th[i], NULL, run, &w[i]);
	}
	long total = 0;
	int failed = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		total += w[i].done;
		failed |= w[i].failed;
	}
	double dt = now_s() - t0;
	printf("raw_inserts_per_s %.0f\n", (double)total / dt);
	printf("raw_transactions %ld in %.2f s, %d thread(s)\n", total, dt, n);
	return failed;
}
