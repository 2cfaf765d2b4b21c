/*
 * h_public.c - the public pages a citizen reaches from a QR board: home,
 * search, procedure, short URL, unit, the QR board itself and single QR
 * images, each with its JSON twin under /api/v1/. Models come from
 * store/catalog.h as they are; for browsers only, a few view helpers are
 * added (links, flags for optional text, display strings, inline QR SVG),
 * so the API stays the plain catalog shape. Never writes HTML by hand
 * except the QR <svg> that render/qr.c builds.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/qr.h"
#include "store/catalog.h"
#include "store/version_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/respond.h"

#define PER_PAGE 20
#define MAX_CODE_LEN 40

/* ---- small helpers ------------------------------------------------------ */

/* Appends s percent-encoded for a query value (RFC 3986 unreserved kept). */
static void add_urlenc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~') {
			buf_addch(b, *p);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[*p >> 4]);
			buf_addch(b, hex[*p & 15]);
		}
	}
}

/* "/thu-tuc?q=..&linh-vuc=..&trang=N" with the non-empty parts. */
static json_t *search_href(const char *q, const char *field, int page)
{
	struct buf b = BUF_INIT;
	char sep = '?';
	buf_adds(&b, "/thu-tuc");
	if (q && *q) {
		buf_addf(&b, "%cq=", sep);
		add_urlenc(&b, q);
		sep = '&';
	}
	if (field && *field) {
		buf_addf(&b, "%clinh-vuc=", sep);
		add_urlenc(&b, field);
		sep = '&';
	}
	if (page > 1)
		buf_addf(&b, "%ctrang=%d", sep, page);
	json_t *s = json_stringn(b.ptr, b.len);
	buf_release(&b);
	return s;
}

/* Sets o[flag] = true/false: whether o[key] is a non-empty string/array. */
static void flag_nonempty(json_t *o, const char *flag, const char *key)
{
	json_t *v = json_object_get(o, key);
	bool on = (json_is_string(v) && json_string_length(v) > 0) ||
		  (json_is_array(v) && json_array_size(v) > 0);
	json_object_set_new(o, flag, json_boolean(on));
}

/* "1.000894": the characters a procedure or unit code may hold. */
static bool code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n == 0 || n > MAX_CODE_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && code[i] != '.' &&
		    code[i] != '-' && code[i] != '_')
			return false;
	return true;
}

/* PUBLIC_URL/t/{code}: what the QR codes carry. */
static char *short_url(struct http_request *req, const char *code)
{
	return arena_printf(req->arena, "%s/t/%s", req->app->public_url, code);
}

/* 50000 -> "50.000 đồng" (Vietnamese digit grouping). */
static json_t *dong_text(json_int_t v)
{
	char digits[32], out[64];
	int n = snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT,
			 v < 0 ? -v : v);
	size_t o = 0;
	if (v < 0)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = '.';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s đồng", out);
	json_t *s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

/* ---- caches --------------------------------------------------------------
 *
 * The catalog changes only through an import, which bumps the catalog
 * version (store/catalog.h). So the field list (the search box on every
 * page, a GROUP BY over the catalog) and whole rendered pages of
 * procedures, units and boards are kept in the process and dropped when
 * the version changes; the version is read at most once a second, so a
 * page may lag an import by a second. Pages are capped at
 * PAGE_CACHE_MAX_BYTES (the whole cache is dropped when full). Only 200
 * answers are kept. Everything here is under one rwlock.
 */
#define PAGE_CACHE_MAX_BYTES (8u << 20)
#define PAGE_BUCKETS 1024

struct page {
	struct page *next;
	char *key;
	char *body;
	size_t len;
	char *content_type;
};

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static int64_t cache_version = -1;	/* catalog version of the contents */
static int64_t cache_checked_s = -1;	/* monotonic second of the last check */
static json_t *fields_cache;		/* catalog_fields() model */
static struct page *page_table[PAGE_BUCKETS];
static size_t pages_bytes;

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static uint32_t key_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Frees every page; call with the write lock held. */
static void pages_flush(void)
{
	for (size_t i = 0; i < PAGE_BUCKETS; i++) {
		struct page *p = page_table[i], *next;
		for (; p; p = next) {
			next = p->next;
			free(p->key);
			free(p->body);
			free(p->content_type);
			free(p);
		}
		page_table[i] = NULL;
	}
	pages_bytes = 0;
}

