/*
 * test_mailfmt.c - core/mailfmt.h: base64 (RFC 4648 vectors), addresses,
 * RFC 2047 encoded words (length, whole UTF-8 characters, round trip), the
 * RFC 5322 date in UTC+7, and whole messages (CRLF only, headers, base64
 * body that decodes to the text, no header injection).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/mailfmt.h"
#include "util/err.h"
#include "util/text.h"

#define T0 1767225600	/* 2026-01-01 07:00:00 +07:00, a Thursday */

/* A small base64 decoder for the checks (ignores CR and LF). */
static void b64dec(const char *s, size_t n, struct buf *out)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(al, s[i]);
		if (s[i] == '=' || s[i] == '\r' || s[i] == '\n' || !p ||
		    !s[i])
			continue;
		v = (v << 6) | (unsigned)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (int)((v >> bits) & 0xff));
		}
	}
}

static void test_base64_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "", "" },	    { "f", "Zg==" },	 { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf b = BUF_INIT;
		mailfmt_base64(rows[i].in, strlen(rows[i].in), false, &b);
		assert_string_equal(b.ptr, rows[i].out);
		buf_release(&b);
	}
	/* Lines of 76 characters with CRLF. */
	char raw[100];
	memset(raw, 'a', sizeof raw);
	struct buf b = BUF_INIT;
	mailfmt_base64(raw, sizeof raw, true, &b);
	const char *crlf = strstr(b.ptr, "\r\n");
	assert_non_null(crlf);
	assert_int_equal(crlf - b.ptr, 76);
	assert_int_equal(b.ptr[b.len - 1], '\n');
	buf_release(&b);
}

static void test_addresses(void **state)
{
	static const struct {
		const char *a;
		bool ok;
	} rows[] = {
		{ "dan@example.vn", true },
		{ "nguyen.van.an+hs@mail.gov.vn", true },
		{ "a@localhost", true },
		{ "", false },
		{ "no-at.example.vn", false },
		{ "@example.vn", false },
		{ "a@", false },
		{ "a@b@c.vn", false },
		{ "a b@example.vn", false },
		{ "a@example.vn\r\nRCPT TO:<x@y.z>", false },
		{ "<a@example.vn>", false },
		{ "a@exa_mple.vn", false },
		{ "a@.example.vn", false },
		{ "a@example..vn", false },
		{ "a@example.vn.", false },
		{ "\"q\"@example.vn", false },
		{ "an@việt.vn", false },	/* RFC 6531 not supported */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (mailfmt_address_ok(rows[i].a) != rows[i].ok)
			fail_msg("row %zu: %s", i, rows[i].a);
	assert_false(mailfmt_address_ok(NULL));
}

static void test_header_plain(void **state)
{
	struct buf b = BUF_INIT;
	mailfmt_header_text("Ho so da duoc tiep nhan", 9, &b);
	assert_string_equal(b.ptr, "Ho so da duoc tiep nhan");
	buf_reset(&b);
	/* "=?" would be read as an encoded word: encoded. */
	mailfmt_header_text("a =?b", 9, &b);
	assert_true(!strncmp(b.ptr, "=?UTF-8?B?", 10));
	buf_release(&b);
}

/* Decodes a folded run of encoded words back to text. */
static void words_decode(const char *s, struct buf *out)
{
	const char *p = s;
	while ((p = strstr(p, "=?UTF-8?B?"))) {
		p += 10;
		const char *e = strstr(p, "?=");
		assert_non_null(e);
		struct buf w = BUF_INIT;
		b64dec(p, (size_t)(e - p), &w);
		/* Each word alone is valid UTF-8: no character split. */
		assert_true(text_utf8_valid(w.ptr, w.len, NULL));
		buf_add(out, w.ptr, w.len);
		buf_release(&w);
		p = e + 2;
	}
}

static void test_header_encoded(void **state)
{
	const char *subj = "Cần bổ sung hồ sơ - hồ sơ 000.00.24.H05-261127-0001 "
			   "(Đăng ký khai sinh, Ủy ban nhân dân phường Bắc "
			   "Giang)";
	struct buf b = BUF_INIT, back = BUF_INIT;
	mailfmt_header_text(subj, 9, &b);
	/* Words of at most 75 bytes, separated by CRLF SP. */
	const char *line = b.ptr;
	while (line) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (*line == ' ') {
			line++;
			len--;
		}
		assert_true(len <= 75);
		assert_true(!strncmp(line, "=?UTF-8?B?", 10));
		line = end ? end + 2 : NULL;
		if (line)
			assert_int_equal(*line, ' ');
	}
	words_decode(b.ptr, &back);
	assert_string_equal(back.ptr, subj);
	/* Control characters cannot start a new header line. */
	buf_reset(&b);
	buf_reset(&back);
	mailfmt_header_text("Tiếp nhận\r\nBcc: x@y.vn", 9, &b);
	words_decode(b.ptr, &back);
	assert_null(strstr(back.ptr, "\r\n"));
	assert_string_equal(back.ptr, "Tiếp nhận  Bcc: x@y.vn");
	buf_release(&b);
	buf_release(&back);
}

