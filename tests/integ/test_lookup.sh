#!/bin/sh
# test_lookup.sh - the citizen's lookup and the satisfaction rating through
# the real server ($MOTCUA_BIN) on the run's database: /tra-cuu with the
# receipt QR's secret and with the last 4 digits; the masked name, no
# internal note, no phone; where it stands as it moves (result ready, where
# to collect); the rating refused before the result, its field errors
# (422, values kept), success (303), once only (409), its audit entry; the
# desk's kiosk by an officer (scan, rate, another desk's officer sees
# nothing); the inspector's list in scope, out of scope, and refused to a
# receiver; wrong factors answered like unknown codes, then the throttle
# (429, Retry-After). Ends with "lookup: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init lookup
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
p=k$$
DESK=07210	# Phường Bắc Giang (Bắc Ninh 24)
OTHER=00004	# Phường Ba Đình (Hà Nội 01)
AGENCY="H24.K$(( $$ % 90 + 10 )).$(( $$ % 900 + 100 ))"
PROC=1.000894	# Đăng ký kết hôn: trong ngày, 3 steps at the desk
PW='Lookup-pass-2026!'

ADMTOK=$("$B" token create "${p}-adm" --role admin --unit 24 --db "$DB" 2>/dev/null)
RCVTOK=$("$B" token create "${p}-rcv" --role receiver --unit $DESK --db "$DB" 2>/dev/null)
INSTOK=$("$B" token create "${p}-ins" --role inspector --unit 24 --db "$DB" 2>/dev/null)
FARTOK=$("$B" token create "${p}-far" --role inspector --unit 01 --db "$DB" 2>/dev/null)
check "cli: tokens created" [ -n "$ADMTOK" ] && [ -n "$RCVTOK" ] && [ -n "$INSTOK" ] && [ -n "$FARTOK" ]
printf '%s\n' "$PW" | "$B" user add "${p}rc" --role receiver --unit $DESK \
	--db "$DB" >/dev/null 2>&1
check "cli: officer created" [ $? -eq 0 ]
printf '%s\n' "$PW" | "$B" user add "${p}far" --role receiver --unit $OTHER \
	--db "$DB" >/dev/null 2>&1
check "cli: officer of another desk created" [ $? -eq 0 ]

it_start --db "$DB" || it_done

jget() {
	grep -o "\"$1\":\(\"[^\"]*\"\|[0-9-]*\)" "$BODY" | head -1 |
		sed "s/^\"$1\"://; s/^\"//; s/\"$//"
}
login() {
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$PW" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/mot-cua"
}
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
# act CODE ACTION [JSON FIELDS]: the officer's API with the session.
act() {
	http GET "/api/v1/dossiers/$1" -b "$JR"
	v=$(jget version)
	http POST "/api/v1/dossiers/$1/actions" -b "$JR" -H "X-CSRF-Token: $CR" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"action\":\"$2\",\"version\":$v${3:+,$3}}"
}
# new_dossier: a dossier of $PROC received through the API; sets CODE, SECRET.
new_dossier() {
	http GET /api/v1/procedures/$PROC
	node -e '
		const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const comps = [];
		for (const g of p.component_groups || [])
			for (const c of g.items || g.components || [])
				comps.push({ seq: c.seq, mode: "original", originals: 1 });
		process.stdout.write(JSON.stringify({ desk: process.argv[2],
			procedure: p.code, channel: "truc_tiep",
			applicant: { kind: "person", name: "Trần Văn Hùng",
				id_number: "024090001234", phone: "0912345678",
				address_unit: process.argv[2], address_street: "Tổ 5" },
			components: comps }));' "$BODY" "$DESK" >"$T/dossier.json"
	http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
		-H 'Content-Type: application/json' --data-binary @"$T/dossier.json"
	CODE=$(jget code)
	SECRET=$(jget secret)
}
rate_fields() {
	echo "--data-urlencode time=2 --data-urlencode trips=2 --data-urlencode agencies=1 --data-urlencode publicity=2 --data-urlencode level=satisfied"
}

