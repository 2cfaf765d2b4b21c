#!/bin/sh
# test_auth.sh - accounts, sessions, CSRF, API tokens and scopes through the
# real server ($MOTCUA_BIN) on the run's database (MOTCUA_TEST_DB: SQLite,
# or PostgreSQL when run.sh passes it). Users are made with `motcua user
# add`, the password piped on stdin. Covers: login ok/fail/throttled, cookie
# flags, CSRF missing or wrong, logout, bearer tokens and revocation,
# 401/403/404 as JSON and HTML, a commune officer guessing another unit's
# URLs. Idle expiry cannot be waited for here: tests/unit/test_auth_repo.c
# checks it with a given "now". Ends with "auth: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init auth
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-xoai-truoc-ngo-7'
p=a$$	# usernames unique within the run's shared database
ADMIN=${p}adm	# admin on province 24 (Bắc Ninh)
RCV=${p}rcv	# receiver on commune 07210 (province 24)
FAR=${p}far	# unit admin on ward 00004 (Hà Nội, province 01)

# ---- the CLI ----------------------------------------------------------------
printf '%s\n' "$PW" | "$B" user add "$ADMIN" --role admin --unit 24 \
	--name "Quản trị Bắc Ninh" --db "$DB" >"$T/out" 2>&1
check "cli: user add admin" grep -q "created" "$T/out"
printf '%s\n' "$PW" | "$B" user add "$RCV" --role receiver --unit 07210 \
	--db "$DB" >/dev/null 2>&1
check "cli: user add receiver" [ $? -eq 0 ]
printf '%s\n' "$PW" | "$B" user add "$FAR" --role unit_admin --unit 00004 \
	--db "$DB" >/dev/null 2>&1
check "cli: user add far" [ $? -eq 0 ]
printf 'matkhau123\n' | "$B" user add "${p}weak" --role viewer --unit 24 \
	--db "$DB" >"$T/out" 2>&1
check "cli: a common password is refused" [ $? -eq 1 ]
check "cli: ... with the reason" grep -q "phổ biến" "$T/out"
printf '%s\n' "$PW" | "$B" user add "${p}bad" --role viewer --unit 99999 \
	--db "$DB" >"$T/out" 2>&1
check "cli: an unknown unit is refused" [ $? -eq 1 ]
printf '%s\n' "$PW" | "$B" user add "$ADMIN" --role viewer --unit 24 \
	--db "$DB" >/dev/null 2>&1
check "cli: a duplicate username is refused" [ $? -eq 1 ]
"$B" user add "${p}x" --role viewer --unit 24 --db "$DB" </dev/null \
	>/dev/null 2>&1
check "cli: no password, no user" [ $? -ne 0 ]
"$B" user add "${p}x" --role chief --unit 24 --db "$DB" </dev/null \
	>/dev/null 2>&1
check "cli: unknown role is a usage error" [ $? -eq 2 ]
"$B" user list --json --db "$DB" >"$T/list" 2>&1
check "cli: user list has the admin" grep -q "\"$ADMIN\"" "$T/list"
check "cli: user list has no hash" sh -c "! grep -q argon2 '$T/list'"
TOKEN=$("$B" token create "${p}-tich-hop" --role viewer --unit 07210 \
	--db "$DB" 2>/dev/null)
check "cli: token create prints mct_..." \
	sh -c "echo '$TOKEN' | grep -Eq '^mct_[0-9a-f]{64}$'"
"$B" token list --db "$DB" >"$T/tokens" 2>&1
check "cli: token list does not show the token" \
	sh -c "! grep -q '${TOKEN#mct_}' '$T/tokens'"

it_start --db "$DB" || it_done

# ---- helpers ----------------------------------------------------------------
# login JAR USER PASSWORD [NEXT]: GET the form (nonce cookie), POST it.
login() {
	jar=$1
	rm -f "$jar"
	http GET /dang-nhap -c "$jar" -b "$jar"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$jar" -b "$jar" \
		--data-urlencode "username=$2" --data-urlencode "password=$3" \
		--data-urlencode "login_csrf=$nonce" \
		--data-urlencode "tiep=${4:-/quan-tri}"
}
# csrf_of JAR: the session's CSRF token, from the account page.
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
JA=$T/admin.jar JR=$T/rcv.jar JF=$T/far.jar

# ---- not logged in ----------------------------------------------------------
http GET /quan-tri
expect_status "anonymous admin home: redirect" 303
expect_header "... to the login page with the way back" \
	'Location: /dang-nhap?tiep=/quan-tri'
