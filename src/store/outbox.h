/*
 * outbox.h - the durable outbox of notifications (migrations/0019): an
 * e-mail to the applicant and a signed webhook per configured receiver for
 * each public dossier event, written in the same transaction as the event;
 * claimed by senders (web/notify.c, `motcua outbox run-once`), marked sent,
 * or failed with exponential backoff until dead. Also the webhooks table.
 * All SQL of notifications; delivery itself (SMTP, HTTP) is not done here.
 *
 * Shapes (jansson):
 * message: {"id","kind":"email"|"webhook","target","webhook_id"|null,
 *           "dossier_code"|null,"event_seq"|null,"event","subject",
 *           "status":"pending"|"sent"|"dead","attempts","next_at",
 *           "last_error","created_at","sent_at"|null}   (times ISO UTC+7)
 *   ("body" only with outbox_get())
 * webhook: {"id","name","url","enabled":bool,"created_at"}  (never the
 *           secret)
 */
#ifndef MC_STORE_OUTBOX_H
#define MC_STORE_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/dossier.h"
#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

enum outbox_kind { OUTBOX_EMAIL = 0, OUTBOX_WEBHOOK };

/* Retry policy: attempt n (1-based) that fails is retried after
 * min(base_s * 2^(n-1), max_s); after max_attempts failures the row is
 * dead. */
struct outbox_policy {
	int64_t base_s, max_s;
	int max_attempts;
};
/* 60 s, doubling, at most 6 h between attempts, 10 attempts (~ 1.5 days
 * in all): long enough to ride out a relay's maintenance window. */
#define OUTBOX_POLICY_DEFAULT { 60, 6 * 3600, 10 }

/* Delay before the retry that follows failed attempt `attempts` (>= 1). */
int64_t outbox_backoff(const struct outbox_policy *p, int attempts);

/* One message to enqueue. Borrowed strings. */
struct outbox_msg {
	enum outbox_kind kind;
	const char *target;	/* e-mail address, or the webhook's URL */
	int64_t webhook_id;	/* webhook: webhooks.id */
	const char *dossier_code;	/* NULL: not about a dossier */
	int64_t event_seq;
	const char *event;	/* "received", "supplement" ... (public kind) */
	const char *subject;	/* e-mail subject; webhook: the event */
	const char *body;	/* e-mail text, or the webhook's JSON */
};

/*
 * Enqueues `m`, due at `now`, inside the caller's transaction (db_begin()
 * first: MC_EINVALID otherwise, a programmer error). The new id in *id
 * (may be NULL). MC_EINVALID for an empty target/body; MC_EDB.
 */
int outbox_enqueue(struct db *db, const struct outbox_msg *m, mc_time now,
		   int64_t *id, struct buf *err);

/*
 * The hook of store/dossier_repo.c, called right after an event is written,
 * in the event's transaction. When the event's public kind notifies
 * (core/dossier_public.h dossier_public_kind_notifies), enqueues an e-mail
 * when the dossier's applicant gave an address (applicant_email) and one
 * webhook message per enabled webhook; else writes nothing and reads
 * nothing. The texts come from core/dossier_public.h (note: only a
 * refusal's reason; payload: {"items":[...]} of a supplement request or a
 * refusal at intake). `place` of a result: the desk's name and address.
 * Returns 0 or MC_EDB (the caller rolls the event back).
 */
int outbox_dossier_event(struct db *db, int64_t dossier_id, int64_t seq,
			 enum dossier_action action, mc_time at,
			 mc_time new_due, const char *note,
			 const char *payload, struct buf *err);

/* A claimed message, for a sender. Strings owned by the struct. */
struct outbox_item {
	int64_t id;
	enum outbox_kind kind;
	char *target;
	int64_t webhook_id;
	char *webhook_secret;	/* webhook: the key (NULL for e-mails) */
	char *dossier_code, *event, *subject, *body;
	int attempts;		/* before this one */
	mc_time created_at;
};
void outbox_item_release(struct outbox_item *it);

/*
 * Claims up to `max` due rows of `kinds` (pending, next_at <= now, no live lease),
 * oldest first, each with a lease until now + lease_s so that no other
 * sender takes them meanwhile (a conditional UPDATE per row: safe across
 * threads and nodes, on SQLite and PostgreSQL). A webhook whose receiver
 * was removed or disabled meanwhile is marked dead ("webhook removed") and
 * not returned. *items is allocated (free each with outbox_item_release,
 * then free()), *n set. MC_EDB.
 */
