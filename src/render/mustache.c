/*
 * mustache.c - the mustache engine: a one-pass compiler from template text
 * to a flat array of nodes, and a renderer that walks that array against
 * jansson values. Rendering allocates nothing but the output it appends;
 * compiled templates are never written after compile, so any number of
 * threads may render one at once. Rules: the mustache spec (see mustache.h).
 */
#include "render/mustache.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

#define MAX_DELIM 16

enum node_kind {
	N_TEXT,		/* literal text: pool[off, off + len) */
	N_LINE,		/* a line of template text starts: indentation here */
	N_VAR,		/* {{name}}: name is pool[off, off + len) */
	N_RAW,		/* {{{name}}} and {{& name}} */
	N_SECTION,	/* {{#name}}: children are the nodes (i, end) */
	N_INVERTED,	/* {{^name}} */
	N_PARTIAL,	/* {{>name}}: name at pool + off, NUL-terminated */
};

struct node {
	uint8_t kind;
	uint8_t standalone;	/* partials: alone on their line */
	uint32_t off, len;
	uint32_t end;		/* sections: index after the last child */
	uint32_t ind_off, ind_len; /* standalone partials: indentation */
};

struct mustache {
	char *pool;		/* a copy of the source, then partial names */
	struct node *nodes;
	uint32_t n_nodes;
};

/* ---- compiler ---------------------------------------------------------- */

struct open_section {
	uint32_t node;
	size_t name_off, name_len;
	size_t pos;
};

struct parser {
	const char *src;
	size_t len;
	struct buf pool;
	struct node *nodes;
	size_t n_nodes, alloc_nodes;
	char otag[MAX_DELIM], ctag[MAX_DELIM];
	size_t olen, clen;
	size_t line_start;	/* where the current line of text began */
	bool tag_on_line;	/* a tag already stands on this line */
	struct open_section open[MUSTACHE_MAX_DEPTH];
	int n_open;
	struct buf *err;
};

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports a syntax error at byte `pos` of the source, with its line. */
static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	size_t line = 1;
	for (size_t i = 0; i < pos && i < p->len; i++)
		line += p->src[i] == '\n';
	va_list ap;
	va_start(ap, fmt);
	buf_reset(p->err);
	buf_addf(p->err, "line %zu: ", line);
	buf_vaddf(p->err, fmt, ap);
	va_end(ap);
	return MC_EINVALID;
}

static struct node *push(struct parser *p, enum node_kind kind, size_t off,
			 size_t len)
{
	if (p->n_nodes == p->alloc_nodes) {
		p->alloc_nodes = p->alloc_nodes ? 2 * p->alloc_nodes : 32;
		p->nodes = xrealloc(p->nodes,
				    p->alloc_nodes * sizeof(*p->nodes));
	}
	struct node *n = &p->nodes[p->n_nodes++];
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->off = (uint32_t)off;
	n->len = (uint32_t)len;
	return n;
}

/*
 * A line of text starts at `pos`. Lines that have content get an N_LINE
 * node, where a standalone partial's indentation goes at render time; empty
 * lines get none, so indentation never adds trailing blanks to them.
 */
static void new_line(struct parser *p, size_t pos)
{
	p->line_start = pos;
	p->tag_on_line = false;
	if (pos < p->len && p->src[pos] != '\n' && p->src[pos] != '\r')
		push(p, N_LINE, pos, 0);
}

