/*
 * auth.c - the router's authentication and authorization step (contract
 * in web/auth.h): principal from the session cookie or a bearer token,
 * CSRF on state-changing requests, the unit of the route, authz_can(),
 * and the "csrf"/"me" fields of HTML page models. Never logs a secret.
 */
#include "web/auth.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/audit.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/respond.h"
#include "web/route.h"

static mc_time now_s(void)
{
	return (mc_time)time(NULL);
}

const char *auth_cookie(const struct http_request *req, const char *name)
{
	const char *h = http_header(req, "cookie");
	size_t n = strlen(name);
	while (h && *h) {
		while (*h == ' ' || *h == ';')
			h++;
		const char *end = strchr(h, ';');
		size_t len = end ? (size_t)(end - h) : strlen(h);
		if (len > n && !memcmp(h, name, n) && h[n] == '=')
			return arena_strndup(req->arena, h + n + 1,
					     len - n - 1);
		h = end;
	}
	return NULL;
}

static bool secure_site(const struct http_request *req)
{
	const char *u = req->app ? req->app->public_url : NULL;
	return u && !strncmp(u, "https://", 8);
}

void auth_set_session_cookie(struct http_request *req,
			     struct http_response *res, const char *token)
{
	const char *v = arena_printf(req->arena,
				     "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
				     AUTH_COOKIE, token,
				     secure_site(req) ? "; Secure" : "");
	http_set_header(req, res, "Set-Cookie", v);
}

void auth_clear_session_cookie(struct http_request *req,
			       struct http_response *res)
{
	const char *v = arena_printf(req->arena,
				     "%s=; Path=/; HttpOnly; SameSite=Lax; "
				     "Max-Age=0%s",
				     AUTH_COOKIE,
				     secure_site(req) ? "; Secure" : "");
	http_set_header(req, res, "Set-Cookie", v);
}

const struct principal *auth_principal(const struct http_request *req)
{
	return req->auth ? &req->auth->p : NULL;
}

struct auth_actor auth_actor_of(const struct http_request *req)
{
	struct auth_actor a = { 0, "anonymous", req->client };
	if (req->auth) {
		a.id = req->auth->p.user_id;
		a.name = req->auth->p.name;
	}
	return a;
}

/* Percent-encodes s for a query value into b. */
static void add_urlenc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~' || *p == '/') {
			buf_addch(b, *p);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[*p >> 4]);
			buf_addch(b, hex[*p & 15]);
		}
	}
}

/*
 * Not logged in (or expired, or no valid CSRF token): browsers go to the
 * login page with the way back; API clients get 401.
 */
static void unauthenticated(struct http_request *req,
			    struct http_response *res, const char *why)
{
	if (req->want_json) {
		respond_error(req, res, 401, "unauthenticated",
			      "Cần đăng nhập hoặc token hợp lệ "
			      "(Authorization: Bearer ...).");
		http_set_header(req, res, "WWW-Authenticate",
				"Bearer realm=\"motcua\"");
		return;
	}
	struct buf loc = BUF_INIT;
	buf_adds(&loc, "/dang-nhap?tiep=");
	add_urlenc(&loc, req->path);
	if (req->method == HTTP_GET && req->query && *req->query) {
		buf_adds(&loc, "%3F");
		add_urlenc(&loc, req->query);
	}
	if (why)
		buf_addf(&loc, "&%s=1", why);
	respond_redirect(req, res, 303, loc.ptr);
	respond_cache(req, res, 0);
	buf_release(&loc);
}

int auth_deny(struct http_request *req, struct http_response *res,
	      enum action a, const char *unit_code, bool hide)
{
	const struct principal *p = auth_principal(req);
	const char *who = p ? p->name : "anonymous";
	log_warn("authz: denied %s %s to %s (action %s, unit %s)",
		 http_method_name(req->method), req->path, who,
		 authz_action_name(a), unit_code ? unit_code : "-");
	struct db *db;
	if (req->app && req->app->db && app_db(req, &db) == 0) {
		struct buf err = BUF_INIT;
		json_t *after = json_pack("{s:s, s:s, s:s}", "method",
					  http_method_name(req->method),
					  "path", req->path, "action",
					  authz_action_name(a));
		struct audit_entry e = {
			.at = now_s(),
			.actor_id = p ? p->user_id : 0,
			.actor = who,
			.action = "authz.deny",
			.object_type = "route",
			.object_id = req->route,
			.unit_code = unit_code,
			.client = req->client,
			.after = after,
		};
		if (audit_log(db, &e, &err))
			log_error("audit of a denial: %s", err.ptr);
		json_decref(after);
		buf_release(&err);
	}
	if (hide)
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy trang bạn yêu cầu.");
	return respond_error(req, res, 403, "forbidden",
			     "Bạn không có quyền thực hiện việc này tại đơn "
			     "vị này.");
}

