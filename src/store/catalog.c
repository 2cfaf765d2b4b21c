/*
 * catalog.c - the reference-data repository (see catalog.h): builds the
 * JSON models of procedures, units, desks and boards from the catalog
 * tables, and keeps the process-wide search index (core/search) in step
 * with the catalog version. Read-only; import.c writes the tables.
 */
#include "store/catalog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/search.h"
#include "util/err.h"
#include "util/text.h"
#include "util/xalloc.h"

/* ---- small helpers ---------------------------------------------------- */

/* Catalog text was validated as UTF-8 on import: no second check here. */
static json_t *col_str(struct db_stmt *s, int col)
{
	return json_stringn_nocheck(db_column_text(s, col),
				    db_column_len(s, col));
}

static json_t *col_str_or_null(struct db_stmt *s, int col)
{
	return db_column_is_null(s, col) ? json_null() : col_str(s, col);
}

static json_t *col_bool_or_null(struct db_stmt *s, int col)
{
	return db_column_is_null(s, col) ? json_null() :
		json_boolean(db_column_int64(s, col) != 0);
}

static int notfound(struct buf *err, const char *what, const char *code)
{
	if (err)
		buf_setf(err, "no %s with code '%s'", what, code);
	return MC_ENOTFOUND;
}

/* Non-empty lines of text as a JSON array of strings (trimmed). */
static json_t *lines(const char *text)
{
	json_t *a = json_array();
	struct buf b = BUF_INIT;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_reset(&b);
		text_squeeze(p, n, &b);
		if (b.len)
			json_array_append_new(a, json_stringn(b.ptr, b.len));
		p += n;
		if (*p == '\n')
			p++;
	}
	buf_release(&b);
	return a;
}

/* Splits "a; b; c" (sep ';') into ["a","b","c"], trimmed, empty dropped. */
static json_t *split_on(const char *text, char sep)
{
	json_t *a = json_array();
	struct buf b = BUF_INIT;
	const char *p = text;
	while (*p) {
		const char *sc = strchr(p, sep);
		size_t n = sc ? (size_t)(sc - p) : strlen(p);
		buf_reset(&b);
		text_squeeze(p, n, &b);
		if (b.len)
			json_array_append_new(a, json_stringn(b.ptr, b.len));
		p += n;
		if (*p == sep)
			p++;
	}
	buf_release(&b);
	return a;
}

static const char *channel_name(const char *code)
{
	if (!strcmp(code, "truc_tiep"))
		return "Trực tiếp";
	if (!strcmp(code, "truc_tuyen"))
		return "Trực tuyến";
	if (!strcmp(code, "buu_chinh"))
		return "Dịch vụ bưu chính";
	return "Các cách thức";
}

static bool unit_from_name(const char *s, enum duration_unit *u)
{
	static const struct { const char *name; enum duration_unit u; } t[] = {
		{ "working_days", DUR_WORKING_DAYS },
		{ "working_hours", DUR_WORKING_HOURS },
		{ "calendar_days", DUR_CALENDAR_DAYS },
		{ "same_day", DUR_SAME_DAY },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(s, t[i].name)) {
			*u = t[i].u;
			return true;
		}
	return false;
}

/* The "duration" shape from (unit, amount) columns, or null. */
static json_t *duration_json(struct db_stmt *s, int ucol, int acol)
{
	struct duration d;
	if (db_column_is_null(s, ucol) ||
	    !unit_from_name(db_column_text(s, ucol), &d.unit))
		return json_null();
	d.amount = (int)db_column_int64(s, acol);
	struct buf code = BUF_INIT, text = BUF_INIT;
	duration_code(&d, &code);
	duration_format(&d, &text);
	json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "code", code.ptr, "unit",
			      db_column_text(s, ucol), "amount", d.amount,
			      "text", text.ptr);
	buf_release(&code);
	buf_release(&text);
	return o;
}

/* ---- procedure ------------------------------------------------------------ */

