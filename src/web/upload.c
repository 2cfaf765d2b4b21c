/*
 * upload.c - multipart parts into form fields and stored files (see
 * web/upload.h): limits per file, per request and in number, the type
 * sniffed from the content, temp files removed on every refusal. The
 * multipart syntax itself (RFC 7578) is parsed by libmicrohttpd's post
 * processor, not here. Also the generic file API and the rule sets.
 */
#include "web/upload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/query.h"
#include "web/respond.h"

/* --- rule sets named by route rows (web/route.h) --- */

static const char *const document_types[] = { "application/pdf",
					      "image/jpeg", "image/png",
					      NULL };
/* libmagic 5.44 says text/csv for a plain CSV, text/plain when it starts
 * with a BOM or has a single column. */
static const char *const csv_types[] = { "text/csv", "text/plain", NULL };

const struct upload_rules upload_documents = {
	.max_request = 50u << 20,
	.max_file = 50u << 20,
	.max_files = 20,
	.mime = document_types,
	.mime_label = "PDF, JPEG, PNG",
};

const struct upload_rules upload_csv = {
	.max_request = (1u << 20) + 400000,
	.max_file = 1u << 20,
	.max_files = 1,
	.mime = csv_types,
	.mime_label = "CSV",
};

/* --- the collector --- */

void upload_init(struct upload *u, struct filestore *fs,
		 const struct upload_rules *rules, size_t max_fields,
		 struct arena *a)
{
	memset(u, 0, sizeof(*u));
	u->fs = fs;
	u->rules = rules;
	u->arena = a;
	u->field_budget = max_fields;
	buf_init(&u->value, 0);
}

/* "1 MB", "50 MB" (MiB, as the limits are set). */
static void size_label(size_t n, char *out, size_t size)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(out, size, "%zu MB", n >> 20);
	else if (n >= 1024)
		snprintf(out, size, "%zu KB", n >> 10);
	else
		snprintf(out, size, "%zu byte", n);
}

static void part_end_cleanup(struct upload *u)
{
	filestore_abort(u->w);
	u->w = NULL;
	free(u->key);
	free(u->filename);
	u->key = u->filename = NULL;
	buf_reset(&u->value);
	u->in_part = false;
}

/* Refuses the request: status, code and a message (printf-style). */
__attribute__((format(printf, 4, 5))) static int
refuse(struct upload *u, int status, const char *code, const char *fmt, ...)
{
	if (!u->status) {
		struct buf m = BUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		buf_vaddf(&m, fmt, ap);
		va_end(ap);
		u->status = status;
		u->code = code;
		u->message = buf_detach(&m, NULL);
		if (u->key && query_utf8_valid(u->key, strlen(u->key)))
			u->field = xstrdup(u->key);
	}
	u->stopped = true;
	part_end_cleanup(u);
	return -1;
}

void upload_fail(struct upload *u, int status)
{
	if (status == 413)
		refuse(u, 413, "too_large",
		       "Dữ liệu gửi lên quá lớn (tối đa %zu MB cho một lần "
		       "gửi).",
		       u->rules ? u->rules->max_request >> 20 : 0);
	else
		refuse(u, status, "bad_request",
		       "Dữ liệu biểu mẫu gửi lên không hợp lệ.");
}

/* A field name fit for a message (valid UTF-8, short). */
static const char *field_label(struct upload *u)
{
	return upload_sanitize_filename(u->arena, u->key ? u->key : "");
}

static void add_field(struct upload *u, const char *name, const char *value)
{
	if (u->n_fields == u->cap_fields) {
		int cap = u->cap_fields ? u->cap_fields * 2 : 16;
		struct http_kv *kv =
			arena_alloc(u->arena, sizeof(*kv) * (size_t)cap);
		if (u->n_fields)
			memcpy(kv, u->fields,
			       sizeof(*kv) * (size_t)u->n_fields);
		u->fields = kv;
		u->cap_fields = cap;
	}
	u->fields[u->n_fields].name = name;
	u->fields[u->n_fields].value = value;
	u->n_fields++;
}

static void add_file(struct upload *u, const struct filestore_file *f)
{
	if (u->n_files == u->cap_files) {
		int cap = u->cap_files ? u->cap_files * 2 : 4;
		struct http_upload *a =
			arena_alloc(u->arena, sizeof(*a) * (size_t)cap);
		if (u->n_files)
			memcpy(a, u->files, sizeof(*a) * (size_t)u->n_files);
		u->files = a;
		u->cap_files = cap;
	}
	struct http_upload *x = &u->files[u->n_files++];
	x->field = arena_strdup(u->arena, u->key);
	x->filename = upload_sanitize_filename(u->arena, u->filename);
	x->sha256 = arena_strdup(u->arena, f->sha256);
	x->mime = arena_strdup(u->arena, f->mime);
	x->size = (size_t)f->size;
}

