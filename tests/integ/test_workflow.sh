#!/bin/sh
# test_workflow.sh - the back office through the real server (engineer
# "workflow"): officers of each role on commune 07738 (Cảnh Thụy) and a
# receiver of another commune (07210); dossiers created through POST
# /api/v1/dossiers by the receiver, then walked through every action by the
# pages' forms and by the API: forward (to a person or the queue), send
# back, supplement (Mẫu 02, a second one warned and recorded as a
# violation), receive supplement, pause/resume, apology (Mẫu 04, once,
# working time), record result, return with identity check, refusal (Mẫu
# 03), stop; conflicts (two sessions on one version: the typed note kept),
# refusals with reasons, another commune's officer guessing the code (404),
# personal data masked then revealed and audited, queues with marks and
# counts, the slip's per-step classification, the book numbered from 01, its
# CSV (BOM, CRLF), payments. Ends with "workflow: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init workflow
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=w$$
ADM=${p}adm RC=${p}rc SP=${p}sp SP2=${p}sp2 LD=${p}ld RC2=${p}rc2 VW=${p}vw
CT=07738	# Phường Cảnh Thụy (Bắc Ninh)
OT=07210	# Phường Bắc Giang (Bắc Ninh): another commune
PROC=1.003930	# 2 working days, fee 70.000 đồng
APPID=001090012345	# the applicant's personal ID (Hà Nội, male, 1990)

mk() { # mk NAME ROLE UNIT
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--name "Cán bộ $1" --db "$DB" >/dev/null 2>&1
}
mk "$ADM" admin 24; check "cli: admin" [ $? -eq 0 ]
mk "$RC" receiver $CT; check "cli: receiver" [ $? -eq 0 ]
mk "$SP" specialist $CT; check "cli: specialist" [ $? -eq 0 ]
mk "$SP2" specialist $CT; check "cli: specialist 2" [ $? -eq 0 ]
mk "$LD" leader $CT; check "cli: leader" [ $? -eq 0 ]
mk "$RC2" receiver $OT; check "cli: other commune's receiver" [ $? -eq 0 ]
mk "$VW" viewer $CT; check "cli: viewer" [ $? -eq 0 ]

it_start --db "$DB" || it_done

# login JAR USER: GET the form (nonce cookie), POST it.
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
# jget KEY: the first "KEY":value of the JSON body (string or number).
jget() {
	grep -o "\"$1\":\(\"[^\"]*\"\|[0-9-]*\)" "$BODY" | head -1 |
		sed "s/^\"$1\"://; s/^\"//; s/\"$//"
}
# api JAR CSRF METHOD PATH [JSON]
api() {
	if [ -n "${5:-}" ]; then
		http "$3" "$4" -b "$1" -H "X-CSRF-Token: $2" \
			-H 'Content-Type: application/json' --data-binary "$5"
	else
		http "$3" "$4" -b "$1" -H "X-CSRF-Token: $2"
	fi
}
# act JAR CSRF CODE VERSION ACTION [FIELD=VALUE ...]: the page's form.
n_act=0
act() {
	jar=$1 c=$2 code=$3 v=$4 a=$5
	shift 5
	n=$#
	for kv; do set -- "$@" --data-urlencode "$kv"; done
	shift $n
	n_act=$((n_act + 1))
	IDEM=${REPEAT_IDEM:-t$$-$n_act}
	http POST "/mot-cua/ho-so/$code/thao-tac" -b "$jar" \
		--data-urlencode "csrf=$c" --data-urlencode "action=$a" \
		--data-urlencode "version=$v" --data-urlencode "idem=$IDEM" "$@"
}
# version_of JAR CODE: the dossier's version (API).
version_of() {
	http GET "/api/v1/dossiers/$2" -b "$1"
	jget version
}

JA=$T/adm.jar JR=$T/rc.jar JS=$T/sp.jar JS2=$T/sp2.jar JL=$T/ld.jar
JO=$T/rc2.jar JV=$T/vw.jar
for u in "$JA:$ADM" "$JR:$RC" "$JS:$SP" "$JS2:$SP2" "$JL:$LD" "$JO:$RC2" "$JV:$VW"; do
	login "${u%%:*}" "${u#*:}"
	expect_status "login ${u#*:}" 303
