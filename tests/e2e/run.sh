#!/bin/sh
# run.sh - browser tests: starts the real binary ($MOTCUA_BIN, default
# build/motcua) on 127.0.0.1 with a temporary SQLite database made by
# `motcua init`, runs tests/e2e/journey.mjs then every other tests/e2e/*.mjs
# (e.g. workflow.mjs, the back office) in headless chromium
# (playwright-core from node_modules), saves screenshots under
# tests/out/e2e/, stops the server and prints "e2e: N passed, M failed".
# When chromium or playwright-core is missing (and `npm ci` cannot bring
# the latter) it says so and prints "e2e: 0 passed, 0 failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${MOTCUA_BIN:-build/motcua}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
chromium=${CHROMIUM:-/usr/bin/chromium}
out=$root/tests/out/e2e

skip() {
	echo "e2e: SKIPPED: $1"
	echo "e2e: 0 passed, 0 failed"
	exit 0
}
[ -x "$chromium" ] || skip "no chromium at $chromium (apt-get install chromium)"
command -v node >/dev/null || skip "node is not installed"
if [ ! -d "$root/node_modules/playwright-core" ] && command -v npm >/dev/null; then
	echo "e2e: installing playwright-core (npm ci)"
	(cd "$root" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		echo "e2e: npm ci failed"
fi
[ -d "$root/node_modules/playwright-core" ] || skip "node_modules/playwright-core missing (run npm ci)"
[ -x "$bin" ] || { echo "e2e: no binary $bin"; echo "e2e: 0 passed, 1 failed"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/motcua-e2e.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail_setup() {
	sed 's/^/  /' "$2" | tail -20
	echo "e2e: $1"
	echo "e2e: 0 passed, 1 failed"
	exit 1
}

db=sqlite:$tmp/e2e.db
"$bin" init --db "$db" >"$tmp/init.log" 2>&1 || fail_setup "motcua init failed" "$tmp/init.log"

"$bin" serve --db "$db" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
pid=$!
base=
i=0
until [ -n "$base" ] && curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 "$pid" 2>/dev/null; then
		fail_setup "server did not start" "$tmp/serve.log"
	fi
	sleep 0.1
	base=$(sed -n 's/^motcua: serving \(http:.*\)$/\1/p' "$tmp/serve.out")
done

rm -rf "$out"
mkdir -p "$out"
# Every journey (journey.mjs first), each printing its own summary line;
# the totals are summed into the last line. MOTCUA_BIN and MOTCUA_DB let a
# journey create its officers with the CLI.
pass=0 fail=0
for j in "$root/tests/e2e/journey.mjs" "$root"/tests/e2e/*.mjs; do
	case $j in */journey.mjs) [ "${seen_journey:-}" ] && continue; seen_journey=1 ;; esac
	[ -f "$j" ] || continue
	name=$(basename "$j")
	CHROMIUM=$chromium MOTCUA_BIN=$bin MOTCUA_DB=$db timeout 300 node "$j" "$base" "$out" >"$tmp/$name.log" 2>&1
	rc=$?
	grep -v '^e2e: [0-9]* passed' "$tmp/$name.log"
	line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$tmp/$name.log" | tail -1)
	if [ -z "$line" ] || { [ $rc -ne 0 ] && [ $rc -ne 1 ]; }; then
		echo "e2e: $name exited $rc"
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + $(echo "$line" | sed -E 's/^e2e: ([0-9]+) passed.*/\1/')))
	fail=$((fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