/* Ends the current part: a field is kept, a file committed. */
static int part_end(struct upload *u)
{
	int rc = 0;
	if (!u->in_part)
		return 0;
	if (u->skip) {
		/* An empty file input (no file chosen): nothing to keep. */
	} else if (!u->is_file) {
		if (!query_utf8_valid(u->value.ptr, u->value.len) ||
		    memchr(u->value.ptr, '\0', u->value.len))
			return refuse(u, 400, "bad_request",
				      "Trường «%s» không phải văn bản UTF-8 "
				      "hợp lệ.",
				      field_label(u));
		if (u->n_fields >= FORM_MAX_PARAMS)
			return refuse(u, 413, "too_large",
				      "Biểu mẫu có quá nhiều trường.");
		add_field(u, arena_strdup(u->arena, u->key),
			  arena_strndup(u->arena, u->value.ptr, u->value.len));
	} else {
		struct filestore_file f;
		struct buf err = BUF_INIT;
		struct filestore_writer *w = u->w;
		u->w = NULL;
		rc = filestore_commit(w, u->rules->mime, &f, &err);
		if (rc == MC_EUNSUPPORTED) {
			rc = refuse(u, 415, "unsupported_type",
				    "Tệp «%s» ở trường «%s» không đúng loại "
				    "cho phép (%s): nội dung là %s.",
				    upload_sanitize_filename(u->arena,
							     u->filename),
				    field_label(u), u->rules->mime_label,
				    f.mime);
		} else if (rc) {
			log_error("upload: %s", err.ptr);
			rc = refuse(u, 503, "unavailable",
				    "Không lưu được tệp, xin thử lại sau.");
		} else {
			add_file(u, &f);
		}
		buf_release(&err);
		if (rc)
			return rc;
	}
	part_end_cleanup(u);
	return 0;
}

