/*
 * deadline.c - the deadline engine: an index of working minutes and
 * working days per local day over the calendar's range, then every
 * question (due, elapsed, progress, split) is answered on the "clock"
 * C(t) = working seconds before t. The rules are in deadline.h. Pure.
 */
#include "core/deadline.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

/* duration.h's bounds: ten years of days, the same in hours. */
#define MAX_DAYS 3650
#define MAX_HOURS (MAX_DAYS * 24)
#define MAX_WEIGHT 1000000
#define MAX_STEPS 1000

void deadline_policy_default(struct deadline_policy *p)
{
	p->count = DL_COUNT_DAY_END;
	p->rest_day_sessions_count = false;
	p->approach_permille = 200;
}

static const char *const count_names[] = {
	[DL_COUNT_DAY_END] = "day-end",
	[DL_COUNT_HOUR_EXACT] = "hour-exact",
};

const char *deadline_count_name(enum deadline_count c)
{
	return (unsigned)c < ARRAY_SIZE(count_names) ? count_names[c] : "?";
}

int deadline_count_parse(const char *s, enum deadline_count *out,
			 struct buf *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(count_names); i++) {
		if (!strcmp(s, count_names[i])) {
			*out = (enum deadline_count)i;
			return 0;
		}
	}
	buf_setf(err, "unknown policy '%s' (day-end or hour-exact)", s);
	return MC_EINVALID;
}

static const char *const class_names[] = {
	[DL_EARLY] = "early",
	[DL_ON_TIME] = "on_time",
	[DL_LATE] = "late",
};

const char *deadline_class_name(enum deadline_class c)
{
	return (unsigned)c < ARRAY_SIZE(class_names) ? class_names[c] : "?";
}

/* The sessions template (1 + weekday) of a day, 0 when it is off. */
static int day_template(const struct deadline *d, const struct calendar *cal,
			int32_t day, int *tmpl, struct buf *err)
{
	bool work;
	int rc = calendar_is_workday(cal, day, &work, err);
	if (rc)
		return rc;
	const struct day_entry *e = calendar_entry(cal, day);
	int w = days_weekday(day);
	int k = -1;
	if (work)
		/* A make-up day keeps an ordinary weekday's hours. */
		k = e && e->kind == DAY_MAKEUP ? d->oh.makeup_wday : w;
	else if (d->pol.rest_day_sessions_count && !e)
		k = w;
	*tmpl = k >= 0 && d->oh.n_sess[k] > 0 ? k + 1 : 0;
	return 0;
}

int deadline_init(struct deadline *d, const struct calendar *cal,
		  const struct officehours *oh,
		  const struct deadline_policy *pol, struct buf *err)
{
	return deadline_init_years(d, cal, oh, pol, cal->first_year,
				   cal->last_year, err);
}

int deadline_init_years(struct deadline *d, const struct calendar *cal,
			const struct officehours *oh,
			const struct deadline_policy *pol, int first_year,
			int last_year, struct buf *err)
{
	int rc = MC_EINVALID;

	memset(d, 0, sizeof(*d));
	if (first_year < cal->first_year || last_year > cal->last_year ||
	    first_year > last_year) {
		buf_setf(err, "years %d..%d are not inside the calendar "
			      "(%d..%d)", first_year, last_year,
			 cal->first_year, cal->last_year);
		return MC_ERANGE;
	}
	d->oh = *oh;
	if (pol)
		d->pol = *pol;
	else
		deadline_policy_default(&d->pol);
	if ((unsigned)oh->makeup_wday > 6 ||
	    officehours_day_minutes(oh, oh->makeup_wday) <= 0) {
		buf_setf(err, "the desk has no sessions on its ordinary day");
		goto out;
	}
	if ((unsigned)d->pol.count >= ARRAY_SIZE(count_names) ||
	    d->pol.approach_permille < 0 || d->pol.approach_permille > 1000) {
		buf_setf(err, "invalid deadline policy");
		goto out;
	}
	d->std_day_min = officehours_day_minutes(oh, oh->makeup_wday);
	d->first_year = first_year;
	d->last_year = last_year;
	d->first_day = date_to_days(first_year, 1, 1);
	d->n_days = date_to_days(last_year + 1, 1, 1) - d->first_day;
	d->tmpl = xmalloc((size_t)d->n_days);
	d->cum_min = xmalloc(((size_t)d->n_days + 1) * sizeof(int32_t));
	d->cum_wd = xmalloc(((size_t)d->n_days + 1) * sizeof(int32_t));
	d->cum_min[0] = 0;
	d->cum_wd[0] = 0;
	for (int32_t i = 0; i < d->n_days; i++) {
		int k;
		rc = day_template(d, cal, d->first_day + i, &k, err);
		if (rc)
			goto out;
		d->tmpl[i] = (uint8_t)k;
		d->cum_min[i + 1] = d->cum_min[i] +
				    (k ? officehours_day_minutes(oh, k - 1) : 0);
		d->cum_wd[i + 1] = d->cum_wd[i] + (k != 0);
	}
	rc = 0;
out:
	if (rc)
		deadline_release(d);
	return rc;
}

