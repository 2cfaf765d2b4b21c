/*
 * h_lookup.c - the citizen's lookup of a dossier (/tra-cuu, the receipt
 * QR's link /tra-cuu/{code}?ma=SECRET, the last 4 digits of the phone or
 * ID number), throttled per client address; the satisfaction rating (on
 * the lookup page, and on the desk's kiosk page that an officer opens by
 * scanning the receipt QR); the inspector's list of ratings; the API twins.
 * Reads through store/lookup_repo.h, writes through store/rating_repo.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/authz.h"
#include "core/dossier_public.h"
#include "core/rating.h"
#include "store/auth_repo.h"
#include "store/dossier_repo.h"
#include "store/lookup_repo.h"
#include "store/rating_repo.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/handlers.h"
#include "web/respond.h"

#define NOT_FOUND_MSG                                                      \
	"Không tìm thấy hồ sơ với mã và thông tin xác thực đã nhập. Hãy "   \
	"kiểm tra lại mã hồ sơ trên Giấy tiếp nhận và 4 số cuối điện thoại " \
	"hoặc giấy tờ tùy thân đã khai khi nộp hồ sơ."
#define MAX_SCOPE 256

/* ---- input: form fields, query, or a JSON object body -------------------- */

struct input {
	struct http_request *req;
	json_t *body;
};

static void input_init(struct input *in, struct http_request *req)
{
	in->req = req;
	in->body = http_json_body(req);
}

/* The trimmed value of `name` (form, JSON body, then query), or NULL when
 * absent or blank. An arena string or the request's own. */
static const char *in_get(void *ctx, const char *name)
{
	struct input *in = ctx;
	const char *v = http_form(in->req, name);
	size_t n;

	if (!v && in->body) {
		json_t *j = json_object_get(in->body, name);
		if (json_is_string(j))
			v = json_string_value(j);
		else if (json_is_integer(j))
			v = arena_printf(in->req->arena, "%lld",
					 (long long)json_integer_value(j));
	}
	if (!v)
		v = http_query(in->req, name);
	if (!v)
		return NULL;
	while (*v && isspace((unsigned char)*v))
		v++;
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (!n)
		return NULL;
	return arena_printf(in->req->arena, "%.*s", (int)n, v);
}

/* ---- throttle ----------------------------------------------------------- */

/*
 * Key of the client address. Every failed factor (unknown code, wrong
 * secret, wrong last 4) counts one failure for the address, whatever the
 * code; the policy is authz_throttle_delay()'s for accounts (4 free tries
 * within an hour, then 15 s doubling up to 15 min).
 */
static const char *throttle_key(struct http_request *req)
{
	return arena_printf(req->arena, "lookup:%s",
			    req->client ? req->client : "-");
}

/* 429 with Retry-After when the address must wait; returns true when it
 * answered. Database errors: 503. */
static int answer_throttled(struct http_request *req,
			    struct http_response *res, int64_t wait);

static bool throttled(struct http_request *req, struct http_response *res,
		      struct db *db, int *rc)
{
	int64_t wait = 0;
	struct buf err = BUF_INIT;

	*rc = auth_throttle_check(db, throttle_key(req), web_now(), &wait,
				  &err);
	buf_release(&err);
	if (*rc < 0)
		return true;
	if (!wait)
		return false;
	*rc = answer_throttled(req, res, wait);
	return true;
}

static void count_failure(struct http_request *req, struct db *db)
{
	struct buf err = BUF_INIT;

	if (auth_throttle_fail(db, throttle_key(req), web_now(), NULL, &err))
		log_error("lookup: throttle: %s", err.ptr);
	buf_release(&err);
}

/* ---- models ------------------------------------------------------------- */

/* The rating form's model: criteria with options (checked from typed),
 * levels, comment, and the field error. */
