/*
 * h_auth.c - the pages of web/auth.h: log in (/dang-nhap: throttled per
 * account and per address, one generic error), log out (/dang-xuat), the
 * admin home (/quan-tri: the admin_links the user may open) and the user's
 * own account (/tai-khoan: change password, see and end own sessions).
 * Never logs or shows a password, token or cookie.
 */
#include "web/auth.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/audit.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/respond.h"

#define BAD_LOGIN "Tên đăng nhập hoặc mật khẩu không đúng."

static mc_time now_s(void)
{
	return (mc_time)time(NULL);
}

/* Where to go after logging in: a path on this site, else /quan-tri. */
static const char *safe_next(const char *tiep)
{
	if (!tiep || tiep[0] != '/' || tiep[1] == '/' || tiep[1] == '\\' ||
	    strchr(tiep, '\\') || strpbrk(tiep, "\r\n") ||
	    !strncmp(tiep, "/dang-nhap", 10) || !strncmp(tiep, "/dang-xuat", 10))
		return "/quan-tri";
	return tiep;
}

/* A fresh random value for the login form's double-submit cookie. */
static const char *login_nonce(struct http_request *req,
			       struct http_response *res)
{
	const char *c = auth_cookie(req, AUTH_LOGIN_COOKIE);
	if (c && strlen(c) == 32)
		return c;
	unsigned char r[16];
	char hex[33];
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	http_set_header(req, res, "Set-Cookie",
			arena_printf(req->arena,
				     "%s=%s; Path=/dang-nhap; HttpOnly; "
				     "SameSite=Strict%s",
				     AUTH_LOGIN_COOKIE, hex,
				     req->app && req->app->public_url &&
						     !strncmp(req->app->public_url,
							      "https://", 8)
					     ? "; Secure"
					     : ""));
	return arena_strdup(req->arena, hex);
}

/* The login page with an optional message; status 200/400/401/429. */
static int login_page(struct http_request *req, struct http_response *res,
		      int status, const char *username, const char *error)
{
	const char *tiep = http_form(req, "tiep");
	if (!tiep)
		tiep = http_query(req, "tiep");
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "title",
			      "Đăng nhập", "tiep", safe_next(tiep), "username",
			      username ? username : "", "login_csrf",
			      login_nonce(req, res), "expired",
			      http_query(req, "het-han") != NULL, "csrf_lost",
			      http_query(req, "csrf") != NULL);
	if (error)
		json_object_set_new(m, "error", json_string(error));
	int rc = respond_view(req, res, status, "login", m);
	respond_cache(req, res, 0);
	return rc;
}

int handle_login_form(struct http_request *req, struct http_response *res)
{
	return login_page(req, res, 200, NULL, NULL);
}

static void audit_login(struct db *db, struct http_request *req,
			int64_t user_id, const char *username,
			const char *action)
{
	struct buf err = BUF_INIT;
	char name[65];
	/* The attempted name is not a secret, but is bounded. */
	snprintf(name, sizeof(name), "%s", username);
	struct audit_entry e = {
		.at = now_s(),
		.actor_id = user_id,
		.actor = name,
		.action = action,
		.object_type = "user",
		.object_id = name,
		.client = req->client,
	};
	if (audit_log(db, &e, &err))
		log_error("audit of %s: %s", action, err.ptr);
	buf_release(&err);
}

/* Seconds to wait, as the message shown. */
static const char *wait_message(struct http_request *req, int64_t wait)
{
	if (wait >= 60)
		return arena_printf(req->arena,
				    "Bạn đã nhập sai quá nhiều lần. Vui lòng "
				    "thử lại sau %lld phút.",
				    (long long)((wait + 59) / 60));
	return arena_printf(req->arena,
			    "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại "
			    "sau %lld giây.",
			    (long long)wait);
}

