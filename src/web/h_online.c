/*
 * h_online.c - online submission (dịch vụ công trực tuyến, issue 6,
 * engineer "online"): the citizen's form per procedure offered online
 * (/nop-truc-tuyen/{proc}), its confirmation (code, secret, lookup QR,
 * printable), the API POST /api/v1/submissions, the citizen's supplement
 * page reached with the secret (/tra-cuu/{code}/bo-sung), a dossier's
 * files served only to those allowed, and the one-stop officer's queue of
 * online dossiers with accept / ask for a supplement / reject. What is
 * allowed: core/dossier.h; persistence: store/online_repo.h.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/deadline.h"
#include "core/dossier.h"
#include "core/idcheck.h"
#include "core/mctime.h"
#include "render/qr.h"
#include "store/auth_repo.h"
#include "store/catalog.h"
#include "store/deskhours.h"
#include "store/dossier_repo.h"
#include "store/filestore.h"
#include "store/intake_repo.h"
#include "store/online_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/calcache.h"
#include "web/respond.h"
#include "web/route.h"

/* The confirmation cookie: the idempotency key of the last submission of
 * this browser, so that its confirmation page can show the secret. */
#define ONLINE_COOKIE "mc_online"
#define NAME_MAX_CHARS 200
#define STREET_MAX_CHARS 300
#define REQUEST_MAX_CHARS 1000
#define NOTE_MAX_CHARS 2000
#define MAX_FILES 20
#define MAX_SCOPE 4096

/* PDF, JPEG, PNG sniffed by libmagic (store/filestore.h). Limits: 10 MiB a
 * file, 40 MiB a submission (or a supplement), 20 files, enforced by the
 * server while the body arrives (413). The type is checked here, from the
 * type the store sniffed, so that a wrong file comes back as a field error
 * next to its input (422) instead of a bare error page. */
static const char *const online_mime[] = { "application/pdf", "image/jpeg",
					   "image/png", NULL };
const struct upload_rules upload_online = {
	40u << 20, 10u << 20, MAX_FILES, NULL, "PDF, JPEG, PNG"
};


static struct auth_actor citizen_actor(const struct http_request *req)
{
	struct auth_actor a = { 0, "citizen:online", req->client };
	return a;
}

static const char *fv(json_t *in, const char *k)
{
	const char *s = json_string_value(json_object_get(in, k));
	return s ? s : "";
}

/* Whether a sniffed type is accepted; else a field error naming the file. */
static bool type_ok(struct http_request *req, const struct http_upload *u,
		    const char *label, json_t *errors)
{
	for (int i = 0; online_mime[i]; i++)
		if (!strcmp(u->mime, online_mime[i]))
			return true;
	if (errors)
		json_field_error(errors, u->field, label,
				 arena_printf(req->arena,
				 "tệp «%s» không phải PDF, JPEG hoặc "
				 "PNG (nội dung là %s): chọn tệp khác",
				 u->filename, u->mime));
	return false;
}

/* Trimmed, squeezed, NFC; NULL for text that is not UTF-8. */
static char *clean(struct http_request *req, const char *s)
{
	struct buf sq = BUF_INIT, nfc = BUF_INIT, e = BUF_INIT;
	char *r = NULL;
	text_squeeze(s ? s : "", s ? strlen(s) : 0, &sq);
	if (!text_nfc(sq.ptr, sq.len, &nfc, &e))
		r = arena_strdup(req->arena, nfc.ptr);
	buf_release(&sq);
	buf_release(&nfc);
	buf_release(&e);
	return r;
}

/* The posted fields as one object of strings (first value wins); a JSON
 * object body (the API) flattened to the same names: strings, integers,
 * booleans ("1" / ""), arrays of strings joined by lines ("items"). */
static json_t *form_input(struct http_request *req)
{
	json_t *in = json_object();
	json_t *b = http_json_body(req);
	if (b) {
		const char *k;
		json_t *v;
		json_object_foreach(b, k, v)
		{
			struct buf t = BUF_INIT;
			size_t i;
			json_t *e;
			if (json_is_string(v))
				buf_adds(&t, json_string_value(v));
			else if (json_is_integer(v))
				buf_addf(&t, "%lld", (long long)json_integer_value(v));
			else if (json_is_true(v))
				buf_adds(&t, "1");
			else if (json_is_array(v))
				json_array_foreach(v, i, e)
					if (json_is_string(e))
						buf_addf(&t, "%s%s", i ? "\n" : "",
							 json_string_value(e));
			json_object_set_new(in, k, json_string(t.len ? t.ptr : ""));
			buf_release(&t);
		}
		json_decref(b);
		return in;
	}
	for (int i = 0; i < req->n_form_params; i++)
		if (!json_object_get(in, req->form_params[i].name))
			json_object_set_new(in, req->form_params[i].name,
					    json_string(req->form_params[i].value));
	return in;
}

static const char *new_key(struct http_request *req)
{
	unsigned char r[16];
	char hex[33];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	return arena_strdup(req->arena, hex);
}

static const char *cookie_of(struct http_request *req, const char *name)
{
	const char *h = http_header(req, "cookie");
	size_t n = strlen(name);
	while (h && *h) {
		while (*h == ' ' || *h == ';')
			h++;
		const char *end = strchr(h, ';');
		size_t len = end ? (size_t)(end - h) : strlen(h);
		if (len > n && !strncmp(h, name, n) && h[n] == '=')
			return arena_strndup(req->arena, h + n + 1, len - n - 1);
		h = end;
	}
	return NULL;
}

static const char *lookup_url(struct http_request *req, const char *code,
			      const char *secret)
{
	const char *base = req->app && req->app->public_url
				   ? req->app->public_url : "";
	return arena_printf(req->arena, "%s/tra-cuu/%s?ma=%s", base, code,
			    secret);
}

static void put_qr(json_t *m, const char *key, const char *text)
{
	struct buf svg = BUF_INIT, e = BUF_INIT;
	if (!qr_svg(text, "Mã QR tra cứu hồ sơ", 0, &svg, &e))
		json_object_set_new(m, key, json_string(svg.ptr));
	else
		log_error("online: qr: %s", e.ptr);
	buf_release(&svg);
	buf_release(&e);
}

