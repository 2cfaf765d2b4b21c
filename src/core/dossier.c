/*
 * dossier.c - the dossier state machine: the transition table, the checks
 * with their reasons, the fold of events into the derived row, step plans
 * and the due/classification helpers. Pure (core/): no I/O, no clock.
 * Rules and their sources: dossier.h and docs/dossier.md.
 */
#include "core/dossier.h"

#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

#define B(s) (1u << (s))
#define S_OPEN_WORK (B(DS_RECEIVED) | B(DS_IN_PROGRESS))
#define S_RUNNING                                                        \
	(B(DS_RECEIVED) | B(DS_IN_PROGRESS) | B(DS_SUPPLEMENT_REQUESTED) | \
	 B(DS_PAUSED))
/* (online) an online dossier not accepted yet: submitted, or waiting for
 * the supplement asked before acceptance (resume_state submitted) */
#define S_NOT_ACCEPTED (B(DS_SUBMITTED) | B(DS_SUPPLEMENT_REQUESTED))

static const struct dossier_rule rules[DA__COUNT] = {
	[DA_SUBMIT] = { DA_SUBMIT, B(DS_NONE), true, false,
			ACT_DOSSIER_RECEIVE, DC_NONE },
	[DA_RECEIVE] = { DA_RECEIVE, B(DS_NONE), true, false,
			 ACT_DOSSIER_RECEIVE, DC_START },
	[DA_REFUSE_INTAKE] = { DA_REFUSE_INTAKE, B(DS_NONE), true, false,
			       ACT_DOSSIER_RECEIVE, DC_NONE },
	[DA_ACCEPT] = { DA_ACCEPT, B(DS_SUBMITTED), false, false,
			ACT_DOSSIER_RECEIVE, DC_START },
	/* (online) also while an online dossier waits for its supplement
	 * before acceptance (check(): only when resume_state is submitted) */
	[DA_REJECT] = { DA_REJECT, S_NOT_ACCEPTED, false, false,
			ACT_DOSSIER_RECEIVE, DC_NONE },
	[DA_WITHDRAW] = { DA_WITHDRAW, S_NOT_ACCEPTED, false, false,
			  ACT_DOSSIER_RECEIVE, DC_NONE },
	[DA_FORWARD] = { DA_FORWARD, S_OPEN_WORK, false, true,
			 ACT_DOSSIER_PROCESS, DC_NONE },
	[DA_SEND_BACK] = { DA_SEND_BACK, B(DS_IN_PROGRESS), false, true,
			   ACT_DOSSIER_PROCESS, DC_NONE },
	/* NĐ 61/2018 art. 15 cl. 3, art. 19 cl. 4; QĐ 766 ind. 2.1.
	 * (online) Also from submitted: an online dossier found incomplete
	 * before acceptance gets "hướng dẫn cụ thể, đầy đủ một lần" (NĐ 61
	 * art. 17 cl. 2 / NĐ 118 art. 17 cl. 2); the clock is not running,
	 * so there is no pause and it is not counted in supplement_count. */
	[DA_REQUEST_SUPPLEMENT] = { DA_REQUEST_SUPPLEMENT,
				    S_OPEN_WORK | B(DS_SUBMITTED), false,
				    true, ACT_DOSSIER_PROCESS,
				    DC_PAUSE_START },
	/* NĐ 61/2018 art. 5: supplements go through the desk */
	[DA_RECEIVE_SUPPLEMENT] = { DA_RECEIVE_SUPPLEMENT,
				    B(DS_SUPPLEMENT_REQUESTED), false, false,
				    ACT_DOSSIER_RECEIVE, DC_PAUSE_END },
	/* NĐ 61/2018 art. 19 cl. 8 (Mẫu 03) */
	[DA_REFUSE] = { DA_REFUSE, S_RUNNING, false, false,
			ACT_DOSSIER_APPROVE, DC_END },
	/* NĐ 61/2018 art. 19 cl. 9, TT 03/2025 Mẫu 04 */
	[DA_APOLOGIZE] = { DA_APOLOGIZE, S_RUNNING, false, false,
			   ACT_DOSSIER_APPROVE, DC_NEW_DUE },
	/* NĐ 07/2025 (amending NĐ 123/2015): verification does not count */
	[DA_PAUSE] = { DA_PAUSE, S_OPEN_WORK, false, true, ACT_DOSSIER_PROCESS,
		       DC_PAUSE_START },
	[DA_RESUME] = { DA_RESUME, B(DS_PAUSED), false, true,
			ACT_DOSSIER_PROCESS, DC_PAUSE_END },
	/* TT 03/2025 art. 7, NĐ 118/2025 art. 21 */
	[DA_STOP] = { DA_STOP, S_RUNNING, false, false, ACT_DOSSIER_RECEIVE,
		      DC_END },
	[DA_RECORD_RESULT] = { DA_RECORD_RESULT, S_OPEN_WORK, false, true,
			       ACT_DOSSIER_APPROVE, DC_END },
	[DA_RETURN] = { DA_RETURN, B(DS_RESULT_READY), false, false,
			ACT_DOSSIER_RETURN, DC_NONE },
};

