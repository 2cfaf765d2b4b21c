/*
 * migrate.c - applies the numbered migrations (see migrate.h), each in its
 * own transaction, under a lock so that two processes never both apply one.
 *
 * Dialect markers, replaced before a migration runs (docs/database.md):
 *	{{serial_pk}}	SQLite INTEGER PRIMARY KEY (the rowid),
 *			PostgreSQL BIGSERIAL PRIMARY KEY
 *	{{now}}		the current time as BIGINT seconds since 1970 UTC,
 *			parenthesised, so it can follow DEFAULT
 * Everything else is written in the subset both dialects share.
 */
#include "store/migrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/embed.h"
#include "util/err.h"
#include "util/xalloc.h"

/* pg_advisory_xact_lock key: "motc" in ASCII. */
#define MIGRATE_LOCK_KEY "1836020835"

struct marker {
	const char *name;
	const char *sqlite;
	const char *pg;
};

static const struct marker markers[] = {
	{ "serial_pk", "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY" },
	{ "now", "(CAST(strftime('%s', 'now') AS INTEGER))",
	  "(CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))" },
};

int migrate_expand(enum db_kind kind, const char *sql, struct buf *out,
		   struct buf *err)
{
	const char *p = sql, *open;
	while ((open = strstr(p, "{{"))) {
		const char *close = strstr(open + 2, "}}");
		const struct marker *m = NULL;
		size_t n = close ? (size_t)(close - open - 2) : 0;
		for (size_t i = 0; close && i < ARRAY_SIZE(markers); i++)
			if (strlen(markers[i].name) == n &&
			    !memcmp(markers[i].name, open + 2, n))
				m = &markers[i];
		if (!m) {
			if (err)
				buf_setf(err, "unknown migration marker '%.*s'",
					 close ? (int)(n + 4) : 20, open);
			return MC_EINVALID;
		}
		buf_add(out, p, (size_t)(open - p));
		buf_adds(out, kind == DB_PG ? m->pg : m->sqlite);
		p = close + 2;
	}
	buf_adds(out, p);
	return 0;
}

static const char create_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version BIGINT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" applied_at BIGINT NOT NULL)";

/* Reads one integer from a query without parameters. */
static int query_int(struct db *db, const char *sql, int64_t *v,
		     struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc < 0)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*v = db_column_int64(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		*v = 0;
	} else if (err) {
		buf_setf(err, "%s", db_errmsg(db));
	}
	db_finalize(st);
	return rc;
}

int migrate_version(struct db *db, int *version, struct buf *err)
{
	int64_t v = 0;
	int rc;
	*version = 0;
	const char *exists =
		db_kind(db) == DB_PG
			? "SELECT CASE WHEN to_regclass('schema_version') "
			  "IS NULL THEN 0 ELSE 1 END"
			: "SELECT count(*) FROM sqlite_master "
			  "WHERE type = 'table' AND name = 'schema_version'";
	if ((rc = query_int(db, exists, &v, err)) < 0 || !v)
		return rc;
	rc = query_int(db, "SELECT COALESCE(MAX(version), 0) FROM "
			   "schema_version", &v, err);
	if (rc == 0)
		*version = (int)v;
	return rc;
}