static json_t *local_text(mc_time t)
{
	struct mc_civil c;
	if (!t)
		return json_null();
	mctime_to_local(t, &c);
	struct buf b = BUF_INIT;
	buf_addf(&b, "%02d:%02d ngày %02d/%02d/%04d", c.hour, c.min, c.day,
		 c.month, c.year);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

/* Adds "origin_label" and "added_text" (UTC+7) to each file of a list of
 * online_files_list() for pages (the API keeps the ISO time). */
static void files_for_page(json_t *items)
{
	size_t i;
	json_t *f;
	json_array_foreach(items, i, f)
	{
		const char *o = json_string_value(json_object_get(f, "origin"));
		json_object_set_new(f, "origin_label",
				    json_string(o && !strcmp(o, "supplement")
							? "bổ sung" : "khi nộp"));
		const char *iso = json_string_value(json_object_get(f, "added_at"));
		mc_time t = 0;
		struct buf e = BUF_INIT;
		if (iso && !mctime_parse(iso, &t, &e))
			json_object_set_new(f, "added_text", local_text(t));
		buf_release(&e);
	}
}

/* {"error":{"code":"invalid","field","message","fields"}} or the page
 * with its summary; status 422 (409 for a stale version). */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  json_t *errors)
{
	if (req->want_json) {
		const char *k, *first = NULL, *msg = "";
		json_t *v;
		json_object_foreach(errors, k, v)
		{
			if (!first) {
				first = k;
				msg = json_string_value(v);
			}
		}
		json_t *e = json_pack("{s:s, s:s?, s:s, s:O}", "code",
				      status == 409 ? "conflict" : "invalid",
				      "field", first, "message", msg ? msg : "",
				      "fields", errors);
		json_decref(model);
		json_decref(errors);
		respond_cache(req, res, 0);
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	json_t *list = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(errors, k, v)
		json_array_append_new(list, json_pack("{s:s, s:O}", "href",
						      arena_printf(req->arena,
								   "#%s", k),
						      "message", v));
	json_object_set_new(model, "errors", errors);
	json_object_set_new(model, "error_list", list);
	json_object_set_new(model, "has_errors", json_true());
	respond_cache(req, res, 0);
	return respond_view(req, res, status, view, model);
}

static int not_found(struct http_request *req, struct http_response *res)
{
	return respond_error(req, res, 404, "not_found",
			     "Không tìm thấy hồ sơ, hoặc mã tra cứu không đúng.");
}

/* ---- the procedure and the desk -------------------------------------------- */

struct octx {
	struct http_request *req;
	struct db *db;
	const char *proc_code, *unit_code;
	json_t *proc;		/* catalog_procedure_get */
	json_t *desk;		/* deskhours_get */
	struct intake_unit unit;
	struct officehours oh;
	struct calcache_snap *snap;
	struct deadline *owned;
	const struct deadline *dl;
};

static void octx_release(struct octx *c)
{
	json_decref(c->proc);
	json_decref(c->desk);
	calcache_engine_done(c->owned);
	calcache_put(c->snap);
}


/* Loads the procedure (0, MC_ENOTFOUND, MC_EDB). */
static int load_proc(struct octx *c)
{
	struct buf err = BUF_INIT;
	int rc = catalog_procedure_get(c->db, c->proc_code, &c->proc, &err);
	if (rc && rc != MC_ENOTFOUND)
		log_error("online: %s", err.ptr);
	buf_release(&err);
	return rc == MC_ENOTFOUND ? MC_ENOTFOUND : rc ? MC_EDB : 0;
}

/* The desk of c->unit_code serving the procedure: 0, MC_ENOTFOUND (no
 * such desk or it does not serve it), MC_EDB. */
static int load_desk(struct octx *c)
{
	struct buf err = BUF_INIT;
	bool yes = false;
	int rc;
	if (!c->unit_code || strlen(c->unit_code) != 5)
		return MC_ENOTFOUND;
	rc = intake_desk_serves(c->db, c->unit_code, c->proc_code, &yes, &err);
	if (!rc && !yes)
		rc = MC_ENOTFOUND;
	if (!rc)
		rc = intake_unit_ref(c->db, c->unit_code, &c->unit, &err);
	if (!rc)
		rc = deskhours_get(c->db, c->unit_code, &c->desk, &c->oh, &err);
	if (rc && rc != MC_ENOTFOUND)
		log_error("online: desk %s: %s", c->unit_code, err.ptr);
	buf_release(&err);
	return rc == MC_ENOTFOUND ? MC_ENOTFOUND : rc ? MC_EDB : 0;
}

static int load_engine(struct octx *c, struct buf *err)
{
	int rc = calcache_get(c->db, &c->snap, err);
	if (!rc)
		rc = calcache_engine(c->snap, &c->oh, NULL, &c->dl, &c->owned,
				     err);
	return rc;
}

/* The components of the procedure: [{seq, name, group, field}]. */
static json_t *components(struct octx *c, json_t *errors)
{
	json_t *out = json_array();
	size_t i, j;
	json_t *g, *it;
	json_array_foreach(json_object_get(c->proc, "component_groups"), i, g)
	{
		json_array_foreach(json_object_get(g, "items"), j, it)
		{
			json_int_t seq = json_integer_value(json_object_get(it, "seq"));
			const char *f = arena_printf(c->req->arena, "f%lld",
						     (long long)seq);
			json_t *row = json_pack(
				"{s:I, s:O, s:O, s:s, s:I}", "seq", seq, "name",
				json_object_get(it, "name"), "group",
				json_object_get(g, "group"), "field", f, "n",
				(json_int_t)json_array_size(out) + 1);
			if (errors && json_object_get(errors, f))
				json_object_set(row, "error",
						json_object_get(errors, f));
			json_array_append_new(out, row);
		}
	}
	return out;
}

/* The files of this request for component fields "f{seq}" ("f0": other);
 * a file of another type: an error under its field. */
static int collect_files(struct http_request *req, json_t *comps,
			 struct online_file *files, int max, json_t *errors)
{
	int n = 0;
	for (int i = 0; i < req->n_uploads && n < max; i++) {
		const struct http_upload *u = &req->uploads[i];
		if (u->field[0] != 'f' || !u->size)
			continue;
		char *end;
		long seq = strtol(u->field + 1, &end, 10);
		if (*end || end == u->field + 1 || seq < 0)
			continue;
		bool known = seq == 0;
		size_t k;
		json_t *row;
		json_array_foreach(comps, k, row)
			if (json_integer_value(json_object_get(row, "seq")) == seq)
				known = true;
		if (!known || !type_ok(req, u, "Tệp đính kèm", errors))
			continue;
		files[n].component_seq = (int)seq;
		files[n].sha256 = u->sha256;
		files[n].filename = u->filename;
		files[n].mime = u->mime;
		files[n].size = u->size;
		n++;
	}
	return n;
}

static json_t *files_json(const struct online_file *f, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("{s:i, s:s, s:s, s:s, s:I}",
				     "component_seq", f[i].component_seq,
				     "sha256", f[i].sha256, "filename",
				     f[i].filename, "mime", f[i].mime, "size",
				     (json_int_t)f[i].size));
	return a;
}

/* ---- the citizen's form ------------------------------------------------------ */

