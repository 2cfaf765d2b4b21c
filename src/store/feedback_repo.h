/*
 * feedback_repo.h - feedback and complaints (phản ánh, kiến nghị) in the
 * database (migrations/0017_feedback.sql): the check of the citizen's form,
 * creation with a code and a secret, the lookup, actions applied in one
 * transaction with their event and audit entry, the officers' queue and
 * the public list of published answers. All SQL of feedback. What is
 * allowed is core/feedback.h (never decided here); deadlines are computed
 * by the caller from the times this module returns (core/feedback.h
 * feedback_dues with the unit's deadline engine).
 *
 * Secret. As a dossier's: 16 random bytes in 26 characters of base32,
 * only its SHA-256 stored, the clear secret handed out once by
 * feedback_create(). A wrong secret and an unknown code give the same
 * answer (MC_ENOTFOUND).
 *
 * Shapes (jansson):
 * feedback: {"code","kind","kind_label","unit_code","unit_name",
 *   "procedure_code"|null,"procedure_name"|null,"dossier_code"|null,
 *   "officer"|null,"subject","content","state","state_label",
 *   "received_at" (ISO UTC+7),"info_request"|null,"refuse_reason"|null,
 *   "answer"|null,"answered_at"|null,"published_at"|null,
 *   "public_question"|null,"satisfied":true|false|null,"rated_at"|null,
 *   "rating_comment"|null,"version",
 *   "times":{"received","answered" (UTC seconds, 0 when unset),
 *            "pauses":[[start,end]...] (end 0 while waiting)},
 *   "events":[{"seq","at","action","action_label","state","state_label",
 *              "note"|null, "actor" (officer view only)}]}
 *   With FEEDBACK_OFFICER also "sender":{"name","phone","email"} and
 *   "answered_by". The citizen's view never carries officers' names.
 */
#ifndef MC_STORE_FEEDBACK_REPO_H
#define MC_STORE_FEEDBACK_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/feedback.h"
#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

/* ---- the citizen's form ---------------------------------------------------- */

/* A form or API body as typed; NULL reads as "". */
struct feedback_input {
	const char *kind;
	const char *unit_code;		/* procedure / officer kinds */
	const char *procedure_code;	/* optional */
	const char *dossier_code;	/* dossier kind */
	const char *dossier_secret;	/* dossier kind: the secret or ... */
	const char *dossier_last4;	/* ... the last 4 digits of the
					 * applicant's phone or ID number */
	const char *officer;		/* officer kind: name or position */
	const char *subject;
	const char *content;
	const char *sender_name;
	const char *phone;		/* optional */
	const char *email;		/* optional */
};

/*
 * Checks and normalises a form (texts trimmed, squeezed, NFC; the content
 * keeps its lines; codes upper case; the phone digits only). 0 with *norm
 * {"kind","unit_code","procedure_code","dossier_code","dossier_secret",
 * "dossier_last4","officer","subject","content","sender_name","phone",
 * "email"}, or MC_EINVALID with *errors {field: "Nhãn: lý do"} naming
 * each bad field in Vietnamese, and *norm (to show the form again). Both
 * new references. Existence (unit, procedure, dossier) is checked by
 * feedback_resolve().
 */
int feedback_check(const struct feedback_input *in, json_t **norm,
		   json_t **errors);

/*
 * Resolves what a checked form names, adding to `errors` (same style) when
 * it does not exist: the unit (must have a desk: "unit_code"), the
 * procedure ("procedure_code"), the dossier with its second factor
 * ("dossier_code": an unknown code and a wrong factor read the same; the
 * caller throttles per client address). For a dossier the unit becomes
 * its desk's and the procedure its own. Sets in `norm`
 * "unit_code", "unit_parent", "unit_name" and "procedure_name". Returns
 * 0 (check errors), or MC_EDB.
 */
int feedback_resolve(struct db *db, json_t *norm, json_t *errors,
		     struct buf *err);

/* The units the form offers, by name: the provinces when `parent` is NULL
 * or "", else the units with a desk under `parent`:
 * {"items":[{"code","name"}]}. MC_EDB. */
