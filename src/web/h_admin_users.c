/*
 * h_admin_users.c - the administration of users and API tokens
 * (/quan-tri/nguoi-dung, /quan-tri/token) and their JSON twins
 * (/api/v1/admin/users, /api/v1/admin/tokens): lists in the administrator's
 * scope, create, edit, disable, reset password, revoke sessions, grants,
 * tokens shown once. Routes declare the action and unit (web/routes.c); the
 * handlers add only authz_can_grant() for the role and unit of a grant.
 * Never logs, audits or keeps a password or token (they are shown once).
 */
#include "web/handlers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/authz.h"
#include "store/auth_repo.h"
#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"

#define USERS_PATH "/quan-tri/nguoi-dung"
#define TOKENS_PATH "/quan-tri/token"
#define FULL_NAME_MAX 200
#define QUERY_MAX 100
#define GEN_PASSWORD_LEN 16

static mc_time now_s(void)
{
	return (mc_time)time(NULL);
}

/* ---- input: form fields or a JSON object body --------------------------- */

struct input {
	struct http_request *req;
	json_t *body;	/* the JSON body when it is an object, else NULL */
};

static void input_init(struct input *in, struct http_request *req)
{
	in->req = req;
	in->body = http_json_body(req);
}

static void input_release(struct input *in)
{
	json_decref(in->body);
	in->body = NULL;
}

/* The value of field `name` (form, then JSON body), or NULL. */
static const char *in_str(struct input *in, const char *name)
{
	const char *v = http_form(in->req, name);
	if (v || !in->body)
		return v;
	json_t *j = json_object_get(in->body, name);
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_integer(j))
		return arena_printf(in->req->arena, "%lld",
				    (long long)json_integer_value(j));
	if (json_is_true(j))
		return "1";
	return NULL;
}

/* in_str(), or "" when absent (for the values shown back in a form). */
static const char *in_text(struct input *in, const char *name)
{
	const char *v = in_str(in, name);
	return v ? v : "";
}

