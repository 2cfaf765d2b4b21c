#!/bin/sh
# test_admin_org.sh - units, desks and the days-off calendar administration
# (/quan-tri/don-vi, /quan-tri/lich, /api/v1/admin/desks|calendar) through
# the real server on the run's database (SQLite, or PostgreSQL when run.sh
# passes it). Covers: the unit list in scope and its search without
# diacritics, the before/after view, the desk form (each validation error
# as 422 naming the field and keeping the values, success as 303, a stale
# form as 409), the public unit page and the deadline API following the
# change, out-of-scope access, the calendar year page, entry add/change/
# remove with validation, the CSV import with its preview, the API twins,
# and the audit entries. Uses desk 07306 and year 2031 (provisional) so as
# not to disturb the other scripts of the run; puts the calendar back.
# Ends with "admin_org: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init admin_org
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=o$$
NAT=${p}nat	# admin on VN (calendar)
UA=${p}ua	# unit admin on commune 07306 (Nhã Nam, province 24)
PROV=${p}prov	# admin on province 24: units, not the national calendar

mk() {
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--db "$DB" >/dev/null 2>&1
}
mk "$NAT" admin VN; check "cli: national admin" [ $? -eq 0 ]
mk "$UA" unit_admin 07306; check "cli: unit admin" [ $? -eq 0 ]
mk "$PROV" admin 24; check "cli: province admin" [ $? -eq 0 ]

it_start --db "$DB" || it_done

