/*
 * json.c - compact JSON out of jansson values (see json.h).
 */
#include "util/json.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- the JSON pool (json.h) ---------------------------------------------- */

static _Thread_local struct arena *pool_arena;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void *pool_malloc(size_t n)
{
	return pool_arena ? arena_alloc(pool_arena, n) : malloc(n);
}

static void pool_free(void *p)
{
	if (p && !(pool_arena && arena_owns(pool_arena, p)))
		free(p);
}

static void pool_install(void)
{
	json_set_alloc_funcs(pool_malloc, pool_free);
}

char *json_text(const json_t *v, size_t flags)
{
	char tmp[4096], *s;
	size_t n = json_dumpb(v, tmp, sizeof tmp, flags);

	if (!n)
		return NULL;
	s = xmalloc(n + 1);
	if (n <= sizeof tmp)
		memcpy(s, tmp, n);
	else if (json_dumpb(v, s, n, flags) != n) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

void json_pool_install(void)
{
	pthread_once(&pool_once, pool_install);
}

void json_pool_begin(struct arena *a)
{
	pthread_once(&pool_once, pool_install);
	pool_arena = a;
}

void json_pool_end(void)
{
	pool_arena = NULL;
}

struct arena *json_pool_pause(void)
{
	struct arena *a = pool_arena;

	pool_arena = NULL;
	return a;
}

void json_pool_resume(struct arena *a)
{
	pool_arena = a;
}

struct arena *json_pool_current(void)
{
	return pool_arena;
}

/* Bytes a JSON string cannot hold as they are: control characters, the
 * quote and the backslash (RFC 8259 §7; what jansson escapes by default). */
static const unsigned char must_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

static void write_string(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *end = s + len, *run = s;
	buf_grow(out, len + 2);
	buf_addch(out, '"');
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (!must_escape[c])
			continue;
		buf_add(out, run, (size_t)(p - run));
		run = p + 1;
		char e[6] = { '\\', 0 };
		size_t n = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			n = 6;
		}
		buf_add(out, e, n);
	}
	buf_add(out, run, (size_t)(end - run));
	buf_addch(out, '"');
}

static void write_integer(struct buf *out, json_int_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	/* through unsigned: -INT64_MIN does not fit */
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Reals are rare in our answers: jansson formats them (its precision and
 * its ".0" rule), so the two writers never disagree. Into a buffer of our
 * own: json_dumps' string would come from the JSON pool in a pooled
 * request (below), where free() must not see it. */
static void write_real(struct buf *out, const json_t *v)
{
	char s[64];
	size_t n = json_dumpb(v, s, sizeof s, JSON_COMPACT | JSON_ENCODE_ANY);

	if (n && n <= sizeof s)
		buf_add(out, s, n);
	else
		buf_adds(out, "null");
}

struct key {
	const char *s;
	size_t len;
	json_t *v;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void write_value(struct buf *out, const json_t *v, bool sort);

static void write_object(struct buf *out, const json_t *v, bool sort)
{
	const char *k;
	size_t klen;
	json_t *x;
	bool first = true;
	buf_addch(out, '{');
	if (sort && json_object_size(v) > 1) {
		size_t n = json_object_size(v), i = 0;
		struct key *keys = xmalloc(n * sizeof(*keys));
		json_object_keylen_foreach((json_t *)v, k, klen, x)
			keys[i++] = (struct key){ k, klen, x };
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(out, ',');
			write_string(out, keys[i].s, keys[i].len);
			buf_addch(out, ':');
			write_value(out, keys[i].v, sort);
		}
		free(keys);
	} else {
		json_object_keylen_foreach((json_t *)v, k, klen, x) {
			if (!first)
				buf_addch(out, ',');
			first = false;
			write_string(out, k, klen);
			buf_addch(out, ':');
			write_value(out, x, sort);
		}
	}
	buf_addch(out, '}');
}

static void write_value(struct buf *out, const json_t *v, bool sort)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		write_object(out, v, sort);
		break;
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		buf_addch(out, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_addch(out, ',');
			write_value(out, json_array_get(v, i), sort);
		}
		buf_addch(out, ']');
		break;
	}
	case JSON_STRING:
		write_string(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		write_integer(out, json_integer_value(v));
		break;
	case JSON_REAL:
		write_real(out, v);
		break;
	case JSON_TRUE:
		buf_add(out, "true", 4);
		break;
	case JSON_FALSE:
		buf_add(out, "false", 5);
		break;
	case JSON_NULL:
		buf_add(out, "null", 4);
		break;
	}
}

void json_write(struct buf *out, const json_t *v, bool sort_keys)
{
	if (v)
		write_value(out, v, sort_keys);
}

const char *json_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void json_field_error(json_t *errors, const char *field, const char *label,
		      const char *reason)
{
	if (json_object_get(errors, field))
		return;
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s: %s", label, reason);
	json_object_set_new(errors, field, json_string(b.ptr));
	buf_release(&b);
}
