/*
 * test_authz.c - the role x action matrix of core/authz.h, cell by cell,
 * each in scope (own commune, a commune of the granted province), out of
 * scope (a neighbouring commune, another province's commune, the province
 * itself for a commune grant) and system-wide; grants, names, throttle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/authz.h"
#include "util/err.h"

/* The expected matrix, written out again from the header's table. */
static const char *const expect[ACT__COUNT] = {
	/* columns: admin unit_admin receiver specialist leader inspector
	 * viewer */
	[ACT_PUBLIC] = "xxxxxxx",
	[ACT_AUTHENTICATED] = "xxxxxxx",
	[ACT_UNITS_EDIT] = "xx.....",
	[ACT_CALENDAR_EDIT] = "x......",
	[ACT_USERS_MANAGE] = "xx.....",
	[ACT_TOKENS_MANAGE] = "x......",
	[ACT_CATALOG_EDIT] = "x......",
	[ACT_REPORTS_VIEW] = "xx..xxx",
	[ACT_AUDIT_READ] = "x....x.",
	[ACT_DOSSIER_VIEW] = "..xxxxx",
	[ACT_DOSSIER_RECEIVE] = "..x....",
	[ACT_DOSSIER_PROCESS] = "...x...",
	[ACT_DOSSIER_APPROVE] = "....x..",
	[ACT_DOSSIER_RETURN] = "..x....",
	[ACT_PERSONAL_VIEW] = "..xxxx.",
	[ACT_INSPECTION] = ".....x.",
	/* receivers log and route, leaders answer (authz.h says why) */
	[ACT_FEEDBACK_HANDLE] = "..x.x..",
};

/* Province 24 with communes 10000 and 10001; province 01 with 00004. */
struct place {
	const char *name, *code, *parent;
};
static const struct place own_commune = { "own commune", "10000", "24" };
static const struct place sibling = { "sibling commune", "10001", "24" };
static const struct place province = { "own province", "24", "" };
static const struct place other_commune = { "other province's commune",
					    "00004", "01" };
static const struct place other_province = { "other province", "01", NULL };
static const struct place system_wide = { "system-wide", NULL, NULL };

static struct principal one(enum role r, const char *unit)
{
	struct principal p;
	memset(&p, 0, sizeof(p));
	p.user_id = 1;
	assert_true(authz_add_grant(&p, r, unit));
	return p;
}

static void check(const struct principal *p, enum action a,
		  const struct place *pl, bool want, const char *why)
{
	bool got = authz_can(p, a, pl->code, pl->parent);
	if (got != want)
		fail_msg("%s: %s on %s (%s): got %d want %d", why,
			 authz_action_name(a), pl->name,
			 pl->code ? pl->code : "NULL", got, want);
}

/* Every role x action with a commune grant on 10000. */
static void test_matrix_commune_grant(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct principal p = one((enum role)r, "10000");
		for (int a = 0; a < ACT__COUNT; a++) {
			bool allowed = expect[a][r] == 'x';
			assert_int_equal(authz_role_allows((enum role)r,
							   (enum action)a),
					 allowed || a == ACT_PUBLIC);
			/* Public and "authenticated" are not scoped. */
			bool unscoped = a == ACT_PUBLIC ||
					a == ACT_AUTHENTICATED;
			const char *why = authz_role_name((enum role)r);
			check(&p, a, &own_commune, allowed, why);
			check(&p, a, &sibling, allowed && unscoped, why);
			check(&p, a, &province, allowed && unscoped, why);
			check(&p, a, &other_commune, allowed && unscoped,
			      why);
			check(&p, a, &system_wide, allowed && unscoped, why);
		}
	}
}

/* Every role x action with a province grant on 24. */
static void test_matrix_province_grant(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct principal p = one((enum role)r, "24");
		for (int a = 0; a < ACT__COUNT; a++) {
			bool allowed = expect[a][r] == 'x';
			bool unscoped = a == ACT_PUBLIC ||
					a == ACT_AUTHENTICATED;
			const char *why = authz_role_name((enum role)r);
			check(&p, a, &own_commune, allowed, why);
			check(&p, a, &sibling, allowed, why);
			check(&p, a, &province, allowed, why);
			check(&p, a, &other_commune, allowed && unscoped,
			      why);
			check(&p, a, &other_province, allowed && unscoped,
			      why);
			check(&p, a, &system_wide, allowed && unscoped, why);
		}
	}
}

/* A grant on "VN" covers everything, system-wide objects included. */
static void test_matrix_country_grant(void **state)
{
	(void)state;
	static const struct place *all[] = { &own_commune, &sibling,
					     &province, &other_commune,
					     &other_province, &system_wide };
	for (int r = 0; r < ROLE__COUNT; r++) {
		struct principal p = one((enum role)r, AUTHZ_UNIT_COUNTRY);
		for (int a = 0; a < ACT__COUNT; a++)
			for (size_t i = 0; i < 6; i++)
				check(&p, a, all[i], expect[a][r] == 'x',
				      authz_role_name((enum role)r));
	}
}

