#!/bin/sh
# test_lunar_crosscheck.sh - every day 1900-01-31..2199-12-31 of motcua's
# lunar calendar against an independent implementation from npm
# (tests/lunar-check/crosscheck.js). Skips cleanly, with a zero count, when
# node or node_modules/vietnamese-lunar-calendar is missing (`npm ci`).
# Ends with "lunar-crosscheck: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
bin=${MOTCUA_BIN:-build/motcua}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if ! command -v node >/dev/null 2>&1 ||
   [ ! -d node_modules/vietnamese-lunar-calendar ]; then
	echo "SKIP: node or node_modules/vietnamese-lunar-calendar missing (run npm ci)"
	echo "lunar-crosscheck: 0 passed, 0 failed"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "no binary $bin"
	echo "lunar-crosscheck: 0 passed, 1 failed"
	exit 1
fi
exec node tests/lunar-check/crosscheck.js "$bin" "${LUNAR_FROM:-1900-01-31}" "${LUNAR_TO:-2199-12-31}"