bool auth_can(struct http_request *req, enum action a, const char *unit_code)
{
	char parent[AUTHZ_UNIT_MAX] = "";
	struct db *db;
	if (a == ACT_PUBLIC)
		return true;
	if (!req->auth)
		return false;
	if (unit_code) {
		struct buf err = BUF_INIT;
		int rc = app_db(req, &db);
		if (!rc)
			rc = auth_unit_parent(db, unit_code, parent, &err);
		if (rc && rc != MC_ENOTFOUND)
			log_error("auth_can: %s", err.ptr);
		buf_release(&err);
		if (rc)
			return false;
	}
	return authz_can(&req->auth->p, a, unit_code, parent);
}

/* The bearer token of the Authorization header, or NULL. */
static const char *bearer(const struct http_request *req)
{
	const char *h = http_header(req, "authorization");
	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

static bool state_changing(const struct http_request *req)
{
	return req->method == HTTP_POST || req->method == HTTP_PUT ||
	       req->method == HTTP_DELETE;
}

/* Resolves the principal; false when `res` holds the answer. The marks
 * of use it leaves to *t (written after the read transaction). */
static bool identify(struct http_request *req, struct http_response *res,
		     struct db *db, struct auth_info *ai, struct auth_touch *t)
{
	struct buf err = BUF_INIT;
	mc_time now = now_s();
	bool ok = false;
	int rc;
	const char *tok = bearer(req);
	if (tok) {
		rc = auth_token_find(db, tok, now, &ai->p, t, &err);
		if (rc == 0) {
			ai->via_token = true;
			ok = true;
		} else if (rc == MC_ENOTFOUND) {
			log_warn("auth: unknown or revoked bearer token for "
				 "%s %s", http_method_name(req->method),
				 req->path);
			bool json = req->want_json;
			req->want_json = true;	/* a bearer client is an API */
			unauthenticated(req, res, NULL);
			req->want_json = json;
		} else {
			log_error("auth: %s", err.ptr);
			respond_error(req, res, 503, "unavailable",
				      "Hệ thống tạm thời không phục vụ được.");
		}
		goto out;
	}
	const char *cookie = auth_cookie(req, AUTH_COOKIE);
	bool expired = false;
	rc = cookie ? auth_session_find(db, cookie, now, &ai->p,
					&ai->session_id, &expired, t, &err)
		    : MC_ENOTFOUND;
	if (rc == MC_ENOTFOUND) {
		unauthenticated(req, res, expired ? "het-han" : NULL);
		if (cookie)
			auth_clear_session_cookie(req, res);
		goto out;
	}
	if (rc < 0) {
		log_error("auth: %s", err.ptr);
		respond_error(req, res, 503, "unavailable",
			      "Hệ thống tạm thời không phục vụ được.");
		goto out;
	}
	auth_csrf_token(cookie, ai->csrf);
	if (state_changing(req)) {
		const char *given = http_form(req, "csrf");
		if (!given)
			given = http_header(req, "x-csrf-token");
		if (!auth_secret_equal(given, ai->csrf)) {
			log_warn("auth: %s %s by %s without a valid CSRF "
				 "token",
				 http_method_name(req->method), req->path,
				 ai->p.name);
			if (req->want_json)
				respond_error(req, res, 403, "csrf",
					      "Thiếu mã chống giả mạo "
					      "(X-CSRF-Token).");
			else
				unauthenticated(req, res, "csrf");
			goto out;
		}
	}
	ok = true;
out:
	buf_release(&err);
	return ok;
}

/* The unit named by the route, from the path, the form or the query. */
static const char *unit_from_request(const struct route *r,
				     struct http_request *req)
{
	const char *v = http_param(req, r->unit_param);
	if (!v)
		v = http_form(req, r->unit_param);
	if (!v)
		v = http_query(req, r->unit_param);
	return v;
}

bool auth_before(const struct route *r, struct http_request *req,
		 struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char parent[AUTHZ_UNIT_MAX] = "";
	const char *unit = NULL;
	struct auth_touch touch = { 0, 0 };
	bool scoped = false, ok = false, rtx;
	int rc;
	if (!r || r->action == ACT_PUBLIC)
		return true;
	if (app_db(req, &db)) {
		respond_error(req, res, 503, "unavailable",
			      "Hệ thống tạm thời không phục vụ được.");
		return false;
	}
	/* SQLite: the principal, the object's unit and its parent in one
	 * read transaction. Each transaction that follows another
	 * connection's commit starts with a cold page cache (three, one per
	 * statement, were a tenth of an intake). Writes come after it. On
	 * PostgreSQL BEGIN and ROLLBACK would be two more round trips. */
	rtx = db_kind(db) == DB_SQLITE && !db_in_transaction(db) &&
	      db_begin_read(db, NULL) == 0;
	struct auth_info *ai = arena_zalloc(req->arena, sizeof(*ai));
	if (!identify(req, res, db, ai, &touch))
		goto out;
	req->auth = ai;
	if (r->unit_param) {
		scoped = true;
		unit = unit_from_request(r, req);
		if (!unit || !*unit) {
			respond_error(req, res, 400, "missing_unit",
				      "Thiếu mã đơn vị.");
			goto out;
		}
	} else if (r->unit_of) {
		scoped = true;
		rc = r->unit_of(req, &unit);
		if (rc == MC_ENOTFOUND) {
			respond_error(req, res, 404, "not_found",
				      "Không tìm thấy trang bạn yêu cầu.");
			goto out;
		}
		if (rc < 0) {
			respond_error(req, res, 503, "unavailable",
				      "Hệ thống tạm thời không phục vụ được.");
			goto out;
		}
	} else if (r->auth_flags & ROUTE_SYSTEM) {
		scoped = true;
	}
	if (unit) {
		rc = auth_unit_parent(db, unit, parent, &err);
		if (rc == MC_ENOTFOUND) {
			respond_error(req, res, 404, "not_found",
				      "Không tìm thấy đơn vị.");
			goto out;
		}
		if (rc < 0) {
			log_error("auth: %s", err.ptr);
			respond_error(req, res, 503, "unavailable",
				      "Hệ thống tạm thời không phục vụ được.");
			goto out;
		}
	}
	if (rtx) {
		db_rollback(db);
		rtx = false;
	}
	/* the mark of use (at most once a minute): a failure is logged,
	 * the request goes on */
	if (auth_touch(db, &touch, now_s(), &err) < 0) {
		log_warn("auth: marking the use of a session or token: %s",
			 err.ptr);
		buf_reset(&err);
	}
	bool allowed = scoped ? authz_can(&ai->p, r->action, unit, parent)
			      : authz_can_any(&ai->p, r->action);
	if (!allowed) {
		auth_deny(req, res, r->action, unit,
			  (r->auth_flags & ROUTE_HIDE) != 0);
		goto out;
	}
	ok = true;
out:
	if (rtx)
		db_rollback(db);
	buf_release(&err);
	return ok;
}

void auth_after(struct http_request *req, struct http_response *res)
{
	const struct auth_info *ai = req->auth;
	if (!ai || req->want_json || !res->view || !json_is_object(res->model))
		return;
	if (!json_object_get(res->model, "csrf"))
		json_object_set_new(res->model, "csrf", json_string(ai->csrf));
	if (json_object_get(res->model, "me"))
		return;
	json_t *roles = json_array();
	for (int i = 0; i < ai->p.n_grants; i++) {
		const struct authz_grant *g = &ai->p.grants[i];
		json_array_append_new(
			roles, json_pack("{s:s, s:s, s:s}", "role",
					 authz_role_name(g->role), "role_label",
					 authz_role_label(g->role), "unit",
					 g->unit));
	}
	json_object_set_new(
		res->model, "me",
		json_pack("{s:s, s:s, s:o, s:s, s:b}", "name", ai->p.name,
			  "full_name", ai->p.full_name, "roles", roles, "csrf",
			  ai->csrf, "via_token", ai->via_token));
	/* Pages of a logged-in user are private; "no-cache" rather than
	 * "no-store" so that the browser's Back button keeps typed forms. */
	if (!respond_header(res, "Cache-Control"))
		http_set_header(req, res, "Cache-Control", "private, no-cache");
}
