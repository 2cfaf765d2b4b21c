/*
 * import.c - reference data into the catalog tables (see import.h). Reads
 * CSV with util/csv and JSON with jansson, validates every field before it
 * is bound, normalises text to NFC, and upserts through cached statements
 * inside one transaction per file. Parsing of times and fees is delegated
 * to core/duration and core/money; this file only decides what to store.
 * Channels whose time has no readable unit get the legal time of
 * data/procedure-legal-times.csv after every procedure import.
 */
#include "store/import.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/money.h"
#include "store/catalog.h"
#include "util/csv.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/json.h"
#include "util/text.h"
#include "util/xalloc.h"

/* ---- a small string set/map (codes seen in one file) ------------------- */

struct strmap {
	char **keys;
	int *vals;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* The slot of `key`: its value, or a new one set to 0. */
static int *strmap_slot(struct strmap *m, const char *key, bool *found)
{
	if (2 * (m->n + 1) > m->cap) {
		struct strmap old = *m;
		m->cap = old.cap ? 2 * old.cap : 1024;
		m->keys = xcalloc(m->cap, sizeof(char *));
		m->vals = xcalloc(m->cap, sizeof(int));
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i]) {
				bool f;
				*strmap_slot(m, old.keys[i], &f) = old.vals[i];
			}
		strmap_release(&old);
	}
	size_t i = hash_str(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key)) {
			*found = true;
			return &m->vals[i];
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = xstrdup(key);
	m->vals[i] = 0;
	m->n++;
	*found = false;
	return &m->vals[i];
}

static bool strmap_has(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return false;
	size_t i = hash_str(key) & (m->cap - 1);
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key))
			return true;
		i = (i + 1) & (m->cap - 1);
	}
	return false;
}

/* ---- the state of one file's import ------------------------------------ */

struct imp {
	struct db *db;
	const char *file;
	int line;		/* CSV line, or 0 */
	int record;		/* JSON record (1-based), or 0 */
	const char *code;	/* the record's code, for messages */
	struct buf *err;
	struct buf t;		/* scratch for NFC text */
};

/* Sets err to "FILE:LINE: column 'COL': ..." (or the JSON record). */
__attribute__((format(printf, 3, 4)))
static int bad(struct imp *im, const char *col, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (im->err) {
		if (im->line)
			buf_setf(im->err, "%s:%d: column '%s': %s", im->file,
				 im->line, col, msg.ptr);
		else
			buf_setf(im->err, "%s: record %d (%s): key '%s': %s",
				 im->file, im->record,
				 im->code ? im->code : "?", col, msg.ptr);
	}
	buf_release(&msg);
	return MC_EINVALID;
}

/* Adds where a database error happened to the driver's message. */
static int dberr(struct imp *im, int rc)
{
	if (im->err) {
		struct buf m = BUF_INIT;
		buf_adds(&m, im->err->ptr);
		if (im->line)
			buf_setf(im->err, "%s:%d: %s", im->file, im->line, m.ptr);
		else if (im->record)
			buf_setf(im->err, "%s: record %d (%s): %s", im->file,
				 im->record, im->code ? im->code : "?", m.ptr);
		else
			buf_setf(im->err, "%s: %s", im->file, m.ptr);
		buf_release(&m);
	}
	return rc;
}

/* Binds the NFC form of s (validated) to parameter idx. */
static int bind_nfc(struct imp *im, struct db_stmt *st, int idx,
		    const char *col, const char *s)
{
	struct buf e = BUF_INIT;
	buf_reset(&im->t);
	if (text_nfc(s, strlen(s), &im->t, &e)) {
		int rc = bad(im, col, "%s", e.ptr);
		buf_release(&e);
		return rc;
	}
	db_bind_text(st, idx, im->t.ptr, (ssize_t)im->t.len);
	return 0;
}

/* Binds the search key of s. */
static int bind_key(struct imp *im, struct db_stmt *st, int idx,
		    const char *col, const char *s)
{
	struct buf e = BUF_INIT;
	buf_reset(&im->t);
	if (text_search_key(s, strlen(s), &im->t, &e)) {
		int rc = bad(im, col, "%s", e.ptr);
		buf_release(&e);
		return rc;
	}
	db_bind_text(st, idx, im->t.ptr, (ssize_t)im->t.len);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A procedure code: digits and dots, starting with a digit ("1.000894"). */
static bool valid_proc_code(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 32 || s[0] < '0' || s[0] > '9')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return false;
	return true;
}

/* "yes" 1, "no" 0, "" -1 (unknown); -2 for anything else. */
static int yes_no(const char *s)
{
	if (!strcmp(s, "yes"))
		return 1;
	if (!strcmp(s, "no"))
		return 0;
	if (!*s)
		return -1;
	return -2;
}

static int step_done(struct imp *im, struct db_stmt *st)
{
	int rc = db_step(st);
	db_done(st);
	return rc < 0 ? dberr(im, rc) : 0;
}

static int begin(struct imp *im)
{
	int rc = db_begin(im->db, im->err);
	return rc ? dberr(im, rc) : 0;
}

/* Bumps the catalog version and commits, or rolls back on rc != 0. */
static int finish(struct imp *im, int rc)
{
	if (!rc) {
		struct db_stmt *st;
		im->line = im->record = 0;
		rc = db_prepare_cached(im->db,
				       "UPDATE catalog_meta SET value = value + 1"
				       " WHERE name = 'catalog_version'",
				       &st, im->err);
		if (!rc)
			rc = step_done(im, st);
		else
			rc = dberr(im, rc);
	}
	if (!rc)
		rc = db_commit(im->db, im->err) ? dberr(im, MC_EDB) : 0;
	else
		db_rollback(im->db);
	catalog_cache_reset();
	buf_release(&im->t);
	return rc;
}

static void imp_init(struct imp *im, struct db *db, const char *file,
		     struct buf *err)
{
	memset(im, 0, sizeof(*im));
	im->db = db;
	im->file = file;
	im->err = err;
	buf_init(&im->t, 256);
}

/* Looks up required CSV columns; MC_EINVALID naming a missing one. */
static int columns(struct imp *im, struct csv *c, const char *const *names,
		   int *idx, int n)
{
	for (int i = 0; i < n; i++) {
		idx[i] = csv_index(c, names[i]);
		if (idx[i] < 0) {
			im->line = c->line;
			return bad(im, names[i], "missing in the header");
		}
	}
	return 0;
}

/* csv_next() with the file name in front of a syntax error. */
static int next_row(struct imp *im, struct csv *c)
{
	int rc = csv_next(c, im->err);
	if (rc < 0 && im->err) {
		struct buf m = BUF_INIT;
		buf_adds(&m, im->err->ptr);
		buf_setf(im->err, "%s: %s", im->file, m.ptr);
		buf_release(&m);
	}
	return rc;
}