static int add_channels(struct db *db, const char *code, json_t *p,
			struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db,
				   "SELECT channel, time_text, dur_unit,"
				   " dur_amount, fee_text, fee_dong, note,"
				   " duration_source, duration_basis"
				   " FROM procedure_channels WHERE code = ?"
				   " ORDER BY seq",
				   &s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	json_t *a = json_array();
	const char *time_text = NULL, *fee_text = NULL;
	json_t *first = NULL;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *ch = db_column_text(s, 0);
		json_t *c = json_object();
		json_object_set_new(c, "channel", json_string(ch));
		json_object_set_new(c, "channel_name",
				    json_string(channel_name(ch)));
		json_object_set_new(c, "time_text", col_str(s, 1));
		json_object_set_new(c, "duration", duration_json(s, 2, 3));
		json_object_set_new(c, "fee_text", col_str(s, 4));
		bool has_fee = !db_column_is_null(s, 5);
		json_object_set_new(c, "fee_dong", has_fee ?
				    json_integer(db_column_int64(s, 5)) :
				    json_null());
		json_object_set_new(c, "fee_free", json_boolean(
					    has_fee && db_column_int64(s, 5) == 0));
		json_object_set_new(c, "note", col_str(s, 6));
		/* 'legal_times': the duration is the law's (store/import.h),
		 * time_text stays what the national catalog published. */
		json_object_set_new(c, "duration_source",
				    db_column_is_null(s, 7) ? json_null()
							    : col_str(s, 7));
		json_object_set_new(c, "duration_basis",
				    db_column_is_null(s, 8) ? json_null()
							    : col_str(s, 8));
		json_array_append_new(a, c);
		if (!first)
			first = c;
	}
	db_done(s);
	if (first) {
		time_text = json_string_value(json_object_get(first, "time_text"));
		fee_text = json_string_value(json_object_get(first, "fee_text"));
	}
	json_object_set_new(p, "time_text", json_string(time_text ? time_text : ""));
	json_object_set_new(p, "fee_text", json_string(fee_text ? fee_text : ""));
	json_object_set_new(p, "channels", a);
	return rc < 0 ? rc : 0;
}

static int add_components(struct db *db, const char *code, json_t *p,
			  struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db,
				   "SELECT seq, group_name, name, quantity,"
				   " originals, copies, has_form"
				   " FROM procedure_components WHERE code = ?"
				   " ORDER BY seq",
				   &s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	json_t *groups = json_array(), *items = NULL;
	struct buf last = BUF_INIT;
	int n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *g = db_column_text(s, 1);
		if (!items || strcmp(g, last.ptr)) {
			items = json_array();
			json_array_append_new(groups,
					      json_pack("{s:s, s:o}", "group", g,
							"items", items));
			buf_reset(&last);
			buf_adds(&last, g);
		}
		json_t *it = json_object();
		json_object_set_new(it, "seq", json_integer(db_column_int64(s, 0)));
		json_object_set_new(it, "name", col_str(s, 2));
		json_object_set_new(it, "quantity", col_str(s, 3));
		json_object_set_new(it, "originals", db_column_is_null(s, 4) ?
				    json_null() :
				    json_integer(db_column_int64(s, 4)));
		json_object_set_new(it, "copies", db_column_is_null(s, 5) ?
				    json_null() :
				    json_integer(db_column_int64(s, 5)));
		json_object_set_new(it, "has_form",
				    json_boolean(db_column_int64(s, 6)));
		json_array_append_new(items, it);
		n++;
	}
	db_done(s);
	buf_release(&last);
	json_object_set_new(p, "component_groups", groups);
	json_object_set_new(p, "n_components", json_integer(n));
	return rc < 0 ? rc : 0;
}

bool catalog_offered_online(json_t *proc)
{
	size_t i;
	json_t *ch;
	bool all = false;
	json_array_foreach(json_object_get(proc, "channels"), i, ch)
	{
		const char *c = json_string_value(json_object_get(ch, "channel"));
		if (c && !strcmp(c, "truc_tuyen"))
			return true;
		if (c && !strcmp(c, "tat_ca"))
			all = true;
	}
	return all && json_is_true(json_object_get(proc, "online_submission"));
}