static json_t *rating_form(struct http_request *req, struct input *in,
			   const char *err_field,
			   const char *err_msg)
{
	json_t *crit = json_array(), *levels = json_array(), *f;

	for (int c = 0; c < RC__COUNT; c++) {
		const struct rating_criterion_info *ci =
			rating_criterion_info((enum rating_criterion)c);
		const char *typed = in ? in_get(in, ci->name) : NULL;
		json_t *opts = json_array();
		for (int s = 2; s >= 0; s--) {
			char v[2] = { (char)('0' + s), 0 };
			json_array_append_new(
				opts,
				json_pack("{s:s, s:s, s:s, s:b}", "value", v,
					  "label", ci->answers[s], "id",
					  arena_printf(req->arena, "%s-%d",
						       ci->name, s),
					  "checked", typed && !strcmp(typed, v)));
		}
		f = json_pack("{s:s, s:s, s:s, s:o}", "name", ci->name,
			      "question", ci->question, "source", ci->source,
			      "options", opts);
		/* set on every criterion (false when none), so that the
		 * template never finds the form's "error" through the stack */
		json_object_set_new(f, "field_error",
				    err_field && !strcmp(err_field, ci->name)
					    ? json_string(err_msg)
					    : json_false());
		json_array_append_new(crit, f);
	}
	for (int l = 0; l < RL__COUNT; l++) {
		const char *typed = in ? in_get(in, "level") : NULL;
		const char *name = rating_level_name((enum rating_level)l);
		json_array_append_new(
			levels,
			json_pack("{s:s, s:s, s:b}", "value", name, "label",
				  rating_level_label((enum rating_level)l),
				  "checked", typed && !strcmp(typed, name)));
	}
	f = json_pack("{s:o, s:o, s:s}", "criteria", crit, "levels", levels,
		      "comment",
		      in && in_get(in, "comment") ? in_get(in, "comment") : "");
	if (err_field && !strcmp(err_field, "level"))
		json_object_set_new(f, "level_error", json_string(err_msg));
	if (err_field && !strcmp(err_field, "comment"))
		json_object_set_new(f, "comment_error", json_string(err_msg));
	if (err_msg)
		json_object_set_new(f, "error", json_string(err_msg));
	return f;
}

static int answer_model(struct http_request *req, struct http_response *res,
			json_t *m, const char *code, const char *secret,
			int status, struct input *typed, const char *err_field,
			const char *err_msg, const char *view);

/* The lookup page of a dossier whose factor was checked. `secret` is
 * given when the page was opened with it (then the rating form may be
 * shown: a rating needs the secret). */
static int answer_dossier(struct http_request *req, struct http_response *res,
			  struct db *db, const char *code, const char *secret,
			  int status, struct input *typed,
			  const char *err_field, const char *err_msg,
			  const char *view)
{
	json_t *m = NULL;
	struct buf err = BUF_INIT;
	int rc = lookup_model(db, code, web_now(), &m, &err);

	if (rc) {
		buf_release(&err);
		if (rc == MC_ENOTFOUND)
			return respond_error(req, res, 404, "not_found",
					     NOT_FOUND_MSG);
		return rc;
	}
	buf_release(&err);
	return answer_model(req, res, m, code, secret, status, typed,
			    err_field, err_msg, view);
}

/* The page of the model `m` (stolen): see answer_dossier(). */
static int answer_model(struct http_request *req, struct http_response *res,
			json_t *m, const char *code, const char *secret,
			int status, struct input *typed, const char *err_field,
			const char *err_msg, const char *view)
{
	respond_cache(req, res, 0);
	if (req->want_json)
		return respond_view(req, res, status, view, m);
	json_object_set_new(m, "title",
			    json_string(arena_printf(req->arena, "Hồ sơ %s",
						     code)));
	if (secret) {
		json_object_set_new(m, "secret", json_string(secret));
		if (!strcmp(json_string_value(json_object_get(m, "state")),
			    "supplement_requested"))
			json_object_set_new(
				m, "supplement_url",
				json_string(arena_printf(
					req->arena, "/tra-cuu/%s/bo-sung?ma=%s",
					code, secret)));
	}
	if (json_is_true(json_object_get(m, "can_rate")))
		json_object_set_new(m, secret ? "rating_form" : "rating_needs_qr",
				    secret ? rating_form(req, typed, err_field,
							 err_msg)
					   : json_true());
	if (http_query(req, "da-danh-gia"))
		json_object_set_new(m, "flash_ok",
				    json_string("Cảm ơn ông/bà đã đánh giá. Ý "
						"kiến đã được ghi nhận."));
	return respond_view(req, res, status, view, m);
}

/* The lookup form (/tra-cuu), with an error and the typed code. */
static int answer_form(struct http_request *req, struct http_response *res,
		       int status, const char *code, const char *error)
{
	json_t *m = json_pack("{s:s, s:s}", "title", "Tra cứu hồ sơ", "code",
			      code ? code : "");
	if (error)
		json_object_set_new(m, "error", json_string(error));
	respond_cache(req, res, 0);
	return respond_view(req, res, status, "lookup_form", m);
}

