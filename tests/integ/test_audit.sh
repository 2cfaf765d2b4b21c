#!/bin/sh
# test_audit.sh - `motcua audit verify | anchor | list` through the real
# binary. The chain is written here by the shell, with sha256sum over the
# format of docs/audit.md (so the documented format is the one the binary
# checks), into a SQLite file made by `motcua init`; then each kind of
# tampering is done with sqlite3 on a copy and `motcua audit verify` must
# exit 1 naming the entry (the cut-off tail: only with --anchor).
# db: none (makes its own database; tampers with sqlite3)
set -u
BIN=${MOTCUA_BIN:-build/motcua}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/motcua-audit.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # name expected actual
	if [ "$2" = "$3" ]; then ok; else ko "$1: expected '$2', got '$3'"; fi
}
DB=$TMP/m.db
ZERO=0000000000000000000000000000000000000000000000000000000000000000

if ! "$BIN" init --db "sqlite:$DB" >"$TMP/init.out" 2>&1; then
	ko "init: $(tail -3 "$TMP/init.out")"
	echo "audit: $pass passed, $fail failed"
	exit 1
fi

# field NAME VALUE|-: one line of the canonical content (ASCII values).
field() {
	if [ "$2" = "-" ]; then printf '%s=-\n' "$1"
	else printf '%s=%d:%s\n' "$1" "${#2}" "$2"; fi
}

# Appends N entries as audit_append would (id, at, actor, action, unit).
prev=$ZERO
sql=$TMP/fill.sql
echo "BEGIN;" >"$sql"
i=1
while [ $i -le 12 ]; do
	at=$((1767225600 + i * 60))
	case $((i % 3)) in 0) actor=lan ;; 1) actor=minh ;; *) actor=hoa ;; esac
	case $((i % 2)) in 0) action=login.ok; unit=- ;;
		*) action=user.update; unit=01 ;; esac
	before=-; after=-
	if [ $action = user.update ]; then
		before='{"role":"viewer"}'; after='{"role":"receiver"}'
	fi
	{
		printf 'motcua-audit-v1\n'
		field id $i; field at $at; field actor_id 1; field actor $actor
		field action $action; field object_type user
		field object_id "u$i"; field unit_code "$unit"
		field client 127.0.0.1; field before "$before"; field after "$after"
	} >"$TMP/canon"
	hash=$( { printf '%s' "$prev"; cat "$TMP/canon"; } | sha256sum | cut -c1-64)
	q() { if [ "$1" = "-" ]; then echo NULL; else echo "'$1'"; fi; }
	echo "INSERT INTO audit_log (id, at, actor_id, actor, action, object_type, object_id, unit_code, client, before_json, after_json, prev_hash, hash) VALUES ($i, $at, 1, '$actor', '$action', 'user', 'u$i', $(q "$unit"), '127.0.0.1', $(q "$before"), $(q "$after"), '$prev', '$hash');" >>"$sql"
	prev=$hash
	i=$((i + 1))
done
echo "COMMIT;" >>"$sql"
sqlite3 "$DB" <"$sql" || ko "sqlite3 could not fill the trail"
HEAD12=$prev

# verify DB: runs `motcua audit verify`, sets RC and OUT.
verify() {
	OUT=$("$BIN" audit verify --db "sqlite:$1" 2>&1)
	RC=$?
}
verify_args() {
	db=$1; shift
	OUT=$("$BIN" audit verify --db "sqlite:$db" "$@" 2>&1)
	RC=$?
}

verify "$DB"
check intact-rc 0 "$RC"
check intact-out "audit: 12 entries, chain intact" "$OUT"
verify_args "$DB" --json
check intact-json '{"ok":true,"checked":12}' "$OUT"

ANCHOR=$("$BIN" audit anchor --db "sqlite:$DB")
check anchor "12:$HEAD12" "$ANCHOR"
check anchor-json "{\"id\":12,\"hash\":\"$HEAD12\"}" \
	"$("$BIN" audit anchor --db "sqlite:$DB" --json)"
verify_args "$DB" --anchor "$ANCHOR"
check anchor-ok "0 audit: 12 entries, chain intact, anchor found" "$RC $OUT"
verify_args "$DB" --anchor "12:nothex"
check anchor-malformed 2 "$RC"
verify_args "$DB" --anchor "twelve"
check anchor-usage 2 "$RC"