/*
 * Drops the caches when the catalog version changed; reads the version at
 * most once a second. A failure to read it keeps the caches as they are.
 */
static void cache_sync(struct db *db)
{
	int64_t now = mono_s();
	pthread_rwlock_rdlock(&cache_lock);
	bool fresh = cache_checked_s == now;
	pthread_rwlock_unlock(&cache_lock);
	if (fresh)
		return;
	int64_t v;
	struct buf err = BUF_INIT;
	int rc = catalog_version(db, &v, &err);
	buf_release(&err);
	pthread_rwlock_wrlock(&cache_lock);
	cache_checked_s = now;
	if (!rc && v != cache_version) {
		pages_flush();
		json_decref(fields_cache);
		fields_cache = NULL;
		cache_version = v;
	}
	pthread_rwlock_unlock(&cache_lock);
}

/* The catalog's fields model (a new reference; the caller decrefs it and
 * must not change it). */
static int fields_get(struct db *db, json_t **out, struct buf *err)
{
	cache_sync(db);
	pthread_rwlock_rdlock(&cache_lock);
	json_t *f = json_incref(fields_cache);
	pthread_rwlock_unlock(&cache_lock);
	if (!f) {
		int rc = catalog_fields(db, &f, err);
		if (rc)
			return rc;
		pthread_rwlock_wrlock(&cache_lock);
		if (!fields_cache)
			fields_cache = json_incref(f);
		pthread_rwlock_unlock(&cache_lock);
	}
	*out = f;
	return 0;
}

/* The cache key of this request's page: JSON or HTML, path, `extra`. */
static char *page_key(struct http_request *req, const char *extra)
{
	return arena_printf(req->arena, "%c%s|%s", req->want_json ? 'J' : 'H',
			    req->path, extra ? extra : "");
}

/* The cached page under `key`, or NULL; call with the lock held. */
static struct page *page_find(const char *key)
{
	for (struct page *p = page_table[key_hash(key) % PAGE_BUCKETS]; p;
	     p = p->next)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

/* Keeps a copy of body[0..len) under `key` (a new entry). */
static void page_put(const char *key, const char *body, size_t len,
		     const char *content_type)
{
	struct page *p = xcalloc(1, sizeof(*p));
	p->key = xstrdup(key);
	p->body = xmalloc(len + 1);
	memcpy(p->body, body, len);
	p->body[len] = '\0';
	p->len = len;
	p->content_type = xstrdup(content_type);
	uint32_t b = key_hash(key) % PAGE_BUCKETS;
	pthread_rwlock_wrlock(&cache_lock);
	if (page_find(key)) {	/* another thread was first */
		pthread_rwlock_unlock(&cache_lock);
		free(p->key);
		free(p->body);
		free(p->content_type);
		free(p);
		return;
	}
	if (pages_bytes + len > PAGE_CACHE_MAX_BYTES)
		pages_flush();
	p->next = page_table[b];
	page_table[b] = p;
	pages_bytes += len;
	pthread_rwlock_unlock(&cache_lock);
}

/*
 * Answers from the page cache when `key` is there (after cache_sync()).
 * Returns true when it answered.
 */
static bool page_hit(struct http_request *req, struct http_response *res,
		     struct db *db, const char *key, long max_age_s)
{
	cache_sync(db);
	pthread_rwlock_rdlock(&cache_lock);
	struct page *p = page_find(key);
	if (p)
		respond_bytes(req, res, 200,
			      arena_strdup(req->arena, p->content_type),
			      p->body, p->len);
	pthread_rwlock_unlock(&cache_lock);
	if (p)
		respond_cache(req, res, max_age_s);
	return p != NULL;
}

/*
 * Renders the pending view of `res` now and keeps the page under `key`.
 * The router's respond_finish() then only adds its headers: ours are
 * cleared here and the cache header set again.
 */
static void page_store(struct http_request *req, struct http_response *res,
		       const char *key, long max_age_s)
{
	respond_finish(req, res);
	res->n_headers = 0;
	respond_cache(req, res, max_age_s);
	if (res->status != 200 || res->body.failed)
		return;
	page_put(key, res->body.ptr, res->body.len,
		 res->content_type ? res->content_type
				   : "text/html; charset=utf-8");
}

/*
 * The <option> elements of the field select, `field` selected (NULL or
 * "": none), built here with every value HTML-escaped (so the template may
 * write them raw) and cached per selected field. The result lives in the
 * request's arena.
 */
static int field_options(struct http_request *req, struct db *db,
			 const char *field, const char **out, struct buf *err)
{
	const char *key = arena_printf(req->arena, "O|%s", field ? field : "");
	cache_sync(db);
	pthread_rwlock_rdlock(&cache_lock);
	struct page *hit = page_find(key);
	if (hit)
		*out = arena_strndup(req->arena, hit->body, hit->len);
	pthread_rwlock_unlock(&cache_lock);
	if (hit)
		return 0;

	json_t *fields = NULL;
	int rc = fields_get(db, &fields, err);
	if (rc)
		return rc;
	struct buf b = BUF_INIT;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(fields, "fields"), i, f) {
		const char *name = json_str(f, "name");
		/* No value attribute: an option's value is its text (HTML
		 * Living Standard §4.10.10), which halves the list. */
		buf_adds(&b, field && !strcmp(field, name) ? "<option selected>"
							   : "<option>");
		buf_add_html(&b, name, strlen(name));
		buf_adds(&b, "</option>");
	}
	json_decref(fields);
	page_put(key, b.ptr, b.len, "");
	*out = arena_strndup(req->arena, b.ptr, b.len);
	buf_release(&b);
	return 0;
}

