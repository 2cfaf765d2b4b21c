/*
 * h_workflow.c - the officers' back office (engineer "workflow"): the
 * landing page /mot-cua, the work queues /mot-cua/hang-doi/{name} and their
 * twin /api/v1/queues/{name}, the tracking book /mot-cua/so-theo-doi (A4
 * landscape print, CSV). The dossier page and its actions are in
 * web/h_dossier.c. Queries go through store/dossier_repo.h only (indexed);
 * access is declared by the routes (web/routes.c), rows filtered by scope.
 */
#include "web/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/authz.h"
#include "core/dossier.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/deskhours.h"
#include "store/dossier_repo.h"
#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"
#include "web/workflow.h"

#define QUEUE_PER_PAGE 20
#define BOOK_PER_PAGE 50
#define BOOK_ALL 1000000
#define MAX_SCOPE_UNITS 512

/* ---- shared helpers (web/workflow.h) ------------------------------------ */

mc_time wf_now(void)
{
	return (mc_time)time(NULL);
}

const char *wf_time_text(struct http_request *req, mc_time t)
{
	struct mc_civil c;
	if (!t)
		return "";
	mctime_to_local(t, &c);
	return arena_printf(req->arena, "%02d/%02d/%04d %02d:%02d", c.day,
			    c.month, c.year, c.hour, c.min);
}

mc_time wf_iso_time(json_t *iso)
{
	const char *s = json_string_value(iso);
	mc_time t = 0;
	struct buf err = BUF_INIT;
	if (!s || !*s || mctime_parse(s, &t, &err) < 0)
		t = 0;
	buf_release(&err);
	return t;
}

const char *wf_iso_text(struct http_request *req, json_t *iso)
{
	return wf_time_text(req, wf_iso_time(iso));
}

const char *wf_work_text(struct http_request *req, int64_t seconds,
			 int std_day_min)
{
	bool late = seconds < 0;
	int64_t m = (late ? -seconds : seconds) / 60;
	int64_t h = m / 60;
	struct buf b = BUF_INIT;
	buf_adds(&b, late ? "quá hạn " : "còn ");
	if (h)
		buf_addf(&b, "%lld giờ ", (long long)h);
	if (m % 60 || !h)
		buf_addf(&b, "%lld phút ", (long long)(m % 60));
	buf_adds(&b, "làm việc");
	if (std_day_min > 0 && m >= std_day_min)
		buf_addf(&b, " (khoảng %lld,%lld ngày làm việc)",
			 (long long)(m / std_day_min),
			 (long long)(m % std_day_min * 10 / std_day_min));
	const char *s = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return s;
}

const char *wf_mark_label(const char *mark)
{
	if (!mark)
		return "";
	if (!strcmp(mark, "overdue"))
		return "Quá hạn";
	if (!strcmp(mark, "approaching"))
		return "Sắp đến hạn";
	if (!strcmp(mark, "normal"))
		return "Trong hạn";
	if (!strcmp(mark, "paused"))
		return "Tạm dừng tính thời gian";
	if (!strcmp(mark, "closed"))
		return "Đã kết thúc";
	return "";
}

int wf_engine_get(struct db *db, const char *desk_unit, struct wf_engine *e,
		  struct buf *err)
{
	struct officehours oh;
	json_t *desk = NULL;
	int rc;
	e->snap = NULL;
	e->dl = NULL;
	e->owned = NULL;
	if ((rc = deskhours_get(db, desk_unit, &desk, &oh, err)) < 0)
		goto out;
	if ((rc = calcache_get(db, &e->snap, err)) < 0)
		goto out;
	rc = calcache_engine(e->snap, &oh, NULL, &e->dl, &e->owned, err);
	if (rc < 0) {
		calcache_put(e->snap);
		e->snap = NULL;
	}
out:
	json_decref(desk);
	return rc;
}

void wf_engine_done(struct wf_engine *e)
{
	if (e->owned)
		calcache_engine_done(e->owned);
	if (e->snap)
		calcache_put(e->snap);
	e->snap = NULL;
	e->owned = NULL;
	e->dl = NULL;
}

