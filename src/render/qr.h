/*
 * qr.h - QR codes (ISO/IEC 18004) for the commune boards, receipts and
 * single-code downloads: libqrencode builds the matrix, this module writes
 * it as an SVG string or a PNG image. Always error correction level M and a
 * quiet zone of 4 modules (the minimum ISO/IEC 18004 requires).
 * Pure rendering: no I/O, no clock; output is a deterministic function of
 * the input text and options. Safe to call from any number of threads.
 */
#ifndef MC_RENDER_QR_H
#define MC_RENDER_QR_H

#include <stddef.h>

#include "util/buf.h"

/* Modules of light border around the symbol on every side. */
#define QR_QUIET_ZONE 4

/*
 * Appends to `out` one <svg> element showing `text` encoded as a QR code
 * (8-bit mode, version chosen by size, level M). The viewBox is in modules,
 * quiet zone included ("0 0 N N"); the dark modules are one <path> whose
 * subpaths are rectangles, one per horizontal run of dark modules in a row,
 * drawn with shape-rendering="crispEdges" on a white background rect.
 *
 * `size_px` > 0 sets width and height attributes (a standalone .svg file);
 * 0 leaves the size to CSS (inline in a page). `label`, when not NULL, is
 * written (HTML-escaped) as the <title> and aria-label (role="img");
 * otherwise the image is aria-hidden. The result is safe to embed raw in
 * HTML: every value in it is either a number or escaped.
 *
 * Returns 0; MC_ETOOBIG when the text does not fit in a version 40 symbol;
 * MC_EINVALID for empty text. The reason goes into err.
 */
int qr_svg(const char *text, const char *label, int size_px,
	   struct buf *out, struct buf *err);

/*
 * Appends to `out` a PNG image (8-bit greyscale, black on white) of `text`
 * encoded as above, `scale` pixels per module (1..64), quiet zone included.
 * Same errors as qr_svg(); MC_EINVALID for a bad scale; MC_EIO if libpng
 * fails.
 */
int qr_png(const char *text, int scale, struct buf *out, struct buf *err);

/*
 * The side of the symbol of `text` in modules, quiet zone included, or a
 * negative MC_E* code (as qr_svg()). For tests and layout.
 */
int qr_modules(const char *text);

#endif
