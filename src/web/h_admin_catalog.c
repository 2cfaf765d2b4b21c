/*
 * h_admin_catalog.c - the catalog's administration (engineer "versions"):
 * search (/quan-tri/thu-tuc), a procedure's baseline and versions
 * (/quan-tri/thu-tuc/{code}), the draft form, publication and deletion
 * (/quan-tri/phien-ban/{id}...), a desk's procedure list
 * (/quan-tri/don-vi/{code}/thu-tuc), the reform report with its CSV and
 * JSON twins (/quan-tri/bao-cao/cai-cach/{unit}). Access is declared in
 * routes.c; rules and SQL are in store/version_repo.c.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/reform.h"
#include "store/catalog.h"
#include "store/version_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"

#define CODE_MAX 40
#define DESK_CHANGE_MAX 200

static int32_t today_vn(void)
{
	return mctime_local_day(web_now());
}

static bool code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n == 0 || n > CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && code[i] != '.' &&
		    code[i] != '-' && code[i] != '_')
			return false;
	return true;
}

static void log_db(const char *what, const struct buf *err)
{
	log_error("admin-catalog: %s: %s", what, err->ptr);
}

/* "2026-03-01" -> "01/03/2026" (as typed when not a date). */
static json_t *day_vi(const char *iso)
{
	if (!iso || strlen(iso) != 10)
		return json_string(iso ? iso : "");
	char s[11] = { iso[8], iso[9], '/', iso[5], iso[6], '/', iso[0],
		       iso[1], iso[2], iso[3], 0 };
	return json_string(s);
}

/* A string field of the JSON body, or of the form. */
static const char *in_field(struct http_request *req, json_t *body,
			    const char *name)
{
	if (body) {
		json_t *v = json_object_get(body, name);
		if (json_is_string(v))
			return json_string_value(v);
		if (json_is_integer(v))
			return arena_printf(req->arena, "%lld",
					    (long long)json_integer_value(v));
		return NULL;
	}
	return http_form(req, name);
}

static int64_t parse_id(const char *s)
{
	char *end;
	if (!s || !*s)
		return 0;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	return errno || *end || v <= 0 ? 0 : (int64_t)v;
}

/*
 * Answers invalid input: HTML re-renders `view` with the model as 422;
 * JSON {"error":{"code","field","message","fields"}}. Steals both.
 */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  json_t *errors, const char *code, const char *message)
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
				      v ? json_string_value(v) : message,
				      "fields", errors);
		json_decref(model);
		json_decref(errors);
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	json_object_set_new(model, "errors", errors);
	json_object_set_new(model, "has_errors", json_true());
	json_object_set_new(model, "error_message", json_string(message));
	respond_cache(req, res, 0);
	return respond_view(req, res, status, view, model);
}

/* ---- the version form ------------------------------------------------------ */

