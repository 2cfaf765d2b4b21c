/*
 * cmd_calendar.c - `motcua calendar ...`: lunar <-> solar dates, the days
 * off of a year, and imports of the yearly schedule. Plain text by default,
 * --json for JSON. Subcommands sit in one table; the deadline subcommands
 * (due, between) live in cmd_calendar_due.c and use calendar_load.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/calendar_load.h"
#include "cli/cmd.h"
#include "core/calendar.h"
#include "core/lunar.h"
#include "core/schedule.h"
#include "store/calendar_repo.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"
#include "util/xalloc.h"

/* ---- calendar_load.h ---- */

int calendar_load(struct calendar_load *cl, const char *db_url,
		  struct buf *err)
{
	struct db *db = NULL;
	int rc;
	cl->sched = (struct schedule)SCHEDULE_INIT;
	calendar_init(&cl->cal, CALENDAR_LOAD_FIRST_YEAR, CALENDAR_LOAD_LAST_YEAR);
	if (db_url && *db_url) {
		cl->origin = "database";
		if ((rc = db_open(db_url, &db, err)))
			goto out;
		rc = calendar_repo_load_calendar(db, &cl->sched, &cl->cal, err);
		if (rc == MC_EDB)
			buf_adds(err, " (a new database? run 'motcua init' first)");
		goto out;
	}
	cl->origin = "embedded";
	const struct embed_file *f = embed_find(CALENDAR_SHIPPED_CSV);
	if (!f) {
		buf_setf(err, "%s is not embedded", CALENDAR_SHIPPED_CSV);
		rc = MC_ENOTFOUND;
		goto out;
	}
	rc = schedule_parse(&cl->sched, (const char *)f->data, f->len, err);
	if (!rc)
		rc = schedule_fill(&cl->sched, &cl->cal, err);
	if (!rc)
		rc = calendar_finish(&cl->cal, err);
out:
	if (db)
		db_close(db);
	return rc;
}

void calendar_load_release(struct calendar_load *cl)
{
	calendar_release(&cl->cal);
	schedule_release(&cl->sched);
}

int calendar_load_parse_date(const char *name, const char *arg, int32_t *day,
			     struct buf *err)
{
	if (schedule_parse_day(arg, day)) {
		buf_setf(err, "%s: '%.40s' is not a date YYYY-MM-DD", name, arg);
		return MC_EINVALID;
	}
	return 0;
}

/* ---- helpers ---- */

#define DB_HELP "database URL (sqlite:PATH, postgresql://...); default: the shipped schedule"

static const char *const weekday_vi[] = { "CN", "T2", "T3", "T4", "T5", "T6", "T7" };

/* Tên năm can chi of a lunar year, e.g. "Bính Ngọ" for 2026. */
static void year_name(int year, struct buf *out)
{
	static const char *const stem[] = { "Giáp", "Ất", "Bính", "Đinh",
		"Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý" };
	static const char *const branch[] = { "Tý", "Sửu", "Dần", "Mão",
		"Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi" };
	buf_addf(out, "%s %s", stem[(year + 6) % 10], branch[(year + 8) % 12]);
}

