#!/bin/sh
# test_versions.sh - procedure versions through the real server on the run's
# database (SQLite, or PostgreSQL when run.sh passes it): a province admin
# (Phú Thọ, 25) searches the catalog, opens a draft form, gets field errors
# (a committed time longer than the legal one, no decision, a past date, a
# replaced component without its database), saves, publishes; the public
# page shows the committed time and the history for a commune of 25 and not
# for one of 24 nor without a unit; the QR board and the unit page follow;
# the version is immutable once in force; another province's admin gets
# 403/404; the desk's procedure list; the reform report, its CSV and JSON;
# the audit trail holds the entries. Ends with "versions: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init versions
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-xoai-truoc-ngo-7'
p=v$$
A25=${p}a25	# admin of province 25
A24=${p}a24	# admin of province 24
RCV=${p}rcv	# receiver on commune 08023 (province 25)
P=1.002211	# Thủ tục công nhận hòa giải viên (cấp xã): 5 working days
TODAY=$(date -u -d '+7 hours' +%F)
TOMORROW=$(date -u -d '+31 hours' +%F)

for u in "$A25 admin 25" "$A24 admin 24" "$RCV receiver 08023"; do
	set -- $u
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--db "$DB" >/dev/null 2>&1
	check "user add $1" [ $? -eq 0 ]
done
it_start --db "$DB" || it_done

