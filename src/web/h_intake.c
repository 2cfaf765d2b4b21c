/*
 * h_intake.c - the counter (engineer "intake"): /mot-cua/tiep-nhan (pick
 * the procedure among the desk's, enter the applicant and the components,
 * preview the due time and fee, confirm), the receipt Mẫu 01 (A5, QR of the
 * lookup URL, VietQR when a fee is due), refusal at intake with the
 * guidance form, the same-day sitting, the desk's bank settings, and the
 * API twin POST /api/v1/dossiers. What is allowed and what a due is:
 * core/dossier.h; persistence: store/dossier_repo.h; access: the router.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/deadline.h"
#include "core/dossier.h"
#include "core/idcheck.h"
#include "core/mctime.h"
#include "core/money.h"
#include "core/vietqr.h"
#include "render/qr.h"
#include "store/catalog.h"
#include "store/desk_repo.h"
#include "store/deskhours.h"
#include "store/deskpay_repo.h"
#include "store/dossier_repo.h"
#include "store/filestore.h"
#include "store/intake_repo.h"
#include "store/version_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/calcache.h"
#include "web/respond.h"

#define SEARCH_MAX 30		/* procedures listed by the search step */
#define NAME_MAX_CHARS 200
#define STREET_MAX_CHARS 300
#define REQUEST_MAX_CHARS 1000
#define ITEMS_MAX 40

static const char *const weekday_vi[] = { "Chủ nhật", "Thứ Hai", "Thứ Ba",
					  "Thứ Tư", "Thứ Năm", "Thứ Sáu",
					  "Thứ Bảy" };

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

/* "08 giờ 05 phút, Thứ Sáu ngày 27/11/2026" (UTC+7). */
static void time_vi(mc_time t, struct buf *out)
{
	struct mc_civil c;
	mctime_to_local(t, &c);
	buf_addf(out, "%02d giờ %02d phút, %s ngày %02d/%02d/%04d", c.hour,
		 c.min, weekday_vi[c.wday], c.day, c.month, c.year);
}

static json_t *time_vi_json(mc_time t)
{
	struct buf b = BUF_INIT;
	time_vi(t, &b);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

static json_t *iso_json(mc_time t)
{
	struct buf b = BUF_INIT;
	mctime_format_iso(t, &b);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

static json_t *money_json(int64_t dong)
{
	struct buf b = BUF_INIT;
	money_format_dong(dong, &b);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

/* A JSON scalar as text into `o` under `k` (strings, integers, booleans). */
static void put_scalar(json_t *o, const char *k, json_t *v)
{
	if (json_is_string(v))
		json_object_set(o, k, v);
	else if (json_is_integer(v)) {
		struct buf num = BUF_INIT;
		buf_add_int(&num, (long long)json_integer_value(v));
		json_object_set_new(o, k, json_stringn_nocheck(num.ptr, num.len));
		buf_release(&num);
	} else if (json_is_boolean(v))
		json_object_set_new(o, k, json_string(json_is_true(v) ? "1" : ""));
}

/* The form key "c<seq><suffix>" into k (48 bytes): by hand, it is made
 * several times per component of every intake. */
static void comp_key(char k[48], json_int_t seq, const char *suffix)
{
	char digits[24], *d = digits + sizeof digits;
	unsigned long long u = seq < 0 ? -(unsigned long long)seq
				       : (unsigned long long)seq;
	size_t n, sl = strlen(suffix);

	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (seq < 0)
		*--d = '-';
	n = (size_t)(digits + sizeof digits - d);
	if (1 + n + sl >= 48)
		sl = 48 - 2 - n;
	k[0] = 'c';
	memcpy(k + 1, d, n);
	memcpy(k + 1 + n, suffix, sl);
	k[1 + n + sl] = '\0';
}

/*
 * The input as one flat object of strings, whatever its form: the form
 * fields as posted (first value of a name wins), or a JSON body flattened
 * to the same names: applicant.X -> X, components[{seq, mode, originals,
 * certified, copies}] -> cSEQ_mode ..., items[] -> "items" (lines).
 */
static json_t *flat_input(struct http_request *req, json_t *body)
{
	json_t *in = json_object();
	if (!body) {
		for (int i = 0; i < req->n_form_params; i++)
			if (!json_object_get(in, req->form_params[i].name))
				json_object_set_new(
					in, req->form_params[i].name,
					json_string(req->form_params[i].value));
		return in;
	}
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		put_scalar(in, k, v);
	json_object_foreach(json_object_get(body, "applicant"), k, v)
		put_scalar(in, k, v);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(body, "components"), i, c)
	{
		json_t *seq = json_object_get(c, "seq");
		if (!json_is_integer(seq))
			continue;
		static const char *const keys[][2] = {
			{ "mode", "_mode" },
			{ "originals", "_originals" },
			{ "certified", "_certified" },
			{ "copies", "_copies" },
			/* a scan stored first with POST /api/v1/files */
			{ "file_sha256", "_sha256" },
		};
		for (size_t j = 0; j < ARRAY_SIZE(keys); j++) {
			char name[48];
			comp_key(name, json_integer_value(seq), keys[j][1]);
			put_scalar(in, name, json_object_get(c, keys[j][0]));
		}
	}
	struct buf items = BUF_INIT;
	json_array_foreach(json_object_get(body, "items"), i, c)
		if (json_is_string(c))
			buf_addf(&items, "%s\n", json_string_value(c));
	if (items.len)
		json_object_set_new(in, "items", json_string(items.ptr));
	buf_release(&items);
	return in;
}

/*
 * An API error field name for a form field name: applicant fields as
 * "applicant.X", components as "components.SEQ.X".
 */
static const char *api_field(struct http_request *req, const char *f)
{
	static const char *const app[] = { "kind", "name", "id_number",
					   "birth_year", "sex", "phone",
					   "email", "address_unit",
					   "address_street" };
	for (size_t i = 0; i < ARRAY_SIZE(app); i++)
		if (!strcmp(f, app[i]))
			return arena_printf(req->arena, "applicant.%s", f);
	int seq;
	char rest[24];
	if (f[0] == 'c' && sscanf(f, "c%d_%23s", &seq, rest) == 2)
		return arena_printf(req->arena, "components.%d.%s", seq, rest);
	return f;
}

/*
 * Answers refused input: HTML re-renders `view` with the model holding the
 * values typed and the errors (422); JSON answers {"error":{"code",
 * "field","message","fields"}} naming the first field. Steals both.
 */
static int answer_invalid(struct http_request *req, struct http_response *res,
			  int status, const char *view, json_t *model,
			  json_t *errors)
{
	if (req->want_json) {
		json_t *fields = json_object();
		const char *k;
		json_t *v;
		const char *first = NULL, *msg = "";
		json_object_foreach(errors, k, v)
		{
			const char *af = api_field(req, k);
			if (!first) {
				first = af;
				msg = json_string_value(v);
			}
			json_object_set(fields, af, v);
		}
		json_t *e = json_pack("{s:s, s:s?, s:s, s:o}", "code", "invalid",
				      "field", first, "message", msg ? msg : "",
				      "fields", fields);
		json_decref(model);
		json_decref(errors);
		return respond_view(req, res, status, view,
				    json_pack("{s:o}", "error", e));
	}
	/* The summary at the top lists every error, each a link to its
	 * field (the form's ids are the field names). */
	json_t *list = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(errors, k, v)
	{
		const char *href = !strcmp(k, "components") ? "#tp"
				   : !strcmp(k, "procedure") || !strcmp(k, "desk") ||
					     !strcmp(k, "version")
					   ? NULL
					   : arena_printf(req->arena, "#%s", k);
		json_array_append_new(list, json_pack("{s:s?, s:O}", "href", href,
						      "message", v));
	}
	json_object_set_new(model, "error_list", list);
	json_object_set_new(model, "errors", errors);
	json_object_set_new(model, "has_errors", json_true());
	respond_cache(req, res, 0);
	return respond_view(req, res, status, view, model);
}

static int fail_db(struct http_request *req, struct http_response *res,
		   const char *what, const struct buf *err)
{
	log_error("intake: %s: %s", what, err->ptr);
	return respond_error(req, res, 503, "unavailable",
			     "Hệ thống tạm thời không phục vụ được.");
}

/* ---- the officer's desks ------------------------------------------------- */

/*
 * The desks the principal receives at: the units of their grants whose
 * role may receive (ACT_DOSSIER_RECEIVE) and that have a desk (communes),
 * as [{"code","name"}] without duplicates.
 */
static json_t *officer_desks(struct http_request *req, struct db *db)
{
	const struct principal *p = auth_principal(req);
	json_t *out = json_array();
	struct buf err = BUF_INIT;
	for (int i = 0; p && i < p->n_grants; i++) {
		const struct authz_grant *g = &p->grants[i];
		if (!authz_role_allows(g->role, ACT_DOSSIER_RECEIVE))
			continue;
		bool dup = false;
		size_t k;
		json_t *it;
		json_array_foreach(out, k, it)
			dup = dup || !strcmp(json_str(it, "code"), g->unit);
		json_t *desk = NULL;
		buf_reset(&err);
		if (dup || desk_repo_get(db, g->unit, &desk, &err))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s}", "code",
						     g->unit, "name",
						     json_str(desk, "name")));
		json_decref(desk);
	}
	buf_release(&err);
	return out;
}

int intake_unit_of(struct http_request *req, const char **unit_code)
{
	const char *d = http_form(req, "desk");
	if (!d)
		d = http_query(req, "desk");
	json_t *body = NULL;
	if (!d && (body = http_json_body(req))) {
		const char *s = json_string_value(json_object_get(body, "desk"));
		if (s)
			d = arena_strdup(req->arena, s);
		json_decref(body);
	}
	if (d && *d) {
		*unit_code = d;
		return 0;
	}
	/* No desk named: the officer's first desk, else the unit of their
	 * first receiving grant (a province: the page asks for the desk). */
	struct db *db;
	if (app_db(req, &db))
		return MC_EDB;
	json_t *desks = officer_desks(req, db);
	const char *code = json_str(json_array_get(desks, 0), "code");
	*unit_code = *code ? arena_strdup(req->arena, code) : NULL;
	json_decref(desks);
	const struct principal *p = auth_principal(req);
	for (int i = 0; !*unit_code && p && i < p->n_grants; i++)
		if (authz_role_allows(p->grants[i].role, ACT_DOSSIER_RECEIVE))
			*unit_code = arena_strdup(req->arena, p->grants[i].unit);
	return 0;
}

int intake_unit_of_dossier(struct http_request *req, const char **unit_code)
{
	struct db *db;
	struct dossier_ref ref;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	if (!code)
		return MC_ENOTFOUND;
	if (app_db(req, &db))
		return MC_EDB;
	int rc = dossier_load(db, code, NULL, &ref, &err);
	if (rc == 0)
		*unit_code = arena_strdup(req->arena, ref.unit_code);
	else if (rc != MC_ENOTFOUND)
		log_error("intake: dossier %s: %s", code, err.ptr);
	buf_release(&err);
	return rc;
}

/* ---- the context of one intake: desk, procedure, terms ------------------- */

