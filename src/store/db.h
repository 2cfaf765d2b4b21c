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

/* Runs SQL without parameters; may hold several statements. */
int db_exec(struct db *db, const char *sql, struct buf *err);

/*
 * Prepares one statement. db_prepare_cached() keeps the statement in the
 * connection for reuse: `sql` must be a string literal (it is the key) and
 * the statement must not be finalized by the caller; call db_reset() (or
 * step to DB_DONE) before the next use, db_done() when finished.
 */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct buf *err);
int db_prepare_cached(struct db *db, const char *sql, struct db_stmt **out,
		      struct buf *err);

/* Parameters are numbered from 1. len -1 means NUL-terminated. */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s, ssize_t len);
int db_bind_null(struct db_stmt *st, int idx);

/* DB_ROW, DB_DONE, or a negative error code. */
int db_step(struct db_stmt *st);

/* Columns are numbered from 0; valid until the next step/reset. */
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

int db_begin(struct db *db, struct buf *err);
int db_commit(struct db *db, struct buf *err);
int db_rollback(struct db *db);

/* Total database errors since start, all connections (for /metrics). */
uint64_t db_error_count(void);

/*
 * A pool hands each thread its own connection, opened on first use and
 * closed by db_pool_free(). The pool is safe to share between threads.
 */
struct db_pool *db_pool_new(const char *url);
int db_pool_get(struct db_pool *pool, struct db **out, struct buf *err);
void db_pool_free(struct db_pool *pool);

#endif