/* A checkbox or boolean: "1", "on", "true" (or JSON true). */
static bool in_bool(struct input *in, const char *name)
{
	const char *v = in_str(in, name);
	return v && (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true"));
}

/* ---- small helpers ------------------------------------------------------ */

/* "2026-02-23T17:05:00+07:00" -> "23/02/2026 17:05" (arena), "" for null. */
static const char *time_text(struct http_request *req, json_t *iso)
{
	const char *s = json_string_value(iso);
	if (!s || strlen(s) < 16)
		return "";
	return arena_printf(req->arena, "%.2s/%.2s/%.4s %.5s", s + 8, s + 5, s,
			    s + 11);
}

/* Whether the principal manages users (or tokens) on "VN". */
static bool country_wide(const struct principal *p, enum action a)
{
	for (int i = 0; i < p->n_grants; i++)
		if (authz_role_allows(p->grants[i].role, a) &&
		    !strcmp(p->grants[i].unit, AUTHZ_UNIT_COUNTRY))
			return true;
	return false;
}

/* The units where p may do `a` (not "VN"), into units; count returned. */
static int scope_units(const struct principal *p, enum action a,
		       const char **units)
{
	int n = 0;
	for (int i = 0; i < p->n_grants; i++)
		if (authz_role_allows(p->grants[i].role, a))
			units[n++] = p->grants[i].unit;
	return n;
}

/* The scope as words for the page: "toàn quốc" or "24, 01001". */
static json_t *scope_text(const struct principal *p, enum action a)
{
	const char *units[AUTHZ_MAX_GRANTS];
	struct buf b = BUF_INIT;
	if (country_wide(p, a)) {
		buf_adds(&b, "toàn quốc");
	} else {
		int n = scope_units(p, a, units);
		for (int i = 0; i < n; i++)
			buf_addf(&b, "%s%s", i ? ", " : "", units[i]);
		buf_adds(&b, " (mã tỉnh gồm cả các xã trực thuộc)");
	}
	json_t *s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

/*
 * The roles p may hand out somewhere, for the role select:
 * [{"value","label","selected"}]. A unit administrator never sees admin or
 * unit_admin (authz_can_grant()).
 */
static json_t *grantable_roles(const struct principal *p, enum action a,
			       const char *selected)
{
	json_t *roles = json_array();
	for (int r = 0; r < ROLE__COUNT; r++) {
		bool ok = false;
		for (int i = 0; i < p->n_grants && !ok; i++) {
			const struct authz_grant *g = &p->grants[i];
			if (!authz_role_allows(g->role, a))
				continue;
			ok = authz_can_grant(p, (enum role)r, g->unit, "");
		}
		if (!ok)
			continue;
		const char *name = authz_role_name((enum role)r);
		json_array_append_new(
			roles, json_pack("{s:s, s:s, s:b}", "value", name,
					 "label", authz_role_label((enum role)r),
					 "selected",
					 selected && !strcmp(selected, name)));
	}
	return roles;
}

/*
 * Checks the role and unit of a new grant (or token): the role is known,
 * the unit exists, and p may grant it there (authz_can_grant(); tokens
 * also need ACT_TOKENS_MANAGE on the unit). 0, or the status (422 invalid,
 * 403 refused) with *field and *message set.
 */
static int check_grant(struct http_request *req, struct db *db,
		       const char *role_s, const char *unit, bool token,
		       enum role *role, const char **field,
		       const char **message)
{
	char parent[AUTHZ_UNIT_MAX];
	struct buf err = BUF_INIT;
	const struct principal *p = auth_principal(req);
	int rc;
	if (!role_s || !*role_s || authz_role_parse(role_s, role) < 0) {
		*field = "role";
		*message = "Vai trò: hãy chọn một vai trò trong danh sách.";
		return 422;
	}
	if (!unit || !*unit) {
		*field = "unit";
		*message = "Đơn vị: hãy nhập mã đơn vị (mã tỉnh, mã xã, "
			   "hoặc VN cho toàn quốc).";
		return 422;
	}
	rc = auth_unit_parent(db, unit, parent, &err);
	if (rc < 0 && rc != MC_ENOTFOUND) {
		log_error("admin: unit %s: %s", unit, err.ptr);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	if (rc == MC_ENOTFOUND) {
		*field = "unit";
		*message = arena_printf(req->arena,
					"Đơn vị: không có mã \"%s\" trong "
					"danh mục đơn vị hành chính 2025 "
					"(hoặc VN cho toàn quốc).",
					unit);
		return 422;
	}
	bool ok = authz_can_grant(p, *role, unit, parent) &&
		  (!token || authz_can(p, ACT_TOKENS_MANAGE, unit, parent));
	if (!ok) {
		log_warn("admin: %s may not grant %s on %s", p ? p->name : "-",
			 authz_role_name(*role), unit);
		*field = "role";
		*message = arena_printf(req->arena,
					"Vai trò: bạn không được cấp vai trò "
					"\"%s\" tại đơn vị %s.",
					authz_role_label(*role), unit);
		return 403;
	}
	return 0;
}

/*
 * Whether p may change the account `user` itself (name, password, status,
 * sessions): only who may grant every role the user holds, so a unit
 * administrator never takes over an account that is also an administrator
 * somewhere. The route already checked ACT_USERS_MANAGE on all its units
 * (admin_unit_of_user_account()).
 */
static bool may_change_account(struct http_request *req, json_t *user)
{
	const struct principal *p = auth_principal(req);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(user, "grants"), i, g)
	{
		enum role r;
		const char *unit = json_string_value(json_object_get(g, "unit"));
		char parent[AUTHZ_UNIT_MAX] = "";
		struct db *db;
		struct buf err = BUF_INIT;
		if (authz_role_parse(json_string_value(json_object_get(g, "role")),
				     &r) < 0)
			return false;
		if (app_db(req, &db) == 0)
			auth_unit_parent(db, unit, parent, &err);
		buf_release(&err);
		if (!authz_can_grant(p, r, unit, parent))
			return false;
	}
	return json_array_size(json_object_get(user, "grants")) > 0 ||
	       country_wide(p, ACT_USERS_MANAGE);
}

/* An invalid-input answer: JSON {"error":{code,field,message}}, or the
 * page `view` with `model` (stolen) plus "error" and "errors.FIELD". */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  const char *field, const char *message)
{
	const char *code = status == 403   ? "forbidden"
			   : status == 409 ? "conflict"
					   : "invalid";
	if (req->want_json) {
		json_decref(model);
		json_t *e = json_pack("{s:s, s:s}", "code", code, "message",
				      message);
		if (field)
			json_object_set_new(e, "field", json_string(field));
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (field) {
		json_object_set_new(e, "field", json_string(field));
		json_object_set_new(model, "errors",
				    json_pack("{s:s}", field, message));
	}
	json_object_set_new(model, "error", e);
	int rc = respond_view(req, res, status, view, model);
	respond_cache(req, res, 0);
	return rc;
}

/* A database failure: logged, answered 503 by the router. */
static int db_failed(const char *what, struct buf *err)
{
	log_error("admin %s: %s", what, err->ptr);
	return MC_EDB;
}

/* A random password that meets the policy, into out (shown once). */
static void generate_password(const char *username, char *out, size_t cap)
{
	/* No look-alikes (0/O, 1/l/I) so it can be read aloud or copied. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
				       "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	struct buf err = BUF_INIT;
	size_t n = GEN_PASSWORD_LEN < cap - 1 ? GEN_PASSWORD_LEN : cap - 1;
	do {
		for (size_t i = 0; i < n; i++)
			out[i] = alphabet[randombytes_uniform(
				sizeof(alphabet) - 1)];
		out[n] = '\0';
		buf_reset(&err);
	} while (auth_password_policy(username, out, &err) < 0);
	buf_release(&err);
}

/* ---- route units -------------------------------------------------------- */

int admin_unit_of_user_view(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *u = NULL;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = auth_user_get(db, name ? name : "", &u, &err);
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("user of the route: %s", err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	/* In scope when one grant is: that grant's unit, else the first
	 * (refused); a user without grants is system-wide ("VN" only). */
	*unit_code = NULL;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(u, "grants"), i, g)
	{
		const char *unit = json_string_value(json_object_get(g, "unit"));
		if (auth_can(req, ACT_USERS_MANAGE, unit)) {
			*unit_code = arena_strdup(req->arena, unit);
			break;
		}
		if (!*unit_code)
			*unit_code = arena_strdup(req->arena, unit);
	}
	json_decref(u);
	return 0;
}

int admin_unit_of_user_account(struct http_request *req,
			       const char **unit_code)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *u = NULL;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = auth_user_get(db, name ? name : "", &u, &err);
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("user of the route: %s", err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	/* Every grant must be covered: the first one that is not (refused),
	 * else any; a user without grants is system-wide ("VN" only). */
	*unit_code = NULL;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(u, "grants"), i, g)
	{
		const char *unit = json_string_value(json_object_get(g, "unit"));
		bool covered = auth_can(req, ACT_USERS_MANAGE, unit);
		if (!*unit_code || !covered)
			*unit_code = arena_strdup(req->arena, unit);
		if (!covered)
			break;
	}
	json_decref(u);
	return 0;
}

int admin_unit_of_token(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *list = NULL;
	const char *name = http_param(req, "name");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if ((rc = auth_token_list(db, &list, &err)) < 0)
		return db_failed("tokens", &err);
	buf_release(&err);
	rc = MC_ENOTFOUND;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(list, "items"), i, t)
	{
		if (name && !strcmp(name, json_string_value(
						  json_object_get(t, "name")))) {
			*unit_code = arena_strdup(
				req->arena,
				json_string_value(json_object_get(t, "unit")));
			rc = 0;
			break;
		}
	}
	json_decref(list);
	return rc;
}

/* ---- users list --------------------------------------------------------- */

/* Appends s percent-encoded (RFC 3986 unreserved kept) to b. */
static void add_urlenc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' ||
		    *c == '_' || *c == '~') {
			buf_addch(b, *c);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[*c >> 4]);
			buf_addch(b, hex[*c & 15]);
		}
	}
}

