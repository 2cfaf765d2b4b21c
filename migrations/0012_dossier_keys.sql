-- 0012_dossier_keys.sql - (dossier2) idempotency keys of dossier actions,
-- and payments with the time they were made, the desk, and receipt numbers
-- unique per desk. Written and read by store/dossier_repo.c only;
-- docs/dossier.md. 0008 stays as it was (databases have applied it).

-- A key sent with an action (a form's hidden field, an API client's
-- Idempotency-Key): a repeat with the same key, by the same actor, for the
-- same action and details, answers the first result (the stored one)
-- without applying it again; any other use of the key is a conflict.
-- fingerprint: hex SHA-256 of the action, its payload and note. Rows live
-- until expires_at (each keyed action deletes the expired ones).
CREATE TABLE dossier_action_keys (
	dossier_id BIGINT NOT NULL,
	idem_key TEXT NOT NULL,
	actor_id BIGINT NOT NULL,
	fingerprint TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	version BIGINT NOT NULL,
	due_at BIGINT NOT NULL,
	violation INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (dossier_id, idem_key)
);
CREATE INDEX dossier_action_keys_expires ON dossier_action_keys (expires_at);

-- Payments: `at` is now the time the officer typed (when it was paid);
-- recorded_at when it was entered. desk_id: the dossier's desk, so that a
-- receipt number (biên lai) is used once per desk: receipt_key is the
-- receipt number of payments recorded from now on (NULL for the rows of
-- before, which were never checked, and for payments without a number).
ALTER TABLE dossier_payments ADD COLUMN desk_id BIGINT;
ALTER TABLE dossier_payments ADD COLUMN receipt_key TEXT;
ALTER TABLE dossier_payments ADD COLUMN recorded_at BIGINT;
UPDATE dossier_payments SET recorded_at = at, desk_id = (SELECT d.desk_id
	FROM dossiers d WHERE d.id = dossier_payments.dossier_id);
CREATE UNIQUE INDEX dossier_payments_receipt
	ON dossier_payments (desk_id, receipt_key);
CREATE INDEX dossier_payments_desk_receipt
	ON dossier_payments (desk_id, receipt_no);
