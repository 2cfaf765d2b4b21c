# lib.sh - helpers for the integration tests (tests/integ/test_*.sh);
# sourced, not run. Starts the real binary on 127.0.0.1 (port chosen by the
# kernel, read back from the "motcua: serving URL" line), talks to it with
# curl, counts checks, and always stops it (trap on exit, and `timeout 300`
# as a watchdog so a server never outlives its test).
#
#   it_init NAME            names the summary line; prepares a temp dir $T
#   it_db                   echoes a migrated database URL: $MOTCUA_TEST_DB
#                           as run.sh prepared it (shared by the scripts of
#                           one run), else a fresh SQLite file (motcua init)
#   it_start [ARGS...]      `motcua serve --listen 127.0.0.1:0 ARGS`, waits
#                           for /healthz; sets URL, SERVER_PID, SERVER_LOG
#   it_stop                 SIGTERM; sets SERVER_RC to the exit status
#   http METHOD PATH [CURL ARGS...]
#                           sets STATUS; body in $BODY, headers in $HEADERS
#   check NAME CMD...       passes when CMD succeeds
#   expect_status NAME N
#   expect_body NAME ERE    grep -E on the body
#   expect_no_body NAME ERE
#   expect_header NAME 'Name: value-prefix'  (name case-insensitive)
#   it_done                 checks that the server log holds no "transaction
#                           was left open", prints "NAME: N passed, M
#                           failed", exits 0/1
# IT_KEEP=1 keeps $T (the server's log, the database) for a look after.
# Env: MOTCUA_BIN (default build/motcua), MOTCUA_TEST_DB.

IT_BIN=${MOTCUA_BIN:-build/motcua}
case $IT_BIN in /*) ;; *) IT_BIN=$(pwd)/$IT_BIN ;; esac
it_name=integ
it_pass=0
it_fail=0
SERVER_PID=
T=

it_cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
	[ -n "$T" ] && [ -z "${IT_KEEP:-}" ] && rm -rf "$T"
}

it_init() {
	it_name=$1
	T=$(mktemp -d "${TMPDIR:-/tmp}/motcua-$1.XXXXXX")
	BODY=$T/body
	HEADERS=$T/headers
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM
}

it_ok() { it_pass=$((it_pass + 1)); }
it_ko() { it_fail=$((it_fail + 1)); echo "FAIL: $*"; }

it_db() {
	if [ -n "${MOTCUA_TEST_DB:-}" ]; then
		echo "$MOTCUA_TEST_DB"
		return 0
	fi
	if [ ! -f "$T/test.db" ]; then
		"$IT_BIN" init --db "sqlite:$T/test.db" >"$T/init.log" 2>&1 ||
			{ sed 's/^/  init: /' "$T/init.log" | tail -20 >&2
			  return 1; }
	fi
	echo "sqlite:$T/test.db"
}

it_start() {
	SERVER_LOG=$T/server.err
	: >"$T/server.out"
	timeout -k 5 300 "$IT_BIN" serve --listen 127.0.0.1:0 "$@" \
		>"$T/server.out" 2>"$SERVER_LOG" &
	SERVER_PID=$!
	URL=
	tries=0
	while [ $tries -lt 100 ]; do
		URL=$(sed -n 's/^motcua: serving \(http:.*\)$/\1/p' "$T/server.out")
		[ -n "$URL" ] && break
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
		tries=$((tries + 1))
	done
	if [ -z "$URL" ]; then
		it_ko "server did not start"
		sed 's/^/  server: /' "$SERVER_LOG" | tail -20
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
		return 1
	fi
	tries=0
	while [ $tries -lt 50 ]; do
		curl -sf -o /dev/null "$URL/healthz" && return 0
		sleep 0.1
		tries=$((tries + 1))
	done
	it_ko "server did not answer /healthz"
	return 1
}

it_stop() {
	SERVER_RC=
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
	SERVER_RC=$?
	SERVER_PID=
}

http() {
	method=$1 path=$2
	shift 2
	if [ "$method" = HEAD ]; then
		set -- --head "$@"
	else
		set -- -X "$method" "$@"
	fi
	STATUS=$(curl -s -o "$BODY" -D "$HEADERS" -w '%{http_code}' \
		--max-time 20 "$@" "$URL$path")
}

check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then it_ok; else it_ko "$name"; fi
}

# in_log ERE: true once the server's log has a line matching ERE. The
# server writes info lines from a buffer every few tens of milliseconds
# (util/log.c), so a line may come shortly after its request: wait up to
# 3 s.
in_log() {
	_t=0
	until grep -qE "$1" "$SERVER_LOG"; do
		_t=$((_t + 1))
		[ $_t -gt 30 ] && return 1
		sleep 0.1
	done
}

expect_status() {
	if [ "$STATUS" = "$2" ]; then
		it_ok
	else
		it_ko "$1: status $STATUS, want $2"
		head -c 300 "$BODY" | sed 's/^/  body: /'
	fi
}

expect_body() {
	if grep -Eq -- "$2" "$BODY"; then
		it_ok
	else
		it_ko "$1: body lacks /$2/"
		head -c 300 "$BODY" | sed 's/^/  body: /'
	fi
}

expect_no_body() {
	if grep -Eq -- "$2" "$BODY"; then it_ko "$1: body has /$2/"; else it_ok; fi
}

expect_header() {
	if tr -d '\r' <"$HEADERS" | grep -iqF -- "$2"; then
		it_ok
	else
		it_ko "$1: no header '$2'"
		sed 's/^/  header: /' "$HEADERS"
	fi
}

it_done() {
	# Every script: no request left a transaction open for the next one
	# on its thread (the pool rolls it back and says so).
	if [ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ]; then
		if grep -q "a transaction was left open" "$SERVER_LOG"; then
			echo "FAIL: the server log says a transaction was left open"
			it_fail=$((it_fail + 1))
		else
			it_pass=$((it_pass + 1))
		fi
	fi
	echo "$it_name: $it_pass passed, $it_fail failed"
	[ "$it_fail" -eq 0 ] && exit 0
	exit 1
}
