/*
 * lookup_repo.h - the citizen's lookup of a dossier: the check of the second
 * factor (the receipt's secret, or the last 4 digits of the applicant's
 * phone or ID number) and the public model of the dossier, read only.
 * What is public and how it reads: core/dossier_public.h. Never returns
 * internal notes, officers' names or the applicant's identity in clear.
 * Throttling is the caller's (web/h_lookup.c with auth_throttle_*).
 *
 * Shape "lookup" (the page model and the API answer):
 *   {"code","procedure":{"code","name"},
 *    "desk":{"name","address","phone"},
 *    "applicant_name" (masked: "Nguyễn V** A**"),
 *    "channel","channel_label","state","state_label","closed":bool,
 *    "status_text" (dossier_public_status_text),
 *    "submitted_at","received_at","due_at","finished_at","closed_at"
 *      (ISO local or null), "due_text" ("16:00 ngày 02/12/2026" or null),
 *    "apology":{"new_due","new_due_text"}|null,
 *    "missing":[item...] (the last supplement request, while waiting),
 *    "result_ready":bool, "place" (where to collect),
 *    "reason" (refusal or stop) | null,
 *    "timeline":[{"at","at_text","kind","title","text"}] (public events
 *      only, in order),
 *    "can_rate":bool (state allows it and no rating yet),
 *    "rating": rating shape (store/rating_repo.h) | null}
 */
#ifndef MC_STORE_LOOKUP_REPO_H
#define MC_STORE_LOOKUP_REPO_H

#include <jansson.h>

#include "core/mctime.h"
#include "store/db.h"
#include "util/buf.h"

/*
 * Whether the citizen holds dossier `code`: `secret` (the receipt QR's,
 * compared by SHA-256 in constant time) or, when secret is NULL or "",
 * `last4` (dossier_public_last4_match on the stored phone and ID number).
 * 0 when it matches; MC_ENOTFOUND for an unknown code, a wrong factor or
 * no factor - the same answer and the same work (a dummy comparison for
 * an unknown code), so a code cannot be told to exist. MC_EDB.
 */
int lookup_verify(struct db *db, const char *code, const char *secret,
		  const char *last4, struct buf *err);

/*
 * The "lookup" model of `code` at `now` (for "quá hạn"); does NOT check a
 * factor (call lookup_verify first). Reads in one snapshot: its own read
 * transaction, or the caller's when one is open (db_begin_read() before
 * the throttle check and lookup_verify() saves the locks of each
 * statement on SQLite). MC_ENOTFOUND; MC_EDB.
 */
int lookup_model(struct db *db, const char *code, mc_time now, json_t **out,
		 struct buf *err);

/*
 * The page's path: the throttle, lookup_verify() and lookup_model() in one
 * prepared statement (the dossier row joined with each of its events,
 * with the throttle row of `throttle_key` as a scalar subquery and the
 * factor's columns) and no transaction of its own: one snapshot, and on
 * SQLite one shared lock (a BEGIN would cost a statement preparation under
 * a lock, and a ROLLBACK). Plans come from a 60 s cache; the rating is read
 * (a second statement) only in the states where one can exist. When
 * `throttle_key` (NULL: none) must wait at `now`: MC_EFORBIDDEN with
 * *wait_s > 0, nothing checked. Unknown code or wrong factor: MC_ENOTFOUND
 * as lookup_verify(). The throttle row is store/auth_repo.h's
 * (login_throttle), read here only; failures are counted by the caller
 * with auth_throttle_fail().
 */
int lookup_open(struct db *db, const char *code, const char *secret,
		const char *last4, const char *throttle_key, mc_time now,
		int64_t *wait_s, json_t **out, struct buf *err);

#endif
