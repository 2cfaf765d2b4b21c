/*
 * online_repo.c - online submission: the dossier and its files in one
 * transaction, idempotency with the secret sealed for the key's holder,
 * the files of a dossier and who references a file, the citizen's
 * supplement, the places (communes) serving a procedure. Contracts in
 * online_repo.h; tables in migrations/0018_online.sql.
 */
#include "store/online_repo.h"

#include <string.h>

#include <sodium.h>

#include "util/err.h"
#include "util/xalloc.h"

#define BOX_CONTEXT "motcua-online-secretbox-v1"

bool online_key_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n < ONLINE_KEY_MIN || n > ONLINE_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* hex SHA-256 of "online:" + key: the stored name of a key. */
static void key_hash(const char *key, char out[65])
{
	crypto_hash_sha256_state s;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)"online:", 7);
	crypto_hash_sha256_update(&s, (const unsigned char *)key, strlen(key));
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The secretbox key of an idempotency key (BLAKE2b keyed by a context). */
static void box_key(const char *key, unsigned char k[crypto_secretbox_KEYBYTES])
{
	crypto_generichash(k, crypto_secretbox_KEYBYTES,
			   (const unsigned char *)key, strlen(key),
			   (const unsigned char *)BOX_CONTEXT,
			   sizeof(BOX_CONTEXT) - 1);
}

/* hex(nonce || secretbox(secret)) into out (replaced). */
static void box_seal(const char *key, const char *secret, struct buf *out)
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	unsigned char n[crypto_secretbox_NONCEBYTES];
	unsigned char c[crypto_secretbox_MACBYTES + DOSSIER_SECRET_LEN];
	char hex[2 * (sizeof n + sizeof c) + 1];
	box_key(key, k);
	randombytes_buf(n, sizeof n);
	crypto_secretbox_easy(c, (const unsigned char *)secret,
			      DOSSIER_SECRET_LEN, n, k);
	unsigned char all[sizeof n + sizeof c];
	memcpy(all, n, sizeof n);
	memcpy(all + sizeof n, c, sizeof c);
	sodium_bin2hex(hex, sizeof hex, all, sizeof all);
	buf_reset(out);
	buf_adds(out, hex);
	sodium_memzero(k, sizeof k);
}

/* Opens a box: 0, or -1 when it does not open. */
static int box_open(const char *key, const char *hex,
		    char secret[DOSSIER_SECRET_LEN + 1])
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	unsigned char all[crypto_secretbox_NONCEBYTES +
			  crypto_secretbox_MACBYTES + DOSSIER_SECRET_LEN];
	size_t len = 0;
	if (sodium_hex2bin(all, sizeof all, hex, strlen(hex), NULL, &len,
			   NULL) || len != sizeof all)
		return -1;
	box_key(key, k);
	int rc = crypto_secretbox_open_easy(
		(unsigned char *)secret, all + crypto_secretbox_NONCEBYTES,
		sizeof all - crypto_secretbox_NONCEBYTES, all, k);
	sodium_memzero(k, sizeof k);
	if (rc)
		return -1;
	secret[DOSSIER_SECRET_LEN] = '\0';
	return 0;
}

int online_recall(struct db *db, const char *key, char code[DOSSIER_CODE_MAX],
		  char secret[DOSSIER_SECRET_LEN + 1], struct buf *err)
{
	char kh[65];
	struct db_stmt *st;
	if (!online_key_valid(key))
		return MC_ENOTFOUND;
	key_hash(key, kh);
	int rc = db_prepare_cached(db, "SELECT dossier_code, secret_box FROM"
				   " online_submissions WHERE key_hash = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, kh, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(code, DOSSIER_CODE_MAX, "%s", db_column_text(st, 0));
		rc = box_open(key, db_column_text(st, 1), secret)
			     ? MC_ENOTFOUND
			     : 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		buf_setf(err, "online_submissions: %s", db_errmsg(db));
	}
	db_done(st);
	return rc;
}

static int dossier_id_of(struct db *db, const char *code, int64_t *id,
			 struct buf *err)
{
	struct dossier_ref ref;
	int rc = dossier_load(db, code, NULL, &ref, err);
	if (!rc)
		*id = ref.id;
	return rc;
}

