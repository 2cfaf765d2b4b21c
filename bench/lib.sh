# bench/lib.sh - what the wrk benchmarks share; sourced after `bin` and
# `tmp` are set (the caller's trap stops the server: stop_server).
#
# CPUs: `set_pin 1` runs the servers started next on the first half of
# the CPUs and wrk on the other half (taskset), so that the load
# generator's scheduling does not show in the server's latency: on a
# 2-core machine wrk's threads and the server's otherwise take turns on the
# same cores and a request waits for a time slice of wrk (the p99 of
# /healthz itself reached 30-90 ms that way). `set_pin 0`: both share all
# CPUs. Pinning needs at least 2 CPUs and taskset; without them it is off.

pid=
server_pin=
load_pin=
set_pin() {
	server_pin=
	load_pin=
	[ "$1" = 1 ] && command -v taskset >/dev/null || return 0
	_n=$(nproc)
	[ "$_n" -ge 2 ] || return 0
	_h=$((_n / 2))
	server_pin="taskset -c 0-$((_h - 1))"
	load_pin="taskset -c $_h-$((_n - 1))"
}

# start_server DB [ARGS...]: serve on a port the kernel picks; sets base
# and pid.
start_server() {
	_db=$1
	shift
	$server_pin "$bin" serve --db "$_db" --listen 127.0.0.1:0 "$@" \
		>"$tmp/serve.out" 2>"$tmp/serve.log" &
	pid=$!
	base=
	_i=0
	until [ -n "$base" ] && curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
			tail -5 "$tmp/serve.log"; echo "bench: server did not start"; exit 1
		fi
		sleep 0.1
		base=$(sed -n 's/^motcua: serving \(http:.*\)$/\1/p' "$tmp/serve.out")
	done
}
stop_server() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}
# wrk with the load generator's CPUs.
bwrk() { $load_pin wrk "$@"; }
# Latency text ("812.00us", "3.10ms", "1.02s") to milliseconds.
to_ms() {
	echo "$1" | awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.2f", v }'
}
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p { print $2 }' "$1")"; }
wrk_p99() { wrk_pct "$1" 99; }
# The CPUs used, for the report's first line.
pin_note() {
	if [ -n "$server_pin" ]; then
		echo "server on CPUs ${server_pin#taskset -c }, wrk on ${load_pin#taskset -c }"
	else
		echo "server and wrk share the CPUs"
	fi
}
