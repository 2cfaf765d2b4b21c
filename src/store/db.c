/*
 * db.c - the driver-independent half of store/db.h: URL dispatch, the
 * per-connection statement cache, nested transactions (savepoints), the
 * error counter, and the pool that gives each thread its own connection.
 * Everything dialect-specific is in db_sqlite.c and db_pg.c.
 */
#include "store/db.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Past this many cached statements a connection stops caching. */
#define DB_CACHE_MAX 1024
/* Longest SQL quoted in an error message. */
#define DB_ERR_SQL_MAX 300

static _Atomic uint64_t n_errors;

static int group_begin(struct db *db, struct buf *err);
static int group_end(struct db *db, bool commit, struct buf *err);
static void group_solo_enter(struct db_group *g);
static void group_solo_leave(struct db_group *g);

/* The connection that runs `db`'s statements now (group commit). */
static struct db *cur(struct db *db)
{
	return db->via ? db->via : db;
}

/* True when a statement run on `db` now would be an autocommit write that
 * must go through the group's lock. */
static bool solo(const struct db *db)
{
	return db->group && !db->via && db->tx_depth == 0;
}

uint64_t db_error_count(void)
{
	return atomic_load_explicit(&n_errors, memory_order_relaxed);
}

void db__init(struct db *db, const struct db_driver *drv, enum db_kind kind)
{
	memset(db, 0, sizeof(*db));
	db->drv = drv;
	db->kind = kind;
	buf_init(&db->errmsg, 0);
}

void db__release(struct db *db)
{
	buf_release(&db->errmsg);
}

void db__stmt_init(struct db_stmt *st, struct db *db, const char *sql)
{
	memset(st, 0, sizeof(*st));
	st->db = db;
	st->sql = xstrdup(sql);
}

void db__stmt_release(struct db_stmt *st)
{
	free(st->sql);
	st->sql = NULL;
}

int db__fail(struct db *db, int code, bool unique, const char *sql,
	     const char *fmt, ...)
{
	va_list ap;
	buf_reset(&db->errmsg);
	va_start(ap, fmt);
	buf_vaddf(&db->errmsg, fmt, ap);
	va_end(ap);
	/* Driver messages often end with a newline: drop it. */
	while (db->errmsg.len && (db->errmsg.ptr[db->errmsg.len - 1] == '\n' ||
				  db->errmsg.ptr[db->errmsg.len - 1] == ' '))
		buf_truncate(&db->errmsg, db->errmsg.len - 1);
	if (sql) {
		size_t n = strlen(sql);
		if (n > DB_ERR_SQL_MAX)
			buf_addf(&db->errmsg, " (in SQL: %.*s...)",
				 DB_ERR_SQL_MAX, sql);
		else
			buf_addf(&db->errmsg, " (in SQL: %s)", sql);
	}
	db->last_unique = unique;
	atomic_fetch_add_explicit(&n_errors, 1, memory_order_relaxed);
	return code;
}

/* Copies the last error of `db` into the caller's buffer. */
static int report(struct db *db, int rc, struct buf *err)
{
	if (rc < 0 && err)
		buf_setf(err, "%s", db->errmsg.ptr);
	return rc;
}

/* Whether `url` starts with a URL scheme ("name:"), and its length. */
static size_t scheme_len(const char *url)
{
	size_t i = 0;
	if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
		return 0;
	while (url[i] && (strchr("+-.", url[i]) ||
			  (url[i] >= 'a' && url[i] <= 'z') ||
			  (url[i] >= 'A' && url[i] <= 'Z') ||
			  (url[i] >= '0' && url[i] <= '9')))
		i++;
	return url[i] == ':' ? i : 0;
}