done
CA=$(csrf_of "$JA") CR=$(csrf_of "$JR") CS=$(csrf_of "$JS")
CS2=$(csrf_of "$JS2") CL=$(csrf_of "$JL") CO=$(csrf_of "$JO")

# The desk needs its agency's electronic identifier for dossier codes.
for unit in $CT $OT; do
	api "$JA" "$CA" GET "/api/v1/admin/desks/$unit"
	if ! grep -q '"agency_code":"[A-Z0-9]' "$BODY"; then
		dv=$(jget version)
		dn=$(jget name)
		api "$JA" "$CA" PUT "/api/v1/admin/desks/$unit" \
			"{\"name\":\"$dn\",\"agency_code\":\"000.00.24.H05\",\"version\":$dv}"
		check "agency code of $unit set" [ "$STATUS" = 200 ]
	fi
done

# new_dossier JAR CSRF NAME: creates one through the intake API; sets CODE.
new_dossier() {
	api "$1" "$2" POST /api/v1/dossiers "{\"desk\":\"$CT\",\"procedure\":\"$PROC\",\"channel\":\"truc_tiep\",\"request\":\"Cấp lại giấy chứng nhận\",\"applicant\":{\"kind\":\"person\",\"name\":\"$3\",\"id_number\":\"$APPID\",\"birth_year\":1990,\"sex\":\"M\",\"phone\":\"0912345678\",\"email\":\"an@example.vn\",\"address_unit\":\"$CT\",\"address_street\":\"12 Lê Lợi\"},\"components\":[{\"seq\":1,\"mode\":\"original\",\"originals\":1},{\"seq\":2,\"mode\":\"copy\",\"copies\":1}],\"idem\":\"$p-$3\"}"
	CODE=$(grep -o '"code":"[^"]*-[0-9]\{6\}-[0-9]*"' "$BODY" | head -1 |
		sed 's/"code":"//; s/"$//')
}

# ---- 1. A dossier walked through every action ----------------------------
new_dossier "$JR" "$CR" "Nguyễn Văn An"
expect_status "intake API creates a dossier" 201
check "... with a code" [ -n "$CODE" ]
D1=$CODE

http GET "/mot-cua/ho-so/$D1" -b "$JR"
expect_status "the receiver opens the dossier page" 200
expect_body "... shows the code" "$D1"
expect_body "... the applicant masked" 'Nguyễn V\. A\.'
expect_no_body "... never the full name" 'Nguyễn Văn An'
expect_no_body "... never the full ID" "$APPID"
expect_body "... the forward form" 'name="action" value="forward"'
expect_body "... with CSRF, version, idempotency key" 'name="idem" value="[0-9a-f]{24}"'
expect_body "... due and remaining working time" 'Thời gian còn lại'
expect_body "... a button to reveal personal data" 'Xem thông tin cá nhân'

# Out of scope: another commune's receiver guessing the code.
http GET "/mot-cua/ho-so/$D1" -b "$JO"
expect_status "another commune's officer: the page is not found" 404
http GET "/api/v1/dossiers/$D1" -b "$JO"
expect_status "... nor through the API" 404
act "$JO" "$CO" "$D1" 1 forward
expect_status "... and cannot act on it" 404
http GET "/mot-cua/ho-so/000.00.24.H05-991231-9999" -b "$JR"
expect_status "an unknown code: 404" 404
http GET "/mot-cua/ho-so/$D1"
expect_status "anonymous: to the login page" 303

# Personal data: revealed on request, audited.
http POST "/mot-cua/ho-so/$D1/ca-nhan" -b "$JR" --data-urlencode "csrf=$CR"
expect_status "reveal personal data" 200
expect_body "... the full name" 'Nguyễn Văn An'
expect_body "... the ID number" "$APPID"
http POST "/mot-cua/ho-so/$D1/ca-nhan" -b "$JV" --data-urlencode "csrf=$(csrf_of "$JV")"
expect_status "a viewer may not reveal personal data" 404

# A receiver forwards to a named specialist (page form).
V=$(version_of "$JR" "$D1")
SPID=$("$B" user list --json --db "$DB" 2>/dev/null | tr -d '\n ' |
	grep -o "\"id\":[0-9]*,\"username\":\"$SP2\"" | sed 's/"id":\([0-9]*\).*/\1/')
