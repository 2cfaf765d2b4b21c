#!/bin/sh
# test_intake.sh - the counter through the real server ($MOTCUA_BIN) on the
# run's database (SQLite, or PostgreSQL when run.sh passes it): a receiver
# made with `motcua user add` logs in, searches the desk's procedures, fills
# the intake form (CSRF), previews the due time (compared with `motcua
# calendar due` for the same start and duration), confirms twice with the
# same form (one dossier), gets every field validation error (bad ID
# structure, ID vs birth year, bad tax code, missing components, e-mail,
# address), is refused another commune's desk (403), prints the receipt
# (every Mẫu 01 field; the QR decoded by zbarimg to the lookup URL; a
# VietQR with a valid CRC when a fee is due), refuses a dossier at intake
# (guidance form), takes a same-day procedure through to return in one
# sitting, reprints a receipt with a new secret; then the API twin POST
# /api/v1/dossiers with an Idempotency-Key. Ends with "intake: N passed,
# M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init intake
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-xoai-truoc-ngo-7'
p=i$$
RCV=${p}rcv	# receiver at Phường Cảnh Thụy (07738, Bắc Ninh 24)
FAR=${p}far	# receiver at a ward of Hà Nội (00004)
DESK=07738
AGENCY="H24.$(( $$ % 90 + 10 )).$(( $$ % 900 + 100 ))"	# unique per run
FEE_PROC=1.003930	# Cấp lại GCN đăng ký phương tiện: 2 ngày làm việc, 70.000 đ
SAME_PROC=1.002372	# Xác nhận việc trình kháng nghị hàng hải: 3 giờ

printf '%s\n' "$PW" | "$B" user add "$RCV" --role receiver --unit $DESK \
	--name "Nguyễn Thị Lan" --db "$DB" >/dev/null 2>&1
check "cli: receiver created" [ $? -eq 0 ]
printf '%s\n' "$PW" | "$B" user add "$FAR" --role receiver --unit 00004 \
	--db "$DB" >/dev/null 2>&1
ADMTOK=$("$B" token create "${p}-adm" --role admin --unit 24 --db "$DB" 2>/dev/null)
RCVTOK=$("$B" token create "${p}-rcv" --role receiver --unit $DESK --db "$DB" 2>/dev/null)
FARTOK=$("$B" token create "${p}-far" --role receiver --unit 00004 --db "$DB" 2>/dev/null)
check "cli: tokens created" [ -n "$ADMTOK" ] && [ -n "$RCVTOK" ]

it_start --db "$DB" || it_done

login() {
	jar=$1
	rm -f "$jar"
	http GET /dang-nhap -c "$jar" -b "$jar"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$jar" -b "$jar" \
		--data-urlencode "username=$2" --data-urlencode "password=$PW" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/mot-cua/tiep-nhan"
}
# val NAME: the value of hidden input NAME in the last body.
val() {
	grep -o "name=\"$1\" value=\"[^\"]*\"" "$BODY" | head -1 |
		sed 's/.*value="//; s/"$//'
}
JR=$T/rcv.jar JF=$T/far.jar
login "$JR" "$RCV"
expect_status "login receiver" 303

# ---- the desk: agency identifier (needed for codes) and bank account -------
http GET /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK"
expect_status "admin: desk API" 200
node -e '
	const d = JSON.parse(require("fs").readFileSync(process.argv[1])).desk;
	d.agency_code = process.argv[2];
	process.stdout.write(JSON.stringify(d));' "$BODY" "$AGENCY" >"$T/desk.json"
http PUT /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/desk.json"
expect_status "admin: agency identifier set" 200

http GET /api/v1/admin/desks/$DESK/payment -H "Authorization: Bearer $ADMTOK"
expect_status "payment: API read" 200
pver=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).version)' "$BODY")
http PUT /api/v1/admin/desks/$DESK/payment -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' \
	--data "{\"bank_bin\":\"97041\",\"bank_name\":\"VietinBank\",\"account_no\":\"1130 0019 3241\",\"account_name\":\"TT PVHCC CANH THUY\",\"version\":\"$pver\"}"
expect_status "payment: a 5-digit BIN is refused" 422
expect_body "payment: ... naming the field" '"field":"bank_bin"'
http PUT /api/v1/admin/desks/$DESK/payment -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' \
	--data "{\"bank_bin\":\"970415\",\"bank_name\":\"VietinBank\",\"account_no\":\"1130 0019 3241\",\"account_name\":\"TT PVHCC CANH THUY\",\"version\":\"$pver\"}"