/* 429 with Retry-After: the address must wait `wait` seconds. */
static int answer_throttled(struct http_request *req,
			    struct http_response *res, int64_t wait)
{
	int rc = respond_error(req, res, 429, "throttled",
			       arena_printf(req->arena,
					    "Bạn đã nhập sai nhiều lần. Vui "
					    "lòng thử lại sau %lld giây.",
					    (long long)wait));
	http_set_header(req, res, "Retry-After",
			arena_printf(req->arena, "%lld", (long long)wait));
	return rc;
}

/*
 * The throttle check, the factor check and the page (lookup_open: two
 * statements); a failure is counted afterwards. Unknown code and wrong
 * factor: the same 404 (the form again for a page).
 */
static int lookup_answer(struct http_request *req, struct http_response *res,
			 struct db *db, const char *code, const char *secret,
			 const char *last4)
{
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int64_t wait = 0;
	int rc = lookup_open(db, code, secret, last4, throttle_key(req),
			     web_now(), &wait, &m, &err);

	if (rc == MC_EFORBIDDEN) {
		rc = answer_throttled(req, res, wait);
	} else if (rc == MC_ENOTFOUND) {
		count_failure(req, db);
		rc = req->want_json ? respond_error(req, res, 404, "not_found",
						    NOT_FOUND_MSG)
				    : answer_form(req, res, 404, code,
						  NOT_FOUND_MSG);
	} else if (!rc) {
		rc = answer_model(req, res, m, code, secret, 200, NULL, NULL,
				  NULL, "lookup");
	}
	buf_release(&err);
	return rc;
}

/* ---- the citizen's pages -------------------------------------------------- */

/*
 * GET /tra-cuu: the form. POST /tra-cuu (fields code, last4; or ma): the
 * dossier's page at once (a read: nothing is written but the throttle, so
 * no redirect, which would put the factor into a URL) or the form again
 * with the same answer for an unknown code and a wrong factor (404).
 */
int handle_lookup_form(struct http_request *req, struct http_response *res)
{
	struct input in;
	struct db *db;
	struct buf err = BUF_INIT;
	const char *code, *secret, *last4;
	int rc;

	if (req->method != HTTP_POST)
		return answer_form(req, res, 200, http_query(req, "code"),
				   NULL);
	if ((rc = app_db(req, &db)))
		return rc;
	input_init(&in, req);
	code = in_get(&in, "code");
	secret = in_get(&in, "ma");
	last4 = in_get(&in, "last4");
	if (!code) {
		rc = answer_form(req, res, 422, NULL,
				 "Mã hồ sơ: hãy nhập mã in trên Giấy tiếp "
				 "nhận hồ sơ và hẹn trả kết quả.");
		goto out;
	}
	if (!secret && (!last4 || strlen(last4) != 4 ||
			strspn(last4, "0123456789") != 4)) {
		rc = answer_form(req, res, 422, code,
				 "4 số cuối: hãy nhập đúng 4 chữ số cuối của "
				 "số điện thoại hoặc số giấy tờ tùy thân đã "
				 "khai khi nộp hồ sơ.");
		goto out;
	}
	rc = lookup_answer(req, res, db, code, secret, last4);
out:
	json_decref(in.body);
	buf_release(&err);
	return rc;
}

/*
 * GET /tra-cuu/{code}?ma=SECRET (the receipt QR) or ?last4=NNNN: the page;
 * without a factor, the form with the code filled in.
 * GET /api/v1/lookup/{code}?secret=...|last4=...: the "lookup" model.
 */
int handle_lookup(struct http_request *req, struct http_response *res)
{
	struct db *db;
	const char *code = http_param(req, "code");
	const char *secret = http_query(req, req->want_json ? "secret" : "ma");
	const char *last4 = http_query(req, "last4");
	int rc;

	if (secret && !*secret)
		secret = NULL;
	if (!secret && (!last4 || !*last4)) {
		if (req->want_json)
			return respond_error(req, res, 404, "not_found",
					     NOT_FOUND_MSG);
		return answer_form(req, res, 200, code, NULL);
	}
	if ((rc = app_db(req, &db)))
		return rc;
	return lookup_answer(req, res, db, code, secret, last4);
}

/*
 * Records a rating of `code` from `in` (channel "lookup", "kiosk", "api").
 * Field errors: *status 422, *field and *msg; once only: 409; other
 * failures: the rc.
 */
