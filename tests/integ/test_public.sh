#!/bin/sh
# test_public.sh - the public pages and their API twins on the real binary
# ($MOTCUA_BIN): home, search (ranking, diacritics, codes, pagination,
# fields), procedure, short URL, unit, QR board, QR images, 404 as a
# Vietnamese page and as a JSON error, escaping. One server on 127.0.0.1
# (tests/integ/lib.sh) on the run's database (SQLite, or PostgreSQL when
# run.sh passes it in MOTCUA_TEST_DB). Ends with
# "public: N passed, M failed". Patterns are extended regexps.
here=$(dirname "$0")
. "$here/public_lib.sh"
pub_start public

# ---- home -----------------------------------------------------------------
get /
expect_status "home" 200
expect_body "home is lang=vi" 'lang="vi"'
expect_body "home heading" 'Tra cứu thủ tục hành chính'
expect_body "home search box labelled" '<label for="q">Tên hoặc mã thủ tục</label>'
expect_body "home lists fields" '>Hộ tịch<'
expect_body "home field link" 'href="/thu-tuc\?linh-vuc=H%E1%BB%99%20t%E1%BB%8Bch"'
expect_no_body "home has no script" '<script'

# ---- search: page and API -------------------------------------------------
get '/thu-tuc?q=dang+ky+ket+hon'
expect_status "search page" 200
first=$(grep -o 'href="/thu-tuc/[^"]*"' "$PUB_BODY" | head -1)
check "search page: 1.000894 first" [ "$first" = 'href="/thu-tuc/1.000894"' ]
expect_body "search page keeps the query in the box" 'value="dang ky ket hon"'

for q in 'dang%20ky%20ket%20hon' '%C4%90%C4%82NG%20K%C3%9D%20K%E1%BA%BET%20H%C3%94N' \
	'Dang+Ky+Ket+Hon' 'th%E1%BB%A7%20t%E1%BB%A5c%20%C4%91%C4%83ng%20k%C3%BD%20k%E1%BA%BFt%20h%C3%B4n'; do
	get "/api/v1/procedures?q=$q"
	expect_status "api search $q" 200
	check "api search $q: 1.000894 first" [ "$(json '.items[0].code')" = 1.000894 ]
	check "api search $q: named Thủ tục đăng ký kết hôn" \
		[ "$(json '.items[0].name')" = 'Thủ tục đăng ký kết hôn' ]
done
get '/api/v1/procedures?q=dang%20ky%20ket%20hon'
check "api search: items carry code, name, field" \
	[ "$(json 'Object.keys(.items[0]).filter(k => ["code","name","field"].includes(k)).length')" = 3 ]
check "api search: total counts more than one" [ "$(json '.total > 1')" = true ]
check "api search: exact phrase ranks before all-words matches" \
	[ "$(json '.items.slice(0, 3).every(i => /đăng ký kết hôn/i.test(i.name))')" = true ]
expect_header "api search is JSON" 'content-type: application/json'

get '/api/v1/procedures?q=1.000894'
check "api search by code" [ "$(json '.items[0].code')" = 1.000894 ]
get '/api/v1/procedures?q=khongcothutucnaynhu'
check "api search with no match: total 0" [ "$(json '.total')" = 0 ]
check "api search with no match: items []" [ "$(json '.items.length')" = 0 ]

get '/api/v1/procedures?q=&page=2'
check "api list page 2" [ "$(json '.page')" = 2 ]
check "api list page 2 holds 20" [ "$(json '.items.length')" = 20 ]
check "api list: pages = ceil(total/20)" [ "$(json '.pages === Math.ceil(.total / 20)')" = true ]
get '/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch&per_page=100'
check "api field filter: all Hộ tịch" \
	[ "$(json '.items.length > 0 && .items.every(i => i.field === "Hộ tịch")')" = true ]
get '/thu-tuc?linh-vuc=H%E1%BB%99%20t%E1%BB%8Bch&trang=2'
expect_status "search page with field and page 2" 200
expect_body "search page: the field is selected" '<option selected>Hộ tịch</option>'
expect_body "search page: pager" 'rel="prev"'

get '/thu-tuc?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E'
expect_status "search with markup" 200
expect_no_body "search escapes the query" '<script>alert'
expect_body "search shows the query escaped" '&lt;script&gt;alert\(1\)&lt;/script&gt;'

# ---- procedure --------------------------------------------------------------
get /thu-tuc/1.000894
expect_status "procedure page" 200
for s in '<h1>Thủ tục đăng ký kết hôn</h1>' 'Mã thủ tục' 'Hộ tịch' \
	'Thời hạn giải quyết' 'Phí, lệ phí' 'Trực tiếp' 'Trực tuyến' \
	'Dịch vụ bưu chính' 'Thành phần hồ sơ' 'Trình tự thực hiện' \
	'Căn cứ pháp lý' '123/2015/NĐ-CP' 'Miễn phí' 'dichvucong.gov.vn'; do
	expect_body "procedure shows $s" "$s"