# The desk's agency identifier (needed for dossier codes).
http GET /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK"
node -e '
	const d = JSON.parse(require("fs").readFileSync(process.argv[1])).desk;
	d.agency_code = process.argv[2];
	process.stdout.write(JSON.stringify(d));' "$BODY" "$AGENCY" >"$T/desk.json"
http PUT /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/desk.json"
expect_status "admin: agency identifier set" 200

JR=$T/rc.jar JF=$T/far.jar
login "$JR" "${p}rc"
expect_status "login officer" 303
CR=$(csrf_of "$JR")
login "$JF" "${p}far"
CF=$(csrf_of "$JF")
check "csrf tokens" [ -n "$CR" ] && [ -n "$CF" ]

new_dossier
expect_status "dossier received (201)" 201
check "code and secret ($CODE)" [ -n "$CODE" ] && [ ${#SECRET} -eq 26 ]

# ---- the lookup ----
http GET /tra-cuu
expect_status "form" 200
expect_body "form: code and last 4 labelled" '<label for="last4">'
http GET "/tra-cuu/$CODE?ma=$SECRET"
expect_status "receipt QR opens the dossier" 200
expect_body "masked name" 'Trần V\*\* H\*\*'
expect_no_body "no name in clear" 'Trần Văn Hùng'
expect_no_body "no phone, no ID number" '0912345678|024090001234'
expect_body "where it stands" 'Hồ sơ đang được giải quyết'
expect_body "due shown" 'Hẹn trả kết quả'
expect_body "timeline: received" 'Hồ sơ đã được tiếp nhận'
expect_no_body "no rating before the result" 'name="attitude"'
expect_header "security headers" 'X-Content-Type-Options: nosniff'
expect_header "never cached" 'Cache-Control: no-store'
http GET "/tra-cuu/$CODE"
expect_status "without a factor: the form" 200
expect_body "... with the code filled in" "value=\"$CODE\""
http POST /tra-cuu --data-urlencode "code=$CODE" --data-urlencode "last4=5678"
expect_status "last 4 of the phone" 200
expect_body "... the dossier" 'Trần V\*\* H\*\*'
expect_body "... rating needs the QR (not offered yet)" 'Hồ sơ đang được giải quyết'
http POST /tra-cuu --data-urlencode "code=$CODE" --data-urlencode "last4=12a4"
expect_status "last 4 malformed: 422" 422
expect_body "... names the field" '4 số cuối: hãy nhập đúng 4 chữ số'
http POST /tra-cuu --data-urlencode "last4=1234"
expect_status "no code: 422" 422
expect_body "... names the field" 'Mã hồ sơ: hãy nhập mã'
http GET "/api/v1/lookup/$CODE?last4=1234"
expect_status "API with last 4 of the ID number" 200
expect_body "API: masked name" '"applicant_name":"Trần V\*\* H\*\*"'
expect_body "API: state" '"state":"received"'
expect_no_body "API: no secret echoed, no officers" '"secret"|mai\.|"actor"'

http POST "/api/v1/lookup/$CODE/rating" -H 'Content-Type: application/json' \
	--data-binary "{\"secret\":\"$SECRET\",\"time\":2,\"trips\":2,\"agencies\":1,\"attitude\":2,\"publicity\":2,\"level\":\"satisfied\"}"
expect_status "API rating before the result: 422" 422
expect_body "... says why" 'chưa có kết quả'

# ---- the officer works; the citizen sees the public events only ----
act "$CODE" forward '"note":"GHI CHU NOI BO: goi anh Binh"'
expect_status "forward" 200
act "$CODE" record_result "\"result_number\":\"12/GCN\",\"result_date\":\"$(date +%Y-%m-%d)\""
expect_status "record result" 200
http GET "/tra-cuu/$CODE?ma=$SECRET"
expect_body "result ready: where to collect" 'Đã có kết quả, nhận tại'
expect_no_body "internal note never shown" 'GHI CHU NOI BO'
expect_no_body "officer's name never shown" "${p}rc"
act "$CODE" return '"collected_by":"Trần Văn Hùng","identity_checked":"CCCD","collector_id":"024090001234"'
expect_status "return" 200

http GET "/tra-cuu/$CODE?ma=$SECRET"
expect_body "returned: the rating form" 'name="attitude"'
expect_body "... the criteria of TT 01/2018 art. 13" 'Điều 13'
http POST "/tra-cuu/$CODE/danh-gia" --data-urlencode "ma=$SECRET" $(rate_fields) \
	--data-urlencode "comment=Nhanh gọn"
expect_status "rating without attitude: 422" 422
expect_body "... names the field" 'Thái độ của cán bộ, công chức: hãy chọn một mức.'
check "... the error only next to that field" [ "$(grep -o 'class="lk-field-error"' "$BODY" | wc -l)" -eq 1 ]
expect_body "... keeps what was typed" 'name="trips" value="2" checked'
expect_body "... and the comment" 'Nhanh gọn'
http POST "/tra-cuu/$CODE/danh-gia" --data-urlencode "ma=$SECRET" $(rate_fields) \
	--data-urlencode "attitude=9"
expect_status "attitude out of range: 422" 422
http POST "/tra-cuu/$CODE/danh-gia" --data-urlencode "ma=$SECRET" $(rate_fields) \
	--data-urlencode "attitude=2" --data-urlencode "comment=Nhanh gọn"
expect_status "rating: 303" 303
expect_header "... back to the dossier" "Location: /tra-cuu/$CODE?ma=$SECRET&da-danh-gia=1"
http GET "/tra-cuu/$CODE?ma=$SECRET&da-danh-gia=1"
expect_body "thanks" 'Cảm ơn ông/bà đã đánh giá'
expect_body "the rating shown" 'Đã đánh giá lúc'
expect_no_body "no second form" 'name="attitude"'
http POST "/api/v1/lookup/$CODE/rating" -H 'Content-Type: application/json' \
	--data-binary "{\"secret\":\"$SECRET\",\"time\":0,\"trips\":0,\"agencies\":0,\"attitude\":0,\"publicity\":0,\"level\":\"dissatisfied\"}"
expect_status "a second rating: 409" 409
expect_body "... once only" 'chỉ được đánh giá một lần'
"$B" audit list --db "$DB" >"$T/audit" 2>&1
check "audit: rating.create" grep -q "rating.create" "$T/audit"
"$B" audit verify --db "$DB" >/dev/null 2>&1
check "audit: chain intact" [ $? -eq 0 ]

# ---- the desk's kiosk ----
new_dossier
K=$CODE KS=$SECRET
act "$K" forward
act "$K" record_result "\"result_number\":\"13/GCN\",\"result_date\":\"$(date +%Y-%m-%d)\""
http GET "/mot-cua/danh-gia"
expect_status "kiosk needs a login" 303
http GET "/mot-cua/danh-gia" -b "$JR"
expect_status "kiosk: waiting for a scan" 200
expect_body "... a field for the QR" 'name="qr"'
act "$K" return '"collected_by":"Trần Văn Hùng","identity_checked":"CCCD","collector_id":"024090001234"'
QR="http://motcua.example.vn/tra-cuu/$K?ma=$KS"
http POST "/mot-cua/danh-gia" -b "$JR" --data-urlencode "csrf=$CR" --data-urlencode "qr=$QR"
expect_status "kiosk: scanned" 200
expect_body "... the rating form" 'name="attitude"'
expect_body "... masked name" 'Trần V\*\* H\*\*'
http POST "/mot-cua/danh-gia" -b "$JF" --data-urlencode "csrf=$CF" --data-urlencode "qr=$QR"
expect_status "kiosk of another desk: not found" 404
http POST "/mot-cua/danh-gia" -b "$JR" --data-urlencode "csrf=$CR" --data-urlencode "qr=nonsense"
expect_status "kiosk: unreadable QR 422" 422
http POST "/mot-cua/danh-gia/$K" -b "$JR" --data-urlencode "csrf=$CR" \
	--data-urlencode "ma=$KS" $(rate_fields) --data-urlencode "attitude=0" \
	--data-urlencode "comment=Phải chờ lâu"
expect_status "kiosk rating: 303" 303
expect_header "... back to the scan" 'Location: /mot-cua/danh-gia?ok=1'
http POST "/mot-cua/danh-gia/$K" -b "$JR" --data-urlencode "csrf=$CR" \
	--data-urlencode "ma=$KS" $(rate_fields) --data-urlencode "attitude=2"
expect_status "kiosk: a second rating 409" 409
http POST "/mot-cua/danh-gia/$K" -b "$JF" --data-urlencode "csrf=$CF" \
	--data-urlencode "ma=$KS" $(rate_fields) --data-urlencode "attitude=2"
expect_status "kiosk POST of another desk: 404" 404

# ---- the inspector ----
http GET "/api/v1/ratings" -H "Authorization: Bearer $INSTOK"
expect_status "inspector's list" 200
expect_body "... both ratings" '"total":2'
expect_body "... attributed to the officer" "\"username\":\"${p}rc\""
expect_body "... the kiosk's complaint counted" '"complaints":1'
http GET "/api/v1/ratings?complaints=1" -H "Authorization: Bearer $INSTOK"
expect_body "complaints only" '"total":1'
http GET "/api/v1/ratings" -H "Authorization: Bearer $FARTOK"
expect_status "inspector of another province" 200
expect_body "... sees none" '"total":0'
http GET "/api/v1/ratings" -H "Authorization: Bearer $RCVTOK"
expect_status "a receiver may not inspect" 403
http GET "/thanh-tra/danh-gia" -H "Authorization: Bearer $INSTOK"
expect_status "inspector's page" 200
expect_body "... the dossier linked" "/mot-cua/ho-so/$K"

# ---- wrong factors look like unknown codes; then the throttle ----
http GET "/api/v1/lookup/$CODE?last4=0000"
S1=$STATUS; cp "$BODY" "$T/wrong"
http GET "/api/v1/lookup/H24.NO-000000-0001?last4=0000"
S2=$STATUS
check "wrong factor and unknown code: same status ($S1 $S2)" [ "$S1" = 404 ] && [ "$S2" = 404 ]
check "... same body" cmp -s "$BODY" "$T/wrong"
http GET "/tra-cuu/$CODE?ma=aaaaaaaaaaaaaaaaaaaaaaaaaa"
expect_status "wrong secret: 404" 404
http POST /tra-cuu --data-urlencode "code=$CODE" --data-urlencode "last4=0001"
expect_status "wrong last 4: 404" 404
http POST /tra-cuu --data-urlencode "code=$CODE" --data-urlencode "last4=0002"
http GET "/tra-cuu/$CODE?ma=$SECRET"
expect_status "throttled, even with the right secret: 429" 429
expect_header "... Retry-After" 'Retry-After:'
expect_body "... says to wait" 'thử lại sau'

it_stop
check "server stopped cleanly (exit $SERVER_RC)" [ "$SERVER_RC" = 0 ]
# The run's later scripts share this database and address: forget the
# failures counted here (the throttle itself was checked above).
case $DB in
sqlite:*) sqlite3 "${DB#sqlite:}" \
	"DELETE FROM login_throttle WHERE throttle_key LIKE 'lookup:%'" ;;
*) psql -q "$DB" -c \
	"DELETE FROM login_throttle WHERE throttle_key LIKE 'lookup:%'" ;;
esac >/dev/null 2>&1
check "throttle rows of this script removed" [ $? -eq 0 ]
it_done
