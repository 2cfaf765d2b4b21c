#!/bin/sh
# run.sh - runs every tests/integ/test_*.sh against the real binary
# ($MOTCUA_BIN, default build/motcua): once with MOTCUA_TEST_DB a SQLite
# file and, when MOTCUA_TEST_PG is set, once more with that PostgreSQL URL.
# Each database is initialised once (`motcua init`) and shared by the
# scripts of the run. A script that uses no database says so on a line
# `# db: none` and runs once (so does one that mentions neither
# MOTCUA_TEST_DB, MOTCUA_TEST_PG nor a lib). Collects each script's
# "NAME: N passed, M failed" line; ends with "integ: N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${MOTCUA_BIN:-build/motcua}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
export MOTCUA_BIN=$BIN
PG=${MOTCUA_TEST_PG:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/motcua-integ.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

pass=0
fail=0

# tally LOG LABEL: adds the script's summary line to the totals.
tally() {
	line=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then
		echo "$2: no summary line (exit $3)"
		tail -20 "$1"
		fail=$((fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# a script that fails without counting it
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

# init_db URL: motcua init, once per run and database.
init_db() {
	if ! "$BIN" init --db "$1" >"$TMP/init.log" 2>&1; then
		echo "integ: motcua init --db $1 failed:"
		tail -20 "$TMP/init.log"
		return 1
	fi
}

# reset_pg URL: MOTCUA_TEST_PG names a throwaway database; its public schema
# is emptied so that every run starts fresh (CI runs the suite twice on the
# same cluster, the second time under ASan, and several scripts leave data
# behind that a second run would trip over).
reset_pg() {
	if ! psql -q -v ON_ERROR_STOP=1 "$1" -c \
		'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;' \
		>"$TMP/reset.log" 2>&1; then
		echo "integ: cannot reset the public schema of the test database:"
		tail -5 "$TMP/reset.log"
		return 1
	fi
}

SQLITE=sqlite:$TMP/shared.db
init_db "$SQLITE" || fail=$((fail + 1))
if [ -n "$PG" ]; then
	{ reset_pg "$PG" && init_db "$PG"; } || fail=$((fail + 1))
fi

for t in tests/integ/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	uses_db=yes
	if grep -q '^# db: none' "$t" ||
	   ! grep -qE 'MOTCUA_TEST_DB|MOTCUA_TEST_PG|lib\.sh' "$t"; then
		uses_db=no
	fi
	log=$TMP/$name.log
	if [ $uses_db = no ]; then
		sh "$t" >"$log" 2>&1
		rc=$?
		cat "$log" | grep -E '^(FAIL|SKIP)|passed, [0-9]+ failed'
		tally "$log" "$name" $rc
		continue
	fi
	# SQLite: hide MOTCUA_TEST_PG from scripts that read it directly.
	env -u MOTCUA_TEST_PG MOTCUA_TEST_DB="$SQLITE" sh "$t" >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP)|passed, [0-9]+ failed' "$log" | sed 's/^/[sqlite] /'
	tally "$log" "$name" $rc
	if [ -n "$PG" ]; then
		MOTCUA_TEST_DB="$PG" MOTCUA_TEST_PG="$PG" sh "$t" >"$log" 2>&1
		rc=$?
		grep -E '^(FAIL|SKIP)|passed, [0-9]+ failed' "$log" |
			sed 's/^/[postgresql] /'
		tally "$log" "$name" $rc
	fi
done
echo "integ: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