static const char *const state_names[DS__COUNT] = {
	"none", "submitted", "received", "in_progress",
	"supplement_requested", "paused", "result_ready", "returned",
	"refused_at_intake", "refused", "stopped", "withdrawn",
};
static const char *const state_labels[DS__COUNT] = {
	"Chưa tạo", "Chờ tiếp nhận (trực tuyến)", "Đã tiếp nhận",
	"Đang xử lý", "Chờ bổ sung", "Tạm dừng (xác minh)",
	"Đã có kết quả, chờ trả", "Đã trả kết quả",
	"Từ chối tiếp nhận", "Từ chối giải quyết", "Dừng giải quyết",
	"Đã rút hồ sơ",
};
static const char *const action_names[DA__COUNT] = {
	"submit", "receive", "refuse_intake", "accept", "reject", "withdraw",
	"forward", "send_back", "request_supplement", "receive_supplement",
	"refuse", "apologize", "pause", "resume", "stop", "record_result",
	"return",
};
static const char *const action_labels[DA__COUNT] = {
	"Nộp trực tuyến", "Tiếp nhận", "Từ chối tiếp nhận",
	"Tiếp nhận hồ sơ trực tuyến", "Từ chối hồ sơ trực tuyến",
	"Rút hồ sơ", "Chuyển bước", "Trả lại bước trước", "Yêu cầu bổ sung",
	"Nhận bổ sung", "Từ chối giải quyết", "Xin lỗi và hẹn lại",
	"Tạm dừng để xác minh", "Tiếp tục xử lý", "Dừng giải quyết",
	"Ghi kết quả", "Trả kết quả",
};
/* The verb inside a reason: "không thể <verb>". */
static const char *const action_verbs[DA__COUNT] = {
	"nộp trực tuyến", "tiếp nhận", "từ chối tiếp nhận",
	"tiếp nhận hồ sơ trực tuyến", "từ chối hồ sơ trực tuyến",
	"rút hồ sơ", "chuyển bước", "trả lại bước trước", "yêu cầu bổ sung",
	"nhận bổ sung", "từ chối giải quyết", "xin lỗi và hẹn lại",
	"tạm dừng để xác minh", "tiếp tục xử lý", "dừng giải quyết",
	"ghi kết quả", "trả kết quả",
};

const char *dossier_state_name(enum dossier_state s)
{
	if ((unsigned)s >= DS__COUNT)
		BUG("bad dossier state %d", (int)s);
	return state_names[s];
}

const char *dossier_state_label(enum dossier_state s)
{
	if ((unsigned)s >= DS__COUNT)
		BUG("bad dossier state %d", (int)s);
	return state_labels[s];
}

const char *dossier_action_name(enum dossier_action a)
{
	if ((unsigned)a >= DA__COUNT)
		BUG("bad dossier action %d", (int)a);
	return action_names[a];
}

const char *dossier_action_label(enum dossier_action a)
{
	if ((unsigned)a >= DA__COUNT)
		BUG("bad dossier action %d", (int)a);
	return action_labels[a];
}

const char *dossier_channel_name(enum dossier_channel c)
{
	switch (c) {
	case DCH_COUNTER: return "truc_tiep";
	case DCH_ONLINE: return "truc_tuyen";
	case DCH_POST: return "buu_chinh";
	}
	BUG("bad channel %d", (int)c);
}

const char *dossier_channel_label(enum dossier_channel c)
{
	switch (c) {
	case DCH_COUNTER: return "Trực tiếp";
	case DCH_ONLINE: return "Trực tuyến";
	case DCH_POST: return "Bưu chính công ích";
	}
	BUG("bad channel %d", (int)c);
}

int dossier_state_parse(const char *s, enum dossier_state *out,
			struct buf *err)
{
	for (int i = 0; i < DS__COUNT; i++)
		if (s && !strcmp(s, state_names[i])) {
			*out = (enum dossier_state)i;
			return 0;
		}
	if (err)
		buf_setf(err, "trạng thái không hợp lệ: \"%s\"", s ? s : "");
	return MC_EINVALID;
}

