/*
 * test_route.c - route patterns, method masks, 404/405, handler error
 * codes, and the whole dispatch of a request in-process (no sockets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/respond.h"
#include "web/route.h"

static void req_init(struct http_request *req, struct arena *a,
		     enum http_method m, const char *path)
{
	memset(req, 0, sizeof(*req));
	req->method = m;
	req->path = path;
	req->query = "";
	req->body = "";
	req->arena = a;
	req->route_index = -1;
}

static void test_match_table(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *path;
		bool match;
		const char *captures;	/* "name=value|..." */
	} rows[] = {
		{ "/", "/", true, "" },
		{ "/", "/a", false, NULL },
		{ "/healthz", "/healthz", true, "" },
		{ "/healthz", "/healthz/", false, NULL },	/* no folding */
		{ "/healthz", "/healthzz", false, NULL },
		{ "/thu-tuc/{code}", "/thu-tuc/1.000123", true,
		  "code=1.000123" },
		{ "/thu-tuc/{code}", "/thu-tuc/", false, NULL },	/* empty */
		{ "/thu-tuc/{code}", "/thu-tuc/a/b", false, NULL },
		{ "/thu-tuc/{code}", "/thu-tuc", false, NULL },
		{ "/qr/t/{code}.svg", "/qr/t/ABC.svg", true, "code=ABC" },
		{ "/qr/t/{code}.svg", "/qr/t/ABC.png", false, NULL },
		{ "/qr/t/{code}.svg", "/qr/t/.svg", false, NULL },	/* empty */
		{ "/qr/t/{code}.png", "/qr/t/a.b.png", true, "code=a.b" },
		{ "/u/{unit}/t/{code}", "/u/x/t/y", true, "unit=x|code=y" },
		{ "/static/{path...}", "/static/css/site.css", true,
		  "path=css/site.css" },
		{ "/static/{path...}", "/static/", false, NULL },
		{ "/static/{path...}", "/static", false, NULL },
		{ "/a/v{n}x", "/a/v12x", true, "n=12" },	/* prefix+suffix */
		{ "/a/v{n}x", "/a/vx", false, NULL },
		{ "/tìm", "/tìm", true, "" },	/* decoded UTF-8 paths */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct arena a = ARENA_INIT;
		struct http_request req;
		req_init(&req, &a, HTTP_GET, rows[i].path);
		bool m = route_match(rows[i].pattern, rows[i].path, &req);
		if (m != rows[i].match)
			fail_msg("row %zu: %s vs %s: %d", i, rows[i].pattern,
				 rows[i].path, m);
		struct buf got = BUF_INIT;
		for (int k = 0; k < req.n_params; k++)
			buf_addf(&got, "%s%s=%s", k ? "|" : "",
				 req.params[k].name, req.params[k].value);
		if (m && strcmp(got.ptr, rows[i].captures))
			fail_msg("row %zu: captures '%s', want '%s'", i,
				 got.ptr, rows[i].captures);
		if (!m)
			assert_int_equal(req.n_params, 0);
		buf_release(&got);
		arena_release(&a);
	}
}

/* --- a small table with handlers that record what they saw --- */

static int h_ok(struct http_request *req, struct http_response *res)
{
	char *s = arena_printf(req->arena, "code=%s",
			       http_param(req, "code") ? http_param(req, "code")
						       : "-");
	return respond_bytes(req, res, 200, "text/plain; charset=utf-8", s,
			     strlen(s));
}

static int h_post(struct http_request *req, struct http_response *res)
{
	return respond_redirect(req, res, 303, "/done");
}

static int h_notfound(struct http_request *req, struct http_response *res)
{
	/* Half-built output must be dropped by the router. */
	buf_adds(&res->body, "garbage");
	return MC_ENOTFOUND;
}

static int h_fail(struct http_request *req, struct http_response *res)
{
	return MC_EIO;
}

static int h_db(struct http_request *req, struct http_response *res)
{
	return MC_EDB;
}

static const struct route table[] = {
	{ HTTP_GET, "/t/new", h_ok, 0 },
	{ HTTP_GET, "/t/{code}", h_ok, 0 },
	{ HTTP_POST, "/t/{code}", h_post, 0 },
	{ HTTP_GET, "/missing", h_notfound, 0 },
	{ HTTP_GET, "/fail", h_fail, 0 },
	{ HTTP_GET, "/db", h_db, 0 },
	{ HTTP_DELETE, "/only-delete", h_ok, 0 },
	{ 0, NULL, NULL, 0 },
};