int handle_login(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *user = http_form(req, "username");
	const char *pw = http_form(req, "password");
	const char *nonce = http_form(req, "login_csrf");
	const char *cookie = auth_cookie(req, AUTH_LOGIN_COOKIE);
	mc_time now = now_s();
	int64_t uid = 0, wait_u = 0, wait_ip = 0;
	char ukey[128], ipkey[80];
	char token[AUTH_TOKEN_BUF] = "";

	if (!user || !*user || !pw || !*pw) {
		rc = login_page(req, res, 400, user,
				"Hãy nhập tên đăng nhập và mật khẩu.");
		goto out;
	}
	/* The login form's own CSRF check: a cross-site POST carries no
	 * SameSite=Strict cookie. */
	if (!auth_secret_equal(nonce, cookie)) {
		rc = login_page(req, res, 400, user,
				"Biểu mẫu đã hết hạn. Vui lòng đăng nhập lại.");
		goto out;
	}
	/* At most 64 bytes of the name, cut on a character boundary (a cut
	 * inside a UTF-8 sequence would make a key the throttle refuses). */
	int ulen = (int)strnlen(user, 64);
	if (user[ulen])
		while (ulen > 0 && ((unsigned char)user[ulen] & 0xC0) == 0x80)
			ulen--;
	snprintf(ukey, sizeof(ukey), "user:%.*s", ulen, user);
	snprintf(ipkey, sizeof(ipkey), "ip:%s",
		 req->client ? req->client : "-");
	if ((rc = auth_throttle_check(db, ukey, now, &wait_u, &err)) < 0 ||
	    (rc = auth_throttle_check(db, ipkey, now, &wait_ip, &err)) < 0)
		goto dberr;
	if (wait_u || wait_ip) {
		int64_t w = wait_u > wait_ip ? wait_u : wait_ip;
		rc = login_page(req, res, 429, user, wait_message(req, w));
		http_set_header(req, res, "Retry-After",
				arena_printf(req->arena, "%lld",
					     (long long)w));
		goto out;
	}
	rc = auth_password_verify(db, user, pw, &uid, &err);
	if (rc == MC_EFORBIDDEN) {
		int64_t d1 = 0, d2 = 0;
		if ((rc = auth_throttle_fail(db, ukey, now, &d1, &err)) < 0 ||
		    (rc = auth_throttle_fail(db, ipkey, now, &d2, &err)) < 0)
			goto dberr;
		log_warn("auth: failed login for '%.64s' from %s", user,
			 req->client ? req->client : "-");
		audit_login(db, req, 0, user, "login.fail");
		int64_t w = d1 > d2 ? d1 : d2;
		rc = login_page(req, res, 401, user,
				w ? arena_printf(req->arena, "%s %s",
						 BAD_LOGIN,
						 wait_message(req, w))
				  : BAD_LOGIN);
		goto out;
	}
	if (rc < 0)
		goto dberr;
	if ((rc = auth_throttle_clear(db, ukey, &err)) < 0 ||
	    (rc = auth_session_create(db, uid, req->client,
				      http_header(req, "user-agent"), now,
				      token, NULL, &err)) < 0)
		goto dberr;
	audit_login(db, req, uid, user, "login.ok");
	respond_redirect(req, res, 303, safe_next(http_form(req, "tiep")));
	auth_set_session_cookie(req, res, token);
	http_set_header(req, res, "Set-Cookie",
			arena_printf(req->arena,
				     "%s=; Path=/dang-nhap; Max-Age=0",
				     AUTH_LOGIN_COOKIE));
	respond_cache(req, res, 0);
	rc = 0;
	goto out;
dberr:
	log_error("login: %s", err.ptr);
	rc = MC_EDB;
out:
	sodium_memzero(token, sizeof(token));
	buf_release(&err);
	return rc;
}

int handle_logout(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const struct auth_info *ai = req->auth;
	if (ai && ai->session_id) {
		struct auth_actor by = auth_actor_of(req);
		rc = auth_session_revoke(db, NULL, ai->session_id,
					 ai->p.user_id, now_s(), &err);
		if (rc && rc != MC_ENOTFOUND) {
			log_error("logout: %s", err.ptr);
			buf_release(&err);
			return MC_EDB;
		}
		struct audit_entry e = {
			.at = now_s(),
			.actor_id = by.id,
			.actor = by.name,
			.action = "logout",
			.object_type = "user",
			.object_id = by.name,
			.client = by.client,
		};
		buf_reset(&err);
		if (audit_log(db, &e, &err))
			log_error("audit of logout: %s", err.ptr);
	}
	buf_release(&err);
	respond_redirect(req, res, 303, "/");
	auth_clear_session_cookie(req, res);
	return 0;
}

