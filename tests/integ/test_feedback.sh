#!/bin/sh
# test_feedback.sh - feedback and complaints (phản ánh, kiến nghị) through
# the real server (engineer "feedback"): the public form (each validation
# error named, 422, nothing written), a procedure feedback, an officer one
# by the API, a dossier one with the dossier's code and the last 4 digits
# of the applicant's phone (a wrong factor reads like an unknown code); the
# citizen's page with the code and secret only; the officers of the unit
# (receiver, leader) ask for information, the citizen supplies it, the
# leader answers and publishes, the citizen rates once; a stale form (409),
# another commune's officer (404), a specialist (403), anonymous (login);
# the public page without the sender; the audit trail; the throttle of
# wrong secrets (429). No e-mail addresses: the sender's e-mails through the
# outbox are checked by tests/unit/test_feedback_repo.c, and the shared
# database's outbox belongs to test_notify.sh's sink. Ends with "feedback: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init feedback
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=f$$
RC=${p}rc LD=${p}ld RC2=${p}rc2 SP=${p}sp ADM=${p}adm
CT=07738	# Phường Cảnh Thụy (Bắc Ninh)
OT=07210	# Phường Bắc Giang (Bắc Ninh): another commune
PROC=1.003930

mk() { # mk NAME ROLE UNIT
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--name "Cán bộ $1" --db "$DB" >/dev/null 2>&1
}
mk "$ADM" admin 24; check "cli: admin" [ $? -eq 0 ]
mk "$RC" receiver $CT; check "cli: receiver" [ $? -eq 0 ]
mk "$LD" leader $CT; check "cli: leader" [ $? -eq 0 ]
mk "$RC2" receiver $OT; check "cli: other commune's receiver" [ $? -eq 0 ]
mk "$SP" specialist $CT; check "cli: specialist" [ $? -eq 0 ]

it_start --db "$DB" || it_done

