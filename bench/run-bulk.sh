#!/bin/sh
# bench/run-bulk.sh - bulk speed of store/dossier_repo (bench/bench_dossier.c):
# N dossiers created and walked (forward, forward, result, return; every 8th
# with a supplement round) in transactions of B, one call at a time
# ("single") and through the bulk path ("bulk"), on a fresh SQLite file, and
# on PostgreSQL when MOTCUA_BENCH_PG names an empty database.
#   sh bench/run-bulk.sh [N] [B]      (BUILD defaults to build)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
N=${1:-20000}
B=${2:-400}
make -s BUILD="$BUILD" "$BUILD/libmotcua.a"
mkdir -p "$BUILD/bench"
PKGS="libmicrohttpd jansson sqlite3 libpq libqrencode libsodium libutf8proc xlsxwriter libpng"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Isrc \
	-I"$BUILD/gen" -o "$BUILD/bench/bench_dossier" bench/bench_dossier.c \
	"$BUILD/libmotcua.a" $(pkg-config --libs $PKGS) -lmagic -lm -lpthread
tmp=$(mktemp -d /tmp/bench_bulk.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in single bulk; do
	"$BUILD/bench/bench_dossier" "sqlite:$tmp/$mode.db" "$N" "$B" "$mode"
done
if [ -n "${MOTCUA_BENCH_PG:-}" ]; then
	"$BUILD/bench/bench_dossier" "$MOTCUA_BENCH_PG" "$N" "$B" bulk
fi
