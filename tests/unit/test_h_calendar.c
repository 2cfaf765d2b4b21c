/*
 * test_h_calendar.c - the working-time API and the calendar page
 * in-process (web/h_calendar.c), on a temporary SQLite database holding
 * the shipped schedule and two desks of our own: the JSON of each API, the
 * errors naming their parameter, the page's content and form, the cache
 * reloading after an import, and readers racing a reset (for ASan/TSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/schedule.h"
#include "store/calendar_repo.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "web/app.h"
#include "web/calcache.h"
#include "web/query.h"
#include "web/respond.h"
#include "web/route.h"

static char dir[64];
static char db_url[128];
static struct app app;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_h_calendar.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_url, sizeof(db_url), "sqlite:%s/t.db", dir);
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	int rc = db_open(db_url, &db, &err);
	if (!rc)
		rc = migrate_run(db, NULL, &err);
	if (!rc)
		rc = calendar_repo_import_shipped(db, NULL, &err);
	/* 90001: Saturday morning, cut-off 16:00 from the column;
	 * 90002: stored hours that do not parse. */
	if (!rc)
		rc = db_exec(db,
			     "INSERT INTO desks (unit_code, name, office_hours,"
			     " cutoff) VALUES ('90001', 'Bộ phận Một cửa Xã Thử',"
			     " 'mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30;"
			     " cutoff 15:00', '16:00'), ('90002', 'Hỏng',"
			     " 'giờ hành chính', NULL)",
			     &err);
	if (db)
		db_close(db);
	if (!rc)
		rc = app_init(&app, db_url, "http://mc.example", NULL, &err);
	if (rc)
		fprintf(stderr, "setup: %s\n", err.ptr);
	buf_release(&err);
	calcache_reset();
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	calcache_reset();
	app_release(&app);
	char path[128];
	snprintf(path, sizeof(path), "%s/t.db", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	remove(path);
	rmdir(dir);
	return 0;
}

struct call {
	struct arena a;
	struct http_request req;
	struct http_response res;
};

/* GET `url` ("/path?query") through the site's routing table. */
static void get(struct call *c, const char *url)
{
	memset(c, 0, sizeof(*c));
	const char *q = strchr(url, '?');
	c->req.method = HTTP_GET;
	c->req.path = q ? arena_strndup(&c->a, url, (size_t)(q - url))
			: arena_strdup(&c->a, url);
	c->req.query = q ? q + 1 : "";
	c->req.body = "";
	c->req.arena = &c->a;
	c->req.app = &app;
	c->req.route_index = -1;
	c->req.want_json = !strncmp(c->req.path, "/api/", 5);
	struct buf err = BUF_INIT;
	assert_int_equal(query_parse_url(&c->a, c->req.query,
					 &c->req.query_params,
					 &c->req.n_query_params, &err),
			 0);
	buf_release(&err);
	http_response_init(&c->res);
	route_dispatch(app.routes, &c->req, &c->res);
}

static void done(struct call *c)
{
	http_response_release(&c->res);
	arena_release(&c->a);
}

/* GET `url`: status `status` and a body holding `want` (fixed text). */
static void expect(const char *url, int status, const char *want)
{
	struct call c;
	get(&c, url);
	if (c.res.status != status || !strstr(c.res.body.ptr, want))
		fail_msg("%s: status %d, want %d with '%s'; body: %.600s", url,
			 c.res.status, status, want, c.res.body.ptr);
	done(&c);
}

static void test_lunar_solar(void **state)
{
	(void)state;
	expect("/api/v1/calendar/lunar?date=2026-02-17", 200,
	       "{\"year\":2026,\"month\":1,\"day\":1,\"leap\":false}");
	expect("/api/v1/calendar/lunar?date=2025-07-25", 200,
	       "{\"year\":2025,\"month\":6,\"day\":1,\"leap\":true}");
	expect("/api/v1/calendar/solar?date=2025-06-01&leap=1", 200,
	       "{\"date\":\"2025-07-25\",\"year\":2025,\"month\":7,\"day\":25}");
	expect("/api/v1/calendar/solar?date=2026-01-01", 200,
	       "\"date\":\"2026-02-17\"");
	/* Errors name the parameter; never a made-up date. */
	expect("/api/v1/calendar/lunar", 400,
	       "{\"error\":{\"code\":\"invalid\",\"message\":\"date: required\"}}");
	expect("/api/v1/calendar/lunar?date=2026-02-30", 400,
	       "\"message\":\"date: '2026-02-30' is not a date YYYY-MM-DD\"");
	expect("/api/v1/calendar/lunar?date=1800-01-01", 400,
	       "\"code\":\"out_of_range\"");
	expect("/api/v1/calendar/solar?date=2026-01-01&leap=1", 400,
	       "leap: lunar year 2026 has no leap month");
	expect("/api/v1/calendar/solar?date=2025-05-01&leap=1", 400,
	       "leap: the leap month of lunar year 2025 is 6, not 5");
	expect("/api/v1/calendar/solar?date=2026-01-01&leap=yes", 400,
	       "leap: 'yes' is not 0 or 1");
	expect("/api/v1/calendar/solar?date=2300-01-01", 400,
	       "\"code\":\"out_of_range\"");
	expect("/api/v1/calendar/solar?date=26-1-1", 400,
	       "is not a lunar date YYYY-MM-DD");
}