# list: filters and formats.
"$BIN" audit list --db "sqlite:$DB" >"$TMP/list" 2>&1
check list-rc 0 $?
check list-footer "-- 12 of 12 entries, page 1 (newest first)" "$(tail -1 "$TMP/list")"
grep -q '^      12  2026-01-01 07:12  lan  ' "$TMP/list" && ok || ko "list: entry 12 line: $(head -1 "$TMP/list")"
grep -q 'after  {"role":"receiver"}' "$TMP/list" && ok || ko "list: after value"
n=$("$BIN" audit list --db "sqlite:$DB" --json --actor lan |
	sed -E 's/.*"total":([0-9]+).*/\1/')
check list-actor 4 "$n"
n=$("$BIN" audit list --db "sqlite:$DB" --json --action login. |
	sed -E 's/.*"total":([0-9]+).*/\1/')
check list-action 6 "$n"
n=$("$BIN" audit list --db "sqlite:$DB" --json --unit 01 --object-type user |
	sed -E 's/.*"total":([0-9]+).*/\1/')
check list-unit 6 "$n"
n=$("$BIN" audit list --db "sqlite:$DB" --json --from "2026-01-01 07:03" \
	--to "2026-01-01 07:05" | sed -E 's/.*"total":([0-9]+).*/\1/')
check list-time 2 "$n"
n=$("$BIN" audit list --db "sqlite:$DB" --json --to 2026-01-01 |
	sed -E 's/.*"total":([0-9]+).*/\1/')
check list-to-whole-day 12 "$n"
"$BIN" audit list --db "sqlite:$DB" --per-page 5 --page 3 >"$TMP/p3"
check list-page "-- 2 of 12 entries, page 3 (newest first)" "$(tail -1 "$TMP/p3")"
"$BIN" audit list --db "sqlite:$DB" --from yesterday >/dev/null 2>&1
check list-bad-date 2 $?
"$BIN" audit list --db "sqlite:$DB" --per-page 500 >/dev/null 2>&1
check list-bad-per-page 2 $?
"$BIN" audit frobnicate >/dev/null 2>&1
check unknown-sub 2 $?

# tamper NAME SQL: a copy of the trail with SQL applied; sets T.
tamper() {
	T=$TMP/$1.db
	sqlite3 "$DB" ".backup '$T'" && sqlite3 "$T" "$2" ||
		ko "$1: sqlite3 failed"
}

tamper update "UPDATE audit_log SET actor = 'mallory' WHERE id = 5"
verify "$T"
check update "1 audit: entry 5: content altered (hash mismatch)" "$RC $OUT"
verify_args "$T" --json
check update-json '{"ok":false,"checked":5,"first_bad_id":5,"reason":"entry 5: content altered (hash mismatch)"}' "$OUT"

tamper after "UPDATE audit_log SET after_json = '{\"role\":\"admin\"}' WHERE id = 7"
verify "$T"
check after "1 audit: entry 7: content altered (hash mismatch)" "$RC $OUT"

tamper delete "DELETE FROM audit_log WHERE id = 6"
verify "$T"
check delete "1 audit: entry 7: entry 6 is missing (deleted)" "$RC $OUT"

tamper delete2 "DELETE FROM audit_log WHERE id IN (3, 4)"
verify "$T"
check delete2 "1 audit: entry 5: entries 3 to 4 are missing (deleted)" "$RC $OUT"

tamper insert "UPDATE audit_log SET id = -id WHERE id >= 8; UPDATE audit_log SET id = -id + 1 WHERE id < 0; INSERT INTO audit_log (id, at, actor_id, actor, action, object_type, prev_hash, hash) VALUES (8, 1767226000, 1, 'mallory', 'user.update', 'user', '$ZERO', '$ZERO')"
verify "$T"
check insert-rc 1 "$RC"
case $OUT in "audit: entry 8: inserted"*) ok ;; *) ko "insert: $OUT" ;; esac

tamper swap "UPDATE audit_log SET id = -9 WHERE id = 9; UPDATE audit_log SET id = 9 WHERE id = 10; UPDATE audit_log SET id = 10 WHERE id = -9"
verify "$T"
check swap-rc 1 "$RC"
case $OUT in "audit: entry 9: "*) ok ;; *) ko "swap: $OUT" ;; esac

# The last entry removed: the chain alone cannot tell; the anchor does.
tamper last "DELETE FROM audit_log WHERE id = 12"
verify "$T"
check last-no-anchor "0 audit: 11 entries, chain intact" "$RC $OUT"
verify_args "$T" --anchor "$ANCHOR"
check last-anchor "1 audit: anchor: entry 12 is missing (deleted; the trail now ends at entry 11)" "$RC $OUT"

