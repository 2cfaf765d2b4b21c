/*
 * bench_deadline.c - due computations per second on one core (core/
 * deadline.h) with the shipped schedule and the default desk: 3 working
 * days; 30 working days with 4 pauses; 4 working hours; working time
 * between two instants. Inputs are precomputed; a checksum keeps the
 * compiler honest. Run through bench/run-core.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "core/schedule.h"
#include "util/buf.h"
#include "util/embed.h"
#include "util/xalloc.h"

#define N_INPUTS 4096

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

struct input {
	mc_time received;
	struct deadline_pause pauses[4];
};

static struct input inputs[N_INPUTS];

static void make_inputs(void)
{
	mc_time a = mctime_from_local(2019, 1, 1, 0, 0, 0);
	mc_time b = mctime_from_local(2026, 6, 1, 0, 0, 0);
	for (int i = 0; i < N_INPUTS; i++) {
		struct input *in = &inputs[i];
		in->received = a + (mc_time)rnd((uint32_t)((b - a) / 60)) * 60;
		/* Four supplement rounds over the following six weeks. */
		mc_time t = in->received;
		for (int k = 0; k < 4; k++) {
			t += 86400 + (mc_time)rnd(7 * 86400);
			in->pauses[k].start = t;
			t += 3600 + (mc_time)rnd(3 * 86400);
			in->pauses[k].end = t;
		}
	}
}

typedef uint64_t (*bench_fn)(const struct deadline *d, int i);

static uint64_t due_3wd(const struct deadline *d, int i)
{
	struct deadline_req r = { 0 };
	struct buf err = BUF_INIT;
	mc_time due = 0;
	r.received = inputs[i].received;
	r.dur = (struct duration){ DUR_WORKING_DAYS, 3 };
	if (deadline_due(d, &r, &due, &err))
		abort();
	return (uint64_t)due;
}

static uint64_t due_30wd_4p(const struct deadline *d, int i)
{
	struct deadline_req r = { 0 };
	struct buf err = BUF_INIT;
	mc_time due = 0;
	r.received = inputs[i].received;
	r.dur = (struct duration){ DUR_WORKING_DAYS, 30 };
	r.pauses = inputs[i].pauses;
	r.n_pauses = 4;
	if (deadline_due(d, &r, &due, &err))
		abort();
	return (uint64_t)due;
}

static uint64_t due_4wh(const struct deadline *d, int i)
{
	struct deadline_req r = { 0 };
	struct buf err = BUF_INIT;
	mc_time due = 0;
	r.received = inputs[i].received;
	r.dur = (struct duration){ DUR_WORKING_HOURS, 4 };
	if (deadline_due(d, &r, &due, &err))
		abort();
	return (uint64_t)due;
}

static uint64_t between(const struct deadline *d, int i)
{
	struct buf err = BUF_INIT;
	int64_t s = 0;
	if (deadline_between(d, inputs[i].received, inputs[i].pauses[3].end,
			     NULL, 0, &s, &err))
		abort();
	return (uint64_t)s;
}

static void run(const char *name, const struct deadline *d, bench_fn fn,
		double target)
{
	uint64_t sum = 0;
	long n = 0;
	double t0 = now_s(), t;
	/* At least 0.5 s, in rounds of N_INPUTS calls. */
	do {
		for (int i = 0; i < N_INPUTS; i++)
			sum += fn(d, i);
		n += N_INPUTS;
		t = now_s() - t0;
	} while (t < 0.5);
	double rate = (double)n / t;
	printf("%-28s %12.0f computations/s  (%.0f ns each; target %.0f/s: "
	       "%s)  [checksum %016llx]\n",
	       name, rate, 1e9 / rate, target, rate >= target ? "met" : "MISSED",
	       (unsigned long long)sum);
}

int main(void)
{
	struct buf err = BUF_INIT;
	struct schedule s = SCHEDULE_INIT;
	struct calendar cal;
	struct officehours oh;
	struct deadline d;
	const struct embed_file *f = embed_find("data/vn-civil-service-days-off.csv");

	if (!f) {
		fprintf(stderr, "bench: the shipped schedule is not embedded\n");
		return 1;
	}
	calendar_init(&cal, 1900, 2199);
	if (schedule_parse(&s, (const char *)f->data, f->len, &err) ||
	    schedule_fill(&s, &cal, &err) || calendar_finish(&cal, &err)) {
		fprintf(stderr, "bench: calendar: %s\n", err.ptr);
		return 1;
	}
	officehours_default(&oh);
	double t0 = now_s();
	if (deadline_init(&d, &cal, &oh, NULL, &err)) {
		fprintf(stderr, "bench: %s\n", err.ptr);
		return 1;
	}
	printf("deadline_init over 1900-2199 (%d days): %.1f ms\n", d.n_days,
	       (now_s() - t0) * 1e3);
	make_inputs();
	run("due 3 working days", &d, due_3wd, 1e6);
	run("due 30 working days, 4 pauses", &d, due_30wd_4p, 1e5);
	run("due 4 working hours", &d, due_4wh, 1e6);
	run("between", &d, between, 1e6);
	deadline_release(&d);
	calendar_release(&cal);
	schedule_release(&s);
	buf_release(&err);
	return 0;
}
