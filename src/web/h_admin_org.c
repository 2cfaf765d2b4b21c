/*
 * h_admin_org.c - administration of units, desks and the days-off
 * calendar (engineer "admin-org"): /quan-tri/don-vi (units in the user's
 * scope), /quan-tri/don-vi/{code} (a unit before and after the 2025
 * reform, and its desk's form), /quan-tri/lich/{nam} (the year's schedule,
 * its month grids, entry edits and CSV import with a preview), and their
 * JSON twins under /api/v1/admin/. Access is the router's (routes.c
 * declares ACT_UNITS_EDIT / ACT_CALENDAR_EDIT); SQL is in store/.
 */
#include "web/handlers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/officehours.h"
#include "store/calendar_admin.h"
#include "store/calendar_repo.h"
#include "store/desk_repo.h"
#include "store/deskhours.h"
#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/calcache.h"
#include "web/respond.h"
#include "web/upload.h"

#define UNITS_PER_PAGE 50

static const char *const weekday_vi[] = { "Chủ nhật", "Thứ Hai", "Thứ Ba",
					  "Thứ Tư", "Thứ Năm", "Thứ Sáu",
					  "Thứ Bảy" };
static const char *const weekday_short[] = { "CN", "T2", "T3", "T4",
					     "T5", "T6", "T7" };

/* ---- shared pieces ------------------------------------------------------ */

/* A field of the JSON body or the form (strings; numbers as text). */
static const char *in_field(struct http_request *req, json_t *body,
			    const char *name)
{
	if (body) {
		json_t *v = json_object_get(body, name);
		if (json_is_string(v))
			return json_string_value(v);
		if (json_is_integer(v)) {
			char *s = arena_alloc(req->arena, 24);
			snprintf(s, 24, "%lld", (long long)json_integer_value(v));
			return s;
		}
		return NULL;
	}
	return http_form(req, name);
}

/*
 * Answers a refused input: HTML re-renders `view` with the model (which
 * holds the values typed and the errors) as 422; JSON answers
 * {"error":{"code":"invalid","field","message","fields":{...}}}.
 * Steals model and errors.
 */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  json_t *errors, const char *code)
{
	if (req->want_json) {
		const char *k = NULL;
		json_t *v = NULL;
		void *it = json_object_iter(errors);
		if (it) {
			k = json_object_iter_key(it);
			v = json_object_iter_value(it);
		}
		json_t *e = json_pack("{s:s, s:s?, s:s, s:O}", "code", code,
				      "field", k, "message",
				      v ? json_string_value(v) : "", "fields",
				      errors);
		json_decref(model);
		json_decref(errors);
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	json_object_set_new(model, "errors", errors);
	json_object_set_new(model, "has_errors", json_true());
	respond_cache(req, res, 0);
	return respond_view(req, res, status, view, model);
}

static int db_or_503(struct http_request *req, struct db **db)
{
	return app_db(req, db);
}

static void log_db(const char *what, const struct buf *err)
{
	log_error("admin-org: %s: %s", what, err->ptr);
}

/* ---- units -------------------------------------------------------------- */

/* Page number from ?trang= (1 when absent or bad). */
static int page_param(struct http_request *req)
{
	const char *s = http_query(req, "trang");
	if (!s || !*s)
		return 1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno || *end || v < 1 || v > 100000 ? 1 : (int)v;
}

/* "?q=...&trang=N" into b (replaced), the query percent-encoded. */
static void page_href(struct buf *b, const char *q, int page)
{
	static const char hex[] = "0123456789ABCDEF";
	buf_reset(b);
	buf_adds(b, "?");
	if (q && *q) {
		buf_adds(b, "q=");
		for (const unsigned char *p = (const unsigned char *)q; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')
				buf_addch(b, *p);
			else
				buf_addf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
		}
		buf_adds(b, "&");
	}
	buf_addf(b, "trang=%d", page);
}

int handle_admin_units(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *all = NULL;
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	const char *q = http_query(req, "q");
	const struct principal *p = auth_principal(req);
	if ((rc = desk_repo_units(db, q, &all, &err))) {
		if (rc == MC_EINVALID)
			rc = respond_error(req, res, 400, "bad_request",
					   "Từ khóa tìm kiếm không hợp lệ.");
		else
			log_db("units", &err);
		goto out;
	}
	/* Only the units the user may administer (web/auth.h). */
	json_t *in_scope = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(all, "items"), i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		const char *parent =
			json_string_value(json_object_get(it, "parent_code"));
		if (authz_can(p, ACT_UNITS_EDIT, code, parent))
			json_array_append(in_scope, it);
	}
	int total = (int)json_array_size(in_scope);
	int pages = total ? (total + UNITS_PER_PAGE - 1) / UNITS_PER_PAGE : 1;
	int page = page_param(req);
	if (page > pages)
		page = pages;
	json_t *items = json_array();
	for (int k = (page - 1) * UNITS_PER_PAGE;
	     k < total && k < page * UNITS_PER_PAGE; k++)
		json_array_append(items, json_array_get(in_scope, (size_t)k));
	json_decref(in_scope);
	json_t *model = json_pack("{s:s, s:s, s:o, s:i, s:i, s:i, s:b}",
				  "title", "Đơn vị và bộ phận một cửa", "q",
				  q ? q : "", "items", items, "total", total,
				  "page", page, "pages", pages, "has_items",
				  total > 0);
	struct buf h = BUF_INIT;
	if (page > 1) {
		page_href(&h, q, page - 1);
		json_object_set_new(model, "prev", json_pack("{s:s}", "href", h.ptr));
	}
	if (page < pages) {
		page_href(&h, q, page + 1);
		json_object_set_new(model, "next", json_pack("{s:s}", "href", h.ptr));
	}
	buf_release(&h);
	rc = respond_view(req, res, 200, "admin_units", model);
out:
	json_decref(all);
	buf_release(&err);
	return rc;
}