/* Reads the form or JSON body into `in` (strings live in the request). */
static void read_input(struct http_request *req, json_t *body,
		       struct version_input *in)
{
	memset(in, 0, sizeof(*in));
	in->effective_from = in_field(req, body, "effective_from");
	in->decision_ref = in_field(req, body, "decision_ref");
	in->summary = in_field(req, body, "summary");
	const char *rev = in_field(req, body, "revision");
	in->revision = rev ? strtoll(rev, NULL, 10) : 0;
	if (body) {
		json_t *a = json_object_get(body, "channels"), *c;
		size_t i;
		json_array_foreach(a, i, c) {
			if (i >= VERSION_MAX_CHANNELS)
				break;
			in->channels[i].committed = json_string_value(
				json_object_get(c, "committed"));
			in->channels[i].fee_text = json_string_value(
				json_object_get(c, "fee_text"));
			in->n_channels = (int)i + 1;
		}
		a = json_object_get(body, "components");
		json_array_foreach(a, i, c) {
			if (i >= VERSION_MAX_COMPONENTS)
				break;
			in->components[i].mode = json_string_value(
				json_object_get(c, "mode"));
			in->components[i].lookup_db = json_string_value(
				json_object_get(c, "lookup_db"));
			in->components[i].reason = json_string_value(
				json_object_get(c, "reason"));
			in->components[i].legal_basis = json_string_value(
				json_object_get(c, "legal_basis"));
			in->n_components = (int)i + 1;
		}
		return;
	}
	for (int i = 0; i < VERSION_MAX_CHANNELS; i++) {
		const char *c = http_form(req, arena_printf(req->arena,
				"channels.%d.committed", i));
		const char *f = http_form(req, arena_printf(req->arena,
				"channels.%d.fee_text", i));
		if (!c && !f)
			break;
		in->channels[i].committed = c;
		in->channels[i].fee_text = f;
		in->n_channels = i + 1;
	}
	for (int i = 0; i < VERSION_MAX_COMPONENTS; i++) {
		const char *m = http_form(req, arena_printf(req->arena,
				"components.%d.mode", i));
		if (!m)
			break;
		in->components[i].mode = m;
		in->components[i].lookup_db = http_form(req, arena_printf(
			req->arena, "components.%d.lookup_db", i));
		in->components[i].reason = http_form(req, arena_printf(
			req->arena, "components.%d.reason", i));
		in->components[i].legal_basis = http_form(req, arena_printf(
			req->arena, "components.%d.legal_basis", i));
		in->n_components = i + 1;
	}
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/*
 * Makes a version (from version_template or version_get) a form model:
 * per channel index, committed_text and fee_text; per component index,
 * mode options and lookup options; the typed values of `in` over them when
 * given; and each field error next to its field (error_* keys).
 */
static void form_model(json_t *v, const struct version_input *in,
		       json_t *errors)
{
	size_t i;
	json_t *c;
	if (in) {
		set_str(v, "effective_from", in->effective_from);
		set_str(v, "decision_ref", in->decision_ref);
		set_str(v, "summary", in->summary);
	}
	static const char *const top[] = { "effective_from", "decision_ref",
					   "summary" };
	for (size_t k = 0; k < 3; k++) {
		json_t *e = json_object_get(errors, top[k]);
		char key[48];
		snprintf(key, sizeof(key), "error_%s", top[k]);
		if (e)
			json_object_set(v, key, e);
	}
	json_array_foreach(json_object_get(v, "channels"), i, c) {
		json_object_set_new(c, "index", json_integer((json_int_t)i));
		json_t *cm = json_object_get(c, "committed");
		if (!json_object_get(c, "committed_text"))
			set_str(c, "committed_text",
				json_is_object(cm) ? json_str(cm, "text") : "");
		if (in && (int)i < in->n_channels) {
			set_str(c, "committed_text", in->channels[i].committed);
			set_str(c, "fee_text", in->channels[i].fee_text);
		}
		json_t *l = json_object_get(c, "legal");
		set_str(c, "legal_display", json_is_object(l) ? json_str(l, "text")
							     : json_str(c, "legal_text"));
		char key[48];
		snprintf(key, sizeof(key), "channels.%zu.committed", i);
		if (json_object_get(errors, key))
			json_object_set(c, "error_committed",
					json_object_get(errors, key));
		snprintf(key, sizeof(key), "channels.%zu.fee_text", i);
		if (json_object_get(errors, key))
			json_object_set(c, "error_fee", json_object_get(errors, key));
	}
	json_array_foreach(json_object_get(v, "components"), i, c) {
		json_object_set_new(c, "index", json_integer((json_int_t)i));
		if (in && (int)i < in->n_components) {
			set_str(c, "mode", in->components[i].mode);
			set_str(c, "lookup_db", in->components[i].lookup_db);
			set_str(c, "reason", in->components[i].reason);
			set_str(c, "legal_basis", in->components[i].legal_basis);
		}
		const char *mode = json_str(c, "mode");
		json_t *modes = json_array();
		for (int m = COMP_REQUIRED; m <= COMP_REPLACED; m++)
			json_array_append_new(modes, json_pack(
				"{s:s, s:s, s:b}", "value", reform_mode_name(m),
				"label", reform_mode_label(m), "selected",
				!strcmp(mode, reform_mode_name(m))));
		json_object_set_new(c, "mode_options", modes);
		const char *ldb = json_str(c, "lookup_db");
		json_t *lookups = json_array();
		for (const struct reform_lookup_db *d = reform_lookup_dbs;
		     d->code; d++)
			json_array_append_new(lookups, json_pack(
				"{s:s, s:s, s:b}", "value", d->code, "label",
				d->name, "selected", !strcmp(ldb, d->code)));
		json_object_set_new(c, "lookup_options", lookups);
		json_object_set_new(c, "simplified",
				    json_boolean(strcmp(mode, "required") &&
						 *mode));
		static const char *const keys[][2] = {
			{ "mode", "error_mode" },
			{ "lookup_db", "error_lookup" },
			{ "reason", "error_reason" },
			{ "legal_basis", "error_basis" },
		};
		for (size_t k = 0; k < 4; k++) {
			char key[48];
			snprintf(key, sizeof(key), "components.%zu.%s", i,
				 keys[k][0]);
			if (json_object_get(errors, key))
				json_object_set(c, keys[k][1],
						json_object_get(errors, key));
		}
	}
}

/* ---- pages ------------------------------------------------------------------- */

/* The scopes the user may make versions for: provinces and "VN" of their
 * grants that allow ACT_CATALOG_EDIT (commune grants cannot). */
static json_t *edit_scopes(struct http_request *req, struct db *db)
{
	json_t *a = json_array();
	const struct principal *p = auth_principal(req);
	if (!p)
		return a;
	for (int i = 0; i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_CATALOG_EDIT))
			continue;
		json_t *u = NULL;
		struct buf err = BUF_INIT;
		bool vn = !strcmp(g->unit, "VN");
		if (!vn && catalog_unit_get(db, g->unit, &u, &err) == 0 &&
		    json_is_null(json_object_get(u, "parent")))
			json_array_append_new(a, json_pack(
				"{s:s, s:s}", "code", g->unit, "name",
				json_str(u, "full_name")));
		else if (vn)
			json_array_append_new(a, json_pack(
				"{s:s, s:s}", "code", "VN", "name",
				"Toàn quốc"));
		json_decref(u);
		buf_release(&err);
	}
	return a;
}

