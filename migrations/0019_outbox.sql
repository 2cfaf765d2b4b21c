-- 0019_outbox.sql - (notify, issue 6) the durable outbox of notifications
-- (e-mails to applicants, signed webhooks) and the configured webhooks.
-- Written and read by store/outbox.c only; docs/citizen.md "Thông báo".

-- One message to deliver. A row is written in the SAME transaction as the
-- dossier event it tells about (store/dossier_repo.c calls
-- outbox_dossier_event), so an event is never lost nor announced when its
-- transaction rolls back. kind: 'email' (target: the address; subject and
-- body: plain UTF-8 text; the RFC 5322 message is built when sending) or
-- 'webhook' (webhook_id; body: the JSON posted, signed when sending).
-- status: 'pending' (next_at: due time of the next attempt), 'sent',
-- 'dead' (max attempts reached; `motcua outbox retry` or the admin page
-- puts it back). locked_until: a sender's lease on the row (several nodes
-- may run senders; a crashed sender's lease runs out).
CREATE TABLE outbox (
	id {{serial_pk}},
	kind TEXT NOT NULL,
	target TEXT NOT NULL,
	webhook_id BIGINT,
	dossier_code TEXT,
	event_seq BIGINT,
	event TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_at);
CREATE INDEX outbox_dossier ON outbox (dossier_code);

-- Receivers of signed webhooks (an SMS gateway, the province's
-- integration platform). secret: the HMAC-SHA256 key, kept in clear
-- because signing needs it; never shown after creation.
CREATE TABLE webhooks (
	id {{serial_pk}},
	name TEXT NOT NULL UNIQUE,
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL
);
