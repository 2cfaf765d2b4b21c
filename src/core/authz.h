/*
 * authz.h - who may do what, where: roles, actions, the role -> action
 * matrix and the one decision function authz_can(). Pure: no I/O, no clock.
 * Every route declares its action (web/route.h) and the router asks
 * authz_can() before the handler runs; no handler decides on its own.
 * Also the login throttle's delay policy (a pure function of a count).
 */
#ifndef MC_CORE_AUTHZ_H
#define MC_CORE_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Roles. The text names are stable (stored in role_grants.role and
 * api_tokens.role, given to `motcua user add --role`): never rename one.
 */
enum role {
	ROLE_ADMIN = 0,		/* "admin": quản trị tỉnh (province admin) */
	ROLE_UNIT_ADMIN,	/* "unit_admin": quản trị đơn vị */
	ROLE_RECEIVER,		/* "receiver": cán bộ một cửa (tiếp nhận) */
	ROLE_SPECIALIST,	/* "specialist": chuyên viên xử lý */
	ROLE_LEADER,		/* "leader": lãnh đạo (phê duyệt) */
	ROLE_INSPECTOR,		/* "inspector": thanh tra, Sở Nội vụ */
	ROLE_VIEWER,		/* "viewer": xem báo cáo, hồ sơ (chỉ đọc) */
	ROLE__COUNT
};

/*
 * Actions: what the system does now and in the next issues. ACT_PUBLIC is
 * 0 so that a route row without an action is public.
 */
enum action {
	ACT_PUBLIC = 0,		/* anyone, no login */
	ACT_AUTHENTICATED,	/* any logged-in user (own account, admin home) */
	ACT_UNITS_EDIT,		/* units, desks, office hours of a desk */
	ACT_CALENDAR_EDIT,	/* days off / make-up days (national: unit NULL) */
	ACT_USERS_MANAGE,	/* users and their role grants */
	ACT_TOKENS_MANAGE,	/* API tokens of integrations */
	ACT_CATALOG_EDIT,	/* procedures and their versions */
	ACT_REPORTS_VIEW,	/* statistics, dashboards, rankings */
	ACT_AUDIT_READ,		/* the audit trail */
	ACT_DOSSIER_VIEW,	/* read dossiers (without personal data) */
	ACT_DOSSIER_RECEIVE,	/* receive at the counter, accept online ones */
	ACT_DOSSIER_PROCESS,	/* specialist's steps, supplement requests */
	ACT_DOSSIER_APPROVE,	/* leader's approval, refusal, apology */
	ACT_DOSSIER_RETURN,	/* hand back the result */
	ACT_PERSONAL_VIEW,	/* open an applicant's personal data (audited) */
	ACT_INSPECTION,		/* inspections, PAR scorecards */
	ACT_FEEDBACK_HANDLE,	/* (issue 6) feedback and complaints
				 * (phản ánh, kiến nghị): refuse, ask for
				 * more information, answer, publish */
	ACT__COUNT
};

/*
 * The matrix (authz.c holds the same table; tests/unit/test_authz.c checks
 * every cell). x: allowed within the grant's scope.
 *
 *   action            admin unit_admin receiver specialist leader inspector viewer
 *   authenticated       x       x         x         x        x       x        x
 *   units_edit          x       x
 *   calendar_edit       x
 *   users_manage        x       x (1)
 *   tokens_manage       x
 *   catalog_edit        x
 *   reports_view        x       x                            x       x        x
 *   audit_read          x                                            x
 *   dossier_view                          x         x        x       x        x
 *   dossier_receive                       x
 *   dossier_process                                 x
 *   dossier_approve                                          x
 *   dossier_return                        x
 *   personal_view                         x         x        x       x
 *   inspection                                                       x
 *   feedback_handle                       x                  x
 *
 * (1) a unit administrator grants only the roles receiver .. viewer, never
 *     admin or unit_admin (authz_can_grant()).
 * Administrators configure; they do not handle dossiers (separation of
 * duties). A user who needs both holds two grants.
 * feedback_handle (issue 6): the one-stop section is where citizens
 * bring feedback and the head of the unit answers for the unit, so the
 * receivers (who log, refuse or ask for more information) and the leaders
 * (who sign the answer) of the unit handle it; QĐ 766/QĐ-TTg group 5
 * counts the answer against the unit. The basis of this split (NĐ
 * 20/2008/NĐ-CP on phản ánh, kiến nghị) is not in our research:
 * UNCONFIRMED, a matrix choice. Specialists draft outside the system;
 * inspectors read the audit trail; administrators and viewers do not
 * handle it (separation of duties, as above).
 *
 * Scope. A grant names a unit code of the 2025 list, or "VN":
 *   "VN"       the whole country, and system-wide objects (unit NULL: the
 *              national calendar, the catalog, tokens not tied to a unit);
 *   province   the province itself and every commune whose parent it is;
 *   commune    that commune (its desk) only.
 * An object's unit is given with its parent (a commune's parent is its
 * province; a province's parent is NULL or ""). `motcua user add` gives
 * the first administrator the unit they name; a national administrator
 * gets --unit VN.
 */