int handle_admin_catalog(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL;
	const char *q = http_query(req, "q");
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = catalog_search(db, q ? q : "", NULL, 1, 50, &model, &err);
	if (rc == MC_EINVALID) {
		buf_release(&err);
		return respond_error(req, res, 400, "bad_query",
				     "Từ khóa tìm kiếm không hợp lệ.");
	}
	if (rc) {
		log_db("search", &err);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	json_object_set_new(model, "title",
			    json_string("Danh mục thủ tục và phiên bản"));
	json_object_set_new(model, "q", json_string(q ? q : ""));
	json_object_set_new(model, "has_items", json_boolean(json_array_size(
					json_object_get(model, "items"))));
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "admin_catalog", model);
}

/* Adds display texts to a version for the admin pages. */
static void version_view(json_t *v)
{
	json_object_set_new(v, "effective_vi",
			    day_vi(json_str(v, "effective_from")));
	bool draft = !strcmp(json_str(v, "status"), "draft");
	json_object_set_new(v, "is_draft", json_boolean(draft));
	json_object_set_new(v, "status_label",
			    json_string(draft ? "Bản nháp"
				       : json_is_true(json_object_get(v, "in_force"))
					       ? "Đang có hiệu lực / đã có hiệu lực"
					       : "Đã công bố, chưa có hiệu lực"));
	json_object_set_new(v, "scope_label",
			    json_string(strcmp(json_str(v, "scope"), "VN")
						? json_str(v, "scope") : "Toàn quốc"));
	json_object_set_new(v, "has_changes", json_boolean(json_array_size(
					json_object_get(v, "changes"))));
}