int db_open(const char *url, struct db **out, struct buf *err)
{
	int rc = MC_EINVALID;
	*out = NULL;
	size_t n = scheme_len(url);
	if (!url[0]) {
		if (err)
			buf_setf(err, "empty database URL");
		atomic_fetch_add_explicit(&n_errors, 1, memory_order_relaxed);
		goto out;
	}
	if (n == 0) {
		rc = db__sqlite_driver.open(url, out, err);
	} else if (n == 6 && !strncmp(url, "sqlite", 6)) {
		rc = db__sqlite_driver.open(url + 7, out, err);
	} else if ((n == 10 && !strncmp(url, "postgresql", 10)) ||
		   (n == 8 && !strncmp(url, "postgres", 8))) {
		rc = db__pg_driver.open(url, out, err);
	} else {
		/* Never echo the URL: it may hold a password. */
		if (err)
			buf_setf(err, "unknown database URL scheme '%.*s' "
				 "(use sqlite:PATH or postgresql://...)",
				 (int)n, url);
		atomic_fetch_add_explicit(&n_errors, 1, memory_order_relaxed);
		goto out;
	}
	if (rc < 0)
		atomic_fetch_add_explicit(&n_errors, 1, memory_order_relaxed);
out:
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->cache_cap; i++) {
		if (!db->cache[i].st)
			continue;
		db->drv->finalize(db->cache[i].st);
		free(db->cache[i].text);
	}
	free(db->cache);
	db->cache = NULL;
	db->cache_cap = db->n_cache = 0;
	db->drv->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->kind;
}

const char *db_errmsg(const struct db *db)
{
	return (db->via ? db->via : db)->errmsg.ptr;
}

bool db_error_is_unique(const struct db *db)
{
	return (db->via ? db->via : db)->last_unique;
}

int db_exec(struct db *db, const char *sql, struct buf *err)
{
	if (solo(db)) {
		struct db_group *g = db->group;
		group_solo_enter(g);
		int rc = report(db, db->drv->exec(db, sql), err);
		group_solo_leave(g);
		return rc;
	}
	db = cur(db);
	return report(db, db->drv->exec(db, sql), err);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct buf *err)
{
	db = cur(db);
	*out = NULL;
	return report(db, db->drv->prepare(db, sql, false, out), err);
}

/* The statement cache: open addressing keyed by the SQL pointer. */
static size_t slot_of(const struct db *db, const char *key)
{
	uintptr_t h = (uintptr_t)key;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (db->cache_cap - 1);
}

static void cache_put(struct db *db, const char *key, char *text,
		      struct db_stmt *st)
{
	size_t i = slot_of(db, key);
	while (db->cache[i].st)
		i = (i + 1) & (db->cache_cap - 1);
	db->cache[i] = (struct db_cache_slot){ key, text, st };
}

static void cache_grow(struct db *db)
{
	struct db_cache_slot *old = db->cache;
	size_t old_cap = db->cache_cap;
	db->cache_cap = old_cap ? old_cap * 2 : 32;
	db->cache = xcalloc(db->cache_cap, sizeof(*db->cache));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].st)
			cache_put(db, old[i].key, old[i].text, old[i].st);
	free(old);
}

/* The cached statement for `sql`, or NULL. */
static struct db_stmt *cache_find(struct db *db, const char *sql)
{
	if (!db->cache_cap)
		return NULL;
	size_t i = slot_of(db, sql);
	for (; db->cache[i].st; i = (i + 1) & (db->cache_cap - 1))
		if (db->cache[i].key == sql && !strcmp(db->cache[i].text, sql))
			return db->cache[i].st;
	return NULL;
}

int db_prepare_cached(struct db *db, const char *sql, struct db_stmt **out,
		      struct buf *err)
{
	int rc;
	db = cur(db);
	struct db_stmt *st = cache_find(db, sql);
	*out = NULL;
	if (st && st->in_use) {
		/* Nested use of the same SQL: a private statement. */
		rc = db->drv->prepare(db, sql, false, out);
	} else if (st) {
		if ((rc = db->drv->reset(st)) == 0) {
			st->in_use = true;
			*out = st;
		}
	} else if (db->n_cache >= DB_CACHE_MAX) {
		rc = db->drv->prepare(db, sql, false, out);
	} else if ((rc = db->drv->prepare(db, sql, true, out)) == 0) {
		if (2 * (db->n_cache + 1) > db->cache_cap)
			cache_grow(db);
		cache_put(db, sql, xstrdup(sql), *out);
		db->n_cache++;
		(*out)->cached = true;
		(*out)->in_use = true;
	}
	return report(db, rc, err);
}

static int check_index(struct db_stmt *st, int idx)
{
	if (idx < 1)
		return db__fail(st->db, MC_EINVALID, false, st->sql,
				"parameter index %d out of range", idx);
	return 0;
}

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	int rc = check_index(st, idx);
	return rc ? rc : st->db->drv->bind_int64(st, idx, v);
}