static json_t *list_href(const char *q, const char *status, int page)
{
	struct buf b = BUF_INIT;
	char sep = '?';
	buf_adds(&b, USERS_PATH);
	if (q && *q) {
		buf_addf(&b, "%cq=", sep);
		add_urlenc(&b, q);
		sep = '&';
	}
	if (status && *status) {
		buf_addf(&b, "%ctrang-thai=", sep);
		add_urlenc(&b, status);
		sep = '&';
	}
	buf_addf(&b, "%ctrang=%d", sep, page);
	json_t *s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

/* Display fields of a user for the pages (texts of times, grant labels). */
static void decorate_user(struct http_request *req, json_t *u)
{
	json_object_set_new(
		u, "last_login_text",
		json_string(time_text(req, json_object_get(u, "last_login"))));
	json_object_set_new(
		u, "created_text",
		json_string(time_text(req, json_object_get(u, "created_at"))));
	json_object_set_new(u, "href",
			    json_string(arena_printf(
				    req->arena, USERS_PATH "/%s",
				    json_string_value(
					    json_object_get(u, "username")))));
}

int handle_admin_users(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const struct principal *p = auth_principal(req);
	const char *units[AUTHZ_MAX_GRANTS];
	json_t *list = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!p)
		return MC_EFORBIDDEN;
	const char *q = http_query(req, "q");
	const char *status = http_query(req, "trang-thai");
	if (!status || !*status)
		status = http_query(req, "status");
	const char *page_s = http_query(req, "trang");
	if (!page_s || !*page_s)
		page_s = http_query(req, "page");
	struct auth_user_filter f = { .page = 1 };
	if (q && strlen(q) > QUERY_MAX)
		return answer_invalid(req, res, 422, "admin_users",
				      json_object(), "q",
				      "Tìm kiếm: tối đa 100 ký tự.");
	f.query = q;
	if (status && (!strcmp(status, "hoat-dong") ||
		       !strcmp(status, "active")))
		f.status = AUTH_USERS_ACTIVE;
	else if (status && (!strcmp(status, "da-khoa") ||
			    !strcmp(status, "disabled")))
		f.status = AUTH_USERS_DISABLED;
	if (page_s && *page_s) {
		char *end;
		errno = 0;
		long v = strtol(page_s, &end, 10);
		if (errno || *end || v < 1 || v > 100000)
			return answer_invalid(req, res, 422, "admin_users",
					      json_object(), "page",
					      "Trang: phải là số từ 1.");
		f.page = (int)v;
	}
	if (!country_wide(p, ACT_USERS_MANAGE)) {
		f.scope = units;
		f.n_scope = scope_units(p, ACT_USERS_MANAGE, units);
	}
	if ((rc = auth_user_search(db, &f, &list, &err)) < 0) {
		if (rc == MC_EINVALID) {
			rc = answer_invalid(req, res, 422, "admin_users",
					    json_object(), "q",
					    "Tìm kiếm: có ký tự không hợp lệ.");
			buf_release(&err);
			return rc;
		}
		return db_failed("users", &err);
	}
	buf_release(&err);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_users", list);
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(list, "items"), i, u)
		decorate_user(req, u);
	int page = f.page;
	int pages = (int)json_integer_value(json_object_get(list, "pages"));
	json_t *m = json_pack(
		"{s:s, s:O, s:I, s:i, s:i, s:b, s:s, s:o, s:b, s:b, s:b}",
		"title", "Người dùng và phân quyền", "items",
		json_object_get(list, "items"), "total",
		json_integer_value(json_object_get(list, "total")), "page",
		page, "pages", pages, "has_items",
		json_array_size(json_object_get(list, "items")) > 0, "q",
		q ? q : "", "scope", scope_text(p, ACT_USERS_MANAGE),
		"st_all", f.status == AUTH_USERS_ALL, "st_active",
		f.status == AUTH_USERS_ACTIVE, "st_disabled",
		f.status == AUTH_USERS_DISABLED);
	const char *st_param = f.status == AUTH_USERS_ACTIVE     ? "hoat-dong"
			       : f.status == AUTH_USERS_DISABLED ? "da-khoa"
								 : "";
	if (page > 1)
		json_object_set_new(m, "prev",
				    json_pack("{s:o}", "href",
					      list_href(q, st_param, page - 1)));
	if (page < pages)
		json_object_set_new(m, "next",
				    json_pack("{s:o}", "href",
					      list_href(q, st_param, page + 1)));
	json_decref(list);
	return respond_view(req, res, 200, "admin_users", m);
}