int handle_admin_procedure(struct http_request *req,
			   struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *proc = NULL;
	const char *code = http_param(req, "code");
	int32_t today = today_vn();
	if (!code_ok(code))
		return MC_ENOTFOUND;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = catalog_procedure_get(db, code, &proc, &err);
	if (rc) {
		if (rc != MC_ENOTFOUND)
			log_db("procedure", &err);
		buf_release(&err);
		return rc;
	}
	json_t *model = json_pack("{s:s, s:s, s:s, s:O}", "title",
				  json_str(proc, "name"), "code", code, "name",
				  json_str(proc, "name"), "procedure", proc);
	json_decref(proc);
	json_t *scopes = edit_scopes(req, db), *sc;
	size_t i;
	json_array_foreach(scopes, i, sc) {
		json_t *list = NULL;
		rc = version_list(db, code, json_str(sc, "code"), today, &list, &err);
		if (rc) {
			log_db("versions", &err);
			buf_release(&err);
			json_decref(scopes);
			json_decref(model);
			return rc;
		}
		json_t *items = json_object_get(list, "items"), *v;
		size_t j;
		json_array_foreach(items, j, v)
			version_view(v);
		json_object_set(sc, "versions", items);
		json_object_set_new(sc, "has_versions",
				    json_boolean(json_array_size(items)));
		json_decref(list);
	}
	buf_release(&err);
	json_object_set_new(model, "scopes", scopes);
	const char *done = http_query(req, "xong");
	if (done && !strcmp(done, "xoa"))
		json_object_set_new(model, "notice",
				    json_string("Đã xóa bản nháp."));
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "admin_catalog_procedure", model);
}

/* Field errors or a conflict from the repository, as an answer. */
static int answer_repo_error(struct http_request *req,
			     struct http_response *res, int rc, json_t *model,
			     json_t *fe, const struct version_input *in,
			     const char *view, const struct buf *err)
{
	if (rc == MC_EINVALID && fe) {
		form_model(model, in, fe);
		return answer_invalid(req, res, 422, view, model, fe,
				      "invalid", "Chưa lưu được: xem các ô có "
				      "thông báo lỗi bên dưới.");
	}
	if (rc == MC_EINVALID || rc == MC_ECONFLICT || rc == MC_EFORBIDDEN) {
		json_t *e = json_pack("{s:s}", "form", err->ptr);
		form_model(model, in, NULL);
		return answer_invalid(req, res, rc == MC_EINVALID ? 422 : 409,
				      view, model, e,
				      rc == MC_ECONFLICT ? "conflict"
				      : rc == MC_EFORBIDDEN ? "immutable"
							    : "invalid",
				      err->ptr);
	}
	json_decref(model);
	json_decref(fe);
	return rc;
}

int handle_admin_version_new(struct http_request *req,
			     struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL, *body = NULL, *fe = NULL;
	const char *code = http_param(req, "code");
	const char *scope = http_form(req, "pham-vi");
	int32_t today = today_vn();
	int rc;
	if (!scope)
		scope = http_query(req, "pham-vi");
	if (!code_ok(code) || !scope)
		return MC_ENOTFOUND;
	if ((rc = app_db(req, &db)))
		return rc;
	rc = version_template(db, code, scope, today, &model, &err);
	if (rc) {
		if (rc != MC_ENOTFOUND)
			log_db("template", &err);
		buf_release(&err);
		return rc;
	}
	json_object_set_new(model, "title", json_string("Phiên bản mới"));
	json_object_set_new(model, "is_new", json_true());
	json_object_set_new(model, "revision", json_integer(0));
	json_object_set_new(model, "action",
			    json_string(arena_printf(req->arena,
						     "/quan-tri/thu-tuc/%s/phien-ban-moi",
						     code)));
	if (req->method != HTTP_POST) {
		form_model(model, NULL, NULL);
		buf_release(&err);
		respond_cache(req, res, 0);
		return respond_view(req, res, 200, "admin_version_form", model);
	}
	struct version_input *in = arena_zalloc(req->arena, sizeof(*in));
	body = http_json_body(req);
	read_input(req, body, in);
	int64_t id = 0;
	struct auth_actor by = auth_actor_of(req);
	rc = version_create(db, &by, code, scope, in, today, web_now(), &id,
			    &fe, &err);
	if (rc) {
		if (rc == MC_EDB)
			log_db("create", &err);
		rc = answer_repo_error(req, res, rc, model, fe, in,
				       "admin_version_form", &err);
		json_decref(body);
		buf_release(&err);
		return rc;
	}
	json_decref(body);
	json_decref(model);
	buf_release(&err);
	if (req->want_json) {
		json_t *v = NULL;
		if ((rc = version_get(db, id, today, &v, &err)))
			return rc;
		return respond_view(req, res, 201, "admin_version", v);
	}
	return respond_redirect(req, res, 303,
				arena_printf(req->arena,
					     "/quan-tri/phien-ban/%lld?xong=tao",
					     (long long)id));
}

