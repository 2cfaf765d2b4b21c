/*
 * h_dossier.c - one dossier in the back office (engineer "workflow"): the
 * page /mot-cua/ho-so/{code} with its components, events, due and
 * remaining working time, the current step, and the actions this user may
 * take now (core/dossier.h decides, store/dossier_repo.h applies); the
 * applicant's data masked until revealed (audited "personal.view"); the
 * printable forms Mẫu 02, 03, 04; the process-control slip; fee payments;
 * and the JSON twins under /api/v1/dossiers/{code}. Never decides what is
 * allowed itself: it only lists what dossier_allowed() and authz allow.
 */
#include "web/handlers.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/authz.h"
#include "core/dossier.h"
#include "core/idcheck.h"
#include "core/money.h"
#include "store/auth_repo.h"
#include "store/catalog.h"
#include "store/dossier_repo.h"
#include "store/version_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/respond.h"
#include "web/workflow.h"

#define NOTE_MAX 4000
#define ITEMS_MAX 50
#define ITEM_MAX 500

/* ---- input: form fields or a JSON object body --------------------------- */

struct input {
	struct http_request *req;
	json_t *body;	/* the JSON body when it is an object, else NULL */
};

static void input_init(struct input *in, struct http_request *req)
{
	in->req = req;
	in->body = http_json_body(req);
}

static void input_release(struct input *in)
{
	json_decref(in->body);
	in->body = NULL;
}

/* The trimmed value of field `name` (form, then JSON body), or NULL when
 * absent or blank. */
static const char *in_str(struct input *in, const char *name)
{
	const char *v = http_form(in->req, name);
	if (!v && in->body) {
		json_t *j = json_object_get(in->body, name);
		if (json_is_string(j))
			v = json_string_value(j);
		else if (json_is_integer(j))
			v = arena_printf(in->req->arena, "%lld",
					 (long long)json_integer_value(j));
	}
	if (!v)
		return NULL;
	while (*v && isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (!n)
		return NULL;
	return arena_strndup(in->req->arena, v, n);
}

/*
 * The list field `name`: a JSON array of strings, or the lines of a form
 * textarea (blank lines dropped). Returns the count (at most max), -1 when
 * an item is too long.
 */
static int in_list(struct input *in, const char *name, const char **out,
		   int max)
{
	int n = 0;
	json_t *j = in->body ? json_object_get(in->body, name) : NULL;
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || !*s)
				continue;
			if (strlen(s) > ITEM_MAX)
				return -1;
			if (n < max)
				out[n++] = s;
		}
		return n;
	}
	const char *t = in_str(in, name);
	while (t && *t) {
		const char *e = strchr(t, '\n');
		size_t len = e ? (size_t)(e - t) : strlen(t);
		while (len && isspace((unsigned char)t[len - 1]))
			len--;
		const char *s = t;
		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		if (len > ITEM_MAX)
			return -1;
		if (len && n < max)
			out[n++] = arena_strndup(in->req->arena, s, len);
		t = e ? e + 1 : NULL;
	}
	return n;
}

/* ---- the actions the page offers ---------------------------------------- */

struct action_def {
	enum dossier_action a;
	const char *hint;
	bool danger;
};

static const struct action_def page_actions[] = {
	{ DA_ACCEPT, "Chấp nhận hồ sơ nộp trực tuyến; thời hạn bắt đầu tính.",
	  false },
	{ DA_REJECT, "Hồ sơ trực tuyến không đủ điều kiện: hướng dẫn một lần "
	  "đầy đủ.", true },
	{ DA_FORWARD, "Chuyển hồ sơ sang bước tiếp theo.", false },
	{ DA_SEND_BACK, "Trả hồ sơ về một bước trước, kèm lý do.", false },
	{ DA_REQUEST_SUPPLEMENT, "Mẫu 02: liệt kê một lần đầy đủ mọi thành "
	  "phần còn thiếu; thời hạn tạm dừng đến khi nhận đủ.", false },
	{ DA_RECEIVE_SUPPLEMENT, "Người nộp đã bổ sung đủ: thời hạn tiếp "
	  "tục, ngày hẹn được tính lại.", false },
	{ DA_PAUSE, "Tạm dừng để thẩm tra, xác minh (thời gian xác minh hộ "
	  "tịch không tính vào thời hạn, NĐ 07/2025).", false },
	{ DA_RESUME, "Đã có kết quả xác minh: tiếp tục tính thời hạn.", false },
	{ DA_RECORD_RESULT, "Ghi số, ngày của văn bản kết quả.", false },
	{ DA_RETURN, "Trả kết quả; kiểm tra giấy tờ tùy thân của người nhận. "
	  "Hồ sơ kết thúc.", false },
	{ DA_APOLOGIZE, "Mẫu 04: trước hạn, chỉ một lần; ngày hẹn mới trong "
	  "giờ làm việc.", false },
	{ DA_STOP, "Dừng giải quyết theo đề nghị của người nộp (chỉ khi chưa "
	  "có kết quả; TT 03/2025 điều 7).", true },
	{ DA_REFUSE, "Mẫu 03: từ chối giải quyết, nêu rõ lý do.", true },
};
#define N_PAGE_ACTIONS (sizeof page_actions / sizeof page_actions[0])

/* Whether the principal may do `a` on the dossier now, and if not why. */
static bool action_ok(struct http_request *req, const struct dossier *row,
		      const struct dossier_ref *ref,
		      const struct dossier_settings *st, enum dossier_action a,
		      struct buf *why)
{
	const struct principal *p = auth_principal(req);
	const struct dossier_rule *rule = dossier_rule(a);
	struct dossier_event e;
	dossier_event_init(&e);
	e.action = a;
	if (!dossier_allowed(row, st, a)) {
		buf_reset(why);
		dossier_check(row, st, &e, why);
		return false;
	}
	enum action need = dossier_needed_action(row, a);
	if (!auth_can(req, need, ref->unit_code)) {
		buf_setf(why, "Vai trò của bạn không được %s ở bước này.",
			 dossier_action_label(a));
		return false;
	}
	if (rule->by_step_role && row->assignee_id && p &&
	    row->assignee_id != p->user_id) {
		buf_setf(why, "Bước này đã được giao cho người khác.");
		return false;
	}
	return true;
}

/* ---- masking of personal data ------------------------------------------- */

/* "Nguyễn Văn An" -> "Nguyễn V. A." (family name and initials). */
static const char *mask_name(struct http_request *req, const char *s)
{
	struct buf b = BUF_INIT;
	bool first = true;
	while (s && *s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (first) {
			buf_add(&b, w, (size_t)(s - w));
			first = false;
		} else {
			size_t n = 1;
			while (w + n < s && ((unsigned char)w[n] & 0xC0) == 0x80)
				n++;
			buf_addch(&b, ' ');
			buf_add(&b, w, n);
			buf_addch(&b, '.');
		}
	}
	const char *r = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return r;
}

/* Keeps `head` and `tail` bytes of an ASCII value, stars in between. */
static const char *mask_mid(struct http_request *req, const char *s,
			    size_t head, size_t tail)
{
	size_t n = s ? strlen(s) : 0;
	if (!n)
		return "";
	if (n <= head + tail)
		return "***";
	struct buf b = BUF_INIT;
	buf_add(&b, s, head);
	for (size_t i = head; i < n - tail; i++)
		buf_addch(&b, '*');
	buf_add(&b, s + n - tail, tail);
	const char *r = arena_strdup(req->arena, b.ptr);
	buf_release(&b);
	return r;
}

