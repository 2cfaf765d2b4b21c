/*
 * h_audit.c - the inspector's page of the audit trail (/quan-tri/nhat-ky)
 * and its JSON twin (/api/v1/audit): search by user, unit, object, action
 * and dates (typed and shown in UTC+7, stored in UTC), newest first,
 * paginated, each entry expandable to its before/after (no script). The
 * route declares ACT_AUDIT_READ; the handler also refuses a request without
 * a principal, so the trail is never public, and shows only the units the
 * reader's grants cover (a grant on "VN" sees everything).
 */
#include "web/handlers.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/authz.h"
#include "core/mctime.h"
#include "store/audit.h"
#include "util/err.h"
#include "util/json.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"

#define PER_PAGE_DEFAULT 50
#define PER_PAGE_MAX 200
#define PAGE_MAX 100000
#define FIELD_MAX 100	/* bytes of a text filter */

/* The filters: query names on the page (Vietnamese) and their English
 * aliases (the API documents both; docs/audit.md). */
enum { F_ACTOR, F_UNIT, F_OTYPE, F_OID, F_ACTION, F_FROM, F_TO, F__COUNT };
static const char *const param_vi[F__COUNT] = {
	"nguoi-dung", "don-vi", "doi-tuong", "ma", "hanh-dong", "tu-ngay",
	"den-ngay",
};
static const char *const param_en[F__COUNT] = {
	"actor", "unit", "object_type", "object_id", "action", "from", "to",
};

/* Vietnamese labels of the actions we know; others show as they are. */
static const struct {
	const char *action, *label;
} action_labels[] = {
	{ "login.ok", "Đăng nhập" },
	{ "login.fail", "Đăng nhập thất bại" },
	{ "logout", "Đăng xuất" },
	{ "authz.deny", "Bị từ chối truy cập" },
	{ "personal.view", "Xem dữ liệu cá nhân" },
	{ "user.create", "Tạo tài khoản" },
	{ "user.update", "Sửa tài khoản" },
	{ "user.passwd", "Đổi mật khẩu" },
	{ "user.disable", "Khóa tài khoản" },
	{ "grant.add", "Cấp quyền" },
	{ "grant.remove", "Thu hồi quyền" },
	{ "token.create", "Tạo khóa API" },
	{ "token.revoke", "Thu hồi khóa API" },
	{ "desk.update", "Sửa quầy một cửa" },
	{ "unit.update", "Sửa đơn vị" },
	{ "calendar.import", "Nhập lịch nghỉ" },
	{ "dossier.receive", "Tiếp nhận hồ sơ" },
};

static const char *action_label(const char *a)
{
	for (size_t i = 0; i < sizeof(action_labels) / sizeof(*action_labels);
	     i++)
		if (!strcmp(action_labels[i].action, a))
			return action_labels[i].label;
	return a;
}

/* The query value of filter i (Vietnamese name first), or NULL if empty. */
static const char *param(struct http_request *req, int i)
{
	const char *v = http_query(req, param_vi[i]);
	if (!v || !*v)
		v = http_query(req, param_en[i]);
	return v && *v ? v : NULL;
}

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

/* The page's URL with the same filters and page `page`. */
static json_t *page_href(struct http_request *req, const char *base,
			 int page, int per_page)
{
	struct buf b = BUF_INIT;
	char sep = '?';
	buf_adds(&b, base);
	for (int i = 0; i < F__COUNT; i++) {
		const char *v = param(req, i);
		if (!v)
			continue;
		buf_addf(&b, "%c%s=", sep, param_vi[i]);
		add_urlenc(&b, v);
		sep = '&';
	}
	if (per_page != PER_PAGE_DEFAULT) {
		buf_addf(&b, "%cso-dong=%d", sep, per_page);
		sep = '&';
	}
	if (page > 1)
		buf_addf(&b, "%ctrang=%d", sep, page);
	json_t *s = json_stringn(b.ptr, b.len);
	buf_release(&b);
	return s;
}

