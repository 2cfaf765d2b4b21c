#!/bin/sh
# test_online.sh - online submission through the real server (engineer
# "online", issue 6): the public form of a procedure offered online at a
# commune (Xã An Lạc 07654), the place chooser, field errors (422, nothing
# created), a file of the wrong type (422, next to its input) or too big (413) leaving no
# dossier, the confirmation with code and secret (only for the submitting
# browser) and its printable twin, a resubmit with the same key (the same
# dossier), the API POST /api/v1/submissions (201, then 200 replayed with
# the same secret), the citizen's files with safe headers and only with
# the secret, the receiver's queue and review (another commune's receiver:
# 404), a supplement asked before acceptance and sent by the citizen from
# the page reached with the secret, acceptance (due from acceptance),
# rejection with a reason, /api/v1/files/{sha256} by scope, the audit
# trail, the e-mails queued in the outbox, wrong secrets throttled (the
# last checks: a rerun on the same database within the hour is throttled;
# tests/integ/run.sh starts from fresh databases). Ends with
# "online: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init online
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=o$$
ADM=${p}adm RC=${p}rc RC2=${p}rc2
UNIT=07654	# Xã An Lạc (Bắc Ninh)
OTHER=07498	# Xã Bắc Lũng (Bắc Ninh)
PROC=1.003930	# offered online, 2 working days; components 1 and 2
NOTONLINE=1.002372	# served by the desk, not offered online
APPID=001190012345

mk() {
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--name "Cán bộ $1" --db "$DB" >/dev/null 2>&1
}
mk "$ADM" admin 24; check "cli: admin" [ $? -eq 0 ]
mk "$RC" receiver $UNIT; check "cli: receiver" [ $? -eq 0 ]
mk "$RC2" receiver $OTHER; check "cli: other commune's receiver" [ $? -eq 0 ]