/* Adds the search box {query, options_html} to an HTML model. */
static int add_search_form(struct http_request *req, struct db *db,
			   json_t *model, const char *q, const char *field,
			   struct buf *err)
{
	const char *options;
	int rc = field_options(req, db, field, &options, err);
	if (rc)
		return rc;
	/* The options are valid UTF-8 (catalog text): skip jansson's check
	 * of these ~8 KB on every page. */
	json_object_set_new(model, "search",
			    json_pack("{s:s, s:o}", "query", q ? q : "",
				      "options_html",
				      json_string_nocheck(options)));
	return 0;
}

/*
 * Answers 404 for an unknown code: a JSON error for the API, else the
 * not_found page with the message and the search box.
 */
static int not_found(struct http_request *req, struct http_response *res,
		     const char *message)
{
	if (req->want_json)
		return respond_error(req, res, 404, "not_found", message);
	json_t *model = json_pack("{s:s, s:{s:s, s:s, s:i}}",
				  "title", "Không tìm thấy",
				  "error", "code", "not_found", "message",
				  message, "status", 404);
	struct db *db;
	struct buf err = BUF_INIT;
	if (!app_db(req, &db))
		(void)add_search_form(req, db, model, "", NULL, &err);
	buf_release(&err);
	return respond_view(req, res, 404, "not_found", model);
}

/* Logs nothing itself: the router maps the code to a page and logs 5xx. */
static int fail(int rc, struct buf *err)
{
	buf_release(err);
	return rc;
}

/* ---- home and search ---------------------------------------------------- */

int handle_home(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *key = page_key(req, NULL);
	if (page_hit(req, res, db, key, 300))
		return 0;
	json_t *fields;
	rc = fields_get(db, &fields, &err);
	if (rc)
		return fail(rc, &err);
	model = json_deep_copy(fields);	/* the cached one is shared */
	json_decref(fields);
	json_object_set_new(model, "title",
			    json_string("Tra cứu thủ tục hành chính"));
	if (!req->want_json) {
		size_t i;
		json_t *f;
		json_array_foreach(json_object_get(model, "fields"), i, f)
			json_object_set_new(f, "href",
					    search_href(NULL, json_str(f, "name"), 1));
		rc = add_search_form(req, db, model, "", NULL, &err);
		if (rc) {
			json_decref(model);
			return fail(rc, &err);
		}
	}
	buf_release(&err);
	respond_view(req, res, 200, "home", model);
	page_store(req, res, key, 300);
	return 0;
}

/* A positive page number from the query, 1 when absent or bad. */
static int query_page(struct http_request *req)
{
	const char *s = http_query(req, "trang");
	if (!s)
		s = http_query(req, "page");
	if (!s || !*s)
		return 1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 100000)
		return 1;
	return (int)v;
}