/* A number from 1 to max from the query (Vietnamese or English name). */
static int query_int(struct http_request *req, const char *vi, const char *en,
		     int dflt, int max, int *out)
{
	const char *s = http_query(req, vi);
	if (!s || !*s)
		s = http_query(req, en);
	*out = dflt;
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > max)
		return MC_EINVALID;
	*out = (int)v;
	return 0;
}

/* A local date or date-time; a bare date as the end means the whole day. */
static int parse_when(const char *s, bool end, mc_time *t)
{
	struct buf err = BUF_INIT;
	int rc = mctime_parse(s, t, &err);
	if (!rc && end && strlen(s) == 10)
		*t += MC_DAY_SECONDS;
	buf_release(&err);
	return rc;
}

/*
 * The reader's scope from the grants that allow ACT_AUDIT_READ: NULL
 * (everything) with a grant on "VN", else their units. MC_EFORBIDDEN when
 * there is no principal or no such grant.
 */
static int reader_scope(const struct http_request *req, const char **units,
			int *n, bool *all)
{
	*n = 0;
	*all = false;
	if (!req->auth)
		return MC_EFORBIDDEN;
	const struct principal *p = &req->auth->p;
	for (int i = 0; i < p->n_grants && i < AUTHZ_MAX_GRANTS; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_AUDIT_READ))
			continue;
		if (!strcmp(g->unit, AUTHZ_UNIT_COUNTRY))
			*all = true;
		else
			units[(*n)++] = g->unit;
	}
	return *all || *n ? 0 : MC_EFORBIDDEN;
}

/* A JSON value as text for the page: strings bare, others compact. */
static json_t *value_text(json_t *v)
{
	if (!v || json_is_null(v))
		return json_string("");
	if (json_is_string(v))
		return json_incref(v);
	char *s = json_text(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_t *t = json_string(s ? s : "");
	free(s);
	return t;
}

/*
 * The rows of a change for the page: one per key of before or after
 * (objects), {field, before, after, changed}, in key order; a change of
 * non-objects is one row with field "".
 */
static json_t *changes_of(json_t *before, json_t *after)
{
	json_t *rows = json_array();
	json_t *keys = json_object();
	const char *k;
	json_t *v;
	if (!json_is_object(before) && !json_is_object(after)) {
		json_array_append_new(rows, json_pack("{s:s, s:o, s:o, s:b}",
						      "field", "", "before",
						      value_text(before), "after",
						      value_text(after), "changed",
						      !json_equal(before, after)));
		json_decref(keys);
		return rows;
	}
	if (json_is_object(before))
		json_object_foreach(before, k, v)
			json_object_set_new(keys, k, json_true());
	if (json_is_object(after))
		json_object_foreach(after, k, v)
			json_object_set_new(keys, k, json_true());
	/* jansson keeps insertion order; sort the union by name. */
	size_t n = json_object_size(keys), i = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	json_object_foreach(keys, k, v)
		names[i++] = k;
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0;
		     b--) {
			const char *t = names[b];
			names[b] = names[b - 1];
			names[b - 1] = t;
		}
	for (i = 0; i < n; i++) {
		json_t *bv = json_object_get(before, names[i]);
		json_t *av = json_object_get(after, names[i]);
		json_array_append_new(
			rows, json_pack("{s:s, s:o, s:o, s:b}", "field", names[i],
					"before", value_text(bv), "after",
					value_text(av), "changed",
					!(bv && av && json_equal(bv, av))));
	}
	free(names);
	json_decref(keys);
	return rows;
}

/* Adds the page-only fields of one item (texts for the template). */
static void decorate(json_t *it)
{
	struct buf when = BUF_INIT;
	mctime_format_local(json_integer_value(json_object_get(it, "at_utc")),
			    &when);
	json_object_set_new(it, "at_text", json_string(when.ptr));
	const char *a = json_string_value(json_object_get(it, "action"));
	json_object_set_new(it, "action_label",
			    json_string(action_label(a ? a : "")));
	json_t *b = json_object_get(it, "before"), *f = json_object_get(it, "after");
	bool change = !json_is_null(b) || !json_is_null(f);
	json_object_set_new(it, "has_change", json_boolean(change));
	if (change)
		json_object_set_new(it, "changes", changes_of(b, f));
	buf_release(&when);
}