static int rate(struct http_request *req, struct db *db, const char *code,
		struct input *in, const char *channel, int *status,
		const char **field, const char **msg)
{
	struct rating r;
	struct buf err = BUF_INIT;
	struct auth_actor actor = auth_actor_of(req);
	int rc;

	*field = NULL;
	*msg = NULL;
	if (!auth_principal(req)) {
		actor.id = 0;
		actor.name = "citizen";
	}
	if ((rc = rating_read(in_get, in, &r, field, &err))) {
		*status = 422;
		*msg = arena_strdup(req->arena, err.ptr);
		goto out;
	}
	rc = rating_create(db, code, &r, channel, web_now(), &actor, NULL,
			   &err);
	if (rc == MC_ECONFLICT || rc == MC_EINVALID) {
		*status = rc == MC_ECONFLICT ? 409 : 422;
		*msg = arena_strdup(req->arena, err.ptr);
		goto out;
	}
	*status = rc ? 500 : 201;
out:
	buf_release(&err);
	return rc;
}

/*
 * POST /tra-cuu/{code}/danh-gia (fields ma, the criteria, level,
 * comment): 303 to the page with a thank-you; 422 the page with the field
 * errors; 409 when rated already. POST /api/v1/lookup/{code}/rating
 * (JSON or form; "secret"): 201 {"rating":...}; 422/409 as
 * {"error":{"code","field","message"}}.
 */
int handle_lookup_rating(struct http_request *req, struct http_response *res)
{
	struct input in;
	struct db *db;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	const char *secret, *field = NULL, *msg = NULL;
	int rc, status = 0;

	if ((rc = app_db(req, &db)))
		return rc;
	input_init(&in, req);
	secret = in_get(&in, req->want_json ? "secret" : "ma");
	if (throttled(req, res, db, &rc))
		goto out;
	/* a rating needs the secret (the receipt's QR), never last 4 */
	rc = lookup_verify(db, code, secret ? secret : "-", NULL, &err);
	if (rc == MC_ENOTFOUND) {
		count_failure(req, db);
		rc = respond_error(req, res, 404, "not_found", NOT_FOUND_MSG);
		goto out;
	}
	if (rc)
		goto out;
	rc = rate(req, db, code, &in, req->want_json ? "api" : "lookup",
		  &status, &field, &msg);
	if (status == 201) {
		json_t *r = NULL;
		if (req->want_json) {
			rc = rating_get(db, code, &r, &err);
			if (!rc)
				rc = respond_view(req, res, 201, "lookup",
						  json_pack("{s:o}", "rating",
							    r));
			goto out;
		}
		rc = respond_redirect(
			req, res, 303,
			arena_printf(req->arena,
				     "/tra-cuu/%s?ma=%s&da-danh-gia=1", code,
				     secret));
		goto out;
	}
	if (status == 422 || status == 409) {
		if (req->want_json) {
			json_t *e = json_pack("{s:s, s:s}", "code",
					      status == 409 ? "conflict"
							    : "invalid",
					      "message", msg);
			if (field)
				json_object_set_new(e, "field",
						    json_string(field));
			respond_cache(req, res, 0);
			rc = respond_view(req, res, status, "lookup",
					  json_pack("{s:o}", "error", e));
			goto out;
		}
		rc = answer_dossier(req, res, db, code, secret, status, &in,
				    field, msg, "lookup");
		goto out;
	}
out:
	json_decref(in.body);
	buf_release(&err);
	return rc;
}

/* ---- the desk's kiosk ----------------------------------------------------- */

/*
 * The code and secret of a scanned receipt QR: ".../tra-cuu/CODE?ma=S"
 * (any host), or "CODE S". False when unreadable.
 */
static bool parse_qr(struct http_request *req, const char *qr,
		     const char **code, const char **secret)
{
	const char *p = strstr(qr, "/tra-cuu/");
	const char *q;

	if (p) {
		p += strlen("/tra-cuu/");
		q = strstr(p, "?ma=");
		if (!q || q == p)
			return false;
		*code = arena_printf(req->arena, "%.*s", (int)(q - p), p);
		q += 4;
		*secret = arena_printf(req->arena, "%.*s",
				       (int)strcspn(q, "&# \r\n"), q);
		return **secret != 0;
	}
	q = strchr(qr, ' ');
	if (!q || q == qr)
		return false;
	*code = arena_printf(req->arena, "%.*s", (int)(q - qr), qr);
	while (*q == ' ')
		q++;
	*secret = arena_printf(req->arena, "%.*s", (int)strcspn(q, " \r\n"),
			       q);
	return **secret != 0;
}

