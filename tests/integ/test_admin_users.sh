#!/bin/sh
# test_admin_users.sh - the administration of users and API tokens
# (/quan-tri/nguoi-dung, /quan-tri/token, /api/v1/admin/...) through the
# real server on the run's database (SQLite, or PostgreSQL when run.sh
# passes it). Covers: the list in scope, create with each validation error
# (422 with the field named, never a 500), a generated one-time password,
# the optimistic check of an edit, a commune unit admin out of scope
# (404) or granting admin (403), revoke-all logging the user out, the last
# province administrator guard, a token used as a bearer then revoked, the
# API's JSON errors, and the audit entries (without any password or token).
# Ends with "admin_users: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init admin_users
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=u$$	# usernames unique within the run's shared database
PROV=${p}prov	# admin on province 24 (Bắc Ninh)
UA1=${p}ua1	# unit admin on commune 07210 (province 24)
UA2=${p}ua2	# unit admin on commune 07228 (province 24)
LAST=${p}last	# the only admin of province 96 (Cà Mau), also a viewer
NEW=${p}lan	# created through the page
GEN=${p}gen	# created with a generated password

mk() { # mk NAME ROLE UNIT
	printf '%s\n' "$PW" | "$B" user add "$1" --role "$2" --unit "$3" \
		--name "Người thử $1" --db "$DB" >/dev/null 2>&1
}
mk "$PROV" admin 24; check "cli: province admin" [ $? -eq 0 ]
mk "$UA1" unit_admin 07210; check "cli: unit admin 1" [ $? -eq 0 ]
mk "$UA2" unit_admin 07228; check "cli: unit admin 2" [ $? -eq 0 ]
# Province 96 must have no other admin for the guard test: only when no
# other run left one there (the run's database is shared).
if "$B" user list --json --db "$DB" 2>/dev/null | tr -d ' \n' |
	grep -q '"role":"admin","role_label":"[^"]*","unit":"96"'; then
	GUARD=no
else
	GUARD=yes
fi
mk "$LAST" admin 96
"$B" user grant "$LAST" --role viewer --unit 96 --db "$DB" >/dev/null 2>&1

it_start --db "$DB" || it_done

