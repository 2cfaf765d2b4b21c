/*
 * audit.c - the hash-chained audit trail (store/audit.h): appends under a
 * lock with id = previous id + 1, the canonical content that is hashed
 * (docs/audit.md, "What is hashed"), the verifier that walks the chain in
 * pages, external anchors, and the inspector's search. Entries are never
 * updated or deleted here.
 */
#include "store/audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/err.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The PostgreSQL advisory lock that serialises appends ("audt"). */
#define AUDIT_LOCK_KEY 1635083380
/* Rows per page of the verifier (bounded memory on millions of rows). */
#define VERIFY_PAGE 1000
#define PER_PAGE_DEFAULT 50
#define PER_PAGE_MAX 200
#define PAGE_MAX 1000000

static const char zero_hash[65] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* ---- what is hashed ----------------------------------------------------- */

/* "name=LEN:VALUE\n", or "name=-\n" for NULL (docs/audit.md). */
/* "name=-\n" for NULL, else "name=LEN:VALUE\n" (without printf: the
 * chain hashes this on every audited write; the bytes are the format's,
 * tests/unit/test_audit.c pins them). */
static void add_field(struct buf *b, const char *name, const char *v)
{
	buf_adds(b, name);
	if (!v) {
		buf_add(b, "=-\n", 3);
		return;
	}
	size_t len = strlen(v);
	buf_addch(b, '=');
	buf_add_int(b, (long long)len);
	buf_addch(b, ':');
	buf_add(b, v, len);
	buf_addch(b, '\n');
}

static void add_int(struct buf *b, const char *name, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof tmp - p);
	buf_adds(b, name);
	buf_addch(b, '=');
	buf_add_int(b, (long long)n);
	buf_addch(b, ':');
	buf_add(b, p, n);
	buf_addch(b, '\n');
}

/* The canonical content of a row (version 1), appended to `b`. */
static void canonical(const struct audit_row *r, struct buf *b)
{
	buf_adds(b, "motcua-audit-v1\n");
	add_int(b, "id", r->id);
	add_int(b, "at", r->at);
	add_int(b, "actor_id", r->actor_id);
	add_field(b, "actor", r->actor);
	add_field(b, "action", r->action);
	add_field(b, "object_type", r->object_type);
	add_field(b, "object_id", r->object_id);
	add_field(b, "unit_code", r->unit_code);
	add_field(b, "client", r->client);
	add_field(b, "before", r->before);
	add_field(b, "after", r->after);
}

void audit_row_hash(const struct audit_row *r, char hex[65])
{
	struct buf c = BUF_INIT;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	canonical(r, &c);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->prev_hash,
				  strlen(r->prev_hash));
	crypto_hash_sha256_update(&st, (const unsigned char *)c.ptr, c.len);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
	buf_release(&c);
}

static bool is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- append ------------------------------------------------------------- */

static int db_fail(struct db *db, int rc, struct buf *err)
{
	if (err && !err->len)
		buf_setf(err, "%s", db_errmsg(db));
	return rc;
}

/*
 * Checks that the caller opened a transaction (the change and its entry
 * must commit together), then, on PostgreSQL, takes the transaction-level
 * advisory lock that serialises appends across connections and nodes.
 * SQLite serialises through the caller's BEGIN IMMEDIATE (db_begin).
 */