login() { # login JAR USER
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$PW" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
jget() { # the first "KEY":value of the JSON body
	grep -o "\"$1\":\(\"[^\"]*\"\|[0-9-]*\|true\|false\|null\)" "$BODY" |
		head -1 | sed "s/^\"$1\"://; s/^\"//; s/\"$//"
}
loc() { # the Location header
	grep -i '^location:' "$HEADERS" | tr -d '\r' | sed 's/^[Ll]ocation: //'
}
n_audit() { # n_audit ACTION: entries of that action in the trail
	"$B" audit list --db "$DB" --action "$1" 2>/dev/null | grep -c "$1"
}
JR=$T/rc.jar JL=$T/ld.jar JO=$T/rc2.jar JS=$T/sp.jar JA=$T/adm.jar
login "$JA" "$ADM"; CA=$(csrf_of "$JA")
# The desk needs its agency's electronic identifier for dossier codes.
http GET "/api/v1/admin/desks/$CT" -b "$JA"
if ! grep -q '"agency_code":"[A-Z0-9]' "$BODY"; then
	dv=$(jget version) dn=$(jget name)
	http PUT "/api/v1/admin/desks/$CT" -b "$JA" -H "X-CSRF-Token: $CA" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$dn\",\"agency_code\":\"000.00.24.H05\",\"version\":$dv}"
	check "agency code of $CT set" [ "$STATUS" = 200 ]
fi
login "$JR" "$RC"; CR=$(csrf_of "$JR")
login "$JL" "$LD"; CL=$(csrf_of "$JL")
login "$JO" "$RC2"; CO=$(csrf_of "$JO")
login "$JS" "$SP"
check "officers logged in" [ -n "$CR" ] && [ -n "$CL" ] && [ -n "$CO" ]

# ---- the public form ------------------------------------------------------
http GET /phan-anh
expect_status "the form" 200
expect_body "... three kinds" 'value="officer"'
expect_body "... a province first (no JavaScript)" 'name="tinh"'
http GET "/phan-anh?tinh=24"
expect_body "... the province's communes" "value=\"$CT\""
http GET "/phan-anh?don-vi=$CT&thu-tuc=$PROC"
expect_body "... prefilled from a unit page" "value=\"$CT\" selected"

before=$(n_audit feedback.create)
http POST /phan-anh --data-urlencode "kind=" --data-urlencode "subject=ab" \
	--data-urlencode "content=ngắn" --data-urlencode "sender_name=" \
	--data-urlencode "phone=12ab" --data-urlencode "email=x@"
expect_status "bad input: 422" 422
expect_body "... the kind named" 'Loại phản ánh: chọn'
expect_body "... the subject named" 'Tiêu đề: ghi ít nhất 5 ký tự'
expect_body "... the content named" 'Nội dung: ghi rõ'
expect_body "... the name named" 'Họ và tên: ghi'
expect_body "... the phone named" 'Số điện thoại: gồm 10 chữ số'
expect_body "... the e-mail named" 'Thư điện tử: không đúng dạng'
expect_body "... the typed values kept" 'value="ab"'
http POST /phan-anh --data-urlencode "kind=procedure" \
	--data-urlencode "unit_code=$OT" --data-urlencode "procedure_code=9.999999" \
	--data-urlencode "subject=Thủ tục rườm rà" \
	--data-urlencode "content=Giấy tờ yêu cầu quá nhiều." \
	--data-urlencode "sender_name=Nguyễn Văn An"
expect_status "an unknown procedure: 422" 422
expect_body "... named" 'Thủ tục: không có thủ tục mang mã này'
http POST /phan-anh --data-urlencode "kind=officer" \
	--data-urlencode "unit_code=$CT" --data-urlencode "subject=Thái độ chưa tốt" \
	--data-urlencode "content=Cán bộ không hướng dẫn rõ ràng." \
	--data-urlencode "sender_name=Trần Thị Bình"
expect_status "officer kind without the officer: 422" 422
expect_body "... named" 'Cán bộ: ghi tên hoặc vị trí'
check "nothing written by refused forms" [ "$(n_audit feedback.create)" -eq "$before" ]

http POST /phan-anh --data-urlencode "kind=procedure" \
	--data-urlencode "unit_code=$CT" --data-urlencode "procedure_code=$PROC" \
	--data-urlencode "subject=Thủ tục rườm rà" \
	--data-urlencode "content=Giấy tờ yêu cầu quá nhiều.
Đề nghị rút gọn tờ khai." \
	--data-urlencode "sender_name=Nguyễn Văn An" \
	--data-urlencode "phone=0912 345 678"
expect_status "a procedure feedback: 303" 303
L=$(loc)
F1=$(echo "$L" | sed -n 's|^/phan-anh/\(PA[0-9]*-[0-9A-Z]*\)?ma=\([a-z2-7]*\)&moi=1$|\1|p')
S1=$(echo "$L" | sed -n 's|^/phan-anh/\(PA[0-9]*-[0-9A-Z]*\)?ma=\([a-z2-7]*\)&moi=1$|\2|p')
check "... to its page with code and secret" [ -n "$F1" ] && [ ${#S1} -eq 26 ]
check "... audited" [ "$(n_audit feedback.create)" -eq $((before + 1)) ]
http GET "$L"
expect_status "the citizen's page" 200
expect_body "... the code and the secret to keep" "Mã bí mật: <b>$S1</b>"
expect_body "... received" 'Đã tiếp nhận, đang xem xét'
expect_body "... the answer's deadline" 'Hạn trả lời</dt><dd>[0-9]{2}/[0-9]{2}/20[0-9]{2} 17:00'
expect_body "... when it was sent, in local time" 'Gửi lúc</dt><dd>[0-9]{2}/[0-9]{2}/20[0-9]{2} [0-9]{2}:[0-9]{2}<'
expect_header "... not cached" 'Cache-Control: no-store'
expect_no_body "... never the sender's phone" '0912345678'

http GET "/phan-anh/tra-cuu?ma-phan-anh=$(echo "$F1" | tr 'A-Z' 'a-z')&ma=$S1"
expect_status "lookup form: the right pair (any case): 303" 303

# ---- the API ----------------------------------------------------------------
http POST /api/v1/feedback -H 'Content-Type: application/json' \
	--data-binary "{\"kind\":\"officer\",\"unit_code\":\"$CT\",\"officer\":\"Quầy số 2\",\"subject\":\"Thái độ chưa tốt\",\"content\":\"Cán bộ quầy 2 không hướng dẫn.\",\"sender_name\":\"Trần Thị Bình\",\"phone\":\"0987000111\"}"
expect_status "API: an officer feedback: 201" 201
F2=$(jget code) S2=$(jget secret)
check "... code and secret" [ -n "$F2" ] && [ ${#S2} -eq 26 ]
http POST /api/v1/feedback -H 'Content-Type: application/json' \
	--data-binary '{"kind":"procedure","subject":"Thủ tục","content":"Nội dung đủ dài rồi.","sender_name":"An"}'
expect_status "API: bad input: 422" 422
expect_body "... JSON error naming the field" '"code":"invalid","field":"unit_code"'
http GET "/api/v1/feedback/$F2?secret=$S2"
expect_status "API: the citizen's view" 200
expect_body "... its state" '"state":"received"'
expect_no_body "... never the sender" 'Trần Thị Bình|0987000111'

# ---- a dossier, with its code and second factor ---------------------------
http POST /api/v1/dossiers -b "$JR" -H "X-CSRF-Token: $CR" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"desk\":\"$CT\",\"procedure\":\"$PROC\",\"channel\":\"truc_tiep\",\"request\":\"Cấp lại\",\"applicant\":{\"kind\":\"person\",\"name\":\"Lê Văn Cường\",\"id_number\":\"001090012345\",\"birth_year\":1990,\"sex\":\"M\",\"phone\":\"0912345678\",\"address_unit\":\"$CT\",\"address_street\":\"12 Lê Lợi\"},\"components\":[{\"seq\":1,\"mode\":\"original\",\"originals\":1},{\"seq\":2,\"mode\":\"copy\",\"copies\":1}],\"idem\":\"$p-d1\"}"
expect_status "a dossier to complain about" 201
D1=$(grep -o '"code":"[^"]*-[0-9]\{6\}-[0-9]*"' "$BODY" | head -1 |
	sed 's/"code":"//; s/"$//')
dossier_fb() { # dossier_fb LAST4
	http POST /phan-anh --data-urlencode "kind=dossier" \
		--data-urlencode "dossier_code=$D1" --data-urlencode "dossier_last4=$1" \
		--data-urlencode "subject=Hồ sơ chậm trả" \
		--data-urlencode "content=Hồ sơ đã quá hẹn mà chưa có kết quả." \
		--data-urlencode "sender_name=Lê Văn Cường"
}
dossier_fb 1111
expect_status "a dossier with a wrong last 4: 422" 422
expect_body "... reads like an unknown code" 'Mã hồ sơ: không tìm thấy hồ sơ'
dossier_fb 5678
expect_status "a dossier with the last 4 of the phone: 303" 303
F3=$(loc | sed -n 's|^/phan-anh/\([^?]*\)?.*|\1|p')
check "... a feedback code" [ -n "$F3" ]

# ---- the officers -------------------------------------------------------------
http GET /xu-ly-phan-anh
expect_status "anonymous: to the login page" 303
http GET /xu-ly-phan-anh -b "$JS"
expect_status "a specialist does not handle feedback: 403" 403
http GET /xu-ly-phan-anh -b "$JR"
expect_status "the receiver's queue" 200
expect_body "... the procedure feedback" "$F1"
expect_body "... the dossier feedback, routed to the dossier's desk" "$F3"
expect_body "... a due mark" 'fb-b-normal|fb-b-approaching|fb-b-overdue'
http GET /xu-ly-phan-anh -b "$JO"
expect_no_body "another commune's queue does not list it" "$F1"
http GET "/xu-ly-phan-anh/$F1" -b "$JO"
expect_status "another commune's officer guessing the code: 404" 404
http POST "/xu-ly-phan-anh/$F1/tra-loi" -b "$JO" --data-urlencode "csrf=$CO" \
	--data-urlencode "version=1" --data-urlencode "note=x"
expect_status "... nor acts on it" 404

http GET "/xu-ly-phan-anh/$F1" -b "$JR"
expect_status "the officer's page" 200
expect_body "... the sender's contact" '0912345678'
expect_body "... the four deadlines" 'Hạn từ chối.*|Hạn yêu cầu bổ sung'
expect_body "... the answer form with its version" 'name="version" value="1"'
http POST "/xu-ly-phan-anh/$F1/yeu-cau-bo-sung" -b "$JR" \
	--data-urlencode "csrf=$CR" --data-urlencode "version=1" \
	--data-urlencode "note= "
expect_status "asking for information without saying what: 422" 422
expect_body "... named" 'Nội dung cần bổ sung: không được để trống'
http POST "/xu-ly-phan-anh/$F1/tu-choi" -b "$JR" \
	--data-urlencode "csrf=$CR" --data-urlencode "version=x" \
	--data-urlencode "note=Không thuộc thẩm quyền"
expect_status "a form without its version: 422" 422
expect_body "... the typed reason kept in its form" '>Không thuộc thẩm quyền</textarea>'
http POST "/xu-ly-phan-anh/$F1/yeu-cau-bo-sung" -b "$JR" \
	--data-urlencode "csrf=$CR" --data-urlencode "version=1" \
	--data-urlencode "note=Ghi rõ tờ khai nào bị yêu cầu nộp hai lần."
expect_status "asking for information: 303" 303
check "... back to the page" [ "$(loc)" = "/xu-ly-phan-anh/$F1?da-luu=ask_info" ]
http POST "/xu-ly-phan-anh/$F1/tra-loi" -b "$JL" --data-urlencode "csrf=$CL" \
	--data-urlencode "version=1" --data-urlencode "note=Trả lời cũ"
expect_status "a stale form: 409" 409
expect_body "... says someone acted" 'người khác xử lý'
expect_body "... the typed answer shown, not lost" 'fb-typed">Trả lời cũ<'
http POST "/xu-ly-phan-anh/$F1/tra-loi" -b "$JL" --data-urlencode "csrf=$CL" \
	--data-urlencode "version=2" --data-urlencode "note=Trả lời"
expect_status "answering while waiting for the citizen: 422" 422
http POST "/xu-ly-phan-anh/$F1/tra-loi" -b "$JL" --data-urlencode "version=2" \
	--data-urlencode "note=Trả lời"
expect_status "no CSRF token: refused" 303
check "... to the login page" sh -c "loc() { grep -i '^location:' '$HEADERS'; }; loc | grep -q dang-nhap"

http GET "/phan-anh/$F1?ma=$S1"
expect_body "the citizen sees the request" 'Ghi rõ tờ khai nào'
expect_body "... and a form to answer it" 'name="info"'
expect_body "... waiting for the citizen" 'Cần người gửi bổ sung thông tin'
http POST "/phan-anh/$F1/bo-sung" --data-urlencode "ma=$S1" --data-urlencode "info="
expect_status "an empty supplement: 422" 422
expect_body "... named" 'Thông tin bổ sung: không được để trống'
http POST "/phan-anh/$F1/bo-sung" --data-urlencode "ma=$S1" \
	--data-urlencode "info=Tờ khai mẫu TK1 nộp ở bước 1 và bước 3."
expect_status "the citizen supplies it: 303" 303

http POST "/xu-ly-phan-anh/$F1/tra-loi" -b "$JL" --data-urlencode "csrf=$CL" \
	--data-urlencode "version=3" \
	--data-urlencode "note=Đơn vị đã bỏ yêu cầu nộp lại tờ khai ở bước 3."
expect_status "the leader answers: 303" 303
http POST "/xu-ly-phan-anh/$F1/cong-khai" -b "$JL" --data-urlencode "csrf=$CL" \
	--data-urlencode "version=4" \
	--data-urlencode "note=Thủ tục yêu cầu nộp tờ khai hai lần."
expect_status "... and publishes it: 303" 303

http GET /phan-anh/cong-khai
expect_status "the public page" 200
expect_body "... the answer" 'Đơn vị đã bỏ yêu cầu nộp lại tờ khai'
expect_body "... the question as published" 'Thủ tục yêu cầu nộp tờ khai hai lần.'
expect_no_body "... never the sender" 'Nguyễn Văn An|0912345678|an@example.vn'
expect_no_body "... never the officers" "$LD"
http GET /api/v1/feedback/published
expect_body "API twin of the public page" "\"code\":\"$F1\""

http POST "/phan-anh/$F1/danh-gia" --data-urlencode "ma=$S1"
expect_status "rating without a choice: 422" 422
expect_body "... named" 'Mức độ hài lòng: chọn'
http POST "/phan-anh/$F1/danh-gia" --data-urlencode "ma=$S1" \
	--data-urlencode "satisfied=0" --data-urlencode "comment=Chậm."
expect_status "the citizen is not satisfied: 303" 303
http POST "/api/v1/feedback/$F1/rating" -H 'Content-Type: application/json' \
	--data-binary "{\"secret\":\"$S1\",\"satisfied\":true}"
expect_status "... only once" 422
http GET "/xu-ly-phan-anh/$F1" -b "$JR"
expect_body "the officers see the rating" 'Không hài lòng: Chậm.'

# The officers' API: the officer feedback answered, not publishable.
http POST "/api/v1/officer/feedback/$F2/answer" -b "$JR" -H "X-CSRF-Token: $CR" \
	-H 'Content-Type: application/json' \
	--data-binary '{"version":1,"note":"Đã nhắc nhở cán bộ quầy 2."}'
expect_status "API: the receiver answers" 200
expect_body "... answered" '"state":"answered"'
http POST "/api/v1/officer/feedback/$F2/publish" -b "$JR" -H "X-CSRF-Token: $CR" \
	-H 'Content-Type: application/json' --data-binary '{"version":2}'
expect_status "API: an officer feedback is not published: 422" 422
expect_body "... JSON error" '"code":"invalid"'
http GET "/api/v1/officer/feedback?state=all" -b "$JR"
expect_status "API: the queue" 200
expect_body "... with deadlines" '"answer_by":"[0-9]{2}/'
http GET "/api/v1/officer/feedback/$F2" -b "$JR"
expect_body "API: the officer's view with the sender" '0987000111'

# ---- audit ----------------------------------------------------------------------
check "audit: the answers by their officers" \
	sh -c "'$B' audit list --db '$DB' --action feedback.answer 2>/dev/null | grep -q '$LD'"
check "audit: the citizen's supplement and rating" \
	[ "$(n_audit feedback.supply_info)" -ge 1 ] && [ "$(n_audit feedback.rate)" -ge 1 ]
check "audit: the chain verifies" "$B" audit verify --db "$DB"

# ---- wrong secrets: one answer, then the throttle ----------------------------
http GET "/phan-anh/$F1?ma=aaaaaaaaaaaaaaaaaaaaaaaaaa"
expect_status "a wrong secret: 404" 404
cp "$BODY" "$T/wrong"
http GET "/phan-anh/PA000101-22222?ma=$S1"
expect_status "an unknown code: 404" 404
check "... the same answer as a wrong secret" cmp -s "$BODY" "$T/wrong"
# Failures so far from this address: the wrong last 4, the wrong secret,
# the unknown code; 4 are free, the 5th sets a wait.
http GET "/phan-anh/$F1?ma=bbbbbbbbbbbbbbbbbbbbbbbbbb"
expect_status "a 4th failure: still 404" 404
http GET "/phan-anh/$F1?ma=cccccccccccccccccccccccccc"
expect_status "a 5th failure: still 404" 404
http GET "/phan-anh/$F1?ma=dddddddddddddddddddddddddd"
expect_status "then: 429" 429
expect_header "... with Retry-After" 'Retry-After: '
http GET "/phan-anh/$F1?ma=$S1"
expect_status "... even the right secret waits" 429

it_stop
check "the server log has no sanitizer report" sh -c "! grep -q -E 'runtime error|Sanitizer' '$SERVER_LOG'"
it_done