int catalog_procedure_get(struct db *db, const char *code, json_t **out,
			  struct buf *err)
{
	struct db_stmt *s;
	json_t *p = NULL;
	int rc = db_prepare_cached(
		db,
		"SELECT code, name, field, levels, commune_level,"
		" commune_list_2026, issuing_body, decision_no, procedure_type,"
		" implementing_agency, competent_authority, target,"
		" receiving_address, online_submission, steps, conditions,"
		" legal_basis, results, source_url, detail_status"
		" FROM procedures WHERE code = ?",
		&s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_done(s);
		return rc < 0 ? rc : notfound(err, "procedure", code);
	}
	p = json_object();
	static const struct { const char *key; int col; } texts[] = {
		{ "code", 0 }, { "name", 1 }, { "field", 2 }, { "levels", 3 },
		{ "issuing_body", 6 }, { "decision_no", 7 },
		{ "procedure_type", 8 }, { "implementing_agency", 9 },
		{ "competent_authority", 10 }, { "target", 11 },
		{ "receiving_address", 12 }, { "source_url", 18 },
		{ "detail_status", 19 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		json_object_set_new(p, texts[i].key, col_str(s, texts[i].col));
	json_object_set_new(p, "level_list",
			    split_on(db_column_text(s, 3), ','));
	json_object_set_new(p, "commune_level",
			    json_boolean(db_column_int64(s, 4)));
	json_object_set_new(p, "commune_list_2026",
			    json_boolean(db_column_int64(s, 5)));
	json_object_set_new(p, "online_submission", col_bool_or_null(s, 13));
	json_object_set_new(p, "steps", lines(db_column_text(s, 14)));
	json_object_set_new(p, "conditions", lines(db_column_text(s, 15)));
	json_object_set_new(p, "legal_basis",
			    split_on(db_column_text(s, 16), ';'));
	json_t *results = json_loads(db_column_text(s, 17), 0, NULL);
	json_object_set_new(p, "results",
			    json_is_array(results) ? results : json_array());
	if (results && !json_is_array(results))
		json_decref(results);
	json_object_set_new(p, "has_detail", json_boolean(
				    !strcmp(db_column_text(s, 19), "ok")));
	db_done(s);
	rc = add_channels(db, code, p, err);
	if (!rc)
		rc = add_components(db, code, p, err);
	if (rc) {
		json_decref(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* ---- the search index, shared by the process ------------------------------ */

/* One built index with the data a result item shows, by entry id. */
struct cache {
	struct search_index *ix;
	int64_t version;
	size_t n;
	char **code, **name, **field, **levels;
	signed char *commune_level, *online;	/* online: -1 unknown */
};

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache *cache_cur;		/* under cache_lock */
static _Atomic int64_t cache_checked;	/* monotonic second of last check */

static void cache_free(struct cache *c)
{
	if (!c)
		return;
	search_index_free(c->ix);
	for (size_t i = 0; i < c->n; i++) {
		free(c->code[i]);
		free(c->name[i]);
		free(c->field[i]);
		free(c->levels[i]);
	}
	free(c->code);
	free(c->name);
	free(c->field);
	free(c->levels);
	free(c->commune_level);
	free(c->online);
	free(c);
}

void catalog_cache_reset(void)
{
	pthread_rwlock_wrlock(&cache_lock);
	struct cache *old = cache_cur;
	cache_cur = NULL;
	pthread_rwlock_unlock(&cache_lock);
	atomic_store(&cache_checked, 0);
	cache_free(old);
}

int catalog_version(struct db *db, int64_t *out, struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db, "SELECT value FROM catalog_meta"
				   " WHERE name = 'catalog_version'", &s, err);
	if (rc)
		return rc;
	rc = db_step(s);
	*out = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_done(s);
	return rc < 0 ? rc : 0;
}

static int cache_build(struct db *db, int64_t version, struct cache **out,
		       struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare(db,
			    "SELECT code, name, field, levels, commune_level,"
			    " online_submission FROM procedures"
			    " ORDER BY name_key, code",
			    &s, err);
	if (rc)
		return rc;
	struct cache *c = xcalloc(1, sizeof(*c));
	size_t alloc = 0;
	c->ix = search_index_new();
	c->version = version;
	while ((rc = db_step(s)) == DB_ROW) {
		if (c->n == alloc) {
			alloc = alloc ? 2 * alloc : 4096;
			c->code = xrealloc(c->code, alloc * sizeof(char *));
			c->name = xrealloc(c->name, alloc * sizeof(char *));
			c->field = xrealloc(c->field, alloc * sizeof(char *));
			c->levels = xrealloc(c->levels, alloc * sizeof(char *));
			c->commune_level = xrealloc(c->commune_level, alloc);
			c->online = xrealloc(c->online, alloc);
		}
		size_t i = c->n++;
		c->code[i] = xstrdup(db_column_text(s, 0));
		c->name[i] = xstrdup(db_column_text(s, 1));
		c->field[i] = xstrdup(db_column_text(s, 2));
		c->levels[i] = xstrdup(db_column_text(s, 3));
		c->commune_level[i] = (signed char)(db_column_int64(s, 4) != 0);
		c->online[i] = db_column_is_null(s, 5) ? -1 :
			(signed char)(db_column_int64(s, 5) != 0);
		rc = search_index_add(c->ix, (uint32_t)i, c->code[i], c->name[i],
				      err);
		if (rc)
			break;
	}
	db_finalize(s);
	if (rc < 0) {
		cache_free(c);
		return rc;
	}
	search_index_build(c->ix);
	*out = c;
	return 0;
}

static int64_t now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/*
 * Makes sure the cache exists and is current (version checked at most
 * once a second), then returns with cache_lock held for reading.
 */
static int cache_acquire(struct db *db, struct buf *err)
{
	int64_t now = now_seconds(), checked = atomic_load(&cache_checked);
	bool check = now != checked;
	int rc = 0;

	pthread_rwlock_rdlock(&cache_lock);
	if (cache_cur && !check)
		return 0;
	int64_t have = cache_cur ? cache_cur->version : -1;
	pthread_rwlock_unlock(&cache_lock);

	int64_t version;
	rc = catalog_version(db, &version, err);
	if (rc)
		return rc;
	atomic_store(&cache_checked, now);
	if (version != have) {
		pthread_mutex_lock(&build_lock);
		/* Another thread may have built it meanwhile. */
		pthread_rwlock_rdlock(&cache_lock);
		bool stale = !cache_cur || cache_cur->version != version;
		pthread_rwlock_unlock(&cache_lock);
		if (stale) {
			struct cache *c = NULL, *old;
			rc = cache_build(db, version, &c, err);
			if (!rc) {
				pthread_rwlock_wrlock(&cache_lock);
				old = cache_cur;
				cache_cur = c;
				pthread_rwlock_unlock(&cache_lock);
				cache_free(old);
			}
		}
		pthread_mutex_unlock(&build_lock);
		if (rc)
			return rc;
	}
	pthread_rwlock_rdlock(&cache_lock);
	if (!cache_cur) {	/* reset between build and here */
		pthread_rwlock_unlock(&cache_lock);
		if (err)
			buf_setf(err, "the search index was dropped; retry");
		return MC_ECONFLICT;
	}
	return 0;
}

struct field_filter {
	const struct cache *c;
	const char *field;
};

static bool keep_field(uint32_t id, void *ctx)
{
	const struct field_filter *f = ctx;
	return !strcmp(f->c->field[id], f->field);
}

int catalog_search(struct db *db, const char *query, const char *field,
		   int page, int per_page, json_t **out, struct buf *err)
{
	struct search_result r = { 0 };
	if (!query)
		query = "";
	if (field && !*field)
		field = NULL;
	if (per_page <= 0)
		per_page = 20;
	if (per_page > 100)
		per_page = 100;
	if (page < 1)
		page = 1;
	int rc = cache_acquire(db, err);
	if (rc)
		return rc;
	const struct cache *c = cache_cur;
	struct field_filter ff = { c, field };
	rc = search_run(c->ix, query, field ? keep_field : NULL, &ff,
			(size_t)(page - 1) * (size_t)per_page, (size_t)per_page,
			&r, err);
	if (!rc) {
		json_t *items = json_array();
		for (size_t i = 0; i < r.n_ids; i++) {
			uint32_t id = r.ids[i];
			json_array_append_new(items, json_pack(
				"{s:s, s:s, s:s, s:s, s:b, s:o}",
				"code", c->code[id], "name", c->name[id],
				"field", c->field[id], "levels", c->levels[id],
				"commune_level", (int)c->commune_level[id],
				"online_submission", c->online[id] < 0 ?
					json_null() : json_boolean(c->online[id])));
		}
		size_t pages = (r.total + (size_t)per_page - 1) / (size_t)per_page;
		*out = json_pack("{s:s, s:o, s:o, s:I, s:i, s:i, s:I}",
				 "query", query,
				 "field", field ? json_string(field) : json_null(),
				 "items", items, "total", (json_int_t)r.total,
				 "page", page, "per_page", per_page,
				 "pages", (json_int_t)pages);
	}
	pthread_rwlock_unlock(&cache_lock);
	free(r.ids);
	return rc;
}

/* ---- fields ------------------------------------------------------------------ */

int catalog_fields(struct db *db, json_t **out, struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(
		db,
		"SELECT f.name, COUNT(p.code), SUM(p.commune_desk)"
		" FROM fields f JOIN procedures p ON p.field = f.name"
		" GROUP BY f.name, f.name_key ORDER BY f.name_key, f.name",
		&s, err);
	if (rc)
		return rc;
	json_t *a = json_array();
	int64_t total = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		json_array_append_new(a, json_pack(
			"{s:o, s:I, s:I}", "name", col_str(s, 0),
			"count", (json_int_t)db_column_int64(s, 1),
			"commune_count", (json_int_t)db_column_int64(s, 2)));
		total += db_column_int64(s, 1);
	}
	db_done(s);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = json_pack("{s:o, s:I}", "fields", a, "total", (json_int_t)total);
	return 0;
}

/* ---- units ------------------------------------------------------------------- */

#define UNIT_COLS "code, name, full_name, type, parent_code, level"

static json_t *unit_ref(struct db_stmt *s)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:s}", "code", col_str(s, 0),
			 "name", col_str(s, 1), "full_name", col_str(s, 2),
			 "type", col_str(s, 3), "era", "2025");
}