static void add_pager(json_t *model, const char *q, const char *field)
{
	int page = (int)json_integer_value(json_object_get(model, "page"));
	int pages = (int)json_integer_value(json_object_get(model, "pages"));
	int per = (int)json_integer_value(json_object_get(model, "per_page"));
	size_t n = json_array_size(json_object_get(model, "items"));
	json_object_set_new(model, "has_items", json_boolean(n > 0));
	json_object_set_new(model, "from", json_integer((json_int_t)(page - 1) * per + 1));
	json_object_set_new(model, "to", json_integer((json_int_t)(page - 1) * per + (json_int_t)n));
	if (pages <= 1)
		return;
	json_t *pager = json_pack("{s:i, s:i}", "page", page, "pages", pages);
	if (page > 1)
		json_object_set_new(pager, "prev",
				    json_pack("{s:o}", "href",
					      search_href(q, field, page - 1)));
	if (page < pages)
		json_object_set_new(pager, "next",
				    json_pack("{s:o}", "href",
					      search_href(q, field, page + 1)));
	json_object_set_new(model, "pager", pager);
}

int handle_search(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	const char *q = http_query(req, "q");
	const char *field = http_query(req, "linh-vuc");
	int per_page = PER_PAGE;
	if (!field)
		field = http_query(req, "field");
	if (req->want_json && http_query(req, "per_page")) {
		per_page = (int)strtol(http_query(req, "per_page"), NULL, 10);
		if (per_page < 1 || per_page > 100)
			per_page = PER_PAGE;
	}
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = catalog_search(db, q ? q : "", field && *field ? field : NULL,
			    query_page(req), per_page, &model, &err);
	if (rc == MC_EINVALID) {
		buf_release(&err);
		return respond_error(req, res, 400, "bad_query",
				     "Từ khóa tìm kiếm không hợp lệ.");
	}
	if (rc)
		return fail(rc, &err);
	json_object_set_new(model, "title",
			    json_string(q && *q ? "Kết quả tìm kiếm thủ tục"
						: "Danh sách thủ tục"));
	if (!req->want_json) {
		json_object_set_new(model, "has_query", json_boolean(q && *q));
		json_object_set_new(model, "has_field",
				    json_boolean(field && *field));
		add_pager(model, q, field);
		rc = add_search_form(req, db, model, q, field, &err);
		if (rc) {
			json_decref(model);
			return fail(rc, &err);
		}
	}
	buf_release(&err);
	return respond_view(req, res, 200, "search", model);
}

/* ---- procedure ---------------------------------------------------------- */

/* Display strings of one channel (HTML only); see the honesty rule in
 * procedure.mustache: unparsed times and fees are shown as published. */
static void channel_view(json_t *ch)
{
	json_t *dur = json_object_get(ch, "duration");
	const char *time_text = json_str(ch, "time_text");
	if (json_is_object(dur) && *json_str(dur, "text")) {
		json_object_set_new(ch, "time_display",
				    json_string(json_str(dur, "text")));
	} else {
		json_object_set_new(ch, "time_display",
				    json_string(*time_text ? time_text
							   : "Không có thông tin"));
		json_object_set_new(ch, "time_raw", json_boolean(*time_text));
	}
	json_t *dong = json_object_get(ch, "fee_dong");
	const char *fee_text = json_str(ch, "fee_text");
	if (json_is_integer(dong)) {
		json_int_t v = json_integer_value(dong);
		json_object_set_new(ch, "fee_display",
				    v == 0 ? json_string("Miễn phí")
					   : dong_text(v));
	} else {
		json_object_set_new(ch, "fee_display",
				    json_string(*fee_text ? fee_text
							  : "Không có thông tin"));
		json_object_set_new(ch, "fee_raw", json_boolean(*fee_text));
	}
	flag_nonempty(ch, "has_note", "note");
}

static void procedure_view(struct http_request *req, json_t *p)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p, "channels"), i, v)
		channel_view(v);
	json_array_foreach(json_object_get(p, "component_groups"), i, v)
		flag_nonempty(v, "has_group", "group");
	flag_nonempty(p, "has_channels", "channels");
	flag_nonempty(p, "has_agency", "implementing_agency");
	flag_nonempty(p, "has_levels", "levels");
	flag_nonempty(p, "has_target", "target");
	flag_nonempty(p, "has_steps", "steps");
	flag_nonempty(p, "has_conditions", "conditions");
	flag_nonempty(p, "has_results", "results");
	flag_nonempty(p, "has_legal", "legal_basis");
	flag_nonempty(p, "has_source", "source_url");
	flag_nonempty(p, "has_decision", "decision_no");
	json_object_set_new(p, "field_href",
			    search_href(NULL, json_str(p, "field"), 1));
	if (catalog_offered_online(p))
		json_object_set_new(p, "online_href",
				    json_sprintf("/nop-truc-tuyen/%s",
						 json_str(p, "code")));
}