int handle_admin_home(struct http_request *req, struct http_response *res)
{
	const struct principal *p = auth_principal(req);
	json_t *links = json_array();
	for (const struct admin_link *l = admin_links; l->href; l++) {
		if (!authz_can_any(p, l->action))
			continue;
		json_t *o = json_pack("{s:s, s:s}", "href", l->href, "label",
				      l->label);
		if (l->hint)
			json_object_set_new(o, "hint", json_string(l->hint));
		json_array_append_new(links, o);
	}
	return respond_view(req, res, 200, "admin_home",
			    json_pack("{s:s, s:o}", "title", "Quản trị",
				      "links", links));
}

/* The account page, with an optional form error {field, message}. */
static int account_page(struct http_request *req, struct http_response *res,
			int status, const char *field, const char *message,
			const char *notice)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *user = NULL, *sessions = NULL;
	const struct auth_info *ai = req->auth;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!ai)
		return MC_ENOTFOUND;
	if (!ai->p.user_id) {
		/* An API token has no account: its name and grant only. */
		json_t *grants = json_array();
		for (int i = 0; i < ai->p.n_grants; i++)
			json_array_append_new(
				grants,
				json_pack("{s:s, s:s, s:s}", "role",
					  authz_role_name(ai->p.grants[i].role),
					  "role_label",
					  authz_role_label(ai->p.grants[i].role),
					  "unit", ai->p.grants[i].unit));
		return respond_view(req, res, 200, "account",
				    json_pack("{s:s, s:{s:s, s:o}}", "title",
					      "Token", "user", "username",
					      ai->p.name, "grants", grants));
	}
	if ((rc = auth_user_get(db, ai->p.name, &user, &err)) < 0 ||
	    (rc = auth_sessions_list(db, ai->p.user_id, ai->session_id,
				     now_s(), &sessions, &err)) < 0) {
		log_error("account: %s", err.ptr);
		json_decref(user);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	json_t *m = json_pack("{s:s, s:o, s:o, s:i}", "title",
			      "Tài khoản của tôi", "user", user, "sessions",
			      json_object_get(sessions, "items"),
			      "password_min", AUTH_PASSWORD_MIN);
	json_incref(json_object_get(sessions, "items"));
	json_decref(sessions);
	if (field)
		json_object_set_new(
			m, "error",
			json_pack("{s:s, s:s, s:s}", "code", "invalid", "field",
				  field, "message", message));
	if (notice)
		json_object_set_new(m, "notice", json_string(notice));
	rc = respond_view(req, res, status, "account", m);
	return rc;
}

int handle_account(struct http_request *req, struct http_response *res)
{
	const char *n = http_query(req, "da-doi") ? "Đã đổi mật khẩu. Các "
						    "phiên khác đã được đóng."
						  : NULL;
	if (!n && http_query(req, "da-dong"))
		n = "Đã đóng phiên đăng nhập.";
	return account_page(req, res, 200, NULL, NULL, n);
}

