/*
 * h_feedback.c - feedback and complaints (phản ánh, kiến nghị): the public
 * form (about a procedure, a dossier with its code and second factor, or
 * an officer's behaviour), the citizen's page reached with the code and
 * secret (supply more information, say whether the answer satisfied), the
 * public page of published answers, and the officers' queue, page and
 * actions (refuse, ask for information, answer, publish) with the QĐ 766
 * deadlines of core/feedback.h. Rows in web/routes.c; access is the
 * router's (ACT_FEEDBACK_HANDLE, the feedback's unit); SQL is
 * store/feedback_repo.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/feedback.h"
#include "store/auth_repo.h"
#include "store/deskhours.h"
#include "store/feedback_repo.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/text.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/calcache.h"
#include "web/handlers.h"
#include "web/respond.h"

/* ---- helpers ----------------------------------------------------------------- */

/* "18/12/2026 17:00" (UTC+7), in the arena; "" for 0. */
static const char *time_text(struct http_request *req, mc_time t)
{
	if (!t)
		return "";
	struct mc_civil c;
	mctime_to_local(t, &c);
	return arena_printf(req->arena, "%02d/%02d/%04d %02d:%02d", c.day,
			    c.month, c.year, c.hour, c.min);
}

/* The same from an ISO field of a model ("2026-12-18T17:00:00+07:00");
 * "" for null or unreadable. */
static const char *iso_text(struct http_request *req, json_t *o,
			    const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	struct buf e = BUF_INIT;
	mc_time t = 0;
	if (s && mctime_parse(s, &t, &e))
		t = 0;
	buf_release(&e);
	return time_text(req, s ? t : 0);
}

/* A field of the JSON body (strings; booleans as "1"/"0"; integers as
 * text) or else of the form, in the arena; NULL when absent. */
static const char *input(struct http_request *req, json_t *body,
			 const char *name)
{
	if (body) {
		json_t *v = json_object_get(body, name);
		if (json_is_string(v))
			return json_string_value(v);
		if (json_is_boolean(v))
			return json_is_true(v) ? "1" : "0";
		if (json_is_integer(v))
			return arena_printf(req->arena, "%lld",
					    (long long)json_integer_value(v));
		return NULL;
	}
	return http_form(req, name);
}

static int fail_db(struct http_request *req, struct http_response *res,
		   const char *what, const struct buf *err)
{
	log_error("feedback: %s: %s", what, err->ptr);
	return respond_error(req, res, 503, "unavailable",
			     "Hệ thống tạm thời không phục vụ được.");
}