static int start_csv(struct imp *im, struct csv *c, const char *text,
		     size_t len)
{
	csv_init(c, text, len);
	int rc = next_row(im, c);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (im->err)
			buf_setf(im->err, "%s: empty file", im->file);
		return MC_EINVALID;
	}
	return 0;
}

/* ---- units -------------------------------------------------------------- */

static const char *const unit_types[] = {
	"tỉnh", "thành phố", "quận", "huyện", "thị xã", "xã", "phường",
	"thị trấn", "đặc khu",
};

/* "thành phố" -> "Thành phố"; handles ASCII and đ (the type words' heads). */
static void capitalise(const char *s, struct buf *out)
{
	if ((unsigned char)s[0] == 0xC4 && (unsigned char)s[1] == 0x91) {
		buf_adds(out, "\xC4\x90");	/* Đ */
		buf_adds(out, s + 2);
		return;
	}
	if (s[0] >= 'a' && s[0] <= 'z') {
		buf_addch(out, (char)(s[0] - 'a' + 'A'));
		buf_adds(out, s + 1);
		return;
	}
	buf_adds(out, s);
}

static int unit_level(const char *era, size_t code_len)
{
	if (code_len == 2)
		return 1;
	if (code_len == 3 && !strcmp(era, "pre2025"))
		return 2;
	if (code_len == 5)
		return 3;
	return 0;
}

int import_units_csv(struct db *db, const char *name, const char *text,
		     size_t len, const char *era, struct import_stats *st,
		     struct buf *err)
{
	static const char *const cols[] = { "code", "name", "type",
					    "parent_code" };
	struct imp im;
	struct csv c;
	struct strmap codes = { 0 };
	struct buf full = BUF_INIT;
	int idx[4], rc, n = 0;

	imp_init(&im, db, name, err);
	if (strcmp(era, "2025") && strcmp(era, "pre2025")) {
		if (err)
			buf_setf(err, "unknown era '%s' (2025 or pre2025)", era);
		buf_release(&im.t);
		return MC_EINVALID;
	}
	rc = start_csv(&im, &c, text, len);
	if (!rc)
		rc = columns(&im, &c, cols, idx, 4);
	if (rc) {
		csv_release(&c);
		buf_release(&im.t);
		return rc;
	}
	/* First pass: the codes of the file, so parents may come later. */
	struct csv c2;
	csv_init(&c2, text, len);
	csv_next(&c2, NULL);
	while ((rc = next_row(&im, &c2)) == 1) {
		if (c2.n_fields <= idx[0])
			continue;	/* reported by the second pass */
		bool found;
		int *v = strmap_slot(&codes, c2.fields[idx[0]], &found);
		if (found) {
			im.line = c2.line;
			rc = bad(&im, "code", "duplicate code '%s' (line %d)",
				 c2.fields[idx[0]], *v);
			break;
		}
		*v = c2.line;
	}
	csv_release(&c2);
	if (rc)
		goto out_nobegin;

	rc = begin(&im);
	if (rc)
		goto out_nobegin;
	while ((rc = next_row(&im, &c)) == 1) {
		struct db_stmt *s;
		im.line = c.line;
		if (c.n_fields != 4) {
			rc = bad(&im, "code", "expected 4 fields, got %d",
				 c.n_fields);
			break;
		}
		const char *code = c.fields[idx[0]], *uname = c.fields[idx[1]],
			   *type = c.fields[idx[2]], *parent = c.fields[idx[3]];
		int level = unit_level(era, strlen(code));
		if (!all_digits(code) || !level) {
			rc = bad(&im, "code", "'%s' is not a unit code of era %s",
				 code, era);
			break;
		}
		if (!*uname) {
			rc = bad(&im, "name", "empty");
			break;
		}
		size_t ti = 0;
		while (ti < ARRAY_SIZE(unit_types) && strcmp(type, unit_types[ti]))
			ti++;
		if (ti == ARRAY_SIZE(unit_types)) {
			rc = bad(&im, "type", "unknown unit type '%s'", type);
			break;
		}
		if ((level == 1) != !*parent) {
			rc = bad(&im, "parent_code", level == 1 ?
				 "a province has no parent" : "missing");
			break;
		}
		if (*parent && !strmap_has(&codes, parent)) {
			struct db_stmt *q;
			rc = db_prepare_cached(db, "SELECT 1 FROM units"
					       " WHERE era = ? AND code = ?",
					       &q, err);
			if (rc) {
				rc = dberr(&im, rc);
				break;
			}
			db_bind_text(q, 1, era, -1);
			db_bind_text(q, 2, parent, -1);
			int r = db_step(q);
			db_done(q);
			if (r != DB_ROW) {
				rc = r < 0 ? dberr(&im, r) :
					bad(&im, "parent_code",
					    "no unit '%s' in era %s", parent, era);
				break;
			}
		}
		rc = db_prepare_cached(
			db,
			"INSERT INTO units (era, code, name, full_name, type,"
			" parent_code, level, name_key)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (era, code) DO UPDATE SET"
			" name = excluded.name, full_name = excluded.full_name,"
			" type = excluded.type, parent_code = excluded.parent_code,"
			" level = excluded.level, name_key = excluded.name_key",
			&s, err);
		if (rc) {
			rc = dberr(&im, rc);
			break;
		}
		buf_reset(&full);
		capitalise(type, &full);
		buf_addch(&full, ' ');
		buf_adds(&full, uname);
		db_bind_text(s, 1, era, -1);
		db_bind_text(s, 2, code, -1);
		if ((rc = bind_nfc(&im, s, 3, "name", uname)) ||
		    (rc = bind_nfc(&im, s, 4, "name", full.ptr))) {
			db_done(s);
			break;
		}
		db_bind_text(s, 5, type, -1);
		if (*parent)
			db_bind_text(s, 6, parent, -1);
		else
			db_bind_null(s, 6);
		db_bind_int64(s, 7, level);
		if ((rc = bind_key(&im, s, 8, "name", uname))) {
			db_done(s);
			break;
		}
		if ((rc = step_done(&im, s)))
			break;
		n++;
	}
	rc = finish(&im, rc);
	if (!rc && st)
		st->units += n;
	goto out;
out_nobegin:
	buf_release(&im.t);
out:
	csv_release(&c);
	strmap_release(&codes);
	buf_release(&full);
	return rc;
}

int import_unit_merges_csv(struct db *db, const char *name, const char *text,
			   size_t len, struct import_stats *st,
			   struct buf *err)
{
	static const char *const cols[] = {
		"new_code", "old_code", "old_name", "old_district_code",
		"old_province_code", "relation",
	};
	struct imp im;
	struct csv c;
	struct strmap seq = { 0 };
	int idx[6], rc, n = 0;