expect_status "payment: saved" 200
expect_body "payment: account without spaces" '"account_no":"113000193241"'
http PUT /api/v1/admin/desks/$DESK/payment -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' \
	--data "{\"bank_bin\":\"970436\",\"bank_name\":\"X\",\"account_no\":\"1\",\"account_name\":\"Y\",\"version\":\"$pver\"}"
expect_status "payment: a stale version is a conflict" 409
http GET /quan-tri/don-vi/$DESK/thanh-toan -b "$JR"
expect_status "payment: a receiver may not edit it" 403
"$B" audit list --db "$DB" >"$T/audit" 2>&1
check "payment: audited desk.payment" grep -q "desk.payment" "$T/audit"

# ---- search and form --------------------------------------------------------
http GET "/mot-cua/tiep-nhan?q=phuong+tien" -b "$JR"
expect_status "search" 200
expect_body "search: the desk's procedure" "procedure=$FEE_PROC"
http GET "/mot-cua/tiep-nhan?desk=$DESK&procedure=$FEE_PROC" -b "$JR"
expect_status "form" 200
expect_body "form: the checklist" 'name="c2_mode"'
expect_body "form: the channel choice" 'value="buu_chinh"'
CSRF=$(val csrf)
IDEM=$(val idem)
check "form: csrf and idempotency key" [ -n "$CSRF" ] && [ -n "$IDEM" ]
cp "$BODY" "$T/form.html"

# intake STEP [FIELD=VALUE ...]: posts the fee procedure's form; later
# arguments override the defaults (curl keeps the first value of a name,
# so overrides go first).
intake() {
	step=$1
	shift
	set -- "$@" "step=$step" "csrf=$CSRF" "desk=$DESK" \
		"procedure=$FEE_PROC" "idem=$IDEM" channel=truc_tiep kind=person \
		"name=Trần Văn Bình" id_number=024090001234 birth_year=1990 \
		phone=0912345678 email=binh@example.vn address_unit=$DESK \
		"address_street=Số 5, đường Lê Lợi" c1_mode=original \
		c1_originals=1 c2_mode=original c2_originals=1 c2_copies=1
	n=$#
	for kv do set -- "$@" --data-urlencode "$kv"; done
	shift $n
	http POST /mot-cua/tiep-nhan -b "$JR" "$@"
}

# ---- validation: each error names its field; nothing written ---------------
intake preview id_number=099090001234
expect_status "bad ID: unknown province" 422
expect_body "bad ID: message names the field" 'Số định danh cá nhân'
expect_body "bad ID: re-rendered with the values typed" 'value="Trần Văn Bình"'
intake preview id_number=02409000123
expect_status "bad ID: 11 digits" 422
intake preview birth_year=1985
expect_status "ID vs birth year" 422
expect_body "ID vs birth year: said" 'id="err-id"'
intake preview kind=org "name=Công ty TNHH Ánh Dương" id_number=0100109107
expect_status "bad tax code (check digit)" 422
expect_body "bad tax code: named" 'Mã số thuế'
intake preview kind=org "name=Công ty TNHH Ánh Dương" id_number=0100109106
expect_status "valid tax code passes to preview" 200
intake preview c2_mode=missing
expect_status "missing component" 422
expect_body "missing component: listed" 'còn thiếu'
intake preview c1_mode=
expect_status "unchosen component" 422
intake preview email=binh@
expect_status "bad e-mail" 422
intake preview address_unit=99999
expect_status "unknown address unit" 422
expect_body "unknown address unit: named" 'Địa chỉ \(xã, phường\)'
intake preview address_unit=00004
expect_status "an address in another province is accepted (NĐ 118/2025)" 200