/*
 * Answers refused input: HTML re-renders `view` with the model holding the
 * values typed and the errors; JSON answers {"error":{"code":"invalid",
 * "field","message","fields"}} naming the first field. Steals both.
 */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  json_t *errors)
{
	const char *k;
	json_t *v;
	if (req->want_json) {
		const char *first = NULL, *msg = "";
		json_object_foreach(errors, k, v)
		{
			if (!first) {
				first = k;
				msg = json_string_value(v);
			}
		}
		json_t *e = json_pack("{s:s, s:s?, s:s, s:O}", "code",
				      status == 409 ? "conflict" : "invalid",
				      "field", first, "message",
				      msg ? msg : "", "fields", errors);
		json_decref(model);
		json_decref(errors);
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	json_t *list = json_array();
	json_object_foreach(errors, k, v)
		json_array_append_new(list,
				      json_pack("{s:s, s:O}", "href",
						arena_printf(req->arena, "#%s",
							     k),
						"message", v));
	json_object_set_new(model, "error_list", list);
	json_object_set_new(model, "errors", errors);
	json_object_set_new(model, "has_errors", json_true());
	respond_cache(req, res, 0);
	return respond_view(req, res, status, view, model);
}

/* ---- throttle of second factors ------------------------------------------- */

/*
 * Every wrong secret, and every dossier named with a wrong second factor,
 * counts one failure for the client address (key "pakn:ADDRESS"), with
 * the policy of authz_throttle_delay() for accounts: 4 free tries within
 * an hour, then 15 s doubling up to 15 min. Codes cannot be probed.
 */
static const char *throttle_key(struct http_request *req)
{
	return arena_printf(req->arena, "pakn:%s",
			    req->client ? req->client : "-");
}

/* True when it answered (429 with Retry-After, or 503 in *rc). */
static bool throttled(struct http_request *req, struct http_response *res,
		      struct db *db, int *rc)
{
	int64_t wait = 0;
	struct buf err = BUF_INIT;
	*rc = auth_throttle_check(db, throttle_key(req), web_now(), &wait,
				  &err);
	if (*rc < 0) {
		*rc = fail_db(req, res, "throttle", &err);
		buf_release(&err);
		return true;
	}
	buf_release(&err);
	if (!wait)
		return false;
	*rc = respond_error(req, res, 429, "throttled",
			    arena_printf(req->arena,
					 "Bạn đã nhập sai nhiều lần. Vui lòng "
					 "thử lại sau %lld giây.",
					 (long long)wait));
	http_set_header(req, res, "Retry-After",
			arena_printf(req->arena, "%lld", (long long)wait));
	return true;
}

static void count_failure(struct http_request *req, struct db *db)
{
	struct buf err = BUF_INIT;
	if (auth_throttle_fail(db, throttle_key(req), web_now(), NULL, &err))
		log_error("feedback: throttle: %s", err.ptr);
	buf_release(&err);
}

/* ---- deadlines ------------------------------------------------------------------ */

/* The deadline engine of the desk of `unit` (web/calcache.h). */
struct engine {
	struct calcache_snap *snap;
	const struct deadline *dl;
	struct deadline *owned;
};

static int engine_get(struct db *db, const char *unit, struct engine *e,
		      struct buf *err)
{
	struct officehours oh;
	json_t *desk = NULL;
	int rc;
	memset(e, 0, sizeof *e);
	if ((rc = deskhours_get(db, unit, &desk, &oh, err)))
		goto out;
	if ((rc = calcache_get(db, &e->snap, err)))
		goto out;
	rc = calcache_engine(e->snap, &oh, NULL, &e->dl, &e->owned, err);
	if (rc) {
		calcache_put(e->snap);
		e->snap = NULL;
	}
out:
	json_decref(desk);
	return rc;
}

static void engine_done(struct engine *e)
{
	if (e->owned)
		calcache_engine_done(e->owned);
	calcache_put(e->snap);
	memset(e, 0, sizeof *e);
}

/*
 * Adds to feedback model `o` its deadlines (QĐ 766, core/feedback.h) and
 * where it stands at `now`: "dues":{"refuse_by","info_by","answer_by",
 * "publish_by" (texts UTC+7, "" when none)}, "mark", "mark_label",
 * "due_text". A deadline that cannot be computed is an error.
 */
static int add_dues(struct http_request *req, struct db *db, json_t *o,
		    mc_time now, struct buf *err)
{
	struct engine e;
	json_t *times = json_object_get(o, "times");
	json_t *pj = json_object_get(times, "pauses");
	size_t n = json_array_size(pj);
	struct deadline_pause *pauses = NULL;
	enum feedback_kind k;
	enum feedback_state s;
	int rc;
	if (feedback_kind_parse(json_str(o, "kind"), &k) ||
	    feedback_state_parse(json_str(o, "state"), &s)) {
		buf_setf(err, "feedback %s: bad kind or state",
			 json_str(o, "code"));
		return MC_EDB;
	}
	if ((rc = engine_get(db, json_str(o, "unit_code"), &e, err)))
		return rc;
	if (n)
		pauses = arena_alloc(req->arena, n * sizeof *pauses);
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(pj, i);
		pauses[i].start = json_integer_value(json_array_get(p, 0));
		pauses[i].end = json_integer_value(json_array_get(p, 1));
		if (!pauses[i].end)	/* still waiting: closed at now */
			pauses[i].end = now > pauses[i].start
						? now
						: pauses[i].start;
	}
	struct feedback_times t = {
		.received = json_integer_value(json_object_get(times, "received")),
		.answered = json_integer_value(json_object_get(times, "answered")),
		.pauses = pauses,
		.n_pauses = (int)n,
	};
	struct feedback_dues d;
	const char *mark = "closed";
	mc_time due = 0;
	if ((rc = feedback_dues(e.dl, NULL, &t, &d, err)))
		goto out;
	if ((rc = feedback_mark(e.dl, k, s, &t, &d, now, &mark, &due, err)))
		goto out;
	json_object_set_new(
		o, "dues",
		json_pack("{s:s, s:s, s:s, s:s}", "refuse_by",
			  time_text(req, d.refuse_by), "info_by",
			  time_text(req, d.info_by), "answer_by",
			  time_text(req, d.answer_by), "publish_by",
			  time_text(req, k == FB_KIND_PROCEDURE ? d.publish_by
								: 0)));
	json_object_set_new(o, "mark", json_string(mark));
	json_object_set_new(o, "mark_label",
			    json_string(feedback_mark_label(mark)));
	json_object_set_new(o, "due_text", json_string(time_text(req, due)));
	/* Times as people read them (UTC+7). */
	json_object_set_new(o, "received_text",
			    json_string(iso_text(req, o, "received_at")));
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(o, "events"), i, ev)
		json_object_set_new(ev, "at_text",
				    json_string(iso_text(req, ev, "at")));
	/* Whether each step was on time, for the officers' page. */
	json_object_set_new(o, "late",
			    json_boolean(!strcmp(mark, "overdue")));
