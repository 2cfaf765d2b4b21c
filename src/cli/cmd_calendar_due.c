/*
 * cmd_calendar_due.c - `motcua calendar due` (the due time of a dossier in
 * the working time of a desk) and `motcua calendar between` (working time
 * elapsed between two instants). Times on the command line are local
 * (UTC+7); the rules are core/deadline.h's. Plain text, or JSON with --json.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/calendar_load.h"
#include "cli/cmd.h"
#include "core/deadline.h"
#include "core/duration.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "store/catalog.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"
#include "util/xalloc.h"

#define DB_HELP "database URL (sqlite:PATH, postgresql://...); default: the shipped schedule"
#define DESK_HELP "the desk of commune/ward CODE (its office hours and cut-off; needs --db)"
#define HOURS_HELP "desk hours as text, e.g. \"mon-fri 07:30-11:30,13:30-17:00; cutoff 15:00\""

static const char *const weekday_vi[] = { "Chủ nhật", "Thứ Hai", "Thứ Ba",
					  "Thứ Tư", "Thứ Năm", "Thứ Sáu",
					  "Thứ Bảy" };

/* Everything a subcommand needs to compute: calendar, desk, engine. */
struct ctx {
	struct calendar_load cl;
	bool loaded;
	struct officehours oh;
	struct deadline dl;
	bool ready;
	const char *desk_label;		/* "default", "text" or the code */
};

static void ctx_release(struct ctx *c)
{
	if (c->ready)
		deadline_release(&c->dl);
	if (c->loaded)
		calendar_load_release(&c->cl);
}

/*
 * The office hours of desk `code` from the catalog (store/catalog.h shape
 * "desk"): its office_hours text (NULL: the default desk) and its cut-off
 * column ("HH:MM" or "none"; NULL: as the text says). MC_ENOTFOUND for an
 * unknown desk.
 */
static int desk_hours(const char *db_url, const char *code,
		      struct officehours *oh, struct buf *err)
{
	struct db *db = NULL;
	json_t *unit = NULL;
	int rc;

	if (!db_url || !*db_url) {
		buf_setf(err, "--desk %s: desks live in the database; give --db "
			      "or MOTCUA_DB (or the hours with --hours)", code);
		return MC_ENOTFOUND;
	}
	if ((rc = db_open(db_url, &db, err)))
		goto out;
	rc = catalog_unit_get(db, code, &unit, err);
	json_t *desk = rc ? NULL : json_object_get(unit, "desk");
	if (rc == MC_ENOTFOUND || (!rc && !json_is_object(desk))) {
		buf_setf(err, "unknown desk '%s'", code);
		rc = MC_ENOTFOUND;
		goto out;
	}
	if (rc)
		goto out;
	const char *text = json_string_value(json_object_get(desk, "office_hours"));
	const char *cutoff = json_string_value(json_object_get(desk, "cutoff"));
	if (text && *text) {
		if ((rc = officehours_parse(text, oh, err))) {
			buf_adds(err, " (stored office hours of the desk)");
			goto out;
		}
	} else {
		officehours_default(oh);
	}
	if (cutoff && *cutoff) {
		/* Reuse the parser for the one clause. */
		struct buf t = BUF_INIT;
		struct officehours tmp;
		officehours_format(oh, &t);
		char *semi = strstr(t.ptr, "cutoff ");
		buf_truncate(&t, semi ? (size_t)(semi - t.ptr) : t.len);
		buf_addf(&t, "%scutoff %s", semi ? "" : "; ", cutoff);
		rc = officehours_parse(t.ptr, &tmp, err);
		buf_release(&t);
		if (rc) {
			buf_adds(err, " (stored cut-off of the desk)");
			goto out;
		}
		oh->cutoff = tmp.cutoff;
	}
	rc = 0;
out:
	json_decref(unit);
	if (db)
		db_close(db);
	return rc;
}