/* The route_unit_fn of /quan-tri/phien-ban/{id}: the version's scope. */
int admin_unit_of_version(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char scope[16];
	int64_t id = parse_id(http_param(req, "id"));
	if (!id)
		return MC_ENOTFOUND;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	rc = version_scope(db, id, scope, &err);
	if (rc && rc != MC_ENOTFOUND)
		log_db("scope", &err);
	buf_release(&err);
	if (!rc)
		*unit_code = arena_strdup(req->arena, scope);
	return rc;
}

static const char *done_message(const char *done)
{
	if (!done)
		return NULL;
	if (!strcmp(done, "tao"))
		return "Đã tạo bản nháp. Kiểm tra lại rồi công bố khi sẵn sàng.";
	if (!strcmp(done, "luu"))
		return "Đã lưu phiên bản.";
	if (!strcmp(done, "cong-bo"))
		return "Đã công bố phiên bản. Trang công khai của thủ tục hiển "
		       "thị phiên bản này từ ngày hiệu lực.";
	return NULL;
}

int handle_admin_version(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *v = NULL, *body = NULL, *fe = NULL;
	int64_t id = parse_id(http_param(req, "id"));
	int32_t today = today_vn();
	int rc;
	if (!id)
		return MC_ENOTFOUND;
	if ((rc = app_db(req, &db)))
		return rc;
	if ((rc = version_get(db, id, today, &v, &err))) {
		buf_release(&err);
		return rc;
	}
	const char *code = json_str(v, "procedure_code");
	json_object_set_new(v, "title",
			    json_string(arena_printf(req->arena,
						     "Phiên bản thủ tục %s", code)));
	json_object_set_new(v, "action",
			    json_string(arena_printf(req->arena,
						     "/quan-tri/phien-ban/%lld",
						     (long long)id)));
	version_view(v);
	if (req->method != HTTP_POST) {
		const char *msg = done_message(http_query(req, "xong"));
		if (msg && !req->want_json)
			json_object_set_new(v, "notice", json_string(msg));
		if (!req->want_json)
			form_model(v, NULL, NULL);
		buf_release(&err);
		respond_cache(req, res, 0);
		return respond_view(req, res, 200, "admin_version", v);
	}
	struct version_input *in = arena_zalloc(req->arena, sizeof(*in));
	body = http_json_body(req);
	read_input(req, body, in);
	struct auth_actor by = auth_actor_of(req);
	rc = version_update(db, &by, id, in, today, web_now(), &fe, &err);
	json_decref(body);
	if (rc) {
		if (rc == MC_EDB)
			log_db("update", &err);
		rc = answer_repo_error(req, res, rc, v, fe, in,
				       "admin_version", &err);
		buf_release(&err);
		return rc;
	}
	json_decref(v);
	buf_release(&err);
	if (req->want_json) {
		if ((rc = version_get(db, id, today, &v, &err)))
			return rc;
		return respond_view(req, res, 200, "admin_version", v);
	}
	return respond_redirect(req, res, 303,
				arena_printf(req->arena,
					     "/quan-tri/phien-ban/%lld?xong=luu",
					     (long long)id));
}

int handle_admin_version_publish(struct http_request *req,
				 struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *v = NULL, *body = NULL;
	int64_t id = parse_id(http_param(req, "id"));
	int32_t today = today_vn();
	int rc;
	if (!id)
		return MC_ENOTFOUND;
	if ((rc = app_db(req, &db)))
		return rc;
	if ((rc = version_get(db, id, today, &v, &err))) {
		buf_release(&err);
		return rc;
	}
	version_view(v);
	json_object_set_new(v, "title", json_string("Công bố phiên bản"));
	if (req->method != HTTP_POST) {
		buf_release(&err);
		respond_cache(req, res, 0);
		return respond_view(req, res, 200, "admin_version_publish", v);
	}
	body = http_json_body(req);
	const char *rev = in_field(req, body, "revision");
	struct auth_actor by = auth_actor_of(req);
	rc = version_publish(db, &by, id, rev ? strtoll(rev, NULL, 10) : 0,
			     today, web_now(), &err);
	json_decref(body);
	if (rc) {
		if (rc == MC_EDB) {
			log_db("publish", &err);
			json_decref(v);
			buf_release(&err);
			return rc;
		}
		rc = answer_invalid(req, res, rc == MC_EINVALID ? 422 : 409,
				    "admin_version_publish", v,
				    json_pack("{s:s}", "form", err.ptr),
				    rc == MC_ECONFLICT ? "conflict"
				    : rc == MC_EFORBIDDEN ? "immutable"
							  : "invalid",
				    err.ptr);
		buf_release(&err);
		return rc;
	}
	json_decref(v);
	buf_release(&err);
	if (req->want_json) {
		if ((rc = version_get(db, id, today, &v, &err)))
			return rc;
		return respond_view(req, res, 200, "admin_version", v);
	}
	return respond_redirect(req, res, 303,
				arena_printf(req->arena,
					     "/quan-tri/phien-ban/%lld?xong=cong-bo",
					     (long long)id));
}

