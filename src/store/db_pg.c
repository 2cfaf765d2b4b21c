/*
 * db_pg.c - the PostgreSQL driver of store/db.h over libpq. Parameters and
 * results travel in text mode; `?` placeholders become $1..$n. A cached
 * statement is prepared on the server (PQprepare, one name per
 * connection); a plain one runs through PQexecParams at its first step.
 * A statement's whole result is fetched at the first step, then iterated.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_int.h"
#include "util/err.h"
#include "util/xalloc.h"

/* SQLSTATE of unique_violation (PostgreSQL manual, Appendix A). */
#define PG_UNIQUE_VIOLATION "23505"

struct pg_db {
	struct db base;
	PGconn *conn;
	unsigned n_named;	/* statement names mc_1, mc_2 ... */
};

struct pg_stmt {
	struct db_stmt base;
	char *text;		/* with $n placeholders */
	char name[24];		/* server-side name, "" if not prepared */
	int n_params;
	char **vals;		/* [n_params]: owned strings, NULL = NULL */
	PGresult *res;
	int row, n_rows, n_cols;
	bool ran;
};

static PGconn *conn_of(struct db *db)
{
	return ((struct pg_db *)db)->conn;
}

int db__pg_placeholders(const char *sql, struct buf *out)
{
	int n = 0;
	const char *p = sql;
	buf_reset(out);
	while (*p) {
		const char *start = p;
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			while (*p && !(*p == q && p[1] != q))
				p += (*p == q) ? 2 : 1;
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else if (*p == '?') {
			buf_addf(out, "$%d", ++n);
			p++;
			continue;
		} else {
			p++;
		}
		buf_add(out, start, (size_t)(p - start));
	}
	return n;
}

/* Records the error of a result (or of the connection when res is NULL). */
static int fail(struct db *db, const PGresult *res, const char *sql)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!msg[0])
		msg = PQerrorMessage(conn_of(db));
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				: NULL;
	bool unique = state && !strcmp(state, PG_UNIQUE_VIOLATION);
	return db__fail(db, MC_EDB, unique, sql, "postgresql: %s",
			msg[0] ? msg : "unknown error");
}

static int pg_exec(struct db *db, const char *sql)
{
	PGresult *res = PQexec(conn_of(db), sql);
	ExecStatusType s = PQresultStatus(res);
	int rc = 0;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = fail(db, res, sql);
	PQclear(res);
	return rc;
}

/* NOTICEs ("already exists, skipping") are not errors: keep them quiet. */
static void quiet(void *arg, const char *message)
{
}

static int pg_open(const char *url, struct db **out, struct buf *err)
{
	int rc = MC_EDB;
	struct pg_db *d = xcalloc(1, sizeof(*d));
	db__init(&d->base, &db__pg_driver, DB_PG);
	/*
	 * Later keywords win: the URL may set its own connect_timeout, but
	 * the client encoding is always UTF-8.
	 */
	const char *keys[] = { "connect_timeout", "application_name",
			       "dbname", "client_encoding", NULL };
	const char *vals[] = { "10", "motcua", url, "UTF8", NULL };
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		if (err) {
			buf_setf(err, "postgresql: cannot connect: %s",
				 d->conn ? PQerrorMessage(d->conn)
					 : "out of memory");
			while (err->len && err->ptr[err->len - 1] == '\n')
				buf_truncate(err, err->len - 1);
		}
		goto out;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	if (pg_exec(&d->base, "SET TIME ZONE 'UTC'") < 0) {
		if (err)
			buf_setf(err, "%s", d->base.errmsg.ptr);
		goto out;
	}
	*out = &d->base;
	d = NULL;
	rc = 0;
out:
	if (d) {
		PQfinish(d->conn);
		db__release(&d->base);
		free(d);
	}
	return rc;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;
	PQfinish(d->conn);
	db__release(db);
	free(d);
}

static bool pg_healthy(struct db *db)
{
	return PQstatus(conn_of(db)) == CONNECTION_OK;
}

static int pg_prepare(struct db *db, const char *sql, bool named,
		      struct db_stmt **out)
{
	struct pg_db *d = (struct pg_db *)db;
	struct buf text = BUF_INIT;
	char name[24] = "";
	int rc = 0, n = db__pg_placeholders(sql, &text);
	if (named) {
		snprintf(name, sizeof(name), "mc_%u", d->n_named + 1);
		PGresult *res = PQprepare(d->conn, name, text.ptr, n, NULL);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			d->n_named++;
		else
			rc = fail(db, res, sql);
		PQclear(res);
	}
	if (rc == 0) {
		struct pg_stmt *st = xcalloc(1, sizeof(*st));
		db__stmt_init(&st->base, db, sql);
		st->text = buf_detach(&text, NULL);
		memcpy(st->name, name, sizeof(name));
		st->n_params = n;
		st->vals = xcalloc((size_t)(n ? n : 1), sizeof(char *));
		*out = &st->base;
	}
	buf_release(&text);
	return rc;
}