# ---- a digitised component: its scan uploaded with the form ----------------
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >"$T/scan.pdf"
SCAN_SHA=$(sha256sum "$T/scan.pdf" | cut -c1-64)
mp() {
	http POST /mot-cua/tiep-nhan -b "$JR" -F "csrf=$CSRF" -F "desk=$DESK" \
		-F "procedure=$FEE_PROC" -F "idem=${IDEM}d" -F kind=person \
		-F "name=Trần Văn Bình" -F id_number=024090001234 \
		-F address_unit=$DESK -F "address_street=Số 5" \
		-F c1_mode=original -F c1_originals=1 -F c2_mode=digitised "$@"
}
mp -F step=preview
expect_status "digitised without its file" 422
expect_body "digitised without its file: said" 'đính kèm file số hóa'
mp -F step=preview -F "c2_file=@$T/scan.pdf;type=application/pdf"
expect_status "digitised with its scan (multipart)" 200
expect_body "the preview carries the stored scan" "name=\"c2_sha256\" value=\"$SCAN_SHA\""
expect_body "the preview says so" 'có file số hóa'
printf 'not a scan' >"$T/scan.txt"
mp -F step=preview -F "c2_file=@$T/scan.txt;type=application/pdf"
expect_status "a scan of the wrong type (sniffed): 415" 415
mp -F step=preview -F "c2_sha256=$(printf '%064d' 7)"
expect_status "an unknown stored scan" 422

# ---- preview: the due time of the calendar engine --------------------------
intake preview
expect_status "preview" 200
cp "$BODY" "$T/preview.html"
RECV=$(grep -o 'Nếu tiếp nhận bây giờ (<time datetime="[^"]*"' "$BODY" | sed 's/.*datetime="//; s/"$//')
DUE=$(grep -o 'Hẹn trả kết quả: <b><time datetime="[^"]*"' "$BODY" | sed 's/.*datetime="//; s/"$//')
check "preview: received and due shown ($RECV -> $DUE)" [ -n "$RECV" ] && [ -n "$DUE" ]
expect_body "preview: hour and minute" 'giờ [0-9][0-9] phút'
expect_body "preview: the fee" '70\.000'
"$B" calendar due --start "$RECV" --duration "2 ngày làm việc" --desk $DESK \
	--db "$DB" --json >"$T/due.json" 2>&1
CLI_DUE=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(j.due||j.due_at||"")' "$T/due.json" 2>/dev/null)
check "preview due = motcua calendar due ($DUE vs $CLI_DUE)" [ "$DUE" = "$CLI_DUE" ]

# ---- confirm, twice: one dossier -------------------------------------------
intake confirm
expect_status "confirm: the receipt" 200
cp "$BODY" "$T/receipt.html"
CODE=$(grep -o 'Mã hồ sơ: <b>[^<]*' "$BODY" | head -1 | sed 's/.*<b>//')
check "confirm: code $CODE with the agency and today's sequence 0001" \
	sh -c "echo '$CODE' | grep -Eq '^$AGENCY-[0-9]{6}-0001\$'"
expect_header "confirm: the receipt is not cached" 'Cache-Control: no-store'
intake confirm
expect_status "double submit: a redirect" 303
expect_header "double submit: to the same dossier" "Location: /mot-cua/ho-so/$CODE/giay-tiep-nhan"
"$B" dossier show "$CODE" --db "$DB" >"$T/show" 2>&1
check "one dossier, received" grep -q "receive none -> received $RCV" "$T/show"
check "one event only" [ "$(grep -c ' -> ' "$T/show")" -eq 1 ]

# ---- the receipt: every field of Mẫu 01 ------------------------------------
BODY_SAVE=$BODY
BODY=$T/receipt.html
expect_body "Mẫu 01: title" 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả'
expect_body "Mẫu 01: agency" 'ỦY BAN NHÂN DÂN Phường Cảnh Thụy'
expect_body "Mẫu 01: desk" 'Trung tâm phục vụ hành chính công Phường Cảnh Thụy tiếp nhận hồ sơ của'
expect_body "Mẫu 01: code" "Mã hồ sơ: <b>$CODE"
expect_body "Mẫu 01: applicant" 'Trần Văn Bình'
expect_body "Mẫu 01: address" 'Số 5, đường Lê Lợi, Phường Cảnh Thụy'
expect_body "Mẫu 01: phone, e-mail" '0912345678.*binh@example.vn'
expect_body "Mẫu 01: request" 'Nội dung yêu cầu giải quyết: <b>Cấp lại Giấy chứng nhận đăng ký phương tiện'
expect_body "Mẫu 01: components and counts" 'Giấy chứng nhận an toàn kỹ thuật.*</td><td>Bản chính</td><td>1</td><td>0</td><td>1</td>'
expect_body "Mẫu 01: number of sets" 'Số lượng hồ sơ: 01'
expect_body "Mẫu 01: legal time" 'theo quy định: 2 ngày làm việc'
expect_body "Mẫu 01: received at hour and minute" 'Thời gian nhận hồ sơ: <b>[0-9]{2} giờ [0-9]{2} phút'
expect_body "Mẫu 01: due at hour and minute" 'Thời gian trả kết quả giải quyết hồ sơ: <b>[0-9]{2} giờ [0-9]{2} phút'
expect_body "Mẫu 01: where to collect" 'Đăng ký nhận kết quả tại: Trung tâm'
expect_body "Mẫu 01: fees" 'Phí, lệ phí: <b>70\.000'
expect_body "Mẫu 01: book and sequence" 'Quyển số: 20[0-9]{2}, Số thứ tự: [0-9]+'
expect_body "Mẫu 01: applicant's signature" 'Người nộp hồ sơ'
expect_body "Mẫu 01: receiver's signature" 'Người tiếp nhận hồ sơ.*Nguyễn Thị Lan'
expect_body "Mẫu 01: VietQR bank and amount written" 'VietinBank · TK 113000193241'
BODY=$BODY_SAVE
http GET /static/site.css
expect_body "Mẫu 01: printed on A5" '@page in-a5 \{ size: A5'