struct ictx {
	struct http_request *req;
	struct db *db;
	mc_time now;
	int32_t today;
	const char *desk_code;
	json_t *desk;		/* desk_repo_get, or NULL */
	struct intake_unit unit;	/* the desk's unit and province */
	const char *proc_code;	/* "" when none chosen */
	json_t *proc;		/* catalog_procedure_get, or NULL */
	bool served;		/* the desk serves the procedure */
	enum dossier_channel channel;
	struct dossier_terms terms;
	bool terms_ok;
	struct buf terms_err;
	json_t *comps;		/* the checklist, see load_components */
	struct calcache_snap *snap;
	const struct deadline *dl;
	struct deadline *owned;
};

static void ictx_release(struct ictx *c)
{
	json_decref(c->desk);
	json_decref(c->proc);
	json_decref(c->comps);
	buf_release(&c->terms_err);
	calcache_engine_done(c->owned);
	calcache_put(c->snap);
}


/*
 * The checklist of the procedure version in force for the desk's unit:
 * the catalog's components with the version's modes laid over them
 * (dropped: left out; replaced by a look-up: shown as "khai thác từ CSDL
 * ...", mode preset to reuse). Rows: {"seq","group","name","quantity",
 * "lookup","lookup_name","originals","copies"}.
 */
static int load_components(struct ictx *c, struct buf *err)
{
	json_t *ver = NULL;
	int rc = 0;
	c->comps = json_array();
	if (c->terms.version_id > 0 &&
	    (rc = version_get(c->db, c->terms.version_id, c->today, &ver, err)))
		return rc;
	size_t g, i;
	json_t *grp, *it;
	json_array_foreach(json_object_get(c->proc, "component_groups"), g, grp)
		json_array_foreach(json_object_get(grp, "items"), i, it)
		{
			json_int_t seq = json_integer_value(json_object_get(it, "seq"));
			const char *mode = "required", *lookup = "";
			size_t k;
			json_t *vc;
			json_array_foreach(json_object_get(ver, "components"), k, vc)
				if (json_integer_value(json_object_get(vc, "base_seq")) == seq) {
					mode = json_str(vc, "mode");
					lookup = json_str(vc, "lookup_name");
					if (!*lookup)
						lookup = json_str(vc, "lookup_db");
				}
			if (!strcmp(mode, "dropped"))
				continue;
			json_t *o = json_object_get(it, "originals");
			json_t *cp = json_object_get(it, "copies");
			json_int_t no = json_is_integer(o) ? json_integer_value(o) : 0;
			json_int_t nc = json_is_integer(cp) ? json_integer_value(cp) : 0;
			if (!no && !nc)
				no = 1;
			json_array_append_new(
				c->comps,
				json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:I}",
					  "seq", seq, "group", json_str(grp, "group"),
					  "name", json_str(it, "name"), "quantity",
					  json_str(it, "quantity"), "lookup",
					  !strcmp(mode, "replaced_by_lookup"),
					  "lookup_name", lookup, "originals", no,
					  "copies", nc));
		}
	json_decref(ver);
	return 0;
}

/*
 * A memo of what ictx_load() reads for a (desk, procedure, channel, day)
 * that loads without error: the desk, its unit, the procedure, the terms,
 * the checklist and the desk's hours, kept while the catalog version
 * (catalog_meta) is the one they were read at. Everything these depend on
 * bumps that version in the same transaction as its change: imports,
 * versions published, desks' procedure lists and settings (hours, cut-off,
 * agency identifier), step plans. The calendar is not in the memo (the
 * engine comes from web/calcache.h, which watches it). Entries are
 * immutable once published; the JSON values are shared read-only between
 * threads (jansson's reference counts are atomic here).
 * Measured by bench/run-dossier.sh: reading these took about a quarter
 * of an intake's CPU time.
 */
#define MEMO_SLOTS 64

struct ictx_memo {
	char desk_code[32], proc_code[32];
	enum dossier_channel channel;
	int32_t today;
	int64_t catalog_version;
	json_t *desk, *proc, *comps;
	struct intake_unit unit;
	struct dossier_terms terms;
	struct officehours oh;
};

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ictx_memo *memo[MEMO_SLOTS];

static unsigned memo_slot(const char *desk, const char *proc,
			  enum dossier_channel ch)
{
	unsigned h = 2166136261u;
	for (const char *p = desk; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *p = proc; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (h ^ (unsigned)ch) % MEMO_SLOTS;
}

static void memo_free(struct ictx_memo *m)
{
	if (!m)
		return;
	json_decref(m->desk);
	json_decref(m->proc);
	json_decref(m->comps);
	free(m);
}

/* Fills `c` from the memo when it holds this key at `version`. */
static bool memo_get(struct ictx *c, int64_t version, struct officehours *oh)
{
	bool hit = false;
	unsigned i = memo_slot(c->desk_code, c->proc_code, c->channel);
	pthread_mutex_lock(&memo_lock);
	struct ictx_memo *m = memo[i];
	if (m && m->catalog_version == version && m->today == c->today &&
	    m->channel == c->channel && !strcmp(m->desk_code, c->desk_code) &&
	    !strcmp(m->proc_code, c->proc_code)) {
		c->desk = json_incref(m->desk);
		c->proc = json_incref(m->proc);
		c->comps = json_incref(m->comps);
		c->unit = m->unit;
		c->terms = m->terms;
		*oh = m->oh;
		hit = true;
	}
	pthread_mutex_unlock(&memo_lock);
	if (hit) {
		c->served = true;
		c->terms_ok = true;
	}
	return hit;
}

static void memo_put(const struct ictx *c, int64_t version,
		     const struct officehours *oh)
{
	if (strlen(c->desk_code) >= sizeof(memo[0]->desk_code) ||
	    strlen(c->proc_code) >= sizeof(memo[0]->proc_code))
		return;
	struct ictx_memo *m = xcalloc(1, sizeof(*m));
	snprintf(m->desk_code, sizeof(m->desk_code), "%s", c->desk_code);
	snprintf(m->proc_code, sizeof(m->proc_code), "%s", c->proc_code);
	m->channel = c->channel;
	m->today = c->today;
	m->catalog_version = version;
	/* copies on the heap: the request's own may be in its JSON pool */
	struct arena *pool = json_pool_pause();
	m->desk = json_deep_copy(c->desk);
	m->proc = json_deep_copy(c->proc);
	m->comps = json_deep_copy(c->comps);
	json_pool_resume(pool);
	m->unit = c->unit;
	m->terms = c->terms;
	m->oh = *oh;
	unsigned i = memo_slot(c->desk_code, c->proc_code, c->channel);
	pthread_mutex_lock(&memo_lock);
	struct ictx_memo *old = memo[i];
	memo[i] = m;
	pthread_mutex_unlock(&memo_lock);
	memo_free(old);
}

/* The desk's deadline engine for hours `oh` (web/calcache.h). */
static int engine_for(struct ictx *c, const struct officehours *oh,
		      struct buf *err)
{
	int rc;
	if ((rc = calcache_get(c->db, &c->snap, err)))
		return rc;
	return calcache_engine(c->snap, oh, NULL, &c->dl, &c->owned, err);
}

/*
 * Loads what the input names: the desk (desk_code), the procedure
 * (proc_code, may be "") for `channel`. Errors that the officer can fix
 * go into `errors` (field "desk", "procedure"); returns MC_EDB only for
 * the database.
 */
static int ictx_load(struct ictx *c, json_t *errors)
{
	struct buf err = BUF_INIT;
	int rc = 0;
	int64_t version = -1;
	struct officehours oh;
	c->today = mctime_local_day(c->now);
	if (*c->desk_code && *c->proc_code &&
	    !catalog_version(c->db, &version, &err) &&
	    memo_get(c, version, &oh)) {
		if ((rc = engine_for(c, &oh, &err))) {
			if (rc == MC_EDB)
				goto out;
			json_field_error(errors, "procedure", "Ngày hẹn trả",
					 err.ptr);
			c->terms_ok = false;
			rc = 0;
		}
		goto out;
	}
	buf_reset(&err);
	if ((rc = desk_repo_get(c->db, c->desk_code, &c->desk, &err))) {
		if (rc != MC_ENOTFOUND)
			goto out;
		rc = 0;
		json_field_error(errors, "desk", "Bộ phận một cửa",
				 "chọn bộ phận một cửa cấp xã nơi tiếp nhận");
		goto out;
	}
	buf_reset(&err);
	if ((rc = intake_unit_ref(c->db, c->desk_code, &c->unit, &err)))
		goto out;
	if (!*c->proc_code)
		goto out;
	buf_reset(&err);
	rc = catalog_procedure_get(c->db, c->proc_code, &c->proc, &err);
	if (rc == MC_ENOTFOUND) {
		rc = 0;
		json_field_error(errors, "procedure", "Thủ tục",
				 "không có trong danh mục thủ tục hành chính");
		goto out;
	}
	if (rc)
		goto out;
	buf_reset(&err);
	if ((rc = intake_desk_serves(c->db, c->desk_code, c->proc_code,
				      &c->served, &err)))
		goto out;
	if (!c->served) {
		json_field_error(errors, "procedure", "Thủ tục",
				 "bộ phận một cửa này không tiếp nhận thủ tục này");
		goto out;
	}
	rc = dossier_terms_get(c->db, c->proc_code, c->desk_code, c->channel,
			       c->today, &c->terms, &c->terms_err);
	if (rc == MC_EINVALID || rc == MC_ENOTFOUND) {
		rc = 0;
		json_field_error(errors, "procedure", "Thời hạn giải quyết",
				 c->terms_err.len ? c->terms_err.ptr
				 : "không đọc được thời hạn");
		/* The checklist is still shown, for a refusal. */
	} else if (rc) {
		buf_setf(&err, "%s", c->terms_err.ptr);
		goto out;
	} else {
		c->terms_ok = true;
	}
	buf_reset(&err);
	if ((rc = load_components(c, &err)))
		goto out;
	if (c->terms_ok) {
		buf_reset(&err);
		json_t *dj = NULL;
		rc = deskhours_get(c->db, c->desk_code, &dj, &oh, &err);
		json_decref(dj);
		if (!rc)
			rc = engine_for(c, &oh, &err);
		if (rc) {
			if (rc == MC_EDB)
				goto out;
			json_field_error(errors, "procedure", "Ngày hẹn trả",
					 err.ptr);
			c->terms_ok = false;
			rc = 0;
		} else if (version >= 0) {
			memo_put(c, version, &oh);
		}
	}
out:
	if (rc)
		log_error("intake: load %s/%s: %s", c->desk_code, c->proc_code,
			  err.ptr);
	buf_release(&err);
	return rc ? MC_EDB : 0;
}

/* ---- input: applicant and components ------------------------------------ */

static const char *fv(json_t *in, const char *k)
{
	return json_str(in, k);
}

/* A component's mode as chosen at the counter (form values). */
static const struct {
	const char *value, *label;
} comp_modes[] = {
	{ "original", "Bản chính" },
	{ "certified_copy", "Bản sao có chứng thực" },
	{ "copy", "Bản sao, bản chụp" },
	{ "reused_from_national_db", "Khai thác từ cơ sở dữ liệu" },
	{ "digitised", "Số hóa (bản điện tử)" },
	{ "not_applicable", "Không áp dụng cho trường hợp này" },
	{ "missing", "Chưa có (thiếu)" },
};

/* 0..99 from a count field ("" is 0); -1 when not a small number. */
static int count_of(const char *s)
{
	if (!*s)
		return 0;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 99)
		return -1;
	return (int)v;
}

/* Only digits, at most `max` of them. */
static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A string of digits as a number (checked by all_digits first). */
static long atol_ok(const char *s)
{
	return strtol(s, NULL, 10);
}

