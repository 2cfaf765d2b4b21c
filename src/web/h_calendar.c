/*
 * h_calendar.c - the legal working time on the web: /api/v1/calendar/...
 * (lunar, solar, days-off, due, between; the JSON twins of `motcua
 * calendar ... --json`, same fields) and the public page of a desk's
 * office hours, the year's days off and a due-date form
 * (/lich-lam-viec, /don-vi/{code}/lich-lam-viec). The rules are
 * core/calendar.h and core/deadline.h's; the calendar comes from the
 * process cache (web/calcache.h). A deadline that cannot be computed is
 * an error naming the parameter, never a made-up date.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/duration.h"
#include "core/lunar.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "core/schedule.h"
#include "store/deskhours.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/calcache.h"
#include "web/respond.h"

#define MAX_DESK_CODE 40
#define MAX_STEPS 32

static const char *const weekday_short[] = { "CN", "T2", "T3", "T4",
					     "T5", "T6", "T7" };
static const char *const weekday_vi[] = { "Chủ nhật", "Thứ Hai", "Thứ Ba",
					  "Thứ Tư", "Thứ Năm", "Thứ Sáu",
					  "Thứ Bảy" };

/* ---- errors ------------------------------------------------------------- */

/*
 * Answers a failed computation: MC_EINVALID 400 "invalid", MC_ERANGE 400
 * "out_of_range", MC_ENOTFOUND 404 "not_found", each with the reason in
 * `why` (which names the parameter). Other codes go back to the router
 * (503 for MC_EDB, else 500).
 */
static int answer_error(struct http_request *req, struct http_response *res,
			int rc, const struct buf *why)
{
	const char *msg = why->len ? why->ptr : mc_strerror(rc);
	switch (rc) {
	case MC_EINVALID:
		return respond_error(req, res, 400, "invalid", msg);
	case MC_ERANGE:
		return respond_error(req, res, 400, "out_of_range", msg);
	case MC_ENOTFOUND:
		return respond_error(req, res, 404, "not_found", msg);
	default:
		return rc;
	}
}

/* A required query parameter; MC_EINVALID "NAME: required" when absent. */
static int required(struct http_request *req, const char *name,
		    const char **out, struct buf *err)
{
	const char *v = http_query(req, name);
	if (!v || !*v) {
		buf_setf(err, "%s: required", name);
		return MC_EINVALID;
	}
	*out = v;
	return 0;
}

/* A 0/1 flag (absent: false). */
static int flag(struct http_request *req, const char *name, bool *out,
		struct buf *err)
{
	const char *v = http_query(req, name);
	*out = false;
	if (!v || !*v || !strcmp(v, "0") || !strcmp(v, "false"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		*out = true;
		return 0;
	}
	buf_setf(err, "%s: '%.20s' is not 0 or 1", name, v);
	return MC_EINVALID;
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

/* A year in the cache's range; MC_EINVALID / MC_ERANGE naming `name`. */
static int parse_year(const char *name, const char *s, int *out,
		      struct buf *err)
{
	char *end;
	errno = 0;
	long y = strtol(s, &end, 10);
	if (end == s || *end || errno || !isdigit((unsigned char)*s)) {
		buf_setf(err, "%s: '%.20s' is not a year", name, s);
		return MC_EINVALID;
	}
	if (y < CALCACHE_FIRST_YEAR || y > CALCACHE_LAST_YEAR) {
		buf_setf(err, "%s: %ld is outside the calendar's years %d..%d",
			 name, y, CALCACHE_FIRST_YEAR, CALCACHE_LAST_YEAR);
		return MC_ERANGE;
	}
	*out = (int)y;
	return 0;
}

/* The characters a unit code may hold ("07738"). */
static bool desk_code_ok(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > MAX_DESK_CODE)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && code[i] != '-' &&
		    code[i] != '_' && code[i] != '.')
			return false;
	return true;
}

/*
 * The desk named by `code` (NULL: the default desk, *desk NULL) into *oh.
 * MC_ENOTFOUND for an unknown desk, MC_EINVALID for a malformed code or
 * stored hours that do not parse.
 */