/* ---- the desk's hours, readable ----------------------------------------- */

static void add_hhmm(struct buf *b, int min)
{
	buf_addf(b, "%02d:%02d", min / 60, min % 60);
}

static void add_sessions(struct buf *b, const struct officehours *oh, int wd)
{
	for (int k = 0; k < oh->n_sess[wd]; k++) {
		if (k)
			buf_adds(b, ", ");
		add_hhmm(b, oh->sess[wd][k].start);
		buf_adds(b, "–");
		add_hhmm(b, oh->sess[wd][k].end);
	}
}

/*
 * The hours as the page shows them: "hours_table" (one row per weekday,
 * Monday first: {"day","sessions","total"}), "cutoff_text", "makeup_text",
 * "canonical" (officehours_format), and "week" (the current week with the
 * calendar: {"day","date","text","off"}).
 */
static json_t *hours_model(struct db *db, const struct officehours *oh)
{
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	json_t *rows = json_array(), *week = json_array();
	struct buf b = BUF_INIT;
	for (int i = 0; i < 7; i++) {
		int wd = order[i], min = officehours_day_minutes(oh, wd);
		buf_reset(&b);
		if (oh->n_sess[wd])
			add_sessions(&b, oh, wd);
		else
			buf_adds(&b, "Nghỉ");
		char tot[32];
		snprintf(tot, sizeof(tot), "%dg%02d", min / 60, min % 60);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "day",
						      weekday_vi[wd], "sessions",
						      b.ptr, "total",
						      min ? tot : "—"));
	}
	json_t *m = json_pack("{s:o}", "hours_table", rows);
	buf_reset(&b);
	if (oh->cutoff >= 0) {
		buf_adds(&b, "Hồ sơ nhận sau ");
		add_hhmm(&b, oh->cutoff);
		buf_adds(&b, " được tính từ ngày làm việc tiếp theo.");
	} else {
		buf_adds(&b, "Không có giờ chốt nhận hồ sơ.");
	}
	json_object_set_new(m, "cutoff_text", json_string(b.ptr));
	buf_reset(&b);
	buf_addf(&b, "Ngày làm việc bù làm theo giờ của %s.",
		 weekday_vi[oh->makeup_wday]);
	json_object_set_new(m, "makeup_text", json_string(b.ptr));
	buf_reset(&b);
	officehours_format(oh, &b);
	json_object_set_new(m, "canonical", json_string(b.ptr));

	/* This week, Monday to Sunday, with the days off of the calendar. */
	struct calcache_snap *snap = NULL;
	struct buf err = BUF_INIT;
	if (!calcache_get(db, &snap, &err)) {
		const struct calendar *c = calcache_calendar(snap);
		/* Today in UTC+7. */
		int32_t today = (int32_t)((web_now() + 7 * 3600) / 86400);
		int32_t mon = today - (days_weekday(today) + 6) % 7;
		for (int i = 0; i < 7; i++) {
			int32_t d = mon + i;
			int y, mo, dd, wd = days_weekday(d);
			bool work = false;
			days_to_date(d, &y, &mo, &dd);
			calendar_is_workday(c, d, &work, &err);
			const struct day_entry *e = calendar_entry(c, d);
			buf_reset(&b);
			if (!work && e && e->kind != DAY_MAKEUP) {
				buf_adds(&b, e->name);
			} else if (!work && oh->n_sess[wd]) {
				/* Reception on a rest day does not count in
				 * working-day deadlines (core/deadline.h). */
				buf_adds(&b, "Tiếp nhận ");
				add_sessions(&b, oh, wd);
				buf_adds(&b, " (ngày nghỉ, không tính hạn)");
			} else if (!work)
				buf_adds(&b, "Nghỉ");
			else if (e && e->kind == DAY_MAKEUP) {
				buf_adds(&b, "Làm bù: ");
				add_sessions(&b, oh, oh->makeup_wday);
			} else if (oh->n_sess[wd])
				add_sessions(&b, oh, wd);
			else
				buf_adds(&b, "Không tiếp nhận");
			char date[32];
			snprintf(date, sizeof(date), "%d/%d", dd, mo);
			json_array_append_new(
				week, json_pack("{s:s, s:s, s:s, s:b}", "day",
						weekday_short[wd], "date", date,
						"text", b.ptr, "off", !work));
		}
		calcache_put(snap);
	}
	json_object_set_new(m, "week", week);
	buf_release(&err);
	buf_release(&b);
	return m;
}

