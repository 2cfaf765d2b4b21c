#!/bin/sh
# test_demo.sh - `motcua demo` on a fresh SQLite database of its own (not
# the shared one: the demo adds users and thousands of dossiers): counts
# per state, the late rate in a band, replay of a sample of dossiers, the
# audit chain, the printed logins working through the real server, and a
# second run that duplicates nothing.
# db: none  (the script makes its own database; see above)
. "$(dirname "$0")/lib.sh"
it_init demo
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; echo "demo: 0 passed, 0 failed"; exit 0; }

DB=sqlite:$T/demo.db
q() { sqlite3 "$T/demo.db" "$1"; }
"$IT_BIN" init --db "$DB" >"$T/init.log" 2>&1
check "init of a fresh database" test $? -eq 0

# --now fixes the present, so that the run is the same every day.
run_demo() {
	"$IT_BIN" demo --db "$DB" --dossiers 2000 --seed 1 --communes 5 \
		--now "2026-11-20 10:30" --url http://example.invalid \
		>"$T/$1.out" 2>"$T/$1.err"
}
run_demo first
rc=$?
check "demo exits 0" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/  demo: /' "$T/first.err" | tail -20
check "summary line" grep -q '^demo: 2000 dossiers in' "$T/first.out"
check "progress on stderr (a line per 10% when not a tty)" \
	grep -q '^demo: 100% 2000/2000 dossiers' "$T/first.err"

# ---- what the database holds ---------------------------------------------
n=$(q "SELECT count(*) FROM dossiers")
check "2000 dossiers (got $n)" test "$n" = 2000
check "codes unique" test "$(q 'SELECT count(DISTINCT code) FROM dossiers')" = 2000
check "every dossier has a first event" test "$(q 'SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.seq = 1)')" = 0
check "events = version of each row" test "$(q 'SELECT count(*) FROM dossiers d WHERE version <> (SELECT count(*) FROM dossier_events e WHERE e.dossier_id = d.id)')" = 0
returned=$(q "SELECT count(*) FROM dossiers WHERE state = 'returned'")
open=$(q "SELECT count(*) FROM dossiers WHERE state IN ('received','in_progress','supplement_requested','paused','result_ready','submitted')")
check "most are returned ($returned)" test "$returned" -gt 1700
check "some are still open on the last days ($open)" test "$open" -gt 5
ratings=$(q 'SELECT count(*) FROM ratings')
check "about a third of the returned dossiers are rated ($ratings of $returned)" \
	test "$ratings" -gt $((returned / 5)) -a "$ratings" -lt $((returned / 2))
check "only returned dossiers are rated" test "$(q "SELECT count(*) FROM ratings r JOIN dossiers d ON d.id = r.dossier_id WHERE d.state <> 'returned'")" = 0
check "each rating is attributed to officers" test "$(q 'SELECT count(*) FROM ratings r WHERE NOT EXISTS (SELECT 1 FROM rating_officers o WHERE o.rating_id = r.id)')" = 0
check "some ratings are dissatisfied, most are not" test "$(q "SELECT count(*) FROM ratings WHERE level = 'dissatisfied'")" -lt $((ratings / 10))
check "the summary counts them" grep -q "^demo: $ratings ratings at the kiosks" "$T/first.out"
fb=$(q 'SELECT count(*) FROM feedback')
check "some feedback ($fb)" test "$fb" -gt 2
check "answers published about procedures" test "$(q "SELECT count(*) FROM feedback WHERE state = 'published' AND kind = 'procedure'")" -gt 0
check "no officer feedback published" test "$(q "SELECT count(*) FROM feedback WHERE state = 'published' AND kind <> 'procedure'")" = 0
check "the audit chain holds" "$IT_BIN" audit verify --db "$DB"
for st in refused_at_intake refused stopped; do
	c=$(q "SELECT count(*) FROM dossiers WHERE state = '$st'")
	check "state $st present ($c)" test "$c" -gt 0
done
sup=$(q "SELECT count(*) FROM dossiers WHERE supplement_count > 0")
check "supplements present ($sup)" test "$sup" -gt 5
check "apologies present" test "$(q 'SELECT count(*) FROM dossiers WHERE apology_used = 1')" -gt 0
for ch in truc_tiep truc_tuyen buu_chinh; do
	check "channel $ch present" test "$(q "SELECT count(*) FROM dossiers WHERE channel = '$ch'")" -gt 0