int wf_unit_of_dossier(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct dossier_ref ref;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!code || strlen(code) >= DOSSIER_CODE_MAX)
		return MC_ENOTFOUND;
	rc = dossier_load(db, code, NULL, &ref, &err);
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("dossier %s: %s", code, err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	*unit_code = arena_strdup(req->arena, ref.unit_code);
	return 0;
}

int wf_error(struct http_request *req, struct http_response *res, int status,
	     const char *code, const char *field, const char *message)
{
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message",
			      message);
	if (field)
		json_object_set_new(e, "field", json_string(field));
	json_t *m = json_object();
	if (!req->want_json) {
		json_object_set_new(e, "status", json_integer(status));
		json_object_set_new(m, "title", json_string(message));
	}
	json_object_set_new(m, "error", e);
	respond_cache(req, res, 0);
	return respond_view(req, res, status, "error", m);
}

/* ---- scope: the units of a principal's grants --------------------------- */

/*
 * The communes where p holds `role` (any role allowing `a` when role is
 * ROLE__COUNT), provinces expanded into their communes, into units[] (arena
 * strings); returns the count, or -1 for "everywhere" (a grant on VN).
 */
static int scope_units(struct http_request *req, struct db *db,
		       const struct principal *p, enum role role, enum action a,
		       const char **units, int max)
{
	int n = 0;
	for (int i = 0; i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		bool ok = role == ROLE__COUNT ? authz_role_allows(g->role, a)
					      : g->role == role;
		if (!ok)
			continue;
		if (!strcmp(g->unit, AUTHZ_UNIT_COUNTRY))
			return -1;
		if (strlen(g->unit) > 2) {	/* a commune */
			if (n < max)
				units[n++] = arena_strdup(req->arena, g->unit);
			continue;
		}
		json_t *u = NULL;
		struct buf err = BUF_INIT;
		if (catalog_unit_get(db, g->unit, &u, &err) == 0) {
			size_t k;
			json_t *c;
			json_array_foreach(json_object_get(u, "children"), k, c)
			{
				if (n >= max)
					break;
				units[n++] = arena_strdup(
					req->arena,
					json_string_value(
						json_object_get(c, "code")));
			}
		}
		json_decref(u);
		buf_release(&err);
	}
	return n;
}

/* ---- queues ------------------------------------------------------------- */

struct queue_def {
	const char *name;	/* path and API name */
	const char *label;
	const char *hint;
	enum role role;		/* ROLE__COUNT: "mine" */
	const char *state;	/* filter, or NULL */
};

static const struct queue_def queues[] = {
	{ "mine", "Giao cho tôi", "Hồ sơ đang ở bước được giao đích danh cho bạn.",
	  ROLE__COUNT, NULL },
	{ "receiver", "Một cửa: tiếp nhận", "Hồ sơ ở bước của bộ phận một cửa "
	  "(tiếp nhận, chấp nhận hồ sơ trực tuyến, trả kết quả).", ROLE_RECEIVER,
	  NULL },
	{ "specialist", "Chuyên viên xử lý", "Hồ sơ chờ thẩm định, xử lý.",
	  ROLE_SPECIALIST, NULL },
	{ "leader", "Lãnh đạo phê duyệt", "Hồ sơ chờ phê duyệt kết quả.",
	  ROLE_LEADER, NULL },
	{ "return", "Trả kết quả", "Hồ sơ đã có kết quả, chờ trả cho người "
	  "nộp.", ROLE_RECEIVER, "result_ready" },
};
#define N_QUEUES (sizeof queues / sizeof queues[0])

static const struct queue_def *queue_find(const char *name)
{
	for (size_t i = 0; i < N_QUEUES; i++)
		if (name && !strcmp(queues[i].name, name))
			return &queues[i];
	return NULL;
}

/* Whether p works a queue: holds its role somewhere ("mine": any role of
 * the dossier steps). */