/* The 2025 unit `code` into *out (unit ref), its parent code into parent. */
static int unit_load(struct db *db, const char *code, json_t **out,
		     struct buf *parent, struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db, "SELECT " UNIT_COLS " FROM units"
				   " WHERE era = '2025' AND code = ?", &s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*out = unit_ref(s);
		if (parent)
			buf_adds(parent, db_column_text(s, 4));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = notfound(err, "unit", code);
	}
	db_done(s);
	return rc;
}

int catalog_units_list(struct db *db, const char *parent_code, json_t **out,
		       struct buf *err)
{
	struct db_stmt *s;
	int rc;
	if (parent_code && *parent_code) {
		rc = db_prepare_cached(db, "SELECT " UNIT_COLS " FROM units"
				       " WHERE era = '2025' AND parent_code = ?"
				       " ORDER BY name_key, code", &s, err);
		if (!rc)
			db_bind_text(s, 1, parent_code, -1);
	} else {
		rc = db_prepare_cached(db, "SELECT " UNIT_COLS " FROM units"
				       " WHERE era = '2025' AND level = 1"
				       " ORDER BY name_key, code", &s, err);
	}
	if (rc)
		return rc;
	json_t *a = json_array();
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(a, unit_ref(s));
	db_done(s);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = json_pack("{s:o, s:I}", "items", a,
			 "total", (json_int_t)json_array_size(a));
	return 0;
}

