/*
 * import.h - loads the shipped reference data (data/, embedded through
 * util/embed.h) or a file given on the command line into the catalog tables
 * of migrations/0001_catalog.sql. Each file is imported in one transaction:
 * a malformed row is an error naming the file, the line (or JSON record)
 * and the column, and nothing of that file is written. Imports are upserts:
 * running one twice changes no row and duplicates nothing. All text is
 * stored NFC. Every import bumps the catalog version (catalog_meta) and
 * drops this process's search index (store/catalog.h).
 *
 * Rows are counted into struct import_stats (rows read from the file).
 */
#ifndef MC_STORE_IMPORT_H
#define MC_STORE_IMPORT_H

#include <stddef.h>

#include "store/db.h"
#include "util/buf.h"

struct import_stats {
	int units;		/* unit rows (either era) */
	int merges;		/* old->new conversion rows */
	int procedures;		/* procedure rows (CSV rows or JSON records) */
	int channels;		/* channel rows written */
	int components;		/* dossier component rows written */
	int steps;		/* procedures given steps/conditions */
	int desks;		/* desks existing after import_desks() */
	int desk_procedures;	/* desk-procedure pairs after import_desks() */
	int legal_times;	/* channel rows given a legal time */
};

/*
 * Units from a CSV with columns code,name,type,parent_code (vn-units-*.csv)
 * into era "2025" or "pre2025". A parent_code must name a unit of the same
 * era, in the file or already in the database. `name` is the file name used
 * in messages; text[0..len) is borrowed.
 */
int import_units_csv(struct db *db, const char *name, const char *text,
		     size_t len, const char *era, struct import_stats *st,
		     struct buf *err);

/* The NSO old-to-new table (vn-units-2025-old-new.csv columns). */
int import_unit_merges_csv(struct db *db, const char *name, const char *text,
			   size_t len, struct import_stats *st,
			   struct buf *err);

/*
 * Procedures from any of the three shipped shapes, told apart by content:
 * a CSV with the columns of procedures.csv; a JSON array of detail records
 * (procedures-commune.json: replaces the channels and components of each
 * record's procedure, creating the procedure if needed); a JSON object
 * {code: {"steps", "conditions"}} (procedures-commune-steps.json: the
 * procedures must exist).
 */
int import_procedures(struct db *db, const char *name, const char *text,
		      size_t len, struct import_stats *st, struct buf *err);

/*
 * The legal-times table (data/procedure-legal-times.csv: code, channel,
 * duration, legal_basis, note): for each row, the channels of the
 * procedure (all when channel is "" or "tat_ca") whose catalog time has no
 * readable unit get the row's duration, with duration_source
 * 'legal_times' and duration_basis (migration 0013); time_text is kept.
 * A duration the catalog gave in full is never changed; rows of codes not
 * in the catalog change nothing. Idempotent. import_procedures() applies
 * the shipped table after every CSV or detail-JSON import.
 */
int import_legal_times(struct db *db, const char *name, const char *text,
		       size_t len, struct import_stats *st, struct buf *err);

/*
 * Gives every commune of the 2025 list its desk ("Trung tâm phục vụ hành
 * chính công " + full name) and links each desk to every procedure with
 * commune_desk = 1 (rule: data/SOURCES.md). Existing desks and links are
 * kept (an administrator may have edited them). Counts into st->desks and
 * st->desk_procedures.
 */
int import_desks(struct db *db, struct import_stats *st, struct buf *err);

/*
 * Everything shipped, in order: units 2025 and pre-2025, the old-new table,
 * procedures.csv, procedures-commune.json, procedures-commune-steps.json,
 * then the desks. Stops at the first error.
 */
int import_shipped(struct db *db, struct import_stats *st, struct buf *err);

#endif