/* Emits the text [a, b) as nodes, one per line piece. */
static void add_text(struct parser *p, size_t a, size_t b)
{
	while (a < b) {
		const char *nl = memchr(p->src + a, '\n', b - a);
		size_t e = nl ? (size_t)(nl - p->src) + 1 : b;
		push(p, N_TEXT, a, e - a);
		a = e;
		if (nl)
			new_line(p, e);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/*
 * The spec's standalone rule: a section, inverted, end, partial, comment or
 * delimiter tag alone on its line, with only blanks around it, vanishes
 * together with those blanks and the line end. Returns where the text
 * after it resumes, or 0 if the tag at [q, tag_end) is not standalone.
 */
static size_t standalone_end(struct parser *p, size_t q, size_t tag_end)
{
	if (p->tag_on_line)
		return 0;
	for (size_t i = p->line_start; i < q; i++)
		if (!is_blank(p->src[i]))
			return 0;
	size_t r = tag_end;
	while (r < p->len && is_blank(p->src[r]))
		r++;
	if (r == p->len)
		return r;	/* never 0: the tag itself is before r */
	if (p->src[r] == '\n')
		return r + 1;
	if (p->src[r] == '\r' && r + 1 < p->len && p->src[r + 1] == '\n')
		return r + 2;
	return 0;
}

/* Drops the blanks (and the line node) before a standalone tag. */
static void drop_line_blanks(struct parser *p)
{
	if (p->n_nodes && p->nodes[p->n_nodes - 1].kind == N_TEXT &&
	    p->nodes[p->n_nodes - 1].off >= p->line_start)
		p->n_nodes--;
	if (p->n_nodes && p->nodes[p->n_nodes - 1].kind == N_LINE &&
	    p->nodes[p->n_nodes - 1].off == p->line_start)
		p->n_nodes--;
}

/* Trims [*off, *off + *len) of blanks; checks it is a valid tag name. */
static int tag_name(struct parser *p, size_t q, size_t *off, size_t *len)
{
	size_t a = *off, b = *off + *len;
	while (a < b && is_space(p->src[a]))
		a++;
	while (b > a && is_space(p->src[b - 1]))
		b--;
	if (a == b)
		return fail(p, q, "empty tag name");
	for (size_t i = a; i < b; i++)
		if (is_space(p->src[i]) || p->src[i] == '\0')
			return fail(p, q, "invalid tag name '%.*s'",
				    (int)(b - a), p->src + a);
	*off = a;
	*len = b - a;
	return 0;
}

/* {{=<% %>=}}: the content between the two '=' is two delimiters. */
static int set_delimiters(struct parser *p, size_t q, size_t a, size_t b)
{
	size_t tok[2][2], n = 0;
	size_t i = a;
	while (i < b) {
		while (i < b && is_space(p->src[i]))
			i++;
		if (i == b)
			break;
		size_t s = i;
		while (i < b && !is_space(p->src[i]))
			i++;
		if (n == 2)
			return fail(p, q, "delimiter tag needs two delimiters");
		tok[n][0] = s;
		tok[n][1] = i - s;
		n++;
	}
	if (n != 2)
		return fail(p, q, "delimiter tag needs two delimiters");
	for (size_t k = 0; k < 2; k++) {
		if (tok[k][1] > MAX_DELIM)
			return fail(p, q, "delimiter longer than %d bytes",
				    MAX_DELIM);
		if (memchr(p->src + tok[k][0], '=', tok[k][1]) ||
		    memchr(p->src + tok[k][0], '\0', tok[k][1]))
			return fail(p, q, "delimiter contains '=' or NUL");
	}
	memcpy(p->otag, p->src + tok[0][0], tok[0][1]);
	p->olen = tok[0][1];
	memcpy(p->ctag, p->src + tok[1][0], tok[1][1]);
	p->clen = tok[1][1];
	return 0;
}

static int open_section(struct parser *p, size_t q, char type, size_t off,
			size_t len)
{
	if (p->n_open == MUSTACHE_MAX_DEPTH)
		return fail(p, q, "sections nested deeper than %d",
			    MUSTACHE_MAX_DEPTH);
	struct open_section *o = &p->open[p->n_open++];
	o->node = (uint32_t)p->n_nodes;
	o->name_off = off;
	o->name_len = len;
	o->pos = q;
	push(p, type == '#' ? N_SECTION : N_INVERTED, off, len);
	return 0;
}

static int close_section(struct parser *p, size_t q, size_t off, size_t len)
{
	if (!p->n_open)
		return fail(p, q, "'%.*s' closes no open section", (int)len,
			    p->src + off);
	struct open_section *o = &p->open[p->n_open - 1];
	if (o->name_len != len || memcmp(p->src + o->name_off, p->src + off,
					 len))
		return fail(p, q, "'%.*s' closes section '%.*s'", (int)len,
			    p->src + off, (int)o->name_len,
			    p->src + o->name_off);
	p->nodes[o->node].end = (uint32_t)p->n_nodes;
	p->n_open--;
	return 0;
}

static void add_partial(struct parser *p, size_t q, size_t off, size_t len,
			bool standalone)
{
	size_t name_off = p->pool.len;
	buf_add(&p->pool, p->src + off, len);
	buf_addch(&p->pool, '\0');
	struct node *n = push(p, N_PARTIAL, name_off, len);
	n->standalone = standalone;
	if (standalone) {
		n->ind_off = (uint32_t)p->line_start;
		n->ind_len = (uint32_t)(q - p->line_start);
	}
}

/*
 * Parses the tag whose opening delimiter is at q; on success sets *next to
 * where text resumes.
 */
static int parse_tag(struct parser *p, size_t q, size_t *next)
{
	size_t s = q + p->olen;
	while (s < p->len && is_space(p->src[s]))
		s++;
	if (s >= p->len)
		return fail(p, q, "unclosed tag");
	char type = p->src[s];
	if (type && strchr("#^/>&!={", type))
		s++;
	else
		type = 'n';

	/* The closing needle: "}" or "=" before the closing delimiter. */
	char needle[MAX_DELIM + 1];
	size_t nlen = 0;
	if (type == '{' || type == '=')
		needle[nlen++] = type == '{' ? '}' : '=';
	memcpy(needle + nlen, p->ctag, p->clen);
	nlen += p->clen;
	const char *e = memmem(p->src + s, p->len - s, needle, nlen);
	if (!e)
		return fail(p, q, "unclosed tag");
	size_t off = s, len = (size_t)(e - p->src) - s;
	size_t tag_end = (size_t)(e - p->src) + nlen;

	size_t after = 0;
	if (strchr("#^/>!=", type))	/* type is never NUL here */
		after = standalone_end(p, q, tag_end);
	if (after)
		drop_line_blanks(p);

	int rc = 0;
	if (type != '!' && type != '=') {
		rc = tag_name(p, q, &off, &len);
		if (rc)
			return rc;
	}
	switch (type) {
	case 'n':
		push(p, N_VAR, off, len);
		break;
	case '&':
	case '{':
		push(p, N_RAW, off, len);
		break;
	case '#':
	case '^':
		rc = open_section(p, q, type, off, len);
		break;
	case '/':
		rc = close_section(p, q, off, len);
		break;
	case '>':
		add_partial(p, q, off, len, after != 0);
		break;
	case '=':
		rc = set_delimiters(p, q, off, off + len);
		break;
	default:	/* '!' comment */
		break;
	}
	if (rc)
		return rc;
	if (after) {
		*next = after;
		new_line(p, after);
	} else {
		p->tag_on_line = true;
		*next = tag_end;
	}
	return 0;
}

int mustache_compile(const char *src, size_t len, struct mustache **out,
		     struct buf *err)
{
	struct parser p = { .src = src, .len = len, .err = err };
	int rc = MC_EINVALID;
	*out = NULL;
	if (len >= UINT32_MAX / 2) {
		buf_setf(err, "template too large");
		rc = MC_ETOOBIG;
		goto out;
	}
	buf_init(&p.pool, len + 1);
	buf_add(&p.pool, src, len);
	buf_addch(&p.pool, '\0');
	memcpy(p.otag, "{{", 2);
	memcpy(p.ctag, "}}", 2);
	p.olen = p.clen = 2;

	new_line(&p, 0);
	size_t pos = 0;
	while (pos < len) {
		const char *o = memmem(src + pos, len - pos, p.otag, p.olen);
		size_t q = o ? (size_t)(o - src) : len;
		add_text(&p, pos, q);
		if (q == len)
			break;
		rc = parse_tag(&p, q, &pos);
		if (rc)
			goto out;
	}
	if (p.n_open) {
		struct open_section *s = &p.open[p.n_open - 1];
		rc = fail(&p, s->pos, "section '%.*s' is never closed",
			  (int)s->name_len, src + s->name_off);
		goto out;
	}

	struct mustache *m = xmalloc(sizeof(*m));
	m->pool = buf_detach(&p.pool, NULL);
	m->nodes = p.nodes;
	m->n_nodes = (uint32_t)p.n_nodes;
	p.nodes = NULL;
	*out = m;
	rc = 0;
out:
	free(p.nodes);
	buf_release(&p.pool);
	return rc;
}

void mustache_free(struct mustache *m)
{
	if (!m)
		return;
	free(m->pool);
	free(m->nodes);
	free(m);
}

/* ---- renderer ---------------------------------------------------------- */

/* Standalone partial indentation, outermost first (lives on the C stack). */
struct indent {
	const char *s;
	size_t len;
	const struct indent *outer;
};

struct render {
	mustache_partial_fn partial;
	void *partial_ctx;
	struct buf *out, *err;
	json_t *stack[MUSTACHE_MAX_DEPTH + 1];
	int n_stack;
	int depth;
};

static void put_indent(struct buf *out, const struct indent *in)
{
	if (!in)
		return;
	put_indent(out, in->outer);
	buf_add(out, in->s, in->len);
}

/*
 * The spec's name resolution: "." is the top of the context stack;
 * otherwise the first part of a dotted name is looked up from the top of
 * the stack down, and each further part only in the value found before.
 * NULL when any part misses.
 */
static json_t *lookup(const struct render *r, const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return r->stack[r->n_stack - 1];
	const char *dot = memchr(name, '.', len);
	size_t part = dot ? (size_t)(dot - name) : len;
	json_t *v = NULL;
	for (int i = r->n_stack - 1; i >= 0 && !v; i--)
		if (json_is_object(r->stack[i]))
			v = json_object_getn(r->stack[i], name, part);
	while (v && dot) {
		len -= part + 1;
		name = dot + 1;
		dot = memchr(name, '.', len);
		part = dot ? (size_t)(dot - name) : len;
		v = json_is_object(v) ? json_object_getn(v, name, part) : NULL;
	}
	return v;
}

/*
 * Truthiness as in mustache.js (JavaScript's): missing, null, false, 0,
 * "" and [] are false; everything else, {} included, is true.
 */
static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	default:
		return false;
	}
}

