#!/bin/sh
# run.sh [SECONDS] - builds and runs every libFuzzer target
# tests/fuzz/fuzz_NAME.c for SECONDS seconds each (default 30), then prints
# "fuzz: N passed, M failed" and exits 1 if any target failed to build,
# crashed, leaked, hung or tripped a sanitizer.
#
# How a target is built (the convention for adding one): the fuzz file names
# the sources it needs, and optionally the libraries, on comment lines:
#     // fuzz-sources: src/util/buf.c src/render/mustache.c
#     // fuzz-libs: -ljansson
# run.sh compiles those sources and the fuzz file together with
#     clang -fsanitize=fuzzer,address,undefined -Isrc
# straight into build-fuzz/fuzz_NAME (never the gcc-built library), so a
# target depends only on what it lists. The corpus lives in
# build-fuzz/corpus/NAME, seeded from tests/fuzz/corpus/NAME/ when present;
# crash inputs land in build-fuzz/artifacts/, logs in build-fuzz/NAME.log.
set -u

secs=${1:-30}
CC=${FUZZ_CC:-clang}
OUT=build-fuzz
cd "$(dirname "$0")/../.." || exit 1

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (needs clang with libFuzzer)"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

mkdir -p "$OUT/corpus" "$OUT/artifacts"
pass=0
fail=0
for f in tests/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .c)
	name=${name#fuzz_}
	srcs=$(sed -n 's|^// fuzz-sources:||p' "$f")
	libs=$(sed -n 's|^// fuzz-libs:||p' "$f")
	bin=$OUT/fuzz_$name
	log=$OUT/$name.log
	# shellcheck disable=SC2086 # word splitting of the lists is wanted
	if ! $CC -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Isrc \
		-o "$bin" "$f" $srcs $libs >"$log" 2>&1; then
		echo "fuzz $name: build FAILED"
		tail -20 "$log"
		fail=$((fail + 1))
		continue
	fi
	corpus=$OUT/corpus/$name
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	fi
	if "./$bin" -max_total_time="$secs" -max_len=4096 -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$name-" \
		"$corpus" >>"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		echo "fuzz $name: ok, ${runs:-?} runs in ${secs}s"
		pass=$((pass + 1))
	else
		echo "fuzz $name: FAILED (log $log)"
		grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -20
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
