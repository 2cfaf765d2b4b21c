/*
 * test_csv.c - the RFC 4180 reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/csv.h"
#include "util/err.h"

static void test_csv_quoted(void **state)
{
	(void)state;
	const char *t = "\xEF\xBB\xBF" "code,name\r\n1.000894,\"Thủ tục \"\"kết hôn\"\", xã\"\n\n2,\"a\nb\"\n3,";
	struct csv c;
	struct buf err = BUF_INIT;
	csv_init(&c, t, strlen(t));
	assert_int_equal(csv_next(&c, &err), 1);
	assert_int_equal(csv_index(&c, "name"), 1);
	assert_int_equal(csv_next(&c, &err), 1);
	assert_int_equal(c.n_fields, 2);
	assert_string_equal(c.fields[1], "Thủ tục \"kết hôn\", xã");
	assert_int_equal(csv_next(&c, &err), 1);
	assert_string_equal(c.fields[1], "a\nb");
	assert_int_equal(csv_next(&c, &err), 1);
	assert_int_equal(c.n_fields, 2);
	assert_string_equal(c.fields[1], "");
	assert_int_equal(csv_next(&c, &err), 0);
	csv_release(&c);
	buf_release(&err);
}

static void test_csv_errors(void **state)
{
	(void)state;
	struct csv c;
	struct buf err = BUF_INIT;
	const char *t = "a,\"b\"x\nc,d\ne,\"unterminated";
	csv_init(&c, t, strlen(t));
	assert_int_equal(csv_next(&c, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "line 1"));
	assert_int_equal(csv_next(&c, &err), 1);
	assert_string_equal(c.fields[0], "c");
	assert_int_equal(csv_next(&c, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "unterminated"));
	assert_int_equal(csv_next(&c, &err), 0);
	csv_release(&c);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoted),
		cmocka_unit_test(test_csv_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