static int print_json(json_t *j)
{
	char *s = json_text(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

/*
 * Parses a subcommand's options; returns -1 to go on, else the exit
 * status (0 after --help, 2 on a usage error).
 */
static int parse(struct opt *opts, int argc, char **argv, const char **pos,
		 int *n_pos, int want_min, int want_max, const char *usage)
{
	struct buf err = BUF_INIT;
	bool help;
	int rc = -1;
	if (opt_parse(opts, argc, argv, pos, n_pos, &help, &err)) {
		fprintf(stderr, "motcua calendar: %s\nusage: %s\n", err.ptr, usage);
		rc = 2;
	} else if (help) {
		opt_usage(usage, opts);
		rc = 0;
	} else if (*n_pos < want_min || *n_pos > want_max) {
		fprintf(stderr, "usage: %s\n", usage);
		rc = 2;
	}
	buf_release(&err);
	return rc;
}

/* ---- lunar, solar, lunar-range ---- */

static int sub_lunar(int argc, char **argv)
{
	static const char usage[] = "motcua calendar lunar [--json] YYYY-MM-DD";
	struct opt opts[] = {
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "accepted for symmetry; lunar dates are computed, not stored" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT, text = BUF_INIT;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 1, 1, usage);
	int32_t day;
	struct lunar_date l;
	int y, m, d;
	if (status >= 0)
		goto out;
	status = 2;
	if (calendar_load_parse_date("date", pos[0], &day, &err))
		goto fail;
	days_to_date(day, &y, &m, &d);
	status = 1;
	if (lunar_from_solar(y, m, d, &l)) {
		buf_setf(&err, "%s is outside the lunar calendar's range "
			       "(1900-01-31 .. 2199-12-31)", pos[0]);
		goto fail;
	}
	if (opts[0].set) {
		status = print_json(json_pack("{s:i, s:i, s:i, s:b}", "year", l.year,
					      "month", l.month, "day", l.day,
					      "leap", l.leap));
		goto out;
	}
	year_name(l.year, &text);
	printf("%s: ngày %d tháng %d%s năm %s (%d) âm lịch\n", pos[0], l.day,
	       l.month, l.leap ? " nhuận" : "", text.ptr, l.year);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar lunar: %s\n", err.ptr);
out:
	opt_release(opts);
	free(pos);
	buf_release(&err);
	buf_release(&text);
	return status;
}

static int sub_solar(int argc, char **argv)
{
	static const char usage[] =
		"motcua calendar solar [--leap] [--json] YYYY-MM-DD (a lunar date)";
	struct opt opts[] = {
		{ .name = "leap", .is_flag = true, .help = "the month is the leap (nhuận) month" },
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "accepted for symmetry; lunar dates are computed, not stored" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 1, 1, usage);
	struct lunar_date l = { 0 };
	int y, m, d;
	if (status >= 0)
		goto out;
	status = 2;
	/* Read by field: a lunar date need not be a valid solar date
	 * (2025-02-30 is 30 tháng Hai). */
	const char *a = pos[0];
	char *end;
	errno = 0;
	long ly = strtol(a, &end, 10);
	if (end != a + 4 || *end != '-')
		goto bad;
	long lm = strtol(end + 1, &end, 10);
	if (end != a + 7 || *end != '-')
		goto bad;
	long ld = strtol(end + 1, &end, 10);
	if (end != a + 10 || *end || errno)
		goto bad;
	l = (struct lunar_date){ (int)ly, (int)lm, (int)ld, opts[0].set };
	status = 1;
	int rc = lunar_to_solar(&l, &y, &m, &d);
	if (rc == MC_ERANGE) {
		buf_setf(&err, "lunar year %ld is outside 1900..2199 (or the "
			       "date falls after 2199)", ly);
		goto fail;
	}
	if (rc) {
		int leap = lunar_leap_month(l.year), n;
		if (l.leap && leap == 0)
			buf_setf(&err, "lunar year %d has no leap month", l.year);
		else if (l.leap && leap != l.month)
			buf_setf(&err, "the leap month of lunar year %d is %d, "
				       "not %d", l.year, leap, l.month);
		else if (!lunar_month_days(l.year, l.month, l.leap, &n))
			buf_setf(&err, "lunar %s%s does not exist: that month "
				       "has %d days", a, l.leap ? " (leap)" : "", n);
		else
			buf_setf(&err, "lunar %s does not exist", a);
		goto fail;
	}
	char s[11];
	schedule_format_day(date_to_days(y, m, d), s);
	if (opts[1].set)
		status = print_json(json_pack("{s:s, s:i, s:i, s:i}", "date", s,
					      "year", y, "month", m, "day", d));
	else
		status = (printf("%s\n", s) < 0);
	goto out;
bad:
	buf_setf(&err, "'%.40s' is not a lunar date YYYY-MM-DD", a);
fail:
	fprintf(stderr, "motcua calendar solar: %s\n", err.ptr);
out:
	opt_release(opts);
	free(pos);
	buf_release(&err);
	return status;
}

/*
 * Hidden: one line "YYYY-MM-DD LY LM LD LEAP" per day from FROM to TO, for
 * the cross-check against an independent implementation
 * (tests/integ/test_lunar_crosscheck.sh).
 */
static int sub_lunar_range(int argc, char **argv)
{
	static const char usage[] = "motcua calendar lunar-range FROM TO";
	struct opt opts[] = { { 0 } };
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 2, 2, usage);
	int32_t from, to;
	if (status >= 0)
		goto out;
	status = 2;
	if (calendar_load_parse_date("FROM", pos[0], &from, &err) ||
	    calendar_load_parse_date("TO", pos[1], &to, &err))
		goto fail;
	status = 1;
	for (int32_t day = from; day <= to; day++) {
		int y, m, d;
		struct lunar_date l;
		days_to_date(day, &y, &m, &d);
		if (lunar_from_solar(y, m, d, &l)) {
			buf_setf(&err, "%04d-%02d-%02d is out of range", y, m, d);
			goto fail;
		}
		printf("%04d-%02d-%02d %d %d %d %d\n", y, m, d, l.year, l.month,
		       l.day, l.leap);
	}
	status = fflush(stdout) ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar lunar-range: %s\n", err.ptr);
out:
	opt_release(opts);
	free(pos);
	buf_release(&err);
	return status;
}

/* ---- days-off ---- */

static int sub_days_off(int argc, char **argv)
{
	static const char usage[] =
		"motcua calendar days-off [--json] [--db URL] [--desk ID] YEAR";
	struct opt opts[] = {
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		{ .name = "desk",
		  .help = "reserved for desk calendars: today every desk follows "
			  "the national schedule; the ID is only echoed" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT;
	struct calendar_load cl;
	bool loaded = false;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 1, 1, usage);
	if (status >= 0)
		goto out;
	status = 2;
	char *end;
	long year = strtol(pos[0], &end, 10);
	if (*end || end == pos[0] || year < CALENDAR_LOAD_FIRST_YEAR ||
	    year > CALENDAR_LOAD_LAST_YEAR) {
		buf_setf(&err, "YEAR: '%.20s' is not a year in %d..%d", pos[0],
			 CALENDAR_LOAD_FIRST_YEAR, CALENDAR_LOAD_LAST_YEAR);
		goto fail;
	}
	if (opts[2].set && !*opts[2].value) {
		buf_setf(&err, "--desk: empty desk ID");
		goto fail;
	}
	status = 1;
	loaded = true;
	if (calendar_load(&cl, opts[1].value, &err))
		goto fail;
	const struct calendar *c = &cl.cal;
	bool announced = calendar_year_announced(c, (int)year);
	int32_t first = date_to_days((int)year, 1, 1);
	int32_t last = date_to_days((int)year, 12, 31);
	json_t *days = opts[0].set ? json_array() : NULL;
	if (!days) {
		printf("%ld: %s; source: %s", year,
		       announced ? "announced"
				 : "provisional (derived from BLLĐ 45/2019/QH14 "
				   "art. 112 and art. 111 cl. 3; not announced)",
		       cl.origin);
		if (opts[2].set)
			printf("; desk %s follows the national schedule",
			       opts[2].value);
		printf("\n");
	}
	for (int i = 0; i < c->n_entries; i++) {
		const struct day_entry *e = &c->entries[i];
		if (e->day < first || e->day > last)
			continue;
		char s[11];
		schedule_format_day(e->day, s);
		if (days) {
			json_array_append_new(
				days, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}",
						"date", s, "weekday",
						weekday_vi[days_weekday(e->day)],
						"kind", calendar_kind_name(e->kind),
						"name", e->name, "off",
						e->kind != DAY_MAKEUP, "provisional",
						e->provisional));
		} else {
			printf("%s %-2s %-14s %s%s\n", s,
			       weekday_vi[days_weekday(e->day)],
			       calendar_kind_name(e->kind), e->name,
			       e->provisional ? " [provisional]" : "");
		}
	}
	if (days)
		status = print_json(json_pack(
			"{s:i, s:b, s:s, s:o, s:o}", "year", (int)year,
			"announced", announced, "source", cl.origin, "desk",
			opts[2].set ? json_string(opts[2].value) : json_null(),
			"days", days));
	else
		status = fflush(stdout) ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar days-off: %s\n", err.ptr);
out:
	if (loaded)
		calendar_load_release(&cl);
	opt_release(opts);
	free(pos);
	buf_release(&err);
	return status;
}