static int load_desk(struct db *db, const char *param, const char *code,
		     struct officehours *oh, json_t **desk, struct buf *err)
{
	*desk = NULL;
	if (!code) {
		officehours_default(oh);
		return 0;
	}
	if (!desk_code_ok(code)) {
		buf_setf(err, "%s: '%.40s' is not a unit code", param, code);
		return MC_EINVALID;
	}
	struct buf why = BUF_INIT;
	int rc = deskhours_get(db, code, desk, oh, &why);
	if (rc)
		buf_setf(err, "%s: %s", param, why.ptr);
	buf_release(&why);
	return rc;
}

/* ---- shared pieces of due and between ---------------------------------- */

static json_t *iso(mc_time t)
{
	struct buf b = BUF_INIT;
	mctime_format_iso(t, &b);
	json_t *j = json_stringn(b.ptr, b.len);
	buf_release(&b);
	return j;
}

static int cmp_pause(const void *a, const void *b)
{
	const struct deadline_pause *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Every "pause=START/END" of the query, sorted (arena memory). */
static int parse_pauses(struct http_request *req, struct deadline_pause **out,
			int *n, struct buf *err)
{
	int cap = 0;
	for (int i = 0; i < req->n_query_params; i++)
		cap += !strcmp(req->query_params[i].name, "pause");
	*n = 0;
	*out = NULL;
	if (!cap)
		return 0;
	struct deadline_pause *p =
		arena_alloc(req->arena, sizeof(*p) * (size_t)cap);
	for (int i = 0; i < req->n_query_params; i++) {
		if (strcmp(req->query_params[i].name, "pause"))
			continue;
		const char *v = req->query_params[i].value;
		const char *slash = strchr(v, '/');
		if (!slash) {
			buf_setf(err, "pause: '%.60s' is not START/END", v);
			return MC_EINVALID;
		}
		char *a = arena_strndup(req->arena, v, (size_t)(slash - v));
		struct deadline_pause *q = &p[*n];
		if (parse_time("pause start", a, &q->start, err) ||
		    parse_time("pause end", slash + 1, &q->end, err))
			return MC_EINVALID;
		if (q->end < q->start) {
			buf_setf(err, "pause: '%.60s' ends before it starts", v);
			return MC_EINVALID;
		}
		(*n)++;
	}
	qsort(p, (size_t)*n, sizeof(*p), cmp_pause);
	*out = p;
	return 0;
}

/* "1,4,1" -> weights (arena). */
static int parse_steps(struct http_request *req, const char *s, int **out,
		       int *n, struct buf *err)
{
	int *w = arena_alloc(req->arena, sizeof(*w) * MAX_STEPS);
	const char *p = s;
	*n = 0;
	for (;;) {
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v > 1000000 ||
		    (*end && *end != ',') || *n == MAX_STEPS) {
			buf_setf(err, "steps: '%.60s' is not a list of at most "
				      "%d weights like 1,4,1", s, MAX_STEPS);
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

/* The duration as the CLI reads it: a Vietnamese phrase or a code. */
static int parse_duration(const char *s, struct duration *out,
			  struct buf *err)
{
	struct buf why = BUF_INIT, ignored = BUF_INIT;
	int rc = duration_parse(s, out, &why);
	if (rc && !duration_from_code(s, out, &ignored))
		rc = 0;
	if (rc)
		buf_setf(err, "duration: %s", why.ptr);
	buf_release(&why);
	buf_release(&ignored);
	return rc;
}

/* Years between a and b whose schedule is provisional, as JSON ints. */
static json_t *provisional_years(const struct calendar *cal, mc_time a,
				 mc_time b)
{
	json_t *arr = json_array();
	struct mc_civil ca, cb;
	mctime_to_local(a, &ca);
	mctime_to_local(b, &cb);
	for (int y = ca.year; y <= cb.year; y++)
		if (!calendar_year_announced(cal, y))
			json_array_append_new(arr, json_integer(y));
	return arr;
}

/*
 * What due and between share: the database, the calendar snapshot, the
 * desk's hours. ctx_release() in every case.
 */
struct calc {
	struct db *db;
	struct calcache_snap *snap;
	struct officehours oh;
	json_t *desk;			/* NULL: the default desk */
	const char *desk_label;		/* "default" or the code */
	struct deadline *owned;
};

static void calc_release(struct calc *c)
{
	calcache_engine_done(c->owned);
	calcache_put(c->snap);
	json_decref(c->desk);
}

/* Database, snapshot and desk (param "desk"). */
static int calc_init(struct http_request *req, struct calc *c,
		     const char *desk_param, struct buf *err)
{
	memset(c, 0, sizeof(*c));
	int rc = app_db(req, &c->db);
	if (rc)
		return rc;
	const char *code = http_query(req, desk_param);
	if (code && !*code)
		code = NULL;
	if ((rc = load_desk(c->db, desk_param, code, &c->oh, &c->desk, err)))
		return rc;
	c->desk_label = code ? code : "default";
	return calcache_get(c->db, &c->snap, err);
}

/* ---- API ---------------------------------------------------------------- */

int handle_api_calendar_lunar(struct http_request *req,
			      struct http_response *res)
{
	struct buf err = BUF_INIT;
	const char *s;
	int32_t day;
	int y, m, d, rc;
	struct lunar_date l;
	if ((rc = required(req, "date", &s, &err)))
		goto fail;
	if (schedule_parse_day(s, &day)) {
		buf_setf(&err, "date: '%.40s' is not a date YYYY-MM-DD", s);
		rc = MC_EINVALID;
		goto fail;
	}
	days_to_date(day, &y, &m, &d);
	if ((rc = lunar_from_solar(y, m, d, &l))) {
		buf_setf(&err, "date: %s is outside the lunar calendar's range "
			       "(1900-01-31 .. 2199-12-31)", s);
		rc = MC_ERANGE;
		goto fail;
	}
	buf_release(&err);
	respond_cache(req, res, 86400);
	return respond_view(req, res, 200, "calendar",
			    json_pack("{s:i, s:i, s:i, s:b}", "year", l.year,
				      "month", l.month, "day", l.day, "leap",
				      l.leap));
fail:
	rc = answer_error(req, res, rc, &err);
	buf_release(&err);
	return rc;
}

/* "YYYY-MM-DD" read by field: a lunar date need not be a solar one. */
static int parse_lunar(const char *a, struct lunar_date *l)
{
	char *end;
	errno = 0;
	long ly = strtol(a, &end, 10);
	if (end != a + 4 || *end != '-' || !isdigit((unsigned char)*a))
		return MC_EINVALID;
	long lm = strtol(end + 1, &end, 10);
	if (end != a + 7 || *end != '-' || !isdigit((unsigned char)a[5]))
		return MC_EINVALID;
	long ld = strtol(end + 1, &end, 10);
	if (end != a + 10 || *end || errno || !isdigit((unsigned char)a[8]))
		return MC_EINVALID;
	l->year = (int)ly;
	l->month = (int)lm;
	l->day = (int)ld;
	return 0;
}

int handle_api_calendar_solar(struct http_request *req,
			      struct http_response *res)
{
	struct buf err = BUF_INIT;
	const char *a;
	struct lunar_date l = { 0 };
	int y, m, d, rc;
	if ((rc = required(req, "date", &a, &err)) ||
	    (rc = flag(req, "leap", &l.leap, &err)))
		goto fail;
	if (parse_lunar(a, &l)) {
		buf_setf(&err, "date: '%.40s' is not a lunar date YYYY-MM-DD", a);
		rc = MC_EINVALID;
		goto fail;
	}
	rc = lunar_to_solar(&l, &y, &m, &d);
	if (rc == MC_ERANGE) {
		buf_setf(&err, "date: lunar year %d is outside 1900..2199 (or "
			       "the date falls after 2199)", l.year);
		goto fail;
	}
	if (rc) {
		int leap = lunar_leap_month(l.year), n;
		rc = MC_EINVALID;
		if (l.leap && leap == 0)
			buf_setf(&err, "leap: lunar year %d has no leap month",
				 l.year);
		else if (l.leap && leap != l.month)
			buf_setf(&err, "leap: the leap month of lunar year %d "
				       "is %d, not %d", l.year, leap, l.month);
		else if (!lunar_month_days(l.year, l.month, l.leap, &n))
			buf_setf(&err, "date: lunar %s%s does not exist: that "
				       "month has %d days", a,
				 l.leap ? " (leap)" : "", n);
		else
			buf_setf(&err, "date: lunar %s does not exist", a);
		goto fail;
	}
	char s[11];
	schedule_format_day(date_to_days(y, m, d), s);
	buf_release(&err);
	respond_cache(req, res, 86400);
	return respond_view(req, res, 200, "calendar",
			    json_pack("{s:s, s:i, s:i, s:i}", "date", s, "year",
				      y, "month", m, "day", d));
fail:
	rc = answer_error(req, res, rc, &err);
	buf_release(&err);
	return rc;
}

/* The entries of `year`, as `calendar days-off --json` lists them. */
static json_t *days_of_year(const struct calendar *c, int year)
{
	json_t *days = json_array();
	int32_t first = date_to_days(year, 1, 1);
	int32_t last = date_to_days(year, 12, 31);
	for (int i = 0; i < c->n_entries; i++) {
		const struct day_entry *e = &c->entries[i];
		if (e->day < first || e->day > last)
			continue;
		char s[11];
		schedule_format_day(e->day, s);
		json_array_append_new(
			days, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "date",
					s, "weekday",
					weekday_short[days_weekday(e->day)],
					"kind", calendar_kind_name(e->kind),
					"name", e->name, "off",
					e->kind != DAY_MAKEUP, "provisional",
					e->provisional));
	}
	return days;
}

int handle_api_calendar_days_off(struct http_request *req,
				 struct http_response *res)
{
	struct buf err = BUF_INIT;
	struct calc c = { 0 };
	const char *ys;
	int year, rc;
	if ((rc = required(req, "year", &ys, &err)) ||
	    (rc = parse_year("year", ys, &year, &err)) ||
	    (rc = calc_init(req, &c, "desk", &err)))
		goto fail;
	const struct calendar *cal = calcache_calendar(c.snap);
	json_t *model = json_pack(
		"{s:i, s:b, s:s, s:o, s:o}", "year", year, "announced",
		calendar_year_announced(cal, year), "source", "database",
		"desk", c.desk ? json_string(c.desk_label) : json_null(),
		"days", days_of_year(cal, year));
	calc_release(&c);
	buf_release(&err);
	return respond_view(req, res, 200, "calendar", model);
fail:
	calc_release(&c);
	rc = answer_error(req, res, rc, &err);
	buf_release(&err);
	return rc;
}

int handle_api_calendar_due(struct http_request *req,
			    struct http_response *res)
{
	struct buf err = BUF_INIT, code = BUF_INIT;
	struct calc c = { 0 };
	struct deadline_req r = { 0 };
	struct deadline_pause *pauses = NULL;
	struct deadline_policy pol;
	const struct deadline *dl;
	const char *start, *dur, *v;
	int *weights = NULL, n_steps = 0, rc;
	mc_time due;
	struct deadline_progress pr;

	deadline_policy_default(&pol);
	if ((rc = required(req, "start", &start, &err)) ||
	    (rc = parse_time("start", start, &r.received, &err)) ||
	    (rc = required(req, "duration", &dur, &err)) ||
	    (rc = parse_duration(dur, &r.dur, &err)) ||
	    (rc = parse_pauses(req, &pauses, &r.n_pauses, &err)) ||
	    (rc = flag(req, "rest_day_sessions", &pol.rest_day_sessions_count,
		       &err)))
		goto fail;
	r.pauses = pauses;
	if ((v = http_query(req, "restart")) && *v) {
		if ((rc = parse_time("restart", v, &r.restart, &err)))
			goto fail;
		r.has_restart = true;
	}
	if ((v = http_query(req, "policy")) && *v) {
		struct buf why = BUF_INIT;
		rc = deadline_count_parse(v, &pol.count, &why);
		if (rc)
			buf_setf(&err, "policy: %s", why.ptr);
		buf_release(&why);
		if (rc)
			goto fail;
	}
	if ((v = http_query(req, "steps")) && *v &&
	    (rc = parse_steps(req, v, &weights, &n_steps, &err)))
		goto fail;
	if ((rc = calc_init(req, &c, "desk", &err)) ||
	    (rc = calcache_engine(c.snap, &c.oh, &pol, &dl, &c.owned, &err)) ||
	    (rc = deadline_due(dl, &r, &due, &err)) ||
	    (rc = deadline_progress(dl, &r, due, &pr, &err)))
		goto fail;
	mc_time *dues = NULL;
	if (n_steps) {
		dues = arena_alloc(req->arena, sizeof(*dues) * (size_t)n_steps);
		if ((rc = deadline_split(dl, &r, weights, n_steps, dues, &err)))
			goto fail;
	}
	duration_code(&r.dur, &code);
	json_t *j = json_object();
	json_object_set_new(j, "due", iso(due));
	json_object_set_new(j, "received", iso(r.received));
	json_object_set_new(j, "start", iso(pr.start));
	json_object_set_new(j, "duration", json_string(code.ptr));
	json_object_set_new(j, "policy",
			    json_string(deadline_count_name(pol.count)));
	json_object_set_new(j, "desk", json_string(c.desk_label));
	json_object_set_new(j, "working_minutes",
			    json_integer(pr.allotted / 60));
	json_object_set_new(j, "calendar", json_string("database"));
	json_object_set_new(j, "provisional_years",
			    provisional_years(calcache_calendar(c.snap),
					      r.received, due));
	if (n_steps) {
		json_t *arr = json_array();
		for (int i = 0; i < n_steps; i++)
			json_array_append_new(arr, iso(dues[i]));
		json_object_set_new(j, "steps", arr);
	}
	calc_release(&c);
	buf_release(&err);
	buf_release(&code);
	return respond_view(req, res, 200, "calendar", j);
fail:
	calc_release(&c);
	rc = answer_error(req, res, rc, &err);
	buf_release(&err);
	buf_release(&code);
	return rc;
}

int handle_api_calendar_between(struct http_request *req,
				struct http_response *res)
{
	struct buf err = BUF_INIT;
	struct calc c = { 0 };
	struct deadline_pause *pauses = NULL;
	struct deadline_policy pol;
	const struct deadline *dl;
	const char *fs, *ts;
	mc_time a, b;
	int n_pauses = 0, rc;
	int64_t s;

	deadline_policy_default(&pol);
	if ((rc = required(req, "from", &fs, &err)) ||
	    (rc = parse_time("from", fs, &a, &err)) ||
	    (rc = required(req, "to", &ts, &err)) ||
	    (rc = parse_time("to", ts, &b, &err)) ||
	    (rc = parse_pauses(req, &pauses, &n_pauses, &err)) ||
	    (rc = flag(req, "rest_day_sessions", &pol.rest_day_sessions_count,
		       &err)) ||
	    (rc = calc_init(req, &c, "desk", &err)) ||
	    (rc = calcache_engine(c.snap, &c.oh, &pol, &dl, &c.owned, &err)) ||
	    (rc = deadline_between(dl, a, b, pauses, n_pauses, &s, &err)))
		goto fail;
	json_t *j = json_object();
	json_object_set_new(j, "working_minutes", json_integer(s / 60));
	json_object_set_new(j, "working_seconds", json_integer(s));
	json_object_set_new(j, "working_days",
			    json_real((double)s / 60.0 / dl->std_day_min));
	json_object_set_new(j, "day_minutes", json_integer(dl->std_day_min));
	json_object_set_new(j, "desk", json_string(c.desk_label));
	calc_release(&c);
	buf_release(&err);
	return respond_view(req, res, 200, "calendar", j);
fail:
	calc_release(&c);
	rc = answer_error(req, res, rc, &err);
	buf_release(&err);
	return rc;
}

/* ---- the public page ---------------------------------------------------- */

static void add_hhmm(struct buf *b, int min)
{
	buf_addf(b, "%02d:%02d", min / 60, min % 60);
}

static bool same_sessions(const struct officehours *oh, int a, int b)
{
	if (oh->n_sess[a] != oh->n_sess[b])
		return false;
	for (int i = 0; i < oh->n_sess[a]; i++)
		if (oh->sess[a][i].start != oh->sess[b][i].start ||
		    oh->sess[a][i].end != oh->sess[b][i].end)
			return false;
	return true;
}

/*
 * The weekly hours in plain Vietnamese, Monday first, consecutive days
 * with the same sessions together: [{"days":"Thứ Hai – Thứ Sáu",
 * "sessions":"07:30–11:30 và 13:30–17:00"}], plus "closed": the days
 * without a session ("Thứ Bảy, Chủ nhật").
 */
static void hours_model(const struct officehours *oh, json_t *model)
{
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	json_t *rows = json_array();
	struct buf closed = BUF_INIT, b = BUF_INIT;
	for (int i = 0; i < 7;) {
		int wd = order[i], j = i + 1;
		if (!oh->n_sess[wd]) {
			buf_addf(&closed, "%s%s", closed.len ? ", " : "",
				 weekday_vi[wd]);
			i++;
			continue;
		}
		while (j < 7 && same_sessions(oh, wd, order[j]))
			j++;
		buf_reset(&b);
		buf_adds(&b, weekday_vi[wd]);
		if (j - i > 1)
			buf_addf(&b, " – %s", weekday_vi[order[j - 1]]);
		json_t *days = json_string(b.ptr);
		buf_reset(&b);
		for (int k = 0; k < oh->n_sess[wd]; k++) {
			if (k)
				buf_adds(&b, k == oh->n_sess[wd] - 1 ? " và "
								     : ", ");
			add_hhmm(&b, oh->sess[wd][k].start);
			buf_adds(&b, "–");
			add_hhmm(&b, oh->sess[wd][k].end);
		}
		json_array_append_new(rows, json_pack("{s:o, s:s}", "days",
						      days, "sessions", b.ptr));
		i = j;
	}
	json_object_set_new(model, "hours", rows);
	json_object_set_new(model, "closed",
			    closed.len ? json_string(closed.ptr) : json_null());
	buf_reset(&b);
	if (oh->cutoff >= 0) {
		buf_adds(&b, "Hồ sơ nhận sau ");
		add_hhmm(&b, oh->cutoff);
		buf_adds(&b, " được tính từ ngày làm việc tiếp theo.");
	} else {
		buf_adds(&b, "Hồ sơ nhận trong giờ làm việc được tính ngay "
			     "trong ngày (không có giờ chốt nhận hồ sơ).");
	}
	json_object_set_new(model, "cutoff_text", json_string(b.ptr));
	buf_reset(&b);
	buf_addf(&b, "Ngày làm bù làm việc theo giờ của %s.",
		 weekday_vi[oh->makeup_wday]);
	json_object_set_new(model, "makeup_text", json_string(b.ptr));
	buf_release(&b);
	buf_release(&closed);
}

static const char *kind_text(enum day_kind k)
{
	switch (k) {
	case DAY_HOLIDAY:
		return "Nghỉ lễ, Tết";
	case DAY_COMPENSATORY:
		return "Nghỉ bù";
	case DAY_SWAPPED_OFF:
		return "Nghỉ hoán đổi";
	case DAY_MAKEUP:
		return "Làm việc bù";
	}
	return "";
}

/* The year's entries grouped by month (months without one left out). */
static void months_model(const struct calendar *c, int year, json_t *model)
{
	json_t *months = json_array(), *month = NULL, *days = NULL;
	int cur = 0, n_off = 0, n_makeup = 0;
	int32_t first = date_to_days(year, 1, 1);
	int32_t last = date_to_days(year, 12, 31);
	for (int i = 0; i < c->n_entries; i++) {
		const struct day_entry *e = &c->entries[i];
		if (e->day < first || e->day > last)
			continue;
		int y, m, d;
		days_to_date(e->day, &y, &m, &d);
		if (m != cur) {
			char name[16];
			snprintf(name, sizeof(name), "Tháng %d", m);
			days = json_array();
			month = json_pack("{s:s, s:o}", "name", name, "days",
					  days);
			json_array_append_new(months, month);
			cur = m;
		}
		char iso_day[11], text[64];
		schedule_format_day(e->day, iso_day);
		snprintf(text, sizeof(text), "%s, %02d/%02d/%d",
			 weekday_vi[days_weekday(e->day)], d, m, y);
		bool makeup = e->kind == DAY_MAKEUP;
		n_off += !makeup;
		n_makeup += makeup;
		json_array_append_new(
			days, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b}",
					"date", iso_day, "date_text", text,
					"name", e->name, "kind_text",
					kind_text(e->kind), "off", !makeup,
					"makeup", makeup, "provisional",
					e->provisional));
	}
	json_object_set_new(model, "months", months);
	json_object_set_new(model, "n_off", json_integer(n_off));
	json_object_set_new(model, "n_makeup", json_integer(n_makeup));
	json_object_set_new(model, "has_makeup", json_boolean(n_makeup > 0));
	json_object_set_new(model, "has_days",
			    json_boolean(json_array_size(months) > 0));
}

