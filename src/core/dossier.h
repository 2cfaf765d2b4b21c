/*
 * dossier.h - the model of a dossier (hồ sơ) at the one-stop desk: states,
 * actions, the transition table, step plans, the due computation and the
 * classification. Pure: no I/O, no clock ("now" is an argument), no SQL;
 * store/dossier_repo.c persists what this module decides, and replays it.
 * docs/dossier.md has the same rules with their sources.
 *
 * The event log is the truth (DESIGN.md §3). The dossier row (struct
 * dossier) is a fold of its events with dossier_apply(): every value it
 * needs that a calendar would compute (due times, the instant a dossier
 * starts "approaching", the queue of the next step) is computed BEFORE the
 * event is applied (dossier_prepare(), with the desk's deadline engine and
 * the step plan) and carried inside the event. So a replay needs neither
 * the calendar nor the plan, and gives the same row even after an
 * administrator edits next year's holidays or a procedure's steps.
 *
 * States (enum dossier_state) and what they mean:
 *   submitted            online, not yet accepted by the desk (NĐ 61 art. 17
 *                        cl. 2 / NĐ 118 art. 17 cl. 2); the clock is not
 *                        running yet (it starts at acceptance);
 *   received             accepted, at the desk's step (step 0);
 *   in_progress          at a processing step (1 .. n_steps-2);
 *   supplement_requested waiting for the applicant (Mẫu 02); clock paused;
 *   paused               verification (NĐ 07/2025: civil-status
 *                        verification correspondence does not count);
 *                        clock paused;
 *   result_ready         result recorded, waiting at the desk's return
 *                        step (n_steps-1); processing is finished;
 *   returned             handed over; closed; classification fixed;
 *   refused_at_intake    not received (hồ sơ không đủ điều kiện, guidance
 *                        given at once, NĐ 61 art. 15 cl. 3); closed;
 *   refused              refused after appraisal (Mẫu 03, NĐ 61 art. 19
 *                        cl. 8); closed;
 *   stopped              stopped at the applicant's request (Thông báo
 *                        dừng giải quyết hồ sơ, TT 03/2025 art. 7, NĐ 118
 *                        art. 21); closed;
 *   withdrawn            an online submission withdrawn by the applicant
 *                        before the desk accepted it (QĐ 766 data model:
 *                        "Công dân yêu cầu rút hồ sơ"); closed.
 *
 * The transition table (dossier_rule()); "step" in the role column means
 * the authz action of the role that owns the current step (receiver ->
 * ACT_DOSSIER_RECEIVE, specialist -> PROCESS, leader -> APPROVE):
 *
 *   action              from                         to                    needs    clock
 *   submit (create)     -                            submitted             receive  -
 *   receive (create)    -                            received              receive  start
 *   refuse_intake(cr.)  -                            refused_at_intake     receive  -
 *   accept              submitted                    received              receive  start
 *   reject              submitted, supplement_requested refused_at_intake  receive  -
 *                       (before acceptance)
 *   withdraw            submitted, supplement_requested withdrawn          receive  -
 *                       (before acceptance)
 *   forward             received, in_progress        in_progress (step+1)  step     -
 *   send_back           in_progress                  received/in_progress  step     -
 *                                                    (an earlier step)
 *   request_supplement  received, in_progress        supplement_requested  step     pause start
 *                       submitted (online, before    supplement_requested  receive  -
 *                       acceptance)                  (resume: submitted)
 *   receive_supplement  supplement_requested         the state before      receive  pause end
 *                                                    (submitted: no clock)
 *   refuse              received, in_progress,       refused               approve  pause end
 *                       supplement_requested, paused                                (if open)
 *   apologize           received, in_progress,       (unchanged)           approve  new due
 *                       supplement_requested, paused
 *   pause               received, in_progress        paused                step     pause start
 *   resume              paused                       the state before      step     pause end
 *   stop                received, in_progress,       stopped               receive  pause end
 *                       supplement_requested, paused                                (if open)
 *   record_result       in_progress at the last      result_ready          step     end
 *                       processing step (n_steps-2)  (step n_steps-1)
 *   return              result_ready                 returned              return   -
 *
 * (online) Supplement before acceptance: an online dossier found
 * incomplete gets "hướng dẫn cụ thể, đầy đủ một lần" (NĐ 61 art. 17 cl. 2,
 * NĐ 118 art. 17 cl. 2): request_supplement from submitted leads to
 * supplement_requested with resume_state submitted, opens no pause and
 * does not count in supplement_count (the clock starts only at
 * acceptance); while so, only receive_supplement (back to submitted),
 * reject and withdraw apply.
 *
 * forward from the last processing step is refused (record the result);
 * "stop" after a result exists is refused (TT 03/2025 art. 7: only while no
 * decision or result notice exists). Each refusal has a Vietnamese reason
 * ("Hồ sơ đang chờ bổ sung: không thể chuyển bước").
 *
 * Legal rules encoded here (sources in docs/dossier.md):
 *   - supplement once (NĐ 61 art. 15 cl. 3, art. 19 cl. 4): a second
 *     request is allowed, recorded as a violation, and the dossier counts
 *     late in statistics (QĐ 766/QĐ-TTg, indicator 2.1);
 *   - the supplement wait is subtracted from the clock (QĐ 766 indicator
 *     2.1); NĐ 61 art. 19 cl. 4 restarts the clock instead: setting
 *     supplement_clock (default pause; UNCONFIRMED for NĐ 118);
 *   - apology (NĐ 61 art. 19 cl. 9, Mẫu 04 of TT 03/2025): before the due
 *     time (setting apology_lead, default 0; NĐ 61 says "chậm nhất 01 ngày
 *     trước ngày hết hạn", UNCONFIRMED for NĐ 118), at most once, with a
 *     later new date; the dossier still counts late when finished after
 *     the original due;
 *   - verification pauses do not count (NĐ 07/2025 amending NĐ 123/2015);
 *   - classification (QĐ 766 indicator 2.1): the end of processing is the
 *     time the result was recorded ("Đã xử lý xong" comes before "Đã trả
 *     kết quả"), or of the refusal / stop; compared with the ORIGINAL due
 *     (receipt + committed time + pauses, never the apology's date) by
 *     deadline_classify(); more than one supplement request: late. It is
 *     computed when processing ends and fixed when the dossier closes.
 */