login() {
	jar=$1
	rm -f "$jar"
	http GET /dang-nhap -c "$jar" -b "$jar"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$jar" -b "$jar" \
		--data-urlencode "username=$2" --data-urlencode "password=$PW" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
J25=$T/a25.jar J24=$T/a24.jar JR=$T/rcv.jar
login "$J25" "$A25"; expect_status "login admin 25" 303
login "$J24" "$A24"; expect_status "login admin 24" 303
login "$JR" "$RCV"; expect_status "login receiver" 303
C25=$(csrf_of "$J25")
C24=$(csrf_of "$J24")

# ---- catalog search and the procedure ----------------------------------------
http GET '/quan-tri' -b "$J25"
expect_body "admin home links the catalog" 'href="/quan-tri/thu-tuc"'
expect_body "admin home links the reform report" 'href="/quan-tri/bao-cao/cai-cach"'
http GET '/quan-tri/thu-tuc?q=cong+nhan+hoa+giai+vien' -b "$J25"
expect_status "catalog search" 200
expect_body "search without diacritics finds $P" "href=\"/quan-tri/thu-tuc/$P\""
http GET "/quan-tri/thu-tuc/$P" -b "$J25"
expect_status "procedure admin page" 200
expect_body "... offers a version for Phú Thọ" "phien-ban-moi\\?pham-vi=25"
expect_no_body "... not for Bắc Ninh" "pham-vi=24"
http GET '/quan-tri/thu-tuc' -b "$JR"
expect_status "receiver: catalog refused" 403

# ---- the draft form and its errors -------------------------------------------
F="/quan-tri/thu-tuc/$P/phien-ban-moi"
http GET "$F?pham-vi=25" -b "$J25"
expect_status "new version form" 200
expect_body "... legal time shown" 'Luật định: <b>5 ngày làm việc</b>'
expect_body "... labelled committed field" '<label for="ch0c">Thời hạn cam kết'
expect_body "... mode select" 'name="components.1.mode"'
http POST "$F" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "pham-vi=25" --data-urlencode "revision=0" \
	--data-urlencode "effective_from=2020-01-01" \
	--data-urlencode "decision_ref=" \
	--data-urlencode "channels.0.committed=7 ngày làm việc" \
	--data-urlencode "channels.1.committed=ba ngày" \
	--data-urlencode "components.0.mode=required" \
	--data-urlencode "components.1.mode=replaced_by_lookup"
expect_status "invalid draft: 422" 422
expect_body "... committed longer than legal, named" 'Thời hạn cam kết \(Trực tiếp\): 7 ngày làm việc dài hơn thời hạn luật định \(5 ngày làm việc\)'
expect_body "... unreadable committed time" 'không đọc được'
expect_body "... decision missing" 'Số quyết định công bố: chưa nhập'
expect_body "... date in the past" 'Ngày hiệu lực: không được trước hôm nay'
expect_body "... replaced without database" 'chọn cơ sở dữ liệu thay thế'
expect_body "... values typed are kept" 'value="7 ngày làm việc"'
expect_body "... fields marked invalid" 'aria-invalid="true"'
n=$("$B" audit list --db "$DB" --json --action procedure_version. 2>/dev/null |
	sed -E 's/.*"total":([0-9]+).*/\1/')
check "... nothing audited" [ "${n:-x}" = 0 ]

# The API twin: same rules, JSON error.
http POST "/api/v1/admin/procedures/$P/versions?pham-vi=25" -b "$J25" \
	-H "X-CSRF-Token: $C25" -H 'Content-Type: application/json' \
	--data '{"effective_from":"'"$TODAY"'","decision_ref":"1/QĐ-UBND","channels":[{"committed":"6 ngày làm việc"}]}'
expect_status "API invalid draft: 422" 422
expect_body "... JSON field" '"field":"channels.0.committed"'
expect_body "... code invalid" '"code":"invalid"'

http POST "$F" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "pham-vi=25" --data-urlencode "revision=0" \
	--data-urlencode "effective_from=$TODAY" \
	--data-urlencode "decision_ref=123/QĐ-UBND" \
	--data-urlencode "summary=Cắt giảm theo Nghị quyết 66.7/2025/NQ-CP" \
	--data-urlencode "channels.0.committed=2 ngày làm việc" \
	--data-urlencode "channels.1.committed=2 ngày làm việc" \
	--data-urlencode "components.0.mode=required" \
	--data-urlencode "components.1.mode=replaced_by_lookup" \
	--data-urlencode "components.1.lookup_db=dan_cu" \
	--data-urlencode "components.1.reason=Khai thác thông tin cá nhân từ CSDLQG về dân cư" \
	--data-urlencode "components.1.legal_basis=Nghị quyết 66.7/2025/NQ-CP"
expect_status "draft saved: 303" 303
loc=$(tr -d '\r' <"$HEADERS" | sed -n 's/^[Ll]ocation: //p')
ID=$(echo "$loc" | sed -n 's|^/quan-tri/phien-ban/\([0-9]*\)?xong=tao$|\1|p')
check "... to the version page ($loc)" [ -n "$ID" ]
http GET "/quan-tri/phien-ban/$ID?xong=tao" -b "$J25"
expect_status "version page" 200
expect_body "... confirmation" 'Đã tạo bản nháp'
expect_body "... the cut" 'rút ngắn 3 ngày làm việc \(60,0%\)'

get_pub() { http GET "$1"; }
# Public pages are cached until the catalog version changes (checked at
# most once a second): look at another commune of 25 here, so that the
# page checked after publication below was never cached before it.
get_pub "/thu-tuc/$P?don-vi=04792"
expect_status "public page before publication" 200
expect_no_body "draft not public" 'Thời hạn cam kết'

# ---- publication ----------------------------------------------------------------
http GET "/quan-tri/phien-ban/$ID/cong-bo" -b "$J25"
expect_status "publish confirmation" 200
expect_body "... asks" 'Xác nhận công bố'
http POST "/quan-tri/phien-ban/$ID/cong-bo" -b "$J25" \
	--data-urlencode "csrf=$C25" --data-urlencode "revision=0"
expect_status "stale publish refused" 409
http POST "/quan-tri/phien-ban/$ID/cong-bo" -b "$J25" \
	--data-urlencode "csrf=$C25" --data-urlencode "revision=1"
expect_status "published: 303" 303
expect_header "... back to the version" "location: /quan-tri/phien-ban/$ID?xong=cong-bo"

# ---- the public pages -------------------------------------------------------------
get_pub "/thu-tuc/$P?don-vi=08023"
expect_status "public page for 08023" 200
expect_body "committed time next to the legal one" 'Thời hạn cam kết: 2 ngày làm việc \(luật định 5 ngày làm việc\)'
expect_body "history section" 'Lịch sử thay đổi'
expect_body "... decision" '123/QĐ-UBND'
expect_body "replaced component marked" 'Không phải nộp: cán bộ tra cứu Cơ sở dữ liệu quốc gia về dân cư'
expect_body "... legal basis" 'Căn cứ: Nghị quyết 66.7/2025/NQ-CP'
get_pub "/thu-tuc/$P?don-vi=07738"
expect_status "public page for 07738 (province 24)" 200
expect_no_body "... no committed time of 25" 'Thời hạn cam kết'
expect_no_body "... no history of 25" '123/QĐ-UBND'
get_pub "/thu-tuc/$P"
expect_no_body "no unit: no committed time" 'Thời hạn cam kết'
get_pub "/api/v1/procedures/$P?don-vi=08023"
expect_body "API twin carries the version" '"decision_ref":"123/QĐ-UBND"'
get_pub "/thu-tuc/$P?don-vi=99999"
expect_status "unknown unit: 404" 404
get_pub "/don-vi/08023/bang-qr"
expect_body "board shows the committed time" '2 ngày làm việc \(cam kết; luật định 5 Ngày làm việc\)'
expect_body "board links with the unit" "href=\"/thu-tuc/$P\\?don-vi=08023\""
get_pub "/don-vi/08023"
expect_body "unit page links with the unit" "href=\"/thu-tuc/$P\\?don-vi=08023\""

# ---- immutability and scope -------------------------------------------------------
http POST "/quan-tri/phien-ban/$ID" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "revision=2" --data-urlencode "effective_from=$TOMORROW" \
	--data-urlencode "decision_ref=999/QĐ-UBND"
expect_status "edit of a version in force: 409" 409
expect_body "... says why" 'không được sửa'
http POST "/quan-tri/phien-ban/$ID/xoa" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "revision=2"
expect_status "delete of a published version: 409" 409
http GET "/quan-tri/phien-ban/$ID" -b "$J24"
expect_status "other province's admin: version hidden (404)" 404
http GET "$F?pham-vi=25" -b "$J24"
expect_status "other province's admin: no draft for 25 (403)" 403
http POST "$F" -b "$J24" --data-urlencode "csrf=$C24" \
	--data-urlencode "pham-vi=25" --data-urlencode "effective_from=$TODAY"
expect_status "... nor by POST (403)" 403

# A second draft, deleted.
http POST "$F" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "pham-vi=25" --data-urlencode "revision=0" \
	--data-urlencode "effective_from=$TOMORROW" \
	--data-urlencode "decision_ref=124/QĐ-UBND"
expect_status "second draft" 303
ID2=$(tr -d '\r' <"$HEADERS" | sed -n 's|^[Ll]ocation: /quan-tri/phien-ban/\([0-9]*\)?.*|\1|p')
http POST "/quan-tri/phien-ban/$ID2/xoa" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "revision=1"
expect_status "draft deleted: 303" 303
http GET "/quan-tri/phien-ban/$ID2" -b "$J25"
expect_status "... gone" 404

# ---- a desk's procedure list ---------------------------------------------------------
http GET "/quan-tri/don-vi/08023/thu-tuc?q=hoa+giai+vien" -b "$J25"
expect_status "desk procedures" 200
expect_body "... lists $P" "$P"
http POST "/quan-tri/don-vi/08023/thu-tuc" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "remove=$P"
expect_status "remove from desk: 303" 303
http GET "/api/v1/admin/units/08023/procedures" -b "$J25"
check "... removed" sh -c "! grep -q '\"code\":\"$P\"' '$BODY'"
http POST "/quan-tri/don-vi/08023/thu-tuc" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "add=$P"
expect_status "add back: 303" 303
http POST "/quan-tri/don-vi/08023/thu-tuc" -b "$J25" --data-urlencode "csrf=$C25" \
	--data-urlencode "add=9.999999"
expect_status "unknown procedure: 422" 422
http GET "/quan-tri/don-vi/07738/thu-tuc" -b "$J25"
expect_status "desk of province 24 for admin 25: 403" 403

# ---- the reform report ----------------------------------------------------------------
http GET "/quan-tri/bao-cao/cai-cach?tu=2026-01-01" -b "$J25"
expect_status "report index redirects" 303
expect_header "... to the admin's province" "location: /quan-tri/bao-cao/cai-cach/25?tu=2026-01-01"
http GET "/quan-tri/bao-cao/cai-cach/25" -b "$J25"
expect_status "report page" 200
expect_body "... the procedure" "$P"
expect_body "... the cut" '3,0 ngày \(60,0%\)'
expect_body "... the commune" 'code">08023<'
http GET "/quan-tri/bao-cao/cai-cach/25.csv" -b "$J25"
expect_status "CSV" 200
expect_header "... attachment" 'content-disposition: attachment'
expect_header "... text/csv" 'content-type: text/csv; charset=utf-8'
check "... starts with a BOM" sh -c "head -c 3 '$BODY' | od -An -tx1 | grep -q 'ef bb bf'"
check "... quoted fields" grep -q "\"$P\",\"Thủ tục công nhận hòa giải viên" "$BODY"
check "... percent" grep -q '"60,0%"' "$BODY"
check "... CRLF" sh -c "head -1 '$BODY' | od -c | grep -q '\\\\r'"
http GET "/api/v1/admin/reports/reform/25" -b "$J25"
expect_body "JSON report totals" '"n_cut":[1-9]'
http GET "/quan-tri/bao-cao/cai-cach/25" -b "$J24"
expect_status "report of 25 for admin 24: 403" 403

# ---- audit ---------------------------------------------------------------------------
"$B" audit list --db "$DB" --json --action procedure_version. >"$T/audit" 2>&1
for a in procedure_version.create procedure_version.publish procedure_version.delete; do
	check "audit has $a" grep -q "\"$a\"" "$T/audit"
done
check "publish audited with the whole version as after" \
	grep -q '"after":{[^}]*"committed"' "$T/audit"
"$B" audit list --db "$DB" --json --action desk.procedures >"$T/audit2" 2>&1
check "desk.procedures audited" grep -q '"before":\[' "$T/audit2"
"$B" audit verify --db "$DB" >/dev/null 2>&1
check "audit chain intact" [ $? -eq 0 ]

it_done
