/*
 * fuzz_schedule.c - the days-off CSV import (core/schedule.c) on arbitrary
 * bytes, and the calendar built from whatever it accepts: parse, fill,
 * finish, then query every day of the range. Must never crash or leak.
 */
// fuzz-sources: src/util/buf.c src/util/csv.c src/util/xalloc.c src/core/calendar.c src/core/lunar.c src/core/schedule.c
// fuzz-libs: -lm
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schedule s = SCHEDULE_INIT;
	struct calendar c;
	struct buf err = BUF_INIT;
	calendar_init(&c, 2024, 2027);
	if (!schedule_parse(&s, (const char *)data, size, &err) &&
	    !schedule_fill(&s, &c, &err) && !calendar_finish(&c, &err)) {
		int years[8];
		schedule_years(&s, years, 8);
		for (int32_t d = date_to_days(2024, 1, 1);
		     d <= date_to_days(2027, 12, 31); d++) {
			bool w;
			calendar_is_workday(&c, d, &w, &err);
		}
	}
	calendar_release(&c);
	schedule_release(&s);
	buf_release(&err);
	return 0;
}