# login JAR USER PASSWORD: GET the form (nonce cookie), POST it.
login() {
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$3" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
# csrf_of JAR: the session's CSRF token, from the account page.
csrf_of() {
	curl -s -b "$1" "$URL/tai-khoan" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
		sed 's/.*value="//; s/"$//'
}
JP=$T/prov.jar J1=$T/ua1.jar J2=$T/ua2.jar JL=$T/lan.jar JG=$T/gen.jar
J9=$T/last.jar
login "$JP" "$PROV" "$PW"; expect_status "login province admin" 303
CP=$(csrf_of "$JP")
login "$J1" "$UA1" "$PW"; expect_status "login unit admin 1" 303
C1=$(csrf_of "$J1")
login "$J2" "$UA2" "$PW"; expect_status "login unit admin 2" 303
C2=$(csrf_of "$J2")

# ---- list -------------------------------------------------------------------
http GET /quan-tri/nguoi-dung -b "$JP"
expect_status "users page" 200
expect_body "... lists the unit admins of the province's communes" "$UA1"
expect_body "... with their status" 'Hoạt động'
expect_body "... and the last login" '[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}'
expect_no_body "... not the admin of another province" "$LAST"
http GET "/quan-tri/nguoi-dung?q=${UA2}&trang-thai=hoat-dong" -b "$JP"
expect_body "search by username" "$UA2"
expect_no_body "... only the matches" "$UA1"
http GET /quan-tri/nguoi-dung -b "$J1"
expect_status "unit admin's users page" 200
expect_no_body "... not a user of the other commune" "$UA2"
http GET /quan-tri -b "$JP"
expect_body "admin home links the users page" 'href="/quan-tri/nguoi-dung"'

# ---- create: validation -----------------------------------------------------
http GET /quan-tri/nguoi-dung/moi -b "$JP"
expect_status "create form" 200
expect_body "... has the confirmation field" 'name="password_again"'
create() { # create JAR CSRF USERNAME PASSWORD AGAIN ROLE UNIT [extra]
	jar=$1 c=$2 u=$3 pw=$4 again=$5 role=$6 unit=$7
	shift 7
	http POST /quan-tri/nguoi-dung/moi -b "$jar" --data-urlencode "csrf=$c" \
		--data-urlencode "username=$u" \
		--data-urlencode "full_name=Nguyễn Thị Lan" \
		--data-urlencode "password=$pw" \
		--data-urlencode "password_again=$again" \
		--data-urlencode "role=$role" --data-urlencode "unit=$unit" "$@"
}
create "$JP" "$CP" "$NEW" 'ngan-qua' 'ngan-qua' receiver 07210
expect_status "short password: 422" 422
expect_body "... named next to the field" 'id="password-err">Mật khẩu phải có ít nhất 10'
expect_body "... the values typed are kept" "value=\"$NEW\""
expect_no_body "... the password is not sent back" 'ngan-qua'
create "$JP" "$CP" "$NEW" '1234567890' '1234567890' receiver 07210
expect_status "common password: 422" 422
expect_body "... says why" 'quá phổ biến'
create "$JP" "$CP" "$NEW" "x-${NEW}-2026" "x-${NEW}-2026" receiver 07210
expect_status "password containing the username: 422" 422
expect_body "... says why" 'không được chứa tên đăng nhập'
create "$JP" "$CP" "$NEW" "$PW" "${PW}x" receiver 07210
expect_status "confirmation differs: 422" 422
expect_body "... on the confirmation field" 'id="password_again-err"'
create "$JP" "$CP" "Bad Name" "$PW" "$PW" receiver 07210
expect_status "bad username: 422" 422
expect_body "... on the username" 'id="username-err"'
create "$JP" "$CP" "$NEW" "$PW" "$PW" receiver 99999
expect_status "unknown unit: 422" 422
expect_body "... on the unit" 'id="unit-err">Đơn vị: không có mã'
create "$JP" "$CP" "$NEW" "$PW" "$PW" receiver 00004
expect_status "unit of another province: refused" 403
expect_body "... next to the role" 'id="role-err"'
create "$JP" "$CP" "$NEW" "$PW" "$PW" receiver 07210
expect_status "create: 303" 303
expect_header "... to the user's page" "Location: /quan-tri/nguoi-dung/$NEW?ok=tao"
create "$JP" "$CP" "$NEW" "$PW" "$PW" receiver 07210
expect_status "duplicate username: 422, not 500" 422
expect_body "... on the username" "id=\"username-err\">Tên đăng nhập &quot;$NEW&quot; đã có"
http GET "/quan-tri/nguoi-dung/$NEW?ok=tao" -b "$JP"
expect_body "confirmation shown" 'Đã tạo tài khoản'

# A generated one-time password, shown once, not stored anywhere readable.
create "$JP" "$CP" "$GEN" '' '' viewer 07210 --data-urlencode generate=1
expect_status "generated password: 201" 201
expect_header "... no-store" 'Cache-Control: no-store'
GPW=$(grep -o 'class="au-secret-value" value="[^"]*"' "$BODY" |
	sed 's/.*value="//; s/"$//')
check "... a 16-character password" [ ${#GPW} -eq 16 ]
login "$JG" "$GEN" "$GPW"
expect_status "... and it logs in" 303

# ---- edit, optimistic check -------------------------------------------------
http GET "/quan-tri/nguoi-dung/$NEW" -b "$JP"
V=$(grep -o 'name="version" value="[0-9]*"' "$BODY" | sed 's/.*value="//; s/"$//')
check "user page carries a version" [ -n "$V" ]
http POST "/quan-tri/nguoi-dung/$NEW" -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "version=$V" --data-urlencode "full_name=Nguyễn Thị Lan Anh"
expect_status "edit name: 303" 303
http POST "/quan-tri/nguoi-dung/$NEW" -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "version=$V" --data-urlencode "full_name=Tên cũ"
expect_status "stale form: 409" 409
expect_body "... says someone changed it" 'vừa được người khác thay đổi'
expect_body "... keeps what was typed" 'value="Tên cũ"'
http POST "/quan-tri/nguoi-dung/$NEW" -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "version=$V" --data-urlencode "full_name="
expect_status "empty name: 422" 422

# ---- out of scope -----------------------------------------------------------
http GET "/quan-tri/nguoi-dung/$NEW" -b "$J2"
expect_status "other commune's unit admin: user page 404" 404
http POST "/quan-tri/nguoi-dung/$NEW" -b "$J2" --data-urlencode "csrf=$C2" \
	--data-urlencode "version=$V" --data-urlencode "full_name=Hacked"
expect_status "... edit 404" 404
http POST "/quan-tri/nguoi-dung/$NEW/mat-khau" -b "$J2" --data-urlencode "csrf=$C2" \
	--data-urlencode "password=$PW-zz" --data-urlencode "password_again=$PW-zz"
expect_status "... password reset 404" 404
http POST "/quan-tri/nguoi-dung/$PROV/mat-khau" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "password=$PW-zz" --data-urlencode "password_again=$PW-zz"
expect_status "unit admin resetting the province admin: 404" 404
http POST "/quan-tri/nguoi-dung/$NEW/quyen" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "role=admin" --data-urlencode "unit=07210"
expect_status "unit admin granting admin: 403" 403
expect_body "... named on the role" 'id="role-err">Vai trò: bạn không được cấp'
http POST "/quan-tri/nguoi-dung/$NEW/quyen" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "role=unit_admin" --data-urlencode "unit=07210"
expect_status "unit admin granting unit_admin: 403" 403
http POST "/quan-tri/nguoi-dung/$NEW/quyen" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "role=specialist" --data-urlencode "unit=07228"
expect_status "unit admin granting in another commune: 403" 403
http POST "/quan-tri/nguoi-dung/$NEW/quyen" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "role=specialist" --data-urlencode "unit=07210"
expect_status "unit admin granting specialist in own commune: 303" 303
http POST "/quan-tri/nguoi-dung/$NEW/quyen/xoa" -b "$J1" --data-urlencode "csrf=$C1" \
	--data-urlencode "role=specialist" --data-urlencode "unit=07210"
expect_status "... and removing it: 303" 303
expect_header "... with a confirmation" "ok=thu-quyen"

# ---- revoke all sessions ----------------------------------------------------
login "$JL" "$NEW" "$PW"; expect_status "new user logs in" 303
http GET /tai-khoan -b "$JL"; expect_status "... sees their account" 200
http POST "/quan-tri/nguoi-dung/$NEW/dong-moi-phien" -b "$JP" --data-urlencode "csrf=$CP"
expect_status "revoke all sessions: 303" 303
expect_header "... with the count" "so-phien=1"
http GET "/quan-tri/nguoi-dung/$NEW?ok=dong-phien&so-phien=1" -b "$JP"
expect_body "... confirmation names it" 'Đã đóng 1 phiên đăng nhập'
http GET /tai-khoan -b "$JL"
expect_status "the user's next request: 303" 303
expect_header "... to the login page" 'Location: /dang-nhap'

# ---- disable / enable, status filter ----------------------------------------
http POST "/quan-tri/nguoi-dung/$NEW/khoa" -b "$JP" --data-urlencode "csrf=$CP"
expect_status "disable: 303" 303
http GET "/quan-tri/nguoi-dung?trang-thai=da-khoa&q=$NEW" -b "$JP"
expect_body "listed as disabled" 'Đã khóa'
login "$JL" "$NEW" "$PW"; expect_status "disabled user cannot log in" 401
http POST "/quan-tri/nguoi-dung/$NEW/mo-khoa" -b "$JP" --data-urlencode "csrf=$CP"
expect_status "enable: 303" 303
http POST "/quan-tri/nguoi-dung/$PROV/khoa" -b "$JP" --data-urlencode "csrf=$CP"
expect_status "disabling oneself: 409" 409

# ---- reset password ---------------------------------------------------------
http POST "/quan-tri/nguoi-dung/$NEW/mat-khau" -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "password=matkhau123" --data-urlencode "password_again=matkhau123"
expect_status "reset to a common password: 422" 422
http POST "/quan-tri/nguoi-dung/$NEW/mat-khau" -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "password=$PW-moi" --data-urlencode "password_again=$PW-moi"
expect_status "reset password: 303" 303
login "$JL" "$NEW" "$PW-moi"; expect_status "... the new password works" 303

# ---- last province administrator --------------------------------------------
login "$J9" "$LAST" "$PW"; C9=$(csrf_of "$J9")
if [ "$GUARD" = yes ]; then
	http POST "/quan-tri/nguoi-dung/$LAST/quyen/xoa" -b "$J9" \
		--data-urlencode "csrf=$C9" --data-urlencode "role=admin" \
		--data-urlencode "unit=96"
	expect_status "removing the last admin of a province: 409" 409
	expect_body "... says so" 'quản trị cuối cùng của tỉnh 96'
fi
http POST "/quan-tri/nguoi-dung/$LAST/quyen/xoa" -b "$J9" \
	--data-urlencode "csrf=$C9" --data-urlencode "role=viewer" \
	--data-urlencode "unit=96"
expect_status "removing another grant: 303" 303
http POST "/quan-tri/nguoi-dung/$LAST/quyen/xoa" -b "$J9" \
	--data-urlencode "csrf=$C9" --data-urlencode "role=admin" \
	--data-urlencode "unit=96"
expect_status "removing the last grant: 409" 409

# ---- API tokens -------------------------------------------------------------
TOK=${p}-tok
http GET /quan-tri/token -b "$JP"; expect_status "tokens page" 200
http GET /quan-tri/token -b "$J1"; expect_status "unit admin: no tokens page" 403
http POST /quan-tri/token/moi -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "name=x" --data-urlencode "role=admin" --data-urlencode "unit=24"
expect_status "token with a bad name: 422" 422
expect_body "... on the name" 'id="name-err"'
http POST /quan-tri/token/moi -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "name=$TOK" --data-urlencode "role=admin" --data-urlencode "unit=24"
expect_status "token created: 201" 201
expect_header "... not stored by the browser" 'Cache-Control: no-store'
expect_body "... with a clear warning" 'Chỉ hiện một lần'
TV=$(grep -o 'mct_[0-9a-f]\{64\}' "$BODY" | head -1)
check "... shown once" [ -n "$TV" ]
http POST /quan-tri/token/moi -b "$JP" --data-urlencode "csrf=$CP" \
	--data-urlencode "name=$TOK" --data-urlencode "role=admin" --data-urlencode "unit=24"
expect_status "duplicate token name: 422" 422
http GET /quan-tri/token -b "$JP"
expect_body "list shows it" "$TOK"
expect_no_body "... never the token" "${TV#mct_}"
http GET /api/v1/admin/users -H "Authorization: Bearer $TV"
expect_status "the token works as a bearer" 200
expect_body "... JSON list" "\"username\":\"$NEW\""
expect_no_body "... without secrets" 'argon2|password_hash'
http POST /api/v1/admin/users -H "Authorization: Bearer $TV" \
	-H 'Content-Type: application/json' \
	-d "{\"username\":\"${p}api\",\"full_name\":\"API\",\"password\":\"short\",\"password_again\":\"short\",\"role\":\"viewer\",\"unit\":\"07210\"}"
expect_status "API create with a short password: 422" 422
expect_body "... JSON error on the field" '"error":\{"code":"invalid","message":"Mật khẩu phải có[^"]*","field":"password"\}'
http POST /api/v1/admin/users -H "Authorization: Bearer $TV" \
	-H 'Content-Type: application/json' \
	-d "{\"username\":\"${p}api\",\"full_name\":\"API\",\"password\":\"$PW\",\"password_again\":\"$PW\",\"role\":\"viewer\",\"unit\":\"07210\"}"
expect_status "API create: 201" 201
expect_body "... the user" "\"username\":\"${p}api\""
http POST "/api/v1/admin/users/${p}api/grants" -H "Authorization: Bearer $TV" \
	-H 'Content-Type: application/json' -d '{"role":"inspector","unit":"00004"}'
expect_status "API grant out of scope: 403" 403
expect_body "... JSON forbidden" '"code":"forbidden"'
http POST "/api/v1/admin/users/${p}api/revoke-sessions" -H "Authorization: Bearer $TV"
expect_status "API revoke sessions" 200
expect_body "... with the count" '"sessions_revoked":0'
http GET "/api/v1/admin/users/$LAST" -H "Authorization: Bearer $TV"
expect_status "API: user of another province: 404" 404
http POST "/quan-tri/token/$TOK/thu-hoi" -b "$JP" --data-urlencode "csrf=$CP"
expect_status "revoke token: 303" 303
http GET /api/v1/admin/users -H "Authorization: Bearer $TV"
expect_status "revoked token: 401" 401

it_stop

# ---- audit --------------------------------------------------------------------
"$B" audit list --db "$DB" --object-id "$NEW" --per-page 200 >"$T/audit" 2>&1
for a in user.create user.update user.disable user.enable user.passwd \
	grant.add grant.remove session.revoke_all; do
	check "audit: $a" grep -q " $a " "$T/audit"
done
"$B" audit list --db "$DB" --object-id "$TOK" >"$T/audit_tok" 2>&1
check "audit: token.create" grep -q " token.create " "$T/audit_tok"
check "audit: token.revoke" grep -q " token.revoke " "$T/audit_tok"
"$B" audit list --db "$DB" --actor "$PROV" --per-page 200 --json >"$T/audit_all" 2>&1
check "audit: actor is the administrator" grep -q "user.create" "$T/audit_all"
check "audit: no password in the trail" \
	sh -c "! grep -qF -- '$PW' '$T/audit_all' && ! grep -qF -- '$GPW' '$T/audit' && ! grep -q argon2 '$T/audit_all'"
check "audit: no token in the trail" sh -c "! grep -qF -- '${TV#mct_}' '$T/audit_tok'"
check "audit: chain intact" "$B" audit verify --db "$DB"
it_done
