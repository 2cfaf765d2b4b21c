/*
 * qr.c - QR codes as SVG strings and PNG images. libqrencode makes the
 * module matrix (level M, 8-bit mode); we add the quiet zone of 4 modules
 * (the minimum of ISO/IEC 18004 for QR Code symbols) and write the pixels.
 * See qr.h.
 */
#include "render/qr.h"

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "util/err.h"
#include "util/xalloc.h"

/* Encodes text; on failure sets err and returns NULL with *rc set. */
static QRcode *encode(const char *text, int *rc, struct buf *err)
{
	if (!text || !*text) {
		*rc = MC_EINVALID;
		buf_setf(err, "qr: empty text");
		return NULL;
	}
	errno = 0;
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!q) {
		*rc = errno == ERANGE ? MC_ETOOBIG : MC_EINVALID;
		buf_setf(err, "qr: cannot encode %zu bytes at level M",
			 strlen(text));
		return NULL;
	}
	*rc = 0;
	return q;
}

static inline int dark(const QRcode *q, int x, int y)
{
	return q->data[(size_t)y * (size_t)q->width + (size_t)x] & 1;
}

int qr_modules(const char *text)
{
	int rc;
	struct buf err = BUF_INIT;
	QRcode *q = encode(text, &rc, &err);
	buf_release(&err);
	if (!q)
		return rc;
	int n = q->width + 2 * QR_QUIET_ZONE;
	QRcode_free(q);
	return n;
}

int qr_svg(const char *text, const char *label, int size_px,
	   struct buf *out, struct buf *err)
{
	int rc;
	QRcode *q = encode(text, &rc, err);
	if (!q)
		return rc;
	int w = q->width, n = w + 2 * QR_QUIET_ZONE;

	buf_adds(out, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	if (size_px > 0)
		buf_addf(out, " width=\"%d\" height=\"%d\"", size_px, size_px);
	buf_addf(out, " viewBox=\"0 0 %d %d\" class=\"qr\"", n, n);
	if (label) {
		buf_adds(out, " role=\"img\" aria-label=\"");
		buf_add_html(out, label, strlen(label));
		buf_adds(out, "\"><title>");
		buf_add_html(out, label, strlen(label));
		buf_adds(out, "</title>");
	} else {
		buf_adds(out, " aria-hidden=\"true\">");
	}
	buf_addf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", n, n);
	buf_adds(out, "<path shape-rendering=\"crispEdges\" fill=\"#000\" d=\"");
	for (int y = 0; y < w; y++) {
		int x = 0;
		while (x < w) {
			if (!dark(q, x, y)) {
				x++;
				continue;
			}
			int start = x;
			while (x < w && dark(q, x, y))
				x++;
			/* One rectangle per run: move, right, down 1, back. */
			buf_addf(out, "M%d %dh%dv1h-%dz",
				 start + QR_QUIET_ZONE, y + QR_QUIET_ZONE,
				 x - start, x - start);
		}
	}
	buf_adds(out, "\"/></svg>");
	QRcode_free(q);
	return 0;
}

static void png_write_buf(png_structp png, png_bytep data, png_size_t len)
{
	buf_add(png_get_io_ptr(png), data, len);
}

static void png_flush_none(png_structp png)
{
	(void)png;
}

/*
 * Writes the PNG; split out so that the setjmp frame holds no variable
 * that is changed after setjmp (C11 7.13.2.1).
 */
static int write_png(const QRcode *q, int scale, struct buf *out)
{
	int n = q->width + 2 * QR_QUIET_ZONE;
	size_t px = (size_t)n * (size_t)scale;
	size_t row_bytes = (px + 7) / 8;	/* 1 bit per pixel */
	unsigned char *row = xmalloc(row_bytes);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING,
						  NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = MC_EIO;

	if (!png || !info)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_set_write_fn(png, out, png_write_buf, png_flush_none);
	png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 1,
		     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (size_t py = 0; py < px; py++) {
		int my = (int)(py / (size_t)scale) - QR_QUIET_ZONE;
		memset(row, 0xff, row_bytes);	/* 1 = white */
		for (size_t pxx = 0; pxx < px; pxx++) {
			int mx = (int)(pxx / (size_t)scale) - QR_QUIET_ZONE;
			if (my >= 0 && my < q->width && mx >= 0 &&
			    mx < q->width && dark(q, mx, my))
				row[pxx / 8] &= (unsigned char)~(0x80u >> (pxx % 8));
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	rc = 0;
out:
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	free(row);
	return rc;
}

int qr_png(const char *text, int scale, struct buf *out, struct buf *err)
{
	if (scale < 1 || scale > 64) {
		buf_setf(err, "qr: scale %d out of 1..64", scale);
		return MC_EINVALID;
	}
	int rc;
	QRcode *q = encode(text, &rc, err);
	if (!q)
		return rc;
	size_t start = out->len;
	rc = write_png(q, scale, out);
	if (rc) {
		buf_truncate(out, start);
		buf_setf(err, "qr: libpng failed to write the image");
	}
	QRcode_free(q);
	return rc;
}
