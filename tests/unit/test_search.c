/*
 * test_search.c - ranked search (core/search.h) on a small table and on the
 * shipped catalog (data/procedures.csv, read from the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/search.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/xalloc.h"

static char **codes;
static size_t n_codes;
static struct search_index *catalog;

static struct search_index *load_catalog(void)
{
	FILE *f = fopen("data/procedures.csv", "rb");
	assert_non_null(f);
	struct buf text = BUF_INIT, err = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	fclose(f);

	struct search_index *ix = search_index_new();
	struct csv c;
	csv_init(&c, text.ptr, text.len);
	assert_int_equal(csv_next(&c, &err), 1);
	int ic = csv_index(&c, "code"), in = csv_index(&c, "name");
	codes = xcalloc(4096, sizeof(char *));
	while (csv_next(&c, &err) == 1) {
		codes[n_codes] = xstrdup(c.fields[ic]);
		assert_int_equal(search_index_add(ix, (uint32_t)n_codes,
						  c.fields[ic], c.fields[in], &err),
				 0);
		n_codes++;
	}
	csv_release(&c);
	buf_release(&text);
	buf_release(&err);
	search_index_build(ix);
	return ix;
}

static int setup(void **state)
{
	(void)state;
	catalog = load_catalog();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	search_index_free(catalog);
	for (size_t i = 0; i < n_codes; i++)
		free(codes[i]);
	free(codes);
	return 0;
}

static const char *first(const char *q, size_t *total)
{
	struct search_result r;
	struct buf err = BUF_INIT;
	assert_int_equal(search_run(catalog, q, NULL, NULL, 0, 10, &r, &err), 0);
	*total = r.total;
	const char *c = r.n_ids ? codes[r.ids[0]] : "";
	free(r.ids);
	buf_release(&err);
	return c;
}

static void test_catalog_ranking(void **state)
{
	(void)state;
	size_t total;
	assert_int_equal(n_codes, 2642);
	assert_string_equal(first("dang ky ket hon", &total), "1.000894");
	assert_true(total >= 5);
	assert_string_equal(first("ĐĂNG KÝ KẾT HÔN", &total), "1.000894");
	assert_string_equal(first("Đăng ký kết hôn", &total), "1.000894");
	assert_string_equal(first("  dang  ky, ket hon ", &total), "1.000894");
	assert_string_equal(first("1.000894", &total), "1.000894");
	assert_string_equal(first("ket hon luu dong", &total), "1.000593");
	/* A prefix of the last word already finds it. */
	assert_string_equal(first("dang ky ket h", &total), "1.000894");
	assert_int_equal(total > 0, 1);
	first("khong co tu nay xyzzy", &total);
	assert_int_equal(total, 0);
}

static void test_code_prefix(void **state)
{
	(void)state;
	struct search_result r;
	struct buf err = BUF_INIT;
	assert_int_equal(search_run(catalog, "1.00089", NULL, NULL, 0, 100, &r,
				    &err), 0);
	assert_true(r.total >= 1);
	for (size_t i = 0; i < r.n_ids; i++)
		assert_memory_equal(codes[r.ids[i]], "1.00089", 7);
	free(r.ids);
	buf_release(&err);
}

static void test_empty_and_pages(void **state)
{
	(void)state;
	struct search_result a, b;
	struct buf err = BUF_INIT;
	assert_int_equal(search_run(catalog, "", NULL, NULL, 0, 20, &a, &err), 0);
	assert_int_equal(a.total, 2642);
	assert_int_equal(a.n_ids, 20);
	assert_int_equal(a.ids[0], 0);	/* insertion order */
	free(a.ids);
	assert_int_equal(search_run(catalog, "   ", NULL, NULL, 0, 5, &a, &err), 0);
	assert_int_equal(a.total, 2642);
	free(a.ids);

	/* Pages of "ho tich"-like queries are disjoint and in order. */
	assert_int_equal(search_run(catalog, "dang ky", NULL, NULL, 0, 10, &a,
				    &err), 0);
	assert_int_equal(search_run(catalog, "dang ky", NULL, NULL, 10, 10, &b,
				    &err), 0);
	assert_int_equal(a.total, b.total);
	assert_true(a.total > 20);
	assert_int_equal(a.n_ids, 10);
	assert_int_equal(b.n_ids, 10);
	for (size_t i = 0; i < 10; i++)
		for (size_t j = 0; j < 10; j++)
			assert_int_not_equal(a.ids[i], b.ids[j]);
	free(a.ids);
	free(b.ids);
	/* Past the end: no ids, the total is still given. */
	assert_int_equal(search_run(catalog, "dang ky", NULL, NULL, 100000, 10,
				    &a, &err), 0);
	assert_int_equal(a.n_ids, 0);
	assert_true(a.total > 20);
	free(a.ids);
	buf_release(&err);
}

static bool only_even(uint32_t id, void *ctx)
{
	(void)ctx;
	return id % 2 == 0;
}

static void test_small_table(void **state)
{
	(void)state;
	struct search_index *ix = search_index_new();
	struct buf err = BUF_INIT;
	struct search_result r;
	assert_int_equal(search_index_add(ix, 10, "A.1", "Cấp giấy phép xây dựng mới", &err), 0);
	assert_int_equal(search_index_add(ix, 11, "A.2", "Xây dựng giấy phép", &err), 0);
	assert_int_equal(search_index_add(ix, 12, "A.3", "Giấy phép", &err), 0);
	assert_int_equal(search_index_add(ix, 13, "B.1", "Khác", &err), 0);
	assert_int_equal(search_index_add(ix, 14, "B.2", "bad \xFF", &err),
			 MC_EINVALID);
	search_index_build(ix);
	assert_int_equal(search_index_count(ix), 4);

	/* Phrase first (shorter first), then all words in another order. */
	assert_int_equal(search_run(ix, "giay phep", NULL, NULL, 0, 10, &r, &err), 0);
	assert_int_equal(r.total, 3);
	assert_int_equal(r.ids[0], 12);
	assert_int_equal(r.ids[1], 11);
	assert_int_equal(r.ids[2], 10);
	free(r.ids);
	assert_int_equal(search_run(ix, "giay phep xay dung", NULL, NULL, 0, 10, &r, &err), 0);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.ids[0], 10);	/* the phrase, though longer */
	assert_int_equal(r.ids[1], 11);	/* all words, another order */
	free(r.ids);
	/* Code: exact before prefix; case-insensitive. */
	assert_int_equal(search_run(ix, "a.2", NULL, NULL, 0, 10, &r, &err), 0);
	assert_int_equal(r.total, 1);
	assert_int_equal(r.ids[0], 11);
	free(r.ids);
	assert_int_equal(search_run(ix, "A.", NULL, NULL, 0, 10, &r, &err), 0);
	assert_int_equal(r.total, 3);
	free(r.ids);
	/* Filter. */
	assert_int_equal(search_run(ix, "giay", only_even, NULL, 0, 10, &r, &err), 0);
	assert_int_equal(r.total, 2);
	assert_int_equal(r.ids[0], 12);
	assert_int_equal(r.ids[1], 10);
	free(r.ids);
	/* Invalid query. */
	assert_int_equal(search_run(ix, "\xC3", NULL, NULL, 0, 10, &r, &err),
			 MC_EINVALID);
	search_index_free(ix);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_ranking),
		cmocka_unit_test(test_code_prefix),
		cmocka_unit_test(test_empty_and_pages),
		cmocka_unit_test(test_small_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