static int insert_files(struct db *db, int64_t dossier_id,
			const struct online_file *files, int n,
			const char *origin, mc_time now, struct buf *err)
{
	for (int i = 0; i < n; i++) {
		struct db_stmt *st;
		int rc = db_prepare_cached(
			db,
			"INSERT INTO dossier_files (dossier_id, component_seq,"
			" sha256, filename, mime, size, origin, added_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			&st, err);
		if (rc)
			return rc;
		db_bind_int64(st, 1, dossier_id);
		db_bind_int64(st, 2, files[i].component_seq);
		db_bind_text(st, 3, files[i].sha256, -1);
		db_bind_text(st, 4, files[i].filename ? files[i].filename : "",
			     -1);
		db_bind_text(st, 5, files[i].mime ? files[i].mime : "", -1);
		db_bind_int64(st, 6, (int64_t)files[i].size);
		db_bind_text(st, 7, origin, -1);
		db_bind_int64(st, 8, now);
		rc = db_step(st);
		db_done(st);
		if (rc < 0) {
			buf_setf(err, "dossier_files: %s", db_errmsg(db));
			return MC_EDB;
		}
	}
	return 0;
}

/* A replayed answer with the secret read back; MC_ENOTFOUND if none. */
static int replay(struct db *db, const char *key, struct dossier_created *out,
		  struct buf *err)
{
	char code[DOSSIER_CODE_MAX], secret[DOSSIER_SECRET_LEN + 1];
	struct dossier d;
	int rc = online_recall(db, key, code, secret, err);
	if (rc)
		return rc;
	if ((rc = dossier_load(db, code, &d, NULL, err)))
		return rc;
	memset(out, 0, sizeof *out);
	snprintf(out->code, sizeof out->code, "%s", code);
	memcpy(out->secret, secret, sizeof out->secret);
	out->received_at = d.received_at;
	out->due_at = d.due_at;
	out->state = d.state;
	out->version = d.n_events;
	out->replayed = true;
	sodium_memzero(secret, sizeof secret);
	return 0;
}

int online_submit(struct db *db, const struct dossier_create_in *in,
		  const char *key, const struct online_file *files,
		  int n_files, const struct deadline *dl,
		  const struct dossier_settings *settings, mc_time now,
		  const struct auth_actor *actor, struct dossier_created *out,
		  struct buf *err)
{
	char kh[65], idem[80];
	struct buf box = BUF_INIT;
	int64_t id = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (in->action != DA_SUBMIT || in->channel != DCH_ONLINE) {
		buf_setf(err, "online_submit: not an online submission");
		return MC_EINVALID;
	}
	if (key) {
		if (!online_key_valid(key)) {
			buf_setf(err, "khóa chống gửi trùng không hợp lệ");
			return MC_EINVALID;
		}
		rc = replay(db, key, out, err);
		if (rc != MC_ENOTFOUND)
			return rc;
		buf_reset(err);
		key_hash(key, kh);
		snprintf(idem, sizeof idem, "online:%s", kh);
	}
	if ((rc = db_begin(db, err)))
		return rc;
	rc = dossier_create(db, in, key ? idem : NULL, dl, settings, now,
			    actor, out, err);
	if (rc)
		goto fail;
	if (out->replayed) {
		/* Another request with this key won meanwhile: its answer. */
		db_rollback(db);
		buf_release(&box);
		rc = replay(db, key, out, err);
		return rc == MC_ENOTFOUND ? MC_ECONFLICT : rc;
	}
	if ((rc = dossier_id_of(db, out->code, &id, err)))
		goto fail;
	if ((rc = insert_files(db, id, files, n_files, "submission", now, err)))
		goto fail;
	if (key) {
		struct db_stmt *st;
		box_seal(key, out->secret, &box);
		rc = db_prepare_cached(db, "INSERT INTO online_submissions"
				       " (key_hash, dossier_code, secret_box,"
				       " created_at) VALUES (?, ?, ?, ?)",
				       &st, err);
		if (rc)
			goto fail;
		db_bind_text(st, 1, kh, -1);
		db_bind_text(st, 2, out->code, -1);
		db_bind_text(st, 3, box.ptr, -1);
		db_bind_int64(st, 4, now);
		rc = db_step(st);
		db_done(st);
		if (rc < 0) {
			buf_setf(err, "online_submissions: %s", db_errmsg(db));
			rc = MC_EDB;
			goto fail;
		}
	}
	buf_release(&box);
	if ((rc = db_commit(db, err))) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	return 0;
fail:
	db_rollback(db);
	buf_release(&box);
	sodium_memzero(out->secret, sizeof out->secret);
	out->code[0] = '\0';
	return rc;
}

int online_supplement(struct db *db, const char *code, const char *key,
		      const struct online_file *files, int n_files,
		      const char *note, const struct deadline *dl,
		      const struct dossier_settings *settings, mc_time now,
		      const struct auth_actor *actor, bool *replayed,
		      struct buf *err)
{
	struct dossier d;
	struct dossier_ref ref;
	struct dossier_act_in a;
	struct dossier_act_out o;
	char kh[65], idem[80];
	int rc;

	*replayed = false;
	if (key && !online_key_valid(key)) {
		buf_setf(err, "khóa chống gửi trùng không hợp lệ");
		return MC_EINVALID;
	}
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = dossier_load(db, code, &d, &ref, err)))
		goto fail;
	memset(&a, 0, sizeof a);
	a.action = DA_RECEIVE_SUPPLEMENT;
	a.expected_version = d.n_events;
	a.note = note;
	if (key) {
		key_hash(key, kh);
		snprintf(idem, sizeof idem, "supplement:%s", kh);
		a.idem_key = idem;
	}
	rc = dossier_act(db, code, &a, dl, settings, NULL, now, actor, &o, err);
	if (rc)
		goto fail;
	if (o.replayed) {
		*replayed = true;
		db_rollback(db);
		return 0;
	}
	rc = insert_files(db, ref.id, files, n_files, "supplement", now, err);
	if (rc)
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}

