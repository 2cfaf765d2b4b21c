/*
 * money.c - fee text to đồng, and back. See money.h. Works on the search
 * key of the text (util/text.h), so case, diacritics and punctuation
 * spacing do not matter, but the digits are read from the original text
 * (the key turns "120,000" into "120 000").
 */
#include "core/money.h"

#include <stdbool.h>
#include <string.h>

#include "util/err.h"
#include "util/text.h"

static const char *const free_words[] = {
	"mien phi", "mien le phi", "mien phi le phi", "khong",
	"khong thu phi", "khong thu", "khong mat phi", "0",
};

/* Currency words, longest first (keys). */
static const char *const currency_words[] = {
	"viet nam dong", "dong viet nam", "dong", "vnd", "d",
};

/*
 * Reads the amount at the start of s: digits with optional thousands
 * separators. Returns the number of bytes used, 0 when there is none or
 * the grouping is not in threes (a decimal such as "1,5").
 */
static size_t read_amount(const char *s, int64_t *out)
{
	size_t i = 0, group = 0;
	int64_t v = 0;
	bool sep_seen = false;
	if (s[0] < '0' || s[0] > '9')
		return 0;
	while (s[i]) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (v > (INT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (c - '0');
			group++;
			i++;
		} else if ((c == ',' || c == '.') && s[i + 1] >= '0' &&
			   s[i + 1] <= '9') {
			if (sep_seen && group != 3)
				return 0;
			if (!sep_seen && (group < 1 || group > 3))
				return 0;
			sep_seen = true;
			group = 0;
			i++;
		} else {
			break;
		}
	}
	if (sep_seen && group != 3)
		return 0;
	*out = v;
	return i;
}

static bool starts_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return !strncmp(s, w, n) && (s[n] == '\0' || s[n] == ' ');
}

int money_parse_dong(const char *text, int64_t *out, struct buf *err)
{
	struct buf raw = BUF_INIT, key = BUF_INIT;
	int rc = MC_EINVALID;
	int64_t v = 0;

	text_squeeze(text, strlen(text), &raw);
	if (text_search_key(raw.ptr, raw.len, &key, err))
		goto out;
	if (!key.len) {
		if (err)
			buf_setf(err, "no fee given");
		goto out;
	}
	for (size_t i = 0; i < sizeof(free_words) / sizeof(*free_words); i++)
		if (!strcmp(key.ptr, free_words[i])) {
			*out = 0;
			rc = 0;
			goto out;
		}

	size_t used = read_amount(raw.ptr, &v);
	if (!used)
		goto bad;
	/* The rest, as a key: multiplier, currency, rate suffix. */
	struct buf rest = BUF_INIT;
	const char *r = raw.ptr + used;
	bool slash = false;
	/* A rate suffix starts at "/" or "(/": drop it. */
	const char *sl = strchr(r, '/');
	if (sl) {
		slash = true;
		if (sl > r && sl[-1] == '(')
			sl--;
	}
	if (text_search_key(r, sl ? (size_t)(sl - r) : strlen(r), &rest, NULL)) {
		buf_release(&rest);
		goto bad;
	}
	const char *p = rest.ptr;
	if (v > INT64_MAX / 1000000) {
		buf_release(&rest);
		goto bad;
	}
	if (starts_word(p, "trieu")) {
		v *= 1000000;
		p += 5;
	} else if (starts_word(p, "nghin")) {
		v *= 1000;
		p += 5;
	} else if (starts_word(p, "ngan")) {
		v *= 1000;
		p += 4;
	}
	while (*p == ' ')
		p++;
	bool cur = false;
	for (size_t i = 0; i < sizeof(currency_words) / sizeof(*currency_words);
	     i++)
		if (starts_word(p, currency_words[i])) {
			p += strlen(currency_words[i]);
			cur = true;
			break;
		}
	while (*p == ' ')
		p++;
	/* A rate suffix ("/lần") needs a currency word before it. */
	bool ok = *p == '\0' && (cur || !slash);
	buf_release(&rest);
	if (!ok)
		goto bad;
	*out = v;
	rc = 0;
	goto out;
bad:
	if (err)
		buf_setf(err, "cannot read a fee in đồng from \"%s\"", raw.ptr);
out:
	buf_release(&raw);
	buf_release(&key);
	return rc;
}

void money_format_dong(int64_t dong, struct buf *out)
{
	if (dong == 0) {
		buf_adds(out, "Miễn phí");
		return;
	}
	char digits[24];
	int n = 0;
	uint64_t u = dong < 0 ? (uint64_t)(-(dong + 1)) + 1 : (uint64_t)dong;
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (dong < 0)
		buf_addch(out, '-');
	for (int i = n - 1; i >= 0; i--) {
		buf_addch(out, digits[i]);
		if (i && i % 3 == 0)
			buf_addch(out, '.');
	}
	buf_adds(out, " đồng");
}