static const char *limits_text(void)
{
	return "Mỗi tệp PDF, JPEG hoặc PNG tối đa 10 MB; cả hồ sơ tối đa "
	       "40 MB, 20 tệp. Loại tệp được kiểm tra theo nội dung.";
}

static json_t *form_model(struct octx *c, json_t *in, json_t *errors,
			  const char *key)
{
	json_t *m = json_pack(
		"{s:s, s:{s:s, s:O, s:O}, s:{s:s, s:s, s:s}, s:s, s:s, s:o}",
		"title", "Nộp hồ sơ trực tuyến", "procedure", "code",
		c->proc_code, "name", json_object_get(c->proc, "name"), "field",
		json_object_get(c->proc, "field"), "unit", "code",
		c->unit.code, "full_name", c->unit.full_name, "parent",
		c->unit.parent_full_name, "idem", key, "limits", limits_text(),
		"comps", components(c, errors));
	json_t *v = json_object();
	static const char *const keep[] = { "name", "id_number", "phone",
					    "email", "address_street",
					    "request" };
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		json_object_set_new(v, keep[i],
				    json_string(in ? fv(in, keep[i]) : ""));
	json_object_set_new(m, "v", v);
	bool org = in && !strcmp(fv(in, "kind"), "org");
	json_object_set_new(m, "kind_org", json_boolean(org));
	json_object_set_new(m, "kind_person", json_boolean(!org));
	json_object_set_new(m, "consent", json_boolean(in && *fv(in, "consent")));
	return m;
}

/*
 * Checks the applicant, consent and files into `ci` / `files`; errors by
 * field (Vietnamese, naming the field).
 */
static void check_form(struct octx *c, json_t *in, struct dossier_create_in *ci,
		       struct online_file *files, int *n_files, json_t *comps,
		       json_t *errors)
{
	struct http_request *req = c->req;
	struct buf why = BUF_INIT;
	bool org = !strcmp(fv(in, "kind"), "org");
	memset(ci, 0, sizeof *ci);
	ci->action = DA_SUBMIT;
	ci->channel = DCH_ONLINE;
	ci->procedure_code = c->proc_code;
	ci->applicant.kind = org ? DAK_ORG : DAK_PERSON;

	const char *name_label = org ? "Tên tổ chức" : "Họ và tên";
	char *name = clean(req, fv(in, "name"));
	if (!name || !*name)
		json_field_error(errors, "name", name_label, "không được để trống");
	else if (text_chars(name) > NAME_MAX_CHARS)
		json_field_error(errors, "name", name_label, "dài tối đa 200 ký tự");
	ci->applicant.name = name ? name : "";

	struct buf id = BUF_INIT;
	for (const char *p = fv(in, "id_number"); *p; p++)
		if (*p != ' ' && *p != '.')
			buf_addch(&id, *p);
	ci->applicant.id_number = arena_strdup(req->arena, id.ptr);
	buf_release(&id);
	if (!*ci->applicant.id_number)
		json_field_error(errors, "id_number",
				 org ? "Mã số thuế" : "Số định danh cá nhân",
				 org ? "không được để trống"
				 : "không được để trống (12 chữ số trên thẻ căn "
				 "cước)");
	else if (!org && idcheck_person_id(ci->applicant.id_number, 0, 0, NULL,
					   &why))
		json_object_set_new(errors, "id_number", json_string(why.ptr));
	else if (org && idcheck_tax_code(ci->applicant.id_number, true, &why))
		json_object_set_new(errors, "id_number", json_string(why.ptr));

	/* The phone is required: its last 4 digits are a lookup factor and
	 * the desk calls about a supplement. */
	struct buf ph = BUF_INIT;
	bool bad = false;
	const char *phone = fv(in, "phone");
	for (const char *p = phone; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if ((*p == '+' && p == phone) || isdigit((unsigned char)*p))
			buf_addch(&ph, *p);
		else
			bad = true;
	}
	size_t nd = ph.len - (ph.len && ph.ptr[0] == '+');
	if (!ph.len && !bad)
		json_field_error(errors, "phone", "Số điện thoại",
				 "không được để trống");
	else if (bad || nd < 9 || nd > 12)
		json_field_error(errors, "phone", "Số điện thoại",
				 "9 đến 12 chữ số, ví dụ 0912 345 678");
	ci->applicant.phone = arena_strdup(req->arena, ph.ptr);
	buf_release(&ph);

	char *email = clean(req, fv(in, "email"));
	if (email && *email) {
		const char *at = strchr(email, '@');
		if (!at || at == email || !strchr(at, '.') ||
		    strchr(at + 1, '@') || strchr(email, ' ') ||
		    strlen(email) > 254)
			json_field_error(errors, "email", "Thư điện tử",
					 "không đúng dạng, ví dụ ten@example.vn");
		ci->applicant.email = email;
	}
	char *street = clean(req, fv(in, "address_street"));
	if (!street || text_chars(street) > STREET_MAX_CHARS)
		json_field_error(errors, "address_street", "Địa chỉ",
				 "dài tối đa 300 ký tự");
	ci->applicant.address_street = street && *street ? street : NULL;
	char *request = clean(req, fv(in, "request"));
	if (!request || text_chars(request) > REQUEST_MAX_CHARS)
		json_field_error(errors, "request", "Nội dung yêu cầu",
				 "dài tối đa 1000 ký tự");
	ci->request = request && *request
			      ? request
			      : json_string_value(json_object_get(c->proc, "name"));

	/* Personal data may be processed with the subject's consent (NĐ
	 * 13/2023/NĐ-CP art. 11); the applicant also vouches for the
	 * truth of what is submitted. */
	if (!*fv(in, "consent"))
		json_field_error(errors, "consent", "Cam kết và đồng ý",
				 "đánh dấu ô cam kết để nộp hồ sơ");

	size_t n_err = json_object_size(errors);
	*n_files = collect_files(req, comps, files, MAX_FILES, errors);
	if (!*n_files && json_object_size(errors) == n_err) {
		size_t k;
		json_t *row;
		json_array_foreach(comps, k, row) {
			json_field_error(errors,
					 json_string_value(json_object_get(row, "field")),
					 "Tệp đính kèm",
					 "đính kèm ít nhất một tệp của thành phần hồ "
					 "sơ (PDF, JPEG, PNG)");
			break;
		}
		if (!json_array_size(comps))
			json_field_error(errors, "f0", "Tệp đính kèm",
					 "đính kèm ít nhất một tệp (PDF, JPEG, PNG)");
	}
	/* Components as submitted: those with a file, digitised. */
	struct dossier_component_in *cs =
		arena_alloc(req->arena, (json_array_size(comps) + 1) *
						sizeof *cs);
	int n = 0;
	size_t k;
	json_t *row;
	json_array_foreach(comps, k, row)
	{
		int seq = (int)json_integer_value(json_object_get(row, "seq"));
		for (int i = 0; i < *n_files; i++) {
			if (files[i].component_seq != seq)
				continue;
			if (n >= DOSSIER_MAX_COMPONENTS)
				break;
			memset(&cs[n], 0, sizeof cs[n]);
			cs[n].seq = seq;
			cs[n].name = json_string_value(json_object_get(row, "name"));
			cs[n].mode = DCM_DIGITISED;
			cs[n].file_sha256 = files[i].sha256;
			n++;
			break;
		}
	}
	ci->n_components = n;
	ci->components = cs;
	buf_release(&why);
}