static void test_find(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req;
	const struct route *r = NULL;
	unsigned allowed = 0;

	req_init(&req, &a, HTTP_GET, "/t/new");
	assert_int_equal(route_find(table, &req, &r, &allowed), ROUTE_FOUND);
	assert_ptr_equal(r, &table[0]);	/* first row wins */
	assert_int_equal(req.route_index, 0);
	assert_int_equal(req.n_params, 0);

	req_init(&req, &a, HTTP_POST, "/t/X");
	assert_int_equal(route_find(table, &req, &r, &allowed), ROUTE_FOUND);
	assert_ptr_equal(r, &table[2]);
	assert_string_equal(req.route, "/t/{code}");
	assert_string_equal(http_param(&req, "code"), "X");
	assert_int_equal(req.n_params, 1);	/* the GET row's capture undone */

	req_init(&req, &a, HTTP_HEAD, "/t/X");	/* HEAD goes to GET rows */
	assert_int_equal(route_find(table, &req, &r, &allowed), ROUTE_FOUND);
	assert_ptr_equal(r, &table[1]);

	req_init(&req, &a, HTTP_PUT, "/t/X");
	assert_int_equal(route_find(table, &req, &r, &allowed),
			 ROUTE_BAD_METHOD);
	assert_int_equal(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	/* Counted under the path's first route in /metrics. */
	assert_int_equal(req.route_index, 1);
	assert_string_equal(req.route, "/t/{code}");
	struct buf allow = BUF_INIT;
	route_allow_header(allowed, &allow);
	assert_string_equal(allow.ptr, "GET, HEAD, POST");
	route_allow_header(HTTP_DELETE, &allow);
	assert_string_equal(allow.ptr, "DELETE");
	buf_release(&allow);

	req_init(&req, &a, HTTP_GET, "/nothing");
	assert_int_equal(route_find(table, &req, &r, &allowed),
			 ROUTE_NOT_FOUND);
	assert_int_equal(req.route_index, -1);
	arena_release(&a);
}

/* Dispatches in-process with an app whose templates are the embedded
 * ones (error pages need layout and error). */
static struct app app;

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	int rc = app_init(&app, NULL, "http://test.example", NULL, &err);
	if (rc)
		fail_msg("app_init: %s", err.ptr);
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	app_release(&app);
	return 0;
}

struct result {
	struct arena a;
	struct http_request req;
	struct http_response res;
};

static void dispatch(struct result *r, enum http_method m, const char *path,
		     bool json)
{
	memset(r, 0, sizeof(*r));
	req_init(&r->req, &r->a, m, path);
	r->req.app = &app;
	r->req.want_json = json;
	http_response_init(&r->res);
	route_dispatch(table, &r->req, &r->res);
}

static void result_release(struct result *r)
{
	http_response_release(&r->res);
	arena_release(&r->a);
}

static void test_dispatch(void **state)
{
	(void)state;
	struct result r;

	dispatch(&r, HTTP_GET, "/t/A1", false);
	assert_int_equal(r.res.status, 200);
	assert_string_equal(r.res.body.ptr, "code=A1");
	assert_string_equal(r.res.content_type, "text/plain; charset=utf-8");
	assert_string_equal(respond_header(&r.res, "x-content-type-options"),
			    "nosniff");
	result_release(&r);

	dispatch(&r, HTTP_POST, "/t/A1", false);
	assert_int_equal(r.res.status, 303);
	assert_string_equal(respond_header(&r.res, "Location"), "/done");
	result_release(&r);

	dispatch(&r, HTTP_GET, "/nothing", true);
	assert_int_equal(r.res.status, 404);
	assert_string_equal(r.res.body.ptr,
			    "{\"error\":{\"code\":\"not_found\",\"message\":"
			    "\"Không tìm thấy trang bạn yêu cầu.\"}}");
	result_release(&r);

	dispatch(&r, HTTP_PUT, "/t/A1", true);
	assert_int_equal(r.res.status, 405);
	assert_string_equal(respond_header(&r.res, "Allow"),
			    "GET, HEAD, POST");
	assert_non_null(strstr(r.res.body.ptr, "method_not_allowed"));
	result_release(&r);

	dispatch(&r, HTTP_GET, "/missing", false);
	assert_int_equal(r.res.status, 404);
	assert_null(strstr(r.res.body.ptr, "garbage"));
	assert_non_null(strstr(r.res.body.ptr, "<html"));
	result_release(&r);

	dispatch(&r, HTTP_GET, "/fail", true);
	assert_int_equal(r.res.status, 500);
	assert_non_null(strstr(r.res.body.ptr, "\"internal\""));
	result_release(&r);

	dispatch(&r, HTTP_GET, "/db", true);
	assert_int_equal(r.res.status, 503);
	result_release(&r);
}

static void test_accessors(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req;
	struct http_response res;
	req_init(&req, &a, HTTP_POST, "/x");
	struct http_kv q[] = { { "q", "thủ tục" }, { "q", "second" } };
	struct http_kv f[] = { { "name", "An" } };
	struct http_kv h[] = { { "accept", "text/html" } };
	req.query_params = q;
	req.n_query_params = 2;
	req.form_params = f;
	req.n_form_params = 1;
	req.headers = h;
	req.n_headers = 1;
	assert_string_equal(http_query(&req, "q"), "thủ tục");	/* first */
	assert_null(http_query(&req, "name"));
	assert_string_equal(http_form(&req, "name"), "An");
	assert_null(http_form(&req, "q"));
	assert_string_equal(http_header(&req, "accept"), "text/html");
	http_response_init(&res);
	http_set_header(&req, &res, "X-A", "1");
	http_set_header(&req, &res, "x-a", "2");	/* replaces */
	assert_int_equal(res.n_headers, 1);
	assert_string_equal(respond_header(&res, "X-A"), "2");
	http_response_release(&res);
	assert_int_equal(http_method_parse("PUT"), HTTP_PUT);
	assert_int_equal(http_method_parse("get"), HTTP_OTHER);
	assert_string_equal(http_method_name(HTTP_DELETE), "DELETE");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_accessors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