check "... the specialist's user id" [ -n "$SPID" ]
http GET "/mot-cua/ho-so/$D1" -b "$JR"
expect_body "the forward form offers the next step's role holders" "<option value=\"$SPID\">[^<]*$SP2"
act "$JR" "$CR" "$D1" "$V" forward "assignee=${SPID:-0}" "note=Hồ sơ đủ"
expect_status "forward (form): 303" 303
expect_header "... back to the dossier page" "Location: /mot-cua/ho-so/$D1?ok=forward"
http GET "/mot-cua/ho-so/$D1?ok=forward" -b "$JR"
expect_body "... with a confirmation" 'Đã thực hiện: Chuyển bước'
expect_body "... now at the specialist's step" 'Đang xử lý'

# The receiver cannot act on the specialist's step.
V=$(version_of "$JR" "$D1")
act "$JR" "$CR" "$D1" "$V" forward
expect_status "a receiver forwarding the specialist's step: refused" 403
expect_body "... with the reason" 'không|Không'

# The step is assigned to specialist 2: in their "mine" queue; the other
# specialist may not act on it.
http GET /api/v1/queues/mine -b "$JS2"
expect_body "assigned by name: in the assignee's own queue" "$D1"
V=$(version_of "$JS" "$D1")
act "$JS" "$CS" "$D1" "$V" pause "pause_kind=verification" "note=x"
expect_status "another specialist on an assigned step: refused" 403
expect_body "... with the reason" 'giao'

# Conflict: two sessions on the same version (specialist 2 acts first).
act "$JS2" "$CS2" "$D1" "$V" request_supplement "items=Tờ khai (bản chính)
Giấy chứng nhận cũ (bản sao)" "note=Thiếu tờ khai"
expect_status "supplement request (Mẫu 02)" 303
SUP_IDEM=$IDEM
act "$JS" "$CS" "$D1" "$V" send_back "to_step=0" "note=Ghi chú dài của người thứ hai"
expect_status "the second session with the same version: 409" 409
expect_body "... a clear conflict message" 'người khác cập nhật'
expect_body "... the typed note kept on the page" 'Ghi chú dài của người thứ hai'
REPEAT_IDEM=$SUP_IDEM act "$JS2" "$CS2" "$D1" "$V" request_supplement "items=Tờ khai (bản chính)
Giấy chứng nhận cũ (bản sao)" "note=Thiếu tờ khai"
expect_status "a double-click of the same form: shown as done" 303
api "$JS2" "$CS2" GET "/api/v1/dossiers/$D1"
check "... applied once" [ "$(jget version)" = "$((V + 1))" ]

http GET "/mot-cua/ho-so/$D1/mau-02" -b "$JS2"
expect_status "Mẫu 02 prints" 200
expect_body "... its title" 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ'
expect_body "... every missing item" 'Giấy chứng nhận cũ \(bản sao\)'
expect_body "... the reason" 'Thiếu tờ khai'
expect_body "... the applicant" 'Nguyễn Văn An'

# While waiting for the supplement the clock is paused; forward refused.
V=$(version_of "$JS2" "$D1")
api "$JS2" "$CS2" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"forward\",\"version\":$V}"
expect_status "forward while waiting for a supplement: refused" 409
expect_body "... not_allowed" '"code":"not_allowed"'
expect_body "... with the reason" 'bổ sung'

# The receiver receives the supplement (API).
api "$JR" "$CR" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"receive_supplement\",\"version\":$V,\"note\":\"Đã nhận tờ khai\"}"
expect_status "receive the supplement (API)" 200
expect_body "... back in progress" '"to":"in_progress"'
expect_body "... a new due" '"due_at":"20'
V=$(jget version)

# A second supplement request: warned on the page, recorded as a violation.
http GET "/mot-cua/ho-so/$D1" -b "$JS2"
expect_body "the page warns before a second supplement request" 'vi phạm'
api "$JS2" "$CS2" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"request_supplement\",\"version\":$V,\"items\":[],\"note\":\"x\"}"
expect_status "a supplement request without items: 422" 422
expect_body "... names the field" '"field":"items"'
api "$JS2" "$CS2" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"request_supplement\",\"version\":$V,\"items\":[\"Ảnh 4x6\"],\"note\":\"Thiếu ảnh\"}"
expect_status "a second supplement request is allowed" 200
expect_body "... recorded as a violation" '"violation":true'
V=$(jget version)
api "$JR" "$CR" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"receive_supplement\",\"version\":$V}"
expect_status "second supplement received" 200
V=$(jget version)

