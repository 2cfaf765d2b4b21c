/*
 * h_notify.c - the administration of notifications (engineer "notify"):
 * /quan-tri/thong-bao lists the outbox (pending, sent, dead letters, with a
 * retry button) and the webhooks (add, remove); JSON twins under
 * /api/v1/admin/outbox and /api/v1/admin/webhooks. System-wide objects:
 * the routes need ACT_UNITS_EDIT on "VN" (ROUTE_SYSTEM). Each change is
 * audited by store/outbox.c. A generated webhook secret is shown once.
 */
#include "web/handlers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/dossier_public.h"
#include "store/outbox.h"
#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"

#define NOTIFY_PATH "/quan-tri/thong-bao"

static mc_time now_s(void)
{
	return (mc_time)time(NULL);
}

static int db_failed(const char *what, struct buf *err)
{
	log_error("notify admin %s: %s", what, err->ptr);
	buf_release(err);
	return MC_EDB;
}

/* A form field, or the same key of a JSON object body. */
static const char *field(struct http_request *req, json_t *body,
			 const char *name)
{
	const char *v = http_form(req, name);
	if (v || !body)
		return v;
	return json_string_value(json_object_get(body, name));
}

/* "2026-02-23T17:05:00+07:00" -> "23/02/2026 17:05" (arena). */
static const char *time_text(struct http_request *req, json_t *iso)
{
	const char *s = json_string_value(iso);
	if (!s || strlen(s) < 16)
		return "";
	return arena_printf(req->arena, "%.2s/%.2s/%.4s %.5s", s + 8, s + 5, s,
			    s + 11);
}

static const char *status_label(const char *s)
{
	if (!strcmp(s, "sent"))
		return "Đã gửi";
	if (!strcmp(s, "dead"))
		return "Gửi không được (đã dừng)";
	return "Đang chờ gửi";
}

/* "received" -> "Hồ sơ đã được tiếp nhận"; other events as they are. */
static const char *event_label(const char *ev)
{
	for (int k = DPK_NONE + 1; ev && k < DPK__COUNT; k++)
		if (!strcmp(ev, dossier_public_kind_name(
					(enum dossier_public_kind)k)))
			return dossier_public_kind_title(
				(enum dossier_public_kind)k);
	return ev ? ev : "";
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v <= 0)
		return MC_ENOTFOUND;
	*id = v;
	return 0;
}

/*
 * The applicant's address masked for the list ("n***@example.vn"): the
 * page is for delivery problems, not for reading personal data (the full
 * message: `motcua outbox show ID`).
 */
static void mask_targets(json_t *items)
{
	size_t i;
	json_t *m;
	json_array_foreach(items, i, m)
	{
		const char *k = json_string_value(json_object_get(m, "kind"));
		const char *t = json_string_value(json_object_get(m, "target"));
		const char *at = t ? strchr(t, '@') : NULL;
		if (!k || strcmp(k, "email") || !t)
			continue;
		struct buf b = BUF_INIT;
		if (at && at > t)
			buf_addf(&b, "%c***%s", t[0], at);
		else
			buf_adds(&b, "***");
		json_object_set_new(m, "target", json_string(b.ptr));
		buf_release(&b);
	}
}

int handle_notify_admin(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *list = NULL, *hooks = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *st = http_query(req, req->want_json ? "status"
							: "trang-thai");
	if (st && strcmp(st, "pending") && strcmp(st, "sent") &&
	    strcmp(st, "dead"))
		st = NULL;
	struct outbox_filter f = { .status = st,
				   .dossier_code = http_query(req, "dossier"),
				   .limit = 200 };
	if ((rc = outbox_list(db, &f, &list, &err)))
		return db_failed("outbox", &err);
	if ((rc = outbox_webhook_list(db, &hooks, &err))) {
		json_decref(list);
		return db_failed("webhooks", &err);
	}
	buf_release(&err);
	mask_targets(json_object_get(list, "items"));
	json_object_set_new(list, "webhooks",
			    json_incref(json_object_get(hooks, "items")));
	json_decref(hooks);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_notify", list);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(list, "items"), i, m)
	{
		const char *s = json_string_value(json_object_get(m, "status"));
		json_object_set_new(
			m, "event_label",
			json_string(event_label(json_string_value(
				json_object_get(m, "event")))));
		json_object_set_new(m, "status_label",
				    json_string(status_label(s)));
		json_object_set_new(m, "can_retry",
				    json_boolean(strcmp(s, "sent") != 0));
		json_object_set_new(m, "is_dead",
				    json_boolean(!strcmp(s, "dead")));
		json_object_set_new(
			m, "kind_label",
			json_string(strcmp(json_string_value(
						   json_object_get(m, "kind")),
					   "email")
					    ? "Webhook"
					    : "Thư điện tử"));
		json_object_set_new(m, "created_text",
				    json_string(time_text(
					    req, json_object_get(m, "created_at"))));
		json_object_set_new(m, "next_text",
				    json_string(time_text(
					    req, json_object_get(m, "next_at"))));
	}
	json_object_set_new(list, "title",
			    json_string("Thông báo cho người dân và webhook"));
	json_object_set_new(list, "has_items",
			    json_boolean(json_array_size(
				    json_object_get(list, "items"))));
	json_object_set_new(list, "has_webhooks",
			    json_boolean(json_array_size(
				    json_object_get(list, "webhooks"))));
	json_object_set_new(list, "filter", json_string(st ? st : ""));
	json_object_set_new(list, "filter_dead",
			    json_boolean(st && !strcmp(st, "dead")));
	json_object_set_new(list, "filter_pending",
			    json_boolean(st && !strcmp(st, "pending")));
	json_object_set_new(list, "filter_sent",
			    json_boolean(st && !strcmp(st, "sent")));
	const char *ok = http_query(req, "ok");
	const char *notice = NULL;
	if (ok && !strcmp(ok, "gui-lai"))
		notice = "Đã đưa thông báo trở lại hàng đợi gửi.";
	else if (ok && !strcmp(ok, "xoa-webhook"))
		notice = "Đã xóa webhook; các thông báo chưa gửi tới nó đã "
			 "dừng.";
	else if (ok && !strcmp(ok, "them-webhook"))
		notice = "Đã thêm webhook.";
	if (notice)
		json_object_set_new(list, "notice", json_string(notice));
	return respond_view(req, res, 200, "admin_notify", list);
}

