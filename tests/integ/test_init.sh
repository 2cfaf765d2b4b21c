#!/bin/sh
# test_init.sh - `motcua init` twice into a temporary SQLite file: the
# reference data lands once (34 provinces, 3,321 communes, 2,642
# procedures, one desk per commune), the second run adds nothing; then
# `motcua import` of a malformed file fails naming file, line and column.
# db: none (makes its own database)
set -u
BIN=${MOTCUA_BIN:-build/motcua}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/motcua-init.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # name expected actual
	if [ "$2" = "$3" ]; then ok; else ko "$1: expected '$2', got '$3'"; fi
}
DB="$TMP/m.db"
q() { sqlite3 "$DB" "$1"; }

if "$BIN" init --db "sqlite:$DB" >"$TMP/out1" 2>"$TMP/err1"; then ok; else ko "first init: $(cat "$TMP/err1")"; fi
grep -q "^procedures  *2642$" "$TMP/out1" && ok || ko "summary line for procedures"
check provinces 34 "$(q "SELECT COUNT(*) FROM units WHERE era='2025' AND level=1")"
check communes 3321 "$(q "SELECT COUNT(*) FROM units WHERE era='2025' AND level=3")"
check pre2025 10794 "$(q "SELECT COUNT(*) FROM units WHERE era='pre2025'")"
check procedures 2642 "$(q "SELECT COUNT(*) FROM procedures")"
check desks 3321 "$(q "SELECT COUNT(*) FROM desks")"
check bac-ninh-24 "Bắc Ninh" "$(q "SELECT name FROM units WHERE era='2025' AND code='24'")"
check canh-thuy "Phường Cảnh Thụy|24" "$(q "SELECT full_name || '|' || parent_code FROM units WHERE era='2025' AND code='07738'")"
check ket-hon-desk 3321 "$(q "SELECT COUNT(*) FROM desk_procedures WHERE procedure_code='1.000894'")"
check no-customs 0 "$(q "SELECT COUNT(*) FROM desk_procedures dp JOIN procedures p ON p.code=dp.procedure_code WHERE p.field IN ('Hải quan','Thuế','Kho bạc Nhà nước')")"

snap() { q "SELECT (SELECT COUNT(*) FROM units),(SELECT COUNT(*) FROM unit_merges),(SELECT COUNT(*) FROM procedures),(SELECT COUNT(*) FROM procedure_channels),(SELECT COUNT(*) FROM procedure_components),(SELECT COUNT(*) FROM desks),(SELECT COUNT(*) FROM desk_procedures),(SELECT COUNT(*) FROM fields)"; }
before=$(snap)
if "$BIN" init --db "sqlite:$DB" >"$TMP/out2" 2>"$TMP/err2"; then ok; else ko "second init: $(cat "$TMP/err2")"; fi
check second-init-same "$before" "$(snap)"
grep -q "^migrations applied now  *0$" "$TMP/out2" && ok || ko "second init applied migrations"

printf 'code,name,type,parent_code\n98,Thử,tỉnh,\n98001,Một,làng,98\n' >"$TMP/bad.csv"
if "$BIN" import units "$TMP/bad.csv" --db "sqlite:$DB" >/dev/null 2>"$TMP/err3"; then
	ko "malformed units file accepted"
else
	grep -q "bad.csv:3: column 'type'" "$TMP/err3" && ok || ko "error message: $(cat "$TMP/err3")"
fi
check nothing-written 0 "$(q "SELECT COUNT(*) FROM units WHERE code='98'")"

echo "init: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
