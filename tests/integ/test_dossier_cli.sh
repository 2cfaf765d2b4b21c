#!/bin/sh
# test_dossier_cli.sh - `motcua dossier replay|show` and `motcua vietqr`
# through the real binary ($MOTCUA_BIN, default build/motcua). Dossiers come
# from `motcua demo` (the real model: events, rows, audit) in a database of
# this script's own: a SQLite file, or, when MOTCUA_TEST_DB is a PostgreSQL
# URL, a schema of its own in that database (dropped at the end), so that
# the shared database of the other scripts is left alone. Checks that every
# dossier replays equal, that a tampered row is named field by field, the
# show output (text and JSON), unknown codes and usage errors; VietQR
# payloads field by field with their CRC-16/CCITT-FALSE recomputed here.
# Ends with "dossier-cli: N passed, M failed"; exits 1 on any failure.

BIN=${MOTCUA_BIN:-build/motcua}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/motcua-dossier-cli.XXXXXX")
SCHEMA=
PGURL=
cleanup() {
	if [ -n "$SCHEMA" ]; then
		psql "$PGURL" -qc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" \
			>/dev/null 2>&1
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
unset MOTCUA_DB
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run WANT_STATUS CMD...: runs, output in $T/out and $T/err; checks status.
run() {
	want_rc=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		ko "$*: exit $rc, want $want_rc"
		sed 's/^/  stderr: /' "$T/err" | head -5
		sed 's/^/  stdout: /' "$T/out" | head -5
		return 1
	fi
	ok
	return 0
}

# expect NAME STREAM(out|err) FIXED-STRING: the last run printed it.
expect() {
	if grep -qF -- "$3" "$T/$2"; then
		ok
	else
		ko "$1: std$2 lacks '$3'"
		sed 's/^/  got: /' "$T/$2" | head -10
	fi
}

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok; else ko "$1: got '$2', want '$3'"; fi
}

# crc16 TEXT: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as 4 hex digits.
crc16() {
	crc=65535
	for b in $(printf '%s' "$1" | od -An -tu1); do
		crc=$((crc ^ (b << 8)))
		i=0
		while [ $i -lt 8 ]; do
			if [ $((crc & 32768)) -ne 0 ]; then
				crc=$((((crc << 1) ^ 4129) & 65535))
			else
				crc=$(((crc << 1) & 65535))
			fi
			i=$((i + 1))
		done
	done
	printf '%04X' "$crc"
}

# tlv PAYLOAD ID: the value of the top-level EMVCo field ID (2 digits).
tlv() {
	p=$1
	while [ ${#p} -ge 4 ]; do
		id=$(printf '%s' "$p" | cut -c1-2)
		len=$(printf '%s' "$p" | cut -c3-4 | sed 's/^0//')
		val=$(printf '%s' "$p" | cut -c5-$((4 + len)))
		if [ "$id" = "$2" ]; then
			printf '%s' "$val"
			return 0
		fi
		p=$(printf '%s' "$p" | cut -c$((5 + len))-)
	done
	return 1
}

# ---- vietqr ---------------------------------------------------------------
same "crc16 check value" "$(crc16 123456789)" "29B1"

run 0 "$BIN" vietqr --bin 970436 --account 0011004567890 --amount 50000 \
	--info "H24.99-260302-0001"
P=$(cat "$T/out")
same "dynamic QR (amount): 01" "$(tlv "$P" 01)" "12"
same "version 00" "$(tlv "$P" 00)" "01"
same "merchant 38" "$(tlv "$P" 38)" \
	"0010A00000072701270006970436011300110045678900208QRIBFTTA"
same "currency 53 (VND)" "$(tlv "$P" 53)" "704"
same "amount 54" "$(tlv "$P" 54)" "50000"
same "country 58" "$(tlv "$P" 58)" "VN"
same "purpose 62/08" "$(tlv "$P" 62)" "0818H24.99-260302-0001"
body=$(printf '%s' "$P" | sed 's/....$//')
same "CRC 63 over the payload and 6304" "$(printf '%s' "$P" | tail -c 4)" \
	"$(crc16 "$body")"
case $body in *6304) ok ;; *) ko "payload does not end with 6304+CRC" ;; esac

run 0 "$BIN" vietqr --bin 970436 --account 0011004567890
P=$(cat "$T/out")
same "static QR (no amount): 01" "$(tlv "$P" 01)" "11"
if tlv "$P" 54 >/dev/null; then ko "static QR has an amount"; else ok; fi
same "static CRC" "$(printf '%s' "$P" | tail -c 4)" \
	"$(crc16 "$(printf '%s' "$P" | sed 's/....$//')")"

run 0 "$BIN" vietqr --bin 970436 --account 0011004567890 --amount 20000 \
	--info "Nộp phí Đăng ký"
P=$(cat "$T/out")
same "purpose without diacritics" "$(tlv "$P" 62)" "0815Nop phi Dang ky"

run 1 "$BIN" vietqr --bin 12 --account 0011004567890 &&
	expect "short BIN" err "BIN"
run 1 "$BIN" vietqr --account 0011004567890 && expect "no BIN" err "BIN"
run 2 "$BIN" vietqr --bin 970436 --account 1 --amount abc &&
	expect "bad amount" err "--amount"
run 2 "$BIN" vietqr extra && expect "extra argument" err "usage"