/*
 * Parses the form's hours and cut-off as deskhours does (empty: the
 * default desk; the cut-off column overrides the text's). NULL when they
 * do not parse (the form shows the error instead).
 */
static json_t *hours_of(struct db *db, const char *hours, const char *cutoff)
{
	struct officehours oh;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	if (hours && *hours) {
		if (officehours_parse(hours, &oh, &err))
			goto out;
	} else {
		officehours_default(&oh);
	}
	if (cutoff && *cutoff && deskhours_apply_cutoff(&oh, cutoff, &err))
		goto out;
	m = hours_model(db, &oh);
out:
	buf_release(&err);
	return m;
}

/* ---- one unit and its desk ---------------------------------------------- */

static const char *const desk_fields[] = { "name", "agency_code",
					   "office_hours", "cutoff",
					   "address", "phone" };

/* The unit's page model, with the form filled from `form` (or the desk). */
static int unit_model(struct db *db, const char *code, json_t *form,
		      json_t **out, struct buf *err)
{
	json_t *u;
	int rc = desk_repo_unit(db, code, &u, err);
	if (rc)
		return rc;
	json_t *desk = json_object_get(u, "desk");
	struct buf t = BUF_INIT;
	buf_addf(&t, "%s: đơn vị và bộ phận một cửa",
		 json_string_value(json_object_get(u, "full_name")));
	json_object_set_new(u, "title", json_string(t.ptr));
	buf_release(&t);
	json_object_set_new(u, "is_province",
			    json_boolean(json_integer_value(
						 json_object_get(u, "level")) == 1));
	json_object_set_new(u, "has_before",
			    json_boolean(json_array_size(
				    json_object_get(u, "before"))));
	if (json_is_object(desk)) {
		json_t *f = form ? json_incref(form) : json_object();
		if (!form) {
			for (size_t i = 0; i < 6; i++)
				json_object_set(f, desk_fields[i],
						json_object_get(desk,
								desk_fields[i]));
			json_object_set(f, "version",
					json_object_get(desk, "version"));
		}
		json_t *h = hours_of(
			db, json_string_value(json_object_get(f, "office_hours")),
			json_string_value(json_object_get(f, "cutoff")));
		if (h)
			json_object_set_new(u, "hours", h);
		json_object_set_new(u, "form", f);
	}
	*out = u;
	return 0;
}

/* The form's values as typed (for a re-render), from the body. */
static json_t *form_values(struct http_request *req, json_t *body,
			   int64_t *version, bool *has_version)
{
	json_t *f = json_object();
	for (size_t i = 0; i < 6; i++) {
		const char *v = in_field(req, body, desk_fields[i]);
		json_object_set_new(f, desk_fields[i], json_string(v ? v : ""));
	}
	const char *v = in_field(req, body, "version");
	*has_version = v && *v;
	*version = *has_version ? strtoll(v, NULL, 10) : 0;
	json_object_set_new(f, "version", json_integer(*version));
	return f;
}

/*
 * Saves the desk of `code` from the request (form or JSON body; PUT/POST).
 * Writes the answer: 303 to the page (HTML) or the saved desk (JSON); 422
 * invalid; 409 stale; 404 no desk.
 */
