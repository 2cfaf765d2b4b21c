/*
 * test_dossier.c - core/dossier.h (every state x action: allowed or the
 * reason; supplement twice = violation and late; apology once, before the
 * due, later date, still late against the original due; pauses move the
 * due; a long random walk replays to the same row), core/dossier_code.h,
 * core/idcheck.h and core/vietqr.h (CRC check value, a published payload).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/dossier.h"
#include "core/dossier_code.h"
#include "core/idcheck.h"
#include "core/vietqr.h"
#include "util/err.h"

static struct calendar cal;
static struct deadline dl;
static struct dossier_settings S;

static mc_time T(const char *s)
{
	mc_time t = 0;
	struct buf err = BUF_INIT;
	if (mctime_parse(s, &t, &err))
		fail_msg("bad time %s", err.ptr);
	buf_release(&err);
	return t;
}

static int setup(void **state)
{
	struct buf err = BUF_INIT;
	struct officehours oh;
	(void)state;
	calendar_init(&cal, 2025, 2027);
	if (calendar_finish(&cal, &err))
		fail_msg("calendar: %s", err.ptr);
	officehours_default(&oh);
	if (deadline_init(&dl, &cal, &oh, NULL, &err))
		fail_msg("deadline: %s", err.ptr);
	dossier_settings_default(&S);
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

static const struct duration D3 = { DUR_WORKING_DAYS, 3 };

/* Prepares and applies; returns the error code, reason in *why. */
static int act(struct dossier *d, enum dossier_action a, mc_time at,
	       int to_step, mc_time new_due, struct buf *why)
{
	struct dossier_plan p;
	struct dossier_event e;
	int rc;
	dossier_plan_default(&D3, &p);
	dossier_event_init(&e);
	e.action = a;
	e.at = at;
	e.to_step = to_step;
	e.new_due = new_due;
	e.dur = D3;
	e.n_steps = p.n_steps;
	buf_reset(why);
	rc = dossier_prepare(d, &S, &p, &dl, &e, why);
	if (rc)
		return rc;
	return dossier_apply(d, &S, &e, why);
}

static void must(struct dossier *d, enum dossier_action a, mc_time at)
{
	struct buf why = BUF_INIT;
	if (act(d, a, at, 0, 0, &why))
		fail_msg("%s: %s", dossier_action_name(a), why.ptr);
	buf_release(&why);
}

/* Builds a dossier in `s` (through real actions). */
static void reach(struct dossier *d, enum dossier_state s, mc_time t0)
{
	dossier_init(d);
	if (s == DS_NONE)
		return;
	if (s == DS_SUBMITTED || s == DS_WITHDRAWN) {
		must(d, DA_SUBMIT, t0);
		if (s == DS_WITHDRAWN)
			must(d, DA_WITHDRAW, t0 + 60);
		return;
	}
	if (s == DS_REFUSED_AT_INTAKE) {
		must(d, DA_REFUSE_INTAKE, t0);
		return;
	}
	must(d, DA_RECEIVE, t0);
	if (s == DS_RECEIVED)
		return;
	must(d, DA_FORWARD, t0 + 600);
	switch (s) {
	case DS_SUPPLEMENT_REQUESTED: must(d, DA_REQUEST_SUPPLEMENT, t0 + 900); break;
	case DS_PAUSED: must(d, DA_PAUSE, t0 + 900); break;
	case DS_REFUSED: must(d, DA_REFUSE, t0 + 900); break;
	case DS_STOPPED: must(d, DA_STOP, t0 + 900); break;
	case DS_RESULT_READY:
	case DS_RETURNED:
		must(d, DA_FORWARD, t0 + 900);
		must(d, DA_RECORD_RESULT, t0 + 1200);
		if (s == DS_RETURNED)
			must(d, DA_RETURN, t0 + 1500);
		break;
	default: break;
	}
}

