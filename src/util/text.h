/*
 * text.h - Unicode text helpers over utf8proc: UTF-8 validation, NFC
 * normalisation of everything we store, and the search key that makes
 * search insensitive to case and diacritics ("ĐĂNG KÝ KẾT HÔN" and
 * "dang ky ket hon" give the same key). No I/O; safe from any thread.
 */
#ifndef MC_UTIL_TEXT_H
#define MC_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/*
 * True when s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF) without NUL bytes. On false, *bad_at
 * (when not NULL) is the byte offset of the first bad sequence.
 */
bool text_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* The characters (code points) of UTF-8 text, for length limits stated in
 * characters ("at most 200 characters"); NULL counts 0. */
size_t text_chars(const char *s);

/*
 * Appends the NFC form of s[0..len) to `out`. MC_EINVALID (reason with the
 * byte offset in err; out unchanged) when s is not valid UTF-8.
 */
int text_nfc(const char *s, size_t len, struct buf *out, struct buf *err);

/*
 * Appends the search key of s[0..len) to `out`: compatibility-decomposed,
 * case-folded, combining marks stripped, đ/Đ mapped to d, every character
 * that is not a letter or digit turned into a space, runs of spaces
 * collapsed, no leading or trailing space. So "Thủ tục đăng ký kết hôn"
 * gives "thu tuc dang ky ket hon" and "cha, mẹ, con" gives "cha me con".
 * MC_EINVALID (out unchanged) when s is not valid UTF-8.
 */
int text_search_key(const char *s, size_t len, struct buf *out,
		    struct buf *err);

/*
 * Appends s[0..len) to out with runs of white space (ASCII and U+00A0)
 * collapsed to one space and trimmed at both ends. Bytes are otherwise
 * copied as they are.
 */
void text_squeeze(const char *s, size_t len, struct buf *out);

#endif
