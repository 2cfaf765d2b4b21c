/*
 * feedback.c - feedback and complaints (phản ánh, kiến nghị): names, the
 * transition rule, the QĐ 766 deadlines over the deadline engine, codes
 * and the check of action notes. Pure (see feedback.h).
 */
#include "core/feedback.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/text.h"
#include "util/xalloc.h"

static const char *const kind_names[FB_KIND__COUNT] = {
	"procedure", "dossier", "officer",
};
static const char *const kind_labels[FB_KIND__COUNT] = {
	"Về thủ tục hành chính, quy định",
	"Về một hồ sơ đã nộp",
	"Về thái độ, hành vi của cán bộ",
};
static const char *const state_names[FB_STATE__COUNT] = {
	"received", "info_requested", "refused", "answered", "published",
};
static const char *const state_labels[FB_STATE__COUNT] = {
	"Đã tiếp nhận, đang xem xét",
	"Cần người gửi bổ sung thông tin",
	"Không tiếp nhận",
	"Đã trả lời",
	"Đã trả lời và công khai",
};
static const char *const action_names[FBA__COUNT] = {
	"refuse", "ask_info", "supply_info", "answer", "publish", "rate",
};
static const char *const action_labels[FBA__COUNT] = {
	"Từ chối tiếp nhận",
	"Yêu cầu bổ sung thông tin",
	"Bổ sung thông tin",
	"Trả lời",
	"Công khai câu trả lời",
	"Đánh giá câu trả lời",
};