/*
 * Whether s[0..len) is well-formed UTF-8 without NUL bytes (RFC 3629:
 * shortest form, no surrogates, at most U+10FFFF). PostgreSQL refuses
 * anything else and SQLite would store it: checking here makes both
 * drivers answer the same.
 */
static bool text_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min, cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			n = 1, min = 0x80, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			n = 2, min = 0x800, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

int db_bind_text(struct db_stmt *st, int idx, const char *s, ssize_t len)
{
	int rc = check_index(st, idx);
	if (rc)
		return rc;
	if (!s)
		return st->db->drv->bind_null(st, idx);
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	if (!text_ok((const unsigned char *)s, n))
		return db__fail(st->db, MC_EINVALID, false, st->sql,
				"parameter %d: text is not valid UTF-8 "
				"or holds a NUL byte", idx);
	return st->db->drv->bind_text(st, idx, s, n);
}

int db_bind_null(struct db_stmt *st, int idx)
{
	int rc = check_index(st, idx);
	return rc ? rc : st->db->drv->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
	int rc;
	if (solo(st->db) && st->db->drv->writes(st)) {
		struct db_group *g = st->db->group;
		group_solo_enter(g);
		rc = st->db->drv->step(st);
		group_solo_leave(g);
	} else {
		rc = st->db->drv->step(st);
	}
	if (rc != DB_ROW)
		st->in_use = false;
	return rc;
}

int db_column_count(struct db_stmt *st)
{
	return st->db->drv->column_count(st);
}

bool db_column_is_null(struct db_stmt *st, int col)
{
	return st->db->drv->column_is_null(st, col);
}

int64_t db_column_int64(struct db_stmt *st, int col)
{
	return st->db->drv->column_int64(st, col);
}

const char *db_column_text(struct db_stmt *st, int col)
{
	return st->db->drv->column_text(st, col);
}

size_t db_column_len(struct db_stmt *st, int col)
{
	return st->db->drv->column_len(st, col);
}

int db_reset(struct db_stmt *st)
{
	st->in_use = false;
	return st->db->drv->reset(st);
}

void db_done(struct db_stmt *st)
{
	if (!st)
		return;
	if (st->cached) {
		st->in_use = false;
		st->db->drv->reset(st);
	} else {
		st->db->drv->finalize(st);
	}
}

void db_finalize(struct db_stmt *st)
{
	if (!st)
		return;
	if (st->cached)
		BUG("db_finalize on a cached statement; use db_done");
	st->db->drv->finalize(st);
}

int64_t db_changes(struct db_stmt *st)
{
	return st->changes;
}

int64_t db_last_insert_id(struct db *db)
{
	db = cur(db);
	return db->drv->last_insert_id ? db->drv->last_insert_id(db) : 0;
}

/*
 * Transactions nest: the outermost db_begin() opens a transaction (the
 * driver's BEGIN), inner ones a savepoint, so a repository function can
 * wrap its writes whether or not its caller has opened one.
 */
/* Savepoint mc_sp<n>: the driver's prepared statements, or the text. */
static int savepoint(struct db *db, int op, int n)
{
	char sql[96];

	if (db->drv->savepoint)
		return db->drv->savepoint(db, op, n);
	if (op == DB_SP_BEGIN)
		snprintf(sql, sizeof(sql), "SAVEPOINT mc_sp%d", n);
	else if (op == DB_SP_RELEASE)
		snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT mc_sp%d", n);
	else
		snprintf(sql, sizeof(sql),
			 "ROLLBACK TO SAVEPOINT mc_sp%d; "
			 "RELEASE SAVEPOINT mc_sp%d", n, n);
	return db->drv->exec(db, sql);
}

static int begin(struct db *db, bool read, struct buf *err)
{
	int rc;
	if (!read && solo(db))
		return group_begin(db, err);
	db = cur(db);
	if (db->tx_depth == 0) {
		rc = read ? db->drv->begin_read(db) : db->drv->begin(db);
	} else {
		rc = savepoint(db, DB_SP_BEGIN, db->tx_depth);
	}
	if (rc == 0)
		db->tx_depth++;
	return report(db, rc, err);
}

int db_begin(struct db *db, struct buf *err)
{
	return begin(db, false, err);
}