out:
	engine_done(&e);
	return rc;
}

/* ---- the public form ------------------------------------------------------------- */

static const char *const kinds[] = { "procedure", "dossier", "officer" };

/*
 * The form's model: kinds (checked), provinces, the chosen province and
 * its units with a desk (for the unit select), the form's values.
 */
static int form_model(struct http_request *req, struct db *db, json_t *form,
		      const char *province, json_t **out, struct buf *err)
{
	json_t *m = json_pack("{s:s}", "title", "Gửi phản ánh, kiến nghị");
	json_t *prov = NULL, *units = NULL, *list = json_array();
	int rc;
	const char *kind = json_str(form, "kind");
	for (size_t i = 0; i < 3; i++) {
		enum feedback_kind k;
		feedback_kind_parse(kinds[i], &k);
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:b}", "value",
						kinds[i], "label",
						feedback_kind_label(k),
						"checked",
						!strcmp(kind, kinds[i])));
	}
	json_object_set_new(m, "kinds", list);
	if ((rc = feedback_units(db, NULL, &prov, err)))
		goto out;
	/* The province of the chosen unit, when none is named. */
	const char *unit = json_str(form, "unit_code");
	if ((!province || !*province) && strlen(unit) == 5) {
		char parent[16];
		json_t *tmp = json_pack("{s:s}", "unit_code", unit);
		json_t *errs = json_object();
		json_object_set_new(tmp, "kind", json_string("procedure"));
		if (!feedback_resolve(db, tmp, errs, err) &&
		    !json_object_get(errs, "unit_code")) {
			snprintf(parent, sizeof parent, "%s",
				 json_str(tmp, "unit_parent"));
			province = arena_strdup(req->arena, parent);
		}
		json_decref(tmp);
		json_decref(errs);
	}
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(prov, "items"), i, it)
		json_object_set_new(it, "selected",
				    json_boolean(province &&
						 !strcmp(province,
							 json_str(it, "code"))));
	json_object_set(m, "provinces", json_object_get(prov, "items"));
	if (province && *province) {
		if ((rc = feedback_units(db, province, &units, err)))
			goto out;
		json_array_foreach(json_object_get(units, "items"), i, it)
			json_object_set_new(it, "selected",
					    json_boolean(!strcmp(unit,
								 json_str(it,
									  "code"))));
		json_object_set(m, "units", json_object_get(units, "items"));
		json_object_set_new(m, "province", json_string(province));
	}
	json_object_set(m, "form", form);
	json_object_set_new(m, "kind_dossier",
			    json_boolean(!strcmp(kind, "dossier")));
	json_object_set_new(m, "kind_officer",
			    json_boolean(!strcmp(kind, "officer")));
	*out = m;
	m = NULL;
out:
	json_decref(m);
	json_decref(prov);
	json_decref(units);
	return rc;
}

static json_t *read_form(struct http_request *req, json_t *body)
{
	static const char *const names[] = {
		"kind",		   "unit_code",	    "procedure_code",
		"dossier_code",	   "dossier_secret", "dossier_last4",
		"officer",	   "subject",	    "content",
		"sender_name",	   "phone",	    "email",
	};
	json_t *f = json_object();
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = input(req, body, names[i]);
		json_object_set_new(f, names[i], json_string(v ? v : ""));
	}
	return f;
}