/* ---- create a user ------------------------------------------------------ */

/* The create form's model with the values typed (never the password). */
static json_t *create_model(struct http_request *req, struct input *in)
{
	const struct principal *p = auth_principal(req);
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o, s:i, s:b}", "title",
		"Tạo người dùng", "username",
		in_text(in, "username"), "full_name",
		in_text(in, "full_name"), "unit",
		in_text(in, "unit"), "roles",
		grantable_roles(p, ACT_USERS_MANAGE, in_str(in, "role")),
		"scope", scope_text(p, ACT_USERS_MANAGE), "password_min",
		AUTH_PASSWORD_MIN, "generate", in_bool(in, "generate"));
}

/* The one-time page (or JSON) with a password that was just set. */
static int show_password(struct http_request *req, struct http_response *res,
			 int status, const char *username, const char *pw,
			 const char *what)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title",
			      "Mật khẩu một lần", "username", username,
			      "password", pw, "what", what, "href",
			      arena_printf(req->arena, USERS_PATH "/%s",
					   username));
	int rc = respond_view(req, res, status, "admin_user_secret", m);
	/* The secret must not stay in any cache, nor come back with Back. */
	respond_cache(req, res, 0);
	http_set_header(req, res, "Pragma", "no-cache");
	return rc;
}