struct intake_in {
	struct dossier_create_in ci;
	struct dossier_component_in comps[DOSSIER_MAX_COMPONENTS];
	int n_comps;
	/* Components marked missing or left unchosen (refusal: listed). */
	const char *missing[DOSSIER_MAX_COMPONENTS];
	int n_missing;
	const char *items[ITEMS_MAX + DOSSIER_MAX_COMPONENTS];
	int n_items;
	const char *form;	/* refusal: "02" or "03" */
	const char *address_unit_name;
};

/* The unit of the applicant's address (2025 list) or an error. */
static int check_address_unit(struct ictx *c, const char *code,
			      struct intake_in *ii, json_t *errors)
{
	struct buf err = BUF_INIT;
	int rc = 0;
	if (!*code) {
		json_field_error(errors, "address_unit", "Địa chỉ (xã, phường)",
				 "chọn xã, phường nơi cư trú hoặc trụ sở");
		goto out;
	}
	struct intake_unit u;
	rc = intake_unit_ref(c->db, code, &u, &err);
	if (rc == MC_ENOTFOUND || (!rc && !*u.parent_code)) {
		rc = 0;
		json_field_error(errors, "address_unit", "Địa chỉ (xã, phường)",
				 "mã xã, phường không có trong danh mục đơn vị "
				 "hành chính từ 01/07/2025");
		goto out;
	}
	if (rc) {
		log_error("intake: unit %s: %s", code, err.ptr);
		rc = MC_EDB;
		goto out;
	}
	ii->address_unit_name = arena_strdup(c->req->arena, u.full_name);
out:
	buf_release(&err);
	return rc;
}

/*
 * Checks the applicant (NĐ 61 art. 17; Mẫu 01 fields) into ii->ci. Person:
 * full name, the 12-digit personal ID (core/idcheck.h: structure, and the
 * birth year when given), birth year optional; organisation: name and tax
 * code with its check digit. Phone, e-mail optional; the address: a unit
 * of the 2025 list (any commune: intake does not depend on where the
 * applicant lives, NĐ 118/2025) and the street.
 */
static int check_applicant(struct ictx *c, json_t *in, struct intake_in *ii,
			   json_t *errors)
{
	struct http_request *req = c->req;
	struct dossier_applicant *a = &ii->ci.applicant;
	struct buf why = BUF_INIT;
	int rc = 0;

	const char *kind = fv(in, "kind");
	if (!*kind || !strcmp(kind, "person"))
		a->kind = DAK_PERSON;
	else if (!strcmp(kind, "org"))
		a->kind = DAK_ORG;
	else
		json_field_error(errors, "kind", "Người nộp",
				 "chọn cá nhân hoặc tổ chức");
	bool person = a->kind == DAK_PERSON;

	char *name = clean(req, fv(in, "name"));
	const char *name_label = person ? "Họ và tên" : "Tên tổ chức";
	if (!name)
		json_field_error(errors, "name", name_label, "không phải văn bản hợp lệ");
	else if (!*name)
		json_field_error(errors, "name", name_label, "không được để trống");
	else if (text_chars(name) > NAME_MAX_CHARS)
		json_field_error(errors, "name", name_label, "dài tối đa 200 ký tự");
	a->name = name ? name : "";

	/* Numbers are typed with spaces for reading: drop them. */
	struct buf id = BUF_INIT;
	for (const char *p = fv(in, "id_number"); *p; p++)
		if (*p != ' ' && *p != '.')
			buf_addch(&id, *p);
	a->id_number = arena_strdup(req->arena, id.ptr);
	buf_release(&id);

	const char *by = fv(in, "birth_year");
	a->birth_year = 0;
	struct mc_civil now_c;
	mctime_to_local(c->now, &now_c);
	if (person && *by) {
		if (!all_digits(by, 4, 4) || atol_ok(by) < 1900 ||
		    atol_ok(by) > now_c.year)
			json_field_error(errors, "birth_year", "Năm sinh",
					 "bốn chữ số, từ 1900 đến năm nay");
		else
			a->birth_year = (int)atol_ok(by);
	}
	const char *sex = fv(in, "sex");
	a->sex = 0;
	if (person && (!strcmp(sex, "M") || !strcmp(sex, "F")))
		a->sex = sex[0];

	if (person) {
		if (!*a->id_number)
			json_field_error(errors, "id_number", "Số định danh cá nhân",
					 "không được để trống (12 chữ số trên thẻ "
					 "căn cước)");
		else if (idcheck_person_id(a->id_number,
					   json_object_get(errors, "birth_year")
						   ? 0 : a->birth_year,
					   a->sex, NULL, &why)) {
			/* The reason already names the field. */
			json_object_set_new(errors, "id_number",
					    json_string(why.ptr));
		}
	} else {
		if (!*a->id_number)
			json_field_error(errors, "id_number", "Mã số thuế",
					 "không được để trống");
		else if (idcheck_tax_code(a->id_number, true, &why))
			json_object_set_new(errors, "id_number",
					    json_string(why.ptr));
	}

	const char *phone = fv(in, "phone");
	struct buf ph = BUF_INIT;
	bool ph_bad = false;
	for (const char *p = phone; *p; p++) {
		if (*p == ' ' || *p == '.' || *p == '-')
			continue;
		if (*p == '+' && p == phone)
			buf_addch(&ph, *p);
		else if (isdigit((unsigned char)*p))
			buf_addch(&ph, *p);
		else
			ph_bad = true;
	}
	size_t nd = ph.len - (ph.len && ph.ptr[0] == '+');
	if (ph.len && (ph_bad || nd < 9 || nd > 12))
		json_field_error(errors, "phone", "Số điện thoại",
				 "9 đến 12 chữ số, ví dụ 0912 345 678");
	a->phone = arena_strdup(req->arena, ph.ptr);
	buf_release(&ph);

	char *email = clean(req, fv(in, "email"));
	a->email = email ? email : "";
	if (email && *email) {
		const char *at = strchr(email, '@');
		if (!at || at == email || strchr(at + 1, '@') ||
		    !strchr(at + 1, '.') || strchr(email, ' ') ||
		    strlen(email) > 254 || email[strlen(email) - 1] == '.')
			json_field_error(errors, "email", "Thư điện tử",
					 "không đúng dạng, ví dụ ten@example.vn");
	}

	const char *unit = fv(in, "address_unit_other");
	if (!*unit)
		unit = fv(in, "address_unit");
	a->address_unit = arena_strdup(req->arena, unit);
	if ((rc = check_address_unit(c, unit, ii, errors)))
		goto out;
	char *street = clean(req, fv(in, "address_street"));
	if (!street || !*street)
		json_field_error(errors, "address_street", "Địa chỉ (số nhà, đường, thôn)",
				 "không được để trống");
	else if (text_chars(street) > STREET_MAX_CHARS)
		json_field_error(errors, "address_street",
				 "Địa chỉ (số nhà, đường, thôn)", "dài tối đa 300 ký tự");
	a->address_street = street ? street : "";
out:
	buf_release(&why);
	return rc;
}

/* "Thành phần N (name)": a component's label in messages, made when one
 * is needed. */
static const char *comp_label(struct http_request *req, int nth,
			      const char *name)
{
	return arena_printf(req->arena, "Thành phần %d (%s)", nth, name);
}

/*
 * The scan of component `seq` (TT 01/2023 art. 8: digitised at intake):
 * a file uploaded with this post (field cSEQ_file, multipart, already in
 * the file store and of an accepted type: web/route.h upload_documents),
 * else one uploaded before (the preview's hidden cSEQ_sha256, or the API's
 * file_sha256 from POST /api/v1/files), which must exist in the store.
 * The hash is written back into `in` so the preview carries it to the
 * confirmation. *sha NULL when none. Returns -1 after an error.
 */
static int component_file(struct ictx *c, json_t *in, json_int_t seq,
			  const char **sha, json_t *errors, const char *k,
			  int nth, const char *name)
{
	struct http_request *req = c->req;
	char f[48], h[48];
	comp_key(f, seq, "_file");
	comp_key(h, seq, "_sha256");
	const struct http_upload *up = http_upload(req, f);
	*sha = NULL;
	if (up) {
		*sha = up->sha256;
		json_object_set_new(in, h, json_string(up->sha256));
		char fn[48];
		comp_key(fn, seq, "_filename");
		json_object_set_new(in, fn, json_string(up->filename));
		return 0;
	}
	const char *given = fv(in, h);
	if (!*given)
		return 0;
	int fd = -1;
	uint64_t size = 0;
	struct buf e = BUF_INIT;
	int rc = !filestore_hash_valid(given) || !req->app || !req->app->files
			 ? MC_EINVALID
			 : filestore_open_read(req->app->files, given, &fd, &size, &e);
	buf_release(&e);
	if (fd >= 0)
		close(fd);
	if (rc) {
		json_field_error(errors, k, comp_label(req, nth, name),
				 "file số hóa không có trong kho lưu trữ; tải lại file");
		return -1;
	}
	*sha = arena_strdup(req->arena, given);
	return 0;
}

/*
 * Checks the checklist: each component received in a form (original,
 * certified copy, copy, with counts), taken from a national database
 * instead (NQ 66.7/2025), digitised (TT 01/2023 art. 8), not applicable to
 * this case, or missing. A dossier is received only when nothing is
 * missing (NĐ 61 art. 17 cl. 1); when `refusing`, the missing ones are
 * listed in the guidance instead (everything at once, art. 15 cl. 3).
 */
static void check_components(struct ictx *c, json_t *in, struct intake_in *ii,
			     bool refusing, json_t *errors)
{
	struct http_request *req = c->req;
	struct buf missing = BUF_INIT;
	size_t i;
	json_t *row;
	int n_missing = 0;
	json_array_foreach(c->comps, i, row)
	{
		json_int_t seq = json_integer_value(json_object_get(row, "seq"));
		const char *name = json_str(row, "name");
		int nth = (int)i + 1;
		char k[48];
		comp_key(k, seq, "_mode");
		const char *mode = fv(in, k);
		char kf[48];
		comp_key(kf, seq, "_originals");
		int no = count_of(fv(in, kf));
		comp_key(kf, seq, "_certified");
		int nce = count_of(fv(in, kf));
		comp_key(kf, seq, "_copies");
		int nco = count_of(fv(in, kf));
		if (!*mode || !strcmp(mode, "missing")) {
			ii->missing[ii->n_missing++] = name;
			if (!refusing) {
				json_field_error(errors, k,
						 comp_label(req, nth, name),
						 *mode ? "còn thiếu"
						 : "chọn hình thức đã nhận");
				if (*mode && n_missing++)
					buf_adds(&missing, "; ");
				if (*mode)
					buf_adds(&missing, name);
			}
			continue;
		}
		if (!strcmp(mode, "not_applicable"))
			continue;
		enum dossier_component_mode m;
		if (dossier_component_mode_parse(mode, &m)) {
			json_field_error(errors, k, comp_label(req, nth, name),
					 "hình thức không hợp lệ");
			continue;
		}
		if (no < 0 || nce < 0 || nco < 0) {
			json_field_error(errors, k, comp_label(req, nth, name),
					 "số bản là số nguyên từ 0 đến 99");
			continue;
		}
		if (m == DCM_REUSED) {
			no = nce = nco = 0;
		} else if ((m == DCM_ORIGINAL && !no) ||
			   (m == DCM_CERTIFIED_COPY && !nce) ||
			   (m == DCM_COPY && !nco)) {
			json_field_error(errors, k, comp_label(req, nth, name),
					 "nhập số bản của hình thức đã chọn");
			continue;
		}
		const char *sha = NULL;
		if (component_file(c, in, seq, &sha, errors, k, nth, name))
			continue;
		if (m == DCM_DIGITISED && !sha) {
			json_field_error(errors, k, comp_label(req, nth, name),
					 "đính kèm file số hóa (PDF, JPEG, PNG) của "
					 "thành phần này");
			continue;
		}
		struct dossier_component_in *ci = &ii->comps[ii->n_comps++];
		ci->seq = (int)seq;
		ci->name = name;
		ci->mode = m;
		ci->originals = no;
		ci->certified = nce;
		ci->copies = nco;
		ci->file_sha256 = sha;
		if (ii->n_comps == DOSSIER_MAX_COMPONENTS)
			break;
	}
	if (n_missing > 1)
		json_field_error(errors, "components", "Thành phần hồ sơ",
				 arena_printf(req->arena,
				 "còn thiếu %d thành phần (%s): hồ sơ "
				 "chưa đủ để tiếp nhận; bổ sung, hoặc "
				 "lập phiếu hướng dẫn",
				 n_missing, missing.ptr));
	else if (n_missing == 1)
		json_field_error(errors, "components", "Thành phần hồ sơ",
				 arena_printf(req->arena,
				 "còn thiếu %s: hồ sơ chưa đủ để tiếp "
				 "nhận; bổ sung, hoặc lập phiếu hướng dẫn",
				 missing.ptr));
	buf_release(&missing);
}

