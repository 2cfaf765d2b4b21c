/*
 * dossier_public.h - what a citizen may read about a dossier, in plain
 * Vietnamese: which events are public and how each reads ("Hồ sơ đã được
 * tiếp nhận", "Cần bổ sung: ..."), the sentence saying where the dossier
 * stands, the masked name ("Nguyễn V** A**"), the second factor by the last
 * 4 digits. Pure (no I/O, no clock): the lookup page (web/h_lookup.c), the
 * API and the e-mails of the outbox (store/outbox.c) all read from here.
 *
 * What is never public: internal notes (the note of every action except a
 * refusal's reason, which the law requires to be given to the applicant:
 * NĐ 61/2018 art. 15 cl. 3 at intake, art. 19 cl. 8 after appraisal,
 * TT 03/2025 art. 7 for a stop), who handled the dossier, hand-overs
 * between officers (send_back), the applicant's identity in clear.
 *
 * All texts are plain UTF-8, not HTML: the caller escapes (templates do).
 * Times are shown in UTC+7 as "16:00 ngày 02/12/2026".
 */
#ifndef MC_CORE_DOSSIER_PUBLIC_H
#define MC_CORE_DOSSIER_PUBLIC_H

#include <stdbool.h>

#include "core/dossier.h"
#include "core/mctime.h"
#include "util/buf.h"

/*
 * The public kinds of events. Each dossier action maps to one kind
 * (dossier_public_kind_of); DPK_NONE is never shown to the public.
 *
 *   action                           kind              notifies (e-mail)
 *   submit                           SUBMITTED         no
 *   receive, accept                  RECEIVED          yes
 *   forward                          STEP              no
 *   send_back                        NONE (internal)   -
 *   request_supplement               SUPPLEMENT        yes
 *   receive_supplement               SUPPLEMENT_DONE   no
 *   pause                            PAUSED            no
 *   resume                           RESUMED           no
 *   apologize                        APOLOGY           yes
 *   record_result                    RESULT_READY      yes
 *   return                           RETURNED          no
 *   refuse_intake, reject, refuse    REFUSED           yes
 *   stop                             STOPPED           no
 *   withdraw                         WITHDRAWN         no
 *
 * The e-mailed ones are those the issue names (received, supplement
 * requested, result ready, apology, refusal); the others the applicant
 * asked for himself (stop, withdraw), saw at the desk (return), or are
 * steps of the work that the lookup page shows.
 */
enum dossier_public_kind {
	DPK_NONE = 0,
	DPK_SUBMITTED,
	DPK_RECEIVED,
	DPK_STEP,
	DPK_SUPPLEMENT,
	DPK_SUPPLEMENT_DONE,
	DPK_PAUSED,
	DPK_RESUMED,
	DPK_APOLOGY,
	DPK_RESULT_READY,
	DPK_RETURNED,
	DPK_REFUSED,
	DPK_STOPPED,
	DPK_WITHDRAWN,
	DPK__COUNT
};

/* The kind of an action (table above). BUG() on a bad action. */
enum dossier_public_kind dossier_public_kind_of(enum dossier_action a);
/* Whether an event of kind k is shown on the public timeline (k != NONE). */
bool dossier_public_kind_visible(enum dossier_public_kind k);
/* Whether an event of kind k is sent to the applicant (e-mail, webhook). */
bool dossier_public_kind_notifies(enum dossier_public_kind k);
/* Stable text name for JSON and the outbox: "received", "supplement" ...
 * ("none" for DPK_NONE). BUG() on a bad value. */
const char *dossier_public_kind_name(enum dossier_public_kind k);
/* A short title in Vietnamese, usable as an e-mail subject line:
 * "Hồ sơ đã được tiếp nhận", "Cần bổ sung hồ sơ", "Đã có kết quả" ... */
const char *dossier_public_kind_title(enum dossier_public_kind k);

/*
 * One event as the public reads it. Borrowed strings; NULL = not given.
 */
