#!/bin/sh
# test_calendar_due.sh - `motcua calendar due` and `motcua calendar between`
# through the real binary ($MOTCUA_BIN, default build/motcua), on the
# shipped schedule: receipt rules, units, the 2026 schedule, pauses,
# restart, policies, JSON, and the errors (never a made-up date). When
# MOTCUA_TEST_DB is set (run.sh), also a desk read from that database
# (read only). Ends with "calendar-due: N passed, M failed".

BIN=${MOTCUA_BIN:-build/motcua}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/motcua-due.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
DB=${MOTCUA_TEST_DB:-}
unset MOTCUA_DB
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run WANT_STATUS ARGS...: `motcua calendar ARGS`; output in $T/out, $T/err.
run() {
	want_rc=$1
	shift
	"$BIN" calendar "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		ko "calendar $*: exit $rc, want $want_rc"
		sed 's/^/  stderr: /' "$T/err" | head -5
		return 1
	fi
	return 0
}

# due NAME WANT ARGS...: the "due:" line of `calendar due ARGS` starts WANT.
due() {
	name=$1 want=$2
	shift 2
	run 0 due "$@" || return
	got=$(sed -n 's/^due: *//p' "$T/out")
	case $got in
	"$want"*) ok ;;
	*) ko "$name: due '$got', want '$want'" ;;
	esac
}

# json NAME FIXED ARGS...: `calendar due --json ARGS` prints FIXED.
json() {
	name=$1 want=$2
	shift 2
	run 0 due --json "$@" || return
	if grep -qF -- "$want" "$T/out"; then ok; else
		ko "$name: stdout '$(cat "$T/out")' lacks '$want'"
	fi
}

# fails NAME STATUS STDERR-FIXED ARGS...: the command fails with a reason.
fails() {
	name=$1 st=$2 msg=$3
	shift 3
	run "$st" "$@" || return
	if [ -s "$T/out" ]; then
		ko "$name: printed a result: $(cat "$T/out")"
	elif grep -qF -- "$msg" "$T/err"; then ok; else
		ko "$name: stderr '$(cat "$T/err")' lacks '$msg'"
	fi
}

WD3="3 ngày làm việc"
# Receipt rules (default desk: Mon-Fri 07:30-11:30, 13:30-17:00, cut-off 15:00).
due "Friday evening" "2026-03-12 17:00" --start "2026-03-06 17:30" --duration "$WD3"
due "11:29" "2026-03-11 07:59" --start "2026-03-10 11:29" --duration "04 giờ làm việc"
due "11:31" "2026-03-11 08:00" --start "2026-03-10 11:31" --duration "04 giờ làm việc"
due "14:59 same day" "2026-03-10 17:00" --start "2026-03-10 14:59" --duration "Trong ngày"
due "15:01 same day" "2026-03-11 17:00" --start "2026-03-10 15:01" --duration "Trong ngày"
due "17:01" "2026-03-12 17:00" --start "2026-03-10 17:01" --duration "1 ngày làm việc"
# The 2026 schedule.
due "holiday inside" "2026-05-06 17:00" --start "2026-04-29 09:00" --duration "$WD3"
due "make-up Saturday" "2026-08-22 17:00" --start "2026-08-21 10:00" --duration "1 ngày làm việc"
due "swapped Monday" "2026-09-03 17:00" --start "2026-08-28 10:00" --duration "1 ngày làm việc"
due "new year" "2026-01-07 17:00" --start "2025-12-31 10:00" --duration "$WD3"
due "Tết" "2026-02-23 17:00" --start "2026-02-12 16:00" --duration "1 ngày làm việc"
due "holiday on a Sunday" "2026-04-28 17:00" --start "2026-04-24 10:00" --duration "1 ngày làm việc"
# Units.
due "1 ngày" "2026-03-10 17:00" --start "2026-03-09 08:00" --duration "1 ngày"
due "8 giờ" "2026-03-10 08:30" --start "2026-03-09 08:00" --duration "8 giờ"
due "15 ngày" "2026-03-17 17:00" --start "2026-03-02 09:00" --duration "15 ngày"
due "code" "2026-03-12 17:00" --start "2026-03-06 17:30" --duration 3wd
# Pauses, restart, policies, desk text.
due "four supplements" "2026-03-19 11:30" --start "2026-03-02 09:00" \
	--duration "10 ngày làm việc" \
	--pause "2026-03-12 16:00/2026-03-13 16:00" \
	--pause "2026-03-03 09:00/2026-03-04 09:00" \
	--pause "2026-03-06 15:00/2026-03-09 08:30" \
	--pause "2026-03-11 11:00/2026-03-11 14:00"
