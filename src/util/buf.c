/*
 * buf.c - the string builder. See buf.h for the contract.
 */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

char buf_empty_[1];

void buf_init(struct buf *b, size_t hint)
{
	b->ptr = buf_empty_;
	b->len = b->alloc = b->max = 0;
	b->failed = false;
	if (hint)
		buf_grow(b, hint);
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->ptr);
	size_t max = b->max;
	buf_init(b, 0);
	b->max = max;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s = b->alloc ? b->ptr : xstrdup("");
	if (len)
		*len = b->len;
	size_t max = b->max;
	buf_init(b, 0);
	b->max = max;
	return s;
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
	b->failed = false;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		BUG("buf_truncate beyond length");
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

/* Makes room for `extra` more bytes; false (and failed set) past max. */
static bool room(struct buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->max && (extra > b->max || b->len > b->max - extra)) {
		b->failed = true;
		return false;
	}
	buf_grow(b, extra);
	return true;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < 1024 * 1024 ? n * 2 : n + n / 2;
	if (b->alloc) {
		b->ptr = xrealloc(b->ptr, n);
	} else {
		b->ptr = xmalloc(n);
		b->ptr[0] = '\0';
	}
	b->alloc = n;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	if (!len || !room(b, len))
		return;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
	char ch = (char)c;
	buf_add(b, &ch, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256];
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("vsnprintf failed on format %s", fmt);
	if ((size_t)n < sizeof(small)) {
		buf_add(b, small, (size_t)n);
		return;
	}
	if (!room(b, (size_t)n))
		return;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_setf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	buf_reset(b);
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* The characters HTML escapes, each with its entity's index + 1. */
static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const struct {
	const char *s;
	size_t len;
} html_entity[] = {
	{ "&amp;", 5 }, { "&lt;", 4 }, { "&gt;", 4 }, { "&quot;", 6 },
	{ "&#39;", 5 },
};

void buf_add_int(struct buf *b, long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? -(unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void buf_add_html(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0;

	/* runs of plain text in one buf_add: most texts have no special
	 * character at all (a switch per byte was a twentieth of a page) */
	for (size_t i = 0; i < len; i++) {
		unsigned k = html_special[u[i]];
		if (!k)
			continue;
		buf_add(b, s + start, i - start);
		buf_add(b, html_entity[k - 1].s, html_entity[k - 1].len);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}
