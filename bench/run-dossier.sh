#!/bin/sh
# bench/run-dossier.sh [BIN] - the dossier benchmarks of issue 5:
#  (a) durable intake: POST /api/v1/dossiers through HTTP (code, due time,
#      events, counters, audit; wrk + bench/bench_intake.lua, a bearer token,
#      unique Idempotency-Keys) beside a raw SQLite loop at the same
#      durability (WAL, synchronous=NORMAL), run after it in the same run:
#      bench/bench_intake_rows.c writes exactly the rows an intake writes
#      (both counters, the dossier, its event and components, the
#      idempotency key, the audit entry) into the real schema with its
#      indexes, one transaction each; the ratio is HTTP / that. Aim:
#      >= 0.70. bench/bench_intake.c (one dossier-sized row + one event row
#      per transaction) is printed too, for reference.
#  (b) a work-queue page on a big database made by `motcua demo --dossiers
#      N` (cached under build/bench/, reused when present: it takes long),
#      as HTML (/mot-cua/hang-doi/receiver) and JSON (/api/v1/queues/...)
#      with a logged-in session cookie, as a browser and an API client
#      ask for them. The server runs on half the CPUs and wrk on the other
#      half (bench/lib.sh, set_pin), so that wrk's time slices do not count
#      as the server's latency; each page runs BENCH_ROUNDS rounds and its
#      p99 is their median. Aim: p99 < 50 ms.
# Env: BENCH_SECONDS (10), BENCH_THREADS (2), BENCH_INTAKE_CONNECTIONS (8),
# BENCH_ROUNDS (3), BENCH_PIN (1: pin the queue's server and wrk; 0: share
# the CPUs), BENCH_INTAKE_PIN (0),
# BENCH_CONNECTIONS (16, queue), BENCH_QUEUE_DOSSIERS (10000000, the
# issue's size: a 200,000-dossier demo year plus earlier closed years
# copied from it by bench/make-queue-db.sh, made once and cached; up to
# 200000 the demo alone),
# BENCH_QUEUE_DB (a SQLite file to use instead), BENCH_SKIP_QUEUE=1,
# BENCH_SKIP_INTAKE=1,
# BUILD (build). docs/demo.md explains the figures.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${1:-${MOTCUA_BIN:-build/motcua}}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
BUILD=${BUILD:-build}
secs=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
iconns=${BENCH_INTAKE_CONNECTIONS:-8}
qconns=${BENCH_CONNECTIONS:-16}
qn=${BENCH_QUEUE_DOSSIERS:-10000000}
rounds=${BENCH_ROUNDS:-3}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x "$bin" ] || { echo "bench: no binary $bin (run make)"; exit 1; }

tmp=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. bench/lib.sh

# ---- (a) durable intake ----------------------------------------------------
mkdir -p "$BUILD/bench"
echo "motcua bench (dossiers): $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_SKIP_INTAKE:-}" != 1 ]; then
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
	-o "$BUILD/bench/bench_intake" bench/bench_intake.c -lsqlite3 -lpthread ||
	{ echo "bench: cannot build bench_intake"; exit 1; }
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
	-o "$BUILD/bench/bench_intake_rows" bench/bench_intake_rows.c -lsqlite3 ||
	{ echo "bench: cannot build bench_intake_rows"; exit 1; }

# The intake shares the CPUs (BENCH_INTAKE_PIN=1 pins it like the queue):
# the server may use every core, as the raw loop may use one.
set_pin "${BENCH_INTAKE_PIN:-0}"
db=sqlite:$tmp/intake.db
"$bin" init --db "$db" >"$tmp/init.log" 2>&1 || { tail "$tmp/init.log"; echo "bench: init failed"; exit 1; }
# The desk needs its agency identifier (dossier codes): the demo sets it.
"$bin" demo --db "$db" --dossiers 1 --communes 1 >"$tmp/demo.log" 2>&1 ||
	{ tail "$tmp/demo.log"; echo "bench: demo failed"; exit 1; }
token=$("$bin" token create bench-intake --role receiver --unit 07738 --db "$db" 2>"$tmp/token.err" |
	grep -o 'mct_[0-9a-f]*' | head -1)