static int pg_reset(struct db_stmt *dst)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	PQclear(st->res);
	st->res = NULL;
	st->ran = false;
	st->row = st->n_rows = st->n_cols = 0;
	for (int i = 0; i < st->n_params; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
	return 0;
}

static void pg_finalize(struct db_stmt *dst)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	/*
	 * Named statements belong to the cache, which finalizes them only
	 * in db_close(), just before PQfinish: no DEALLOCATE needed.
	 */
	pg_reset(dst);
	free(st->vals);
	free(st->text);
	db__stmt_release(dst);
	free(st);
}

static int set_val(struct db_stmt *dst, int idx, char *v)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	if (idx > st->n_params) {
		free(v);
		return db__fail(dst->db, MC_EINVALID, false, dst->sql,
				"parameter index %d out of range (%d "
				"placeholders)", idx, st->n_params);
	}
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = v;
	return 0;
}

static int pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	char *s = xmalloc(24);
	snprintf(s, 24, "%lld", (long long)v);
	return set_val(st, idx, s);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *s,
			size_t len)
{
	return set_val(st, idx, xstrndup(s, len));
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
	return set_val(st, idx, NULL);
}

/* Parses the row count of a command tag such as "INSERT 0 3". */
static int64_t tag_count(PGresult *res)
{
	const char *t = PQcmdTuples(res);
	return t[0] ? strtoll(t, NULL, 10) : 0;
}

static int pg_step(struct db_stmt *dst)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	PGconn *conn = conn_of(dst->db);
	if (!st->ran) {
		const char *const *vals = (const char *const *)st->vals;
		st->ran = true;
		st->res = st->name[0]
			? PQexecPrepared(conn, st->name, st->n_params, vals,
					 NULL, NULL, 0)
			: PQexecParams(conn, st->text, st->n_params, NULL, vals,
				       NULL, NULL, 0);
		ExecStatusType s = PQresultStatus(st->res);
		if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
			int rc = fail(dst->db, st->res, dst->sql);
			PQclear(st->res);
			st->res = NULL;
			return rc;
		}
		st->n_rows = PQntuples(st->res);
		st->n_cols = PQnfields(st->res);
		st->row = -1;
		dst->changes = tag_count(st->res);
	}
	if (!st->res)
		return DB_DONE;
	if (st->row < st->n_rows)
		st->row++;
	return st->row < st->n_rows ? DB_ROW : DB_DONE;
}

/* Whether (current row, col) exists. */
static bool here(struct pg_stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < st->n_rows && col >= 0 &&
	       col < st->n_cols;
}

static int pg_column_count(struct db_stmt *dst)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	return st->res ? st->n_cols : 0;
}

static bool pg_column_is_null(struct db_stmt *dst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	return !here(st, col) || PQgetisnull(st->res, st->row, col);
}

static const char *pg_column_text(struct db_stmt *dst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	return here(st, col) ? PQgetvalue(st->res, st->row, col) : "";
}

static size_t pg_column_len(struct db_stmt *dst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)dst;
	return here(st, col) ? (size_t)PQgetlength(st->res, st->row, col) : 0;
}

/*
 * Text to integer as SQLite does it: leading integer digits, 0 for NULL
 * or text that is no number; "t"/"f" (a boolean column) give 1/0.
 */
static int64_t pg_column_int64(struct db_stmt *dst, int col)
{
	const char *t = pg_column_text(dst, col);
	if (t[0] == 't' && !t[1])
		return 1;
	errno = 0;
	long long v = strtoll(t, NULL, 10);
	return errno ? 0 : (int64_t)v;
}

static int pg_begin(struct db *db)
{
	return pg_exec(db, "BEGIN");
}

static int pg_begin_read(struct db *db)
{
	return pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(struct db *db)
{
	PGresult *res = PQexec(conn_of(db), "COMMIT");
	int rc = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(db, res, "COMMIT");
	else if (!strcmp(PQcmdStatus(res), "ROLLBACK"))
		/* COMMIT of a failed transaction answers ROLLBACK, no error. */
		rc = db__fail(db, MC_EDB, false, NULL,
			      "postgresql: transaction rolled back: a "
			      "statement in it had failed");
	PQclear(res);
	return rc;
}

static int pg_rollback(struct db *db)
{
	return pg_exec(db, "ROLLBACK");
}

const struct db_driver db__pg_driver = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.healthy = pg_healthy,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_is_null = pg_column_is_null,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_len = pg_column_len,
	.reset = pg_reset,
	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
};