due "restart" "2026-03-11 17:00" --start "2026-03-02 09:00" --duration "$WD3" \
	--restart "2026-03-05 15:30"
due "hour-exact" "2026-03-13 10:00" --start "2026-03-10 10:00" --duration "$WD3" \
	--policy hour-exact
SAT="mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30; cutoff 15:00"
due "Saturday reception" "2026-03-09 17:00" --start "2026-03-07 09:00" \
	--duration "Trong ngày" --hours "$SAT"
due "Saturday counted" "2026-03-07 11:30" --start "2026-03-07 09:00" \
	--duration "Trong ngày" --hours "$SAT" --rest-day-sessions
due "no cut-off" "2026-03-10 17:00" --start "2026-03-10 16:00" \
	--duration "Trong ngày" --hours "mon-fri 07:30-11:30,13:30-17:00; cutoff none"
# Steps.
if run 0 due --start "2026-03-09 08:00" --duration "$WD3" --steps 1,1,1; then
	if grep -q '^step 2: *2026-03-11 17:00' "$T/out"; then ok; else
		ko "steps: $(cat "$T/out")"
	fi
fi
# JSON.
json "json due (the issue's example)" '{"due":"2026-02-23T17:00:00+07:00"' \
	--start "2026-02-12 16:00" --duration "1 ngày làm việc"
json "json start" '"start":"2026-02-13T07:30:00+07:00"' \
	--start "2026-02-12 16:00" --duration "1 ngày làm việc"
json "json provisional" '"provisional_years":[2027]' \
	--start "2027-03-02 09:00" --duration "$WD3"
# between.
if run 0 between "2026-03-09 08:00" "2026-03-10 08:30" --json; then
	if grep -qF '"working_minutes":480' "$T/out"; then ok; else
		ko "between json: $(cat "$T/out")"
	fi
fi
if run 0 between "2026-02-13 07:30" "2026-02-23 07:30"; then
	if grep -qF '7 giờ 30 phút làm việc' "$T/out"; then ok; else
		ko "between over Tết: $(cat "$T/out")"
	fi
fi
if run 0 between "2026-03-09 08:30" "2026-03-06 16:00" --json; then
	if grep -qF '"working_minutes":-120' "$T/out"; then ok; else
		ko "between reversed: $(cat "$T/out")"
	fi
fi
# Errors: a reason, no date.
fails "out of range" 1 "outside the calendar" due --start "2250-01-01 09:00" --duration "$WD3"
fails "due after the range" 1 "last year of the calendar" due --start "2199-12-30 09:00" --duration "$WD3"
fails "no unit" 2 "unit is missing" due --start "2026-03-02 09:00" --duration "1"
fails "bad time" 2 "--start" due --start "02/03/2026 09:00" --duration "$WD3"
fails "bad pause" 2 "ends before it starts" due --start "2026-03-02 09:00" \
	--duration "$WD3" --pause "2026-03-04 09:00/2026-03-03 09:00"
fails "bad policy" 2 "unknown policy" due --start "2026-03-02 09:00" \
	--duration "$WD3" --policy fast
fails "bad hours" 2 "session" due --start "2026-03-02 09:00" --duration "$WD3" \
	--hours "mon-fri 17:00-07:30"
fails "desk without db" 1 "desks live in the database" due \
	--start "2026-03-02 09:00" --duration "$WD3" --desk 00004
fails "missing duration" 2 "required" due --start "2026-03-02 09:00"
fails "between one arg" 2 "usage" between "2026-03-02 09:00"
# A desk read from the database (00004 has the default hours after init).
if [ -n "$DB" ]; then
	due "desk from db" "2026-03-11 17:00" --db "$DB" --desk 00004 \
		--start "2026-03-10 15:30" --duration "Trong ngày"
	fails "unknown desk" 1 "unknown desk" due --db "$DB" --desk 99999 \
		--start "2026-03-10 15:30" --duration "Trong ngày"
fi
echo "calendar-due: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
