/*
 * test_text.c - UTF-8 validation, NFC and the search key (util/text.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/err.h"
#include "util/text.h"

static void key_is(const char *in, const char *want)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(text_search_key(in, strlen(in), &out, &err), 0);
	assert_string_equal(out.ptr, want);
	buf_release(&out);
	buf_release(&err);
}

static void test_search_keys(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } rows[] = {
		{ "Đăng ký kết hôn", "dang ky ket hon" },
		{ "ĐĂNG KÝ KẾT HÔN", "dang ky ket hon" },
		{ "dang ky ket hon", "dang ky ket hon" },
		/* NFD input: D + U+0306 ... written as combining marks */
		{ "D\xC6\xA1n\xCC\x81 \xC4\x91" "e\xCC\x82\xCC\x80 nghi\xCC\xA3", "don de nghi" },
		{ "  Thủ tục   đăng ký\tkết hôn ", "thu tuc dang ky ket hon" },
		{ "cha, mẹ, con", "cha me con" },
		{ "Phường Cảnh Thụy", "phuong canh thuy" },
		{ "Hoà / Hòa", "hoa hoa" },
		{ "Ủy ban Nhân dân xã.", "uy ban nhan dan xa" },
		{ "1.000894", "1 000894" },
		{ "", "" },
		{ " ,;. ", "" },
		{ "ＡＢＣ１", "abc1" },	/* full-width forms */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		key_is(rows[i].in, rows[i].want);
}

static void test_nfc(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	/* "Hôn" with o + U+0302 (NFD) becomes ô (U+00F4). */
	const char *nfd = "Ho\xCC\x82n";
	assert_int_equal(text_nfc(nfd, strlen(nfd), &out, &err), 0);
	assert_string_equal(out.ptr, "H\xC3\xB4n");
	buf_reset(&out);
	assert_int_equal(text_nfc("abc", 3, &out, &err), 0);
	assert_string_equal(out.ptr, "abc");
	buf_release(&out);
	buf_release(&err);
}

/* text_nfc(s) is utf8proc's NFC of s, the short cut (strings of code
 * points below U+0300 or in U+1E00..U+1EFF are taken as they are) included:
 * each code point of those ranges alone, followed by a combining mark,
 * and Vietnamese in both forms. */
static void nfc_is_utf8proc(const char *s)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char *want = (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);

	assert_non_null(want);
	assert_int_equal(text_nfc(s, strlen(s), &out, &err), 0);
	if (strcmp(out.ptr, want))
		fail_msg("NFC of \"%s\": got \"%s\", want \"%s\"", s, out.ptr,
			 want);
	free(want);
	buf_release(&out);
	buf_release(&err);
}

static void test_nfc_short_cut(void **state)
{
	(void)state;
	static const utf8proc_int32_t after[] = { 0, 0x300, 0x301, 0x302,
						  0x303, 0x309, 0x323, 0x31B };
	for (utf8proc_int32_t cp = 0x20; cp < 0x1F00; cp++) {
		if (cp == 0x300)
			cp = 0x1E00;
		for (size_t j = 0; j < sizeof(after) / sizeof(*after); j++) {
			utf8proc_uint8_t s[16];
			utf8proc_ssize_t n = utf8proc_encode_char(cp, s);
			if (after[j])
				n += utf8proc_encode_char(after[j], s + n);
			s[n] = 0;
			if (cp == 0x7f || (cp >= 0x80 && cp < 0xA0))
				continue;	/* control characters */
			nfc_is_utf8proc((const char *)s);
		}
	}
	nfc_is_utf8proc("Nguyễn Thị Lan, Phường Cảnh Thụy, Đường Lê Lợi");
	nfc_is_utf8proc("Nguye\xCC\x82\xCC\x83n Thi\xCC\xA3 Lan");
	nfc_is_utf8proc("Ơ\xCC\x80 Ư\xCC\x89 \xE1\xBB\x9D\xCC\x83 Ω Å");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	static const char *bad[] = {
		"abc\xFF",		/* invalid byte */
		"\xC3",			/* truncated */
		"\xC0\xAF",		/* overlong '/' */
		"\xE0\x80\xAF",		/* overlong */
		"\xED\xA0\x80",		/* surrogate */
		"\xF4\x90\x80\x80",	/* past U+10FFFF */
		"x\x80y",		/* lone continuation */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct buf out = BUF_INIT, err = BUF_INIT;
		size_t at = 99;
		assert_false(text_utf8_valid(bad[i], strlen(bad[i]), &at));
		assert_true(at < strlen(bad[i]));
		assert_int_equal(text_search_key(bad[i], strlen(bad[i]), &out, &err),
				 MC_EINVALID);
		assert_int_equal(out.len, 0);
		assert_non_null(strstr(err.ptr, "invalid UTF-8"));
		buf_reset(&err);
		assert_int_equal(text_nfc(bad[i], strlen(bad[i]), &out, &err),
				 MC_EINVALID);
		buf_release(&out);
		buf_release(&err);
	}
	/* An embedded NUL is refused too. */
	assert_false(text_utf8_valid("a\0b", 3, NULL));
	assert_true(text_utf8_valid("Thủ tục\n", strlen("Thủ tục\n"), NULL));
}

static void test_chars(void **state)
{
	assert_int_equal(text_chars(NULL), 0);
	assert_int_equal(text_chars(""), 0);
	assert_int_equal(text_chars("abc"), 3);
	/* "Đăng ký" : 7 characters in 10 bytes. */
	assert_int_equal(text_chars("Đăng ký"), 7);
	assert_int_equal(text_chars("Nguyễn"), 6);
}

static void test_squeeze(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	const char *s = " \t a\xC2\xA0\xC2\xA0 b  c\n";
	text_squeeze(s, strlen(s), &out);
	assert_string_equal(out.ptr, "a b c");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_keys),
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_nfc_short_cut),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_squeeze),
		cmocka_unit_test(test_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
