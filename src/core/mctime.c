/*
 * mctime.c - UTC instants <-> civil time in UTC+7, parsing and ISO 8601
 * formatting. The civil date arithmetic is calendar.c's (date_to_days);
 * nothing here reads the clock.
 */
#include "core/mctime.h"

#include <string.h>

#include "core/calendar.h"
#include "util/err.h"

mc_time mctime_from_local(int y, int mo, int d, int h, int mi, int s)
{
	return mctime_day_start(date_to_days(y, mo, d)) + h * 3600 + mi * 60 +
	       s;
}

void mctime_to_local(mc_time t, struct mc_civil *out)
{
	int32_t day = mctime_local_day(t);
	int32_t sod = mctime_local_sod(t);
	days_to_date(day, &out->year, &out->month, &out->day);
	out->hour = sod / 3600;
	out->min = sod / 60 % 60;
	out->sec = sod % 60;
	out->wday = days_weekday(day);
}

/* Reads exactly n digits at *p into *out; advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int mctime_parse(const char *s, mc_time *out, struct buf *err)
{
	int rc = MC_EINVALID;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = MC_TZ_OFFSET;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		goto bad;
	if (*p == ' ' || *p == 'T') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			goto bad;
		if (*p == ':' && (p++, digits(&p, 2, &sec)))
			goto bad;
		if (*p == 'Z') {
			off = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om, sign = *p == '-' ? -1 : 1;
			p++;
			if (digits(&p, 2, &oh) || *p++ != ':' ||
			    digits(&p, 2, &om) || oh > 14 || om > 59)
				goto bad;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p)
		goto bad;
	if (!date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59) {
		buf_setf(err, "'%s' is not a valid date and time", s);
		goto out;
	}
	*out = mctime_from_local(y, mo, d, h, mi, sec) + MC_TZ_OFFSET - off;
	rc = 0;
	goto out;
bad:
	buf_setf(err, "'%s' is not a time of the form YYYY-MM-DD HH:MM", s);
out:
	return rc;
}

static char *two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

size_t mctime_iso(mc_time t, char out[MCTIME_ISO_LEN + 1])
{
	struct mc_civil c;
	mctime_to_local(t, &c);
	if (c.year < 0 || c.year > 9999)	/* not a time we store */
		c.year = c.year < 0 ? 0 : 9999;
	char *p = two(out, c.year / 100);
	p = two(p, c.year % 100);
	*p++ = '-';
	p = two(p, c.month);
	*p++ = '-';
	p = two(p, c.day);
	*p++ = 'T';
	p = two(p, c.hour);
	*p++ = ':';
	p = two(p, c.min);
	*p++ = ':';
	p = two(p, c.sec);
	memcpy(p, "+07:00", 7);
	return MCTIME_ISO_LEN;
}

void mctime_format_iso(mc_time t, struct buf *out)
{
	char s[MCTIME_ISO_LEN + 1];
	buf_add(out, s, mctime_iso(t, s));
}

void mctime_format_local(mc_time t, struct buf *out)
{
	struct mc_civil c;
	mctime_to_local(t, &c);
	buf_addf(out, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day,
		 c.hour, c.min);
}
