-- 0008_dossier.sql - dossiers (hồ sơ): the derived row, its events (the
-- truth), components, payments, the daily code counter, idempotency keys
-- of intake forms, and the step plans of procedures. Written and read by
-- store/dossier_repo.c only; the rules are core/dossier.h; docs/dossier.md.

-- The derived row: a fold of dossier_events (motcua dossier replay CODE
-- rebuilds it and compares). Times are BIGINT seconds UTC, NULL when unset.
-- secret_hash: hex SHA-256 of the lookup secret (the clear secret is given
-- once at creation). Applicant identity in applicant_* columns only, so
-- that reads without personal data leave them out. version: the number of
-- events (optimistic check). active: 1 while not closed (queues). pauses:
-- "start-end,start-end" (end 0 while open). version_id NULL: the baseline.
CREATE TABLE dossiers (
	id {{serial_pk}},
	code TEXT NOT NULL UNIQUE,
	secret_hash TEXT NOT NULL,
	procedure_code TEXT NOT NULL,
	version_id BIGINT,
	desk_id BIGINT NOT NULL,
	unit_code TEXT NOT NULL,
	channel TEXT NOT NULL,
	request TEXT NOT NULL,
	applicant_kind TEXT NOT NULL,
	applicant_name TEXT,
	applicant_id_number TEXT,
	applicant_birth_year INTEGER,
	applicant_sex TEXT,
	applicant_phone TEXT,
	applicant_email TEXT,
	applicant_address_unit TEXT,
	applicant_address_street TEXT,
	state TEXT NOT NULL,
	resume_state TEXT NOT NULL,
	step INTEGER NOT NULL,
	n_steps INTEGER NOT NULL,
	queue_role TEXT NOT NULL,
	assignee_id BIGINT NOT NULL,
	dur_code TEXT NOT NULL,
	submitted_at BIGINT,
	received_at BIGINT,
	due_at BIGINT,
	original_due_at BIGINT,
	approach_at BIGINT,
	finished_at BIGINT,
	closed_at BIGINT,
	restart_at BIGINT,
	pauses TEXT NOT NULL,
	supplement_count INTEGER NOT NULL,
	apology_used INTEGER NOT NULL,
	violation INTEGER NOT NULL,
	classification TEXT,
	active INTEGER NOT NULL,
	version BIGINT NOT NULL,
	fee_dong BIGINT NOT NULL,
	paid_dong BIGINT NOT NULL,
	book_year INTEGER,
	book_no INTEGER,
	result_number TEXT,
	result_date TEXT,
	result_sha256 TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- Work queues: open dossiers of a role queue in a unit, by due time; of a
-- person; a desk's lists by state; the tracking book.
CREATE INDEX dossiers_queue_role
	ON dossiers (queue_role, active, unit_code, due_at);
CREATE INDEX dossiers_queue_person
	ON dossiers (assignee_id, active, due_at);
CREATE INDEX dossiers_desk_state ON dossiers (desk_id, state, due_at);
CREATE INDEX dossiers_book ON dossiers (desk_id, book_year, book_no);

-- Events, seq from 1 per dossier. The ev_* columns are the computed fields
-- of core struct dossier_event (replayed as stored); payload: JSON text of
-- the action's details (supplement items, result, collector ...).
CREATE TABLE dossier_events (
	dossier_id BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	at BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	step INTEGER,
	note TEXT NOT NULL,
	payload TEXT,
	ev_to_step INTEGER NOT NULL,
	ev_new_due BIGINT NOT NULL,
	ev_dur TEXT NOT NULL,
	ev_n_steps INTEGER NOT NULL,
	ev_step INTEGER NOT NULL,
	ev_queue_role TEXT NOT NULL,
	ev_assignee_id BIGINT NOT NULL,
	ev_due_at BIGINT NOT NULL,
	ev_original_due_at BIGINT NOT NULL,
	ev_approach_at BIGINT NOT NULL,
	PRIMARY KEY (dossier_id, seq)
);

-- Components as received. mode: original, certified_copy, copy,
-- reused_from_national_db, digitised. file_sha256: the scanned file.
CREATE TABLE dossier_components (
	dossier_id BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	component_seq INTEGER NOT NULL,
	name TEXT NOT NULL,
	mode TEXT NOT NULL,
	originals INTEGER NOT NULL,
	certified INTEGER NOT NULL,
	copies INTEGER NOT NULL,
	file_sha256 TEXT,
	PRIMARY KEY (dossier_id, seq)
);

CREATE TABLE dossier_payments (
	id {{serial_pk}},
	dossier_id BIGINT NOT NULL,
	at BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	method TEXT NOT NULL,
	receipt_no TEXT NOT NULL,
	note TEXT NOT NULL,
	actor TEXT NOT NULL
);
CREATE INDEX dossier_payments_dossier ON dossier_payments (dossier_id, id);

-- Counters incremented in the creating transaction (INSERT .. ON CONFLICT
-- DO UPDATE .. RETURNING): scope = agency identifier, period = YYMMDD for
-- the dossier code's daily sequence; scope = 'book:<desk id>', period =
-- YYYY for the tracking book's numbers.
CREATE TABLE dossier_counter (
	scope TEXT NOT NULL,
	period TEXT NOT NULL,
	last BIGINT NOT NULL,
	PRIMARY KEY (scope, period)
);

-- Idempotency keys of intake (a double-clicked "Tiếp nhận" creates one).
CREATE TABLE dossier_idempotency (
	idem_key TEXT PRIMARY KEY,
	dossier_code TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- Step plans of a procedure version (version_id NULL: the baseline), seq
-- from 0. role: a role name of core/authz.h; assignee_id 0: the queue.
-- weight: the step's share of the total time (deadline_split).
CREATE TABLE procedure_steps (
	procedure_code TEXT NOT NULL,
	version_id BIGINT,
	seq INTEGER NOT NULL,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	assignee_id BIGINT NOT NULL,
	weight INTEGER NOT NULL
);
CREATE INDEX procedure_steps_key
	ON procedure_steps (procedure_code, version_id, seq);