#ifndef MC_CORE_DOSSIER_H
#define MC_CORE_DOSSIER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/authz.h"
#include "core/deadline.h"
#include "core/duration.h"
#include "core/mctime.h"
#include "util/buf.h"

#define DOSSIER_CODE_MAX 64	/* bytes, with the NUL */
#define DOSSIER_MAX_STEPS 12
#define DOSSIER_MAX_PAUSES 32	/* supplement rounds + verifications */
#define DOSSIER_STEP_NAME_MAX 96

enum dossier_state {
	DS_NONE = 0,		/* before the first event */
	DS_SUBMITTED,
	DS_RECEIVED,
	DS_IN_PROGRESS,
	DS_SUPPLEMENT_REQUESTED,
	DS_PAUSED,
	DS_RESULT_READY,
	DS_RETURNED,
	DS_REFUSED_AT_INTAKE,
	DS_REFUSED,
	DS_STOPPED,
	DS_WITHDRAWN,
	DS__COUNT
};

enum dossier_action {
	DA_SUBMIT = 0,		/* "submit": created online */
	DA_RECEIVE,		/* "receive": created at the counter / by post */
	DA_REFUSE_INTAKE,	/* "refuse_intake": created refused at intake */
	DA_ACCEPT,		/* "accept": an online dossier accepted */
	DA_REJECT,		/* "reject": an online dossier refused */
	DA_WITHDRAW,		/* "withdraw" */
	DA_FORWARD,		/* "forward" */
	DA_SEND_BACK,		/* "send_back" */
	DA_REQUEST_SUPPLEMENT,	/* "request_supplement" */
	DA_RECEIVE_SUPPLEMENT,	/* "receive_supplement" */
	DA_REFUSE,		/* "refuse" */
	DA_APOLOGIZE,		/* "apologize" */
	DA_PAUSE,		/* "pause" */
	DA_RESUME,		/* "resume" */
	DA_STOP,		/* "stop" */
	DA_RECORD_RESULT,	/* "record_result" */
	DA_RETURN,		/* "return" */
	DA__COUNT
};