http GET /api/v1/me
expect_status "anonymous API: 401" 401
expect_body "... JSON unauthenticated" '"code":"unauthenticated"'
expect_header "... WWW-Authenticate" 'WWW-Authenticate: Bearer'
http GET /dang-nhap
expect_status "login form" 200
expect_body "... has the fields" 'name="password" type="password"'
expect_header "... is not stored" 'Cache-Control: no-store'

# ---- login ------------------------------------------------------------------
login "$JA" "$ADMIN" "wrong-password-123"
expect_status "wrong password: 401" 401
expect_body "... generic message" 'Tên đăng nhập hoặc mật khẩu không đúng'
login "$JA" "${p}nobody" "$PW"
expect_status "unknown user: 401" 401
expect_body "... the same message" 'Tên đăng nhập hoặc mật khẩu không đúng'
http POST /dang-nhap --data-urlencode "username=$ADMIN" \
	--data-urlencode "password=$PW" --data-urlencode "login_csrf=x"
expect_status "login without the form's cookie: refused" 400
login "$JA" "$ADMIN" "$PW" /tai-khoan
expect_status "login ok: 303" 303
expect_header "... to where the user was going" 'Location: /tai-khoan'
expect_header "... session cookie HttpOnly, SameSite=Lax" \
	'; Path=/; HttpOnly; SameSite=Lax'
check "... no Secure on an http:// site" \
	sh -c "! grep -i '^set-cookie: mc_session=' '$HEADERS' | grep -q Secure"
check "... the cookie value is 64 hex digits" \
	grep -Eiq '^set-cookie: mc_session=[0-9a-f]{64};' "$HEADERS"
check "... the server log holds no session token" \
	sh -c "! grep -Eq '[0-9a-f]{64}' '$SERVER_LOG'"
http GET /tai-khoan -b "$JA"
expect_status "account page" 200
expect_body "... shows the user" "$ADMIN"
expect_body "... every form carries the CSRF token" 'name="csrf" value="[0-9a-f]{64}"'
expect_header "... private" 'Cache-Control: private'
http GET /quan-tri -b "$JA"
expect_status "admin home" 200
expect_body "... lists the account link" 'href="/tai-khoan"'
expect_body "... the layout shows the user and a logout form" \
	'<nav class="me".*action="/dang-xuat"'
http GET /api/v1/me -b "$JA"
expect_status "API me with the cookie" 200
expect_no_body "... JSON without the CSRF token" '"csrf"'

# ---- CSRF -------------------------------------------------------------------
http POST /dang-xuat -b "$JA"
expect_status "logout without CSRF: refused (303 to login)" 303
expect_header "... says why" 'csrf=1'
http POST /dang-xuat -b "$JA" --data "csrf=0000"
expect_status "logout with a wrong CSRF token: refused" 303
http POST /api/v1/users/$RCV/revoke-sessions -b "$JA"
expect_status "API POST with a cookie and no CSRF: 403" 403
expect_body "... code csrf" '"code":"csrf"'
http GET /tai-khoan -b "$JA"
expect_status "still logged in after the refusals" 200
CA=$(csrf_of "$JA")
check "csrf token read" [ -n "$CA" ]

# ---- scopes: an admin of province 24, a receiver of commune 07210 ------------
login "$JR" "$RCV" "$PW"
expect_status "receiver login" 303
login "$JF" "$FAR" "$PW"
expect_status "far unit admin login" 303
http GET /api/v1/units/07210/users -b "$JA"
expect_status "admin of 24 lists users of commune 07210" 200
expect_body "... the receiver is there" "\"$RCV\""
http GET /api/v1/units/24/users -b "$JA"
expect_status "... and of the province itself" 200
http GET /api/v1/units/00004/users -b "$JA"
expect_status "admin of 24 on a ward of Hà Nội: 403" 403
expect_body "... JSON forbidden" '"code":"forbidden"'
http GET /quan-tri/don-vi/00004/nguoi-dung -b "$JA"
expect_status "... the HTML page too: 403" 403
expect_body "... in Vietnamese" 'không có quyền'
http GET /api/v1/units/07210/users -b "$JR"
expect_status "a receiver may not manage users: 403" 403
http GET /api/v1/units/00004/users -b "$JF"
expect_status "unit admin of 00004 on own ward" 200
for u in 07210 07228 24 01 00008; do
	http GET /api/v1/units/$u/users -b "$JF"
	expect_status "unit admin of 00004 guessing unit $u: 403" 403
done
http GET /api/v1/units/99999/users -b "$JF"
expect_status "a unit that does not exist: 404" 404
# Revoking another's sessions: out of scope looks like "no such user".
http POST /api/v1/users/$RCV/revoke-sessions -b "$JF" \
	-H "X-CSRF-Token: $(csrf_of "$JF")"
