/*
 * embed.c - lookup in the table of embedded files made by tools/embed.sh.
 */
#include "util/embed.h"

#include <string.h>

const struct embed_file *embed_find(const char *path)
{
	for (unsigned i = 0; i < mc_embed_count; i++)
		if (!strcmp(mc_embed_files[i].path, path))
			return &mc_embed_files[i];
	return NULL;
}

int embed_each(const char *prefix,
	       int (*fn)(const struct embed_file *f, void *ctx), void *ctx)
{
	size_t n = strlen(prefix);
	for (unsigned i = 0; i < mc_embed_count; i++) {
		if (strncmp(mc_embed_files[i].path, prefix, n))
			continue;
		int r = fn(&mc_embed_files[i], ctx);
		if (r)
			return r;
	}
	return 0;
}
