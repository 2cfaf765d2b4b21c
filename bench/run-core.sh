#!/bin/sh
# bench/run-core.sh - core micro-benchmarks: builds bench/bench_deadline.c
# against $BUILD/libmotcua.a (BUILD defaults to build) and runs it on one
# core (taskset when available). Prints computations/s per workload.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/libmotcua.a"
mkdir -p "$BUILD/bench"
PKGS="libmicrohttpd jansson sqlite3 libpq libqrencode libsodium libutf8proc xlsxwriter libpng"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Isrc \
	-I"$BUILD/gen" -o "$BUILD/bench/bench_deadline" bench/bench_deadline.c \
	"$BUILD/libmotcua.a" $(pkg-config --libs $PKGS) -lmagic -lm -lpthread
if command -v taskset >/dev/null 2>&1; then
	taskset -c 0 "$BUILD/bench/bench_deadline"
else
	"$BUILD/bench/bench_deadline"
fi
