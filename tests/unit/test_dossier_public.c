/*
 * test_dossier_public.c - core/dossier_public.h: every action's public kind
 * (send_back internal, notes never shown except refusal reasons), the
 * sentences, the status sentence per state, name masking (NFC and NFD),
 * the last-4 factor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/dossier_public.h"
#include "util/err.h"

static mc_time T(const char *s)
{
	mc_time t = 0;
	struct buf err = BUF_INIT;
	if (mctime_parse(s, &t, &err))
		fail_msg("bad time %s", err.ptr);
	buf_release(&err);
	return t;
}

/* The time as shown to citizens, in Vietnam's time (UTC+7). */
static void time_is(const char *utc, const char *want)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "[");
	dossier_public_format_time(T(utc), &b);
	if (strcmp(b.ptr + 1, want))
		fail_msg("%s: got \"%s\", want \"%s\"", utc, b.ptr + 1,
			 want);
	buf_release(&b);
}

static void test_format_time(void **state)
{
	(void)state;
	time_is("2026-12-02T09:00:00Z", "16:00 ngày 02/12/2026");
	time_is("2026-12-31T17:05:59Z", "00:05 ngày 01/01/2027");
	time_is("2028-02-28T23:59:00Z", "06:59 ngày 29/02/2028");
	time_is("2000-01-01T00:00:00Z", "07:00 ngày 01/01/2000");
	time_is("1999-12-31T16:59:00Z", "23:59 ngày 31/12/1999");
}

static void test_kinds(void **state)
{
	static const struct {
		enum dossier_action a;
		enum dossier_public_kind k;
		bool notifies;
	} rows[] = {
		{ DA_SUBMIT, DPK_SUBMITTED, false },
		{ DA_RECEIVE, DPK_RECEIVED, true },
		{ DA_ACCEPT, DPK_RECEIVED, true },
		{ DA_REFUSE_INTAKE, DPK_REFUSED, true },
		{ DA_REJECT, DPK_REFUSED, true },
		{ DA_WITHDRAW, DPK_WITHDRAWN, false },
		{ DA_FORWARD, DPK_STEP, false },
		{ DA_SEND_BACK, DPK_NONE, false },
		{ DA_REQUEST_SUPPLEMENT, DPK_SUPPLEMENT, true },
		{ DA_RECEIVE_SUPPLEMENT, DPK_SUPPLEMENT_DONE, false },
		{ DA_REFUSE, DPK_REFUSED, true },
		{ DA_APOLOGIZE, DPK_APOLOGY, true },
		{ DA_PAUSE, DPK_PAUSED, false },
		{ DA_RESUME, DPK_RESUMED, false },
		{ DA_STOP, DPK_STOPPED, false },
		{ DA_RECORD_RESULT, DPK_RESULT_READY, true },
		{ DA_RETURN, DPK_RETURNED, false },
	};
	(void)state;
	assert_int_equal(sizeof(rows) / sizeof(rows[0]), DA__COUNT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum dossier_public_kind k = dossier_public_kind_of(rows[i].a);
		assert_int_equal(k, rows[i].k);
		assert_int_equal(dossier_public_kind_notifies(k),
				 rows[i].notifies);
		assert_int_equal(dossier_public_kind_visible(k),
				 rows[i].k != DPK_NONE);
		assert_true(strlen(dossier_public_kind_name(k)) > 0);
	}
	assert_string_equal(dossier_public_kind_name(DPK_SUPPLEMENT),
			    "supplement");
	assert_string_equal(dossier_public_kind_title(DPK_RECEIVED),
			    "Hồ sơ đã được tiếp nhận");
}

