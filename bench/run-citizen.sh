#!/bin/sh
# bench/run-citizen.sh [BIN] - the citizen-services benchmarks of issue 6:
#  (a) the lookup page (engineer "lookup"): GET /tra-cuu/{code}?ma=SECRET,
#      the receipt QR's link (factor check, throttle check, the dossier's
#      public model with its timeline, the page rendered), side by side with
#      the same server's hello-world GET /healthz, same wrk settings, on a
#      dossier with a few events. Aim: lookup rps / healthz rps >= 0.40.
#  (b) reserved for engineer "online": upload of a 5 MB file, server RSS
#      growth < 1 MB.
# Env: BENCH_SECONDS (10, per side), BENCH_ROUNDS (5: the sides alternate),
# BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_SKIP_LOOKUP=1,
# BENCH_SERVE_ARGS (added to `motcua serve` of the lookup, e.g. "--threads
# 4"; default none). Figures: docs/citizen.md.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${1:-${MOTCUA_BIN:-build/motcua}}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
secs=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNECTIONS:-16}
rounds=${BENCH_ROUNDS:-5}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x "$bin" ] || { echo "bench: no binary $bin (run make)"; exit 1; }

tmp=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. bench/lib.sh
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { n = $5 } END { print n + 0 }' "$1"; }

echo "motcua bench (citizen services): $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- (a) the lookup page beside /healthz -----------------------------------
if [ "${BENCH_SKIP_LOOKUP:-}" != 1 ]; then
db=sqlite:$tmp/lookup.db
"$bin" init --db "$db" >"$tmp/init.log" 2>&1 || { tail "$tmp/init.log"; echo "bench: init failed"; exit 1; }
# The demo desk gets its agency identifier (dossier codes).
"$bin" demo --db "$db" --dossiers 1 --communes 1 >"$tmp/demo.log" 2>&1 ||
	{ tail "$tmp/demo.log"; echo "bench: demo failed"; exit 1; }
token=$("$bin" token create bench-lookup --role receiver --unit 07738 --db "$db" 2>"$tmp/token.err" |
	grep -o 'mct_[0-9a-f]*' | head -1)
[ -n "$token" ] || { cat "$tmp/token.err"; echo "bench: no token"; exit 1; }
start_server "$db" ${BENCH_SERVE_ARGS:-}
# One dossier received at the counter, forwarded once: a timeline of two
# public events, as a citizen typically finds it.
curl -s -o "$tmp/created.json" -H "Authorization: Bearer $token" \
	-H 'Content-Type: application/json' --data-binary '{"desk":"07738",
"procedure":"2.000908","channel":"truc_tiep","applicant":{"kind":"person",
"name":"Nguyễn Thị Lan","id_number":"027190001234","phone":"0912345678",
"address_unit":"07738","address_street":"Số 12 đường Lê Lợi"},
"components":[{"seq":1,"mode":"original","originals":1},
{"seq":2,"mode":"original","originals":1}]}' "$base/api/v1/dossiers"
code=$(grep -o '"code":"[^"]*"' "$tmp/created.json" | head -1 | sed 's/.*:"//; s/"$//')
secret=$(grep -o '"secret":"[a-z0-9]*"' "$tmp/created.json" | head -1 | sed 's/.*:"//; s/"$//')
[ -n "$code" ] && [ -n "$secret" ] || { head -c 300 "$tmp/created.json"; echo; echo "bench: no dossier"; exit 1; }
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	--data-binary '{"action":"forward","version":1}' "$base/api/v1/dossiers/$code/actions"
page="/tra-cuu/$code?ma=$secret"
st=$(curl -s -o "$tmp/page.html" -w '%{http_code}' "$base$page")
[ "$st" = 200 ] || { echo "bench: lookup page answered $st"; exit 1; }
bytes=$(wc -c <"$tmp/page.html")
[ -n "${BENCH_KEEP_PAGE:-}" ] && cp "$tmp/page.html" "$BENCH_KEEP_PAGE"

# Interleaved rounds: a machine whose load changes during the run (other
# builds, other benchmarks) weighs on both sides alike.
wrk -t1 -c2 -d1s "$base/healthz" >/dev/null 2>&1
wrk -t1 -c2 -d1s "$base$page" >/dev/null 2>&1
per=$(( (secs + rounds - 1) / rounds ))
: >"$tmp/h.all"; : >"$tmp/l.all"
# The server's own CPU time (utime + stime, clock ticks) per side: under a
# load from other processes, CPU per request is steadier than rps.
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
wrk_n() { awk '/requests in/ { print $1 }' "$1"; }
hc=0 lc=0 hn=0 ln=0
r=0
while [ $r -lt "$rounds" ]; do
	c0=$(cpu)
	wrk -t"$threads" -c"$conns" -d"${per}s" --latency "$base/healthz" >"$tmp/h.wrk" 2>&1
	c1=$(cpu)
	wrk -t"$threads" -c"$conns" -d"${per}s" --latency "$base$page" >"$tmp/l.wrk" 2>&1
	c2=$(cpu)
	wrk_rps "$tmp/h.wrk" >>"$tmp/h.all"
	wrk_rps "$tmp/l.wrk" >>"$tmp/l.all"
	hc=$((hc + c1 - c0)) lc=$((lc + c2 - c1))
	hn=$((hn + $(wrk_n "$tmp/h.wrk"))) ln=$((ln + $(wrk_n "$tmp/l.wrk")))
	r=$((r + 1))
done
hz=$(getconf CLK_TCK)
stop_server
h_rps=$(awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }' "$tmp/h.all")
l_rps=$(awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }' "$tmp/l.all")
printf "%-34s %10s %9s  %s\n" "page" "req/s" "p99 ms" "note"
printf "%-34s %10.0f %9.2f  %s\n" "GET /healthz (hello-world)" "${h_rps:-0}" "$(wrk_p99 "$tmp/h.wrk")" \
	"wrk -t$threads -c$conns, $rounds x ${per}s: $(tr '\n' ' ' <"$tmp/h.all")"
printf "%-34s %10.0f %9.2f  %s\n" "GET /tra-cuu/{code}?ma=SECRET" "${l_rps:-0}" "$(wrk_p99 "$tmp/l.wrk")" \
	"$bytes bytes; $(tr '\n' ' ' <"$tmp/l.all"); non-2xx: $(wrk_non2xx "$tmp/l.wrk")"
awk -v hc="$hc" -v lc="$lc" -v hn="$hn" -v ln="$ln" -v hz="$hz" 'BEGIN {
	if (hn > 0 && ln > 0 && lc > 0)
		printf "server CPU per request: healthz %.0f us, lookup %.0f us; CPU ratio healthz / lookup: %.2f\n",
			hc * 1e6 / hz / hn, lc * 1e6 / hz / ln, (hc / hn) / (lc / ln)
}'
awk -v l="${l_rps:-0}" -v h="${h_rps:-0}" 'BEGIN {
	if (h > 0) printf "lookup ratio lookup / healthz: %.2f (aim >= 0.40)\n", l / h
}'
fi

# ---- (b) upload memory (engineer "online") ---------------------------------
# the script is bench/citizen_upload.sh (BENCH_UPLOADS: 5 MB submissions, 6)
sh bench/citizen_upload.sh "$bin"