static int save_desk(struct http_request *req, struct http_response *res,
		     struct db *db, const char *code)
{
	struct buf err = BUF_INIT;
	json_t *body = http_json_body(req), *norm = NULL, *errors = NULL,
	       *after = NULL, *current = NULL;
	int64_t version;
	bool has_version;
	json_t *typed = form_values(req, body, &version, &has_version);
	int rc = desk_repo_get(db, code, &current, &err);
	if (rc == MC_ENOTFOUND) {
		rc = respond_error(req, res, 404, "not_found",
				   "Đơn vị này không có bộ phận một cửa.");
		goto out;
	}
	if (rc)
		goto out;
	/* The API may leave the version out: then it edits the latest. */
	if (!has_version && req->want_json)
		version = json_integer_value(json_object_get(current, "version"));
	struct desk_edit in = {
		json_string_value(json_object_get(typed, "name")),
		json_string_value(json_object_get(typed, "agency_code")),
		json_string_value(json_object_get(typed, "office_hours")),
		json_string_value(json_object_get(typed, "cutoff")),
		json_string_value(json_object_get(typed, "address")),
		json_string_value(json_object_get(typed, "phone")),
		version,
	};
	if (desk_edit_check(&in, &norm, &errors)) {
		json_t *m = NULL;
		if ((rc = unit_model(db, code, typed, &m, &err)))
			goto out;
		rc = answer_invalid(req, res, 422, "admin_unit", m, errors,
				    "invalid");
		errors = NULL;
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = desk_repo_update(db, &by, code, norm, version, web_now(), &after,
			      &err);
	if (rc == MC_ECONFLICT) {
		/* Keep what was typed; show what is stored; a new submit
		 * (with the stored version) overwrites knowingly. */
		json_t *m = NULL;
		json_object_set(typed, "version",
				json_object_get(current, "version"));
		if ((rc = unit_model(db, code, typed, &m, &err)))
			goto out;
		json_object_set_new(m, "conflict", json_true());
		errors = json_pack(
			"{s:s}", "version",
			"Bộ phận một cửa này vừa được người khác sửa sau khi "
			"bạn mở trang. Giá trị bạn nhập vẫn còn trong mẫu; "
			"hãy xem giá trị đang lưu bên dưới rồi lưu lại nếu "
			"vẫn muốn thay.");
		rc = answer_invalid(req, res, 409, "admin_unit", m, errors,
				    "conflict");
		errors = NULL;
		goto out;
	}
	if (rc) {
		log_db("desk update", &err);
		goto out;
	}
	if (req->want_json) {
		rc = respond_view(req, res, 200, "admin_unit",
				  json_pack("{s:O}", "desk", after));
	} else {
		struct buf loc = BUF_INIT;
		buf_addf(&loc, "/quan-tri/don-vi/%s?da-luu=1", code);
		rc = respond_redirect(req, res, 303, loc.ptr);
		buf_release(&loc);
	}
out:
	json_decref(body);
	json_decref(typed);
	json_decref(norm);
	json_decref(errors);
	json_decref(after);
	json_decref(current);
	buf_release(&err);
	return rc;
}

int handle_admin_unit(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	json_t *m = NULL;
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	if (req->method & (HTTP_POST | HTTP_PUT)) {
		rc = save_desk(req, res, db, code);
		goto out;
	}
	rc = unit_model(db, code, NULL, &m, &err);
	if (rc == MC_ENOTFOUND) {
		rc = respond_error(req, res, 404, "not_found",
				   "Không có đơn vị này trong danh mục 2025.");
		goto out;
	}
	if (rc) {
		log_db("unit", &err);
		goto out;
	}
	const char *ok = http_query(req, "da-luu");
	if (ok && *ok)
		json_object_set_new(m, "saved", json_true());
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "admin_unit", m);
out:
	buf_release(&err);
	return rc;
}

int handle_api_admin_desk(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	json_t *d = NULL;
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	if (req->method & (HTTP_POST | HTTP_PUT)) {
		rc = save_desk(req, res, db, code);
		goto out;
	}
	rc = desk_repo_get(db, code, &d, &err);
	if (rc == MC_ENOTFOUND) {
		rc = respond_error(req, res, 404, "not_found",
				   "Đơn vị này không có bộ phận một cửa.");
		goto out;
	}
	if (rc)
		goto out;
	json_t *h = hours_of(db, json_string_value(json_object_get(d, "office_hours")),
			     json_string_value(json_object_get(d, "cutoff")));
	json_t *m = json_pack("{s:O, s:o}", "desk", d, "hours",
			      h ? h : json_null());
	rc = respond_view(req, res, 200, "admin_unit", m);
out:
	json_decref(d);
	buf_release(&err);
	return rc;
}

/* ---- calendars ---------------------------------------------------------- */

static const struct {
	const char *kind, *label;
} kind_labels[] = {
	{ "holiday", "Nghỉ lễ, Tết" },
	{ "compensatory", "Nghỉ bù" },
	{ "swapped_off", "Nghỉ hoán đổi" },
	{ "makeup_workday", "Làm việc bù" },
};