/* ---- import ---- */

static int read_file(const char *path, struct buf *out, struct buf *err)
{
	int rc = MC_EIO;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rc = errno == ENOENT ? MC_ENOTFOUND : MC_EIO;
		buf_setf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f)) {
		buf_setf(err, "%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	return rc;
}

static int sub_import(int argc, char **argv)
{
	static const char usage[] = "motcua calendar import [--json] [--db URL] FILE.csv";
	struct opt opts[] = {
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (default " MC_DEFAULT_DB ")" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT, text = BUF_INIT;
	struct schedule s = SCHEDULE_INIT;
	struct calendar_import_report rep = { NULL, 0 };
	struct db *db = NULL;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 1, 1, usage);
	if (status >= 0)
		goto out;
	status = 1;
	if (read_file(pos[0], &text, &err))
		goto fail;
	if (schedule_parse(&s, text.ptr, text.len, &err)) {
		struct buf tmp = BUF_INIT;
		buf_addf(&tmp, "%s: %s", pos[0], err.ptr);
		buf_release(&err);
		err = tmp;
		goto fail;
	}
	if (db_open(opts[1].value ? opts[1].value : MC_DEFAULT_DB, &db, &err) ||
	    migrate_run(db, NULL, &err) ||
	    calendar_repo_import(db, &s, &rep, &err))
		goto fail;
	if (opts[0].set) {
		json_t *years = json_array();
		for (int i = 0; i < rep.n_years; i++) {
			const struct calendar_year_change *y = &rep.years[i];
			json_array_append_new(
				years, json_pack("{s:i, s:b, s:i, s:i, s:i, s:i}",
						 "year", y->year, "replaced",
						 y->replaced, "added", y->added,
						 "removed", y->removed, "changed",
						 y->changed, "unchanged",
						 y->unchanged));
		}
		status = print_json(json_pack("{s:s, s:i, s:o}", "file", pos[0],
					      "rows", s.n_rows, "years", years));
		goto out;
	}
	printf("imported %d rows from %s\n", s.n_rows, pos[0]);
	for (int i = 0; i < rep.n_years; i++) {
		const struct calendar_year_change *y = &rep.years[i];
		if (y->replaced)
			printf("%d: replaced: %d added, %d removed, %d changed, "
			       "%d unchanged\n",
			       y->year, y->added, y->removed, y->changed,
			       y->unchanged);
		else
			printf("%d: edge rows only (rest of the year kept): %d "
			       "added, %d changed, %d unchanged\n",
			       y->year, y->added, y->changed, y->unchanged);
	}
	status = fflush(stdout) ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar import: %s\n", err.ptr);
out:
	if (db)
		db_close(db);
	calendar_import_report_release(&rep);
	schedule_release(&s);
	opt_release(opts);
	free(pos);
	buf_release(&err);
	buf_release(&text);
	return status;
}

/* ---- the table ---- */

struct calendar_sub {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the name */
	const char *summary;			/* NULL: hidden */
};

static const struct calendar_sub subs[] = {
	{ "lunar", sub_lunar, "YYYY-MM-DD: the lunar date of a solar date" },
	{ "solar", sub_solar, "YYYY-MM-DD [--leap]: the solar date of a lunar date" },
	{ "days-off", sub_days_off, "YEAR [--desk ID]: days off and make-up working days" },
	{ "import", sub_import, "FILE [--db URL]: replace the years in a days-off CSV" },
	/* Deadlines in working time (cli/cmd_calendar_due.c). */
	{ "due", cmd_calendar_due, "--start TIME --duration TEXT: the due time in working time" },
	{ "between", cmd_calendar_between, "A B: working time elapsed between two times" },
	{ "lunar-range", sub_lunar_range, NULL },
	{ NULL, NULL, NULL },
};

static void usage_all(FILE *out)
{
	fprintf(out, "usage: motcua calendar SUBCOMMAND [OPTIONS]\n\n"
		     "subcommands:\n");
	for (const struct calendar_sub *s = subs; s->name; s++)
		if (s->summary)
			fprintf(out, "  %-10s %s\n", s->name, s->summary);
	fprintf(out, "\nEach subcommand has --help. Data: the database when "
		     "--db or MOTCUA_DB is given, else the shipped schedule.\n");
}

int cmd_calendar(int argc, char **argv)
{
	if (argc < 2) {
		usage_all(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage_all(stdout);
		return 0;
	}
	for (const struct calendar_sub *s = subs; s->name; s++)
		if (!strcmp(s->name, argv[1]))
			return s->fn(argc - 1, argv + 1);
	fprintf(stderr, "motcua calendar: unknown subcommand '%s'\n", argv[1]);
	usage_all(stderr);
	return 2;
}
