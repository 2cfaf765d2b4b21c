/*
 * db_int.h - internals shared by db.c, db_sqlite.c and db_pg.c only (and
 * by tests/unit/test_db.c): the driver table, the parts of a connection
 * and of a statement that every driver has, and the error helper. Code
 * outside these files uses store/db.h and never this header.
 */
#ifndef MC_STORE_DB_INT_H
#define MC_STORE_DB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

/*
 * One driver. Every function that fails records the reason with
 * db__fail() and returns its negative code; db.c copies the reason into
 * the caller's `err`. Statements and connections are driver structs whose
 * first member is struct db_stmt / struct db.
 */
enum db_checkpoint { DB_CKPT_COPY, DB_CKPT_RESTART };

struct db_driver {
	const char *name;
	/* `target` is the URL without "sqlite:" for SQLite, whole for PG. */
	int (*open)(const char *target, struct db **out, struct buf *err);
	void (*close)(struct db *db);
	/* False when the connection is broken and must be reopened. */
	bool (*healthy)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	/* `named`: keep server-side (PG: PQprepare) for the statement cache. */
	int (*prepare)(struct db *db, const char *sql, bool named,
		       struct db_stmt **out);
	void (*finalize)(struct db_stmt *st);
	int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct db_stmt *st, int idx, const char *s,
			 size_t len);
	int (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	int (*column_count)(struct db_stmt *st);
	bool (*column_is_null)(struct db_stmt *st, int col);
	int64_t (*column_int64)(struct db_stmt *st, int col);
	const char *(*column_text)(struct db_stmt *st, int col);
	size_t (*column_len)(struct db_stmt *st, int col);
	int (*reset)(struct db_stmt *st);
	/* Outermost transaction; commit must fail if the server rolled back. */
	int (*begin)(struct db *db);
	int (*begin_read)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
	/* (group commit) True while the connection is inside a transaction;
	 * false once the engine has rolled one back by itself. */
	bool (*in_tx)(struct db *db);
	/* (group commit) True when stepping `st` may write (a statement not
	 * yet started that is not read-only). NULL: never asked. */
	bool (*writes)(struct db_stmt *st);
	/* (group commit) Opens a connection safe to hand between threads
	 * under a lock (SQLite: the serialized mode). NULL: no groups. */
	int (*open_shared)(const char *target, struct db **out,
			   struct buf *err);
	/* (group commit) Makes the writer stop checkpointing by itself and
	 * store the WAL's size in frames into *frames after each commit. */
	void (*wal_watch)(struct db *db, int *frames);
	/* (group commit) A checkpoint. DB_CKPT_COPY: copies what it can of
	 * the WAL into the database file and syncs that file, never
	 * blocking the writer (SQLite: PASSIVE), on a connection of its
	 * own. DB_CKPT_RESTART: on the writer, with no transaction open and
	 * no other writer, copies every frame, syncs, and waits (briefly)
	 * for the WAL's readers, so that the next write starts the WAL over
	 * (SQLite: RESTART). *left: 0 when done so, else the frames left. */
	int (*checkpoint)(struct db *db, enum db_checkpoint mode, int *left);
	/* (optional) Savepoint mc_sp<n> of a nested transaction: SAVEPOINT
	 * (DB_SP_BEGIN), RELEASE (DB_SP_RELEASE), or ROLLBACK TO then
	 * RELEASE (DB_SP_ROLLBACK), by statements the driver keeps prepared
	 * (SQLite: a group member's work is a savepoint; parsing its SQL
	 * text each time was a fiftieth of an intake). NULL: db.c runs the
	 * text through exec. */
	int (*savepoint)(struct db *db, int op, int n);
	/* (optional) The rowid of the connection's last INSERT (SQLite). */
	int64_t (*last_insert_id)(struct db *db);
};

enum { DB_SP_BEGIN, DB_SP_RELEASE, DB_SP_ROLLBACK, DB_SP_N };

struct db_group;

extern const struct db_driver db__sqlite_driver;
extern const struct db_driver db__pg_driver;

/* One slot of the per-connection statement cache (db.c). */
struct db_cache_slot {
	const char *key;	/* the caller's pointer: the hash key */
	char *text;		/* our copy, compared on every hit */
	struct db_stmt *st;
};

struct db {
	const struct db_driver *drv;
	enum db_kind kind;
	struct buf errmsg;	/* last error: driver message and SQL */
	bool last_unique;	/* last error was a UNIQUE/PK violation */
	int tx_depth;		/* 0: autocommit; >1: savepoints */
	struct db_cache_slot *cache;
	size_t cache_cap;	/* power of two, or 0 */
	size_t n_cache;
	/* Group commit (db.c): the pool's group of this connection, or NULL,
	 * and the group's writer while this connection's write transaction
	 * runs there (every call on this connection goes to `via` then). */
	struct db_group *group;
	struct db *via;
};

struct db_stmt {
	struct db *db;
	char *sql;		/* copy of the SQL as written, for messages */
	bool cached;		/* owned by the cache; db_done() resets it */
	bool in_use;		/* a cached statement handed out, not done */
	int64_t changes;	/* set by the driver when a statement ends */
};

/* Initialises the common part of a connection / a statement. */
void db__init(struct db *db, const struct db_driver *drv, enum db_kind kind);
void db__release(struct db *db);
void db__stmt_init(struct db_stmt *st, struct db *db, const char *sql);
void db__stmt_release(struct db_stmt *st);

/*
 * Records a failure on `db`: the message (printf-style) followed by the
 * SQL when `sql` is not NULL, counts it in db_error_count(), and returns
 * `code`. `unique` marks a UNIQUE or PRIMARY KEY violation.
 */
int db__fail(struct db *db, int code, bool unique, const char *sql,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Rewrites `?` placeholders to $1, $2 ... for PostgreSQL into `out`,
 * leaving `?` alone inside '...' literals, "..." identifiers, -- and
 * C-style comments. Returns the number of placeholders.
 */
int db__pg_placeholders(const char *sql, struct buf *out);

#endif
