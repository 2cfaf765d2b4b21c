/*
 * duration.c - processing times with an explicit unit: the parser of the
 * catalog's Vietnamese phrases, the canonical text and the stable code.
 * Pure. Nothing is guessed: a phrase without a unit is an error.
 */
#include "core/duration.h"

#include <stdint.h>
#include <string.h>

#include "util/err.h"

/* Longest phrase head we look at; catalog notes after it are ignored. */
#define FOLD_MAX 128
/* "absurd" bounds (duration.h): ten years of days, the same in hours. */
#define MAX_DAYS 3650
#define MAX_HOURS (MAX_DAYS * 24)

/*
 * ASCII base letter of the Latin letters Vietnamese uses, by code point:
 * U+00C0..U+00FF, U+0100..U+01B0 and U+1EA0..U+1EF9 ('?' = not a letter
 * we fold). Generated from the Unicode decompositions; đ/Đ map to d.
 */
static const char fold_latin1[] =
	"aaaaaa?ceeeeiiii?nooooo??uuuuy??aaaaaa?ceeeeiiii?nooooo??uuuuy?y";
static const char fold_ext[] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghh??iiiiiiiii???jjkk?llllll????"
	"nnnnnn???oooooo??rrrrrrsssssssstttt??uuuuuuuuuuuuwwyyyzzzzzz???????"
	"??????????????????????????oo?????????????uu";
static const char fold_viet[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooo"
	"uuuuuuuuuuuuuuyyyyyyyy";

/* Decodes one UTF-8 sequence at s; returns its length (1 on bad bytes). */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0F) << 12 |
		      (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		return 3;
	}
	*cp = 0xFFFD;
	return 1;
}

/*
 * Folds `text` to lower-case ASCII words separated by single spaces into
 * out[FOLD_MAX]. marked[i] tells whether the letter at out[i] carried a
 * diacritic (to tell "ngày", a day, from "ngay", at once). Combining marks
 * (decomposed input) mark the previous letter.
 */
static void fold(const char *text, char *out, bool *marked)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0;
	bool space = true;

	while (*s && n + 1 < FOLD_MAX) {
		uint32_t cp;
		s += utf8_next(s, &cp);
		char c = '?';
		bool mark = false;
		if (cp >= 0x300 && cp <= 0x36F) {
			if (n > 0)
				marked[n - 1] = true;
			continue;
		}
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
		    cp == 0xA0) {
			if (!space)
				out[n++] = ' ';
			space = true;
			continue;
		}
		if (cp < 0x80) {
			c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		} else {
			mark = true;
			if (cp >= 0xC0 && cp <= 0xFF)
				c = fold_latin1[cp - 0xC0];
			else if (cp >= 0x100 && cp <= 0x1B0)
				c = fold_ext[cp - 0x100];
			else if (cp >= 0x1EA0 && cp <= 0x1EF9)
				c = fold_viet[cp - 0x1EA0];
		}
		marked[n] = mark;
		out[n++] = c;
		space = false;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || c == '?';
}

/*
 * If the words `w` start at *p and end at a word boundary, advances *p past
 * them (and one following space) and returns true.
 */
static bool eat(const char **p, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(*p, w, n) != 0 || is_letter((*p)[n]))
		return false;
	*p += n;
	if (**p == ' ')
		(*p)++;
	return true;
}

/* Phrases meaning "the same day" (trong ngày, ngay). */
static bool same_day(const char *p, const char *base, const bool *marked)
{
	if (eat(&p, "ngay trong ngay") || eat(&p, "trong ngay"))
		return true;
	/* A bare "ngay" means at once; a bare "ngày" is a unit with no amount. */
	const char *q = p;
	if (eat(&q, "ngay")) {
		size_t at = (size_t)(p - base);
		return !marked[at + 2]; /* the a of "ngay" */
	}
	return false;
}