# Pause for verification and resume (form).
act "$JS2" "$CS2" "$D1" "$V" pause "pause_kind=civil_status_verification"
expect_status "pause without its note: 422" 422
expect_body "... names the field" 'Nội dung xác minh'
act "$JS2" "$CS2" "$D1" "$V" pause "pause_kind=civil_status_verification" "note=Xác minh hộ tịch tại UBND xã X"
expect_status "pause for verification" 303
V=$((V + 1))
act "$JS2" "$CS2" "$D1" "$V" resume "note=Đã có kết quả xác minh"
expect_status "resume" 303
V=$((V + 1))

# Specialist forwards to the leader (queue); the leader apologises.
act "$JS2" "$CS2" "$D1" "$V" forward "assignee=999999"
expect_status "forward to someone who is not a leader here: 422" 422
act "$JS2" "$CS2" "$D1" "$V" forward "assignee=0"
expect_status "specialist forwards to the leader's queue" 303
V=$((V + 1))
api "$JL" "$CL" GET /api/v1/queues/leader
expect_status "the leader's queue (API)" 200
expect_body "... holds the dossier" "$D1"
expect_body "... with counts per mark" '"counts":\{"overdue":[0-9]+,"approaching":[0-9]+,"normal":[0-9]+'
http GET /mot-cua/hang-doi/leader -b "$JL"
expect_status "the leader's queue page" 200
expect_body "... lists the dossier" "$D1"
expect_body "... marks" 'wf-mark (normal|approaching|overdue)'

act "$JL" "$CL" "$D1" "$V" apologize "new_due=2099-01-01 03:00" "note=Chờ xác minh"
expect_status "apology outside working time: 422" 422
expect_body "... names the field" 'giờ làm việc'
act "$JL" "$CL" "$D1" "$V" apologize "new_due=2000-01-03 09:00" "note=Chờ xác minh"
expect_status "apology before the current due: 422" 422
NEWDUE=$(date -d '+40 days' +%Y-%m-%d)
# A working day: move to Wednesday of that week.
NEWDUE=$(date -d "$NEWDUE -$(( $(date -d "$NEWDUE" +%u) - 3 )) days" +%Y-%m-%d)
act "$JL" "$CL" "$D1" "$V" apologize "new_due=$NEWDUE 09:00" "note=Chờ ý kiến cơ quan phối hợp"
expect_status "apology with a new date (Mẫu 04)" 303
V=$((V + 1))
http GET "/mot-cua/ho-so/$D1" -b "$JL"
expect_no_body "apology at most once: no second form" 'value="apologize"'
api "$JL" "$CL" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"apologize\",\"version\":$V,\"new_due\":\"$NEWDUE 10:00\",\"note\":\"lần hai\"}"
expect_status "a second apology: refused" 409
http GET "/mot-cua/ho-so/$D1/mau-04" -b "$JL"
expect_status "Mẫu 04 prints" 200
expect_body "... the new date" "Thời gian hẹn trả kết quả lại"
expect_body "... the reason" 'Chờ ý kiến cơ quan phối hợp'

# The leader records the result; the receiver returns it.
act "$JL" "$CL" "$D1" "$V" record_result "result_number=" "result_date=2026-01-01"
expect_status "record the result without its number: 422" 422
act "$JL" "$CL" "$D1" "$V" record_result "result_number=123/GCN" "result_date=$(date +%Y-%m-%d)"
expect_status "record the result" 303
V=$((V + 1))
api "$JR" "$CR" GET /api/v1/queues/return
expect_body "the receiver's return queue holds it" "$D1"
api "$JR" "$CR" POST "/api/v1/dossiers/$D1/actions" "{\"action\":\"stop\",\"version\":$V,\"note\":\"Đơn xin dừng\"}"
expect_status "stop once a result exists: refused" 409
act "$JR" "$CR" "$D1" "$V" return "collector=self" "collector_id=001090099999"
expect_status "return to someone whose ID is not the applicant's: 422" 422
expect_body "... says so" 'không trùng'
act "$JR" "$CR" "$D1" "$V" return "collector=authorised" "collector_id=001090099999" "collector_name=Trần Thị Bình"
expect_status "an authorised person without the authorisation: 422" 422
act "$JR" "$CR" "$D1" "$V" return "collector=self" "collector_id=$APPID"
expect_status "return the result (identity checked)" 303
api "$JR" "$CR" GET "/api/v1/dossiers/$D1"
expect_body "the dossier is closed" '"state":"returned"'
expect_body "... late: two supplement requests (QĐ 766)" '"classification":"late"'
expect_body "... events in the API" '"events":\['
expect_no_body "... the API masks the ID too" "$APPID"