/* Inside the open transaction: the migration's statements and its row. */
static int apply_one(struct db *db, const struct migration *m,
		     const char *sql, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc = db_exec(db, sql, err);
	if (rc < 0)
		goto out;
	rc = db_prepare(db, "INSERT INTO schema_version (version, name, "
			    "applied_at) VALUES (?, ?, ?)", &st, err);
	if (rc < 0)
		goto out;
	if ((rc = db_bind_int64(st, 1, m->version)) < 0 ||
	    (rc = db_bind_text(st, 2, m->name, -1)) < 0 ||
	    (rc = db_bind_int64(st, 3, (int64_t)time(NULL))) < 0 ||
	    (rc = db_step(st)) < 0) {
		if (err)
			buf_setf(err, "%s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	db_finalize(st);
	return rc;
}

/* Whether migration `version` is recorded in schema_version. */
static int is_applied(struct db *db, int version, bool *out, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT 1 FROM schema_version WHERE version = ?",
			    &st, err);
	if (rc < 0)
		return rc;
	db_bind_int64(st, 1, version);
	rc = db_step(st);
	*out = rc == DB_ROW;
	if (rc < 0 && err)
		buf_setf(err, "%s", db_errmsg(db));
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * One transaction: takes the lock, applies the first migration (in number
 * order) that schema_version does not record, if any. A set, not a maximum:
 * a migration numbered below one already applied (two branches of work
 * landing out of order) is still applied. *did tells whether one was.
 */
static int step_once(struct db *db, const struct migration *list,
		     char **sqls, int n, bool *did, struct buf *err)
{
	int rc;
	*did = false;
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	if (db_kind(db) == DB_PG &&
	    (rc = db_exec(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY
			      ")", err)) < 0)
		goto fail;
	if ((rc = db_exec(db, create_table, err)) < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		bool done;
		if ((rc = is_applied(db, list[i].version, &done, err)) < 0)
			goto fail;
		if (done)
			continue;
		if ((rc = apply_one(db, &list[i], sqls[i], err)) < 0) {
			struct buf why = BUF_INIT;
			buf_adds(&why, err ? err->ptr : db_errmsg(db));
			if (err)
				buf_setf(err, "migration %04d_%s: %s",
					 list[i].version, list[i].name,
					 why.ptr);
			buf_release(&why);
			goto fail;
		}
		*did = true;
		break;
	}
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}

int migrate_apply_list(struct db *db, const struct migration *list, int n,
		       int *applied, struct buf *err)
{
	int rc = 0, count = 0;
	char **sqls = xcalloc((size_t)(n ? n : 1), sizeof(char *));
	for (int i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		if (list[i].version <= 0 || !list[i].name ||
		    (i && list[i].version <= list[i - 1].version)) {
			if (err)
				buf_setf(err, "migration %d (%s): versions "
					 "must be positive and increasing",
					 list[i].version,
					 list[i].name ? list[i].name : "?");
			rc = MC_EINVALID;
			goto out;
		}
		if ((rc = migrate_expand(db_kind(db), list[i].sql, &b, err))) {
			if (err) {
				struct buf why = BUF_INIT;
				buf_adds(&why, err->ptr);
				buf_setf(err, "migration %04d_%s: %s",
					 list[i].version, list[i].name,
					 why.ptr);
				buf_release(&why);
			}
			buf_release(&b);
			goto out;
		}
		sqls[i] = buf_detach(&b, NULL);
	}
	for (;;) {
		bool did;
		if ((rc = step_once(db, list, sqls, n, &did, err)) < 0)
			goto out;
		if (!did)
			break;
		count++;
	}
out:
	for (int i = 0; i < n; i++)
		free(sqls[i]);
	free(sqls);
	if (applied)
		*applied = count;
	return rc;
}

/* The embedded migrations, collected by embed_each(). */
struct collect {
	struct migration *list;
	char **names;
	int n, alloc;
	struct buf *err;
	int rc;
};

/* Parses "migrations/NNNN_name.sql"; non-.sql files are skipped. */
static int collect_one(const struct embed_file *f, void *ctx)
{
	struct collect *c = ctx;
	const char *base = f->path + strlen("migrations/");
	size_t len = strlen(base);
	if (len < 4 || strcmp(base + len - 4, ".sql"))
		return 0;
	int v = 0;
	size_t i = 0;
	while (base[i] >= '0' && base[i] <= '9' && i < 9)
		v = v * 10 + (base[i++] - '0');
	if (i < 4 || base[i] != '_' || len - 4 <= i + 1 || v == 0 ||
	    strchr(base, '/')) {
		if (c->err)
			buf_setf(c->err, "%s: a migration is named "
				 "NNNN_name.sql with NNNN > 0", f->path);
		c->rc = MC_EINVALID;
		return 1;
	}
	if (c->n && c->list[c->n - 1].version >= v) {
		if (c->err)
			buf_setf(c->err, "%s: migration number %d out of order "
				 "or used twice",
				 f->path, v);
		c->rc = MC_EINVALID;
		return 1;
	}
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->list = xrealloc(c->list, (size_t)c->alloc * sizeof(*c->list));
		c->names = xrealloc(c->names,
				    (size_t)c->alloc * sizeof(*c->names));
	}
	c->names[c->n] = xstrndup(base + i + 1, len - 4 - (i + 1));
	c->list[c->n] = (struct migration){ v, c->names[c->n],
					    (const char *)f->data };
	c->n++;
	return 0;
}

int migrate_run(struct db *db, int *applied, struct buf *err)
{
	struct collect c = { .err = err };
	int rc;
	if (applied)
		*applied = 0;
	embed_each("migrations/", collect_one, &c);
	rc = c.rc ? c.rc : migrate_apply_list(db, c.list, c.n, applied, err);
	for (int i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
	free(c.list);
	return rc;
}

int migrate_pending(struct db *db, int *n_pending, int *first, struct buf *err)
{
	struct collect c = { .err = err };
	int rc, ver = 0;
	*n_pending = 0;
	if (first)
		*first = 0;
	embed_each("migrations/", collect_one, &c);
	if ((rc = c.rc))
		goto out;
	if ((rc = migrate_version(db, &ver, err)) < 0)
		goto out;
	for (int i = 0; i < c.n; i++) {
		bool done = false;
		if (ver && (rc = is_applied(db, c.list[i].version, &done, err)) < 0)
			goto out;
		if (done)
			continue;
		if (first && !*n_pending)
			*first = c.list[i].version;
		(*n_pending)++;
	}
out:
	for (int i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
	free(c.list);
	return rc;
}