int feedback_units(struct db *db, const char *parent, json_t **out,
		   struct buf *err);

/* ---- create, read ---------------------------------------------------------- */

/*
 * Stores a resolved form (feedback_resolve() without errors) received at
 * `now` from `client` (address, may be NULL): one transaction with the
 * event "create" and the audit entry "feedback.create" (actor "citizen";
 * no personal data in the entry). Writes the code into code[] and the
 * clear secret into secret[] (shown once). MC_EDB.
 */
int feedback_create(struct db *db, json_t *norm, mc_time now,
		    const char *client, char code[FEEDBACK_CODE_LEN + 1],
		    char secret[FEEDBACK_SECRET_LEN + 1], struct buf *err);

/* 0 when `secret` is the feedback's (constant-time compare of hashes);
 * MC_ENOTFOUND for an unknown code or a wrong secret alike. */
int feedback_check_secret(struct db *db, const char *code,
			  const char *secret, struct buf *err);

enum feedback_get_flags {
	FEEDBACK_OFFICER = 1 << 0,	/* the sender's contact, actors */
};

/* The feedback `code` (shape above) into *out (new ref). MC_ENOTFOUND,
 * MC_EDB. Access is the caller's (secret or route authorization). */
int feedback_get(struct db *db, const char *code, unsigned flags,
		 json_t **out, struct buf *err);

/* The responsible unit of `code` and its parent (for the router), into
 * buffers of 16 bytes. MC_ENOTFOUND, MC_EDB. */
int feedback_unit_of(struct db *db, const char *code, char unit[16],
		     char parent[16], struct buf *err);

/* ---- actions ---------------------------------------------------------------- */

struct feedback_act_in {
	enum feedback_action action;
	const char *note;	/* checked with feedback_note_check() here;
				 * publish: the question as published (""
				 * keeps the citizen's text) */
	bool satisfied;		/* rate */
	/* The version the officer's form was made from; -1: no check (the
	 * citizen's actions). */
	int64_t version;
	/* NULL for the citizen (audited as "citizen"). */
	const struct auth_actor *actor;
	const char *client;	/* the citizen's address, for the audit */
};

/*
 * Applies an action in one transaction: the transition of
 * core/feedback.h, the row, the event, the audit entry "feedback.ACTION"
 * (before/after: the state; object "feedback", unit the responsible one).
 * Errors: MC_ENOTFOUND; MC_EINVALID with the Vietnamese reason (not
 * allowed now, a bad note: "Label: reason"); MC_ECONFLICT when `version`
 * is stale (someone acted in between); MC_EDB. Nothing written on error.
 */
int feedback_act(struct db *db, const char *code,
		 const struct feedback_act_in *in, mc_time now,
		 struct buf *err);

/* ---- lists ------------------------------------------------------------------- */

struct feedback_queue_q {
	/* The units in scope (a unit, or a province and its communes), or
	 * NULL for all (a national grant). */
	const char *const *units;
	int n_units;
	/* A state name, or NULL for the open ones: received,
	 * info_requested, and answered procedure feedback not yet
	 * published. "all": every state. */
	const char *state;
	int page, per_page;	/* page from 1; per_page 1..200 (0: 50) */
};

/*
 * The queue, oldest first: {"items":[{"code","kind","kind_label",
 * "unit_code","unit_name","subject","state","state_label","received_at",
 * "times":{...}}],"total","page","per_page"}. MC_EINVALID for a bad
 * page or state, MC_EDB.
 */
int feedback_queue(struct db *db, const struct feedback_queue_q *q,
		   json_t **out, struct buf *err);

/*
 * The public page: published answers about procedures, newest first:
 * {"items":[{"code","procedure_code","procedure_name","unit_name",
 * "subject","question","answer","received_at","answered_at",
 * "published_at"}],"total","page","per_page"} - never the sender, the
 * officers or the unpublished texts. MC_EINVALID, MC_EDB.
 */
int feedback_public_list(struct db *db, int page, int per_page, json_t **out,
			 struct buf *err);

#endif
