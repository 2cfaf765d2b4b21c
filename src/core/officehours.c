/*
 * officehours.c - desk sessions and cut-off: defaults, the compact text
 * form and its canonical printing. Pure; no calendar knowledge here.
 */
#include "core/officehours.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

static const char *const day_names[7] = { "sun", "mon", "tue", "wed",
					  "thu", "fri", "sat" };
/* Vietnamese short names: thứ Hai = t2 ... thứ Bảy = t7, Chủ nhật = cn. */
static const char *const day_names_vi[7] = { "cn", "t2", "t3", "t4",
					     "t5", "t6", "t7" };

void officehours_default(struct officehours *oh)
{
	memset(oh, 0, sizeof(*oh));
	for (int w = 1; w <= 5; w++) {
		oh->sess[w][0] = (struct oh_session){ 7 * 60 + 30, 11 * 60 + 30 };
		oh->sess[w][1] = (struct oh_session){ 13 * 60 + 30, 17 * 60 };
		oh->n_sess[w] = 2;
	}
	oh->cutoff = 15 * 60;
	oh->makeup_wday = 1;
}

int officehours_day_minutes(const struct officehours *oh, int wday)
{
	int m = 0;
	for (int i = 0; i < oh->n_sess[wday]; i++)
		m += oh->sess[wday][i].end - oh->sess[wday][i].start;
	return m;
}

static void skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* A day name at *p (case-insensitive), advancing; -1 if none. */
static int read_day(const char **p)
{
	for (int w = 0; w < 7; w++) {
		const char *names[2] = { day_names[w], day_names_vi[w] };
		for (int k = 0; k < 2; k++) {
			size_t n = strlen(names[k]);
			if (strncasecmp(*p, names[k], n) == 0) {
				*p += n;
				return w;
			}
		}
	}
	return -1;
}

/* "HH:MM" (24:00 allowed as an end) at *p into minutes; -1 if malformed. */
static int read_hhmm(const char **p)
{
	const char *s = *p;
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	*p += 5;
	return h * 60 + m;
}

static bool at_clause_end(const char *p)
{
	return *p == '\0' || *p == ';';
}

/* "DAYS SESSIONS" clause; fills days[] with the weekdays named. */
static int parse_days(const char **p, bool days[7], struct buf *err)
{
	bool any = false;
	for (;;) {
		int a = read_day(p);
		if (a < 0)
			break;
		int b = a;
		if (**p == '-') {
			(*p)++;
			b = read_day(p);
			if (b < 0) {
				buf_setf(err, "a day name must follow '-'");
				return MC_EINVALID;
			}
		}
		/* Ranges run forward through the week: "fri-mon" wraps. */
		for (int w = a;; w = (w + 1) % 7) {
			days[w] = true;
			if (w == b)
				break;
		}
		any = true;
		if (**p != ',')
			break;
		(*p)++;
	}
	if (!any) {
		buf_setf(err, "expected a day name (mon..sun), 'cutoff' or "
			      "'makeup' at '%.20s'", *p);
		return MC_EINVALID;
	}
	return 0;
}

static int parse_sessions(const char **p, struct oh_session *s, int *n,
			  struct buf *err)
{
	*n = 0;
	for (;;) {
		skip_spaces(p);
		int a = read_hhmm(p);
		if (a < 0 || **p != '-') {
			buf_setf(err, "expected a session HH:MM-HH:MM at '%.20s'",
				 *p);
			return MC_EINVALID;
		}
		(*p)++;
		int b = read_hhmm(p);
		if (b < 0) {
			buf_setf(err, "expected the end HH:MM of a session at "
				      "'%.20s'", *p);
			return MC_EINVALID;
		}
		if (a >= b) {
			buf_setf(err, "a session must end after it starts "
				      "(%02d:%02d-%02d:%02d)", a / 60, a % 60,
				 b / 60, b % 60);
			return MC_EINVALID;
		}
		if (*n > 0 && a < s[*n - 1].end) {
			buf_setf(err, "sessions must be in order and must not "
				      "overlap");
			return MC_EINVALID;
		}
		if (*n == OH_MAX_SESSIONS) {
			buf_setf(err, "at most %d sessions a day",
				 OH_MAX_SESSIONS);
			return MC_EINVALID;
		}
		s[(*n)++] = (struct oh_session){ a, b };
		skip_spaces(p);
		if (**p != ',')
			return 0;
		(*p)++;
	}
}

