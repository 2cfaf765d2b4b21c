/*
 * version_repo.h - versions of a procedure (migrations/0007): drafts that
 * administrators edit, publication, the version in force for a unit on a
 * day, the public history, the reform report, and a desk's procedure list.
 * Every write runs in one transaction with its audit entry (store/audit.h).
 * Never changes a published version once its effective date has come.
 *
 * Scopes. The national catalog (0001_catalog.sql) is the legal baseline,
 * "version 0", implicit: it is not copied. A version has a scope: "VN" (a
 * national decision) or a province code (the province's decision announcing
 * its own committed times and simplifications for all its units; communes
 * have no versions of their own). The version in force for a unit on day d
 * is, among the published versions of the unit's province and of "VN" with
 * effective_from <= d, the one with the latest effective date (the
 * province's on a tie); none: the baseline.
 *
 * Dates: civil days of UTC+7 (core/mctime.h mctime_local_day()), stored as
 * "YYYY-MM-DD". `today` is passed in (no clock here).
 *
 * ---- Shapes ----------------------------------------------------------------
 * version:
 *   {"id":12, "procedure_code":"1.000894", "scope":"24",
 *    "version_no":2|null, "status":"draft"|"published",
 *    "in_force":bool (published and effective_from <= today),
 *    "editable":bool (draft, or published and not yet in force),
 *    "effective_from":"2026-03-01", "decision_ref":"123/QĐ-UBND",
 *    "summary":"...", "revision":1, "created_by", "created_at" (ISO),
 *    "published_by"|null, "published_at"|null,
 *    "channels":[{"seq","channel","channel_name","legal_text",
 *        "legal":duration|null, "committed":duration|null,
 *        "cut":{"text","pct_tenths","comparable"}|null,
 *        "fee_text","fee_dong"|null}],
 *    "components":[{"base_seq","group","name","quantity","mode",
 *        "mode_label","lookup_db","lookup_name","reason","legal_basis"}],
 *    "n_dropped", "n_replaced", "changes":["Trực tiếp: 5 → 2 ngày làm việc", ...]}
 *   duration: {"code":"2wd","unit":"working_days","amount":2,"text":"2 ngày làm việc"}
 */
#ifndef MC_STORE_VERSION_REPO_H
#define MC_STORE_VERSION_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

#define VERSION_MAX_CHANNELS 16
#define VERSION_MAX_COMPONENTS 200

/*
 * What a form or an API body gives for a new or edited version. Texts as
 * typed (NULL = empty). Channels and components are indexed like the
 * national catalog's channels and components of the procedure (by seq
 * order); missing entries keep the legal time / mode "required".
 */
struct version_input {
	const char *effective_from;	/* "YYYY-MM-DD" */
	const char *decision_ref;	/* số quyết định công bố */
	const char *summary;
	int n_channels;
	struct {
		const char *committed;	/* "2 ngày làm việc"; empty: legal */
		const char *fee_text;	/* empty: the catalog's */
	} channels[VERSION_MAX_CHANNELS];
	int n_components;
	struct {
		const char *mode;	/* "required" | "dropped" | "replaced_by_lookup" */
		const char *lookup_db;	/* reform_lookup_dbs code */
		const char *reason;
		const char *legal_basis;
	} components[VERSION_MAX_COMPONENTS];
	int64_t revision;	/* for version_update: the form's revision */
};

/*
 * The starting point of a new draft for `scope`: the version in force for
 * the scope on `today` (or the baseline) as a "version" shape without id,
 * with the catalog's legal times. MC_ENOTFOUND for an unknown procedure.
 */
int version_template(struct db *db, const char *code, const char *scope,
		     int32_t today, json_t **out, struct buf *err);

/*
 * Creates a draft. Validation errors: MC_EINVALID with *field_errors a new
 * object {field: Vietnamese message} (fields "effective_from",
 * "decision_ref", "summary", "channels.N.committed", "channels.N.fee_text",
 * "components.N.mode|lookup_db|reason|legal_basis"); nothing written.
 * Rules: effective_from a real date >= today; decision_ref 1..100
 * characters; a committed time parses (core/duration.h) and is not longer
 * than the legal one (core/reform.h); a dropped or replaced component has
 * a reason and a legal basis, a replaced one a known lookup database.
 * MC_ENOTFOUND for an unknown procedure. Audited "procedure_version.create".
 */
int version_create(struct db *db, const struct auth_actor *by,
		   const char *code, const char *scope,
		   const struct version_input *in, int32_t today, mc_time now,
		   int64_t *id_out, json_t **field_errors, struct buf *err);

/*
 * Edits a version: allowed for a draft, and for a published version not
 * yet in force (effective_from > today). MC_EFORBIDDEN (reason in err) for
 * a version in force; MC_ECONFLICT when in->revision is not the stored one
 * (someone else saved first); MC_EINVALID with *field_errors as above.
 * Audited "procedure_version.update" with before and after.
 */