int handle_feedback_form(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *body = NULL, *typed = NULL, *norm = NULL, *errors = NULL,
	       *m = NULL;
	char code[FEEDBACK_CODE_LEN + 1], secret[FEEDBACK_SECRET_LEN + 1];
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (req->method != HTTP_POST) {
		/* Prefilled from a procedure, unit or dossier page. */
		const char *loai = http_query(req, "loai");
		const char *ma_hs = http_query(req, "ho-so");
		typed = json_pack("{s:s, s:s, s:s, s:s}", "kind",
				  loai ? loai : (ma_hs ? "dossier" : "procedure"),
				  "unit_code",
				  http_query(req, "don-vi") ? http_query(req, "don-vi")
							    : "",
				  "procedure_code",
				  http_query(req, "thu-tuc")
					  ? http_query(req, "thu-tuc")
					  : "",
				  "dossier_code", ma_hs ? ma_hs : "");
		if ((rc = form_model(req, db, typed, http_query(req, "tinh"),
				     &m, &err)))
			goto out;
		rc = respond_view(req, res, 200, "feedback_form", m);
		m = NULL;
		goto out;
	}
	body = http_json_body(req);
	typed = read_form(req, body);
	struct feedback_input in = {
		.kind = json_str(typed, "kind"),
		.unit_code = json_str(typed, "unit_code"),
		.procedure_code = json_str(typed, "procedure_code"),
		.dossier_code = json_str(typed, "dossier_code"),
		.dossier_secret = json_str(typed, "dossier_secret"),
		.dossier_last4 = json_str(typed, "dossier_last4"),
		.officer = json_str(typed, "officer"),
		.subject = json_str(typed, "subject"),
		.content = json_str(typed, "content"),
		.sender_name = json_str(typed, "sender_name"),
		.phone = json_str(typed, "phone"),
		.email = json_str(typed, "email"),
	};
	rc = feedback_check(&in, &norm, &errors);
	if (!rc) {
		errors = json_object();
		bool dossier = !strcmp(json_str(norm, "kind"), "dossier");
		if (dossier && throttled(req, res, db, &rc))
			goto out;
		if ((rc = feedback_resolve(db, norm, errors, &err)))
			goto out;
		if (dossier && json_object_get(errors, "dossier_code"))
			count_failure(req, db);
	}
	if (json_object_size(errors)) {
		/* Never echo a secret back into the page. */
		json_object_set_new(typed, "dossier_secret", json_string(""));
		if ((rc = form_model(req, db, typed, http_query(req, "tinh"),
				     &m, &err)))
			goto out;
		rc = answer_invalid(req, res, 422, "feedback_form", m, errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	if ((rc = feedback_create(db, norm, web_now(), req->client, code,
				  secret, &err)))
		goto out;
	if (req->want_json) {
		rc = respond_view(
			req, res, 201, "feedback_view",
			json_pack("{s:s, s:s, s:s, s:s}", "code", code,
				  "secret", secret, "state", "received", "url",
				  arena_printf(req->arena, "/phan-anh/%s?ma=%s",
					       code, secret)));
		goto out;
	}
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena,
					   "/phan-anh/%s?ma=%s&moi=1", code,
					   secret));
out:
	if (rc < 0)
		rc = fail_db(req, res, "form", &err);
	memset(secret, 0, sizeof secret);
	json_decref(body);
	json_decref(typed);
	json_decref(norm);
	json_decref(errors);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/* ---- the citizen's page ------------------------------------------------------ */

/* The secret of the request: "ma" (pages) or "secret" (API, or body). */
static const char *secret_of(struct http_request *req, json_t *body)
{
	const char *s = http_query(req, req->want_json ? "secret" : "ma");
	if (!s || !*s)
		s = input(req, body, req->want_json ? "secret" : "ma");
	return s ? s : "";
}

/*
 * The citizen's model of `code`: the feedback (no officers' names, no
 * sender), its deadlines, what the citizen may do now, the secret for the
 * forms. MC_ENOTFOUND, MC_EDB.
 */
static int citizen_model(struct http_request *req, struct db *db,
			 const char *code, const char *secret, json_t **out,
			 struct buf *err)
{
	json_t *fb = NULL;
	int rc;
	*out = NULL;
	if ((rc = feedback_get(db, code, 0, &fb, err)))
		return rc;
	if ((rc = add_dues(req, db, fb, web_now(), err))) {
		json_decref(fb);
		return rc;
	}
	const char *state = json_str(fb, "state");
	bool answered = !strcmp(state, "answered") ||
			!strcmp(state, "published");
	json_object_del(fb, "times");
	*out = json_pack("{s:s, s:o, s:s, s:b, s:b, s:b}", "title",
			 arena_printf(req->arena, "Phản ánh %s", code),
			 "feedback", fb, "secret", secret, "can_supply",
			 !strcmp(state, "info_requested"), "can_rate",
			 answered && json_is_null(json_object_get(fb,
								  "satisfied")),
			 "is_refused", !strcmp(state, "refused"));
	return 0;
}

/*
 * GET /phan-anh/{code}?ma=SECRET and GET /api/v1/feedback/{code}?secret=:
 * the citizen's page. An unknown code and a wrong secret answer the same
 * 404; both count against the address (throttle above).
 */
int handle_feedback_view(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	const char *secret = secret_of(req, NULL);
	if (throttled(req, res, db, &rc))
		goto out;
	rc = feedback_check_secret(db, code, secret, &err);
	if (rc == MC_ENOTFOUND) {
		count_failure(req, db);
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy phản ánh với mã và mã bí "
				   "mật đã nhập.");
		goto out;
	}
	if (rc)
		goto out;
	if ((rc = citizen_model(req, db, code, secret, &m, &err)))
		goto out;
	json_object_set_new(m, "is_new", json_boolean(http_query(req, "moi")));
	json_object_set_new(m, "sent", json_boolean(http_query(req, "da-gui")));
	json_object_set_new(m, "link",
			    json_string(arena_printf(req->arena,
						     "/phan-anh/%s?ma=%s", code,
						     secret)));
	if (req->want_json) {
		json_t *fb = json_incref(json_object_get(m, "feedback"));
		json_decref(m);
		m = NULL;
		rc = respond_view(req, res, 200, "feedback_view", fb);
		goto out;
	}
	/* The page carries the secret: never kept in a shared cache. */
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "feedback_view", m);
	m = NULL;
