/*
 * respond.c - one model, two views: renders a handler's model as a page in
 * the layout or as JSON, builds error pages and redirects, and adds the
 * headers every response carries. It never touches sockets.
 */
#include "web/respond.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "store/filestore.h"
#include "web/app.h"

#define CT_HTML "text/html; charset=utf-8"
#define CT_JSON "application/json; charset=utf-8"
#define DEFAULT_TITLE "Bộ phận một cửa"

/*
 * The Content-Security-Policy: our own files only, no inline script or
 * style, images also as data: URLs (QR codes), no framing (clickjacking).
 */
#define CSP                                                              \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; "    \
	"script-src 'self'; object-src 'none'; base-uri 'none'; "         \
	"form-action 'self'; frame-ancestors 'none'"

static void reset_body(struct http_response *res)
{
	buf_reset(&res->body);
	json_decref(res->model);
	res->model = NULL;
	res->view = NULL;
	if (res->has_file)	/* (uploads) a file answer replaced */
		close(res->file_fd);
	res->has_file = false;
}

int respond_view(struct http_request *req, struct http_response *res,
		 int status, const char *view, json_t *model)
{
	(void)req;
	reset_body(res);
	res->status = status;
	res->model = model ? model : json_object();
	res->view = view;
	res->content_type = NULL;
	return 0;
}

int respond_error(struct http_request *req, struct http_response *res,
		  int status, const char *code, const char *message_vi)
{
	json_t *model = json_pack("{s:{s:s,s:s,s:i}}", "error", "code",
				  code, "message", message_vi, "status",
				  status);
	if (!model)	/* not UTF-8: our own strings, a programmer error */
		model = json_pack("{s:{s:s,s:s,s:i}}", "error", "code",
				  "internal", "message", "Lỗi", "status",
				  status);
	respond_view(req, res, status, "error", model);
	http_set_header(req, res, "Cache-Control", "no-store");
	return 0;
}

int respond_redirect(struct http_request *req, struct http_response *res,
		     int status, const char *location)
{
	reset_body(res);
	res->status = status;
	http_set_header(req, res, "Location", location);
	if (req->want_json) {
		json_t *j = json_pack("{s:s}", "location", location);
		if (j)
			json_write(&res->body, j, false);
		else
			buf_adds(&res->body, "{}");
		json_decref(j);
		res->content_type = CT_JSON;
	} else {
		buf_adds(&res->body, "<!doctype html><p><a href=\"");
		buf_add_html(&res->body, location, strlen(location));
		buf_adds(&res->body, "\">");
		buf_add_html(&res->body, location, strlen(location));
		buf_adds(&res->body, "</a></p>\n");
		res->content_type = CT_HTML;
	}
	return 0;
}

int respond_bytes(struct http_request *req, struct http_response *res,
		  int status, const char *content_type, const void *data,
		  size_t len)
{
	(void)req;
	reset_body(res);
	res->status = status;
	res->content_type = content_type;
	buf_add(&res->body, data, len);
	return 0;
}

/* RFC 5987 attr-char: sent as is in filename*=UTF-8''... */
static bool attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c);
}

/* (added by uploads) Content-Disposition: attachment with an ASCII
 * fallback name and the UTF-8 name percent-encoded (RFC 6266 §4.3,
 * RFC 5987 §3.2). */
static void content_disposition(const char *name, struct buf *out)
{
	buf_adds(out, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;	/* one '_' per non-ASCII character */
		buf_addch(out, *p >= 0x20 && *p < 0x7f && *p != '"' &&
					       *p != '\\' && *p != '%'
				       ? *p
				       : '_');
	}
	buf_adds(out, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (attr_char(*p))
			buf_addch(out, *p);
		else
			buf_addf(out, "%%%02X", *p);
	}
}

int respond_file(struct http_request *req, struct http_response *res,
		 const char *hash, const char *download_name)
{
	struct buf err = BUF_INIT, cd = BUF_INIT;
	int fd;
	uint64_t size;
	int rc = MC_ENOTFOUND;
	if (!req->app || !req->app->files)
		goto out;
	rc = filestore_open_read(req->app->files, hash, &fd, &size, &err);
	if (rc) {
		if (rc == MC_EIO)
			log_error("respond_file: %s", err.ptr);
		goto out;
	}
	reset_body(res);
	res->status = 200;
	res->content_type = "application/octet-stream";
	res->has_file = true;
	res->file_fd = fd;
	res->file_len = (size_t)size;
	if (!download_name || !*download_name)
		download_name = arena_printf(req->arena, "tep-%.12s", hash);
	content_disposition(download_name, &cd);
	http_set_header(req, res, "Content-Disposition", cd.ptr);
	http_set_header(req, res, "Cache-Control", "private, no-store");
	http_set_header(req, res, "X-Content-Type-Options", "nosniff");
out:
	buf_release(&err);
	buf_release(&cd);
	return rc;
}