int officehours_parse(const char *text, struct officehours *out,
		      struct buf *err)
{
	int rc = MC_EINVALID;
	struct officehours oh;
	bool seen[7] = { false }, seen_cutoff = false, seen_makeup = false;
	const char *p = text;

	memset(&oh, 0, sizeof(oh));
	oh.cutoff = -1;
	oh.makeup_wday = 1;
	for (;;) {
		skip_spaces(&p);
		if (*p == '\0')
			break;
		if (*p == ';') {
			p++;
			continue;
		}
		if (strncasecmp(p, "cutoff", 6) == 0) {
			p += 6;
			skip_spaces(&p);
			if (seen_cutoff) {
				buf_setf(err, "'cutoff' given twice");
				goto out;
			}
			seen_cutoff = true;
			if (strncasecmp(p, "none", 4) == 0) {
				p += 4;
				oh.cutoff = -1;
			} else if ((oh.cutoff = read_hhmm(&p)) < 0) {
				buf_setf(err, "expected 'cutoff HH:MM' or "
					      "'cutoff none'");
				goto out;
			}
		} else if (strncasecmp(p, "makeup", 6) == 0) {
			p += 6;
			skip_spaces(&p);
			if (seen_makeup) {
				buf_setf(err, "'makeup' given twice");
				goto out;
			}
			seen_makeup = true;
			if ((oh.makeup_wday = read_day(&p)) < 0) {
				buf_setf(err, "expected 'makeup DAY' (mon..sun)");
				goto out;
			}
		} else {
			bool days[7] = { false };
			struct oh_session s[OH_MAX_SESSIONS] = { { 0, 0 } };
			int n;
			if (parse_days(&p, days, err) ||
			    parse_sessions(&p, s, &n, err))
				goto out;
			for (int w = 0; w < 7; w++) {
				if (!days[w])
					continue;
				if (seen[w]) {
					buf_setf(err, "sessions for %s given "
						      "twice", day_names[w]);
					goto out;
				}
				seen[w] = true;
				memcpy(oh.sess[w], s, sizeof(s));
				oh.n_sess[w] = n;
			}
		}
		skip_spaces(&p);
		if (!at_clause_end(p)) {
			buf_setf(err, "unexpected text at '%.20s'", p);
			goto out;
		}
	}
	if (oh.n_sess[oh.makeup_wday] == 0) {
		buf_setf(err, "the make-up day keeps the hours of %s, which has "
			      "no session", day_names[oh.makeup_wday]);
		goto out;
	}
	*out = oh;
	rc = 0;
out:
	return rc;
}

static bool same_sessions(const struct officehours *oh, int a, int b)
{
	return oh->n_sess[a] == oh->n_sess[b] &&
	       !memcmp(oh->sess[a], oh->sess[b],
		       (size_t)oh->n_sess[a] * sizeof(struct oh_session));
}

/* "HH:MM" of minutes since midnight (0..1440), without printf: the
 * calendar cache formats a desk's hours on every intake. */
static void add_hhmm(struct buf *out, int min)
{
	char t[5] = { (char)('0' + min / 600), (char)('0' + min / 60 % 10),
		      ':', (char)('0' + min % 60 / 10),
		      (char)('0' + min % 10) };

	buf_add(out, t, sizeof t);
}

void officehours_format(const struct officehours *oh, struct buf *out)
{
	/* Monday first, Sunday last, consecutive equal days as a range. */
	static const int order[7] = { 1, 2, 3, 4, 5, 6, 0 };
	bool first = true;
	for (int i = 0; i < 7;) {
		int w = order[i];
		int j = i + 1;
		while (j < 7 && same_sessions(oh, w, order[j]))
			j++;
		if (oh->n_sess[w] > 0) {
			if (!first)
				buf_adds(out, "; ");
			first = false;
			buf_adds(out, day_names[w]);
			if (j - i > 1) {
				buf_addch(out, '-');
				buf_adds(out, day_names[order[j - 1]]);
			}
			for (int k = 0; k < oh->n_sess[w]; k++) {
				const struct oh_session *s = &oh->sess[w][k];
				buf_addch(out, k ? ',' : ' ');
				add_hhmm(out, s->start);
				buf_addch(out, '-');
				add_hhmm(out, s->end);
			}
		}
		i = j;
	}
	if (!first)
		buf_adds(out, "; ");
	if (oh->cutoff < 0)
		buf_adds(out, "cutoff none");
	else {
		buf_adds(out, "cutoff ");
		add_hhmm(out, oh->cutoff);
	}
	if (oh->makeup_wday != 1)
		buf_addf(out, "; makeup %s", day_names[oh->makeup_wday]);
}