	imp_init(&im, db, name, err);
	rc = start_csv(&im, &c, text, len);
	if (!rc)
		rc = columns(&im, &c, cols, idx, 6);
	if (!rc)
		rc = begin(&im);
	if (rc) {
		buf_release(&im.t);
		goto out;
	}
	while ((rc = next_row(&im, &c)) == 1) {
		struct db_stmt *s;
		bool found;
		im.line = c.line;
		if (c.n_fields != 8) {
			rc = bad(&im, "new_code", "expected 8 fields, got %d",
				 c.n_fields);
			break;
		}
		const char *nc = c.fields[idx[0]], *oc = c.fields[idx[1]];
		if (!all_digits(nc) || strlen(nc) != 5) {
			rc = bad(&im, "new_code", "'%s' is not a commune code", nc);
			break;
		}
		if (*oc && !all_digits(oc)) {
			rc = bad(&im, "old_code", "'%s' is not a unit code", oc);
			break;
		}
		int *k = strmap_slot(&seq, nc, &found);
		if (!found) {
			/* The file is the whole list for this commune. */
			rc = db_prepare_cached(db, "DELETE FROM unit_merges"
					       " WHERE new_code = ?", &s, err);
			if (rc) {
				rc = dberr(&im, rc);
				break;
			}
			db_bind_text(s, 1, nc, -1);
			if ((rc = step_done(&im, s)))
				break;
		}
		++*k;
		rc = db_prepare_cached(
			db,
			"INSERT INTO unit_merges (new_code, seq, old_code,"
			" old_name, old_district_code, old_province_code,"
			" relation) VALUES (?, ?, ?, ?, ?, ?, ?)",
			&s, err);
		if (rc) {
			rc = dberr(&im, rc);
			break;
		}
		db_bind_text(s, 1, nc, -1);
		db_bind_int64(s, 2, *k);
		db_bind_text(s, 3, oc, -1);
		if ((rc = bind_nfc(&im, s, 4, "old_name", c.fields[idx[2]]))) {
			db_done(s);
			break;
		}
		db_bind_text(s, 5, c.fields[idx[3]], -1);
		db_bind_text(s, 6, c.fields[idx[4]], -1);
		if ((rc = bind_nfc(&im, s, 7, "relation", c.fields[idx[5]]))) {
			db_done(s);
			break;
		}
		if ((rc = step_done(&im, s)))
			break;
		n++;
	}
	rc = finish(&im, rc);
	if (!rc && st)
		st->merges += n;
out:
	csv_release(&c);
	strmap_release(&seq);
	return rc;
}

/* ---- procedures: shared pieces ------------------------------------------ */

/*
 * Served by every commune desk by default (data/SOURCES.md, "desks"): in the
 * 2026 commune list, or commune-level with the commune People's Committee
 * (or its chairman) as the implementing agency; never customs, tax or
 * treasury procedures, which regional offices handle even when the catalog
 * tags them "Cấp xã".
 */
static bool commune_desk_rule(const char *field, const char *agency,
			      bool commune_level, bool in_list)
{
	static const char *const excluded[] = { "hai quan", "thue",
						"kho bac nha nuoc" };
	static const char *const ubnd[] = {
		"uy ban nhan dan xa", "uy ban nhan dan cap xa", "ubnd cap xa",
		"ubnd xa",
	};
	struct buf k = BUF_INIT;
	bool r = false;
	if (text_search_key(field, strlen(field), &k, NULL))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(excluded); i++)
		if (!strcmp(k.ptr, excluded[i]))
			goto out;
	if (in_list) {
		r = true;
		goto out;
	}
	if (!commune_level)
		goto out;
	buf_reset(&k);
	if (text_search_key(agency, strlen(agency), &k, NULL))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(ubnd); i++)
		if (strstr(k.ptr, ubnd[i]))
			r = true;
out:
	buf_release(&k);
	return r;
}

static int upsert_field(struct imp *im, const char *field)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(im->db,
				   "INSERT INTO fields (name, name_key)"
				   " VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
				   &s, im->err);
	if (rc)
		return dberr(im, rc);
	if ((rc = bind_nfc(im, s, 1, "field", field)) ||
	    (rc = bind_key(im, s, 2, "field", field))) {
		db_done(s);
		return rc;
	}
	return step_done(im, s);
}

/* Channel codes in display order; index 3 is "all channels". */
static const char *const channel_codes[] = { "truc_tiep", "truc_tuyen",
					     "buu_chinh", "tat_ca" };
static const char *const channel_names[] = { "Trực tiếp", "Trực tuyến",
					     "Dịch vụ bưu chính" };

static int channel_from_name(const char *s, size_t n)
{
	for (int i = 0; i < 3; i++)
		if (strlen(channel_names[i]) == n &&
		    !memcmp(channel_names[i], s, n))
			return i;
	return -1;
}

struct chan {
	int ch;
	char *time, *fee, *note;
};

struct chans {
	struct chan *v;
	int n, alloc;
};

static void chans_add(struct chans *cs, int ch, const char *time,
		      const char *fee, const char *note)
{
	if (cs->n == cs->alloc) {
		cs->alloc = cs->alloc ? 2 * cs->alloc : 8;
		cs->v = xrealloc(cs->v, (size_t)cs->alloc * sizeof(*cs->v));
	}
	cs->v[cs->n++] = (struct chan){ ch, xstrdup(time), xstrdup(fee),
					xstrdup(note) };
}

