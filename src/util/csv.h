/*
 * csv.h - a reader of CSV text as RFC 4180 defines it (quoted fields,
 * doubled quotes, CR LF or LF line ends), over a buffer in memory. Fields
 * are handed out one record at a time, unescaped into the reader's storage.
 * A UTF-8 byte order mark at the start is skipped. It never allocates per
 * field after the first records and never reads past `len`.
 */
#ifndef MC_UTIL_CSV_H
#define MC_UTIL_CSV_H

#include <stddef.h>

#include "util/buf.h"

struct csv {
	const char *p, *end;
	int line;		/* line number of the record just read (1-based) */
	struct buf storage;	/* unescaped fields, NUL-separated */
	size_t *offs;		/* field starts in storage */
	int n_fields, alloc_fields;
	const char **fields;	/* valid until the next csv_next() */
};

void csv_init(struct csv *c, const char *text, size_t len);
void csv_release(struct csv *c);

/*
 * Reads the next record: 1 when one was read (fields in c->fields,
 * c->n_fields of them), 0 at the end, MC_EINVALID with the line in err on
 * a malformed record (an unterminated quote, text after a closing quote).
 * Empty lines are skipped.
 */
int csv_next(struct csv *c, struct buf *err);

/* The index of the column called `name` in the current record, or -1. */
int csv_index(const struct csv *c, const char *name);

#endif
