/*
 * routes.c - the routing table of the site: one row per route, tried in
 * order (see "How to add a page" in web/route.h). Literal paths before
 * patterns that would also match them.
 */
#include "web/route.h"

#include "web/auth.h"
#include "web/handlers.h"

const struct route web_routes[] = {
	/* System (web/h_system.c). */
	{ HTTP_GET, "/healthz", handle_healthz, 0 },
	{ HTTP_GET, "/metrics", handle_metrics, 0 },
	{ HTTP_GET, "/static/{path...}", handle_static, 0 },
	{ HTTP_GET, "/favicon.ico", handle_favicon, 0 },
	{ HTTP_GET, "/robots.txt", handle_robots, 0 },

	/* Public pages (engineer "pages"): add rows below. */
	{ HTTP_GET, "/", handle_home, 0 },
	{ HTTP_GET, "/thu-tuc", handle_search, 0 },
	{ HTTP_GET, "/thu-tuc/{code}", handle_procedure, 0 },
	{ HTTP_GET, "/t/{code}", handle_short, 0 },
	{ HTTP_GET, "/don-vi/{code}", handle_unit, 0 },
	{ HTTP_GET, "/don-vi/{code}/bang-qr", handle_board, 0 },
	{ HTTP_GET, "/qr/t/{code}.svg", handle_qr_svg, 0 },
	{ HTTP_GET, "/qr/t/{code}.png", handle_qr_png, 0 },
	{ HTTP_GET, "/api/v1/procedures", handle_search, 0 },
	{ HTTP_GET, "/api/v1/procedures/{code}", handle_procedure, 0 },
	{ HTTP_GET, "/api/v1/units/{code}", handle_unit, 0 },
	{ HTTP_GET, "/api/v1/units/{code}/board", handle_board, 0 },

	/* Legal working time (web/h_calendar.c, engineer "calweb"). */
	{ HTTP_GET, "/lich-lam-viec", handle_calendar_page, 0 },
	{ HTTP_GET, "/don-vi/{code}/lich-lam-viec", handle_calendar_page, 0 },
	{ HTTP_GET, "/api/v1/calendar/lunar", handle_api_calendar_lunar, 0 },
	{ HTTP_GET, "/api/v1/calendar/solar", handle_api_calendar_solar, 0 },
	{ HTTP_GET, "/api/v1/calendar/days-off", handle_api_calendar_days_off, 0 },
	{ HTTP_GET, "/api/v1/calendar/due", handle_api_calendar_due, 0 },
	{ HTTP_GET, "/api/v1/calendar/between", handle_api_calendar_between, 0 },

	/* Accounts and sessions (web/h_auth.c, engineer "auth"). */
	{ HTTP_GET, "/dang-nhap", handle_login_form, 0 },
	{ HTTP_POST, "/dang-nhap", handle_login, 16384 },
	{ HTTP_POST, "/dang-xuat", handle_logout, 4096, ACT_AUTHENTICATED },
	{ HTTP_GET, "/quan-tri", handle_admin_home, 0, ACT_AUTHENTICATED },
	{ HTTP_GET, "/tai-khoan", handle_account, 0, ACT_AUTHENTICATED },
	{ HTTP_POST, "/tai-khoan/mat-khau", handle_account_password, 16384,
	  ACT_AUTHENTICATED },
	{ HTTP_POST, "/tai-khoan/phien/{id}/dong",
	  handle_account_session_revoke, 4096, ACT_AUTHENTICATED },
	{ HTTP_GET, "/api/v1/me", handle_account, 0, ACT_AUTHENTICATED },
	{ HTTP_GET, "/quan-tri/don-vi/{code}/nguoi-dung", handle_unit_users, 0,
	  ACT_USERS_MANAGE, "code" },
	{ HTTP_GET, "/api/v1/units/{code}/users", handle_unit_users, 0,
	  ACT_USERS_MANAGE, "code" },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/dong-phien",
	  handle_user_revoke_sessions, 4096, ACT_USERS_MANAGE, NULL,
	  auth_unit_of_user, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/users/{username}/revoke-sessions",
	  handle_user_revoke_sessions, 4096, ACT_USERS_MANAGE, NULL,
	  auth_unit_of_user, ROUTE_HIDE },

	/* The audit trail (web/h_audit.c, engineer "audit"): never public;
	 * the handler shows only the units the reader's grants cover. */
	{ HTTP_GET, "/quan-tri/nhat-ky", handle_audit, 0, ACT_AUDIT_READ },
	{ HTTP_GET, "/api/v1/audit", handle_audit, 0, ACT_AUDIT_READ },

	/* Users, grants and API tokens (web/h_admin_users.c, engineer
	 * "admin-users"). Lists show only what is in scope; a user is in
	 * scope when one of their grants is (_view), changing the account
	 * itself needs all of them (_account); the handlers add
	 * authz_can_grant() for the role and unit of a grant. */
	{ HTTP_GET, "/quan-tri/nguoi-dung", handle_admin_users, 0,
	  ACT_USERS_MANAGE },
	{ HTTP_GET | HTTP_POST, "/quan-tri/nguoi-dung/moi",
	  handle_admin_user_new, 16384, ACT_USERS_MANAGE },
	{ HTTP_GET, "/quan-tri/nguoi-dung/{username}", handle_admin_user, 0,
	  ACT_USERS_MANAGE, NULL, admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}", handle_admin_user_edit,
	  16384, ACT_USERS_MANAGE, NULL, admin_unit_of_user_account,
	  ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/khoa",
	  handle_admin_user_disable, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/mo-khoa",
	  handle_admin_user_enable, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/mat-khau",
	  handle_admin_user_password, 16384, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/dong-moi-phien",
	  handle_admin_user_sessions, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/quyen",
	  handle_admin_grant_add, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_POST, "/quan-tri/nguoi-dung/{username}/quyen/xoa",
	  handle_admin_grant_remove, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_GET, "/quan-tri/token", handle_admin_tokens, 0,
	  ACT_TOKENS_MANAGE },
	{ HTTP_GET | HTTP_POST, "/quan-tri/token/moi", handle_admin_token_new,
	  4096, ACT_TOKENS_MANAGE },
	{ HTTP_POST, "/quan-tri/token/{name}/thu-hoi",
	  handle_admin_token_revoke, 4096, ACT_TOKENS_MANAGE, NULL,
	  admin_unit_of_token, ROUTE_HIDE },
	{ HTTP_GET, "/api/v1/admin/users", handle_admin_users, 0,
	  ACT_USERS_MANAGE },
	{ HTTP_POST, "/api/v1/admin/users", handle_admin_user_new, 16384,
	  ACT_USERS_MANAGE },
	{ HTTP_GET, "/api/v1/admin/users/{username}", handle_admin_user, 0,
	  ACT_USERS_MANAGE, NULL, admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_POST | HTTP_PUT, "/api/v1/admin/users/{username}",
	  handle_admin_user_edit, 16384, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/disable",
	  handle_admin_user_disable, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/enable",
	  handle_admin_user_enable, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/password",
	  handle_admin_user_password, 16384, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/revoke-sessions",
	  handle_admin_user_sessions, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_account, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/grants",
	  handle_admin_grant_add, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_POST, "/api/v1/admin/users/{username}/grants/remove",
	  handle_admin_grant_remove, 4096, ACT_USERS_MANAGE, NULL,
	  admin_unit_of_user_view, ROUTE_HIDE },
	{ HTTP_GET, "/api/v1/admin/tokens", handle_admin_tokens, 0,
	  ACT_TOKENS_MANAGE },
	{ HTTP_POST, "/api/v1/admin/tokens", handle_admin_token_new, 4096,
	  ACT_TOKENS_MANAGE },
	{ HTTP_POST, "/api/v1/admin/tokens/{name}/revoke",
	  handle_admin_token_revoke, 4096, ACT_TOKENS_MANAGE, NULL,
	  admin_unit_of_token, ROUTE_HIDE },

	{ 0, NULL, NULL, 0 },
};