int handle_admin_version_delete(struct http_request *req,
				struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *body;
	int64_t id = parse_id(http_param(req, "id"));
	int rc;
	if (!id)
		return MC_ENOTFOUND;
	if ((rc = app_db(req, &db)))
		return rc;
	json_t *v = NULL;
	if ((rc = version_get(db, id, 0, &v, &err))) {
		buf_release(&err);
		return rc;
	}
	const char *code = arena_strdup(req->arena, json_str(v, "procedure_code"));
	json_decref(v);
	body = http_json_body(req);
	const char *rev = in_field(req, body, "revision");
	struct auth_actor by = auth_actor_of(req);
	rc = version_delete(db, &by, id, rev ? strtoll(rev, NULL, 10) : 0,
			    web_now(), &err);
	json_decref(body);
	if (rc == MC_EFORBIDDEN || rc == MC_ECONFLICT) {
		rc = respond_error(req, res, 409, rc == MC_EFORBIDDEN
					      ? "immutable" : "conflict", err.ptr);
		buf_release(&err);
		return rc;
	}
	if (rc) {
		log_db("delete", &err);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	if (req->want_json)
		return respond_view(req, res, 200, "admin_version",
				    json_pack("{s:b}", "deleted", 1));
	return respond_redirect(req, res, 303,
				arena_printf(req->arena,
					     "/quan-tri/thu-tuc/%s?xong=xoa", code));
}

/* ---- a desk's procedure list -------------------------------------------------- */

/* The values of every form field `name` (repeated fields), or of the JSON
 * body's array `name`. */
static int many(struct http_request *req, json_t *body, const char *name,
		const char **out, int max)
{
	int n = 0;
	if (body) {
		json_t *a = json_object_get(body, name), *v;
		size_t i;
		json_array_foreach(a, i, v)
			if (json_is_string(v) && n < max)
				out[n++] = json_string_value(v);
		return n;
	}
	for (int i = 0; i < req->n_form_params && n < max; i++)
		if (!strcmp(req->form_params[i].name, name) &&
		    *req->form_params[i].value)
			out[n++] = req->form_params[i].value;
	return n;
}

int handle_admin_desk_procedures(struct http_request *req,
				 struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *model = NULL, *body = NULL;
	const char *code = http_param(req, "code");
	const char *q = http_query(req, "q");
	int rc;
	if (!code_ok(code))
		return MC_ENOTFOUND;
	if ((rc = app_db(req, &db)))
		return rc;
	if (req->method == HTTP_POST) {
		const char **add = arena_alloc(req->arena,
					       DESK_CHANGE_MAX * sizeof(char *));
		const char **rm = arena_alloc(req->arena,
					      DESK_CHANGE_MAX * sizeof(char *));
		body = http_json_body(req);
		int n_add = many(req, body, "add", add, DESK_CHANGE_MAX);
		int n_rm = many(req, body, "remove", rm, DESK_CHANGE_MAX);
		int changed = 0;
		struct auth_actor by = auth_actor_of(req);
		rc = desk_procedures_change(db, &by, code, add, n_add, rm, n_rm,
					    web_now(), &changed, &err);
		json_decref(body);
		if (rc == MC_EINVALID) {
			rc = respond_error(req, res, 422, "invalid", err.ptr);
			buf_release(&err);
			return rc;
		}
		if (rc) {
			if (rc != MC_ENOTFOUND)
				log_db("desk change", &err);
			buf_release(&err);
			return rc;
		}
		buf_release(&err);
		if (!req->want_json)
			return respond_redirect(req, res, 303, arena_printf(
				req->arena, "/quan-tri/don-vi/%s/thu-tuc?da-luu=%d",
				code, changed));
	}
	rc = desk_procedures_list(db, code, &model, &err);
	if (rc) {
		if (rc != MC_ENOTFOUND)
			log_db("desk list", &err);
		buf_release(&err);
		return rc;
	}
	json_object_set_new(model, "title",
			    json_string("Thủ tục tiếp nhận tại bộ phận một cửa"));
	json_object_set_new(model, "code", json_string(code));
	json_object_set_new(model, "q", json_string(q ? q : ""));
	if (q && *q && !req->want_json) {
		json_t *found = NULL;
		rc = catalog_search(db, q, NULL, 1, 30, &found, &err);
		if (rc == 0) {
			json_t *served = json_object(), *it;
			size_t i;
			json_array_foreach(json_object_get(model, "items"), i, it)
				json_object_set_new(served, json_str(it, "code"),
						    json_true());
			json_array_foreach(json_object_get(found, "items"), i, it)
				json_object_set_new(it, "served", json_boolean(
					json_object_get(served, json_str(it, "code"))));
			json_decref(served);
			json_object_set(model, "results",
					json_object_get(found, "items"));
			json_object_set_new(model, "has_query", json_true());
			json_decref(found);
		}
		rc = 0;
	}
	const char *saved = http_query(req, "da-luu");
	if (saved && !req->want_json)
		json_object_set_new(model, "notice", json_string(arena_printf(
			req->arena, "Đã lưu: %s thay đổi.", saved)));
	buf_release(&err);
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "admin_catalog_desk", model);
}