static void chans_release(struct chans *cs)
{
	for (int i = 0; i < cs->n; i++) {
		free(cs->v[i].time);
		free(cs->v[i].fee);
		free(cs->v[i].note);
	}
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

static int cmp_chan(const void *a, const void *b)
{
	const struct chan *x = a, *y = b;
	return (x->ch > y->ch) - (x->ch < y->ch);
}

/*
 * Splits a summary value "Trực tiếp: A | Trực tuyến: B | ..." into
 * (channel, value) parts; false when the text is a single value.
 */
struct part {
	int ch;
	const char *s;
	size_t n;
};

static bool split_channels(const char *text, struct part *parts, int max,
			   int *n_parts)
{
	const char *p = text;
	int n = 0;
	if (!*text)
		return false;
	while (*p) {
		const char *colon = strstr(p, ": ");
		const char *bar = strstr(p, " | ");
		if (!colon || (bar && bar < colon) || n == max)
			return false;
		int ch = channel_from_name(p, (size_t)(colon - p));
		if (ch < 0)
			return false;
		const char *v = colon + 2;
		size_t vn = bar ? (size_t)(bar - v) : strlen(v);
		parts[n++] = (struct part){ ch, v, vn };
		p = bar ? bar + 3 : v + vn;
	}
	*n_parts = n;
	return n > 0;
}

/*
 * Channels from the summary columns of procedures.csv: the k-th time of a
 * channel goes with the k-th fee of that channel (else its last fee, else
 * the single fee). A single time and a single fee make one "tat_ca" row.
 */
static void chans_from_summary(const char *time, const char *fee,
			       struct chans *cs)
{
	struct part tp[32], fp[32];
	int nt = 0, nf = 0;
	bool ts = split_channels(time, tp, 32, &nt);
	bool fs = split_channels(fee, fp, 32, &nf);
	struct buf a = BUF_INIT, b = BUF_INIT;

	if (!ts && !fs) {
		if (*time || *fee)
			chans_add(cs, 3, time, fee, "");
		return;
	}
	if (!ts) {
		for (int i = 0; i < nf; i++) {
			buf_reset(&b);
			buf_add(&b, fp[i].s, fp[i].n);
			chans_add(cs, fp[i].ch, time, b.ptr, "");
		}
		buf_release(&b);
		return;
	}
	int seen_t[3] = { 0 };
	bool fee_used[32] = { false };
	for (int i = 0; i < nt; i++) {
		int ch = tp[i].ch, k = seen_t[ch]++, m = 0, last = -1, pick = -1;
		buf_reset(&a);
		buf_add(&a, tp[i].s, tp[i].n);
		buf_reset(&b);
		if (fs) {
			for (int j = 0; j < nf; j++)
				if (fp[j].ch == ch) {
					if (m++ == k)
						pick = j;
					last = j;
				}
			if (pick < 0)
				pick = last;
			if (pick >= 0) {
				buf_add(&b, fp[pick].s, fp[pick].n);
				fee_used[pick] = true;
			}
		} else {
			buf_adds(&b, fee);
		}
		chans_add(cs, ch, a.ptr, b.ptr, "");
	}
	/* Fees of channels that have no time. */
	for (int j = 0; fs && j < nf; j++)
		if (!fee_used[j] && !seen_t[fp[j].ch]) {
			buf_reset(&b);
			buf_add(&b, fp[j].s, fp[j].n);
			chans_add(cs, fp[j].ch, "", b.ptr, "");
		}
	buf_release(&a);
	buf_release(&b);
}

static const char *dur_unit_name(enum duration_unit u)
{
	switch (u) {
	case DUR_WORKING_DAYS:
		return "working_days";
	case DUR_WORKING_HOURS:
		return "working_hours";
	case DUR_CALENDAR_DAYS:
		return "calendar_days";
	case DUR_SAME_DAY:
		return "same_day";
	}
	return "working_days";
}

/* Replaces the channels of `code` from `origin` ("list" or "detail"). */
static int write_channels(struct imp *im, const char *code,
			  const char *origin, struct chans *cs,
			  struct import_stats *stats)
{
	struct db_stmt *s;
	int rc;
	bool detail = !strcmp(origin, "detail");

	if (detail)
		rc = db_prepare_cached(im->db, "DELETE FROM procedure_channels"
				       " WHERE code = ?", &s, im->err);
	else
		rc = db_prepare_cached(im->db, "DELETE FROM procedure_channels"
				       " WHERE code = ? AND origin = 'list'",
				       &s, im->err);
	if (rc)
		return dberr(im, rc);
	db_bind_text(s, 1, code, -1);
	if ((rc = step_done(im, s)))
		return rc;
	if (!detail) {
		/* Detail rows, when there are any, win over the summary. */
		rc = db_prepare_cached(im->db, "SELECT 1 FROM procedure_channels"
				       " WHERE code = ? LIMIT 1", &s, im->err);
		if (rc)
			return dberr(im, rc);
		db_bind_text(s, 1, code, -1);
		int r = db_step(s);
		db_done(s);
		if (r < 0)
			return dberr(im, r);
		if (r == DB_ROW)
			return 0;
	}
	if (cs->n)
		qsort(cs->v, (size_t)cs->n, sizeof(*cs->v), cmp_chan);
	for (int i = 0; i < cs->n; i++) {
		const struct chan *c = &cs->v[i];
		struct duration d;
		int64_t dong;
		rc = db_prepare_cached(
			im->db,
			"INSERT INTO procedure_channels (code, seq, channel,"
			" origin, time_text, dur_unit, dur_amount, fee_text,"
			" fee_dong, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			&s, im->err);
		if (rc)
			return dberr(im, rc);
		db_bind_text(s, 1, code, -1);
		db_bind_int64(s, 2, i + 1);
		db_bind_text(s, 3, channel_codes[c->ch], -1);
		db_bind_text(s, 4, origin, -1);
		if ((rc = bind_nfc(im, s, 5, "processing_time", c->time)))
			goto fail;
		struct buf derr = BUF_INIT;	/* duration_parse needs one */
		int drc = *c->time ? duration_parse(c->time, &d, &derr) : -1;
		buf_release(&derr);
		if (!drc) {
			db_bind_text(s, 6, dur_unit_name(d.unit), -1);
			db_bind_int64(s, 7, d.amount);
		} else {
			db_bind_null(s, 6);
			db_bind_null(s, 7);
		}
		if ((rc = bind_nfc(im, s, 8, "fee", c->fee)))
			goto fail;
		if (*c->fee && !money_parse_dong(c->fee, &dong, NULL))
			db_bind_int64(s, 9, dong);
		else
			db_bind_null(s, 9);
		if ((rc = bind_nfc(im, s, 10, "note", c->note)))
			goto fail;
		if ((rc = step_done(im, s)))
			return rc;
		if (stats)
			stats->channels++;
	}
	return 0;
fail:
	db_done(s);
	return rc;
}

/* ---- procedures.csv ----------------------------------------------------- */

static int import_proc_csv(struct imp *im, const char *text, size_t len,
			   struct import_stats *st)
{
	static const char *const cols[] = {
		"code", "name", "field", "levels", "commune_level",
		"commune_list_2026", "issuing_body", "decision_no",
		"procedure_type", "implementing_agency", "online_submission",
		"processing_time", "fee", "dossier_items", "legal_basis",
		"detail_status", "source_url",
	};
	enum { C_CODE, C_NAME, C_FIELD, C_LEVELS, C_CL, C_LIST, C_ISSUER,
	       C_DECISION, C_TYPE, C_AGENCY, C_ONLINE, C_TIME, C_FEE,
	       C_ITEMS, C_LEGAL, C_STATUS, C_URL, C_N };
	struct csv c;
	struct strmap seen = { 0 };
	int idx[C_N], rc, n = 0;

	rc = start_csv(im, &c, text, len);
	if (!rc)
		rc = columns(im, &c, cols, idx, C_N);
	if (!rc)
		rc = begin(im);
	if (rc) {
		csv_release(&c);
		buf_release(&im->t);
		return rc;
	}
	int n_cols = c.n_fields;
	while ((rc = next_row(im, &c)) == 1) {
		struct db_stmt *s;
		struct chans cs = { 0 };
		bool found;
		const char **f = c.fields;
		im->line = c.line;
		if (c.n_fields != n_cols) {
			rc = bad(im, "code", "expected %d fields, got %d",
				 n_cols, c.n_fields);
			break;
		}
		const char *code = f[idx[C_CODE]];
		if (!valid_proc_code(code)) {
			rc = bad(im, "code", "'%s' is not a procedure code", code);
			break;
		}
		int *ln = strmap_slot(&seen, code, &found);
		if (found) {
			rc = bad(im, "code", "duplicate code '%s' (line %d)",
				 code, *ln);
			break;
		}
		*ln = c.line;
		im->code = code;
		if (!*f[idx[C_NAME]]) {
			rc = bad(im, "name", "empty");
			break;
		}
		int cl = yes_no(f[idx[C_CL]]), list = yes_no(f[idx[C_LIST]]),
		    online = yes_no(f[idx[C_ONLINE]]);
		if (cl < 0) {
			rc = bad(im, "commune_level", "expected yes or no, got '%s'",
				 f[idx[C_CL]]);
			break;
		}
		if (list < 0) {
			rc = bad(im, "commune_list_2026",
				 "expected yes or no, got '%s'", f[idx[C_LIST]]);
			break;
		}
		if (online == -2) {
			rc = bad(im, "online_submission",
				 "expected yes, no or empty, got '%s'",
				 f[idx[C_ONLINE]]);
			break;
		}
		const char *items = f[idx[C_ITEMS]];
		if (*items && !all_digits(items)) {
			rc = bad(im, "dossier_items", "'%s' is not a number", items);
			break;
		}
		const char *status = f[idx[C_STATUS]];
		if (strcmp(status, "ok") && strcmp(status, "list_only")) {
			rc = bad(im, "detail_status",
				 "expected ok or list_only, got '%s'", status);
			break;
		}
		if ((rc = upsert_field(im, f[idx[C_FIELD]])))
			break;
		rc = db_prepare_cached(
			im->db,
			"INSERT INTO procedures (code, name, name_key, field,"
			" levels, commune_level, commune_list_2026, commune_desk,"
			" issuing_body, decision_no, procedure_type,"
			" implementing_agency, online_submission,"
			" processing_time_text, fee_text, dossier_items,"
			" legal_basis, detail_status, source_url,"
			" competent_authority, target, receiving_address, steps,"
			" conditions, results, related_procedures, dossier_note)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, '', '', '', '', '', '[]', '', '')"
			" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
			" name_key = excluded.name_key, field = excluded.field,"
			" levels = excluded.levels,"
			" commune_level = excluded.commune_level,"
			" commune_list_2026 = excluded.commune_list_2026,"
			" commune_desk = excluded.commune_desk,"
			" issuing_body = excluded.issuing_body,"
			" decision_no = excluded.decision_no,"
			" procedure_type = excluded.procedure_type,"
			" implementing_agency = excluded.implementing_agency,"
			" online_submission = excluded.online_submission,"
			" processing_time_text = excluded.processing_time_text,"
			" fee_text = excluded.fee_text,"
			" dossier_items = excluded.dossier_items,"
			" legal_basis = excluded.legal_basis,"
			" detail_status = excluded.detail_status,"
			" source_url = excluded.source_url",
			&s, im->err);
		if (rc) {
			rc = dberr(im, rc);
			break;
		}
		db_bind_text(s, 1, code, -1);
		static const struct { int col, param; } texts[] = {
			{ C_NAME, 2 }, { C_FIELD, 4 }, { C_LEVELS, 5 },
			{ C_ISSUER, 9 }, { C_DECISION, 10 }, { C_TYPE, 11 },
			{ C_AGENCY, 12 }, { C_TIME, 14 }, { C_FEE, 15 },
			{ C_LEGAL, 17 }, { C_STATUS, 18 }, { C_URL, 19 },
		};
		for (size_t i = 0; !rc && i < ARRAY_SIZE(texts); i++)
			rc = bind_nfc(im, s, texts[i].param, cols[texts[i].col],
				      f[idx[texts[i].col]]);
		if (!rc)
			rc = bind_key(im, s, 3, "name", f[idx[C_NAME]]);
		if (rc) {
			db_done(s);
			break;
		}
		db_bind_int64(s, 6, cl);
		db_bind_int64(s, 7, list);
		db_bind_int64(s, 8, commune_desk_rule(f[idx[C_FIELD]],
						      f[idx[C_AGENCY]], cl, list));
		if (online < 0)
			db_bind_null(s, 13);
		else
			db_bind_int64(s, 13, online);
		if (*items)
			db_bind_int64(s, 16, strtoll(items, NULL, 10));
		else
			db_bind_null(s, 16);
		if ((rc = step_done(im, s)))
			break;
		chans_from_summary(f[idx[C_TIME]], f[idx[C_FEE]], &cs);
		rc = write_channels(im, code, "list", &cs, st);
		chans_release(&cs);
		if (rc)
			break;
		n++;
	}
	im->code = NULL;
	rc = finish(im, rc);
	if (!rc && st)
		st->procedures += n;
	csv_release(&c);
	strmap_release(&seen);
	return rc;
}

/* ---- JSON helpers --------------------------------------------------------- */

/* The string at key ("" when missing or null); MC_EINVALID otherwise. */
static int jstr(struct imp *im, json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		*out = "";
		return 0;
	}
	if (!json_is_string(v))
		return bad(im, key, "expected a string");
	*out = json_string_value(v);
	return 0;
}

/* The boolean at key: 1, 0, or -1 when missing or null. */
static int jbool(struct imp *im, json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (!json_is_boolean(v))
		return bad(im, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

static int parse_json(struct imp *im, const char *text, size_t len,
		      json_t **out)
{
	json_error_t je;
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!*out) {
		if (im->err)
			buf_setf(im->err, "%s:%d:%d: %s", im->file, je.line,
				 je.column, je.text);
		return MC_EINVALID;
	}
	return 0;
}

/*
 * Reads a quantity text ("1 bản chính,1 bản sao", "0 bản chính", "01 bản
 * sao") into originals and copies (-1 when absent). The scraper glued
 * years and numbers in front of some ("20201 bản chính"): a number of
 * three digits or more keeps only its last digit.
 */
static void parse_quantity(const char *q, int *originals, int *copies)
{
	static const char *const words[2] = { " bản chính", " bản sao" };
	int *outs[2] = { originals, copies };
	*originals = *copies = -1;
	for (int w = 0; w < 2; w++) {
		const char *p = strstr(q, words[w]);
		if (!p || p == q)
			continue;
		const char *d = p;
		while (d > q && d[-1] >= '0' && d[-1] <= '9')
			d--;
		size_t n = (size_t)(p - d);
		if (!n)
			continue;
		if (n >= 3)
			d = p - 1;
		int v = 0;
		for (; d < p; d++)
			v = v * 10 + (*d - '0');
		*outs[w] = v;
	}
	if (*originals >= 0 && *copies < 0)
		*copies = 0;
	else if (*copies >= 0 && *originals < 0)
		*originals = 0;
}

static int write_components(struct imp *im, const char *code, json_t *list,
			    struct import_stats *st)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(im->db, "DELETE FROM procedure_components"
				   " WHERE code = ?", &s, im->err);
	if (rc)
		return dberr(im, rc);
	db_bind_text(s, 1, code, -1);
	if ((rc = step_done(im, s)))
		return rc;
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it) {
		const char *group = "", *name = "", *qty = "";
		int form = 0, orig, copies;
		if (!json_is_object(it))
			return bad(im, "dossier", "item %zu is not an object", i);
		if ((rc = jstr(im, it, "group", &group)) ||
		    (rc = jstr(im, it, "name", &name)) ||
		    (rc = jstr(im, it, "quantity", &qty)) ||
		    (rc = jbool(im, it, "has_form_file", &form)))
			return rc;
		parse_quantity(qty, &orig, &copies);
		rc = db_prepare_cached(
			im->db,
			"INSERT INTO procedure_components (code, seq, group_name,"
			" name, quantity, originals, copies, has_form)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			&s, im->err);
		if (rc)
			return dberr(im, rc);
		db_bind_text(s, 1, code, -1);
		db_bind_int64(s, 2, (int64_t)i + 1);
		if ((rc = bind_nfc(im, s, 3, "dossier.group", group)) ||
		    (rc = bind_nfc(im, s, 4, "dossier.name", name)) ||
		    (rc = bind_nfc(im, s, 5, "dossier.quantity", qty))) {
			db_done(s);
			return rc;
		}
		if (orig >= 0)
			db_bind_int64(s, 6, orig);
		else
			db_bind_null(s, 6);
		if (copies >= 0)
			db_bind_int64(s, 7, copies);
		else
			db_bind_null(s, 7);
		db_bind_int64(s, 8, form == 1);
		if ((rc = step_done(im, s)))
			return rc;
		if (st)
			st->components++;
	}
	return 0;
}

/* Joins a JSON array of strings with "; " (legal_basis). */
static int join_strings(struct imp *im, json_t *a, const char *key,
			struct buf *out)
{
	if (!a || json_is_null(a))
		return 0;
	if (json_is_string(a)) {
		buf_adds(out, json_string_value(a));
		return 0;
	}
	if (!json_is_array(a))
		return bad(im, key, "expected a list of strings");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return bad(im, key, "item %zu is not a string", i);
		if (i)
			buf_adds(out, "; ");
		buf_adds(out, json_string_value(v));
	}
	return 0;
}

