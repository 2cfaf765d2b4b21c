/*
 * csv.c - RFC 4180 reader. See csv.h.
 */
#include "util/csv.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

void csv_init(struct csv *c, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = text;
	c->end = text + len;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		c->p += 3;
	buf_init(&c->storage, 0);
}

void csv_release(struct csv *c)
{
	buf_release(&c->storage);
	free(c->offs);
	free(c->fields);
	c->offs = NULL;
	c->fields = NULL;
}

static void field_start(struct csv *c)
{
	if (c->n_fields == c->alloc_fields) {
		c->alloc_fields = c->alloc_fields ? c->alloc_fields * 2 : 16;
		c->offs = xrealloc(c->offs, sizeof(*c->offs) * (size_t)c->alloc_fields);
	}
	c->offs[c->n_fields++] = c->storage.len;
}

int csv_next(struct csv *c, struct buf *err)
{
	/* Skip empty lines. */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	c->line++;
	int start_line = c->line;
	buf_reset(&c->storage);
	c->n_fields = 0;
	field_start(c);
	const char *p = c->p;
	for (;;) {
		if (p < c->end && *p == '"') {
			p++;
			for (;;) {
				if (p >= c->end) {
					buf_setf(err, "line %d: unterminated quoted field",
						 start_line);
					c->p = c->end;
					return MC_EINVALID;
				}
				if (*p == '"') {
					if (p + 1 < c->end && p[1] == '"') {
						buf_addch(&c->storage, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					c->line++;
				buf_addch(&c->storage, *p++);
			}
			if (p < c->end && *p != ',' && *p != '\n' && *p != '\r') {
				buf_setf(err, "line %d: text after a closing quote",
					 c->line);
				/* Resynchronise at the next line. */
				while (p < c->end && *p != '\n')
					p++;
				c->p = p;
				return MC_EINVALID;
			}
		} else {
			const char *s = p;
			while (p < c->end && *p != ',' && *p != '\n' && *p != '\r')
				p++;
			buf_add(&c->storage, s, (size_t)(p - s));
		}
		buf_addch(&c->storage, '\0');
		if (p < c->end && *p == ',') {
			p++;
			field_start(c);
			continue;
		}
		if (p < c->end && *p == '\r')
			p++;
		if (p < c->end && *p == '\n')
			p++;
		break;
	}
	c->p = p;
	c->fields = xrealloc(c->fields, sizeof(*c->fields) * (size_t)c->alloc_fields);
	for (int i = 0; i < c->n_fields; i++)
		c->fields[i] = c->storage.ptr + c->offs[i];
	return 1;
}

int csv_index(const struct csv *c, const char *name)
{
	for (int i = 0; i < c->n_fields; i++)
		if (!strcmp(c->fields[i], name))
			return i;
	return -1;
}
