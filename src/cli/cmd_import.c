/*
 * cmd_import.c - `motcua import units|procedures FILE`: loads a reference
 * file into the catalog (store/import.h), in one transaction, as an
 * upsert. Procedures files are told apart by content: a CSV like
 * procedures.csv, a JSON list like procedures-commune.json, or a JSON
 * object of steps like procedures-commune-steps.json.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "store/db.h"
#include "store/import.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/opt.h"

#define IMPORT_USAGE                                                        \
	"motcua import units FILE [--era 2025|pre2025] [--db URL]\n"         \
	"       motcua import procedures FILE [--db URL]"

static int read_file(const char *path, struct buf *out, struct buf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		buf_setf(err, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? MC_ENOTFOUND : MC_EIO;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_setf(err, "%s: read error", path);
		return MC_EIO;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (sqlite:PATH or postgresql://...)" },
		{ .name = "era", .help = "units: 2025 (default) or pre2025" },
		{ 0 },
	};
	const char *pos[argc > 0 ? argc : 1];
	int n_pos = 0, status = 1, rc;
	bool help = false;
	struct buf err = BUF_INIT, text = BUF_INIT;
	struct db *db = NULL;
	struct import_stats st = { 0 };

	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "motcua import: %s\n", err.ptr);
		status = 2;
		goto out;
	}
	if (help) {
		opt_usage(IMPORT_USAGE, opts);
		status = 0;
		goto out;
	}
	if (n_pos != 2 || (strcmp(pos[0], "units") && strcmp(pos[0], "procedures"))) {
		fprintf(stderr, "usage: %s\n", IMPORT_USAGE);
		status = 2;
		goto out;
	}
	bool units = !strcmp(pos[0], "units");
	const char *era = opts[1].value ? opts[1].value : "2025";
	if (!units && opts[1].value) {
		fprintf(stderr, "motcua import: --era is for units only\n");
		status = 2;
		goto out;
	}
	const char *url = opts[0].value ? opts[0].value : MC_DEFAULT_DB;
	if (read_file(pos[1], &text, &err) || db_open(url, &db, &err) ||
	    migrate_run(db, NULL, &err)) {
		fprintf(stderr, "motcua import: %s\n", err.ptr);
		goto out;
	}
	if (units)
		rc = import_units_csv(db, pos[1], text.ptr, text.len, era, &st,
				      &err);
	else
		rc = import_procedures(db, pos[1], text.ptr, text.len, &st, &err);
	if (!rc)
		rc = import_desks(db, &st, &err);
	if (rc) {
		fprintf(stderr, "motcua import: %s\n", err.ptr);
		goto out;
	}
	if (units)
		printf("units (%s): %d rows\n", era, st.units);
	else
		printf("procedures: %d records, %d channels, %d components, "
		       "%d with steps\n", st.procedures, st.channels,
		       st.components, st.steps);
	printf("desks: %d, desk procedures: %d\n", st.desks, st.desk_procedures);
	status = 0;
out:
	if (db)
		db_close(db);
	opt_release(opts);
	buf_release(&err);
	buf_release(&text);
	return status;
}