int handle_admin_user_new(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	enum role role = ROLE_VIEWER;
	const char *field = NULL, *msg = NULL;
	char gen[GEN_PASSWORD_LEN + 1] = "";
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	json_t *m = create_model(req, &in);
	if (req->method != HTTP_POST) {
		if (req->want_json) {
			json_decref(m);
			m = json_pack("{s:o}", "roles",
				      grantable_roles(auth_principal(req),
						      ACT_USERS_MANAGE, NULL));
		}
		rc = respond_view(req, res, 200, "admin_user_form", m);
		goto out;
	}
	const char *username = in_str(&in, "username");
	const char *full_name = in_str(&in, "full_name");
	const char *pw = in_str(&in, "password");
	const char *again = in_str(&in, "password_again");
	bool generate = in_bool(&in, "generate");
	/* Field by field, in the order of the form. */
	if (auth_username_check(username, &err) < 0) {
		field = "username";
		msg = arena_strdup(req->arena, err.ptr);
		rc = 422;
	} else if (!full_name || !*full_name ||
		   strlen(full_name) > FULL_NAME_MAX) {
		field = "full_name";
		msg = "Họ tên: hãy nhập họ tên (tối đa 200 ký tự).";
		rc = 422;
	} else {
		rc = check_grant(req, db, in_str(&in, "role"),
				 in_str(&in, "unit"), false, &role, &field,
				 &msg);
		if (rc < 0)
			goto out_m;
	}
	if (!rc && generate) {
		generate_password(username, gen, sizeof(gen));
		pw = gen;
	} else if (!rc) {
		buf_reset(&err);
		if (auth_password_policy(username, pw, &err) < 0) {
			field = "password";
			msg = arena_strdup(req->arena, err.ptr);
			rc = 422;
		} else if (!again || strcmp(pw, again)) {
			field = "password_again";
			msg = "Nhập lại mật khẩu: hai lần nhập không khớp.";
			rc = 422;
		}
	}
	if (rc) {
		rc = answer_invalid(req, res, rc, "admin_user_form", m, field,
				    msg);
		m = NULL;
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	buf_reset(&err);
	rc = auth_user_create(db, &by, username, full_name, pw, role,
			      in_str(&in, "unit"), now_s(), NULL, &err);
	if (rc == MC_ECONFLICT || rc == MC_EINVALID) {
		field = rc == MC_ECONFLICT ? "username" : "password";
		msg = arena_strdup(req->arena, err.ptr);
		rc = answer_invalid(req, res, 422, "admin_user_form", m, field,
				    msg);
		m = NULL;
		goto out;
	}
	if (rc < 0) {
		rc = db_failed("create user", &err);
		goto out_m;
	}
	if (gen[0]) {
		rc = show_password(req, res, 201, username, gen,
				   "Tài khoản đã được tạo.");
	} else if (req->want_json) {
		json_t *u = NULL;
		buf_reset(&err);
		if ((rc = auth_user_get(db, username, &u, &err)) < 0) {
			rc = db_failed("user", &err);
			goto out_m;
		}
		rc = respond_view(req, res, 201, "admin_user",
				  json_pack("{s:o}", "user", u));
	} else {
		rc = respond_redirect(
			req, res, 303,
			arena_printf(req->arena, USERS_PATH "/%s?ok=tao",
				     username));
	}
out_m:
	json_decref(m);
out:
	sodium_memzero(gen, sizeof(gen));
	input_release(&in);
	buf_release(&err);
	return rc;
}

/* ---- one user ----------------------------------------------------------- */

static const struct {
	const char *key, *text;
} notices[] = {
	{ "tao", "Đã tạo tài khoản." },
	{ "sua", "Đã lưu họ tên." },
	{ "khoa", "Đã khóa tài khoản; mọi phiên đăng nhập của tài khoản đã "
		  "được đóng." },
	{ "mo-khoa", "Đã mở khóa tài khoản." },
	{ "mat-khau", "Đã đặt mật khẩu mới; mọi phiên đăng nhập của tài "
		      "khoản đã được đóng." },
	{ "cap-quyen", "Đã cấp quyền." },
	{ "thu-quyen", "Đã thu hồi quyền." },
};

/*
 * The user's page: the user, forms for what the reader may do, an optional
 * notice and error. `values` (stolen, may be NULL) holds what was typed.
 */
static int user_page(struct http_request *req, struct http_response *res,
		     int status, const char *field, const char *message,
		     const char *code, json_t *values)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *u = NULL;
	const struct principal *p = auth_principal(req);
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		goto out;
	if ((rc = auth_user_get(db, name ? name : "", &u, &err)) < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND : db_failed("user", &err);
		goto out;
	}
	if (req->want_json && !message) {
		rc = respond_view(req, res, status, "admin_user",
				  json_pack("{s:O}", "user", u));
		goto out;
	}
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(u, "grants"), i, g)
	{
		enum role r;
		const char *unit = json_string_value(json_object_get(g, "unit"));
		char parent[AUTHZ_UNIT_MAX] = "";
		struct buf e2 = BUF_INIT;
		auth_unit_parent(db, unit, parent, &e2);
		buf_release(&e2);
		bool can = authz_role_parse(json_string_value(
						    json_object_get(g, "role")),
					    &r) == 0 &&
			   authz_can_grant(p, r, unit, parent);
		json_object_set_new(g, "can_remove", json_boolean(can));
	}
	decorate_user(req, u);
	const char *ok = http_query(req, "ok");
	const char *notice = NULL;
	for (size_t k = 0; ok && k < sizeof(notices) / sizeof(*notices); k++)
		if (!strcmp(ok, notices[k].key))
			notice = notices[k].text;
	const char *n_s = http_query(req, "so-phien");
	if (ok && !strcmp(ok, "dong-phien") && n_s &&
	    strspn(n_s, "0123456789") == strlen(n_s) && strlen(n_s) < 10)
		notice = arena_printf(req->arena,
				      "Đã đóng %s phiên đăng nhập của tài "
				      "khoản này.",
				      n_s);
	bool self = p && p->user_id &&
		    p->user_id == json_integer_value(json_object_get(u, "id"));
	json_t *m = json_pack(
		"{s:s, s:O, s:b, s:b, s:o, s:o, s:i}", "title",
		arena_printf(req->arena, "Người dùng %s", name), "user", u,
		"can_account", may_change_account(req, u), "is_self", self,
		"roles",
		grantable_roles(p, ACT_USERS_MANAGE,
				values ? json_string_value(
						 json_object_get(values, "role"))
				       : NULL),
		"scope", scope_text(p, ACT_USERS_MANAGE), "password_min",
		AUTH_PASSWORD_MIN);
	json_object_set_new(m, "values", values ? values : json_object());
	values = NULL;
	if (notice)
		json_object_set_new(m, "notice", json_string(notice));
	if (message) {
		if (!strcmp(code, "conflict") && !field) {
			/* Not tied to a field: shown at the top. */
			json_object_set_new(
				m, "error",
				json_pack("{s:s, s:s}", "code", code,
					  "message", message));
			rc = req->want_json
				     ? answer_invalid(req, res, status,
						      "admin_user", m, NULL,
						      message)
				     : respond_view(req, res, status,
						    "admin_user", m);
			respond_cache(req, res, 0);
		} else {
			rc = answer_invalid(req, res, status, "admin_user", m,
					    field, message);
		}
	} else {
		rc = respond_view(req, res, status, "admin_user", m);
	}
out:
	json_decref(values);
	json_decref(u);
	buf_release(&err);
	return rc;
}

int handle_admin_user(struct http_request *req, struct http_response *res)
{
	return user_page(req, res, 200, NULL, NULL, NULL, NULL);
}

/* 303 to the user's page with a notice (or the user as JSON). */
static int done(struct http_request *req, struct http_response *res,
		const char *ok)
{
	if (req->want_json)
		return user_page(req, res, 200, NULL, NULL, NULL, NULL);
	return respond_redirect(req, res, 303,
				arena_printf(req->arena, USERS_PATH "/%s?ok=%s",
					     http_param(req, "username"), ok));
}