/* The place chooser: provinces, then communes whose desk serves it. */
static int chooser(struct octx *c, struct http_response *res, int status,
		   const char *message)
{
	struct http_request *req = c->req;
	struct buf err = BUF_INIT;
	const char *prov = http_query(req, "tinh");
	json_t *provs = NULL, *communes = NULL;
	int rc = online_places(c->db, c->proc_code, NULL, &provs, &err);
	if (!rc && prov && *prov && strlen(prov) <= 3)
		rc = online_places(c->db, c->proc_code, prov, &communes, &err);
	if (rc) {
		log_error("online: places: %s", err.ptr);
		buf_release(&err);
		json_decref(provs);
		return MC_EDB;
	}
	buf_release(&err);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(provs, "items"), i, p)
		if (prov && !strcmp(prov, json_string_value(json_object_get(p, "code"))))
			json_object_set_new(p, "selected", json_true());
	json_t *m = json_pack("{s:s, s:{s:s, s:O}, s:O, s:b}", "title",
			      "Nộp hồ sơ trực tuyến", "procedure", "code",
			      c->proc_code, "name",
			      json_object_get(c->proc, "name"), "provinces",
			      json_object_get(provs, "items"), "has_province",
			      communes != NULL);
	if (communes) {
		json_object_set(m, "communes", json_object_get(communes, "items"));
		json_object_set_new(m, "has_communes",
				    json_boolean(json_array_size(json_object_get(
					    communes, "items"))));
	}
	if (message)
		json_object_set_new(m, "message", json_string(message));
	json_decref(provs);
	json_decref(communes);
	return respond_view(req, res, status, "online_place", m);
}

static void set_confirm_cookie(struct http_request *req,
			       struct http_response *res, const char *key)
{
	bool secure = req->app && req->app->public_url &&
		      !strncmp(req->app->public_url, "https://", 8);
	http_set_header(req, res, "Set-Cookie",
			arena_printf(req->arena,
				     "%s=%s; Path=/nop-truc-tuyen; Max-Age=86400;"
				     " HttpOnly; SameSite=Lax%s",
				     ONLINE_COOKIE, key,
				     secure ? "; Secure" : ""));
}

/* The submission proper, shared by the page and the API. */
static int submit(struct octx *c, struct http_response *res, json_t *in,
		  const char *key)
{
	struct http_request *req = c->req;
	struct buf err = BUF_INIT;
	json_t *errors = json_object();
	json_t *comps = components(c, NULL);
	struct dossier_create_in ci;
	struct online_file files[MAX_FILES];
	struct dossier_created out;
	struct dossier_settings settings;
	int n_files = 0, rc;
	check_form(c, in, &ci, files, &n_files, comps, errors);
	ci.desk_id = json_integer_value(json_object_get(c->desk, "id"));
	if (json_object_size(errors)) {
		json_decref(comps);
		return answer_invalid(req, res, 422, "online_form",
				      form_model(c, in, errors, key), errors);
	}
	dossier_settings_default(&settings);
	struct auth_actor actor = citizen_actor(req);
	rc = load_engine(c, &err);
	if (!rc)
		rc = online_submit(c->db, &ci, key, files, n_files, c->dl,
				   &settings, web_now(), &actor, &out, &err);
	if (rc == MC_EINVALID || rc == MC_ERANGE || rc == MC_ENOTFOUND) {
		/* The desk cannot take it (no agency code, unreadable time):
		 * the citizen cannot fix it; say so and whom to ask. */
		json_field_error(errors, "procedure", "Thủ tục",
				 arena_printf(req->arena,
				 "%s chưa nhận được hồ sơ trực tuyến "
				 "của thủ tục này (%s); vui lòng liên "
				 "hệ bộ phận một cửa",
				 c->unit.full_name, err.ptr));
		json_decref(comps);
		buf_release(&err);
		return answer_invalid(req, res, 422, "online_form",
				      form_model(c, in, errors, key), errors);
	}
	json_decref(errors);
	if (rc) {
		log_error("online: submit: %s", err.ptr);
		json_decref(comps);
		buf_release(&err);
		return rc == MC_ECONFLICT ? MC_EDB : rc;
	}
	buf_release(&err);
	json_decref(comps);
	if (req->want_json) {
		respond_cache(req, res, 0);
		json_t *m = json_pack(
			"{s:s, s:s, s:s, s:s, s:b, s:o}", "code", out.code,
			"secret", out.secret, "state", "submitted",
			"lookup_url", lookup_url(req, out.code, out.secret),
			"replayed", out.replayed, "files",
			out.replayed ? json_array() : files_json(files, n_files));
		sodium_memzero(out.secret, sizeof out.secret);
		return respond_view(req, res, out.replayed ? 200 : 201,
				    "online_done", m);
	}
	sodium_memzero(out.secret, sizeof out.secret);
	set_confirm_cookie(req, res, key);
	return respond_redirect(req, res, 303,
				arena_printf(req->arena,
					     "/nop-truc-tuyen/ho-so/%s",
					     out.code));
}

int handle_online_form(struct http_request *req, struct http_response *res)
{
	struct octx c;
	memset(&c, 0, sizeof c);
	c.req = req;
	int rc = app_db(req, &c.db);
	if (rc)
		return rc;
	c.proc_code = http_param(req, "proc");
	rc = load_proc(&c);
	if (rc == MC_ENOTFOUND || (!rc && !catalog_offered_online(c.proc))) {
		octx_release(&c);
		return respond_error(req, res, 404, "not_online",
				     "Thủ tục này không có trong danh mục hoặc "
				     "chưa được cung cấp trực tuyến.");
	}
	if (rc)
		goto out;
	json_t *in = req->method == HTTP_POST ? form_input(req) : NULL;
	c.unit_code = in ? fv(in, "don-vi") : http_query(req, "don-vi");
	if (!c.unit_code || !*c.unit_code) {
		json_decref(in);
		rc = chooser(&c, res, 200, NULL);
		goto out;
	}
	if ((rc = load_desk(&c))) {
		json_decref(in);
		if (rc == MC_ENOTFOUND)
			rc = chooser(&c, res, 404,
				     "Xã, phường đã chọn không tiếp nhận thủ tục "
				     "này: chọn nơi khác.");
		goto out;
	}
	respond_cache(req, res, 0);
	if (!in) {
		rc = respond_view(req, res, 200, "online_form",
				  form_model(&c, NULL, NULL, new_key(req)));
		goto out;
	}
	const char *key = fv(in, "idem");
	if (!online_key_valid(key))
		key = new_key(req);
	rc = submit(&c, res, in, key);
	json_decref(in);
out:
	octx_release(&c);
	return rc;
}

