/*
 * dossier_repo.h - dossiers in the database (migrations/0008_dossier.sql):
 * creation with an idempotency key and a daily code sequence unique across
 * nodes, actions applied as events in one transaction with the derived row
 * and the audit entry, optimistic versions, replay, work queues, the
 * tracking book, components, payments, step plans. All SQL of dossiers.
 * What is allowed and what a due is: core/dossier.h (never decided here).
 *
 * Personal data. The applicant's identity (name, ID number, birth year,
 * phone, e-mail, address) lives in its own columns (applicant_*); models
 * are built with or without them (DOSSIER_WITH_PERSONAL). The caller that
 * shows them audits "personal.view" (store/audit.h) - dossier_get() does
 * it itself when given an actor and DOSSIER_WITH_PERSONAL.
 *
 * Secret. Each dossier gets a random secret (16 bytes, 26 characters of
 * base32 lower case) for the citizen's lookup URL on the receipt QR. Only
 * its SHA-256 is stored: the clear secret is handed out once, by
 * dossier_create() (and by dossier_secret_reset() for a reprint, which
 * invalidates the old QR).
 *
 * ---- Shapes (jansson; the page model and the API answer) ----------------
 * dossier:
 *   {"code","version" (optimistic, = number of events),
 *    "state","state_label","closed":bool,
 *    "procedure":{"code","name","version_id"|null},
 *    "desk":{"id","unit_code","name"}, "unit_code" (deciding unit),
 *    "channel","channel_label",
 *    "request" (nội dung yêu cầu),
 *    "applicant":{"kind":"person"|"org","name","id_number","birth_year",
 *                 "sex","phone","email","address_unit","address_street"}
 *        (only with DOSSIER_WITH_PERSONAL; else {"kind"} only),
 *    "submitted_at","received_at","due_at","original_due_at",
 *    "finished_at","closed_at" (ISO local, null when unset),
 *    "duration":{"code":"3wd","text":"3 ngày làm việc"},
 *    "step":{"index","name","role","role_label","assignee_id"|null}|null,
 *    "n_steps", "urgency":"overdue"|"approaching"|"normal"|"paused"|"closed",
 *    "supplement_count","violation":bool,"apology_used":bool,
 *    "classification":"early"|"on_time"|"late"|null,
 *    "fee_dong","paid_dong",
 *    "book":{"year","no"}|null (Sổ theo dõi hồ sơ),
 *    "result":{"number","date","file_sha256"|null}|null,
 *    "components":[{"seq","name","mode","mode_label","originals",
 *                   "certified","copies","file_sha256"|null}],
 *    "created_at","updated_at"}
 * event:
 *   {"seq","at","actor","actor_id","action","action_label","from_state",
 *    "to_state","step"|null,"note","payload":{...}|null}
 *   payloads: request_supplement {"items":[...]}; apologize {"new_due"};
 *   send_back {"to_step"}; pause {"kind"}; record_result {"number",
 *   "date","file_sha256"}; return {"collected_by","identity_checked"};
 *   refuse_intake {"items":[...],"form"}; reasons are in "note".
 */
#ifndef MC_STORE_DOSSIER_REPO_H
#define MC_STORE_DOSSIER_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/authz.h"
#include "core/deadline.h"
#include "core/dossier.h"
#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

#define DOSSIER_MAX_COMPONENTS 64
#define DOSSIER_SECRET_LEN 26

/* ---- terms: what a procedure commits to at a desk ------------------------ */

/*
 * What intake needs before creating a dossier, resolved once: the version
 * in force for the unit on the day (store/version_repo.h version_current;
 * id 0 = the national baseline), the committed time of the channel (the
 * version's committed time, else its legal time, else the catalog's; a
 * channel without its own row falls back to "tat_ca", then to the first
 * row), the fee in đồng (0 when none or unreadable: fee_known false), and
 * the step plan (configured for the version, else for the baseline, else
 * dossier_plan_default()).
 */
struct dossier_terms {
	int64_t version_id;		/* 0: baseline */
	struct duration dur;
	char time_text[128];		/* as published */
	int64_t fee_dong;
	bool fee_known;
	char fee_text[256];
	struct dossier_plan plan;
};

/*
 * MC_ENOTFOUND for an unknown procedure; MC_EINVALID (reason in err, in
 * Vietnamese) when the time of the channel has no readable unit: such a
 * procedure cannot get a due time, and intake must refuse to guess.
 */
int dossier_terms_get(struct db *db, const char *procedure_code,
		      const char *unit_code, enum dossier_channel channel,
		      int32_t today, struct dossier_terms *out,
		      struct buf *err);