/*
 * The account-level actions need may_change_account(): refused (403,
 * logged and audited by auth_deny()) otherwise. Loads the user into *u.
 */
static int account_gate(struct http_request *req, struct http_response *res,
			struct db *db, json_t **u, bool *answered)
{
	struct buf err = BUF_INIT;
	const char *name = http_param(req, "username");
	int rc = auth_user_get(db, name ? name : "", u, &err);
	*answered = false;
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND : db_failed("user", &err);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	if (!may_change_account(req, *u)) {
		*answered = true;
		json_t *g0 = json_array_get(json_object_get(*u, "grants"), 0);
		return auth_deny(req, res, ACT_USERS_MANAGE,
				 g0 ? json_string_value(
					      json_object_get(g0, "unit"))
				    : NULL,
				 false);
	}
	return 0;
}

int handle_admin_user_edit(struct http_request *req,
			   struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	json_t *u = NULL;
	bool answered;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	if ((rc = account_gate(req, res, db, &u, &answered)) < 0 || answered)
		goto out;
	const char *full_name = in_str(&in, "full_name");
	const char *ver_s = in_str(&in, "version");
	json_t *values = json_pack("{s:s}", "full_name",
				   full_name ? full_name : "");
	char *end = NULL;
	long long version = ver_s ? strtoll(ver_s, &end, 10) : -1;
	if (!full_name || !*full_name || strlen(full_name) > FULL_NAME_MAX) {
		rc = user_page(req, res, 422, "full_name",
			       "Họ tên: hãy nhập họ tên (tối đa 200 ký tự).",
			       "invalid", values);
		goto out;
	}
	if (!ver_s || !*ver_s || *end) {
		rc = user_page(req, res, 422, "version",
			       "Phiên bản: thiếu hoặc không hợp lệ; hãy tải "
			       "lại trang.",
			       "invalid", values);
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = auth_user_update(db, &by, http_param(req, "username"), full_name,
			      version, now_s(), &err);
	if (rc == MC_ECONFLICT || rc == MC_EINVALID) {
		rc = user_page(req, res, rc == MC_ECONFLICT ? 409 : 422,
			       "full_name",
			       arena_printf(req->arena, "Họ tên: %s", err.ptr),
			       rc == MC_ECONFLICT ? "conflict" : "invalid",
			       values);
		goto out;
	}
	json_decref(values);
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND
					: db_failed("update user", &err);
		goto out;
	}
	rc = done(req, res, "sua");
out:
	json_decref(u);
	input_release(&in);
	buf_release(&err);
	return rc;
}

static int set_disabled(struct http_request *req, struct http_response *res,
			bool disabled)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *u = NULL;
	bool answered;
	const struct principal *p = auth_principal(req);
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if ((rc = account_gate(req, res, db, &u, &answered)) < 0 || answered)
		goto out;
	if (disabled && p && p->user_id &&
	    p->user_id == json_integer_value(json_object_get(u, "id"))) {
		rc = user_page(req, res, 409, NULL,
			       "Bạn không thể tự khóa tài khoản của mình.",
			       "conflict", NULL);
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = auth_user_set_disabled_guarded(db, &by,
					    http_param(req, "username"),
					    disabled, now_s(), &err);
	if (rc == MC_ECONFLICT) {
		rc = user_page(req, res, 409, NULL, err.ptr, "conflict", NULL);
		goto out;
	}
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND
					: db_failed("disable user", &err);
		goto out;
	}
	rc = done(req, res, disabled ? "khoa" : "mo-khoa");
out:
	json_decref(u);
	buf_release(&err);
	return rc;
}

int handle_admin_user_disable(struct http_request *req,
			      struct http_response *res)
{
	return set_disabled(req, res, true);
}

int handle_admin_user_enable(struct http_request *req,
			     struct http_response *res)
{
	return set_disabled(req, res, false);
}

int handle_admin_user_password(struct http_request *req,
			       struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	json_t *u = NULL;
	bool answered;
	char gen[GEN_PASSWORD_LEN + 1] = "";
	const struct auth_info *ai = req->auth;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	if ((rc = account_gate(req, res, db, &u, &answered)) < 0 || answered)
		goto out;
	const char *pw = in_str(&in, "password");
	const char *again = in_str(&in, "password_again");
	if (in_bool(&in, "generate")) {
		generate_password(name, gen, sizeof(gen));
		pw = again = gen;
	} else if (auth_password_policy(name, pw, &err) < 0) {
		rc = user_page(req, res, 422, "password",
			       arena_strdup(req->arena, err.ptr),
			       "invalid", NULL);
		goto out;
	} else if (!again || strcmp(pw, again)) {
		rc = user_page(req, res, 422, "password_again",
			       "Nhập lại mật khẩu: hai lần nhập không khớp.",
			       "invalid", NULL);
		goto out;
	}
	/* Resetting one's own password keeps the current session. */
	int64_t keep = ai && ai->p.user_id &&
				       ai->p.user_id ==
					       json_integer_value(
						       json_object_get(u, "id"))
			       ? ai->session_id
			       : 0;
	struct auth_actor by = auth_actor_of(req);
	buf_reset(&err);
	rc = auth_user_passwd(db, &by, name, pw, keep, now_s(), &err);
	if (rc == MC_EINVALID) {
		rc = user_page(req, res, 422, "password",
			       arena_strdup(req->arena, err.ptr),
			       "invalid", NULL);
		goto out;
	}
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND
					: db_failed("password", &err);
		goto out;
	}
	rc = gen[0] ? show_password(req, res, 200, name, gen,
				    "Đã đặt mật khẩu mới; mọi phiên đăng "
				    "nhập của tài khoản đã được đóng.")
		    : done(req, res, "mat-khau");