/* ---- versions (engineer "versions"; store/version_repo.h) -------------- */

/* Today's civil day in Vietnam (UTC+7). */
static int32_t today_day(void)
{
	return mctime_local_day((mc_time)time(NULL));
}

/* "2026-03-01" -> "01/03/2026". */
static json_t *day_vi(const char *iso)
{
	if (!iso || strlen(iso) != 10)
		return json_string(iso ? iso : "");
	char s[11] = { iso[8], iso[9], '/', iso[5], iso[6], '/', iso[0],
		       iso[1], iso[2], iso[3], 0 };
	return json_string(s);
}

/*
 * HTML helpers for the version in force and the history (model
 * "versions": version_public()): per channel committed_display and
 * legal_display, per component dropped/replaced with reason and basis,
 * per history entry its dates and scope in words.
 */
static void versions_view(json_t *p)
{
	json_t *vs = json_object_get(p, "versions");
	json_t *cur = json_object_get(vs, "current");
	size_t i, j;
	json_t *v, *g, *it;
	json_object_set_new(p, "has_unit",
			    json_boolean(json_is_object(json_object_get(vs, "unit"))));
	if (json_is_object(cur)) {
		json_t *vch = json_object_get(cur, "channels");
		json_array_foreach(json_object_get(p, "channels"), i, v) {
			json_t *c = json_array_get(vch, i);
			json_t *cm = json_object_get(c, "committed");
			json_t *lg = json_object_get(c, "legal");
			if (json_is_object(cm)) {
				json_object_set_new(v, "committed_display",
						    json_string(json_str(cm, "text")));
				json_object_set_new(v, "legal_display", json_string(
					json_is_object(lg) ? json_str(lg, "text")
							   : json_str(c, "legal_text")));
			}
			if (c && strcmp(json_str(c, "fee_text"), json_str(v, "fee_text"))) {
				json_t *d = json_object_get(c, "fee_dong");
				json_object_set_new(v, "fee_display",
						    json_is_integer(d)
							    ? (json_integer_value(d) == 0
								       ? json_string("Miễn phí")
								       : dong_text(json_integer_value(d)))
							    : json_string(json_str(c, "fee_text")));
				json_object_set_new(v, "fee_raw", json_false());
			}
		}
		json_t *by_seq = json_object();
		json_array_foreach(json_object_get(cur, "components"), i, v) {
			char k[24];
			snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(
					 json_object_get(v, "base_seq")));
			json_object_set(by_seq, k, v);
		}
		json_array_foreach(json_object_get(p, "component_groups"), i, g)
			json_array_foreach(json_object_get(g, "items"), j, it) {
				char k[24];
				snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(
						 json_object_get(it, "seq")));
				json_t *vc = json_object_get(by_seq, k);
				if (!vc || !strcmp(json_str(vc, "mode"), "required"))
					continue;
				static const char *const keys[] = {
					"dropped", "replaced", "lookup_name",
					"reason", "legal_basis" };
				for (size_t x = 0; x < 5; x++)
					json_object_set(it, keys[x],
							json_object_get(vc, keys[x]));
			}
		json_decref(by_seq);
		json_object_set_new(cur, "effective_vi",
				    day_vi(json_str(cur, "effective_from")));
	}
	json_t *hist = json_object_get(vs, "history");
	json_array_foreach(hist, i, v) {
		json_object_set_new(v, "effective_vi",
				    day_vi(json_str(v, "effective_from")));
		json_object_set_new(v, "scope_label", json_string(
			strcmp(json_str(v, "scope"), "VN") ? "Quyết định của tỉnh"
						       : "Quyết định toàn quốc"));
		json_object_set_new(v, "future", json_boolean(!json_is_true(
					json_object_get(v, "in_force"))));
		json_object_set_new(v, "has_changes", json_boolean(json_array_size(
					json_object_get(v, "changes"))));
	}
	json_object_set_new(p, "has_history", json_boolean(json_array_size(hist)));
}