# QR codes of the receipt, rasterised by chromium and read by zbarimg.
chromium=${CHROMIUM:-/usr/bin/chromium}
if command -v zbarimg >/dev/null && [ -x "$chromium" ]; then
	node -e '
		const fs = require("fs");
		const html = fs.readFileSync(process.argv[1], "utf8");
		const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) || [];
		fs.writeFileSync(process.argv[2], `<!doctype html><meta charset="utf-8">
<style>body{margin:0;background:#fff}main{display:flex;gap:60px;padding:40px}svg{width:300px;height:300px;display:block}</style><main>${svgs.join("")}</main>`);
	' "$T/receipt.html" "$T/qr.html"
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking --disable-sync \
		--user-data-dir="$T/profile" --hide-scrollbars \
		--force-device-scale-factor=1 --window-size=800,400 \
		--screenshot="$T/qr.png" "file://$T/qr.html" >/dev/null 2>&1
	zbarimg -q --raw "$T/qr.png" >"$T/qr.txt" 2>/dev/null
	check "QR: the lookup URL with the secret" \
		grep -Eq "^$URL/tra-cuu/$CODE\\?ma=[a-z2-7]{26}\$" "$T/qr.txt"
	grep '^000201' "$T/qr.txt" >"$T/vietqr.txt"
	check "VietQR: decoded" [ -s "$T/vietqr.txt" ]
	node -e '
		const p = require("fs").readFileSync(process.argv[1], "utf8").trim();
		let crc = 0xffff;
		const body = p.slice(0, -4);
		for (const ch of Buffer.from(body, "utf8")) {
			crc ^= ch << 8;
			for (let i = 0; i < 8; i++)
				crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
		}
		const want = crc.toString(16).toUpperCase().padStart(4, "0");
		process.exit(body.endsWith("6304") && p.slice(-4) === want ? 0 : 1);
	' "$T/vietqr.txt"
	check "VietQR: CRC-16/CCITT-FALSE valid" [ $? -eq 0 ]
	check "VietQR: BIN, account, amount, code" \
		grep -q "0006970415011211300019324.*540570000.*$CODE" "$T/vietqr.txt"
	"$B" vietqr --bin 970415 --account 113000193241 --amount 70000 \
		--info "$CODE" >"$T/vq-cli.txt" 2>&1
	check "VietQR: the same payload as motcua vietqr" \
		[ "$(cat "$T/vietqr.txt")" = "$(tr -d '\n' <"$T/vq-cli.txt")" ]
else
	echo "intake: note: zbarimg or chromium missing, QR codes not decoded"
fi

# ---- reprint: GET without the secret, POST with a new one (audited) --------
http GET /mot-cua/ho-so/$CODE/giay-tiep-nhan -b "$JR"
expect_status "reprint: GET" 200
expect_body "reprint: the lookup URL without the secret" "$URL/tra-cuu/$CODE<"
expect_no_body "reprint: no secret in the page" "tra-cuu/$CODE\\?ma="
http POST /mot-cua/ho-so/$CODE/giay-tiep-nhan -b "$JR" -d "csrf=$CSRF"
expect_status "reprint: POST" 200
expect_body "reprint: a new secret" "Đã tạo mã tra cứu mới"
"$B" audit list --db "$DB" >"$T/audit" 2>&1
check "reprint: audited dossier.secret_reset" grep -q "dossier.secret_reset" "$T/audit"
http POST /mot-cua/ho-so/$CODE/giay-tiep-nhan -b "$JR"
expect_status "reprint: POST without CSRF refused" 303

