/*
 * desk_repo.h - administration of units and desks: the list of units of
 * the 2025 list with their desks, one unit seen before and after the 2025
 * reform, and the desk's settings (name, agency identifier, office hours,
 * cut-off, address, phone) edited with validation, an optimistic version
 * check and an audit entry in the same transaction. All the SQL of these
 * pages; the access decision is the router's (web/auth.h), not this file's.
 */
#ifndef MC_STORE_DESK_REPO_H
#define MC_STORE_DESK_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

/* Bounds of the form's texts, in bytes of UTF-8. */
#define DESK_NAME_MAX 200
#define DESK_ADDRESS_MAX 300
#define DESK_PHONE_MAX 40
#define DESK_HOURS_MAX 300
#define DESK_AGENCY_MAX 20

/*
 * The units of the 2025 list whose name or code matches `query` (NULL or
 * "": all), by level (provinces first) then name:
 * {"items":[{"code","name","full_name","type","level","parent_code"|null,
 *   "parent_name"|null,"desk_name"|null,"agency_code"|null}],"total":n}.
 * The query is matched on the search key (util/text.h: no case, no
 * diacritics, đ = d) as a substring of the name, or as a prefix of the
 * code. The caller filters the rows by scope. MC_EINVALID for a query that
 * is not UTF-8, MC_EDB.
 */
int desk_repo_units(struct db *db, const char *query, json_t **out,
		    struct buf *err);

/*
 * One unit of the 2025 list for its administration page:
 * {"code","name","full_name","type","level","parent":{"code","name",
 *  "full_name"}|null,
 *  "desk":desk|null,
 *  "before":[{"code","name","district_code","district_name",
 *             "province_code","province_name","relation"}]
 *     (a commune: the pre-2025 communes merged into it, from the NSO
 *      old→new table; a province: the pre-2025 provinces its communes
 *      came from, "relation" "" and district fields ""),
 *  "n_children":n}
 * desk: {"id","unit_code","name","agency_code","office_hours","cutoff",
 *        "address","phone" (strings, "" when not set),"version",
 *        "updated_at"}.
 * MC_ENOTFOUND for a code not in the 2025 list, MC_EDB.
 */
int desk_repo_unit(struct db *db, const char *code, json_t **out,
		   struct buf *err);

/* The desk of unit `code` (shape desk above). MC_ENOTFOUND, MC_EDB. */
int desk_repo_get(struct db *db, const char *code, json_t **out,
		  struct buf *err);

/* The editable fields of a desk; NULL reads as "". */
struct desk_edit {
	const char *name;
	const char *agency_code;
	const char *office_hours;	/* officehours_parse text; "": default */
	const char *cutoff;		/* "HH:MM", "none", or "": default */
	const char *address;
	const char *phone;
	int64_t version;		/* the version the form was made from */
};

/*
 * Checks an agency's electronic identifier code (mã định danh điện tử),
 * already trimmed and upper-cased: 0, or MC_EINVALID with the reason in
 * Vietnamese in err. "" is accepted (not assigned yet). The structure is
 * the one the dossier-code rules show (TT 01/2018/TT-VPTTCP art. 19:
 * V1V2V3.Z1Z2.Y1Y2.MX1X2 per QCVN 102:2016; TT 03/2025/TT-VPCP art. 13
 * cl. 3: MX1X2.Y1Y2Y3.Z1Z2): 2 to 4 groups of 2 or 3 letters or digits
 * separated by dots, the province-level group MX1X2 (a letter and two
 * digits) first or last. NEEDSWORK: the exact rules of QCVN 102:2016 and
 * of Decision 20/2020/QĐ-TTg were not obtained (research §2.4): this is a
 * conservative check of the shape, not of the code tables.
 */
int desk_agency_code_check(const char *code, struct buf *err);

/*
 * Validates and normalises a form: trims every field, upper-cases the
 * agency code, NFC text, checks lengths, the agency code, the office hours
 * (officehours_parse) and the cut-off ("HH:MM", or "" for the default
 * 15:00; "none" for no cut-off). On success returns 0 and *norm (a new
 * object {"name","agency_code","office_hours","cutoff","address","phone"},
 * strings, "" for empty). On bad input returns MC_EINVALID and *errors, a
 * new object field -> message naming the field in Vietnamese ("Giờ chốt
 * nhận hồ sơ: phải có dạng HH:MM"), with *norm still set (the values as
 * typed, trimmed) so that the form can be shown again.
 */
int desk_edit_check(const struct desk_edit *in, json_t **norm,
		    json_t **errors);

/*
 * Saves a checked form (the *norm of desk_edit_check) into the desk of
 * unit `code`, in one transaction with: the version check (MC_ECONFLICT
 * when the stored version is not `version`: someone saved in between),
 * the catalog version bump (public pages and the search index drop their
 * caches: web/h_public.c) and the audit entry "desk.update" with before
 * and after. *after (may be NULL) gets the saved desk. MC_ENOTFOUND when
 * the unit has no desk, MC_EDB (nothing written).
 */
int desk_repo_update(struct db *db, const struct auth_actor *by,
		     const char *code, json_t *norm, int64_t version,
		     mc_time now, json_t **after, struct buf *err);

#endif
