/*
 * rating_repo.h - satisfaction ratings in the database
 * (migrations/0016_rating.sql): one per dossier, created once with its
 * audit entry, attributed to the officers who handled the dossier, never
 * updated or deleted (there is no function for it). The criteria and
 * their checks: core/rating.h. Who may rate (the holder of the dossier's
 * secret or last-4 factor) is checked by the caller (web/h_lookup.c).
 *
 * Shapes (jansson):
 * rating:
 *   {"id","code","procedure_code","unit_code","channel","created_at" (ISO
 *    local),"created_text" ("18:09 ngày 27/11/2026"),"scores":{"time","trips","agencies","attitude","publicity"},
 *    "answers":[{"name","question","score","answer"}],"total","level",
 *    "level_label","complaint":bool,"comment"}
 * list item: a rating plus "officers":[{"id","username"}] and
 *    "dossier":{"code","state","state_label"}.
 */
#ifndef MC_STORE_RATING_REPO_H
#define MC_STORE_RATING_REPO_H

#include <stdint.h>

#include <jansson.h>

#include "core/mctime.h"
#include "core/rating.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

/*
 * Records the rating of dossier `code` in one transaction: the row, the
 * officers (every distinct users.id among the dossier's event actors,
 * with the name they acted under) and the audit entry "rating.create"
 * (object "dossier" `code`, the dossier's unit, after = the scores, level,
 * total, complaint, comment, officers). `channel`: "lookup", "kiosk" or
 * "api". Errors: MC_ENOTFOUND (unknown code); MC_EINVALID "Hồ sơ chưa có
 * kết quả: chưa thể đánh giá." while the dossier is not in a state
 * dossier_public_can_rate() accepts; MC_ECONFLICT "Hồ sơ này đã được đánh
 * giá; mỗi hồ sơ chỉ được đánh giá một lần." (also when two arrive at
 * once: UNIQUE(dossier_id)); MC_EDB. *id_out may be NULL.
 */
int rating_create(struct db *db, const char *code, const struct rating *r,
		  const char *channel, mc_time now,
		  const struct auth_actor *actor, int64_t *id_out,
		  struct buf *err);

/* The rating of `code` (shape "rating"); MC_ENOTFOUND when none. */
int rating_get(struct db *db, const char *code, json_t **out,
	       struct buf *err);

struct rating_list_q {
	/* Scope: ratings of dossiers whose unit, or the unit's parent, is
	 * one of these; NULL: all (a national grant). */
	const char *const *units;
	int n_units;
	const char *level;		/* a level name, or NULL */
	bool complaints_only;
	int64_t officer_id;		/* attributed to this user, or 0 */
	int page, per_page;		/* page from 1; per_page 1..200 (0: 50) */
};

/*
 * Ratings, newest first: {"items":[list item...],"total","page",
 * "per_page","summary":{"count","complaints","avg_total" (one decimal,
 * as TT 01/2018 art. 14 rounds),"by_level":{"very_satisfied":n,...}}}.
 * The summary covers every rating the filter selects, not only the page.
 */
int rating_list(struct db *db, const struct rating_list_q *q, json_t **out,
		struct buf *err);

#endif
