/*
 * feedback.h - feedback and complaints (phản ánh, kiến nghị, "PAKN"):
 * kinds, states, the officers' and the citizen's actions, the transition
 * rule, the Decision 766 deadlines computed with the deadline engine, the
 * code format and the check of a citizen's form. Pure: no I/O, no clock
 * (times and random bytes are arguments), no globals.
 *
 * Deadlines (QĐ 766/QĐ-TTg of 23/6/2022, indicator group 5 "Mức độ hài
 * lòng", formula document [S14] of research vn-requirements.md §3.2,
 * SECONDARY): a unit refuses a feedback within 2 working days of receipt,
 * asks for more information within 5, answers within 15, and publishes the
 * answer within 2 working days of answering. They are counted like a
 * dossier's working days (core/deadline.h: day-end counting, the first
 * day not counted, Civil Code 2015 art. 147-148) on the calendar and
 * office hours of the unit's desk. Whether the time the citizen takes to
 * supply the information is subtracted from the 15 days is not stated:
 * UNCONFIRMED, a setting (feedback_policy.pause_on_info, default true, as
 * QĐ 766 does for a dossier's supplement).
 */
#ifndef MC_CORE_FEEDBACK_H
#define MC_CORE_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/deadline.h"
#include "core/mctime.h"
#include "util/buf.h"

/* What the feedback is about (QĐ 766 5.1 tells apart feedback about
 * regulations and procedures from feedback about staff behaviour). */
enum feedback_kind {
	FB_KIND_PROCEDURE = 0,	/* "procedure": a procedure, its rules */
	FB_KIND_DOSSIER,	/* "dossier": one dossier (code + factor) */
	FB_KIND_OFFICER,	/* "officer": an officer's behaviour */
	FB_KIND__COUNT
};

enum feedback_state {
	FB_RECEIVED = 0,	/* "received": waiting for the unit */
	FB_INFO_REQUESTED,	/* "info_requested": waiting for the citizen */
	FB_REFUSED,		/* "refused": not accepted (reason given) */
	FB_ANSWERED,		/* "answered": the unit's answer is given */
	FB_PUBLISHED,		/* "published": answer on the public page */
	FB_STATE__COUNT
};

enum feedback_action {
	FBA_REFUSE = 0,		/* officer: received -> refused */
	FBA_ASK_INFO,		/* officer: received -> info_requested */
	FBA_SUPPLY_INFO,	/* citizen: info_requested -> received */
	FBA_ANSWER,		/* officer: received -> answered */
	FBA_PUBLISH,		/* officer: answered -> published (procedure
				 * kind only) */
	FBA_RATE,		/* citizen: satisfied or not, once, on an
				 * answered or published feedback */
	FBA__COUNT
};

/* Stable names ("procedure", "received", "refuse" ...) and Vietnamese
 * labels; BUG() out of range. Parsers: 0 or MC_EINVALID. */
const char *feedback_kind_name(enum feedback_kind k);
const char *feedback_kind_label(enum feedback_kind k);
int feedback_kind_parse(const char *s, enum feedback_kind *out);
const char *feedback_state_name(enum feedback_state s);
const char *feedback_state_label(enum feedback_state s);
int feedback_state_parse(const char *s, enum feedback_state *out);
const char *feedback_action_name(enum feedback_action a);
const char *feedback_action_label(enum feedback_action a);
int feedback_action_parse(const char *s, enum feedback_action *out);

/* Whether `a` is done by an officer of the unit (else by the citizen). */
bool feedback_action_by_officer(enum feedback_action a);

/*
 * Whether action `a` may be applied to a feedback of kind `k` in state
 * `s`, `rated` telling whether the citizen has rated already. On success
 * *to is the new state (the same state for FBA_RATE). MC_EINVALID with a
 * Vietnamese reason in err otherwise ("Phản ánh đã được trả lời.").
 */
int feedback_transition(enum feedback_kind k, enum feedback_state s,
			bool rated, enum feedback_action a,
			enum feedback_state *to, struct buf *err);

/* Whether the note of `a` is required (refuse: the reason; ask_info: what
 * is missing; supply_info: the information; answer: the answer). */
bool feedback_action_needs_note(enum feedback_action a);

