/*
 * dossier_code.c - formatting and parsing of dossier codes
 * AGENCY-YYMMDD-SEQ (format and sources: dossier_code.h). Pure.
 */
#include "core/dossier_code.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

static int check_agency(const char *a, size_t n, struct buf *err)
{
	if (n < 1 || n > 40) {
		buf_setf(err, "mã định danh cơ quan phải có 1-40 ký tự");
		return MC_EINVALID;
	}
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.')) {
			buf_setf(err, "mã định danh cơ quan chỉ gồm chữ in "
				      "hoa, chữ số và dấu chấm");
			return MC_EINVALID;
		}
	}
	return 0;
}

void dossier_code_day(int32_t day, char out[7])
{
	struct mc_civil c;
	mctime_to_local(mctime_day_start(day), &c);
	unsigned v[3] = { (unsigned)(c.year % 100), (unsigned)c.month,
			  (unsigned)c.day };
	for (int i = 0; i < 3; i++) {
		out[2 * i] = (char)('0' + v[i] / 10 % 10);
		out[2 * i + 1] = (char)('0' + v[i] % 10);
	}
	out[6] = '\0';
}

int dossier_code_format(const char *agency, mc_time received, int64_t seq,
			int min_digits, struct buf *out, struct buf *err)
{
	char day[7];
	int rc = check_agency(agency, agency ? strlen(agency) : 0, err);
	if (rc)
		return rc;
	if (seq < 1) {
		buf_setf(err, "số thứ tự trong ngày phải từ 1");
		return MC_EINVALID;
	}
	if (min_digits <= 0)
		min_digits = 4;
	if (min_digits > 9)
		min_digits = 9;
	dossier_code_day(mctime_local_day(received), day);
	buf_addf(out, "%s-%s-%0*lld", agency, day, min_digits, (long long)seq);
	return 0;
}

int dossier_code_parse(const char *code, struct dossier_code_parts *out,
		       struct buf *err)
{
	const char *d2 = strrchr(code, '-'), *d1;
	size_t alen, slen;
	int y, m, d;
	int64_t seq = 0;
	if (!d2 || d2 == code)
		goto bad;
	d1 = d2 - 1;
	while (d1 > code && *d1 != '-')
		d1--;
	if (*d1 != '-' || d2 - d1 != 7)
		goto bad;
	alen = (size_t)(d1 - code);
	if (alen >= sizeof out->agency || check_agency(code, alen, err))
		goto bad;
	for (int i = 1; i <= 6; i++)
		if (d1[i] < '0' || d1[i] > '9')
			goto bad;
	y = 2000 + (d1[1] - '0') * 10 + (d1[2] - '0');
	m = (d1[3] - '0') * 10 + (d1[4] - '0');
	d = (d1[5] - '0') * 10 + (d1[6] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		goto bad;
	{
		static const int mdays[12] = { 31, 29, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
			goto bad;
	}
	slen = strlen(d2 + 1);
	if (slen < 4 || slen > 12)
		goto bad;
	for (size_t i = 0; i < slen; i++) {
		if (d2[1 + i] < '0' || d2[1 + i] > '9')
			goto bad;
		seq = seq * 10 + (d2[1 + i] - '0');
	}
	memcpy(out->agency, code, alen);
	out->agency[alen] = '\0';
	out->day = mctime_local_day(mctime_from_local(y, m, d, 12, 0, 0));
	out->seq = seq;
	return 0;
bad:
	buf_setf(err, "Mã hồ sơ không đúng dạng MÃCƠQUAN-YYMMDD-SỐTHỨTỰ");
	return MC_EINVALID;
}
