/*
 * arena.c - chunked bump allocator. See arena.h.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CHUNK_SIZE (16 * 1024)
#define ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

static struct arena_chunk *chunk_new(size_t size, struct arena_chunk *next)
{
	struct arena_chunk *c = xmalloc(sizeof(*c) + size);
	c->next = next;
	c->size = size;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!n)
		n = ALIGN;
	a->total += n;
	if (n > CHUNK_SIZE / 4) {
		/* Big blocks get a chunk of their own behind the head. */
		struct arena_chunk *c = chunk_new(n, NULL);
		if (a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			a->head = c;
			a->used = n;
		}
		return c->data;
	}
	if (!a->head || a->used + n > a->head->size) {
		a->head = chunk_new(CHUNK_SIZE, a->head);
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	return p;
}

bool arena_owns(const struct arena *a, const void *p)
{
	const unsigned char *u = p;

	for (const struct arena_chunk *c = a->head; c; c = c->next)
		if (u >= c->data && u < c->data + c->size)
			return true;
	return false;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, SIZE_MAX);
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("vsnprintf failed on %s", fmt);
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

void arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}

static void run_defers(struct arena *a)
{
	while (a->defers) {
		struct arena_defer *d = a->defers;
		a->defers = d->next;
		d->fn(d->p);
	}
}

void arena_reset(struct arena *a)
{
	run_defers(a);
	if (!a->head)
		return;
	/* Keep one standard chunk if there is one. */
	struct arena_chunk *keep = NULL, *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		if (!keep && c->size == CHUNK_SIZE)
			keep = c;
		else
			free(c);
		c = next;
	}
	if (keep)
		keep->next = NULL;
	a->head = keep;
	a->used = 0;
	a->total = 0;
}

void arena_release(struct arena *a)
{
	run_defers(a);
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = a->total = 0;
}