/* ---- step plans (table procedure_steps) ---------------------------------- */

/*
 * The plan of (procedure, version id; 0 = baseline): the configured one,
 * else the baseline's, else dossier_plan_default(dur) (is_default true).
 */
int dossier_plan_get(struct db *db, const char *procedure_code,
		     int64_t version_id, const struct duration *dur,
		     struct dossier_plan *out, struct buf *err);
/*
 * Replaces the configured plan (dossier_plan_check first: MC_EINVALID with
 * the reason). n_steps 0 deletes it (back to the default). Audited
 * "procedure_steps.update" with before and after. Dossiers already
 * received keep the number of steps they were received with.
 */
int dossier_plan_set(struct db *db, const struct auth_actor *by,
		     const char *procedure_code, int64_t version_id,
		     const struct dossier_plan *plan, mc_time now,
		     struct buf *err);

/* ---- creation ------------------------------------------------------------ */

enum dossier_applicant_kind { DAK_PERSON = 0, DAK_ORG };

enum dossier_component_mode {
	DCM_ORIGINAL = 0,	/* "original": bản chính */
	DCM_CERTIFIED_COPY,	/* "certified_copy": bản sao chứng thực */
	DCM_COPY,		/* "copy": bản sao / photo */
	DCM_REUSED,		/* "reused_from_national_db": taken from a
				   national database instead (NQ 66.7/2025) */
	DCM_DIGITISED,		/* "digitised": scanned, file attached
				   (TT 01/2023 art. 8) */
	DCM__COUNT
};
const char *dossier_component_mode_name(enum dossier_component_mode m);
const char *dossier_component_mode_label(enum dossier_component_mode m);
int dossier_component_mode_parse(const char *s,
				 enum dossier_component_mode *out);

struct dossier_applicant {
	enum dossier_applicant_kind kind;
	const char *name;		/* full name or organisation name */
	const char *id_number;		/* personal ID or tax code (checked by
					   the caller with core/idcheck.h) */
	int birth_year;			/* 0: not given */
	char sex;			/* 'M', 'F', 0 */
	const char *phone, *email;
	const char *address_unit;	/* unit code of the address, or NULL */
	const char *address_street;
};

struct dossier_component_in {
	int seq;			/* the catalog component's seq (0: extra) */
	const char *name;
	enum dossier_component_mode mode;
	int originals, certified, copies;
	const char *file_sha256;	/* 64 hex or NULL */
};

struct dossier_create_in {
	/* DA_RECEIVE (counter, post), DA_SUBMIT (online, not accepted yet),
	 * DA_REFUSE_INTAKE (refused at intake: gets a code, no book number,
	 * the note lists everything missing at once, NĐ 61 art. 15 cl. 3). */
	enum dossier_action action;
	const char *procedure_code;
	int64_t desk_id;
	const char *unit_code;		/* deciding unit; NULL: the desk's */
	enum dossier_channel channel;
	const char *request;		/* nội dung yêu cầu giải quyết */
	struct dossier_applicant applicant;
	int n_components;
	const struct dossier_component_in *components;
	const char *note;		/* event note (refusal reasons ...) */
	/* refuse_intake: everything missing at once (NĐ 61 art. 15 cl. 3)
	 * and the guidance form ("02" | "03"), stored in the first event's
	 * payload {"items":[...],"form":"02"} (dossier_events_list). */
	int n_items;
	const char *const *items;
	const char *form;
	/* Overrides for tests and imports; NULL/0: resolved here. */
	const char *agency_code;	/* NULL: desks.agency_code */
	const struct dossier_terms *terms; /* NULL: dossier_terms_get() */
};

struct dossier_created {
	char code[DOSSIER_CODE_MAX];
	char secret[DOSSIER_SECRET_LEN + 1];	/* "" when replayed */
	mc_time received_at, due_at;
	enum dossier_state state;
	int64_t version;
	int64_t fee_dong;
	int book_year, book_no;			/* 0 when not in the book */
	bool replayed;	/* the idempotency key was seen: the existing dossier */
};

/*
 * Creates a dossier in one transaction: the code from the agency's daily
 * counter (INSERT .. ON CONFLICT DO UPDATE .. RETURNING, unique across
 * officers and nodes; UNIQUE(code) as the last guard), the book number,
 * the first event (in->action), the derived row, the components, and the
 * audit entry "dossier.<action>". The clock starts at `now` (receipt
 * rules of the engine `dl`, the desk's: web/calcache.h); the due is
 * dossier_due() with the terms' duration. `idem_key` (NULL: none; 1..128
 * bytes) makes a repeat return the first dossier with replayed = true and
 * no secret, without writing anything. Errors: MC_EINVALID with the
 * reason in Vietnamese (no agency identifier on the desk, unreadable
 * time, bad input); MC_ENOTFOUND (procedure, desk); MC_ERANGE (due
 * outside the calendar); MC_EDB.
 */