enum dossier_clock {
	DC_NONE = 0,
	DC_START,		/* the clock starts (received_at) */
	DC_PAUSE_START,
	DC_PAUSE_END,		/* ends the open pause */
	DC_NEW_DUE,		/* apology: a new appointment */
	DC_END,			/* processing ends (classification) */
};

enum dossier_channel {
	DCH_COUNTER = 1,	/* "truc_tiep": 766 KenhThucHien 1 */
	DCH_ONLINE = 2,		/* "truc_tuyen": 2 */
	DCH_POST = 3,		/* "buu_chinh": 3 */
};

/* Stable text names (stored, in the API); BUG() on a bad value. */
const char *dossier_state_name(enum dossier_state s);
const char *dossier_action_name(enum dossier_action a);
const char *dossier_channel_name(enum dossier_channel c);
/* Vietnamese labels for pages: "Đang xử lý", "Chuyển bước", "Trực tiếp". */
const char *dossier_state_label(enum dossier_state s);
const char *dossier_action_label(enum dossier_action a);
const char *dossier_channel_label(enum dossier_channel c);
/* Name -> value: 0, or MC_EINVALID (reason in err, may be NULL). */
int dossier_state_parse(const char *s, enum dossier_state *out,
			struct buf *err);
int dossier_action_parse(const char *s, enum dossier_action *out,
			 struct buf *err);
int dossier_channel_parse(const char *s, enum dossier_channel *out,
			  struct buf *err);
/* Closed states: returned, refused_at_intake, refused, stopped, withdrawn. */
bool dossier_state_closed(enum dossier_state s);

/* One row of the transition table. */
struct dossier_rule {
	enum dossier_action action;
	unsigned from;		/* bit (1u << state) per allowed state */
	bool creates;		/* only as the first event (from DS_NONE) */
	bool by_step_role;	/* needs the current step role's action */
	enum action needs;	/* when !by_step_role */
	enum dossier_clock clock;
};
/* The row of `a` (static storage). */
const struct dossier_rule *dossier_rule(enum dossier_action a);

/* ---- settings ----------------------------------------------------------- */

enum dossier_supplement_clock {
	DSC_PAUSE = 0,	/* wait subtracted (QĐ 766 ind. 2.1) - default */
	DSC_RESTART,	/* clock from zero at receipt of the supplement
			   (NĐ 61 art. 19 cl. 4) */
};

/*
 * Rules whose legal basis under NĐ 118/2025 is UNCONFIRMED (research §11
 * item 1), with their defaults from dossier_settings_default():
 */
struct dossier_settings {
	enum dossier_supplement_clock supplement_clock;	/* DSC_PAUSE */
	/* The apology must come at least this long before the due (seconds
	 * of wall time). 0 (default): any time before the due; NĐ 61 art. 19
	 * cl. 9 says one day: 86400. */
	int64_t apology_lead;
	/* A second supplement request: true (default) allows it, recorded
	 * as a violation; false refuses it. */
	bool allow_second_supplement;
	/* Daily-sequence digits of the dossier code (at least; grows). 4. */
	int code_seq_digits;
};
void dossier_settings_default(struct dossier_settings *s);

/* ---- step plans --------------------------------------------------------- */

/*
 * A step of a procedure's internal process: who holds the dossier (a role
 * queue of the dossier's unit, or one person) and its share of the total
 * time. Step 0 is the desk's reception and the last step the desk's
 * return: both belong to the receiver role.
 */
struct dossier_step {
	char name[DOSSIER_STEP_NAME_MAX];	/* "Thẩm định hồ sơ" */
	enum role role;				/* the queue */
	int64_t assignee_id;			/* users.id; 0: the queue */
	int weight;				/* share (>= 0) */
};

struct dossier_plan {
	int n_steps;				/* 2 .. DOSSIER_MAX_STEPS */
	struct dossier_step steps[DOSSIER_MAX_STEPS];
	bool is_default;			/* not configured */
};