/*
 * The refusal at intake: the guidance form (Mẫu 02: the dossier is
 * incomplete, what to add; Mẫu 03: it cannot be received, why), the
 * reason, and every missing item at once (NĐ 61 art. 15 cl. 3): the
 * components marked missing plus the lines typed in "items".
 */
static void check_refusal(struct ictx *c, json_t *in, struct intake_in *ii,
			  json_t *errors)
{
	struct http_request *req = c->req;
	const char *form = fv(in, "form");
	ii->form = !strcmp(form, "03") ? "03" : "02";
	for (int i = 0; i < ii->n_missing && ii->n_items < ITEMS_MAX; i++)
		ii->items[ii->n_items++] = ii->missing[i];
	const char *p = fv(in, "items");
	while (*p && ii->n_items < ITEMS_MAX + DOSSIER_MAX_COMPONENTS) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = clean(req, arena_strndup(req->arena, p, len));
		if (line && *line == '-')
			line = clean(req, line + 1);
		if (line && *line)
			ii->items[ii->n_items++] = line;
		p += len + (nl != NULL);
	}
	char *reason = clean(req, fv(in, "reason"));
	if (!reason)
		reason = "";
	if (!ii->n_items && !*reason)
		json_field_error(errors, "items", "Nội dung hướng dẫn",
				 "ghi rõ các giấy tờ còn thiếu (đánh dấu \"Chưa có\" "
				 "ở thành phần hồ sơ, hoặc mỗi dòng một nội dung) và "
				 "lý do");
	else if (!strcmp(ii->form, "03") && !*reason)
		json_field_error(errors, "reason", "Lý do từ chối",
				 "không được để trống");
	else if (text_chars(reason) > REQUEST_MAX_CHARS)
		json_field_error(errors, "reason", "Lý do", "dài tối đa 1000 ký tự");
	/* The items and the form go into the first event's payload
	 * (store/dossier_repo.h); the reason is the event's note. */
	ii->ci.n_items = ii->n_items;
	ii->ci.items = ii->items;
	ii->ci.form = ii->form;
	ii->ci.note = reason;
}

/*
 * The whole input into ii (ictx loaded): channel, applicant, request,
 * components (and the refusal when `refusing`). Errors into `errors`.
 * MC_EDB only for the database.
 */
static int check_input(struct ictx *c, json_t *in, struct intake_in *ii,
		       bool refusing, json_t *errors)
{
	struct http_request *req = c->req;
	int rc;
	ii->ci.action = refusing ? DA_REFUSE_INTAKE : DA_RECEIVE;
	ii->ci.procedure_code = c->proc_code;
	ii->ci.desk_id = json_integer_value(json_object_get(c->desk, "id"));
	ii->ci.unit_code = NULL;
	ii->ci.channel = c->channel;
	if ((rc = check_applicant(c, in, ii, errors)))
		return rc;
	char *request = clean(req, fv(in, "request"));
	if (!request)
		json_field_error(errors, "request", "Nội dung yêu cầu",
				 "không phải văn bản hợp lệ");
	else if (text_chars(request) > REQUEST_MAX_CHARS)
		json_field_error(errors, "request", "Nội dung yêu cầu",
				 "dài tối đa 1000 ký tự");
	ii->ci.request = request && *request ? request
					      : json_str(c->proc, "name");
	check_components(c, in, ii, refusing, errors);
	ii->ci.n_components = ii->n_comps;
	ii->ci.components = ii->comps;
	if (refusing)
		check_refusal(c, in, ii, errors);
	else if (!c->terms_ok && !json_object_get(errors, "procedure"))
		json_field_error(errors, "procedure", "Thời hạn giải quyết",
				 "không tính được ngày hẹn trả");
	ii->ci.terms = &c->terms;
	return 0;
}

/* ---- the form's model ---------------------------------------------------- */

/* A random key for the form: a double click posts it twice, one dossier. */
static const char *new_idem(struct http_request *req)
{
	unsigned char raw[16];
	char *hex = arena_alloc(req->arena, 33);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, 33, raw, sizeof(raw));
	return hex;
}

/*
 * The desk's procedures matching `q` in the ranking of the public search
 * (store/catalog.h catalog_search), at most SEARCH_MAX:
 * [{"code","name","field"}].
 */
static int search_desk(struct ictx *c, const char *q, json_t **out,
		       struct buf *err)
{
	json_t *list = NULL, *set = json_object(), *items = json_array();
	int rc = desk_procedures_list(c->db, c->desk_code, &list, err);
	if (rc)
		goto out;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
		json_object_set_new(set, json_str(it, "code"), json_true());
	for (int page = 1; json_array_size(items) < SEARCH_MAX; page++) {
		json_t *r = NULL;
		if ((rc = catalog_search(c->db, q, NULL, page, 100, &r, err)))
			goto out;
		json_t *got = json_object_get(r, "items");
		json_array_foreach(got, i, it)
			if (json_object_get(set, json_str(it, "code")) &&
			    json_array_size(items) < SEARCH_MAX)
				json_array_append_new(
					items,
					json_pack("{s:s, s:s, s:s}", "code",
						  json_str(it, "code"), "name",
						  json_str(it, "name"), "field",
						  json_str(it, "field")));
		bool last = json_array_size(got) < 100;
		json_decref(r);
		if (last)
			break;
	}
out:
	json_decref(list);
	json_decref(set);
	if (rc)
		json_decref(items);
	else
		*out = items;
	return rc;
}

static json_t *option(const char *value, const char *label, bool selected)
{
	return json_pack("{s:s, s:s, s:b}", "value", value, "label", label,
			 "selected", selected);
}

/*
 * The model of the intake page for the input `in` (flat strings), with
 * the desks of the officer and, when a procedure is chosen, the form.
 */
static int form_model(struct ictx *c, json_t *in, json_t **out)
{
	struct http_request *req = c->req;
	struct buf err = BUF_INIT;
	int rc = 0;
	json_t *m = json_pack("{s:s, s:s, s:s}", "title", "Tiếp nhận hồ sơ",
			      "desk_code", c->desk_code, "q", fv(in, "q"));
	json_t *desks = officer_desks(req, c->db), *opts = json_array();
	size_t i;
	json_t *it;
	bool listed = false;
	json_array_foreach(desks, i, it)
	{
		bool sel = !strcmp(json_str(it, "code"), c->desk_code);
		listed = listed || sel;
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code",
						      json_str(it, "code"), "name",
						      json_str(it, "name"),
						      "selected", sel));
	}
	json_decref(desks);
	json_object_set_new(m, "desks", opts);
	json_object_set_new(m, "many_desks", json_boolean(json_array_size(opts) > 1));
	json_object_set_new(m, "desk_input", json_boolean(!listed));
	if (c->desk) {
		json_object_set_new(m, "desk", json_pack(
			"{s:s, s:s, s:s}", "name", json_str(c->desk, "name"),
			"unit_name", c->unit.full_name,
			"agency_code", json_str(c->desk, "agency_code")));
		json_object_set_new(m, "no_agency", json_boolean(
			!*json_str(c->desk, "agency_code")));
	}
	const char *q = fv(in, "q");
	if (c->desk && *q && !*c->proc_code) {
		json_t *res = NULL;
		if ((rc = search_desk(c, q, &res, &err)) == MC_EINVALID) {
			rc = 0;
			res = json_array();
		} else if (rc)
			goto out;
		json_array_foreach(res, i, it)
			json_object_set_new(it, "href", json_string(arena_printf(
				req->arena, "/mot-cua/tiep-nhan?desk=%s&procedure=%s",
				c->desk_code, json_str(it, "code"))));
		json_object_set_new(m, "searched", json_true());
		json_object_set_new(m, "has_results",
				    json_boolean(json_array_size(res) > 0));
		json_object_set_new(m, "results", res);
	}
	if (!c->proc || !c->served) {
		*out = m;
		m = NULL;
		goto out;
	}

	/* The form itself. */
	json_t *p = json_pack("{s:s, s:s, s:s}", "code", c->proc_code, "name",
			      json_str(c->proc, "name"), "field",
			      json_str(c->proc, "field"));
	if (c->terms_ok) {
		struct buf d = BUF_INIT;
		duration_format(&c->terms.dur, &d);
		json_object_set_new(p, "duration_text", json_string(d.ptr));
		buf_release(&d);
		json_object_set_new(p, "fee_text", json_string(
			c->terms.fee_known && c->terms.fee_dong == 0
				? "Miễn phí" : c->terms.fee_text));
	}
	json_object_set_new(m, "procedure", p);
	const char *ch = fv(in, "channel");
	json_t *chs = json_array();
	json_array_append_new(chs, option("truc_tiep", "Trực tiếp tại bộ phận một cửa",
					  strcmp(ch, "buu_chinh") != 0));
	json_array_append_new(chs, option("buu_chinh", "Qua dịch vụ bưu chính công ích",
					  !strcmp(ch, "buu_chinh")));
	json_object_set_new(m, "channels", chs);
	bool org = !strcmp(fv(in, "kind"), "org");
	json_object_set_new(m, "kind_org", json_boolean(org));
	json_object_set_new(m, "kind_person", json_boolean(!org));
	static const char *const keep[] = { "name", "id_number", "birth_year",
					    "phone", "email", "address_street",
					    "address_unit_other", "request",
					    "items", "reason" };
	json_t *v = json_object();
	for (size_t k = 0; k < ARRAY_SIZE(keep); k++)
		json_object_set_new(v, keep[k], json_string(fv(in, keep[k])));
	json_object_set_new(v, "sex_m", json_boolean(!strcmp(fv(in, "sex"), "M")));
	json_object_set_new(v, "sex_f", json_boolean(!strcmp(fv(in, "sex"), "F")));
	json_object_set_new(v, "form03", json_boolean(!strcmp(fv(in, "form"), "03")));
	json_object_set_new(m, "v", v);
	const char *idem = fv(in, "idem");
	json_object_set_new(m, "idem", json_string(*idem ? idem : new_idem(req)));

	/* The applicant's commune: the desk's province listed, another code
	 * may be typed (NĐ 118/2025: not tied to where one lives). */
	json_t *units = NULL;
	const char *prov = c->unit.parent_code;
	const char *au = fv(in, "address_unit");
	if (!*au && !*fv(in, "address_unit_other"))
		au = c->desk_code;
	buf_reset(&err);
	if ((rc = catalog_units_list(c->db, prov, &units, &err)))
		goto out;
	json_t *uo = json_array();
	json_array_foreach(json_object_get(units, "items"), i, it)
		json_array_append_new(uo, json_pack(
			"{s:s, s:s, s:b}", "code", json_str(it, "code"), "name",
			json_str(it, "full_name"),
			"selected", !strcmp(json_str(it, "code"), au)));
	json_decref(units);
	json_object_set_new(m, "address_units", uo);

	json_t *rows = json_array();
	json_array_foreach(c->comps, i, it)
	{
		json_int_t seq = json_integer_value(json_object_get(it, "seq"));
		char k[40];
		snprintf(k, sizeof(k), "c%lld_mode", (long long)seq);
		const char *mode = fv(in, k);
		if (!json_object_get(in, k) && json_is_true(json_object_get(it, "lookup")))
			mode = "reused_from_national_db";
		json_t *mo = json_array();
		json_array_append_new(mo, option("", "— Chọn —", !*mode));
		for (size_t j = 0; j < ARRAY_SIZE(comp_modes); j++)
			json_array_append_new(mo, option(comp_modes[j].value,
							 comp_modes[j].label,
							 !strcmp(mode, comp_modes[j].value)));
		json_t *r = json_pack("{s:I, s:i, s:s, s:s, s:s, s:b, s:s, s:o, s:s}",
				      "seq", seq, "n", (int)i + 1, "group",
				      json_str(it, "group"), "name",
				      json_str(it, "name"), "quantity",
				      json_str(it, "quantity"), "lookup",
				      json_is_true(json_object_get(it, "lookup")),
				      "lookup_name", json_str(it, "lookup_name"),
				      "options", mo, "field", k);
		static const char *const cnt[] = { "originals", "certified",
						   "copies" };
		for (size_t j = 0; j < ARRAY_SIZE(cnt); j++) {
			char kc[48];
			snprintf(kc, sizeof(kc), "c%lld_%s", (long long)seq, cnt[j]);
			json_t *given = json_object_get(in, kc);
			json_int_t def = j == 0 ? json_integer_value(json_object_get(it, "originals"))
				       : j == 2 ? json_integer_value(json_object_get(it, "copies"))
				       : 0;
			json_object_set_new(r, cnt[j], given ? json_copy(given)
						       : json_string(arena_printf(
							 req->arena, "%lld", (long long)def)));
			json_object_set_new(r, arena_printf(req->arena, "%s_name", cnt[j]),
					    json_string(kc));
		}
		char kh[48], kn[48];
		snprintf(kh, sizeof(kh), "c%lld_sha256", (long long)seq);
		snprintf(kn, sizeof(kn), "c%lld_filename", (long long)seq);
		json_object_set_new(r, "file_name", json_string(arena_printf(
			req->arena, "c%lld_file", (long long)seq)));
		json_object_set_new(r, "sha_name", json_string(kh));
		json_object_set_new(r, "sha256", json_string(fv(in, kh)));
		json_object_set_new(r, "fname_name", json_string(kn));
		json_object_set_new(r, "filename", json_string(fv(in, kn)));
		json_array_append_new(rows, r);
	}
	json_object_set_new(m, "comps", rows);
	json_object_set_new(m, "has_comps", json_boolean(json_array_size(rows) > 0));
	*out = m;
	m = NULL;
