/*
 * fuzz_query.c - libFuzzer target for the form/query decoder and the path
 * decoder (web/query.c): outside input straight from the network. Checks
 * that decoded strings are valid UTF-8 without NUL bytes, and that the
 * parameter limit holds.
 */
// fuzz-sources: src/web/query.c src/util/arena.c src/util/buf.c src/util/xalloc.c
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "web/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s)
{
	if (!query_utf8_valid(s, strlen(s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct buf err = BUF_INIT;
	struct http_kv *kv;
	int n;
	/* Not NUL-terminated on purpose: the length is the contract. */
	char *copy = xmalloc(size ? size : 1);
	memcpy(copy, data, size);
	if (!query_parse(&a, copy, size, QUERY_MAX_PARAMS, &kv, &n, &err)) {
		if (n > QUERY_MAX_PARAMS)
			abort();
		for (int i = 0; i < n; i++) {
			check(kv[i].name);
			check(kv[i].value);
		}
	}
	char *path;
	if (!query_decode_path(&a, copy, size, &path, &err))
		check(path);
	char *z = arena_strndup(&a, copy, size);
	query_parse_url(&a, z, &kv, &n, &err);
	free(copy);
	buf_release(&err);
	arena_release(&a);
	return 0;
}