# ---- a database of this script's own ------------------------------------------
case ${MOTCUA_TEST_DB:-} in
postgres*)
	if ! command -v psql >/dev/null 2>&1; then
		echo "dossier-cli: psql not found: PostgreSQL part skipped"
		echo "dossier-cli: $pass passed, $fail failed"
		[ "$fail" -eq 0 ]
		exit
	fi
	PGURL=$MOTCUA_TEST_DB
	SCHEMA=dossier_cli_$$
	psql "$PGURL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null || ko "schema"
	case $PGURL in *\?*) sep='&' ;; *) sep='?' ;; esac
	DB="$PGURL${sep}options=-csearch_path%3D$SCHEMA"
	sql() { psql "$PGURL" -Atqc "SET search_path TO $SCHEMA; $1"; }
	;;
*)
	DB="sqlite:$T/dossier.db"
	sql() { sqlite3 "$T/dossier.db" "$1"; }
	;;
esac

run 0 "$BIN" init --db "$DB" || { echo "dossier-cli: $pass passed, $fail failed"; exit 1; }
run 0 "$BIN" demo --db "$DB" --dossiers 60 --communes 2 --days 30 \
	--now "2026-03-02 10:00" --logins "$T/logins" --threads 2
n=$(sql "SELECT COUNT(*) FROM dossiers")
if [ "${n:-0}" -ge 50 ]; then ok; else ko "demo made ${n:-0} dossiers"; fi

# ---- replay: every dossier agrees with its events ----------------------------
sql "SELECT code FROM dossiers ORDER BY id" >"$T/codes"
bad=0
while read -r code; do
	if ! "$BIN" dossier replay "$code" --db "$DB" >"$T/r" 2>&1 ||
	   ! grep -qF "$code: the stored row equals the rebuilt one" "$T/r"; then
		bad=$((bad + 1))
		sed 's/^/  /' "$T/r" | head -3
	fi
done <"$T/codes"
same "every dossier replays equal ($(wc -l <"$T/codes") dossiers)" "$bad" 0

# one that went further than receipt (events > 1), and one closed
C=$(sql "SELECT code FROM dossiers WHERE version >= 4 ORDER BY id LIMIT 1")
V=$(sql "SELECT version FROM dossiers WHERE code = '$C'")
[ -n "$C" ] && ok || ko "no dossier with 4 events"

# ---- tampering is named ----------------------------------------------------
sql "UPDATE dossiers SET due_at = due_at + 60 WHERE code = '$C'"
run 1 "$BIN" dossier replay "$C" --db "$DB" &&
	expect "tampered due_at named" out "differs from its events: " &&
	expect "the field" out "due_at"
sql "UPDATE dossiers SET due_at = due_at - 60, state = 'stopped' WHERE code = '$C'"
run 1 "$BIN" dossier replay "$C" --db "$DB" && expect "tampered state" out "state"
if grep -q "due_at" "$T/out"; then ko "restored due_at still named"; else ok; fi
S=$(sql "SELECT to_state FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = '$C' ORDER BY e.seq DESC LIMIT 1")
sql "UPDATE dossiers SET state = '$S' WHERE code = '$C'"
run 0 "$BIN" dossier replay "$C" --db "$DB" && expect "restored" out "equals"
# an event that does not apply: the log itself is inconsistent
EV2="seq = 2 AND dossier_id = (SELECT id FROM dossiers WHERE code = '$C')"
A2=$(sql "SELECT action FROM dossier_events WHERE $EV2")
sql "UPDATE dossier_events SET action = 'return' WHERE $EV2"
run 1 "$BIN" dossier replay "$C" --db "$DB" &&
	expect "inconsistent log" err "sự kiện 2 (return) không áp dụng được"
sql "UPDATE dossier_events SET action = '$A2' WHERE $EV2"
run 0 "$BIN" dossier replay "$C" --db "$DB"

# ---- show ----------------------------------------------------------------------
run 0 "$BIN" dossier show "$C" --db "$DB" &&
	expect "show: code" out "$C" &&
	expect "show: receipt" out "received 20"
if grep -qE '^  1 [^ ]+ (receive|submit) none -> (received|submitted) ' \
	"$T/out"; then ok; else ko "show: first event line"; cat "$T/out"; fi
lines=$(grep -cE '^  [0-9]+ ' "$T/out")
same "show: one line per event" "$lines" "$V"
run 0 "$BIN" dossier show "$C" --db "$DB" --json
same "show --json: code" "$(sed -n 's/^  "code": "\(.*\)",$/\1/p' "$T/out" | head -1)" "$C"
same "show --json: version" "$(sed -n 's/^  "version": \([0-9]*\),$/\1/p' "$T/out")" "$V"
expect "show --json: events" out '"events": ['
if grep -q '"id_number"' "$T/out"; then ko "show prints personal data"; else ok; fi

# ---- errors ----------------------------------------------------------------------
run 1 "$BIN" dossier replay NO-SUCH-CODE --db "$DB" &&
	expect "unknown code (replay)" err "Không tìm thấy hồ sơ NO-SUCH-CODE"
run 1 "$BIN" dossier show NO-SUCH-CODE --db "$DB" &&
	expect "unknown code (show)" err "Không tìm thấy hồ sơ"
run 2 "$BIN" dossier && expect "usage" err "usage: motcua dossier"
run 2 "$BIN" dossier frob "$C" --db "$DB" && expect "unknown verb" err "usage"
run 2 "$BIN" dossier replay --db "$DB" && expect "no code" err "usage"

echo "dossier-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