static bool queue_mine(const struct principal *p, const struct queue_def *q)
{
	for (int i = 0; i < p->n_grants; i++) {
		enum role r = p->grants[i].role;
		if (q->role == ROLE__COUNT
			    ? (r == ROLE_RECEIVER || r == ROLE_SPECIALIST ||
			       r == ROLE_LEADER)
			    : r == q->role)
			return true;
	}
	return false;
}

/*
 * Runs queue q for the request's principal: *out the repository's answer.
 * A role queue covers the communes where p holds that role, or, for a
 * reader without it (viewer, inspector, another role), the communes where
 * p may view dossiers.
 */
static int queue_run(struct http_request *req, struct db *db,
		     const struct queue_def *q, const char *urgency, int page,
		     int per_page, json_t **out, struct buf *err)
{
	const struct principal *p = auth_principal(req);
	const char **units =
		arena_alloc(req->arena, MAX_SCOPE_UNITS * sizeof *units);
	struct dossier_queue_q qq;
	int n;
	memset(&qq, 0, sizeof qq);
	if (q->role == ROLE__COUNT) {
		qq.assignee_id = p->user_id ? p->user_id : -1;
		qq.role = ROLE_RECEIVER;
		n = -1;
	} else {
		qq.role = q->role;
		n = scope_units(req, db, p, q->role, ACT_DOSSIER_VIEW, units,
				MAX_SCOPE_UNITS);
		if (n == 0)
			n = scope_units(req, db, p, ROLE__COUNT,
					ACT_DOSSIER_VIEW, units,
					MAX_SCOPE_UNITS);
	}
	qq.units = n < 0 ? NULL : units;
	qq.n_units = n < 0 ? 0 : n;
	qq.urgency = urgency;
	qq.state = q->state;
	qq.page = page;
	qq.per_page = per_page;
	return dossier_queue(db, &qq, wf_now(), out, err);
}

/* Adds the page's fields to each queue item: href, texts, mark label. */
static void queue_decorate(struct http_request *req, json_t *items,
			   const char *state)
{
	size_t i;
	json_t *it;
	for (i = 0; i < json_array_size(items);) {
		it = json_array_get(items, i);
		const char *st =
			json_string_value(json_object_get(it, "state"));
		if (state && (!st || strcmp(st, state))) {
			json_array_remove(items, i);
			continue;
		}
		const char *code =
			json_string_value(json_object_get(it, "code"));
		const char *mark =
			json_string_value(json_object_get(it, "urgency"));
		json_object_set_new(
			it, "href",
			json_string(arena_printf(req->arena,
						 "/mot-cua/ho-so/%s", code)));
		json_object_set_new(it, "due_text",
				    json_string(wf_iso_text(
					    req, json_object_get(it, "due_at"))));
		json_object_set_new(
			it, "received_text",
			json_string(wf_iso_text(
				req, json_object_get(it, "received_at"))));
		json_object_set_new(it, "mark_label",
				    json_string(wf_mark_label(mark)));
		json_t *step = json_object_get(it, "step");
		if (json_is_object(step)) {
			const char *sn =
				json_string_value(json_object_get(step, "name"));
			const char *rl = json_string_value(
				json_object_get(step, "role_label"));
			json_int_t ix =
				json_integer_value(json_object_get(step, "index"));
			json_object_set_new(
				it, "step_text",
				json_string(arena_printf(
					req->arena, "Bước %lld: %s",
					(long long)ix + 1,
					sn && *sn ? sn : rl ? rl : "")));
		}
		i++;
	}
}

/* "?muc=overdue&trang=2" for the pager and tabs (arena). */
static const char *queue_href(struct http_request *req, const char *name,
			      const char *urgency, int page)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "/mot-cua/hang-doi/%s", name);
	char sep = '?';
	if (urgency) {
		buf_addf(&b, "%cmuc=%s", sep, urgency);
		sep = '&';
	}
	if (page > 1)
		buf_addf(&b, "%ctrang=%d", sep, page);
	const char *s = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return s;
}

static int parse_page(const char *s)
{
	if (!s || !*s)
		return 1;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 100000)
		return -1;
	return (int)v;
}