out:
	json_decref(m);
	if (rc)
		log_error("intake: form: %s", err.ptr);
	buf_release(&err);
	return rc;
}

/* Adds the component errors to the rows of a form model (per row). */
static void comps_errors(json_t *model, json_t *errors)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(model, "comps"), i, r)
	{
		json_t *e = json_object_get(errors, json_str(r, "field"));
		if (e)
			json_object_set(r, "error", e);
	}
}

/* ---- receipt (Mẫu 01) and guidance (Mẫu 02 / 03) ------------------------ */

/* An ISO time of a dossier shape back to an instant; 0 when null. */
static mc_time iso_time(json_t *d, const char *k)
{
	const char *s = json_string_value(json_object_get(d, k));
	mc_time t = 0;
	struct buf e = BUF_INIT;
	if (s && mctime_parse(s, &t, &e))
		t = 0;
	buf_release(&e);
	return t;
}

/*
 * The lookup URL printed as a QR on the receipt (issue 6, the citizen's
 * lookup page): PUBLIC_URL/tra-cuu/{code}?ma={secret}; without a secret
 * PUBLIC_URL/tra-cuu/{code} (the page then asks for the second factor).
 */
static const char *lookup_url(struct http_request *req, const char *code,
			      const char *secret)
{
	const char *base = req->app && req->app->public_url
				   ? req->app->public_url : "";
	if (secret && *secret)
		return arena_printf(req->arena, "%s/tra-cuu/%s?ma=%s", base,
				    code, secret);
	return arena_printf(req->arena, "%s/tra-cuu/%s", base, code);
}

/* An inline SVG QR of `text` into the model under `key` (raw HTML). */
static void put_qr(json_t *m, const char *key, const char *text,
		   const char *label)
{
	struct buf svg = BUF_INIT, e = BUF_INIT;
	if (!qr_svg(text, label, 0, &svg, &e))
		json_object_set_new(m, key, json_string(svg.ptr));
	else
		log_error("intake: qr: %s", e.ptr);
	buf_release(&svg);
	buf_release(&e);
}

/* The agency header of the printed forms: the commune and its desk. */
static int agency_model(struct db *db, const char *unit_code, json_t *m,
			struct buf *err)
{
	json_t *desk = NULL;
	struct intake_unit unit;
	int rc = desk_repo_get(db, unit_code, &desk, err);
	if (!rc)
		rc = intake_unit_ref(db, unit_code, &unit, err);
	if (rc)
		goto out;
	struct buf up = BUF_INIT;
	buf_addf(&up, "ỦY BAN NHÂN DÂN %s", unit.full_name);
	json_object_set_new(m, "agency", json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s}", "authority", up.ptr,
		"desk_name", json_str(desk, "name"), "unit_name", unit.full_name,
		"province", unit.parent_full_name, "address",
		json_str(desk, "address"), "phone", json_str(desk, "phone")));
	buf_release(&up);
out:
	json_decref(desk);
	return rc;
}

/* Copies the dossier's fields the printed forms show into `m`. */
static void dossier_fields(struct http_request *req, struct db *db, json_t *d,
			   json_t *m)
{
	json_t *a = json_object_get(d, "applicant");
	struct intake_unit au;
	struct buf e = BUF_INIT;
	if (!*json_str(a, "address_unit") ||
	    intake_unit_ref(db, json_str(a, "address_unit"), &au, &e))
		au.full_name[0] = 0;
	buf_release(&e);
	json_object_set_new(m, "code", json_string(json_str(d, "code")));
	json_object_set(m, "dossier", d);
	bool org = !strcmp(json_str(a, "kind"), "org");
	json_object_set_new(m, "applicant", json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "name", json_str(a, "name"),
		"id_number", json_str(a, "id_number"), "phone", json_str(a, "phone"),
		"email", json_str(a, "email"), "street",
		json_str(a, "address_street"), "org", org, "id_label",
		org ? "Mã số thuế" : "Số định danh cá nhân"));
	json_object_set_new(json_object_get(m, "applicant"), "unit_name",
			    json_string(au.full_name));
	json_t *rows = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(d, "components"), i, c)
	{
		const char *mode = json_str(c, "mode");
		bool reused = !strcmp(mode, "reused_from_national_db");
		json_t *r = json_pack("{s:i, s:s, s:s, s:b, s:O, s:O, s:O, s:b}",
				      "n", (int)i + 1, "name", json_str(c, "name"),
				      "mode_label", json_str(c, "mode_label"),
				      "reused", reused, "originals",
				      json_object_get(c, "originals"), "certified",
				      json_object_get(c, "certified"), "copies",
				      json_object_get(c, "copies"), "has_file",
				      json_is_string(json_object_get(c, "file_sha256")));
		json_array_append_new(rows, r);
	}
	json_object_set_new(m, "components", rows);
	mc_time rec = iso_time(d, "received_at");
	mc_time due = iso_time(d, "due_at");
	if (!rec)
		rec = iso_time(d, "created_at");
	json_object_set_new(m, "received_text", time_vi_json(rec));
	if (due)
		json_object_set_new(m, "due_text", time_vi_json(due));
	(void)req;
}

/*
 * The model of the receipt of dossier `code`: every field of Mẫu 01 (TT
 * 01/2018 art. 9; TT 03/2025 Phụ lục I; research §2.3), the lookup QR
 * (with `secret` when given), and the VietQR when a fee is still due and
 * the desk has a bank account (desk_payment). `viewer` audits
 * "personal.view" (dossier_get); NULL at creation (the officer typed it).
 */
static int receipt_model(struct http_request *req, struct db *db,
			 const char *code, const char *secret,
			 const struct auth_actor *viewer, json_t **out,
			 struct buf *err)
{
	json_t *d = NULL, *m = json_pack("{s:s}", "title",
					 "Giấy tiếp nhận hồ sơ và hẹn trả kết quả");
	json_t *pay = NULL;
	mc_time now = web_now();
	int rc = dossier_get(db, code, DOSSIER_WITH_PERSONAL | DOSSIER_WITH_EVENTS,
			     now, viewer, &d, err);
	if (rc)
		goto out;
	const char *unit = json_str(json_object_get(d, "desk"), "unit_code");
	if ((rc = agency_model(db, unit, m, err)))
		goto out;
	dossier_fields(req, db, d, m);
	json_t *ev0 = json_array_get(json_object_get(d, "events"), 0);
	json_object_set_new(m, "receiver", json_string(json_str(ev0, "actor")));
	const struct principal *p = auth_principal(req);
	if (p && !strcmp(p->name, json_str(ev0, "actor")) && *p->full_name)
		json_object_set_new(m, "receiver", json_string(p->full_name));
	json_object_set_new(m, "post", json_boolean(
		!strcmp(json_str(d, "channel"), "buu_chinh")));

	/* Fees (NĐ 61 art. 22): due, paid, still due. */
	int64_t fee = json_integer_value(json_object_get(d, "fee_dong"));
	int64_t paid = json_integer_value(json_object_get(d, "paid_dong"));
	json_object_set_new(m, "fee", json_pack(
		"{s:I, s:o, s:b, s:o, s:b}", "dong", (json_int_t)fee, "text",
		money_json(fee), "free", fee == 0, "paid_text", money_json(paid),
		"paid", paid > 0));
	json_t *book = json_object_get(d, "book");
	if (json_is_object(book))
		json_object_set(m, "book", book);

	const char *url = lookup_url(req, code, secret);
	json_object_set_new(m, "lookup_url", json_string(url));
	json_object_set_new(m, "has_secret", json_boolean(secret && *secret));
	put_qr(m, "lookup_qr", url, "Mã QR tra cứu hồ sơ");