int version_update(struct db *db, const struct auth_actor *by, int64_t id,
		   const struct version_input *in, int32_t today, mc_time now,
		   json_t **field_errors, struct buf *err);

/* Deletes a draft; MC_EFORBIDDEN for a published version. Audited
 * "procedure_version.delete". */
int version_delete(struct db *db, const struct auth_actor *by, int64_t id,
		   int64_t revision, mc_time now, struct buf *err);

/*
 * Publishes a draft: gives it the next version number of its procedure and
 * scope. MC_EINVALID (reason in err) when its effective date has passed or
 * is not later than that of the latest published version of the scope;
 * MC_EFORBIDDEN when not a draft; MC_ECONFLICT on a stale revision. Bumps
 * the catalog version (public page caches). Audited
 * "procedure_version.publish" with the whole version as "after".
 */
int version_publish(struct db *db, const struct auth_actor *by, int64_t id,
		    int64_t revision, int32_t today, mc_time now,
		    struct buf *err);

/* One version (shape "version"); MC_ENOTFOUND. */
int version_get(struct db *db, int64_t id, int32_t today, json_t **out,
		struct buf *err);

/* The scope of version `id` (for the router): MC_ENOTFOUND. `scope` gets
 * at most 15 bytes. */
int version_scope(struct db *db, int64_t id, char scope[16], struct buf *err);

/*
 * The versions of a procedure in `scope` (NULL: every scope), newest
 * first: {"items":[version...]} (drafts included).
 */
int version_list(struct db *db, const char *code, const char *scope,
		 int32_t today, json_t **out, struct buf *err);

/* The version in force (see "Scopes"). id 0 / version_no 0 / scope "" for
 * the baseline. For the dossier: pin `id` at receipt. */
struct version_ref {
	int64_t id;
	int version_no;
	char scope[16];
	char effective_from[11];
};
int version_current(struct db *db, const char *code, const char *unit_code,
		    int32_t today, struct version_ref *out, struct buf *err);

/*
 * For the public page of a procedure seen from `unit_code` (NULL: the
 * country): {"unit":{"code","name","province"}|null, "current":version|null
 * (null: the baseline), "history":[version...]} where history holds the
 * published versions of the unit's province and of "VN", newest first
 * (future ones included, marked by in_force false). MC_ENOTFOUND for an
 * unknown unit.
 */
int version_public(struct db *db, const char *code, const char *unit_code,
		   int32_t today, json_t **out, struct buf *err);

/*
 * The committed time of the version in force for each procedure a desk's
 * unit serves: {code: "2 ngày làm việc"} for procedures whose main channel
 * has a committed time (for the QR board).
 */
int version_committed_for_unit(struct db *db, const char *unit_code,
			       int32_t today, json_t **out, struct buf *err);

/*
 * The reform report for `unit_code` (a province: itself and its communes;
 * a commune: that commune; "VN": national versions) over versions that took
 * effect in [from, to] and are in force on `to`:
 * {"from","to","unit":{...},
 *  "units":[{"code","name","level","rows":[row...],"totals":{...}}],
 *  "totals":{"n_procedures","n_cut","avg_pct_tenths","avg_pct_text",
 *            "n_simplified","n_components"}}
 * row: {"code","name","version_no","scope","effective_from","decision_ref",
 *       "legal","committed","cut_text","cut_days_text","pct_tenths",
 *       "pct_text","n_dropped","n_replaced","components":"name; name"}
 * A commune's rows are the province's (and VN's) rows for the procedures
 * its desk serves. MC_ENOTFOUND for an unknown unit, MC_EINVALID for dates.
 */
int version_report(struct db *db, const char *unit_code, const char *from,
		   const char *to, json_t **out, struct buf *err);

/* ---- a desk's procedure list ------------------------------------------- */

/*
 * The procedures of the desk of `unit_code`: {"unit":{...},"desk":{"id"},
 * "items":[{"code","name","field"}], "total"}. MC_ENOTFOUND when the unit
 * has no desk.
 */
int desk_procedures_list(struct db *db, const char *unit_code, json_t **out,
			 struct buf *err);

/*
 * Adds or removes procedures of a desk (codes must exist in the catalog:
 * MC_EINVALID naming the first unknown one). Audited "desk.procedures"
 * with before and after as sorted arrays of codes. *changed gets the
 * number of rows added or removed.
 */
int desk_procedures_change(struct db *db, const struct auth_actor *by,
			   const char *unit_code, const char *const *add,
			   int n_add, const char *const *remove, int n_remove,
			   mc_time now, int *changed, struct buf *err);

/* Date helpers: "YYYY-MM-DD" <-> local day. MC_EINVALID for a bad date. */
int version_parse_day(const char *s, int32_t *day);
void version_format_day(int32_t day, char out[11]);

#endif