/* The tabs of the queues this principal works (all for readers). */
static json_t *queue_tabs(struct http_request *req, const char *current)
{
	const struct principal *p = auth_principal(req);
	json_t *tabs = json_array();
	bool any = false;
	for (size_t i = 0; i < N_QUEUES; i++)
		any |= queue_mine(p, &queues[i]);
	for (size_t i = 0; i < N_QUEUES; i++) {
		const struct queue_def *q = &queues[i];
		if (any && !queue_mine(p, q))
			continue;
		if (!any && q->role == ROLE__COUNT)
			continue;
		json_array_append_new(
			tabs,
			json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", q->name,
				  "label", q->label, "hint", q->hint, "href",
				  queue_href(req, q->name, NULL, 1), "current",
				  current && !strcmp(current, q->name)));
	}
	return tabs;
}

int handle_queue(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *out = NULL;
	const char *name = http_param(req, "name");
	const char *urgency = http_query(req, "muc");
	if (!urgency)
		urgency = http_query(req, "urgency");
	const char *page_s = http_query(req, "trang");
	if (!page_s)
		page_s = http_query(req, "page");
	int page = parse_page(page_s);
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (!name) {
		/* /mot-cua/hang-doi: the first queue this user works. */
		json_t *tabs = queue_tabs(req, NULL);
		json_t *t = json_array_get(tabs, 0);
		const char *href =
			t ? arena_strdup(req->arena,
					 json_string_value(
						 json_object_get(t, "href")))
			  : "/mot-cua";
		json_decref(tabs);
		return respond_redirect(req, res, 303, href);
	}
	const struct queue_def *q = queue_find(name);
	if (!q)
		return wf_error(req, res, 404, "not_found", "name",
				"Không có hàng đợi này (mine, receiver, "
				"specialist, leader, return).");
	if (urgency && *urgency && strcmp(urgency, "overdue") &&
	    strcmp(urgency, "approaching") && strcmp(urgency, "normal"))
		return wf_error(req, res, 422, "invalid", "muc",
				"Mức: chỉ nhận overdue, approaching hoặc "
				"normal.");
	if (urgency && !*urgency)
		urgency = NULL;
	if (page < 0)
		return wf_error(req, res, 422, "invalid", "trang",
				"Trang: phải là số nguyên dương.");
	rc = queue_run(req, db, q, urgency, page, QUEUE_PER_PAGE, &out, &err);
	if (rc < 0) {
		log_error("queue %s: %s", name, err.ptr);
		buf_release(&err);
		return rc == MC_EINVALID ? MC_EINVALID : MC_EDB;
	}
	buf_release(&err);
	queue_decorate(req, json_object_get(out, "items"), NULL);
	json_int_t total = json_integer_value(json_object_get(out, "total"));
	int pages = (int)((total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE);
	json_object_set_new(out, "pages", json_integer(pages));
	json_object_set_new(out, "queue",
			    json_pack("{s:s, s:s, s:s}", "name", q->name,
				      "label", q->label, "hint", q->hint));
	json_object_set_new(out, "title",
			    json_string(arena_printf(req->arena,
						     "Hàng đợi: %s", q->label)));
	if (!req->want_json) {
		json_t *c = json_object_get(out, "counts");
		json_t *marks = json_array();
		static const char *const names[] = { "overdue", "approaching",
						     "normal", "paused" };
		for (int i = 0; i < 4; i++)
			json_array_append_new(
				marks,
				json_pack("{s:s, s:s, s:I, s:s, s:b}", "mark",
					  names[i], "label",
					  wf_mark_label(names[i]), "count",
					  (json_int_t)json_integer_value(
						  json_object_get(c, names[i])),
					  "href",
					  i < 3 ? queue_href(req, q->name,
							     names[i], 1)
						: "",
					  "current",
					  urgency && !strcmp(urgency, names[i])));
		json_object_set_new(out, "marks", marks);
		json_object_set_new(out, "tabs", queue_tabs(req, q->name));
		json_object_set_new(out, "all_href",
				    json_string(queue_href(req, q->name, NULL,
							   1)));
		if (page > 1)
			json_object_set_new(
				out, "prev_href",
				json_string(queue_href(req, q->name, urgency,
						       page - 1)));
		if (page < pages)
			json_object_set_new(
				out, "next_href",
				json_string(queue_href(req, q->name, urgency,
						       page + 1)));
		if (urgency)
			json_object_set_new(out, "filter_label",
					    json_string(wf_mark_label(urgency)));
	}
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "queue", out);
}