out:
	if (rc < 0)
		rc = fail_db(req, res, "view", &err);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/*
 * GET /phan-anh/tra-cuu?ma-phan-anh=CODE&ma=SECRET: the lookup form; with
 * both fields, 303 to the feedback's page when they match, else the form
 * again with one message for an unknown code and a wrong secret (404).
 */
int handle_feedback_lookup(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_query(req, "ma-phan-anh");
	const char *secret = http_query(req, "ma");
	json_t *m = json_pack("{s:s, s:s, s:s}", "title", "Tra cứu phản ánh",
			      "code", code ? code : "", "secret", "");
	if (!code || !secret) {
		rc = respond_view(req, res, 200, "feedback_lookup", m);
		m = NULL;
		goto out;
	}
	struct buf up = BUF_INIT, tr = BUF_INIT;
	text_squeeze(code, strlen(code), &tr);
	for (const char *p = tr.ptr; *p; p++)
		buf_addch(&up, (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
	const char *c = arena_strdup(req->arena, up.ptr);
	buf_reset(&tr);
	text_squeeze(secret, strlen(secret), &tr);
	const char *s = arena_strdup(req->arena, tr.ptr);
	buf_release(&up);
	buf_release(&tr);
	if (throttled(req, res, db, &rc))
		goto out;
	rc = feedback_check_secret(db, c, s, &err);
	if (rc == MC_ENOTFOUND) {
		count_failure(req, db);
		json_t *errors = json_pack(
			"{s:s}", "code",
			"Mã phản ánh: không tìm thấy phản ánh với mã và mã bí "
			"mật đã nhập");
		rc = answer_invalid(req, res, 404, "feedback_lookup", m,
				    errors);
		m = NULL;
		goto out;
	}
	if (rc)
		goto out;
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena, "/phan-anh/%s?ma=%s", c,
					   s));
out:
	if (rc < 0)
		rc = fail_db(req, res, "lookup", &err);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/*
 * POST /phan-anh/{code}/bo-sung | /danh-gia (form: ma, info | satisfied,
 * comment) and POST /api/v1/feedback/{code}/info | /rating (JSON or form:
 * secret, info | satisfied, comment): the citizen's actions.
 */
int handle_feedback_citizen_action(struct http_request *req,
				   struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *body = NULL, *m = NULL, *errors = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	const char *act = http_param(req, "act");
	enum feedback_action a;
	if (!strcmp(act, "bo-sung") || !strcmp(act, "info"))
		a = FBA_SUPPLY_INFO;
	else if (!strcmp(act, "danh-gia") || !strcmp(act, "rating"))
		a = FBA_RATE;
	else
		return MC_ENOTFOUND;
	body = http_json_body(req);
	const char *secret = secret_of(req, body);
	if (throttled(req, res, db, &rc))
		goto out;
	rc = feedback_check_secret(db, code, secret, &err);
	if (rc == MC_ENOTFOUND) {
		count_failure(req, db);
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy phản ánh với mã và mã bí "
				   "mật đã nhập.");
		goto out;
	}
	if (rc)
		goto out;
	const char *sat = input(req, body, "satisfied");
	const char *field = a == FBA_RATE ? "satisfied" : "info";
	errors = json_object();
	if (a == FBA_RATE && (!sat || (strcmp(sat, "1") && strcmp(sat, "0"))))
		json_object_set_new(errors, "satisfied",
				    json_string("Mức độ hài lòng: chọn Hài lòng "
						"hoặc Không hài lòng"));
	struct feedback_act_in in = {
		.action = a,
		.note = input(req, body, a == FBA_RATE ? "comment" : "info"),
		.satisfied = sat && !strcmp(sat, "1"),
		.version = -1,
		.client = req->client,
	};
	if (!json_object_size(errors)) {
		buf_reset(&err);
		rc = feedback_act(db, code, &in, web_now(), &err);
		if (rc == MC_EINVALID) {
			json_object_set_new(errors,
					    a == FBA_RATE ? "comment" : field,
					    json_string(err.ptr));
			rc = 0;
		} else if (rc) {
			goto out;
		}
	}
	if (json_object_size(errors)) {
		if ((rc = citizen_model(req, db, code, secret, &m, &err)))
			goto out;
		json_object_set_new(m, "typed",
				    json_pack("{s:s, s:s}", "info",
					      a == FBA_SUPPLY_INFO && in.note
						      ? in.note
						      : "",
					      "comment",
					      a == FBA_RATE && in.note ? in.note
								       : ""));
		rc = answer_invalid(req, res, 422, "feedback_view", m, errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	if (req->want_json) {
		json_t *fb = NULL;
		if ((rc = feedback_get(db, code, 0, &fb, &err)))
			goto out;
		json_object_del(fb, "times");
		rc = respond_view(req, res, 200, "feedback_view", fb);
		goto out;
	}
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena,
					   "/phan-anh/%s?ma=%s&da-gui=1", code,
					   secret));
out:
	if (rc < 0)
		rc = fail_db(req, res, "citizen action", &err);
	json_decref(body);
	json_decref(m);
	json_decref(errors);
	buf_release(&err);
	return rc;
}

