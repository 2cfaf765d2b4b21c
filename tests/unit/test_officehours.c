/*
 * test_officehours.c - desk sessions and cut-off: the default desk, the
 * compact text form (round trip), and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/officehours.h"
#include "util/err.h"

#define DEFAULT_TEXT "mon-fri 07:30-11:30,13:30-17:00; cutoff 15:00"

static void test_default(void **state)
{
	(void)state;
	struct officehours oh, parsed;
	struct buf b = BUF_INIT, err = BUF_INIT;
	officehours_default(&oh);
	assert_int_equal(oh.n_sess[0], 0);
	assert_int_equal(oh.n_sess[6], 0);
	assert_int_equal(oh.n_sess[3], 2);
	assert_int_equal(oh.cutoff, 15 * 60);
	/* 07:30-11:30 and 13:30-17:00: seven and a half hours. */
	assert_int_equal(officehours_day_minutes(&oh, 1), 450);
	officehours_format(&oh, &b);
	assert_string_equal(b.ptr, DEFAULT_TEXT);
	assert_int_equal(officehours_parse(DEFAULT_TEXT, &parsed, &err), 0);
	assert_memory_equal(&parsed, &oh, sizeof(oh));
	buf_release(&b);
	buf_release(&err);
}

struct row {
	const char *text;
	int rc;
	const char *canonical; /* officehours_format of the result */
};

static const struct row rows[] = {
	{ "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30; cutoff 15:00", 0,
	  "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30; cutoff 15:00" },
	/* HCMC ward example (research §7.3): afternoon from 13:00. */
	{ "MON-FRI 07:30-11:30, 13:00-17:00 ; SAT 07:30-11:30; cutoff 15:00", 0,
	  "mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30; cutoff 15:00" },
	{ "t2-t6 08:00-12:00,13:00-17:00; cutoff none", 0,
	  "mon-fri 08:00-12:00,13:00-17:00; cutoff none" },
	{ "mon,wed,fri 08:00-11:00", 0,
	  "mon 08:00-11:00; wed 08:00-11:00; fri 08:00-11:00; cutoff none" },
	{ "mon-thu 07:00-11:00; fri 07:00-10:00; makeup tue; cutoff 14:30", 0,
	  "mon-thu 07:00-11:00; fri 07:00-10:00; cutoff 14:30; makeup tue" },
	{ "mon-sun 00:00-24:00", 0, "mon-sun 00:00-24:00; cutoff none" },
	{ "mon 08:00-09:00,09:00-10:00,10:00-11:00,11:00-12:00", 0,
	  "mon 08:00-09:00,09:00-10:00,10:00-11:00,11:00-12:00; cutoff none" },
	{ "", MC_EINVALID, NULL },
	{ "cutoff 15:00", MC_EINVALID, NULL },	/* no sessions */
	{ "sat 07:30-11:30", MC_EINVALID, NULL }, /* make-up Monday has none */
	{ "mon-fri 11:30-07:30", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30,11:00-17:00", MC_EINVALID, NULL },
	{ "mon-fri 13:30-17:00,07:30-11:30", MC_EINVALID, NULL },
	{ "mon-fri 7:30-11:30", MC_EINVALID, NULL },
	{ "mon-fri 07:30-24:30", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:60", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30; mon 13:00-14:00", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30; cutoff 15:00; cutoff 16:00", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30; cutoff 3pm", MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30; makeup sat", MC_EINVALID, NULL },
	{ "monday 07:30-11:30", MC_EINVALID, NULL },
	{ "mon 08:00-09:00,09:00-10:00,10:00-11:00,11:00-12:00,13:00-14:00",
	  MC_EINVALID, NULL },
	{ "mon-fri 07:30-11:30 extra", MC_EINVALID, NULL },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct officehours oh, back;
		struct buf b = BUF_INIT, err = BUF_INIT;
		memset(&oh, 0x5a, sizeof(oh));
		int rc = officehours_parse(rows[i].text, &oh, &err);
		if (rc != rows[i].rc)
			fail_msg("'%s': rc %d, want %d (%s)", rows[i].text, rc,
				 rows[i].rc, err.ptr);
		if (rc) {
			assert_true(err.len > 0);
		} else {
			officehours_format(&oh, &b);
			assert_string_equal(b.ptr, rows[i].canonical);
			assert_int_equal(officehours_parse(b.ptr, &back, &err), 0);
			assert_memory_equal(&back, &oh, sizeof(oh));
		}
		buf_release(&b);
		buf_release(&err);
	}
}

static void test_untouched_on_error(void **state)
{
	(void)state;
	struct officehours oh, copy;
	struct buf err = BUF_INIT;
	officehours_default(&oh);
	copy = oh;
	assert_int_equal(officehours_parse("mon 09:00-08:00", &oh, &err),
			 MC_EINVALID);
	assert_memory_equal(&oh, &copy, sizeof(oh));
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_untouched_on_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
