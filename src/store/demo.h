/*
 * demo.h - the reads `motcua demo` (cli/cmd_demo.c) needs in bulk: the
 * commune desks of a province and the procedures each desk serves with the
 * channels the catalog lists for them. Read-only; every write of the demo
 * goes through the repositories (auth_repo, desk_repo, dossier_repo), so
 * that events, counters and audit entries are the real ones.
 */
#ifndef MC_STORE_DEMO_H
#define MC_STORE_DEMO_H

#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

/* One commune desk of the 2025 list. Strings are NUL-terminated copies. */
struct demo_desk {
	int64_t desk_id;
	char unit[16];			/* "07738" */
	char name[96];			/* "Cảnh Thụy" */
	char full_name[128];		/* "Phường Cảnh Thụy" */
	char type[16];			/* "phường", "xã", "đặc khu" */
	char name_key[96];		/* "canh thuy" (util/text.h key) */
	char agency_code[48];		/* "" when not assigned */
};

/* Channel bits of struct demo_proc (core/dossier.h enum dossier_channel). */
enum demo_channel_bits {
	DEMO_CH_COUNTER = 1 << 0,	/* truc_tiep */
	DEMO_CH_ONLINE = 1 << 1,	/* truc_tuyen */
	DEMO_CH_POST = 1 << 2,		/* buu_chinh */
};

/* One procedure a desk serves. */
struct demo_proc {
	char code[16];			/* "1.000894" */
	char field[160];		/* "Hộ tịch" */
	char name_key[384];		/* name without case and diacritics,
					   cut at 383 bytes */
	unsigned channels;		/* enum demo_channel_bits; a "tat_ca"
					   row counts as all three */
	char *name;			/* the full name (owned: demo_procs_free) */
};

/*
 * The desks of the communes whose parent is `province` (a 2-digit code of
 * the 2025 list), by unit code. *out is a new array (free()) of *n. MC_EDB.
 * A province without communes gives *n 0 (not an error).
 */
int demo_desks(struct db *db, const char *province, struct demo_desk **out,
	       int *n, struct buf *err);

/*
 * The procedures of desk `desk_id`, by code, with their channel bits. *out
 * is a new array of *n, freed with demo_procs_free(). MC_EDB.
 */
int demo_desk_procedures(struct db *db, int64_t desk_id,
			 struct demo_proc **out, int *n, struct buf *err);
void demo_procs_free(struct demo_proc *v, int n);

/*
 * Prepares the connection for a bulk run: on SQLite a page cache of
 * `cache_mb` MiB (the default 2 MiB spills dirty pages of a large
 * transaction to the WAL again and again) and the statement journals of
 * savepoints in memory rather than in temporary files. Durability is left as the
 * server has it (WAL, synchronous=NORMAL). Nothing on PostgreSQL. MC_EDB.
 */
int demo_tune(struct db *db, int cache_mb, struct buf *err);

#endif
