/*
 * db_sqlite.c - the SQLite driver of store/db.h: WAL journal,
 * synchronous=NORMAL, a 5 s busy timeout, foreign keys on, no memory map and
 * a larger page cache (SQLITE_MMAP_BYTES, SQLITE_CACHE_KIB). Connections are
 * opened without SQLite's own mutex: each belongs to one thread at a time
 * (db_pool). Writers serialise through BEGIN IMMEDIATE.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db_int.h"
#include "store/sqlite_vfs.h"
#include "util/err.h"
#include "util/xalloc.h"

#define BUSY_TIMEOUT_MS 5000
/*
 * No memory map (mmap_size=0): reads go through each connection's own page
 * cache of SQLITE_CACHE_KIB (SQLite's default is 2 MB; allocated as used,
 * one connection per worker thread, so RSS grows by at most threads x
 * this). With a map, SQLite unmaps the whole file at a reader's first read
 * after another connection's commit (pagerBeginReadTransaction) and maps
 * it again, page fault by page fault: on a server that writes, that was
 * every request. Without it an intake costs 9 % fewer instructions (a
 * quarter fewer in the kernel), 0.8 page faults instead of 7.9, and no
 * munmap, whose TLB shootdown interrupts every CPU running the server;
 * the queue's p99 on 10 million dossiers and issue 2's RSS (27 MB, was
 * 33) were no worse. docs/database.md.
 */
#ifndef SQLITE_MMAP_BYTES
#define SQLITE_MMAP_BYTES "0"
#endif
#define SQLITE_CACHE_KIB "16384"
/*
 * Temporary files in memory: the group commit's savepoints (store/db.c)
 * keep a sub-journal of the pages they change, and past 64 KiB SQLite
 * spilled it to a temporary file, created and unlinked at every commit (a
 * close(2) and a dentry freed per intake in the profile). Sorts and
 * temporary tables of our queries are small.
 */
/*
 * The file grows in steps of this many bytes (SQLITE_FCNTL_CHUNK_SIZE):
 * fewer size changes of the file at checkpoints (with a memory map, as
 * the server had before, each size change made every reader map the file
 * again).
 */
#define SQLITE_CHUNK_BYTES (16 * 1024 * 1024)

/* The transaction statements, prepared once per connection: through
 * sqlite3_exec each BEGIN and COMMIT was parsed again, and the parser's
 * allocation made glibc consolidate its free lists every request (a
 * sixth of a work-queue request's instructions, bench/run-dossier.sh). */
enum { TX_BEGIN_IMMEDIATE, TX_BEGIN_DEFERRED, TX_COMMIT, TX_ROLLBACK, TX_N };
static const char *const tx_sql[TX_N] = {
	"BEGIN IMMEDIATE", "BEGIN DEFERRED", "COMMIT", "ROLLBACK",
};

/* Savepoints mc_sp1 .. mc_sp<SP_KEPT> have prepared statements. */
#define SP_KEPT 8

struct sq_db {
	struct db base;
	sqlite3 *h;
	sqlite3_stmt *tx[TX_N];
	sqlite3_stmt *sp[SP_KEPT][3];	/* SAVEPOINT, RELEASE, ROLLBACK TO */
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *s;
};

static sqlite3 *handle(struct db *db)
{
	return ((struct sq_db *)db)->h;
}

static sqlite3_stmt *stmt(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->s;
}

/* Records the connection's current error. */
static int fail(struct db *db, const char *sql)
{
	sqlite3 *h = handle(db);
	int x = sqlite3_extended_errcode(h);
	bool unique = x == SQLITE_CONSTRAINT_UNIQUE ||
		      x == SQLITE_CONSTRAINT_PRIMARYKEY;
	int code = (x & 0xff) == SQLITE_RANGE ? MC_EINVALID : MC_EDB;
	return db__fail(db, code, unique, sql, "sqlite: %s", sqlite3_errmsg(h));
}