/* GET /phan-anh/cong-khai (?trang=N) and GET /api/v1/feedback/published:
 * the published answers about procedures. */
int handle_feedback_public(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *list = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *pg = http_query(req, req->want_json ? "page" : "trang");
	int page = pg ? (int)strtol(pg, NULL, 10) : 1;
	if (page < 1 || page > 100000)
		page = 1;
	if ((rc = feedback_public_list(db, page, 20, &list, &err)))
		goto out;
	json_int_t total = json_integer_value(json_object_get(list, "total"));
	json_object_set_new(list, "title",
			    json_string("Trả lời phản ánh, kiến nghị về thủ "
					"tục hành chính"));
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		json_object_set_new(it, "answered_text",
				    json_string(iso_text(req, it, "answered_at")));
	}
	if (page > 1)
		json_object_set_new(list, "prev", json_integer(page - 1));
	if ((json_int_t)page * 20 < total)
		json_object_set_new(list, "next", json_integer(page + 1));
	respond_cache(req, res, 60);
	rc = respond_view(req, res, 200, "feedback_public", list);
	list = NULL;
out:
	if (rc < 0)
		rc = fail_db(req, res, "public", &err);
	json_decref(list);
	buf_release(&err);
	return rc;
}

/* ---- the officers ------------------------------------------------------------------ */

/* route_unit_fn: the responsible unit of the feedback named by "code". */
int feedback_unit_of_route(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char unit[16], parent[16];
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = feedback_unit_of(db, http_param(req, "code"), unit, parent,
			      &err);
	if (rc == 0)
		*unit_code = arena_strdup(req->arena, unit);
	else if (rc != MC_ENOTFOUND)
		log_error("feedback: unit_of: %s", err.ptr);
	buf_release(&err);
	return rc == MC_ENOTFOUND ? MC_ENOTFOUND : rc ? MC_EDB : 0;
}

/*
 * The units of the principal's grants whose role handles feedback, in the
 * arena; *all when one of them is the country ("VN").
 */
static const char **scope_units(struct http_request *req, int *n, bool *all)
{
	const struct principal *p = auth_principal(req);
	const char **u = arena_alloc(req->arena,
				     (AUTHZ_MAX_GRANTS + 1) * sizeof *u);
	*n = 0;
	*all = false;
	for (int i = 0; p && i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_FEEDBACK_HANDLE))
			continue;
		if (!strcmp(g->unit, AUTHZ_UNIT_COUNTRY))
			*all = true;
		u[(*n)++] = arena_strdup(req->arena, g->unit);
	}
	return u;
}

static const struct {
	const char *value, *label;
} queue_states[] = {
	{ "", "Cần xử lý" },
	{ "received", "Đang xem xét" },
	{ "info_requested", "Chờ người gửi bổ sung" },
	{ "answered", "Đã trả lời" },
	{ "published", "Đã công khai" },
	{ "refused", "Không tiếp nhận" },
	{ "all", "Tất cả" },
};

/* GET /xu-ly-phan-anh (?trang-thai=STATE&trang=N) and GET
 * /api/v1/officer/feedback (?state=&page=): the queue of the units in
 * scope, oldest first, each with its deadline and mark. */