int dossier_create(struct db *db, const struct dossier_create_in *in,
		   const char *idem_key, const struct deadline *dl,
		   const struct dossier_settings *settings, mc_time now,
		   const struct auth_actor *actor, struct dossier_created *out,
		   struct buf *err);

/* ---- actions ------------------------------------------------------------- */

struct dossier_bulk;	/* the bulk path, below */

struct dossier_act_in {
	enum dossier_action action;
	int64_t expected_version;	/* the version the user saw */
	const char *note;		/* reason, refusal text, guidance ... */
	int to_step;			/* send_back */
	mc_time new_due;		/* apologize */
	/* request_supplement: every missing item at once (Mẫu 02), >= 1 */
	int n_items;
	const char *const *items;
	/* pause: the kind, e.g. "civil_status_verification" */
	const char *pause_kind;
	/* record_result */
	const char *result_number, *result_date, *result_file_sha256;
	/* return: who collected it and how the identity was checked */
	const char *collected_by, *identity_checked;
	/* (added by dossier2) forward, send_back (dossier_action_assignable):
	 * the officer (users.id) who takes the dossier at the step it goes
	 * to, instead of the plan's assignee or the step's queue; 0: those.
	 * Must hold the step's role on the dossier's unit (an enabled user
	 * with such a grant), else MC_EINVALID "Người được giao: ...". */
	int64_t assignee_id;
	/* (added by dossier2) Idempotency key of this action (a form's hidden
	 * field, an API client's Idempotency-Key), 1..128 bytes, or NULL.
	 * See dossier_act(). */
	const char *idem_key;
	/* (added by dossier2) The plan pinned for the dossier when the caller
	 * has it (a bulk loader: dossier_terms.plan), or NULL: looked up.
	 * Used only when its n_steps is the dossier's. */
	const struct dossier_plan *plan;
};

struct dossier_act_out {
	enum dossier_state from, to;
	int64_t version;		/* after the action */
	mc_time due_at;
	int64_t event_seq;
	bool violation;			/* this action was a violation
					   (second supplement request) */
	bool replayed;			/* (dossier2) a repeat of a keyed
					   action: the first result, nothing
					   applied */
};

/* How long an action's idempotency key is remembered (seconds). */
#define DOSSIER_ACT_KEY_TTL (24 * 3600)

/*
 * Applies an action in one transaction: loads the row, checks the version
 * (MC_ECONFLICT, err "Hồ sơ đã được người khác cập nhật (phiên bản N,
 * bạn đang xem phiên bản M); tải lại trang." when stale), checks the
 * principal `p` (NULL: trusted caller, the CLI or the demo) against
 * dossier_needed_action() on the dossier's unit and the step's assignee
 * (MC_EFORBIDDEN with the reason), prepares (dossier_prepare with the
 * pinned plan and the engine `dl`) and applies the event (MC_EINVALID
 * with the state machine's reason), then writes the event, the derived
 * row (version + 1) and the audit entry "dossier.<action>" with before
 * and after {"state","step","due_at"}. MC_ENOTFOUND for an unknown code.
 *
 * Idempotency (in->idem_key, dossier2): the key is stored with the
 * dossier id in the same transaction, for DOSSIER_ACT_KEY_TTL after `now`.
 * A repeat of the same key on the same dossier, by the same actor, with
 * the same action and details (payload and note), answers the first
 * result with out->replayed true and writes nothing - before the version
 * check, so a double click never reads "someone else updated it". The
 * same key with another action, other details or another actor:
 * MC_ECONFLICT "Khóa chống gửi trùng ...". Two concurrent requests with
 * one key: one applies, the other answers its result. Expired keys are
 * deleted by the keyed actions themselves.
 */
int dossier_act(struct db *db, const char *code, const struct dossier_act_in *in,
		const struct deadline *dl, const struct dossier_settings *settings,
		const struct principal *p, mc_time now,
		const struct auth_actor *actor, struct dossier_act_out *out,
		struct buf *err);

/*
 * (added by dossier2) Who may be chosen as assignee_id for the step
 * `step` of `code` (forward: the current step + 1; send_back: to_step):
 * the enabled users holding that step's role on the dossier's unit (a
 * grant on the commune, its province or "VN"), by username:
 * {"step","step_name","role","role_label",
 *  "items":[{"id","username","full_name"}]}. MC_ENOTFOUND (code);
 * MC_EINVALID for a step outside the dossier's plan.
 */
