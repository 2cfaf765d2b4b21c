/*
 * route.h - the routing table: method + path pattern -> handler.
 *
 * How to add a page
 *   1. Write the handler in src/web/h_NAME.c (one file per area of the
 *      site), with the signature of http_handler (web/http.h):
 *
 *	int handle_procedure(struct http_request *req,
 *			     struct http_response *res)
 *	{
 *		struct db *db;
 *		int rc = app_db(req, &db);	// 503 page if it fails
 *		if (rc)
 *			return rc;
 *		const char *code = http_param(req, "code");
 *		json_t *model = json_pack("{s:s}", "title", "Thủ tục");
 *		... fill the model from store/ ...
 *		return respond_view(req, res, 200, "procedure", model);
 *	}
 *
 *   2. Declare it in web/handlers.h.
 *   3. Add one row to the table in web/routes.c:
 *	{ HTTP_GET, "/thu-tuc/{code}", handle_procedure, 0 },
 *      A page that is not public declares its action and where its unit
 *      comes from (struct route below; web/auth.h):
 *	{ HTTP_GET | HTTP_POST, "/quan-tri/don-vi/{code}", handle_unit_edit,
 *	  0, ACT_UNITS_EDIT, "code", NULL, 0 },
 *      Forms put {{csrf}} in a hidden field named "csrf".
 *      and, for the JSON API, the same handler under /api/v1/...: the
 *      responder answers JSON there (web/respond.h), HTML elsewhere.
 *   4. Write the view assets/templates/procedure.mustache (it is rendered
 *      into layout.mustache; partials come from assets/templates/partials/).
 *   5. Test it in-process (tests/unit/test_respond.c shows how: build a
 *      request, call route_dispatch(), check status, body and headers) and
 *      through the real server in tests/integ/.
 *
 * Patterns. A pattern is a path of '/'-separated segments. A literal
 * segment matches itself exactly (after percent-decoding of the path).
 * `{name}` matches one non-empty segment and captures it; a segment may
 * also have a literal prefix and/or suffix around the capture, as in
 * `{code}.svg` (matches "ABC.svg", captures "ABC"; the captured part must
 * be non-empty). `{name...}` as the last segment captures the rest of the
 * path, slashes included (non-empty). No trailing-slash folding: "/a/"
 * does not match "/a". At most 8 captures (struct http_request.params).
 *
 * Order. Rows are tried in table order and the first match wins: put
 * literal routes ("/thu-tuc/moi") before patterns ("/thu-tuc/{code}").
 *
 * Methods. `methods` is a mask of enum http_method; a row with HTTP_GET
 * also answers HEAD (the server sends the headers without the body). When
 * the path matches some row but not the method, the answer is 405 with an
 * Allow header; when no row matches, 404. Both go through respond_error(),
 * so they come as HTML or JSON like any other page.
 *
 * Handler results. A handler returns 0 after filling `res` (normally via
 * a respond_*() call). A negative MC_E* code means it did not answer: the
 * router answers for it: MC_ENOTFOUND 404, MC_EINVALID 400, MC_ETOOBIG 413,
 * MC_EFORBIDDEN 403, MC_EDB 503, anything else 500 (and logs it).
 */
#ifndef MC_WEB_ROUTE_H
#define MC_WEB_ROUTE_H

#include <stddef.h>

#include "core/authz.h"
#include "web/http.h"

/*
 * Where the unit of a route's object comes from, for objects that are not
 * named by a unit code in the request (a dossier, a desk, a user): sets
 * *unit_code (a unit of the 2025 list, "VN", or NULL for a system-wide
 * object; a string that lives as long as the request) and returns 0, or
 * MC_ENOTFOUND (answered 404), or MC_EDB (503). Engineer "auth".
 */
typedef int (*route_unit_fn)(struct http_request *req,
			     const char **unit_code);

/* Flags of a route: its authorization (web/auth.h), and one more. */
enum route_auth_flags {
	/* The object is system-wide (unit NULL): only a grant on "VN"
	 * covers it (the national calendar, the catalog). */
	ROUTE_SYSTEM = 1 << 0,
	/* Out of scope answers 404, not 403: existence itself is private
	 * (a dossier of another commune). */
	ROUTE_HIDE = 1 << 1,
	/* Not about authorization: the handler and the rendering run in the
	 * JSON pool (util/json.h; its rules apply to the handler), for the
	 * busiest routes (the lookup, the intake). */
	ROUTE_JSON_POOL = 1 << 2,
};