/* The desk of a unit ("desk" shape) and its id; *desk NULL when none. */
static int desk_load(struct db *db, const char *code, json_t **desk,
		     int64_t *id, struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db, "SELECT id, name, agency_code,"
				   " office_hours, cutoff FROM desks"
				   " WHERE unit_code = ?", &s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	*desk = NULL;
	rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		*desk = json_pack("{s:I, s:o, s:o, s:o, s:o}",
				  "id", (json_int_t)*id, "name", col_str(s, 1),
				  "agency_code", col_str_or_null(s, 2),
				  "office_hours", col_str_or_null(s, 3),
				  "cutoff", col_str_or_null(s, 4));
	}
	db_done(s);
	return rc < 0 ? rc : 0;
}

/*
 * The procedures of a desk grouped by field into "fields"; with_times adds
 * time_text, fee_text and online_submission (the board). Sets n_procedures.
 */
static int desk_fields(struct db *db, int64_t desk_id, bool with_times,
		       json_t *model, struct buf *err)
{
	struct db_stmt *s;
	int rc;
	if (with_times)
		rc = db_prepare_cached(
			db,
			"SELECT p.field, p.code, p.name,"
			" (SELECT c.time_text FROM procedure_channels c"
			"  WHERE c.code = p.code ORDER BY c.seq LIMIT 1),"
			" (SELECT c.fee_text FROM procedure_channels c"
			"  WHERE c.code = p.code ORDER BY c.seq LIMIT 1),"
			" p.online_submission"
			" FROM desk_procedures dp"
			" JOIN procedures p ON p.code = dp.procedure_code"
			" JOIN fields f ON f.name = p.field"
			" WHERE dp.desk_id = ?"
			" ORDER BY f.name_key, f.name, p.name_key, p.code",
			&s, err);
	else
		rc = db_prepare_cached(
			db,
			"SELECT p.field, p.code, p.name"
			" FROM desk_procedures dp"
			" JOIN procedures p ON p.code = dp.procedure_code"
			" JOIN fields f ON f.name = p.field"
			" WHERE dp.desk_id = ?"
			" ORDER BY f.name_key, f.name, p.name_key, p.code",
			&s, err);
	if (rc)
		return rc;
	db_bind_int64(s, 1, desk_id);
	json_t *fields = json_array(), *procs = NULL, *cur = NULL;
	struct buf last = BUF_INIT;
	int n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *f = db_column_text(s, 0);
		if (!procs || strcmp(f, last.ptr)) {
			procs = json_array();
			cur = json_pack("{s:s, s:i, s:o}", "name", f, "count", 0,
					"procedures", procs);
			json_array_append_new(fields, cur);
			buf_reset(&last);
			buf_adds(&last, f);
		}
		json_t *p = json_pack("{s:o, s:o}", "code", col_str(s, 1),
				      "name", col_str(s, 2));
		if (with_times) {
			json_object_set_new(p, "time_text", col_str(s, 3));
			json_object_set_new(p, "fee_text", col_str(s, 4));
			json_object_set_new(p, "online_submission",
					    col_bool_or_null(s, 5));
		}
		json_array_append_new(procs, p);
		json_object_set_new(cur, "count",
				    json_integer((json_int_t)json_array_size(procs)));
		n++;
	}
	db_done(s);
	buf_release(&last);
	json_object_set_new(model, "fields", fields);
	json_object_set_new(model, "n_procedures", json_integer(n));
	return rc < 0 ? rc : 0;
}