int handle_feedback_queue(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *list = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *state = http_query(req, req->want_json ? "state"
							  : "trang-thai");
	const char *pg = http_query(req, req->want_json ? "page" : "trang");
	int page = pg ? (int)strtol(pg, NULL, 10) : 1;
	if (page < 1 || page > 100000)
		page = 1;
	bool known = !state || !*state;
	for (size_t i = 1; !known && i < sizeof queue_states /
						 sizeof *queue_states; i++)
		known = !strcmp(state, queue_states[i].value);
	if (!known)
		return respond_error(req, res, 400, "bad_request",
				     "Trạng thái không hợp lệ.");
	int n;
	bool all;
	const char **units = scope_units(req, &n, &all);
	struct feedback_queue_q q = {
		.units = all ? NULL : units,
		.n_units = n,
		.state = state && *state ? state : NULL,
		.page = page,
		.per_page = 50,
	};
	if ((rc = feedback_queue(db, &q, &list, &err)))
		goto out;
	mc_time now = web_now();
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		if ((rc = add_dues(req, db, it, now, &err)))
			goto out;
		json_object_del(it, "times");
	}
	json_t *tabs = json_array();
	for (size_t k = 0; k < sizeof queue_states / sizeof *queue_states; k++)
		json_array_append_new(
			tabs, json_pack("{s:s, s:s, s:b}", "value",
					queue_states[k].value, "label",
					queue_states[k].label, "current",
					!strcmp(state ? state : "",
						queue_states[k].value)));
	json_object_set_new(list, "tabs", tabs);
	json_object_set_new(list, "title",
			    json_string("Xử lý phản ánh, kiến nghị"));
	json_object_set_new(list, "saved", json_boolean(http_query(req, "da-luu")));
	json_int_t total = json_integer_value(json_object_get(list, "total"));
	if (page > 1)
		json_object_set_new(list, "prev", json_integer(page - 1));
	if ((json_int_t)page * 50 < total)
		json_object_set_new(list, "next", json_integer(page + 1));
	json_object_set_new(list, "state", json_string(state ? state : ""));
	rc = respond_view(req, res, 200, "feedback_queue", list);
	list = NULL;
out:
	if (rc < 0)
		rc = fail_db(req, res, "queue", &err);
	json_decref(list);
	buf_release(&err);
	return rc;
}

/* The officers' model of `code`: everything, the deadlines, the forms
 * that apply now. */
static int officer_model(struct http_request *req, struct db *db,
			 const char *code, json_t **out, struct buf *err)
{
	json_t *fb = NULL;
	int rc;
	enum feedback_kind k;
	enum feedback_state s;
	*out = NULL;
	if ((rc = feedback_get(db, code, FEEDBACK_OFFICER, &fb, err)))
		return rc;
	if ((rc = add_dues(req, db, fb, web_now(), err))) {
		json_decref(fb);
		return rc;
	}
	json_object_del(fb, "times");
	feedback_kind_parse(json_str(fb, "kind"), &k);
	feedback_state_parse(json_str(fb, "state"), &s);
	json_t *acts = json_array();
	static const struct {
		enum feedback_action a;
		const char *slug;
	} officer_acts[] = {
		{ FBA_ANSWER, "tra-loi" },
		{ FBA_ASK_INFO, "yeu-cau-bo-sung" },
		{ FBA_REFUSE, "tu-choi" },
		{ FBA_PUBLISH, "cong-khai" },
	};
	for (size_t i = 0; i < sizeof officer_acts / sizeof *officer_acts;
	     i++) {
		enum feedback_state to;
		struct buf e = BUF_INIT;
		enum feedback_action a = officer_acts[i].a;
		if (!feedback_transition(k, s, false, a, &to, &e))
			json_array_append_new(
				acts,
				json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}",
					  "action", feedback_action_name(a),
					  "slug", officer_acts[i].slug, "label",
					  feedback_action_label(a),
					  "note_label", a == FBA_PUBLISH
						  ? "Câu hỏi khi công khai (để "
						    "trống: giữ nguyên nội dung "
						    "người gửi; bỏ thông tin cá "
						    "nhân nếu có)"
						  : feedback_note_label(a),
					  "required",
					  feedback_action_needs_note(a),
					  "primary", a == FBA_ANSWER ||
							     a == FBA_PUBLISH));
		buf_release(&e);
	}
	*out = json_pack("{s:s, s:o, s:o, s:b}", "title",
			 arena_printf(req->arena, "Phản ánh %s", code),
			 "feedback", fb, "actions", acts, "has_actions",
			 json_array_size(acts) > 0);
	return 0;
}