int dossier_assignees(struct db *db, const char *code, int step, json_t **out,
		      struct buf *err);

/* ---- the bulk path (dossier2) ---------------------------------------------- */

/*
 * For loaders that write many dossiers in a row (`motcua demo`, imports):
 * the same creation and actions as dossier_create() and dossier_act() -
 * one implementation, the same events, rows, counters, keys and audit
 * entries - run inside the CALLER's transaction (db_begin() first, else
 * MC_EINVALID; commit every few hundred calls) without a savepoint per
 * call, with caches in the handle: the rows it wrote last (an action whose
 * expected_version is the cached row's skips the SELECT; the UPDATE still
 * checks the version), the plans by (procedure, version, committed time),
 * the desks. No principal: a trusted caller (as dossier_act with p NULL).
 *
 * Errors. Every check (version, rules, assignee, key) comes before the
 * first write: such a refusal (MC_EINVALID, MC_ECONFLICT, MC_ENOTFOUND,
 * MC_ERANGE) writes nothing and the batch goes on. A failure of the
 * database itself (MC_EDB) may leave part of a dossier written: the
 * caller rolls its transaction back and calls dossier_bulk_forget().
 *
 * A handle belongs to one connection and one thread; it may live over
 * several of the caller's transactions while they commit. Plans edited
 * meanwhile are seen after dossier_bulk_forget(). settings NULL: the
 * defaults (copied).
 */
int dossier_bulk_new(struct db *db, const struct dossier_settings *settings,
		     struct dossier_bulk **out);
void dossier_bulk_free(struct dossier_bulk *bk);
/* Drops the caches (after a rollback, or to see edited plans). */
void dossier_bulk_forget(struct dossier_bulk *bk);
/* As dossier_create(), in the caller's transaction. */
int dossier_bulk_create(struct dossier_bulk *bk,
			const struct dossier_create_in *in,
			const char *idem_key, const struct deadline *dl,
			mc_time now, const struct auth_actor *actor,
			struct dossier_created *out, struct buf *err);
/* As dossier_act() with p NULL, in the caller's transaction. */
int dossier_bulk_act(struct dossier_bulk *bk, const char *code,
		     const struct dossier_act_in *in, const struct deadline *dl,
		     mc_time now, const struct auth_actor *actor,
		     struct dossier_act_out *out, struct buf *err);
/* Row cache hits and misses so far (for benchmarks). */
void dossier_bulk_stats(const struct dossier_bulk *bk, uint64_t *hits,
			uint64_t *misses);

/* ---- reading ------------------------------------------------------------- */

enum dossier_get_flags {
	DOSSIER_WITH_PERSONAL = 1 << 0,	/* applicant's identity */
	DOSSIER_WITH_EVENTS = 1 << 1,	/* "events":[event...] */
};

/*
 * The "dossier" shape (+ "events" on request) at `now` (for "urgency").
 * With DOSSIER_WITH_PERSONAL and `viewer` not NULL, audits
 * "personal.view" (own transaction). MC_ENOTFOUND.
 */
int dossier_get(struct db *db, const char *code, unsigned flags, mc_time now,
		const struct auth_actor *viewer, json_t **out, struct buf *err);

/*
 * The derived row of `code` as stored (core struct) and what a handler
 * needs to authorise: unit code and its parent, the desk id, procedure
 * code and version id. Any out pointer may be NULL. MC_ENOTFOUND.
 */
struct dossier_ref {
	int64_t id, desk_id, version_id;
	char code[DOSSIER_CODE_MAX];
	char unit_code[16], unit_parent[16];
	char procedure_code[32];
};
int dossier_load(struct db *db, const char *code, struct dossier *row,
		 struct dossier_ref *ref, struct buf *err);

/* The events of `code` in order: {"items":[event...]}. MC_ENOTFOUND. */
int dossier_events_list(struct db *db, const char *code, json_t **out,
			struct buf *err);

/*
 * The stored events as core structs, in order (for the process-control
 * slip and replay): *events (the caller frees it with free()) and *n.
 * MC_ENOTFOUND. Actors and notes: dossier_events_list().
 */
int dossier_events_load(struct db *db, const char *code,
			struct dossier_event **events, int *n,
			struct buf *err);

/*
 * Citizen lookup: 0 when `secret` is the dossier's (constant-time compare
 * of hashes), MC_ENOTFOUND for an unknown code or a wrong secret (the
 * same answer, so codes cannot be probed).
 */
int dossier_check_secret(struct db *db, const char *code, const char *secret,
			 struct buf *err);