static int add_merged_from(struct db *db, const char *code, json_t *u,
			   struct buf *err)
{
	struct db_stmt *s;
	int rc = db_prepare_cached(db, "SELECT old_code, old_name,"
				   " old_district_code, old_province_code,"
				   " relation FROM unit_merges WHERE new_code = ?"
				   " ORDER BY seq", &s, err);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	json_t *a = json_array();
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(a, json_pack(
			"{s:o, s:o, s:o, s:o, s:o}", "code", col_str(s, 0),
			"name", col_str(s, 1), "district_code", col_str(s, 2),
			"province_code", col_str(s, 3),
			"relation", col_str(s, 4)));
	db_done(s);
	json_object_set_new(u, "merged_from", a);
	return rc < 0 ? rc : 0;
}

int catalog_unit_get(struct db *db, const char *code, json_t **out,
		     struct buf *err)
{
	json_t *u = NULL, *parent = NULL, *desk = NULL, *children = NULL;
	struct buf pcode = BUF_INIT;
	int64_t desk_id = 0;
	int rc = unit_load(db, code, &u, &pcode, err);
	if (rc)
		goto out;
	if (pcode.len && (rc = unit_load(db, pcode.ptr, &parent, NULL, err)))
		goto out;
	json_object_set_new(u, "parent", parent ? parent : json_null());
	if ((rc = catalog_units_list(db, code, &children, err)))
		goto out;
	json_object_set(u, "children", json_object_get(children, "items"));
	if ((rc = add_merged_from(db, code, u, err)))
		goto out;
	if ((rc = desk_load(db, code, &desk, &desk_id, err)))
		goto out;
	json_object_set_new(u, "desk", desk ? desk : json_null());
	if (desk)
		rc = desk_fields(db, desk_id, false, u, err);
	else {
		json_object_set_new(u, "fields", json_array());
		json_object_set_new(u, "n_procedures", json_integer(0));
	}
out:
	json_decref(children);
	buf_release(&pcode);
	if (rc) {
		json_decref(u);
		return rc;
	}
	*out = u;
	return 0;
}

int catalog_unit_board(struct db *db, const char *code, json_t **out,
		       struct buf *err)
{
	json_t *u = NULL, *parent = NULL, *desk = NULL, *board = NULL;
	struct buf pcode = BUF_INIT;
	int64_t desk_id = 0;
	int rc = unit_load(db, code, &u, &pcode, err);
	if (rc)
		goto out;
	if (pcode.len && (rc = unit_load(db, pcode.ptr, &parent, NULL, err)))
		goto out;
	json_object_set_new(u, "parent", parent ? parent : json_null());
	if ((rc = desk_load(db, code, &desk, &desk_id, err)))
		goto out;
	if (!desk) {
		rc = notfound(err, "desk for unit", code);
		goto out;
	}
	board = json_pack("{s:O, s:o}", "unit", u, "desk", desk);
	rc = desk_fields(db, desk_id, true, board, err);
out:
	json_decref(u);
	buf_release(&pcode);
	if (rc) {
		json_decref(board);
		return rc;
	}
	*out = board;
	return 0;
}
