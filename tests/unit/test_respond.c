/*
 * test_respond.c - the responder in-process: one model, two views (HTML in
 * the layout, JSON), errors, redirects, bytes, cache headers and ETags,
 * security headers; templates from a temporary --assets directory
 * (re-read on each render) and the embedded ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/respond.h"
#include "web/route.h"

static char dir[64];
static struct app app;

static void write_file(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_respond.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/templates", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/templates/partials", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/static", dir);
	mkdir(sub, 0700);
	write_file("templates/layout.mustache",
		   "<title>{{title}}</title>[{{public_url}}]"
		   "{{#user}}user={{user}};{{/user}}{{{content}}}");
	write_file("templates/hello.mustache",
		   "<p>Xin chào {{name}}</p>{{> sig}}");
	write_file("templates/partials/sig.mustache", "<i>{{org}}</i>");
	write_file("templates/error.mustache",
		   "<h1>{{error.message}}</h1><p>{{error.status}}</p>");
	write_file("templates/broken.mustache", "{{#open}}");
	write_file("static/a.css", "body{}");
	struct buf err = BUF_INIT;
	int rc = app_init(&app, NULL, "http://mc.example/", dir, &err);
	buf_release(&err);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	app_release(&app);
	const char *files[] = { "templates/partials/sig.mustache",
				"templates/layout.mustache",
				"templates/hello.mustache",
				"templates/error.mustache",
				"templates/broken.mustache",
				"static/a.css",
				"templates/partials",
				"templates",
				"static" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
	rmdir(dir);
	return 0;
}

struct ctx {
	struct arena a;
	struct http_request req;
	struct http_response res;
	struct http_kv hdr[4];
};

static void ctx_init(struct ctx *c, bool json)
{
	memset(c, 0, sizeof(*c));
	c->req.method = HTTP_GET;
	c->req.path = "/x";
	c->req.query = "";
	c->req.body = "";
	c->req.arena = &c->a;
	c->req.app = &app;
	c->req.want_json = json;
	c->req.headers = c->hdr;
	c->req.route_index = -1;
	http_response_init(&c->res);
}

static void ctx_release(struct ctx *c)
{
	http_response_release(&c->res);
	arena_release(&c->a);
}

static void test_view_html(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	json_t *m = json_pack("{s:s,s:s,s:s}", "title", "Thủ tục", "name",
			      "<An>", "org", "UBND");
	respond_view(&c.req, &c.res, 200, "hello", m);
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 200);
	assert_string_equal(c.res.content_type, "text/html; charset=utf-8");
	assert_string_equal(c.res.body.ptr,
			    "<title>Thủ tục</title>[http://mc.example]"
			    "<p>Xin chào &lt;An&gt;</p><i>UBND</i>");
	assert_string_equal(respond_header(&c.res, "Cache-Control"),
			    "no-cache");
	assert_string_equal(respond_header(&c.res, "X-Frame-Options"),
			    "DENY");
	assert_string_equal(respond_header(&c.res, "Referrer-Policy"),
			    "same-origin");
	assert_non_null(strstr(respond_header(&c.res,
					      "Content-Security-Policy"),
			       "default-src 'self'"));
	assert_null(c.res.model);	/* rendered and released */
	/* Safe to finish twice. */
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.n_headers, 5);
	ctx_release(&c);
}

static void test_view_json(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, true);
	json_t *m = json_pack("{s:s,s:i}", "name", "Việt", "n", 3);
	respond_view(&c.req, &c.res, 201, "hello", m);
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 201);
	assert_string_equal(c.res.content_type,
			    "application/json; charset=utf-8");
	assert_string_equal(c.res.body.ptr, "{\"name\":\"Việt\",\"n\":3}");
	ctx_release(&c);
}

static void test_layout_sees_model(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	/* No title: the default one; the layout sees the model's fields. */
	json_t *m = json_pack("{s:s,s:s}", "name", "A", "user", "cb01");
	respond_view(&c.req, &c.res, 200, "hello", m);
	respond_finish(&c.req, &c.res);
	assert_non_null(strstr(c.res.body.ptr,
			       "<title>Bộ phận một cửa</title>"));
	assert_non_null(strstr(c.res.body.ptr, "user=cb01;"));
	ctx_release(&c);
}

static void test_template_errors(void **state)
{
	(void)state;
	struct ctx c;
	/* Missing view: a 500 page, never a half page. */
	ctx_init(&c, false);
	respond_view(&c.req, &c.res, 200, "nope", NULL);
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 500);
	assert_non_null(strstr(c.res.body.ptr, "<h1>Đã xảy ra lỗi"));
	ctx_release(&c);
	/* A view that does not compile: the same. */
	ctx_init(&c, false);
	respond_view(&c.req, &c.res, 200, "broken", NULL);
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 500);
	ctx_release(&c);
	/* A name that tries to leave the directory is no template. */
	ctx_init(&c, false);
	respond_view(&c.req, &c.res, 200, "../templates/hello", NULL);
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 500);
	ctx_release(&c);
}

