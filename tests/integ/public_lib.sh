# public_lib.sh - helpers of the public-page tests (test_public.sh,
# test_qr_decode.sh); sourced, not run. Starts one motcua server on
# 127.0.0.1 with a fresh database (`motcua init`), fetches pages with
# curl, counts checks, and stops the server on exit.
#   pub_start NAME        init + serve; sets PUB_URL; NAME labels the summary
#   get PATH              fetch; sets PUB_STATUS, PUB_BODY (file), PUB_HEADERS (file)
#   check NAME CMD...     passes when CMD succeeds
#   expect_status NAME N, expect_body NAME RE, expect_no_body NAME RE,
#   expect_header NAME 'name: value-prefix'
#   json EXPR             evaluates a JS expression on the last body; a
#                         leading "." stands for the document (".items[0].code")
#   pub_done              prints "NAME: N passed, M failed", exits 0 or 1
# Env: MOTCUA_BIN (build/motcua); MOTCUA_TEST_PG: a PostgreSQL URL to run
# against instead of SQLite (the database is re-initialised).

PUB_BIN=${MOTCUA_BIN:-build/motcua}
case $PUB_BIN in /*) ;; *) PUB_BIN=$(pwd)/$PUB_BIN ;; esac
PUB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/motcua-public.XXXXXX")
PUB_BODY=$PUB_TMP/body
PUB_HEADERS=$PUB_TMP/headers
PUB_PID=
pub_pass=0
pub_fail=0
pub_name=public

pub_cleanup() {
	if [ -n "$PUB_PID" ]; then
		kill "$PUB_PID" 2>/dev/null
		wait "$PUB_PID" 2>/dev/null
	fi
	rm -rf "$PUB_TMP"
}
trap pub_cleanup EXIT
trap 'exit 1' INT TERM

pub_ok() { pub_pass=$((pub_pass + 1)); }
pub_ko() { pub_fail=$((pub_fail + 1)); echo "FAIL: $*"; }

# A free TCP port on 127.0.0.1 (nothing listening on it now).
pub_free_port() {
	p=$(( 20000 + ($$ * 7 + $(date +%N | sed 's/^0*//;s/^$/0/') % 997) % 30000 ))
	while grep -q "$(printf ':%04X ' "$p")" /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}

pub_start() {
	pub_name=$1
	if [ -n "${MOTCUA_TEST_PG:-}" ]; then
		PUB_DB=$MOTCUA_TEST_PG
	else
		PUB_DB=sqlite:$PUB_TMP/test.db
	fi
	if [ -n "${PUB_SEED_DB:-}" ] && [ -z "${MOTCUA_TEST_PG:-}" ]; then
		# Development shortcut: a copy of a database made by `motcua init`.
		cp "$PUB_SEED_DB" "$PUB_TMP/test.db"
	elif ! "$PUB_BIN" init --db "$PUB_DB" >"$PUB_TMP/init.log" 2>&1; then
		sed 's/^/  init: /' "$PUB_TMP/init.log" | tail -20
		pub_ko "motcua init"
		pub_done
	fi
	tries=0
	while :; do
		port=$(pub_free_port)
		PUB_URL=http://127.0.0.1:$port
		"$PUB_BIN" serve --db "$PUB_DB" --listen "127.0.0.1:$port" \
			--public-url "$PUB_URL" >"$PUB_TMP/serve.log" 2>&1 &
		PUB_PID=$!
		i=0
		while [ $i -lt 100 ]; do
			if curl -fsS -o /dev/null "$PUB_URL/healthz" 2>/dev/null; then
				return 0
			fi
			kill -0 "$PUB_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$PUB_PID" 2>/dev/null
		wait "$PUB_PID" 2>/dev/null
		PUB_PID=
		tries=$((tries + 1))
		if [ $tries -ge 3 ]; then
			sed 's/^/  serve: /' "$PUB_TMP/serve.log" | tail -20
			pub_ko "server did not start"
			pub_done
		fi
	done
}

get() {
	PUB_STATUS=$(curl -s -o "$PUB_BODY" -D "$PUB_TMP/h" -w '%{http_code}' \
		--max-time 20 "$PUB_URL$1")
	tr 'A-Z' 'a-z' <"$PUB_TMP/h" | tr -d '\r' >"$PUB_HEADERS"
	PUB_PATH=$1
}

check() {
	name=$1
	shift
	if "$@"; then pub_ok; else pub_ko "$name"; fi
}

expect_status() {
	if [ "$PUB_STATUS" = "$2" ]; then
		pub_ok
	else
		pub_ko "$1: $PUB_PATH answered $PUB_STATUS, want $2"
		head -c 300 "$PUB_BODY" | sed 's/^/  body: /'
		echo
	fi
}

expect_body() {
	if grep -q -e "$2" "$PUB_BODY"; then pub_ok; else pub_ko "$1: '$2' not in $PUB_PATH"; fi
}

expect_no_body() {
	if grep -q -e "$2" "$PUB_BODY"; then pub_ko "$1: '$2' found in $PUB_PATH"; else pub_ok; fi
}

expect_header() {
	if grep -q -F -e "$2" "$PUB_HEADERS"; then pub_ok; else pub_ko "$1: no header '$2' on $PUB_PATH"; fi
}

json() {
	node -e '
		const fs = require("fs");
		let d;
		try { d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
		catch (e) { console.log("(not JSON)"); process.exit(0); }
		const src = process.argv[2].replace(/(^|[^\w\])"\x27])\.(?=[A-Za-z_])/g, "$1d.");
		let v;
		try { v = eval(src); } catch (e) { v = "(error: " + e.message + ")"; }
		console.log(typeof v === "string" ? v : JSON.stringify(v));
	' "$PUB_BODY" "$1"
}

pub_done() {
	echo "$pub_name: $pub_pass passed, $pub_fail failed"
	[ "$pub_fail" -eq 0 ] && exit 0
	exit 1
}