/* The applicant as shown: masked unless `reveal`. */
static json_t *applicant_view(struct http_request *req, json_t *a,
			      bool reveal)
{
	const char *kind = json_str(a, "kind");
	bool org = !strcmp(kind, "org");
	const char *email = json_str(a, "email");
	const char *at = strchr(email, '@');
	const char *street = json_str(a, "address_street");
	const char *unit = json_str(a, "address_unit");
	json_t *v = json_pack(
		"{s:s, s:b, s:b, s:s, s:s, s:s, s:s, s:s}", "kind", kind,
		"org", org, "revealed", reveal, "name",
		reveal ? json_str(a, "name")
		       : (org ? mask_mid(req, json_str(a, "name"), 6, 0)
			      : mask_name(req, json_str(a, "name"))),
		"id_number",
		reveal ? json_str(a, "id_number")
		       : mask_mid(req, json_str(a, "id_number"), 3, 2),
		"phone",
		reveal ? json_str(a, "phone") : mask_mid(req, json_str(a, "phone"), 3, 2),
		"email",
		reveal ? email
		       : (at ? arena_printf(req->arena, "%.1s***%s", email, at)
			     : ""),
		"address",
		reveal ? arena_printf(req->arena, "%s%s%s", street,
				      *street && *unit ? ", " : "", unit)
		       : (*street || *unit ? "***" : ""));
	if (reveal && json_integer_value(json_object_get(a, "birth_year")))
		json_object_set(v, "birth_year",
				json_object_get(a, "birth_year"));
	return v;
}

/* ---- the page model ------------------------------------------------------ */

/* Who may take the dossier at `step` (store/dossier_repo.h
 * dossier_assignees) for the forward form: [{id, label}]. */
static json_t *step_assignees(struct http_request *req, struct db *db,
			      const char *code, int step)
{
	json_t *out = json_array(), *list = NULL;
	struct buf err = BUF_INIT;
	if (dossier_assignees(db, code, step, &list, &err) < 0) {
		log_error("assignees %s: %s", code, err.ptr);
	} else {
		size_t i;
		json_t *u;
		json_array_foreach(json_object_get(list, "items"), i, u)
		{
			const char *fn = json_str(u, "full_name");
			json_array_append_new(
				out,
				json_pack("{s:O, s:s}", "id",
					  json_object_get(u, "id"), "label",
					  arena_printf(req->arena, "%s (%s)",
						       *fn ? fn
							   : json_str(u, "username"),
						       json_str(u, "username"))));
		}
	}
	json_decref(list);
	buf_release(&err);
	return out;
}

/* A random key for the forms of one page (idempotency). */
static const char *new_idem(struct http_request *req)
{
	unsigned char r[12];
	char hex[25];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	return arena_strdup(req->arena, hex);
}

/* The step plan pinned for the dossier, or the default of its duration. */
static void plan_of(struct db *db, const struct dossier *row,
		    const struct dossier_ref *ref, struct dossier_plan *plan)
{
	struct buf err = BUF_INIT;
	if (dossier_plan_get(db, ref->procedure_code, ref->version_id,
			     &row->dur, plan, &err) < 0 ||
	    plan->n_steps != row->n_steps) {
		dossier_plan_default(&row->dur, plan);
		if (plan->n_steps != row->n_steps) {
			/* A plan changed since receipt: generic names. */
			plan->n_steps = row->n_steps;
			for (int i = 0; i < row->n_steps && i < DOSSIER_MAX_STEPS; i++)
				snprintf(plan->steps[i].name,
					 sizeof plan->steps[i].name, "Bước %d",
					 i + 1);
		}
	}
	buf_release(&err);
}

/* The pauses of the row, an open one closed at `now`. */
static int row_pauses(const struct dossier *row, mc_time now,
		      struct deadline_pause *out)
{
	int n = row->n_pauses;
	for (int i = 0; i < n; i++) {
		out[i] = row->pauses[i];
		if (!out[i].end)
			out[i].end = now > out[i].start ? now : out[i].start;
	}
	return n;
}

/* Texts of the events of the model: at_text, labels of states. */
static void events_decorate(struct http_request *req, json_t *events)
{
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		enum dossier_state s;
		json_object_set_new(ev, "at_text",
				    json_string(wf_iso_text(
					    req, json_object_get(ev, "at"))));
		if (dossier_state_parse(json_str(ev, "to_state"), &s, NULL) == 0)
			json_object_set_new(ev, "to_label",
					    json_string(dossier_state_label(s)));
		json_t *pl = json_object_get(ev, "payload");
		json_t *items = json_object_get(pl, "items");
		if (json_is_array(items) && json_array_size(items)) {
			json_object_set(ev, "items", items);
			json_object_set_new(ev, "has_items", json_true());
		}
	}
}

struct page_ctx {
	struct dossier row;
	struct dossier_ref ref;
	struct dossier_plan plan;
	struct dossier_settings st;
};

/*
 * Builds the dossier page model into *out: the repository's "dossier"
 * shape with events, texts for people, the applicant (masked unless
 * `reveal`, which audits "personal.view"), the step and its allotment, the
 * remaining working time, the allowed actions and payments.
 */
