#!/bin/sh
# deps.sh - makes sure the Debian packages motcua needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails. Set MOTCUA_DEPS_TEST=1 to also require
# the packages of the test suite (browser, QR decoder, PostgreSQL, fuzzer).
set -eu
build="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
libpq-dev libqrencode-dev libsodium-dev libutf8proc-dev libxlsxwriter-dev
libpng-dev libmagic-dev libcmocka-dev libcurl4-openssl-dev sqlite3"
test="zbar-tools chromium nodejs npm wrk postgresql clang libclang-rt-14-dev python3"
want=$build
[ "${MOTCUA_DEPS_TEST:-0}" = 1 ] && want="$build $test"
missing=""
for p in $want; do
	# NodeSource's nodejs ships npm and conflicts with Debian's npm package.
	[ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
	[ "$p" = nodejs ] && command -v node >/dev/null 2>&1 && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
	echo "motcua needs these Debian packages; run:"
	echo "  sudo apt-get install -y$missing"
	exit 1
fi