out:
	sodium_memzero(gen, sizeof(gen));
	json_decref(u);
	input_release(&in);
	buf_release(&err);
	return rc;
}

int handle_admin_user_sessions(struct http_request *req,
			       struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *u = NULL;
	bool answered;
	int64_t n = 0;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if ((rc = account_gate(req, res, db, &u, &answered)) < 0 || answered)
		goto out;
	struct auth_actor by = auth_actor_of(req);
	rc = auth_sessions_revoke_user(db, &by, name, now_s(), &n, &err);
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND
					: db_failed("revoke sessions", &err);
		goto out;
	}
	if (req->want_json)
		rc = respond_view(req, res, 200, "admin_user",
				  json_pack("{s:s, s:I}", "username", name,
					    "sessions_revoked",
					    (json_int_t)n));
	else
		rc = respond_redirect(
			req, res, 303,
			arena_printf(req->arena,
				     USERS_PATH "/%s?ok=dong-phien&so-phien=%lld",
				     name, (long long)n));
out:
	json_decref(u);
	buf_release(&err);
	return rc;
}

int handle_admin_grant_add(struct http_request *req,
			   struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	enum role role = ROLE_VIEWER;
	const char *field = NULL, *msg = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	const char *role_s = in_str(&in, "role");
	const char *unit = in_str(&in, "unit");
	json_t *values = json_pack("{s:s, s:s}", "role", role_s ? role_s : "",
				   "unit", unit ? unit : "");
	rc = check_grant(req, db, role_s, unit, false, &role, &field, &msg);
	if (rc > 0) {
		rc = user_page(req, res, rc, field, msg,
			       rc == 403 ? "forbidden" : "invalid", values);
		goto out;
	}
	if (rc < 0) {
		json_decref(values);
		goto out;
	}
	json_decref(values);
	struct auth_actor by = auth_actor_of(req);
	rc = auth_grant_add(db, &by, http_param(req, "username"), role, unit,
			    now_s(), &err);
	if (rc < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND
					: db_failed("grant", &err);
		goto out;
	}
	rc = done(req, res, "cap-quyen");
out:
	input_release(&in);
	buf_release(&err);
	return rc;
}

int handle_admin_grant_remove(struct http_request *req,
			      struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	json_t *u = NULL;
	enum role role = ROLE_VIEWER;
	const char *field = NULL, *msg = NULL;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	const char *role_s = http_param(req, "role");
	if (!role_s)
		role_s = in_str(&in, "role");
	const char *unit = http_param(req, "unit");
	if (!unit)
		unit = in_str(&in, "unit");
	rc = check_grant(req, db, role_s, unit, false, &role, &field, &msg);
	if (rc > 0) {
		rc = user_page(req, res, rc, field, msg,
			       rc == 403 ? "forbidden" : "invalid", NULL);
		goto out;
	}
	if (rc < 0)
		goto out;
	/* A user's last grant stays: an account without grants is seen by
	 * national administrators only. Disable it instead. */
	if ((rc = auth_user_get(db, name ? name : "", &u, &err)) < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND : db_failed("user", &err);
		goto out;
	}
	if (json_array_size(json_object_get(u, "grants")) <= 1) {
		rc = user_page(req, res, 409, NULL,
			       "Không thể thu hồi quyền cuối cùng của tài "
			       "khoản: hãy khóa tài khoản nếu người này "
			       "không còn làm việc.",
			       "conflict", NULL);
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	buf_reset(&err);
	rc = auth_grant_remove_guarded(db, &by, name, role, unit, now_s(),
				       &err);
	if (rc == MC_ECONFLICT) {
		rc = user_page(req, res, 409, NULL, err.ptr, "conflict", NULL);
		goto out;
	}
	if (rc == MC_ENOTFOUND) {
		rc = user_page(req, res, 422, "role",
			       "Vai trò: người dùng không có quyền này tại "
			       "đơn vị này.",
			       "invalid", NULL);
		goto out;
	}
	if (rc < 0) {
		rc = db_failed("ungrant", &err);
		goto out;
	}
	rc = done(req, res, "thu-quyen");
out:
	json_decref(u);
	input_release(&in);
	buf_release(&err);
	return rc;
}

/* ---- API tokens --------------------------------------------------------- */

/* The tokens whose unit the reader manages; page fields added. */
static int tokens_in_scope(struct http_request *req, struct db *db,
			   json_t **out)
{
	struct buf err = BUF_INIT;
	json_t *list = NULL;
	int rc = auth_token_list(db, &list, &err);
	if (rc < 0)
		return db_failed("tokens", &err);
	buf_release(&err);
	json_t *items = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(list, "items"), i, t)
	{
		const char *unit = json_string_value(json_object_get(t, "unit"));
		if (!auth_can(req, ACT_TOKENS_MANAGE, unit))
			continue;
		if (!req->want_json) {
			json_object_set_new(
				t, "created_text",
				json_string(time_text(
					req, json_object_get(t, "created_at"))));
			json_object_set_new(
				t, "last_used_text",
				json_string(time_text(
					req,
					json_object_get(t, "last_used_at"))));
			json_object_set_new(
				t, "revoked_text",
				json_string(time_text(
					req, json_object_get(t, "revoked_at"))));
		}
		json_array_append(items, t);
	}
	json_decref(list);
	*out = items;
	return 0;
}