static int page_model(struct http_request *req, struct db *db,
		      const char *code, bool reveal, struct page_ctx *cx,
		      json_t **out)
{
	struct buf err = BUF_INIT;
	json_t *d = NULL, *pays = NULL;
	struct wf_engine eng = { 0 };
	mc_time now = wf_now();
	int rc;
	struct auth_actor who = auth_actor_of(req);
	*out = NULL;
	dossier_settings_default(&cx->st);
	if ((rc = dossier_load(db, code, &cx->row, &cx->ref, &err)) < 0)
		goto out;
	rc = dossier_get(db, code,
			 DOSSIER_WITH_EVENTS | DOSSIER_WITH_PERSONAL, now,
			 reveal ? &who : NULL, &d, &err);
	if (rc < 0)
		goto out;
	plan_of(db, &cx->row, &cx->ref, &cx->plan);
	json_object_set_new(d, "applicant",
			    applicant_view(req, json_object_get(d, "applicant"),
					   reveal));
	json_object_set_new(d, "received_text",
			    json_string(wf_iso_text(
				    req, json_object_get(d, "received_at"))));
	json_object_set_new(d, "due_text",
			    json_string(wf_iso_text(
				    req, json_object_get(d, "due_at"))));
	json_object_set_new(d, "original_due_text",
			    json_string(wf_iso_text(
				    req, json_object_get(d, "original_due_at"))));
	json_object_set_new(d, "finished_text",
			    json_string(wf_iso_text(
				    req, json_object_get(d, "finished_at"))));
	json_object_set_new(d, "closed_text",
			    json_string(wf_iso_text(
				    req, json_object_get(d, "closed_at"))));
	json_object_set_new(d, "mark_label",
			    json_string(wf_mark_label(json_str(d, "urgency"))));
	json_object_set_new(d, "due_changed",
			    json_boolean(cx->row.original_due_at &&
					 cx->row.due_at !=
						 cx->row.original_due_at));
	const char *cls = json_str(d, "classification");
	if (*cls)
		json_object_set_new(
			d, "class_label",
			json_string(!strcmp(cls, "early")     ? "Trước hạn"
				    : !strcmp(cls, "on_time") ? "Đúng hạn"
							      : "Quá hạn"));
	events_decorate(req, json_object_get(d, "events"));

	/* Remaining working time and the current step's allotment. */
	buf_reset(&err);
	if (cx->row.received_at &&
	    wf_engine_get(db, json_str(json_object_get(d, "desk"), "unit_code"),
			  &eng, &err) == 0) {
		struct deadline_pause ps[DOSSIER_MAX_PAUSES];
		int np = row_pauses(&cx->row, now, ps);
		int64_t secs;
		if (!dossier_state_closed(cx->row.state) &&
		    !cx->row.finished_at &&
		    deadline_between(eng.dl, now, cx->row.due_at, ps, np, &secs,
				     &err) == 0)
			json_object_set_new(
				d, "remaining",
				json_pack("{s:I, s:s}", "seconds",
					  (json_int_t)secs, "text",
					  wf_work_text(req, secs,
						       eng.dl->std_day_min)));
		mc_time dues[DOSSIER_MAX_STEPS];
		if (cx->row.step >= 0 && cx->row.step < cx->plan.n_steps &&
		    dossier_step_dues(eng.dl, &cx->plan, cx->row.received_at,
				      &cx->row.dur, ps, np, dues, &err) == 0) {
			json_t *step = json_object_get(d, "step");
			if (json_is_object(step)) {
				json_object_set_new(
					step, "due_text",
					json_string(wf_time_text(
						req, dues[cx->row.step])));
				json_object_set_new(
					step, "no",
					json_integer(cx->row.step + 1));
			}
		}
	} else if (cx->row.received_at) {
		log_error("dossier %s: engine: %s", code, err.ptr);
	}
	wf_engine_done(&eng);
	json_object_set_new(d, "n_steps", json_integer(cx->row.n_steps));
	json_object_set_new(
		d, "has_components",
		json_boolean(json_array_size(json_object_get(d, "components")) >
			     0));

	/* Payments (fee due from the procedure version). */
	buf_reset(&err);
	if (dossier_payments_list(db, code, &pays, &err) == 0) {
		json_t *items = json_object_get(pays, "items");
		size_t i;
		json_t *p;
		json_array_foreach(items, i, p)
		{
			json_object_set_new(p, "at_text",
					    json_string(wf_iso_text(
						    req, json_object_get(p, "at"))));
			json_object_set_new(
				p, "method_label",
				json_string(!strcmp(json_str(p, "method"), "cash")
						    ? "Tiền mặt"
						    : "Chuyển khoản"));
		}
		struct buf money = BUF_INIT;
		money_format_dong(
			json_integer_value(json_object_get(pays, "fee_dong")),
			&money);
		json_object_set_new(pays, "fee_text", json_string(money.ptr));
		buf_reset(&money);
		money_format_dong(
			json_integer_value(json_object_get(pays, "due_dong")),
			&money);
		json_object_set_new(pays, "due_text", json_string(money.ptr));
		buf_release(&money);
		json_object_set_new(pays, "has_items",
				    json_boolean(json_array_size(items) > 0));
		json_object_set_new(
			pays, "can_pay",
			json_boolean(auth_can(req, ACT_DOSSIER_RECEIVE,
					      cx->ref.unit_code)));
		json_object_set_new(d, "payments", pays);
		pays = NULL;
	}
	*out = d;
	d = NULL;
	rc = 0;
out:
	if (rc < 0 && rc != MC_ENOTFOUND)
		log_error("dossier %s: %s", code, err.ptr);
	json_decref(d);
	json_decref(pays);
	buf_release(&err);
	return rc;
}

/*
 * The allowed actions into the page model: "actions" (an object keyed by
 * action name, each {label, hint, danger, ...form data}) for the template
 * and "allowed_actions" (names) for the API.
 */
static void page_actions_add(struct http_request *req, struct db *db,
			     struct page_ctx *cx, json_t *m)
{
	json_t *acts = json_object(), *names = json_array();
	struct buf why = BUF_INIT;
	const struct dossier *row = &cx->row;
	for (size_t i = 0; i < N_PAGE_ACTIONS; i++) {
		const struct action_def *ad = &page_actions[i];
		buf_reset(&why);
		if (!action_ok(req, row, &cx->ref, &cx->st, ad->a, &why))
			continue;
		const char *name = dossier_action_name(ad->a);
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name", name,
				      "label", dossier_action_label(ad->a),
				      "hint", ad->hint, "danger", ad->danger);
		if (ad->a == DA_FORWARD && row->step + 1 < cx->plan.n_steps) {
			const struct dossier_step *nx =
				&cx->plan.steps[row->step + 1];
			json_object_set_new(o, "next_step",
					    json_string(nx->name));
			json_object_set_new(o, "next_role",
					    json_string(authz_role_label(nx->role)));
			json_object_set_new(o, "holders",
					    step_assignees(req, db,
							   cx->ref.code,
							   row->step + 1));
		}
		if (ad->a == DA_SEND_BACK) {
			json_t *steps = json_array();
			for (int s = row->step - 1; s >= 0; s--)
				json_array_append_new(
					steps,
					json_pack("{s:i, s:s, s:b}", "index", s,
						  "label",
						  arena_printf(req->arena,
							       "%d. %s", s + 1,
							       cx->plan.steps[s]
								       .name),
						  "selected",
						  s == row->step - 1));
			json_object_set_new(o, "steps", steps);
		}
		if (ad->a == DA_REQUEST_SUPPLEMENT && row->supplement_count > 0)
			json_object_set_new(
				o, "warning",
				json_string(arena_printf(
					req->arena,
					"Hồ sơ đã được yêu cầu bổ sung %d lần. "
					"Yêu cầu thêm lần nữa trái với quy "
					"định \"bổ sung một lần\" (NĐ 61/2018 "
					"điều 15): sẽ được ghi nhận là vi "
					"phạm và hồ sơ bị tính là trễ hạn "
					"(QĐ 766/QĐ-TTg).",
					row->supplement_count)));
		if (ad->a == DA_APOLOGIZE)
			json_object_set_new(o, "min_text",
					    json_string(wf_time_text(
						    req, row->due_at)));
		json_object_set_new(acts, name, o);
		json_array_append_new(names, json_string(name));
	}
	buf_release(&why);
	json_object_set_new(m, "actions", acts);
	json_object_set_new(m, "allowed_actions", names);
	json_object_set_new(m, "has_actions",
			    json_boolean(json_array_size(names) > 0));
}

/* The printable forms that exist for this dossier. */
static void page_prints_add(struct http_request *req, json_t *d,
			    const char *code)
{
	json_t *pr = json_array();
	const struct {
		const char *action, *label, *path;
	} forms[] = {
		{ "request_supplement", "Mẫu 02: Phiếu yêu cầu bổ sung",
		  "mau-02" },
		{ "refuse", "Mẫu 03: Phiếu từ chối giải quyết", "mau-03" },
		{ "apologize", "Mẫu 04: Phiếu xin lỗi và hẹn lại", "mau-04" },
	};
	json_t *events = json_object_get(d, "events");
	for (size_t f = 0; f < 3; f++) {
		size_t i;
		json_t *ev;
		json_array_foreach(events, i, ev)
		{
			if (strcmp(json_str(ev, "action"), forms[f].action))
				continue;
			json_array_append_new(
				pr, json_pack("{s:s, s:s}", "label",
					      forms[f].label, "href",
					      arena_printf(req->arena,
							   "/mot-cua/ho-so/%s/%s",
							   code, forms[f].path)));
			break;
		}
	}
	json_array_append_new(
		pr, json_pack("{s:s, s:s}", "label",
			      "Phiếu kiểm soát quá trình giải quyết", "href",
			      arena_printf(req->arena,
					   "/mot-cua/ho-so/%s/phieu-kiem-soat",
					   code)));
	json_object_set_new(d, "prints", pr);
}

