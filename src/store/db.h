/*
 * db.h - the one small database interface motcua uses, with two drivers:
 * SQLite (db_sqlite.c: WAL, busy timeout) and PostgreSQL (db_pg.c: libpq).
 * SQL text is written once, in the common subset of both dialects, with
 * `?` placeholders (the PostgreSQL driver rewrites them to $1, $2 ...).
 * All values are bound, never formatted into SQL. SQL lives in store/ only.
 *
 * A connection belongs to one thread at a time. The server keeps one
 * connection per worker thread through struct db_pool.
 *
 *	struct db_stmt *st;
 *	if (db_prepare(db, "SELECT name FROM unit WHERE code = ?", &st, err))
 *		goto out;
 *	db_bind_text(st, 1, code, -1);
 *	while ((rc = db_step(st)) == DB_ROW)
 *		puts(db_column_text(st, 0));
 *	db_finalize(st);
 *
 * Errors: functions return 0 or a negative MC_E* code (util/err.h); the
 * reason (driver message and SQL) goes into `err` when one is given, and
 * is also kept in db_errmsg(). Every failure counts in db_error_count().
 */
#ifndef MC_STORE_DB_H
#define MC_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/buf.h"

enum db_kind { DB_SQLITE, DB_PG };

/* Results of db_step(). */
enum { DB_DONE = 0, DB_ROW = 1 };

struct db;
struct db_stmt;
struct db_pool;

/*
 * Opens "sqlite:PATH" (a bare path also means SQLite) or a
 * "postgresql://..." / "postgres://..." URL. The SQLite file is created if
 * missing. Returns MC_EINVALID for an unknown scheme, MC_EDB when the
 * database cannot be opened.
 */
int db_open(const char *url, struct db **out, struct buf *err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
const char *db_errmsg(const struct db *db);
/*
 * (added by store) True when the last error on `db` was a UNIQUE or
 * PRIMARY KEY violation, so a repository can answer MC_ECONFLICT.
 */
bool db_error_is_unique(const struct db *db);

/* Runs SQL without parameters; may hold several statements. */
int db_exec(struct db *db, const char *sql, struct buf *err);

/*
 * Prepares one statement. db_prepare_cached() keeps the statement in the
 * connection for reuse: `sql` must be a string literal (it is the key) and
 * the statement must not be finalized by the caller; call db_reset() (or
 * step to DB_DONE) before the next use, db_done() when finished.
 * While a cached statement is in use (handed out and not yet stepped to
 * DB_DONE, reset or done), asking for the same SQL again, e.g. in a nested
 * call, gives a private statement that db_done() finalizes.
 */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct buf *err);
int db_prepare_cached(struct db *db, const char *sql, struct db_stmt **out,
		      struct buf *err);

/*
 * Parameters are numbered from 1. len -1 means NUL-terminated. Text is
 * copied at once (the caller may free it) and must be valid UTF-8 without
 * NUL bytes, else MC_EINVALID (PostgreSQL would refuse it; SQLite is made
 * to refuse it too). A NULL `s` binds NULL. Unbound parameters are NULL.
 */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s, ssize_t len);
int db_bind_null(struct db_stmt *st, int idx);

/* DB_ROW, DB_DONE, or a negative error code. */
int db_step(struct db_stmt *st);

/*
 * Columns are numbered from 0; valid until the next step/reset. A NULL or
 * non-numeric value reads as 0 through db_column_int64(). On PostgreSQL
 * db_column_count() is known after the first db_step() only.
 */
int db_column_count(struct db_stmt *st);
bool db_column_is_null(struct db_stmt *st, int col);
int64_t db_column_int64(struct db_stmt *st, int col);
/* Never NULL ("" for NULL); NUL-terminated. */
const char *db_column_text(struct db_stmt *st, int col);
size_t db_column_len(struct db_stmt *st, int col);

/* Clears the row and the bindings so the statement can run again. */
int db_reset(struct db_stmt *st);
/* Ends the use of a statement: finalizes it, or resets a cached one. */
void db_done(struct db_stmt *st);
void db_finalize(struct db_stmt *st);

/* Rows changed by the last INSERT/UPDATE/DELETE of this statement. */
int64_t db_changes(struct db_stmt *st);
/*
 * SQLite: the id (rowid) of the last row this connection (its group
 * writer, in a group transaction) inserted; 0 on PostgreSQL, which has
 * no such thing: there an INSERT says "RETURNING id". On SQLite RETURNING
 * buffers its rows in a temporary b-tree, opened and closed per
 * statement: the busiest inserts (an intake's) ask for the id instead.
 */
int64_t db_last_insert_id(struct db *db);

/*
 * Transactions nest: an inner db_begin() opens a savepoint, its commit
 * releases it, its rollback undoes to it. On SQLite the outermost begin is
 * BEGIN IMMEDIATE (takes the write lock, waiting up to the 5 s busy
 * timeout). When db_commit() fails the transaction is rolled back.
 */
int db_begin(struct db *db, struct buf *err);
/*
 * (added by store) A read-only transaction: all its reads see one snapshot
 * (a page or report made of several queries stays consistent), and on
 * SQLite the reads lock once instead of once per statement. No lock is
 * taken against writers. It must not write (PostgreSQL refuses; SQLite
 * would take the write lock late and may fail with "database is locked").
 * End it with db_commit() or db_rollback(). Inside another transaction it
 * is a savepoint of that one.
 */
int db_begin_read(struct db *db, struct buf *err);
int db_commit(struct db *db, struct buf *err);
int db_rollback(struct db *db);
/* True while a transaction (db_begin or db_begin_read) is open on db. */
bool db_in_transaction(const struct db *db);

/* Total database errors since start, all connections (for /metrics). */
uint64_t db_error_count(void);

/*
 * A pool hands each thread its own connection, opened on first use and
 * closed by db_pool_free(). The pool is safe to share between threads.
 * db_pool_get() rolls back a transaction left open by the thread's last
 * request and reopens a broken PostgreSQL connection. A connection of a
 * thread that has exited stays in the pool (a new thread with the same
 * pthread_t reuses it) until db_pool_free(), which no thread may race.
 */
struct db_pool *db_pool_new(const char *url);
/*
 * Group commit (SQLite pools, db.c): the write transactions of a pool's
 * threads run as savepoints of one shared writer transaction, committed
 * when no other thread is waiting to write (or after 64 members); each
 * db_commit() returns once the COMMIT holding its rows has succeeded.
 * Counts of group COMMITs and of the transactions they held, for
 * /metrics.
 */
void db_group_stats(uint64_t *commits, uint64_t *members);
/* SQLite group checkpoints so far: copies beside the writer, restarts of
 * the WAL, and restarts that could not be done (a reader stayed). */
void db_wal_stats(uint64_t *copies, uint64_t *restarts, uint64_t *failed);
int db_pool_get(struct db_pool *pool, struct db **out, struct buf *err);
void db_pool_free(struct db_pool *pool);

#endif
