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

#include "util/arena.h"
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

/* json_dumps(v, flags), in memory of malloc() always (in the JSON pool
 * too), for free(); NULL when v cannot be written. */
char *json_text(const json_t *v, size_t flags);

/*
 * The JSON pool: between json_pool_begin(a) and json_pool_end() on a
 * thread, jansson takes its memory from arena `a`, and its frees of that
 * memory do nothing (the arena frees it all when the request ends); other
 * blocks are freed as usual. jansson allocates every value, string and
 * table on its own: a lookup page built and freed 150 of them, a sixth of
 * its time in malloc() and free().
 * Rules for code that runs in the pool (routes with ROUTE_JSON_POOL,
 * web/route.h, pooled by route_run()):
 *  - no value made there may outlive the request: a cache keeps copies
 *    made while the pool is paused (json_pool_pause());
 *  - nothing jansson returns there may reach free(): json_dumps() is not
 *    used anywhere in src/ (json_text() instead; `make check` looks).
 * json_pool_install() sets the allocator (json_set_alloc_funcs) for the
 * whole process, once: the server does it before its threads start (the
 * first json_pool_begin() would otherwise). Outside a pool it is malloc()
 * and free().
 */
void json_pool_install(void);
void json_pool_begin(struct arena *a);
void json_pool_end(void);
/* Steps out of the thread's pool (returns its arena, or NULL) and back:
 * around values that must outlive the request, e.g. a cache's copies
 * (json_deep_copy() while paused). */
struct arena *json_pool_pause(void);
void json_pool_resume(struct arena *a);
/* The arena of the thread's pool, or NULL outside one. */
struct arena *json_pool_current(void);

#endif
