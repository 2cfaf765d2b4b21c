#!/bin/sh
# test_notify.sh - notifications end to end through the real server on the
# run's database (SQLite, or PostgreSQL when run.sh passes it), against
# tests/integ/notify_sink.py (an SMTP sink and a webhook receiver on
# 127.0.0.1, python3 standard library, which stop by themselves): a dossier
# received with an e-mail address gives an RFC 5322 message whose UTF-8
# subject (RFC 2047) and base64 body decode to the Vietnamese texts; a
# webhook receiver that fails once gets the same delivery again (backoff)
# with a valid HMAC-SHA256 signature; a supplement request sends its items;
# internal steps send nothing; an unreachable webhook ends dead, is listed,
# put back by `outbox retry` (audited); the admin page and its API (a
# national admin; a province admin is refused), a webhook added through
# the form (one-time secret, 422 naming the field), removed; the server
# stops cleanly on SIGTERM. Ends with "notify: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init notify
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
p=n$$
PW='Cay-khe-ngot-lam-9'
DESK=07210	# Phường Bắc Giang (Bắc Ninh 24)
AGENCY="H24.N$(( $$ % 90 + 10 )).$(( $$ % 900 + 100 ))"
PROC=1.000894	# Đăng ký kết hôn (same day, data/procedure-legal-times.csv)
SECRET=khoa-bi-mat-webhook-$p
SINK=$T/sink
mkdir -p "$SINK"

# The sink: SMTP + webhook receiver (first webhook answer: 500).
python3 "$here/notify_sink.py" "$SINK" --timeout 150 --fail-first 1 \
	>"$T/sink.out" 2>"$T/sink.err" &
SINK_PID=$!
tries=0
while [ $tries -lt 50 ] && ! grep -q '^http ' "$T/sink.out"; do
	sleep 0.1; tries=$((tries + 1))
done
SMTP=$(sed -n 's/^smtp //p' "$T/sink.out")
HOOK=$(sed -n 's/^http //p' "$T/sink.out")
check "sink listening (smtp $SMTP, http $HOOK)" [ -n "$SMTP" ] && [ -n "$HOOK" ]
stop_sink() { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }

