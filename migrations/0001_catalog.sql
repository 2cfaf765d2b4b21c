-- 0001_catalog.sql - reference data: administrative units (before and after
-- the 2025 reform), the national procedure catalog with its channels and
-- dossier components, and the commune desks with the procedures they serve.
-- Written by store/import.c, read by store/catalog.c. Portable SQL (SQLite
-- and PostgreSQL); booleans are INTEGER 0/1; texts are NFC UTF-8.

-- Units. era '2025' (state on 01/07/2025, QĐ 19/2025/QĐ-TTg: provinces and
-- communes) or 'pre2025' (provinces, districts, communes until 30/06/2025).
-- A code may exist in both eras, hence the key (era, code).
-- level: 1 province, 2 district (pre2025 only), 3 commune.
CREATE TABLE units (
	era TEXT NOT NULL,
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	full_name TEXT NOT NULL,
	type TEXT NOT NULL,
	parent_code TEXT,
	level INTEGER NOT NULL,
	name_key TEXT NOT NULL,
	PRIMARY KEY (era, code)
);
CREATE INDEX units_parent ON units (era, parent_code, name_key);

-- The NSO old-to-new conversion table (vn-units-2025-old-new.csv): which
-- pre-2025 communes went into which 2025 commune. seq orders the rows of one
-- new commune as in the source.
CREATE TABLE unit_merges (
	new_code TEXT NOT NULL,
	seq INTEGER NOT NULL,
	old_code TEXT NOT NULL,
	old_name TEXT NOT NULL,
	old_district_code TEXT NOT NULL,
	old_province_code TEXT NOT NULL,
	relation TEXT NOT NULL,
	PRIMARY KEY (new_code, seq)
);

-- Fields (lĩnh vực), as named in the catalog.
CREATE TABLE fields (
	name TEXT PRIMARY KEY,
	name_key TEXT NOT NULL
);

-- Procedures of the national catalog (dichvucong.gov.vn), one row each.
-- commune_desk: served by every commune desk by default (rule in
-- data/SOURCES.md). online_submission NULL when unknown. legal_basis is the
-- list of document numbers joined by "; "; steps and conditions keep their
-- line breaks; results is a JSON array text [{"name","code"}].
CREATE TABLE procedures (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	name_key TEXT NOT NULL,
	field TEXT NOT NULL,
	levels TEXT NOT NULL,
	commune_level INTEGER NOT NULL,
	commune_list_2026 INTEGER NOT NULL,
	commune_desk INTEGER NOT NULL,
	issuing_body TEXT NOT NULL,
	decision_no TEXT NOT NULL,
	procedure_type TEXT NOT NULL,
	implementing_agency TEXT NOT NULL,
	competent_authority TEXT NOT NULL,
	target TEXT NOT NULL,
	receiving_address TEXT NOT NULL,
	online_submission INTEGER,
	processing_time_text TEXT NOT NULL,
	fee_text TEXT NOT NULL,
	dossier_items INTEGER,
	legal_basis TEXT NOT NULL,
	steps TEXT NOT NULL,
	conditions TEXT NOT NULL,
	results TEXT NOT NULL,
	related_procedures TEXT NOT NULL,
	dossier_note TEXT NOT NULL,
	source_url TEXT NOT NULL,
	detail_status TEXT NOT NULL
);
CREATE INDEX procedures_field ON procedures (field, name_key);

-- One row per channel case. channel: 'truc_tiep', 'truc_tuyen', 'buu_chinh'.
-- dur_unit ('working_days', 'working_hours', 'calendar_days', 'same_day')
-- and dur_amount are NULL when time_text has no readable unit (core/duration).
-- fee_dong NULL when fee_text is not a plain amount (core/money).
-- channel 'tat_ca' when the source gave one value for all its channels
-- without naming them. origin: 'detail' (the detail records, per channel)
-- or 'list' (split from the summary columns of procedures.csv); detail rows
-- replace list rows.
CREATE TABLE procedure_channels (
	code TEXT NOT NULL,
	seq INTEGER NOT NULL,
	channel TEXT NOT NULL,
	origin TEXT NOT NULL,
	time_text TEXT NOT NULL,
	dur_unit TEXT,
	dur_amount INTEGER,
	fee_text TEXT NOT NULL,
	fee_dong BIGINT,
	note TEXT NOT NULL,
	PRIMARY KEY (code, seq)
);

-- Dossier components (thành phần hồ sơ). originals/copies NULL when the
-- quantity text cannot be read.
CREATE TABLE procedure_components (
	code TEXT NOT NULL,
	seq INTEGER NOT NULL,
	group_name TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity TEXT NOT NULL,
	originals INTEGER,
	copies INTEGER,
	has_form INTEGER NOT NULL,
	PRIMARY KEY (code, seq)
);

-- Desks (Bộ phận Một cửa / Trung tâm phục vụ hành chính công), one per
-- commune of the 2025 list. agency_code: the electronic identifier code of
-- the agency used in dossier codes, set by the administrator.
CREATE TABLE desks (
	id {{serial_pk}},
	unit_code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	agency_code TEXT,
	office_hours TEXT,
	cutoff TEXT
);

CREATE TABLE desk_procedures (
	desk_id BIGINT NOT NULL,
	procedure_code TEXT NOT NULL,
	PRIMARY KEY (desk_id, procedure_code)
);

-- Counters of the catalog; 'catalog_version' is bumped by every import so
-- that processes rebuild their search index.
CREATE TABLE catalog_meta (
	name TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO catalog_meta (name, value) VALUES ('catalog_version', 0);
