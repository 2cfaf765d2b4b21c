#!/bin/sh
# pg.sh - a throwaway PostgreSQL cluster for tests.
#   sh tests/pg.sh start DIR   initdb in DIR/data, listen on 127.0.0.1 only
#                              (a free port, trust auth there and on the
#                              socket in DIR), create database motcua_test,
#                              print postgresql://postgres@127.0.0.1:PORT/motcua_test
#   sh tests/pg.sh stop DIR    stop it (DIR stays; remove it yourself)
# As root the server runs as the `postgres` user (initdb refuses root);
# DIR is chowned to it, so DIR's parent must be traversable (e.g. /tmp).
set -eu
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: sh tests/pg.sh start|stop DIR" >&2; exit 2; }

as_owner() { # runs a command as the cluster's owner
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_busy() { # is anything listening on 127.0.0.1/any address at port $1?
	hex=$(printf ':%04X ' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A"' |
		grep -q "$hex"
}

case $cmd in
start)
	mkdir -p "$dir"
	chmod 700 "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 \
			--locale=C.UTF-8 --auth=trust >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2; exit 1; }
		# Trust only the socket in DIR (mode 0700) and 127.0.0.1.
		as_owner sh -c "printf '%s\n' \
			'local all all trust' \
			'host all all 127.0.0.1/32 trust' > '$dir/data/pg_hba.conf'"
	fi
	tries=0
	while :; do
		port=$(( 20000 + ($$ + $(date +%N | sed 's/^0*//;s/^$/0/')) % 40000 ))
		tries=$((tries + 1))
		[ "$tries" -le 20 ] || { tail -20 "$dir/server.log" >&2; exit 1; }
		port_busy "$port" && continue
		if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" \
			start >/dev/null 2>&1; then
			break
		fi
	done
	echo "$port" >"$dir/port"
	psql="$PG_BIN/psql -X -q -h 127.0.0.1 -p $port -U postgres -d postgres"
	$psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'motcua_test'" |
		grep -q 1 || $psql -c 'CREATE DATABASE motcua_test' >/dev/null
	echo "postgresql://postgres@127.0.0.1:$port/motcua_test"
	;;
stop)
	[ -f "$dir/data/PG_VERSION" ] || exit 0
	as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
*)
	echo "usage: sh tests/pg.sh start|stop DIR" >&2; exit 2
	;;
esac