static const char *kind_label(const char *k)
{
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(kind_labels[i].kind, k))
			return kind_labels[i].label;
	return k;
}

/* The <select> options with `sel` selected. */
static json_t *kind_options(const char *sel)
{
	json_t *a = json_array();
	for (size_t i = 0; i < 4; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:b}", "value",
				     kind_labels[i].kind, "label",
				     kind_labels[i].label, "selected",
				     sel && !strcmp(sel, kind_labels[i].kind)));
	return a;
}

static int current_year(void)
{
	int y, m, d;
	days_to_date((int32_t)((web_now() + 7 * 3600) / 86400), &y, &m, &d);
	return y;
}

/* {nam} of the path: a year in 1900..2199, else -1. */
static int year_param(struct http_request *req)
{
	const char *s = http_param(req, "nam");
	if (!s)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end - s != 4 || v < 1900 || v > 2199)
		return -1;
	return (int)v;
}

int handle_admin_calendar_index(struct http_request *req,
				struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct schedule s = SCHEDULE_INIT;
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	if ((rc = calendar_repo_load(db, &s, &err))) {
		log_db("calendar", &err);
		goto out;
	}
	int cy = current_year(), lo = cy - 1, hi = cy + 2;
	int years[64];
	int n = schedule_years(&s, years, 64);
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		if (years[i] < lo)
			lo = years[i];
		if (years[i] > hi)
			hi = years[i];
	}
	json_t *items = json_array();
	for (int y = hi; y >= lo; y--) {
		bool ann = false;
		for (int i = 0; i < n; i++)
			ann |= years[i] == y;
		char href[32];
		snprintf(href, sizeof(href), "/quan-tri/lich/%d", y);
		json_array_append_new(items,
				      json_pack("{s:i, s:s, s:b, s:b}", "year", y,
						"href", href, "announced", ann,
						"current", y == cy));
	}
	rc = respond_view(req, res, 200, "admin_calendar",
			  json_pack("{s:s, s:o}", "title",
				    "Lịch nghỉ lễ, Tết và ngày làm bù", "years",
				    items));
out:
	schedule_release(&s);
	buf_release(&err);
	return rc;
}

/*
 * The year's page model: stored entries (editable), the provisional ones
 * when the year is not announced, the month grids and the counts of
 * working days, the version for the forms.
 */
