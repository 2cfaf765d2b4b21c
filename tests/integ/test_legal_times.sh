#!/bin/sh
# test_legal_times.sh - the legal-times table through the real server
# ($MOTCUA_BIN) on the run's database: marriage registration (1.000894),
# whose catalog time is a bare "1", gets a due date at the counter (POST
# /api/v1/dossiers with a receiver's bearer token, preview then a real
# dossier) because data/procedure-legal-times.csv gives it "Trong ngày"
# (Luật Hộ tịch 2014, Điều 18 khoản 2); a procedure no row covers still
# gets no guessed due. Ends with "legal-times: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init legal-times
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
p=l$$
DESK=07210	# Phường Bắc Giang (Bắc Ninh 24)
AGENCY="H24.L$(( $$ % 90 + 10 )).$(( $$ % 900 + 100 ))"	# unique per run
PROC=1.000894	# Đăng ký kết hôn: catalog "1", law: trong ngày
BARE=1.000086	# customs, catalog "1", not in the table

ADMTOK=$("$B" token create "${p}-adm" --role admin --unit 24 --db "$DB" 2>/dev/null)
RCVTOK=$("$B" token create "${p}-rcv" --role receiver --unit $DESK --db "$DB" 2>/dev/null)
check "cli: tokens created" [ -n "$ADMTOK" ] && [ -n "$RCVTOK" ]

it_start --db "$DB" || it_done

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

# The procedure as the public API gives it: the law's time, its basis.
http GET /api/v1/procedures/$PROC
expect_status "procedure API" 200
expect_body "channel: same day from the legal-times table" '"time_text":"1","duration":\{"code":"0sd"'
expect_body "channel: the basis" '"duration_source":"legal_times","duration_basis":"Luật Hộ tịch 2014, Điều 18 khoản 2"'

# body PROC PREVIEW: a dossier with every component given as an original.
body() {
	http GET /api/v1/procedures/$1
	node -e '
		const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
		const comps = [];
		for (const g of p.component_groups || [])
			for (const c of g.items || g.components || [])
				comps.push({ seq: c.seq, mode: "original", originals: 1 });
		process.stdout.write(JSON.stringify({ desk: process.argv[2],
			procedure: p.code, channel: "truc_tiep", preview: process.argv[3] === "1",
			applicant: { kind: "person", name: "Trần Văn Hùng",
				id_number: "024090001234", phone: "0912345678",
				address_unit: process.argv[2], address_street: "Tổ 5" },
			components: comps }));' "$BODY" "$DESK" "$2" >"$T/dossier.json"
}

body $PROC 1
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' --data-binary @"$T/dossier.json"
expect_status "counter preview for $PROC: 200" 200
expect_body "... gives a due" '"preview":true.*"due_at":"[0-9T:+-]+"'

body $PROC 0
http POST /api/v1/dossiers -H "Authorization: Bearer $RCVTOK" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: lt-$p" \
	--data-binary @"$T/dossier.json"
expect_status "counter: dossier for $PROC received (201)" 201
expect_body "... with a due" '"state":"received".*"due_at":"[0-9T:+-]+"'
CODE=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).code || "")' "$BODY")
RECV=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(d.received_at || "")' "$BODY")
DUE=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(d.due_at || "")' "$BODY")
check "... the due is not before the receipt ($RECV -> $DUE)" \
	[ -n "$RECV" ] && [ -n "$DUE" ] && [ "$(printf '%s\n%s\n' "$RECV" "$DUE" | sort | head -1)" = "$RECV" ]
"$B" dossier show "$CODE" --db "$DB" >"$T/show" 2>&1
check "cli: the dossier exists ($CODE)" [ $? -eq 0 ]

# A bare "1" the table does not cover: still no guessed due.
http GET /api/v1/procedures/$BARE
expect_body "uncovered bare time keeps no duration" '"time_text":"1","duration":null'

it_stop
it_done