/* ---- the reform report ------------------------------------------------------ */

/* /quan-tri/bao-cao/cai-cach?don-vi=&tu=&den=: to the unit's report (the
 * given unit, else the first unit of the user's grants that allow it). */
int handle_admin_reform_index(struct http_request *req,
			      struct http_response *res)
{
	const char *unit = http_query(req, "don-vi");
	const struct principal *p = auth_principal(req);
	for (int i = 0; p && (!unit || !*unit) && i < p->n_grants; i++)
		if (authz_role_allows(p->grants[i].role, ACT_REPORTS_VIEW))
			unit = p->grants[i].unit;
	if (!unit || !code_ok(unit))
		return MC_ENOTFOUND;
	const char *tu = http_query(req, "tu"), *den = http_query(req, "den");
	struct buf loc = BUF_INIT;
	buf_addf(&loc, "/quan-tri/bao-cao/cai-cach/%s", unit);
	char sep = '?';
	if (tu && version_parse_day(tu, &(int32_t){ 0 }) == 0) {
		buf_addf(&loc, "%ctu=%s", sep, tu);
		sep = '&';
	}
	if (den && version_parse_day(den, &(int32_t){ 0 }) == 0)
		buf_addf(&loc, "%cden=%s", sep, den);
	const char *l = arena_strdup(req->arena, loc.ptr);
	buf_release(&loc);
	return respond_redirect(req, res, 303, l);
}

/* Appends one CSV field quoted (RFC 4180 §2: quotes doubled). */
static void csv_field(struct buf *b, const char *s, bool last)
{
	buf_addch(b, '"');
	for (; s && *s; s++) {
		if (*s == '"')
			buf_addch(b, '"');
		buf_addch(b, *s);
	}
	buf_addch(b, '"');
	buf_adds(b, last ? "\r\n" : ",");
}