# ---- scope: another commune's desk -----------------------------------------
login "$JF" "$FAR"
http GET "/mot-cua/tiep-nhan?desk=$DESK" -b "$JF"
expect_status "another desk: 403" 403
http GET "/mot-cua/ho-so/$CODE/giay-tiep-nhan" -b "$JF"
expect_status "another desk's receipt: 404" 404
http POST /api/v1/dossiers -H "Authorization: Bearer $FARTOK" \
	-H 'Content-Type: application/json' --data "{\"desk\":\"$DESK\",\"procedure\":\"$FEE_PROC\"}"
expect_status "API: another desk: 403" 403

# ---- refusal at intake: the guidance form ----------------------------------
intake refuse c2_mode=missing "items=Tờ khai có xác nhận của chủ phương tiện" \
	"reason=Thiếu giấy chứng nhận an toàn kỹ thuật" form=02 idem=${IDEM}r
expect_status "refusal: the guidance form" 200
expect_body "refusal: Mẫu 02" 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ'
expect_body "refusal: the missing component listed" 'Giấy chứng nhận an toàn kỹ thuật'
expect_body "refusal: the typed item listed" 'Tờ khai có xác nhận của chủ phương tiện'
expect_body "refusal: the reason" 'Lý do: Thiếu giấy chứng nhận an toàn kỹ thuật'
RCODE=$(grep -o 'Đã ghi nhận hồ sơ <b class="code">[^<]*' "$BODY" | sed 's/.*">//')
"$B" dossier show "$RCODE" --db "$DB" >"$T/show" 2>&1
check "refusal: state refused_at_intake ($RCODE)" grep -q "refused_at_intake" "$T/show"
http GET /mot-cua/ho-so/$RCODE/phieu-huong-dan -b "$JR"
expect_status "refusal: printable again" 200
expect_body "refusal: items again" 'Tờ khai có xác nhận của chủ phương tiện'
intake refuse c2_mode=original idem=${IDEM}s
expect_status "refusal with nothing listed" 422
expect_body "refusal with nothing listed: said" 'id="err-items"'
intake refuse form=03 "items=Không thuộc thẩm quyền" idem=${IDEM}t
expect_status "refusal Mẫu 03 without a reason" 422
expect_body "refusal Mẫu 03: the reason is asked" 'Lý do từ chối'

# ---- same day: receive, process, record, return in one sitting -------------
http GET "/mot-cua/tiep-nhan?desk=$DESK&procedure=$SAME_PROC" -b "$JR"
expect_status "same-day: form" 200
IDEM2=$(val idem)
set -- csrf=$CSRF desk=$DESK procedure=$SAME_PROC idem=$IDEM2 step=confirm \
	kind=person "name=Lê Thị Hoa" id_number=027185004321 birth_year=1985 \
	address_unit=$DESK "address_street=Thôn Đông"
for s in 1 2 3 4 5 6 7; do set -- "$@" "c${s}_mode=original" "c${s}_originals=1"; done
n=$#
for kv do set -- "$@" --data-urlencode "$kv"; done
shift $n
http POST /mot-cua/tiep-nhan -b "$JR" "$@"
expect_status "same-day: received" 200
expect_body "same-day: offered" 'giai-quyet-ngay">Giải quyết ngay'
SCODE=$(grep -o 'Mã hồ sơ: <b>[^<]*' "$BODY" | head -1 | sed 's/.*<b>//')
http GET /mot-cua/ho-so/$SCODE/giai-quyet-ngay -b "$JR"
expect_status "same-day: the sitting's form" 200
SVER=$(val version)
http POST /mot-cua/ho-so/$SCODE/giai-quyet-ngay -b "$JR" -d "csrf=$CSRF" \
	-d "version=$SVER" -d "result_number=15/XN" -d "result_date=2026-11-27" \
	--data-urlencode "collected_by=Lê Thị Hoa" -d "identity_checked=CCCD"