/*
 * POST /api/v1/submissions (multipart): fields "procedure", "unit" (the
 * commune code), the applicant's, "consent", files "f{seq}"; header
 * Idempotency-Key (optional, 16..128 of [A-Za-z0-9_-]).
 */
int handle_online_api(struct http_request *req, struct http_response *res)
{
	struct octx c;
	memset(&c, 0, sizeof c);
	c.req = req;
	int rc = app_db(req, &c.db);
	if (rc)
		return rc;
	json_t *in = form_input(req);
	c.proc_code = fv(in, "procedure");
	c.unit_code = fv(in, "unit");
	if (!json_object_get(in, "don-vi"))
		json_object_set_new(in, "don-vi", json_string(c.unit_code));
	const char *key = http_header(req, "idempotency-key");
	if (key && !online_key_valid(key)) {
		json_decref(in);
		return respond_error(req, res, 422, "invalid",
				     "Idempotency-Key: 16 đến 128 ký tự chữ, "
				     "số, '-' hoặc '_'");
	}
	rc = load_proc(&c);
	if (rc == MC_ENOTFOUND || (!rc && !catalog_offered_online(c.proc))) {
		rc = respond_error(req, res, 422, "invalid",
				   "procedure: thủ tục không có hoặc chưa được "
				   "cung cấp trực tuyến");
		goto out;
	}
	if (!rc && (rc = load_desk(&c)) == MC_ENOTFOUND) {
		rc = respond_error(req, res, 422, "invalid",
				   "unit: xã, phường này không tiếp nhận thủ tục");
		goto out;
	}
	if (!rc)
		rc = submit(&c, res, in, key);
out:
	json_decref(in);
	octx_release(&c);
	return rc;
}

/* ---- the confirmation ---------------------------------------------------------- */

static int confirmation(struct http_request *req, struct http_response *res,
			bool print)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char code[DOSSIER_CODE_MAX], secret[DOSSIER_SECRET_LEN + 1];
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *want = http_param(req, "code");
	const char *key = cookie_of(req, ONLINE_COOKIE);
	respond_cache(req, res, 0);
	rc = key ? online_recall(db, key, code, secret, &err) : MC_ENOTFOUND;
	if (rc == MC_ENOTFOUND || (!rc && strcmp(code, want))) {
		buf_release(&err);
		return respond_error(req, res, 404, "not_found",
				     "Trang xác nhận chỉ mở được trên trình "
				     "duyệt đã nộp hồ sơ, trong 24 giờ. Tra cứu "
				     "hồ sơ bằng mã hồ sơ và mã tra cứu tại "
				     "/tra-cuu.");
	}
	json_t *d = NULL, *files = NULL;
	if (!rc)
		rc = dossier_get(db, code, DOSSIER_WITH_PERSONAL, web_now(), NULL,
				 &d, &err);
	if (!rc)
		rc = online_files_list(db, code, &files, &err);
	if (rc) {
		log_error("online: confirmation %s: %s", want, err.ptr);
		buf_release(&err);
		json_decref(d);
		return MC_EDB;
	}
	buf_release(&err);
	struct dossier row;
	struct buf e2 = BUF_INIT;
	mc_time submitted = 0;
	if (!dossier_load(db, code, &row, NULL, &e2))
		submitted = row.submitted_at;
	buf_release(&e2);
	const char *url = lookup_url(req, code, secret);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:O, s:b}",
			      "title", "Đã nộp hồ sơ trực tuyến", "code", code,
			      "secret", secret, "lookup_url", url, "dossier",
			      d, "submitted_text", local_text(submitted),
			      "files", json_object_get(files, "items"),
			      "print", print);
	put_qr(m, "lookup_qr", url);
	sodium_memzero(secret, sizeof secret);
	json_decref(d);
	json_decref(files);
	return respond_view(req, res, 200, print ? "online_print" : "online_done",
			    m);
}

int handle_online_done(struct http_request *req, struct http_response *res)
{
	return confirmation(req, res, false);
}

int handle_online_print(struct http_request *req, struct http_response *res)
{
	return confirmation(req, res, true);
}

/* ---- the citizen's side with the secret ----------------------------------- */

/*
 * The secret of `code` given in `secret`, throttled per client address
 * (store/auth_repo.h: a wrong secret counts a failure; the answer is the
 * same as for an unknown code). 0, MC_ENOTFOUND, or 429 answered (1).
 */
static int citizen_check(struct http_request *req, struct http_response *res,
			 struct db *db, const char *code, const char *secret)
{
	struct buf err = BUF_INIT;
	int64_t wait = 0;
	mc_time now = web_now();
	/* an "ip:" key: the per-address schedule (citizens share addresses
	 * behind NAT), apart from the login's "ip:ADDRESS" */
	const char *tkey = arena_printf(req->arena, "ip:online:%s",
					req->client ? req->client : "-");
	if (!auth_throttle_check(db, tkey, now, &wait, &err) && wait > 0) {
		buf_release(&err);
		http_set_header(req, res, "Retry-After",
				arena_printf(req->arena, "%lld", (long long)wait));
		respond_error(req, res, 429, "throttled",
			      "Bạn đã nhập sai nhiều lần: vui lòng thử lại "
			      "sau ít phút.");
		return 1;
	}
	buf_reset(&err);
	int rc = secret && *secret && strlen(code) < DOSSIER_CODE_MAX
			 ? dossier_check_secret(db, code, secret, &err)
			 : MC_ENOTFOUND;
	if (rc == MC_ENOTFOUND)
		auth_throttle_fail(db, tkey, now, NULL, &err);
	buf_release(&err);
	return rc;
}

/* The items and note of the last supplement request of `code`. */
static void last_request(struct db *db, const char *code, json_t *m)
{
	json_t *ev = NULL;
	struct buf err = BUF_INIT;
	if (dossier_events_list(db, code, &ev, &err)) {
		buf_release(&err);
		return;
	}
	size_t i;
	json_t *e, *last = NULL;
	json_array_foreach(json_object_get(ev, "items"), i, e)
	{
		const char *a = json_string_value(json_object_get(e, "action"));
		if (a && !strcmp(a, "request_supplement"))
			last = e;
	}
	if (last) {
		json_t *items = json_object_get(json_object_get(last, "payload"),
						"items");
		json_object_set_new(m, "items",
				    items ? json_deep_copy(items) : json_array());
		json_object_set(m, "request_note", json_object_get(last, "note"));
	}
	json_decref(ev);
	buf_release(&err);
}