#define AUTHZ_UNIT_COUNTRY "VN"
#define AUTHZ_MAX_GRANTS 32
#define AUTHZ_UNIT_MAX 16	/* unit codes are 2 or 5 digits, or "VN" */

struct authz_grant {
	enum role role;
	char unit[AUTHZ_UNIT_MAX];
};

/*
 * Who is asking: a user (user_id > 0) or an API token (token_id > 0, one
 * grant). Fixed size, no pointers: copied freely, lives where it is put.
 */
struct principal {
	int64_t user_id;
	int64_t token_id;
	char name[72];		/* username, or "token:NAME" */
	char full_name[128];	/* "" for tokens */
	int n_grants;
	struct authz_grant grants[AUTHZ_MAX_GRANTS];
};

/* "admin", "unit_admin", ...; BUG() on an out-of-range value. */
const char *authz_role_name(enum role r);
/* Vietnamese label for pages: "Quản trị tỉnh", "Cán bộ một cửa", ... */
const char *authz_role_label(enum role r);
/* The role named `s` into *out: 0, or MC_EINVALID for an unknown name. */
int authz_role_parse(const char *s, enum role *out);
/* "public", "authenticated", "units_edit", ... (for logs and audit). */
const char *authz_action_name(enum action a);

/* Whether the matrix lets role `r` do `a` (scope aside). */
bool authz_role_allows(enum role r, enum action a);

/*
 * Whether a grant on `grant_unit` covers an object of unit `unit_code`
 * whose parent is `unit_parent` (NULL or "" for a province). unit_code
 * NULL (a system-wide object) is covered by "VN" only.
 */
bool authz_covers(const char *grant_unit, const char *unit_code,
		  const char *unit_parent);

/*
 * The decision. ACT_PUBLIC: always true. Otherwise p NULL (anonymous):
 * false. ACT_AUTHENTICATED: any principal with at least one grant. Else
 * true when some grant of p has a role allowing `a` and covers the unit.
 */
bool authz_can(const struct principal *p, enum action a,
	       const char *unit_code, const char *unit_parent);

/*
 * Whether p may do `a` somewhere (for pages that list what is in scope and
 * filter each row with authz_can(); for menus).
 */
bool authz_can_any(const struct principal *p, enum action a);

/*
 * Whether p may give (or take away) a grant of `role` on `unit_code`
 * (parent `unit_parent`): p may manage users there (ACT_USERS_MANAGE
 * covering the unit), and a unit administrator may only grant the roles
 * receiver .. viewer. Tokens: ACT_TOKENS_MANAGE covering the unit.
 */
bool authz_can_grant(const struct principal *p, enum role role,
		     const char *unit_code, const char *unit_parent);

/* Adds a grant to p; false when AUTHZ_MAX_GRANTS are held already or the
 * unit code is too long (the grant is then not added). */
bool authz_add_grant(struct principal *p, enum role r, const char *unit);

/*
 * Login throttle policy: the delay in seconds before the next attempt after
 * `failures` consecutive failures, for an account (per_address false) or a
 * client address (true; looser, since many officers share one NAT address).
 * Account: 0 for the first 4 failures, then 15 s doubling per failure, at
 * most 15 minutes. Address: 0 for the first 19, then the same growth.
 */
int64_t authz_throttle_delay(int64_t failures, bool per_address);

#endif
