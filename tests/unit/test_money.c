/*
 * test_money.c - fee texts of the national catalog read into đồng.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/money.h"
#include "util/err.h"

static void test_parse(void **state)
{
	(void)state;
	static const struct { const char *in; int64_t want; } ok[] = {
		{ "120,000 VNĐ", 120000 },
		{ "Miễn phí", 0 },
		{ "MIỄN PHÍ", 0 },
		{ "Miễn lệ phí", 0 },
		{ "Không", 0 },
		{ "50.000 đồng/lần", 50000 },
		{ "50,000 Việt Nam Đồng(/văn bản)", 50000 },
		{ "4,500,000 Việt Nam Đồng", 4500000 },
		{ "1200 VNĐ", 1200 },
		{ "120 VNĐ", 120 },
		{ "20.000đ", 20000 },
		{ "2 triệu đồng", 2000000 },
		{ "15 nghìn đồng", 15000 },
		{ "70000", 70000 },
		{ " 0 VND ", 0 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		struct buf err = BUF_INIT;
		int64_t v = -1;
		int rc = money_parse_dong(ok[i].in, &v, &err);
		if (rc)
			fail_msg("%s: %s", ok[i].in, err.ptr);
		assert_int_equal(v, ok[i].want);
		buf_release(&err);
	}
}

static void test_refused(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", "10 USD(/bản)", "1,5 triệu đồng", "từ 50.000 đến 100.000 đồng",
		"50.000 đồng và 20.000 đồng", "Theo quy định", "12,34 VNĐ",
		"Trực tuyến: 250,000 VNĐ | Trực tiếp: 400,000 VNĐ", "50000/lần",
		"99999999999999999999 đồng",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct buf err = BUF_INIT;
		int64_t v = 42;
		if (money_parse_dong(bad[i], &v, &err) != MC_EINVALID)
			fail_msg("accepted \"%s\" as %lld", bad[i], (long long)v);
		assert_int_equal(v, 42);
		assert_true(err.len > 0);
		buf_release(&err);
	}
}

static void test_format(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	money_format_dong(0, &b);
	assert_string_equal(b.ptr, "Miễn phí");
	buf_reset(&b);
	money_format_dong(1234567, &b);
	assert_string_equal(b.ptr, "1.234.567 đồng");
	buf_reset(&b);
	money_format_dong(500, &b);
	assert_string_equal(b.ptr, "500 đồng");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