	if (fee > paid) {
		if ((rc = deskpay_get(db, unit, &pay, err)))
			goto out;
		if (json_is_true(json_object_get(pay, "configured"))) {
			struct buf pl = BUF_INIT, e = BUF_INIT;
			struct vietqr_req vr = {
				.bin = json_str(pay, "bank_bin"),
				.account = json_str(pay, "account_no"),
				.amount = fee - paid,
				.purpose = code,
			};
			if (!vietqr_payload(&vr, &pl, &e)) {
				json_t *vq = json_pack(
					"{s:s, s:s, s:s, s:s, s:o}", "payload",
					pl.ptr, "bank_name",
					json_str(pay, "bank_name"), "account_no",
					json_str(pay, "account_no"), "account_name",
					json_str(pay, "account_name"), "amount_text",
					money_json(fee - paid));
				put_qr(vq, "svg", pl.ptr, "Mã VietQR nộp phí, lệ phí");
				json_object_set_new(m, "vietqr", vq);
			} else {
				log_error("intake: vietqr %s: %s", code, e.ptr);
			}
			buf_release(&pl);
			buf_release(&e);
		}
	}
	*out = m;
	m = NULL;
out:
	json_decref(d);
	json_decref(m);
	json_decref(pay);
	return rc;
}

/*
 * The items of a refusal at intake back from its note (see
 * check_refusal): "Mẫu NN", "Lý do: ...", "- item" lines.
 */
static void refusal_items(json_t *d, json_t *m)
{
	json_t *ev0 = json_array_get(json_object_get(d, "events"), 0);
	const char *note = json_str(ev0, "note");
	json_t *payload = json_object_get(ev0, "payload");
	json_t *items = json_array();
	const char *form = "02";
	struct buf line = BUF_INIT;
	if (json_is_array(json_object_get(payload, "items"))) {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(payload, "items"), i, it)
			json_array_append(items, it);
		if (!strcmp(json_str(payload, "form"), "03"))
			form = "03";
		if (*note)
			json_object_set_new(m, "reason", json_string(note));
		note = "";
	}
	const char *p = note;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		buf_reset(&line);
		buf_add(&line, p, len);
		if (!strcmp(line.ptr, "Mẫu 03"))
			form = "03";
		else if (!strncmp(line.ptr, "Lý do: ", 9))
			json_object_set_new(m, "reason", json_string(line.ptr + 9));
		else if (!strncmp(line.ptr, "- ", 2) && !json_is_array(json_object_get(payload, "items")))
			json_array_append_new(items, json_string(line.ptr + 2));
		p += len + (nl != NULL);
	}
	json_t *rows = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
		json_array_append_new(rows, json_pack("{s:i, s:O}", "n", (int)i + 1,
						      "text", it));
	json_decref(items);
	json_object_set_new(m, "has_items", json_boolean(json_array_size(rows) > 0));
	json_object_set_new(m, "items", rows);
	bool f3 = !strcmp(form, "03");
	json_object_set_new(m, "form03", json_boolean(f3));
	json_object_set_new(m, "form_no", json_string(form));
	json_object_set_new(m, "title", json_string(
		f3 ? "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
		   : "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
	buf_release(&line);
}

/* The model of the guidance form of a dossier refused at intake. */
static int refusal_model(struct http_request *req, struct db *db,
			 const char *code, const struct auth_actor *viewer,
			 json_t **out, struct buf *err)
{
	json_t *d = NULL, *m = json_object();
	int rc = dossier_get(db, code, DOSSIER_WITH_PERSONAL | DOSSIER_WITH_EVENTS,
			     web_now(), viewer, &d, err);
	if (rc)
		goto out;
	if (strcmp(json_str(d, "state"), "refused_at_intake")) {
		rc = MC_ENOTFOUND;
		buf_setf(err, "not refused at intake");
		goto out;
	}
	if ((rc = agency_model(db, json_str(json_object_get(d, "desk"), "unit_code"),
			       m, err)))
		goto out;
	dossier_fields(req, db, d, m);
	json_t *ev0 = json_array_get(json_object_get(d, "events"), 0);
	json_object_set_new(m, "officer", json_string(json_str(ev0, "actor")));
	const struct principal *p = auth_principal(req);
	if (p && !strcmp(p->name, json_str(ev0, "actor")) && *p->full_name)
		json_object_set_new(m, "officer", json_string(p->full_name));
	refusal_items(d, m);
	*out = m;
	m = NULL;
out:
	json_decref(d);
	json_decref(m);
	return rc;
}

/* ---- same-day sitting: who may do it ------------------------------------- */

/*
 * Whether the officer may take dossier `code` from receipt to return in
 * one sitting: it is at reception (state received, step 0), the
 * procedure's time is the same day or a few hours (the default plan's
 * "one sitting at the desk", core/dossier.h) or its plan keeps every step
 * at the desk (receiver role), and the officer holds the action of every
 * step up to the result, plus the return (web/auth.h auth_can).
 */
static bool sameday_ok(struct http_request *req, struct db *db,
		       const char *code)
{
	struct dossier row;
	struct dossier_ref ref;
	struct dossier_plan plan;
	struct buf err = BUF_INIT;
	bool ok = false;
	const struct principal *p = auth_principal(req);
	if (!p || dossier_load(db, code, &row, &ref, &err) ||
	    row.state != DS_RECEIVED || row.step != 0)
		goto out;
	if (dossier_plan_get(db, ref.procedure_code, ref.version_id, &row.dur,
			     &plan, &err) || plan.n_steps != row.n_steps)
		goto out;
	bool at_desk = true;
	for (int i = 0; i < plan.n_steps; i++)
		at_desk = at_desk && plan.steps[i].role == ROLE_RECEIVER;
	bool short_time = row.dur.unit == DUR_SAME_DAY ||
			  (row.dur.unit == DUR_WORKING_HOURS &&
			   row.dur.amount <= 4);
	if (!at_desk && !short_time)
		goto out;
	for (int i = 0; i < plan.n_steps - 1; i++) {
		const struct dossier_step *s = &plan.steps[i];
		if (s->assignee_id && s->assignee_id != p->user_id)
			goto out;
		if (!auth_can(req, dossier_role_action(s->role), ref.unit_code))
			goto out;
	}
	ok = auth_can(req, ACT_DOSSIER_RETURN, ref.unit_code);
out:
	buf_release(&err);
	return ok;
}

/* ---- /mot-cua/tiep-nhan and POST /api/v1/dossiers ------------------------ */

/* The model of the preview: what will be received, the due and the fee. */
static json_t *preview_model(struct ictx *c, json_t *in, struct intake_in *ii,
			     mc_time due)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "title",
			      "Xem lại trước khi tiếp nhận", "desk_code",
			      c->desk_code, "desk_name", json_str(c->desk, "name"),
			      "procedure_name", json_str(c->proc, "name"));
	json_object_set_new(m, "procedure_code", json_string(c->proc_code));
	json_object_set_new(m, "received_text", time_vi_json(c->now));
	json_object_set_new(m, "received_at", iso_json(c->now));
	json_object_set_new(m, "due_text", time_vi_json(due));
	json_object_set_new(m, "due_at", iso_json(due));
	mc_time start = c->now;
	struct buf e = BUF_INIT, d = BUF_INIT;
	if (!deadline_start(c->dl, c->now, &start, &e) && start != c->now)
		json_object_set_new(m, "start_text", time_vi_json(start));
	duration_format(&c->terms.dur, &d);
	json_object_set_new(m, "duration_text", json_string(d.ptr));
	json_object_set_new(m, "fee", json_pack(
		"{s:I, s:o, s:b, s:s}", "dong", (json_int_t)c->terms.fee_dong,
		"text", money_json(c->terms.fee_dong), "free",
		c->terms.fee_dong == 0, "fee_text", c->terms.fee_text));
	buf_release(&e);
	buf_release(&d);
	json_object_set_new(m, "channel_label", json_string(
		dossier_channel_label(c->channel)));
	const struct dossier_applicant *a = &ii->ci.applicant;
	json_object_set_new(m, "applicant", json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "name", a->name,
		"id_number", a->id_number, "phone", a->phone, "email", a->email,
		"street", a->address_street, "unit_name",
		ii->address_unit_name ? ii->address_unit_name : "", "id_label",
		a->kind == DAK_ORG ? "Mã số thuế" : "Số định danh cá nhân",
		"org", a->kind == DAK_ORG));
	json_object_set_new(m, "request", json_string(ii->ci.request));
	json_t *rows = json_array();
	for (int i = 0; i < ii->n_comps; i++) {
		const struct dossier_component_in *ci = &ii->comps[i];
		json_array_append_new(rows, json_pack(
			"{s:i, s:s, s:s, s:i, s:i, s:i, s:b, s:b}", "n", i + 1,
			"name", ci->name, "mode_label",
			dossier_component_mode_label(ci->mode), "originals",
			ci->originals, "certified", ci->certified, "copies",
			ci->copies, "digitised", ci->mode == DCM_DIGITISED,
			"has_file", ci->file_sha256 != NULL));
	}
	json_object_set_new(m, "components", rows);
	/* Every field typed, carried to the confirmation unchanged. */
	json_t *hidden = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(in, k, v)
		if (strcmp(k, "csrf") && strcmp(k, "step"))
			json_array_append_new(hidden, json_pack(
				"{s:s, s:O}", "name", k, "value", v));
	json_object_set_new(m, "hidden", hidden);
	return m;
}

/* The answer of a created dossier: the receipt (HTML) or 201 (API). */
static int answer_created(struct ictx *c, struct http_response *res,
			  const struct dossier_created *cr, bool refused)
{
	struct http_request *req = c->req;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int rc;
	const char *page = refused ? "phieu-huong-dan" : "giay-tiep-nhan";
	const char *href = arena_printf(req->arena, "/mot-cua/ho-so/%s/%s",
					cr->code, page);
	if (req->want_json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:s}", "code",
				      cr->code, "state",
				      dossier_state_name(cr->state), "secret",
				      cr->secret, "replayed", cr->replayed,
				      "version", (json_int_t)cr->version,
				      "fee_dong", (json_int_t)cr->fee_dong,
				      "receipt_url", href);
		if (cr->replayed)
			json_object_set_new(j, "secret", json_null());
		json_object_set_new(j, "received_at", cr->received_at
					? iso_json(cr->received_at) : json_null());
		json_object_set_new(j, "due_at", cr->due_at ? iso_json(cr->due_at)
							    : json_null());
		json_object_set_new(j, "book", cr->book_no
			? json_pack("{s:i, s:i}", "year", cr->book_year, "no",
				    cr->book_no)
			: json_null());
		return respond_view(req, res, cr->replayed ? 200 : 201,
				    "receipt", j);
	}
	/* A repeat of the same form (double click, reload): the dossier
	 * exists; its page, without the secret (given once). */
	if (cr->replayed)
		return respond_redirect(req, res, 303, href);
	if (refused)
		rc = refusal_model(req, c->db, cr->code, NULL, &m, &err);
	else
		rc = receipt_model(req, c->db, cr->code, cr->secret, NULL, &m,
				   &err);
	if (rc) {
		/* Created, but the page failed: the dossier's page. */
		log_error("intake: %s after creation: %s", cr->code, err.ptr);
		buf_release(&err);
		return respond_redirect(req, res, 303, href);
	}
	json_object_set_new(m, "created", json_true());
	if (!refused)
		json_object_set_new(m, "sameday", json_boolean(
			sameday_ok(req, c->db, cr->code)));
	buf_release(&err);
	/* The secret is in this page only: never cached, never in a URL. */
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, refused ? "intake_refusal" : "receipt",
			    m);
}

