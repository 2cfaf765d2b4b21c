/*
 * test_query.c - form-urlencoded decoding, path decoding and UTF-8
 * validation (web/query.c): one table row per rule or known pitfall.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "web/query.h"

static void test_query_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		const char *want;	/* "n=v|n=v" of the decoded pairs */
	} rows[] = {
		{ "", 0, "" },
		{ "a=1", 0, "a=1" },
		{ "a=1&b=2", 0, "a=1|b=2" },
		{ "q=th%E1%BB%A7+t%E1%BB%A5c", 0, "q=thủ tục" },
		{ "q=a%2Bb", 0, "q=a+b" },	/* %2B is a plus, + a space */
		{ "q=a+b", 0, "q=a b" },
		{ "flag", 0, "flag=" },	/* no '=': empty value */
		{ "a=&b", 0, "a=|b=" },
		{ "&&a=1&&", 0, "a=1" },	/* empty pieces skipped */
		{ "a=1=2", 0, "a=1=2" },	/* only the first '=' splits */
		{ "%61=%62", 0, "a=b" },	/* names are decoded too */
		{ "q=%C3%A0", 0, "q=à" },
		{ "q=%zz", MC_EINVALID, NULL },	/* bad hex */
		{ "q=%4", MC_EINVALID, NULL },	/* truncated escape */
		{ "q=%", MC_EINVALID, NULL },
		{ "q=%00", MC_EINVALID, NULL },	/* NUL byte */
		{ "q=%FF", MC_EINVALID, NULL },	/* not UTF-8 */
		{ "q=%C3", MC_EINVALID, NULL },	/* truncated sequence */
		{ "q=%C0%AF", MC_EINVALID, NULL },	/* overlong '/' */
		{ "q=%ED%A0%80", MC_EINVALID, NULL },	/* surrogate */
		{ "q=%F4%90%80%80", MC_EINVALID, NULL },	/* > U+10FFFF */
		{ "q=\xff", MC_EINVALID, NULL },	/* raw invalid byte */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct arena a = ARENA_INIT;
		struct buf err = BUF_INIT, got = BUF_INIT;
		struct http_kv *kv;
		int n;
		int rc = query_parse(&a, rows[i].in, strlen(rows[i].in),
				     QUERY_MAX_PARAMS, &kv, &n, &err);
		if (rc != rows[i].rc)
			fail_msg("row %zu '%s': rc %d, want %d (%s)", i,
				 rows[i].in, rc, rows[i].rc, err.ptr);
		if (!rc) {
			for (int k = 0; k < n; k++)
				buf_addf(&got, "%s%s=%s", k ? "|" : "",
					 kv[k].name, kv[k].value);
			if (strcmp(got.ptr, rows[i].want))
				fail_msg("row %zu '%s': got '%s', want '%s'",
					 i, rows[i].in, got.ptr, rows[i].want);
		} else {
			assert_true(err.len > 0);
		}
		buf_release(&got);
		buf_release(&err);
		arena_release(&a);
	}
}

static void test_query_not_nul_terminated(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct buf err = BUF_INIT;
	struct http_kv *kv;
	int n;
	/* Only 3 bytes of "a=1&b=2" are input. */
	assert_int_equal(query_parse(&a, "a=1&b=2", 3, 8, &kv, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(kv[0].value, "1");
	/* An escape cut by the length is an error, not a read past it. */
	assert_int_equal(query_parse(&a, "a=%41", 4, 8, &kv, &n, &err),
			 MC_EINVALID);
	buf_release(&err);
	arena_release(&a);
}

static void test_query_limits(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct buf err = BUF_INIT, q = BUF_INIT;
	struct http_kv *kv;
	int n;
	for (int i = 0; i < QUERY_MAX_PARAMS; i++)
		buf_addf(&q, "%sp%d=x", i ? "&" : "", i);
	assert_int_equal(query_parse_url(&a, q.ptr, &kv, &n, &err), 0);
	assert_int_equal(n, QUERY_MAX_PARAMS);
	buf_adds(&q, "&one=more");
	assert_int_equal(query_parse_url(&a, q.ptr, &kv, &n, &err),
			 MC_EINVALID);
	/* Length: exactly QUERY_MAX_LEN is fine, one more is not. */
	buf_reset(&q);
	buf_adds(&q, "q=");
	while (q.len < QUERY_MAX_LEN)
		buf_addch(&q, 'x');
	assert_int_equal(query_parse_url(&a, q.ptr, &kv, &n, &err), 0);
	buf_addch(&q, 'x');
	assert_int_equal(query_parse_url(&a, q.ptr, &kv, &n, &err),
			 MC_ETOOBIG);
	buf_release(&q);
	buf_release(&err);
	arena_release(&a);
}

static void test_decode_path(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct buf err = BUF_INIT;
	char *out;
	const char *p = "/thu-tuc/1.000%2B1+x";
	assert_int_equal(query_decode_path(&a, p, strlen(p), &out, &err), 0);
	assert_string_equal(out, "/thu-tuc/1.000+1+x");	/* '+' stays */
	p = "/t%C3%ACm";
	assert_int_equal(query_decode_path(&a, p, strlen(p), &out, &err), 0);
	assert_string_equal(out, "/tìm");
	p = "/%FF";
	assert_int_equal(query_decode_path(&a, p, strlen(p), &out, &err),
			 MC_EINVALID);
	p = "/a%00b";
	assert_int_equal(query_decode_path(&a, p, strlen(p), &out, &err),
			 MC_EINVALID);
	buf_release(&err);
	arena_release(&a);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(query_utf8_valid("", 0));
	assert_true(query_utf8_valid("Việt Nam", strlen("Việt Nam")));
	assert_true(query_utf8_valid("\xF0\x9F\x98\x80", 4));	/* emoji */
	assert_true(query_utf8_valid("\xF4\x8F\xBF\xBF", 4));	/* U+10FFFF */
	assert_false(query_utf8_valid("\xC1\xBF", 2));	/* overlong */
	assert_false(query_utf8_valid("\xE0\x80\xAF", 3));	/* overlong */
	assert_false(query_utf8_valid("\xF0\x80\x80\xAF", 4));
	assert_false(query_utf8_valid("\xE2\x82", 2));	/* truncated */
	assert_false(query_utf8_valid("\x80", 1));	/* lone continuation */
	assert_false(query_utf8_valid("\xF5\x80\x80\x80", 4));
	assert_false(query_utf8_valid("\xE2\x28\xA1", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_table),
		cmocka_unit_test(test_query_not_nul_terminated),
		cmocka_unit_test(test_query_limits),
		cmocka_unit_test(test_decode_path),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