static const char *ok_message(const char *action)
{
	enum dossier_action a;
	if (!action)
		return NULL;
	if (!strcmp(action, "payment"))
		return "Đã ghi nhận khoản thu phí, lệ phí.";
	if (dossier_action_parse(action, &a, NULL) < 0)
		return NULL;
	return dossier_action_label(a);
}

/*
 * Answers the dossier page with `status`; `flash_error` (or NULL) is shown
 * on top and, with `failed` (an action name or "payment"), that form is
 * open again with the values typed in `typed` (borrowed).
 */
static int page_answer(struct http_request *req, struct http_response *res,
		       struct db *db, const char *code, bool reveal,
		       int status, const char *flash_error,
		       const char *failed, const char *field, json_t *typed)
{
	struct page_ctx cx;
	json_t *d = NULL;
	int rc = page_model(req, db, code, reveal, &cx, &d);
	if (rc < 0)
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	page_actions_add(req, db, &cx, d);
	page_prints_add(req, d, code);
	const char *idem = new_idem(req);
	json_object_set_new(d, "idem", json_string(idem));
	json_object_set_new(d, "title",
			    json_string(arena_printf(req->arena, "Hồ sơ %s",
						     code)));
	json_object_set_new(d, "can_reveal",
			    json_boolean(!reveal &&
					 auth_can(req, ACT_PERSONAL_VIEW,
						  cx.ref.unit_code)));
	if (flash_error)
		json_object_set_new(d, "flash_error",
				    json_string(flash_error));
	const char *ok = ok_message(http_query(req, "ok"));
	if (ok && !flash_error)
		json_object_set_new(d, "flash_ok", json_string(ok));
	if (failed) {
		json_t *o = json_object_get(json_object_get(d, "actions"),
					    failed);
		if (!strcmp(failed, "payment"))
			o = json_object_get(d, "payments");
		if (!o && typed && json_object_size(typed)) {
			/* The action is no longer offered (the state moved
			 * on): keep what was typed, read-only, nothing lost. */
			enum dossier_action fa;
			json_object_set_new(
				d, "kept",
				json_pack("{s:s, s:O}", "label",
					  dossier_action_parse(failed, &fa,
							       NULL) == 0
						  ? dossier_action_label(fa)
						  : failed,
					  "values", typed));
		}
		if (o) {
			json_object_set_new(o, "open", json_true());
			if (typed)
				json_object_set(o, "values", typed);
			if (field) {
				json_object_set_new(
					o, "error",
					json_pack("{s:s, s:s}", "field", field,
						  "message", flash_error));
				json_object_set_new(
					o,
					arena_printf(req->arena, "err_%s",
						     field),
					json_string(flash_error));
			}
		}
	}
	respond_cache(req, res, 0);
	return respond_view(req, res, status, "dossier", d);
}

int handle_dossier(struct http_request *req, struct http_response *res)
{
	struct db *db;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	return page_answer(req, res, db, http_param(req, "code"), false, 200,
			   NULL, NULL, NULL, NULL);
}

int handle_dossier_personal(struct http_request *req,
			    struct http_response *res)
{
	struct db *db;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	return page_answer(req, res, db, http_param(req, "code"), true, 200,
			   NULL, NULL, NULL, NULL);
}

/* ---- actions ------------------------------------------------------------- */

/* A field error of an action: 422 with the field named. */
struct act_err {
	int status;
	const char *code, *field, *message;
};

static bool is_date(const char *s)
{
	int32_t day;
	return s && strlen(s) == 10 && version_parse_day(s, &day) == 0;
}

/*
 * Reads and checks the inputs of action `a` into *in. Returns false with
 * *e set (422) for a missing or malformed field.
 */