int handle_admin_tokens(struct http_request *req, struct http_response *res)
{
	struct db *db;
	json_t *items = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if ((rc = tokens_in_scope(req, db, &items)) < 0)
		return rc;
	size_t n = json_array_size(items);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_tokens",
				    json_pack("{s:o, s:I}", "items", items,
					      "total", (json_int_t)n));
	const char *ok = http_query(req, "ok");
	json_t *m = json_pack("{s:s, s:o, s:I, s:b, s:o}", "title",
			      "Khóa API (token) tích hợp", "items", items,
			      "total", (json_int_t)n, "has_items", n > 0,
			      "scope",
			      scope_text(auth_principal(req),
					 ACT_TOKENS_MANAGE));
	if (ok && !strcmp(ok, "thu-hoi"))
		json_object_set_new(m, "notice",
				    json_string("Đã thu hồi token: mọi yêu cầu "
						"dùng token này từ nay bị từ "
						"chối."));
	return respond_view(req, res, 200, "admin_tokens", m);
}

int handle_admin_token_new(struct http_request *req,
			   struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct input in;
	enum role role = ROLE_VIEWER;
	const char *field = NULL, *msg = NULL;
	char token[AUTH_TOKEN_BUF] = "";
	const struct principal *p = auth_principal(req);
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	input_init(&in, req);
	json_t *m = json_pack("{s:s, s:s, s:s, s:o, s:o}", "title",
			      "Tạo token API", "name",
			      in_text(&in, "name"), "unit",
			      in_text(&in, "unit"), "roles",
			      grantable_roles(p, ACT_TOKENS_MANAGE,
					      in_str(&in, "role")),
			      "scope", scope_text(p, ACT_TOKENS_MANAGE));
	if (req->method != HTTP_POST) {
		rc = respond_view(req, res, 200, "admin_token_form", m);
		m = NULL;
		goto out;
	}
	const char *name = in_str(&in, "name");
	const char *unit = in_str(&in, "unit");
	size_t nlen = name ? strlen(name) : 0;
	bool name_ok = nlen >= 3 && nlen <= 64;
	for (size_t i = 0; name_ok && i < nlen; i++) {
		char c = name[i];
		name_ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == '-';
	}
	if (!name_ok) {
		rc = 422;
		field = "name";
		msg = "Tên token: 3-64 ký tự gồm chữ không dấu, số và . _ -";
	} else {
		rc = check_grant(req, db, in_str(&in, "role"), unit, true,
				 &role, &field, &msg);
		if (rc < 0)
			goto out;
	}
	if (rc) {
		rc = answer_invalid(req, res, rc, "admin_token_form", m, field,
				    msg);
		m = NULL;
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = auth_token_create(db, &by, name, role, unit, now_s(), token,
			       &err);
	if (rc == MC_ECONFLICT || rc == MC_EINVALID) {
		rc = answer_invalid(req, res, 422, "admin_token_form", m,
				    rc == MC_ECONFLICT ? "name" : "unit",
				    arena_printf(req->arena, "%s: %s",
						 rc == MC_ECONFLICT
							 ? "Tên token"
							 : "Đơn vị",
						 err.ptr));
		m = NULL;
		goto out;
	}
	if (rc < 0) {
		rc = db_failed("create token", &err);
		goto out;
	}
	/* Shown once: no redirect (the token cannot travel in a URL), and
	 * nothing may keep the page. */
	rc = respond_view(req, res, 201, "admin_token_created",
			  json_pack("{s:s, s:s, s:s, s:s, s:s}", "title",
				    "Token đã được tạo", "name", name,
				    "role", authz_role_name(role), "unit",
				    unit, "token", token));
	respond_cache(req, res, 0);
	http_set_header(req, res, "Pragma", "no-cache");
out:
	sodium_memzero(token, sizeof(token));
	json_decref(m);
	input_release(&in);
	buf_release(&err);
	return rc;
}

int handle_admin_token_revoke(struct http_request *req,
			      struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const char *name = http_param(req, "name");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	struct auth_actor by = auth_actor_of(req);
	rc = auth_token_revoke(db, &by, name, now_s(), &err);
	if (rc == MC_ENOTFOUND) {
		/* Exists (the route found its unit) but already revoked. */
		buf_release(&err);
		return respond_error(req, res, 409, "conflict",
				     "Token này đã bị thu hồi trước đó.");
	}
	if (rc < 0)
		return db_failed("revoke token", &err);
	buf_release(&err);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_tokens",
				    json_pack("{s:s, s:b}", "name", name,
					      "revoked", 1));
	return respond_redirect(req, res, 303, TOKENS_PATH "?ok=thu-hoi");
}