# The slip: hand-overs and per-step classification.
http GET "/mot-cua/ho-so/$D1/phieu-kiem-soat" -b "$JR"
expect_status "the process-control slip" 200
expect_body "... its title" 'Phiếu kiểm soát quá trình giải quyết hồ sơ'
expect_body "... hand-overs with people" "Người giao: $RC"
expect_body "... each step classified" '(Trước hạn|Đúng hạn|Quá hạn)'
expect_body "... the reception step early or on time" 'wf-cls-(early|on_time)'

# ---- 2. Refusal (Mẫu 03) and stop ----------------------------------------
new_dossier "$JR" "$CR" "Lê Thị Cúc"
D2=$CODE
V=$(version_of "$JR" "$D2")
act "$JR" "$CR" "$D2" "$V" forward
V=$((V + 1))
act "$JS" "$CS" "$D2" "$V" refuse "note=x"
expect_status "a specialist refusing (leader's action): 403" 403
act "$JL" "$CL" "$D2" "$V" refuse
expect_status "refuse without a reason: 422" 422
act "$JL" "$CL" "$D2" "$V" refuse "note=Không thuộc thẩm quyền của xã"
expect_status "the leader refuses with the reason" 303
http GET "/mot-cua/ho-so/$D2/mau-03" -b "$JL"
expect_status "Mẫu 03 prints" 200
expect_body "... with the reason" 'Không thuộc thẩm quyền của xã'
api "$JR" "$CR" GET "/api/v1/dossiers/$D2"
expect_body "... closed as refused" '"state":"refused"'

new_dossier "$JR" "$CR" "Phạm Văn Dũng"
D3=$CODE
V=$(version_of "$JR" "$D3")
api "$JR" "$CR" POST "/api/v1/dossiers/$D3/actions" "{\"action\":\"stop\",\"version\":$V,\"note\":\"Đơn đề nghị dừng ngày hôm nay\"}"
expect_status "stop at the applicant's request (API)" 200
expect_body "... stopped" '"to":"stopped"'
api "$JR" "$CR" POST "/api/v1/dossiers/$D3/actions" "{\"action\":\"forward\",\"version\":1}"
expect_status "a stale version through the API: 409" 409
expect_body "... conflict" '"code":"conflict"'
api "$JR" "$CR" POST "/api/v1/dossiers/$D3/actions" "{\"action\":\"fly\",\"version\":1}"
expect_status "an unknown action: 422" 422

# ---- 3. Payments ----------------------------------------------------------
new_dossier "$JR" "$CR" "Hoàng Văn Em"
D4=$CODE
http POST "/mot-cua/ho-so/$D4/thanh-toan" -b "$JR" --data-urlencode "csrf=$CR" \
	--data-urlencode "amount=abc" --data-urlencode "method=cash" --data-urlencode "receipt_no=BL01"
expect_status "a payment with a bad amount: 422" 422
expect_body "... names the field" 'Số tiền'
http POST "/mot-cua/ho-so/$D4/thanh-toan" -b "$JR" --data-urlencode "csrf=$CR" \
	--data-urlencode "amount=70.000" --data-urlencode "method=cash" --data-urlencode "receipt_no=BL01"