/* ---- procedures-commune.json --------------------------------------------- */

static int import_detail_record(struct imp *im, json_t *r,
				struct import_stats *st)
{
	enum { K_NAME, K_FIELD, K_LEVELS, K_ISSUER, K_STATUS, K_DECISION,
	       K_TYPE, K_TARGET, K_AGENCY, K_AUTH, K_ADDR, K_RELATED, K_URL,
	       K_NOTE, K_N };
	static const char *const keys[K_N] = {
		"name", "field", "levels", "issuing_body", "detail_status",
		"decision_no", "procedure_type", "target",
		"implementing_agency", "competent_authority",
		"receiving_address", "related_procedures", "source_url",
		"dossier_note",
	};
	const char *v[K_N], *code = "";
	int list = -1, online = -1, cl = -1, rc;
	struct buf legal = BUF_INIT;
	char *results = NULL;
	struct chans cs = { 0 };
	struct db_stmt *s;

	if (!json_is_object(r))
		return bad(im, "code", "the record is not an object");
	if ((rc = jstr(im, r, "code", &code)))
		return rc;
	im->code = code;
	if (!valid_proc_code(code))
		return bad(im, "code", "'%s' is not a procedure code", code);
	for (int i = 0; i < K_N; i++)
		if ((rc = jstr(im, r, keys[i], &v[i])))
			return rc;
	if (!*v[K_NAME])
		return bad(im, "name", "empty");
	if (strcmp(v[K_STATUS], "ok") && strcmp(v[K_STATUS], "list_only"))
		return bad(im, "detail_status", "expected ok or list_only");
	if ((rc = jbool(im, r, "commune_list_2026", &list)) ||
	    (rc = jbool(im, r, "online_submission", &online)) ||
	    (rc = jbool(im, r, "commune_level", &cl)))
		return rc;
	if (cl < 0)
		cl = 1;		/* the file holds commune-level procedures */
	if ((rc = join_strings(im, json_object_get(r, "legal_basis"),
			       "legal_basis", &legal)))
		goto out;
	json_t *res = json_object_get(r, "results");
	if (res && !json_is_null(res) && !json_is_array(res)) {
		rc = bad(im, "results", "expected a list");
		goto out;
	}
	if (res && json_is_array(res))
		results = json_text(res, JSON_COMPACT);
	else
		results = xstrdup("[]");
	if ((rc = upsert_field(im, v[K_FIELD])))
		goto out;
	rc = db_prepare_cached(
		im->db,
		"INSERT INTO procedures (code, name, name_key, field, levels,"
		" commune_level, commune_list_2026, commune_desk, issuing_body,"
		" decision_no, procedure_type, implementing_agency,"
		" competent_authority, target, receiving_address,"
		" online_submission, legal_basis, results, related_procedures,"
		" dossier_note, source_url, detail_status, processing_time_text,"
		" fee_text, dossier_items, steps, conditions)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, '', '', NULL, '', '')"
		" ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
		" name_key = excluded.name_key, field = excluded.field,"
		" levels = excluded.levels,"
		" commune_list_2026 = excluded.commune_list_2026,"
		" commune_desk = excluded.commune_desk,"
		" issuing_body = excluded.issuing_body,"
		" decision_no = excluded.decision_no,"
		" procedure_type = excluded.procedure_type,"
		" implementing_agency = excluded.implementing_agency,"
		" competent_authority = excluded.competent_authority,"
		" target = excluded.target,"
		" receiving_address = excluded.receiving_address,"
		" online_submission = excluded.online_submission,"
		" legal_basis = excluded.legal_basis,"
		" results = excluded.results,"
		" related_procedures = excluded.related_procedures,"
		" dossier_note = excluded.dossier_note,"
		" source_url = excluded.source_url,"
		" detail_status = excluded.detail_status",
		&s, im->err);
	if (rc) {
		rc = dberr(im, rc);
		goto out;
	}
	db_bind_text(s, 1, code, -1);
	static const struct { int key, param; } texts[] = {
		{ K_NAME, 2 }, { K_FIELD, 4 }, { K_LEVELS, 5 },
		{ K_ISSUER, 9 }, { K_DECISION, 10 }, { K_TYPE, 11 },
		{ K_AGENCY, 12 }, { K_AUTH, 13 }, { K_TARGET, 14 },
		{ K_ADDR, 15 }, { K_RELATED, 19 }, { K_NOTE, 20 },
		{ K_URL, 21 }, { K_STATUS, 22 },
	};
	for (size_t i = 0; !rc && i < ARRAY_SIZE(texts); i++)
		rc = bind_nfc(im, s, texts[i].param, keys[texts[i].key],
			      v[texts[i].key]);
	if (!rc)
		rc = bind_key(im, s, 3, "name", v[K_NAME]);
	if (!rc)
		rc = bind_nfc(im, s, 17, "legal_basis", legal.ptr);
	if (!rc)
		rc = bind_nfc(im, s, 18, "results", results);
	if (rc) {
		db_done(s);
		goto out;
	}
	db_bind_int64(s, 6, cl);
	db_bind_int64(s, 7, list == 1);
	db_bind_int64(s, 8, commune_desk_rule(v[K_FIELD], v[K_AGENCY], cl,
					      list == 1));
	if (online < 0)
		db_bind_null(s, 16);
	else
		db_bind_int64(s, 16, online);
	if ((rc = step_done(im, s)))
		goto out;

