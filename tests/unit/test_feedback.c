/*
 * test_feedback.c - core/feedback.h: the transition table row by row, the
 * QĐ 766 deadlines (2/5/15 working days from receipt, 2 from the answer)
 * over the deadline engine with a weekend, the 15:00 cut-off, the New
 * Year holiday and a wait for the citizen, the urgency marks, codes and
 * action notes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/feedback.h"
#include "core/officehours.h"
#include "util/err.h"

static struct calendar cal;
static struct deadline dl;

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	struct officehours oh;
	calendar_init(&cal, 2025, 2027);
	if (calendar_finish(&cal, &err))
		fail_msg("calendar_finish: %s", err.ptr);
	officehours_default(&oh);	/* 07:30-11:30, 13:30-17:00, cut-off 15:00 */
	if (deadline_init(&dl, &cal, &oh, NULL, &err))
		fail_msg("deadline_init: %s", err.ptr);
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	deadline_release(&dl);
	calendar_release(&cal);
	return 0;
}

static mc_time at(int y, int mo, int d, int h, int mi)
{
	return mctime_from_local(y, mo, d, h, mi, 0);
}

static void test_transitions(void **state)
{
	(void)state;
	static const struct {
		enum feedback_kind k;
		enum feedback_state s;
		bool rated;
		enum feedback_action a;
		int ok;			/* 1: allowed to `to` */
		enum feedback_state to;
	} rows[] = {
		{ FB_KIND_PROCEDURE, FB_RECEIVED, 0, FBA_REFUSE, 1, FB_REFUSED },
		{ FB_KIND_OFFICER, FB_RECEIVED, 0, FBA_ASK_INFO, 1,
		  FB_INFO_REQUESTED },
		{ FB_KIND_DOSSIER, FB_RECEIVED, 0, FBA_ANSWER, 1, FB_ANSWERED },
		{ FB_KIND_DOSSIER, FB_INFO_REQUESTED, 0, FBA_SUPPLY_INFO, 1,
		  FB_RECEIVED },
		{ FB_KIND_PROCEDURE, FB_ANSWERED, 0, FBA_PUBLISH, 1,
		  FB_PUBLISHED },
		{ FB_KIND_PROCEDURE, FB_ANSWERED, 0, FBA_RATE, 1, FB_ANSWERED },
		{ FB_KIND_PROCEDURE, FB_PUBLISHED, 0, FBA_RATE, 1,
		  FB_PUBLISHED },
		/* refused */
		{ FB_KIND_PROCEDURE, FB_INFO_REQUESTED, 0, FBA_ANSWER, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_INFO_REQUESTED, 0, FBA_REFUSE, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_REFUSED, 0, FBA_ANSWER, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_ANSWERED, 0, FBA_ANSWER, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_RECEIVED, 0, FBA_SUPPLY_INFO, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_RECEIVED, 0, FBA_PUBLISH, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_PUBLISHED, 0, FBA_PUBLISH, 0, 0 },
		/* a dossier or an officer concerns one person: not published */
		{ FB_KIND_DOSSIER, FB_ANSWERED, 0, FBA_PUBLISH, 0, 0 },
		{ FB_KIND_OFFICER, FB_ANSWERED, 0, FBA_PUBLISH, 0, 0 },
		/* one rating, only once answered */
		{ FB_KIND_PROCEDURE, FB_ANSWERED, 1, FBA_RATE, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_RECEIVED, 0, FBA_RATE, 0, 0 },
		{ FB_KIND_PROCEDURE, FB_REFUSED, 0, FBA_RATE, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf err = BUF_INIT;
		enum feedback_state to = FB_STATE__COUNT;
		int rc = feedback_transition(rows[i].k, rows[i].s, rows[i].rated,
					     rows[i].a, &to, &err);
		if (rows[i].ok && (rc || to != rows[i].to))
			fail_msg("row %zu: rc %d to %d: %s", i, rc, (int)to,
				 err.ptr);
		if (!rows[i].ok && (rc != MC_EINVALID || !err.len))
			fail_msg("row %zu: allowed", i);
		buf_release(&err);
	}
	assert_true(feedback_action_by_officer(FBA_ANSWER));
	assert_false(feedback_action_by_officer(FBA_SUPPLY_INFO));
	assert_false(feedback_action_by_officer(FBA_RATE));
}

static void test_names(void **state)
{
	(void)state;
	for (int k = 0; k < FB_KIND__COUNT; k++) {
		enum feedback_kind got;
		assert_int_equal(feedback_kind_parse(
					 feedback_kind_name((enum feedback_kind)k),
					 &got),
				 0);
		assert_int_equal(got, k);
	}
	for (int s = 0; s < FB_STATE__COUNT; s++) {
		enum feedback_state got;
		assert_int_equal(feedback_state_parse(feedback_state_name(
							      (enum feedback_state)s),
						      &got),
				 0);
		assert_int_equal(got, s);
	}
	for (int a = 0; a < FBA__COUNT; a++) {
		enum feedback_action got;
		assert_int_equal(feedback_action_parse(feedback_action_name(
							       (enum feedback_action)a),
						       &got),
				 0);
		assert_int_equal(got, a);
	}
	enum feedback_kind k;
	assert_int_equal(feedback_kind_parse("Procedure", &k), MC_EINVALID);
	assert_int_equal(feedback_kind_parse(NULL, &k), MC_EINVALID);
}

/* Day-end counting: the first day is not counted, a limit ends at the
 * close (17:00) of its last working day. */
static void test_dues(void **state)
{
	(void)state;
	const struct {
		const char *why;
		mc_time received, answered;
		mc_time p_start, p_end;	/* one wait for the citizen, or 0 */
		bool pause_on_info;
		mc_time refuse, info, answer, publish;
	} rows[] = {
		{ "Friday morning: the weekend is not counted",
		  at(2026, 11, 27, 10, 0), 0, 0, 0, true,
		  at(2026, 12, 1, 17, 0), at(2026, 12, 4, 17, 0),
		  at(2026, 12, 18, 17, 0), 0 },
		{ "Friday after the 15:00 cut-off: received on Monday",
		  at(2026, 11, 27, 16, 0), 0, 0, 0, true,
		  at(2026, 12, 2, 17, 0), at(2026, 12, 7, 17, 0),
		  at(2026, 12, 21, 17, 0), 0 },
		{ "New Year's Day is not a working day",
		  at(2026, 12, 30, 9, 0), 0, 0, 0, true,
		  at(2027, 1, 4, 17, 0), at(2027, 1, 7, 17, 0),
		  at(2027, 1, 21, 17, 0), 0 },
		{ "two working days waiting for the citizen move the answer",
		  at(2026, 11, 27, 10, 0), 0, at(2026, 11, 30, 10, 0),
		  at(2026, 12, 2, 10, 0), true, at(2026, 12, 1, 17, 0),
		  at(2026, 12, 4, 17, 0), at(2026, 12, 22, 17, 0), 0 },
		{ "the same wait, pause_on_info off",
		  at(2026, 11, 27, 10, 0), 0, at(2026, 11, 30, 10, 0),
		  at(2026, 12, 2, 10, 0), false, at(2026, 12, 1, 17, 0),
		  at(2026, 12, 4, 17, 0), at(2026, 12, 18, 17, 0), 0 },
		{ "publish within 2 working days of the answer",
		  at(2026, 11, 27, 10, 0), at(2026, 12, 10, 14, 0), 0, 0, true,
		  at(2026, 12, 1, 17, 0), at(2026, 12, 4, 17, 0),
		  at(2026, 12, 18, 17, 0), at(2026, 12, 14, 17, 0) },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf err = BUF_INIT;
		struct feedback_policy pol;
		feedback_policy_default(&pol);
		pol.pause_on_info = rows[i].pause_on_info;
		struct deadline_pause p = { rows[i].p_start, rows[i].p_end };
		struct feedback_times t = {
			.received = rows[i].received,
			.answered = rows[i].answered,
			.pauses = rows[i].p_start ? &p : NULL,
			.n_pauses = rows[i].p_start ? 1 : 0,
		};
		struct feedback_dues d;
		if (feedback_dues(&dl, &pol, &t, &d, &err))
			fail_msg("%s: %s", rows[i].why, err.ptr);
		if (d.refuse_by != rows[i].refuse || d.info_by != rows[i].info ||
		    d.answer_by != rows[i].answer ||
		    d.publish_by != rows[i].publish)
			fail_msg("%s: got %lld %lld %lld %lld", rows[i].why,
				 (long long)(d.refuse_by - rows[i].refuse),
				 (long long)(d.info_by - rows[i].info),
				 (long long)(d.answer_by - rows[i].answer),
				 (long long)(d.publish_by - rows[i].publish));
		buf_release(&err);
	}
	/* Outside the calendar: an error, never a made-up date. */
	struct buf err = BUF_INIT;
	struct feedback_times t = { .received = at(2031, 1, 5, 9, 0) };
	struct feedback_dues d;
	assert_int_not_equal(feedback_dues(&dl, NULL, &t, &d, &err), 0);
	assert_true(err.len > 0);
	buf_release(&err);
}

static void test_marks(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	struct feedback_times t = { .received = at(2026, 11, 27, 10, 0),
				    .answered = at(2026, 12, 10, 14, 0) };
	struct feedback_dues d;
	assert_int_equal(feedback_dues(&dl, NULL, &t, &d, &err), 0);
	const struct {
		enum feedback_kind k;
		enum feedback_state s;
		mc_time now;
		const char *mark;
		int due;	/* 0 none, 1 answer_by, 2 publish_by */
	} rows[] = {
		{ FB_KIND_PROCEDURE, FB_RECEIVED, at(2026, 11, 30, 9, 0),
		  "normal", 1 },
		{ FB_KIND_PROCEDURE, FB_RECEIVED, at(2026, 12, 18, 10, 0),
		  "approaching", 1 },
		{ FB_KIND_PROCEDURE, FB_RECEIVED, at(2026, 12, 18, 17, 1),
		  "overdue", 1 },
		{ FB_KIND_OFFICER, FB_INFO_REQUESTED, at(2026, 12, 30, 9, 0),
		  "paused", 0 },
		{ FB_KIND_OFFICER, FB_REFUSED, at(2026, 12, 30, 9, 0),
		  "closed", 0 },
		{ FB_KIND_DOSSIER, FB_ANSWERED, at(2026, 12, 30, 9, 0),
		  "closed", 0 },
		{ FB_KIND_PROCEDURE, FB_ANSWERED, at(2026, 12, 11, 9, 0),
		  "normal", 2 },
		{ FB_KIND_PROCEDURE, FB_ANSWERED, at(2026, 12, 15, 9, 0),
		  "overdue", 2 },
		{ FB_KIND_PROCEDURE, FB_PUBLISHED, at(2026, 12, 15, 9, 0),
		  "closed", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *mark = NULL;
		mc_time due = -1;
		if (feedback_mark(&dl, rows[i].k, rows[i].s, &t, &d,
				  rows[i].now, &mark, &due, &err))
			fail_msg("row %zu: %s", i, err.ptr);
		mc_time want = rows[i].due == 1	  ? d.answer_by
			       : rows[i].due == 2 ? d.publish_by
						  : 0;
		if (strcmp(mark, rows[i].mark) || due != want)
			fail_msg("row %zu: %s", i, mark);
		assert_true(strlen(feedback_mark_label(mark)) > 0);
	}
	assert_string_equal(feedback_mark_label("overdue"), "Quá hạn");
	buf_release(&err);
}

static void test_codes(void **state)
{
	(void)state;
	char code[FEEDBACK_CODE_LEN + 1];
	const unsigned char zero[5] = { 0, 0, 0, 0, 0 };
	const unsigned char high[5] = { 255, 30, 31, 7, 200 };
	/* 23:30 UTC on 26/11 is 06:30 on 27/11 in UTC+7. */
	feedback_code_make(mctime_from_local(2026, 11, 27, 6, 30, 0), zero,
			   code);
	assert_string_equal(code, "PA261127-22222");
	assert_true(feedback_code_valid(code));
	feedback_code_make(at(2027, 1, 2, 9, 0), high, code);
	assert_int_equal(strlen(code), FEEDBACK_CODE_LEN);
	assert_true(feedback_code_valid(code));
	static const char *bad[] = { "", "PA261127-2222", "PA261127-22220",
				     "PA261127-2222O", "pa261127-22222",
				     "PA2611X7-22222", "PA261127_22222",
				     "PA261127-22222X" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (feedback_code_valid(bad[i]))
			fail_msg("valid: %s", bad[i]);
	assert_false(feedback_code_valid(NULL));
}

static void test_notes(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, err = BUF_INIT;
	assert_int_equal(feedback_note_check(FBA_ANSWER, "  \n ", &out, &err),
			 MC_EINVALID);
	assert_string_equal(err.ptr, "Nội dung trả lời: không được để trống");
	buf_reset(&err);
	assert_int_equal(feedback_note_check(FBA_ANSWER,
					     "  Dòng một.\nDòng hai.  ", &out,
					     &err),
			 0);
	assert_string_equal(out.ptr, "Dòng một.\nDòng hai.");
	assert_int_equal(feedback_note_check(FBA_PUBLISH, "", &out, &err), 0);
	assert_int_equal(feedback_note_check(FBA_REFUSE, "\xff", &out, &err),
			 MC_EINVALID);
	buf_reset(&err);
	struct buf big = BUF_INIT;
	for (int i = 0; i <= FEEDBACK_NOTE_MAX; i++)
		buf_addch(&big, 'a');
	assert_int_equal(feedback_note_check(FBA_REFUSE, big.ptr, &out, &err),
			 MC_EINVALID);
	assert_non_null(strstr(err.ptr, "Lý do từ chối"));
	buf_release(&big);
	buf_release(&out);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dues),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_notes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