void deadline_release(struct deadline *d)
{
	free(d->tmpl);
	free(d->cum_min);
	free(d->cum_wd);
	d->tmpl = NULL;
	d->cum_min = d->cum_wd = NULL;
	d->n_days = 0;
}

/* ---- the clock --------------------------------------------------------- */

static int out_of_range(const struct deadline *d, mc_time t, struct buf *err)
{
	struct buf s = BUF_INIT;
	mctime_format_local(t, &s);
	buf_setf(err, "%s is outside the calendar (years %d..%d)", s.ptr,
		 d->first_year, d->last_year);
	buf_release(&s);
	return MC_ERANGE;
}

static int due_out_of_range(const struct deadline *d, struct buf *err)
{
	buf_setf(err, "the due time falls after %d, the last year of the "
		      "calendar", d->last_year);
	return MC_ERANGE;
}

/* Index of the local day of t, or -1 outside the range. */
static int32_t day_index(const struct deadline *d, mc_time t)
{
	int64_t i = (int64_t)mctime_local_day(t) - d->first_day;
	return i >= 0 && i < d->n_days ? (int32_t)i : -1;
}

static const struct oh_session *sessions(const struct deadline *d,
					 int32_t idx, int *n)
{
	int k = d->tmpl[idx] - 1;
	*n = d->oh.n_sess[k];
	return d->oh.sess[k];
}

/* C(t) for t on day idx at `sod` seconds after local midnight. */
static int64_t clock_in_day(const struct deadline *d, int32_t idx, int32_t sod)
{
	int64_t c = (int64_t)d->cum_min[idx] * 60;
	if (!d->tmpl[idx])
		return c;
	int n;
	const struct oh_session *s = sessions(d, idx, &n);
	for (int i = 0; i < n; i++) {
		int32_t a = s[i].start * 60, b = s[i].end * 60;
		if (sod >= b) {
			c += b - a;
		} else {
			if (sod > a)
				c += sod - a;
			break;
		}
	}
	return c;
}

/* C(t), clamped to the ends of the range (for pauses reaching outside). */
static int64_t clock_clamped(const struct deadline *d, mc_time t)
{
	int64_t i = (int64_t)mctime_local_day(t) - d->first_day;
	if (i < 0)
		return 0;
	if (i >= d->n_days)
		return (int64_t)d->cum_min[d->n_days] * 60;
	return clock_in_day(d, (int32_t)i, mctime_local_sod(t));
}

/*
 * The smallest i >= from with cum[i + 1] >= key (cum has n + 1 entries,
 * non-decreasing), or -1. Exponential then binary search: the answer is
 * usually a few days after `from`.
 */