D=$T/data
it_start --db "$DB" --data-dir "$D" || it_done

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
jget() {
	grep -o "\"$1\":\(\"[^\"]*\"\|[0-9-]*\)" "$BODY" | head -1 |
		sed "s/^\"$1\"://; s/^\"//; s/\"$//"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# dossiers of the unit in the audit trail: a count that grows only on creation
n_submits() {
	"$B" audit list --db "$DB" --action dossier.submit --unit $UNIT \
		--per-page 200 --json 2>/dev/null | grep -o '"action":"dossier.submit"' | wc -l
}

JA=$T/adm.jar JR=$T/rc.jar JO=$T/rc2.jar
login "$JA" "$ADM"; expect_status "login admin" 303
login "$JR" "$RC"; expect_status "login receiver" 303
login "$JO" "$RC2"; expect_status "login other receiver" 303
CA=$(csrf_of "$JA") CR=$(csrf_of "$JR")

# The desk needs its agency's electronic identifier for dossier codes.
http GET "/api/v1/admin/desks/$UNIT" -b "$JA"
if ! grep -q '"agency_code":"[A-Z0-9]' "$BODY"; then
	dv=$(jget version)
	dn=$(jget name)
	http PUT "/api/v1/admin/desks/$UNIT" -b "$JA" -H "X-CSRF-Token: $CA" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"name\":\"$dn\",\"agency_code\":\"000.00.24.H77\",\"version\":$dv}"
	check "agency code of $UNIT set" [ "$STATUS" = 200 ]
fi

printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' >"$T/a.pdf"
printf '%%PDF-1.4\n%% bo sung %s\n%%%%EOF\n' "$p" >"$T/b.pdf"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\002\000\000\000\220wS\336' >"$T/a.png"
printf 'GIF89a\001\000\001\000\000\000\000;' >"$T/a.gif"

# ---- the public pages ------------------------------------------------------
http GET "/nop-truc-tuyen/$NOTONLINE"
expect_status "a procedure not offered online: 404" 404
http GET /nop-truc-tuyen/9.999999
expect_status "an unknown procedure: 404" 404
http GET "/nop-truc-tuyen/$PROC"
expect_status "place chooser" 200
expect_body "... lists the province" 'Bắc Ninh'
http GET "/nop-truc-tuyen/$PROC?tinh=24"
expect_body "... then its communes" "value=\"$UNIT\""
http GET "/nop-truc-tuyen/$PROC?don-vi=99999"
expect_status "a commune without such a desk: 404 with the chooser" 404
http GET "/nop-truc-tuyen/$PROC?don-vi=$UNIT"
expect_status "the form" 200
expect_body "... a file input per component" 'name="f1" type="file"'
expect_body "... the consent" 'name="consent"'
expect_header "... not stored by caches" 'Cache-Control: no-store'
KEY=$(grep -o 'name="idem" value="[0-9a-f]*"' "$BODY" | sed 's/.*value="//; s/"$//')
check "... with an idempotency key" [ ${#KEY} -eq 32 ]

N0=$(n_submits)
# ---- field errors: 422, the values kept, nothing created ----------------
http POST "/nop-truc-tuyen/$PROC" -F "don-vi=$UNIT" -F "idem=$KEY" \
	-F kind=person -F "name=" -F id_number=12 -F phone=abc \
	-F "email=khong-hop-le" -F "address_street=Thôn Đông"
expect_status "errors: 422" 422
expect_body "... name" 'Họ và tên: không được để trống'
expect_body "... ID" 'Số định danh cá nhân:'
expect_body "... phone" 'Số điện thoại: 9 đến 12 chữ số'
expect_body "... email" 'Thư điện tử: không đúng dạng'
expect_body "... files" 'Tệp đính kèm: đính kèm ít nhất một tệp'
expect_body "... consent" 'Cam kết và đồng ý:'
expect_body "... the typed address kept" 'value="Thôn Đông"'
check "... nothing created" [ "$(n_submits)" -eq "$N0" ]

# ---- refused uploads: no dossier ------------------------------------------
http POST "/nop-truc-tuyen/$PROC" -F "don-vi=$UNIT" -F "idem=$KEY" \
	-F kind=person -F "name=Trần Thị Bình" -F id_number=$APPID \
	-F phone=0912345678 -F consent=1 -F "f1=@$T/a.gif"
expect_status "a GIF: 422, the form again" 422
expect_body "... the error next to the file input" 'id="err-f1">Tệp đính kèm: tệp «a.gif» không phải PDF, JPEG hoặc PNG \(nội dung là image/gif\)'
expect_body "... the typed name kept" 'value="Trần Thị Bình"'
http POST /api/v1/submissions -F procedure=$PROC -F unit=$UNIT \
	-F kind=person -F "name=Trần Thị Bình" -F id_number=$APPID \
	-F phone=0912345678 -F consent=1 -F "f1=@$T/a.gif"
expect_status "API: a GIF: 422" 422
expect_body "... the field named" '"field":"f1"'
head -c 11000000 /dev/zero >"$T/big.pdf"
http POST "/nop-truc-tuyen/$PROC" -F "don-vi=$UNIT" -F "idem=$KEY" \
	-F kind=person -F "name=Trần Thị Bình" -F id_number=$APPID \
	-F phone=0912345678 -F consent=1 -F "f1=@$T/big.pdf"
expect_status "a file over 10 MB: 413" 413
check "... no dossier after refused uploads" [ "$(n_submits)" -eq "$N0" ]
check "... no temp file left" [ "$(find "$D/tmp" -type f | wc -l)" -eq 0 ]

# ---- a good submission ------------------------------------------------------
submit() {
	http POST "/nop-truc-tuyen/$PROC" -c "$1" -b "$1" -F "don-vi=$UNIT" \
		-F "idem=$KEY" -F kind=person -F "name=Trần Thị Bình" \
		-F id_number=$APPID -F "phone=0912 345 678" \
		-F "email=binh@example.vn" -F consent=1 \
		-F "f1=@$T/a.pdf;filename=Tờ khai.pdf" -F "f2=@$T/a.png"
}
JC=$T/citizen.jar
submit "$JC"
expect_status "submit: 303" 303
LOC=$(tr -d '\r' <"$HEADERS" | sed -n 's/^[Ll]ocation: //p')
CODE=${LOC##*/}
check "... to the confirmation of the new code" [ -n "$CODE" -a "$LOC" = "/nop-truc-tuyen/ho-so/$CODE" ]
expect_header "... the confirmation cookie, HttpOnly" 'Set-Cookie: mc_online='
check "... one dossier created" [ "$(n_submits)" -eq $((N0 + 1)) ]
http GET "$LOC" -b "$JC"
expect_status "confirmation page" 200
expect_body "... the code" "id=\"ma-ho-so\">$CODE<"
SECRET=$(grep -o 'id="ma-tra-cuu">[a-z2-7]*' "$BODY" | sed 's/.*>//')
check "... the secret" [ ${#SECRET} -eq 26 ]
expect_body "... the lookup QR" '<svg'
expect_body "... the lookup link with the secret" "/tra-cuu/$CODE\\?ma=$SECRET"
http GET "$LOC/in" -b "$JC"
expect_status "printable confirmation" 200
expect_body "... its title" 'Giấy xác nhận nộp hồ sơ trực tuyến'
http GET "$LOC"
expect_status "confirmation without the cookie: 404" 404
expect_no_body "... never the secret" "$SECRET"

# The answer was lost: the citizen submits again with the same form.
submit "$T/citizen2.jar"
expect_status "resubmit: 303" 303
check "... to the same dossier" [ "$(tr -d '\r' <"$HEADERS" | sed -n 's/^[Ll]ocation: //p')" = "$LOC" ]
check "... no duplicate" [ "$(n_submits)" -eq $((N0 + 1)) ]
http GET "$LOC" -b "$T/citizen2.jar"
expect_body "... the same secret shown again" "id=\"ma-tra-cuu\">$SECRET<"

# ---- the API twin -----------------------------------------------------------
AKEY=api-$p-0123456789abcdef
api_submit() {
	http POST /api/v1/submissions -H "Idempotency-Key: $AKEY" \
		-F procedure=$PROC -F unit=$UNIT -F kind=person \
		-F "name=Lê Văn Cường" -F id_number=$APPID -F phone=0987654321 \
		-F consent=1 -F "f2=@$T/a.pdf"
}
api_submit
expect_status "API: 201" 201
ACODE=$(jget code) ASECRET=$(jget secret)
expect_body "... submitted" '"state":"submitted"'
expect_body "... the file by its hash" "\"sha256\":\"$(sha "$T/a.pdf")\""
api_submit
expect_status "API repeat: 200" 200
expect_body "... replayed" '"replayed":true'
check "... same code and secret" [ "$(jget code)" = "$ACODE" -a "$(jget secret)" = "$ASECRET" ]
http POST /api/v1/submissions -F procedure=$PROC -F unit=$UNIT -F kind=person
expect_status "API: invalid 422" 422
expect_body "... JSON error with the field" '"error":\{"code":"invalid","field":"'
http POST /api/v1/submissions -H 'Idempotency-Key: short' -F procedure=$PROC
expect_status "API: a bad key 422" 422

# ---- the citizen's files: only with the secret, safe headers -------------
PDF=$(sha "$T/a.pdf") PNG=$(sha "$T/a.png")
http GET "/tra-cuu/$CODE/tep/$PNG?ma=$SECRET"
expect_status "citizen file with the secret" 200
expect_header "... attachment" 'Content-Disposition: attachment'
expect_header "... octet-stream" 'Content-Type: application/octet-stream'
expect_header "... nosniff" 'X-Content-Type-Options: nosniff'
check "... the bytes" cmp -s "$BODY" "$T/a.png"
http GET "/tra-cuu/$CODE/tep/$PNG?ma=aaaaaaaaaaaaaaaaaaaaaaaaaa"
expect_status "a wrong secret: 404" 404
http GET "/tra-cuu/$ACODE/tep/$PNG?ma=$ASECRET"
expect_status "a file of another dossier: 404" 404
http GET "/api/v1/submissions/$CODE/files/$PDF?secret=$SECRET"
expect_status "API file with the secret" 200

# ---- the officers ------------------------------------------------------------
http GET /mot-cua/truc-tuyen -b "$JR"
expect_status "receiver's online queue" 200
expect_body "... lists the dossier" "$CODE"
http GET /api/v1/online/queue -b "$JO"
expect_no_body "another commune's receiver does not see it" "$CODE"
http GET "/mot-cua/truc-tuyen/$CODE" -b "$JO"
expect_status "... nor open it (404)" 404
http GET "/mot-cua/ho-so/$CODE/tep/$PNG" -b "$JO"
expect_status "... nor its files (404)" 404
http GET "/api/v1/files/$PNG" -b "$JO"
expect_status "file API, out of scope: 404" 404
http GET "/api/v1/files/$PNG" -b "$JR"
expect_status "file API, in scope: 200" 200
expect_header "... nosniff" 'X-Content-Type-Options: nosniff'
http GET "/mot-cua/ho-so/$CODE/tep/$PNG" -b "$JR"
expect_status "officer's file route" 200
http GET "/mot-cua/truc-tuyen/$CODE" -b "$JR"
expect_status "review page" 200
expect_body "... the files" 'Tờ khai.pdf'
expect_body "... accept offered" 'value="accept"'
VER=$(grep -o 'name="version" value="[0-9]*"' "$BODY" | head -1 | sed 's/.*value="//; s/"$//')

review() { # review ACTION [FIELD=VALUE ...]
	a=$1
	shift
	n=$#
	for kv; do set -- "$@" --data-urlencode "$kv"; done
	shift $n
	http POST "/mot-cua/truc-tuyen/$CODE" -b "$JR" --data-urlencode "csrf=$CR" \
		--data-urlencode "action=$a" --data-urlencode "version=$VER" "$@"
}
review request_supplement
expect_status "supplement without items: 422" 422
expect_body "... names the field" 'Giấy tờ cần bổ sung: ghi đầy đủ một lần'
http POST "/mot-cua/truc-tuyen/$CODE" -b "$JR" -d "action=accept" -d "version=$VER"
check "no CSRF: refused" [ "$STATUS" = 303 -o "$STATUS" = 403 ]
review request_supplement "items=Bản sao giấy tờ xe
Ảnh chụp phương tiện" "note=Ảnh chưa rõ"
expect_status "supplement asked: 303" 303
http GET "/api/v1/dossiers/$CODE" -b "$JR"
expect_body "... waiting for the citizen" '"state":"supplement_requested"'
expect_body "... not counted as a supplement" '"supplement_count":0'

http GET "/tra-cuu/$CODE/bo-sung?ma=$SECRET"
expect_status "citizen's supplement page" 200
expect_body "... the items asked" 'Ảnh chụp phương tiện'
http GET "/tra-cuu/$CODE/bo-sung?ma=bbbbbbbbbbbbbbbbbbbbbbbbbb"
expect_status "... wrong secret: 404" 404
SKEY=$(curl -s "$URL/tra-cuu/$CODE/bo-sung?ma=$SECRET" | grep -o 'name="idem" value="[0-9a-f]*"' | sed 's/.*value="//; s/"$//')
http POST "/tra-cuu/$CODE/bo-sung" -F "ma=$SECRET" -F "idem=$SKEY"
expect_status "supplement without a file: 422" 422
expect_body "... names the field" 'Tệp bổ sung:'
http POST "/tra-cuu/$CODE/bo-sung" -F "ma=$SECRET" -F "idem=$SKEY" -F "f0=@$T/a.gif"
expect_status "supplement with a GIF: 422" 422
expect_body "... the error next to the input" 'id="err-f0">Tệp bổ sung: tệp «a.gif» không phải PDF'
http POST "/tra-cuu/$CODE/bo-sung" -F "ma=$SECRET" -F "idem=$SKEY" \
	-F "f0=@$T/b.pdf" -F "note=Gửi bản sao"
expect_status "supplement sent: 303" 303
http POST "/tra-cuu/$CODE/bo-sung" -F "ma=$SECRET" -F "idem=$SKEY" \
	-F "f0=@$T/b.pdf" -F "note=Gửi bản sao"
expect_status "... sent twice (same key): 303" 303
http GET "/api/v1/dossiers/$CODE" -b "$JR"
expect_body "... back in the online queue" '"state":"submitted"'
VER=$(jget version)
check "... one receive_supplement event (version 3)" [ "$VER" = 3 ]

review accept
expect_status "accept: 303" 303
http GET "/mot-cua/truc-tuyen/$CODE?da=accept" -b "$JR"
expect_body "... confirmation message" 'Đã tiếp nhận hồ sơ'
http GET "/api/v1/dossiers/$CODE" -b "$JR"
expect_body "... received" '"state":"received"'
expect_body "... with a due time" '"due_at":"20'
# the applicant gave an e-mail: the outbox (notify) holds both messages
"$B" outbox list --dossier "$CODE" --db "$DB" >"$T/outbox" 2>&1
check "e-mail queued: supplement requested" grep -q 'email .* supplement ' "$T/outbox"
check "e-mail queued: received" grep -q 'email .* received ' "$T/outbox"
review accept
check "accept again (stale version): refused" [ "$STATUS" = 409 -o "$STATUS" = 422 ]

CODE=$ACODE
http GET "/mot-cua/truc-tuyen/$CODE" -b "$JR"
VER=$(grep -o 'name="version" value="[0-9]*"' "$BODY" | head -1 | sed 's/.*value="//; s/"$//')
review reject
expect_status "reject without a reason: 422" 422
expect_body "... names the field" 'Lý do từ chối: không được để trống'
http POST "/api/v1/online/$CODE/actions" -b "$JR" -H "X-CSRF-Token: $CR" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"action\":\"reject\",\"version\":$VER,\"note\":\"Không thuộc thẩm quyền của xã\"}"
expect_status "reject through the API (JSON): 200" 200
expect_body "... refused at intake" '"state":"refused_at_intake"'
http GET "/api/v1/dossiers/$CODE" -b "$JR"
expect_body "... refused at intake" '"state":"refused_at_intake"'

# ---- wrong secrets are throttled per address (after 19 free tries) -------
st=
for i in $(seq 1 25); do
	st=$(curl -s -o /dev/null -w '%{http_code}' "$URL/tra-cuu/$CODE/bo-sung?ma=cccccccccccccccccccccccccc")
	[ "$st" = 429 ] && break
done
check "wrong secrets: 429 at last" [ "$st" = 429 ]
http GET "/tra-cuu/$CODE/bo-sung?ma=$ASECRET"
expect_status "... then even the right one waits" 429
expect_header "... with Retry-After" 'Retry-After:'

# ---- audit -------------------------------------------------------------------
"$B" audit list --db "$DB" --object-id "$CODE" --json >"$T/audit" 2>&1
check "audit: the submission" grep -q '"action":"dossier.submit"' "$T/audit"
check "audit: the rejection" grep -q '"action":"dossier.reject"' "$T/audit"
check "audit chain verifies" "$B" audit verify --db "$DB"

it_stop
check "server stopped cleanly" [ "$SERVER_RC" = 0 ]
it_done