int db_begin_read(struct db *db, struct buf *err)
{
	return begin(db, true, err);
}

int db_commit(struct db *db, struct buf *err)
{
	int rc;
	if (db->via && db->via->tx_depth == 2)
		return group_end(db, true, err);
	db = cur(db);
	if (db->tx_depth == 0)
		return report(db, db__fail(db, MC_EDB, false, NULL,
					   "commit without a transaction"),
			      err);
	if (db->tx_depth == 1) {
		rc = db->drv->commit(db);
		if (rc < 0) {
			/* Keep the reason of the failed COMMIT. */
			struct buf keep = BUF_INIT;
			buf_adds(&keep, db->errmsg.ptr);
			db->drv->rollback(db);
			buf_reset(&db->errmsg);
			buf_adds(&db->errmsg, keep.ptr);
			buf_release(&keep);
		}
		db->tx_depth = 0;
	} else {
		rc = savepoint(db, DB_SP_RELEASE, db->tx_depth - 1);
		if (rc == 0)
			db->tx_depth--;
	}
	return report(db, rc, err);
}

int db_rollback(struct db *db)
{
	int rc;
	if (db->via && db->via->tx_depth == 2)
		return group_end(db, false, NULL);
	db = cur(db);
	if (db->tx_depth == 0)
		return db__fail(db, MC_EDB, false, NULL,
				"rollback without a transaction");
	if (db->tx_depth == 1) {
		rc = db->drv->rollback(db);
		db->tx_depth = 0;
	} else {
		rc = savepoint(db, DB_SP_ROLLBACK, db->tx_depth - 1);
		db->tx_depth--;
	}
	return rc;
}

/*
 * The pool: a list of (thread, connection) under a mutex, and a
 * thread-local note of the last pool used so that the common case takes
 * no lock. Pools get a serial number so that a freed pool's address,
 * reused by a new pool, never matches a stale thread-local note.
 */
struct pool_conn {
	pthread_t thread;
	struct db *db;
	struct pool_conn *next;
};

struct db_pool {
	char *url;
	uint64_t serial;
	pthread_mutex_t lock;
	struct pool_conn *conns;
	struct db_group *group;	/* SQLite: the write group; else NULL */
};

static struct db_group *group_new(const char *url);
static void group_join(struct db_group *g, struct db *db);
static void group_free(struct db_group *g);

static _Atomic uint64_t pool_serial;
static _Thread_local uint64_t tl_serial;
static _Thread_local struct pool_conn *tl_conn;