# mail_for ADDR N: waits (up to 30 s) for the N-th e-mail to ADDR and
# echoes its file (the database may hold other scripts' waiting e-mails,
# which the sink gets too).
mail_for() {
	n=0
	while [ $n -lt 300 ]; do
		f=$(grep -l "RCPT TO:<$1>" "$SINK"/mail-*.env 2>/dev/null |
			sed 's/.*mail-\([0-9]*\)\.env/\1/' | sort -n |
			sed -n "${2}p")
		if [ -n "$f" ] && [ -s "$SINK/mail-$f.eml" ]; then
			echo "$SINK/mail-$f"
			return 0
		fi
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
# wait_for FILE: up to 30 s (the sender polls every second here).
wait_for() {
	n=0
	while [ $n -lt 300 ] && [ ! -s "$1" ]; do sleep 0.1; n=$((n + 1)); done
	[ -s "$1" ]
}

ADMTOK=$("$B" token create "${p}-adm" --role admin --unit 24 --db "$DB" 2>/dev/null)
RCVTOK=$("$B" token create "${p}-rcv" --role receiver --unit $DESK --db "$DB" 2>/dev/null)
NATTOK=$("$B" token create "${p}-nat" --role admin --unit VN --db "$DB" 2>/dev/null)
check "cli: tokens" [ -n "$ADMTOK" ] && [ -n "$RCVTOK" ] && [ -n "$NATTOK" ]

# Webhooks by the command line: the receiver, and one nobody listens on.
"$B" webhook add "${p}-ok" "http://127.0.0.1:$HOOK/motcua" --secret "$SECRET" \
	--db "$DB" >"$T/wh.out" 2>&1
check "cli: webhook add" [ $? -eq 0 ]
"$B" webhook add "${p}-down" "http://127.0.0.1:9/none" --db "$DB" \
	>"$T/wh2.out" 2>"$T/wh2.err"
check "cli: webhook add prints a generated secret once" \
	grep -Eq '^[0-9a-f]{64}$' "$T/wh2.out"
"$B" webhook add "${p}-bad" "ftp://x" --secret "$SECRET" --db "$DB" \
	>/dev/null 2>"$T/wh3.err"
check "cli: webhook add refuses a bad URL" [ $? -ne 0 ]
check "... naming the field" grep -q 'Địa chỉ URL' "$T/wh3.err"
"$B" webhook list --db "$DB" >"$T/whl.out" 2>&1
check "cli: webhook list" grep -q "${p}-ok" "$T/whl.out"
check "... never the secret" sh -c "! grep -q '$SECRET' '$T/whl.out'"

MOTCUA_NOTIFY_INTERVAL=1 MOTCUA_OUTBOX_BACKOFF=1 MOTCUA_OUTBOX_MAX_ATTEMPTS=2 \
	it_start --db "$DB" --smtp-url "smtp://127.0.0.1:$SMTP" \
	--mail-from "motcua@bacninh.example.vn" \
	--public-url "http://motcua.test" || { stop_sink; it_done; }

# The desk's agency identifier (needed for dossier codes).
http GET /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK"
expect_status "admin: desk API" 200
node -e '
	const d = JSON.parse(require("fs").readFileSync(process.argv[1])).desk;
	d.agency_code = process.argv[2];
	process.stdout.write(JSON.stringify(d));' "$BODY" "$AGENCY" >"$T/desk.json"
http PUT /api/v1/admin/desks/$DESK -H "Authorization: Bearer $ADMTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/desk.json"
expect_status "admin: agency identifier set" 200

# body EMAIL: a dossier of $PROC with every component an original.
body() {
	http GET /api/v1/procedures/$PROC
	node -e '
		const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const comps = [];
		for (const g of p.component_groups || [])
			for (const c of g.items || g.components || [])
				comps.push({ seq: c.seq, mode: "original", originals: 1 });
		const a = { kind: "person", name: "Trần Thị Hồng Nhung",
			id_number: "024190001234", phone: "0912345678",
			address_unit: process.argv[2], address_street: "Tổ 5" };
		if (process.argv[3]) a.email = process.argv[3];
		process.stdout.write(JSON.stringify({ desk: process.argv[2],
			procedure: p.code, channel: "truc_tiep", applicant: a,
			components: comps }));' "$BODY" "$DESK" "$1" >"$T/dossier.json"
}
jget() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(d[process.argv[2]] ?? "")' "$BODY" "$1"; }

body "nhung.tran.$p@example.vn"
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: nt1-$p" \
	--data-binary @"$T/dossier.json"
expect_status "counter: dossier with an e-mail received" 201
CODE=$(jget code)
VER=$(jget version)

# Enqueued in the event's transaction: 1 e-mail + 2 webhooks.
"$B" outbox list --dossier "$CODE" --json --db "$DB" >"$T/ol.json" 2>&1
n=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(d.items.length + ":" + d.items.filter(i => i.kind == "email").length)' "$T/ol.json")
check "outbox: 3 messages for the receipt, 1 an e-mail ($n)" [ "$n" = "3:1" ]

# The e-mail, as the relay got it.
M1=$(mail_for "nhung.tran.$p@example.vn" 1)
check "e-mail delivered to the SMTP sink (RCPT TO the applicant)" [ -n "$M1" ]
check "SMTP envelope: MAIL FROM" grep -q 'MAIL FROM:<motcua@bacninh.example.vn>' "$M1.env"
python3 - "$M1.eml" "$CODE" "nhung.tran.$p@example.vn" >"$T/mail1.check" 2>&1 <<'EOF'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
code = sys.argv[2]
msg = email.message_from_bytes(raw, policy=email.policy.default)
ok = []
subj_raw = [l for l in raw.split(b"\r\n") if l.startswith(b"Subject:")][0]
ok.append(("subject is RFC 2047", subj_raw.startswith(b"Subject: =?UTF-8?B?")))
ok.append(("subject decodes", str(msg["subject"]) == "Hồ sơ đã được tiếp nhận - hồ sơ " + code))
ok.append(("to", str(msg["to"]) == sys.argv[3]))
ok.append(("from name", msg["from"].addresses[0].display_name == "Bộ phận Một cửa"))
ok.append(("date", msg["date"] is not None and msg["date"].datetime.utcoffset().total_seconds() == 7 * 3600))
ok.append(("message-id", str(msg["message-id"]).startswith("<outbox-") and str(msg["message-id"]).endswith("@bacninh.example.vn>")))
ok.append(("charset", msg.get_content_charset() == "utf-8"))
ok.append(("auto-submitted", str(msg["auto-submitted"]) == "auto-generated"))
body = msg.get_content()
ok.append(("body: code", ("Hồ sơ số: " + code) in body))
ok.append(("body: public text", "Hồ sơ đã được tiếp nhận" in body))
ok.append(("body: lookup link", "http://motcua.test/tra-cuu" in body))
ok.append(("CRLF only", b"\n" not in raw.replace(b"\r\n", b"")))
for name, good in ok:
    print(("ok " if good else "BAD ") + name)
EOF
check "e-mail parsed by python's email package" [ $? -eq 0 ]
check "e-mail: 12 properties hold" [ "$(grep -c '^ok ' "$T/mail1.check")" = 12 ]
grep '^BAD' "$T/mail1.check" | sed 's/^/  /'

# The webhook: first answer 500, the retry after the backoff gets 200.
if wait_for "$SINK/hook-2.body"; then it_ok; else it_ko "webhook retried after a 500"; fi
python3 - "$SINK" "$SECRET" "$CODE" >"$T/hook.check" 2>&1 <<'EOF'
import hashlib, hmac, json, sys
d, secret, code = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
def load(n):
    body = open("%s/hook-%d.body" % (d, n), "rb").read()
    hdrs = {}
    for l in open("%s/hook-%d.headers" % (d, n), encoding="utf-8"):
        k, _, v = l.rstrip("\n").partition(": ")
        hdrs[k.lower()] = v
    return body, hdrs
b1, h1 = load(1)
b2, h2 = load(2)
want = "sha256=" + hmac.new(secret, b2, hashlib.sha256).hexdigest()
j = json.loads(b2.decode("utf-8"))
checks = [
    ("signature", hmac.compare_digest(h2.get("x-motcua-signature", ""), want)),
    ("same delivery retried", b1 == b2 and h1.get("x-motcua-delivery") == h2.get("x-motcua-delivery")),
    ("event header", h2.get("x-motcua-event") == "received"),
    ("json content type", h2.get("content-type", "").startswith("application/json")),
    ("body event", j.get("event") == "received" and j.get("dossier") == code),
    ("body title", j.get("title") == "Hồ sơ đã được tiếp nhận"),
    ("body phone for an SMS gateway", j.get("applicant", {}).get("phone") == "0912345678"),
    ("wrong key fails", not hmac.compare_digest(h2.get("x-motcua-signature", ""),
        "sha256=" + hmac.new(b"other", b2, hashlib.sha256).hexdigest())),
]
for name, good in checks:
    print(("ok " if good else "BAD ") + name)
EOF
check "webhook: 8 properties hold (signature, retry, body)" [ "$(grep -c '^ok ' "$T/hook.check")" = 8 ]
grep -v '^ok' "$T/hook.check" | sed 's/^/  /'

# A supplement request: its items reach the applicant.
http POST "/api/v1/dossiers/$CODE/actions" -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"action\":\"request_supplement\",\"version\":$VER,\"items\":[\"Bản sao Giấy khai sinh của hai bên\"],\"note\":\"Thiếu giấy tờ\"}"
expect_status "request_supplement" 200
VER=$(jget version)
M2=$(mail_for "nhung.tran.$p@example.vn" 2)
check "second e-mail (supplement)" [ -n "$M2" ]
python3 - "$M2.eml" <<'EOF' >"$T/mail2.check" 2>&1
import email, email.policy, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print("ok" if str(msg["subject"]).startswith("Cần bổ sung") and "Bản sao Giấy khai sinh của hai bên" in msg.get_content() else "BAD " + str(msg["subject"]))
EOF
check "e-mail 2: subject 'Cần bổ sung…' and the item in the body" grep -qx ok "$T/mail2.check"

# receive_supplement is not a notifying event: nothing enqueued.
before=$("$B" outbox list --dossier "$CODE" --json --db "$DB" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items.length))')
http POST "/api/v1/dossiers/$CODE/actions" -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"action\":\"receive_supplement\",\"version\":$VER,\"note\":\"Đã nhận\"}"
expect_status "receive_supplement" 200
after=$("$B" outbox list --dossier "$CODE" --json --db "$DB" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items.length))')
check "outbox: supplement request 3 more, receipt of it none ($before -> $after)" \
	[ "$before" = 6 ] && [ "$after" = 6 ]