static int year_model(struct db *db, int year, json_t **out, struct buf *err)
{
	struct schedule stored = SCHEDULE_INIT, all = SCHEDULE_INIT;
	struct calendar c;
	char version[17];
	int rc;

	calendar_init(&c, year, year);
	if ((rc = calendar_admin_year(db, year, &stored, version, err)))
		goto out;
	if ((rc = calendar_repo_load_calendar(db, &all, &c, err)))
		goto out;
	bool announced = calendar_year_announced(&c, year);
	json_t *entries = json_array();
	for (int i = 0; i < stored.n_rows; i++) {
		const struct schedule_row *r = &stored.rows[i];
		char d[11];
		schedule_format_day(r->day, d);
		const char *k = calendar_kind_name(r->kind);
		json_array_append_new(
			entries,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
				  "date", d, "weekday",
				  weekday_vi[days_weekday(r->day)], "kind", k,
				  "kind_label", kind_label(k), "name", r->name,
				  "source", r->source, "kinds", kind_options(k),
				  "errors", json_object()));
	}
	json_t *provisional = json_array();
	int32_t first = date_to_days(year, 1, 1), last = date_to_days(year, 12, 31);
	for (int i = 0; i < c.n_entries; i++) {
		const struct day_entry *e = &c.entries[i];
		if (e->day < first || e->day > last || !e->provisional)
			continue;
		char d[11];
		schedule_format_day(e->day, d);
		const char *k = calendar_kind_name(e->kind);
		json_array_append_new(
			provisional,
			json_pack("{s:s, s:s, s:s, s:s}", "date", d, "weekday",
				  weekday_vi[days_weekday(e->day)], "kind_label",
				  kind_label(k), "name", e->name));
	}

	/* Month grids, Monday first. */
	json_t *months = json_array();
	int year_work = 0;
	for (int m = 1; m <= 12; m++) {
		int32_t d0 = date_to_days(year, m, 1);
		int32_t d1 = m == 12 ? last + 1 : date_to_days(year, m + 1, 1);
		json_t *weeks = json_array(), *days = json_array();
		int lead = (days_weekday(d0) + 6) % 7, work = 0;
		for (int k = 0; k < lead; k++)
			json_array_append_new(days, json_pack("{s:b}", "blank", 1));
		for (int32_t d = d0; d < d1; d++) {
			bool w = false;
			int yy, mm, dd, wd = days_weekday(d);
			days_to_date(d, &yy, &mm, &dd);
			if ((rc = calendar_is_workday(&c, d, &w, err)))
				goto out;
			const struct day_entry *e = calendar_entry(&c, d);
			const char *cls, *label;
			if (e && e->kind == DAY_MAKEUP) {
				cls = "makeup";
				label = "làm việc bù";
			} else if (e && !w) {
				cls = "off";
				label = "nghỉ";
			} else if (wd == 0 || wd == 6) {
				cls = "weekend";
				label = "nghỉ cuối tuần";
			} else {
				cls = "work";
				label = "ngày làm việc";
			}
			work += w;
			json_array_append_new(
				days, json_pack("{s:i, s:s, s:s, s:s, s:b}", "d",
						dd, "cls", cls, "label", label,
						"name", e ? e->name : "",
						"provisional",
						e && e->provisional));
			if (json_array_size(days) == 7) {
				json_array_append_new(
					weeks, json_pack("{s:o}", "days", days));
				days = json_array();
			}
		}
		if (json_array_size(days)) {
			while (json_array_size(days) < 7)
				json_array_append_new(days,
						      json_pack("{s:b}", "blank", 1));
			json_array_append_new(weeks,
					      json_pack("{s:o}", "days", days));
		} else {
			json_decref(days);
		}
		year_work += work;
		char name[32];
		snprintf(name, sizeof(name), "Tháng %d", m);
		json_array_append_new(months,
				      json_pack("{s:i, s:s, s:o, s:i}", "month", m,
						"name", name, "weeks", weeks,
						"workdays", work));
	}
	char title[64];
	snprintf(title, sizeof(title), "Lịch nghỉ năm %d", year);
	*out = json_pack(
		"{s:s, s:i, s:i, s:i, s:b, s:s, s:o, s:b, s:o, s:b, s:o, s:i, "
		"s:o}",
		"title", title, "year", year, "prev_year", year - 1,
		"next_year", year + 1, "announced", announced, "version",
		version, "entries", entries, "has_entries",
		stored.n_rows > 0, "provisional", provisional,
		"has_provisional", json_array_size(provisional) > 0, "months",
		months, "workdays", year_work, "add",
		json_pack("{s:s, s:s, s:s, s:o, s:o}", "date", "", "name", "",
			  "source", "", "kinds", kind_options("holiday"),
			  "errors", json_object()));
out:
	calendar_release(&c);
	schedule_release(&all);
	schedule_release(&stored);
	return rc;
}

/* Finds the entry of `date` in the model's entries, or NULL. */
static json_t *model_entry(json_t *m, const char *date)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(m, "entries"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "date")), date))
			return e;
	return NULL;
}

/* The message of `rc` for a calendar write that failed on the stored
 * state, as errors {field: message}; NULL for a database failure. */
static json_t *state_errors(int rc, const char *year_s)
{
	if (rc == MC_ECONFLICT)
		return json_pack("{s:s}", "version",
				 "Lịch năm này vừa được người khác sửa sau khi "
				 "bạn mở trang: không có gì được ghi. Hãy xem "
				 "lịch hiện tại và làm lại.");
	if (rc == MC_ENOTFOUND)
		return json_pack("{s:s}", "date",
				 "Ngày: không có mục nào vào ngày này.");
	(void)year_s;
	return NULL;
}

/*
 * One entry edit from the request (op add/change/remove; form or JSON).
 * `old_date` for change/remove. Answers 303 (HTML), the year (JSON), 422,
 * 409, 404.
 */
