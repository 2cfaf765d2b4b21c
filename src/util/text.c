/*
 * text.c - UTF-8 validation, NFC and search keys (utf8proc). See text.h.
 * The search key is the one place that decides what "the same words"
 * means for search; the index and the query both go through it.
 */
#include "util/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "util/err.h"

/* Length of the well-formed sequence at s (1..4), or 0 when it is bad. */
static size_t seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c ? 1 : 0;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;	/* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (avail < 4 || (s[1] & 0xC0) != 0x80 ||
		    (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;	/* past U+10FFFF */
		return 4;
	}
	return 0;
}

bool text_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] >= 0x20 && p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = seq_len(p + i, len - i);
		if (!n) {
			if (bad_at)
				*bad_at = i;
			return false;
		}
		i += n;
	}
	return true;
}

static int check(const char *s, size_t len, struct buf *err)
{
	size_t at = 0;
	if (text_utf8_valid(s, len, &at))
		return 0;
	if (err)
		buf_setf(err, "invalid UTF-8 at byte %zu", at);
	return MC_EINVALID;
}

/*
 * True when valid UTF-8 `s` is NFC for sure, without utf8proc (whose
 * decompose-and-recompose, with its allocation, was a tenth of an intake:
 * names and addresses are normalised field by field). Every code point
 * below U+0300 (ASCII, Latin-1, Latin Extended-A and B: "Đ", "Ơ", "Ư")
 * and in Latin Extended Additional U+1E00..U+1EFF (the precomposed
 * Vietnamese letters "ễ", "ộ", ...) has NFC_Quick_Check=Yes and canonical
 * combining class 0 (Unicode UAX #15; DerivedNormalizationProps.txt):
 * a string of only those is its own NFC. Anything else (a combining
 * mark, a decomposed "e" + U+0302, other scripts) goes to utf8proc.
 */
static bool nfc_already(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
		} else if (c < 0xCC) {
			i += 2;		/* U+0080..U+02FF */
		} else if (c == 0xE1 && i + 1 < len &&
			   (p[i + 1] == 0xB8 || p[i + 1] == 0xB9 ||
			    p[i + 1] == 0xBA || p[i + 1] == 0xBB)) {
			i += 3;		/* U+1E00..U+1EFF */
		} else {
			return false;
		}
	}
	return true;
}

int text_nfc(const char *s, size_t len, struct buf *out, struct buf *err)
{
	int rc = check(s, len, err);
	if (rc)
		return rc;
	if (nfc_already(s, len)) {
		buf_add(out, s, len);
		return 0;
	}
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s,
					  (utf8proc_ssize_t)len, &dst,
					  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		if (err)
			buf_setf(err, "cannot normalise: %s",
				 utf8proc_errmsg(n));
		return MC_EINVALID;
	}
	buf_add(out, dst, (size_t)n);
	free(dst);
	return 0;
}

/* đ and Đ have no decomposition; Vietnamese readers type them as d. */
static utf8proc_int32_t map_d(utf8proc_int32_t cp, void *ctx)
{
	(void)ctx;
	if (cp == 0x0110 || cp == 0x0111)
		return 'd';
	return cp;
}

static bool is_word_cp(utf8proc_int32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

int text_search_key(const char *s, size_t len, struct buf *out,
		    struct buf *err)
{
	int rc = check(s, len, err);
	if (rc)
		return rc;
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n = utf8proc_map_custom(
		(const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
		UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
			UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP,
		map_d, NULL);
	if (n < 0) {
		if (err)
			buf_setf(err, "cannot fold: %s", utf8proc_errmsg(n));
		return MC_EINVALID;
	}
	const utf8proc_uint8_t *p = dst, *end = dst + n;
	bool pending_space = false;
	size_t start = out->len;
	while (p < end) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, end - p, &cp);
		if (k <= 0)
			break;	/* cannot happen: utf8proc wrote it */
		if (is_word_cp(cp)) {
			if (pending_space && out->len > start)
				buf_addch(out, ' ');
			pending_space = false;
			if (cp < 0x80 && cp >= 'A' && cp <= 'Z')
				buf_addch(out, (char)(cp - 'A' + 'a'));
			else
				buf_add(out, p, (size_t)k);
		} else {
			pending_space = true;
		}
		p += k;
	}
	free(dst);
	return 0;
}

void text_squeeze(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, start = out->len;
	bool space = false;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t w = 0;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\v' || c == '\f')
			w = 1;
		else if (c == 0xC2 && i + 1 < len &&
			 (unsigned char)s[i + 1] == 0xA0)
			w = 2;
		if (w) {
			space = true;
			i += w;
			continue;
		}
		if (space && out->len > start)
			buf_addch(out, ' ');
		space = false;
		/* Copy the run up to the next possible space in one go. */
		size_t j = i + 1;
		while (j < len && (unsigned char)s[j] > ' ' &&
		       (unsigned char)s[j] != 0xC2)
			j++;
		buf_add(out, s + i, j - i);
		i = j;
	}
}

size_t text_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}
