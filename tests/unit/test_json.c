/*
 * test_json.c - json_write gives json_dumps's compact output byte for byte:
 * fixed cases and random values (strings with control characters, quotes,
 * backslashes, slashes, Vietnamese and 4-byte characters; the integer
 * extremes; reals; nesting), in insertion order and with sorted keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

/* json_write's output equals json_dumps's for both key orders. */
static void same_as_jansson(json_t *v)
{
	for (int sort = 0; sort < 2; sort++) {
		size_t flags = JSON_COMPACT | JSON_ENCODE_ANY |
			       (sort ? JSON_SORT_KEYS : 0);
		char *want = json_dumps(v, flags);
		assert_non_null(want);
		struct buf got = BUF_INIT;
		json_write(&got, v, sort);
		assert_string_equal(got.ptr, want);
		assert_int_equal(got.len, strlen(want));
		free(want);
		buf_release(&got);
	}
}

static void test_json_fixed(void **state)
{
	(void)state;
	json_t *v = json_pack(
		"{s:s, s:I, s:I, s:I, s:f, s:f, s:b, s:b, s:n, s:[], s:{},"
		" s:[i, s, {s:s}], s:s}",
		"tên", "Đăng ký kết hôn", "max", (json_int_t)INT64_MAX, "min",
		(json_int_t)INT64_MIN, "zero", (json_int_t)0, "real", 0.1,
		"whole", 3.0, "t", 1, "f", 0, "null", "empty_a", "empty_o",
		"nest", 1, "a/b", "k", "\"\\\b\f\n\r\t\x01\x1f\x7f/",
		"emoji", "\xf0\x9f\x98\x80 ổn");
	assert_non_null(v);
	same_as_jansson(v);
	struct buf b = BUF_INIT;
	json_write(&b, json_object_get(v, "emoji"), false);
	assert_string_equal(b.ptr, "\"\xf0\x9f\x98\x80 ổn\"");
	buf_reset(&b);
	json_write(&b, NULL, false);
	assert_string_equal(b.ptr, "");
	buf_release(&b);
	json_decref(v);
}

/* A small deterministic generator (xorshift64*), so a failure repeats. */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545f4914f6cdd1du) >> 33) % n;
}

static void random_text(struct buf *b)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "/", "\"", "\\", "\b", "\f", "\n", "\r", "\t",
		"\x01", "\x1b", "\x1f", "\x7f", "ệ", "Đ", "ư", "€",
		"\xf0\x9f\x98\x80", "hồ sơ", "0", "{", "}", ",", ":",
	};
	unsigned n = rnd(12);
	buf_reset(b);
	for (unsigned i = 0; i < n; i++)
		buf_adds(b, pieces[rnd(sizeof(pieces) / sizeof(*pieces))]);
}

static json_t *random_value(int depth)
{
	struct buf t = BUF_INIT;
	json_t *v;
	switch (rnd(depth > 3 ? 7 : 9)) {
	case 0: v = json_null(); break;
	case 1: v = json_boolean(rnd(2)); break;
	case 2: {
		static const json_int_t ints[] = { 0, 1, -1, 9, 10, -10,
			123456789, INT64_MAX, INT64_MIN, 1780000000 };
		v = json_integer(ints[rnd(10)]);
		break;
	}
	case 3: v = json_real((double)(int)rnd(100000) / 7.0 - 5000); break;
	case 4: case 5: case 6:
		random_text(&t);
		v = json_stringn(t.ptr, t.len);
		break;
	case 7: {
		v = json_array();
		for (unsigned i = rnd(5); i > 0; i--)
			json_array_append_new(v, random_value(depth + 1));
		break;
	}
	default: {
		v = json_object();
		for (unsigned i = rnd(6); i > 0; i--) {
			random_text(&t);
			json_object_set_new(v, t.ptr, random_value(depth + 1));
		}
		break;
	}
	}
	buf_release(&t);
	assert_non_null(v);
	return v;
}

static void test_json_random(void **state)
{
	(void)state;
	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(0);
		same_as_jansson(v);
		json_decref(v);
	}
}

/*
 * The JSON pool: values made in it come from the arena and are not freed
 * one by one; values made outside are freed as usual even inside it (the
 * sanitizers' build reports a leak or a bad free otherwise); json_text()
 * and reals in json_write() never hand free() the arena's memory.
 */
static void test_json_pool(void **state)
{
	struct arena a = ARENA_INIT;
	struct buf b = BUF_INIT;
	json_t *outside, *before, *v, *after;
	char *s;

	(void)state;
	json_pool_install();
	outside = json_string("trước");
	before = json_pack("{s:s}", "k", "đã có");
	json_pool_begin(&a);
	v = json_pack("{s:s, s:[i, f], s:O}", "tên", "Đăng ký kết hôn", "n",
		      7, 2.5, "old", before);
	assert_non_null(v);
	assert_true(arena_owns(&a, v));
	assert_false(arena_owns(&a, before));
	s = json_text(v, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	assert_false(arena_owns(&a, s));
	assert_string_equal(s, "{\"n\":[7,2.5],\"old\":{\"k\":\"đã có\"},"
			       "\"tên\":\"Đăng ký kết hôn\"}");
	json_write(&b, v, true);
	assert_string_equal(b.ptr, s);
	free(s);
	json_decref(outside);	/* made outside: freed now */
	json_decref(v);		/* in the pool: left to the arena */
	json_pool_end();
	after = json_string("sau");
	assert_false(arena_owns(&a, after));
	json_decref(after);
	assert_int_equal(before->refcount, 1);
	json_decref(before);
	buf_release(&b);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fixed),
		cmocka_unit_test(test_json_random),
		cmocka_unit_test(test_json_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
