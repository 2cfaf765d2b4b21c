#!/bin/sh
# run-unit.sh BIN... - runs each cmocka test binary; prints a summary line
# "unit: N passed, N failed" and exits 1 if any binary failed.
pass=0; fail=0; failed=""
for t in "$@"; do
	if out=$("$t" 2>&1); then
		pass=$((pass + 1))
		printf '%s\n' "$out" | grep -E '^(NOTE|SKIP)' || true
	else
		fail=$((fail + 1)); failed="$failed $t"
		# cmocka's own lines first: a leak report (ASan) or a long log
		# after a failed assertion would push them out of the tail.
		printf '%s\n' "$out" | grep -E '^\[ +(ERROR|FAILED|LINE) +\]|^ERROR: ' | head -40
		printf '%s\n' "$out" | tail -40
	fi
done
echo "unit binaries:$failed${failed:+ FAILED}"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
