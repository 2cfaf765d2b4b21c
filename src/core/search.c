/*
 * search.c - the token index behind procedure search. See search.h for
 * the ranking. Entries keep their search key; tokens map to sorted lists
 * of entry positions; codes are kept sorted for prefix lookups. A query
 * touches only the postings of its words, never every name.
 */
#include "core/search.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/text.h"
#include "util/xalloc.h"

enum { RANK_NONE, RANK_CODE, RANK_PHRASE, RANK_WORDS, RANK_CODE_PREFIX };

struct entry {
	uint32_t id;
	char *code;		/* ASCII-lowercased */
	char *key;		/* search key of the name */
	size_t key_len;
};

struct token {
	char *s;
	uint32_t *post;		/* entry positions, ascending, unique */
	uint32_t n_post;
};

struct pair {			/* (token, entry) while building */
	char *s;
	uint32_t pos;
};

struct search_index {
	struct entry *entries;
	size_t n_entries, alloc_entries;
	struct pair *pairs;
	size_t n_pairs, alloc_pairs;
	struct token *tokens;
	size_t n_tokens;
	uint32_t *by_code;	/* entry positions sorted by code */
	bool built;
};

struct search_index *search_index_new(void)
{
	return xcalloc(1, sizeof(struct search_index));
}

void search_index_free(struct search_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n_entries; i++) {
		free(ix->entries[i].code);
		free(ix->entries[i].key);
	}
	for (size_t i = 0; i < ix->n_pairs; i++)
		free(ix->pairs[i].s);
	for (size_t i = 0; i < ix->n_tokens; i++) {
		free(ix->tokens[i].s);
		free(ix->tokens[i].post);
	}
	free(ix->entries);
	free(ix->pairs);
	free(ix->tokens);
	free(ix->by_code);
	free(ix);
}

static char *lower_ascii_dup(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

int search_index_add(struct search_index *ix, uint32_t id, const char *code,
		     const char *name, struct buf *err)
{
	if (ix->built)
		BUG("search_index_add after build");
	struct buf key = BUF_INIT;
	int rc = text_search_key(name, strlen(name), &key, err);
	if (rc) {
		buf_release(&key);
		return rc;
	}
	if (ix->n_entries == ix->alloc_entries) {
		ix->alloc_entries = ix->alloc_entries ? 2 * ix->alloc_entries : 256;
		ix->entries = xrealloc(ix->entries, ix->alloc_entries *
							    sizeof(*ix->entries));
	}
	uint32_t pos = (uint32_t)ix->n_entries++;
	struct entry *e = &ix->entries[pos];
	e->id = id;
	e->code = lower_ascii_dup(code ? code : "");
	e->key_len = key.len;
	e->key = buf_detach(&key, NULL);

	const char *p = e->key;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		if (ix->n_pairs == ix->alloc_pairs) {
			ix->alloc_pairs = ix->alloc_pairs ? 2 * ix->alloc_pairs : 1024;
			ix->pairs = xrealloc(ix->pairs, ix->alloc_pairs *
								sizeof(*ix->pairs));
		}
		ix->pairs[ix->n_pairs].s = xstrndup(p, n);
		ix->pairs[ix->n_pairs].pos = pos;
		ix->n_pairs++;
		p += n;
		if (*p == ' ')
			p++;
	}
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->s, y->s);
	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* qsort has no context argument: the code sort goes through this. */
static _Thread_local const struct search_index *sort_ix;

static int cmp_code(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return strcmp(sort_ix->entries[x].code, sort_ix->entries[y].code);
}

void search_index_build(struct search_index *ix)
{
	if (ix->built)
		return;
	qsort(ix->pairs, ix->n_pairs, sizeof(*ix->pairs), cmp_pair);
	ix->tokens = xcalloc(ix->n_pairs ? ix->n_pairs : 1,
			     sizeof(*ix->tokens));
	size_t i = 0;
	while (i < ix->n_pairs) {
		size_t j = i;
		while (j < ix->n_pairs && !strcmp(ix->pairs[j].s, ix->pairs[i].s))
			j++;
		struct token *t = &ix->tokens[ix->n_tokens++];
		t->s = ix->pairs[i].s;
		ix->pairs[i].s = NULL;
		t->post = xmalloc((j - i) * sizeof(uint32_t));
		for (size_t k = i; k < j; k++) {
			if (!t->n_post || t->post[t->n_post - 1] != ix->pairs[k].pos)
				t->post[t->n_post++] = ix->pairs[k].pos;
			free(ix->pairs[k].s);
			ix->pairs[k].s = NULL;
		}
		i = j;
	}
	free(ix->pairs);
	ix->pairs = NULL;
	ix->n_pairs = ix->alloc_pairs = 0;

	ix->by_code = xmalloc((ix->n_entries ? ix->n_entries : 1) *
			      sizeof(uint32_t));
	for (size_t k = 0; k < ix->n_entries; k++)
		ix->by_code[k] = (uint32_t)k;
	sort_ix = ix;
	qsort(ix->by_code, ix->n_entries, sizeof(uint32_t), cmp_code);
	sort_ix = NULL;
	ix->built = true;
}

size_t search_index_count(const struct search_index *ix)
{
	return ix->n_entries;
}