static void test_anonymous_and_multi(void **state)
{
	(void)state;
	for (int a = 0; a < ACT__COUNT; a++)
		assert_int_equal(authz_can(NULL, a, "10000", "24"),
				 a == ACT_PUBLIC);
	/* No grant at all: not even "authenticated". */
	struct principal none;
	memset(&none, 0, sizeof(none));
	assert_false(authz_can(&none, ACT_AUTHENTICATED, NULL, NULL));
	assert_false(authz_can_any(&none, ACT_DOSSIER_VIEW));

	/* Receiver in 10000 and leader in 10001: each role where granted. */
	struct principal p = one(ROLE_RECEIVER, "10000");
	assert_true(authz_add_grant(&p, ROLE_LEADER, "10001"));
	assert_true(authz_can(&p, ACT_DOSSIER_RECEIVE, "10000", "24"));
	assert_false(authz_can(&p, ACT_DOSSIER_RECEIVE, "10001", "24"));
	assert_true(authz_can(&p, ACT_DOSSIER_APPROVE, "10001", "24"));
	assert_false(authz_can(&p, ACT_DOSSIER_APPROVE, "10000", "24"));
	assert_true(authz_can_any(&p, ACT_DOSSIER_APPROVE));
	assert_false(authz_can_any(&p, ACT_USERS_MANAGE));

	/* A guessed unit code that is a prefix or extension does not match. */
	struct principal q = one(ROLE_ADMIN, "24");
	assert_false(authz_can(&q, ACT_UNITS_EDIT, "2", NULL));
	assert_false(authz_can(&q, ACT_UNITS_EDIT, "240", NULL));
	assert_false(authz_can(&q, ACT_UNITS_EDIT, "", ""));
	/* An unknown action value is refused. */
	assert_false(authz_can(&q, (enum action)ACT__COUNT, "24", NULL));

	/* Grants are bounded. */
	struct principal full;
	memset(&full, 0, sizeof(full));
	for (int i = 0; i < AUTHZ_MAX_GRANTS; i++)
		assert_true(authz_add_grant(&full, ROLE_VIEWER, "24"));
	assert_false(authz_add_grant(&full, ROLE_VIEWER, "24"));
	assert_false(authz_add_grant(&none, ROLE_VIEWER,
				     "0123456789abcdefXYZ"));
}

static void test_can_grant(void **state)
{
	(void)state;
	struct principal admin = one(ROLE_ADMIN, "24");
	struct principal uadmin = one(ROLE_UNIT_ADMIN, "10000");
	struct principal leader = one(ROLE_LEADER, "24");
	const struct {
		const struct principal *p;
		enum role role;
		const char *unit, *parent;
		bool want;
	} rows[] = {
		{ &admin, ROLE_ADMIN, "24", "", true },
		{ &admin, ROLE_UNIT_ADMIN, "10000", "24", true },
		{ &admin, ROLE_RECEIVER, "00004", "01", false },
		{ &admin, ROLE_ADMIN, "VN", "", false },
		{ &admin, ROLE_ADMIN, NULL, NULL, false },
		{ &uadmin, ROLE_RECEIVER, "10000", "24", true },
		{ &uadmin, ROLE_VIEWER, "10000", "24", true },
		{ &uadmin, ROLE_UNIT_ADMIN, "10000", "24", false },
		{ &uadmin, ROLE_ADMIN, "10000", "24", false },
		{ &uadmin, ROLE_RECEIVER, "10001", "24", false },
		{ &uadmin, ROLE_RECEIVER, "24", "", false },
		{ &leader, ROLE_RECEIVER, "10000", "24", false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (authz_can_grant(rows[i].p, rows[i].role, rows[i].unit,
				    rows[i].parent) != rows[i].want)
			fail_msg("row %zu", i);
	assert_false(authz_can_grant(NULL, ROLE_VIEWER, "10000", "24"));
}

static void test_names(void **state)
{
	(void)state;
	static const char *names[] = { "admin", "unit_admin", "receiver",
				       "specialist", "leader", "inspector",
				       "viewer" };
	for (int r = 0; r < ROLE__COUNT; r++) {
		enum role got;
		assert_string_equal(authz_role_name((enum role)r), names[r]);
		assert_int_equal(authz_role_parse(names[r], &got), 0);
		assert_int_equal(got, r);
		assert_true(strlen(authz_role_label((enum role)r)) > 0);
	}
	enum role x;
	assert_int_equal(authz_role_parse("Admin", &x), MC_EINVALID);
	assert_int_equal(authz_role_parse("", &x), MC_EINVALID);
	assert_int_equal(authz_role_parse(NULL, &x), MC_EINVALID);
	assert_string_equal(authz_action_name(ACT_DOSSIER_APPROVE),
			    "dossier_approve");
	assert_string_equal(authz_action_name(ACT_INSPECTION), "inspection");
	assert_string_equal(authz_action_name(ACT_FEEDBACK_HANDLE),
			    "feedback_handle");
}

static void test_throttle_delay(void **state)
{
	(void)state;
	static const struct {
		int64_t failures;
		bool per_address;
		int64_t want;
	} rows[] = {
		{ 0, false, 0 },   { 4, false, 0 },	{ 5, false, 15 },
		{ 6, false, 30 },  { 7, false, 60 },	{ 10, false, 480 },
		{ 11, false, 900 }, { 1000, false, 900 }, { 19, true, 0 },
		{ 20, true, 15 },  { 21, true, 30 },	{ 100, true, 900 },
		{ -3, false, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (authz_throttle_delay(rows[i].failures,
					 rows[i].per_address) != rows[i].want)
			fail_msg("row %zu: got %lld", i,
				 (long long)authz_throttle_delay(
					 rows[i].failures,
					 rows[i].per_address));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_commune_grant),
		cmocka_unit_test(test_matrix_province_grant),
		cmocka_unit_test(test_matrix_country_grant),
		cmocka_unit_test(test_anonymous_and_multi),
		cmocka_unit_test(test_can_grant),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_throttle_delay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