/* GET /xu-ly-phan-anh/{code} and GET /api/v1/officer/feedback/{code}. */
int handle_feedback_officer(struct http_request *req,
			    struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	if ((rc = officer_model(req, db, code, &m, &err)))
		goto out;
	const char *saved = http_query(req, "da-luu");
	enum feedback_action a;
	if (saved && !feedback_action_parse(saved, &a))
		json_object_set_new(m, "saved",
				    json_string(feedback_action_label(a)));
	if (req->want_json) {
		json_t *fb = json_incref(json_object_get(m, "feedback"));
		json_decref(m);
		m = NULL;
		rc = respond_view(req, res, 200, "feedback_officer", fb);
		goto out;
	}
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "feedback_officer", m);
	m = NULL;
out:
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy phản ánh.");
	else if (rc < 0)
		rc = fail_db(req, res, "officer", &err);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/*
 * POST /xu-ly-phan-anh/{code}/{act} (tu-choi, yeu-cau-bo-sung, tra-loi,
 * cong-khai; form: note, version, csrf) and POST
 * /api/v1/officer/feedback/{code}/{act} (refuse, ask_info, answer,
 * publish; JSON or form: note, version). Each is audited in the same
 * transaction (store/feedback_repo.c).
 */
int handle_feedback_officer_action(struct http_request *req,
				   struct http_response *res)
{
	static const struct {
		const char *slug;
		enum feedback_action a;
	} slugs[] = {
		{ "tu-choi", FBA_REFUSE },	  { "refuse", FBA_REFUSE },
		{ "yeu-cau-bo-sung", FBA_ASK_INFO }, { "ask_info", FBA_ASK_INFO },
		{ "tra-loi", FBA_ANSWER },	  { "answer", FBA_ANSWER },
		{ "cong-khai", FBA_PUBLISH },	  { "publish", FBA_PUBLISH },
	};
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *body = NULL, *m = NULL, *errors = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	const char *act = http_param(req, "act");
	enum feedback_action a = FBA__COUNT;
	for (size_t i = 0; i < sizeof slugs / sizeof *slugs; i++)
		if (!strcmp(act, slugs[i].slug))
			a = slugs[i].a;
	if (a == FBA__COUNT)
		return MC_ENOTFOUND;
	body = http_json_body(req);
	const char *ver = input(req, body, "version");
	char *end = NULL;
	long long version = ver && *ver ? strtoll(ver, &end, 10) : -1;
	errors = json_object();
	if (!ver || !*ver || *end || version < 1)
		json_object_set_new(errors, "version",
				    json_string("Phiên bản: thiếu; tải lại "
						"trang rồi thao tác lại"));
	struct auth_actor actor = auth_actor_of(req);
	struct feedback_act_in in = {
		.action = a,
		.note = input(req, body, "note"),
		.version = version,
		.actor = &actor,
	};
	int status = 422;
	if (!json_object_size(errors)) {
		rc = feedback_act(db, code, &in, web_now(), &err);
		if (rc == MC_EINVALID || rc == MC_ECONFLICT) {
			status = rc == MC_ECONFLICT ? 409 : 422;
			json_object_set_new(errors,
					    rc == MC_ECONFLICT ? "version"
							       : "note",
					    json_string(err.ptr));
			rc = 0;
		} else if (rc) {
			goto out;
		}
	}
	if (json_object_size(errors)) {
		buf_reset(&err);
		if ((rc = officer_model(req, db, code, &m, &err)))
			goto out;
		/* The note typed goes back into its own form. */
		size_t i;
		json_t *it;
		bool kept = false;
		json_array_foreach(json_object_get(m, "actions"), i, it)
			if (!strcmp(json_str(it, "action"),
				    feedback_action_name(a))) {
				json_object_set_new(it, "typed",
						    json_string(in.note ? in.note
									: ""));
				kept = true;
			}
		/* That form no longer applies (someone acted): the text is
		 * shown so that nothing typed is lost. */
		if (!kept && in.note && *in.note)
			json_object_set_new(m, "typed_note",
					    json_string(in.note));
		rc = answer_invalid(req, res, status, "feedback_officer", m,
				    errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	if (req->want_json) {
		json_t *fb = NULL;
		if ((rc = feedback_get(db, code, FEEDBACK_OFFICER, &fb, &err)))
			goto out;
		json_object_del(fb, "times");
		rc = respond_view(req, res, 200, "feedback_officer", fb);
		goto out;
	}
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena,
					   "/xu-ly-phan-anh/%s?da-luu=%s", code,
					   feedback_action_name(a)));
out:
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy phản ánh.");
	else if (rc < 0)
		rc = fail_db(req, res, "officer action", &err);
	json_decref(body);
	json_decref(m);
	json_decref(errors);
	buf_release(&err);
	return rc;
}
