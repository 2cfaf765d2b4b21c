-- 0003_auth.sql - accounts, role grants scoped to units, sessions, API
-- tokens and the login throttle (store/auth_repo.c). No secret is stored in
-- clear: passwords are argon2id strings (libsodium crypto_pwhash_str),
-- session and API tokens the hex SHA-256 of the random token. The CSRF token
-- of a session is derived from the session's token (HMAC), not stored.
-- Times are seconds since 1970 UTC. Portable SQL (SQLite and PostgreSQL).

CREATE TABLE users (
	id {{serial_pk}},
	username TEXT NOT NULL UNIQUE,
	full_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

-- role: a stable name of core/authz.h ("admin", "unit_admin", "receiver",
-- "specialist", "leader", "inspector", "viewer"). unit_code: a unit of the
-- 2025 list (units.era = '2025') or 'VN' for the whole country.
CREATE TABLE role_grants (
	user_id BIGINT NOT NULL REFERENCES users (id),
	role TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (user_id, role, unit_code)
);
CREATE INDEX role_grants_unit ON role_grants (unit_code, role);

-- Sessions: any node can serve any request. Live while revoked_at IS NULL,
-- now < expires_at (12 h after login) and now < last_seen + 30 min.
CREATE TABLE sessions (
	id {{serial_pk}},
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT,
	client TEXT,
	user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, expires_at);

-- API tokens of integrations: one grant each, revocable; names stay taken.
CREATE TABLE api_tokens (
	id {{serial_pk}},
	name TEXT NOT NULL UNIQUE,
	token_hash TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL,
	revoked_at BIGINT,
	last_used_at BIGINT
);

-- Login throttle: throttle_key is 'user:NAME' or 'ip:ADDRESS'.
CREATE TABLE login_throttle (
	throttle_key TEXT PRIMARY KEY,
	failures BIGINT NOT NULL,
	last_failure_at BIGINT NOT NULL,
	next_allowed_at BIGINT NOT NULL
);