static json_t *supplement_model(struct http_request *req, struct db *db,
				const char *code, const char *secret,
				json_t *in, struct buf *err, int *rc)
{
	json_t *d = NULL, *files = NULL;
	*rc = dossier_get(db, code, 0, web_now(), NULL, &d, err);
	if (!*rc)
		*rc = online_files_list(db, code, &files, err);
	if (*rc) {
		json_decref(d);
		return NULL;
	}
	const char *state = json_string_value(json_object_get(d, "state"));
	bool waiting = state && !strcmp(state, "supplement_requested");
	json_t *flist = json_object_get(files, "items");
	size_t i;
	json_t *f;
	files_for_page(flist);
	json_array_foreach(flist, i, f)
		json_object_set_new(
			f, "href",
			json_string(arena_printf(
				req->arena, "/tra-cuu/%s/tep/%s?ma=%s", code,
				json_string_value(json_object_get(f, "sha256")),
				secret)));
	json_t *m = json_pack("{s:s, s:s, s:s, s:O, s:b, s:O, s:s, s:s}",
			      "title", "Bổ sung hồ sơ", "code", code, "ma",
			      secret, "dossier", d, "waiting", waiting, "files",
			      flist, "idem", new_key(req), "limits",
			      limits_text());
	json_object_set_new(m, "note", json_string(in ? fv(in, "note") : ""));
	last_request(db, code, m);
	json_decref(d);
	json_decref(files);
	return m;
}

/*
 * GET|POST /tra-cuu/{code}/bo-sung?ma=SECRET and POST
 * /api/v1/submissions/{code}/supplement (field "secret"): the files the
 * desk asked for. Files in fields "f0" (any number).
 */
int handle_online_supplement(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	json_t *in = req->method == HTTP_POST ? form_input(req) : NULL;
	/* copied: `in` is released before the redirect that names it */
	const char *secret = in ? arena_strdup(req->arena,
					       fv(in, req->want_json ? "secret"
								     : "ma"))
				: http_query(req, "ma");
	respond_cache(req, res, 0);
	rc = citizen_check(req, res, db, code, secret);
	if (rc == 1) {
		json_decref(in);
		return 0;
	}
	if (rc) {
		json_decref(in);
		return rc == MC_ENOTFOUND ? not_found(req, res) : rc;
	}
	if (!in) {
		json_t *m = supplement_model(req, db, code, secret, NULL, &err, &rc);
		buf_release(&err);
		if (!m)
			return MC_EDB;
		const char *da = http_query(req, "da");
		if (da && !strcmp(da, "1"))
			json_object_set_new(m, "done", json_true());
		return respond_view(req, res, 200, "online_supplement", m);
	}
	json_t *errors = json_object();
	struct online_file files[MAX_FILES];
	int n = 0;
	for (int i = 0; i < req->n_uploads && n < MAX_FILES; i++) {
		const struct http_upload *u = &req->uploads[i];
		if (strcmp(u->field, "f0") || !u->size ||
		    !type_ok(req, u, "Tệp bổ sung", errors))
			continue;
		files[n].component_seq = 0;
		files[n].sha256 = u->sha256;
		files[n].filename = u->filename;
		files[n].mime = u->mime;
		files[n].size = u->size;
		n++;
	}
	if (!n && !json_object_get(errors, "f0"))
		json_field_error(errors, "f0", "Tệp bổ sung",
				 "đính kèm ít nhất một tệp (PDF, JPEG, PNG)");
	char *note = clean(req, fv(in, "note"));
	if (!note || text_chars(note) > NOTE_MAX_CHARS)
		json_field_error(errors, "note", "Ghi chú", "dài tối đa 2000 ký tự");
	const char *key = arena_strdup(req->arena,
				       fv(in, req->want_json ? "idempotency_key"
							     : "idem"));
	if (req->want_json && http_header(req, "idempotency-key"))
		key = http_header(req, "idempotency-key");
	if (!json_object_size(errors)) {
		struct dossier_settings settings;
		struct calcache_snap *snap = NULL;
		struct deadline *owned = NULL;
		const struct deadline *dl = NULL;
		struct officehours oh;
		struct dossier_ref ref;
		json_t *dj = NULL;
		bool replayed = false;
		struct auth_actor actor = citizen_actor(req);
		dossier_settings_default(&settings);
		rc = dossier_load(db, code, NULL, &ref, &err);
		if (!rc)
			rc = deskhours_get(db, ref.unit_code, &dj, &oh, &err);
		json_decref(dj);
		if (!rc)
			rc = calcache_get(db, &snap, &err);
		if (!rc)
			rc = calcache_engine(snap, &oh, NULL, &dl, &owned, &err);
		if (!rc)
			rc = online_supplement(
				db, code, online_key_valid(key) ? key : NULL,
				files, n,
				note && *note ? arena_printf(req->arena,
					"Công dân bổ sung trực tuyến: %s", note)
					      : "Công dân bổ sung trực tuyến",
				dl, &settings, web_now(), &actor, &replayed,
				&err);
		calcache_engine_done(owned);
		calcache_put(snap);
		if (rc == MC_EINVALID || rc == MC_ECONFLICT) {
			json_field_error(errors, "f0", "Bổ sung", err.ptr);
		} else if (rc) {
			log_error("online: supplement %s: %s", code, err.ptr);
			buf_release(&err);
			json_decref(errors);
			json_decref(in);
			return MC_EDB;
		} else {
			buf_release(&err);
			json_decref(errors);
			json_decref(in);
			if (req->want_json)
				return respond_view(
					req, res, replayed ? 200 : 201,
					"online_supplement",
					json_pack("{s:s, s:b, s:o}", "code", code,
						  "replayed", replayed, "files",
						  files_json(files, n)));
			return respond_redirect(
				req, res, 303,
				arena_printf(req->arena,
					     "/tra-cuu/%s/bo-sung?ma=%s&da=1",
					     code, secret));
		}
	}
	buf_reset(&err);
	json_t *m = req->want_json ? json_object()
				   : supplement_model(req, db, code, secret, in,
						      &err, &rc);
	buf_release(&err);
	json_decref(in);
	if (!m) {
		json_decref(errors);
		return MC_EDB;
	}
	return answer_invalid(req, res, 422, "online_supplement", m, errors);
}

