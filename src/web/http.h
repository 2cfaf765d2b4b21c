/*
 * http.h - the request/response abstraction that handlers see. It knows
 * nothing of libmicrohttpd (web/server.c adapts it), so handlers and the
 * router are tested in-process without sockets (tests/unit/test_route.c).
 *
 * Everything a handler allocates comes from req->arena, released after the
 * response is sent; handlers never call free(). Strings in the request are
 * decoded UTF-8 (the server answers 400 to invalid UTF-8 before routing).
 */
#ifndef MC_WEB_HTTP_H
#define MC_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"

struct app;
struct auth_info;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_OTHER = 1 << 5,
};

struct http_kv {
	const char *name;
	const char *value;
};

/*
 * (added by uploads) A file of a multipart/form-data body, already in the
 * file store (store/filestore.h) when the handler runs: streamed to disk
 * while the body arrived, its type sniffed from the content and checked
 * against the route's rules (web/route.h, struct upload_rules). Strings
 * live in req->arena.
 */
struct http_upload {
	const char *field;	/* the form field's name */
	const char *filename;	/* as the client named it, sanitised (no
				 * path, no control characters, valid
				 * UTF-8): for display only, never a path */
	const char *sha256;	/* 64 lowercase hex digits: the file's name
				 * in the store */
	const char *mime;	/* sniffed: "application/pdf", "text/csv" */
	size_t size;
};

struct http_request {
	enum http_method method;
	const char *path;	/* percent-decoded path, no query */
	const char *query;	/* raw query string without '?', or "" */
	struct http_kv *query_params;	/* decoded, in order */
	int n_query_params;
	struct http_kv *headers;	/* names lower-case */
	int n_headers;
	/* NUL-terminated; "" when none. Binary bodies may hold NUL bytes:
	 * use body_len. A form body (x-www-form-urlencoded) is also decoded
	 * into form_params, or answered 400 when malformed. */
	const char *body;
	size_t body_len;
	/* Decoded fields of an application/x-www-form-urlencoded body. */
	struct http_kv *form_params;
	int n_form_params;
	/* Path parameters captured by the route pattern ("{code}"). */
	struct http_kv params[8];
	int n_params;
	const char *route;	/* the matched pattern, for metrics and logs */
	bool want_json;		/* /api/... or Accept: application/json */
	struct arena *arena;
	struct app *app;	/* the server's shared state (web/app.h) */
	/* The thread's database connection once app_db() has handed it
	 * out (and made it fit for a new request) for this request. */
	struct db *db;
	int route_index;	/* row of the matched route, -1 when none */
	/* (added by auth) The peer's address ("127.0.0.1", "::1"), or NULL
	 * in in-process tests. */
	const char *client;
	/* (added by auth) Who is asking, set by the router before the
	 * handler on routes that are not public (web/auth.h); NULL:
	 * anonymous. */
	struct auth_info *auth;
	/* (added by uploads) The files of a multipart/form-data body, on
	 * routes that accept uploads (web/route.h); their plain fields are in
	 * form_params like those of an urlencoded form. */
	struct http_upload *uploads;
	int n_uploads;
	/* The body parsed as JSON, once (http_json_body()). */
	json_t *json_body;
	bool json_parsed;
};

struct http_response {
	int status;
	const char *content_type;	/* NULL: text/html; charset=utf-8 */
	struct buf body;
	struct http_kv headers[16];
	int n_headers;
	/* Set by respond_view(); rendered by the responder after the handler. */
	json_t *model;			/* owned by the response */
	const char *view;		/* template name, e.g. "procedure" */
	/* (added by uploads) A body streamed from an open file instead of
	 * `body` (respond_file() in web/respond.h): the server hands the
	 * descriptor to libmicrohttpd, http_response_release() closes it
	 * when it was not sent. */
	bool has_file;
	int file_fd;
	size_t file_len;
};

/* Returns 0, or an MC_E* code that the server turns into a 500 page. */
typedef int (*http_handler)(struct http_request *req,
			    struct http_response *res);

/*
 * The body as a JSON object when the request is application/json and the
 * body is an object, else NULL: a new reference (json_decref() it). The
 * body is parsed once per request (the router's unit lookup and the
 * handler both ask); the parsed value lives until the request's arena is
 * reset.
 */
json_t *http_json_body(struct http_request *req);

/*
 * The client's address behind reverse proxies. `peer` is the address the
 * connection comes from; when it is one of `trusted` (addresses separated
 * by commas or spaces, exact text as inet_ntop writes them; NULL or "":
 * none), the X-Forwarded-For value `xff` is read from its right end, past
 * the trusted proxies, and its first address that is not trusted is the
 * client (a client can write anything at the left end, so only what the
 * trusted proxies appended counts). An entry that is not an IPv4/IPv6
 * address stops the walk and the peer is kept. Returns `peer`, or the
 * address copied into `a`.
 */
const char *http_forwarded_client(struct arena *a, const char *peer,
				  const char *xff, const char *trusted);

/* The decoded value of query parameter `name` (first one), or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* A request header by lower-case name, or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* A path parameter by name, or NULL. */
const char *http_param(const struct http_request *req, const char *name);
/* The decoded value of form field `name` (first one) of a POST, or NULL. */
const char *http_form(const struct http_request *req, const char *name);
/* The uploaded file of form field `name` (first one), or NULL. */
const struct http_upload *http_upload(const struct http_request *req,
				      const char *name);

/* Adds a response header; name and value are copied into the arena. A
 * header of the same name is replaced, except Set-Cookie (one per cookie). */
void http_set_header(struct http_request *req, struct http_response *res,
		     const char *name, const char *value);

/*
 * Sets up a response: status 200, no body, no headers. The server (and
 * in-process tests) call http_response_release() once it is sent; it frees
 * the body and the model.
 */
void http_response_init(struct http_response *res);
void http_response_release(struct http_response *res);

/* "GET", "HEAD", ... ("OTHER" for HTTP_OTHER). */
const char *http_method_name(enum http_method m);
/* The method named `s` (case-sensitive, RFC 9110 §9.1), HTTP_OTHER else. */
enum http_method http_method_parse(const char *s);

#endif
