/*
 * auth_repo.h - accounts, role grants, sessions, API tokens and the login
 * throttle in the database (migrations/0003_auth.sql). Secrets are never
 * stored in clear: passwords as argon2id strings (libsodium
 * crypto_pwhash_str, "interactive" limits: 64 MiB, 2 passes), session and
 * API tokens as the hex SHA-256 of the random token (a key lookup, not a
 * password: 256 random bits need no slow hash). Never logs a secret.
 * Changes append their audit entry (store/audit.h) in the same transaction.
 * Time is always a parameter ("now"); this module never reads the clock.
 */
#ifndef MC_STORE_AUTH_REPO_H
#define MC_STORE_AUTH_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/authz.h"
#include "core/mctime.h"
#include "store/db.h"
#include "util/buf.h"

/* Session lifetime: 30 minutes idle, 12 hours from login at most. */
#define AUTH_SESSION_IDLE_S (30 * 60)
#define AUTH_SESSION_MAX_S (12 * 3600)
/* last_seen is written at most once a minute (not on every request). */
#define AUTH_TOUCH_EVERY_S 60

/* 32 random bytes as 64 hex digits (sessions); tokens get a "mct_" prefix
 * so that secret scanners recognise them: 68 characters. */
#define AUTH_TOKEN_HEX 64
#define AUTH_TOKEN_BUF 72
#define AUTH_PASSWORD_MIN 10	/* characters (UTF-8 code points) */
#define AUTH_PASSWORD_MAX 512	/* bytes */

/*
 * Who makes a change, for the audit trail: a user (id > 0, name), the
 * command line (id 0, "system"), with the client address or NULL.
 */
struct auth_actor {
	int64_t id;
	const char *name;
	const char *client;
};

/* ---- password policy ---------------------------------------------------- */

/*
 * Checks a new password: at least AUTH_PASSWORD_MIN characters, at most
 * AUTH_PASSWORD_MAX bytes, valid UTF-8, not in data/common-passwords.txt
 * (case-insensitive), not containing the username (case-insensitive).
 * 0, or MC_EINVALID with the reason in Vietnamese in err (for the form).
 */
int auth_password_policy(const char *username, const char *password,
			 struct buf *err);

/* Usernames: 3-32 of [a-z0-9._-], starting with a letter or digit.
 * 0 or MC_EINVALID (reason in Vietnamese). */
int auth_username_check(const char *username, struct buf *err);

/* ---- users and grants --------------------------------------------------- */

/*
 * Creates a user with one first grant (role on unit), after the username,
 * password and unit checks. *id_out (may be NULL) gets users.id. Errors:
 * MC_EINVALID (reason: field and why), MC_ECONFLICT (the username exists),
 * MC_EDB. One transaction: nothing is half-written.
 */
int auth_user_create(struct db *db, const struct auth_actor *by,
		     const char *username, const char *full_name,
		     const char *password, enum role role, const char *unit,
		     mc_time now, int64_t *id_out, struct buf *err);

/*
 * Sets a new password (policy checked) and revokes every session of the
 * user except `keep_session_id` (0: all). MC_ENOTFOUND for no such user.
 */
int auth_user_passwd(struct db *db, const struct auth_actor *by,
		     const char *username, const char *password,
		     int64_t keep_session_id, mc_time now, struct buf *err);

/* Disables (or re-enables) a user; disabling revokes all their sessions.
 * MC_ENOTFOUND for no such user. */
int auth_user_set_disabled(struct db *db, const struct auth_actor *by,
			   const char *username, bool disabled, mc_time now,
			   struct buf *err);

/*
 * One user: {"id","username","full_name","disabled","created_at",
 * "version","grants":[{"role","role_label","unit","unit_name"}]};
 * MC_ENOTFOUND. "version" (added by admin-users) is the integer that
 * auth_user_update() checks.
 * No secret is ever part of a model.
 */
int auth_user_get(struct db *db, const char *username, json_t **out,
		  struct buf *err);

/* Every user, by username: {"items":[user...],"total":n}. */
int auth_user_list(struct db *db, json_t **out, struct buf *err);

/*
 * Checks a password. 0 with *user_id set when the user exists, is enabled
 * and the password matches; MC_EFORBIDDEN otherwise (unknown user, wrong
 * password, disabled: the caller cannot and must not tell which; the time
 * taken is about the same: an unknown user still costs one argon2id
 * verification). MC_EDB.
 */
int auth_password_verify(struct db *db, const char *username,
			 const char *password, int64_t *user_id,
			 struct buf *err);

/*
 * Adds a grant (idempotent: an existing one is kept). The unit must be
 * "VN" or a code of the 2025 list (MC_EINVALID, reason). MC_ENOTFOUND for
 * no such user.
 */
int auth_grant_add(struct db *db, const struct auth_actor *by,
		   const char *username, enum role role, const char *unit,
		   mc_time now, struct buf *err);