[ -n "$token" ] || { cat "$tmp/token.err"; echo "bench: no token"; exit 1; }
start_server "$db" ${BENCH_INTAKE_SERVE_ARGS:-}
export BENCH_TOKEN="$token"
BENCH_RUN=warm bwrk -t1 -c2 -d1s -s bench/bench_intake.lua "$base" >"$tmp/warm.wrk" 2>&1
BENCH_RUN=main bwrk -t"$threads" -c"$iconns" -d"${secs}s" --latency \
	-s bench/bench_intake.lua "$base" >"$tmp/intake.wrk" 2>&1
groups=$(curl -s "$base/metrics" | awk '/^motcua_db_group_commits_total/ { c = $2 }
	/^motcua_db_group_members_total/ { m = $2 }
	END { if (c > 0) printf "%d transactions in %d commits", m, c }')
stop_server
http_rps=$(wrk_rps "$tmp/intake.wrk")
http_p99=$(wrk_p99 "$tmp/intake.wrk")
bad=$(awk '/^not_201/ { print $2 }' "$tmp/intake.wrk")
made=$(sqlite3 "$tmp/intake.db" "SELECT count(*) FROM dossiers" 2>/dev/null || echo "?")

"$BUILD/bench/bench_intake" "$tmp/raw.db" "$secs" 1 >"$tmp/raw.out" 2>&1
raw_rps=$(awk '/^raw_inserts_per_s/ { print $2 }' "$tmp/raw.out")
# The same rows as one intake, into a copy of the database the server
# wrote (its newest dossier is the template): bench_intake_rows.c.
sqlite3 "$tmp/intake.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1
cp "$tmp/intake.db" "$tmp/rows.db"
"$BUILD/bench/bench_intake_rows" "$tmp/rows.db" "$secs" >"$tmp/rows.out" 2>&1
rows_rps=$(awk '/^raw_rows_per_s/ { print $2 }' "$tmp/rows.out")

printf "%-34s %10s %9s  %s\n" "intake" "per s" "p99 ms" "note"
printf "%-34s %10.0f %9s  %s\n" "raw SQLite, same rows as intake" "${rows_rps:-0}" "-" "bench_intake_rows.c: counters, dossier, event, components, key, audit; real schema"
printf "%-34s %10.0f %9s  %s\n" "raw SQLite, 1 row + 1 event / tx" "${raw_rps:-0}" "-" "bench_intake.c, WAL, synchronous=NORMAL"
printf "%-34s %10.0f %9.2f  %s\n" "POST /api/v1/dossiers (HTTP)" "${http_rps:-0}" "${http_p99:-0}" \
	"wrk -t$threads -c$iconns; non-201: ${bad:-?}; dossiers in db: $made; groups: $groups"
awk -v h="${http_rps:-0}" -v r="${rows_rps:-0}" -v m="${raw_rps:-0}" 'BEGIN {
	if (r > 0) printf "intake ratio HTTP / raw same rows: %.2f (aim >= 0.70)\n", h / r
	if (m > 0) printf "intake ratio HTTP / raw 1 row + 1 event: %.2f (for reference)\n", h / m
}'
fi

# ---- (b) a work queue on a big database ------------------------------------
[ "${BENCH_SKIP_QUEUE:-}" = 1 ] && exit 0
qdb=${BENCH_QUEUE_DB:-$BUILD/bench/queue-$qn.db}
# make_demo N FILE: a year of a province by `motcua demo` (once, cached).
make_demo() {
	echo "bench: making $2 with motcua demo --dossiers $1 (once; this takes long: see docs/demo.md)"
	t0=$(date +%s)
	"$bin" init --db "sqlite:$2" >"$tmp/qinit.log" 2>&1 &&
		"$bin" demo --db "sqlite:$2" --dossiers "$1" --seed 1 >"$2.demo.log" ||
		{ tail "$2.demo.log"; echo "bench: demo failed"; rm -f "$2"; exit 1; }
	echo "bench: made in $(( $(date +%s) - t0 )) s"
}
if [ ! -f "$qdb" ] && [ "$qn" -gt 200000 ]; then
	# Past one year of demo data: the demo's year plus earlier, closed
	# years copied from it (bench/make-queue-db.sh says how).
	qbase=$BUILD/bench/queue-200000.db
	[ -f "$qbase" ] || make_demo 200000 "$qbase"
	"$bin" init --db "sqlite:$qbase" >"$tmp/qinit.log" 2>&1
	echo "bench: making $qdb from $qbase (earlier years copied; once)"
	t0=$(date +%s)
	sh bench/make-queue-db.sh "$qbase" "$qdb" "$qn" ||
		{ echo "bench: make-queue-db failed"; exit 1; }
	echo "bench: made in $(( $(date +%s) - t0 )) s"