/* ---- the officers' home ------------------------------------------------- */

int handle_workflow_home(struct http_request *req, struct http_response *res)
{
	struct db *db;
	const char *code = http_query(req, "ma");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (code && *code) {
		/* The code box: to the dossier page (404 there when unknown
		 * or out of scope). */
		struct buf b = BUF_INIT;
		buf_adds(&b, "/mot-cua/ho-so/");
		for (const char *s = code; *s; s++)
			if (*s != ' ')
				buf_addch(&b, *s);
		const char *to = arena_strdup(req->arena, b.ptr);
		buf_release(&b);
		return respond_redirect(req, res, 303, to);
	}
	json_t *tabs = queue_tabs(req, NULL);
	size_t i;
	json_t *t;
	json_array_foreach(tabs, i, t)
	{
		const struct queue_def *q = queue_find(
			json_string_value(json_object_get(t, "name")));
		json_t *out = NULL;
		struct buf err = BUF_INIT;
		if (q && queue_run(req, db, q, NULL, 1, 1, &out, &err) == 0)
			json_object_set(t, "counts",
					json_object_get(out, "counts"));
		else
			log_error("queue %s: %s", q ? q->name : "?", err.ptr);
		json_decref(out);
		buf_release(&err);
	}
	json_t *m = json_pack("{s:s, s:o, s:b, s:b}", "title", "Một cửa",
			      "queues", tabs, "can_book",
			      auth_can(req, ACT_PERSONAL_VIEW, NULL) ||
				      authz_can_any(auth_principal(req),
						    ACT_DOSSIER_RECEIVE),
			      "can_receive",
			      authz_can_any(auth_principal(req),
					    ACT_DOSSIER_RECEIVE));
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "queue_home", m);
}

/* ---- the tracking book -------------------------------------------------- */

/* The desks (communes) whose book p may read: [{code, name, selected}]. */
static json_t *book_desks(struct http_request *req, struct db *db,
			  const char *selected)
{
	const struct principal *p = auth_principal(req);
	const char **units =
		arena_alloc(req->arena, MAX_SCOPE_UNITS * sizeof *units);
	int n = scope_units(req, db, p, ROLE__COUNT, ACT_PERSONAL_VIEW, units,
			    MAX_SCOPE_UNITS);
	json_t *a = json_array();
	bool seen = false;
	for (int i = 0; i < n; i++) {
		json_t *u = NULL;
		struct buf err = BUF_INIT;
		if (catalog_unit_get(db, units[i], &u, &err) == 0 &&
		    json_is_object(json_object_get(u, "desk"))) {
			bool sel = selected && !strcmp(selected, units[i]);
			seen |= sel;
			json_array_append_new(
				a, json_pack("{s:s, s:O, s:b}", "code",
					     units[i], "name",
					     json_object_get(u, "full_name"),
					     "selected", sel));
		}
		json_decref(u);
		buf_release(&err);
	}
	if (selected && !seen)
		json_array_insert_new(a, 0,
				      json_pack("{s:s, s:s, s:b}", "code",
						selected, "name", selected,
						"selected", 1));
	return a;
}

/* RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
static void csv_field(struct buf *b, const char *s, bool last)
{
	if (!s)
		s = "";
	if (strpbrk(s, ",\"\r\n")) {
		buf_addch(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				buf_addch(b, '"');
			buf_addch(b, *s);
		}
		buf_addch(b, '"');
	} else {
		buf_adds(b, s);
	}
	buf_adds(b, last ? "\r\n" : ",");
}

/* The columns of the book, in the order of the form (book.mustache). */
static const char *const book_head[] = {
	"TT", "Mã hồ sơ", "Tên TTHC", "Số lượng hồ sơ (bộ)",
	"Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
	"Cơ quan chủ trì giải quyết", "Ngày nhận hồ sơ",
	"Ngày hẹn trả kết quả", "Ngày chuyển hồ sơ đến cơ quan giải quyết",
	"Ngày nhận kết quả từ cơ quan giải quyết",
	"Ngày trả kết quả cho cá nhân, tổ chức", "Ghi chú",
};
#define BOOK_COLS (sizeof book_head / sizeof book_head[0])

