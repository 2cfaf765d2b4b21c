/*
 * query.c - form-urlencoded and percent-encoded text decoding. See query.h.
 * Pure functions of their input; every byte of the input is outside data.
 */
#include "web/query.h"

#include <string.h>

#include "util/err.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool query_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned lo = 0x80, hi = 0xBF;	/* range of the 2nd byte */
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			if (c == 0xE0)
				lo = 0xA0;	/* no overlongs */
			else if (c == 0xED)
				hi = 0x9F;	/* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;	/* <= U+10FFFF */
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

/*
 * Decodes s[0..len) into a new arena string. `plus` turns '+' into ' '.
 */
static int decode(struct arena *a, const char *s, size_t len, bool plus,
		  char **out, size_t *out_len, struct buf *err)
{
	char *d = arena_alloc(a, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h1 = i + 1 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int h2 = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
			if (h1 < 0 || h2 < 0) {
				buf_setf(err, "bad percent escape at byte %zu", i);
				return MC_EINVALID;
			}
			c = (unsigned char)(h1 * 16 + h2);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == '\0') {
			buf_setf(err, "NUL byte in input");
			return MC_EINVALID;
		}
		d[n++] = (char)c;
	}
	d[n] = '\0';
	if (!query_utf8_valid(d, n)) {
		buf_setf(err, "invalid UTF-8");
		return MC_EINVALID;
	}
	*out = d;
	if (out_len)
		*out_len = n;
	return 0;
}

int query_parse(struct arena *a, const char *s, size_t len, int max_params,
		struct http_kv **out, int *n_out, struct buf *err)
{
	int rc = MC_EINVALID;
	/* Count the pieces first to size the array exactly. */
	int pieces = 0;
	for (size_t i = 0; i <= len; i++) {
		size_t start = i;
		while (i < len && s[i] != '&')
			i++;
		if (i > start)
			pieces++;
	}
	*out = NULL;
	*n_out = 0;
	if (pieces > max_params) {
		buf_setf(err, "more than %d parameters", max_params);
		goto out;
	}
	struct http_kv *kv = pieces
		? arena_alloc(a, sizeof(*kv) * (size_t)pieces) : NULL;
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		size_t start = i;
		while (i < len && s[i] != '&')
			i++;
		if (i == start)
			continue;
		const char *piece = s + start;
		size_t plen = i - start;
		const char *eq = memchr(piece, '=', plen);
		size_t nlen = eq ? (size_t)(eq - piece) : plen;
		char *name, *value;
		if (decode(a, piece, nlen, true, &name, NULL, err))
			goto out;
		if (eq) {
			if (decode(a, eq + 1, plen - nlen - 1, true, &value,
				   NULL, err))
				goto out;
		} else {
			value = arena_strdup(a, "");
		}
		kv[n].name = name;
		kv[n].value = value;
		n++;
	}
	*out = kv;
	*n_out = n;
	rc = 0;
out:
	return rc;
}

int query_parse_url(struct arena *a, const char *query,
		    struct http_kv **out, int *n_out, struct buf *err)
{
	size_t len = strlen(query);
	if (len > QUERY_MAX_LEN) {
		*out = NULL;
		*n_out = 0;
		buf_setf(err, "query string longer than %d bytes",
			 QUERY_MAX_LEN);
		return MC_ETOOBIG;
	}
	return query_parse(a, query, len, QUERY_MAX_PARAMS, out, n_out, err);
}

int query_decode_path(struct arena *a, const char *s, size_t len,
		      char **out, struct buf *err)
{
	return decode(a, s, len, false, out, NULL, err);
}