# Entries written by the binary itself: `motcua user` audits its changes
# (engineer "auth"); the password never reaches the trail.
U=$TMP/u.db
"$BIN" init --db "sqlite:$U" >/dev/null 2>&1
PW='Mật-khẩu-thử-2026-dài'
if printf '%s\n' "$PW" | "$BIN" user add lan.nguyen --role inspector \
	--unit VN --name "Nguyễn Thị Lan" --db "sqlite:$U" >/dev/null 2>&1 &&
   "$BIN" user grant lan.nguyen --role viewer --unit 01 --db "sqlite:$U" >/dev/null 2>&1 &&
   "$BIN" user disable lan.nguyen --db "sqlite:$U" >/dev/null 2>&1; then
	ok
else
	ko "motcua user add/grant/disable failed"
fi
"$BIN" audit list --db "sqlite:$U" --object-type user --object-id lan.nguyen >"$TMP/ulist" 2>&1
check user-entries "-- 3 of 3 entries, page 1 (newest first)" "$(tail -1 "$TMP/ulist")"
for a in user.create grant.add user.disable; do
	grep -q " $a " "$TMP/ulist" && ok || ko "no $a entry: $(cat "$TMP/ulist")"
done
grep -q 'after  {"disabled":true}' "$TMP/ulist" && ok || ko "user.disable after"
if sqlite3 "$U" "SELECT * FROM audit_log" | grep -qF "$PW"; then
	ko "the password is in the trail"
else
	ok
fi
verify "$U"
check user-intact "0 audit: 3 entries, chain intact" "$RC $OUT"
sqlite3 "$U" "UPDATE audit_log SET after_json = replace(after_json, 'inspector', 'admin') WHERE action = 'user.create'"
verify "$U"
check user-tampered "1 audit: entry 1: content altered (hash mismatch)" "$RC $OUT"

# The inspector's page through the real server: never public; an inspector
# (bearer token) reads it; a viewer may not.
TOK=$("$BIN" token create insp --role inspector --unit VN --db "sqlite:$U" 2>/dev/null)
VTOK=$("$BIN" token create view --role viewer --unit VN --db "sqlite:$U" 2>/dev/null)
: >"$TMP/srv.out"
timeout -k 5 120 "$BIN" serve --db "sqlite:$U" --listen 127.0.0.1:0 \
	>"$TMP/srv.out" 2>"$TMP/srv.err" &
SRV=$!
URL=
n=0
while [ $n -lt 100 ] && [ -z "$URL" ]; do
	URL=$(sed -n 's/^motcua: serving \(http:.*\)$/\1/p' "$TMP/srv.out")
	[ -n "$URL" ] || sleep 0.1
	n=$((n + 1))
done
# get PATH [CURL ARGS]: status in ST, body in $TMP/body.
get() {
	p=$1; shift
	ST=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 20 "$@" "$URL$p")
}
if [ -z "$URL" ]; then
	ko "server did not start: $(tail -3 "$TMP/srv.err")"
else
	get /quan-tri/nhat-ky
	check page-anonymous 303 "$ST"
	get /api/v1/audit
	check api-anonymous 401 "$ST"
	get /api/v1/audit -H "Authorization: Bearer $VTOK"
	check api-viewer 403 "$ST"
	get "/api/v1/audit?action=token." -H "Authorization: Bearer $TOK"
	check api-inspector 200 "$ST"
	grep -q '"total":2,' "$TMP/body" && ok || ko "api: two token entries: $(head -c 300 "$TMP/body")"
	get "/quan-tri/nhat-ky?doi-tuong=user" -H "Authorization: Bearer $TOK"
	check page-inspector 200 "$ST"
	grep -q '<h1>Nhật ký hệ thống</h1>' "$TMP/body" && ok || ko "page: title"
	grep -q 'Có <b>3</b> mục' "$TMP/body" && ok || ko "page: 3 user entries"
	grep -q '<details>' "$TMP/body" && ok || ko "page: expandable entries"
	grep -q 'Khóa tài khoản' "$TMP/body" && ok || ko "page: action label"
	kill -TERM "$SRV" 2>/dev/null
fi
wait "$SRV" 2>/dev/null

# The original is untouched by all this.
verify "$DB"
check original-intact 0 "$RC"

echo "audit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