static void test_days_off(void **state)
{
	(void)state;
	const char *u = "/api/v1/calendar/days-off?year=2026";
	expect(u, 200, "{\"year\":2026,\"announced\":true,\"source\":"
		       "\"database\",\"desk\":null,\"days\":[");
	/* The make-up Saturday of 2026 is a working day. */
	expect(u, 200, "{\"date\":\"2026-08-22\",\"weekday\":\"T7\",\"kind\":"
		       "\"makeup_workday\",\"name\":\"Làm bù ngày nghỉ hoán "
		       "đổi 31/8/2026 (Quốc khánh)\",\"off\":false,"
		       "\"provisional\":false}");
	expect(u, 200, "{\"date\":\"2026-02-17\",\"weekday\":\"T3\",\"kind\":"
		       "\"holiday\"");
	expect("/api/v1/calendar/days-off?year=2030", 200,
	       "\"announced\":false");
	expect("/api/v1/calendar/days-off?year=2030", 200,
	       "\"provisional\":true");
	expect("/api/v1/calendar/days-off?year=2026&desk=90001", 200,
	       "\"desk\":\"90001\"");
	expect("/api/v1/calendar/days-off?year=2026&desk=99999", 404,
	       "{\"error\":{\"code\":\"not_found\",\"message\":\"desk: "
	       "unknown desk '99999'\"}}");
	expect("/api/v1/calendar/days-off?year=2026&desk=a%20b", 400,
	       "desk: 'a b' is not a unit code");
	expect("/api/v1/calendar/days-off?year=2300", 400,
	       "year: 2300 is outside the calendar's years 1900..2199");
	expect("/api/v1/calendar/days-off?year=20x6", 400,
	       "year: '20x6' is not a year");
	expect("/api/v1/calendar/days-off", 400, "year: required");
}

static void test_due(void **state)
{
	(void)state;
	/* Tết 2026: received Thursday 12/2 after the cut-off; the window
	 * 16-20/2 is off, so the one working day is Monday 23/2. */
	expect("/api/v1/calendar/due?start=2026-02-12T16:00&duration=1+ng%C3%A0y+l%C3%A0m+vi%E1%BB%87c",
	       200,
	       "{\"due\":\"2026-02-23T17:00:00+07:00\",\"received\":"
	       "\"2026-02-12T16:00:00+07:00\",\"start\":\"2026-02-13T07:30:00"
	       "+07:00\",\"duration\":\"1wd\",\"policy\":\"day-end\",\"desk\":"
	       "\"default\",\"working_minutes\":450,\"calendar\":\"database\","
	       "\"provisional_years\":[]}");
	/* A Friday-evening receipt counts from Monday. */
	expect("/api/v1/calendar/due?start=2026-03-06+18:00&duration=1wd", 200,
	       "\"due\":\"2026-03-10T17:00:00+07:00\"");
	/* The make-up Saturday 22/8/2026 is a working day. */
	expect("/api/v1/calendar/due?start=2026-08-20T09:00&duration=2wd", 200,
	       "\"due\":\"2026-08-22T17:00:00+07:00\"");
	/* The desk's cut-off (16:00 from its column) decides 15:30. */
	expect("/api/v1/calendar/due?start=2026-03-04T15:30&duration=1wd", 200,
	       "\"due\":\"2026-03-06T17:00:00+07:00\"");
	expect("/api/v1/calendar/due?start=2026-03-04T15:30&duration=1wd&desk=90001",
	       200, "\"due\":\"2026-03-05T17:00:00+07:00\",\"received\":"
		    "\"2026-03-04T15:30:00+07:00\",\"start\":\"2026-03-04T15:30"
		    ":00+07:00\"");
	/* A pause of one working day moves the due by one day. */
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=3wd", 200,
	       "\"due\":\"2026-03-05T17:00:00+07:00\"");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=3wd"
	       "&pause=2026-03-03T07:30/2026-03-03T17:00",
	       200, "\"due\":\"2026-03-06T17:00:00+07:00\"");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&policy=hour-exact", 200,
	       "\"due\":\"2026-03-03T09:00:00+07:00\"");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=3wd"
	       "&steps=1,1,1", 200,
	       "\"steps\":[\"2026-03-03T17:00:00+07:00\",\"2026-03-04T17:00:00"
	       "+07:00\",\"2026-03-05T17:00:00+07:00\"]");
	expect("/api/v1/calendar/due?start=2030-01-02T09:00&duration=1wd", 200,
	       "\"provisional_years\":[2030]");
	/* Errors. */
	expect("/api/v1/calendar/due?duration=1wd", 400, "start: required");
	expect("/api/v1/calendar/due?start=2026-02-30T09:00&duration=1wd", 400,
	       "\"message\":\"start: ");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00", 400,
	       "duration: required");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=ba+ng%C3%A0y",
	       400, "\"message\":\"duration: ");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd&policy=x",
	       400, "\"message\":\"policy: ");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&pause=2026-03-03T09:00", 400, "pause: '2026-03-03T09:00' is "
					      "not START/END");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&pause=2026-03-03T09:00/2026-03-02T09:00", 400,
	       "ends before it starts");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&steps=1,x", 400, "steps: ");
	expect("/api/v1/calendar/due?start=2199-12-30T09:00&duration=30wd", 400,
	       "\"code\":\"out_of_range\"");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&desk=99999", 404, "unknown desk '99999'");
	expect("/api/v1/calendar/due?start=2026-03-02T09:00&duration=1wd"
	       "&desk=90002", 400, "desk: ");
}