/*
 * The plan used when a procedure version has none configured:
 *   other durations: 4 steps, weights 0 / 60 / 25 / 15:
 *     "Tiếp nhận hồ sơ" (receiver), "Thẩm định, xử lý hồ sơ" (specialist),
 *     "Phê duyệt kết quả" (leader), "Trả kết quả" (receiver);
 *   same day (DUR_SAME_DAY), and working hours up to 4: one sitting at the
 *     desk, 3 steps all with the receiver role, weights 0 / 85 / 15:
 *     "Tiếp nhận hồ sơ", "Xử lý tại quầy", "Trả kết quả".
 */
void dossier_plan_default(const struct duration *dur,
			  struct dossier_plan *out);

/*
 * Checks a plan typed by an administrator: 2 .. DOSSIER_MAX_STEPS steps,
 * names 1 .. 95 bytes, weights 0 .. 10000 and not all 0, the first and
 * the last step with the receiver role. 0, or MC_EINVALID with the reason
 * in Vietnamese naming the step ("Bước 2: tên không được để trống").
 */
int dossier_plan_check(const struct dossier_plan *p, struct buf *err);

/*
 * The due of each step (deadline_split with the plan's weights) for the
 * process-control slip: dues[0 .. n_steps-1]; the last is the dossier's
 * (original) due. `received_at`, `dur` and `pauses` as in dossier_due().
 */
int dossier_step_dues(const struct deadline *dl, const struct dossier_plan *p,
		      mc_time received_at, const struct duration *dur,
		      const struct deadline_pause *pauses, int n_pauses,
		      mc_time *dues, struct buf *err);

/* ---- the dossier row ---------------------------------------------------- */

/*
 * The derived state of a dossier, what dossier_apply() folds. Times are 0
 * when not set. Pauses: closed ones [start, end), and at most one open
 * one (the last, with end 0) while supplement_requested or paused.
 */
struct dossier {
	enum dossier_state state;
	enum dossier_state resume_state; /* state to return to at the end of
					    the open pause */
	int step;			/* current step; -1 when closed */
	int n_steps;			/* of the plan pinned at receipt */
	enum role queue_role;		/* queue of the current step */
	int64_t assignee_id;		/* 0: the whole queue */
	struct duration dur;		/* committed time, pinned */
	mc_time received_at;		/* clock start instant (receipt or
					   acceptance); 0 for submitted */
	mc_time submitted_at;		/* online submission, else 0 */
	mc_time due_at;			/* the appointment in force */
	mc_time original_due_at;	/* receipt + dur + pauses (no apology) */
	mc_time approach_at;		/* "approaching" from this instant */
	mc_time finished_at;		/* processing ended (result, refusal,
					   stop, withdrawal) */
	mc_time closed_at;
	mc_time restart_at;		/* supplement_clock restart: the clock
					   counts again from here; else 0 */
	int n_pauses;
	struct deadline_pause pauses[DOSSIER_MAX_PAUSES];
	int supplement_count;
	bool apology_used;
	bool violation;			/* a second supplement request */
	bool has_class;			/* classification known */
	enum deadline_class cls;	/* when has_class */
	int64_t n_events;		/* = the row's version */
};

/* An empty dossier (DS_NONE, step -1). */
void dossier_init(struct dossier *d);

/*
 * One event as dossier_apply() reads it. The caller (the repository) sets
 * action, at and the action's parameters; dossier_prepare() fills the
 * computed fields; the whole struct is stored and replayed as is.
 */
struct dossier_event {
	enum dossier_action action;
	mc_time at;
	/* parameters */
	int to_step;		/* send_back: the earlier step */
	mc_time new_due;	/* apologize: the new appointment */
	struct duration dur;	/* creation: the committed time */
	int n_steps;		/* creation: the plan's length */
	/* computed by dossier_prepare (0 / -1: unchanged) */
	int step;		/* step after the event, -1 unchanged */
	enum role queue_role;	/* queue of that step (when step >= 0) */
	int64_t assignee_id;
	mc_time due_at, original_due_at, approach_at;
};
void dossier_event_init(struct dossier_event *e);