elif [ ! -f "$qdb" ]; then
	make_demo "$qn" "$qdb"
fi
# A cached database may predate a migration of this binary: migrate it.
"$bin" init --db "sqlite:$qdb" >"$tmp/qinit.log" 2>&1 ||
	{ tail "$tmp/qinit.log"; echo "bench: init of $qdb failed"; exit 1; }
pw=$(awk -F'\t' '$1 == "tiepnhan.canhthuy" { print $2 }' "$qdb.logins" 2>/dev/null)
[ -n "$pw" ] || { echo "bench: no password for tiepnhan.canhthuy in $qdb.logins"; exit 1; }
n_dossiers=$(sqlite3 "$qdb" "SELECT count(*) FROM dossiers" 2>/dev/null || echo "?")
size_mb=$(du -m "$qdb" | cut -f1)
set_pin "${BENCH_PIN:-1}"
start_server "sqlite:$qdb"
jar=$tmp/jar
curl -s -c "$jar" -b "$jar" -o "$tmp/login.html" "$base/dang-nhap"
nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$tmp/login.html" | sed 's/.*value="//; s/"$//')
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
	--data-urlencode "username=tiepnhan.canhthuy" --data-urlencode "password=$pw" \
	--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/mot-cua" "$base/dang-nhap")
[ "$code" = 303 ] || { echo "bench: login failed ($code)"; exit 1; }
export BENCH_COOKIE="mc_session=$(awk '$6 == "mc_session" { print $7 }' "$jar")"
echo "queue: $n_dossiers dossiers, ${size_mb} MB ($qdb); receiver of Phường Cảnh Thụy"
echo "queue: $(pin_note); wrk -t$threads -c$qconns, $rounds rounds of ${secs}s per page; p99: median of the rounds (each round's in brackets)"
printf "%-36s %10s %9s %9s %9s  %s\n" "page" "req/s" "p50 ms" "p90 ms" "p99 ms" "rounds' p99 ms"
# One page: rounds of wrk; prints req/s, p50, p90 of the last round and
# the median p99 of the rounds (a VM's stolen time can hit one round).
queue_page() {
	_label=$1
	shift
	_all=
	_r=0
	while [ $_r -lt "$rounds" ]; do
		bwrk -t"$threads" -c"$qconns" -d"${secs}s" --latency "$@" >"$tmp/q.wrk" 2>&1
		_all="$_all $(wrk_p99 "$tmp/q.wrk")"
		_r=$((_r + 1))
	done
	_med=$(echo "$_all" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf "%-36s %10.0f %9.2f %9.2f %9.2f  [%s ]%s\n" "$_label" "$(wrk_rps "$tmp/q.wrk")" \
		"$(wrk_pct "$tmp/q.wrk" 50)" "$(wrk_pct "$tmp/q.wrk" 90)" "$_med" "$_all" \
		"$(awk '/^not_200/ && $2 > 0 { printf "; non-200: %d", $2 }' "$tmp/q.wrk")"
}
# The server's hello-world in the same run, for the machine's share of the
# tail.
bwrk -t1 -c2 -d1s "$base/healthz" >/dev/null 2>&1
queue_page "/healthz (same server, same run)" "$base/healthz"
for path in /mot-cua/hang-doi/receiver /api/v1/queues/receiver \
	/api/v1/queues/receiver?muc=overdue /api/v1/queues/receiver?trang=3; do
	export BENCH_PATH="$path"
	bwrk -t1 -c2 -d1s -s bench/bench_queue.lua "$base" >/dev/null 2>&1
	queue_page "$path" -s bench/bench_queue.lua "$base"
done
stop_server
echo "aims: intake >= 0.70 of raw; queue p99 < 50 ms (on 10 million dossiers)"