static int kiosk_scan(struct http_request *req, struct http_response *res,
		      int status, const char *error, const char *ok)
{
	json_t *m = json_pack("{s:s, s:b}", "title", "Đánh giá sự hài lòng",
			      "kiosk", 1);
	if (error)
		json_object_set_new(m, "error", json_string(error));
	if (ok)
		json_object_set_new(m, "flash_ok", json_string(ok));
	respond_cache(req, res, 0);
	return respond_view(req, res, status, "lookup_kiosk", m);
}

/* The kiosk's rating form for a verified dossier in the officer's scope. */
static int kiosk_form(struct http_request *req, struct http_response *res,
		      struct db *db, const char *code, const char *secret,
		      int status, struct input *typed, const char *field,
		      const char *msg)
{
	json_t *m = NULL;
	struct buf err = BUF_INIT;
	int rc = lookup_model(db, code, web_now(), &m, &err);

	buf_release(&err);
	if (rc == MC_ENOTFOUND)
		return kiosk_scan(req, res, 404, NOT_FOUND_MSG, NULL);
	if (rc)
		return rc;
	json_object_set_new(m, "title", json_string("Đánh giá sự hài lòng"));
	json_object_set_new(m, "secret", json_string(secret));
	json_object_set_new(m, "kiosk", json_true());
	if (json_is_true(json_object_get(m, "can_rate")))
		json_object_set_new(m, "rating_form",
				    rating_form(req, typed, field, msg));
	respond_cache(req, res, 0);
	return respond_view(req, res, status, "lookup_kiosk", m);
}

/* Whether the dossier's unit is in the officer's scope for the desk. */
static int kiosk_scope(struct http_request *req, struct db *db,
		       const char *code, bool *ok)
{
	struct dossier_ref ref;
	struct buf err = BUF_INIT;
	int rc = dossier_load(db, code, NULL, &ref, &err);

	buf_release(&err);
	*ok = false;
	if (rc == MC_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	*ok = auth_can(req, ACT_DOSSIER_RECEIVE, ref.unit_code);
	return 0;
}

/*
 * GET /mot-cua/danh-gia: the kiosk page, waiting for a scan (a scanner
 * types the QR's text into the field, or a tablet's scanner app opens
 * /mot-cua/danh-gia?qr=TEXT). With qr: the rating form of that dossier
 * when the secret matches and the dossier is of the officer's units (else
 * the same "not found"). Reads only.
 */
int handle_kiosk(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const char *qr = http_query(req, "qr");
	const char *code = NULL, *secret = NULL;
	bool in_scope = false;
	int rc;

	if (!qr || !*qr)
		qr = http_form(req, "qr");
	if (!qr || !*qr)
		return kiosk_scan(req, res, 200, NULL,
				  http_query(req, "ok")
					  ? "Cảm ơn ông/bà đã đánh giá. Mời "
					    "người tiếp theo quét mã."
					  : NULL);
	if (!parse_qr(req, qr, &code, &secret))
		return kiosk_scan(req, res, 422,
				  "Mã QR: không đọc được. Hãy quét mã QR "
				  "trên Giấy tiếp nhận hồ sơ và hẹn trả kết "
				  "quả.",
				  NULL);
	if ((rc = app_db(req, &db)))
		return rc;
	rc = lookup_verify(db, code, secret, NULL, &err);
	buf_release(&err);
	if (rc == MC_ENOTFOUND)
		return kiosk_scan(req, res, 404, NOT_FOUND_MSG, NULL);
	if (rc)
		return rc;
	if ((rc = kiosk_scope(req, db, code, &in_scope)))
		return rc;
	if (!in_scope)
		return kiosk_scan(req, res, 404, NOT_FOUND_MSG, NULL);
	return kiosk_form(req, res, db, code, secret, 200, NULL, NULL, NULL);
}

/*
 * POST /mot-cua/danh-gia/{code} (CSRF; fields ma, the criteria, level,
 * comment): records the rating (channel "kiosk", the officer as the
 * audit's actor), 303 to the waiting page; errors re-render (422, 409).
 */
int handle_kiosk_rating(struct http_request *req, struct http_response *res)
{
	struct input in;
	struct db *db;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	const char *secret, *field = NULL, *msg = NULL;
	int rc, status = 0;

	if ((rc = app_db(req, &db)))
		return rc;
	input_init(&in, req);
	secret = in_get(&in, "ma");
	rc = lookup_verify(db, code, secret ? secret : "-", NULL, &err);
	if (rc == MC_ENOTFOUND) {
		rc = kiosk_scan(req, res, 404, NOT_FOUND_MSG, NULL);
		goto out;
	}
	if (rc)
		goto out;
	rc = rate(req, db, code, &in, "kiosk", &status, &field, &msg);
	if (status == 201) {
		rc = respond_redirect(req, res, 303, "/mot-cua/danh-gia?ok=1");
		goto out;
	}
	if (status == 422 || status == 409)
		rc = kiosk_form(req, res, db, code, secret, status, &in, field,
				msg);
out:
	json_decref(in.body);
	buf_release(&err);
	return rc;
}

/* ---- the inspector's list ------------------------------------------------ */

/* Units (communes or provinces) where the principal may inspect; -1: all. */
static int inspect_scope(const struct principal *p, const char **units,
			 int max)
{
	int n = 0;

	for (int i = 0; p && i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_INSPECTION))
			continue;
		if (!strcmp(g->unit, AUTHZ_UNIT_COUNTRY))
			return -1;
		if (n < max)
			units[n++] = g->unit;
	}
	return n;
}

