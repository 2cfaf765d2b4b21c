/*
 * embed.h - files compiled into the binary (assets/, migrations/, data/),
 * looked up by their path in the source tree, e.g.
 * "assets/templates/layout.mustache". The build (tools/embed.sh) makes the
 * table; contents are NUL-terminated after `len` bytes and live forever.
 */
#ifndef MC_UTIL_EMBED_H
#define MC_UTIL_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *path;
	const unsigned char *data;
	size_t len;
};

extern const struct embed_file mc_embed_files[];
extern const unsigned mc_embed_count;

/* The file at `path`, or NULL. */
const struct embed_file *embed_find(const char *path);

/*
 * Calls fn for each file whose path starts with `prefix`, in path order.
 * Stops early and returns fn's value when fn returns non-zero.
 */
int embed_each(const char *prefix,
	       int (*fn)(const struct embed_file *f, void *ctx), void *ctx);

#endif