struct db_pool *db_pool_new(const char *url)
{
	struct db_pool *p = xcalloc(1, sizeof(*p));
	p->url = xstrdup(url);
	p->serial = atomic_fetch_add(&pool_serial, 1) + 1;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

/* Makes a connection fit for a new request of its thread. */
static int freshen(struct db_pool *pool, struct pool_conn *c, struct buf *err)
{
	if (c->db->tx_depth || c->db->via) {
		log_warn("db pool: a transaction was left open; rolling back");
		while (c->db->tx_depth || c->db->via)
			db_rollback(c->db);
	}
	if (c->db->drv->healthy(c->db))
		return 0;
	log_warn("db pool: connection broken; reconnecting");
	struct db *db;
	int rc = db_open(pool->url, &db, err);
	if (rc < 0)
		return rc;
	group_join(c->db->group, db);
	db_close(c->db);
	c->db = db;
	return 0;
}

int db_pool_get(struct db_pool *pool, struct db **out, struct buf *err)
{
	int rc = 0;
	struct pool_conn *c;
	pthread_t self = pthread_self();
	*out = NULL;
	if (tl_serial == pool->serial) {
		c = tl_conn;
	} else {
		pthread_mutex_lock(&pool->lock);
		for (c = pool->conns; c; c = c->next)
			if (pthread_equal(c->thread, self))
				break;
		pthread_mutex_unlock(&pool->lock);
	}
	if (!c) {
		struct db *db;
		if ((rc = db_open(pool->url, &db, err)) < 0)
			goto out;
		c = xcalloc(1, sizeof(*c));
		c->thread = self;
		c->db = db;
		pthread_mutex_lock(&pool->lock);
		if (db->drv->open_shared && !pool->group)
			pool->group = group_new(pool->url);
		if (db->drv->open_shared)
			group_join(pool->group, db);
		c->next = pool->conns;
		pool->conns = c;
		pthread_mutex_unlock(&pool->lock);
	} else if ((rc = freshen(pool, c, err)) < 0) {
		goto out;
	}
	tl_serial = pool->serial;
	tl_conn = c;
	*out = c->db;
out:
	return rc;
}

void db_pool_free(struct db_pool *pool)
{
	if (!pool)
		return;
	struct pool_conn *c = pool->conns, *next;
	for (; c; c = next) {
		next = c->next;
		db_close(c->db);
		free(c);
	}
	group_free(pool->group);
	if (tl_serial == pool->serial) {
		tl_serial = 0;
		tl_conn = NULL;
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool->url);
	free(pool);
}

bool db_in_transaction(const struct db *db)
{
	return db->via || db->tx_depth > 0;
}

/*
 * Group commit (SQLite). SQLite has one writer at a time, and on the
 * server's durability (WAL, synchronous=NORMAL) a commit costs the WAL
 * frames of every page the transaction dirtied: a dossier's rows touch the
 * same few index pages as its neighbours'. So the threads of a pool share
 * one writer connection: a thread's outermost db_begin() takes the group's
 * lock and runs its transaction as a savepoint inside the group's open
 * transaction on the writer; its db_commit() releases the savepoint and
 * then either commits the group (no other thread is waiting for the lock,
 * or the group is full) or hands the lock to the next thread and waits
 * until a later member commits. Nobody returns from db_commit() before the
 * COMMIT that holds its rows has succeeded, so durability is unchanged;
 * a failed COMMIT fails every member of the group. db_rollback() undoes
 * only the thread's own savepoint. Autocommit writes of the pool's
 * connections (a session touch) take the lock too, after committing the
 * open group, so they never wait in SQLite's sleeping busy handler; and
 * in-process writers never do either. Other processes (the CLI) still
 * meet the busy timeout. PostgreSQL has its own group commit: no groups.
 */
#define GROUP_MAX 64	/* members of one group before it must commit */
/* The WAL's checkpoints (group_checkpoint_due): a copy beside the writer
 * from GROUP_COPY_FRAMES on, then every GROUP_COPY_STEP frames, and a
 * restart with the writer stopped at GROUP_CHECKPOINT_FRAMES (16 MB of
 * WAL at 4 KB pages). SQLite's own default, 1000 frames with no copies
 * before, stopped the writer four times as often: on the intake benchmark
 * p99 was 20-36 ms against 11-14 ms, at the same rate. */
#define GROUP_CHECKPOINT_FRAMES 4000
#define GROUP_COPY_FRAMES 500
#define GROUP_COPY_STEP 500

static _Atomic uint64_t n_group_commits, n_group_members;
static _Atomic uint64_t n_wal_copies, n_wal_restarts, n_wal_restarts_failed;

void db_group_stats(uint64_t *commits, uint64_t *members)
{
	*commits = atomic_load_explicit(&n_group_commits, memory_order_relaxed);
	*members = atomic_load_explicit(&n_group_members, memory_order_relaxed);
}

void db_wal_stats(uint64_t *copies, uint64_t *restarts, uint64_t *failed)
{
	*copies = atomic_load_explicit(&n_wal_copies, memory_order_relaxed);
	*restarts = atomic_load_explicit(&n_wal_restarts, memory_order_relaxed);
	*failed = atomic_load_explicit(&n_wal_restarts_failed,
				       memory_order_relaxed);
}

struct group_waiter {
	struct group_waiter *next;
	bool done;
	int rc;
	char msg[256];
};

struct db_group {
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t committed;
	int queued;		/* threads about to take the lock */
	struct db *writer;	/* opened on first use */
	bool open;		/* the writer has a group transaction open */
	int n;			/* members in the open group */
	struct group_waiter *waiters;	/* members waiting for its COMMIT */
	int wal_frames;		/* the WAL's size after the last commit */
	int checkpoint_at;	/* restart once wal_frames reaches this */
	bool checkpointing;	/* a restart is due or running: others wait */
	int copy_at;		/* copy once wal_frames reaches this */
	bool copying;		/* a copy is asked for or running */
	/* The checkpointer thread (started with the writer) and its work. */
	bool ck_started, ck_quit;
	enum { CK_NONE, CK_COPY, CK_RESTART } ck_want;
	pthread_t ck_thread;
	pthread_cond_t ck_wake;
};

static struct db_group *group_new(const char *url)
{
	struct db_group *g = xcalloc(1, sizeof(*g));
	g->url = xstrdup(url);
	g->checkpoint_at = GROUP_CHECKPOINT_FRAMES;
	g->copy_at = GROUP_COPY_FRAMES;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->committed, NULL);
	pthread_cond_init(&g->ck_wake, NULL);
	return g;
}