static int edit_entry(struct http_request *req, struct http_response *res,
		      struct db *db, int year, enum calendar_op op,
		      const char *old_date)
{
	struct buf err = BUF_INIT;
	json_t *body = http_json_body(req), *errors = NULL, *m = NULL;
	char v2[17];
	struct calendar_entry_edit in = {
		in_field(req, body, "date"), in_field(req, body, "kind"),
		in_field(req, body, "name"), in_field(req, body, "source"),
	};
	if (op == CAL_CHANGE && (!in.date || !*in.date))
		in.date = old_date;
	const char *version = in_field(req, body, "version");
	if (!version)
		version = http_query(req, "version");
	struct auth_actor by = auth_actor_of(req);
	int rc = calendar_admin_edit(db, &by, year, op, old_date, &in, version,
				     web_now(), &errors, v2, &err);
	if (rc == MC_ENOTFOUND && req->want_json) {
		rc = respond_error(req, res, 404, "not_found",
				   "Không có mục nào vào ngày này.");
		goto out;
	}
	if (rc == MC_EINVALID || rc == MC_ECONFLICT || rc == MC_ENOTFOUND) {
		if (!errors)
			errors = state_errors(rc, NULL);
		int status = rc == MC_ECONFLICT ? 409 : 422;
		const char *code = rc == MC_ECONFLICT ? "conflict" : "invalid";
		if ((rc = year_model(db, year, &m, &err)))
			goto out;
		/* Put the typed values and errors on the form that sent them. */
		json_t *target = op == CAL_ADD ? json_object_get(m, "add")
					       : model_entry(m, old_date);
		if (target) {
			json_object_set_new(target, "date",
					    json_string(in.date ? in.date : ""));
			json_object_set_new(target, "name",
					    json_string(in.name ? in.name : ""));
			json_object_set_new(target, "source",
					    json_string(in.source ? in.source : ""));
			json_object_set_new(target, "kinds", kind_options(in.kind));
			json_object_set(target, "errors", errors);
			json_object_set_new(target, "open", json_true());
		}
		rc = answer_invalid(req, res, status, "admin_calendar_year", m,
				    errors, code);
		errors = NULL;
		m = NULL;
		goto out;
	}
	if (rc) {
		log_db("calendar edit", &err);
		goto out;
	}
	if (req->want_json) {
		if ((rc = year_model(db, year, &m, &err)))
			goto out;
		rc = respond_view(req, res, 200, "admin_calendar_year", m);
		m = NULL;
	} else {
		char loc[64];
		snprintf(loc, sizeof(loc), "/quan-tri/lich/%d?da-luu=1", year);
		rc = respond_redirect(req, res, 303, loc);
	}
out:
	json_decref(body);
	json_decref(errors);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/* Import (preview or for real) from the form's textarea or a CSV body. */
static int import_year(struct http_request *req, struct http_response *res,
		       struct db *db, int year, const char *csv, size_t len,
		       const char *version, bool dry_run)
{
	struct buf err = BUF_INIT;
	struct calendar_import_report rep = { NULL, 0 };
	json_t *diff = NULL, *m = NULL;
	struct auth_actor by = auth_actor_of(req);
	int rc = calendar_admin_import(db, &by, year, csv, len, version,
				       dry_run, web_now(), &rep, &diff, &err);
	if (rc == MC_EINVALID || rc == MC_ECONFLICT || rc == MC_ETOOBIG) {
		json_t *errors;
		if (rc == MC_ECONFLICT) {
			errors = state_errors(rc, NULL);
		} else {
			struct buf msg = BUF_INIT;
			buf_addf(&msg, "Tệp lịch (CSV): %s", err.ptr);
			errors = json_pack("{s:s}", "csv", msg.ptr);
			buf_release(&msg);
		}
		int status = rc == MC_ECONFLICT ? 409
			     : rc == MC_ETOOBIG ? 413 : 422;
		const char *code = rc == MC_ECONFLICT ? "conflict"
				   : rc == MC_ETOOBIG ? "too_large" : "invalid";
		if ((rc = year_model(db, year, &m, &err)))
			goto out;
		json_object_set_new(m, "csv", json_stringn(csv, len));
		json_object_set(m, "import_errors", errors);
		json_object_set_new(m, "import_open", json_true());
		rc = answer_invalid(req, res, status, "admin_calendar_year", m,
				    errors, code);
		m = NULL;
		goto out;
	}
	if (rc) {
		log_db("calendar import", &err);
		goto out;
	}
	if (req->want_json) {
		json_t *r = json_pack("{s:b, s:o}", "dry_run", dry_run, "changes",
				      json_incref(diff));
		if (rep.n_years)
			json_object_set_new(
				r, "report",
				json_pack("{s:i, s:i, s:i, s:i, s:i}", "year",
					  rep.years[0].year, "added",
					  rep.years[0].added, "removed",
					  rep.years[0].removed, "changed",
					  rep.years[0].changed, "unchanged",
					  rep.years[0].unchanged));
		rc = respond_view(req, res, 200, "admin_calendar_year", r);
		goto out;
	}
	if (!dry_run) {
		char loc[64];
		snprintf(loc, sizeof(loc), "/quan-tri/lich/%d?da-nhap=1", year);
		rc = respond_redirect(req, res, 303, loc);
		goto out;
	}
	/* The preview: what would change, and a form to confirm. */
	if ((rc = year_model(db, year, &m, &err)))
		goto out;
	json_object_set_new(m, "csv", json_stringn(csv, len));
	json_object_set_new(m, "import_open", json_true());
	json_t *ch = json_object_get(diff, "changed");
	size_t i;
	json_t *c;
	json_array_foreach(ch, i, c)
	{
		json_t *b = json_object_get(c, "before"), *a = json_object_get(c, "after");
		json_object_set_new(b, "kind_label",
				    json_string(kind_label(json_string_value(
					    json_object_get(b, "kind")))));
		json_object_set_new(a, "kind_label",
				    json_string(kind_label(json_string_value(
					    json_object_get(a, "kind")))));
	}
	const char *lists[2] = { "added", "removed" };
	for (int l = 0; l < 2; l++)
		json_array_foreach(json_object_get(diff, lists[l]), i, c)
			json_object_set_new(
				c, "kind_label",
				json_string(kind_label(json_string_value(
					json_object_get(c, "kind")))));
	json_object_set_new(
		diff, "n_changes",
		json_integer((json_int_t)(json_array_size(json_object_get(diff, "added")) +
					  json_array_size(json_object_get(diff, "removed")) +
					  json_array_size(ch))));
	json_object_set_new(m, "preview", json_incref(diff));
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "admin_calendar_year", m);
	m = NULL;
out:
	calendar_import_report_release(&rep);
	json_decref(diff);
	json_decref(m);
	buf_release(&err);
	return rc;
}

