/*
 * mustache.h - our mustache template engine. It follows the official
 * mustache specification (comments, delimiters, interpolation, inverted,
 * partials, sections) and renders jansson values. `{{x}}` is HTML-escaped;
 * `{{{x}}}` and `{{& x}}` are raw, reserved for HTML our own code built.
 *
 * Templates are compiled once (struct mustache) and rendered many times,
 * from any number of threads at once.
 */
#ifndef MC_RENDER_MUSTACHE_H
#define MC_RENDER_MUSTACHE_H

#include <jansson.h>

#include "util/buf.h"

struct mustache;

/*
 * Finds a partial by name: returns it compiled (borrowed; it must live as
 * long as the render call) or NULL when there is none (renders as empty).
 * Callers compile partials once and keep them (the web layer's template
 * cache, the CLI's directory loader). A standalone partial tag's
 * indentation is applied by the renderer, as the spec requires.
 */
typedef const struct mustache *(*mustache_partial_fn)(void *ctx,
						      const char *name);

/*
 * Compiles `src` (len bytes). On a syntax error (unclosed tag or section,
 * mismatched section end, bad delimiter) returns MC_EINVALID with the line
 * and the reason in err. The compiled template copies what it needs.
 */
int mustache_compile(const char *src, size_t len, struct mustache **out,
		     struct buf *err);
void mustache_free(struct mustache *m);

/*
 * Renders with `data` as the context, appending to `out`. Partials are
 * looked up through `partial` (may be NULL: no partials) at render time.
 * Recursion deeper than 64 partials or sections is an error. Returns 0 or
 * MC_EINVALID with the reason in err.
 */
int mustache_render(const struct mustache *m, json_t *data,
		    mustache_partial_fn partial, void *partial_ctx,
		    struct buf *out, struct buf *err);

/* Compile and render in one call (tests, the CLI). */
int mustache_render_string(const char *src, size_t len, json_t *data,
			   mustache_partial_fn partial, void *partial_ctx,
			   struct buf *out, struct buf *err);

#endif