expect_status "a cash payment" 303
api "$JR" "$CR" POST "/api/v1/dossiers/$D4/payments" '{"amount":1000,"method":"transfer","receipt_no":"CK-7"}'
expect_status "a transfer through the API" 201
expect_body "... listed" '"receipt_no":"CK-7"'
api "$JR" "$CR" POST "/api/v1/dossiers/$D4/payments" '{"amount":1000,"method":"transfer","receipt_no":"CK-8","at":"2000-01-01 08:00"}'
expect_status "a payment dated before the dossier: 422" 422
expect_body "... names the field" '"field":"at"'
api "$JR" "$CR" POST "/api/v1/dossiers/$D4/payments" "{\"amount\":5000,\"method\":\"cash\",\"receipt_no\":\"BL02\",\"at\":\"$(TZ=Asia/Ho_Chi_Minh date +'%Y-%m-%d %H:%M')\"}"
expect_status "a payment with the time it was paid" 201
http GET "/mot-cua/ho-so/$D4" -b "$JR"
expect_body "payments shown on the dossier page" 'BL01'
api "$JS" "$CS" POST "/api/v1/dossiers/$D4/payments" '{"amount":1000,"method":"cash","receipt_no":"X"}'
expect_status "a specialist may not record payments" 404

# ---- 4. Queues, the book, the CSV -----------------------------------------
http GET /mot-cua -b "$JR"
expect_status "the officers' home" 200
expect_body "... links the counter" '/mot-cua/tiep-nhan'
http GET /mot-cua/hang-doi/receiver -b "$JR"
expect_status "the receiver's queue" 200
expect_body "... lists a received dossier" "$D4"
http GET /mot-cua/hang-doi/mine -b "$JS2"
expect_status "assigned to me" 200
http GET "/mot-cua/hang-doi/receiver?muc=bad" -b "$JR"
expect_status "a bad mark filter: 422" 422
http GET /api/v1/queues/nope -b "$JR"
expect_status "an unknown queue: 404" 404
api "$JO" "$CO" GET /api/v1/queues/receiver
expect_no_body "another commune's queue never lists ours" "$D4"

YEAR=$(date +%Y)
http GET "/mot-cua/so-theo-doi?quay=$CT&nam=$YEAR" -b "$JR"
expect_status "the tracking book" 200
expect_body "... numbered from 01" '<td>01</td>'
expect_body "... lists the first dossier" "$D1"
http GET "/mot-cua/so-theo-doi?quay=$OT&nam=$YEAR" -b "$JR"
expect_status "another commune's book: refused" 403
http GET "/mot-cua/so-theo-doi.csv?quay=$CT&nam=$YEAR" -b "$JR"
expect_status "the book as CSV" 200
expect_header "... text/csv" 'Content-Type: text/csv; charset=utf-8'
check "... starts with the UTF-8 BOM" sh -c "head -c 3 '$BODY' | od -An -tx1 | grep -q 'ef bb bf'"
check "... CRLF line ends" sh -c "head -1 '$BODY' | od -c | grep -q '\\\\r'"
expect_body "... the header row" 'TT,Mã hồ sơ,Tên TTHC'
expect_body "... the first row numbered 01" "^01,$D1|
01,$D1"
http GET "/mot-cua/so-theo-doi.xlsx?quay=$CT&nam=$YEAR" -b "$JR"
expect_status "the book as .xlsx" 200
expect_header "... a spreadsheet" 'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
check "... a zip (Office Open XML)" sh -c "head -c 2 '$BODY' | grep -q PK"
if command -v unzip >/dev/null; then
	check "... holds the first dossier's code" sh -c "unzip -p '$BODY' xl/sharedStrings.xml | grep -q '$D1'"
fi
http GET "/mot-cua/so-theo-doi?quay=$CT&nam=2001" -b "$JR"
expect_status "an empty year" 200
expect_body "... says so" 'Chưa có hồ sơ nào'

# ---- 5. The audit trail ---------------------------------------------------
"$B" audit list --db "$DB" >"$T/audit.txt" 2>&1
check "audit: dossier.forward" grep -q 'dossier.forward' "$T/audit.txt"
check "audit: dossier.request_supplement" grep -q 'dossier.request_supplement' "$T/audit.txt"
check "audit: personal.view" grep -q 'personal.view' "$T/audit.txt"
check "audit: dossier.payment" grep -q 'dossier.payment' "$T/audit.txt"
"$B" audit verify --db "$DB" >/dev/null 2>&1
check "audit: the chain verifies" [ $? -eq 0 ]
"$B" dossier replay "$D1" --db "$DB" >/dev/null 2>&1
check "replay of the walked dossier agrees" [ $? -eq 0 ]

it_stop
it_done