/* Expected: allowed states per action (the table in dossier.h). */
static void test_table(void **state)
{
	(void)state;
	mc_time t0 = T("2026-03-02 08:00");
	int n_allowed = 0, n_refused = 0;
	for (int s = 0; s < DS__COUNT; s++) {
		for (int a = 0; a < DA__COUNT; a++) {
			struct dossier d;
			struct buf why = BUF_INIT;
			reach(&d, (enum dossier_state)s, t0);
			assert_int_equal(d.state, s);
			bool table = dossier_rule((enum dossier_action)a)->from &
				     (1u << s);
			int rc = act(&d, (enum dossier_action)a, t0 + 7200,
				     0, T("2026-03-20 17:00"), &why);
			if (rc == 0) {
				assert_true(table);
				n_allowed++;
			} else {
				assert_int_equal(rc, MC_EINVALID);
				assert_true(why.len > 0);
				n_refused++;
			}
			buf_release(&why);
		}
	}
	assert_true(n_allowed > 20);
	assert_true(n_refused > 100);
}

static void test_reasons(void **state)
{
	(void)state;
	struct dossier d;
	struct buf why = BUF_INIT;
	mc_time t0 = T("2026-03-02 08:00");
	reach(&d, DS_SUPPLEMENT_REQUESTED, t0);
	assert_int_equal(act(&d, DA_FORWARD, t0 + 3600, 0, 0, &why), MC_EINVALID);
	assert_string_equal(why.ptr, "Hồ sơ đang chờ bổ sung: không thể chuyển bước");
	reach(&d, DS_RESULT_READY, t0);
	assert_int_equal(act(&d, DA_STOP, t0 + 3600, 0, 0, &why), MC_EINVALID);
	assert_non_null(strstr(why.ptr, "TT 03/2025"));
	reach(&d, DS_RECEIVED, t0);
	must(&d, DA_FORWARD, t0 + 60);
	must(&d, DA_FORWARD, t0 + 120);
	assert_int_equal(act(&d, DA_FORWARD, t0 + 180, 0, 0, &why), MC_EINVALID);
	assert_non_null(strstr(why.ptr, "ghi kết quả"));
	assert_int_equal(act(&d, DA_SEND_BACK, t0 + 180, 2, 0, &why), MC_EINVALID);
	assert_int_equal(act(&d, DA_SEND_BACK, t0 + 180, 0, 0, &why), 0);
	assert_int_equal(d.state, DS_RECEIVED);
	buf_release(&why);
}

static void test_supplement_twice(void **state)
{
	(void)state;
	struct dossier d;
	mc_time t0 = T("2026-03-02 08:00");
	reach(&d, DS_RECEIVED, t0);
	mc_time due0 = d.due_at;
	assert_true(due0 == T("2026-03-05 17:00"));
	must(&d, DA_FORWARD, t0 + 60);
	must(&d, DA_REQUEST_SUPPLEMENT, T("2026-03-02 09:00"));
	must(&d, DA_RECEIVE_SUPPLEMENT, T("2026-03-03 09:00"));
	/* day-end counting: the clock starts at the close of the receipt
	 * day, so the pause moves the due by 07:30-09:00 of 03-03 only */
	assert_true(d.due_at == T("2026-03-06 09:00"));
	assert_false(d.violation);
	must(&d, DA_REQUEST_SUPPLEMENT, T("2026-03-03 10:00"));
	assert_true(d.violation);
	assert_int_equal(d.supplement_count, 2);
	must(&d, DA_RECEIVE_SUPPLEMENT, T("2026-03-03 11:00"));
	must(&d, DA_FORWARD, T("2026-03-03 13:30"));
	must(&d, DA_RECORD_RESULT, T("2026-03-03 14:00"));
	assert_true(d.has_class);
	assert_int_equal(d.cls, DL_LATE); /* QĐ 766: more than one request */
	S.allow_second_supplement = false;
	struct buf why = BUF_INIT;
	reach(&d, DS_RECEIVED, t0);
	must(&d, DA_REQUEST_SUPPLEMENT, t0 + 60);
	must(&d, DA_RECEIVE_SUPPLEMENT, t0 + 120);
	assert_int_equal(act(&d, DA_REQUEST_SUPPLEMENT, t0 + 180, 0, 0, &why),
			 MC_EINVALID);
	S.allow_second_supplement = true;
	buf_release(&why);
}

/* (online) A supplement asked before acceptance: no pause, not counted,
 * back to submitted; the clock starts at acceptance. */