static bool read_action(struct http_request *req, struct db *db,
			struct input *inp, enum dossier_action a,
			const struct page_ctx *cx, struct dossier_act_in *in,
			struct act_err *e, const char **items, json_t *typed)
{
	const char *note = in_str(inp, "note");
	struct buf err = BUF_INIT;
	bool ok = false;
	e->status = 422;
	e->code = "invalid";
	in->note = note;
	if (note)
		json_object_set_new(typed, "note", json_string(note));
	if (note && strlen(note) > NOTE_MAX) {
		e->field = "note";
		e->message = "Ghi chú: tối đa 4000 ký tự.";
		goto out;
	}
	switch (a) {
	case DA_FORWARD: {
		const char *s = in_str(inp, "assignee");
		char *end = NULL;
		long long id = s ? strtoll(s, &end, 10) : 0;
		if (s && (*end || id < 0)) {
			e->field = "assignee";
			e->message = "Người nhận: chọn trong danh sách.";
			goto out;
		}
		in->assignee_id = id;
		break;
	}
	case DA_SEND_BACK: {
		const char *s = in_str(inp, "to_step");
		char *end = NULL;
		long v = s ? strtol(s, &end, 10) : -1;
		if (!s || *end || v < 0 || v >= cx->row.step) {
			e->field = "to_step";
			e->message = "Trả về bước: hãy chọn một bước trước bước "
				     "hiện tại.";
			goto out;
		}
		in->to_step = (int)v;
		if (!note) {
			e->field = "note";
			e->message = "Lý do trả lại: không được để trống.";
			goto out;
		}
		break;
	}
	case DA_REQUEST_SUPPLEMENT: {
		int n = in_list(inp, "items", items, ITEMS_MAX);
		const char *raw = in_str(inp, "items");
		if (raw)
			json_object_set_new(typed, "items", json_string(raw));
		if (n < 0) {
			e->field = "items";
			e->message = "Thành phần cần bổ sung: mỗi dòng tối đa "
				     "500 ký tự.";
			goto out;
		}
		if (n == 0) {
			e->field = "items";
			e->message = "Thành phần cần bổ sung: liệt kê một lần "
				     "đầy đủ mọi thành phần còn thiếu, mỗi "
				     "dòng một thành phần.";
			goto out;
		}
		in->n_items = n;
		in->items = items;
		if (!note) {
			e->field = "note";
			e->message = "Lý do yêu cầu bổ sung: không được để "
				     "trống.";
			goto out;
		}
		break;
	}
	case DA_REJECT:
	case DA_REFUSE:
		if (!note) {
			e->field = "note";
			e->message = "Lý do từ chối: không được để trống.";
			goto out;
		}
		break;
	case DA_STOP:
		if (!note) {
			e->field = "note";
			e->message = "Đề nghị dừng của người nộp: ghi rõ văn "
				     "bản, ngày đề nghị.";
			goto out;
		}
		break;
	case DA_PAUSE: {
		const char *k = in_str(inp, "pause_kind");
		if (!k)
			k = "verification";
		if (strcmp(k, "civil_status_verification") &&
		    strcmp(k, "verification")) {
			e->field = "pause_kind";
			e->message = "Loại tạm dừng: chọn xác minh hộ tịch hoặc "
				     "thẩm tra, xác minh khác.";
			goto out;
		}
		json_object_set_new(typed, "pause_kind", json_string(k));
		in->pause_kind = k;
		if (!note) {
			e->field = "note";
			e->message = "Nội dung xác minh: không được để trống.";
			goto out;
		}
		break;
	}
	case DA_APOLOGIZE: {
		const char *s = in_str(inp, "new_due");
		mc_time t;
		if (s)
			json_object_set_new(typed, "new_due", json_string(s));
		if (!s || mctime_parse(s, &t, &err) < 0) {
			e->field = "new_due";
			e->message = "Thời gian hẹn trả kết quả lại: nhập ngày "
				     "và giờ, dạng YYYY-MM-DD HH:MM.";
			goto out;
		}
		if (t <= cx->row.due_at) {
			e->field = "new_due";
			e->message = "Thời gian hẹn trả kết quả lại: phải sau "
				     "ngày hẹn hiện tại.";
			goto out;
		}
		/* In working time: the minute before or after it is. */
		struct wf_engine eng;
		int64_t before = 0, after = 0;
		if (wf_engine_get(db, cx->ref.unit_code, &eng, &err) == 0) {
			deadline_between(eng.dl, t - 60, t, NULL, 0, &before,
					 &err);
			deadline_between(eng.dl, t, t + 60, NULL, 0, &after,
					 &err);
			wf_engine_done(&eng);
		} else {
			before = 60;	/* no desk hours: not checkable */
		}
		if (before < 60 && after < 60) {
			e->field = "new_due";
			e->message = "Thời gian hẹn trả kết quả lại: phải là "
				     "giờ làm việc của bộ phận một cửa (ngày "
				     "làm việc, trong giờ hành chính).";
			goto out;
		}
		in->new_due = t;
		if (!note) {
			e->field = "note";
			e->message = "Lý do chậm trễ: không được để trống.";
			goto out;
		}
		break;
	}
	case DA_RECORD_RESULT: {
		const char *num = in_str(inp, "result_number");
		const char *date = in_str(inp, "result_date");
		const char *file = in_str(inp, "result_file_sha256");
		if (num)
			json_object_set_new(typed, "result_number",
					    json_string(num));
		if (date)
			json_object_set_new(typed, "result_date",
					    json_string(date));
		if (!num || strlen(num) > 100) {
			e->field = "result_number";
			e->message = "Số văn bản kết quả: không được để trống "
				     "(tối đa 100 ký tự).";
			goto out;
		}
		if (!is_date(date)) {
			e->field = "result_date";
			e->message = "Ngày ký kết quả: dạng YYYY-MM-DD.";
			goto out;
		}
		if (file && strlen(file) != 64) {
			e->field = "result_file_sha256";
			e->message = "Tệp kết quả: mã SHA-256 gồm 64 chữ số hệ "
				     "16.";
			goto out;
		}
		in->result_number = num;
		in->result_date = date;
		in->result_file_sha256 = file;
		break;
	}
	case DA_RETURN: {
		const char *who = in_str(inp, "collector");
		const char *name = in_str(inp, "collector_name");
		const char *idn = in_str(inp, "collector_id");
		const char *auth = in_str(inp, "authorisation");
		json_t *ap = NULL;
		if (!who)
			who = "self";
		json_object_set_new(typed, "collector", json_string(who));
		if (name)
			json_object_set_new(typed, "collector_name",
					    json_string(name));
		if (idn)
			json_object_set_new(typed, "collector_id",
					    json_string(idn));
		if (auth)
			json_object_set_new(typed, "authorisation",
					    json_string(auth));
		bool self = !strcmp(who, "self");
		if (!self && strcmp(who, "authorised")) {
			e->field = "collector";
			e->message = "Người nhận kết quả: chọn người nộp hoặc "
				     "người được ủy quyền.";
			goto out;
		}
		if (!idn || idcheck_person_id(idn, 0, 0, NULL, &err) < 0) {
			e->field = "collector_id";
			e->message = arena_printf(
				req->arena,
				"Số định danh của người nhận: %s",
				idn ? err.ptr : "không được để trống "
						"(12 chữ số).");
			goto out;
		}
		/* The applicant's number, read for the comparison only. */
		buf_reset(&err);
		if (dossier_get(db, cx->ref.code, DOSSIER_WITH_PERSONAL,
				wf_now(), NULL, &ap, &err) < 0) {
			e->status = 503;
			e->code = "unavailable";
			e->field = NULL;
			e->message = "Không đọc được hồ sơ.";
			goto out;
		}
		json_t *apl = json_object_get(ap, "applicant");
		if (self) {
			if (strcmp(json_str(apl, "kind"), "person") ||
			    strcmp(json_str(apl, "id_number"), idn)) {
				json_decref(ap);
				e->field = "collector_id";
				e->message = "Số định danh của người nhận không "
					     "trùng với người nộp hồ sơ: nếu "
					     "nhận thay, chọn \"người được ủy "
					     "quyền\".";
				goto out;
			}
			in->collected_by = arena_printf(
				req->arena,
				"Người nộp hồ sơ (số định danh khớp, ...%s)",
				idn + strlen(idn) - 3);
			in->identity_checked = "applicant_id_match";
		} else {
			if (!name) {
				json_decref(ap);
				e->field = "collector_name";
				e->message = "Họ tên người được ủy quyền: không "
					     "được để trống.";
				goto out;
			}
			if (!auth) {
				json_decref(ap);
				e->field = "authorisation";
				e->message = "Giấy ủy quyền: ghi số, ngày của "
					     "văn bản ủy quyền.";
				goto out;
			}
			in->collected_by = arena_printf(
				req->arena,
				"Người được ủy quyền %s (số định danh ...%s), "
				"văn bản ủy quyền: %s",
				mask_name(req, name), idn + strlen(idn) - 3,
				auth);
			in->identity_checked = "authorised_person_id";
		}
		json_decref(ap);
		break;
	}
	default:
		break;
	}
	ok = true;
out:
	buf_release(&err);
	return ok;
}

/*
 * Whether a conflict is in fact this user's own repeat of the same form
 * (a double click): the dossier moved exactly one version past the form's,
 * by this user, with this action. The page then shows the result.
 */
static bool own_repeat(struct db *db, const char *code,
		       const struct principal *p, enum dossier_action a,
		       int64_t expected)
{
	json_t *evs = NULL;
	struct buf err = BUF_INIT;
	bool same = false;
	if (p && p->user_id &&
	    dossier_events_list(db, code, &evs, &err) == 0) {
		json_t *items = json_object_get(evs, "items");
		size_t n = json_array_size(items);
		json_t *last = n ? json_array_get(items, n - 1) : NULL;
		same = last && (int64_t)n == expected + 1 &&
		       json_integer_value(json_object_get(last, "actor_id")) ==
			       p->user_id &&
		       !strcmp(json_str(last, "action"), dossier_action_name(a));
	}
	json_decref(evs);
	buf_release(&err);
	return same;
}

