/*
 * xalloc.h - allocation that never returns NULL. motcua is an application,
 * not a library: when memory runs out we abort with a message (git, Redis).
 * Also BUG(), for programmer errors, and the list of banned functions.
 */
#ifndef MC_UTIL_XALLOC_H
#define MC_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Abort with file and line: a programmer error, never bad input. */
#define BUG(...) mc_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void mc_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
