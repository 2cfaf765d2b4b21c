/*
 * intake_repo.h - the small look-ups of the counter (web/h_intake.c) that
 * must cost one indexed SELECT each, not a page model: a unit's name and
 * its province's, and whether a desk serves a procedure. Read-only.
 */
#ifndef MC_STORE_INTAKE_REPO_H
#define MC_STORE_INTAKE_REPO_H

#include <stdbool.h>

#include "store/db.h"
#include "util/buf.h"

/* A unit of the 2025 list with its parent (a province's parent is ""). */
struct intake_unit {
	char code[16];
	char full_name[192];		/* "Phường Cảnh Thụy" */
	char parent_code[16];		/* "24", or "" for a province */
	char parent_full_name[192];	/* "Tỉnh Bắc Ninh", or "" */
};

/* The unit `code` into *out. 0, MC_ENOTFOUND, MC_EDB (reason in err). */
int intake_unit_ref(struct db *db, const char *code, struct intake_unit *out,
		    struct buf *err);

/*
 * Whether the desk of unit `unit_code` lists procedure `procedure_code`
 * (table desk_procedures). 0 with *yes (false also when the unit has no
 * desk), MC_EDB.
 */
int intake_desk_serves(struct db *db, const char *unit_code,
		       const char *procedure_code, bool *yes, struct buf *err);

#endif