/*
 * Whether `a` is allowed on `d` now, by the state machine and the rules
 * (supplement once, apology once and before due with a later date, stop
 * without result, step bounds). 0, or MC_EINVALID with the reason in
 * Vietnamese in err ("Hồ sơ đang chờ bổ sung: không thể chuyển bước").
 * The parameters of `e` are checked too (its time e->at for the apology's
 * limit and pauses; to_step, new_due). A page listing the allowed actions
 * uses dossier_allowed().
 */
int dossier_check(const struct dossier *d, const struct dossier_settings *s,
		  const struct dossier_event *e, struct buf *err);
/* Convenience: dossier_check() of the action alone, no reason (state,
 * step bounds and the once-only rules; not the apology's time limit). */
bool dossier_allowed(const struct dossier *d, const struct dossier_settings *s,
		     enum dossier_action a);

/*
 * The authz action a user needs to do `a` on `d` (dossier_rule(): a fixed
 * action, or that of the current step's role: receiver -> RECEIVE,
 * specialist -> PROCESS, leader -> APPROVE, anyone else -> APPROVE).
 * The caller then asks authz_can(principal, that, unit, parent); a step
 * assigned to one person also requires that person (dossier_repo does).
 */
enum action dossier_needed_action(const struct dossier *d,
				  enum dossier_action a);
enum action dossier_role_action(enum role r);

/*
 * (added by dossier2) Whether an officer may choose who takes the dossier
 * at the step an action leads to, instead of the step's queue: forward
 * and send_back (a hand-over to a named colleague). The repository checks
 * that the chosen person holds the step's role on the dossier's unit.
 */
bool dossier_action_assignable(enum dossier_action a);

/*
 * Fills the computed fields of `e` for `d` (which it does not change):
 * the step after the event and its queue from the plan `p`; the due, the
 * original due and the approaching instant (the clock at 1000 -
 * approach_permille of the allotment, deadline_split) with the engine
 * `dl` when the clock starts, a pause ends, or (apology) from new_due.
 * `p` is the plan pinned for the dossier (its n_steps must equal
 * d->n_steps after creation). Checks the event first (dossier_check):
 * MC_EINVALID with the reason; deadline errors (MC_ERANGE) as such.
 */
int dossier_prepare(const struct dossier *d, const struct dossier_settings *s,
		    const struct dossier_plan *p, const struct deadline *dl,
		    struct dossier_event *e, struct buf *err);

/*
 * Applies a prepared event: checks it (dossier_check; MC_EINVALID with the
 * reason, d untouched) and folds it into d (state, step, pauses, counters,
 * times, classification). Pure and deterministic: replay = dossier_init()
 * then dossier_apply() of every stored event.
 */
int dossier_apply(struct dossier *d, const struct dossier_settings *s,
		  const struct dossier_event *e, struct buf *err);

/*
 * The due of a dossier received at `received_at` with committed time `dur`
 * and clock pauses (sorted, closed; an open one closed at "now" by the
 * caller): deadline_due() on the desk's engine. The one function intake
 * (the due shown before the officer confirms), the workflow and the demo
 * use. Errors as deadline_due().
 */
int dossier_due(const struct deadline *dl, mc_time received_at,
		const struct duration *dur,
		const struct deadline_pause *pauses, int n_pauses,
		mc_time *due, struct buf *err);

/*
 * Classification of a dossier whose processing ended at `finished`:
 * DL_LATE when d->violation (second supplement, QĐ 766), else
 * deadline_classify(d->original_due_at, finished).
 */
enum deadline_class dossier_classify(const struct dossier *d,
				     mc_time finished);

/*
 * Where a running dossier stands at `now` for queues without an engine:
 * 2 overdue (now > due_at), 1 approaching (approach_at <= now), 0 normal.
 * Closed or paused dossiers: 0 (paused: the clock does not run).
 */
int dossier_urgency(const struct dossier *d, mc_time now);

/*
 * Compares two rows field by field; appends the names of differing fields
 * ("state, due_at") to `diff`. True when equal. For replay.
 */
bool dossier_equal(const struct dossier *a, const struct dossier *b,
		   struct buf *diff);

#endif