login() {
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$3" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
# field NAME: the value="..." of hidden input NAME in the last body.
field() {
	grep -o "name=\"$1\" value=\"[^\"]*\"" "$BODY" | head -1 |
		sed 's/.*value="//; s/"$//'
}
JN=$T/nat.jar JU=$T/ua.jar JP=$T/prov.jar
login "$JN" "$NAT" "$PW"; expect_status "login national admin" 303
CN=$(csrf_of "$JN")
login "$JU" "$UA" "$PW"; expect_status "login unit admin" 303
CU=$(csrf_of "$JU")
login "$JP" "$PROV" "$PW"; expect_status "login province admin" 303

# ---- units -----------------------------------------------------------------
http GET "/quan-tri/don-vi?q=NHA%20NAM" -b "$JU"
expect_status "unit list" 200
expect_body "... finds Nhã Nam typed without diacritics" 'Xã Nhã Nam'
http GET "/quan-tri/don-vi?q=nghia%20phuong" -b "$JU"
expect_body "... nothing out of the commune admin's scope" '<b>0</b> đơn vị'
http GET "/quan-tri/don-vi?q=nghia%20phuong" -b "$JP"
expect_body "... the province admin sees the province's communes" 'Xã Nghĩa Phương'
http GET /quan-tri/don-vi -c /dev/null
expect_status "anonymous: to the login page" 303

http GET /quan-tri/don-vi/07306 -b "$JU"
expect_status "unit page" 200
expect_body "... the old communes merged into it" 'Huyện cũ'
expect_body "... with the old province" 'Tỉnh Bắc Giang'
expect_body "... the desk form" 'name="agency_code"'
V=$(field version)
http GET /quan-tri/don-vi/07486 -b "$JU"
expect_status "another commune's page: refused" 403
http GET /quan-tri/don-vi/99999 -b "$JN"
expect_status "unknown unit" 404

# ---- desk form: each validation error --------------------------------------
post_desk() { # post_desk JAR CSRF name agency hours cutoff phone [version]
	http POST /quan-tri/don-vi/07306 -b "$1" --data-urlencode "csrf=$2" \
		--data-urlencode "version=${8:-$V}" --data-urlencode "name=$3" \
		--data-urlencode "agency_code=$4" \
		--data-urlencode "office_hours=$5" --data-urlencode "cutoff=$6" \
		--data-urlencode "address=Thôn Trung, Nhã Nam" \
		--data-urlencode "phone=$7"
}
post_desk "$JU" "$CU" "" "" "" "" ""
expect_status "empty name: 422" 422
expect_body "... named" 'Tên bộ phận một cửa: không được để trống'
post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam" "H40" "" "" ""
expect_status "bad agency code: 422" 422
expect_body "... named" 'Mã định danh điện tử của cơ quan: '
expect_body "... the value typed is kept" 'value="Bộ phận một cửa Nhã Nam"'
post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam" "" "mon-fri 07:30" "" ""
expect_status "bad office hours: 422" 422
expect_body "... named" 'Giờ làm việc: không đọc được'
post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam" "" "" "15h" ""
expect_status "bad cut-off: 422" 422
expect_body "... named" 'Giờ chốt nhận hồ sơ: phải có dạng HH:MM'
post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam" "" "" "" "gọi ngay"
expect_status "bad phone: 422" 422
expect_body "... named" 'Số điện thoại: '
post_desk "$JU" "" "X" "" "" "" ""
expect_status "no CSRF token: refused" 303
expect_header "... back to the login page" 'Location: /dang-nhap'

# Start from the default hours: a database reused from an earlier run (CI runs
# the suite again under ASan on the same PostgreSQL database) keeps the last.
http GET /quan-tri/don-vi/07306 -b "$JU"
V=$(field version)
post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam" "h40.123.45" "" "" ""
expect_status "desk back to the default hours: 303" 303
http GET /quan-tri/don-vi/07306 -b "$JU"
V=$(field version)

# Due with this desk's hours before the change (Friday 14:00 + 1 day).
due() { curl -s "$URL/api/v1/calendar/due?start=$1&duration=1+ng%C3%A0y+l%C3%A0m+vi%E1%BB%87c$2"; }
D0=$(due 2026-03-13T15:30 "&desk=07306")

post_desk "$JU" "$CU" "Bộ phận một cửa Nhã Nam $p" "h40.123.45" \
	"mon-fri 07:00-11:00,13:00-16:30; sat 07:30-11:30" "16:00" "0204 3854 123"
expect_status "valid desk: 303" 303
expect_header "... to the page with a confirmation" 'Location: /quan-tri/don-vi/07306?da-luu=1'
http GET "/quan-tri/don-vi/07306?da-luu=1" -b "$JU"
expect_body "... confirmation shown" 'Đã lưu thông tin'
expect_body "... hours read back as a table" '07:00–11:00, 13:00–16:30'
expect_body "... agency code upper-cased" 'value="H40.123.45"'
post_desk "$JU" "$CU" "Bộ phận khác" "" "" "" "" "$V"
expect_status "stale form: 409" 409
expect_body "... says someone else changed it" 'vừa được người khác sửa'
expect_body "... keeps the values typed" 'value="Bộ phận khác"'

# The public page and the deadline follow (caches check once a second).
ok=no; i=0
while [ $i -lt 30 ]; do
	http GET /don-vi/07306
	if grep -q "Bộ phận một cửa Nhã Nam $p" "$BODY"; then ok=yes; break; fi
	sleep 0.2; i=$((i + 1))
done
check "public unit page shows the new desk name" [ $ok = yes ]
D1=$(due 2026-03-13T15:30 "&desk=07306")
check "due with the desk's new cut-off differs ($D0 / $D1)" [ "$D0" != "$D1" ]

# API twin.
http GET /api/v1/admin/desks/07306 -b "$JU"
expect_status "api: desk" 200
expect_body "... JSON" '"agency_code":"H40.123.45"'
http PUT /api/v1/admin/desks/07306 -b "$JU" -H "X-CSRF-Token: $CU" \
	-H 'Content-Type: application/json' --data '{"name":"X","cutoff":"25:00"}'
expect_status "api: invalid 422" 422
expect_body "... error names the field" '"code":"invalid","field":"cutoff"'
http PUT /api/v1/admin/desks/07486 -b "$JU" -H "X-CSRF-Token: $CU" \
	-H 'Content-Type: application/json' --data '{"name":"X"}'
expect_status "api: out of scope 403" 403

# ---- calendar --------------------------------------------------------------
http GET /quan-tri/lich -b "$JU"
expect_status "calendar: a commune admin may not" 403
http GET /quan-tri/lich/2031 -b "$JP"
expect_status "calendar: a province admin may not (system-wide)" 403
http GET /quan-tri/lich -b "$JN"
expect_status "calendar index" 200
http GET /quan-tri/lich/2031 -b "$JN"
expect_status "year page" 200
expect_body "... provisional year" 'chưa có lịch công bố'
expect_body "... month grids with counts" 'Tháng 6: [0-9]+ ngày làm việc'
CV=$(field version)

# 2031-06-10 is a Tuesday, 2031-06-14 a Saturday.
add() { # add DATE KIND NAME [version]
	http POST /quan-tri/lich/2031 -b "$JN" --data-urlencode "csrf=$CN" \
		--data "op=add" --data-urlencode "version=${4:-$CV}" \
		--data "date=$1" --data "kind=$2" --data-urlencode "name=$3" \
		--data-urlencode "source=thử nghiệm $p"
}
add 2031-06-10 makeup_workday "Làm bù"
expect_status "make-up on a Tuesday: 422" 422
expect_body "... named" 'ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật'
add 2032-01-05 swapped_off "Nghỉ"
expect_status "date in another year: 422" 422
expect_body "... named" 'Ngày: phải thuộc năm 2031'
add 2031-06-10 holiday "Lễ"
expect_status "a holiday into a provisional year: 422" 422
add 2031-06-10 swapped_off ""
expect_status "no name: 422" 422
expect_body "... named" 'Tên ngày: không được để trống'

E0=$(due 2031-06-09T08:00)
add 2031-06-10 swapped_off "Nghỉ hoán đổi thử"
expect_status "add a day off: 303" 303
http GET "/quan-tri/lich/2031?da-luu=1" -b "$JN"
expect_body "... listed" 'Nghỉ hoán đổi thử'
CV2=$(field version)
add 2031-06-10 swapped_off "Lần hai" "$CV2"
expect_status "duplicate date: 422" 422
expect_body "... named" 'đã có một mục vào ngày này'
add 2031-06-14 makeup_workday "Làm bù" "$CV"
expect_status "stale version: 409" 409
ok=no; i=0
while [ $i -lt 30 ]; do
	E1=$(due 2031-06-09T08:00)
	[ "$E1" != "$E0" ] && { ok=yes; break; }
	sleep 0.2; i=$((i + 1))
done
check "the due moves after the day off (calendar cache reloaded)" [ $ok = yes ]
echo "$E1" | grep -q '"due":"2031-06-11T' ; check "... to Wednesday" [ $? -eq 0 ]

http POST /quan-tri/lich/2031 -b "$JN" --data-urlencode "csrf=$CN" \
	--data "op=change" --data "old=2031-06-10" --data "date=2031-06-10" \
	--data "kind=swapped_off" --data-urlencode "name=Đổi tên" \
	--data-urlencode "version=$CV2"
expect_status "change: 303" 303

# API twins.
http GET /api/v1/admin/calendar/2031 -b "$JN"
expect_status "api: year" 200
expect_body "... changed name" '"name":"Đổi tên"'
http POST /api/v1/admin/calendar/2031/entries -b "$JN" -H "X-CSRF-Token: $CN" \
	-H 'Content-Type: application/json' \
	--data '{"date":"2031-06-16","kind":"makeup_workday","name":"x"}'
expect_status "api: make-up on Monday 422" 422
expect_body "... field kind" '"field":"kind"'
http POST /api/v1/admin/calendar/2031/entries -b "$JN" -H "X-CSRF-Token: $CN" \
	-H 'Content-Type: application/json' \
	--data '{"date":"2031-06-14","kind":"makeup_workday","name":"Làm bù thử"}'
expect_status "api: add" 200
http DELETE /api/v1/admin/calendar/2031/entries/2031-06-14 -b "$JN" \
	-H "X-CSRF-Token: $CN"
expect_status "api: delete" 200
http DELETE /api/v1/admin/calendar/2031/entries/2031-06-14 -b "$JN" \
	-H "X-CSRF-Token: $CN"
expect_status "api: delete again 404" 404

# Import with a preview (textarea), then confirm; then put 2031 back.
CSV="date,kind,name,source
2031-01-01,holiday,Tết Dương lịch,thử $p
2031-09-02,holiday,Quốc khánh,thử $p"
http GET /quan-tri/lich/2031 -b "$JN"; CV3=$(field version)
http POST /quan-tri/lich/2031 -b "$JN" --data-urlencode "csrf=$CN" \
	--data "op=preview" --data-urlencode "version=$CV3" \
	--data-urlencode "csv=$CSV"
expect_status "import preview" 200
expect_body "... lists what is added" 'Thêm 2031-09-02: Quốc khánh'
expect_body "... and removed" 'Bỏ 2031-06-10: Đổi tên'
expect_body "... offers to confirm" 'value="import"'
http GET /api/v1/admin/calendar/2031 -b "$JN"
expect_body "preview wrote nothing" '"announced":false'
http POST /quan-tri/lich/2031 -b "$JN" --data-urlencode "csrf=$CN" \
	--data "op=preview" --data-urlencode "version=$CV3" \
	--data-urlencode "csv=date,kind,name
2031-06-10,makeup_workday,x"
expect_status "bad CSV: 422" 422
expect_body "... the line named" 'Tệp lịch \(CSV\): line 2'
http POST /quan-tri/lich/2031 -b "$JN" --data-urlencode "csrf=$CN" \
	--data "op=import" --data-urlencode "version=$CV3" \
	--data-urlencode "csv=$CSV"
expect_status "import: 303" 303
http GET /api/v1/admin/calendar/2031 -b "$JN"
expect_body "... 2031 now announced" '"announced":true'
http POST "/api/v1/admin/calendar/2031/import?dry_run=1" -b "$JN" \
	-H "X-CSRF-Token: $CN" -H 'Content-Type: text/csv' \
	--data-binary "$CSV"
expect_status "api: import dry run" 200
expect_body "... nothing to change" '"unchanged":2'

# Audit: the entries are there, the chain intact.
"$B" audit list --db "$DB" --json 2>/dev/null >"$T/audit.json" ||
	"$B" audit list --db "$DB" >"$T/audit.json" 2>/dev/null
grep -q 'desk.update' "$T/audit.json"; check "audit: desk.update" [ $? -eq 0 ]
grep -q 'calendar.update' "$T/audit.json"; check "audit: calendar.update" [ $? -eq 0 ]
grep -q 'calendar.import' "$T/audit.json"; check "audit: calendar.import" [ $? -eq 0 ]
"$B" audit verify --db "$DB" >/dev/null 2>&1; check "audit chain intact" [ $? -eq 0 ]

# Put 2031 back to provisional (other scripts share the database).
for d in 2031-01-01 2031-09-02; do
	http DELETE "/api/v1/admin/calendar/2031/entries/$d" -b "$JN" \
		-H "X-CSRF-Token: $CN"
done
http GET /api/v1/admin/calendar/2031 -b "$JN"
expect_body "2031 provisional again" '"announced":false'

it_stop
it_done
