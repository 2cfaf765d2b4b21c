/*
 * arena.h - a memory pool released all at once (h2o's pool). Each request
 * gets one; handlers allocate from it and never call free(). Not thread
 * safe: one arena belongs to one thread at a time.
 */
#ifndef MC_UTIL_ARENA_H
#define MC_UTIL_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena_chunk;
struct arena_defer;

struct arena {
	struct arena_chunk *head;
	size_t used;	/* bytes used in head */
	size_t total;	/* bytes handed out, for metrics */
	struct arena_defer *defers;	/* run by reset and release */
};

#define ARENA_INIT { NULL, 0, 0, NULL }

/* Aligned to 16 bytes; never NULL; lives until arena_release(). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
/* Whether p points into memory the arena handed out (and still holds). */
bool arena_owns(const struct arena *a, const void *p);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Calls fn(p) when the arena is next reset or released (newest first),
 * for a value the arena cannot free itself (a parsed JSON body kept for
 * the request, web/http.h).
 */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Runs the deferred calls, then frees every chunk but the first, which
 * is kept for reuse. */
void arena_reset(struct arena *a);
/* Runs the deferred calls, then frees everything. */
void arena_release(struct arena *a);

#endif
