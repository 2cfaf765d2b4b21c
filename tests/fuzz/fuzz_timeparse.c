/*
 * fuzz_timeparse.c - the parsers of working-time input on arbitrary bytes:
 * durations ("3 ngày làm việc"), desk office hours ("mon-fri 07:30-11:30
 * ..."), and date-times. Whatever parses must format and parse back to the
 * same value. Must never crash, leak or trip a sanitizer.
 */
// fuzz-sources: src/util/buf.c src/util/xalloc.c src/core/duration.c src/core/officehours.c src/core/mctime.c src/core/calendar.c src/core/lunar.c
// fuzz-libs: -lm
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct buf err = BUF_INIT, out = BUF_INIT;

	struct duration d, d2;
	if (!duration_parse(s, &d, &err)) {
		duration_code(&d, &out);
		if (duration_from_code(out.ptr, &d2, &err) ||
		    d.unit != d2.unit || d.amount != d2.amount)
			abort();
	}

	struct officehours oh, oh2;
	buf_reset(&out);
	if (!officehours_parse(s, &oh, &err)) {
		officehours_format(&oh, &out);
		if (officehours_parse(out.ptr, &oh2, &err))
			abort();
		struct buf again = BUF_INIT;
		officehours_format(&oh2, &again);
		if (strcmp(again.ptr, out.ptr))
			abort();
		buf_release(&again);
	}

	mc_time t;
	mctime_parse(s, &t, &err);

	buf_release(&out);
	buf_release(&err);
	free(s);
	return 0;
}