static void test_between(void **state)
{
	(void)state;
	expect("/api/v1/calendar/between?from=2026-03-09T08:00&to=2026-03-10T08:30",
	       200,
	       "{\"working_minutes\":480,\"working_seconds\":28800,"
	       "\"working_days\":1.0666666666666667,\"day_minutes\":450,"
	       "\"desk\":\"default\"}");
	/* Tết: nothing is worked from 16/2 to 20/2. */
	expect("/api/v1/calendar/between?from=2026-02-16T07:30&to=2026-02-20T17:00",
	       200, "\"working_minutes\":0,");
	expect("/api/v1/calendar/between?from=2026-03-09T08:00&to=2026-03-10T08:30"
	       "&pause=2026-03-09T13:30/2026-03-09T17:00",
	       200, "\"working_minutes\":270,");
	expect("/api/v1/calendar/between?from=2026-03-09T08:00", 400,
	       "to: required");
	expect("/api/v1/calendar/between?from=x&to=2026-03-10T08:30", 400,
	       "\"message\":\"from: ");
	expect("/api/v1/calendar/between?from=1800-01-01T08:00&to=2026-03-10T08:30",
	       400, "\"code\":\"out_of_range\"");
}

static void test_page(void **state)
{
	(void)state;
	const char *u = "/lich-lam-viec?nam=2026";
	expect(u, 200, "<h1>Lịch làm việc năm 2026</h1>");
	expect(u, 200, "Hồ sơ nhận sau 15:00 được tính từ ngày làm việc "
		       "tiếp theo.");
	expect(u, 200, "<dt>Thứ Hai – Thứ Sáu</dt><dd>07:30–11:30 và "
		       "13:30–17:00</dd>");
	expect(u, 200, "<h3>Tháng 8</h3>");
	expect(u, 200, "<time datetime=\"2026-08-22\">Thứ Bảy, 22/08/2026"
		       "</time> <span class=\"badge\">Làm việc bù</span>");
	expect(u, 200, "<time datetime=\"2026-02-17\">Thứ Ba, 17/02/2026");
	expect(u, 200, "href=\"/lich-lam-viec?nam=2027\"");
	{
		struct call c;
		get(&c, u);
		assert_null(strstr(c.res.body.ptr, "tạm tính"));
		assert_non_null(strstr(c.res.body.ptr, "Tính ngày hẹn trả"));
		done(&c);
	}
	expect("/lich-lam-viec?nam=2030", 200, "<b>Tạm tính.</b>");
	expect("/lich-lam-viec?nam=2030", 200,
	       "<span class=\"badge cal-prov\">tạm tính</span>");
	/* A desk: its hours, its cut-off, links that keep it. */
	u = "/don-vi/90001/lich-lam-viec?nam=2026";
	expect(u, 200, "<b>Bộ phận Một cửa Xã Thử</b>");
	expect(u, 200, "<dt>Thứ Bảy</dt><dd>07:30–11:30</dd>");
	expect(u, 200, "<dt>Chủ nhật</dt><dd>Nghỉ</dd>");
	expect(u, 200, "Hồ sơ nhận sau 16:00 được tính từ ngày làm việc");
	expect(u, 200, "href=\"/don-vi/90001/lich-lam-viec?nam=2025\"");
	expect("/lich-lam-viec?quay=90001&nam=2026", 200,
	       "href=\"/lich-lam-viec?quay=90001&amp;nam=2027\"");
	expect("/lich-lam-viec?quay=90001&nam=2026", 200,
	       "<input type=\"hidden\" name=\"quay\" value=\"90001\">");
	/* The form. */
	expect("/lich-lam-viec?nam=2026&tu=2026-02-12T16%3A00&so=1&loai=ngay-lam-viec",
	       200, "Ngày hẹn trả kết quả: <b><time datetime=\"2026-02-23T17:00"
		    ":00+07:00\">17:00, Thứ Hai 23/02/2026</time></b>");
	expect("/don-vi/90001/lich-lam-viec?nam=2026&tu=2026-03-04T15%3A30&so=1",
	       200, "17:00, Thứ Năm 05/03/2026");
	expect("/lich-lam-viec?nam=2026&tu=2030-01-02T09%3A00&so=1", 200,
	       "Lịch nghỉ năm 2030 là tạm tính");
	expect("/lich-lam-viec?nam=2026&tu=hôm+nay&so=1", 400,
	       "aria-invalid=\"true\"");
	expect("/lich-lam-viec?nam=2026&tu=2026-03-04T09%3A00&so=-2", 400,
	       "<p class=\"cal-error\" id=\"so-error\">");
	expect("/lich-lam-viec?nam=2026&tu=2199-12-30T09%3A00&so=30", 400,
	       "Không tính được ngày hẹn trả");
	/* Errors. */
	expect("/lich-lam-viec?nam=abc", 400, "Năm không hợp lệ");
	expect("/don-vi/99999/lich-lam-viec", 404,
	       "Không tìm thấy Bộ phận Một cửa này.");
}

