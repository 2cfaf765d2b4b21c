/*
 * respond.h - the responder: one model, two views. A handler builds one
 * jansson model and names a view; browsers get the mustache template
 * rendered in the site layout, the API (/api/...) and clients that send
 * `Accept: application/json` get the same model as JSON (req->want_json
 * decides). Handlers never write HTML or JSON by hand.
 *
 * Every respond_*() function fills `res` and returns 0, so a handler can
 * end with `return respond_view(...)`. The router calls respond_finish()
 * after the handler: that is where the view is rendered and the security
 * headers are added (every response gets them, whatever produced it).
 */
#ifndef MC_WEB_RESPOND_H
#define MC_WEB_RESPOND_H

#include <stddef.h>

#include <jansson.h>

#include "web/http.h"

/*
 * Answers `status` with `model` shown through `view`. Steals the model
 * (even on a later failure); a NULL model is an empty object.
 *
 * HTML: renders assets/templates/VIEW.mustache with the model, then
 * assets/templates/layout.mustache with the model's own fields plus
 *	content		the rendered view (raw HTML: {{{content}}})
 *	title		the model's "title" (string); for the error view its
 *			message; else "Bộ phận một cửa"
 *	public_url	app->public_url, e.g. "https://motcua.example.vn"
 *	static_version	a hash of the static files, for "?v=" cache busting
 * The layout sees the model's fields but may not change them.
 * Content-Type: text/html; charset=utf-8.
 *
 * JSON: the model itself (compact, UTF-8, keys in insertion order),
 * Content-Type: application/json; charset=utf-8.
 *
 * A template that is missing or fails to render becomes a 500 error page
 * (logged), never a half page.
 */
int respond_view(struct http_request *req, struct http_response *res,
		 int status, const char *view, json_t *model);

/*
 * Answers an error. `code` is a short stable machine word in English
 * ("not_found", "method_not_allowed", "bad_request", "too_large",
 * "internal", "unavailable", or the handler's own, e.g. "invalid_code");
 * `message_vi` is the sentence shown to the citizen, in Vietnamese.
 * HTML: the "error" view in the layout (assets/templates/error.mustache,
 * model {"error":{"code","message","status"}}); JSON:
 * {"error":{"code":...,"message":...}}. No-store cache header.
 */
int respond_error(struct http_request *req, struct http_response *res,
		  int status, const char *code, const char *message_vi);

/*
 * A redirect: `status` is 301, 302, 303 (after a POST) or 307/308.
 * `location` is a path on this site ("/thu-tuc/1.000123") or an absolute
 * URL; it is sent as given. The body is a short HTML link (or JSON
 * {"location":...} for JSON clients).
 */
int respond_redirect(struct http_request *req, struct http_response *res,
		     int status, const char *location);

/*
 * Answers raw bytes (SVG, PNG, CSV, plain text): copies `len` bytes of
 * `data`; `content_type` is sent as given (include "; charset=utf-8" for
 * text types) and must be a string that outlives the request (a literal
 * or an arena string).
 */
int respond_bytes(struct http_request *req, struct http_response *res,
		  int status, const char *content_type, const void *data,
		  size_t len);

/*
 * (added by uploads) Answers the stored file `hash` (store/filestore.h),
 * streamed from disk (never read into memory) with safe headers whatever
 * the content: Content-Type: application/octet-stream, Content-Disposition:
 * attachment with `download_name` (RFC 6266: an ASCII fallback and
 * filename*=UTF-8''...; NULL: "tep-HASHPREFIX"), Cache-Control: private,
 * no-store, X-Content-Type-Options: nosniff. Authorization stays with the
 * calling handler: check that the user may see what references the hash
 * before calling. Returns 0, or MC_ENOTFOUND (no such file, or no data
 * directory), MC_EINVALID (not a hash: answer 404 too) or MC_EIO (logged);
 * `res` is untouched on failure.
 */
int respond_file(struct http_request *req, struct http_response *res,
		 const char *hash, const char *download_name);

/*
 * Cache headers. Without a call, responses carry "Cache-Control: no-cache"
 * (HTML and JSON pages always revalidate; error pages are "no-store").
 *   respond_cache(req, res, 3600)  -> "public, max-age=3600"
 *   respond_cache(req, res, -1)    -> "public, max-age=31536000, immutable"
 *                                     (for URLs that carry a version)
 *   respond_cache(req, res, 0)     -> "no-store" (private data, forms)
 * respond_etag() sets an ETag and, when the request's If-None-Match
 * matches it, turns the response into a 304 without a body and returns
 * true: the handler can then skip building it.
 */
void respond_cache(struct http_request *req, struct http_response *res,
		   long max_age_s);
bool respond_etag(struct http_request *req, struct http_response *res,
		  const char *etag);

/*
 * Completes `res` after the handler: renders a pending view (HTML or
 * JSON), defaults the Content-Type and Cache-Control, adds the security
 * headers (X-Content-Type-Options, Referrer-Policy,
 * Content-Security-Policy, X-Frame-Options). Called by route_run(); safe to
 * call twice.
 */
void respond_finish(struct http_request *req, struct http_response *res);

/* The header value of a response, by name (case-insensitive), or NULL. */
const char *respond_header(const struct http_response *res,
			   const char *name);

#endif