/*
 * GET /thanh-tra/danh-gia (ACT_INSPECTION; query muc = a level name,
 * khieu-nai=1 complaints only, can-bo = a user id, trang) and GET
 * /api/v1/ratings (level, complaints, officer, page): every rating of the
 * inspector's units with its dossier and the officers it is attributed
 * to, newest first, and the summary. Read only: nobody edits a rating.
 */
int handle_rating_list(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	const char *units[MAX_SCOPE];
	struct rating_list_q q;
	json_t *m = NULL;
	const char *v;
	enum rating_level lv;
	int n, rc;

	if ((rc = app_db(req, &db)))
		return rc;
	memset(&q, 0, sizeof q);
	n = inspect_scope(auth_principal(req), units, MAX_SCOPE);
	if (n >= 0) {
		q.units = units;
		q.n_units = n;
	}
	v = http_query(req, req->want_json ? "level" : "muc");
	if (v && *v && !rating_level_parse(v, &lv))
		q.level = rating_level_name(lv);
	v = http_query(req, req->want_json ? "complaints" : "khieu-nai");
	q.complaints_only = v && !strcmp(v, "1");
	v = http_query(req, req->want_json ? "officer" : "can-bo");
	if (v && *v)
		q.officer_id = strtoll(v, NULL, 10);
	v = http_query(req, req->want_json ? "page" : "trang");
	q.page = v ? (int)strtol(v, NULL, 10) : 1;
	if ((rc = rating_list(db, &q, &m, &err))) {
		log_error("ratings: %s", err.ptr);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	respond_cache(req, res, 0);
	if (!req->want_json) {
		json_t *levels = json_array();
		for (int l = 0; l < RL__COUNT; l++) {
			const char *name =
				rating_level_name((enum rating_level)l);
			json_array_append_new(
				levels,
				json_pack("{s:s, s:s, s:b}", "value", name,
					  "label",
					  rating_level_label(
						  (enum rating_level)l),
					  "selected",
					  q.level && !strcmp(q.level, name)));
		}
		json_object_set_new(m, "title",
				    json_string("Đánh giá sự hài lòng"));
		json_object_set_new(m, "levels", levels);
		json_object_set_new(m, "complaints_only",
				    json_boolean(q.complaints_only));
		{
			int64_t total = json_integer_value(
				json_object_get(m, "total"));
			int per = (int)json_integer_value(
				json_object_get(m, "per_page"));
			int page = (int)json_integer_value(
				json_object_get(m, "page"));
			if (page > 1)
				json_object_set_new(
					m, "prev",
					json_string(arena_printf(
						req->arena, "?trang=%d%s%s%s",
						page - 1,
						q.level ? "&muc=" : "",
						q.level ? q.level : "",
						q.complaints_only
							? "&khieu-nai=1"
							: "")));
			if ((int64_t)page * per < total)
				json_object_set_new(
					m, "next",
					json_string(arena_printf(
						req->arena, "?trang=%d%s%s%s",
						page + 1,
						q.level ? "&muc=" : "",
						q.level ? q.level : "",
						q.complaints_only
							? "&khieu-nai=1"
							: "")));
		}
	}
	return respond_view(req, res, 200, "rating_list", m);
}