/* "27/11/2026" of an ISO time of a model (the book's columns are dates;
 * the appointment keeps its hour). "" for null. */
static const char *day_text(struct http_request *req, json_t *iso)
{
	const char *s = wf_iso_text(req, iso);
	return *s ? arena_strndup(req->arena, s, 10) : s;
}

/* Turns a repository row into the page's row (texts of each column). */
static json_t *book_row(struct http_request *req, json_t *it,
			const char *agency)
{
	const char *addr =
		json_string_value(json_object_get(it, "applicant_address"));
	const char *phone = json_string_value(json_object_get(it, "phone"));
	const char *ap = arena_printf(req->arena, "%s%s%s", addr ? addr : "",
				      addr && *addr && phone && *phone ? "; "
								       : "",
				      phone ? phone : "");
	json_t *no = json_object_get(it, "no");
	json_t *sets = json_object_get(it, "n_sets");
	const char *note = json_string_value(json_object_get(it, "note"));
	const char *st = json_string_value(json_object_get(it, "state_label"));
	return json_pack(
		"{s:s, s:O, s:O, s:s, s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
		"s:s}",
		"no",
		arena_printf(req->arena, "%02lld",
			     (long long)json_integer_value(no)),
		"code", json_object_get(it, "code"), "procedure_name",
		json_object_get(it, "procedure_name"), "quantity",
		arena_printf(req->arena, "%lld",
			     (long long)(json_integer_value(sets)
						 ? json_integer_value(sets)
						 : 1)),
		"applicant_name", json_object_get(it, "applicant_name"),
		"address_phone", ap, "agency", agency, "received_text",
		day_text(req, json_object_get(it, "received_at")),
		"due_text", wf_iso_text(req, json_object_get(it, "due_at")),
		"transferred_text",
		day_text(req, json_object_get(it, "forwarded_at")),
		"result_text", day_text(req, json_object_get(it, "result_at")),
		"returned_text",
		day_text(req, json_object_get(it, "returned_at")), "note",
		arena_printf(req->arena, "%s%s%s", st ? st : "",
			     note && *note ? "; " : "", note ? note : ""));
}

/* The keys of a page row, in the order of book_head. */
static const char *const book_keys[] = {
	"no", "code", "procedure_name", "quantity", "applicant_name",
	"address_phone", "agency", "received_text", "due_text",
	"transferred_text", "result_text", "returned_text", "note",
};

/*
 * The book as an .xlsx workbook (libxlsxwriter; A4 landscape, the header
 * row repeated on every printed page) into `out`. libxlsxwriter 1.1.5
 * writes to a file only: a private temporary file, removed at once.
 * MC_EIO when it cannot be written.
 */
static int book_xlsx(json_t *rows, const char *title, struct buf *out)
{
	char path[] = "/tmp/motcua-book-XXXXXX";
	int fd = mkstemp(path), rc = MC_EIO;
	FILE *f = NULL;
	if (fd < 0)
		return MC_EIO;
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		goto out;
	lxw_worksheet *ws = workbook_add_worksheet(wb, "So theo doi");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_text_wrap(bold);
	format_set_border(bold, LXW_BORDER_THIN);
	lxw_format *cell = workbook_add_format(wb);
	format_set_text_wrap(cell);
	format_set_border(cell, LXW_BORDER_THIN);
	format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);	/* A4 */
	worksheet_repeat_rows(ws, 1, 1);
	worksheet_write_string(ws, 0, 0, title, NULL);
	static const double widths[] = { 5, 26, 30, 8, 20, 24, 22, 11, 15,
					 11, 11, 11, 18 };
	for (size_t c = 0; c < BOOK_COLS; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c],
				     NULL);
		worksheet_write_string(ws, 1, (lxw_col_t)c, book_head[c], bold);
	}
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it)
		for (size_t c = 0; c < BOOK_COLS; c++) {
			const char *v = json_string_value(
				json_object_get(it, book_keys[c]));
			worksheet_write_string(ws, (lxw_row_t)(i + 2),
					       (lxw_col_t)c, v ? v : "", cell);
		}
	if (workbook_close(wb) != LXW_NO_ERROR)
		goto out;
	if (!(f = fopen(path, "rb")))
		goto out;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	rc = ferror(f) ? MC_EIO : 0;
