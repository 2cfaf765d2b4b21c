/*
 * fuzz_mustache.c - libFuzzer target for the mustache engine: the input is
 * a template; it is compiled, then rendered against a small fixed context
 * with itself as partial "self" and a fixed partial "p". Must never crash,
 * trip a sanitizer or leak. Built and run by tests/fuzz/run.sh.
 */
// fuzz-sources: src/util/buf.c src/util/xalloc.c src/util/err.c src/render/mustache.c
// fuzz-libs: -ljansson -lpthread
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Lists hold one item each, so nested sections cannot multiply the work;
 * the depth guard ends any partial recursion.
 */
static const char context_json[] =
	"{\"a\":true,\"b\":false,\"z\":null,\"n\":42,\"r\":1.5,\"zero\":0,"
	"\"s\":\"Hồ sơ <b>&'\\\"\",\"empty\":\"\",\"e\":[],"
	"\"l\":[{\"s\":\"một\",\"l\":[2]}],"
	"\"o\":{\"a\":{\"s\":\"sâu\",\"b\":true},\"n\":-7}}";

static json_t *context;
static struct mustache *fixed_partial;

struct partials {
	const struct mustache *self;
};

static const struct mustache *find_partial(void *ctx, const char *name)
{
	struct partials *ps = ctx;
	if (!strcmp(name, "self"))
		return ps->self;
	if (!strcmp(name, "p"))
		return fixed_partial;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct mustache *m = NULL;
	if (!context) {
		static const char p[] = "[{{s}}{{#l}}\n  {{.}}\n{{/l}}]";
		context = json_loads(context_json, 0, NULL);
		if (!context ||
		    mustache_compile(p, sizeof(p) - 1, &fixed_partial, &err))
			abort();
	}
	out.max = 1 << 16;
	if (mustache_compile((const char *)data, size, &m, &err) == 0) {
		struct partials ps = { m };
		mustache_render(m, context, find_partial, &ps, &out, &err);
		/* Compiled once, rendered again: same output. */
		size_t len = out.len;
		bool failed = out.failed;
		mustache_render(m, context, find_partial, &ps, &out, &err);
		if (!failed && !out.failed &&
		    (out.len != 2 * len || memcmp(out.ptr, out.ptr + len, len)))
			abort();
		mustache_free(m);
	} else if (!err.len) {
		abort();	/* every error has a reason */
	}
	buf_release(&out);
	buf_release(&err);
	return 0;
}