/* "17:00, Thứ Hai 23/02/2026". */
static json_t *local_text(mc_time t)
{
	struct mc_civil c;
	char s[64];
	mctime_to_local(t, &c);
	snprintf(s, sizeof(s), "%02d:%02d, %s %02d/%02d/%d", c.hour, c.min,
		 weekday_vi[c.wday], c.day, c.month, c.year);
	return json_string(s);
}

struct unit_choice {
	const char *value;	/* the form's value */
	const char *label;
	const char *code;	/* duration code suffix */
};

static const struct unit_choice unit_choices[] = {
	{ "ngay-lam-viec", "ngày làm việc", "wd" },
	{ "gio-lam-viec", "giờ làm việc", "wh" },
	{ "ngay", "ngày (kể cả ngày nghỉ)", "cd" },
	{ "trong-ngay", "trong ngày", "sd" },
};

/*
 * The form "Tính ngày hẹn trả" and, when it was submitted (tu=...), its
 * result or the error next to the field. Returns the HTTP status: 200, or
 * 400 for input that cannot be read.
 */
static int form_model(struct http_request *req, const struct deadline *dl,
		      const struct calendar *cal, json_t *model)
{
	const char *tu = http_query(req, "tu");
	const char *so = http_query(req, "so");
	const char *loai = http_query(req, "loai");
	const struct unit_choice *uc = &unit_choices[0];
	for (size_t i = 0; loai && i < ARRAY_SIZE(unit_choices); i++)
		if (!strcmp(loai, unit_choices[i].value))
			uc = &unit_choices[i];
	json_t *units = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(unit_choices); i++)
		json_array_append_new(units,
				      json_pack("{s:s, s:s, s:b}", "value",
						unit_choices[i].value, "label",
						unit_choices[i].label, "selected",
						uc == &unit_choices[i]));
	json_t *form = json_pack("{s:s, s:s, s:o}", "tu", tu ? tu : "", "so",
				 so && *so ? so : "3", "units", units);
	json_object_set_new(model, "form", form);
	if (!tu)
		return 200;

	struct buf err = BUF_INIT, code = BUF_INIT;
	struct deadline_req r = { 0 };
	const char *field = NULL, *msg = NULL;
	int status = 400;
	mc_time due;
	struct deadline_progress pr;
	if (!*tu || mctime_parse(tu, &r.received, &err)) {
		field = "tu";
		msg = "Nhập thời điểm nhận hồ sơ theo dạng năm-tháng-ngày "
		      "giờ:phút, ví dụ 2026-02-12 16:00.";
		goto out;
	}
	char *end;
	long n = 0;
	if (strcmp(uc->code, "sd")) {
		errno = 0;
		n = so && *so ? strtol(so, &end, 10) : -1;
		if (!so || !*so || *end || errno || n < 0 || n > 3650) {
			field = "so";
			msg = "Nhập thời hạn là một số nguyên từ 0 đến 3650.";
			goto out;
		}
	}
	buf_addf(&code, "%ld%s", n, uc->code);
	if (duration_from_code(code.ptr, &r.dur, &err)) {
		field = "so";
		msg = "Thời hạn này không tính được.";
		goto out;
	}
	buf_reset(&err);
	if (deadline_due(dl, &r, &due, &err) ||
	    deadline_progress(dl, &r, due, &pr, &err)) {
		field = "tu";
		msg = "Không tính được ngày hẹn trả: thời điểm nhận hoặc ngày "
		      "hẹn trả nằm ngoài những năm hệ thống có lịch "
		      "(1900–2199).";
		goto out;
	}
	struct buf dtext = BUF_INIT;
	duration_format(&r.dur, &dtext);
	json_t *prov = provisional_years(cal, r.received, due);
	struct buf pt = BUF_INIT;
	size_t i;
	json_t *y;
	json_array_foreach(prov, i, y)
		buf_addf(&pt, "%s%d", i ? ", " : "", (int)json_integer_value(y));
	json_object_set_new(
		model, "result",
		json_pack("{s:o, s:o, s:o, s:s, s:o, s:o}", "due_text",
			  local_text(due), "received_text",
			  local_text(r.received), "start_text",
			  local_text(pr.start), "duration_text", dtext.ptr,
			  "due", iso(due), "provisional_years",
			  pt.len ? json_string(pt.ptr) : json_null()));
	json_decref(prov);
	buf_release(&pt);
	buf_release(&dtext);
	status = 200;