int handle_dossier_action(struct http_request *req,
			  struct http_response *res)
{
	struct db *db;
	struct input inp;
	struct page_ctx cx;
	struct buf err = BUF_INIT;
	struct dossier_act_in in;
	struct dossier_act_out out;
	struct act_err e = { 422, "invalid", NULL, NULL };
	struct wf_engine eng = { 0 };
	const char *items[ITEMS_MAX];
	const char *code = http_param(req, "code");
	json_t *typed = json_object();
	enum dossier_action a;
	int rc = app_db(req, &db);
	if (rc) {
		json_decref(typed);
		return rc;
	}
	input_init(&inp, req);
	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	const char *aname = in_str(&inp, "action");
	const char *ver = in_str(&inp, "version");
	if (!aname || dossier_action_parse(aname, &a, NULL) < 0 ||
	    dossier_rule(a)->creates) {
		e.field = "action";
		e.message = "Thao tác: không có thao tác này.";
		aname = NULL;
		goto fail;
	}
	char *end = NULL;
	long long v = ver ? strtoll(ver, &end, 10) : -1;
	if (!ver || *end || v < 1) {
		e.field = "version";
		e.message = "Phiên bản hồ sơ: thiếu (tải lại trang hồ sơ).";
		goto fail;
	}
	dossier_settings_default(&cx.st);
	if ((rc = dossier_load(db, code, &cx.row, &cx.ref, &err)) < 0) {
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
		goto done;
	}
	if (v != cx.row.n_events) {
		/* A stale form: someone acted first (dossier_act checks it
		 * again inside its transaction). */
		if (own_repeat(db, code, auth_principal(req), a, v)) {
			out.version = v + 1;
			out.to = cx.row.state;
			out.due_at = cx.row.due_at;
			out.replayed = true;
			goto done_ok;
		}
		const char *note = in_str(&inp, "note");
		if (note)
			json_object_set_new(typed, "note", json_string(note));
		const char *its = in_str(&inp, "items");
		if (its)
			json_object_set_new(typed, "items", json_string(its));
		e.status = 409;
		e.code = "conflict";
		e.field = "version";
		e.message = arena_printf(
			req->arena,
			"Hồ sơ đã được người khác cập nhật (phiên bản %lld, "
			"bạn đang xem phiên bản %lld). Nội dung bạn vừa nhập "
			"vẫn còn bên dưới; kiểm tra tình trạng mới rồi gửi "
			"lại.",
			(long long)cx.row.n_events, v);
		goto fail;
	}
	if (!dossier_allowed(&cx.row, &cx.st, a)) {
		/* The state machine's reason first: it is what the officer
		 * needs to read ("Hồ sơ đang chờ bổ sung: ..."). */
		struct dossier_event ev;
		dossier_event_init(&ev);
		ev.action = a;
		buf_reset(&err);
		dossier_check(&cx.row, &cx.st, &ev, &err);
		const char *note = in_str(&inp, "note");
		if (note)
			json_object_set_new(typed, "note", json_string(note));
		e.status = 409;
		e.code = "not_allowed";
		e.message = arena_strdup(req->arena, err.ptr);
		goto fail;
	}
	if (!read_action(req, db, &inp, a, &cx, &in, &e, items, typed))
		goto fail;
	in.action = a;
	in.expected_version = v;
	/* The form's idempotency key: two submissions racing on the same
	 * version apply once (dossier_act); a later repeat of the version
	 * already passed is recognised above by own_repeat(). */
	in.idem_key = in_str(&inp, "idem");
	if (in.idem_key && strlen(in.idem_key) > 128) {
		e.field = "idem";
		e.message = "Khóa chống gửi trùng: tối đa 128 ký tự.";
		goto fail;
	}
	buf_reset(&err);
	if (wf_engine_get(db, cx.ref.unit_code, &eng, &err) < 0) {
		log_error("dossier %s: engine: %s", code, err.ptr);
		rc = MC_EDB;
		goto done;
	}
	struct auth_actor who = auth_actor_of(req);
	buf_reset(&err);
	rc = dossier_act(db, code, &in, eng.dl, &cx.st, auth_principal(req),
			 wf_now(), &who, &out, &err);
	wf_engine_done(&eng);
	if (rc == MC_ECONFLICT &&
	    own_repeat(db, code, auth_principal(req), a, v)) {
		rc = 0;
		out.version = v + 1;
	}
	if (rc < 0) {
		e.message = arena_strdup(req->arena, err.ptr);
		switch (rc) {
		case MC_ECONFLICT:
			e.status = 409;
			e.code = "conflict";
			e.field = "version";
			e.message = arena_printf(
				req->arena,
				"%s Nội dung bạn vừa nhập vẫn còn trong biểu "
				"mẫu bên dưới; kiểm tra tình trạng mới rồi "
				"gửi lại.",
				err.ptr);
			break;
		case MC_EFORBIDDEN:
			e.status = 403;
			e.code = "forbidden";
			break;
		case MC_EINVALID:
			if (in.assignee_id &&
			    !strncmp(err.ptr, "Người được giao", strlen("Người được giao"))) {
				e.status = 422;
				e.code = "invalid";
				e.field = "assignee";
				break;
			}
			e.status = 409;
			e.code = "not_allowed";
			break;
		case MC_ERANGE:
			e.status = 422;
			e.code = "invalid";
			e.field = "new_due";
			break;
		case MC_ENOTFOUND:
			goto done;
		default:
			log_error("dossier %s %s: %s", code, aname, err.ptr);
			rc = MC_EDB;
			goto done;
		}
		goto fail;
	}
done_ok:
	rc = 0;
	if (req->want_json) {
		mc_time due = out.due_at;
		struct buf iso = BUF_INIT;
		if (due)
			mctime_format_iso(due, &iso);
		json_t *m = json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:s?, s:I, s:b, s:b}", "code",
			code, "action", aname, "from",
			out.from ? dossier_state_name(out.from) : "", "to",
			out.to ? dossier_state_name(out.to) : "", "version",
			(json_int_t)out.version, "due_at",
			due ? iso.ptr : NULL, "event_seq",
			(json_int_t)out.event_seq, "violation", out.violation,
			"replayed", out.replayed);
		buf_release(&iso);
		rc = respond_view(req, res, 200, "dossier", m);
		goto done;
	}
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena,
					   "/mot-cua/ho-so/%s?ok=%s", code,
					   aname));
	goto done;
fail:
	if (req->want_json || !aname) {
		rc = wf_error(req, res, e.status, e.code, e.field, e.message);
	} else {
		rc = page_answer(req, res, db, code, false, e.status,
				 e.message, aname, e.field, typed);
		if (rc == MC_ENOTFOUND)
			rc = MC_ENOTFOUND;
	}
done:
	json_decref(typed);
	input_release(&inp);
	buf_release(&err);
	return rc;
}

/* ---- payments ------------------------------------------------------------ */