int duration_parse(const char *text, struct duration *out, struct buf *err)
{
	int rc = MC_EINVALID;
	char f[FOLD_MAX];
	bool marked[FOLD_MAX] = { false };
	static const char *const prefixes[] = {
		"khong qua", "trong vong", "trong thoi han", "toi da",
		"trong", "la",
	};

	fold(text, f, marked);
	const char *p = f;
	if (!*p) {
		buf_setf(err, "empty processing time");
		goto out;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		const char *q = p;
		if (eat(&q, prefixes[i]) && (*q >= '0' && *q <= '9')) {
			p = q;
			break;
		}
	}
	if (same_day(p, f, marked)) {
		out->unit = DUR_SAME_DAY;
		out->amount = 0;
		rc = 0;
		goto out;
	}
	if (*p == '-') {
		buf_setf(err, "'%s': a negative processing time", text);
		goto out;
	}
	if (*p < '0' || *p > '9') {
		buf_setf(err, "'%s': no amount and unit (e.g. \"3 ngày làm "
			      "việc\", \"4 giờ làm việc\", \"Trong ngày\")",
			 text);
		goto out;
	}
	long amount = 0;
	while (*p >= '0' && *p <= '9') {
		if (amount < 1000000)
			amount = amount * 10 + (*p - '0');
		p++;
	}
	if ((*p == ',' || *p == '.') && p[1] >= '0' && p[1] <= '9') {
		buf_setf(err, "'%s': a fractional amount is not supported; "
			      "give it in a smaller unit", text);
		goto out;
	}
	if (*p == ' ')
		p++;
	enum duration_unit unit;
	long limit = MAX_DAYS;
	if (eat(&p, "ngay lam viec")) {
		unit = DUR_WORKING_DAYS;
	} else if (eat(&p, "gio lam viec") || eat(&p, "gio")) {
		/*
		 * The catalog flattened "giờ làm việc" to "Giờ" (DonViTinh
		 * "Giờ" of the QĐ 766 data model); read as working hours.
		 * NEEDSWORK: UNCONFIRMED that no procedure means clock hours.
		 */
		unit = DUR_WORKING_HOURS;
		limit = MAX_HOURS;
	} else if (eat(&p, "ngay")) {
		unit = DUR_CALENDAR_DAYS;
	} else if (eat(&p, "tuan")) {
		/* Civil Code 2015 arts. 144-148 (research §7.4): a week is 7 days. */
		unit = DUR_CALENDAR_DAYS;
		amount *= 7;
	} else if (eat(&p, "thang") || eat(&p, "nam") || eat(&p, "phut")) {
		buf_setf(err, "'%s': months, years and minutes are not a "
			      "supported unit", text);
		goto out;
	} else {
		buf_setf(err, "'%s': the unit is missing (ngày làm việc, giờ "
			      "làm việc, ngày, trong ngày)", text);
		goto out;
	}
	if (amount > limit) {
		buf_setf(err, "'%s': more than %ld is not a plausible "
			      "processing time", text, limit);
		goto out;
	}
	out->unit = unit;
	out->amount = (int)amount;
	rc = 0;
out:
	return rc;
}

void duration_format(const struct duration *d, struct buf *out)
{
	switch (d->unit) {
	case DUR_WORKING_DAYS:
		buf_addf(out, "%d ngày làm việc", d->amount);
		break;
	case DUR_WORKING_HOURS:
		buf_addf(out, "%d giờ làm việc", d->amount);
		break;
	case DUR_CALENDAR_DAYS:
		buf_addf(out, "%d ngày", d->amount);
		break;
	case DUR_SAME_DAY:
		buf_adds(out, "Trong ngày");
		break;
	}
}

static const char *const unit_codes[] = {
	[DUR_WORKING_DAYS] = "wd",
	[DUR_WORKING_HOURS] = "wh",
	[DUR_CALENDAR_DAYS] = "cd",
	[DUR_SAME_DAY] = "sd",
};

void duration_code(const struct duration *d, struct buf *out)
{
	buf_add_int(out, d->unit == DUR_SAME_DAY ? 0 : d->amount);
	buf_adds(out, unit_codes[d->unit]);
}

int duration_from_code(const char *code, struct duration *out,
		       struct buf *err)
{
	int rc = MC_EINVALID;
	const char *p = code;
	long amount = 0;
	if (*p < '0' || *p > '9')
		goto bad;
	while (*p >= '0' && *p <= '9') {
		if (amount < 1000000)
			amount = amount * 10 + (*p - '0');
		p++;
	}
	for (int u = 0; u < (int)(sizeof(unit_codes) / sizeof(*unit_codes));
	     u++) {
		if (strcmp(p, unit_codes[u]) != 0)
			continue;
		long limit = u == DUR_WORKING_HOURS ? MAX_HOURS : MAX_DAYS;
		if ((u == DUR_SAME_DAY && amount != 0) || amount > limit)
			goto bad;
		out->unit = (enum duration_unit)u;
		out->amount = (int)amount;
		rc = 0;
		goto out;
	}
bad:
	buf_setf(err, "'%s' is not a duration code (e.g. 3wd, 4wh, 15cd, 0sd)",
		 code);
out:
	return rc;
}
