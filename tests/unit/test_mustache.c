/*
 * test_mustache.c - the mustache engine: every test of the official spec
 * files in tests/spec/mustache/ (run from the repo root), then our own
 * table of cases (UTF-8 text, numbers, truthiness, errors with their line,
 * depth and size limits, indentation of nested partials, many threads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/mustache.h"
#include "util/err.h"

/* ---- partials: a small name -> compiled table ----------------------- */

struct partials {
	const char *names[16];
	struct mustache *tpl[16];
	int n;
};

static const struct mustache *find_partial(void *ctx, const char *name)
{
	struct partials *ps = ctx;
	for (int i = 0; i < ps->n; i++)
		if (!strcmp(ps->names[i], name))
			return ps->tpl[i];
	return NULL;
}

static void partials_add(struct partials *ps, const char *name,
			 const char *src)
{
	struct buf err = BUF_INIT;
	assert_true(ps->n < 16);
	int rc = mustache_compile(src, strlen(src), &ps->tpl[ps->n], &err);
	if (rc)
		fail_msg("partial %s: %s", name, err.ptr);
	ps->names[ps->n++] = name;
	buf_release(&err);
}

static void partials_release(struct partials *ps)
{
	for (int i = 0; i < ps->n; i++)
		mustache_free(ps->tpl[i]);
	ps->n = 0;
}

/* ---- the official spec ---------------------------------------------- */

/* Runs every test of one spec file; returns how many failed. */
static int run_spec_file(const char *path, int *n_run)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root)
		fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
	json_t *tests = json_object_get(root, "tests");
	assert_true(json_is_array(tests) && json_array_size(tests) > 0);
	int failed = 0;
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		json_t *tpl = json_object_get(t, "template");
		const char *expected =
			json_string_value(json_object_get(t, "expected"));
		struct partials ps = { .n = 0 };
		const char *pname;
		json_t *psrc;
		json_object_foreach(json_object_get(t, "partials"), pname, psrc)
			partials_add(&ps, pname, json_string_value(psrc));
		struct buf out = BUF_INIT, err = BUF_INIT;
		int rc = mustache_render_string(json_string_value(tpl),
						json_string_length(tpl),
						json_object_get(t, "data"),
						find_partial, &ps, &out, &err);
		if (rc || strcmp(out.ptr, expected)) {
			failed++;
			print_error("FAIL %s: %s\n  expected: [%s]\n  got:      "
				    "[%s] %s\n",
				    path, name, expected, out.ptr, err.ptr);
		}
		(*n_run)++;
		buf_release(&out);
		buf_release(&err);
		partials_release(&ps);
	}
	json_decref(root);
	return failed;
}

static void test_spec(void **state)
{
	(void)state;
	static const char *files[] = {
		"tests/spec/mustache/comments.json",
		"tests/spec/mustache/delimiters.json",
		"tests/spec/mustache/interpolation.json",
		"tests/spec/mustache/inverted.json",
		"tests/spec/mustache/partials.json",
		"tests/spec/mustache/sections.json",
	};
	int n_run = 0, n_failed = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		n_failed += run_spec_file(files[i], &n_run);
	print_message("mustache spec: %d passed, %d failed\n",
		      n_run - n_failed, n_failed);
	assert_int_equal(n_failed, 0);
	assert_true(n_run >= 121);
}

/* ---- our own table -------------------------------------------------- */

struct render_case {
	const char *name;
	const char *tpl;
	const char *data;	/* JSON */
	const char *expected;
};