/* Removes a grant; MC_ENOTFOUND when the user does not hold it. */
int auth_grant_remove(struct db *db, const struct auth_actor *by,
		      const char *username, enum role role, const char *unit,
		      mc_time now, struct buf *err);

/*
 * The parent of a unit of the 2025 list into `parent` ("" for a province
 * and for "VN"). 0, MC_ENOTFOUND (no such unit), MC_EDB.
 */
int auth_unit_parent(struct db *db, const char *code,
		     char parent[AUTHZ_UNIT_MAX], struct buf *err);

/* ---- administration of users (web/h_admin_users.c) ------------------- */

/*
 * (added by admin-users) What the users page lists. A user is in scope when
 * one of their grants is on a unit of `scope` or on a commune whose parent
 * is one of them; scope NULL lists every user (a grant on "VN", the command
 * line); n_scope 0 with a scope lists nobody. Users without any grant are
 * listed only with scope NULL.
 */
enum auth_user_status {
	AUTH_USERS_ALL = 0,
	AUTH_USERS_ACTIVE,
	AUTH_USERS_DISABLED,
};

struct auth_user_filter {
	/* Words that must all appear in the username or the full name,
	 * insensitive to case and diacritics ("nguyen lan" finds "Nguyễn
	 * Thị Lan"); NULL or "": no filter. */
	const char *query;
	enum auth_user_status status;
	const char *const *scope;	/* unit codes, or NULL: everyone */
	int n_scope;			/* 0 .. AUTHZ_MAX_GRANTS */
	int page, per_page;	/* page from 1; per_page 1..200 (0: 50) */
};

/*
 * The users matching f, by username: {"items":[user...],"total","page",
 * "per_page","pages"} where a user is as in auth_user_get() plus
 * "last_login" (ISO 8601 in UTC+7 of the newest "login.ok" entry of the
 * audit trail, the durable record of logins, or null). MC_EINVALID for a
 * page, per_page or scope out of range, or a query that is not UTF-8.
 */
int auth_user_search(struct db *db, const struct auth_user_filter *f,
		     json_t **out, struct buf *err);

/*
 * (added by admin-users) Sets the full name (NFC, at most 200 bytes, may be
 * empty) of a user, audited as "user.update" with before and after.
 * `version` is the "version" of the user's model that the form was read
 * at (optimistic check): when the user changed since, MC_ECONFLICT with
 * the reason and nothing is written. Each change of a user (name,
 * password, disabled) makes the version grow. MC_ENOTFOUND, MC_EINVALID.
 */
int auth_user_update(struct db *db, const struct auth_actor *by,
		     const char *username, const char *full_name,
		     int64_t version, mc_time now, struct buf *err);

/*
 * (added by admin-users) The variants of auth_grant_remove() and
 * auth_user_set_disabled() for the administration pages: they also refuse
 * (MC_ECONFLICT, reason in Vietnamese, nothing written) to leave a
 * province, or the country ("VN"), without an enabled user holding the
 * "admin" role on it. The check and the change run in one transaction,
 * with the rows of that unit's administrators locked, so two
 * administrators removing each other at once cannot both succeed. The
 * command line keeps the unguarded functions (it is the way back in).
 */
int auth_grant_remove_guarded(struct db *db, const struct auth_actor *by,
			      const char *username, enum role role,
			      const char *unit, mc_time now, struct buf *err);
int auth_user_set_disabled_guarded(struct db *db, const struct auth_actor *by,
				   const char *username, bool disabled,
				   mc_time now, struct buf *err);

/* Fills p from the user's row and grants (a disabled user: MC_ENOTFOUND). */
int auth_principal_load(struct db *db, int64_t user_id, struct principal *p,
			struct buf *err);

/* ---- sessions ----------------------------------------------------------- */

/*
 * Opens a session for user_id: makes a 256-bit random token (hex into
 * `token`, for the cookie only: never log it) and stores its SHA-256 with
 * created = last_seen = now, expires = now + AUTH_SESSION_MAX_S.
 * client and user_agent (may be NULL) are kept for the "my sessions" list.
 * *session_id (may be NULL) gets its id.
 */
int auth_session_create(struct db *db, int64_t user_id, const char *client,
			const char *user_agent, mc_time now,
			char token[AUTH_TOKEN_BUF], int64_t *session_id,
			struct buf *err);

/*
 * Finds the live session of `token` at `now`, loads its principal into p
 * and *session_id, and writes last_seen = now when it is older than
 * AUTH_TOUCH_EVERY_S. A session lives while it is not revoked, now <
 * expires (absolute) and now < last_seen + AUTH_SESSION_IDLE_S (idle), and
 * its user is enabled. MC_ENOTFOUND when there is none; *expired (may be
 * NULL) tells whether it existed but timed out (the login page then says
 * the session expired). MC_EDB.
 */
