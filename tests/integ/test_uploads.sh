#!/bin/sh
# test_uploads.sh - file uploads through the real server (web/upload.c,
# store/filestore.c): a 40 MB file streamed to disk without the server's
# memory growing by its size, the stored file named by its SHA-256 and
# deduplicated, limits per request and per file answered 413 with no temp
# file left, a type sniffed from the content refused naming the field,
# no credentials refused before a byte is stored, the calendar CSV import
# by file end to end (preview, confirm), downloads with the safe headers.
# Uses year 2033 of the calendar and puts it back.
# Ends with "uploads: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init uploads
DB=$(it_db) || { it_ko "database"; it_done; }
B=$IT_BIN
PW='Cay-khe-ngot-lam-9'
p=u$$
NAT=${p}nat
printf '%s\n' "$PW" | "$B" user add "$NAT" --role admin --unit VN \
	--db "$DB" >/dev/null 2>&1
check "cli: national admin" [ $? -eq 0 ]
REC=$("$B" token create "${p}rec" --role receiver --unit 07306 --db "$DB" \
	2>/dev/null | tail -1)
check "cli: receiver token" [ -n "$REC" ]
NREC=$("$B" token create "${p}nrec" --role receiver --unit VN --db "$DB" \
	2>/dev/null | tail -1)
check "cli: national receiver token" [ -n "$NREC" ]

D=$T/data
it_start --db "$DB" --data-dir "$D" || it_done
check "data directory created 0700" \
	[ "$(stat -c %a "$D")" = 700 -a -d "$D/tmp" ]