static void test_online_supplement(void **state)
{
	(void)state;
	struct dossier d;
	struct buf why = BUF_INIT;
	mc_time t0 = T("2026-03-02 08:00");
	reach(&d, DS_SUBMITTED, t0);
	must(&d, DA_REQUEST_SUPPLEMENT, t0 + 600);
	assert_int_equal(d.state, DS_SUPPLEMENT_REQUESTED);
	assert_int_equal(d.resume_state, DS_SUBMITTED);
	assert_int_equal(d.n_pauses, 0);
	assert_int_equal(d.supplement_count, 0);
	assert_true(d.received_at == 0 && d.due_at == 0);
	assert_int_equal(act(&d, DA_ACCEPT, t0 + 700, 0, 0, &why), MC_EINVALID);
	assert_int_equal(act(&d, DA_REFUSE, t0 + 700, 0, 0, &why), MC_EINVALID);
	assert_non_null(strstr(why.ptr, "chưa được tiếp nhận"));
	assert_int_equal(act(&d, DA_STOP, t0 + 700, 0, 0, &why), MC_EINVALID);
	assert_int_equal(act(&d, DA_FORWARD, t0 + 700, 0, 0, &why), MC_EINVALID);
	assert_false(dossier_allowed(&d, &S, DA_APOLOGIZE));
	assert_true(dossier_allowed(&d, &S, DA_REJECT));
	must(&d, DA_RECEIVE_SUPPLEMENT, T("2026-03-03 09:00"));
	assert_int_equal(d.state, DS_SUBMITTED);
	assert_true(d.received_at == 0 && d.due_at == 0);
	must(&d, DA_ACCEPT, T("2026-03-04 08:00"));
	assert_int_equal(d.state, DS_RECEIVED);
	assert_true(d.received_at == T("2026-03-04 08:00"));
	/* 3 working days from acceptance (day-end counting) */
	assert_true(d.due_at == T("2026-03-09 17:00"));
	assert_int_equal(d.supplement_count, 0);
	assert_false(d.violation);
	/* a later supplement after acceptance is the first one counted */
	must(&d, DA_REQUEST_SUPPLEMENT, T("2026-03-04 09:00"));
	assert_int_equal(d.supplement_count, 1);
	assert_int_equal(d.n_pauses, 1);
	/* and then reject/withdraw no longer apply (received) */
	assert_int_equal(act(&d, DA_REJECT, T("2026-03-04 10:00"), 0, 0, &why),
			 MC_EINVALID);
	assert_int_equal(act(&d, DA_WITHDRAW, T("2026-03-04 10:00"), 0, 0,
			     &why), MC_EINVALID);
	/* rejected or withdrawn while waiting */
	reach(&d, DS_SUBMITTED, t0);
	must(&d, DA_REQUEST_SUPPLEMENT, t0 + 600);
	must(&d, DA_REJECT, t0 + 900);
	assert_int_equal(d.state, DS_REFUSED_AT_INTAKE);
	assert_int_equal(d.resume_state, DS_NONE);
	reach(&d, DS_SUBMITTED, t0);
	must(&d, DA_REQUEST_SUPPLEMENT, t0 + 600);
	must(&d, DA_WITHDRAW, t0 + 900);
	assert_int_equal(d.state, DS_WITHDRAWN);
	buf_release(&why);
}

static void test_apology(void **state)
{
	(void)state;
	struct dossier d;
	struct buf why = BUF_INIT;
	mc_time t0 = T("2026-03-02 08:00");
	reach(&d, DS_RECEIVED, t0);
	must(&d, DA_FORWARD, t0 + 60);
	/* new date not later */
	assert_int_equal(act(&d, DA_APOLOGIZE, t0 + 120, 0, d.due_at, &why),
			 MC_EINVALID);
	/* after the due */
	assert_int_equal(act(&d, DA_APOLOGIZE, d.due_at + 60, 0,
			     T("2026-03-12 17:00"), &why), MC_EINVALID);
	assert_int_equal(act(&d, DA_APOLOGIZE, T("2026-03-04 10:00"), 0,
			     T("2026-03-12 17:00"), &why), 0);
	assert_true(d.due_at == T("2026-03-12 17:00"));
	assert_true(d.original_due_at == T("2026-03-05 17:00"));
	assert_int_equal(act(&d, DA_APOLOGIZE, T("2026-03-04 11:00"), 0,
			     T("2026-03-13 17:00"), &why), MC_EINVALID);
	assert_non_null(strstr(why.ptr, "một lần"));
	must(&d, DA_FORWARD, T("2026-03-09 08:00"));
	must(&d, DA_RECORD_RESULT, T("2026-03-09 09:00"));
	assert_int_equal(d.cls, DL_LATE); /* against the original due */
	/* lead setting: one day before (NĐ 61 art. 19 cl. 9) */
	S.apology_lead = 86400;
	reach(&d, DS_RECEIVED, t0);
	assert_int_equal(act(&d, DA_APOLOGIZE, T("2026-03-05 08:00"), 0,
			     T("2026-03-12 17:00"), &why), MC_EINVALID);
	S.apology_lead = 0;
	buf_release(&why);
}