static int sq_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(handle(db), sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	int x = sqlite3_extended_errcode(handle(db));
	rc = db__fail(db, MC_EDB,
		      x == SQLITE_CONSTRAINT_UNIQUE ||
			      x == SQLITE_CONSTRAINT_PRIMARYKEY,
		      sql, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

/*
 * Switches a database to WAL (persistent, so mostly a no-op). When several
 * connections open a new file at once, the switch can answer SQLITE_BUSY
 * at once, without the busy handler: retry for up to the busy timeout.
 * An in-memory database answers "memory", which is fine.
 */
static int set_wal(sqlite3 *h)
{
	int rc = SQLITE_BUSY;
	for (int i = 0; i < BUSY_TIMEOUT_MS / 10 && rc != SQLITE_OK; i++) {
		rc = sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL,
				  NULL);
		if ((rc & 0xff) == SQLITE_BUSY)
			sqlite3_sleep(10);
		else if (rc != SQLITE_OK)
			break;
	}
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Once per process, before the first connection: no memory statistics.
 * With them on (SQLite's default) every allocation of every connection
 * takes one process-wide mutex to count bytes we never read; request
 * threads met there at each statement. And the VFS that writes a WAL
 * frame in one call (store/sqlite_vfs.c).
 */
static void sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite_vfs_install();
}

static int open_mode(const char *path, int mode, struct db **out,
		     struct buf *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sq_configure);
	int rc = MC_EDB;
	struct sq_db *d = xcalloc(1, sizeof(*d));
	db__init(&d->base, &db__sqlite_driver, DB_SQLITE);
	int r = sqlite3_open_v2(path, &d->h,
				SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					mode,
				NULL);
	if (r != SQLITE_OK) {
		if (err)
			buf_setf(err, "sqlite: cannot open '%s': %s", path,
				 d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(r));
		goto out;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	if ((set_wal(d->h) < 0 && fail(&d->base, "PRAGMA journal_mode=WAL")) ||
	    sq_exec(&d->base, "PRAGMA synchronous=NORMAL; "
			      "PRAGMA foreign_keys=ON; "
			      "PRAGMA mmap_size=" SQLITE_MMAP_BYTES "; "
			      "PRAGMA temp_store=MEMORY; "
			      "PRAGMA cache_size=-" SQLITE_CACHE_KIB) < 0) {
		if (err)
			buf_setf(err, "%s", d->base.errmsg.ptr);
		goto out;
	}
	int chunk = SQLITE_CHUNK_BYTES;
	sqlite3_file_control(d->h, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
	*out = &d->base;
	d = NULL;
	rc = 0;
out:
	if (d) {
		sqlite3_close_v2(d->h);
		db__release(&d->base);
		free(d);
	}
	return rc;
}

static int sq_open(const char *path, struct db **out, struct buf *err)
{
	return open_mode(path, SQLITE_OPEN_NOMUTEX, out, err);
}

/*
 * The writer of a pool's group (db.c): used by one thread at a time under
 * the group's lock, but a statement prepared there may still be reset or
 * finalized by its thread after the lock is released, so SQLite's own
 * mutex is on.
 */
static int sq_open_shared(const char *path, struct db **out, struct buf *err)
{
	return open_mode(path, SQLITE_OPEN_FULLMUTEX, out, err);
}

static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	__atomic_store_n((int *)arg, frames, __ATOMIC_RELAXED);
	return SQLITE_OK;
}

static void sq_wal_watch(struct db *db, int *frames)
{
	/* Replaces the automatic checkpoint (wal_autocheckpoint) of this
	 * connection: db.c checkpoints outside the group's lock. */
	sqlite3_wal_hook(handle(db), wal_hook, frames);
}

/* The restart checkpoint's busy handler: readers of the WAL end within a
 * request, so wait for them in short naps, up to CKPT_WAIT_US in all. */
#define CKPT_NAP_US 50
#define CKPT_WAIT_US 20000
static int ckpt_busy(void *arg, int count)
{
	(void)arg;
	if (count >= CKPT_WAIT_US / CKPT_NAP_US)
		return 0;
	struct timespec nap = { 0, CKPT_NAP_US * 1000L };
	nanosleep(&nap, NULL);
	return 1;
}

static int sq_checkpoint(struct db *db, enum db_checkpoint mode, int *left)
{
	sqlite3 *h = handle(db);
	bool restart = mode == DB_CKPT_RESTART;
	int nlog = 0, nckpt = 0;
	if (restart)
		sqlite3_busy_handler(h, ckpt_busy, NULL);
	int r = sqlite3_wal_checkpoint_v2(
		h, NULL,
		restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
		&nlog, &nckpt);
	if (restart)
		sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	/* 0: every frame is in the database file (and, for a restart, the
	 * next write starts the WAL over); else what is left, at least 1. */
	if (r == SQLITE_OK && (restart || nlog <= nckpt))
		*left = 0;
	else
		*left = nlog > nckpt ? nlog - nckpt : 1;
	/* A PASSIVE checkpoint that stops short of the WAL's end writes
	 * pages into the database file without syncing it; the restart's
	 * sync would then flush them all with the writer stopped. Sync them
	 * here, through the file SQLite holds (a second descriptor of our
	 * own would drop SQLite's POSIX locks when closed). */
	if (!restart && *left && nckpt > 0) {
		sqlite3_file *f = NULL;
		if (sqlite3_file_control(h, "main", SQLITE_FCNTL_FILE_POINTER,
					 &f) == SQLITE_OK &&
		    f && f->pMethods &&
		    f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) != SQLITE_OK)
			return db__fail(db, MC_EDB, false, NULL,
					"sqlite: cannot sync the database file "
					"after a checkpoint");
	}
	return r == SQLITE_OK || r == SQLITE_BUSY ? 0
						  : fail(db, "PRAGMA wal_checkpoint");
}

static bool sq_in_tx(struct db *db)
{
	return !sqlite3_get_autocommit(handle(db));
}

static bool sq_writes(struct db_stmt *st)
{
	return !sqlite3_stmt_busy(stmt(st)) && !sqlite3_stmt_readonly(stmt(st));
}

static void sq_close(struct db *db)
{
	struct sq_db *d = (struct sq_db *)db;
	for (int i = 0; i < TX_N; i++)
		sqlite3_finalize(d->tx[i]);
	for (int i = 0; i < SP_KEPT; i++)
		for (int j = 0; j < 3; j++)
			sqlite3_finalize(d->sp[i][j]);
	sqlite3_close_v2(d->h);
	db__release(db);
	free(d);
}

static bool sq_healthy(struct db *db)
{
	return true;
}

static int sq_prepare(struct db *db, const char *sql, bool named,
		      struct db_stmt **out)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int flags = named ? SQLITE_PREPARE_PERSISTENT : 0;
	if (sqlite3_prepare_v3(handle(db), sql, -1, flags, &s, &tail) !=
	    SQLITE_OK)
		return fail(db, sql);
	if (!s)
		return db__fail(db, MC_EINVALID, false, sql,
				"no SQL statement");
	while (tail && strchr(" \t\r\n;", *tail) && *tail)
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(s);
		return db__fail(db, MC_EINVALID, false, sql,
				"more than one statement in db_prepare");
	}
	struct sq_stmt *st = xmalloc(sizeof(*st));
	db__stmt_init(&st->base, db, sql);
	st->s = s;
	*out = &st->base;
	return 0;
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt(st));
	db__stmt_release(st);
	free(st);
}