/* A new secret (old QR stops working). Audited "dossier.secret_reset". */
int dossier_secret_reset(struct db *db, const char *code, mc_time now,
			 const struct auth_actor *actor,
			 char secret[DOSSIER_SECRET_LEN + 1], struct buf *err);

/*
 * Rebuilds the row from the events (dossier_init + dossier_apply of each)
 * and compares it with the stored one. 0 with *equal and the names of the
 * differing fields in `diff` ("state, due_at"); MC_ENOTFOUND; MC_EINVALID
 * when an event does not apply (the log itself is inconsistent; reason in
 * err).
 */
int dossier_replay(struct db *db, const char *code,
		   const struct dossier_settings *settings, bool *equal,
		   struct buf *diff, struct buf *err);

/* ---- queues -------------------------------------------------------------- */

struct dossier_queue_q {
	/* Which dossiers: open dossiers whose current step is in the queue
	 * of `role` (when assignee_id is 0) or assigned to `assignee_id`. */
	enum role role;
	int64_t assignee_id;
	/* Unit scope: the dossiers of these units (deciding unit), or NULL
	 * for all (a national grant). */
	const char *const *units;
	int n_units;
	/* Optional filter: a state name ("result_ready", "submitted" ...)
	 * or NULL; index (queue_role, active, unit_code, due_at) still
	 * applies, state filtered on the open rows. */
	const char *state;
	/* Optional filter: "overdue" | "approaching" | "normal" | NULL. */
	const char *urgency;
	int page, per_page;		/* page from 1; per_page 1..200 (0: 50) */
};

/*
 * Open dossiers of a queue sorted by due time (then code), at `now`:
 * {"items":[dossier shape without personal data, without components],
 *  "counts":{"overdue","approaching","normal","paused","total"},
 *  "page","per_page","total"}. Index-backed (dossiers_queue_*): fast on
 * 10 million dossiers.
 */
int dossier_queue(struct db *db, const struct dossier_queue_q *q,
		  mc_time now, json_t **out, struct buf *err);

/* ---- tracking book (Sổ theo dõi hồ sơ) ----------------------------------- */

/*
 * The book of a desk for a year: every received dossier in receipt order,
 * numbered from 1 each year (TT 01/2018 art. 10: numbering continuous from
 * 01 over the year): {"desk":{...},"year",
 *  "items":[{"no","code","procedure_code","procedure_name","applicant_name",
 *            "applicant_address","phone","n_sets","unit_code",
 *            "received_at","due_at","forwarded_at","result_at",
 *            "returned_at","state","state_label","note"}],
 *  "page","per_page","total"}. per_page 0: all (for print and CSV).
 * Contains personal data (the book does): the caller audits.
 */
int dossier_book(struct db *db, int64_t desk_id, int year, int page,
		 int per_page, json_t **out, struct buf *err);

/* ---- payments ------------------------------------------------------------ */

struct dossier_payment_in {
	int64_t amount;			/* đồng, > 0 */
	const char *method;		/* "cash" | "transfer" */
	const char *receipt_no;		/* biên lai số; NULL or "": none */
	const char *note;
	/* (added by dossier2) when it was paid, as typed by the officer;
	 * 0: now. */
	mc_time at;
};

/*
 * Records a payment (one transaction, audited "dossier.payment" with
 * {"amount","method","receipt_no","at"}); updates paid_dong; *id_out (may
 * be NULL) gets its id. Checks (dossier2), each refusal MC_EINVALID with
 * the reason starting with the field's label, so that a form can put it
 * next to the field: "Số tiền:" (amount: 1 .. 10^12 đồng), "Hình thức
 * nộp:" (method: "cash" | "transfer"), "Số biên lai:" (receipt_no: at
 * most 64 bytes; a number is used once per desk: another dossier's, or
 * another amount or method, is refused), "Thời điểm nộp:" (at: not more
 * than 5 minutes after now, not before the day the dossier was created).
 * The same payment again (same dossier, receipt number, amount and
 * method: a double click) answers the first one's id and writes nothing.
 * MC_ENOTFOUND for an unknown code.
 */
int dossier_payment_add(struct db *db, const char *code,
			const struct dossier_payment_in *in, mc_time now,
			const struct auth_actor *actor, int64_t *id_out,
			struct buf *err);
/* {"items":[{"id","at","recorded_at","amount","method","receipt_no","note",
 *  "actor"}], "fee_dong","paid_dong","due_dong"}; "at" is when it was
 *  paid, "recorded_at" when it was entered (null for payments of before
 *  migration 0012). */
int dossier_payments_list(struct db *db, const char *code, json_t **out,
			  struct buf *err);

#endif