static int part_begin(struct upload *u, const char *key, const char *filename)
{
	u->in_part = true;
	u->key = xstrdup(key ? key : "");
	u->filename = filename ? xstrdup(filename) : NULL;
	u->is_file = filename != NULL;
	u->skip = false;
	u->got = 0;
	buf_reset(&u->value);
	if (!query_utf8_valid(u->key, strlen(u->key)))
		return refuse(u, 400, "bad_request",
			      "Tên trường của biểu mẫu không hợp lệ.");
	if (!u->is_file)
		return 0;
	if (!*filename) {	/* <input type=file> left empty */
		u->skip = true;
		return 0;
	}
	if (u->n_files >= u->rules->max_files)
		return refuse(u, 413, "too_many_files",
			      "Quá nhiều tệp: tối đa %d tệp (trường «%s»).",
			      u->rules->max_files, field_label(u));
	if (!u->fs)
		return refuse(u, 503, "unavailable",
			      "Máy chủ chưa có nơi lưu tệp.");
	struct buf err = BUF_INIT;
	int rc = filestore_begin(u->fs, u->rules->max_file, &u->w, &err);
	if (rc) {
		log_error("upload: %s", err.ptr);
		buf_release(&err);
		return refuse(u, 503, "unavailable",
			      "Không lưu được tệp, xin thử lại sau.");
	}
	buf_release(&err);
	return 0;
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

int upload_part(struct upload *u, const char *key, const char *filename,
		const char *data, uint64_t off, size_t size)
{
	if (u->stopped)
		return -1;
	/* Offset 0 starts a part, unless it repeats the still empty start
	 * of the same one (the post processor may announce a part before
	 * its first byte). */
	bool repeat = u->in_part && u->got == 0 && same(u->key, key) &&
		      same(u->filename, filename);
	if (off == 0 && !repeat) {
		if (part_end(u) || part_begin(u, key, filename))
			return -1;
	} else if (!u->in_part) {
		return refuse(u, 400, "bad_request",
			      "Dữ liệu biểu mẫu gửi lên không hợp lệ.");
	}
	if (!size)
		return 0;
	u->got += size;
	if (u->skip) {
		if (u->is_file)	/* an empty name with content: refuse */
			return refuse(u, 400, "bad_request",
				      "Tệp ở trường «%s» không có tên.",
				      field_label(u));
		return 0;
	}
	if (!u->is_file) {
		if (size > u->field_budget) {
			return refuse(u, 413, "too_large",
				      "Trường «%s» quá dài.", field_label(u));
		}
		u->field_budget -= size;
		buf_add(&u->value, data, size);
		return 0;
	}
	struct buf err = BUF_INIT;
	int rc = filestore_write(u->w, data, size, &err);
	if (rc == MC_ETOOBIG) {
		char lim[32];
		size_label(u->rules->max_file, lim, sizeof(lim));
		rc = refuse(u, 413, "file_too_large",
			    "Tệp «%s» ở trường «%s» quá lớn: tối đa %s một "
			    "tệp.",
			    upload_sanitize_filename(u->arena, u->filename),
			    field_label(u), lim);
	} else if (rc) {
		log_error("upload: %s", err.ptr);
		rc = refuse(u, 503, "unavailable",
			    "Không lưu được tệp, xin thử lại sau.");
	}
	buf_release(&err);
	return rc ? -1 : 0;
}

int upload_finish(struct upload *u, struct http_request *req)
{
	if (!u->stopped)
		part_end(u);
	u->stopped = true;
	if (u->status)
		return u->status;
	req->form_params = u->fields;
	req->n_form_params = u->n_fields;
	req->uploads = u->files;
	req->n_uploads = u->n_files;
	return 0;
}

void upload_release(struct upload *u)
{
	u->stopped = true;
	part_end_cleanup(u);
	buf_release(&u->value);
	free(u->message);
	free(u->field);
	u->message = u->field = NULL;
}

const char *upload_sanitize_filename(struct arena *a, const char *name)
{
	if (!name)
		name = "";
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t len = strlen(base);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < len && b.len < 200;) {
		unsigned char c = (unsigned char)base[i];
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + n > len || !query_utf8_valid(base + i, n)) {
			buf_addch(&b, '_');
			i++;
			continue;
		}
		if (n == 1 && (c < 0x20 || c == 0x7f || c == '"'))
			buf_addch(&b, '_');
		else if (b.len + n <= 200)
			buf_add(&b, base + i, n);
		else
			break;
		i += n;
	}
	const char *out = arena_strdup(a, b.len && strcmp(b.ptr, ".") &&
						  strcmp(b.ptr, "..")
						  ? b.ptr
						  : "tep");
	buf_release(&b);
	return out;
}

int upload_read_all(struct http_request *req, const struct http_upload *f,
		    size_t max, const char **data, size_t *len)
{
	struct buf err = BUF_INIT;
	int fd = -1, rc;
	uint64_t size;
	*data = NULL;
	*len = 0;
	if (!req->app || !req->app->files) {
		rc = MC_ENOTFOUND;
		goto out;
	}
	rc = filestore_open_read(req->app->files, f->sha256, &fd, &size, &err);
	if (rc)
		goto out;
	if (size > max) {
		rc = MC_ETOOBIG;
		goto out;
	}
	char *p = arena_alloc(req->arena, (size_t)size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t k = read(fd, p + got, (size_t)size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = MC_EIO;
			goto out;
		}
		got += (size_t)k;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc && rc != MC_ETOOBIG && err.len)
		log_error("upload: %s", err.ptr);
	buf_release(&err);
	return rc;
}

/* --- the generic file API --- */

int handle_files_upload(struct http_request *req, struct http_response *res)
{
	if (!req->n_uploads)
		return respond_error(req, res, 422, "no_file",
				     "Chưa có tệp nào được gửi lên.");
	json_t *files = json_array();
	for (int i = 0; i < req->n_uploads; i++) {
		const struct http_upload *f = &req->uploads[i];
		json_array_append_new(
			files, json_pack("{s:s, s:s, s:s, s:s, s:I}", "field",
					 f->field, "filename", f->filename,
					 "sha256", f->sha256, "mime", f->mime,
					 "size", (json_int_t)f->size));
	}
	respond_cache(req, res, 0);
	return respond_view(req, res, 201, "files",
			    json_pack("{s:o}", "files", files));
}

int handle_file_download(struct http_request *req, struct http_response *res)
{
	const char *hash = http_param(req, "sha256");
	if (!filestore_hash_valid(hash))
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy tệp.");
	int rc = respond_file(req, res, hash, http_query(req, "ten"));
	if (rc == MC_ENOTFOUND || rc == MC_EINVALID)
		return respond_error(req, res, 404, "not_found",
				     "Không tìm thấy tệp.");
	return rc;
}