int auth_session_lookup(struct db *db, const char *token, mc_time now,
			struct principal *p, int64_t *session_id,
			bool *expired, struct buf *err);

/*
 * The write a lookup leaves to its caller (auth_touch), so that the
 * lookups of a request can share one read transaction (web/auth.c): the
 * ids whose mark is stale, or 0.
 */
struct auth_touch {
	int64_t session_id;	/* sessions.last_seen */
	int64_t token_id;	/* api_tokens.last_used_at */
};
/* auth_session_lookup() without its write: sets t->session_id instead
 * (t is not cleared first). */
int auth_session_find(struct db *db, const char *token, mc_time now,
		      struct principal *p, int64_t *session_id, bool *expired,
		      struct auth_touch *t, struct buf *err);
/* auth_token_lookup() without its write: sets t->token_id instead. */
int auth_token_find(struct db *db, const char *token, mc_time now,
		    struct principal *p, struct auth_touch *t,
		    struct buf *err);
/* Writes the marks `t` asks for (outside any read transaction); 0 or
 * MC_EDB. */
int auth_touch(struct db *db, const struct auth_touch *t, mc_time now,
	       struct buf *err);

/*
 * Revokes one session. user_id > 0: only if it belongs to that user
 * (MC_ENOTFOUND otherwise: a user revoking their own sessions cannot touch
 * another's). Audited when `by` is not NULL.
 */
int auth_session_revoke(struct db *db, const struct auth_actor *by,
			int64_t session_id, int64_t user_id, mc_time now,
			struct buf *err);

/* Revokes every live session of `username` (an administrator's action,
 * audited); *n (may be NULL) gets how many. MC_ENOTFOUND: no such user. */
int auth_sessions_revoke_user(struct db *db, const struct auth_actor *by,
			      const char *username, mc_time now, int64_t *n,
			      struct buf *err);

/*
 * The live sessions of a user, newest first:
 * {"items":[{"id","created_at","last_seen","expires_at","client",
 * "user_agent","current"}]} (current: id == current_id).
 */
int auth_sessions_list(struct db *db, int64_t user_id, int64_t current_id,
		       mc_time now, json_t **out, struct buf *err);

/*
 * The CSRF token of a session, derived from its secret token:
 * hex HMAC-SHA-256(key = token, "motcua-csrf-v1"). Nothing is stored: the
 * database holds SHA-256(token) only, from which the CSRF token cannot be
 * derived, and a session's CSRF token changes with the session.
 */
void auth_csrf_token(const char *session_token, char out[AUTH_TOKEN_HEX + 1]);

/* Constant-time comparison of two NUL-terminated strings. */
bool auth_secret_equal(const char *a, const char *b);

/* ---- API tokens --------------------------------------------------------- */

/*
 * Creates the API token `name` (3-64 of [A-Za-z0-9._-]) with one grant
 * (role on unit, checked like a user's). The token ("mct_" + 64 hex) goes
 * into `token` and is shown once; only its SHA-256 is stored.
 * MC_ECONFLICT when the name exists (revoked names stay taken).
 */
int auth_token_create(struct db *db, const struct auth_actor *by,
		      const char *name, enum role role, const char *unit,
		      mc_time now, char token[AUTH_TOKEN_BUF],
		      struct buf *err);

/*
 * The principal of a live (not revoked) bearer token; writes last_used
 * (at most once a minute). MC_ENOTFOUND, MC_EDB.
 */
int auth_token_lookup(struct db *db, const char *token, mc_time now,
		      struct principal *p, struct buf *err);

/* Revokes a token by name; MC_ENOTFOUND when none (or already revoked). */
int auth_token_revoke(struct db *db, const struct auth_actor *by,
		      const char *name, mc_time now, struct buf *err);

/* {"items":[{"name","role","role_label","unit","created_at","revoked_at",
 * "last_used_at","revoked"}],"total"} by name; no secret. */
int auth_token_list(struct db *db, json_t **out, struct buf *err);

/* ---- login throttle ----------------------------------------------------- */

/*
 * Keys are "user:NAME" or "ip:ADDRESS". auth_throttle_check() puts into
 * *wait_s the seconds to wait before an attempt is allowed (0: go on).
 * auth_throttle_fail() counts a failure and sets the next allowed time from
 * authz_throttle_delay() (per address for "ip:" keys); a key whose last
 * failure is older than an hour starts again from zero. *wait_s (may be
 * NULL) gets the new delay. auth_throttle_clear() forgets a key (after a
 * successful login, for its "user:" key).
 */
int auth_throttle_check(struct db *db, const char *key, mc_time now,
			int64_t *wait_s, struct buf *err);
int auth_throttle_fail(struct db *db, const char *key, mc_time now,
		       int64_t *wait_s, struct buf *err);
int auth_throttle_clear(struct db *db, const char *key, struct buf *err);

#endif