int handle_procedure(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	const char *code = http_param(req, "code");
	if (!code_ok(code))
		return not_found(req, res,
				 "Mã thủ tục không đúng định dạng.");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	/* The unit context (?don-vi=CODE) and the day select the version in
	 * force: both are part of the cache key. */
	const char *unit = http_query(req, "don-vi");
	if (unit && !*unit)
		unit = NULL;
	if (unit && !code_ok(unit))
		return not_found(req, res, "Mã đơn vị không đúng định dạng.");
	int32_t today = today_day();
	const char *key = page_key(req, arena_printf(req->arena, "%s|%d",
						     unit ? unit : "", (int)today));
	if (page_hit(req, res, db, key, 300))
		return 0;
	rc = catalog_procedure_get(db, code, &model, &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		return not_found(req, res,
				 arena_printf(req->arena,
					      "Không có thủ tục mã %s trong danh mục.",
					      code));
	}
	if (rc)
		return fail(rc, &err);
	json_t *versions = NULL;
	rc = version_public(db, code, unit, today, &versions, &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		json_decref(model);
		return not_found(req, res,
				 arena_printf(req->arena,
					      "Không có đơn vị hành chính mã %s.",
					      unit));
	}
	if (rc) {
		json_decref(model);
		return fail(rc, &err);
	}
	json_object_set_new(model, "versions", versions);
	buf_release(&err);
	json_object_set_new(model, "title", json_string(json_str(model, "name")));
	json_object_set_new(model, "short_url",
			    json_string(short_url(req, json_str(model, "code"))));
	if (!req->want_json) {
		procedure_view(req, model);
		versions_view(model);
	}
	respond_view(req, res, 200, "procedure", model);
	page_store(req, res, key, 300);
	return 0;
}

/*
 * /t/{code}: the short URL a QR code carries. Permanent redirect to the
 * procedure page (which answers 404 for an unknown code); no database.
 */
int handle_short(struct http_request *req, struct http_response *res)
{
	const char *code = http_param(req, "code");
	if (!code_ok(code))
		return not_found(req, res, "Mã thủ tục không đúng định dạng.");
	respond_cache(req, res, 86400);
	return respond_redirect(req, res, 301,
				arena_printf(req->arena, "/thu-tuc/%s", code));
}

/* ---- units and the QR board --------------------------------------------- */

int handle_unit(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	const char *code = http_param(req, "code");
	if (!code_ok(code))
		return not_found(req, res, "Mã đơn vị không đúng định dạng.");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *key = page_key(req, NULL);
	if (page_hit(req, res, db, key, 300))
		return 0;
	rc = catalog_unit_get(db, code, &model, &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		return not_found(req, res,
				 arena_printf(req->arena,
					      "Không có đơn vị hành chính mã %s.",
					      code));
	}
	if (rc)
		return fail(rc, &err);
	buf_release(&err);
	json_object_set_new(model, "title",
			    json_string(json_str(model, "full_name")));
	if (!req->want_json) {
		json_object_set_new(model, "unit_code", json_string(code));
		flag_nonempty(model, "has_merged", "merged_from");
		flag_nonempty(model, "has_children", "children");
		flag_nonempty(model, "has_fields", "fields");
		json_object_set_new(model, "n_children",
				    json_integer((json_int_t)json_array_size(
					    json_object_get(model, "children"))));
	}
	respond_view(req, res, 200, "unit", model);
	page_store(req, res, key, 300);
	return 0;
}

/* Today in Vietnam (UTC+7, no daylight saving), "dd/mm/yyyy". */
static json_t *today_vn(void)
{
	time_t t = time(NULL) + 7 * 3600;
	struct tm tm;
	char s[16];
	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%d/%m/%Y", &tm);
	return json_string(s);
}

