#!/bin/sh
# test_calendar_web.sh - the working-time API (/api/v1/calendar/...) and
# the public calendar page through the real server, each API answer
# compared byte for byte with `motcua calendar ... --json` on the same
# database for the same inputs (Tết 2026, the make-up Saturday 22/8/2026,
# a Friday-evening receipt, pauses, a restart, the other units); the
# errors (400 naming the parameter, 404 unknown desk, out of range) and
# the page's content and form. Read only on the database.
# Ends with "calendar-web: N passed, M failed".

. tests/integ/lib.sh
it_init calendar-web
unset MOTCUA_DB
DB=$(it_db) || { it_ko "no database"; it_done; }
it_start --db "$DB" || it_done

# api PATH [CURL ARGS...]: GET with the args as query (-G), 200 expected.
api() {
	p=$1
	shift
	http GET "$p" -G "$@"
	expect_status "GET $p $*" 200
}

# cli_is NAME ARGS...: `motcua calendar ARGS --json --db DB` prints the
# last API body exactly.
cli_is() {
	name=$1
	shift
	if ! "$IT_BIN" calendar "$@" --json --db "$DB" >"$T/cli" 2>"$T/cli.err"; then
		it_ko "$name: calendar $* failed: $(head -c 200 "$T/cli.err")"
		return
	fi
	if [ "$(cat "$T/cli")" = "$(cat "$BODY")" ]; then
		it_ok
	else
		it_ko "$name: API and CLI differ"
		echo "  api: $(head -c 400 "$BODY")"
		echo "  cli: $(head -c 400 "$T/cli")"
	fi
}

# bad NAME STATUS CODE MESSAGE-FIXED PATH [CURL ARGS...]: a JSON error.
bad() {
	name=$1 st=$2 code=$3 msg=$4 p=$5
	shift 5
	http GET "$p" -G "$@"
	expect_status "$name" "$st"
	if grep -qF -- "{\"error\":{\"code\":\"$code\",\"message\":\"$msg" "$BODY"; then
		it_ok
	else
		it_ko "$name: body lacks code $code, message '$msg'"
		head -c 300 "$BODY" | sed 's/^/  body: /'
	fi
}

WD1="1 ngày làm việc"
WD3="3 ngày làm việc"

# ---- lunar, solar -----------------------------------------------------------
api /api/v1/calendar/lunar --data-urlencode date=2026-02-17
cli_is "lunar Tết 2026" lunar 2026-02-17
expect_body "lunar Tết 2026 value" '^\{"year":2026,"month":1,"day":1,"leap":false\}$'
api /api/v1/calendar/lunar --data-urlencode date=2025-07-25
cli_is "lunar leap month" lunar 2025-07-25
api /api/v1/calendar/solar --data-urlencode date=2025-06-01 --data-urlencode leap=1
cli_is "solar leap" solar --leap 2025-06-01
api /api/v1/calendar/solar --data-urlencode date=2026-01-01 --data-urlencode leap=0
cli_is "solar Tết 2026" solar 2026-01-01
expect_header "lunar cacheable" "Cache-Control: public"

# ---- days off ---------------------------------------------------------------
api /api/v1/calendar/days-off --data-urlencode year=2026
cli_is "days-off 2026" days-off 2026
expect_body "make-up Saturday 22/8" '"date":"2026-08-22","weekday":"T7","kind":"makeup_workday","name":"[^"]*","off":false'
expect_body "Tết 2026 off" '"date":"2026-02-20","weekday":"T6","kind":"holiday"'
api /api/v1/calendar/days-off --data-urlencode year=2031
cli_is "days-off provisional 2031" days-off 2031
expect_body "2031 provisional" '"announced":false.*"provisional":true'
api /api/v1/calendar/days-off --data-urlencode year=2026 --data-urlencode desk=00004
cli_is "days-off desk" days-off --desk 00004 2026

# ---- due ----------------------------------------------------------------------
api /api/v1/calendar/due --data-urlencode "start=2026-02-12T16:00" --data-urlencode "duration=$WD1"
cli_is "due Tết window" due --start "2026-02-12 16:00" --duration "$WD1"
expect_body "due Tết window value" '"due":"2026-02-23T17:00:00\+07:00"'
api /api/v1/calendar/due --data-urlencode "start=2026-03-06T18:00" --data-urlencode "duration=$WD1"
cli_is "due Friday evening" due --start "2026-03-06 18:00" --duration "$WD1"
expect_body "Friday evening starts Monday" '"start":"2026-03-09T07:30:00\+07:00"'
api /api/v1/calendar/due --data-urlencode "start=2026-08-20 09:00" --data-urlencode "duration=2wd"
cli_is "due make-up Saturday" due --start "2026-08-20 09:00" --duration 2wd
expect_body "make-up Saturday is the due day" '"due":"2026-08-22T17:00:00\+07:00"'
api /api/v1/calendar/due --data-urlencode "start=2026-03-02T09:00" \
	--data-urlencode "duration=$WD3" \
	--data-urlencode "pause=2026-03-03T07:30/2026-03-03T17:00" \
	--data-urlencode "pause=2026-03-05T13:30/2026-03-05T17:00"