# A dossier without an e-mail: webhooks only.
body ""
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: nt2-$p" \
	--data-binary @"$T/dossier.json"
expect_status "counter: dossier without e-mail" 201
CODE2=$(jget code)
n=$("$B" outbox list --dossier "$CODE2" --json --db "$DB" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const d=JSON.parse(s);console.log(d.items.length+":"+d.items.filter(i=>i.kind=="email").length)})')
check "outbox: no e-mail without an address, 2 webhooks ($n)" [ "$n" = "2:0" ]

# The unreachable webhook ends dead (2 attempts, backoff 1 s).
n=0
while [ $n -lt 300 ]; do
	"$B" outbox list --status dead --dossier "$CODE" --json --db "$DB" >"$T/dead.json" 2>/dev/null
	grep -q '"status": *"dead"' "$T/dead.json" && break
	sleep 0.1; n=$((n + 1))
done
check "outbox: the unreachable webhook is dead" grep -q '"status": *"dead"' "$T/dead.json"
check "... with its reason" grep -q '"last_error": *"webhook: ' "$T/dead.json"
DEAD=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).items[0]?.id ?? "")' "$T/dead.json")
"$B" outbox retry "$DEAD" --db "$DB" >"$T/retry.out" 2>&1
check "cli: outbox retry $DEAD" grep -q "queued again" "$T/retry.out"
"$B" audit list --action outbox.retry --db "$DB" >"$T/audit.out" 2>&1
check "audit: outbox.retry recorded" grep -q "outbox.retry" "$T/audit.out"
"$B" outbox retry 999999999 --db "$DB" >/dev/null 2>&1
check "cli: retry of an unknown id fails" [ $? -ne 0 ]