expect_status "same-day: done" 303
http GET /mot-cua/ho-so/$SCODE/giai-quyet-ngay -b "$JR"
expect_body "same-day: the result slip" 'Phiếu giao nhận kết quả'
expect_body "same-day: result number" '15/XN'
"$B" dossier show "$SCODE" --db "$DB" >"$T/show" 2>&1
check "same-day: returned" grep -q -- "-> returned" "$T/show"
check "same-day: four events (receive, forward, record_result, return)" \
	[ "$(grep -c ' -> ' "$T/show")" -eq 4 ]
"$B" dossier replay "$SCODE" --db "$DB" >"$T/replay" 2>&1
check "same-day: replay agrees" [ $? -eq 0 ]
http POST /mot-cua/ho-so/$SCODE/giai-quyet-ngay -b "$JR" -d "csrf=$CSRF" \
	-d "version=$SVER" -d "result_number=15/XN" -d "result_date=2026-11-27" \
	-d "collected_by=X" -d "identity_checked=CCCD"
expect_status "same-day: not twice" 422

# ---- the API twin ------------------------------------------------------------
api_body() {
	cat <<EOF
{"desk":"$DESK","procedure":"$FEE_PROC","channel":"${2:-truc_tiep}",
 "applicant":{"kind":"person","name":"Phạm Minh Đức","id_number":"$1",
   "phone":"0987654321","address_unit":"$DESK","address_street":"Tổ 3"},
 "components":[{"seq":1,"mode":"original","originals":1},
   {"seq":2,"mode":"${3:-reused_from_national_db}"}]}
EOF
}
api_body 001203004567 >"$T/api.json"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: k-$p" \
	--data-binary @"$T/api.json"
expect_status "API: 201" 201
expect_body "API: code, due_at, secret, state" '"code":"[^"]+".*"state":"received".*"secret":"[a-z2-7]{26}".*"due_at":"[0-9T:+-]+"'
ACODE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).code)' "$BODY")
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: k-$p" \
	--data-binary @"$T/api.json"
expect_status "API: the same key again: 200" 200
expect_body "API: the same dossier, replayed, no secret" "\"code\":\"$ACODE\".*\"secret\":null.*\"replayed\":true"
api_body 001203004567 truc_tiep >"$T/api.json"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -d '{"desk":"'$DESK'","procedure":"'$FEE_PROC'","preview":true,"applicant":{"name":"A B","id_number":"001203004567","address_unit":"'$DESK'","address_street":"x"},"components":[{"seq":1,"mode":"original","originals":1},{"seq":2,"mode":"copy","copies":1}]}'
expect_status "API: preview" 200
expect_body "API: preview gives the due" '"preview":true.*"due_at"'
api_body 099203004567 >"$T/api.json"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/api.json"
expect_status "API: bad ID (province 099) is 422" 422
expect_body "API: ... naming the field" '"code":"invalid","field":"applicant.id_number"'
api_body 001203004567 truc_tiep missing >"$T/api.json"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/api.json"
expect_status "API: a missing component is 422" 422
expect_body "API: ... naming it" '"field":"components\.2\.mode"'
api_body 001203004567 fax >"$T/api.json"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/api.json"
expect_status "API: an unknown channel is 422" 422
expect_body "API: ... naming it" '"field":"channel"'
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-F desk=$DESK -F procedure=$FEE_PROC -F "name=Vũ Thị Mai" \
	-F id_number=001203004567 -F address_unit=$DESK -F "address_street=Tổ 9" \
	-F c1_mode=original -F c1_originals=1 -F c2_mode=digitised \
	-F "c2_file=@$T/scan.pdf;type=application/pdf"
expect_status "API: multipart with the scan: 201" 201
expect_body "API: multipart: received" '"state":"received"'
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -d '[1]'
expect_status "API: not an object: 400" 400
http POST /api/v1/dossiers -H 'Content-Type: application/json' -d '{}'
expect_status "API: anonymous: 401" 401

# The digitised component, confirmed: the dossier keeps its scan.
mp -F step=confirm -F "c2_sha256=$SCAN_SHA" -F "idem=${IDEM}d2"
expect_status "digitised: received" 200
expect_body "digitised: the receipt says it has the scan" 'Số hóa[^<]*\(có bản điện tử\)'

"$B" audit verify --db "$DB" >"$T/verify" 2>&1
check "audit: the chain verifies" [ $? -eq 0 ]
"$B" audit list --db "$DB" >"$T/audit" 2>&1
check "audit: dossier.receive entries" grep -q "dossier.receive" "$T/audit"

it_stop
it_done