static void test_pause_and_classes(void **state)
{
	(void)state;
	struct dossier d;
	mc_time t0 = T("2026-03-02 08:00");
	reach(&d, DS_RECEIVED, t0);
	must(&d, DA_FORWARD, t0 + 60);
	must(&d, DA_PAUSE, T("2026-03-03 08:00"));
	assert_int_equal(dossier_urgency(&d, T("2026-03-20 08:00")), 0);
	must(&d, DA_RESUME, T("2026-03-05 08:00"));
	assert_true(d.due_at == T("2026-03-09 17:00"));
	must(&d, DA_FORWARD, T("2026-03-05 09:00"));
	must(&d, DA_RECORD_RESULT, T("2026-03-05 10:00"));
	assert_int_equal(d.cls, DL_EARLY);
	must(&d, DA_RETURN, T("2026-03-20 10:00"));
	assert_int_equal(d.cls, DL_EARLY); /* fixed at the result */
	assert_int_equal(d.state, DS_RETURNED);
	assert_int_equal(d.step, -1);
	/* stopped while waiting: measured at the request time */
	reach(&d, DS_RECEIVED, t0);
	must(&d, DA_REQUEST_SUPPLEMENT, T("2026-03-03 08:00"));
	must(&d, DA_STOP, T("2026-04-20 08:00"));
	assert_int_equal(d.cls, DL_EARLY);
	/* urgency */
	reach(&d, DS_RECEIVED, t0);
	assert_int_equal(dossier_urgency(&d, t0 + 60), 0);
	assert_int_equal(dossier_urgency(&d, d.approach_at), 1);
	assert_int_equal(dossier_urgency(&d, d.due_at + 60), 2);
}

/* A long random walk: folding the recorded events again gives the row. */
static void test_random_walk_replay(void **state)
{
	(void)state;
	srand(12345);
	for (int run = 0; run < 200; run++) {
		struct dossier d, r;
		struct dossier_event log[200];
		struct dossier_plan p;
		int n = 0;
		mc_time t = T("2026-03-02 08:00") + rand() % 86400;
		dossier_init(&d);
		dossier_plan_default(&D3, &p);
		for (int step = 0; step < 400 && n < 200; step++) {
			struct dossier_event e;
			struct buf why = BUF_INIT;
			dossier_event_init(&e);
			e.action = (enum dossier_action)(rand() % DA__COUNT);
			t += rand() % 20000;
			e.at = t;
			e.to_step = rand() % 3;
			e.new_due = d.due_at + 86400 * (rand() % 5);
			e.dur = D3;
			e.n_steps = p.n_steps;
			if (dossier_prepare(&d, &S, &p, &dl, &e, &why) == 0 &&
			    dossier_apply(&d, &S, &e, &why) == 0)
				log[n++] = e;
			buf_release(&why);
		}
		dossier_init(&r);
		for (int i = 0; i < n; i++) {
			struct buf why = BUF_INIT;
			if (dossier_apply(&r, &S, &log[i], &why))
				fail_msg("replay %d: %s", i, why.ptr);
			buf_release(&why);
		}
		struct buf diff = BUF_INIT;
		if (!dossier_equal(&d, &r, &diff))
			fail_msg("differs: %s", diff.ptr);
		buf_release(&diff);
	}
}