static const struct render_case cases[] = {
	{ "vietnamese text stays UTF-8, markup escaped",
	  "<p>{{ten}}</p>", "{\"ten\":\"Hồ sơ <b>đăng ký</b> & \\\"hộ tịch\\\"\"}",
	  "<p>Hồ sơ &lt;b&gt;đăng ký&lt;/b&gt; &amp; &quot;hộ tịch&quot;</p>" },
	{ "apostrophe escaped", "{{x}}", "{\"x\":\"l'Ủy ban\"}",
	  "l&#39;Ủy ban" },
	{ "vietnamese in the template and keys", "Xin chào {{người}}!",
	  "{\"người\":\"Nguyễn Văn Ánh\"}", "Xin chào Nguyễn Văn Ánh!" },
	{ "raw vietnamese", "{{{x}}}|{{&x}}", "{\"x\":\"<i>Phường</i>\"}",
	  "<i>Phường</i>|<i>Phường</i>" },
	{ "negative and large integers", "{{a}} {{b}}",
	  "{\"a\":-42,\"b\":9007199254740993}", "-42 9007199254740993" },
	{ "reals in fewest digits", "{{a}} {{b}} {{c}} {{d}}",
	  "{\"a\":0.1,\"b\":2.0,\"c\":-1.5,\"d\":1e21}", "0.1 2 -1.5 1e+21" },
	{ "booleans and null", "[{{t}}][{{f}}][{{n}}]",
	  "{\"t\":true,\"f\":false,\"n\":null}", "[true][false][]" },
	{ "objects and arrays interpolate as nothing", "[{{o}}][{{a}}]",
	  "{\"o\":{\"x\":1},\"a\":[1,2]}", "[][]" },
	{ "zero, empty string, empty object",
	  "{{#z}}z{{/z}}{{^z}}!z{{/z}} {{#s}}s{{/s}}{{^s}}!s{{/s}} "
	  "{{#o}}o{{/o}}",
	  "{\"z\":0,\"s\":\"\",\"o\":{}}", "!z !s o" },
	{ "section over a number pushes it", "{{#n}}<{{.}}>{{/n}}",
	  "{\"n\":7}", "<7>" },
	{ "list of objects with parent lookup",
	  "{{#ds}}{{ma}}:{{xa}};{{/ds}}",
	  "{\"xa\":\"Phú Lợi\",\"ds\":[{\"ma\":\"1.1\"},{\"ma\":\"1.2\"}]}",
	  "1.1:Phú Lợi;1.2:Phú Lợi;" },
	{ "dotted name through a list is a miss", "[{{a.0}}]",
	  "{\"a\":[\"x\"]}", "[]" },
	{ "missing data", "a{{x}}b{{#y}}c{{/y}}", "null", "ab" },
	{ "whitespace before the sigil", "{{ # a }}x{{ / a }}{{ ! c }}",
	  "{\"a\":true}", "x" },
	{ "custom delimiters and triple", "{{=<% %>=}}<%{x}%>|<%x%>",
	  "{\"x\":\"<\"}", "<|&lt;" },
	{ "CRLF standalone with indentation", "a\r\n  {{#b}}  \r\nc\r\n{{/b}}",
	  "{\"b\":true}", "a\r\nc\r\n" },
	{ "two tags on one line are not standalone", "{{#a}}{{/a}}\nx",
	  "{\"a\":true}", "\nx" },
};

static void test_cases(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct render_case *c = &cases[i];
		json_error_t jerr;
		json_t *data = json_loads(c->data, JSON_DECODE_ANY, &jerr);
		if (!data)
			fail_msg("%s: bad JSON: %s", c->name, jerr.text);
		struct buf out = BUF_INIT, err = BUF_INIT;
		int rc = mustache_render_string(c->tpl, strlen(c->tpl), data,
						NULL, NULL, &out, &err);
		if (rc || strcmp(out.ptr, c->expected)) {
			failed++;
			print_error("FAIL %s\n  expected: [%s]\n  got:      "
				    "[%s] %s\n",
				    c->name, c->expected, out.ptr, err.ptr);
		}
		json_decref(data);
		buf_release(&out);
		buf_release(&err);
	}
	assert_int_equal(failed, 0);
}

struct error_case {
	const char *tpl;
	const char *err;	/* the start of the message */
};