	json_t *chs = json_object_get(r, "channels");
	if (chs && !json_is_null(chs)) {
		size_t i;
		json_t *c;
		if (!json_is_array(chs)) {
			rc = bad(im, "channels", "expected a list");
			goto out;
		}
		json_array_foreach(chs, i, c) {
			const char *name = "", *time = "", *fee = "", *note = "";
			if (!json_is_object(c)) {
				rc = bad(im, "channels", "item %zu is not an object", i);
				goto out;
			}
			if ((rc = jstr(im, c, "channel", &name)) ||
			    (rc = jstr(im, c, "processing_time", &time)) ||
			    (rc = jstr(im, c, "fee", &fee)) ||
			    (rc = jstr(im, c, "note", &note)))
				goto out;
			int ch = channel_from_name(name, strlen(name));
			if (ch < 0) {
				rc = bad(im, "channels.channel",
					 "unknown channel '%s'", name);
				goto out;
			}
			chans_add(&cs, ch, time, fee, note);
		}
		if ((rc = write_channels(im, code, "detail", &cs, st)))
			goto out;
	}
	json_t *dossier = json_object_get(r, "dossier");
	if (dossier && !json_is_null(dossier)) {
		if (!json_is_array(dossier)) {
			rc = bad(im, "dossier", "expected a list");
			goto out;
		}
		if ((rc = write_components(im, code, dossier, st)))
			goto out;
	}
out:
	buf_release(&legal);
	free(results);
	chans_release(&cs);
	return rc;
}

