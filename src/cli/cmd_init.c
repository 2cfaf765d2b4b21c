/*
 * cmd_init.c - `motcua init`: creates or migrates the database and imports
 * the reference data shipped in the binary (units, procedure catalog,
 * commune desks, the days-off schedule). Safe to run twice: migrations run
 * once and imports are upserts. Prints one summary line per table.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "store/calendar_repo.h"
#include "store/db.h"
#include "store/import.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/opt.h"

#define INIT_USAGE "motcua init [--db URL]"

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static long long count(struct db *db, const char *sql)
{
	struct db_stmt *s;
	long long n = -1;
	if (db_prepare(db, sql, &s, NULL))
		return -1;
	if (db_step(s) == DB_ROW)
		n = (long long)db_column_int64(s, 0);
	db_finalize(s);
	return n;
}

/* One line per table: what the database holds now. */
static void summary(struct db *db)
{
	static const struct { const char *label, *sql; } rows[] = {
		{ "units 2025: provinces", "SELECT COUNT(*) FROM units WHERE era = '2025' AND level = 1" },
		{ "units 2025: communes", "SELECT COUNT(*) FROM units WHERE era = '2025' AND level = 3" },
		{ "units pre2025: provinces", "SELECT COUNT(*) FROM units WHERE era = 'pre2025' AND level = 1" },
		{ "units pre2025: districts", "SELECT COUNT(*) FROM units WHERE era = 'pre2025' AND level = 2" },
		{ "units pre2025: communes", "SELECT COUNT(*) FROM units WHERE era = 'pre2025' AND level = 3" },
		{ "unit_merges", "SELECT COUNT(*) FROM unit_merges" },
		{ "fields", "SELECT COUNT(*) FROM fields" },
		{ "procedures", "SELECT COUNT(*) FROM procedures" },
		{ "procedure_channels", "SELECT COUNT(*) FROM procedure_channels" },
		{ "procedure_components", "SELECT COUNT(*) FROM procedure_components" },
		{ "desks", "SELECT COUNT(*) FROM desks" },
		{ "desk_procedures", "SELECT COUNT(*) FROM desk_procedures" },
		{ "calendar_days", "SELECT COUNT(*) FROM calendar_days" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		printf("%-26s %lld\n", rows[i].label, count(db, rows[i].sql));
}

int cmd_init(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (sqlite:PATH or postgresql://...)" },
		{ 0 },
	};
	const char *pos[argc > 0 ? argc : 1];
	int n_pos = 0, applied = 0, status = 1;
	bool help = false;
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	struct import_stats st = { 0 };
	struct calendar_import_report rep = { 0 };
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "motcua init: %s\n", err.ptr);
		status = 2;
		goto out;
	}
	if (help) {
		opt_usage(INIT_USAGE, opts);
		status = 0;
		goto out;
	}
	if (n_pos) {
		fprintf(stderr, "usage: %s\n", INIT_USAGE);
		status = 2;
		goto out;
	}
	const char *url = opts[0].value ? opts[0].value : MC_DEFAULT_DB;
	if (db_open(url, &db, &err) || migrate_run(db, &applied, &err) ||
	    import_shipped(db, &st, &err) ||
	    calendar_repo_import_shipped(db, &rep, &err)) {
		fprintf(stderr, "motcua init: %s\n", err.ptr);
		goto out;
	}
	printf("migrations applied now     %d\n", applied);
	summary(db);
	printf("init: done in %.2f s\n", elapsed(&t0));
	status = 0;
out:
	calendar_import_report_release(&rep);
	if (db)
		db_close(db);
	opt_release(opts);
	buf_release(&err);
	return status;
}
