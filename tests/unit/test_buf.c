/*
 * test_buf.c - the string builder and the arena.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

static void test_buf_basic(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_string_equal(b.ptr, "");
	buf_adds(&b, "xin ");
	buf_addf(&b, "chào %d", 2026);
	assert_string_equal(b.ptr, "xin chào 2026");
	assert_int_equal(b.len, strlen("xin chào 2026"));
	size_t len;
	char *s = buf_detach(&b, &len);
	assert_string_equal(s, "xin chào 2026");
	assert_string_equal(b.ptr, "");
	free(s);
	buf_release(&b);
}

static void test_buf_long_format(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_addf(&b, "<%s>", big);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.ptr[1000], '>');
	buf_release(&b);
}

static void test_buf_cap_is_sticky(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	b.max = 5;
	buf_adds(&b, "abc");
	assert_false(b.failed);
	buf_adds(&b, "def");
	assert_true(b.failed);
	buf_adds(&b, "g");
	assert_string_equal(b.ptr, "abc");
	buf_release(&b);
}

static void test_buf_html(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	const char *s = "<a href=\"x\">Tom & 'Jerry'</a>";
	buf_add_html(&b, s, strlen(s));
	assert_string_equal(b.ptr,
		"&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
	/* bytes over 0x7f pass as they are; only `len` bytes are read */
	buf_reset(&b);
	s = "Đăng ký <kết hôn>&\xff";
	buf_add_html(&b, s, strlen(s));
	assert_string_equal(b.ptr, "Đăng ký &lt;kết hôn&gt;&amp;\xff");
	buf_reset(&b);
	buf_add_html(&b, "a&b<c", 3);
	assert_string_equal(b.ptr, "a&amp;b");
	buf_release(&b);
}

static void test_buf_int(void **state)
{
	static const long long v[] = { 0, 7, -1, 42, 1000000, -987654321,
				       9223372036854775807LL,
				       -9223372036854775807LL - 1 };
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		struct buf b = BUF_INIT;
		char want[32];
		buf_adds(&b, "n=");
		buf_add_int(&b, v[i]);
		snprintf(want, sizeof(want), "n=%lld", v[i]);
		assert_string_equal(b.ptr, want);
		buf_release(&b);
	}
}

static void test_arena(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	for (int i = 0; i < 10000; i++) {
		char *p = arena_alloc(&a, (size_t)(i % 100) + 1);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 'x', (size_t)(i % 100) + 1);
	}
	char *big = arena_alloc(&a, 100000);
	memset(big, 0, 100000);
	assert_string_equal(arena_printf(&a, "%s-%d", "mã", 7), "mã-7");
	arena_reset(&a);
	assert_string_equal(arena_strdup(&a, "lại"), "lại");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_long_format),
		cmocka_unit_test(test_buf_cap_is_sticky),
		cmocka_unit_test(test_buf_html),
		cmocka_unit_test(test_buf_int),
		cmocka_unit_test(test_arena),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
