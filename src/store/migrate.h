/*
 * migrate.h - numbered schema migrations. The files migrations/NNNN_name.sql
 * are embedded in the binary; each is applied once, in number order, in its
 * own transaction, and recorded in the table schema_version (version, name,
 * applied_at). The SQL is written once for both databases, with the few
 * dialect markers listed at the top of migrate.c and in docs/database.md.
 */
#ifndef MC_STORE_MIGRATE_H
#define MC_STORE_MIGRATE_H

#include "store/db.h"
#include "util/buf.h"

struct migration {
	int version;		/* > 0; strictly increasing within a list */
	const char *name;	/* e.g. "catalog" */
	const char *sql;	/* statements with dialect markers */
};

/*
 * Applies, in number order, every embedded migrations/NNNN_name.sql that
 * schema_version does not record (a set, not a maximum: a migration that
 * lands after a higher-numbered one is still applied). Safe to run twice and from
 * several processes at once (PostgreSQL: an advisory lock; SQLite: BEGIN
 * IMMEDIATE). `db` must not be inside a transaction. *applied (may be
 * NULL) receives the number of migrations applied now. Errors: MC_EINVALID
 * for a badly named file, a duplicate number or an unknown marker, MC_EDB
 * when a statement fails (that migration is rolled back; those before it
 * stay applied); the reason, naming the file, goes into `err`.
 */
int migrate_run(struct db *db, int *applied, struct buf *err);

/*
 * The same for a list given in memory (tests, tools): `list` holds `n`
 * migrations in increasing version order. Borrowed; nothing is kept.
 */
int migrate_apply_list(struct db *db, const struct migration *list, int n,
		       int *applied, struct buf *err);

/* The highest applied version into *version (0 for a new database). */
int migrate_version(struct db *db, int *version, struct buf *err);

/*
 * How many embedded migrations the database has not applied (a set, not a
 * maximum: see migrate_run), and the number of the first of them (0 when
 * none). For `serve`, which refuses an unmigrated database.
 */
int migrate_pending(struct db *db, int *n_pending, int *first,
		    struct buf *err);

/*
 * Replaces the dialect markers of `sql` for `kind`, appending to `out`.
 * MC_EINVALID, naming it, for an unknown {{marker}}.
 */
int migrate_expand(enum db_kind kind, const char *sql, struct buf *out,
		   struct buf *err);

#endif