int handle_dossier_payment(struct http_request *req,
			   struct http_response *res)
{
	struct db *db;
	struct input inp;
	struct buf err = BUF_INIT;
	const char *code = http_param(req, "code");
	json_t *typed = json_object();
	const char *field = NULL, *msg = NULL;
	int status = 422;
	int rc = app_db(req, &db);
	if (rc) {
		json_decref(typed);
		return rc;
	}
	if (req->method != HTTP_POST) {
		json_t *m = NULL;
		json_decref(typed);
		rc = dossier_payments_list(db, code, &m, &err);
		buf_release(&err);
		if (rc < 0)
			return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
		return respond_view(req, res, 200, "dossier", m);
	}
	input_init(&inp, req);
	const char *amount_s = in_str(&inp, "amount");
	const char *method = in_str(&inp, "method");
	const char *receipt = in_str(&inp, "receipt_no");
	const char *note = in_str(&inp, "note");
	const char *at_s = in_str(&inp, "at");
	mc_time at = 0;
	int64_t amount = 0;
	json_object_set_new(typed, "amount", json_string(amount_s ? amount_s : ""));
	json_object_set_new(typed, "receipt_no",
			    json_string(receipt ? receipt : ""));
	json_object_set_new(typed, "method", json_string(method ? method : ""));
	json_object_set_new(typed, "note", json_string(note ? note : ""));
	json_object_set_new(typed, "at", json_string(at_s ? at_s : ""));
	if (!amount_s || money_parse_dong(amount_s, &amount, &err) < 0 ||
	    amount <= 0) {
		field = "amount";
		msg = "Số tiền: nhập số đồng, ví dụ 50000 hoặc 50.000.";
		goto fail;
	}
	if (!method || (strcmp(method, "cash") && strcmp(method, "transfer"))) {
		field = "method";
		msg = "Hình thức nộp: tiền mặt hoặc chuyển khoản.";
		goto fail;
	}
	if (!receipt || strlen(receipt) > 64) {
		field = "receipt_no";
		msg = "Số biên lai: không được để trống (tối đa 64 ký tự).";
		goto fail;
	}
	if (at_s && mctime_parse(at_s, &at, &err) < 0) {
		field = "at";
		msg = "Thời điểm nộp: nhập ngày và giờ, dạng YYYY-MM-DD HH:MM.";
		goto fail;
	}
	struct dossier_payment_in pin = { .amount = amount, .method = method,
					  .receipt_no = receipt, .note = note,
					  .at = at };
	struct auth_actor who = auth_actor_of(req);
	int64_t id = 0;
	buf_reset(&err);
	rc = dossier_payment_add(db, code, &pin, wf_now(), &who, &id, &err);
	if (rc == MC_EINVALID) {
		/* The repository's reasons start with the field's label. */
		static const struct {
			const char *label, *field;
		} labels[] = { { "Số tiền", "amount" },
			       { "Hình thức nộp", "method" },
			       { "Số biên lai", "receipt_no" },
			       { "Thời điểm nộp", "at" } };
		field = "amount";
		for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
			if (!strncmp(err.ptr, labels[k].label,
				     strlen(labels[k].label)))
				field = labels[k].field;
		msg = arena_strdup(req->arena, err.ptr);
		goto fail;
	}
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("payment %s: %s", code, err.ptr);
		rc = rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
		goto done;
	}
	if (req->want_json) {
		json_t *m = NULL;
		buf_reset(&err);
		if (dossier_payments_list(db, code, &m, &err) < 0) {
			rc = MC_EDB;
			goto done;
		}
		json_object_set_new(m, "id", json_integer(id));
		rc = respond_view(req, res, 201, "dossier", m);
		goto done;
	}
	rc = respond_redirect(req, res, 303,
			      arena_printf(req->arena,
					   "/mot-cua/ho-so/%s?ok=payment", code));
	goto done;
fail:
	if (req->want_json)
		rc = wf_error(req, res, status, "invalid", field, msg);
	else
		rc = page_answer(req, res, db, code, false, status, msg,
				 "payment", field, typed);
done:
	json_decref(typed);
	input_release(&inp);
	buf_release(&err);
	return rc;
}

/* ---- printable forms (Mẫu 02, 03, 04) ------------------------------------ */

/* The heading of a printed sheet: agency, its parent, place and date. */
static json_t *sheet_of(struct http_request *req, struct db *db, json_t *d,
			mc_time at, const char *number)
{
	json_t *u = NULL;
	struct buf err = BUF_INIT;
	const char *unit = json_str(d, "unit_code");
	const char *full = unit, *name = unit;
	struct mc_civil c;
	if (catalog_unit_get(db, unit, &u, &err) == 0) {
		full = arena_strdup(req->arena, json_str(u, "full_name"));
		name = arena_strdup(req->arena, json_str(u, "name"));
	}
	json_decref(u);
	buf_release(&err);
	mctime_to_local(at, &c);
	return json_pack(
		"{s:s, s:s, s:s, s:s}", "agency_parent",
		arena_printf(req->arena, "ỦY BAN NHÂN DÂN %s", full), "agency",
		json_str(json_object_get(d, "desk"), "name"), "number", number,
		"place_date",
		arena_printf(req->arena, "%s, ngày %02d tháng %02d năm %04d",
			     name, c.day, c.month, c.year));
}

/* The dossier part of a printed form (applicant in full). */
static json_t *form_dossier(struct http_request *req, json_t *d)
{
	json_t *a = json_object_get(d, "applicant");
	const char *street = json_str(a, "address_street");
	const char *unit = json_str(a, "address_unit");
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "code",
		json_str(d, "code"), "procedure_name",
		json_str(json_object_get(d, "procedure"), "name"),
		"received_at_text",
		wf_iso_text(req, json_object_get(d, "received_at")),
		"due_at_text", wf_iso_text(req, json_object_get(d, "due_at")),
		"original_due_text",
		wf_iso_text(req, json_object_get(d, "original_due_at")),
		"applicant", "name", json_str(a, "name"), "address",
		arena_printf(req->arena, "%s%s%s", street,
			     *street && *unit ? ", " : "", unit),
		"phone", json_str(a, "phone"), "email", json_str(a, "email"));
}

int handle_dossier_print(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	json_t *d = NULL, *m = NULL;
	const char *code = http_param(req, "code");
	const char *form = http_param(req, "form");
	const char *lan = http_query(req, "lan");
	const char *action, *view, *title, *suffix;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	if (form && !strcmp(form, "02")) {
		action = "request_supplement";
		view = "form02";
		title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ";
		suffix = "HDHS";
	} else if (form && !strcmp(form, "03")) {
		action = "refuse";
		view = "form03";
		title = "Phiếu từ chối giải quyết hồ sơ";
		suffix = "TCGQ";
	} else if (form && !strcmp(form, "04")) {
		action = "apologize";
		view = "form04";
		title = "Phiếu xin lỗi và hẹn lại ngày trả kết quả";
		suffix = "PXL";
	} else {
		return MC_ENOTFOUND;
	}
	struct auth_actor who = auth_actor_of(req);
	rc = dossier_get(db, code, DOSSIER_WITH_PERSONAL | DOSSIER_WITH_EVENTS,
			 wf_now(), &who, &d, &err);
	if (rc < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("print %s: %s", code, err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	buf_release(&err);
	/* The n-th event of that action (?lan=N), else the last one. */
	json_t *ev = NULL;
	int round = 0, want = lan ? (int)strtol(lan, NULL, 10) : 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(d, "events"), i, e)
	{
		if (strcmp(json_str(e, "action"), action))
			continue;
		round++;
		if (!want || round == want)
			ev = e;
		if (want && round == want)
			break;
	}
	if (!ev) {
		json_decref(d);
		return wf_error(req, res, 404, "not_found", "form",
				"Hồ sơ này chưa có phiếu này (chưa có thao "
				"tác tương ứng).");
	}
	if (want && round != want)
		round = want;
	int this_round = 0;
	json_array_foreach(json_object_get(d, "events"), i, e)
	{
		if (!strcmp(json_str(e, "action"), action))
			this_round++;
		if (e == ev)
			break;
	}
	mc_time at = wf_iso_time(json_object_get(ev, "at"));
	json_t *pl = json_object_get(ev, "payload");
	json_t *sheet =
		sheet_of(req, db, d, at,
			 arena_printf(req->arena, "%02d/%s", this_round, suffix));
	json_object_set_new(sheet, "round", json_integer(this_round));
	json_object_set_new(sheet, "second", json_boolean(this_round > 1));
	m = json_pack("{s:s, s:s, s:o, s:o}", "title", title, "back",
		      arena_printf(req->arena, "/mot-cua/ho-so/%s", code),
		      "sheet", sheet, "dossier", form_dossier(req, d));
	json_t *part = json_pack("{s:s, s:s, s:s}", "at_text",
				 wf_time_text(req, at), "by", json_str(ev, "actor"),
				 "reason", json_str(ev, "note"));
	if (!strcmp(action, "request_supplement")) {
		json_t *items = json_array();
		json_t *it;
		size_t k;
		json_array_foreach(json_object_get(pl, "items"), k, it)
			json_array_append_new(
				items,
				json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}",
					  "seq", (int)k + 1, "name",
					  json_is_string(it)
						  ? json_string_value(it)
						  : json_str(it, "name"),
					  "originals", "", "certified", "",
					  "copies", "", "note", ""));
		json_object_set_new(part, "items", items);
		json_object_set_new(
			part, "contact",
			json_string(arena_printf(
				req->arena, "%s (mã hồ sơ %s)",
				json_str(json_object_get(d, "desk"), "name"),
				code)));
		json_object_set_new(m, "request", part);
	} else if (!strcmp(action, "refuse")) {
		json_object_set_new(m, "refusal", part);
	} else {
		mc_time nd = wf_iso_time(json_object_get(pl, "new_due"));
		json_object_set_new(
			part, "new_due_text",
			json_string(nd ? wf_time_text(req, nd)
				       : wf_iso_text(req,
						     json_object_get(d, "due_at"))));
		json_object_set_new(m, "apology", part);
	}
	json_decref(d);
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, view, m);
}

