/*
 * json.h - a jansson value written out as compact JSON, fast; and two
 * small helpers over jansson values the handlers and repositories share.
 *
 * The output is byte for byte what json_dumps(v, JSON_COMPACT |
 * JSON_ENCODE_ANY [| JSON_SORT_KEYS]) gives (tests/unit/test_json.c
 * compares the two on random values): keys in insertion order (or sorted),
 * "," and ":" without spaces, strings escaped as jansson does (the quote,
 * the backslash and control characters; \u00XX in upper case; non-ASCII
 * and "/" left as they are). Why not json_dumps: it decodes every UTF-8
 * character of every string and calls back per piece; a 30 KB work-queue
 * answer spent 0.4 ms there, a third of the request. jansson's strings are
 * valid UTF-8 already (json_string checks), so a byte scan is enough.
 */
#ifndef MC_UTIL_JSON_H
#define MC_UTIL_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "util/buf.h"

/* Appends v to out; sort_keys: keys in byte order (JSON_SORT_KEYS). A NULL
 * v appends nothing. */
void json_write(struct buf *out, const json_t *v, bool sort_keys);

/* o[key] when it is a string, else "" (never NULL). */
const char *json_str(const json_t *o, const char *key);

/* errors[field] = "Label: reason", the form's message for a field; the
 * first error of a field wins. */
void json_field_error(json_t *errors, const char *field, const char *label,
		      const char *reason);

#endif