/* Loads the calendar and the desk, builds the engine. Exit status or -1. */
static int ctx_init(struct ctx *c, const char *db_url, const char *desk,
		    const char *hours, const struct deadline_policy *pol,
		    struct buf *err)
{
	memset(c, 0, sizeof(*c));
	if (desk && hours) {
		buf_setf(err, "give --desk or --hours, not both");
		return 2;
	}
	if (hours) {
		if (officehours_parse(hours, &c->oh, err))
			return 2;
		c->desk_label = "text";
	} else if (desk) {
		if (desk_hours(db_url, desk, &c->oh, err))
			return 1;
		c->desk_label = desk;
	} else {
		officehours_default(&c->oh);
		c->desk_label = "default";
	}
	c->loaded = true;
	if (calendar_load(&c->cl, db_url, err))
		return 1;
	if (deadline_init(&c->dl, &c->cl.cal, &c->oh, pol, err))
		return 1;
	c->ready = true;
	return -1;
}

static int parse_time(const char *name, const char *s, mc_time *t,
		      struct buf *err)
{
	struct buf e = BUF_INIT;
	int rc = mctime_parse(s, t, &e);
	if (rc)
		buf_setf(err, "%s: %s", name, e.ptr);
	buf_release(&e);
	return rc;
}

static int cmp_pause(const void *a, const void *b)
{
	const struct deadline_pause *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* "--pause START/END" values -> a sorted array (caller frees). */
static int parse_pauses(const struct opt *o, struct deadline_pause **out,
			int *n, struct buf *err)
{
	*n = 0;
	*out = NULL;
	if (!o->n_values)
		return 0;
	struct deadline_pause *p = xcalloc((size_t)o->n_values, sizeof(*p));
	for (int i = 0; i < o->n_values; i++) {
		const char *v = o->values[i];
		const char *slash = strchr(v, '/');
		if (!slash) {
			buf_setf(err, "--pause: '%s' is not START/END", v);
			free(p);
			return MC_EINVALID;
		}
		char *a = xstrndup(v, (size_t)(slash - v));
		int rc = parse_time("--pause start", a, &p[i].start, err);
		free(a);
		if (!rc)
			rc = parse_time("--pause end", slash + 1, &p[i].end, err);
		if (!rc && p[i].end < p[i].start) {
			buf_setf(err, "--pause: '%s' ends before it starts", v);
			rc = MC_EINVALID;
		}
		if (rc) {
			free(p);
			return rc;
		}
	}
	qsort(p, (size_t)o->n_values, sizeof(*p), cmp_pause);
	*out = p;
	*n = o->n_values;
	return 0;
}

/* Years between a and b with a provisional (not announced) schedule. */
static void provisional_years(const struct calendar *cal, mc_time a, mc_time b,
			      json_t *arr, struct buf *text)
{
	struct mc_civil ca, cb;
	mctime_to_local(a, &ca);
	mctime_to_local(b, &cb);
	for (int y = ca.year; y <= cb.year; y++) {
		if (calendar_year_announced(cal, y))
			continue;
		if (arr)
			json_array_append_new(arr, json_integer(y));
		buf_addf(text, "%s%d", text->len ? ", " : "", y);
	}
}

static json_t *iso(mc_time t)
{
	struct buf b = BUF_INIT;
	mctime_format_iso(t, &b);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

static const char *local(mc_time t, struct buf *b)
{
	buf_reset(b);
	mctime_format_local(t, b);
	struct mc_civil c;
	mctime_to_local(t, &c);
	buf_addf(b, " (%s)", weekday_vi[c.wday]);
	return b->ptr;
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

/* Common option parsing; -1 to go on, else the exit status. */
static int parse(struct opt *opts, int argc, char **argv, const char **pos,
		 int *n_pos, int n_want, const char *usage, const char *who)
{
	struct buf err = BUF_INIT;
	bool help;
	int rc = -1;
	if (opt_parse(opts, argc, argv, pos, n_pos, &help, &err)) {
		fprintf(stderr, "motcua calendar %s: %s\nusage: %s\n", who,
			err.ptr, usage);
		rc = 2;
	} else if (help) {
		opt_usage(usage, opts);
		rc = 0;
	} else if (*n_pos != n_want) {
		fprintf(stderr, "usage: %s\n", usage);
		rc = 2;
	}
	buf_release(&err);
	return rc;
}

/* "1,4,1" -> weights (caller frees). */
static int parse_steps(const char *s, int **out, int *n, struct buf *err)
{
	int cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	int *w = xcalloc((size_t)cap, sizeof(*w));
	*n = 0;
	const char *p = s;
	for (;;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 1000000 || (*end && *end != ',')) {
			buf_setf(err, "--steps: '%s' is not a list of weights "
				      "like 1,4,1", s);
			free(w);
			return MC_EINVALID;
		}
		w[(*n)++] = (int)v;
		if (!*end)
			break;
		p = end + 1;
	}
	*out = w;
	return 0;
}

int cmd_calendar_due(int argc, char **argv)
{
	static const char usage[] =
		"motcua calendar due --start \"YYYY-MM-DD HH:MM\" --duration "
		"\"3 ngày làm việc\" [--desk CODE | --hours TEXT] "
		"[--pause START/END ...] [--restart TIME] "
		"[--policy day-end|hour-exact] [--rest-day-sessions] "
		"[--steps W,W,...] [--json] [--db URL]";
	struct opt opts[] = {
		{ .name = "start", .help = "receipt, local time (UTC+7)" },
		{ .name = "duration", .help = "\"3 ngày làm việc\", \"4 giờ làm việc\", \"15 ngày\", \"Trong ngày\" or a code (3wd)" },
		{ .name = "desk", .help = DESK_HELP },
		{ .name = "hours", .help = HOURS_HELP },
		{ .name = "pause", .repeat = true, .help = "START/END: the clock stops (repeatable)" },
		{ .name = "restart", .help = "the clock starts again from zero at TIME" },
		{ .name = "policy", .help = "day-end (default) or hour-exact" },
		{ .name = "rest-day-sessions", .is_flag = true, .help = "count Saturday sessions as working time" },
		{ .name = "steps", .help = "split the allotment in these proportions; print each step's due" },
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT, b = BUF_INIT, prov = BUF_INIT;
	struct deadline_pause *pauses = NULL;
	int *weights = NULL, n_steps = 0;
	mc_time *dues = NULL;
	struct ctx c = { 0 };
	struct deadline_req req = { 0 };
	struct deadline_policy pol;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 0, usage, "due");
	if (status >= 0)
		goto out;

	status = 2;
	deadline_policy_default(&pol);
	if (!opts[0].set || !opts[1].set) {
		buf_setf(&err, "--start and --duration are required");
		goto fail;
	}
	if (parse_time("--start", opts[0].value, &req.received, &err))
		goto fail;
	if (duration_parse(opts[1].value, &req.dur, &b) &&
	    duration_from_code(opts[1].value, &req.dur, &err)) {
		buf_setf(&err, "--duration: %s", b.ptr);
		goto fail;
	}
	if (parse_pauses(&opts[4], &pauses, &req.n_pauses, &err))
		goto fail;
	req.pauses = pauses;
	if (opts[5].set) {
		if (parse_time("--restart", opts[5].value, &req.restart, &err))
			goto fail;
		req.has_restart = true;
	}
	if (opts[6].set && deadline_count_parse(opts[6].value, &pol.count, &err))
		goto fail;
	pol.rest_day_sessions_count = opts[7].set;
	if (opts[8].set && parse_steps(opts[8].value, &weights, &n_steps, &err))
		goto fail;

	status = ctx_init(&c, opts[10].value, opts[2].value, opts[3].value,
			  &pol, &err);
	if (status >= 0)
		goto fail;
	status = 1;
	mc_time due, start;
	int64_t allotted = 0;
	struct deadline_progress pr;
	if (deadline_due(&c.dl, &req, &due, &err) ||
	    deadline_progress(&c.dl, &req, due, &pr, &err))
		goto fail;
	start = pr.start;
	allotted = pr.allotted;
	if (n_steps) {
		dues = xcalloc((size_t)n_steps, sizeof(*dues));
		if (deadline_split(&c.dl, &req, weights, n_steps, dues, &err))
			goto fail;
	}
	struct buf code = BUF_INIT;
	duration_code(&req.dur, &code);
	json_t *years = opts[9].set ? json_array() : NULL;
	provisional_years(&c.cl.cal, req.received, due, years, &prov);

	if (opts[9].set) {
		json_t *j = json_object();
		json_object_set_new(j, "due", iso(due));
		json_object_set_new(j, "received", iso(req.received));
		json_object_set_new(j, "start", iso(start));
		json_object_set_new(j, "duration", json_string(code.ptr));
		json_object_set_new(j, "policy", json_string(deadline_count_name(pol.count)));
		json_object_set_new(j, "desk", json_string(c.desk_label));
		json_object_set_new(j, "working_minutes", json_integer(allotted / 60));
		json_object_set_new(j, "calendar", json_string(c.cl.origin));
		json_object_set_new(j, "provisional_years", years);
		if (n_steps) {
			json_t *arr = json_array();
			for (int i = 0; i < n_steps; i++)
				json_array_append_new(arr, iso(dues[i]));
			json_object_set_new(j, "steps", arr);
		}
		buf_release(&code);
		status = print_json(j);
		goto out;
	}
	struct buf dtext = BUF_INIT;
	duration_format(&req.dur, &dtext);
	printf("received: %s\n", local(req.received, &b));
	if (req.has_restart)
		printf("restart:  %s\n", local(req.restart, &b));
	printf("start:    %s\n", local(start, &b));
	printf("duration: %s (%s), policy %s, desk %s\n", dtext.ptr, code.ptr,
	       deadline_count_name(pol.count), c.desk_label);
	if (req.n_pauses)
		printf("pauses:   %d\n", req.n_pauses);
	for (int i = 0; i < n_steps; i++)
		printf("step %d:   %s\n", i + 1, local(dues[i], &b));
	printf("due:      %s\n", local(due, &b));
	if (prov.len)
		printf("note: the schedule of %s is provisional (derived from "
		       "BLLĐ 45/2019/QH14 art. 112, not announced)\n", prov.ptr);
	buf_release(&dtext);
	buf_release(&code);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar due: %s\n", err.ptr);
out:
	ctx_release(&c);
	opt_release(opts);
	free(pos);
	free(pauses);
	free(weights);
	free(dues);
	buf_release(&err);
	buf_release(&b);
	buf_release(&prov);
	return status;
}

int cmd_calendar_between(int argc, char **argv)
{
	static const char usage[] =
		"motcua calendar between \"YYYY-MM-DD HH:MM\" \"YYYY-MM-DD HH:MM\" "
		"[--desk CODE | --hours TEXT] [--pause START/END ...] "
		"[--rest-day-sessions] [--json] [--db URL]";
	struct opt opts[] = {
		{ .name = "desk", .help = DESK_HELP },
		{ .name = "hours", .help = HOURS_HELP },
		{ .name = "pause", .repeat = true, .help = "START/END: time not counted (repeatable)" },
		{ .name = "rest-day-sessions", .is_flag = true, .help = "count Saturday sessions as working time" },
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc, sizeof(*pos));
	struct buf err = BUF_INIT;
	struct deadline_pause *pauses = NULL;
	int n_pauses = 0;
	struct ctx c = { 0 };
	struct deadline_policy pol;
	mc_time a, b;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos, 2, usage,
				  "between");
	if (status >= 0)
		goto out;
	status = 2;
	deadline_policy_default(&pol);
	pol.rest_day_sessions_count = opts[3].set;
	if (parse_time("A", pos[0], &a, &err) || parse_time("B", pos[1], &b, &err) ||
	    parse_pauses(&opts[2], &pauses, &n_pauses, &err))
		goto fail;
	status = ctx_init(&c, opts[5].value, opts[0].value, opts[1].value,
			  &pol, &err);
	if (status >= 0)
		goto fail;
	status = 1;
	int64_t s;
	if (deadline_between(&c.dl, a, b, pauses, n_pauses, &s, &err))
		goto fail;
	int64_t min = s / 60;
	double days = (double)s / 60.0 / c.dl.std_day_min;
	if (opts[4].set) {
		json_t *j = json_object();
		json_object_set_new(j, "working_minutes", json_integer(min));
		json_object_set_new(j, "working_seconds", json_integer(s));
		json_object_set_new(j, "working_days", json_real(days));
		json_object_set_new(j, "day_minutes", json_integer(c.dl.std_day_min));
		json_object_set_new(j, "desk", json_string(c.desk_label));
		status = print_json(j);
		goto out;
	}
	int64_t am = min < 0 ? -min : min;
	printf("%s%lld giờ %02lld phút làm việc (%lld minutes; %.2f working "
	       "days of %d minutes)\n", min < 0 ? "-" : "",
	       (long long)(am / 60), (long long)(am % 60), (long long)min,
	       days, c.dl.std_day_min);
	status = 0;
	goto out;
fail:
	fprintf(stderr, "motcua calendar between: %s\n", err.ptr);
out:
	ctx_release(&c);
	opt_release(opts);
	free(pos);
	free(pauses);
	buf_release(&err);
	return status;
}
