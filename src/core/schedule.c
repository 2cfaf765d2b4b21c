/*
 * schedule.c - the CSV form of the days-off schedule (see schedule.h).
 * Validation names the line and the field so that an administrator can
 * fix an import; nothing here touches a file or the database.
 */
#include "core/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/err.h"
#include "util/xalloc.h"

void schedule_format_day(int32_t day, char out[11])
{
	int y, m, d;
	days_to_date(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0; /* never for a calendar day (1900..2199) */
	const int v[] = { y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1,
			  m / 10, m % 10, -1, d / 10, d % 10 };
	for (int i = 0; i < 10; i++)
		out[i] = v[i] < 0 ? '-' : (char)('0' + v[i]);
	out[10] = '\0';
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int schedule_parse_day(const char *s, int32_t *day)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return MC_EINVALID;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !date_valid(y, m, d))
		return MC_EINVALID;
	*day = date_to_days(y, m, d);
	return 0;
}

void schedule_append(struct schedule *s, int32_t day, enum day_kind kind,
		     const char *name, const char *source)
{
	if (s->n_rows == s->alloc_rows) {
		s->alloc_rows = s->alloc_rows ? 2 * s->alloc_rows : 128;
		s->rows = xrealloc(s->rows,
				   sizeof(*s->rows) * (size_t)s->alloc_rows);
	}
	struct schedule_row *r = &s->rows[s->n_rows++];
	r->day = day;
	r->kind = kind;
	r->name = xstrdup(name);
	r->source = xstrdup(source ? source : "");
	r->line = 0;
}

void schedule_release(struct schedule *s)
{
	for (int i = 0; i < s->n_rows; i++) {
		free(s->rows[i].name);
		free(s->rows[i].source);
	}
	free(s->rows);
	s->rows = NULL;
	s->n_rows = s->alloc_rows = 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct schedule_row *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->line > y->line) - (x->line < y->line);
}

/* Trims ASCII blanks in place at both ends; returns the start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_row(struct schedule *s, struct csv *c, const int col[4],
		     struct buf *err)
{
	static const char *const names[] = { "date", "kind", "name", "source" };
	char *f[4];
	for (int i = 0; i < 4; i++) {
		if (col[i] >= c->n_fields) {
			if (i == 3) { /* source may be left off a short row */
				f[i] = (char *)"";
				continue;
			}
			buf_setf(err, "line %d: %s: missing", c->line, names[i]);
			return MC_EINVALID;
		}
		f[i] = trim((char *)c->fields[col[i]]);
	}
	int32_t day;
	enum day_kind kind;
	if (schedule_parse_day(f[0], &day)) {
		buf_setf(err, "line %d: date: '%.40s' is not a date YYYY-MM-DD",
			 c->line, f[0]);
		return MC_EINVALID;
	}
	int y, m, d;
	days_to_date(day, &y, &m, &d);
	if (y < 1900 || y > 2199) {
		buf_setf(err, "line %d: date: %s is outside 1900..2199",
			 c->line, f[0]);
		return MC_EINVALID;
	}
	if (calendar_kind_parse(f[1], &kind)) {
		buf_setf(err,
			 "line %d: kind: '%.40s' is not one of holiday, "
			 "compensatory, swapped_off, makeup_workday",
			 c->line, f[1]);
		return MC_EINVALID;
	}
	int w = days_weekday(day);
	if (kind == DAY_MAKEUP && w != 0 && w != 6) {
		buf_setf(err,
			 "line %d: kind: makeup_workday %s is not a Saturday "
			 "or a Sunday",
			 c->line, f[0]);
		return MC_EINVALID;
	}
	if (!*f[2]) {
		buf_setf(err, "line %d: name: empty", c->line);
		return MC_EINVALID;
	}
	schedule_append(s, day, kind, f[2], f[3]);
	s->rows[s->n_rows - 1].line = c->line;
	return 0;
}

int schedule_parse(struct schedule *s, const char *text, size_t len,
		   struct buf *err)
{
	static const char *const cols[] = { "date", "kind", "name", "source" };
	struct csv c;
	int col[4];
	int rc;

	csv_init(&c, text, len);
	rc = csv_next(&c, err);
	if (rc <= 0) {
		if (rc == 0)
			buf_setf(err, "line 1: empty file, expected the header "
				      "date,kind,name,source");
		rc = MC_EINVALID;
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		col[i] = csv_index(&c, cols[i]);
		if (col[i] < 0 && i < 3) {
			buf_setf(err, "line %d: %s: no such column in the header",
				 c.line, cols[i]);
			rc = MC_EINVALID;
			goto out;
		}
	}
	if (col[3] < 0)
		col[3] = 1 << 20; /* no source column: every source is "" */
	while ((rc = csv_next(&c, err)) == 1) {
		if ((rc = parse_row(s, &c, col, err)))
			goto out;
	}
	if (rc)
		goto out;
	if (s->n_rows)
		qsort(s->rows, (size_t)s->n_rows, sizeof(*s->rows), cmp_row);
	for (int i = 1; i < s->n_rows; i++) {
		if (s->rows[i].day == s->rows[i - 1].day) {
			char day[11];
			schedule_format_day(s->rows[i].day, day);
			buf_setf(err, "line %d: date: %s is given twice (also "
				      "line %d)",
				 s->rows[i].line, day, s->rows[i - 1].line);
			rc = MC_EINVALID;
			goto out;
		}
	}
	rc = 0;
out:
	csv_release(&c);
	return rc;
}

int schedule_years(const struct schedule *s, int *years, int max)
{
	int n = 0, last = -1;
	for (int i = 0; i < s->n_rows; i++) {
		if (s->rows[i].kind != DAY_HOLIDAY)
			continue;
		int y, m, d;
		days_to_date(s->rows[i].day, &y, &m, &d);
		if (y == last)
			continue;
		/* Rows are sorted, so years come in ascending order. */
		if (n < max)
			years[n] = y;
		n++;
		last = y;
	}
	return n;
}

int schedule_fill(const struct schedule *s, struct calendar *c,
		  struct buf *err)
{
	for (int i = 0; i < s->n_rows; i++) {
		const struct schedule_row *r = &s->rows[i];
		int rc = calendar_add(c, r->day, r->kind, r->name, err);
		if (rc)
			return rc;
	}
	return 0;
}
