/*
 * audit.h - the audit trail: append-only and hash-chained. Each entry holds
 * the SHA-256 of the previous entry's hash and its own canonical content, so
 * altering, deleting or inserting an entry breaks the chain at that point
 * and audit_verify() names it. Logged: logins and failures, every
 * administrative change (before and after), every state change of a
 * dossier, and every time an officer opens an applicant's personal data.
 *
 * Appends run inside the caller's transaction (the change and its audit
 * entry commit together or not at all) and are serialised across threads
 * and nodes (SQLite's write lock; on PostgreSQL a transaction-level
 * advisory lock), so the chain stays linear. Never put secrets (passwords,
 * tokens) into an entry.
 */
#ifndef MC_STORE_AUDIT_H
#define MC_STORE_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "core/mctime.h"
#include "store/db.h"
#include "util/buf.h"

struct audit_entry {
	mc_time at;		 /* when (UTC); the caller passes "now" */
	int64_t actor_id;	 /* users.id, 0 for the system or an API token */
	const char *actor;	 /* username, "system", or "token:NAME" */
	const char *action;	 /* dotted verb: "login.ok", "login.fail",
				  * "user.create", "desk.update",
				  * "dossier.receive", "personal.view" ... */
	const char *object_type; /* "user", "desk", "unit", "procedure",
				  * "dossier", "calendar", "token" ... */
	const char *object_id;	 /* its key, or NULL */
	const char *unit_code;	 /* the unit the object belongs to, or NULL */
	const char *client;	 /* client address, or NULL */
	json_t *before;		 /* borrowed; NULL when not a change */
	json_t *after;		 /* borrowed; NULL when not a change */
};

/*
 * Appends one entry; must be called inside a transaction the caller opened
 * with db_begin() (MC_EINVALID otherwise, a programmer error reported as
 * such). The id of the new entry in *id_out when not NULL.
 */
int audit_append(struct db *db, const struct audit_entry *e, int64_t *id_out,
		 struct buf *err);

/*
 * Convenience: opens a transaction, appends, commits. For events that
 * change nothing else (a login failure, a view of personal data).
 */
int audit_log(struct db *db, const struct audit_entry *e, struct buf *err);

struct audit_verify_result {
	int64_t n_checked;	/* entries walked */
	int64_t first_bad_id;	/* 0 when the chain is intact */
	char reason[256];	/* "entry 42: content altered (hash mismatch)",
				 * "entry 43: previous entry missing (deleted)" ... */
};

/* Walks the whole chain in id order. 0 when it could be read (see
 * out->first_bad_id for the verdict), MC_EDB on a database error. */
int audit_verify(struct db *db, struct audit_verify_result *out,
		 struct buf *err);

/*
 * Checks an external anchor (`motcua audit anchor` printed it earlier and
 * the inspector kept it elsewhere): entry `id` must still exist with hash
 * `hash` (64 hex digits). Together with an intact chain this proves that
 * no entry up to `id` was changed, removed or added, even by someone who
 * rewrote the tail consistently (docs/audit.md). 0 when it could be read
 * (out->first_bad_id = id and out->reason set when the anchor fails),
 * MC_EINVALID for a malformed hash, MC_EDB.
 */
int audit_check_anchor(struct db *db, int64_t id, const char *hash,
		       struct audit_verify_result *out, struct buf *err);

/* The last entry: its id (0 for an empty trail) and hash (64 hex digits,
 * or 64 zeros for an empty trail). */
struct audit_head {
	int64_t id;
	char hash[65];
};
int audit_head(struct db *db, struct audit_head *out, struct buf *err);

/*
 * One stored row as the hash sees it: texts are NULL for SQL NULL,
 * before/after are the stored JSON texts. audit_row_hash() computes the
 * hash this row must carry: hex SHA-256 of prev_hash (64 ASCII hex
 * digits) followed by the canonical content (docs/audit.md, "What is
 * hashed"). Exposed for the verifier and its tests.
 */
struct audit_row {
	int64_t id;
	mc_time at;
	int64_t actor_id;
	const char *actor, *action, *object_type, *object_id, *unit_code;
	const char *client, *before, *after;
	const char *prev_hash;
};
void audit_row_hash(const struct audit_row *r, char hex[65]);

struct audit_filter {
	const char *actor;	/* exact username, or NULL */
	const char *unit_code;	/* the unit or any unit below it, or NULL */
	const char *object_type, *object_id;	/* or NULL */
	const char *action_prefix;	/* e.g. "login.", or NULL */
	mc_time from, to;	/* 0: open; from <= at < to */
	int page, per_page;	/* page from 1; per_page 1..200 (0: 50) */
	/*
	 * (added by audit) The reader's scope: NULL for everything (a grant
	 * on "VN", the command line), else n_scope unit codes; an entry is
	 * shown when its unit is one of them or a commune of one of them.
	 * Entries without a unit (logins, system-wide objects) need NULL.
	 */
	const char *const *scope;
	int n_scope;
};

/*
 * Searches the trail, newest first:
 * {"items":[{"id","at","actor","action","object_type","object_id",
 *   "unit_code","client","before","after","hash"}],"total","page","per_page"}.
 * "at" is ISO 8601 in UTC+7 ("2026-02-23T17:00:00+07:00"), "at_utc" the
 * stored seconds; before/after are the JSON values (null when absent).
 * MC_EINVALID for a page or per_page out of range, MC_EDB.
 */
int audit_search(struct db *db, const struct audit_filter *f, json_t **out,
		 struct buf *err);

#endif