/* ---- the process-control slip --------------------------------------------- */

static const char *class_label(enum deadline_class c)
{
	return c == DL_EARLY ? "Trước hạn" : c == DL_ON_TIME ? "Đúng hạn"
							     : "Quá hạn";
}

/*
 * The slip from the events: for each step, the hand-overs into it (time,
 * giver, taker: the next one who acted on it, else the queue), its
 * allotted due (dossier_step_dues) and the instant the dossier last left
 * it, classified with deadline_classify().
 */
int handle_slip(struct http_request *req, struct http_response *res)
{
	struct db *db;
	struct buf err = BUF_INIT;
	struct page_ctx cx;
	struct wf_engine eng = { 0 };
	json_t *d = NULL, *steps = NULL;
	const char *code = http_param(req, "code");
	mc_time now = wf_now();
	mc_time dues[DOSSIER_MAX_STEPS];
	mc_time left[DOSSIER_MAX_STEPS];
	bool have_dues = false;
	int rc = app_db(req, &db);
	if (rc)
		return rc;
	dossier_settings_default(&cx.st);
	struct auth_actor who = auth_actor_of(req);
	if ((rc = dossier_load(db, code, &cx.row, &cx.ref, &err)) < 0 ||
	    (rc = dossier_get(db, code,
			      DOSSIER_WITH_PERSONAL | DOSSIER_WITH_EVENTS, now,
			      &who, &d, &err)) < 0) {
		if (rc != MC_ENOTFOUND)
			log_error("slip %s: %s", code, err.ptr);
		buf_release(&err);
		return rc == MC_ENOTFOUND ? MC_ENOTFOUND : MC_EDB;
	}
	plan_of(db, &cx.row, &cx.ref, &cx.plan);
	int n = cx.plan.n_steps;
	if (cx.row.received_at &&
	    wf_engine_get(db, json_str(json_object_get(d, "desk"), "unit_code"),
			  &eng, &err) == 0) {
		struct deadline_pause ps[DOSSIER_MAX_PAUSES];
		int np = row_pauses(&cx.row, now, ps);
		have_dues = dossier_step_dues(eng.dl, &cx.plan,
					      cx.row.received_at, &cx.row.dur,
					      ps, np, dues, &err) == 0;
	}
	wf_engine_done(&eng);
	steps = json_array();
	json_t *handovers[DOSSIER_MAX_STEPS];
	const char *notes[DOSSIER_MAX_STEPS];
	for (int s = 0; s < n; s++) {
		handovers[s] = json_array();
		left[s] = 0;
		notes[s] = "";
	}
	/* Walk the events: track the step; a step change is a hand-over. */
	json_t *events = json_object_get(d, "events");
	int cur = -1, n_hand = 0;
	json_t *pending = NULL;	/* the last hand-over, taker unknown yet */
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		json_t *js = json_object_get(ev, "step");
		int to = json_is_integer(js) ? (int)json_integer_value(js) : -1;
		mc_time at = wf_iso_time(json_object_get(ev, "at"));
		const char *actor = json_str(ev, "actor");
		if (pending && to == cur) {
			/* The first one acting on the step took it. */
			json_object_set_new(pending, "to", json_string(actor));
			pending = NULL;
		}
		if (cur >= 0 && cur < n && to != cur) {
			left[cur] = at;	/* the dossier left step cur */
			if (strcmp(json_str(ev, "note"), "") &&
			    !strcmp(json_str(ev, "action"), "send_back"))
				notes[cur] = arena_printf(req->arena,
							  "Trả lại: %s",
							  json_str(ev, "note"));
		}
		if (to >= 0 && to < n && to != cur) {
			const char *kind = cur < 0 ? "Tiếp nhận" : "Giao";
			json_t *h = json_pack(
				"{s:i, s:s, s:s, s:s, s:s, s:s}", "no",
				++n_hand, "at_text",
				arena_printf(req->arena, "%s", wf_time_text(req, at)),
				"kind", kind, "from",
				cur < 0 ? "Người nộp hồ sơ" : actor, "to",
				cur < 0 ? actor
					: authz_role_label(cx.plan.steps[to].role),
				"note", json_str(ev, "note"));
			json_array_append_new(handovers[to], h);
			pending = cur < 0 ? NULL : h;
			cur = to;
		}
	}
	if (dossier_state_closed(cx.row.state) && cur >= 0 && cur < n &&
	    !left[cur])
		left[cur] = cx.row.closed_at;
	for (int s = 0; s < n; s++) {
		const char *cls = "", *cls_label = "";
		if (have_dues && left[s]) {
			enum deadline_class c = deadline_classify(dues[s], left[s]);
			cls = deadline_class_name(c);
			cls_label = class_label(c);
		} else if (have_dues && s == cur && !left[s]) {
			cls = now > dues[s] ? "late" : "";
			cls_label = now > dues[s] ? "Quá hạn (chưa xong)"
						  : "Đang xử lý";
		}
		json_array_append_new(
			steps,
			json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
				  "no", s + 1, "name", cx.plan.steps[s].name,
				  "role_label",
				  authz_role_label(cx.plan.steps[s].role),
				  "due_text",
				  have_dues ? wf_time_text(req, dues[s]) : "",
				  "done_text", wf_time_text(req, left[s]), "cls",
				  cls, "cls_label", cls_label, "note", notes[s],
				  "handovers", handovers[s]));
	}
	json_t *a = json_object_get(d, "applicant");
	const char *clsd = json_str(d, "classification");
	json_t *m = json_pack(
		"{s:s, s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:o}",
		"title", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "back",
		arena_printf(req->arena, "/mot-cua/ho-so/%s", code), "sheet",
		sheet_of(req, db, d, now,
			 arena_printf(req->arena, "%s/PKS", code)),
		"dossier", "code", code, "procedure_name",
		json_str(json_object_get(d, "procedure"), "name"), "applicant_name",
		json_str(a, "name"), "received_at_text",
		wf_iso_text(req, json_object_get(d, "received_at")),
		"due_at_text", wf_iso_text(req, json_object_get(d, "due_at")),
		"state_label", json_str(d, "state_label"), "steps", steps);
	if (*clsd)
		json_object_set_new(
			json_object_get(m, "dossier"), "class_label",
			json_string(!strcmp(clsd, "early")     ? "Trước hạn"
				    : !strcmp(clsd, "on_time") ? "Đúng hạn"
							       : "Quá hạn"));
	json_decref(d);
	buf_release(&err);
	respond_cache(req, res, 0);
	return respond_view(req, res, 200, "slip", m);
}