static void test_date(void **state)
{
	static const struct {
		int64_t t;
		const char *s;
	} rows[] = {
		{ T0, "Thu, 01 Jan 2026 07:00:00 +0700" },
		{ T0 - 7 * 3600 - 1, "Wed, 31 Dec 2025 23:59:59 +0700" },
		{ 1795779000, "Fri, 27 Nov 2026 18:30:00 +0700" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf b = BUF_INIT;
		mailfmt_date(rows[i].t, &b);
		assert_string_equal(b.ptr, rows[i].s);
		buf_release(&b);
	}
}

static void test_build(void **state)
{
	const char *text = "Kính gửi ông/bà,\n\nHồ sơ số: X\n.\nDòng cuối";
	struct mail_message m = {
		.from_name = "Bộ phận Một cửa",
		.from = "motcua@example.gov.vn",
		.to = "dan@example.vn",
		.subject = "Hồ sơ đã được tiếp nhận",
		.body = text,
		.date = T0,
		.message_id = "outbox-1.1767225600@example.gov.vn",
	};
	struct buf b = BUF_INIT, err = BUF_INIT, body = BUF_INIT;
	assert_int_equal(mailfmt_build(&m, &b, &err), 0);
	/* CRLF only. */
	for (size_t i = 0; i < b.len; i++)
		if (b.ptr[i] == '\n')
			assert_int_equal(b.ptr[i - 1], '\r');
	assert_non_null(strstr(b.ptr, "\r\nTo: dan@example.vn\r\n"));
	assert_non_null(strstr(b.ptr, " <motcua@example.gov.vn>\r\n"));
	assert_non_null(strstr(b.ptr, "Subject: =?UTF-8?B?"));
	assert_non_null(
		strstr(b.ptr, "Date: Thu, 01 Jan 2026 07:00:00 +0700\r\n"));
	assert_non_null(strstr(
		b.ptr, "Message-ID: <outbox-1.1767225600@example.gov.vn>\r\n"));
	assert_non_null(strstr(b.ptr, "MIME-Version: 1.0\r\n"));
	assert_non_null(
		strstr(b.ptr, "Content-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(b.ptr, "Content-Transfer-Encoding: base64\r\n"));
	assert_non_null(strstr(b.ptr, "Auto-Submitted: auto-generated\r\n"));
	const char *sep = strstr(b.ptr, "\r\n\r\n");
	assert_non_null(sep);
	b64dec(sep + 4, strlen(sep + 4), &body);
	assert_string_equal(body.ptr, "Kính gửi ông/bà,\r\n\r\nHồ sơ số: X\r\n."
				      "\r\nDòng cuối");
	/* An ASCII display name is a quoted string. */
	buf_reset(&b);
	m.from_name = "Mot cua \"A\"";
	assert_int_equal(mailfmt_build(&m, &b, &err), 0);
	const char *want = "From: \"Mot cua \\\"A\\\"\"\r\n <";
	assert_true(!strncmp(b.ptr, want, strlen(want)));
	buf_release(&b);
	buf_release(&body);
	buf_release(&err);
}

static void test_build_refuses(void **state)
{
	struct mail_message ok = {
		.from = "motcua@example.gov.vn",
		.to = "dan@example.vn",
		.subject = "x",
		.body = "y",
		.date = T0,
		.message_id = "a@b",
	};
	struct mail_message rows[5];
	for (int i = 0; i < 5; i++)
		rows[i] = ok;
	rows[0].to = "dan@example.vn\r\nBcc: evil@x.vn";
	rows[1].from = "";
	rows[2].message_id = "no-at";
	rows[3].message_id = NULL;
	rows[4].body = "\xff\xfe";
	for (int i = 0; i < 5; i++) {
		struct buf b = BUF_INIT, err = BUF_INIT;
		buf_adds(&b, "kept");
		assert_int_equal(mailfmt_build(&rows[i], &b, &err),
				 MC_EINVALID);
		assert_string_equal(b.ptr, "kept");
		assert_true(err.len > 0);
		buf_release(&b);
		buf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_header_plain),
		cmocka_unit_test(test_header_encoded),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