void respond_cache(struct http_request *req, struct http_response *res,
		   long max_age_s)
{
	if (max_age_s < 0) {
		http_set_header(req, res, "Cache-Control",
				"public, max-age=31536000, immutable");
	} else if (max_age_s == 0) {
		http_set_header(req, res, "Cache-Control", "no-store");
	} else {
		char v[64];
		snprintf(v, sizeof(v), "public, max-age=%ld", max_age_s);
		http_set_header(req, res, "Cache-Control", v);
	}
}

/* Whether an If-None-Match value (RFC 9110 §13.1.2) names `tag`. */
static bool etag_listed(const char *inm, const char *tag)
{
	size_t n = strlen(tag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, tag, n) &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

bool respond_etag(struct http_request *req, struct http_response *res,
		  const char *etag)
{
	char *tag = arena_printf(req->arena, "\"%s\"", etag);
	http_set_header(req, res, "ETag", tag);
	const char *inm = http_header(req, "if-none-match");
	if (!inm || !etag_listed(inm, tag))
		return false;
	reset_body(res);
	res->status = 304;
	return true;
}

const char *respond_header(const struct http_response *res,
			   const char *name)
{
	for (int i = 0; i < res->n_headers; i++)
		if (!strcasecmp(res->headers[i].name, name))
			return res->headers[i].value;
	return NULL;
}

/* The page title for the layout: the model's, the error's, or ours. */
static const char *page_title(json_t *model, const char *view)
{
	const char *t = json_string_value(json_object_get(model, "title"));
	if (t)
		return t;
	if (!strcmp(view, "error")) {
		t = json_string_value(json_object_get(
			json_object_get(model, "error"), "message"));
		if (t)
			return t;
	}
	return DEFAULT_TITLE;
}

/* Renders view + layout into res->body; on failure leaves it empty. */
static int render_html(struct http_request *req, struct http_response *res,
		       struct buf *err)
{
	struct app *app = req->app;
	struct buf content = BUF_INIT;
	json_t *ctx = NULL;
	int rc = app_render(app, res->view, res->model, &content, err);
	if (rc)
		goto out;
	/* The layout's own fields over the model (which may be shared: it
	 * is not changed). */
	ctx = json_object();
	json_object_set_new(ctx, "content",
			    json_stringn_nocheck(content.ptr, content.len));
	json_object_set_new(ctx, "title",
			    json_string(page_title(res->model, res->view)));
	json_object_set_new(ctx, "public_url", json_string(app->public_url));
	json_object_set_new(ctx, "static_version",
			    json_string(app->static_version));
	rc = app_render_over(app, "layout", res->model, ctx, &res->body, err);
out:
	if (rc)
		buf_reset(&res->body);
	json_decref(ctx);
	buf_release(&content);
	return rc;
}

/* The last resort when even the error page cannot be rendered. */
static void plain_500(struct http_response *res)
{
	reset_body(res);
	res->status = 500;
	res->content_type = CT_HTML;
	buf_adds(&res->body,
		 "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\">"
		 "<title>Lỗi hệ thống</title><h1>Lỗi hệ thống</h1>"
		 "<p>Đã xảy ra lỗi trong hệ thống. Xin vui lòng thử lại "
		 "sau.</p></html>\n");
}

static void render_pending(struct http_request *req,
			   struct http_response *res)
{
	if (req->want_json) {
		/* The API's error object is {code, message}: the status is
		 * the HTTP status already. */
		json_t *e = json_object_get(res->model, "error");
		if (json_is_object(e))
			json_object_del(e, "status");
		buf_reset(&res->body);
		if (res->model)
			json_write(&res->body, res->model, false);
		else
			buf_adds(&res->body, "null");
		res->content_type = CT_JSON;
	} else {
		struct buf err = BUF_INIT;
		bool was_error = !strcmp(res->view, "error");
		if (render_html(req, res, &err)) {
			log_error("rendering view '%s' for %s: %s", res->view,
				  req->path, err.ptr);
			buf_reset(&err);
			if (was_error) {
				plain_500(res);
			} else {
				respond_error(req, res, 500, "internal",
					      "Đã xảy ra lỗi trong hệ thống. "
					      "Xin vui lòng thử lại sau.");
				if (render_html(req, res, &err)) {
					log_error("rendering the error page: "
						  "%s", err.ptr);
					plain_500(res);
				}
			}
		}
		if (!res->content_type)
			res->content_type = CT_HTML;
		buf_release(&err);
	}
	json_decref(res->model);
	res->model = NULL;
	res->view = NULL;
}

void respond_finish(struct http_request *req, struct http_response *res)
{
	if (res->view)
		render_pending(req, res);
	if (!res->content_type)
		res->content_type = CT_HTML;
	if (!respond_header(res, "Cache-Control"))
		http_set_header(req, res, "Cache-Control", "no-cache");
	http_set_header(req, res, "X-Content-Type-Options", "nosniff");
	http_set_header(req, res, "Referrer-Policy", "same-origin");
	http_set_header(req, res, "X-Frame-Options", "DENY");
	http_set_header(req, res, "Content-Security-Policy", CSP);
}