# The admin API: national admin yes, province admin no. The CLI retry
# queued $DEAD again: wait until a dead letter is there to list.
n=0
while [ $n -lt 300 ]; do
	"$B" outbox list --status dead --json --db "$DB" 2>/dev/null | grep -q '"status": *"dead"' && break
	sleep 0.1; n=$((n + 1))
done
http GET "/api/v1/admin/outbox?status=dead" -H "Authorization: Bearer $NATTOK"
expect_status "API outbox (national admin)" 200
expect_body "... dead letters listed" '"status":"dead"'
expect_body "... webhooks without secrets" "\"name\":\"${p}-ok\""
expect_no_body "... no secret" "$SECRET"
http GET "/api/v1/admin/outbox?dossier=$CODE" -H "Authorization: Bearer $NATTOK"
expect_body "API outbox: the applicant's address masked" '"target":"n\*\*\*@example.vn"'
expect_no_body "... never in clear" "nhung.tran.$p@example.vn"
http GET /api/v1/admin/outbox -H "Authorization: Bearer $ADMTOK"
expect_status "API outbox refused to a province admin" 403
http POST "/api/v1/admin/outbox/$DEAD/retry" -H "Authorization: Bearer $NATTOK"
expect_status "API retry" 200
http POST "/api/v1/admin/webhooks" -H "Authorization: Bearer $NATTOK" \
	-H 'Content-Type: application/json' --data-binary '{"name":"x","url":"https://a.vn"}'
expect_status "API webhook add: bad name 422" 422
expect_body "... JSON error with the field" '"field":"name"'

# The page, with a logged-in national administrator.
printf '%s\n' "$PW" | "$B" user add "${p}nat" --role admin --unit VN \
	--name "Quản trị quốc gia" --db "$DB" >/dev/null 2>&1
printf '%s\n' "$PW" | "$B" user add "${p}prv" --role admin --unit 24 \
	--name "Quản trị tỉnh" --db "$DB" >/dev/null 2>&1
