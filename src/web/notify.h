/*
 * notify.h - delivery of the outbox (store/outbox.h): e-mails through an
 * SMTP relay with libcurl (message built by core/mailfmt.h) and webhooks
 * POSTed with an HMAC-SHA256 signature (libsodium). A sender thread that
 * `motcua serve` starts: it has its own database connection and never
 * touches a request; it polls the outbox every interval_s, delivers what
 * is due, retries with the outbox's backoff, and stops on notify_stop()
 * (SIGTERM) within a second or so, aborting a transfer in flight (the row
 * stays claimed until its lease runs out, then is sent again: delivery is
 * at least once; receivers dedupe on Message-ID / X-Motcua-Delivery).
 */
#ifndef MC_WEB_NOTIFY_H
#define MC_WEB_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mctime.h"
#include "store/db.h"
#include "store/outbox.h"
#include "util/buf.h"

struct notify_config {
	const char *db_url;	/* the sender's own connection */
	/* "smtp://relay:25", "smtp://user:pass@relay:587" (STARTTLS when
	 * the relay offers it), "smtps://relay:465"; NULL: e-mails wait in
	 * the outbox (webhooks are still sent). */
	const char *smtp_url;
	const char *mail_from;	/* envelope and From address */
	const char *from_name;	/* display name, NULL: "Bộ phận Một cửa" */
	const char *public_url;	/* for the lookup link in the footer */
	struct outbox_policy policy;
	int interval_s;		/* polling period (>= 1) */
	int64_t lease_s;	/* a claim's lease (> the transfer timeout) */
	long timeout_s;		/* each delivery (connect + transfer) */
};
/* Poll every 5 s, lease 5 min, 30 s per delivery, OUTBOX_POLICY_DEFAULT. */
void notify_config_init(struct notify_config *c);

/*
 * Reads the tuning settings from the environment into c:
 * MOTCUA_NOTIFY_INTERVAL (seconds, 1..3600), MOTCUA_OUTBOX_BACKOFF (first
 * retry delay in seconds, 1..86400; it doubles up to 6 h or itself),
 * MOTCUA_OUTBOX_MAX_ATTEMPTS (1..100). Unset: unchanged. MC_EINVALID
 * naming the variable for a bad value. Also checks that mail_from is a
 * plain address when smtp_url is set ("--mail-from ...").
 */
int notify_config_env(struct notify_config *c, struct buf *err);

struct notify_counts {
	int claimed, sent, failed, dead;
};

/*
 * One pass: claims the due messages one at a time (up to 32; e-mails
 * only with an smtp_url; each with a lease of lease_s) and delivers each,
 * marking it sent or failed at `now` plus the time the pass has taken. `stop` (may be
 * NULL) aborts transfers when it becomes nonzero. Delivery failures are
 * counted, not returned; returns 0 or MC_EDB (the outbox could not be
 * read or written, reason in err).
 */
int notify_run_once(struct db *db, const struct notify_config *cfg,
		    mc_time now, const volatile int *stop,
		    struct notify_counts *out, struct buf *err);

/*
 * The header value X-Motcua-Signature for `body`: "sha256=" and the lower
 * case hex of HMAC-SHA256(key = secret's bytes, body) (RFC 2104, libsodium
 * crypto_auth_hmacsha256). out: 72 bytes at least.
 */
void notify_sign(const char *secret, const void *body, size_t len,
		 char out[72]);

/*
 * The e-mail of an outbox item as bytes (headers and base64 body), with
 * the footer (lookup link, "do not reply") appended to its text and
 * Message-ID "outbox-ID.CREATED@DOMAIN-OF-FROM". MC_EINVALID for a bad
 * address (the message can never be sent).
 */
int notify_email_bytes(const struct notify_config *cfg,
		       const struct outbox_item *it, struct buf *out,
		       struct buf *err);

/* Starts the sender thread (curl_global_init first, in the caller's
 * thread; SIGTERM and SIGINT blocked in the new thread). MC_EIO. */
struct notify;
int notify_start(const struct notify_config *cfg, struct notify **out,
		 struct buf *err);
/* Asks the thread to stop, waits for it, frees. NULL is a no-op. Blocks
 * SIGTERM and SIGINT in the calling thread for good (called on the way
 * out of `serve`: a late second signal must not kill the process). */
void notify_stop(struct notify *n);

#endif