/*
 * (added by uploads) A route that accepts multipart/form-data uploads
 * names its rules in the row's last field, `upload`:
 *	{ HTTP_POST, "/api/v1/files", handle_files_upload, 0,
 *	  ACT_DOSSIER_RECEIVE, NULL, NULL, 0, &upload_documents },
 * The server (web/server.c, web/upload.c) then streams such a body through
 * libmicrohttpd's post processor: plain fields land in req->form_params,
 * files go to the file store while the body arrives (never the whole body
 * in memory) and reach the handler as req->uploads. Refused before the
 * handler, naming the field: a file over max_file or a body over
 * max_request (413), more than max_files files (413), a type sniffed from
 * the content that is not in `mime` (415), a malformed body (400).
 * Plain fields are capped by the row's max_body as before. Other routes
 * keep multipart bodies raw in req->body (within max_body).
 *
 * Order of checks: the body is read (files stored) before auth_before()
 * runs, because the CSRF token is a form field of the same body; the
 * CSRF, login and authorization checks then run before the handler acts.
 * A request that fails them leaves only content-addressed files that
 * nothing references (harmless; NEEDSWORK: a sweep of unreferenced
 * files). A request to an upload route that is not public and carries
 * neither a session cookie nor an Authorization header is refused when
 * its headers arrive, before any byte is stored.
 */
struct upload_rules {
	size_t max_request;	/* the whole multipart body, bytes */
	size_t max_file;	/* each file, bytes */
	int max_files;		/* files in one request */
	const char *const *mime;	/* accepted sniffed types, NULL-ended */
	const char *mime_label;	/* for messages: "PDF, JPEG, PNG" */
};

/* A dossier's scanned components: PDF, JPEG, PNG; 50 MiB in all, 20 files
 * of at most 50 MiB (web/upload.c). */
extern const struct upload_rules upload_documents;
/* One CSV file (text/csv or text/plain) of at most 1 MiB. */
extern const struct upload_rules upload_csv;

/*
 * Route rows leave out the trailing fields they do not need (zero: public,
 * default body limit), so the tables that include this header do not warn
 * about missing initializers.
 */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct route {
	unsigned methods;	/* mask of enum http_method */
	const char *pattern;
	http_handler handler;
	/* Largest request body accepted, in bytes (413 above); 0: the
	 * server's default (app->limits.max_body, 1 MiB). */
	size_t max_body;
	/*
	 * Authorization (engineer "auth"; see web/auth.h). Rows that leave
	 * these out are public (ACT_PUBLIC is 0). The router checks
	 * authz_can(principal, action, unit) before the handler, where the
	 * unit is, in this order:
	 *   unit_param  the path parameter of that name ("{code}"), else the
	 *               form field, else the query parameter of that name;
	 *   unit_of     a resolver for objects (dossiers, desks);
	 *   ROUTE_SYSTEM in auth_flags: a system-wide object (unit NULL);
	 *   none        the action anywhere (authz_can_any()): the handler
	 *               shows only what is in scope, each row checked with
	 *               auth_can() (lists, menus, the admin home).
	 * A unit code that does not exist answers 404.
	 *	{ HTTP_GET, "/quan-tri/don-vi/{code}", handle_x, 0,
	 *	  ACT_UNITS_EDIT, "code", NULL, 0 },
	 */
	enum action action;
	const char *unit_param;
	route_unit_fn unit_of;
	unsigned auth_flags;	/* enum route_auth_flags */
	/* (added by uploads) Multipart uploads accepted (above), or NULL. */
	const struct upload_rules *upload;
};

/* The table of the site (web/routes.c), ended by a row of zeros. */
extern const struct route web_routes[];

enum route_result {
	ROUTE_FOUND = 0,
	ROUTE_NOT_FOUND = 1,	/* no pattern matches the path */
	ROUTE_BAD_METHOD = 2,	/* some pattern matches, not the method */
};

/*
 * Matches `path` against one pattern. On a match returns true and appends
 * the captures to req->params (strings from req->arena); on no match
 * returns false and leaves req->params as it was.
 */
bool route_match(const char *pattern, const char *path,
		 struct http_request *req);

/*
 * Finds the row for req->method and req->path in `table`. ROUTE_FOUND:
 * sets req->route, req->route_index, req->params and *out. ROUTE_BAD_METHOD:
 * *allowed gets the union of the methods of the rows whose pattern matches
 * (HEAD added where GET is). ROUTE_NOT_FOUND: nothing set.
 */
enum route_result route_find(const struct route *table,
			     struct http_request *req,
			     const struct route **out, unsigned *allowed);

/*
 * Answers a request whose route is known (or not): calls the handler of
 * `r` (NULL with `result` giving the 404/405 and `allowed`), maps a
 * handler's error code to an error page, and finishes the response
 * (respond_finish(): the view is rendered, security headers are set).
 * Never fails: whatever happens, `res` holds a complete response.
 */
void route_run(const struct route *r, enum route_result result,
	       unsigned allowed, struct http_request *req,
	       struct http_response *res);

/* route_find() then route_run(): the whole routing of one request. */
void route_dispatch(const struct route *table, struct http_request *req,
		    struct http_response *res);

/* Writes "GET, HEAD, POST" for a method mask into `out` (replaced). */
void route_allow_header(unsigned methods, struct buf *out);

#endif
