-- 0018_online.sql - online submission (issue 6, engineer "online"): the
-- files linked to a dossier (each upload of the citizen at submission or
-- for a supplement, several per component), and the idempotency record of
-- an online submission, which lets the browser that submitted see its
-- confirmation (code and secret) again after a lost answer. Written and
-- read by store/online_repo.c only.

-- Files of a dossier. component_seq: the catalog component's seq (0: other).
-- sha256: the file in the content-addressed store (store/filestore.h).
-- filename: as the client named it, sanitised, for display only. origin:
-- 'submission' | 'supplement'. added_at: seconds UTC.
CREATE TABLE dossier_files (
	id {{serial_pk}},
	dossier_id BIGINT NOT NULL,
	component_seq INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	filename TEXT NOT NULL,
	mime TEXT NOT NULL,
	size BIGINT NOT NULL,
	origin TEXT NOT NULL,
	added_at BIGINT NOT NULL
);
CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id, id);
CREATE INDEX dossier_files_sha256 ON dossier_files (sha256);

-- One row per online submission made with an idempotency key. key_hash:
-- hex SHA-256 of the key (the key itself is never stored). secret_box:
-- hex of nonce + the dossier's lookup secret sealed (libsodium secretbox)
-- with a key derived from the idempotency key: only whoever holds the key
-- (the browser that submitted) can read the secret back; the database
-- alone cannot (dossiers keep only the secret's hash).
CREATE TABLE online_submissions (
	key_hash TEXT PRIMARY KEY,
	dossier_code TEXT NOT NULL,
	secret_box TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- Who references a file (the file API asks it for each download): a
-- component's scan taken at the counter, and a dossier's result file.
CREATE INDEX dossier_components_file
	ON dossier_components (file_sha256) WHERE file_sha256 IS NOT NULL;
CREATE INDEX dossiers_result_file
	ON dossiers (result_sha256) WHERE result_sha256 IS NOT NULL;
