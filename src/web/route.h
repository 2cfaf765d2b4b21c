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

#include "web/http.h"

struct route {
	unsigned methods;	/* mask of enum http_method */
	const char *pattern;
	http_handler handler;
	/* Largest request body accepted, in bytes (413 above); 0: the
	 * server's default (app->limits.max_body, 1 MiB). */
	size_t max_body;
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