/* A file of a dossier, to the citizen with the secret. */
int handle_online_citizen_file(struct http_request *req,
			       struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char name[256];
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	const char *sha = http_param(req, "sha256");
	const char *secret = req->want_json ? http_query(req, "secret")
					    : http_query(req, "ma");
	rc = citizen_check(req, res, db, code, secret);
	if (rc == 1)
		return 0;
	if (!rc && !filestore_hash_valid(sha))
		rc = MC_ENOTFOUND;
	if (!rc)
		rc = online_file_of(db, code, sha, name, sizeof name, &err);
	buf_release(&err);
	if (!rc)
		rc = respond_file(req, res, sha, name);
	if (rc == MC_ENOTFOUND || rc == MC_EINVALID)
		return not_found(req, res);
	return rc;
}

/* ---- officers --------------------------------------------------------------------- */

/* A file of a dossier in the officer's scope (the route checked it). */
int handle_online_officer_file(struct http_request *req,
			       struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char name[256];
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *sha = http_param(req, "sha256");
	rc = filestore_hash_valid(sha)
		     ? online_file_of(db, http_param(req, "code"), sha, name,
				      sizeof name, &err)
		     : MC_ENOTFOUND;
	buf_release(&err);
	if (!rc)
		rc = respond_file(req, res, sha, name);
	if (rc == MC_ENOTFOUND || rc == MC_EINVALID)
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy tệp.");
	return rc;
}

/*
 * GET /api/v1/files/{sha256}: a national grant (ACT_DOSSIER_RECEIVE on
 * "VN") as before, or an officer who may view a dossier that references
 * the file (its unit in scope). Others: 404, as for an unknown file.
 */
int handle_online_file_api(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	char units[16][16];
	int n = 0;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *sha = http_param(req, "sha256");
	if (!filestore_hash_valid(sha))
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy tệp.");
	bool ok = auth_can(req, ACT_DOSSIER_RECEIVE, NULL);
	if (!ok) {
		if ((rc = online_file_units(db, sha, units, 16, &n, &err))) {
			log_error("online: %s", err.ptr);
			buf_release(&err);
			return MC_EDB;
		}
		for (int i = 0; i < n && !ok; i++)
			ok = auth_can(req, ACT_DOSSIER_VIEW, units[i]);
	}
	buf_release(&err);
	rc = ok ? respond_file(req, res, sha, http_query(req, "ten"))
		: MC_ENOTFOUND;
	if (rc == MC_ENOTFOUND || rc == MC_EINVALID)
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy tệp.");
	return rc;
}

/* Communes where the principal may receive (-1: everywhere). */
static int scope_units(struct http_request *req, struct db *db,
		       const char **units, int max)
{
	const struct principal *p = auth_principal(req);
	int n = 0;
	if (!p)
		return 0;
	for (int i = 0; i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_DOSSIER_RECEIVE))
			continue;
		if (!strcmp(g->unit, AUTHZ_UNIT_COUNTRY))
			return -1;
		if (strlen(g->unit) > 2) {
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
				if (n < max)
					units[n++] = arena_strdup(
						req->arena,
						json_string_value(json_object_get(c, "code")));
		}
		json_decref(u);
		buf_release(&err);
	}
	return n;
}

/* GET /mot-cua/truc-tuyen, GET /api/v1/online/queue: online dossiers
 * waiting for acceptance in the officer's scope, by submission. */
int handle_online_queue(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char **units = arena_alloc(req->arena, MAX_SCOPE * sizeof *units);
	int n = scope_units(req, db, units, MAX_SCOPE);
	json_t *out = NULL;
	struct dossier_queue_q q;
	memset(&q, 0, sizeof q);
	q.role = ROLE_RECEIVER;
	q.units = n < 0 ? NULL : units;
	q.n_units = n < 0 ? 0 : n;
	q.state = "submitted";
	const char *pg = http_query(req, "trang");
	q.page = pg && *pg ? (int)strtol(pg, NULL, 10) : 1;
	if (q.page < 1 || q.page > 100000)
		q.page = 1;
	q.per_page = 50;
	if (n == 0) {
		out = json_pack("{s:[], s:i, s:i, s:i}", "items", "total", 0,
				"page", 1, "per_page", 50);
	} else if ((rc = dossier_queue(db, &q, web_now(), &out, &err))) {
		log_error("online: queue: %s", err.ptr);
		buf_release(&err);
		return MC_EDB;
	}
	buf_release(&err);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(out, "items"), i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		const char *iso = json_string_value(json_object_get(it, "submitted_at"));
		mc_time t = 0;
		struct buf e = BUF_INIT;
		if (!req->want_json && iso && !mctime_parse(iso, &t, &e))
			json_object_set_new(it, "submitted_text", local_text(t));
		buf_release(&e);
		json_object_set_new(it, "href",
				    json_string(arena_printf(
					    req->arena, "/mot-cua/truc-tuyen/%s",
					    code)));
	}
	json_object_set_new(out, "title",
			    json_string("Hồ sơ nộp trực tuyến chờ tiếp nhận"));
	json_object_set_new(out, "has_items",
			    json_boolean(json_array_size(json_object_get(out, "items"))));
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "online_queue", out);
}

static json_t *review_model(struct http_request *req, struct db *db,
			    const char *code, struct buf *err, int *rc)
{
	json_t *d = NULL, *files = NULL;
	struct auth_actor actor = auth_actor_of(req);
	struct dossier row;
	struct dossier_ref ref;
	if ((*rc = dossier_load(db, code, &row, &ref, err)))
		return NULL;
	bool personal = auth_can(req, ACT_PERSONAL_VIEW, ref.unit_code);
	*rc = dossier_get(db, code,
			  DOSSIER_WITH_EVENTS |
				  (personal ? DOSSIER_WITH_PERSONAL : 0),
			  web_now(), &actor, &d, err);
	if (!*rc)
		*rc = online_files_list(db, code, &files, err);
	if (*rc) {
		json_decref(d);
		return NULL;
	}
	json_t *fl = json_object_get(files, "items");
	size_t i;
	json_t *f;
	files_for_page(fl);
	json_array_foreach(fl, i, f)
		json_object_set_new(
			f, "href",
			json_string(arena_printf(
				req->arena, "/mot-cua/ho-so/%s/tep/%s", code,
				json_string_value(json_object_get(f, "sha256")))));
	struct dossier_settings s;
	dossier_settings_default(&s);
	json_t *m = json_pack(
		"{s:s, s:s, s:O, s:O, s:b, s:b, s:b, s:b, s:s, s:I}", "title",
		"Xem xét hồ sơ trực tuyến", "code", code, "dossier", d,
		"files", fl, "personal", personal, "can_accept",
		dossier_allowed(&row, &s, DA_ACCEPT), "can_supplement",
		dossier_allowed(&row, &s, DA_REQUEST_SUPPLEMENT) &&
			row.state == DS_SUBMITTED,
		"can_reject", dossier_allowed(&row, &s, DA_REJECT), "idem",
		new_key(req), "version", (json_int_t)row.n_events);
	json_object_set_new(m, "submitted_text", local_text(row.submitted_at));
	json_object_set_new(m, "due_text", local_text(row.due_at));
	json_decref(d);
	json_decref(files);
	return m;
}