int handle_intake(struct http_request *req, struct http_response *res)
{
	struct db *db;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	struct ictx c = { .req = req, .db = db, .now = web_now(),
			  .terms_err = BUF_INIT };
	struct buf err = BUF_INIT;
	json_t *body = NULL, *in = NULL, *errors = json_object(), *m = NULL;
	bool post = req->method == HTTP_POST, rtx = false;

	/* The API takes JSON, or the page's form fields (urlencoded, or
	 * multipart with the scans as cSEQ_file). */
	const char *ct = http_header(req, "content-type");
	bool formish = ct && (!strncmp(ct, "application/x-www-form-urlencoded", 33) ||
			      !strncmp(ct, "multipart/form-data", 19));
	if (post && req->want_json && !(body = http_json_body(req)) && !formish) {
		rc = respond_error(req, res, 400, "bad_request",
				   "Nội dung yêu cầu phải là một đối tượng JSON.");
		goto out;
	}
	if (post) {
		in = flat_input(req, body);
	} else {
		in = json_object();
		for (int i = 0; i < req->n_query_params; i++)
			if (!json_object_get(in, req->query_params[i].name))
				json_object_set_new(in, req->query_params[i].name,
						    json_string(req->query_params[i].value));
	}
	/* What the post asks: the page's buttons, or the API's body. */
	const char *step = fv(in, "step");
	if (req->want_json)
		step = !strcmp(fv(in, "action"), "refuse_intake") ? "refuse"
		       : *fv(in, "preview") ? "preview" : "confirm";
	else if (!post)
		step = "form";
	bool refusing = !strcmp(step, "refuse");

	const char *desk = fv(in, "desk");
	if (!*desk && intake_unit_of(req, &desk))
		desk = "";
	c.desk_code = desk ? desk : "";
	c.proc_code = fv(in, "procedure");
	if (!*c.proc_code)
		c.proc_code = fv(in, "thu-tuc");
	c.channel = !strcmp(fv(in, "channel"), "buu_chinh") ? DCH_POST : DCH_COUNTER;
	if (*fv(in, "channel") && strcmp(fv(in, "channel"), "buu_chinh") &&
	    strcmp(fv(in, "channel"), "truc_tiep"))
		json_field_error(errors, "channel", "Cách thức nộp",
				 "trực tiếp (truc_tiep) hoặc bưu chính công ích "
				 "(buu_chinh)");
	/* Every read before the write in one snapshot: on SQLite the reads
	 * then lock once, not once per statement (store/db.h). */
	rtx = !db_begin_read(db, &err);
	buf_reset(&err);
	if ((rc = ictx_load(&c, errors)))
		goto out;
	if (post && !*c.proc_code)
		json_field_error(errors, "procedure", "Thủ tục", "chọn thủ tục");

	if (!post || !strcmp(step, "edit")) {
		if ((rc = form_model(&c, in, &m)))
			goto out;
		if (json_object_size(errors) && !post) {
			json_object_set_new(m, "errors", errors);
			errors = NULL;
		}
		respond_cache(req, res, 0);
		rc = respond_view(req, res, 200, "intake", m);
		m = NULL;
		goto out;
	}

	struct intake_in *ii = arena_zalloc(req->arena, sizeof(*ii));
	if (c.proc && c.served && (rc = check_input(&c, in, ii, refusing, errors)))
		goto out;
	if (json_object_size(errors)) {
		if (!req->want_json && (rc = form_model(&c, in, &m)))
			goto out;
		if (m)
			comps_errors(m, errors);
		if (m && refusing)
			json_object_set_new(m, "refusing", json_true());
		rc = answer_invalid(req, res, 422, "intake", m ? m : json_object(),
				    errors);
		m = NULL;
		errors = NULL;
		goto out;
	}

	if (!strcmp(step, "preview")) {
		mc_time due;
		if ((rc = dossier_due(c.dl, c.now, &c.terms.dur, NULL, 0, &due,
				      &err))) {
			rc = respond_error(req, res, 422, "invalid", err.ptr);
			goto out;
		}
		if (req->want_json) {
			struct buf d = BUF_INIT;
			duration_code(&c.terms.dur, &d);
			m = json_pack("{s:b, s:o, s:o, s:s, s:I}", "preview", 1,
				      "received_at", iso_json(c.now), "due_at",
				      iso_json(due), "duration", d.ptr,
				      "fee_dong", (json_int_t)c.terms.fee_dong);
			buf_release(&d);
			rc = respond_view(req, res, 200, "intake_preview", m);
			m = NULL;
			goto out;
		}
		m = preview_model(&c, in, ii, due);
		respond_cache(req, res, 0);
		rc = respond_view(req, res, 200, "intake_preview", m);
		m = NULL;
		goto out;
	}

	if (strcmp(step, "confirm") && !refusing) {
		rc = respond_error(req, res, 400, "bad_request",
				   "Thao tác không hợp lệ.");
		goto out;
	}
	/* Idempotency: the form's key (a double click), or the API's
	 * Idempotency-Key header, scoped to who sends it. */
	const char *key = req->want_json ? http_header(req, "idempotency-key")
					 : fv(in, "idem");
	const char *idem = NULL;
	if (key && *key) {
		if (strlen(key) > 64) {
			json_field_error(errors, "idempotency_key",
					 "Khóa chống trùng (Idempotency-Key)",
					 "dài tối đa 64 ký tự");
			rc = answer_invalid(req, res, 422, "intake", json_object(),
					    errors);
			errors = NULL;
			goto out;
		}
		const struct principal *p = auth_principal(req);
		idem = arena_printf(req->arena, "%s:%s", p ? p->name : "", key);
	}
	struct auth_actor actor = auth_actor_of(req);
	struct dossier_settings settings;
	dossier_settings_default(&settings);
	struct dossier_created cr;
	memset(&cr, 0, sizeof(cr));
	if (rtx) {
		db_rollback(db);
		rtx = false;
	}
	rc = dossier_create(db, &ii->ci, idem, c.dl, &settings, c.now, &actor,
			    &cr, &err);
	if (rc == MC_EINVALID || rc == MC_ERANGE || rc == MC_ENOTFOUND) {
		json_field_error(errors, "procedure", "Không tiếp nhận được", err.ptr);
		if (!req->want_json && (rc = form_model(&c, in, &m)))
			goto out;
		rc = answer_invalid(req, res, 422, "intake", m ? m : json_object(),
				    errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	if (rc) {
		rc = fail_db(req, res, "create", &err);
		goto out;
	}
	rc = answer_created(&c, res, &cr, refusing);
out:
	if (rtx)
		db_rollback(db);
	if (rc == MC_EDB)
		rc = fail_db(req, res, "intake", &err);
	ictx_release(&c);
	json_decref(body);
	json_decref(in);
	json_decref(errors);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/* ---- the receipt again, the guidance again ------------------------------- */

/*
 * GET: the receipt of a received dossier (Mẫu 01), its lookup QR without
 * the secret (given once, never stored in clear: store/dossier_repo.h).
 * POST (CSRF): a reprint with a NEW secret (dossier_secret_reset, audited
 * "dossier.secret_reset"): the old paper's QR stops working, the new one
 * is printed. The page is not cached.
 */
int handle_receipt(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	char secret[DOSSIER_SECRET_LEN + 1] = "";
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	struct auth_actor actor = auth_actor_of(req);
	if (req->method == HTTP_POST &&
	    (rc = dossier_secret_reset(db, code, web_now(), &actor, secret,
				       &err)))
		goto out;
	if ((rc = receipt_model(req, db, code, secret, &actor, &m, &err)))
		goto out;
	const char *state = json_str(json_object_get(m, "dossier"), "state");
	if (!strcmp(state, "refused_at_intake")) {
		json_decref(m);
		return respond_redirect(req, res, 303, arena_printf(
			req->arena, "/mot-cua/ho-so/%s/phieu-huong-dan", code));
	}
	json_object_set_new(m, "reprinted", json_boolean(*secret));
	json_object_set_new(m, "sameday", json_boolean(sameday_ok(req, db, code)));
	respond_cache(req, res, 0);
	rc = respond_view(req, res, 200, "receipt", m);
	m = NULL;
out:
	sodium_memzero(secret, sizeof(secret));
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy hồ sơ.");
	else if (rc)
		rc = fail_db(req, res, "receipt", &err);
	json_decref(m);
	buf_release(&err);
	return rc;
}

/* The guidance form (Mẫu 02 or 03) of a dossier refused at intake. */
int handle_refusal_form(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	struct auth_actor actor = auth_actor_of(req);
	rc = refusal_model(req, db, http_param(req, "code"), &actor, &m, &err);
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy phiếu của hồ sơ này.");
	else if (rc)
		rc = fail_db(req, res, "refusal", &err);
	else {
		respond_cache(req, res, 0);
		rc = respond_view(req, res, 200, "intake_refusal", m);
	}
	buf_release(&err);
	return rc;
}

/* ---- same-day: receive, process, record, return in one sitting ---------- */

/* The model of the sitting page and, once returned, of the result slip. */
static int sameday_model(struct http_request *req, struct db *db,
			 const char *code, json_t **out, struct buf *err)
{
	json_t *d = NULL, *m = json_pack("{s:s}", "title", "Giải quyết ngay");
	struct auth_actor actor = auth_actor_of(req);
	int rc = dossier_get(db, code, DOSSIER_WITH_PERSONAL | DOSSIER_WITH_EVENTS,
			     web_now(), &actor, &d, err);
	if (rc)
		goto out;
	if ((rc = agency_model(db, json_str(json_object_get(d, "desk"), "unit_code"),
			       m, err)))
		goto out;
	dossier_fields(req, db, d, m);
	const char *state = json_str(d, "state");
	bool done = !strcmp(state, "returned");
	json_object_set_new(m, "done", json_boolean(done));
	json_object_set_new(m, "version", json_copy(json_object_get(d, "version")));
	json_object_set_new(m, "possible", json_boolean(sameday_ok(req, db, code)));
	json_object_set_new(m, "state_label", json_string(json_str(d, "state_label")));
	json_t *result = json_object_get(d, "result");
	if (json_is_object(result)) {
		json_t *r = json_deep_copy(result);
		int32_t day;
		char ymd[11];
		if (!version_parse_day(json_str(result, "date"), &day)) {
			version_format_day(day, ymd);
			json_object_set_new(r, "date", json_string(arena_printf(
				req->arena, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd)));
		}
		json_object_set_new(m, "result", r);
	}
	if (done) {
		json_t *evs = json_object_get(d, "events");
		json_t *last = json_array_get(evs, json_array_size(evs) - 1);
		json_t *pl = json_object_get(last, "payload");
		json_object_set_new(m, "title", json_string("Phiếu giao nhận kết quả"));
		json_object_set_new(m, "returned_text", time_vi_json(
			iso_time(d, "closed_at")));
		json_object_set_new(m, "collected_by", json_string(
			*json_str(pl, "collected_by") ? json_str(pl, "collected_by")
						    : json_str(json_object_get(d, "applicant"), "name")));
		json_object_set_new(m, "identity_checked", json_string(
			json_str(pl, "identity_checked")));
		json_object_set_new(m, "officer", json_string(json_str(last, "actor")));
		const struct principal *p = auth_principal(req);
		if (p && !strcmp(p->name, json_str(last, "actor")) && *p->full_name)
			json_object_set_new(m, "officer", json_string(p->full_name));
	} else {
		struct mc_civil c;
		mctime_to_local(web_now(), &c);
		json_object_set_new(m, "today", json_string(arena_printf(
			req->arena, "%04d-%02d-%02d", c.year, c.month, c.day)));
		json_object_set_new(m, "applicant_name", json_string(
			json_str(json_object_get(d, "applicant"), "name")));
	}
	*out = m;
	m = NULL;
out:
	json_decref(d);
	json_decref(m);
	return rc;
}

/*
 * GET: the sitting's form (result number and date, who collects it and how
 * the identity was checked), or the result slip once returned. POST: the
 * steps one by one, each its own event with its audit entry (dossier_act:
 * forward to the last processing step, record the result, return), then
 * 303 to the slip. A refusal midway (a step the officer may not do, a
 * conflict) stops there and says so: what was done stays done.
 */
int handle_sameday(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *m = NULL, *errors = json_object(), *body = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	const char *href = arena_printf(req->arena,
					"/mot-cua/ho-so/%s/giai-quyet-ngay", code);
	if (req->method != HTTP_POST) {
		if ((rc = sameday_model(req, db, code, &m, &err)))
			goto out;
		respond_cache(req, res, 0);
		rc = respond_view(req, res, 200, "intake_sameday", m);
		m = NULL;
		goto out;
	}
	body = http_json_body(req);
	json_t *in = flat_input(req, body);
	char *number = clean(req, fv(in, "result_number"));
	const char *date = fv(in, "result_date");
	char *collected = clean(req, fv(in, "collected_by"));
	char *ident = clean(req, fv(in, "identity_checked"));
	const char *ver = fv(in, "version");
	int32_t day;
	if (!number || !*number)
		json_field_error(errors, "result_number", "Số, ký hiệu kết quả",
				 "không được để trống");
	if (version_parse_day(date, &day))
		json_field_error(errors, "result_date", "Ngày ký kết quả",
				 "có dạng YYYY-MM-DD");
	if (!collected || !*collected)
		json_field_error(errors, "collected_by", "Người nhận kết quả",
				 "không được để trống");
	if (!ident || !*ident)
		json_field_error(errors, "identity_checked",
				 "Giấy tờ đã đối chiếu khi trả", "không được để trống");
	if (!all_digits(ver, 1, 18))
		json_field_error(errors, "version", "Phiên bản", "thiếu");
	struct dossier row;
	struct dossier_ref ref;
	if ((rc = dossier_load(db, code, &row, &ref, &err)))
		goto out_in;
	if (json_object_size(errors) || !sameday_ok(req, db, code)) {
		if (!json_object_size(errors))
			json_field_error(errors, "version", "Giải quyết ngay",
					 "hồ sơ không còn ở bước tiếp nhận, hoặc "
					 "bạn không giữ quyền của mọi bước");
		if (!req->want_json && (rc = sameday_model(req, db, code, &m, &err)))
			goto out_in;
		if (m) {
			static const char *const keep[] = {
				"result_number", "result_date", "collected_by",
				"identity_checked" };
			json_t *v = json_object();
			for (size_t k = 0; k < ARRAY_SIZE(keep); k++)
				json_object_set_new(v, keep[k], json_string(fv(in, keep[k])));
			json_object_set_new(m, "v", v);
		}
		rc = answer_invalid(req, res, 422, "intake_sameday",
				    m ? m : json_object(), errors);
		m = NULL;
		errors = NULL;
		goto out_in;
	}
	struct calcache_snap *snap = NULL;
	struct deadline *owned = NULL;
	const struct deadline *dl = NULL;
	struct officehours oh;
	json_t *dj = NULL;
	struct dossier_settings settings;
	dossier_settings_default(&settings);
	struct auth_actor actor = auth_actor_of(req);
	const struct principal *p = auth_principal(req);
	int64_t version = strtoll(ver, NULL, 10);
	json_t *done = json_array();
	rc = deskhours_get(db, ref.unit_code, &dj, &oh, &err);
	json_decref(dj);
	if (!rc)
		rc = calcache_get(db, &snap, &err);
	if (!rc)
		rc = calcache_engine(snap, &oh, NULL, &dl, &owned, &err);
	for (int guard = 0; !rc && guard < DOSSIER_MAX_STEPS + 2; guard++) {
		struct dossier_act_in a;
		struct dossier_act_out o;
		memset(&a, 0, sizeof(a));
		memset(&o, 0, sizeof(o));
		if ((rc = dossier_load(db, code, &row, NULL, &err)))
			break;
		if (row.state == DS_RETURNED)
			break;
		a.expected_version = version;
		if (row.state == DS_RESULT_READY) {
			a.action = DA_RETURN;
			a.collected_by = collected;
			a.identity_checked = ident;
			a.note = "Trả kết quả ngay tại quầy";
		} else if (row.step < row.n_steps - 2) {
			a.action = DA_FORWARD;
			a.note = "Giải quyết ngay tại quầy";
		} else {
			a.action = DA_RECORD_RESULT;
			a.result_number = number;
			a.result_date = date;
		}
		rc = dossier_act(db, code, &a, dl, &settings, p, web_now(),
				 &actor, &o, &err);
		if (!rc) {
			version = o.version;
			json_array_append_new(done, json_string(
				dossier_action_label(a.action)));
		}
	}
	calcache_engine_done(owned);
	calcache_put(snap);
	if (rc == MC_EDB) {
		json_decref(done);
		goto out_in;
	}
	if (rc) {
		/* Stopped midway: say where, keep what was done. */
		json_field_error(errors, "version", "Giải quyết ngay", err.ptr);
		json_decref(done);
		if (!req->want_json && (rc = sameday_model(req, db, code, &m, &err)))
			goto out_in;
		rc = answer_invalid(req, res, rc == MC_ECONFLICT ? 409 : 422,
				    "intake_sameday", m ? m : json_object(), errors);
		m = NULL;
		errors = NULL;
		goto out_in;
	}
	if (req->want_json) {
		rc = respond_view(req, res, 200, "intake_sameday",
				  json_pack("{s:s, s:s, s:I, s:o}", "code", code,
					    "state", "returned", "version",
					    (json_int_t)version, "steps", done));
		goto out_in;
	}
	json_decref(done);
	rc = respond_redirect(req, res, 303, href);
out_in:
	json_decref(in);
out:
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy hồ sơ.");
	else if (rc < 0)
		rc = fail_db(req, res, "sameday", &err);
	json_decref(m);
	json_decref(errors);
	json_decref(body);
	buf_release(&err);
	return rc;
}

/* ---- the desk's bank account (/quan-tri/don-vi/{code}/thanh-toan) -------- */

/* A sample VietQR of the settings, for checking with a banking app. */
static void payment_sample(json_t *m, json_t *pay)
{
	if (!json_is_true(json_object_get(pay, "configured")))
		return;
	struct buf pl = BUF_INIT, e = BUF_INIT;
	struct vietqr_req vr = { .bin = json_str(pay, "bank_bin"),
				 .account = json_str(pay, "account_no"),
				 .amount = 10000,
				 .purpose = "KIEM TRA" };
	if (!vietqr_payload(&vr, &pl, &e)) {
		json_t *s = json_pack("{s:s}", "payload", pl.ptr);
		put_qr(s, "svg", pl.ptr, "Mã VietQR thử 10.000 đồng");
		json_object_set_new(m, "sample", s);
	}
	buf_release(&pl);
	buf_release(&e);
}

/*
 * GET: the desk's bank account for fees and a sample VietQR; POST (form)
 * or PUT (API): save it (deskpay_check, deskpay_save: version-checked,
 * audited "desk.payment"), 303 back with a confirmation.
 */
int handle_desk_payment(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *pay = NULL, *m = NULL, *body = NULL, *in = NULL, *norm = NULL,
	       *errors = NULL, *unit = NULL;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	const char *code = http_param(req, "code");
	if ((rc = catalog_unit_get(db, code, &unit, &err)))
		goto out;
	if ((rc = deskpay_get(db, code, &pay, &err)))
		goto out;
	m = json_pack("{s:s, s:s, s:s, s:O, s:b}", "title",
		      "Tài khoản thu phí, lệ phí", "code", code, "unit_name",
		      json_str(unit, "full_name"), "payment", pay, "saved",
		      http_query(req, "da-luu") != NULL);
	if (req->method == HTTP_GET && req->want_json) {
		rc = respond_view(req, res, 200, "intake_payment",
				  json_incref(pay));
		goto out;
	}
	if (req->method == HTTP_GET) {
		json_t *f = json_deep_copy(pay);
		json_object_set_new(m, "form", f);
		payment_sample(m, pay);
		rc = respond_view(req, res, 200, "intake_payment", m);
		m = NULL;
		goto out;
	}
	body = http_json_body(req);
	in = flat_input(req, body);
	struct deskpay_edit e = {
		.bank_bin = fv(in, "bank_bin"),
		.bank_name = fv(in, "bank_name"),
		.account_no = fv(in, "account_no"),
		.account_name = fv(in, "account_name"),
	};
	const char *ver = fv(in, "version");
	if (deskpay_check(&e, &norm, &errors) || !all_digits(ver, 1, 18)) {
		if (!errors)
			errors = json_object();
		if (!all_digits(ver, 1, 18))
			json_field_error(errors, "version", "Phiên bản", "thiếu");
		json_object_set(norm, "version", json_object_get(pay, "version"));
		json_object_set_new(m, "form", norm);
		norm = NULL;
		rc = answer_invalid(req, res, 422, "intake_payment", m, errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	struct auth_actor actor = auth_actor_of(req);
	rc = deskpay_save(db, &actor, code, norm, strtoll(ver, NULL, 10),
			  web_now(), &err);
	if (rc == MC_ECONFLICT) {
		errors = json_object();
		json_object_set_new(errors, "version", json_string(
			"Thông tin tài khoản vừa được người khác sửa; giá trị "
			"đang lưu hiện bên dưới. Kiểm tra rồi lưu lại."));
		json_object_set(norm, "version", json_object_get(pay, "version"));
		json_object_set_new(m, "form", norm);
		json_object_set_new(m, "conflict", json_true());
		norm = NULL;
		rc = answer_invalid(req, res, 409, "intake_payment", m, errors);
		m = NULL;
		errors = NULL;
		goto out;
	}
	if (rc)
		goto out;
	if (req->want_json) {
		json_decref(pay);
		pay = NULL;
		if ((rc = deskpay_get(db, code, &pay, &err)))
			goto out;
		rc = respond_view(req, res, 200, "intake_payment",
				  json_incref(pay));
		goto out;
	}
	rc = respond_redirect(req, res, 303, arena_printf(
		req->arena, "/quan-tri/don-vi/%s/thanh-toan?da-luu=1", code));
out:
	if (rc == MC_ENOTFOUND)
		rc = respond_error(req, res, 404, "not_found",
				   "Không tìm thấy đơn vị.");
	else if (rc < 0)
		rc = fail_db(req, res, "payment", &err);
	json_decref(pay);
	json_decref(m);
	json_decref(body);
	json_decref(in);
	json_decref(norm);
	json_decref(errors);
	json_decref(unit);
	buf_release(&err);
	return rc;
}