expect_status "far admin ending the receiver's sessions: 404" 404
http POST /api/v1/users/${p}nobody/revoke-sessions -b "$JF" \
	-H "X-CSRF-Token: $(csrf_of "$JF")"
expect_status "... same answer as a user that does not exist" 404
http GET /tai-khoan -b "$JR"
expect_status "receiver still logged in" 200
http POST /api/v1/users/$RCV/revoke-sessions -b "$JA" -H "X-CSRF-Token: $CA"
expect_status "admin of 24 ends the receiver's sessions" 200
expect_body "... one session" '"sessions_revoked":1'
http GET /tai-khoan -b "$JR"
expect_status "receiver's session is gone" 303
# The denials are in the audit trail.
"$B" audit list --db "$DB" --json >"$T/audit" 2>/dev/null ||
	"$B" audit list --db "$DB" >"$T/audit" 2>/dev/null
check "denials are audited" grep -q "authz.deny" "$T/audit"
check "logins are audited" grep -q "login.ok" "$T/audit"
check "login failures are audited" grep -q "login.fail" "$T/audit"
check "the audit holds no password" sh -c "! grep -q '$PW' '$T/audit'"

# ---- bearer tokens ------------------------------------------------------------
"$B" token list --json --db "$DB" >"$T/tokens" 2>&1
check "a token not used yet has no last use" \
	sh -c "tr -d ' \n' <'$T/tokens' | grep -o '\"name\":\"${p}-tich-hop\"[^}]*' | grep -q '\"last_used_at\":null'"
http GET /api/v1/me -H "Authorization: Bearer $TOKEN"
expect_status "bearer token: API me" 200
expect_body "... as the token" "\"token:${p}-tich-hop\""
"$B" token list --json --db "$DB" >"$T/tokens" 2>&1
check "... and its use is marked (after the request's read transaction)" \
	sh -c "tr -d ' \n' <'$T/tokens' | grep -o '\"name\":\"${p}-tich-hop\"[^}]*' | grep -q '\"last_used_at\":\"20'"
http GET /api/v1/units/07210/users -H "Authorization: Bearer $TOKEN"
expect_status "viewer token may not manage users: 403" 403
http GET /api/v1/me -H "Authorization: Bearer mct_$(printf '%064d' 0)"
expect_status "a made-up token: 401" 401
"$B" token revoke "${p}-tich-hop" --db "$DB" >/dev/null 2>&1
check "cli: token revoke" [ $? -eq 0 ]
http GET /api/v1/me -H "Authorization: Bearer $TOKEN"
expect_status "revoked token: 401" 401

# ---- password change and logout ---------------------------------------------
http POST /tai-khoan/mat-khau -b "$JA" --data-urlencode "csrf=$CA" \
	--data-urlencode "current=$PW" --data-urlencode "new=matkhau123" \
	--data-urlencode "again=matkhau123"
expect_status "new password too common: 422" 422
expect_body "... the field and the reason" 'phổ biến'
http POST /tai-khoan/mat-khau -b "$JA" --data-urlencode "csrf=$CA" \
	--data-urlencode "current=nope-nope-nope" \
	--data-urlencode "new=Mot-mat-khau-moi-9" \
	--data-urlencode "again=Mot-mat-khau-moi-9" -H 'Accept: application/json'
expect_status "wrong current password: 422 JSON" 422
expect_body "... names the field" '"field":"current"'
http POST /dang-xuat -b "$JA" -c "$JA" --data "csrf=$CA"
expect_status "logout" 303
expect_header "... clears the cookie" 'Max-Age=0'
http GET /tai-khoan -b "$JA"
expect_status "after logout: back to login" 303

# ---- throttling ---------------------------------------------------------------
for i in 1 2 3 4 5; do
	login "$JR" "$RCV" "wrong-password-$i"
done
expect_status "fifth failure: still 401" 401
expect_body "... says how long to wait" 'thử lại sau [0-9]+ giây'
login "$JR" "$RCV" "$PW"
expect_status "right password while throttled: 429" 429
expect_header "... Retry-After" 'Retry-After: '
expect_body "... with the wait" 'Vui lòng thử lại sau [0-9]+ giây'
"$B" user disable "$FAR" --db "$DB" >/dev/null 2>&1
http GET /tai-khoan -b "$JF"
expect_status "a disabled user's session ends" 303

it_stop
check "server stopped cleanly" [ "$SERVER_RC" = 0 ]
check "the server log holds no password" sh -c "! grep -q '$PW' '$SERVER_LOG'"
it_done