/* A pool connection joins the pool's write group. Its own commits (the
 * autocommit writes of group_solo_enter) checkpoint only past twice the
 * group's restart point: SQLite's default (1000 frames) would have them
 * copy the WAL inline, with the group's lock held, whenever the WAL
 * passes the 1000 frames it now normally holds; while the group restarts
 * the WAL they never get there, and a pool that writes only outside
 * transactions (no group yet) is still checkpointed by them. */
static void group_join(struct db_group *g, struct db *db)
{
	db->group = g;
	if (g) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%d",
			 2 * GROUP_CHECKPOINT_FRAMES);
		if (db->drv->exec(db, sql) < 0)
			log_warn("db pool: %s", db->errmsg.ptr);
	}
}

static void group_free(struct db_group *g)
{
	if (!g)
		return;
	if (g->ck_started) {
		pthread_mutex_lock(&g->lock);
		g->ck_quit = true;
		pthread_cond_signal(&g->ck_wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->ck_thread, NULL);
	}
	if (g->writer) {
		if (g->open)
			db_rollback(g->writer);
		db_close(g->writer);
	}
	pthread_cond_destroy(&g->committed);
	pthread_cond_destroy(&g->ck_wake);
	pthread_mutex_destroy(&g->lock);
	free(g->url);
	free(g);
}

static void group_lock(struct db_group *g)
{
	__atomic_add_fetch(&g->queued, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&g->lock);
	__atomic_sub_fetch(&g->queued, 1, __ATOMIC_SEQ_CST);
}

/* Ends the open group: COMMIT (or ROLLBACK when `commit` is false, the
 * engine having already undone it), tells each waiting member. Lock held. */
static void group_finish(struct db_group *g, bool commit, const char *why)
{
	int rc = 0;
	struct db *w = g->writer;
	char msg[256] = "";
	if (commit && w->drv->in_tx(w)) {
		rc = db_commit(w, NULL);
		if (rc == 0 && g->n) {
			atomic_fetch_add_explicit(&n_group_commits, 1,
						  memory_order_relaxed);
			atomic_fetch_add_explicit(&n_group_members,
						  (uint64_t)g->n,
						  memory_order_relaxed);
		}
		if (rc < 0)
			snprintf(msg, sizeof(msg), "group commit failed: %s",
				 w->errmsg.ptr);
	} else {
		while (w->tx_depth)
			db_rollback(w);
		if (commit || why) {
			rc = MC_EDB;
			snprintf(msg, sizeof(msg),
				 "group transaction rolled back: %s",
				 why ? why : w->errmsg.ptr);
		}
	}
	w->tx_depth = 0;
	for (struct group_waiter *m = g->waiters; m; m = m->next) {
		m->done = true;
		m->rc = rc;
		memcpy(m->msg, msg, sizeof(msg));
	}
	if (rc < 0 && g->waiters)
		log_error("db group: %d member(s) failed: %s", g->n, msg);
	g->waiters = NULL;
	g->open = false;
	g->n = 0;
	pthread_cond_broadcast(&g->committed);
}