static void report_csv(json_t *r, struct buf *b)
{
	static const char *const head[] = {
		"Mã đơn vị", "Đơn vị", "Mã thủ tục", "Tên thủ tục",
		"Phạm vi phiên bản", "Phiên bản", "Ngày hiệu lực",
		"Quyết định công bố", "Thời hạn luật định", "Thời hạn cam kết",
		"Rút ngắn (ngày)", "Rút ngắn (%)", "Số thành phần bãi bỏ",
		"Số thành phần thay bằng tra cứu", "Thành phần đơn giản hóa",
	};
	buf_adds(b, "\xEF\xBB\xBF");	/* BOM: Excel reads UTF-8 */
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		csv_field(b, head[i], i + 1 == ARRAY_SIZE(head));
	json_t *u, *row;
	size_t i, j;
	json_array_foreach(json_object_get(r, "units"), i, u) {
		json_array_foreach(json_object_get(u, "rows"), j, row) {
			char vno[24], nd[16], nr[16];
			snprintf(vno, sizeof(vno), "%lld", (long long)json_integer_value(
					 json_object_get(row, "version_no")));
			snprintf(nd, sizeof(nd), "%d", (int)json_integer_value(
					 json_object_get(row, "n_dropped")));
			snprintf(nr, sizeof(nr), "%d", (int)json_integer_value(
					 json_object_get(row, "n_replaced")));
			csv_field(b, json_str(u, "code"), false);
			csv_field(b, json_str(u, "name"), false);
			csv_field(b, json_str(row, "code"), false);
			csv_field(b, json_str(row, "name"), false);
			csv_field(b, json_str(row, "scope"), false);
			csv_field(b, vno, false);
			csv_field(b, json_str(row, "effective_from"), false);
			csv_field(b, json_str(row, "decision_ref"), false);
			csv_field(b, json_str(row, "legal"), false);
			csv_field(b, json_str(row, "committed"), false);
			csv_field(b, json_str(row, "cut_days_text"), false);
			csv_field(b, json_str(row, "pct_text"), false);
			csv_field(b, nd, false);
			csv_field(b, nr, false);
			csv_field(b, json_str(row, "components"), true);
		}
	}
}

int handle_admin_reform(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *r = NULL;
	const char *unit = http_param(req, "unit");
	const char *tu = http_query(req, "tu"), *den = http_query(req, "den");
	char today[11];
	bool csv = req->route && strstr(req->route, ".csv");
	int rc;
	if (!code_ok(unit))
		return MC_ENOTFOUND;
	version_format_day(today_vn(), today);
	if (!den || !*den)
		den = today;
	if ((rc = app_db(req, &db)))
		return rc;
	rc = version_report(db, unit, tu, den, &r, &err);
	if (rc == MC_EINVALID) {
		rc = respond_error(req, res, 400, "invalid", err.ptr);
		buf_release(&err);
		return rc;
	}
	if (rc) {
		if (rc != MC_ENOTFOUND)
			log_db("report", &err);
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	respond_cache(req, res, 0);
	if (csv) {
		struct buf b = BUF_INIT;
		report_csv(r, &b);
		json_decref(r);
		http_set_header(req, res, "Content-Disposition",
				arena_printf(req->arena,
					     "attachment; filename=\"cai-cach-%s-%s.csv\"",
					     unit, den));
		rc = respond_bytes(req, res, 200, "text/csv; charset=utf-8",
				   b.ptr, b.len);
		buf_release(&b);
		return rc;
	}
	json_object_set_new(r, "title",
			    json_string("Báo cáo cắt giảm, đơn giản hóa thủ tục"));
	json_object_set_new(r, "code", json_string(unit));
	json_object_set_new(r, "from_vi", day_vi(json_str(r, "from")));
	json_object_set_new(r, "to_vi", day_vi(json_str(r, "to")));
	json_object_set_new(r, "csv_href", json_string(arena_printf(
		req->arena, "/quan-tri/bao-cao/cai-cach/%s.csv?%s%s%sden=%s",
		unit, tu && *tu ? "tu=" : "", tu && *tu ? json_str(r, "from") : "",
		tu && *tu ? "&" : "", json_str(r, "to"))));
	json_t *u, *row;
	size_t i, j;
	/* The page details the first unit (the one asked for) and sums up its
	 * communes in one table; CSV and JSON keep every row. */
	json_array_foreach(json_object_get(r, "units"), i, u) {
		json_object_set_new(u, "detail", json_boolean(i == 0));
		json_array_foreach(json_object_get(u, "rows"), j, row)
			json_object_set_new(row, "effective_vi",
					    day_vi(json_str(row, "effective_from")));
	}
	json_object_set_new(r, "has_communes", json_boolean(json_array_size(
					json_object_get(r, "units")) > 1));
	return respond_view(req, res, 200, "admin_reform", r);
}