static int import_detail_json(struct imp *im, json_t *root,
			      struct import_stats *st)
{
	int rc = begin(im), n = 0;
	size_t i;
	json_t *r;
	if (rc)
		return rc;
	json_array_foreach(root, i, r) {
		im->record = (int)i + 1;
		im->code = NULL;
		if ((rc = import_detail_record(im, r, st)))
			break;
		n++;
	}
	im->code = NULL;
	rc = finish(im, rc);
	if (!rc && st)
		st->procedures += n;
	return rc;
}

/* ---- procedures-commune-steps.json ---------------------------------------- */

static int import_steps_json(struct imp *im, json_t *root,
			     struct import_stats *st)
{
	int rc = begin(im), n = 0;
	const char *code;
	json_t *r;
	if (rc)
		return rc;
	json_object_foreach(root, code, r) {
		const char *steps = "", *cond = "";
		struct db_stmt *s;
		im->record = n + 1;
		im->code = code;
		if (!json_is_object(r)) {
			rc = bad(im, "steps", "the record is not an object");
			break;
		}
		if ((rc = jstr(im, r, "steps", &steps)) ||
		    (rc = jstr(im, r, "conditions", &cond)))
			break;
		rc = db_prepare_cached(im->db, "UPDATE procedures SET steps = ?,"
				       " conditions = ? WHERE code = ?",
				       &s, im->err);
		if (rc) {
			rc = dberr(im, rc);
			break;
		}
		if ((rc = bind_nfc(im, s, 1, "steps", steps)) ||
		    (rc = bind_nfc(im, s, 2, "conditions", cond))) {
			db_done(s);
			break;
		}
		db_bind_text(s, 3, code, -1);
		int r2 = db_step(s);
		int64_t changed = r2 < 0 ? 0 : db_changes(s);
		db_done(s);
		if (r2 < 0) {
			rc = dberr(im, r2);
			break;
		}
		if (!changed) {
			rc = bad(im, "code", "no procedure '%s' in the catalog",
				 code);
			break;
		}
		n++;
	}
	im->code = NULL;
	rc = finish(im, rc);
	if (!rc && st)
		st->steps += n;
	return rc;
}

static int apply_shipped_legal_times(struct db *db, struct import_stats *st,
				     struct buf *err);

int import_procedures(struct db *db, const char *name, const char *text,
		      size_t len, struct import_stats *st, struct buf *err)
{
	struct imp im;
	json_t *root = NULL;
	size_t i = 0;
	int rc;

	imp_init(&im, db, name, err);
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\n' ||
			   text[i] == '\r' || text[i] == '\t'))
		i++;
	if (i == len || (text[i] != '[' && text[i] != '{')) {
		rc = import_proc_csv(&im, text, len, st);
		return rc ? rc : apply_shipped_legal_times(db, st, err);
	}
	rc = parse_json(&im, text, len, &root);
	if (!rc && json_is_array(root)) {
		rc = import_detail_json(&im, root, st);
		if (!rc)
			rc = apply_shipped_legal_times(db, st, err);
	} else if (!rc) {
		rc = import_steps_json(&im, root, st);
	} else {
		buf_release(&im.t);
	}
	json_decref(root);
	return rc;
}

/* ---- data/procedure-legal-times.csv ---------------------------------------- */

/*
 * Sets the duration of the channels of one table row whose catalog text
 * had no readable unit (dur_unit NULL), or that this table set before.
 * A duration the catalog gave in full is never touched. `channel` "" or
 * "tat_ca": every channel of the procedure.
 */
static int apply_legal_time(struct imp *im, const char *code,
			    const char *channel, const struct duration *d,
			    const char *basis, int *changed)
{
	static const char *const set =
		"UPDATE procedure_channels SET dur_unit = ?, dur_amount = ?,"
		" duration_source = 'legal_times', duration_basis = ?"
		" WHERE code = ? AND (dur_unit IS NULL"
		" OR duration_source = 'legal_times')";
	bool all = !*channel || !strcmp(channel, "tat_ca");
	struct buf sql = BUF_INIT;
	struct db_stmt *s;
	buf_adds(&sql, set);
	if (!all)
		buf_adds(&sql, " AND channel = ?");
	int rc = db_prepare_cached(im->db, sql.ptr, &s, im->err);
	buf_release(&sql);
	if (rc)
		return dberr(im, rc);
	db_bind_text(s, 1, dur_unit_name(d->unit), -1);
	db_bind_int64(s, 2, d->amount);
	if ((rc = bind_nfc(im, s, 3, "legal_basis", basis))) {
		db_done(s);
		return rc;
	}
	db_bind_text(s, 4, code, -1);
	if (!all)
		db_bind_text(s, 5, channel, -1);
	rc = db_step(s);
	int64_t n = rc < 0 ? 0 : db_changes(s);
	db_done(s);
	if (rc < 0)
		return dberr(im, rc);
	*changed += (int)n;
	return 0;
}