/*
 * The checkpoints, beside the writer and between two groups. SQLite
 * checkpoints in the committing connection once the WAL passes 1000
 * frames (wal_autocheckpoint), with the group's lock held through the copy
 * and two fsyncs; the writer's WAL hook turns that off, and a checkpointer
 * thread of the group does it in two parts:
 *
 *  - copy: from GROUP_COPY_FRAMES on, every GROUP_COPY_STEP frames, a
 *    PASSIVE checkpoint on the thread's own connection copies the frames
 *    into the database file and syncs that file, while groups go on
 *    committing;
 *  - restart: at GROUP_CHECKPOINT_FRAMES, the thread checkpoints on the
 *    writer in RESTART mode while new groups wait (`checkpointing`),
 *    which copies and syncs only what came since the last copy and lets
 *    the next group's first write start the WAL over.
 *
 * Only the second part stops the writer. Both are needed: SQLite starts a
 * WAL over only when a write transaction begins with every frame already
 * copied, and a busy group writer has always appended more by the time a
 * checkpoint beside it ends. (Until the fifth session a member ran just
 * the PASSIVE checkpoint: the WAL never started over, grew to 800 MB in
 * an 8-second benchmark, and nearly every commit was followed by a
 * checkpoint with two fsyncs. test_pool_wal_bounded.) When a restart
 * cannot be done (a reader stays longer than its short wait, another
 * process writes), the next try comes GROUP_CHECKPOINT_FRAMES later. If the
 * thread could not be started, the member that commits a group does the
 * restart itself.
 */
static void group_run_checkpoint(struct db_group *g, int want, struct db *own)
{
	struct db *c = want == CK_RESTART ? g->writer : own;
	int left = 0;
	if (c && c->drv->checkpoint(c, want == CK_RESTART ? DB_CKPT_RESTART
							  : DB_CKPT_COPY,
				    &left) < 0)
		log_warn("db group: checkpoint: %s", c->errmsg.ptr);
	atomic_fetch_add_explicit(want != CK_RESTART ? &n_wal_copies
				  : left ? &n_wal_restarts_failed
					 : &n_wal_restarts,
				  1, memory_order_relaxed);
	pthread_mutex_lock(&g->lock);
	if (want != CK_RESTART) {
		g->copying = false;
		pthread_mutex_unlock(&g->lock);
		return;
	}
	g->checkpoint_at = GROUP_CHECKPOINT_FRAMES;
	if (left)
		g->checkpoint_at +=
			__atomic_load_n(&g->wal_frames, __ATOMIC_RELAXED);
	g->copy_at = g->checkpoint_at - GROUP_CHECKPOINT_FRAMES +
		     GROUP_COPY_FRAMES;
	g->checkpointing = false;
	pthread_cond_broadcast(&g->committed);
	pthread_mutex_unlock(&g->lock);
}