login() {
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$3" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
JN=$T/nat.jar JP=$T/prv.jar
login "$JN" "${p}nat" "$PW"; expect_status "login national admin" 303
login "$JP" "${p}prv" "$PW"; expect_status "login province admin" 303
http GET /quan-tri -b "$JN"
expect_body "admin menu lists the page" 'href="/quan-tri/thong-bao"'
# The API retry above queued $DEAD again: wait until the sender has given
# it up once more (2 attempts, backoff 1 s), or the dead list and the page's
# retry below race it.
n=0
while [ $n -lt 300 ]; do
	"$B" outbox show "$DEAD" --db "$DB" 2>/dev/null | grep -q '"status": *"dead"' && break
	sleep 0.1; n=$((n + 1))
done
http GET "/quan-tri/thong-bao?trang-thai=dead" -b "$JN"
expect_status "page: outbox" 200
expect_body "... Vietnamese title" 'Thông báo cho người dân và webhook'
expect_body "... a retry form" 'action="/quan-tri/thong-bao/[0-9]+/gui-lai"'
expect_body "... the event in Vietnamese" '<span class="meta">Hồ sơ đã được tiếp nhận</span>'
expect_no_body "... no applicant's address in clear" "nhung.tran.$p@example.vn"
CS=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$BODY" | head -1 | sed 's/.*value="//; s/"$//')
http GET /quan-tri/thong-bao -b "$JP"
expect_status "page refused to a province admin" 403
http POST "/quan-tri/thong-bao/$DEAD/gui-lai" -b "$JN" --data-urlencode "csrf=$CS"
expect_status "page: retry 303" 303
expect_header "... back to the list" "Location: /quan-tri/thong-bao?ok=gui-lai"
http POST "/quan-tri/thong-bao/$DEAD/gui-lai" -b "$JN"
expect_status "page: retry without CSRF refused (back to login)" 303
expect_header "... flagged as a CSRF failure" "Location: /dang-nhap?tiep=/quan-tri/thong-bao/$DEAD/gui-lai&csrf=1"
http POST /quan-tri/thong-bao/webhook/moi -b "$JN" --data-urlencode "csrf=$CS" \
	--data-urlencode "name=${p}-form" --data-urlencode "url=gopher://x"
expect_status "form: bad URL 422" 422
expect_body "... the field named" 'Địa chỉ URL: phải bắt đầu'
expect_body "... the typed name kept" "value=\"${p}-form\""
http POST /quan-tri/thong-bao/webhook/moi -b "$JN" --data-urlencode "csrf=$CS" \
	--data-urlencode "name=${p}-form" --data-urlencode "url=https://lgsp.example.vn/in" \
	--data-urlencode "secret=short"
expect_status "form: short secret 422" 422
expect_body "... the field named" 'Khóa bí mật: 16-128'
http POST /quan-tri/thong-bao/webhook/moi -b "$JN" --data-urlencode "csrf=$CS" \
	--data-urlencode "name=${p}-form" --data-urlencode "url=https://lgsp.example.vn/in"
expect_status "form: webhook added, secret shown once (201)" 201
expect_body "... the generated secret" 'value="[0-9a-f]{64}"'
expect_header "... not stored by the browser" "Cache-Control: no-store"
"$B" audit list --action webhook. --db "$DB" >"$T/audit2.out" 2>&1
check "audit: webhook.add entries" grep -q "webhook.add" "$T/audit2.out"

# Remove the run's webhooks (the database is shared with later scripts).
http GET /api/v1/admin/webhooks -H "Authorization: Bearer $NATTOK"
FID=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log((d.items.find(w => w.name == process.argv[2]) || {}).id ?? "")' "$BODY" "${p}-form")
http POST "/quan-tri/thong-bao/webhook/$FID/xoa" -b "$JN" --data-urlencode "csrf=$CS"
expect_status "page: webhook removed 303" 303
"$B" webhook remove "${p}-ok" --db "$DB" >/dev/null 2>&1
check "cli: webhook remove" [ $? -eq 0 ]
"$B" webhook remove "${p}-down" --db "$DB" >/dev/null 2>&1
"$B" webhook list --db "$DB" >"$T/whl2.out" 2>&1
check "webhooks of the run gone" sh -c "! grep -q '${p}-' '$T/whl2.out'"
"$B" audit list --action webhook.remove --db "$DB" >"$T/audit3.out" 2>&1
check "audit: webhook.remove" grep -q "webhook.remove" "$T/audit3.out"

"$B" outbox purge --days 30 --db "$DB" >"$T/purge.out" 2>&1
check "cli: outbox purge (today's sent messages are kept)" \
	grep -q '^outbox: 0 sent messages older than 30 days deleted$' "$T/purge.out"
"$B" outbox purge --days 0 --db "$DB" >/dev/null 2>&1
check "cli: outbox purge --days 0 refused" [ $? -eq 2 ]

it_stop
check "server (and its sender thread) stopped cleanly on SIGTERM" [ "$SERVER_RC" = 0 ]
check "no error from the sender in the log" sh -c "! grep -q 'outbox sender:' '$SERVER_LOG'"
stop_sink
it_done