cli_is "due two pauses" due --start "2026-03-02 09:00" --duration "$WD3" \
	--pause "2026-03-05 13:30/2026-03-05 17:00" \
	--pause "2026-03-03 07:30/2026-03-03 17:00"
api /api/v1/calendar/due --data-urlencode "start=2026-03-02T09:00" \
	--data-urlencode "duration=$WD3" --data-urlencode "restart=2026-03-04T10:00"
cli_is "due restart" due --start "2026-03-02 09:00" --duration "$WD3" --restart "2026-03-04 10:00"
api /api/v1/calendar/due --data-urlencode "start=2026-03-02T09:00" \
	--data-urlencode "duration=$WD1" --data-urlencode "policy=hour-exact"
cli_is "due hour-exact" due --start "2026-03-02 09:00" --duration "$WD1" --policy hour-exact
api /api/v1/calendar/due --data-urlencode "start=2026-04-29T14:00" --data-urlencode "duration=4 giờ làm việc"
cli_is "due working hours" due --start "2026-04-29 14:00" --duration "4 giờ làm việc"
api /api/v1/calendar/due --data-urlencode "start=2026-04-20T09:00" --data-urlencode "duration=15 ngày"
cli_is "due calendar days" due --start "2026-04-20 09:00" --duration "15 ngày"
api /api/v1/calendar/due --data-urlencode "start=2026-03-04T15:30" --data-urlencode "duration=Trong ngày"
cli_is "due same day" due --start "2026-03-04 15:30" --duration "Trong ngày"
api /api/v1/calendar/due --data-urlencode "start=2026-03-02T09:00" \
	--data-urlencode "duration=$WD3" --data-urlencode "steps=1,4,1"
cli_is "due steps" due --start "2026-03-02 09:00" --duration "$WD3" --steps 1,4,1
api /api/v1/calendar/due --data-urlencode "start=2026-03-02T09:00" \
	--data-urlencode "duration=$WD3" --data-urlencode "desk=00004"
cli_is "due desk" due --start "2026-03-02 09:00" --duration "$WD3" --desk 00004
api /api/v1/calendar/due --data-urlencode "start=2031-12-30T09:00" --data-urlencode "duration=5wd"
cli_is "due provisional years" due --start "2031-12-30 09:00" --duration 5wd
expect_body "provisional years listed" '"provisional_years":\[2031,2032\]'

# ---- between ----------------------------------------------------------------
api /api/v1/calendar/between --data-urlencode "from=2026-03-09T08:00" --data-urlencode "to=2026-03-10T08:30"
cli_is "between" between "2026-03-09 08:00" "2026-03-10 08:30"
api /api/v1/calendar/between --data-urlencode "from=2026-02-13T08:00" \
	--data-urlencode "to=2026-02-24T08:00" \
	--data-urlencode "pause=2026-02-23T07:30/2026-02-23T11:30"
cli_is "between Tết with a pause" between "2026-02-13 08:00" "2026-02-24 08:00" \
	--pause "2026-02-23 07:30/2026-02-23 11:30"
api /api/v1/calendar/between --data-urlencode "from=2026-03-10T08:30" \
	--data-urlencode "to=2026-03-09T08:00" --data-urlencode "desk=00004"
cli_is "between backwards, desk" between "2026-03-10 08:30" "2026-03-09 08:00" --desk 00004