int online_files_list(struct db *db, const char *code, json_t **out,
		      struct buf *err)
{
	int64_t id;
	struct db_stmt *st;
	int rc = dossier_id_of(db, code, &id, err);
	if (rc)
		return rc;
	rc = db_prepare_cached(db, "SELECT id, component_seq, sha256,"
			       " filename, mime, size, origin, added_at FROM"
			       " dossier_files WHERE dossier_id = ? ORDER BY id",
			       &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		struct buf t = BUF_INIT;
		mctime_format_iso(db_column_int64(st, 7), &t);
		json_array_append_new(
			items,
			json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s}",
				  "id", (json_int_t)db_column_int64(st, 0),
				  "component_seq",
				  (json_int_t)db_column_int64(st, 1), "sha256",
				  db_column_text(st, 2), "filename",
				  db_column_text(st, 3), "mime",
				  db_column_text(st, 4), "size",
				  (json_int_t)db_column_int64(st, 5), "origin",
				  db_column_text(st, 6), "added_at", t.ptr));
		buf_release(&t);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		buf_setf(err, "dossier_files: %s", db_errmsg(db));
		return MC_EDB;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int online_file_of(struct db *db, const char *code, const char *sha256,
		   char *name, size_t size, struct buf *err)
{
	int64_t id;
	struct db_stmt *st;
	int rc = dossier_id_of(db, code, &id, err);
	if (rc)
		return rc;
	if (size)
		name[0] = '\0';
	rc = db_prepare_cached(
		db,
		"SELECT filename FROM dossier_files WHERE dossier_id = ? AND"
		" sha256 = ? UNION ALL SELECT name FROM dossier_components"
		" WHERE dossier_id = ? AND file_sha256 = ? UNION ALL SELECT"
		" result_number FROM dossiers WHERE id = ? AND result_sha256 = ?",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, sha256, -1);
	db_bind_int64(st, 3, id);
	db_bind_text(st, 4, sha256, -1);
	db_bind_int64(st, 5, id);
	db_bind_text(st, 6, sha256, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *n = db_column_text(st, 0);
		if (size)
			snprintf(name, size, "%s", n ? n : "");
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	} else {
		buf_setf(err, "dossier files: %s", db_errmsg(db));
		rc = MC_EDB;
	}
	db_done(st);
	return rc;
}

int online_file_units(struct db *db, const char *sha256, char (*units)[16],
		      int max, int *n, struct buf *err)
{
	struct db_stmt *st;
	*n = 0;
	int rc = db_prepare_cached(
		db,
		"SELECT DISTINCT unit_code FROM dossiers WHERE id IN (SELECT"
		" dossier_id FROM dossier_files WHERE sha256 = ?) OR id IN"
		" (SELECT dossier_id FROM dossier_components WHERE file_sha256"
		" = ?) OR id IN (SELECT id FROM dossiers WHERE result_sha256 ="
		" ?) ORDER BY unit_code",
		&st, err);
	if (rc)
		return rc;
	for (int i = 1; i <= 3; i++)
		db_bind_text(st, i, sha256, -1);
	while ((rc = db_step(st)) == DB_ROW)
		if (*n < max)
			snprintf(units[(*n)++], 16, "%s", db_column_text(st, 0));
	db_done(st);
	if (rc < 0) {
		buf_setf(err, "file units: %s", db_errmsg(db));
		return MC_EDB;
	}
	return 0;
}

int online_places(struct db *db, const char *procedure_code,
		  const char *province, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	if (province)
		rc = db_prepare_cached(
			db,
			"SELECT u.code, u.full_name FROM desk_procedures p"
			" JOIN desks d ON d.id = p.desk_id JOIN units u ON"
			" u.era = '2025' AND u.code = d.unit_code WHERE"
			" p.procedure_code = ? AND u.parent_code = ? ORDER BY"
			" u.name_key, u.code",
			&st, err);
	else
		rc = db_prepare_cached(
			db,
			"SELECT DISTINCT v.code, v.full_name, v.name_key FROM"
			" desk_procedures p JOIN desks d ON d.id = p.desk_id"
			" JOIN units u ON u.era = '2025' AND u.code ="
			" d.unit_code JOIN units v ON v.era = '2025' AND"
			" v.code = u.parent_code WHERE p.procedure_code = ?"
			" ORDER BY v.name_key, v.code",
			&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, procedure_code, -1);
	if (province)
		db_bind_text(st, 2, province, -1);
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items,
				      json_pack("{s:s, s:s}", "code",
						db_column_text(st, 0),
						"full_name",
						db_column_text(st, 1)));
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		buf_setf(err, "places: %s", db_errmsg(db));
		return MC_EDB;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}