int outbox_claim(struct db *db, mc_time now, int64_t lease_s, int max,
		 unsigned kinds, struct outbox_item **items, int *n,
		 struct buf *err);
/* Bits of `kinds`: which kinds a sender can deliver (a sender without an
 * SMTP relay leaves e-mails waiting). */
#define OUTBOX_KIND_EMAIL (1u << OUTBOX_EMAIL)
#define OUTBOX_KIND_WEBHOOK (1u << OUTBOX_WEBHOOK)

/* Marks a claimed row sent. */
int outbox_mark_sent(struct db *db, int64_t id, mc_time now, struct buf *err);

/*
 * Records a failed attempt with its reason (truncated to 500 bytes): the
 * row becomes due again at now + outbox_backoff(), or dead once it has
 * failed policy->max_attempts times. *dead (may be NULL) says which.
 */
int outbox_mark_failed(struct db *db, int64_t id, const char *reason,
		       const struct outbox_policy *policy, mc_time now,
		       bool *dead, struct buf *err);

/*
 * Puts a dead (or pending) row back in the queue: due now, attempts 0,
 * lease cleared. Audited "outbox.retry" (by: actor) in the same
 * transaction. MC_ENOTFOUND (no such row), MC_ECONFLICT (already sent).
 */
int outbox_retry(struct db *db, const struct auth_actor *by, int64_t id,
		 mc_time now, struct buf *err);

struct outbox_filter {
	const char *status;	/* "pending" | "sent" | "dead" | NULL: all */
	const char *dossier_code;	/* or NULL */
	int limit;		/* 1..500 (0: 100), newest first */
};
/* {"items":[message...],"counts":{"pending","sent","dead"}}. */
int outbox_list(struct db *db, const struct outbox_filter *f, json_t **out,
		struct buf *err);
/*
 * Deletes the messages sent before `before` (they hold the applicant's
 * address and the texts: personal data kept no longer than needed); the
 * number deleted in *n (may be NULL). Waiting and dead ones are kept.
 */
int outbox_purge(struct db *db, mc_time before, int64_t *n, struct buf *err);

/* One message with its "body". MC_ENOTFOUND. */
int outbox_get(struct db *db, int64_t id, json_t **out, struct buf *err);

/* ---- webhooks ------------------------------------------------------------ */

#define WEBHOOK_SECRET_MIN 16
#define WEBHOOK_SECRET_MAX 128

/*
 * Checks a webhook's fields: name 3..64 of [A-Za-z0-9._-] ("Tên: ..."),
 * url http:// or https:// with a host, at most 2000 bytes, no spaces or
 * control characters ("Địa chỉ URL: ..."), secret WEBHOOK_SECRET_MIN..MAX
 * printable ASCII bytes ("Khóa bí mật: ..."). 0 or MC_EINVALID with the
 * reason in err starting with the field's label; *field (may be NULL)
 * gets "name", "url" or "secret".
 */
int outbox_webhook_check(const char *name, const char *url,
			 const char *secret, const char **field,
			 struct buf *err);

/*
 * Adds a webhook (outbox_webhook_check first), audited "webhook.add"
 * without the secret. MC_ECONFLICT ("Tên: đã có webhook tên này") for a
 * used name. The new id in *id (may be NULL).
 */
int outbox_webhook_add(struct db *db, const struct auth_actor *by,
		       const char *name, const char *url, const char *secret,
		       mc_time now, int64_t *id, struct buf *err);
/*
 * Removes webhook `id` (its pending messages are marked dead "webhook
 * removed"), audited "webhook.remove". MC_ENOTFOUND.
 */
int outbox_webhook_remove(struct db *db, const struct auth_actor *by,
			  int64_t id, mc_time now, struct buf *err);
/* Looks a webhook up by name: its id, or MC_ENOTFOUND. */
int outbox_webhook_find(struct db *db, const char *name, int64_t *id,
			struct buf *err);
/* {"items":[webhook...]} by name. */
int outbox_webhook_list(struct db *db, json_t **out, struct buf *err);

#endif
