/*
 * authz.c - the role -> action matrix and the scope rules of core/authz.h.
 * Pure: no I/O, no clock. The table below is the one in the header; a
 * change to one is a change to both (tests/unit/test_authz.c checks every
 * cell against its own copy).
 */
#include "core/authz.h"

#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

#define A(x) (1u << (x))

/* Actions every role may take on top of its own. */
#define BASE A(ACT_AUTHENTICATED)

static const unsigned matrix[ROLE__COUNT] = {
	[ROLE_ADMIN] = BASE | A(ACT_UNITS_EDIT) | A(ACT_CALENDAR_EDIT) |
		       A(ACT_USERS_MANAGE) | A(ACT_TOKENS_MANAGE) |
		       A(ACT_CATALOG_EDIT) | A(ACT_REPORTS_VIEW) |
		       A(ACT_AUDIT_READ),
	[ROLE_UNIT_ADMIN] = BASE | A(ACT_UNITS_EDIT) | A(ACT_USERS_MANAGE) |
			    A(ACT_REPORTS_VIEW),
	[ROLE_RECEIVER] = BASE | A(ACT_DOSSIER_VIEW) |
			  A(ACT_DOSSIER_RECEIVE) | A(ACT_DOSSIER_RETURN) |
			  A(ACT_PERSONAL_VIEW) | A(ACT_FEEDBACK_HANDLE),
	[ROLE_SPECIALIST] = BASE | A(ACT_DOSSIER_VIEW) |
			    A(ACT_DOSSIER_PROCESS) | A(ACT_PERSONAL_VIEW),
	[ROLE_LEADER] = BASE | A(ACT_DOSSIER_VIEW) | A(ACT_DOSSIER_APPROVE) |
			A(ACT_PERSONAL_VIEW) | A(ACT_REPORTS_VIEW) |
			A(ACT_FEEDBACK_HANDLE),
	[ROLE_INSPECTOR] = BASE | A(ACT_DOSSIER_VIEW) | A(ACT_PERSONAL_VIEW) |
			   A(ACT_REPORTS_VIEW) | A(ACT_AUDIT_READ) |
			   A(ACT_INSPECTION),
	[ROLE_VIEWER] = BASE | A(ACT_DOSSIER_VIEW) | A(ACT_REPORTS_VIEW),
};

static const char *const role_names[ROLE__COUNT] = {
	"admin", "unit_admin", "receiver", "specialist",
	"leader", "inspector", "viewer",
};

static const char *const role_labels[ROLE__COUNT] = {
	"Quản trị tỉnh", "Quản trị đơn vị", "Cán bộ một cửa", "Chuyên viên",
	"Lãnh đạo", "Thanh tra", "Người xem",
};

static const char *const action_names[ACT__COUNT] = {
	"public", "authenticated", "units_edit", "calendar_edit",
	"users_manage", "tokens_manage", "catalog_edit", "reports_view",
	"audit_read", "dossier_view", "dossier_receive", "dossier_process",
	"dossier_approve", "dossier_return", "personal_view", "inspection",
	"feedback_handle",
};

const char *authz_role_name(enum role r)
{
	if ((unsigned)r >= ROLE__COUNT)
		BUG("role %d out of range", (int)r);
	return role_names[r];
}

const char *authz_role_label(enum role r)
{
	if ((unsigned)r >= ROLE__COUNT)
		BUG("role %d out of range", (int)r);
	return role_labels[r];
}

int authz_role_parse(const char *s, enum role *out)
{
	for (int i = 0; s && i < ROLE__COUNT; i++) {
		if (!strcmp(s, role_names[i])) {
			*out = (enum role)i;
			return 0;
		}
	}
	return MC_EINVALID;
}

const char *authz_action_name(enum action a)
{
	if ((unsigned)a >= ACT__COUNT)
		BUG("action %d out of range", (int)a);
	return action_names[a];
}

bool authz_role_allows(enum role r, enum action a)
{
	if ((unsigned)r >= ROLE__COUNT || (unsigned)a >= ACT__COUNT)
		return false;
	return a == ACT_PUBLIC || (matrix[r] & A(a)) != 0;
}

bool authz_covers(const char *grant_unit, const char *unit_code,
		  const char *unit_parent)
{
	if (!grant_unit || !*grant_unit)
		return false;
	if (!strcmp(grant_unit, AUTHZ_UNIT_COUNTRY))
		return true;
	if (!unit_code || !*unit_code)
		return false;	/* system-wide: the country grant only */
	if (!strcmp(grant_unit, unit_code))
		return true;
	return unit_parent && *unit_parent && !strcmp(grant_unit, unit_parent);
}

bool authz_can(const struct principal *p, enum action a,
	       const char *unit_code, const char *unit_parent)
{
	if (a == ACT_PUBLIC)
		return true;
	if (!p || (unsigned)a >= ACT__COUNT)
		return false;
	for (int i = 0; i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, a))
			continue;
		if (a == ACT_AUTHENTICATED ||
		    authz_covers(g->unit, unit_code, unit_parent))
			return true;
	}
	return false;
}

bool authz_can_any(const struct principal *p, enum action a)
{
	if (a == ACT_PUBLIC)
		return true;
	if (!p)
		return false;
	for (int i = 0; i < p->n_grants; i++)
		if (authz_role_allows(p->grants[i].role, a))
			return true;
	return false;
}

bool authz_can_grant(const struct principal *p, enum role role,
		     const char *unit_code, const char *unit_parent)
{
	if (!p || (unsigned)role >= ROLE__COUNT)
		return false;
	for (int i = 0; i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_USERS_MANAGE) ||
		    !authz_covers(g->unit, unit_code, unit_parent))
			continue;
		/* A unit administrator hands out the officer roles only. */
		if (g->role == ROLE_UNIT_ADMIN &&
		    (role == ROLE_ADMIN || role == ROLE_UNIT_ADMIN))
			continue;
		return true;
	}
	return false;
}

bool authz_add_grant(struct principal *p, enum role r, const char *unit)
{
	if (p->n_grants >= AUTHZ_MAX_GRANTS || !unit ||
	    strlen(unit) >= AUTHZ_UNIT_MAX || (unsigned)r >= ROLE__COUNT)
		return false;
	struct authz_grant *g = &p->grants[p->n_grants++];
	g->role = r;
	memcpy(g->unit, unit, strlen(unit) + 1);
	return true;
}

int64_t authz_throttle_delay(int64_t failures, bool per_address)
{
	int64_t free_tries = per_address ? 19 : 4;
	const int64_t first = 15, cap = 15 * 60;
	if (failures <= free_tries)
		return 0;
	int64_t delay = first;
	for (int64_t n = failures - free_tries - 1; n > 0 && delay < cap; n--)
		delay *= 2;
	return delay < cap ? delay : cap;
}
