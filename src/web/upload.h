/*
 * upload.h - the parts of a multipart/form-data body, as the post
 * processor hands them over, turned into form fields and stored files
 * (web/route.h, struct upload_rules; store/filestore.h). Knows nothing of
 * libmicrohttpd: web/server.c feeds it, tests/unit/test_multipart.c drives
 * it in-process. Also the generic file API (h_files.c).
 */
#ifndef MC_WEB_UPLOAD_H
#define MC_WEB_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/filestore.h"
#include "util/buf.h"
#include "web/http.h"
#include "web/route.h"

/* One request's collector. Fields are private to upload.c. */
struct upload {
	struct filestore *fs;
	const struct upload_rules *rules;
	struct arena *arena;
	size_t field_budget;	/* bytes of plain fields still accepted */
	struct http_kv *fields;
	int n_fields, cap_fields;
	struct http_upload *files;
	int n_files, cap_files;
	/* The part being received. */
	bool in_part;
	char *key, *filename;	/* heap; filename NULL: a plain field */
	bool is_file, skip;
	uint64_t got;		/* bytes of this part so far */
	struct buf value;	/* a plain field's value */
	struct filestore_writer *w;
	bool stopped;		/* refused or released: ignore the rest */
	/* The refusal, when status != 0. */
	int status;		/* 400, 413, 415, 503 */
	const char *code;	/* "too_large", "unsupported_type", ... */
	char *message;		/* Vietnamese, names the field; heap */
	char *field;		/* the field at fault, or NULL; heap */
};

/*
 * Starts collecting for one request. `fs` NULL: every file is refused
 * with 503 (no data directory). `max_fields` caps the bytes of all plain
 * fields together (the route's max_body). Strings handed to the request
 * come from `a`.
 */
void upload_init(struct upload *u, struct filestore *fs,
		 const struct upload_rules *rules, size_t max_fields,
		 struct arena *a);

/*
 * One call of the post processor's iterator: `size` bytes of the part
 * named `key` (`filename` non-NULL for a file part), at offset `off` in
 * that part. A call at offset 0 starts a new part (except a repeat of an
 * empty start of the same part). Returns 0 to go on, or -1 once the
 * request is refused (u->status, u->code, u->message set; temp files
 * removed); later calls are ignored.
 */
int upload_part(struct upload *u, const char *key, const char *filename,
		const char *data, uint64_t off, size_t size);

/*
 * The body is complete: ends the last part (commits its file) and, when
 * nothing was refused, hands the fields to req->form_params and the files
 * to req->uploads. Returns 0 or the refusal's status.
 */
int upload_finish(struct upload *u, struct http_request *req);

/* Refuses the request from outside (a malformed body: 400, the body over
 * max_request: 413) unless already refused; removes the temp file. */
void upload_fail(struct upload *u, int status);

/* Frees what the collector holds; removes a temp file still open. */
void upload_release(struct upload *u);

/* A client's file name made fit for display: the last path segment, control
 * characters and invalid UTF-8 replaced by '_', at most 200 bytes; "tep"
 * when nothing is left. In `a`. */
const char *upload_sanitize_filename(struct arena *a, const char *name);

/*
 * Reads a small stored file (a CSV import) whole into req->arena, NUL
 * added. MC_ETOOBIG above `max` bytes, MC_ENOTFOUND, MC_EIO.
 */
int upload_read_all(struct http_request *req, const struct http_upload *f,
		    size_t max, const char **data, size_t *len);

/*
 * The generic file API (rows in web/routes.c):
 *   POST /api/v1/files          (ACT_DOSSIER_RECEIVE, upload_documents)
 *        multipart: any number of file fields (PDF, JPEG, PNG) up to the
 *        rules; answers 201 {"files":[{field, filename, sha256, mime,
 *        size}]} so an API client can name the files in a later call.
 *   GET  /api/v1/files/{sha256}  (ACT_DOSSIER_RECEIVE, ROUTE_SYSTEM: a
 *        national grant only) the raw file with the safe headers of
 *        respond_file(); officers get a dossier's files through the
 *        dossier's own route, which checks the dossier's scope.
 */
int handle_files_upload(struct http_request *req, struct http_response *res);
int handle_file_download(struct http_request *req, struct http_response *res);

#endif