int import_legal_times(struct db *db, const char *name, const char *text,
		       size_t len, struct import_stats *st, struct buf *err)
{
	static const char *const cols[] = { "code", "channel", "duration",
					    "legal_basis", "note" };
	enum { L_CODE, L_CHANNEL, L_DURATION, L_BASIS, L_NOTE, L_N };
	struct imp im;
	struct csv c;
	int idx[L_N], rc, changed = 0;

	imp_init(&im, db, name, err);
	rc = start_csv(&im, &c, text, len);
	if (!rc)
		rc = columns(&im, &c, cols, idx, L_N);
	if (!rc)
		rc = begin(&im);
	if (rc) {
		buf_release(&im.t);
		csv_release(&c);
		return rc;
	}
	while ((rc = next_row(&im, &c)) == 1) {
		struct duration d;
		struct buf why = BUF_INIT;
		im.line = c.line;
		if (c.n_fields != L_N) {
			rc = bad(&im, "code", "expected %d fields, got %d", L_N,
				 c.n_fields);
			break;
		}
		const char *code = c.fields[idx[L_CODE]],
			   *channel = c.fields[idx[L_CHANNEL]],
			   *basis = c.fields[idx[L_BASIS]];
		if (!valid_proc_code(code)) {
			rc = bad(&im, "code", "'%s' is not a procedure code",
				 code);
			break;
		}
		bool known = !*channel;
		for (size_t i = 0; !known && i < ARRAY_SIZE(channel_codes); i++)
			known = !strcmp(channel, channel_codes[i]);
		if (!known) {
			rc = bad(&im, "channel", "unknown channel '%s'", channel);
			break;
		}
		if (duration_parse(c.fields[idx[L_DURATION]], &d, &why)) {
			rc = bad(&im, "duration", "%s", why.ptr);
			buf_release(&why);
			break;
		}
		buf_release(&why);
		if (!*basis) {
			rc = bad(&im, "legal_basis", "empty: every legal time "
				 "needs its source");
			break;
		}
		/* A code the catalog does not hold updates nothing. */
		if ((rc = apply_legal_time(&im, code, channel, &d, basis,
					   &changed)))
			break;
	}
	rc = finish(&im, rc);
	if (!rc && st)
		st->legal_times += changed;
	csv_release(&c);
	return rc;
}

/* The shipped table, after every import that writes channels. */
static int apply_shipped_legal_times(struct db *db, struct import_stats *st,
				     struct buf *err)
{
	static const char path[] = "data/procedure-legal-times.csv";
	const struct embed_file *f = embed_find(path);
	if (!f) {
		if (err)
			buf_setf(err, "%s is not embedded in this binary", path);
		return MC_ENOTFOUND;
	}
	return import_legal_times(db, path, (const char *)f->data, f->len, st,
				  err);
}

/* ---- desks ---------------------------------------------------------------- */

static int count(struct db *db, const char *sql, int *out, struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare(db, sql, &s, err);
	if (rc)
		return rc;
	rc = db_step(s);
	if (rc == DB_ROW) {
		*out = (int)db_column_int64(s, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = 0;
	}
	db_finalize(s);
	return rc;
}

/*
 * A bigger page cache for this connection while importing: the desk links
 * (hundreds of thousands of rows and two indexes) otherwise thrash
 * SQLite's default 2 MB cache and cost a pread per row.
 */
static int big_cache(struct db *db, struct buf *err)
{
	if (db_kind(db) != DB_SQLITE)
		return 0;
	return db_exec(db, "PRAGMA cache_size = -262144", err);
}

int import_desks(struct db *db, struct import_stats *st, struct buf *err)
{
	int rc = big_cache(db, err);
	if (rc)
		return rc;
	rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = db_exec(db,
		     "INSERT INTO desks (unit_code, name)"
		     " SELECT code, 'Trung tâm phục vụ hành chính công ' ||"
		     " full_name FROM units WHERE era = '2025' AND level = 3"
		     " ORDER BY code"
		     " ON CONFLICT (unit_code) DO NOTHING;"
		     "INSERT INTO desk_procedures (desk_id, procedure_code)"
		     " SELECT d.id, p.code FROM desks d"
		     " CROSS JOIN procedures p WHERE p.commune_desk = 1"
		     " ON CONFLICT (desk_id, procedure_code) DO NOTHING;",
		     err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	rc = db_commit(db, err);
	if (rc)
		return rc;
	if (st) {
		rc = count(db, "SELECT COUNT(*) FROM desks", &st->desks, err);
		if (!rc)
			rc = count(db, "SELECT COUNT(*) FROM desk_procedures",
				   &st->desk_procedures, err);
	}
	return rc;
}

/* ---- everything shipped ------------------------------------------------------ */

static const struct embed_file *shipped(const char *path, struct buf *err)
{
	const struct embed_file *f = embed_find(path);
	if (!f && err)
		buf_setf(err, "%s is not embedded in this binary", path);
	return f;
}

int import_shipped(struct db *db, struct import_stats *st, struct buf *err)
{
	static const struct { const char *path, *era; } units[] = {
		{ "data/vn-units-2025.csv", "2025" },
		{ "data/vn-units-pre2025.csv", "pre2025" },
	};
	static const char *const procs[] = {
		"data/procedures.csv",
		"data/procedures-commune.json",
		"data/procedures-commune-steps.json",
	};
	const struct embed_file *f;
	int rc = big_cache(db, err);
	if (rc)
		return rc;

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!(f = shipped(units[i].path, err)))
			return MC_ENOTFOUND;
		rc = import_units_csv(db, units[i].path, (const char *)f->data,
				      f->len, units[i].era, st, err);
		if (rc)
			return rc;
	}
	if (!(f = shipped("data/vn-units-2025-old-new.csv", err)))
		return MC_ENOTFOUND;
	rc = import_unit_merges_csv(db, "data/vn-units-2025-old-new.csv",
				    (const char *)f->data, f->len, st, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < ARRAY_SIZE(procs); i++) {
		if (!(f = shipped(procs[i], err)))
			return MC_ENOTFOUND;
		rc = import_procedures(db, procs[i], (const char *)f->data,
				       f->len, st, err);
		if (rc)
			return rc;
	}
	return import_desks(db, st, err);
}
