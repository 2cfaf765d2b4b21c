/*
 * mustache.h - our mustache template engine. It follows the official
 * mustache specification (comments, delimiters, interpolation, inverted,
 * partials, sections) and renders jansson values. `{{x}}` is HTML-escaped;
 * `{{{x}}}` and `{{& x}}` are raw, reserved for HTML our own code built.
 *
 * Templates are compiled once (struct mustache) and rendered many times,
 * from any number of threads at once; rendering allocates nothing but the
 * output. Not supported: lambdas and the other optional specs.
 *
 * Values: strings as they are, integers in decimal, reals in the fewest
 * digits that read back exactly (1.21), true/false as words; null, objects
 * and arrays interpolate as nothing. Sections are false for a missing
 * name, null, false, 0, "" and [] (JavaScript's truthiness, as
 * mustache.js); a list renders once per item, any other true value once
 * with the value pushed on the context stack.
 */
#ifndef MC_RENDER_MUSTACHE_H
#define MC_RENDER_MUSTACHE_H

#include <jansson.h>

#include "util/buf.h"

struct mustache;

/* Deepest nesting of sections and partials, at compile and at render. */
#define MUSTACHE_MAX_DEPTH 64

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
 * mismatched section end, bad delimiter, empty or blank-containing name,
 * sections nested deeper than MUSTACHE_MAX_DEPTH) returns MC_EINVALID with
 * "line N: reason" in err. The compiled template copies what it needs;
 * free it with mustache_free() (NULL is fine).
 */
int mustache_compile(const char *src, size_t len, struct mustache **out,
		     struct buf *err);
void mustache_free(struct mustache *m);

/*
 * Renders with `data` (borrowed, may be NULL) as the context, appending to
 * `out`. Partials are looked up through `partial` (may be NULL: no
 * partials) at render time. Sections and partials nested deeper than
 * MUSTACHE_MAX_DEPTH are an error (MC_EINVALID); output past out->max stops
 * the render (MC_ETOOBIG). Returns 0, or the error with the reason in err;
 * on error `out` holds a partial result the caller discards.
 */
int mustache_render(const struct mustache *m, json_t *data,
		    mustache_partial_fn partial, void *partial_ctx,
		    struct buf *out, struct buf *err);

/*
 * The same with `under` (borrowed, may be NULL) below `data` on the context
 * stack: names not in data are looked up in under. A layout renders this
 * way over a page's model without copying it.
 */
int mustache_render_over(const struct mustache *m, json_t *under,
			 json_t *data, mustache_partial_fn partial,
			 void *partial_ctx, struct buf *out, struct buf *err);

/* Compile and render in one call (tests, the CLI). */
int mustache_render_string(const char *src, size_t len, json_t *data,
			   mustache_partial_fn partial, void *partial_ctx,
			   struct buf *out, struct buf *err);

#endif