struct dossier_public_event {
	enum dossier_action action;
	mc_time at;
	/* The event's note: used ONLY for refusals (refuse_intake, reject,
	 * refuse) and stop, as the reason; ignored for every other action. */
	const char *note;
	/* request_supplement and refuse_intake: the items (payload "items") */
	int n_items;
	const char *const *items;
	/* apologize: the new appointment (payload "new_due" / ev_new_due) */
	mc_time new_due;
	/* forward: the name of the step reached ("Phê duyệt kết quả") */
	const char *step_name;
	/* record_result: where to collect (desk name and address);
	 * NULL: "tại Bộ phận Một cửa nơi đã nộp hồ sơ". */
	const char *place;
};

/*
 * Appends to `out` the sentence a citizen reads for `e` (the title plus its
 * details), e.g. "Cần bổ sung: Bản sao Giấy khai sinh; Tờ khai (mẫu 01)."
 * or "Đã có kết quả, nhận tại Bộ phận Một cửa xã X, số 1 đường Y." or
 * "Cơ quan giải quyết xin lỗi vì hồ sơ chậm so với hẹn; ngày hẹn trả mới:
 * 16:00 ngày 05/12/2026." For DPK_NONE appends nothing.
 */
void dossier_public_event_text(const struct dossier_public_event *e,
			       struct buf *out);

/*
 * Where a dossier stands, for the top of the lookup page. Borrowed.
 */
struct dossier_public_status {
	enum dossier_state state;
	mc_time now;
	mc_time due_at;			/* the appointment in force (0: none) */
	mc_time original_due_at;
	bool apology_used;		/* due_at is the apology's new date */
	mc_time finished_at;		/* result, refusal, stop (0: none) */
	mc_time closed_at;		/* returned ... (0: open) */
	const char *step_name;		/* current step, NULL when closed */
	const char *place;		/* where to collect, NULL: the desk */
	/* supplement_requested: the items of the last request */
	int n_missing;
	const char *const *missing;
	/* refused*, stopped: the reason (the closing event's note) */
	const char *reason;
	/* supplement_requested of an online dossier not yet accepted (its
	 * clock has not started): "Hồ sơ nộp trực tuyến cần bổ sung trước
	 * khi được tiếp nhận: ..." */
	bool before_acceptance;
};

/*
 * Appends the citizen-facing sentence(s) for `s`, e.g.
 *   received/in_progress: "Hồ sơ đang được giải quyết (bước: Thẩm định,
 *     xử lý hồ sơ). Hẹn trả kết quả: 16:00 ngày 02/12/2026." (+ "Hồ sơ
 *     đã quá ngày hẹn." when now > due_at);
 *   supplement_requested: "Hồ sơ đang chờ ông/bà bổ sung: A; B. Thời
 *     gian chờ bổ sung không tính vào thời hạn giải quyết.";
 *   result_ready: "Đã có kết quả, nhận tại ...";
 *   refused*: "Hồ sơ không được giải quyết. Lý do: ...".
 */
void dossier_public_status_text(const struct dossier_public_status *s,
				struct buf *out);

/* Whether the state is one where the applicant may rate the service
 * (Circular 01/2018 art. 13: after the result or the refusal): returned,
 * refused_at_intake, refused, stopped, withdrawn. */
bool dossier_public_can_rate(enum dossier_state s);

/*
 * Masks a person's or an organisation's name for public pages: the first
 * word kept, every later word reduced to its first letter and "**":
 * "Nguyễn Văn An" -> "Nguyễn V** A**"; a single word "An" -> "A**".
 * UTF-8 aware (a letter is one code point plus its combining marks);
 * spaces squeezed; NULL or empty -> "". Appends to out.
 */
void dossier_public_mask_name(const char *name, struct buf *out);

/*
 * The second factor by digits: true when `last4` is exactly 4 ASCII digits
 * and the digits of `phone` or of `id_number` (non-digits ignored, e.g.
 * "+84 912-345-678") end with them. NULLs are no match. Compares every
 * candidate without early exit.
 */
bool dossier_public_last4_match(const char *last4, const char *phone,
				const char *id_number);

/* Appends "16:00 ngày 02/12/2026" (UTC+7). */
void dossier_public_format_time(mc_time t, struct buf *out);

#endif