int handle_account_password(struct http_request *req,
			    struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const struct auth_info *ai = req->auth;
	int64_t uid = 0;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!ai || !ai->p.user_id)
		return MC_ENOTFOUND;
	const char *cur = http_form(req, "current");
	const char *pw = http_form(req, "new");
	const char *again = http_form(req, "again");
	if (!cur || !*cur) {
		rc = account_page(req, res, 422, "current",
				  "Hãy nhập mật khẩu hiện tại.", NULL);
		goto out;
	}
	rc = auth_password_verify(db, ai->p.name, cur, &uid, &err);
	if (rc == MC_EFORBIDDEN) {
		rc = account_page(req, res, 422, "current",
				  "Mật khẩu hiện tại không đúng.", NULL);
		goto out;
	}
	if (rc < 0)
		goto dberr;
	if (!pw || !again || strcmp(pw, again)) {
		rc = account_page(req, res, 422, "again",
				  "Hai lần nhập mật khẩu mới không khớp.",
				  NULL);
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = auth_user_passwd(db, &by, ai->p.name, pw, ai->session_id,
			      now_s(), &err);
	if (rc == MC_EINVALID) {
		rc = account_page(req, res, 422, "new", err.ptr, NULL);
		goto out;
	}
	if (rc < 0)
		goto dberr;
	rc = respond_redirect(req, res, 303, "/tai-khoan?da-doi=1");
	goto out;
dberr:
	log_error("password change: %s", err.ptr);
	rc = MC_EDB;
out:
	buf_release(&err);
	return rc;
}

int handle_account_session_revoke(struct http_request *req,
				  struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const struct auth_info *ai = req->auth;
	char *end = NULL;
	const char *id_s = http_param(req, "id");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!ai || !ai->p.user_id || !id_s)
		return MC_ENOTFOUND;
	long long id = strtoll(id_s, &end, 10);
	if (!*id_s || *end || id <= 0)
		return MC_ENOTFOUND;
	struct auth_actor by = auth_actor_of(req);
	/* Only the user's own sessions: another's id is "not found". */
	rc = auth_session_revoke(db, &by, id, ai->p.user_id, now_s(), &err);
	buf_release(&err);
	if (rc == MC_ENOTFOUND)
		return MC_ENOTFOUND;
	if (rc < 0)
		return MC_EDB;
	if (id == ai->session_id) {
		respond_redirect(req, res, 303, "/dang-nhap");
		auth_clear_session_cookie(req, res);
		return 0;
	}
	return respond_redirect(req, res, 303, "/tai-khoan?da-dong=1");
}

/* ---- administration of sessions ----------------------------------------- */

int auth_unit_of_user(struct http_request *req, const char **unit_code)
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
	/* A user without grants is system-wide (unit NULL): "VN" only. */
	*unit_code = NULL;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(u, "grants"), i, g)
	{
		const char *unit = json_string_value(json_object_get(g, "unit"));
		if (!*unit_code || !auth_can(req, ACT_USERS_MANAGE, unit))
			*unit_code = arena_strdup(req->arena, unit);
		if (!auth_can(req, ACT_USERS_MANAGE, unit))
			break;
	}
	json_decref(u);
	return 0;
}

int handle_unit_users(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *list = NULL;
	const char *code = http_param(req, "code");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if ((rc = auth_user_list(db, &list, &err)) < 0) {
		log_error("unit users: %s", err.ptr);
		buf_release(&err);
		return MC_EDB;
	}
	buf_release(&err);
	json_t *items = json_array();
	size_t i, j;
	json_t *u, *g;
	json_array_foreach(json_object_get(list, "items"), i, u)
	{
		json_array_foreach(json_object_get(u, "grants"), j, g)
		{
			const char *unit =
				json_string_value(json_object_get(g, "unit"));
			if (!strcmp(unit, code)) {
				json_array_append(items, u);
				break;
			}
		}
	}
	json_decref(list);
	return respond_view(req, res, 200, "unit_users",
			    json_pack("{s:s, s:s, s:o}", "title",
				      "Người dùng của đơn vị", "unit", code,
				      "items", items));
}

int handle_user_revoke_sessions(struct http_request *req,
				struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int64_t n = 0;
	const char *name = http_param(req, "username");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	struct auth_actor by = auth_actor_of(req);
	rc = auth_sessions_revoke_user(db, &by, name, now_s(), &n, &err);
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("revoke sessions: %s", err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	if (!req->want_json)
		return respond_redirect(req, res, 303, "/quan-tri");
	return respond_view(req, res, 200, "unit_users",
			    json_pack("{s:s, s:I}", "username", name,
				      "sessions_revoked", (json_int_t)n));
}
