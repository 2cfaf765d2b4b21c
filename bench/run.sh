#!/bin/sh
# bench/run.sh [BIN] - wrk on loopback against one motcua server: /healthz
# (its hello-world floor), a procedure page and a search, side by side in
# one run. Prints requests/s, p99 latency, each ratio to /healthz and the
# server's peak RSS. Read bench/README.md for what the figures mean.
# Env: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_PORT (default: a port the kernel picks), MOTCUA_DB (default: a temporary
# SQLite database made with `motcua init`).
set -u
bin=${1:-${MOTCUA_BIN:-build/motcua}}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x "$bin" ] || { echo "bench: no binary $bin (run make)"; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

db=${MOTCUA_DB:-sqlite:$tmp/bench.db}
if [ -z "${MOTCUA_DB:-}" ]; then
	"$bin" init --db "$db" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log"; echo "bench: init failed"; exit 1; }
fi

"$bin" serve --db "$db" --listen "127.0.0.1:${BENCH_PORT:-0}" \
	>"$tmp/serve.out" 2>"$tmp/serve.log" &
pid=$!
base=
i=0
until [ -n "$base" ] && curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 150 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$tmp/serve.log"; echo "bench: server did not start"; exit 1
	fi
	sleep 0.1
	base=$(sed -n 's/^motcua: serving \(http:.*\)$/\1/p' "$tmp/serve.out")
done

# name|path
targets="hello-world|/healthz
procedure|/thu-tuc/1.000894
search|/thu-tuc?q=dang%20ky%20ket%20hon"

# Latency text ("812.00us", "3.10ms", "1.02s") to milliseconds.
to_ms() {
	echo "$1" | awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.2f", v }'
}

echo "$targets" | while IFS='|' read -r name path; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
	[ "$code" = 200 ] || echo "bench: warning: $path answers $code"
	# Warm up caches (templates, search index, statement cache).
	wrk -t1 -c4 -d1s "$base$path" >/dev/null 2>&1
	wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$base$path" >"$tmp/$name.wrk" 2>&1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/$name.wrk")
	p99=$(awk '$1 == "99%" { print $2 }' "$tmp/$name.wrk")
	errs=$(awk '/Non-2xx|Socket errors/ { print }' "$tmp/$name.wrk" | tr '\n' ' ')
	echo "$name|$path|${rps:-0}|$(to_ms "${p99:-0ms}")|$errs" >>"$tmp/results"
done

rss_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
now_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)

echo "motcua bench: wrk -t$threads -c$conns -d${secs}s on $base ($(nproc) cores)"
awk -F'|' '
	NR == 1 { base_rps = $3; base_p99 = $4 }
	{ rows[NR] = $0 }
	END {
		printf "%-12s %-36s %10s %9s %9s %9s\n", "target", "path", "req/s", "p99 ms", "rps/hw", "p99/hw"
		for (i = 1; i <= NR; i++) {
			split(rows[i], f, "|")
			rr = 0; pr = 0; note = ""
			if (base_rps > 0) rr = f[3] / base_rps
			if (base_p99 > 0) pr = f[4] / base_p99
			if (f[5] != "") note = "  (" f[5] ")"
			printf "%-12s %-36s %10.0f %9.2f %9.2f %9.2f%s\n", f[1], f[2], f[3], f[4], rr, pr, note
		}
	}' "$tmp/results"
echo "server RSS: peak ${rss_kb:-?} kB, now ${now_kb:-?} kB"
echo "aims: procedure >= 0.40 and search >= 0.20 of hello-world req/s; p99 < 20 ms at 64 connections; RSS < 50 MB"
