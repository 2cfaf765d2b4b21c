/*
 * money.h - fees in đồng. The national catalog publishes fees as free text
 * ("120,000 VNĐ", "Miễn phí", "50.000 đồng/lần", "50,000 Việt Nam
 * Đồng(/văn bản)", "10 USD(/bản)"); this reads the plain cases into an
 * integer amount and refuses the rest, so the caller keeps the text and
 * shows it as published. Pure; never guesses.
 */
#ifndef MC_CORE_MONEY_H
#define MC_CORE_MONEY_H

#include <stdint.h>

#include "util/buf.h"

/*
 * Parses one fee text into đồng: "Miễn phí", "Miễn lệ phí", "Không",
 * "Không thu phí", "0" give 0; an integer with optional thousands
 * separators ("," or "." in groups of three), optionally followed by
 * "nghìn"/"ngàn"/"triệu", then a currency word (đồng, VNĐ, VND, đ, Việt
 * Nam Đồng), then an optional rate suffix ("/lần", "(/văn bản)"). A bare
 * number without currency word is also read as đồng.
 * MC_EINVALID (reason in err) for anything else: empty text, a foreign
 * currency, a range, several amounts, decimals, words around the amount.
 */
int money_parse_dong(const char *text, int64_t *out, struct buf *err);

/* Appends "50.000 đồng" (Vietnamese thousands dots) or "Miễn phí" for 0. */
void money_format_dong(int64_t dong, struct buf *out);

#endif
