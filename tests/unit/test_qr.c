/*
 * test_qr.c - QR codes as SVG and PNG: structure, level M, quiet zone,
 * determinism and errors. Decoding by a real reader is the integration
 * test tests/integ/test_qr_decode.sh (zbarimg).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/qr.h"
#include "util/err.h"

#define URL "http://127.0.0.1:8080/t/1.000894"	/* 32 bytes */

/* Parses the SVG's path back into an n×n matrix of dark modules. */
static unsigned char *svg_matrix(const char *svg, int *n_out)
{
	int n = 0, n_paths = 0;
	const char *vb = strstr(svg, "viewBox=\"0 0 ");
	assert_non_null(vb);
	assert_int_equal(sscanf(vb, "viewBox=\"0 0 %d", &n), 1);
	unsigned char *m = calloc((size_t)n * (size_t)n, 1);
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	d += 4;
	while (*d == 'M') {
		int x, y, w, w2, used = 0;
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &w,
					&w2, &used), 4);
		assert_int_equal(w, w2);
		assert_true(w >= 1);
		for (int i = 0; i < w; i++) {
			assert_true(x + i < n && y < n);
			assert_int_equal(m[y * n + x + i], 0);	/* no overlap */
			m[y * n + x + i] = 1;
		}
		n_paths++;
		d += used;
	}
	assert_int_equal(*d, '"');
	/* Runs are merged: one subpath per maximal run of dark modules. */
	int n_runs = 0;
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (m[y * n + x] && (x == 0 || !m[y * n + x - 1]))
				n_runs++;
	assert_int_equal(n_paths, n_runs);
	*n_out = n;
	return m;
}

static void test_svg_structure(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(qr_svg(URL, "Mã QR <1.000894>", 0, &out, &err), 0);
	assert_true(!strncmp(out.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
			     38));
	assert_non_null(strstr(out.ptr, "shape-rendering=\"crispEdges\""));
	assert_non_null(strstr(out.ptr, "<title>Mã QR &lt;1.000894&gt;</title>"));
	assert_non_null(strstr(out.ptr, "role=\"img\""));
	assert_null(strstr(out.ptr, "width=\"37\" height=\"37\" viewBox"));
	assert_true(out.len > 8 && !strcmp(out.ptr + out.len - 6, "</svg>"));

	/* 32 bytes at level M need version 3 (29 modules); at level L they
	 * would fit version 2 (25). Plus 4 modules of quiet zone each side. */
	assert_int_equal(qr_modules(URL), 37);
	int n;
	unsigned char *m = svg_matrix(out.ptr, &n);
	assert_int_equal(n, 37);
	/* Quiet zone: no dark module in the outer 4 rows and columns. */
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (x < 4 || y < 4 || x >= n - 4 || y >= n - 4)
				assert_int_equal(m[y * n + x], 0);
	/* Top-left finder pattern at (4,4): dark 7×7 ring, light ring, dark
	 * 3×3 centre; then the light separator. */
	for (int y = 0; y < 8; y++)
		for (int x = 0; x < 8; x++) {
			int ring = x > y ? x : y;	/* Chebyshev distance from corner */
			int cx = abs(x - 3), cy = abs(y - 3);
			int c = cx > cy ? cx : cy;
			int want = ring == 7 ? 0 : (c == 3 || c <= 1);
			assert_int_equal(m[(y + 4) * n + x + 4], want);
		}
	free(m);
	buf_release(&out);
	buf_release(&err);
}

static void test_svg_size_and_hidden(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(qr_svg("x", NULL, 200, &out, &err), 0);
	assert_non_null(strstr(out.ptr, "width=\"200\" height=\"200\""));
	assert_non_null(strstr(out.ptr, "aria-hidden=\"true\""));
	assert_null(strstr(out.ptr, "<title>"));
	/* Version 1 (21 modules) plus the quiet zone. */
	assert_non_null(strstr(out.ptr, "viewBox=\"0 0 29 29\""));
	buf_release(&out);
	buf_release(&err);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT, err = BUF_INIT;
	assert_int_equal(qr_svg(URL, NULL, 0, &a, &err), 0);
	assert_int_equal(qr_svg(URL, NULL, 0, &b, &err), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_int_equal(qr_svg("http://127.0.0.1:8080/t/1.000895", NULL, 0,
				&c, &err), 0);
	assert_string_not_equal(a.ptr, c.ptr);
	buf_reset(&a);
	buf_reset(&b);
	assert_int_equal(qr_png(URL, 4, &a, &err), 0);
	assert_int_equal(qr_png(URL, 4, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
	buf_release(&err);
}

static uint32_t be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	       (uint32_t)u[2] << 8 | u[3];
}

static void test_png_header(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	buf_adds(&out, "keep");	/* qr_png appends */
	assert_int_equal(qr_png(URL, 5, &out, &err), 0);
	const char *p = out.ptr + 4;
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(p + 12, "IHDR", 4);
	assert_int_equal(be32(p + 16), 37 * 5);	/* width */
	assert_int_equal(be32(p + 20), 37 * 5);	/* height */
	assert_int_equal((unsigned char)p[24], 1);	/* bit depth */
	assert_int_equal((unsigned char)p[25], 0);	/* greyscale */
	assert_memory_equal(out.ptr + out.len - 8, "IEND\xae\x42\x60\x82", 8);
	assert_memory_equal(out.ptr, "keep", 4);
	buf_release(&out);
	buf_release(&err);
}

static void test_errors(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(qr_svg("", NULL, 0, &out, &err), MC_EINVALID);
	assert_int_equal(out.len, 0);
	assert_int_equal(qr_png(URL, 0, &out, &err), MC_EINVALID);
	assert_int_equal(qr_png(URL, 65, &out, &err), MC_EINVALID);
	/* Version 40-M holds 2331 bytes in 8-bit mode. */
	size_t big = 3000;
	char *s = malloc(big + 1);
	memset(s, 'a', big);
	s[big] = '\0';
	buf_reset(&err);
	assert_int_equal(qr_svg(s, NULL, 0, &out, &err), MC_ETOOBIG);
	assert_true(err.len > 0);
	assert_int_equal(qr_png(s, 2, &out, &err), MC_ETOOBIG);
	assert_int_equal(qr_modules(s), MC_ETOOBIG);
	assert_int_equal(out.len, 0);
	free(s);
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_structure),
		cmocka_unit_test(test_svg_size_and_hidden),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_png_header),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