/* A real in the fewest digits that read back to the same double. */
static void put_real(struct buf *out, double d)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_adds(out, tmp);
}

/*
 * Strings as they are (escaped for HTML unless raw), numbers in decimal,
 * booleans as true/false; null, objects and arrays render as nothing.
 */
static void put_value(struct buf *out, const json_t *v, bool escape)
{
	char tmp[32];
	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (escape)
			buf_add_html(out, json_string_value(v),
				     json_string_length(v));
		else
			buf_add(out, json_string_value(v),
				json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		buf_adds(out, tmp);
		break;
	case JSON_REAL:
		put_real(out, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(out, "true");
		break;
	case JSON_FALSE:
		buf_adds(out, "false");
		break;
	default:
		break;
	}
}

static int render_nodes(struct render *r, const struct mustache *m,
			uint32_t from, uint32_t to, const struct indent *ind);

static int enter(struct render *r, const struct mustache *m,
		 const struct node *n)
{
	if (r->depth >= MUSTACHE_MAX_DEPTH) {
		buf_setf(r->err,
			 "sections and partials nested deeper than %d at '%.*s'",
			 MUSTACHE_MAX_DEPTH, (int)n->len, m->pool + n->off);
		return MC_EINVALID;
	}
	r->depth++;
	return 0;
}

static int render_section(struct render *r, const struct mustache *m,
			  uint32_t i, json_t *v, const struct indent *ind)
{
	const struct node *n = &m->nodes[i];
	int rc = enter(r, m, n);
	if (rc)
		return rc;
	r->n_stack++;
	if (json_is_array(v)) {
		for (size_t k = 0; k < json_array_size(v) && !rc; k++) {
			r->stack[r->n_stack - 1] = json_array_get(v, k);
			rc = render_nodes(r, m, i + 1, n->end, ind);
		}
	} else {
		r->stack[r->n_stack - 1] = v;
		rc = render_nodes(r, m, i + 1, n->end, ind);
	}
	r->n_stack--;
	r->depth--;
	return rc;
}

static int render_partial(struct render *r, const struct mustache *m,
			  const struct node *n, const struct indent *ind)
{
	const struct mustache *p =
		r->partial ? r->partial(r->partial_ctx, m->pool + n->off) : NULL;
	if (!p)
		return 0;
	int rc = enter(r, m, n);
	if (rc)
		return rc;
	/* Standalone: this tag's indentation adds to the enclosing one. */
	struct indent here = { m->pool + n->ind_off, n->ind_len, ind };
	rc = render_nodes(r, p, 0, p->n_nodes, n->standalone ? &here : NULL);
	r->depth--;
	return rc;
}

static int render_nodes(struct render *r, const struct mustache *m,
			uint32_t from, uint32_t to, const struct indent *ind)
{
	int rc = 0;
	uint32_t i = from;
	while (i < to && !rc && !r->out->failed) {
		const struct node *n = &m->nodes[i];
		json_t *v;
		switch ((enum node_kind)n->kind) {
		case N_TEXT:
			buf_add(r->out, m->pool + n->off, n->len);
			break;
		case N_LINE:
			put_indent(r->out, ind);
			break;
		case N_VAR:
		case N_RAW:
			put_value(r->out, lookup(r, m->pool + n->off, n->len),
				  n->kind == N_VAR);
			break;
		case N_SECTION:
			v = lookup(r, m->pool + n->off, n->len);
			if (truthy(v))
				rc = render_section(r, m, i, v, ind);
			i = n->end;
			continue;
		case N_INVERTED:
			v = lookup(r, m->pool + n->off, n->len);
			if (!truthy(v) && !(rc = enter(r, m, n))) {
				rc = render_nodes(r, m, i + 1, n->end, ind);
				r->depth--;
			}
			i = n->end;
			continue;
		case N_PARTIAL:
			rc = render_partial(r, m, n, ind);
			break;
		}
		i++;
	}
	return rc;
}

int mustache_render(const struct mustache *m, json_t *data,
		    mustache_partial_fn partial, void *partial_ctx,
		    struct buf *out, struct buf *err)
{
	return mustache_render_over(m, NULL, data, partial, partial_ctx, out,
				    err);
}

int mustache_render_over(const struct mustache *m, json_t *under,
			 json_t *data, mustache_partial_fn partial,
			 void *partial_ctx, struct buf *out, struct buf *err)
{
	struct render r = {
		.partial = partial,
		.partial_ctx = partial_ctx,
		.out = out,
		.err = err,
		.n_stack = under ? 2 : 1,
	};
	if (under)
		r.stack[0] = under;
	r.stack[r.n_stack - 1] = data;
	int rc = render_nodes(&r, m, 0, m->n_nodes, NULL);
	if (!rc && out->failed) {
		buf_setf(err, "rendered output exceeds %zu bytes", out->max);
		rc = MC_ETOOBIG;
	}
	return rc;
}

int mustache_render_string(const char *src, size_t len, json_t *data,
			   mustache_partial_fn partial, void *partial_ctx,
			   struct buf *out, struct buf *err)
{
	struct mustache *m;
	int rc = mustache_compile(src, len, &m, err);
	if (rc)
		return rc;
	rc = mustache_render(m, data, partial, partial_ctx, out, err);
	mustache_free(m);
	return rc;
}