static void *group_checkpointer(void *arg)
{
	struct db_group *g = arg;
	struct db *own = NULL;
	struct buf err = BUF_INIT;
	if (db_open(g->url, &own, &err) < 0)
		log_warn("db group: the checkpointer's connection: %s "
			 "(the WAL is copied at restarts only)", err.ptr);
	buf_release(&err);
	pthread_mutex_lock(&g->lock);
	/* Work asked for before the pool is freed is done before it ends:
	 * what a caller saw committed was checkpointed as promised. */
	while (!g->ck_quit || g->ck_want != CK_NONE) {
		if (g->ck_want == CK_NONE) {
			pthread_cond_wait(&g->ck_wake, &g->lock);
			continue;
		}
		int want = g->ck_want;
		g->ck_want = CK_NONE;
		pthread_mutex_unlock(&g->lock);
		group_run_checkpoint(g, want, own);
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	db_close(own);
	return NULL;
}

/* After a group's COMMIT, lock held: asks for the checkpoint due, if any.
 * True when the caller must run the restart itself (no checkpointer). */
static bool group_checkpoint_due(struct db_group *g)
{
	int frames = __atomic_load_n(&g->wal_frames, __ATOMIC_RELAXED);
	if (g->checkpointing || !g->writer->drv->checkpoint)
		return false;
	if (frames >= g->checkpoint_at) {
		g->checkpointing = true;
		if (!g->ck_started)
			return true;
		g->ck_want = CK_RESTART;
	} else if (!g->copying && g->ck_started && frames >= g->copy_at) {
		g->copying = true;
		g->copy_at = frames + GROUP_COPY_STEP;
		g->ck_want = CK_COPY;
	} else {
		return false;
	}
	pthread_cond_signal(&g->ck_wake);
	return false;
}

/* Waits, lock held, while the writer checkpoints. */
static void group_wait_checkpoint(struct db_group *g)
{
	if (!g->checkpointing)
		return;
	/* Counted as about to take the lock: the group opened next should
	 * wait for the others woken with it. */
	__atomic_add_fetch(&g->queued, 1, __ATOMIC_SEQ_CST);
	while (g->checkpointing)
		pthread_cond_wait(&g->committed, &g->lock);
	__atomic_sub_fetch(&g->queued, 1, __ATOMIC_SEQ_CST);
}

static void group_solo_enter(struct db_group *g)
{
	group_lock(g);
	group_wait_checkpoint(g);
	if (g->open)
		group_finish(g, true, NULL);
}

static void group_solo_leave(struct db_group *g)
{
	pthread_mutex_unlock(&g->lock);
}

/* Copies the writer's last error into the member, for db_errmsg(). */
static void take_error(struct db *db, const struct db *w)
{
	buf_reset(&db->errmsg);
	buf_adds(&db->errmsg, w->errmsg.ptr);
	db->last_unique = w->last_unique;
}

static int group_begin(struct db *db, struct buf *err)
{
	struct db_group *g = db->group;
	int rc = 0;
	group_lock(g);
	group_wait_checkpoint(g);
	if (!g->writer) {
		const char *url = g->url;
		if (!strncmp(url, "sqlite:", 7))
			url += 7;
		struct buf why = BUF_INIT;
		rc = db->drv->open_shared(url, &g->writer, &why);
		if (rc < 0) {
			rc = db__fail(db, rc, false, NULL,
				      "cannot open the group writer: %s",
				      why.ptr);
			buf_release(&why);
			goto fail;
		}
		buf_release(&why);
		if (db->drv->wal_watch)
			db->drv->wal_watch(g->writer, &g->wal_frames);
		if (db->drv->checkpoint)
			g->ck_started = pthread_create(&g->ck_thread, NULL,
						       group_checkpointer,
						       g) == 0;
		if (db->drv->checkpoint && !g->ck_started)
			log_warn("db group: no checkpointer thread; the "
				 "committing member checkpoints");
	}
	struct db *w = g->writer;
	if (!g->open) {
		if ((rc = db_begin(w, NULL)) < 0)
			goto fail_w;
		g->open = true;
		g->n = 0;
	}
	/* The member's own work: a savepoint of the group transaction. */
	if ((rc = db_begin(w, NULL)) < 0)
		goto fail_w;
	db->via = w;
	return 0;
fail_w:
	take_error(db, w);
	if (g->open && !w->drv->in_tx(w))
		group_finish(g, false, w->errmsg.ptr);
	else if (g->open && __atomic_load_n(&g->queued, __ATOMIC_SEQ_CST) == 0)
		group_finish(g, true, NULL);	/* nobody else will */
fail:
	pthread_mutex_unlock(&g->lock);
	return report(db, rc, err);
}

static int group_end(struct db *db, bool commit, struct buf *err)
{
	struct db_group *g = db->group;
	struct db *w = db->via;
	struct group_waiter me = { 0 };
	bool checkpoint = false;
	int rc = commit ? db_commit(w, NULL) : db_rollback(w);
	db->via = NULL;
	if (rc < 0 && commit) {
		take_error(db, w);
		/* Our savepoint could not be released: undo it. */
		if (w->tx_depth == 2)
			db_rollback(w);
	}
	if (g->open && !w->drv->in_tx(w)) {
		/* The engine rolled the whole group back (an I/O error, a
		 * full disk): every member fails, us included. */
		take_error(db, w);
		group_finish(g, false, w->errmsg.ptr);
		if (rc == 0)
			rc = db__fail(db, MC_EDB, false, NULL,
				      "group transaction rolled back");
		goto out;
	}
	if (rc == 0 && commit) {
		g->n++;
		me.next = g->waiters;
		g->waiters = &me;
	}
	if (__atomic_load_n(&g->queued, __ATOMIC_SEQ_CST) == 0 ||
	    g->n >= GROUP_MAX) {
		group_finish(g, true, NULL);
		checkpoint = group_checkpoint_due(g);
	}
	if (rc == 0 && commit) {
		while (!me.done)
			pthread_cond_wait(&g->committed, &g->lock);
		if (me.rc < 0)
			rc = db__fail(db, me.rc, false, NULL, "%s", me.msg);
	}
out:
	pthread_mutex_unlock(&g->lock);
	if (checkpoint)
		group_run_checkpoint(g, CK_RESTART, NULL);
	return report(db, rc, err);
}