/* First token >= w (binary search over the sorted tokens). */
static size_t token_lower_bound(const struct search_index *ix, const char *w,
				size_t n)
{
	size_t lo = 0, hi = ix->n_tokens;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(ix->tokens[mid].s, w, n) < 0 ||
		    (!strncmp(ix->tokens[mid].s, w, n) &&
		     strlen(ix->tokens[mid].s) < n))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Counts word `wi` for every entry holding it: cnt[e] goes from wi to
 * wi + 1, so after all words cnt[e] == n_words means "every word". The
 * last word also matches as a prefix.
 */
static void mark_word(const struct search_index *ix, const char *w, size_t n,
		      bool prefix, uint16_t wi, uint16_t *cnt)
{
	size_t t = token_lower_bound(ix, w, n);
	for (; t < ix->n_tokens; t++) {
		const struct token *tok = &ix->tokens[t];
		if (strncmp(tok->s, w, n))
			break;
		if (!prefix && tok->s[n])
			break;
		for (uint32_t k = 0; k < tok->n_post; k++)
			if (cnt[tok->post[k]] == wi)
				cnt[tok->post[k]] = (uint16_t)(wi + 1);
		if (!prefix)
			break;
	}
}

/* True when `phrase` occurs in `key` on word boundaries. */
static bool has_phrase(const char *key, const char *phrase, size_t n)
{
	const char *p = key;
	while ((p = strstr(p, phrase))) {
		if ((p == key || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
		p++;
	}
	return false;
}

struct hit {
	uint32_t pos;
	uint8_t rank;
	size_t key_len;
};

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void set_rank(uint8_t *rank, uint32_t pos, uint8_t r)
{
	if (!rank[pos] || r < rank[pos])
		rank[pos] = r;
}

/* Marks codes equal to (RANK_CODE) or starting with the query. */
static void match_codes(const struct search_index *ix, const char *q,
			uint8_t *rank)
{
	size_t n = strlen(q);
	if (!n || strchr(q, ' '))
		return;
	size_t lo = 0, hi = ix->n_entries;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->entries[ix->by_code[mid]].code, q) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n_entries; lo++) {
		const struct entry *e = &ix->entries[ix->by_code[lo]];
		if (strncmp(e->code, q, n))
			break;
		set_rank(rank, ix->by_code[lo],
			 e->code[n] ? RANK_CODE_PREFIX : RANK_CODE);
	}
}

static void match_words(const struct search_index *ix, const char *key,
			size_t key_len, uint8_t *rank)
{
	uint16_t *cnt = xcalloc(ix->n_entries ? ix->n_entries : 1,
				sizeof(uint16_t));
	uint16_t n_words = 0;
	const char *p = key;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		mark_word(ix, p, n, !sp, n_words, cnt);
		n_words++;
		p += n;
		if (*p == ' ')
			p++;
	}
	for (size_t e = 0; e < ix->n_entries; e++) {
		if (cnt[e] != n_words)
			continue;
		set_rank(rank, (uint32_t)e,
			 has_phrase(ix->entries[e].key, key, key_len) ?
				 RANK_PHRASE : RANK_WORDS);
	}
	free(cnt);
}

int search_run(const struct search_index *ix, const char *query,
	       search_filter_fn keep, void *ctx, size_t offset, size_t limit,
	       struct search_result *res, struct buf *err)
{
	struct buf key = BUF_INIT, code = BUF_INIT;
	uint8_t *rank = NULL;
	struct hit *hits = NULL;
	size_t n_hits = 0;
	int rc;

	if (!ix->built)
		BUG("search_run on an index that is not built");
	memset(res, 0, sizeof(*res));
	rc = text_search_key(query, strlen(query), &key, err);
	if (rc)
		goto out;
	text_squeeze(query, strlen(query), &code);
	for (size_t i = 0; i < code.len; i++)
		if (code.ptr[i] >= 'A' && code.ptr[i] <= 'Z')
			code.ptr[i] = (char)(code.ptr[i] - 'A' + 'a');

	hits = xmalloc((ix->n_entries ? ix->n_entries : 1) * sizeof(*hits));
	if (!code.len) {
		for (size_t e = 0; e < ix->n_entries; e++)
			if (!keep || keep(ix->entries[e].id, ctx))
				hits[n_hits++] = (struct hit){ (uint32_t)e, 0, 0 };
	} else {
		rank = xcalloc(ix->n_entries ? ix->n_entries : 1, 1);
		match_codes(ix, code.ptr, rank);
		if (key.len)
			match_words(ix, key.ptr, key.len, rank);
		for (size_t e = 0; e < ix->n_entries; e++) {
			if (!rank[e])
				continue;
			if (keep && !keep(ix->entries[e].id, ctx))
				continue;
			hits[n_hits++] = (struct hit){ (uint32_t)e, rank[e],
						       ix->entries[e].key_len };
		}
		qsort(hits, n_hits, sizeof(*hits), cmp_hit);
	}
	res->total = n_hits;
	if (offset < n_hits) {
		size_t n = n_hits - offset < limit ? n_hits - offset : limit;
		res->ids = xmalloc((n ? n : 1) * sizeof(uint32_t));
		for (size_t i = 0; i < n; i++)
			res->ids[i] = ix->entries[hits[offset + i].pos].id;
		res->n_ids = n;
	}
	rc = 0;
out:
	free(hits);
	free(rank);
	buf_release(&key);
	buf_release(&code);
	return rc;
}