/* Adds url, time, fee and (HTML) the inline QR to each board entry. */
static int board_view(struct http_request *req, json_t *model,
		      json_t *committed, struct buf *err)
{
	size_t i, j;
	json_t *f, *p;
	struct buf svg = BUF_INIT;
	int rc = 0;
	const char *unit = json_str(json_object_get(model, "unit"), "code");
	json_array_foreach(json_object_get(model, "fields"), i, f) {
		json_array_foreach(json_object_get(f, "procedures"), j, p) {
			const char *code = json_str(p, "code");
			const char *url = short_url(req, code);
			json_object_set_new(p, "url", json_string(url));
			if (req->want_json)
				continue;
			const char *t = json_str(p, "time_text");
			const char *fee = json_str(p, "fee_text");
			json_object_set_new(p, "href", json_string(arena_printf(
				req->arena, "/thu-tuc/%s?don-vi=%s", code, unit)));
			const char *cm = json_string_value(
				json_object_get(committed, code));
			if (cm)
				json_object_set_new(p, "time", json_string(arena_printf(
					req->arena, "%s (cam kết; luật định %s)",
					cm, *t ? t : "không ghi")));
			else
				json_object_set_new(p, "time", json_string(*t ? t : "Xem chi tiết"));
			json_object_set_new(p, "fee", json_string(*fee ? fee : "Xem chi tiết"));
			buf_reset(&svg);
			rc = qr_svg(url, arena_printf(req->arena,
						      "Mã QR thủ tục %s", code),
				    0, &svg, err);
			if (rc)
				goto out;
			json_object_set_new(p, "qr", json_stringn(svg.ptr, svg.len));
		}
	}
out:
	buf_release(&svg);
	return rc;
}

int handle_board(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	const char *code = http_param(req, "code");
	if (!code_ok(code))
		return not_found(req, res, "Mã đơn vị không đúng định dạng.");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	json_t *date = today_vn();	/* printed on the board: part of the key */
	const char *key = page_key(req, json_string_value(date));
	if (page_hit(req, res, db, key, 300)) {
		json_decref(date);
		return 0;
	}
	rc = catalog_unit_board(db, code, &model, &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		json_decref(date);
		return not_found(req, res,
				 arena_printf(req->arena,
					      "Đơn vị mã %s không có Bộ phận Một cửa hoặc không có trong danh mục.",
					      code));
	}
	if (rc) {
		json_decref(date);
		return fail(rc, &err);
	}
	json_t *committed = NULL;
	rc = version_committed_for_unit(db, code, today_day(), &committed, &err);
	if (rc) {
		json_decref(model);
		json_decref(date);
		return fail(rc, &err);
	}
	if (req->want_json)
		json_object_set(model, "committed", committed);
	rc = board_view(req, model, committed, &err);
	json_decref(committed);
	if (rc) {
		json_decref(model);
		json_decref(date);
		return fail(rc, &err);
	}
	buf_release(&err);
	json_t *unit = json_object_get(model, "unit");
	json_object_set_new(model, "title",
			    json_string(arena_printf(req->arena,
						     "Bảng tra cứu thủ tục bằng mã QR – %s",
						     json_str(unit, "full_name"))));
	json_object_set_new(model, "date", date);
	respond_view(req, res, 200, "board", model);
	page_store(req, res, key, 300);
	return 0;
}

/* ---- single QR images --------------------------------------------------- */

/* Checks that the procedure exists; answers 404 for it when not. */
static int qr_lookup(struct http_request *req, struct http_response *res,
		     const char *code, bool *answered)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *p = NULL;
	*answered = false;
	if (!code_ok(code)) {
		*answered = true;
		return not_found(req, res, "Mã thủ tục không đúng định dạng.");
	}
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = catalog_procedure_get(db, code, &p, &err);
	buf_release(&err);
	json_decref(p);
	if (rc == MC_ENOTFOUND) {
		*answered = true;
		return not_found(req, res,
				 arena_printf(req->arena,
					      "Không có thủ tục mã %s trong danh mục.",
					      code));
	}
	return rc;
}

static int qr_image(struct http_request *req, struct http_response *res,
		    bool png)
{
	const char *code = http_param(req, "code");
	bool answered;
	int rc = qr_lookup(req, res, code, &answered);
	if (rc || answered)
		return rc;
	struct buf img = BUF_INIT, err = BUF_INIT;
	const char *url = short_url(req, code);
	rc = png ? qr_png(url, 8, &img, &err)
		 : qr_svg(url, arena_printf(req->arena, "Mã QR thủ tục %s", code),
			  256, &img, &err);
	if (!rc) {
		respond_cache(req, res, 86400);
		rc = respond_bytes(req, res, 200,
				   png ? "image/png" : "image/svg+xml",
				   img.ptr, img.len);
	}
	buf_release(&img);
	buf_release(&err);
	return rc;
}

int handle_qr_svg(struct http_request *req, struct http_response *res)
{
	return qr_image(req, res, false);
}

int handle_qr_png(struct http_request *req, struct http_response *res)
{
	return qr_image(req, res, true);
}