int handle_notify_retry(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int64_t id;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (parse_id(http_param(req, "id"), &id))
		return MC_ENOTFOUND;
	struct auth_actor by = auth_actor_of(req);
	rc = outbox_retry(db, &by, id, now_s(), &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		return MC_ENOTFOUND;
	}
	if (rc == MC_ECONFLICT) {
		buf_release(&err);
		return respond_error(req, res, 409, "conflict",
				     "Thông báo này đã được gửi, không gửi "
				     "lại.");
	}
	if (rc)
		return db_failed("retry", &err);
	buf_release(&err);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_notify",
				    json_pack("{s:I, s:s}", "id", (json_int_t)id,
					      "status", "pending"));
	return respond_redirect(req, res, 303, NOTIFY_PATH "?ok=gui-lai");
}

static int form_invalid(struct http_request *req, struct http_response *res,
			json_t *model, const char *fld, const char *msg)
{
	json_t *e = json_pack("{s:s, s:s, s:s}", "code", "invalid", "field",
			      fld, "message", msg);
	if (req->want_json) {
		json_decref(model);
		return respond_view(req, res, 422, "admin_webhook_form",
				    json_pack("{s:o}", "error", e));
	}
	json_object_set_new(model, "error", e);
	json_object_set_new(model, "errors", json_pack("{s:s}", fld, msg));
	int rc = respond_view(req, res, 422, "admin_webhook_form", model);
	respond_cache(req, res, 0);
	return rc;
}

int handle_notify_webhook_new(struct http_request *req,
			      struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char secret[65] = "";
	json_t *body = NULL, *m = NULL;
	const char *fld = NULL;
	int64_t id = 0;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (req->method != HTTP_POST) {
		if (req->want_json) {	/* GET /api/v1/admin/webhooks */
			json_t *l = NULL;
			if ((rc = outbox_webhook_list(db, &l, &err)))
				return db_failed("webhooks", &err);
			buf_release(&err);
			return respond_view(req, res, 200, "admin_notify", l);
		}
		rc = respond_view(req, res, 200, "admin_webhook_form",
				  json_pack("{s:s, s:s, s:s}", "title",
					    "Thêm webhook", "name", "", "url",
					    ""));
		respond_cache(req, res, 0);
		return rc;
	}
	body = http_json_body(req);
	const char *name = field(req, body, "name");
	const char *url = field(req, body, "url");
	const char *given = field(req, body, "secret");
	bool generated = !given || !*given;
	m = json_pack("{s:s, s:s, s:s}", "title", "Thêm webhook", "name",
		      name ? name : "", "url", url ? url : "");
	if (generated) {
		unsigned char raw[32];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
		sodium_memzero(raw, sizeof raw);
	}
	const char *key = generated ? secret : given;
	if (outbox_webhook_check(name, url, key, &fld, &err)) {
		rc = form_invalid(req, res, m, fld, err.ptr);
		m = NULL;
		goto out;
	}
	struct auth_actor by = auth_actor_of(req);
	rc = outbox_webhook_add(db, &by, name, url, key, now_s(), &id, &err);
	if (rc == MC_ECONFLICT || rc == MC_EINVALID) {
		rc = form_invalid(req, res, m, "name", err.ptr);
		m = NULL;
		goto out;
	}
	if (rc) {
		rc = db_failed("webhook add", &err);
		goto out;
	}
	if (req->want_json) {
		json_t *a = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
				      "name", name, "url", url);
		if (generated)
			json_object_set_new(a, "secret", json_string(secret));
		rc = respond_view(req, res, 201, "admin_notify", a);
		respond_cache(req, res, 0);
		goto out;
	}
	if (!generated) {
		rc = respond_redirect(req, res, 303,
				      NOTIFY_PATH "?ok=them-webhook");
		goto out;
	}
	/* Shown once, never in a URL: no redirect, no-store. */
	rc = respond_view(req, res, 201, "admin_webhook_created",
			  json_pack("{s:s, s:s, s:s, s:s}", "title",
				    "Webhook đã được thêm", "name", name,
				    "url", url, "secret", secret));
	respond_cache(req, res, 0);
	http_set_header(req, res, "Pragma", "no-cache");
out:
	sodium_memzero(secret, sizeof secret);
	json_decref(m);
	json_decref(body);
	buf_release(&err);
	return rc;
}

int handle_notify_webhook_remove(struct http_request *req,
				 struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int64_t id;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (parse_id(http_param(req, "id"), &id))
		return MC_ENOTFOUND;
	struct auth_actor by = auth_actor_of(req);
	rc = outbox_webhook_remove(db, &by, id, now_s(), &err);
	if (rc == MC_ENOTFOUND) {
		buf_release(&err);
		return MC_ENOTFOUND;
	}
	if (rc)
		return db_failed("webhook remove", &err);
	buf_release(&err);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_notify",
				    json_pack("{s:I, s:b}", "id", (json_int_t)id,
					      "removed", 1));
	return respond_redirect(req, res, 303, NOTIFY_PATH "?ok=xoa-webhook");
}
