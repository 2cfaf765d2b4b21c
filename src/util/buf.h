/*
 * buf.h - the one string builder (git's strbuf, with curl's size cap and
 * SQLite's sticky error). `ptr` is never NULL and always NUL-terminated.
 * When an append would pass `max` (0 = no cap), nothing more is appended
 * and `failed` is set; check it once at the end.
 *
 *	struct buf b = BUF_INIT;
 *	buf_addf(&b, "%d", n);
 *	...
 *	buf_release(&b);
 */
#ifndef MC_UTIL_BUF_H
#define MC_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t alloc;	/* 0 while ptr points at the shared empty string */
	size_t max;	/* 0: no limit */
	bool failed;
};

extern char buf_empty_[];
#define BUF_INIT { buf_empty_, 0, 0, 0, false }

void buf_init(struct buf *b, size_t hint);
/* Frees the contents; the buf is reusable (as after BUF_INIT). */
void buf_release(struct buf *b);
/* Hands the string to the caller, who frees it; the buf is reset. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_truncate(struct buf *b, size_t len);

void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Replaces the contents (used for `err` buffers). */
void buf_setf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends `s` escaped for HTML text and attribute values (& < > " '). */
void buf_add_html(struct buf *b, const char *s, size_t len);
/* Appends v in decimal ("%lld" without printf: numbers are written on
 * every intake's hot path, a few hundred instructions each by printf). */
void buf_add_int(struct buf *b, long long v);

#endif