/* After an import the cache serves the new schedule (checked once a
 * second: the test waits past that second, it does not time anything). */
static void test_reload(void **state)
{
	(void)state;
	const char *u = "/api/v1/calendar/due?start=2026-03-09T09:00&duration=1wd";
	expect(u, 200, "\"due\":\"2026-03-10T17:00:00+07:00\"");
	static const char csv[] =
		"date,kind,name,source\n"
		"2026-01-01,holiday,Tết Dương lịch,test\n"
		"2026-03-10,holiday,Ngày nghỉ thử,test\n";
	struct schedule s = SCHEDULE_INIT;
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	assert_int_equal(schedule_parse(&s, csv, strlen(csv), &err), 0);
	assert_int_equal(db_open(db_url, &db, &err), 0);
	assert_int_equal(calendar_repo_import(db, &s, NULL, &err), 0);
	sleep(2);
	expect(u, 200, "\"due\":\"2026-03-11T17:00:00+07:00\"");
	expect("/api/v1/calendar/days-off?year=2026", 200, "Ngày nghỉ thử");
	/* Back to the shipped schedule. */
	assert_int_equal(calendar_repo_import_shipped(db, NULL, &err), 0);
	db_close(db);
	schedule_release(&s);
	buf_release(&err);
	calcache_reset();
	expect(u, 200, "\"due\":\"2026-03-10T17:00:00+07:00\"");
}

/* Readers on several threads while another resets the cache. */
static void *reader(void *arg)
{
	int *bad = arg;
	for (int i = 0; i < 300; i++) {
		struct call c;
		get(&c, i % 2 ? "/api/v1/calendar/due?start=2026-02-12T16:00"
				"&duration=1wd"
			      : "/api/v1/calendar/due?start=2026-03-04T15:30"
				"&duration=1wd&desk=90001");
		if (c.res.status != 200 ||
		    !strstr(c.res.body.ptr,
			    i % 2 ? "2026-02-23T17:00" : "2026-03-05T17:00"))
			(*bad)++;
		done(&c);
	}
	return NULL;
}

static void *resetter(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		usleep(20000);
		calcache_reset();
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[4], r;
	int bad[4] = { 0 };
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, &bad[i]), 0);
	assert_int_equal(pthread_create(&r, NULL, resetter, NULL), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
	pthread_join(r, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lunar_solar),
		cmocka_unit_test(test_days_off),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
