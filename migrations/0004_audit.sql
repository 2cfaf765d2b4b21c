-- 0004_audit.sql - the audit trail: append-only and hash-chained (see
-- docs/audit.md for the exact hashed content). Written only by
-- store/audit.c (audit_append: id = previous id + 1 under a lock, never a
-- sequence, so a gap means a deletion), read by the same file (verify,
-- search). Portable SQL (SQLite and PostgreSQL).

-- id: 1, 2, 3 ... without gaps; always given explicitly by audit_append.
-- at: seconds since 1970 UTC. actor_id: users.id, 0 for the system or an
-- API token. before_json / after_json: compact JSON with sorted keys, NULL
-- when the entry is not a change. prev_hash: the hash of entry id - 1 (64
-- zeros for entry 1); hash: hex SHA-256 of prev_hash and the canonical
-- content of this row.
CREATE TABLE audit_log (
	id BIGINT NOT NULL PRIMARY KEY,
	at BIGINT NOT NULL,
	actor_id BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT,
	object_id TEXT,
	unit_code TEXT,
	client TEXT,
	before_json TEXT,
	after_json TEXT,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
-- The inspector's searches (web/h_audit.c, `motcua audit list`), newest
-- first within each filter.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_unit ON audit_log (unit_code, id);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at, id);