static const struct error_case error_cases[] = {
	{ "abc {{x", "line 1: unclosed tag" },
	{ "a\nb\n\nc {{x\n}", "line 4: unclosed tag" },
	{ "a\n{{{x}}", "line 2: unclosed tag" },
	{ "a\n{{#s}}\nb\n", "line 2: section 's' is never closed" },
	{ "{{#s}}\n{{#t}}\n{{/s}}\n{{/t}}", "line 3: 's' closes section 't'" },
	{ "x\n\n{{/s}}", "line 3: 's' closes no open section" },
	{ "a\nb {{}}", "line 2: empty tag name" },
	{ "a\nb {{ }}", "line 2: empty tag name" },
	{ "{{a b}}", "line 1: invalid tag name 'a b'" },
	{ "\n{{=<%=}}", "line 2: delimiter tag needs two delimiters" },
	{ "{{=a b c=}}", "line 1: delimiter tag needs two delimiters" },
	{ "{{=<% %>=}}\n<%x}}", "line 2: unclosed tag" },
	{ "{{!never closed", "line 1: unclosed tag" },
	{ "{{>}}", "line 1: empty tag name" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		const struct error_case *c = &error_cases[i];
		struct mustache *m = (struct mustache *)1;
		struct buf err = BUF_INIT;
		int rc = mustache_compile(c->tpl, strlen(c->tpl), &m, &err);
		if (rc != MC_EINVALID ||
		    strncmp(err.ptr, c->err, strlen(c->err)))
			fail_msg("template [%s]: rc %d, err [%s], want [%s]",
				 c->tpl, rc, err.ptr, c->err);
		assert_null(m);
		buf_release(&err);
	}
}

/* Nested `n` sections {{#a}}...{{/a}} around "x". */
static char *nested_sections(int n)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_adds(&b, "{{#a}}");
	buf_adds(&b, "x");
	for (int i = 0; i < n; i++)
		buf_adds(&b, "{{/a}}");
	return buf_detach(&b, NULL);
}

/* A layout over a page's model: names fall through to `under`, data's
 * shadow them, and the model is left as it was. */
static void test_render_over(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct mustache *m;
	const char *src = "{{title}}|{{code}}|{{#items}}{{.}}{{title}}{{/items}}"
			  "|{{.}}|{{missing}}";
	json_t *model = json_pack("{s:s, s:s, s:[i, i]}", "title", "model",
				  "code", "H24", "items", 1, 2);
	json_t *ctx = json_pack("{s:s}", "title", "layout");
	assert_int_equal(mustache_compile(src, strlen(src), &m, &err), 0);
	assert_int_equal(mustache_render_over(m, model, ctx, NULL, NULL, &out,
					      &err), 0);
	assert_string_equal(out.ptr, "layout|H24|1layout2layout||");
	assert_int_equal(json_object_size(model), 3);
	assert_string_equal(json_string_value(json_object_get(model, "title")),
			    "model");
	buf_reset(&out);
	/* no model: only data */
	assert_int_equal(mustache_render_over(m, NULL, ctx, NULL, NULL, &out,
					      &err), 0);
	assert_string_equal(out.ptr, "layout||||");
	mustache_free(m);
	json_decref(model);
	json_decref(ctx);
	buf_release(&out);
	buf_release(&err);
}

