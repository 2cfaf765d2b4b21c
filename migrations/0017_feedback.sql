-- 0017_feedback.sql - feedback and complaints (phản ánh, kiến nghị): one
-- row per feedback (the current state, the texts, the sender's contact)
-- and its events (who did what when; the waits for the citizen's
-- information are the intervals between an ask_info event and the next
-- supply_info). Written and read by store/feedback_repo.c only; the rules
-- are core/feedback.h (QĐ 766 deadlines). Times are BIGINT seconds UTC,
-- NULL when unset. secret_hash: hex SHA-256 of the lookup secret (the
-- clear secret is shown once). unit_code: the responsible unit (a unit
-- with a desk: its calendar and office hours count the deadlines).
-- unit_parent: its province (the scope of a province grant). public_question:
-- the question as published, when the officer rewrote it (personal data
-- taken out); NULL: the citizen's text. satisfied: NULL until the citizen rates the answer, then 1 or 0.
-- version: the number of events (optimistic check of the officers' forms).
CREATE TABLE feedback (
	id {{serial_pk}},
	code TEXT NOT NULL UNIQUE,
	secret_hash TEXT NOT NULL,
	kind TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	unit_parent TEXT NOT NULL,
	procedure_code TEXT,
	dossier_code TEXT,
	officer TEXT,
	subject TEXT NOT NULL,
	content TEXT NOT NULL,
	sender_name TEXT NOT NULL,
	sender_phone TEXT,
	sender_email TEXT,
	state TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	info_request TEXT,
	refuse_reason TEXT,
	answer TEXT,
	answered_at BIGINT,
	answered_by TEXT,
	published_at BIGINT,
	public_question TEXT,
	satisfied INTEGER,
	rated_at BIGINT,
	rating_comment TEXT,
	version BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- The officers' queue: a unit's feedback by state, oldest first (the same
-- 15 working days for all, so the oldest is due first).
CREATE INDEX feedback_unit_state ON feedback (unit_code, state, received_at);
-- The public page: published answers, newest first.
CREATE INDEX feedback_published ON feedback (state, published_at);

CREATE TABLE feedback_events (
	feedback_id BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	note TEXT,
	PRIMARY KEY (feedback_id, seq)
);