int handle_admin_calendar_year(struct http_request *req,
			       struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int year = year_param(req);
	if (year < 0)
		return respond_error(req, res, 404, "not_found",
				     "Năm phải từ 1900 đến 2199.");
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	if (req->method == HTTP_POST && !req->want_json) {
		const char *op = http_form(req, "op");
		const char *old = http_form(req, "old");
		const char *ver = http_form(req, "version");
		if (op && !strcmp(op, "add"))
			rc = edit_entry(req, res, db, year, CAL_ADD, NULL);
		else if (op && !strcmp(op, "change") && old)
			rc = edit_entry(req, res, db, year, CAL_CHANGE, old);
		else if (op && !strcmp(op, "remove") && old)
			rc = edit_entry(req, res, db, year, CAL_REMOVE, old);
		else if (op && (!strcmp(op, "preview") || !strcmp(op, "import"))) {
			const char *csv = http_form(req, "csv");
			size_t csv_len = csv ? strlen(csv) : 0;
			/* (uploads) A chosen file wins over the textarea;
			 * the preview shows its content in the textarea,
			 * which the confirmation then sends. */
			const struct http_upload *f =
				http_upload(req, "csv_file");
			if (f && (rc = upload_read_all(req, f,
						       upload_csv.max_file,
						       &csv, &csv_len)))
				goto out;
			rc = import_year(req, res, db, year, csv ? csv : "",
					 csv_len, ver, !strcmp(op, "preview"));
		} else
			rc = respond_error(req, res, 400, "bad_request",
					   "Thao tác không hợp lệ.");
		goto out;
	}
	if ((rc = year_model(db, year, &m, &err))) {
		log_db("calendar year", &err);
		goto out;
	}
	const char *ok = http_query(req, "da-luu");
	if (ok && *ok)
		json_object_set_new(m, "saved", json_true());
	ok = http_query(req, "da-nhap");
	if (ok && *ok)
		json_object_set_new(m, "imported", json_true());
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "admin_calendar_year", m);
out:
	buf_release(&err);
	return rc;
}

int handle_api_admin_calendar_entries(struct http_request *req,
				      struct http_response *res)
{
	struct db *db;
	int year = year_param(req);
	if (year < 0)
		return respond_error(req, res, 404, "not_found",
				     "Năm phải từ 1900 đến 2199.");
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	const char *date = http_param(req, "date");
	if (req->method == HTTP_DELETE) {
		if (!date)
			return respond_error(req, res, 405, "method_not_allowed",
					     "Phương thức không được hỗ trợ.");
		/* The version of a DELETE comes in the query. */
		return edit_entry(req, res, db, year, CAL_REMOVE, date);
	}
	return edit_entry(req, res, db, year, date ? CAL_CHANGE : CAL_ADD, date);
}

int handle_api_admin_calendar_import(struct http_request *req,
				     struct http_response *res)
{
	struct db *db;
	int year = year_param(req);
	if (year < 0)
		return respond_error(req, res, 404, "not_found",
				     "Năm phải từ 1900 đến 2199.");
	int rc = db_or_503(req, &db);
	if (rc)
		return rc;
	const char *dry = http_query(req, "dry_run");
	return import_year(req, res, db, year, req->body, req->body_len,
			   http_query(req, "version"), dry && !strcmp(dry, "1"));
}
