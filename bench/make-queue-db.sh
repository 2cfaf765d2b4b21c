#!/bin/sh
# bench/make-queue-db.sh BASE.db OUT.db N - a big database for the queue
# benchmark of bench/run-dossier.sh, made fast from a `motcua demo`
# database BASE (one year of a province, e.g. 200,000 dossiers): OUT gets
# BASE's year as it is plus earlier years copied from it until it holds N
# dossier rows. Each earlier year k is BASE's dossiers moved back k x 365
# days, with codes suffixed "-Yk", every one of them closed (an open
# dossier of BASE becomes "returned"): the history a desk accumulates,
# which a work queue must not slow down on. Only the dossiers table grows
# (a queue page reads nothing else); events, components and the audit log
# stay BASE's, so the file is smaller than a real one of N dossiers
# (docs/demo.md says so beside the figures). Needs the sqlite3 shell.
set -eu
base=$1 out=$2 n=$3
[ -f "$base" ] || { echo "make-queue-db: no $base" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "make-queue-db: needs sqlite3" >&2; exit 1; }
tmp=$out.part
rm -f "$tmp" "$tmp-wal" "$tmp-shm"
sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$base" "$tmp"
[ -f "$base.logins" ] && cp "$base.logins" "$out.logins"
have=$(sqlite3 "$tmp" "SELECT count(*) FROM dossiers")
per=$have
[ "$per" -gt 0 ] || { echo "make-queue-db: $base has no dossiers" >&2; exit 1; }
# The columns copied as they are: all but the ones the copy changes.
cols=$(sqlite3 "$tmp" "SELECT group_concat(name, ', ') FROM pragma_table_info('dossiers')
	WHERE name NOT IN ('id', 'code', 'state', 'resume_state', 'active',
	'submitted_at', 'received_at', 'due_at', 'original_due_at', 'approach_at',
	'finished_at', 'closed_at', 'restart_at', 'book_year', 'created_at',
	'updated_at')")
k=0
while [ "$have" -lt "$n" ]; do
	k=$((k + 1))
	want=$((n - have))
	[ "$want" -gt "$per" ] && want=$per
	s=$((k * 365 * 86400))
	# shellcheck disable=SC2016
	sqlite3 "$tmp" "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;
	INSERT INTO dossiers (code, state, resume_state, active, submitted_at,
		received_at, due_at, original_due_at, approach_at, finished_at,
		closed_at, restart_at, book_year, created_at, updated_at, $cols)
	SELECT code || '-Y$k',
		CASE WHEN active = 1 THEN 'returned' ELSE state END,
		CASE WHEN active = 1 THEN 'returned' ELSE resume_state END, 0,
		CASE WHEN submitted_at > 0 THEN submitted_at - $s ELSE submitted_at END,
		received_at - $s, due_at - $s, original_due_at - $s,
		approach_at - $s,
		CASE WHEN finished_at > 0 THEN finished_at - $s ELSE due_at - $s END,
		CASE WHEN closed_at > 0 THEN closed_at - $s ELSE due_at - $s END,
		CASE WHEN restart_at > 0 THEN restart_at - $s ELSE restart_at END,
		book_year - $k, created_at - $s, updated_at - $s, $cols
	FROM dossiers WHERE code NOT LIKE '%-Y%' ORDER BY id LIMIT $want;" >/dev/null
	have=$((have + want))
	printf '\rmake-queue-db: %d / %d dossiers' "$have" "$n" >&2
done
echo >&2
sqlite3 "$tmp" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
mv "$tmp" "$out"
rm -f "$tmp-wal" "$tmp-shm"