static int bad_request(struct http_request *req, struct http_response *res,
		       const char *msg)
{
	return respond_error(req, res, 400, "invalid", msg);
}

int handle_audit(struct http_request *req, struct http_response *res)
{
	const char *units[AUTHZ_MAX_GRANTS];
	struct audit_filter f = { 0 };
	struct buf err = BUF_INIT;
	struct db *db;
	json_t *model = NULL;
	bool all;
	int n_units, rc;
	if ((rc = reader_scope(req, units, &n_units, &all)))
		return rc;
	for (int i = 0; i < F__COUNT; i++) {
		const char *v = param(req, i);
		if (v && strlen(v) > FIELD_MAX)
			return bad_request(req, res, "Giá trị lọc quá dài.");
	}
	f.actor = param(req, F_ACTOR);
	f.unit_code = param(req, F_UNIT);
	f.object_type = param(req, F_OTYPE);
	f.object_id = param(req, F_OID);
	f.action_prefix = param(req, F_ACTION);
	if (param(req, F_FROM) && parse_when(param(req, F_FROM), false, &f.from))
		return bad_request(req, res, "Ngày bắt đầu (tu-ngay) không hợp "
					     "lệ; ví dụ 2026-03-01.");
	if (param(req, F_TO) && parse_when(param(req, F_TO), true, &f.to))
		return bad_request(req, res, "Ngày kết thúc (den-ngay) không hợp "
					     "lệ; ví dụ 2026-03-31.");
	if (query_int(req, "trang", "page", 1, PAGE_MAX, &f.page) ||
	    query_int(req, "so-dong", "per_page", PER_PAGE_DEFAULT,
		      PER_PAGE_MAX, &f.per_page))
		return bad_request(req, res, "Số trang hoặc số dòng mỗi trang "
					     "không hợp lệ (tối đa 200 dòng).");
	if (!all) {
		f.scope = units;
		f.n_scope = n_units;
	}
	if ((rc = app_db(req, &db)))
		return rc;
	if ((rc = audit_search(db, &f, &model, &err))) {
		buf_release(&err);
		return rc == MC_EINVALID ? bad_request(req, res, "Bộ lọc không "
						       "hợp lệ.")
					 : rc;
	}
	buf_release(&err);

	json_t *items = json_object_get(model, "items"), *it;
	size_t i;
	int64_t total = json_integer_value(json_object_get(model, "total"));
	int pages = (int)((total + f.per_page - 1) / f.per_page);
	const char *base = req->want_json ? "/api/v1/audit" : "/quan-tri/nhat-ky";
	json_array_foreach(items, i, it)
		decorate(it);
	json_t *filter = json_object(), *scope = json_array();
	for (int k = 0; k < F__COUNT; k++)
		json_object_set_new(filter, param_en[k],
				    json_string(param(req, k) ? param(req, k) : ""));
	for (int k = 0; k < n_units; k++)
		json_array_append_new(scope, json_string(units[k]));
	json_object_set_new(model, "title", json_string("Nhật ký hệ thống"));
	json_object_set_new(model, "filter", filter);
	json_object_set_new(model, "scope_all", json_boolean(all));
	if (all) {
		json_decref(scope);
		scope = json_null();
	}
	json_object_set_new(model, "scope", scope);
	json_object_set_new(model, "pages", json_integer(pages));
	json_object_set_new(model, "has_items", json_boolean(json_array_size(items)));
	if (f.per_page != PER_PAGE_DEFAULT)
		json_object_set_new(model, "per_page_param",
				    json_integer(f.per_page));
	if (f.page > 1)
		json_object_set_new(model, "prev",
				    json_pack("{s:o}", "href",
					      page_href(req, base, f.page - 1,
							f.per_page)));
	if (f.page < pages)
		json_object_set_new(model, "next",
				    json_pack("{s:o}", "href",
					      page_href(req, base, f.page + 1,
							f.per_page)));
	/* The trail is private: never cached by a browser or a proxy. */
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "audit", model);
}