static int bound(struct db_stmt *st, int r)
{
	return r == SQLITE_OK ? 0 : fail(st->db, st->sql);
}

static int sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	return bound(st, sqlite3_bind_int64(stmt(st), idx, v));
}

static int sq_bind_text(struct db_stmt *st, int idx, const char *s,
			size_t len)
{
	/* TRANSIENT: SQLite copies, so callers may free `s` at once. */
	return bound(st, sqlite3_bind_text64(stmt(st), idx, s, len,
					     SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
	return bound(st, sqlite3_bind_null(stmt(st), idx));
}

static int sq_step(struct db_stmt *st)
{
	int r = sqlite3_step(stmt(st));
	if (r == SQLITE_ROW)
		return DB_ROW;
	if (r == SQLITE_DONE) {
		st->changes = sqlite3_changes64(handle(st->db));
		return DB_DONE;
	}
	return fail(st->db, st->sql);
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(stmt(st));
}

static bool sq_column_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(stmt(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(stmt(st), col);
}

static const char *sq_column_text(struct db_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt(st), col);
	return t ? (const char *)t : "";
}

static size_t sq_column_len(struct db_stmt *st, int col)
{
	/* After sqlite3_column_text() this is the length of the text. */
	return (size_t)sqlite3_column_bytes(stmt(st), col);
}

static int sq_reset(struct db_stmt *st)
{
	/* sqlite3_reset repeats the last step's error: already reported. */
	sqlite3_reset(stmt(st));
	sqlite3_clear_bindings(stmt(st));
	return 0;
}

/* Runs one of the transaction statements. */
static int tx_run(struct db *db, int which)
{
	struct sq_db *d = (struct sq_db *)db;
	if (!d->tx[which] &&
	    sqlite3_prepare_v3(d->h, tx_sql[which], -1,
			       SQLITE_PREPARE_PERSISTENT, &d->tx[which],
			       NULL) != SQLITE_OK)
		return fail(db, tx_sql[which]);
	int rc = sqlite3_step(d->tx[which]);
	if (rc != SQLITE_DONE) {
		rc = fail(db, tx_sql[which]);
		sqlite3_reset(d->tx[which]);
		return rc;
	}
	sqlite3_reset(d->tx[which]);
	return 0;
}

/* One savepoint statement of mc_sp<n>, prepared on first use. */
static int sp_step(struct db *db, int which, int n)
{
	static const char *const fmt[3] = {
		"SAVEPOINT mc_sp%d", "RELEASE SAVEPOINT mc_sp%d",
		"ROLLBACK TO SAVEPOINT mc_sp%d",
	};
	struct sq_db *d = (struct sq_db *)db;
	sqlite3_stmt **s = &d->sp[n - 1][which];
	char sql[48];
	int rc;

	if (!*s) {
		snprintf(sql, sizeof(sql), fmt[which], n);
		if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				       s, NULL) != SQLITE_OK)
			return fail(db, sql);
	}
	rc = sqlite3_step(*s);
	rc = rc == SQLITE_DONE ? 0 : fail(db, sqlite3_sql(*s));
	sqlite3_reset(*s);
	return rc;
}