static int32_t search(const int32_t *cum, int32_t n, int32_t from, int64_t key)
{
	if (from < 0 || from >= n)
		return -1;
	if (cum[from + 1] >= key)
		return from;
	int32_t lo = from, hi, step = 1;
	for (;;) {
		hi = lo + step;
		if (hi >= n - 1) {
			hi = n - 1;
			if (cum[hi + 1] < key)
				return -1;
			break;
		}
		if (cum[hi + 1] >= key)
			break;
		lo = hi;
		step *= 2;
	}
	while (hi - lo > 1) {
		int32_t mid = lo + (hi - lo) / 2;
		if (cum[mid + 1] >= key)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* The first working day at or after index j, or -1. */
static int32_t next_workday(const struct deadline *d, int32_t j)
{
	if (j < 0 || j >= d->n_days)
		return -1;
	return search(d->cum_wd, d->n_days, j, (int64_t)d->cum_wd[j] + 1);
}

/*
 * The earliest instant t >= lo_t (on day lo_idx) with C(t) >= target.
 * MC_ERANGE when the calendar ends first.
 */
static int clock_inverse(const struct deadline *d, int64_t target,
			 int32_t lo_idx, mc_time lo_t, mc_time *out,
			 struct buf *err)
{
	int64_t key = (target + 59) / 60;
	int32_t idx = search(d->cum_min, d->n_days, lo_idx, key);
	if (idx < 0)
		return due_out_of_range(d, err);
	int64_t rem = target - (int64_t)d->cum_min[idx] * 60;
	mc_time t = lo_t;
	if (rem > 0) {
		int n;
		const struct oh_session *s = sessions(d, idx, &n);
		for (int i = 0; i < n; i++) {
			int64_t len = (int64_t)(s[i].end - s[i].start) * 60;
			if (rem <= len) {
				t = mctime_day_start(d->first_day + idx) +
				    s[i].start * 60 + rem;
				break;
			}
			rem -= len;
		}
	}
	*out = t > lo_t ? t : lo_t;
	return 0;
}

/* The receipt rules (deadline.h): the effective start and its day. */
static int effective_start(const struct deadline *d, mc_time t, mc_time *out,
			   int32_t *out_idx, struct buf *err)
{
	int32_t idx = day_index(d, t);
	if (idx < 0)
		return out_of_range(d, t, err);
	int32_t sod = mctime_local_sod(t);
	if (d->tmpl[idx] && (d->oh.cutoff < 0 || sod / 60 <= d->oh.cutoff)) {
		int n;
		const struct oh_session *s = sessions(d, idx, &n);
		for (int i = 0; i < n; i++) {
			if (sod < s[i].end * 60) {
				mc_time a = mctime_day_start(d->first_day + idx) +
					    s[i].start * 60;
				*out = t > a ? t : a;
				*out_idx = idx;
				return 0;
			}
		}
	}
	/* After the cut-off, after the close, or a day off. */
	int32_t j = next_workday(d, idx + 1);
	if (j < 0)
		return due_out_of_range(d, err);
	int n;
	const struct oh_session *s = sessions(d, j, &n);
	*out = mctime_day_start(d->first_day + j) + s[0].start * 60;
	*out_idx = j;
	return 0;
}

int deadline_start(const struct deadline *d, mc_time t, mc_time *out,
		   struct buf *err)
{
	int32_t idx;
	return effective_start(d, t, out, &idx, err);
}

/* A request turned into clock values: the allotment is target - base. */
struct plan {
	mc_time start;		/* effective start */
	int32_t idx;		/* its day index (D) */
	int64_t base;		/* clock start */
	int64_t target;		/* clock value at the due, without pauses */
};

static int check_request(const struct deadline_req *r, struct buf *err)
{
	const struct duration *du = &r->dur;
	int limit = du->unit == DUR_WORKING_HOURS ? MAX_HOURS : MAX_DAYS;
	if ((unsigned)du->unit > DUR_SAME_DAY || du->amount < 0 ||
	    du->amount > limit) {
		buf_setf(err, "malformed duration (unit %d, amount %d)",
			 (int)du->unit, du->amount);
		return MC_EINVALID;
	}
	if (r->n_pauses < 0 || (r->n_pauses > 0 && !r->pauses)) {
		buf_setf(err, "malformed pause list");
		return MC_EINVALID;
	}
	for (int i = 0; i < r->n_pauses; i++) {
		if (r->pauses[i].end < r->pauses[i].start) {
			buf_setf(err, "pause %d ends before it starts", i + 1);
			return MC_EINVALID;
		}
		if (i > 0 && r->pauses[i].start < r->pauses[i - 1].start) {
			buf_setf(err, "pauses must be sorted by start");
			return MC_EINVALID;
		}
	}
	if (r->has_restart && r->restart < r->received) {
		buf_setf(err, "the restart is before the receipt");
		return MC_EINVALID;
	}
	return 0;
}

static int make_plan(const struct deadline *d, const struct deadline_req *r,
		     struct plan *p, struct buf *err)
{
	int rc = check_request(r, err);
	if (rc)
		return rc;
	mc_time t0 = r->has_restart ? r->restart : r->received;
	if (r->flags & DL_REQ_RAW_START) {
		p->start = t0;
		p->idx = day_index(d, t0);
		if (p->idx < 0)
			return out_of_range(d, t0, err);
	} else {
		rc = effective_start(d, t0, &p->start, &p->idx, err);
		if (rc)
			return rc;
	}
	int32_t D = p->idx, x;
	int64_t n = r->dur.amount;
	int64_t c_start = clock_in_day(d, D, mctime_local_sod(p->start));
	int64_t end_of_d = (int64_t)d->cum_min[D + 1] * 60;

	switch (r->dur.unit) {
	case DUR_WORKING_DAYS:
		if (d->pol.count == DL_COUNT_HOUR_EXACT) {
			p->base = c_start;
			p->target = c_start + n * d->std_day_min * 60;
			return 0;
		}
		/* Civil Code 2015 arts. 147-148: day 1 is the day after D. */
		p->base = end_of_d;
		{
			int64_t key = (int64_t)d->cum_wd[D + 1] + n;
			if (key < (int64_t)d->cum_wd[D] + 1)
				key = (int64_t)d->cum_wd[D] + 1;
			x = search(d->cum_wd, d->n_days, D, key);
		}
		break;
	case DUR_WORKING_HOURS:
		p->base = c_start;
		p->target = c_start + n * 3600;
		return 0;
	case DUR_CALENDAR_DAYS:
		/* Art. 148 cl. 5: a last day off moves to the next working day. */
		p->base = end_of_d;
		x = n >= d->n_days - D ? -1 : next_workday(d, D + (int32_t)n);
		break;
	case DUR_SAME_DAY:
	default:
		p->base = c_start;
		x = next_workday(d, D);
		break;
	}
	if (x < 0)
		return due_out_of_range(d, err);
	p->target = (int64_t)d->cum_min[x + 1] * 60;
	return 0;
}

/* Moves `target` by the working time the pauses cover (deadline.h). */
static int64_t apply_pauses(const struct deadline *d,
			    const struct deadline_req *r, int64_t base,
			    int64_t target)
{
	int64_t covered = base;
	for (int i = 0; i < r->n_pauses; i++) {
		int64_t cs = clock_clamped(d, r->pauses[i].start);
		int64_t ce = clock_clamped(d, r->pauses[i].end);
		if (cs < covered)
			cs = covered;
		if (ce <= cs)
			continue;
		if (cs >= target)
			break;
		target += ce - cs;
		covered = ce;
	}
	return target;
}

/* Working time the pauses cover inside clock values [a, b]. */
static int64_t paused_within(const struct deadline *d,
			     const struct deadline_pause *pauses, int n,
			     int64_t a, int64_t b)
{
	int64_t covered = a, sum = 0;
	for (int i = 0; i < n; i++) {
		int64_t cs = clock_clamped(d, pauses[i].start);
		int64_t ce = clock_clamped(d, pauses[i].end);
		if (cs < covered)
			cs = covered;
		if (ce > b)
			ce = b;
		if (ce <= cs)
			continue;
		sum += ce - cs;
		covered = ce;
	}
	return sum;
}

int deadline_due(const struct deadline *d, const struct deadline_req *r,
		 mc_time *due, struct buf *err)
{
	struct plan p;
	int rc = make_plan(d, r, &p, err);
	if (rc)
		return rc;
	int64_t target = apply_pauses(d, r, p.base, p.target);
	return clock_inverse(d, target, p.idx, p.start, due, err);
}

int deadline_between(const struct deadline *d, mc_time a, mc_time b,
		     const struct deadline_pause *pauses, int n_pauses,
		     int64_t *seconds, struct buf *err)
{
	int32_t ia = day_index(d, a), ib = day_index(d, b);
	if (ia < 0)
		return out_of_range(d, a, err);
	if (ib < 0)
		return out_of_range(d, b, err);
	int64_t ca = clock_in_day(d, ia, mctime_local_sod(a));
	int64_t cb = clock_in_day(d, ib, mctime_local_sod(b));
	int sign = 1;
	if (cb < ca) {
		int64_t t = ca;
		ca = cb;
		cb = t;
		sign = -1;
	}
	*seconds = sign * (cb - ca - paused_within(d, pauses, n_pauses, ca, cb));
	return 0;
}

enum deadline_class deadline_classify(mc_time due, mc_time finished)
{
	/* Minutes, floored: 17:00:59 is still the 17:00 minute. */
	int64_t fm = finished >= 0 ? finished / 60 : -((-finished + 59) / 60);
	int64_t dm = due >= 0 ? due / 60 : -((-due + 59) / 60);
	if (fm > dm)
		return DL_LATE;
	if (mctime_local_day(finished) < mctime_local_day(due))
		return DL_EARLY;
	return DL_ON_TIME;
}

int deadline_progress(const struct deadline *d, const struct deadline_req *r,
		      mc_time now, struct deadline_progress *out,
		      struct buf *err)
{
	struct plan p;
	int rc = make_plan(d, r, &p, err);
	if (rc)
		return rc;
	if (day_index(d, now) < 0)
		return out_of_range(d, now, err);
	mc_time due;
	int64_t target = apply_pauses(d, r, p.base, p.target);
	rc = clock_inverse(d, target, p.idx, p.start, &due, err);
	if (rc)
		return rc;
	int64_t cnow = clock_clamped(d, now);
	int64_t used = 0;
	if (cnow > p.base)
		used = cnow - p.base -
		       paused_within(d, r->pauses, r->n_pauses, p.base, cnow);
	out->start = p.start;
	out->due = due;
	out->allotted = p.target - p.base;
	out->used = used;
	out->remaining = out->allotted - used;
	out->paused = false;
	for (int i = 0; i < r->n_pauses; i++)
		if (r->pauses[i].start <= now && now < r->pauses[i].end)
			out->paused = true;
	out->overdue = deadline_classify(due, now) == DL_LATE;
	out->approaching = !out->overdue &&
			   out->remaining * 1000 <
				   out->allotted * d->pol.approach_permille;
	return 0;
}

int deadline_split(const struct deadline *d, const struct deadline_req *r,
		   const int *weights, int n_steps, mc_time *dues,
		   struct buf *err)
{
	int64_t total = 0;
	if (n_steps < 1 || n_steps > MAX_STEPS) {
		buf_setf(err, "between 1 and %d steps", MAX_STEPS);
		return MC_EINVALID;
	}
	for (int i = 0; i < n_steps; i++) {
		if (weights[i] < 0 || weights[i] > MAX_WEIGHT) {
			buf_setf(err, "step %d: weight out of range", i + 1);
			return MC_EINVALID;
		}
		total += weights[i];
	}
	if (total == 0) {
		buf_setf(err, "every step has a zero allotment");
		return MC_EINVALID;
	}
	struct plan p;
	int rc = make_plan(d, r, &p, err);
	if (rc)
		return rc;
	int64_t allot = p.target - p.base, sum = 0;
	for (int i = 0; i < n_steps; i++) {
		sum += weights[i];
		int64_t t = p.base + allot * sum / total;
		t = apply_pauses(d, r, p.base, t);
		rc = clock_inverse(d, t, p.idx, p.start, &dues[i], err);
		if (rc)
			return rc;
	}
	return 0;
}