/*
 * GET|POST /mot-cua/truc-tuyen/{code}, POST /api/v1/online/{code}/actions:
 * review an online dossier and accept it (received; the due runs from
 * now under the desk's calendar), ask for a supplement (every item at
 * once), or reject it (a reason). Fields: action = accept |
 * request_supplement | reject, version, note, items (one per line), idem.
 */
int handle_online_review(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	respond_cache(req, res, 0);
	if (req->method != HTTP_POST) {
		json_t *m = review_model(req, db, code, &err, &rc);
		buf_release(&err);
		if (!m)
			return rc == MC_ENOTFOUND ? rc : MC_EDB;
		const char *done = http_query(req, "da");
		if (done && *done)
			json_object_set_new(m, "done",
					    json_string(!strcmp(done, "accept")
						? "Đã tiếp nhận hồ sơ; thời hạn giải quyết tính từ lúc tiếp nhận."
						: !strcmp(done, "request_supplement")
						? "Đã yêu cầu công dân bổ sung hồ sơ."
						: "Đã từ chối tiếp nhận hồ sơ."));
		return respond_view(req, res, 200, "online_review", m);
	}
	json_t *in = form_input(req);
	json_t *errors = json_object();
	const char *action = arena_strdup(req->arena, fv(in, "action"));
	struct dossier_act_in a;
	memset(&a, 0, sizeof a);
	if (!strcmp(action, "accept"))
		a.action = DA_ACCEPT;
	else if (!strcmp(action, "request_supplement"))
		a.action = DA_REQUEST_SUPPLEMENT;
	else if (!strcmp(action, "reject"))
		a.action = DA_REJECT;
	else
		json_field_error(errors, "action", "Thao tác",
				 "chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối");
	char *end;
	const char *ver = fv(in, "version");
	a.expected_version = strtoll(ver, &end, 10);
	if (!*ver || *end)
		json_field_error(errors, "version", "Phiên bản", "thiếu hoặc sai");
	char *note = clean(req, fv(in, "note"));
	if (!note || text_chars(note) > NOTE_MAX_CHARS)
		json_field_error(errors, "note", "Nội dung", "dài tối đa 2000 ký tự");
	a.note = note;
	const char **items = arena_alloc(req->arena, 41 * sizeof *items);
	int n_items = 0;
	for (const char *p = fv(in, "items"); *p && n_items < 40;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = clean(req, arena_strndup(req->arena, p, len));
		if (line && *line)
			items[n_items++] = line;
		p = nl ? nl + 1 : p + len;
	}
	a.items = items;
	a.n_items = n_items;
	if (a.action == DA_REQUEST_SUPPLEMENT && !n_items)
		json_field_error(errors, "items", "Giấy tờ cần bổ sung",
				 "ghi đầy đủ một lần mọi giấy tờ còn thiếu, mỗi "
				 "dòng một giấy tờ (NĐ 61/2018 điều 17 khoản 2)");
	if (a.action == DA_REJECT && (!note || !*note))
		json_field_error(errors, "note", "Lý do từ chối",
				 "không được để trống");
	const struct principal *p = auth_principal(req);
	const char *k = fv(in, "idem");
	if (*k && online_key_valid(k))
		a.idem_key = arena_printf(req->arena, "%s:%s",
					  p ? p->name : "", k);
	if (!json_object_size(errors)) {
		struct dossier_settings settings;
		struct calcache_snap *snap = NULL;
		struct deadline *owned = NULL;
		const struct deadline *dl = NULL;
		struct officehours oh;
		struct dossier_ref ref;
		struct dossier_act_out o;
		json_t *dj = NULL;
		struct auth_actor actor = auth_actor_of(req);
		dossier_settings_default(&settings);
		rc = dossier_load(db, code, NULL, &ref, &err);
		if (!rc)
			rc = deskhours_get(db, ref.unit_code, &dj, &oh, &err);
		json_decref(dj);
		if (!rc)
			rc = calcache_get(db, &snap, &err);
		if (!rc)
			rc = calcache_engine(snap, &oh, NULL, &dl, &owned, &err);
		if (!rc)
			rc = dossier_act(db, code, &a, dl, &settings, p,
					 web_now(), &actor, &o, &err);
		calcache_engine_done(owned);
		calcache_put(snap);
		if (!rc) {
			json_decref(in);
			json_decref(errors);
			buf_release(&err);
			if (req->want_json)
				return respond_view(
					req, res, 200, "online_review",
					json_pack("{s:s, s:s, s:s, s:I, s:o, s:b}",
						  "code", code, "action", action,
						  "state", dossier_state_name(o.to),
						  "version", (json_int_t)o.version,
						  "due_at", local_text(o.due_at),
						  "replayed", o.replayed));
			return respond_redirect(
				req, res, 303,
				arena_printf(req->arena,
					     "/mot-cua/truc-tuyen/%s?da=%s", code,
					     action));
		}
		if (rc == MC_EFORBIDDEN) {
			json_decref(in);
			json_decref(errors);
			buf_release(&err);
			return auth_deny(req, res, ACT_DOSSIER_RECEIVE,
					 ref.unit_code, true);
		}
		if (rc != MC_EINVALID && rc != MC_ECONFLICT) {
			json_decref(in);
			json_decref(errors);
			if (rc != MC_ENOTFOUND)
				log_error("online: act %s: %s", code, err.ptr);
			buf_release(&err);
			return rc == MC_ENOTFOUND ? rc : MC_EDB;
		}
		json_field_error(errors, rc == MC_ECONFLICT ? "version" : "action",
				 "Thao tác", err.ptr);
	}
	int status = json_object_get(errors, "version") && rc == MC_ECONFLICT
			     ? 409 : 422;
	buf_reset(&err);
	int rc2 = 0;
	json_t *m = req->want_json ? json_object()
				   : review_model(req, db, code, &err, &rc2);
	buf_release(&err);
	if (m && !req->want_json) {
		json_object_set_new(m, "v",
				    json_pack("{s:s, s:s, s:s}", "action", action,
					      "note", fv(in, "note"), "items",
					      fv(in, "items")));
	}
	json_decref(in);
	if (!m) {
		json_decref(errors);
		return rc2 == MC_ENOTFOUND ? rc2 : MC_EDB;
	}
	return answer_invalid(req, res, status, "online_review", m, errors);
}