static void text_is(const struct dossier_public_event *e, const char *want)
{
	struct buf b = BUF_INIT;
	dossier_public_event_text(e, &b);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_event_texts(void **state)
{
	const char *items[] = { "Bản sao Giấy khai sinh", " ", "Tờ khai" };
	struct dossier_public_event e;
	(void)state;

	memset(&e, 0, sizeof(e));
	e.action = DA_RECEIVE;
	e.note = "ghi chú nội bộ: gọi điện cho anh Bình";
	text_is(&e, "Hồ sơ đã được tiếp nhận.");

	e.action = DA_REQUEST_SUPPLEMENT;
	e.n_items = 3;
	e.items = items;
	text_is(&e, "Cần bổ sung: Bản sao Giấy khai sinh; Tờ khai.");
	e.n_items = 0;
	text_is(&e, "Cần bổ sung hồ sơ.");

	e.action = DA_FORWARD;
	e.step_name = "Phê duyệt kết quả";
	text_is(&e, "Hồ sơ được chuyển sang bước: Phê duyệt kết quả.");

	memset(&e, 0, sizeof(e));
	e.action = DA_SEND_BACK;
	e.note = "trả lại vì thiếu chữ ký";
	text_is(&e, "");

	e.action = DA_APOLOGIZE;
	e.note = "nội bộ";
	e.new_due = T("2026-12-05 16:00");
	text_is(&e, "Cơ quan giải quyết xin lỗi vì hồ sơ chậm so với ngày "
		    "hẹn; ngày hẹn trả kết quả mới: 16:00 ngày 05/12/2026.");

	memset(&e, 0, sizeof(e));
	e.action = DA_RECORD_RESULT;
	e.note = "số 12/QĐ";
	text_is(&e, "Đã có kết quả, nhận tại Bộ phận Một cửa nơi đã nộp hồ "
		    "sơ.");
	e.place = "Bộ phận Một cửa UBND xã An Phú, số 1 đường Lê Lợi";
	text_is(&e, "Đã có kết quả, nhận tại Bộ phận Một cửa UBND xã An Phú, "
		    "số 1 đường Lê Lợi.");

	memset(&e, 0, sizeof(e));
	e.action = DA_REFUSE;
	e.note = "Không đủ điều kiện theo Điều 5 Luật Hộ tịch";
	text_is(&e, "Hồ sơ không được giải quyết. Lý do: Không đủ điều kiện "
		    "theo Điều 5 Luật Hộ tịch.");
	e.action = DA_REFUSE_INTAKE;
	e.note = "Thiếu giấy tờ.";
	e.n_items = 1;
	e.items = items;
	text_is(&e, "Hồ sơ không được tiếp nhận. Lý do: Thiếu giấy tờ. Cần "
		    "hoàn thiện: Bản sao Giấy khai sinh.");
	e.action = DA_STOP;
	e.note = "";
	text_is(&e, "Hồ sơ đã dừng giải quyết theo yêu cầu của người nộp.");
}

static void status_is(const struct dossier_public_status *s, const char *want)
{
	struct buf b = BUF_INIT;
	dossier_public_status_text(s, &b);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_status(void **state)
{
	const char *miss[] = { "Tờ khai" };
	struct dossier_public_status s;
	(void)state;

	memset(&s, 0, sizeof(s));
	s.state = DS_IN_PROGRESS;
	s.step_name = "Thẩm định, xử lý hồ sơ";
	s.due_at = T("2026-12-02 16:00");
	s.now = T("2026-12-01 09:00");
	status_is(&s, "Hồ sơ đang được giải quyết (bước: Thẩm định, xử lý hồ "
		      "sơ). Hẹn trả kết quả: 16:00 ngày 02/12/2026.");
	s.now = T("2026-12-03 09:00");
	status_is(&s, "Hồ sơ đang được giải quyết (bước: Thẩm định, xử lý hồ "
		      "sơ). Hẹn trả kết quả: 16:00 ngày 02/12/2026. Hồ sơ đã "
		      "quá ngày hẹn.");
	s.apology_used = true;
	s.due_at = T("2026-12-09 10:00");
	status_is(&s, "Hồ sơ đang được giải quyết (bước: Thẩm định, xử lý hồ "
		      "sơ). Ngày hẹn trả kết quả mới: 10:00 ngày 09/12/2026.");

	memset(&s, 0, sizeof(s));
	s.state = DS_SUPPLEMENT_REQUESTED;
	s.n_missing = 1;
	s.missing = miss;
	status_is(&s, "Hồ sơ đang chờ ông/bà bổ sung: Tờ khai. Thời gian chờ "
		      "bổ sung không tính vào thời hạn giải quyết.");

	s.before_acceptance = true;
	status_is(&s, "Hồ sơ nộp trực tuyến cần bổ sung trước khi được tiếp "
		      "nhận: Tờ khai.");

	memset(&s, 0, sizeof(s));
	s.state = DS_RESULT_READY;
	s.place = "Quầy số 2";
	status_is(&s, "Đã có kết quả, nhận tại Quầy số 2. Khi đến nhận, xin "
		      "mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả.");

	memset(&s, 0, sizeof(s));
	s.state = DS_REFUSED;
	s.reason = "Không đủ điều kiện";
	status_is(&s, "Hồ sơ không được giải quyết. Lý do: Không đủ điều "
		      "kiện.");
	s.state = DS_RETURNED;
	s.closed_at = T("2026-12-04 08:30");
	status_is(&s, "Đã trả kết quả lúc 08:30 ngày 04/12/2026.");

	/* every state has a sentence */
	for (int st = DS_SUBMITTED; st < DS__COUNT; st++) {
		struct buf b = BUF_INIT;
		memset(&s, 0, sizeof(s));
		s.state = (enum dossier_state)st;
		dossier_public_status_text(&s, &b);
		assert_true(b.len > 10);
		buf_release(&b);
	}
}

static void test_can_rate(void **state)
{
	(void)state;
	for (int st = 0; st < DS__COUNT; st++) {
		bool want = st == DS_RETURNED || st == DS_REFUSED ||
			    st == DS_REFUSED_AT_INTAKE || st == DS_STOPPED ||
			    st == DS_WITHDRAWN;
		assert_int_equal(dossier_public_can_rate(
					 (enum dossier_state)st),
				 want);
	}
}

static void mask_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	dossier_public_mask_name(in, &b);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_mask(void **state)
{
	(void)state;
	mask_is("Nguyễn Văn An", "Nguyễn V** A**");
	mask_is("  Trần   Thị  Ánh   Tuyết ", "Trần T** Á** T**");
	mask_is("Đặng Ềm", "Đặng Ề**");
	mask_is("An", "A**");
	mask_is("Ánh", "Á**");
	mask_is("", "");
	mask_is(NULL, "");
	mask_is("   ", "");
	/* NFD: A + combining acute (CC 81) stays one letter */
	mask_is("Lê A\xcc\x81nh", "Lê A\xcc\x81**");
	/* a truncated UTF-8 sequence never reads past the end */
	mask_is("Lê \xe1\xba", "Lê \xe1\xba**");
}

static void test_last4(void **state)
{
	(void)state;
	assert_true(dossier_public_last4_match("5678", "0912 345 678", NULL));
	assert_true(dossier_public_last4_match("5678", "0912345678", NULL) ==
		    true);
	assert_true(dossier_public_last4_match("5678", "+84 912-34-5678",
					       "001099000001"));
	assert_true(dossier_public_last4_match("0001", NULL, "001099000001"));
	assert_false(dossier_public_last4_match("0001", NULL, NULL));
	assert_false(dossier_public_last4_match("001", "0912340001", NULL));
	assert_false(dossier_public_last4_match("00011", "0912340001", NULL));
	assert_false(dossier_public_last4_match("abcd", "abcd", NULL));
	assert_false(dossier_public_last4_match(NULL, "0912340001", NULL));
	assert_false(dossier_public_last4_match("0001", "001", NULL));
	assert_false(dossier_public_last4_match("9999", "0912340001",
						"001099000001"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_event_texts),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_can_rate),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_last4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