/* ---- deadlines ----------------------------------------------------------- */

struct feedback_policy {
	int refuse_wd;		/* 2 working days (QĐ 766) */
	int info_wd;		/* 5 */
	int answer_wd;		/* 15 */
	int publish_wd;		/* 2, from the answer */
	bool pause_on_info;	/* waiting for the citizen stops the answer
				 * clock (UNCONFIRMED, default true) */
};
void feedback_policy_default(struct feedback_policy *p);

/* The times a feedback's deadlines depend on. */
struct feedback_times {
	mc_time received;	/* when the unit received it (UTC) */
	mc_time answered;	/* 0 while not answered */
	/* Intervals waiting for the citizen's information, sorted, the
	 * last one closed by the caller at `now` when still open;
	 * borrowed. */
	const struct deadline_pause *pauses;
	int n_pauses;
};

struct feedback_dues {
	mc_time refuse_by;	/* receipt + 2 wd */
	mc_time info_by;	/* receipt + 5 wd */
	mc_time answer_by;	/* receipt + 15 wd (+ pauses) */
	mc_time publish_by;	/* answer + 2 wd; 0 when not answered */
};

/*
 * The deadlines of `t` under policy `pol` (NULL: the defaults) with the
 * engine of the unit's desk. Errors as deadline_due() (reason in err,
 * *out untouched): a deadline that cannot be computed is an error, never
 * a made-up date.
 */
int feedback_dues(const struct deadline *d, const struct feedback_policy *pol,
		  const struct feedback_times *t, struct feedback_dues *out,
		  struct buf *err);

/*
 * The urgency of the unit's next obligation at `now`: "closed" (refused,
 * published, or answered about something that is not published),
 * "paused" (waiting for the citizen), "overdue" / "approaching" (less
 * than 20% of the allotment left, in working time with `d`) / "normal"
 * against answer_by (received) or publish_by (an answered procedure
 * feedback). *due gets the deadline that applies (0 when none). Errors
 * as deadline_between().
 */
int feedback_mark(const struct deadline *d, enum feedback_kind k,
		  enum feedback_state s, const struct feedback_times *t,
		  const struct feedback_dues *dues, mc_time now,
		  const char **mark, mc_time *due, struct buf *err);

/* "Quá hạn", "Sắp đến hạn", "Trong hạn", "Chờ người gửi bổ sung",
 * "Đã kết thúc" for a mark of feedback_mark(). */
const char *feedback_mark_label(const char *mark);

/* ---- codes ---------------------------------------------------------------- */

#define FEEDBACK_CODE_LEN 14	/* "PA261127-7KQ2M": PA + YYMMDD + '-' + 5 */
#define FEEDBACK_SECRET_LEN 26	/* as a dossier's: 16 bytes, base32 */

/*
 * A feedback code for local day `t` (UTC+7) from 5 random bytes `rnd`:
 * "PA" YYMMDD "-" and 5 characters of an alphabet without look-alikes
 * (no 0/O, 1/I/L). Written into out[FEEDBACK_CODE_LEN + 1].
 */
void feedback_code_make(mc_time t, const unsigned char rnd[5],
			char out[FEEDBACK_CODE_LEN + 1]);
/* Whether `s` has the shape of a feedback code (upper case). */
bool feedback_code_valid(const char *s);

/* ---- notes ------------------------------------------------------------------ */

/* Limits of texts, in characters (the form's check: store/feedback_repo.h). */
#define FEEDBACK_SUBJECT_MAX 200
#define FEEDBACK_CONTENT_MAX 5000
#define FEEDBACK_NAME_MAX 100
#define FEEDBACK_NOTE_MAX 5000

/*
 * Checks the note of an action: trimmed NFC text into `out` (replaced);
 * MC_EINVALID with "Label: reason" in err when required and empty, too
 * long (FEEDBACK_NOTE_MAX) or not UTF-8.
 */
int feedback_note_check(enum feedback_action a, const char *note,
			struct buf *out, struct buf *err);

/* The label of the note of `a` in forms: "Lý do từ chối", "Nội dung cần
 * bổ sung", "Thông tin bổ sung", "Nội dung trả lời"; "" when none. */
const char *feedback_note_label(enum feedback_action a);

#endif
