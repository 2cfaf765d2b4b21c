/*
 * search.h - a ranked, in-memory search over (code, name) entries, pure:
 * no I/O, no clock, no locks. Build the index once, then any number of
 * threads may query it at the same time (a built index is never written).
 * Matching is insensitive to case and diacritics (util/text.h keys); a
 * token index keeps a query to the entries that hold its words.
 *
 * Ranking, best first:
 *   1. the code equals the query ("1.000894");
 *   2. the name holds the query as a phrase (on word boundaries);
 *   3. the name holds every query word (the last one may be a prefix, so
 *      typing "ket h" already finds "kết hôn");
 *   4. the code starts with the query ("1.0008").
 * Within a rank, shorter names first (the plain "Thủ tục đăng ký kết hôn"
 * before its variants), then the order the entries were added in.
 */
#ifndef MC_CORE_SEARCH_H
#define MC_CORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct search_index;

/* Decides whether entry `id` may appear in a result (e.g. a field filter). */
typedef bool (*search_filter_fn)(uint32_t id, void *ctx);

struct search_index *search_index_new(void);
void search_index_free(struct search_index *ix);

/*
 * Adds an entry. `id` is the caller's handle (e.g. a row number), returned
 * by queries. `code` is matched as given, case-insensitively; `name` is any
 * UTF-8 text (its search key is made here). Add entries in the order that
 * should break ties (e.g. by name). MC_EINVALID when name is not UTF-8.
 * Must not be called after search_index_build().
 */
int search_index_add(struct search_index *ix, uint32_t id, const char *code,
		     const char *name, struct buf *err);

/* Freezes the index; from now on it is read-only and thread-safe. */
void search_index_build(struct search_index *ix);

/* Number of entries. */
size_t search_index_count(const struct search_index *ix);

struct search_result {
	uint32_t *ids;		/* the page's ids, best first; caller frees */
	size_t n_ids;
	size_t total;		/* matches before pagination */
};

/*
 * Runs `query` (raw UTF-8) and returns entries [offset, offset+limit) of the
 * ranked matches into *res (caller frees res->ids). `keep` (may be NULL)
 * filters entries before ranking and counting. An empty (or blank) query
 * matches every entry, in insertion order. MC_EINVALID when the query is
 * not UTF-8. Only on a built index.
 */
int search_run(const struct search_index *ix, const char *query,
	       search_filter_fn keep, void *ctx, size_t offset, size_t limit,
	       struct search_result *res, struct buf *err);

#endif
