-- 0007_procedure_versions.sql - versions of a procedure: what a province
-- (or the whole country, scope 'VN') commits to on top of the national
-- catalog, from an effective date: shorter processing times per channel,
-- fees, components dropped or replaced by a national-database look-up
-- (NQ 66.7/2025/NQ-CP). The national catalog itself (tables of
-- 0001_catalog.sql) is version 0, the legal baseline; it is not copied
-- here. Written and read by store/version_repo.c (docs/admin.md).

-- status 'draft' (editable, deletable) or 'published'. version_no is given
-- at publication (1, 2, ... per procedure and scope) and NULL for drafts.
-- effective_from is a civil date of UTC+7, 'YYYY-MM-DD'. A published
-- version whose effective date has come is never changed again: the
-- repository refuses it; only a later version can follow. revision counts
-- edits (optimistic check of forms).
CREATE TABLE procedure_versions (
	id {{serial_pk}},
	procedure_code TEXT NOT NULL,
	scope TEXT NOT NULL,
	version_no INTEGER,
	effective_from TEXT NOT NULL,
	status TEXT NOT NULL,
	decision_ref TEXT NOT NULL,
	summary TEXT NOT NULL,
	revision INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	published_by TEXT,
	published_at BIGINT,
	UNIQUE (procedure_code, scope, version_no)
);
CREATE INDEX procedure_versions_lookup
	ON procedure_versions (procedure_code, scope, status, effective_from);
CREATE INDEX procedure_versions_scope
	ON procedure_versions (scope, status, effective_from);

-- Channels of a version, in the order of the national catalog's channels
-- (seq). legal_*: copied from the catalog when the version was made (NULL
-- unit when the catalog's text has no readable unit). committed_*: NULL
-- when the version keeps the legal time. fee_dong NULL when fee_text is
-- not a plain amount (core/money.h).
CREATE TABLE procedure_version_channels (
	version_id BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	channel TEXT NOT NULL,
	legal_text TEXT NOT NULL,
	legal_unit TEXT,
	legal_amount INTEGER,
	committed_unit TEXT,
	committed_amount INTEGER,
	fee_text TEXT NOT NULL,
	fee_dong BIGINT,
	PRIMARY KEY (version_id, seq)
);

-- Components of a version, one per component of the national catalog
-- (base_seq). mode: 'required', 'dropped', 'replaced_by_lookup';
-- lookup_db: a code of core/reform.h (reform_lookup_dbs) or ''.
CREATE TABLE procedure_version_components (
	version_id BIGINT NOT NULL,
	base_seq INTEGER NOT NULL,
	group_name TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity TEXT NOT NULL,
	mode TEXT NOT NULL,
	lookup_db TEXT NOT NULL,
	reason TEXT NOT NULL,
	legal_basis TEXT NOT NULL,
	PRIMARY KEY (version_id, base_seq)
);
