/*
 * auth.h - authentication and authorization in the router: who is asking
 * (session cookie or bearer token), whether they may (core/authz.h), CSRF
 * on every state-changing request, and the page model of the logged-in
 * user. Runs before every handler of a route that is not public; handlers
 * never decide access on their own. Never logs a password, token or cookie.
 *
 * What the router does for a route with action != ACT_PUBLIC:
 *   1. Principal: the cookie AUTH_COOKIE holds a session token (lookup by
 *      its SHA-256; idle 30 min, absolute 12 h), or the header
 *      "Authorization: Bearer mct_..." an API token. Neither, or expired:
 *      HTML 303 to /dang-nhap?tiep=PATH (with &het-han=1 when a session
 *      expired), JSON 401 {"error":{"code":"unauthenticated"}}.
 *      A POST whose session expired cannot be replayed after login: the
 *      login page says the session expired, and the browser's back button
 *      still holds what was typed (forms are served no-store only where
 *      they hold secrets, so Back restores the fields).
 *   2. CSRF: a POST/PUT/DELETE with a session must carry the session's
 *      token in the form field "csrf" or the header "X-CSRF-Token"; missing
 *      or wrong: like an expired session (303 to the login page with
 *      &csrf=1, or 403 JSON {"error":{"code":"csrf"}}), logged. Bearer
 *      requests carry no cookie, so they are exempt.
 *   3. The unit (struct route in web/route.h) and authz_can(). Refused:
 *      403 "forbidden" (404 with ROUTE_HIDE), logged with user, action
 *      and unit, and an audit entry "authz.deny".
 *   4. The handler runs with req->auth set. After it, for HTML views the
 *      page model gets (unless the handler set them):
 *	"csrf":    the session's CSRF token (put it in every form:
 *		   <input type="hidden" name="csrf" value="{{csrf}}">)
 *	"me":      {"name","full_name","roles":[{"role","role_label","unit"}],
 *		    "csrf"} (layout.mustache shows it and a logout button)
 *      The JSON twin (API) never gets them.
 * Public routes do not look at the cookie at all: their pages are the same
 * for everyone, so they can be cached.
 *
 * Cookie: "mc_session=TOKEN; Path=/; HttpOnly; SameSite=Lax" (+ "; Secure"
 * when app->public_url starts with https://), without Max-Age (the server
 * decides expiry; the browser drops it when closed).
 */
#ifndef MC_WEB_AUTH_H
#define MC_WEB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz.h"
#include "store/auth_repo.h"
#include "web/http.h"

struct route;
struct http_response;

#define AUTH_COOKIE "mc_session"
/* Pre-login cookie for the login form's own CSRF check (double submit). */
#define AUTH_LOGIN_COOKIE "mc_login"

/* The request's authentication, in req->arena (req->auth). */
struct auth_info {
	struct principal p;
	int64_t session_id;	/* 0 for a bearer token */
	bool via_token;
	char csrf[AUTH_TOKEN_HEX + 1];	/* "" for a bearer token */
};

/*
 * The router's check before the handler of route `r`. Returns true when
 * the handler may run (req->auth set for non-public routes); false when
 * `res` already holds the answer (redirect, 401, 403, 404, 503).
 */
bool auth_before(const struct route *r, struct http_request *req,
		 struct http_response *res);

/*
 * The router's step after the handler: adds "csrf" and "me" to an HTML
 * view's model (see above). Nothing for JSON or raw responses.
 */
void auth_after(struct http_request *req, struct http_response *res);

/* The principal of the request, or NULL (anonymous or a public route). */
const struct principal *auth_principal(const struct http_request *req);

/*
 * authz_can() for the request's principal, with the unit's parent looked up
 * (unit_code NULL: system-wide). For handlers that list what is in scope
 * (rows of other units are left out) and for menus. Database failure:
 * false (and logged).
 */
bool auth_can(struct http_request *req, enum action a, const char *unit_code);

/*
 * The audit actor of the request: the user (id, name) or "token:NAME",
 * with the client address. Strings live as long as the request.
 */
struct auth_actor auth_actor_of(const struct http_request *req);

/*
 * Answers 403 (404 when `hide`) for an action on a unit refused to the
 * request's principal, and logs it (user, action, unit; never secrets).
 * Returns 0, as a respond_*() does.
 */
int auth_deny(struct http_request *req, struct http_response *res,
	      enum action a, const char *unit_code, bool hide);

/* Set-Cookie for a new session (flags above) / for logging out. */
void auth_set_session_cookie(struct http_request *req,
			     struct http_response *res, const char *token);
void auth_clear_session_cookie(struct http_request *req,
			       struct http_response *res);

/* The value of cookie `name` in the request's Cookie header, or NULL
 * (an arena string). */
const char *auth_cookie(const struct http_request *req, const char *name);

/*
 * The admin home (/quan-tri) lists the administration pages that the user
 * may open: one row each, in web/admin_menu.c (add yours there). A row is
 * shown when authz_can_any(principal, action).
 */
struct admin_link {
	const char *href;	/* "/quan-tri/nguoi-dung" */
	const char *label;	/* "Người dùng và phân quyền" */
	const char *hint;	/* one line, or NULL */
	enum action action;
};
extern const struct admin_link admin_links[];	/* ended by a NULL href */

/*
 * The pages of web/h_auth.c (rows in web/routes.c):
 *   GET  /dang-nhap             login form (public)
 *   POST /dang-nhap             log in: fields username, password, tiep,
 *                               login_csrf; 303 to tiep, or the form with
 *                               400/401/429 (throttled: Retry-After)
 *   POST /dang-xuat             log out (CSRF), 303 to /
 *   GET  /quan-tri              admin home: {"links":[{href,label,hint}]}
 *   GET  /tai-khoan             own account: user, sessions
 *   POST /tai-khoan/mat-khau    fields current, new, again; 422 with
 *                               {"error":{"field","message"}}
 *   POST /tai-khoan/phien/{id}/dong   end one of one's own sessions
 */
int handle_login_form(struct http_request *req, struct http_response *res);
int handle_login(struct http_request *req, struct http_response *res);
int handle_logout(struct http_request *req, struct http_response *res);
int handle_admin_home(struct http_request *req, struct http_response *res);
int handle_account(struct http_request *req, struct http_response *res);
int handle_account_password(struct http_request *req,
			    struct http_response *res);
int handle_account_session_revoke(struct http_request *req,
				  struct http_response *res);

/*
 * Administration (ACT_USERS_MANAGE):
 *   GET  /quan-tri/don-vi/{code}/nguoi-dung, /api/v1/units/{code}/users
 *        the users holding a grant on that unit (unit_param "code")
 *   POST /quan-tri/nguoi-dung/{username}/dong-phien,
 *        /api/v1/users/{username}/revoke-sessions
 *        end every session of a user (unit_of auth_unit_of_user,
 *        ROUTE_HIDE: a user out of scope is "not found")
 * auth_unit_of_user() is the route_unit_fn of a user named by the path
 * parameter "username": the unit of one of their grants that the requester
 * does not cover, if any, else of their first grant (so the requester must
 * cover all of them); NULL (system-wide) for a user without grants.
 */
int auth_unit_of_user(struct http_request *req, const char **unit_code);
int handle_unit_users(struct http_request *req, struct http_response *res);
int handle_user_revoke_sessions(struct http_request *req,
				struct http_response *res);

#endif