out:
	if (field) {
		json_object_set_new(model, "form_error",
				    json_pack("{s:s, s:s, s:b, s:b}", "field",
					      field, "message", msg, "on_tu",
					      !strcmp(field, "tu"), "on_so",
					      !strcmp(field, "so")));
	}
	buf_release(&err);
	buf_release(&code);
	return status;
}

/* The current local year: the default of ?nam=. */
static int this_year(void)
{
	struct mc_civil c;
	mctime_to_local((mc_time)time(NULL), &c);
	return c.year;
}

int handle_calendar_page(struct http_request *req, struct http_response *res)
{
	struct buf err = BUF_INIT;
	struct calc c = { 0 };
	const struct deadline *dl;
	json_t *model = NULL;
	int year, rc, status;
	const char *path_code = http_param(req, "code");
	const char *code = path_code ? path_code : http_query(req, "quay");
	if (code && !*code)
		code = NULL;
	const char *ys = http_query(req, "nam");
	if (ys && *ys) {
		if ((rc = parse_year("nam", ys, &year, &err))) {
			buf_release(&err);
			return respond_error(req, res, 400, "invalid",
					     "Năm không hợp lệ: hệ thống có "
					     "lịch từ năm 1900 đến năm 2199.");
		}
	} else {
		year = this_year();
		if (year < CALCACHE_FIRST_YEAR || year > CALCACHE_LAST_YEAR)
			year = CALCACHE_LAST_YEAR;
	}
	if ((rc = app_db(req, &c.db)))
		goto out;
	if (code && !desk_code_ok(code)) {
		rc = MC_ENOTFOUND;
	} else {
		rc = load_desk(c.db, "quay", code, &c.oh, &c.desk, &err);
	}
	if (rc == MC_ENOTFOUND || rc == MC_EINVALID) {
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy Bộ phận Một cửa này.");
		goto out;
	}
	c.desk_label = code;
	if (rc || (rc = calcache_get(c.db, &c.snap, &err)) ||
	    (rc = calcache_engine(c.snap, &c.oh, NULL, &dl, &c.owned, &err)))
		goto out;
	const struct calendar *cal = calcache_calendar(c.snap);
	bool announced = calendar_year_announced(cal, year);
	char title[160];
	snprintf(title, sizeof(title), "Lịch làm việc năm %d", year);

	struct buf base = BUF_INIT;
	if (path_code)
		buf_addf(&base, "/don-vi/%s/lich-lam-viec", path_code);
	else
		buf_adds(&base, "/lich-lam-viec");
	const char *q = path_code || !code ? "?" : "";
	struct buf qdesk = BUF_INIT;
	if (!path_code && code)
		buf_addf(&qdesk, "?quay=%s&", code);
	model = json_pack("{s:s, s:i, s:b, s:b, s:o, s:s, s:s, s:o, s:o}",
			  "title", title, "year", year, "announced", announced,
			  "provisional", !announced, "desk",
			  c.desk ? json_incref(c.desk) : json_null(), "action",
			  base.ptr, "desk_code", code ? code : "",
			  "has_desk_code", json_boolean(!path_code && code),
			  "unit_code",
			  path_code ? json_string(path_code) : json_null());
	if (year > CALCACHE_FIRST_YEAR) {
		char *href = arena_printf(req->arena, "%s%s%snam=%d", base.ptr,
					  q, qdesk.ptr, year - 1);
		json_object_set_new(model, "prev",
				    json_pack("{s:s, s:i}", "href", href,
					      "year", year - 1));
	}
	if (year < CALCACHE_LAST_YEAR) {
		char *href = arena_printf(req->arena, "%s%s%snam=%d", base.ptr,
					  q, qdesk.ptr, year + 1);
		json_object_set_new(model, "next",
				    json_pack("{s:s, s:i}", "href", href,
					      "year", year + 1));
	}
	buf_release(&base);
	buf_release(&qdesk);
	hours_model(&c.oh, model);
	months_model(cal, year, model);
	status = form_model(req, dl, cal, model);
	respond_cache(req, res, 0);
	rc = respond_view(req, res, status, "calendar", model);
out:
	calc_release(&c);
	buf_release(&err);
	return rc;
}
