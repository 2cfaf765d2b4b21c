/*
 * online_repo.h - online submission (issue 6): a dossier created in the
 * "submitted" state together with the files the citizen uploaded, in ONE
 * transaction (no half dossier), made idempotent by a key the form or the
 * API client chooses; the files linked to a dossier (table dossier_files,
 * migrations/0018_online.sql) and who references a stored file; the
 * citizen's supplement. All SQL of these tables. The rules of states and
 * actions stay in core/dossier.h; dossiers themselves in dossier_repo.h.
 */
#ifndef MC_STORE_ONLINE_REPO_H
#define MC_STORE_ONLINE_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/deadline.h"
#include "core/dossier.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "store/dossier_repo.h"
#include "util/buf.h"

/* Bytes of an idempotency key: 16 .. 128 (a form's is 32 hex digits). */
#define ONLINE_KEY_MIN 16
#define ONLINE_KEY_MAX 128

/* One uploaded file to link (already committed in the file store). */
struct online_file {
	int component_seq;		/* catalog component's seq; 0: other */
	const char *sha256;		/* 64 lowercase hex */
	const char *filename;		/* sanitised, display only */
	const char *mime;		/* sniffed */
	uint64_t size;
};

/* Whether `key` is usable as an idempotency key: ONLINE_KEY_MIN ..
 * ONLINE_KEY_MAX bytes of [A-Za-z0-9_-]. */
bool online_key_valid(const char *key);

/*
 * Creates the online dossier `in` (in->action must be DA_SUBMIT) and links
 * `files` to it, in one transaction with dossier_create()'s audit entry.
 * With `key` (online_key_valid; NULL: none), a repeat of the key answers
 * the first dossier, out->replayed true, WITH its secret (read back from
 * online_submissions with a key derived from `key`): a citizen whose
 * answer was lost resubmits and sees the same confirmation; nothing is
 * written. Errors as dossier_create(); MC_EINVALID for a bad key.
 */
int online_submit(struct db *db, const struct dossier_create_in *in,
		  const char *key, const struct online_file *files,
		  int n_files, const struct deadline *dl,
		  const struct dossier_settings *settings, mc_time now,
		  const struct auth_actor *actor, struct dossier_created *out,
		  struct buf *err);

/*
 * The code and secret of the submission made with `key`: 0, MC_ENOTFOUND
 * (no such key, or the box does not open), MC_EDB.
 */
int online_recall(struct db *db, const char *key,
		  char code[DOSSIER_CODE_MAX],
		  char secret[DOSSIER_SECRET_LEN + 1], struct buf *err);

/*
 * The citizen's supplement of `code`: links `files` (origin "supplement")
 * and records receive_supplement (dossier_act with no principal: the
 * citizen proved the secret to the caller) with `note`, in one
 * transaction. An online dossier waiting before acceptance goes back to
 * "submitted" (the online queue); one waiting after acceptance resumes
 * its clock at its step. `key` (NULL: none) makes a repeat answer the
 * first result (*replayed true) without linking the files twice.
 * MC_EINVALID when the dossier is not waiting for a supplement (reason
 * in err, Vietnamese), MC_ENOTFOUND, MC_EDB.
 */
int online_supplement(struct db *db, const char *code, const char *key,
		      const struct online_file *files, int n_files,
		      const char *note, const struct deadline *dl,
		      const struct dossier_settings *settings, mc_time now,
		      const struct auth_actor *actor, bool *replayed,
		      struct buf *err);

/*
 * The files of `code`: {"items":[{"id","component_seq","sha256",
 * "filename","mime","size","origin","added_at" (ISO UTC+7)}]}, in order
 * of upload. MC_ENOTFOUND for an unknown dossier.
 */
int online_files_list(struct db *db, const char *code, json_t **out,
		      struct buf *err);

/*
 * Whether `sha256` is a file of dossier `code` (dossier_files, a
 * component's scan, or the result file): 0 with its display name into
 * name[size] ("" when none is known), MC_ENOTFOUND otherwise.
 */
int online_file_of(struct db *db, const char *code, const char *sha256,
		   char *name, size_t size, struct buf *err);

/*
 * The units (deciding unit codes) of the dossiers that reference
 * `sha256`, at most `max`, into units[][16]; *n gets the count. For the
 * file API: an officer may read a file when one of them is in scope.
 */
int online_file_units(struct db *db, const char *sha256, char (*units)[16],
		      int max, int *n, struct buf *err);

/*
 * Communes whose desk serves `procedure_code` (desk_procedures), of the
 * province `province` (NULL: the provinces having such a commune):
 * {"items":[{"code","full_name"}]} by name.
 */
int online_places(struct db *db, const char *procedure_code,
		  const char *province, json_t **out, struct buf *err);

#endif