static void test_code(void **state)
{
	(void)state;
	struct buf b = BUF_INIT, err = BUF_INIT;
	struct dossier_code_parts p;
	assert_int_equal(dossier_code_format("H24.99", T("2026-03-05 23:30"), 7,
					     4, &b, &err), 0);
	assert_string_equal(b.ptr, "H24.99-260305-0007");
	buf_reset(&b);
	assert_int_equal(dossier_code_format("H24.99", T("2026-03-05 23:30"),
					     123456, 4, &b, &err), 0);
	assert_string_equal(b.ptr, "H24.99-260305-123456");
	assert_int_equal(dossier_code_parse(b.ptr, &p, &err), 0);
	assert_string_equal(p.agency, "H24.99");
	assert_int_equal(p.seq, 123456);
	assert_int_equal(dossier_code_format("h24", 0, 1, 4, &b, &err), MC_EINVALID);
	assert_int_equal(dossier_code_parse("H24-260230-0001", &p, &err), MC_EINVALID);
	assert_int_equal(dossier_code_parse("H24-260305-001", &p, &err), MC_EINVALID);
	assert_int_equal(dossier_code_parse("260305-0001", &p, &err), MC_EINVALID);
	buf_release(&b);
	buf_release(&err);
}

static void test_idcheck(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	struct idcheck_person p;
	assert_int_equal(idcheck_person_id("027090012345", 0, 0, &p, &err), 0);
	assert_int_equal(p.province, 27);
	assert_int_equal(p.birth_year, 1990);
	assert_false(p.female);
	assert_int_equal(idcheck_person_id("024305012345", 2005, 'F', &p, &err), 0);
	assert_int_equal(idcheck_person_id("024305012345", 2005, 'M', &p, &err),
			 MC_EINVALID);
	assert_int_equal(idcheck_person_id("024305012345", 1905, 0, &p, &err),
			 MC_EINVALID);
	assert_int_equal(idcheck_person_id("099190012345", 0, 0, &p, &err),
			 MC_EINVALID);
	assert_non_null(strstr(err.ptr, "mã tỉnh 099"));
	assert_int_equal(idcheck_person_id("03190012345", 0, 0, &p, &err),
			 MC_EINVALID);
	assert_int_equal(idcheck_person_id("0271900123a5", 0, 0, &p, &err),
			 MC_EINVALID);
	/* 010010010?: 0*31+1*29+0*23+0*19+1*17+0*13+0*7+1*5+0*3 = 51;
	 * 51 mod 11 = 7; 10 - 7 = 3 */
	assert_int_equal(idcheck_tax_check_digit("010010010"), 3);
	assert_int_equal(idcheck_tax_code("0100100103", true, &err), 0);
	assert_int_equal(idcheck_tax_code("0100100104", true, &err), MC_EINVALID);
	assert_int_equal(idcheck_tax_code("0100100104", false, &err), 0);
	assert_int_equal(idcheck_tax_code("0100100103-001", true, &err), 0);
	assert_int_equal(idcheck_tax_code("0100100103001", true, &err), 0);
	assert_int_equal(idcheck_tax_code("01001001", true, &err), MC_EINVALID);
	buf_release(&err);
}

static void test_vietqr(void **state)
{
	(void)state;
	struct buf b = BUF_INIT, err = BUF_INIT;
	assert_int_equal(vietqr_crc16("123456789", 9), 0x29B1);
	/* research §9.2 [S28a]: a published payload whose CRC recomputes */
	const char *pub = "00020101021238570010A00000072701270006970415011300110019"
			  "324180208QRIBFTTA530370454061200005802VN62170813ung ho "
			  "lu lut6304C15C";
	assert_int_equal(vietqr_verify(pub, &err), 0);
	struct vietqr_req r = { "970415", "113366668888", 150000,
				"H24.99-260305-0007 lệ phí" };
	assert_int_equal(vietqr_payload(&r, &b, &err), 0);
	assert_string_equal(b.ptr,
		"00020101021238560010A0000007270126000697041501121133666688880208"
		"QRIBFTTA530370454061500005802VN62290825H24.99-260305-0007 le phi"
		"6304AC22");
	assert_int_equal(vietqr_verify(b.ptr, &err), 0);
	struct vietqr_req bad = { "97041", "1", 0, NULL };
	assert_int_equal(vietqr_payload(&bad, &b, &err), MC_EINVALID);
	buf_release(&b);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_supplement_twice),
		cmocka_unit_test(test_online_supplement),
		cmocka_unit_test(test_apology),
		cmocka_unit_test(test_pause_and_classes),
		cmocka_unit_test(test_random_walk_replay),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_idcheck),
		cmocka_unit_test(test_vietqr),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