out:
	if (f)
		fclose(f);
	unlink(path);
	return rc;
}

int handle_book(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *book = NULL, *desk = NULL;
	struct officehours oh;
	const char *unit = http_query(req, "quay");
	const char *year_s = http_query(req, "nam");
	bool csv = strstr(req->path, ".csv") != NULL;
	bool xlsx = strstr(req->path, ".xlsx") != NULL;
	bool all = csv || xlsx || (http_query(req, "in") != NULL);
	int page = parse_page(http_query(req, "trang"));
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	int year;
	if (!year_s || !*year_s) {
		struct mc_civil c;
		mctime_to_local(wf_now(), &c);
		year = c.year;
	} else {
		char *end;
		long y = strtol(year_s, &end, 10);
		if (*end || y < 2000 || y > 2199)
			return wf_error(req, res, 422, "invalid", "nam",
					"Năm: phải là số có 4 chữ số, từ 2000 "
					"đến 2199.");
		year = (int)y;
	}
	if (page < 0)
		return wf_error(req, res, 422, "invalid", "trang",
				"Trang: phải là số nguyên dương.");
	if (!unit || !*unit) {
		json_t *desks = book_desks(req, db, NULL);
		json_t *first = json_array_get(desks, 0);
		if (!first) {
			json_decref(desks);
			return wf_error(req, res, 404, "not_found", "quay",
					"Bạn chưa được phân quyền ở bộ phận "
					"một cửa nào.");
		}
		const char *to = arena_printf(
			req->arena, "%s?quay=%s&nam=%d",
			csv    ? "/mot-cua/so-theo-doi.csv"
			: xlsx ? "/mot-cua/so-theo-doi.xlsx"
			       : "/mot-cua/so-theo-doi",
			json_string_value(json_object_get(first, "code")),
			year);
		json_decref(desks);
		return respond_redirect(req, res, 303, to);
	}
	rc = deskhours_get(db, unit, &desk, &oh, &err);
	if (rc < 0) {
		buf_release(&err);
		if (rc == MC_ENOTFOUND)
			return wf_error(req, res, 404, "not_found", "quay",
					"Đơn vị này không có bộ phận một cửa.");
		return MC_EDB;
	}
	int64_t desk_id = json_integer_value(json_object_get(desk, "id"));
	/* "All" as a large page: dossier_book's per_page 0 binds LIMIT -1,
	 * which PostgreSQL refuses (notes/workflow-to-dossier.md). A desk
	 * books about 40 000 dossiers a year at 150 a day. */
	rc = dossier_book(db, desk_id, year, all ? 1 : page,
			  all ? BOOK_ALL : BOOK_PER_PAGE, &book, &err);
	if (rc < 0) {
		log_error("book %s %d: %s", unit, year, err.ptr);
		json_decref(desk);
		buf_release(&err);
		return MC_EDB;
	}
	/* The book holds applicants' names and addresses: audited. */
	struct auth_actor who = auth_actor_of(req);
	json_t *after = json_pack("{s:s, s:i, s:s}", "desk", unit, "year",
				  year, "view",
				  csv ? "csv" : xlsx ? "xlsx" : "page");
	struct audit_entry ae = {
		.at = wf_now(), .actor_id = who.id, .actor = who.name,
		.action = "personal.view", .object_type = "book",
		.object_id = arena_printf(req->arena, "%s/%d", unit, year),
		.unit_code = unit, .client = who.client, .after = after,
	};
	buf_reset(&err);
	if (audit_log(db, &ae, &err) < 0) {
		log_error("book audit: %s", err.ptr);
		json_decref(after);
		json_decref(desk);
		json_decref(book);
		buf_release(&err);
		return MC_EDB;
	}
	json_decref(after);
	buf_release(&err);

	const char *agency = json_string_value(json_object_get(desk, "name"));
	json_t *rows = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(book, "items"), i, it)
		json_array_append_new(rows, book_row(req, it, agency));
	if (xlsx) {
		struct buf b = BUF_INIT;
		rc = book_xlsx(rows,
			       arena_printf(req->arena,
					    "Sổ theo dõi hồ sơ năm %d - %s",
					    year, agency ? agency : unit),
			       &b);
		if (rc == 0) {
			http_set_header(
				req, res, "Content-Disposition",
				arena_printf(req->arena,
					     "attachment; filename=\"so-theo-doi-"
					     "%s-%d.xlsx\"", unit, year));
			respond_cache(req, res, 0);
			rc = respond_bytes(req, res, 200,
					   "application/vnd.openxmlformats-"
					   "officedocument.spreadsheetml.sheet",
					   b.ptr, b.len);
		} else {
			log_error("book %s %d: xlsx not written", unit, year);
		}
		buf_release(&b);
		json_decref(rows);
		json_decref(book);
		json_decref(desk);
		return rc;
	}
	if (csv) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "\xEF\xBB\xBF");	/* UTF-8 BOM for Excel */
		for (size_t c = 0; c < BOOK_COLS; c++)
			csv_field(&b, book_head[c], c + 1 == BOOK_COLS);
		json_array_foreach(rows, i, it)
			for (size_t c = 0; c < BOOK_COLS; c++)
				csv_field(&b,
					  json_string_value(json_object_get(
						  it, book_keys[c])),
					  c + 1 == BOOK_COLS);
		const char *cd = arena_printf(
			req->arena,
			"attachment; filename=\"so-theo-doi-%s-%d.csv\"", unit,
			year);
		http_set_header(req, res, "Content-Disposition", cd);
		respond_cache(req, res, 0);
		rc = respond_bytes(req, res, 200, "text/csv; charset=utf-8",
				   b.ptr, b.len);
		buf_release(&b);
		json_decref(rows);
		json_decref(book);
		json_decref(desk);
		return rc;
	}
	json_int_t total = json_integer_value(json_object_get(book, "total"));
	int pages = all ? 1 : (int)((total + BOOK_PER_PAGE - 1) / BOOK_PER_PAGE);
	json_t *m = json_pack(
		"{s:s, s:o, s:{s:s, s:O, s:s}, s:i, s:o, s:I, s:i, s:i, s:s, "
		"s:s, s:s}",
		"title",
		arena_printf(req->arena, "Sổ theo dõi hồ sơ năm %d", year),
		"desks", book_desks(req, db, unit), "desk", "code", unit,
		"name", json_object_get(desk, "name"), "agency_parent", "",
		"year", year, "rows", rows, "total", (json_int_t)total, "page",
		all ? 1 : page, "pages", pages, "csv_href",
		arena_printf(req->arena, "/mot-cua/so-theo-doi.csv?quay=%s&nam=%d",
			     unit, year),
		"xlsx_href",
		arena_printf(req->arena,
			     "/mot-cua/so-theo-doi.xlsx?quay=%s&nam=%d", unit,
			     year),
		"print_all_href",
		arena_printf(req->arena, "/mot-cua/so-theo-doi?quay=%s&nam=%d&in=1",
			     unit, year));
	if (!all && page > 1)
		json_object_set_new(
			m, "prev_href",
			json_string(arena_printf(
				req->arena,
				"/mot-cua/so-theo-doi?quay=%s&nam=%d&trang=%d",
				unit, year, page - 1)));
	if (!all && page < pages)
		json_object_set_new(
			m, "next_href",
			json_string(arena_printf(
				req->arena,
				"/mot-cua/so-theo-doi?quay=%s&nam=%d&trang=%d",
				unit, year, page + 1)));
	json_decref(book);
	json_decref(desk);
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "book", m);
}
