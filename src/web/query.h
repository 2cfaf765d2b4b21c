/*
 * query.h - decoding of application/x-www-form-urlencoded text (URL query
 * strings and POST form bodies, WHATWG URL Standard §5.1) and of
 * percent-encoded paths (RFC 3986 §2.1). Outside input: this parser is
 * fuzzed (tests/fuzz/fuzz_query.c). Pure: no I/O, allocates from an arena.
 */
#ifndef MC_WEB_QUERY_H
#define MC_WEB_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "web/http.h"

#define QUERY_MAX_LEN 2048	/* bytes of a URL query string */
#define QUERY_MAX_PARAMS 64	/* pairs in a URL query string */
#define FORM_MAX_PARAMS 1000	/* pairs in a POST form body */

/*
 * Splits `s` (len bytes; not necessarily NUL-terminated) on '&' into
 * name=value pairs, turns '+' into a space and decodes %XX. Empty pieces
 * ("a&&b") are skipped; a piece without '=' has the value "". The pairs
 * (in order) and their strings live in `a`; *out is NULL when there are
 * none. Returns 0, or MC_EINVALID with the reason in err when: a '%' is
 * not followed by two hex digits, a decoded name or value is not valid
 * UTF-8 or holds a NUL byte, or there are more than `max_params` pairs.
 */
int query_parse(struct arena *a, const char *s, size_t len, int max_params,
		struct http_kv **out, int *n_out, struct buf *err);

/*
 * A URL query string: MC_ETOOBIG when longer than QUERY_MAX_LEN bytes,
 * else query_parse() with QUERY_MAX_PARAMS.
 */
int query_parse_url(struct arena *a, const char *query,
		    struct http_kv **out, int *n_out, struct buf *err);

/*
 * Percent-decodes a path ('+' stays '+'). The result lives in `a`.
 * MC_EINVALID for a bad escape, invalid UTF-8 or a NUL byte.
 */
int query_decode_path(struct arena *a, const char *s, size_t len,
		      char **out, struct buf *err);

/* Whether s[0..len) is valid UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool query_utf8_valid(const char *s, size_t len);

#endif