static int parse(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

const char *feedback_kind_name(enum feedback_kind k)
{
	if ((unsigned)k >= FB_KIND__COUNT)
		BUG("feedback kind %d", (int)k);
	return kind_names[k];
}

const char *feedback_kind_label(enum feedback_kind k)
{
	if ((unsigned)k >= FB_KIND__COUNT)
		BUG("feedback kind %d", (int)k);
	return kind_labels[k];
}

int feedback_kind_parse(const char *s, enum feedback_kind *out)
{
	int i = parse(s, kind_names, FB_KIND__COUNT);
	if (i < 0)
		return MC_EINVALID;
	*out = (enum feedback_kind)i;
	return 0;
}

const char *feedback_state_name(enum feedback_state s)
{
	if ((unsigned)s >= FB_STATE__COUNT)
		BUG("feedback state %d", (int)s);
	return state_names[s];
}

const char *feedback_state_label(enum feedback_state s)
{
	if ((unsigned)s >= FB_STATE__COUNT)
		BUG("feedback state %d", (int)s);
	return state_labels[s];
}

int feedback_state_parse(const char *s, enum feedback_state *out)
{
	int i = parse(s, state_names, FB_STATE__COUNT);
	if (i < 0)
		return MC_EINVALID;
	*out = (enum feedback_state)i;
	return 0;
}

const char *feedback_action_name(enum feedback_action a)
{
	if ((unsigned)a >= FBA__COUNT)
		BUG("feedback action %d", (int)a);
	return action_names[a];
}

const char *feedback_action_label(enum feedback_action a)
{
	if ((unsigned)a >= FBA__COUNT)
		BUG("feedback action %d", (int)a);
	return action_labels[a];
}

int feedback_action_parse(const char *s, enum feedback_action *out)
{
	int i = parse(s, action_names, FBA__COUNT);
	if (i < 0)
		return MC_EINVALID;
	*out = (enum feedback_action)i;
	return 0;
}

bool feedback_action_by_officer(enum feedback_action a)
{
	return a == FBA_REFUSE || a == FBA_ASK_INFO || a == FBA_ANSWER ||
	       a == FBA_PUBLISH;
}

bool feedback_action_needs_note(enum feedback_action a)
{
	return a == FBA_REFUSE || a == FBA_ASK_INFO || a == FBA_SUPPLY_INFO ||
	       a == FBA_ANSWER;
}

const char *feedback_note_label(enum feedback_action a)
{
	switch (a) {
	case FBA_REFUSE:
		return "Lý do từ chối";
	case FBA_ASK_INFO:
		return "Nội dung cần bổ sung";
	case FBA_SUPPLY_INFO:
		return "Thông tin bổ sung";
	case FBA_ANSWER:
		return "Nội dung trả lời";
	default:
		return "";
	}
}

int feedback_transition(enum feedback_kind k, enum feedback_state s,
			bool rated, enum feedback_action a,
			enum feedback_state *to, struct buf *err)
{
	if ((unsigned)k >= FB_KIND__COUNT || (unsigned)s >= FB_STATE__COUNT ||
	    (unsigned)a >= FBA__COUNT) {
		buf_setf(err, "Thao tác không hợp lệ.");
		return MC_EINVALID;
	}
	switch (a) {
	case FBA_REFUSE:
	case FBA_ASK_INFO:
	case FBA_ANSWER:
		if (s != FB_RECEIVED)
			break;
		*to = a == FBA_REFUSE	  ? FB_REFUSED
		      : a == FBA_ASK_INFO ? FB_INFO_REQUESTED
					  : FB_ANSWERED;
		return 0;
	case FBA_SUPPLY_INFO:
		if (s != FB_INFO_REQUESTED)
			break;
		*to = FB_RECEIVED;
		return 0;
	case FBA_PUBLISH:
		/* QĐ 766: the answers about regulations and procedures are
		 * published; a dossier or an officer concerns one person. */
		if (k != FB_KIND_PROCEDURE) {
			buf_setf(err, "Chỉ công khai câu trả lời phản ánh về "
				      "thủ tục hành chính.");
			return MC_EINVALID;
		}
		if (s != FB_ANSWERED)
			break;
		*to = FB_PUBLISHED;
		return 0;
	case FBA_RATE:
		if (s != FB_ANSWERED && s != FB_PUBLISHED)
			break;
		if (rated) {
			buf_setf(err, "Câu trả lời đã được đánh giá.");
			return MC_EINVALID;
		}
		*to = s;
		return 0;
	default:
		break;
	}
	buf_setf(err, "Thao tác \"%s\" không thực hiện được khi phản ánh ở "
		      "trạng thái \"%s\".",
		 action_labels[a], state_labels[s]);
	return MC_EINVALID;
}

void feedback_policy_default(struct feedback_policy *p)
{
	/* QĐ 766/QĐ-TTg, group 5 (research §3.2, [S14]). */
	p->refuse_wd = 2;
	p->info_wd = 5;
	p->answer_wd = 15;
	p->publish_wd = 2;
	p->pause_on_info = true;
}

/* `from` + n working days, pauses applied when given. */
static int due_wd(const struct deadline *d, mc_time from, int n,
		  const struct deadline_pause *pauses, int n_pauses,
		  mc_time *out, struct buf *err)
{
	struct deadline_req r = {
		.received = from,
		.dur = { .unit = DUR_WORKING_DAYS, .amount = n },
		.pauses = pauses,
		.n_pauses = n_pauses,
	};
	return deadline_due(d, &r, out, err);
}

int feedback_dues(const struct deadline *d, const struct feedback_policy *pol,
		  const struct feedback_times *t, struct feedback_dues *out,
		  struct buf *err)
{
	struct feedback_policy def;
	struct feedback_dues o = { 0 };
	int rc;
	if (!pol) {
		feedback_policy_default(&def);
		pol = &def;
	}
	if ((rc = due_wd(d, t->received, pol->refuse_wd, NULL, 0, &o.refuse_by,
			 err)))
		return rc;
	if ((rc = due_wd(d, t->received, pol->info_wd, NULL, 0, &o.info_by,
			 err)))
		return rc;
	if ((rc = due_wd(d, t->received, pol->answer_wd,
			 pol->pause_on_info ? t->pauses : NULL,
			 pol->pause_on_info ? t->n_pauses : 0, &o.answer_by,
			 err)))
		return rc;
	if (t->answered &&
	    (rc = due_wd(d, t->answered, pol->publish_wd, NULL, 0,
			 &o.publish_by, err)))
		return rc;
	*out = o;
	return 0;
}

int feedback_mark(const struct deadline *d, enum feedback_kind k,
		  enum feedback_state s, const struct feedback_times *t,
		  const struct feedback_dues *dues, mc_time now,
		  const char **mark, mc_time *due, struct buf *err)
{
	mc_time from = 0, by = 0;
	int rc;
	*due = 0;
	if (s == FB_INFO_REQUESTED) {
		*mark = "paused";
		return 0;
	}
	if (s == FB_RECEIVED) {
		from = t->received;
		by = dues->answer_by;
	} else if (s == FB_ANSWERED && k == FB_KIND_PROCEDURE) {
		from = t->answered;
		by = dues->publish_by;
	} else {
		*mark = "closed";
		return 0;
	}
	*due = by;
	if (now > by) {
		*mark = "overdue";
		return 0;
	}
	/* Approaching: less than a fifth of the allotment left, measured in
	 * working time as for dossiers (deadline.h approach_permille). */
	int64_t total, left;
	if ((rc = deadline_between(d, from, by, NULL, 0, &total, err)))
		return rc;
	if ((rc = deadline_between(d, now, by, NULL, 0, &left, err)))
		return rc;
	*mark = left * 1000 < total * (int64_t)d->pol.approach_permille
			? "approaching"
			: "normal";
	return 0;
}

const char *feedback_mark_label(const char *mark)
{
	if (!strcmp(mark, "overdue"))
		return "Quá hạn";
	if (!strcmp(mark, "approaching"))
		return "Sắp đến hạn";
	if (!strcmp(mark, "normal"))
		return "Trong hạn";
	if (!strcmp(mark, "paused"))
		return "Chờ người gửi bổ sung";
	return "Đã kết thúc";
}

/* No 0/O, 1/I/L: read aloud over the phone, typed from paper. */
static const char code_alpha[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void feedback_code_make(mc_time t, const unsigned char rnd[5],
			char out[FEEDBACK_CODE_LEN + 1])
{
	struct mc_civil c;
	mctime_to_local(t, &c);
	snprintf(out, FEEDBACK_CODE_LEN + 1, "PA%02d%02d%02d-", c.year % 100,
		 c.month, c.day);
	for (int i = 0; i < 5; i++)
		out[9 + i] = code_alpha[rnd[i] % (sizeof(code_alpha) - 1)];
	out[14] = '\0';
}

bool feedback_code_valid(const char *s)
{
	if (!s || strlen(s) != FEEDBACK_CODE_LEN || s[0] != 'P' ||
	    s[1] != 'A' || s[8] != '-')
		return false;
	for (int i = 2; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	for (int i = 9; i < 14; i++)
		if (!strchr(code_alpha, s[i]) || !s[i])
			return false;
	return true;
}

int feedback_note_check(enum feedback_action a, const char *note,
			struct buf *out, struct buf *err)
{
	struct buf e = BUF_INIT;
	int rc = MC_EINVALID;
	const char *label = feedback_note_label(a);
	buf_reset(out);
	/* Keep line breaks: trim the ends only (text_squeeze would join the
	 * lines of an answer). */
	const char *s = note ? note : "";
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r' || s[len - 1] == '\t'))
		len--;
	while (len && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
		s++;
		len--;
	}
	if (text_nfc(s, len, out, &e)) {
		buf_setf(err, "%s: không phải văn bản hợp lệ", label);
		goto out;
	}
	size_t n = 0;
	for (const char *p = out->ptr; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	if (feedback_action_needs_note(a) && n == 0) {
		buf_setf(err, "%s: không được để trống", label);
		goto out;
	}
	if (n > FEEDBACK_NOTE_MAX) {
		buf_setf(err, "%s: dài tối đa %d ký tự", label,
			 FEEDBACK_NOTE_MAX);
		goto out;
	}
	rc = 0;
out:
	buf_release(&e);
	if (rc)
		buf_reset(out);
	return rc;
}