# ---- errors -------------------------------------------------------------------
D=/api/v1/calendar/due
bad "due without start" 400 invalid "start: required" $D --data-urlencode "duration=1wd"
bad "due bad start" 400 invalid "start: " $D --data-urlencode "start=2026-02-30 09:00" --data-urlencode "duration=1wd"
bad "due bad duration" 400 invalid "duration: " $D --data-urlencode "start=2026-03-02 09:00" --data-urlencode "duration=ba ngày"
bad "due bad policy" 400 invalid "policy: " $D --data-urlencode "start=2026-03-02 09:00" --data-urlencode "duration=1wd" --data-urlencode "policy=fast"
bad "due bad pause" 400 invalid "pause: " $D --data-urlencode "start=2026-03-02 09:00" --data-urlencode "duration=1wd" --data-urlencode "pause=2026-03-03"
bad "due pause backwards" 400 invalid "pause: " $D --data-urlencode "start=2026-03-02 09:00" --data-urlencode "duration=1wd" --data-urlencode "pause=2026-03-04T09:00/2026-03-03T09:00"
bad "due unknown desk" 404 not_found "desk: unknown desk '99999'" $D --data-urlencode "start=2026-03-02 09:00" --data-urlencode "duration=1wd" --data-urlencode "desk=99999"
bad "due after 2199" 400 out_of_range "" $D --data-urlencode "start=2199-12-30 09:00" --data-urlencode "duration=30wd"
expect_body "due after 2199: the reason" 'after 2199'
check "CLI refuses it too" sh -c "! '$IT_BIN' calendar due --db '$DB' --start '2199-12-30 09:00' --duration 30wd"
bad "between before 1900" 400 out_of_range "" /api/v1/calendar/between --data-urlencode "from=1800-01-01T08:00" --data-urlencode "to=2026-01-01T08:00"
bad "between without to" 400 invalid "to: required" /api/v1/calendar/between --data-urlencode "from=2026-01-01T08:00"
bad "lunar bad date" 400 invalid "date: '2026-13-01' is not a date YYYY-MM-DD" /api/v1/calendar/lunar --data-urlencode "date=2026-13-01"
bad "lunar out of range" 400 out_of_range "date: 1899-01-01 is outside" /api/v1/calendar/lunar --data-urlencode "date=1899-01-01"
bad "solar no leap month" 400 invalid "leap: lunar year 2026 has no leap month" /api/v1/calendar/solar --data-urlencode "date=2026-01-01" --data-urlencode "leap=1"
bad "solar day 30" 400 invalid "date: lunar 2026-02-30 does not exist: that month has 29 days" /api/v1/calendar/solar --data-urlencode "date=2026-02-30"
bad "days-off year out of range" 400 out_of_range "year: 2300 is outside" /api/v1/calendar/days-off --data-urlencode "year=2300"
bad "days-off unknown desk" 404 not_found "desk: unknown desk '99999'" /api/v1/calendar/days-off --data-urlencode "year=2026" --data-urlencode "desk=99999"
http POST /api/v1/calendar/due
expect_status "POST is not allowed" 405

# ---- the page -----------------------------------------------------------------
http GET "/lich-lam-viec?nam=2026"
expect_status "page 2026" 200
expect_header "page is HTML" "Content-Type: text/html"
expect_body "page title" '<h1>Lịch làm việc năm 2026</h1>'
expect_body "page hours" 'Thứ Hai – Thứ Sáu</dt><dd>07:30–11:30 và 13:30–17:00'
expect_body "page cut-off sentence" 'Hồ sơ nhận sau 15:00 được tính từ ngày làm việc tiếp theo'
expect_body "page make-up Saturday" 'datetime="2026-08-22">Thứ Bảy, 22/08/2026</time> <span class="badge">Làm việc bù'
expect_body "page Tết" 'Tết Nguyên đán Bính Ngọ \(mùng 1\)'
expect_body "page months" '<h3>Tháng 9</h3>'
expect_no_body "page 2026 not provisional" 'tạm tính'
expect_body "page form" '<form class="cal-form" action="/lich-lam-viec#tinh-ngay" method="get">'
expect_no_body "page without script" '<script'
http GET "/lich-lam-viec?nam=2031"
expect_body "page 2031 provisional" '<b>Tạm tính.</b>'
expect_body "page 2031 provisional mark" 'badge cal-prov">tạm tính'
http GET "/don-vi/00004/lich-lam-viec?nam=2026"
expect_status "page of a desk" 200
expect_body "page desk links keep the desk" 'href="/don-vi/00004/lich-lam-viec\?nam=2027"'
http GET "/lich-lam-viec?nam=2026&tu=2026-02-12T16%3A00&so=1&loai=ngay-lam-viec"
expect_status "form result" 200
expect_body "form result due" 'datetime="2026-02-23T17:00:00\+07:00">17:00, Thứ Hai 23/02/2026'
expect_body "form keeps the input" 'value="2026-02-12T16:00"'
http GET "/lich-lam-viec?quay=00004&nam=2026&tu=2026-03-06T18%3A00&so=1&loai=ngay-lam-viec"
expect_body "form Friday evening" '17:00, Thứ Ba 10/03/2026'
expect_body "form keeps the desk" 'name="quay" value="00004"'
http GET "/lich-lam-viec?nam=2026&tu=sang+mai&so=1"
expect_status "form bad time" 400
expect_body "form error next to the field" 'aria-invalid="true"'
http GET "/lich-lam-viec?nam=3000"
expect_status "page year out of range" 400
http GET "/don-vi/99999/lich-lam-viec"
expect_status "page unknown desk" 404

it_stop
check "server exits cleanly (got $SERVER_RC)" test "$SERVER_RC" = 0
[ "$SERVER_RC" = 0 ] || tail -5 "$SERVER_LOG"
it_done