static int sq_savepoint(struct db *db, int op, int n)
{
	char sql[96];
	int rc;

	if (n < 1 || n > SP_KEPT) {
		/* deeper than any repository nests: the text */
		if (op == DB_SP_ROLLBACK)
			snprintf(sql, sizeof(sql),
				 "ROLLBACK TO SAVEPOINT mc_sp%d; "
				 "RELEASE SAVEPOINT mc_sp%d", n, n);
		else
			snprintf(sql, sizeof(sql), "%sSAVEPOINT mc_sp%d",
				 op == DB_SP_RELEASE ? "RELEASE " : "", n);
		return sq_exec(db, sql);
	}
	if (op == DB_SP_BEGIN)
		return sp_step(db, 0, n);
	if (op == DB_SP_RELEASE)
		return sp_step(db, 1, n);
	rc = sp_step(db, 2, n);
	return rc ? rc : sp_step(db, 1, n);
}

static int64_t sq_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(handle(db));
}

static int sq_begin(struct db *db)
{
	/*
	 * IMMEDIATE takes the write lock now, waiting up to the busy
	 * timeout; a deferred BEGIN that reads then writes could instead
	 * fail with SQLITE_BUSY without waiting.
	 */
	return tx_run(db, TX_BEGIN_IMMEDIATE);
}

static int sq_begin_read(struct db *db)
{
	/* DEFERRED: the snapshot starts at the first read; no write lock. */
	return tx_run(db, TX_BEGIN_DEFERRED);
}

static int sq_commit(struct db *db)
{
	return tx_run(db, TX_COMMIT);
}

static int sq_rollback(struct db *db)
{
	if (sqlite3_get_autocommit(handle(db)))
		return 0;	/* SQLite already rolled back (e.g. on error) */
	return tx_run(db, TX_ROLLBACK);
}

const struct db_driver db__sqlite_driver = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.healthy = sq_healthy,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_count = sq_column_count,
	.column_is_null = sq_column_is_null,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_len = sq_column_len,
	.reset = sq_reset,
	.begin = sq_begin,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_tx = sq_in_tx,
	.writes = sq_writes,
	.open_shared = sq_open_shared,
	.wal_watch = sq_wal_watch,
	.checkpoint = sq_checkpoint,
	.savepoint = sq_savepoint,
	.last_insert_id = sq_last_insert_id,
};