static void test_depth(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	json_t *data = json_pack("{s:b}", "a", 1);

	char *ok = nested_sections(MUSTACHE_MAX_DEPTH);
	assert_int_equal(mustache_render_string(ok, strlen(ok), data, NULL,
						NULL, &out, &err), 0);
	assert_string_equal(out.ptr, "x");
	free(ok);

	char *deep = nested_sections(MUSTACHE_MAX_DEPTH + 1);
	buf_reset(&out);
	assert_int_equal(mustache_render_string(deep, strlen(deep), data, NULL,
						NULL, &out, &err),
			 MC_EINVALID);
	assert_non_null(strstr(err.ptr, "nested deeper than 64"));
	free(deep);

	/* A partial that includes itself forever, even twice per level. */
	struct partials ps = { .n = 0 };
	partials_add(&ps, "loop", "[{{>loop}}{{>loop}}]");
	buf_reset(&out);
	buf_reset(&err);
	assert_int_equal(mustache_render_string("{{>loop}}", 9, data,
						find_partial, &ps, &out, &err),
			 MC_EINVALID);
	assert_non_null(strstr(err.ptr, "nested deeper than 64 at 'loop'"));
	partials_release(&ps);

	json_decref(data);
	buf_release(&out);
	buf_release(&err);
}

static void test_output_cap(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	out.max = 100;
	json_t *data = json_pack("{s:[iiiiiiiiii]}", "l", 0, 1, 2, 3, 4, 5, 6,
				 7, 8, 9);
	const char *t = "{{#l}}0123456789abcdef{{/l}}";
	assert_int_equal(mustache_render_string(t, strlen(t), data, NULL, NULL,
						&out, &err),
			 MC_ETOOBIG);
	assert_true(out.len <= 100);
	json_decref(data);
	buf_release(&out);
	buf_release(&err);
}

static void test_partial_indentation(void **state)
{
	(void)state;
	struct partials ps = { .n = 0 };
	partials_add(&ps, "outer", "<ul>\n  {{>inner}}\n</ul>\n");
	partials_add(&ps, "inner", "{{#xs}}\n<li>{{.}}</li>\n{{/xs}}\n");
	partials_add(&ps, "inline", "a\nb {{>inner}}");
	json_t *data = json_pack("{s:[ss]}", "xs", "Một", "Hai");
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *t = "<div>\n    {{>outer}}\n</div>\n";
	assert_int_equal(mustache_render_string(t, strlen(t), data,
						find_partial, &ps, &out, &err),
			 0);
	assert_string_equal(out.ptr, "<div>\n    <ul>\n      <li>Một</li>\n"
				     "      <li>Hai</li>\n    </ul>\n</div>\n");
	/* An inline partial inside an indented one is not indented. */
	buf_reset(&out);
	t = "  {{>inline}}\n";
	assert_int_equal(mustache_render_string(t, strlen(t), data,
						find_partial, &ps, &out, &err),
			 0);
	assert_string_equal(out.ptr, "  a\n  b <li>Một</li>\n<li>Hai</li>\n");
	json_decref(data);
	buf_release(&out);
	buf_release(&err);
	partials_release(&ps);
}

/* One compiled template, rendered from several threads at once. */
struct thread_arg {
	const struct mustache *m;
	json_t *data;
	const char *expected;
	int bad;
};

static void *render_many(void *p)
{
	struct thread_arg *a = p;
	struct buf out = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i < 2000; i++) {
		buf_reset(&out);
		if (mustache_render(a->m, a->data, NULL, NULL, &out, &err) ||
		    strcmp(out.ptr, a->expected))
			a->bad++;
	}
	buf_release(&out);
	buf_release(&err);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	const char *t = "{{#ds}}<td>{{ten}}</td>{{/ds}}{{^none}}.{{/none}}";
	struct mustache *m;
	struct buf err = BUF_INIT;
	assert_int_equal(mustache_compile(t, strlen(t), &m, &err), 0);
	json_t *data = json_loads("{\"ds\":[{\"ten\":\"Khai sinh\"},"
				  "{\"ten\":\"Kết hôn & ly hôn\"}]}",
				  0, NULL);
	struct thread_arg args[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ m, data,
			"<td>Khai sinh</td><td>Kết hôn &amp; ly hôn</td>.", 0 };
		assert_int_equal(pthread_create(&th[i], NULL, render_many,
						&args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	json_decref(data);
	mustache_free(m);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_partial_indentation),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_render_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