static int lock_chain(struct db *db, struct buf *err)
{
	struct db_stmt *st = NULL;
	int rc;
	if (!db_in_transaction(db)) {
		buf_setf(err, "audit_append outside a transaction "
			      "(call db_begin() first)");
		return MC_EINVALID;
	}
	if (db_kind(db) != DB_PG)
		return 0;
	if ((rc = db_prepare_cached(db, "SELECT pg_advisory_xact_lock(?)", &st,
				    err)) < 0)
		return rc;
	db_bind_int64(st, 1, AUDIT_LOCK_KEY);
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* The last entry's id and hash (0 and zeros when the trail is empty). */
static int read_head(struct db *db, struct audit_head *h, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	h->id = 0;
	memcpy(h->hash, zero_hash, sizeof(h->hash));
	if ((rc = db_prepare_cached(db, "SELECT id, hash FROM audit_log "
					"ORDER BY id DESC LIMIT 1",
				    &st, err)) < 0)
		return rc;
	if ((rc = db_step(st)) == DB_ROW) {
		h->id = db_column_int64(st, 0);
		snprintf(h->hash, sizeof(h->hash), "%s", db_column_text(st, 1));
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int audit_head(struct db *db, struct audit_head *out, struct buf *err)
{
	return read_head(db, out, err);
}

/* Compact JSON with sorted keys, or NULL; the caller frees. */
static char *dump_json(json_t *j)
{
	if (!j)
		return NULL;
	char *s = json_text(j, JSON_COMPACT | JSON_SORT_KEYS |
					JSON_ENCODE_ANY);
	if (!s)
		BUG("json_dumps failed on an audit value");
	return s;
}

static int bind_row(struct db_stmt *st, const struct audit_row *r,
		    const char *hash)
{
	int rc = 0;
	rc |= db_bind_int64(st, 1, r->id);
	rc |= db_bind_int64(st, 2, r->at);
	rc |= db_bind_int64(st, 3, r->actor_id);
	rc |= db_bind_text(st, 4, r->actor, -1);
	rc |= db_bind_text(st, 5, r->action, -1);
	rc |= db_bind_text(st, 6, r->object_type, -1);
	rc |= db_bind_text(st, 7, r->object_id, -1);
	rc |= db_bind_text(st, 8, r->unit_code, -1);
	rc |= db_bind_text(st, 9, r->client, -1);
	rc |= db_bind_text(st, 10, r->before, -1);
	rc |= db_bind_text(st, 11, r->after, -1);
	rc |= db_bind_text(st, 12, r->prev_hash, -1);
	rc |= db_bind_text(st, 13, hash, -1);
	return rc ? MC_EINVALID : 0;
}

int audit_append(struct db *db, const struct audit_entry *e, int64_t *id_out,
		 struct buf *err)
{
	struct db_stmt *st = NULL;
	struct audit_head head;
	char hash[65];
	char *before = NULL, *after = NULL;
	int rc = MC_EINVALID;
	if (!e->actor || !*e->actor || !e->action || !*e->action) {
		buf_setf(err, "audit entry without actor or action");
		goto out;
	}
	before = dump_json(e->before);
	after = dump_json(e->after);
	if ((rc = lock_chain(db, err)) < 0 || (rc = read_head(db, &head, err)) < 0)
		goto out;
	struct audit_row r = {
		.id = head.id + 1, .at = e->at, .actor_id = e->actor_id,
		.actor = e->actor, .action = e->action,
		.object_type = e->object_type, .object_id = e->object_id,
		.unit_code = e->unit_code, .client = e->client,
		.before = before, .after = after, .prev_hash = head.hash,
	};
	audit_row_hash(&r, hash);
	if ((rc = db_prepare_cached(db,
				    "INSERT INTO audit_log (id, at, actor_id, "
				    "actor, action, object_type, object_id, "
				    "unit_code, client, before_json, "
				    "after_json, prev_hash, hash) VALUES "
				    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				    &st, err)) < 0)
		goto out;
	if ((rc = bind_row(st, &r, hash)) < 0) {
		db_done(st);
		buf_setf(err, "audit entry: text is not valid UTF-8: %s",
			 db_errmsg(db));
		goto out;
	}
	rc = db_step(st);
	db_done(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (id_out)
		*id_out = r.id;
	rc = 0;
out:
	free(before);
	free(after);
	return rc;
}

int audit_log(struct db *db, const struct audit_entry *e, struct buf *err)
{
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	if ((rc = audit_append(db, e, NULL, err)) < 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}

/* ---- verify ------------------------------------------------------------- */

/* Column text or NULL for SQL NULL. */
static const char *col_or_null(struct db_stmt *st, int col)
{
	return db_column_is_null(st, col) ? NULL : db_column_text(st, col);
}

/* Where the walk is: the previous entry (id 0 and zeros before the first). */
struct walk {
	int64_t prev_id;
	char prev_hash[65];
	struct audit_verify_result *out;
};

static void verdict(struct walk *w, int64_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verdict(struct walk *w, int64_t id, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(w->out->reason, sizeof(w->out->reason),
			 "entry %" PRId64 ": ", id);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(w->out->reason))
		vsnprintf(w->out->reason + n, sizeof(w->out->reason) - (size_t)n,
			  fmt, ap);
	va_end(ap);
	w->out->first_bad_id = id;
}

/* "entry 42", or "the start of the trail" before entry 1. */
static void prev_name(const struct walk *w, char *s, size_t n)
{
	if (w->prev_id)
		snprintf(s, n, "entry %" PRId64, w->prev_id);
	else
		snprintf(s, n, "the start of the trail (64 zeros)");
}

/*
 * Judges one row against the walk so far; true when it chains. The three
 * checks: its id follows (id = previous + 1), its prev_hash is the
 * previous entry's hash, its hash is that of its content.
 */
static bool judge(struct walk *w, const struct audit_row *r, const char *hash)
{
	char want[65], prev[64];
	audit_row_hash(r, want);
	bool own = !strcmp(want, hash);
	bool link = !strcmp(r->prev_hash, w->prev_hash);
	int64_t expect = w->prev_id + 1;
	prev_name(w, prev, sizeof(prev));
	if (r->id == expect && link && own)
		return true;
	if (r->id < expect) {
		verdict(w, r->id, "inserted (ids start at 1 and grow by 1; "
			"this one comes before entry %" PRId64 ")", expect);
	} else if (r->id > expect) {
		if (!own)
			verdict(w, r->id,
				"inserted (out of sequence after %s, and its "
				"hash does not match its content)", prev);
		else if (r->id == expect + 1)
			verdict(w, r->id, "entry %" PRId64
				" is missing (deleted)", expect);
		else
			verdict(w, r->id, "entries %" PRId64 " to %" PRId64
				" are missing (deleted)", expect, r->id - 1);
	} else if (!link && !own) {
		verdict(w, r->id, "inserted or moved (its previous hash does "
			"not match %s, and its hash does not match its "
			"content)", prev);
	} else if (!link) {
		verdict(w, r->id, "inserted (its previous hash does not match "
			"%s)", prev);
	} else {
		verdict(w, r->id, "content altered (hash mismatch)");
	}
	return false;
}

int audit_verify(struct db *db, struct audit_verify_result *out,
		 struct buf *err)
{
	struct db_stmt *st;
	struct walk w = { .prev_id = 0, .out = out };
	int64_t after = INT64_MIN;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	memcpy(w.prev_hash, zero_hash, sizeof(w.prev_hash));
	for (;;) {
		int64_t n_page = 0;
		if ((rc = db_prepare_cached(db,
					    "SELECT id, at, actor_id, actor, "
					    "action, object_type, object_id, "
					    "unit_code, client, before_json, "
					    "after_json, prev_hash, hash "
					    "FROM audit_log WHERE id > ? "
					    "ORDER BY id LIMIT ?",
					    &st, err)) < 0)
			return rc;
		db_bind_int64(st, 1, after);
		db_bind_int64(st, 2, VERIFY_PAGE);
		while (!out->first_bad_id && (rc = db_step(st)) == DB_ROW) {
			struct audit_row r = {
				.id = db_column_int64(st, 0),
				.at = db_column_int64(st, 1),
				.actor_id = db_column_int64(st, 2),
				.actor = col_or_null(st, 3),
				.action = col_or_null(st, 4),
				.object_type = col_or_null(st, 5),
				.object_id = col_or_null(st, 6),
				.unit_code = col_or_null(st, 7),
				.client = col_or_null(st, 8),
				.before = col_or_null(st, 9),
				.after = col_or_null(st, 10),
				.prev_hash = db_column_text(st, 11),
			};
			n_page++;
			out->n_checked++;
			if (!judge(&w, &r, db_column_text(st, 12)))
				break;
			w.prev_id = r.id;
			snprintf(w.prev_hash, sizeof(w.prev_hash), "%s",
				 db_column_text(st, 12));
			after = r.id;
		}
		db_done(st);
		if (rc < 0)
			return db_fail(db, rc, err);
		if (out->first_bad_id || n_page < VERIFY_PAGE)
			break;
	}
	return 0;
}

int audit_check_anchor(struct db *db, int64_t id, const char *hash,
		       struct audit_verify_result *out, struct buf *err)
{
	struct db_stmt *st;
	struct audit_head head;
	char found[65] = "";
	bool exists = false;
	int rc;
	memset(out, 0, sizeof(*out));
	if (id < 1 || !is_hex64(hash)) {
		buf_setf(err, "an anchor is ID:HASH (an id from 1, 64 lower-case "
			      "hex digits), as `motcua audit anchor` prints it");
		return MC_EINVALID;
	}
	if ((rc = db_prepare_cached(db, "SELECT hash FROM audit_log WHERE id = ?",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		exists = true;
		snprintf(found, sizeof(found), "%s", db_column_text(st, 0));
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if (!exists) {
		if ((rc = read_head(db, &head, err)) < 0)
			return rc;
		snprintf(out->reason, sizeof(out->reason),
			 "anchor: entry %" PRId64 " is missing (deleted; the "
			 "trail now ends at entry %" PRId64 ")", id, head.id);
		out->first_bad_id = id;
	} else if (strcmp(found, hash)) {
		snprintf(out->reason, sizeof(out->reason),
			 "anchor: entry %" PRId64 " has changed (its hash is "
			 "%.16s..., the anchor says %.16s...)", id, found, hash);
		out->first_bad_id = id;
	}
	return 0;
}

/* ---- search ------------------------------------------------------------- */

/* Appends `pattern%` for LIKE with % _ \ escaped (ESCAPE '\'). */
static void like_prefix(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addch(out, '\\');
		buf_addch(out, *s);
	}
	buf_addch(out, '%');
}

/* The WHERE clause of a filter and its parameters, in order. */
struct where {
	struct buf sql;
	const char *text[64];
	int64_t num[64];
	bool is_num[64];
	int n;
	struct buf like;
};

static void where_text(struct where *w, const char *cond, const char *v)
{
	buf_adds(&w->sql, w->sql.len ? " AND " : " WHERE ");
	buf_adds(&w->sql, cond);
	w->text[w->n] = v;
	w->is_num[w->n++] = false;
}

static void where_num(struct where *w, const char *cond, int64_t v)
{
	buf_adds(&w->sql, w->sql.len ? " AND " : " WHERE ");
	buf_adds(&w->sql, cond);
	w->num[w->n] = v;
	w->is_num[w->n++] = true;
}

/* A unit or a commune of it (units of the 2025 list: province ->
 * communes, authz.h "Scope"); binds the code twice. */
#define UNIT_OR_CHILD                                                      \
	"(unit_code = ? OR unit_code IN (SELECT code FROM units WHERE "    \
	"era = '2025' AND parent_code = ?))"

static int build_where(const struct audit_filter *f, struct where *w,
		       struct buf *err)
{
	if (f->actor && *f->actor)
		where_text(w, "actor = ?", f->actor);
	if (f->unit_code && *f->unit_code) {
		where_text(w, UNIT_OR_CHILD, f->unit_code);
		w->text[w->n] = f->unit_code;
		w->is_num[w->n++] = false;
	}
	if (f->object_type && *f->object_type)
		where_text(w, "object_type = ?", f->object_type);
	if (f->object_id && *f->object_id)
		where_text(w, "object_id = ?", f->object_id);
	if (f->action_prefix && *f->action_prefix) {
		like_prefix(f->action_prefix, &w->like);
		where_text(w, "action LIKE ? ESCAPE '\\'", w->like.ptr);
	}
	if (f->from)
		where_num(w, "at >= ?", f->from);
	if (f->to)
		where_num(w, "at < ?", f->to);
	if (f->scope) {
		if (f->n_scope < 0 || f->n_scope > 16) {
			buf_setf(err, "too many units in the reader's scope");
			return MC_EINVALID;
		}
		buf_adds(&w->sql, w->sql.len ? " AND (" : " WHERE (");
		if (!f->n_scope)
			buf_adds(&w->sql, "1 = 0");
		for (int i = 0; i < f->n_scope; i++) {
			buf_adds(&w->sql, i ? " OR " : "");
			buf_adds(&w->sql, UNIT_OR_CHILD);
			for (int k = 0; k < 2; k++) {
				w->text[w->n] = f->scope[i];
				w->is_num[w->n++] = false;
			}
		}
		buf_addch(&w->sql, ')');
	}
	return 0;
}

static int bind_where(struct db_stmt *st, const struct where *w)
{
	int rc = 0;
	for (int i = 0; i < w->n && !rc; i++)
		rc = w->is_num[i] ? db_bind_int64(st, i + 1, w->num[i])
				  : db_bind_text(st, i + 1, w->text[i], -1);
	return rc;
}

/* A stored JSON text as a value (a string when it is not valid JSON). */
static json_t *json_or_null(struct db_stmt *st, int col)
{
	if (db_column_is_null(st, col))
		return json_null();
	json_t *v = json_loads(db_column_text(st, col),
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	return v ? v : json_string(db_column_text(st, col));
}

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null()
					  : json_string(db_column_text(st, col));
}

static json_t *item_of(struct db_stmt *st)
{
	struct buf at = BUF_INIT;
	mctime_format_iso(db_column_int64(st, 1), &at);
	json_t *it = json_object();
	json_object_set_new(it, "id", json_integer(db_column_int64(st, 0)));
	json_object_set_new(it, "at", json_string(at.ptr));
	json_object_set_new(it, "at_utc", json_integer(db_column_int64(st, 1)));
	json_object_set_new(it, "actor_id",
			    json_integer(db_column_int64(st, 2)));
	json_object_set_new(it, "actor", json_string(db_column_text(st, 3)));
	json_object_set_new(it, "action", json_string(db_column_text(st, 4)));
	json_object_set_new(it, "object_type", text_or_null(st, 5));
	json_object_set_new(it, "object_id", text_or_null(st, 6));
	json_object_set_new(it, "unit_code", text_or_null(st, 7));
	json_object_set_new(it, "client", text_or_null(st, 8));
	json_object_set_new(it, "before", json_or_null(st, 9));
	json_object_set_new(it, "after", json_or_null(st, 10));
	json_object_set_new(it, "hash", json_string(db_column_text(st, 11)));
	buf_release(&at);
	return it;
}

int audit_search(struct db *db, const struct audit_filter *f, json_t **out,
		 struct buf *err)
{
	struct where w = { .sql = BUF_INIT, .like = BUF_INIT };
	struct buf sql = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *items = NULL;
	int64_t total = 0;
	int page = f->page ? f->page : 1;
	int per_page = f->per_page ? f->per_page : PER_PAGE_DEFAULT;
	int rc = MC_EINVALID;
	*out = NULL;
	if (page < 1 || page > PAGE_MAX || per_page < 1 ||
	    per_page > PER_PAGE_MAX) {
		buf_setf(err, "page from 1, per_page from 1 to %d",
			 PER_PAGE_MAX);
		goto out;
	}
	if ((rc = build_where(f, &w, err)) < 0)
		goto out;
	/* One snapshot: the count and the page agree. */
	if ((rc = db_begin_read(db, err)) < 0)
		goto out;
	buf_addf(&sql, "SELECT count(*) FROM audit_log%s", w.sql.ptr);
	if ((rc = db_prepare(db, sql.ptr, &st, err)) < 0)
		goto rollback;
	if ((rc = bind_where(st, &w)) < 0)
		goto done;
	if ((rc = db_step(st)) == DB_ROW)
		total = db_column_int64(st, 0);
	db_finalize(st);
	st = NULL;
	if (rc < 0)
		goto rollback;
	buf_reset(&sql);
	buf_addf(&sql,
		 "SELECT id, at, actor_id, actor, action, object_type, "
		 "object_id, unit_code, client, before_json, after_json, hash "
		 "FROM audit_log%s ORDER BY id DESC LIMIT ? OFFSET ?",
		 w.sql.ptr);
	if ((rc = db_prepare(db, sql.ptr, &st, err)) < 0)
		goto rollback;
	if ((rc = bind_where(st, &w)) < 0 ||
	    (rc = db_bind_int64(st, w.n + 1, per_page)) < 0 ||
	    (rc = db_bind_int64(st, w.n + 2, (int64_t)(page - 1) * per_page)) < 0)
		goto done;
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, item_of(st));
done:
	db_finalize(st);
	st = NULL;
rollback:
	if (rc < 0) {
		if (err && !err->len)
			buf_setf(err, "%s", db_errmsg(db));
		db_rollback(db);
		json_decref(items);
		goto out;
	}
	db_commit(db, NULL);
	*out = json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
			 (json_int_t)total, "page", page, "per_page", per_page);
	rc = 0;
out:
	buf_release(&sql);
	buf_release(&w.sql);
	buf_release(&w.like);
	return rc;
}