int dossier_action_parse(const char *s, enum dossier_action *out,
			 struct buf *err)
{
	for (int i = 0; i < DA__COUNT; i++)
		if (s && !strcmp(s, action_names[i])) {
			*out = (enum dossier_action)i;
			return 0;
		}
	if (err)
		buf_setf(err, "thao tác không hợp lệ: \"%s\"", s ? s : "");
	return MC_EINVALID;
}

int dossier_channel_parse(const char *s, enum dossier_channel *out,
			  struct buf *err)
{
	static const enum dossier_channel all[] = { DCH_COUNTER, DCH_ONLINE,
						    DCH_POST };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (s && !strcmp(s, dossier_channel_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	if (err)
		buf_setf(err, "kênh nộp không hợp lệ: \"%s\"", s ? s : "");
	return MC_EINVALID;
}

bool dossier_state_closed(enum dossier_state s)
{
	return s == DS_RETURNED || s == DS_REFUSED_AT_INTAKE ||
	       s == DS_REFUSED || s == DS_STOPPED || s == DS_WITHDRAWN;
}

const struct dossier_rule *dossier_rule(enum dossier_action a)
{
	if ((unsigned)a >= DA__COUNT)
		BUG("bad dossier action %d", (int)a);
	return &rules[a];
}

void dossier_settings_default(struct dossier_settings *s)
{
	memset(s, 0, sizeof *s);
	s->supplement_clock = DSC_PAUSE;
	s->apology_lead = 0;
	s->allow_second_supplement = true;
	s->code_seq_digits = 4;
}

/* ---- plans --------------------------------------------------------------- */

static void step_set(struct dossier_step *st, const char *name, enum role r,
		     int w)
{
	memset(st, 0, sizeof *st);
	size_t n = strlen(name);
	if (n >= sizeof st->name)
		BUG("step name too long");
	memcpy(st->name, name, n + 1);
	st->role = r;
	st->weight = w;
}

void dossier_plan_default(const struct duration *dur, struct dossier_plan *out)
{
	memset(out, 0, sizeof *out);
	out->is_default = true;
	if (dur && (dur->unit == DUR_SAME_DAY ||
		    (dur->unit == DUR_WORKING_HOURS && dur->amount <= 4))) {
		/* Same day: one sitting at the desk, still step by step. */
		out->n_steps = 3;
		step_set(&out->steps[0], "Tiếp nhận hồ sơ", ROLE_RECEIVER, 0);
		step_set(&out->steps[1], "Xử lý tại quầy", ROLE_RECEIVER, 85);
		step_set(&out->steps[2], "Trả kết quả", ROLE_RECEIVER, 15);
		return;
	}
	out->n_steps = 4;
	step_set(&out->steps[0], "Tiếp nhận hồ sơ", ROLE_RECEIVER, 0);
	step_set(&out->steps[1], "Thẩm định, xử lý hồ sơ", ROLE_SPECIALIST,
		 60);
	step_set(&out->steps[2], "Phê duyệt kết quả", ROLE_LEADER, 25);
	step_set(&out->steps[3], "Trả kết quả", ROLE_RECEIVER, 15);
}

int dossier_plan_check(const struct dossier_plan *p, struct buf *err)
{
	int64_t total = 0;
	if (p->n_steps < 2 || p->n_steps > DOSSIER_MAX_STEPS) {
		buf_setf(err, "Quy trình phải có từ 2 đến %d bước",
			 DOSSIER_MAX_STEPS);
		return MC_EINVALID;
	}
	for (int i = 0; i < p->n_steps; i++) {
		const struct dossier_step *st = &p->steps[i];
		size_t n = strnlen(st->name, sizeof st->name);
		if (n == 0) {
			buf_setf(err, "Bước %d: tên không được để trống",
				 i + 1);
			return MC_EINVALID;
		}
		if (n >= sizeof st->name) {
			buf_setf(err, "Bước %d: tên quá dài", i + 1);
			return MC_EINVALID;
		}
		if ((unsigned)st->role >= ROLE__COUNT) {
			buf_setf(err, "Bước %d: vai trò không hợp lệ", i + 1);
			return MC_EINVALID;
		}
		if (st->weight < 0 || st->weight > 10000) {
			buf_setf(err,
				 "Bước %d: tỷ trọng thời gian phải từ 0 đến "
				 "10000",
				 i + 1);
			return MC_EINVALID;
		}
		total += st->weight;
	}
	if (total == 0) {
		buf_setf(err, "Quy trình: tổng tỷ trọng thời gian phải lớn "
			      "hơn 0");
		return MC_EINVALID;
	}
	if (p->steps[0].role != ROLE_RECEIVER ||
	    p->steps[p->n_steps - 1].role != ROLE_RECEIVER) {
		buf_setf(err, "Bước đầu (tiếp nhận) và bước cuối (trả kết "
			      "quả) phải do cán bộ một cửa thực hiện");
		return MC_EINVALID;
	}
	return 0;
}

int dossier_due(const struct deadline *dl, mc_time received_at,
		const struct duration *dur,
		const struct deadline_pause *pauses, int n_pauses,
		mc_time *due, struct buf *err)
{
	struct deadline_req r;
	memset(&r, 0, sizeof r);
	r.received = received_at;
	r.dur = *dur;
	r.pauses = pauses;
	r.n_pauses = n_pauses;
	return deadline_due(dl, &r, due, err);
}

int dossier_step_dues(const struct deadline *dl, const struct dossier_plan *p,
		      mc_time received_at, const struct duration *dur,
		      const struct deadline_pause *pauses, int n_pauses,
		      mc_time *dues, struct buf *err)
{
	struct deadline_req r;
	int w[DOSSIER_MAX_STEPS];
	memset(&r, 0, sizeof r);
	r.received = received_at;
	r.dur = *dur;
	r.pauses = pauses;
	r.n_pauses = n_pauses;
	for (int i = 0; i < p->n_steps; i++)
		w[i] = p->steps[i].weight;
	return deadline_split(dl, &r, w, p->n_steps, dues, err);
}

/* ---- the row ------------------------------------------------------------- */

void dossier_init(struct dossier *d)
{
	memset(d, 0, sizeof *d);
	d->state = DS_NONE;
	d->resume_state = DS_NONE;
	d->step = -1;
	d->queue_role = ROLE_RECEIVER;
}

void dossier_event_init(struct dossier_event *e)
{
	memset(e, 0, sizeof *e);
	e->to_step = -1;
	e->step = -1;
	e->queue_role = ROLE_RECEIVER;
}

enum action dossier_role_action(enum role r)
{
	switch (r) {
	case ROLE_RECEIVER: return ACT_DOSSIER_RECEIVE;
	case ROLE_SPECIALIST: return ACT_DOSSIER_PROCESS;
	default: return ACT_DOSSIER_APPROVE;
	}
}

bool dossier_action_assignable(enum dossier_action a)
{
	return a == DA_FORWARD || a == DA_SEND_BACK;
}

enum action dossier_needed_action(const struct dossier *d,
				  enum dossier_action a)
{
	const struct dossier_rule *r = dossier_rule(a);
	if (!r->by_step_role)
		return r->needs;
	/* While waiting for a supplement the queue is the desk's; the step
	 * (and its role) is the one the dossier resumes at. */
	return dossier_role_action(d->queue_role);
}

static bool pause_open(const struct dossier *d)
{
	return d->n_pauses > 0 && d->pauses[d->n_pauses - 1].end == 0;
}

/* The reason an action is not allowed in the dossier's state. */
static void state_reason(const struct dossier *d, enum dossier_action a,
			 struct buf *err)
{
	const char *verb = action_verbs[a];
	switch (d->state) {
	case DS_NONE:
		buf_setf(err, "Hồ sơ chưa được tạo: không thể %s", verb);
		break;
	case DS_SUBMITTED:
		buf_setf(err, "Hồ sơ trực tuyến chưa được tiếp nhận: không "
			      "thể %s", verb);
		break;
	case DS_RECEIVED:
		if (a == DA_SEND_BACK)
			buf_setf(err, "Hồ sơ đang ở bước tiếp nhận: không có "
				      "bước trước để trả lại");
		else if (a == DA_RESUME)
			buf_setf(err, "Hồ sơ không tạm dừng: không thể %s",
				 verb);
		else
			buf_setf(err, "Hồ sơ đã được tiếp nhận: không thể %s",
				 verb);
		break;
	case DS_IN_PROGRESS:
		if (a == DA_RESUME)
			buf_setf(err, "Hồ sơ không tạm dừng: không thể %s",
				 verb);
		else if (a == DA_RECEIVE_SUPPLEMENT)
			buf_setf(err, "Hồ sơ không chờ bổ sung: không thể %s",
				 verb);
		else
			buf_setf(err, "Hồ sơ đang xử lý: không thể %s", verb);
		break;
	case DS_SUPPLEMENT_REQUESTED:
		buf_setf(err, "Hồ sơ đang chờ bổ sung: không thể %s", verb);
		break;
	case DS_PAUSED:
		buf_setf(err, "Hồ sơ đang tạm dừng để xác minh: không thể %s",
			 verb);
		break;
	case DS_RESULT_READY:
		if (a == DA_STOP)
			buf_setf(err, "Hồ sơ đã có kết quả giải quyết: không "
				      "thể dừng giải quyết (TT 03/2025/TT-VPCP "
				      "điều 7)");
		else
			buf_setf(err, "Hồ sơ đã có kết quả, chờ trả: không "
				      "thể %s", verb);
		break;
	default:
		buf_setf(err, "Hồ sơ đã kết thúc (%s): không thể %s",
			 state_labels[d->state], verb);
		break;
	}
}

/* The checks of dossier_check(); `e` NULL: the action alone. */
static int check(const struct dossier *d, const struct dossier_settings *s,
		 enum dossier_action a, const struct dossier_event *e,
		 struct buf *err)
{
	const struct dossier_rule *r = dossier_rule(a);
	if (!(r->from & B(d->state))) {
		if (r->creates)
			buf_setf(err, "Hồ sơ đã tồn tại: không thể %s",
				 action_verbs[a]);
		else
			state_reason(d, a, err);
		return MC_EINVALID;
	}
	/* (online) Waiting for a supplement asked before acceptance: the
	 * dossier was never received, so only the online desk's actions
	 * apply (receive the supplement, reject, withdraw). */
	bool pre = d->state == DS_SUPPLEMENT_REQUESTED &&
		   d->resume_state == DS_SUBMITTED;
	if (d->state == DS_SUPPLEMENT_REQUESTED && !pre &&
	    (a == DA_REJECT || a == DA_WITHDRAW)) {
		state_reason(d, a, err);
		return MC_EINVALID;
	}
	if (pre && a != DA_RECEIVE_SUPPLEMENT && a != DA_REJECT &&
	    a != DA_WITHDRAW) {
		buf_setf(err, "Hồ sơ trực tuyến chưa được tiếp nhận, đang chờ "
			      "công dân bổ sung: không thể %s",
			 action_verbs[a]);
		return MC_EINVALID;
	}
	switch (a) {
	case DA_SUBMIT:
	case DA_RECEIVE:
	case DA_REFUSE_INTAKE:
		if (e && (e->n_steps < 2 || e->n_steps > DOSSIER_MAX_STEPS)) {
			buf_setf(err, "Quy trình của thủ tục không hợp lệ "
				      "(%d bước)", e->n_steps);
			return MC_EINVALID;
		}
		break;
	case DA_FORWARD:
		if (d->step + 1 > d->n_steps - 2) {
			buf_setf(err, "Hồ sơ đang ở bước xử lý cuối: hãy ghi "
				      "kết quả giải quyết thay vì chuyển bước");
			return MC_EINVALID;
		}
		break;
	case DA_SEND_BACK:
		if (e && (e->to_step < 0 || e->to_step >= d->step)) {
			buf_setf(err, "Bước trả lại phải là một bước trước "
				      "bước hiện tại (bước %d)", d->step + 1);
			return MC_EINVALID;
		}
		break;
	case DA_REQUEST_SUPPLEMENT:
		/* (online) before acceptance: no clock, nothing to count */
		if (d->state == DS_SUBMITTED)
			break;
		/* NĐ 61/2018 art. 15 cl. 3: "bổ sung một lần"; a second
		 * request is a violation (QĐ 766 ind. 2.1: late). */
		if (d->supplement_count >= 1 && !s->allow_second_supplement) {
			buf_setf(err, "Đã yêu cầu bổ sung một lần (NĐ 61/2018 "
				      "điều 15 khoản 3): không yêu cầu bổ sung "
				      "lần hai");
			return MC_EINVALID;
		}
		/* fall through */
	case DA_PAUSE:
		if (d->n_pauses >= DOSSIER_MAX_PAUSES) {
			buf_setf(err, "Hồ sơ đã tạm dừng quá %d lần",
				 DOSSIER_MAX_PAUSES);
			return MC_EINVALID;
		}
		if (e && d->n_pauses > 0 &&
		    e->at < d->pauses[d->n_pauses - 1].end) {
			buf_setf(err, "Thời điểm tạm dừng trước lần tạm dừng "
				      "trước");
			return MC_EINVALID;
		}
		break;
	case DA_RECEIVE_SUPPLEMENT:
	case DA_RESUME:
		if (e && pause_open(d) &&
		    e->at < d->pauses[d->n_pauses - 1].start) {
			buf_setf(err, "Thời điểm kết thúc tạm dừng trước khi "
				      "bắt đầu");
			return MC_EINVALID;
		}
		break;
	case DA_APOLOGIZE:
		/* NĐ 61/2018 art. 19 cl. 9: at most once, before the due. */
		if (d->apology_used) {
			buf_setf(err, "Đã xin lỗi và hẹn lại một lần (NĐ "
				      "61/2018 điều 19 khoản 9): không hẹn lại "
				      "lần nữa");
			return MC_EINVALID;
		}
		if (e && e->at > d->due_at - s->apology_lead) {
			if (s->apology_lead > 0)
				buf_setf(err, "Đã quá thời hạn xin lỗi: phải "
					      "gửi chậm nhất %lld giờ trước "
					      "hạn trả kết quả",
					 (long long)(s->apology_lead / 3600));
			else
				buf_setf(err, "Đã quá hạn trả kết quả: văn "
					      "bản xin lỗi phải gửi trước hạn");
			return MC_EINVALID;
		}
		if (e && e->new_due <= d->due_at) {
			buf_setf(err, "Ngày hẹn trả mới phải sau ngày hẹn "
				      "hiện tại");
			return MC_EINVALID;
		}
		break;
	case DA_RECORD_RESULT:
		if (d->step != d->n_steps - 2) {
			buf_setf(err, "Chỉ ghi kết quả ở bước xử lý cuối "
				      "(bước %d)", d->n_steps - 1);
			return MC_EINVALID;
		}
		break;
	default:
		break;
	}
	return 0;
}

int dossier_check(const struct dossier *d, const struct dossier_settings *s,
		  const struct dossier_event *e, struct buf *err)
{
	if ((unsigned)e->action >= DA__COUNT)
		BUG("bad dossier action %d", (int)e->action);
	return check(d, s, e->action, e, err);
}

bool dossier_allowed(const struct dossier *d, const struct dossier_settings *s,
		     enum dossier_action a)
{
	struct buf tmp = BUF_INIT;
	int rc = check(d, s, a, NULL, &tmp);
	buf_release(&tmp);
	return rc == 0;
}

/* ---- due computations ---------------------------------------------------- */

/* The pauses of d, with the open one closed at `at` (copied into out). */
static int pauses_closed_at(const struct dossier *d, mc_time at,
			    struct deadline_pause *out)
{
	int n = d->n_pauses;
	memcpy(out, d->pauses, sizeof(out[0]) * (size_t)n);
	if (n > 0 && out[n - 1].end == 0)
		out[n - 1].end = at;
	return n;
}

/*
 * Due, original due and approaching instant for a clock started at
 * `start` (restart `restart` when not 0) with the given pauses.
 */
static int compute_dues(const struct deadline *dl, mc_time start,
			mc_time restart, const struct duration *dur,
			const struct deadline_pause *pauses, int n_pauses,
			mc_time *due, mc_time *approach, struct buf *err)
{
	struct deadline_req r;
	mc_time dues[2];
	int w[2];
	int rc;
	if (!dl) {
		buf_setf(err, "thiếu lịch làm việc của bộ phận để tính hạn");
		return MC_EINVALID;
	}
	memset(&r, 0, sizeof r);
	r.received = start;
	r.dur = *dur;
	r.pauses = pauses;
	r.n_pauses = n_pauses;
	if (restart) {
		r.has_restart = true;
		r.restart = restart;
	}
	rc = deadline_due(dl, &r, due, err);
	if (rc)
		return rc;
	w[1] = dl->pol.approach_permille;
	w[0] = 1000 - w[1];
	if (w[0] < 0 || w[1] <= 0 ||
	    deadline_split(dl, &r, w, 2, dues, NULL) != 0)
		*approach = *due;
	else
		*approach = dues[0];
	return 0;
}

static void set_queue(const struct dossier_plan *p, int step,
		      struct dossier_event *e)
{
	e->step = step;
	if (step >= 0 && step < p->n_steps) {
		e->queue_role = p->steps[step].role;
		e->assignee_id = p->steps[step].assignee_id;
	} else {
		e->queue_role = ROLE_RECEIVER;
		e->assignee_id = 0;
	}
}

int dossier_prepare(const struct dossier *d, const struct dossier_settings *s,
		    const struct dossier_plan *p, const struct deadline *dl,
		    struct dossier_event *e, struct buf *err)
{
	struct deadline_pause ps[DOSSIER_MAX_PAUSES];
	int n, rc;
	rc = dossier_check(d, s, e, err);
	if (rc)
		return rc;
	e->due_at = e->original_due_at = e->approach_at = 0;
	switch (e->action) {
	case DA_SUBMIT:
		e->n_steps = p->n_steps;
		set_queue(p, 0, e);
		break;
	case DA_RECEIVE:
		e->n_steps = p->n_steps;
		/* fall through */
	case DA_ACCEPT:
		set_queue(p, 0, e);
		rc = compute_dues(dl, e->at, 0,
				  e->action == DA_ACCEPT ? &d->dur : &e->dur,
				  NULL, 0, &e->due_at, &e->approach_at, err);
		if (rc)
			return rc;
		e->original_due_at = e->due_at;
		break;
	case DA_REFUSE_INTAKE:
		e->n_steps = p->n_steps;
		set_queue(p, -1, e);
		break;
	case DA_FORWARD:
		set_queue(p, d->step + 1, e);
		break;
	case DA_SEND_BACK:
		set_queue(p, e->to_step, e);
		break;
	case DA_REQUEST_SUPPLEMENT:
		/* The dossier waits at the desk for the applicant. */
		e->step = d->step;
		e->queue_role = ROLE_RECEIVER;
		e->assignee_id = 0;
		break;
	case DA_PAUSE:
		e->step = d->step;
		e->queue_role = d->queue_role;
		e->assignee_id = d->assignee_id;
		break;
	case DA_RECEIVE_SUPPLEMENT:
	case DA_RESUME: {
		mc_time restart = d->restart_at;
		set_queue(p, d->step, e);
		/* (online) back to submitted: the clock never ran */
		if (d->resume_state == DS_SUBMITTED)
			break;
		n = pauses_closed_at(d, e->at, ps);
		/* NĐ 61/2018 art. 19 cl. 4 (setting): counted again from
		 * the receipt of the complete dossier. */
		if (e->action == DA_RECEIVE_SUPPLEMENT &&
		    s->supplement_clock == DSC_RESTART)
			restart = e->at;
		rc = compute_dues(dl, d->received_at, restart, &d->dur, ps, n,
				  &e->original_due_at, &e->approach_at, err);
		if (rc)
			return rc;
		/* After an apology the promised date stands (the applicant
		 * was told it in writing); the original due still moves. */
		if (d->apology_used) {
			e->due_at = d->due_at;
			e->approach_at = d->approach_at;
		} else {
			e->due_at = e->original_due_at;
		}
		break;
	}
	case DA_APOLOGIZE:
		e->step = d->step;
		e->queue_role = d->queue_role;
		e->assignee_id = d->assignee_id;
		e->due_at = e->new_due;
		/* approaching as long before the new date as before the old */
		e->approach_at = e->new_due - (d->due_at - d->approach_at);
		break;
	case DA_RECORD_RESULT:
		set_queue(p, d->n_steps - 1, e);
		break;
	default: /* closing actions */
		set_queue(p, -1, e);
		break;
	}
	return 0;
}

/* ---- the fold ------------------------------------------------------------ */

enum deadline_class dossier_classify(const struct dossier *d, mc_time finished)
{
	/* QĐ 766 ind. 2.1: more than one supplement request counts late. */
	if (d->violation)
		return DL_LATE;
	return deadline_classify(d->original_due_at, finished);
}

static void close_pause(struct dossier *d, mc_time at)
{
	if (pause_open(d))
		d->pauses[d->n_pauses - 1].end = at;
}

static void open_pause(struct dossier *d, mc_time at)
{
	d->pauses[d->n_pauses].start = at;
	d->pauses[d->n_pauses].end = 0;
	d->n_pauses++;
	d->resume_state = d->state;
}

static void take_dues(struct dossier *d, const struct dossier_event *e)
{
	if (e->due_at)
		d->due_at = e->due_at;
	if (e->original_due_at)
		d->original_due_at = e->original_due_at;
	if (e->approach_at)
		d->approach_at = e->approach_at;
}

static void take_step(struct dossier *d, const struct dossier_event *e)
{
	d->step = e->step;
	d->queue_role = e->queue_role;
	d->assignee_id = e->assignee_id;
}

/* Ends processing at `at` (refusal, stop): the clock stopped at the start
 * of an open pause (QĐ 766: measured at the request time). */
static void finish(struct dossier *d, enum dossier_state to, mc_time at)
{
	mc_time clock_end = at;
	if (pause_open(d))
		clock_end = d->pauses[d->n_pauses - 1].start;
	close_pause(d, at);
	d->state = to;
	d->finished_at = at;
	d->closed_at = at;
	d->has_class = true;
	d->cls = dossier_classify(d, clock_end);
	d->step = -1;
	d->assignee_id = 0;
}

int dossier_apply(struct dossier *d, const struct dossier_settings *s,
		  const struct dossier_event *e, struct buf *err)
{
	int rc = dossier_check(d, s, e, err);
	if (rc)
		return rc;
	switch (e->action) {
	case DA_SUBMIT:
		d->state = DS_SUBMITTED;
		d->submitted_at = e->at;
		d->dur = e->dur;
		d->n_steps = e->n_steps;
		take_step(d, e);
		break;
	case DA_RECEIVE:
		d->dur = e->dur;
		d->n_steps = e->n_steps;
		/* fall through */
	case DA_ACCEPT:
		d->state = DS_RECEIVED;
		d->received_at = e->at;
		take_step(d, e);
		take_dues(d, e);
		break;
	case DA_REFUSE_INTAKE:
		d->dur = e->dur;
		d->n_steps = e->n_steps;
		/* fall through */
	case DA_REJECT:
	case DA_WITHDRAW:
		if (d->state == DS_SUPPLEMENT_REQUESTED)
			d->resume_state = DS_NONE;	/* (online) */
		d->state = e->action == DA_WITHDRAW ? DS_WITHDRAWN
						    : DS_REFUSED_AT_INTAKE;
		d->finished_at = d->closed_at = e->at;
		d->step = -1;
		d->assignee_id = 0;
		break;
	case DA_FORWARD:
	case DA_SEND_BACK:
		take_step(d, e);
		d->state = d->step == 0 ? DS_RECEIVED : DS_IN_PROGRESS;
		break;
	case DA_REQUEST_SUPPLEMENT:
		if (d->state == DS_SUBMITTED) {
			/* (online) before acceptance: no pause, not counted */
			d->resume_state = DS_SUBMITTED;
			d->state = DS_SUPPLEMENT_REQUESTED;
			take_step(d, e);
			break;
		}
		open_pause(d, e->at);
		d->state = DS_SUPPLEMENT_REQUESTED;
		d->supplement_count++;
		if (d->supplement_count > 1)
			d->violation = true;
		take_step(d, e);
		break;
	case DA_PAUSE:
		open_pause(d, e->at);
		d->state = DS_PAUSED;
		take_step(d, e);
		break;
	case DA_RECEIVE_SUPPLEMENT:
		if (s->supplement_clock == DSC_RESTART &&
		    d->resume_state != DS_SUBMITTED)
			d->restart_at = e->at;
		/* fall through */
	case DA_RESUME:
		close_pause(d, e->at);
		d->state = d->resume_state;
		d->resume_state = DS_NONE;
		take_step(d, e);
		take_dues(d, e);
		break;
	case DA_APOLOGIZE:
		d->apology_used = true;
		take_dues(d, e);
		break;
	case DA_REFUSE:
		finish(d, DS_REFUSED, e->at);
		break;
	case DA_STOP:
		finish(d, DS_STOPPED, e->at);
		break;
	case DA_RECORD_RESULT:
		/* QĐ 766 ind. 2.1: "Đã xử lý xong" ends processing. */
		d->state = DS_RESULT_READY;
		d->finished_at = e->at;
		d->has_class = true;
		d->cls = dossier_classify(d, e->at);
		take_step(d, e);
		break;
	case DA_RETURN:
		d->state = DS_RETURNED;
		d->closed_at = e->at;
		d->step = -1;
		d->assignee_id = 0;
		break;
	case DA__COUNT:
		BUG("bad action");
	}
	d->n_events++;
	return 0;
}

int dossier_urgency(const struct dossier *d, mc_time now)
{
	if (dossier_state_closed(d->state) || d->state == DS_NONE ||
	    d->state == DS_SUBMITTED || d->state == DS_RESULT_READY ||
	    pause_open(d))
		return 0;
	if (now > d->due_at)
		return 2;
	if (d->approach_at && now >= d->approach_at)
		return 1;
	return 0;
}

bool dossier_equal(const struct dossier *a, const struct dossier *b,
		   struct buf *diff)
{
	size_t len0 = diff->len;
#define CMP(f)                                                \
	do {                                                  \
		if (a->f != b->f) {                           \
			if (diff->len > len0)                 \
				buf_adds(diff, ", ");         \
			buf_adds(diff, #f);                   \
		}                                             \
	} while (0)
	CMP(state);
	CMP(resume_state);
	CMP(step);
	CMP(n_steps);
	CMP(queue_role);
	CMP(assignee_id);
	CMP(dur.unit);
	CMP(dur.amount);
	CMP(received_at);
	CMP(submitted_at);
	CMP(due_at);
	CMP(original_due_at);
	CMP(approach_at);
	CMP(finished_at);
	CMP(closed_at);
	CMP(restart_at);
	CMP(supplement_count);
	CMP(apology_used);
	CMP(violation);
	CMP(has_class);
	if (a->has_class && b->has_class)
		CMP(cls);
	CMP(n_events);
	CMP(n_pauses);
#undef CMP
	if (a->n_pauses == b->n_pauses) {
		for (int i = 0; i < a->n_pauses; i++)
			if (a->pauses[i].start != b->pauses[i].start ||
			    a->pauses[i].end != b->pauses[i].end) {
				if (diff->len > len0)
					buf_adds(diff, ", ");
				buf_adds(diff, "pauses");
				break;
			}
	}
	return diff->len == len0;
}