# The motcua process itself (SERVER_PID is its `timeout` watchdog).
MPID=$(pgrep -P "$SERVER_PID" | head -1)
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$MPID/status"; }
stored() { find "$D" -path "$D/tmp" -prune -o -type f -print | wc -l; }
temps() { find "$D/tmp" -type f | wc -l; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Samples made here.
printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' >"$T/a.pdf"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\002\000\000\000\220wS\336' >"$T/a.png"
printf 'GIF89a\001\000\001\000\000\000\000;' >"$T/a.gif"

# ---- no credentials: refused when the headers arrive ----------------------
http POST /api/v1/files -F "scan=@$T/a.pdf;type=application/pdf"
expect_status "anonymous upload: 401" 401
check "... nothing stored" [ "$(stored)" -eq 0 -a "$(temps)" -eq 0 ]

# ---- small files through the API (bearer token: no CSRF) ------------------
http POST /api/v1/files -H "Authorization: Bearer $REC" \
	-F "to_khai=@$T/a.pdf;filename=Tờ khai.pdf" -F "anh=@$T/a.png" \
	-F "ghi_chu=xin chào"
expect_status "upload two files: 201" 201
expect_body "... the PDF by its hash" "\"sha256\":\"$(sha "$T/a.pdf")\""
expect_body "... sniffed application/pdf" '"mime":"application/pdf"'
expect_body "... the PNG" '"mime":"image/png"'
expect_body "... the name kept for display" '"filename":"Tờ khai.pdf"'
H=$(sha "$T/a.pdf")
check "... stored at DIR/ab/abcd..." cmp -s "$T/a.pdf" "$D/$(echo "$H" | cut -c1-2)/$H"
check "... file mode 0600" [ "$(stat -c %a "$D/$(echo "$H" | cut -c1-2)/$H")" = 600 ]
n=$(stored)
http POST /api/v1/files -H "Authorization: Bearer $REC" -F "x=@$T/a.pdf"
expect_status "same file again: 201" 201
check "... stored once (dedup)" [ "$(stored)" -eq "$n" ]

# ---- a type sniffed from the content, not the name ------------------------
http POST /api/v1/files -H "Authorization: Bearer $REC" \
	-F "giay_to=@$T/a.gif;filename=anh.png;type=image/png"
expect_status "a GIF named .png: 415" 415
expect_body "... names the field" '"field":"giay_to"'
expect_body "... in the message too" '"message":"[^"]*giay_to'
expect_body "... says what is accepted" 'PDF, JPEG, PNG'
check "... no temp file left" [ "$(temps)" -eq 0 ]
check "... nothing more stored" [ "$(stored)" -eq "$n" ]

# ---- 40 MB streamed to disk: the server's memory does not hold it ---------
{ cat "$T/a.pdf"; head -c 41943040 /dev/urandom; } >"$T/big.pdf"
rss0=$(kb VmRSS)
http POST /api/v1/files -H "Authorization: Bearer $REC" \
	-F "ban_scan=@$T/big.pdf" --max-time 120
expect_status "40 MB file: 201" 201
HB=$(sha "$T/big.pdf")
expect_body "... its hash" "\"sha256\":\"$HB\""
check "... on disk, whole" cmp -s "$T/big.pdf" "$D/$(echo "$HB" | cut -c1-2)/$HB"
hwm=$(kb VmHWM)
grow=$(( (hwm - rss0) / 1024 ))
echo "memory: RSS before ${rss0} kB, peak after ${hwm} kB (+${grow} MB for a 40 MB file)"
check "... peak RSS grew by less than 16 MB (file 40 MB)" [ "$grow" -lt 16 ]
check "... no temp file left" [ "$(temps)" -eq 0 ]

# ---- over the request limit (50 MB): 413 at once, nothing left ------------
head -c 53477376 /dev/zero >"$T/huge.bin"
http POST /api/v1/files -H "Authorization: Bearer $REC" \
	-F "ban_scan=@$T/huge.bin;filename=huge.pdf" --max-time 120
expect_status "51 MB body: 413" 413
expect_body "... says the limit" '50 MB'
check "... no temp file left" [ "$(temps)" -eq 0 ]

# ---- an upload cut off midway: its temp file goes with the connection --
head -c 8388608 /dev/urandom >"$T/slow.bin"
{ cat "$T/a.pdf" "$T/slow.bin"; } >"$T/slow.pdf"
curl -s -o /dev/null --limit-rate 2M --max-time 1 \
	-H "Authorization: Bearer $REC" -F "ban_scan=@$T/slow.pdf" \
	"$URL/api/v1/files"
check "cut off: curl gave up" [ $? -eq 28 ]
tries=0
while [ "$(temps)" -ne 0 ] && [ $tries -lt 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
check "... no temp file left" [ "$(temps)" -eq 0 ]
check "... the server saw it aborted mid-body" in_log 'POST /api/v1/files .*\(aborted'
check "... nothing stored" [ ! -e "$D/$(sha "$T/slow.pdf" | cut -c1-2)/$(sha "$T/slow.pdf")" ]

# ---- downloads: a national grant, or (issue 6, online) an officer whose
# scope covers a dossier referencing the file; else 404 like an unknown
# file (this one is referenced by no dossier) ---------------------------
http GET "/api/v1/files/$H" -H "Authorization: Bearer $REC"
expect_status "download by a commune receiver, no dossier of theirs: 404" 404
http GET "/api/v1/files/$H?ten=T%E1%BB%9D%20khai.pdf" -H "Authorization: Bearer $NREC"
expect_status "download: 200" 200
check "... the same bytes" cmp -s "$T/a.pdf" "$BODY"
expect_header "... fixed type" 'Content-Type: application/octet-stream'
expect_header "... attachment, RFC 6266 name" \
	"Content-Disposition: attachment; filename=\"T_ khai.pdf\"; filename*=UTF-8''T%E1%BB%9D%20khai.pdf"
expect_header "... nosniff" 'X-Content-Type-Options: nosniff'
expect_header "... private, no-store" 'Cache-Control: private, no-store'
http GET "/api/v1/files/$HB" -H "Authorization: Bearer $NREC" --max-time 60
check "... a 40 MB file streamed back whole" [ "$(sha "$BODY")" = "$HB" ]
http GET "/api/v1/files/..%2F..%2Fetc%2Fpasswd" -H "Authorization: Bearer $NREC"
expect_status "a path instead of a hash: 404" 404
http GET "/api/v1/files/0000000000000000000000000000000000000000000000000000000000000000" \
	-H "Authorization: Bearer $NREC"
expect_status "an unknown hash: 404" 404

# ---- the calendar CSV import by file (session, CSRF in the form) ----------
login() {
	rm -f "$1"
	http GET /dang-nhap -c "$1" -b "$1"
	nonce=$(grep -o 'name="login_csrf" value="[0-9a-f]*"' "$BODY" |
		sed 's/.*value="//; s/"$//')
	http POST /dang-nhap -c "$1" -b "$1" \
		--data-urlencode "username=$2" --data-urlencode "password=$3" \
		--data-urlencode "login_csrf=$nonce" --data-urlencode "tiep=/quan-tri"
}
field() {
	grep -o "name=\"$1\" value=\"[^\"]*\"" "$BODY" | head -1 |
		sed 's/.*value="//; s/"$//'
}
J=$T/nat.jar
login "$J" "$NAT" "$PW"; expect_status "login national admin" 303
http GET /quan-tri/lich/2033 -b "$J"
expect_status "calendar year page" 200
expect_body "... the import form takes a file" 'enctype="multipart/form-data"'
expect_body "... a file input" 'type="file" id="csv_file" name="csv_file"'
C=$(field csrf); V=$(field version)
printf '\357\273\277date,kind,name,source\r\n2033-01-01,holiday,Tết Dương lịch,tệp %s\r\n2033-09-02,holiday,Quốc khánh,tệp %s\r\n' "$p" "$p" >"$T/lich.csv"
http POST /quan-tri/lich/2033 -b "$J" -F "csrf=$C" -F "version=$V" \
	-F "op=preview" -F "csv=" -F "csv_file=@$T/lich.csv;type=text/csv"
expect_status "CSV file preview: 200" 200
expect_body "... lists what is added" 'Thêm 2033-09-02: Quốc khánh'
expect_body "... the file's content in the textarea" "Quốc khánh,tệp $p"
http POST /quan-tri/lich/2033 -b "$J" -F "version=$V" -F "op=import" \
	-F "csv_file=@$T/lich.csv;type=text/csv"
expect_status "without the CSRF field: refused" 303
expect_header "... to the login page" 'Location: /dang-nhap'
http GET /api/v1/admin/calendar/2033 -b "$J"
expect_body "... nothing written" '"announced":false'
http POST /quan-tri/lich/2033 -b "$J" -F "csrf=$C" -F "version=$V" \
	-F "op=import" -F "csv_file=@$T/lich.csv;type=text/csv"
expect_status "CSV file import: 303" 303
http GET /api/v1/admin/calendar/2033 -b "$J"
expect_body "... 2033 announced" '"announced":true'
expect_body "... with the file's entries" "tệp $p"

# Refusals on the CSV route name the field.
{ printf 'date,kind,name,source\n'; head -c 1100000 /dev/zero | tr '\0' 'a'; } >"$T/big.csv"
http POST /quan-tri/lich/2033 -b "$J" -F "csrf=$C" -F "op=preview" \
	-F "csv_file=@$T/big.csv;type=text/csv"
expect_status "CSV file over 1 MB: 413" 413
expect_body "... names the field" 'csv_file'
check "... no temp file left" [ "$(temps)" -eq 0 ]
http POST /quan-tri/lich/2033 -b "$J" -F "csrf=$C" -F "op=preview" \
	-F "csv_file=@$T/a.pdf;filename=lich.csv;type=text/csv"
expect_status "a PDF named lich.csv: 415" 415
expect_body "... names the field" 'csv_file'
expect_body "... and what it is" 'application/pdf'

# The pasted textarea still works as before (urlencoded form).
http GET /quan-tri/lich/2033 -b "$J"; V=$(field version)
http POST /quan-tri/lich/2033 -b "$J" --data-urlencode "csrf=$C" \
	--data "op=preview" --data-urlencode "version=$V" \
	--data-urlencode "csv=date,kind,name,source
2033-01-01,holiday,Tết Dương lịch,x"
expect_status "textarea preview still: 200" 200
expect_body "... lists what is removed" 'Bỏ 2033-09-02'

# Put 2033 back (other scripts share the database).
for d in 2033-01-01 2033-09-02; do
	http DELETE "/api/v1/admin/calendar/2033/entries/$d" -b "$J" \
		-H "X-CSRF-Token: $C"
done
http GET /api/v1/admin/calendar/2033 -b "$J"
expect_body "2033 provisional again" '"announced":false'

check "server still alive" kill -0 "$MPID"
it_stop
check "clean stop" [ "$SERVER_RC" = 0 ]
it_done