static void test_disk_reread(void **state)
{
	(void)state;
	struct ctx c;
	write_file("templates/partials/sig.mustache", "<b>{{org}}</b>");
	ctx_init(&c, false);
	respond_view(&c.req, &c.res, 200, "hello",
		     json_pack("{s:s}", "org", "X"));
	respond_finish(&c.req, &c.res);
	assert_non_null(strstr(c.res.body.ptr, "<b>X</b>"));
	ctx_release(&c);
	write_file("templates/partials/sig.mustache", "<i>{{org}}</i>");
}

static void test_error(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	respond_error(&c.req, &c.res, 404, "not_found", "Không thấy <x>");
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 404);
	assert_string_equal(c.res.body.ptr,
			    "<title>Không thấy &lt;x&gt;</title>"
			    "[http://mc.example]"
			    "<h1>Không thấy &lt;x&gt;</h1><p>404</p>");
	assert_string_equal(respond_header(&c.res, "cache-control"),
			    "no-store");
	ctx_release(&c);

	ctx_init(&c, true);
	respond_error(&c.req, &c.res, 400, "bad_query", "Sai");
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 400);
	assert_string_equal(c.res.body.ptr,
			    "{\"error\":{\"code\":\"bad_query\","
			    "\"message\":\"Sai\"}}");
	ctx_release(&c);
}

static void test_redirect_bytes_cache(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	respond_redirect(&c.req, &c.res, 303, "/a?b=1&c=2");
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 303);
	assert_string_equal(respond_header(&c.res, "Location"), "/a?b=1&c=2");
	assert_non_null(strstr(c.res.body.ptr, "href=\"/a?b=1&amp;c=2\""));
	ctx_release(&c);

	ctx_init(&c, false);
	respond_cache(&c.req, &c.res, 3600);
	respond_bytes(&c.req, &c.res, 200, "image/svg+xml", "<svg/>", 6);
	respond_finish(&c.req, &c.res);
	assert_string_equal(c.res.content_type, "image/svg+xml");
	assert_int_equal(c.res.body.len, 6);
	assert_string_equal(respond_header(&c.res, "Cache-Control"),
			    "public, max-age=3600");
	ctx_release(&c);

	ctx_init(&c, false);
	respond_cache(&c.req, &c.res, -1);
	assert_string_equal(respond_header(&c.res, "Cache-Control"),
			    "public, max-age=31536000, immutable");
	respond_cache(&c.req, &c.res, 0);	/* replaces, not adds */
	assert_string_equal(respond_header(&c.res, "Cache-Control"),
			    "no-store");
	assert_int_equal(c.res.n_headers, 1);
	ctx_release(&c);
}

static void test_etag(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	assert_false(respond_etag(&c.req, &c.res, "abc"));
	assert_string_equal(respond_header(&c.res, "ETag"), "\"abc\"");
	ctx_release(&c);

	ctx_init(&c, false);
	c.hdr[0] = (struct http_kv){ "if-none-match", "\"zz\", W/\"abc\"" };
	c.req.n_headers = 1;
	assert_true(respond_etag(&c.req, &c.res, "abc"));
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 304);
	assert_int_equal(c.res.body.len, 0);
	ctx_release(&c);

	ctx_init(&c, false);
	c.hdr[0] = (struct http_kv){ "if-none-match", "\"abcd\"" };
	c.req.n_headers = 1;
	assert_false(respond_etag(&c.req, &c.res, "abc"));
	ctx_release(&c);
}

static void test_static(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, false);
	const char *data;
	size_t len;
	assert_int_equal(app_static(&app, &c.a, "a.css", &data, &len), 0);
	assert_int_equal(len, 6);
	assert_int_equal(app_static(&app, &c.a, "../static/a.css", &data,
				    &len),
			 MC_ENOTFOUND);
	assert_int_equal(app_static(&app, &c.a, ".hidden", &data, &len),
			 MC_ENOTFOUND);
	assert_int_equal(app_static(&app, &c.a, "nope.css", &data, &len),
			 MC_ENOTFOUND);
	ctx_release(&c);
}

/* The shipped templates all compile, and the error page renders. */
static void test_embedded(void **state)
{
	(void)state;
	struct app emb;
	struct buf err = BUF_INIT;
	int rc = app_init(&emb, NULL, "http://mc.example", NULL, &err);
	if (rc)
		fail_msg("embedded templates: %s", err.ptr);
	struct ctx c;
	ctx_init(&c, false);
	c.req.app = &emb;
	respond_error(&c.req, &c.res, 404, "not_found", "Không tìm thấy");
	respond_finish(&c.req, &c.res);
	assert_int_equal(c.res.status, 404);
	assert_non_null(strstr(c.res.body.ptr, "<html lang=\"vi\""));
	assert_non_null(strstr(c.res.body.ptr, "Không tìm thấy"));
	ctx_release(&c);
	buf_release(&err);
	app_release(&emb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_html),
		cmocka_unit_test(test_view_json),
		cmocka_unit_test(test_layout_sees_model),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_disk_reread),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_redirect_bytes_cache),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_embedded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
