#!/bin/sh
# run-all.sh UNIT_BIN... - the whole suite: unit tests, then integration
# tests (SQLite; PostgreSQL too when MOTCUA_TEST_PG is set), then browser
# tests (unless MOTCUA_SKIP_E2E=1). Ends with "N passed, N failed".
set -u
here=$(dirname "$0")
total_pass=0; total_fail=0
tally() { # reads "NAME: N passed, N failed" from a log
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	[ -n "$p" ] || { p=0; f=1; echo "no summary line in $1"; }
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}
log=$(mktemp)
sh "$here/run-unit.sh" "$@" 2>&1 | tee "$log"; tally "$log"
if [ -f "$here/integ/run.sh" ]; then
	sh "$here/integ/run.sh" 2>&1 | tee "$log"; tally "$log"
fi
if [ "${MOTCUA_SKIP_E2E:-0}" != 1 ] && [ -f "$here/e2e/run.sh" ]; then
	sh "$here/e2e/run.sh" 2>&1 | tee "$log"; tally "$log"
fi
rm -f "$log"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