done
expect_body "procedure: the legal time replaces the bare catalog time" 'Trong ngày theo Luật Hộ tịch 2014, Điều 18 khoản 2'
expect_body "procedure: the catalog's bare text stays visible" 'Nguồn CSDL quốc gia ghi: 1\)'
expect_no_body "procedure: no unit-less warning once the law gives the time" 'nguồn không ghi đơn vị thời gian'
expect_no_body "procedure has no script" '<script'
get /api/v1/procedures/1.000894
expect_status "api procedure" 200
check "api procedure code" [ "$(json '.code')" = 1.000894 ]
check "api procedure channels" [ "$(json '.channels.length >= 3')" = true ]
check "api procedure components" [ "$(json '.n_components > 0')" = true ]
check "api procedure has no view helpers" [ "$(json '"fee_display" in .channels[0]')" = false ]
check "api procedure short URL" [ "$(json '.short_url')" = "$PUB_URL/t/1.000894" ]

# A time without unit that no legal-times row covers is shown as published.
get /thu-tuc/1.000086
expect_status "procedure without a legal time" 200
expect_body "procedure: a time without unit is shown as published" 'nguồn không ghi đơn vị thời gian'
expect_no_body "... and no legal basis invented" 'Nguồn CSDL quốc gia ghi'

# ---- short URL --------------------------------------------------------------
get /t/1.000894
expect_status "short URL redirects" 301
expect_header "short URL target" 'location: /thu-tuc/1.000894'

# ---- 404 in both forms ------------------------------------------------------
get /thu-tuc/9.999999
expect_status "unknown procedure: 404" 404
expect_body "404 page in Vietnamese" 'Không tìm thấy'
expect_body "404 page names the code" '9.999999'
expect_body "404 page has the search box" 'name="q"'
get /api/v1/procedures/9.999999
expect_status "api unknown procedure: 404" 404
check "api 404 is a JSON error" [ "$(json '.error.code')" = not_found ]
get '/thu-tuc/%3Cb%3E'
expect_status "malformed code: 404" 404
expect_no_body "malformed code is escaped" '<b>'
get /api/v1/units/99999
expect_status "api unknown unit: 404" 404
check "api unknown unit: JSON error" [ "$(json '.error.code')" = not_found ]
get /don-vi/99999/bang-qr
expect_status "board of unknown unit: 404" 404

# ---- unit and board ---------------------------------------------------------
get /don-vi/07738
expect_status "unit page" 200
expect_body "unit name" '<h1>Phường Cảnh Thụy</h1>'
expect_body "unit parent" 'Bắc Ninh'
expect_body "unit links its board" 'href="/don-vi/07738/bang-qr"'
get /api/v1/units/07738
check "api unit code" [ "$(json '.code')" = 07738 ]
check "api unit parent is province 24" [ "$(json '.parent.code')" = 24 ]
get /don-vi/24
expect_status "province page" 200
expect_body "province lists Cảnh Thụy" 'href="/don-vi/07738"'

get /api/v1/units/07738/board
expect_status "api board" 200
n=$(json '.n_procedures')
check "api board has procedures" [ "${n:-0}" -gt 0 ]
check "api board: every url is PUBLIC_URL/t/code" \
	[ "$(json ".fields.every(f => f.procedures.every(p => p.url === '$PUB_URL/t/' + p.code))")" = true ]
check "api board: no inline svg in JSON" [ "$(json '"qr" in .fields[0].procedures[0]')" = false ]
get /don-vi/07738/bang-qr
expect_status "board page" 200
expect_body "board heading" 'Bảng tra cứu thủ tục hành chính bằng mã QR'
expect_body "board date" 'Ngày [0-9][0-9]/[0-9][0-9]/20[0-9][0-9]'
nsvg=$(grep -o '<svg[^>]*class="qr"' "$PUB_BODY" | wc -l)
check "board: one QR per procedure ($nsvg of $n)" [ "$nsvg" -eq "$n" ]
expect_body "board QR is labelled" 'aria-label="Mã QR thủ tục'

# ---- QR images --------------------------------------------------------------
get /qr/t/1.000894.svg
expect_status "qr svg" 200
expect_header "qr svg type" 'content-type: image/svg+xml'
expect_body "qr svg body" '^<svg xmlns="http://www.w3.org/2000/svg" width="256"'
get /qr/t/1.000894.png
expect_status "qr png" 200
expect_header "qr png type" 'content-type: image/png'
check "qr png signature" [ "$(head -c 4 "$PUB_BODY" | od -An -c | tr -d ' \n')" = '211PNG' ]
get /qr/t/9.999999.png
expect_status "qr of unknown code: 404" 404

pub_done