done
# Late rate among classified dossiers: near 1% (band 0.3% - 3%).
late=$(q "SELECT count(*) FROM dossiers WHERE classification = 'late'")
cls=$(q "SELECT count(*) FROM dossiers WHERE classification IS NOT NULL")
check "classified dossiers ($cls)" test "$cls" -gt 1800
permille=$((late * 1000 / cls))
check "late rate $late/$cls in 3..30 per mille ($permille)" \
	test "$permille" -ge 3 -a "$permille" -le 30
# Receipts at the counter happen inside office hours (07:30-17:00 UTC+7).
odd=$(q "SELECT count(*) FROM dossiers WHERE channel = 'truc_tiep' AND received_at IS NOT NULL AND ((received_at + 25200) % 86400 < 27000 OR (received_at + 25200) % 86400 > 61200)")
check "counter receipts inside office hours ($odd outside)" test "$odd" = 0

# ---- replay a sample, the audit chain -------------------------------------
bad=0
for code in $(q "SELECT code FROM dossiers WHERE id % 97 = 0"); do
	"$IT_BIN" dossier replay "$code" --db "$DB" >"$T/replay.out" 2>&1 ||
		{ bad=$((bad + 1)); sed 's/^/  replay: /' "$T/replay.out"; }
done
check "replay of every 97th dossier agrees ($bad differ)" test $bad -eq 0
"$IT_BIN" audit verify --db "$DB" >"$T/verify.out" 2>&1
check "audit chain verifies" test $? -eq 0
check "dossier actions audited" test "$(q "SELECT count(*) FROM audit_log WHERE action LIKE 'dossier.%'")" -gt 8000

# ---- logins ----------------------------------------------------------------
pw=$(awk '$1 == "tiepnhan.canhthuy" { print $2 }' "$T/first.out")
check "receiver login printed" test -n "$pw"
check "logins file written" test -f "$T/demo.db.logins"
check "logins file mode 0600" test "$(stat -c %a "$T/demo.db.logins")" = 600
check "logins file holds the receiver" grep -q "^tiepnhan.canhthuy	$pw	receiver	07738" "$T/demo.db.logins"
check "19 users: 4 of the province, 3 per commune desk" \
	test "$(q "SELECT count(*) FROM users")" -eq 19
"$IT_BIN" init --db "sqlite:$T/other.db" >/dev/null 2>&1
"$IT_BIN" demo --db "sqlite:$T/other.db" --dossiers 5 --communes 1 \
	--now "2026-11-20 10:30" >"$T/other.out" 2>&1
pw2=$(awk '$1 == "tiepnhan.canhthuy" { print $2 }' "$T/other.out")
check "no fixed password: another database, another password" \
	test -n "$pw2" -a "$pw2" != "$pw"

it_start --db "$DB"
jar=$T/jar
http GET /dang-nhap -c "$jar" -b "$jar"
nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
	sed 's/.*value="//; s/"$//')
http POST /dang-nhap -c "$jar" -b "$jar" \
	--data-urlencode "username=tiepnhan.canhthuy" \
	--data-urlencode "password=$pw" --data-urlencode "login_csrf=$nonce" \
	--data-urlencode "tiep=/mot-cua"
expect_status "the printed login works" 303
http GET /api/v1/queues/receiver -b "$jar" -H 'Accept: application/json'
expect_status "receiver's queue" 200
expect_body "... lists Cảnh Thụy's dossiers" '"code": *"H24\.077\.38-'
it_stop

# ---- a second run duplicates nothing -----------------------------------------
users=$(q "SELECT count(*) FROM users")
run_demo second
check "second run exits 0" test $? -eq 0
check "second run: users not duplicated" test "$(q 'SELECT count(*) FROM users')" = "$users"
check "second run: dossiers not duplicated" test "$(q 'SELECT count(*) FROM dossiers')" = 2000
check "second run: ratings not duplicated" test "$(q 'SELECT count(*) FROM ratings')" = "$ratings"
check "second run: feedback not duplicated" test "$(q 'SELECT count(*) FROM feedback')" = "$fb"
check "second run says they existed" grep -q 'existed already' "$T/second.out"
check "second run reprints the password from the file" \
	grep -q "tiepnhan.canhthuy *$pw" "$T/second.out"

# ---- usage ------------------------------------------------------------------
"$IT_BIN" demo --db "$DB" --dossiers 0 >/dev/null 2>&1
check "--dossiers 0 is a usage error" test $? -eq 2
"$IT_BIN" demo --db "sqlite:$T/none.db" --dossiers 10 >/dev/null 2>"$T/none.err"
check "an uninitialised database is refused" grep -q "motcua init" "$T/none.err"

it_done
