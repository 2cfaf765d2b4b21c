#!/bin/sh
# bench/citizen_upload.sh [BIN] - part (b) of bench/run-citizen.sh (engineer
# "online", issue 6): the server's memory around the online submission of a
# 5 MB file (POST /api/v1/submissions, multipart, streamed to the file
# store, sniffed by libmagic). VmRSS and VmHWM of the server process are
# read from /proc/PID/status after a small warm-up submission, then after
# one 5 MB submission and after 5 more. Aim: RSS growth < 1 MB (1024 kB).
# Not a test: prints figures (docs/citizen.md); exits 1 only when it could
# not measure.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${1:-${MOTCUA_BIN:-build/motcua}}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "bench: no binary $bin (run make)"; exit 1; }
tmp=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
. bench/lib.sh

db=sqlite:$tmp/upload.db
"$bin" init --db "$db" >"$tmp/init.log" 2>&1 || { tail "$tmp/init.log"; echo "bench: init failed"; exit 1; }
# the demo gives the desks their agency identifiers (dossier codes)
"$bin" demo --db "$db" --dossiers 1 --communes 1 >"$tmp/demo.log" 2>&1 ||
	{ tail "$tmp/demo.log"; echo "bench: demo failed"; exit 1; }
start_server "$db" --data-dir "$tmp/data"
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }

# A PDF of 5 MB (5 * 1024 * 1024 bytes of content after the header).
{ printf '%%PDF-1.4\n%%\342\343\317\323\n'; head -c 5242880 /dev/urandom; printf '\n%%%%EOF\n'; } >"$tmp/big.pdf"
printf '%%PDF-1.4\n%%\342\343\317\323\n%%%%EOF\n' >"$tmp/small.pdf"
submit() { # submit FILE N: one online submission; prints the status
	curl -s -o "$tmp/answer.json" -w '%{http_code}' \
		-H "Idempotency-Key: bench-upload-$$-$2-0123456789" \
		-F procedure=1.003930 -F unit=07738 -F kind=person \
		-F "name=Nguyễn Thị Lan" -F id_number=027190001234 \
		-F phone=0912345678 -F consent=1 -F "f1=@$1" \
		"$base/api/v1/submissions"
}
# Warm-up: small submissions until every worker thread has served some
# (its arena, its database connection and SQLite's page cache, libmagic).
for k in $(seq 1 20); do
	st=$(submit "$tmp/small.pdf" w$k)
	[ "$st" = 201 ] || { head -c 300 "$tmp/answer.json"; echo; echo "bench: warm-up answered $st"; exit 1; }
done
rss0=$(kb VmRSS) hwm0=$(kb VmHWM) anon0=$(kb RssAnon)
st=$(submit "$tmp/big.pdf" b1)
[ "$st" = 201 ] || { head -c 300 "$tmp/answer.json"; echo; echo "bench: 5 MB upload answered $st"; exit 1; }
rss1=$(kb VmRSS) hwm1=$(kb VmHWM) anon1=$(kb RssAnon)
for k in $(seq 2 ${BENCH_UPLOADS:-6}); do submit "$tmp/big.pdf" b$k >/dev/null; done
rss5=$(kb VmRSS) hwm5=$(kb VmHWM) anon5=$(kb RssAnon)
# the same 6 submissions with a small file: what the dossiers themselves cost
for k in 1 2 3 4 5 6; do submit "$tmp/small.pdf" s$k >/dev/null; done
rss6=$(kb VmRSS)
stored=$(find "$tmp/data" -path "$tmp/data/tmp" -prune -o -type f -size +5000k -print | wc -l)
printf "%-46s %10s %10s %10s\n" "online submission of a 5 MB PDF" "VmRSS kB" "VmHWM kB" "RssAnon kB"
printf "%-46s %10s %10s %10s\n" "before (after 20 small warm-up submissions)" "$rss0" "$hwm0" "$anon0"
printf "%-46s %10s %10s %10s\n" "after one 5 MB submission" "$rss1" "$hwm1" "$anon1"
printf "%-46s %10s %10s %10s\n" "after $(( ${BENCH_UPLOADS:-6} - 1 )) more (same content: stored once)" "$rss5" "$hwm5" "$anon5"
printf "%-46s %10s\n" "after 6 small submissions (dossiers only)" "$rss6"
awk -v a="$rss0" -v b="$rss1" -v c="$rss5" -v d="$rss6" -v h0="$hwm0" -v h1="$hwm1" -v s="$stored" 'BEGIN {
	printf "upload RSS growth: %d kB for one 5 MB file (peak +%d kB), %d kB after all; 6 small ones then add %d kB; %d file(s) of 5 MB stored (aim < 1024 kB for one: %s)\n",
		b - a, h1 - h0, c - a, d - c, s, (b - a < 1024) ? "met" : "NOT met"
}'
