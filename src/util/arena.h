/*
 * arena.h - a memory pool released all at once (h2o's pool). Each request
 * gets one; handlers allocate from it and never call free(). Not thread
 * safe: one arena belongs to one thread at a time.
 */
#ifndef MC_UTIL_ARENA_H
#define MC_UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;	/* bytes used in head */
	size_t total;	/* bytes handed out, for metrics */
};

#define ARENA_INIT { NULL, 0, 0 }

/* Aligned to 16 bytes; never NULL; lives until arena_release(). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Frees every chunk but the first, which is kept for reuse. */
void arena_reset(struct arena *a);
/* Frees everything. */
void arena_release(struct arena *a);

#endif
