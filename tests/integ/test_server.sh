#!/bin/sh
# test_server.sh - the HTTP server through the real binary: /healthz,
# /metrics, 404 (HTML and JSON), 405, the limits (431, 413, 400), security
# headers, HEAD, static files and their cache headers, keep-alive, the
# access log, the refusal of an unmigrated database, and SIGTERM finishing
# a request in flight before exit 0. Uses MOTCUA_TEST_DB (see lib.sh).
# Ends with "server: N passed, M failed".
here=$(dirname "$0")
. "$here/lib.sh"
it_init server

# --- a database that `motcua init` did not prepare is refused ---
"$IT_BIN" serve --db "sqlite:$T/empty.db" --listen 127.0.0.1:0 \
	>"$T/out" 2>"$T/err"
rc=$?
check "unmigrated db: exit 1" [ "$rc" -eq 1 ]
check "unmigrated db: says run motcua init" grep -q "run motcua init" "$T/err"

DB=$(it_db) || { it_ko "database"; it_done; }
it_start --db "$DB" || it_done

# --- health and metrics ---
http GET /healthz
expect_status "healthz" 200
expect_body "healthz body" '^ok$'
expect_header "healthz type" "Content-Type: text/plain"

http GET /metrics
expect_status "metrics" 200
expect_header "metrics type" "Content-Type: text/plain; version=0.0.4"
expect_body "metrics counter" '^motcua_http_requests_total\{route="/healthz",status="200"\} [0-9]+$'
expect_body "metrics TYPE" '^# TYPE motcua_http_request_duration_seconds histogram$'
expect_body "metrics +Inf bucket" '^motcua_http_request_duration_seconds_bucket\{route="/healthz",le="\+Inf"\} [0-9]+$'
expect_body "metrics db errors" '^motcua_db_errors_total [0-9]+$'
# Every line is a comment or "name{labels} number".
check "metrics format" sh -c "! grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$' '$BODY'"

# --- 404 and 405, HTML and JSON ---
http GET /khong-co-trang-nay
expect_status "404 html" 404
expect_header "404 html type" "Content-Type: text/html; charset=utf-8"
expect_body "404 html page" '<html lang="vi"'
http GET /khong-co-trang-nay -H 'Accept: application/json'
expect_status "404 json (Accept)" 404
expect_header "404 json type" "Content-Type: application/json; charset=utf-8"
expect_body "404 json body" '^\{"error":\{"code":"not_found","message":"[^"]+"\}\}$'
http GET /khong-co-trang-nay -H 'Accept: text/html,application/json;q=0.9'
expect_header "HTML asked first: a page" "Content-Type: text/html; charset=utf-8"
http GET /khong-co-trang-nay -H 'Accept: application/json, text/html;q=0.5'
expect_header "JSON asked first: JSON" "Content-Type: application/json; charset=utf-8"
http GET /api/v1/khong-co
expect_status "404 under /api" 404
expect_body "404 /api is json" '"code":"not_found"'
http POST /healthz -d x=1
expect_status "405" 405
expect_header "405 Allow" "Allow: GET, HEAD"

# --- limits ---
big=$(head -c 12000 /dev/zero | tr '\0' a)
http GET /healthz -H "X-Big: $big"
expect_status "431 over 8 KiB of headers" 431
huge=$(head -c 60000 /dev/zero | tr '\0' a)
http GET /healthz -H "X-Huge: $huge"
expect_status "431 past the connection memory (MHD)" 431
head -c 2097152 /dev/zero >"$T/2mib"
http POST /khong-co --data-binary @"$T/2mib" -H 'Content-Type: application/octet-stream'
expect_status "413 by Content-Length" 413
http POST /khong-co --data-binary @"$T/2mib" -H 'Transfer-Encoding: chunked'
expect_status "413 chunked" 413
http POST /khong-co --data 'a=%zz' -H 'Content-Type: application/x-www-form-urlencoded'
expect_status "400 malformed form body" 400
http GET '/%FF'
expect_status "400 invalid UTF-8 path" 400
http GET '/healthz?q=%C3%28'
expect_status "400 invalid UTF-8 query" 400
http GET '/healthz?q=%zz'
expect_status "400 bad escape" 400
long=$(head -c 2100 /dev/zero | tr '\0' a)
http GET "/healthz?q=$long"
expect_status "400 query over 2048 bytes" 400
http GET '/healthz?q=th%E1%BB%A7+t%E1%BB%A5c'
expect_status "valid UTF-8 query" 200

# --- security headers, on pages and errors ---
for p in /healthz /khong-co; do
	http GET $p
	expect_header "nosniff $p" "X-Content-Type-Options: nosniff"
	expect_header "referrer $p" "Referrer-Policy: same-origin"
	expect_header "frame $p" "X-Frame-Options: DENY"
	expect_header "csp $p" "Content-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self'"
done

# --- HEAD: the headers of GET, no body ---
http HEAD /healthz
expect_status "HEAD status" 200
expect_header "HEAD length" "Content-Length: 3"
if command -v python3 >/dev/null; then
	port=${URL##*:}
	python3 - "$port" >"$T/head" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, sep, body = data.partition(b"\r\n\r\n")
print("sep" if sep else "nosep", len(body))
EOF
	check "HEAD sends no body" grep -qx "sep 0" "$T/head"
fi

# --- static files ---
http GET /static/site.css
expect_status "static" 200
expect_header "static type" "Content-Type: text/css; charset=utf-8"
expect_header "static etag" "ETag: \""
expect_header "static cache" "Cache-Control: public, max-age=300"
etag=$(tr -d '\r' <"$HEADERS" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
http GET /static/site.css -H "If-None-Match: $etag"
expect_status "static 304" 304
http GET /static/nope.css
expect_status "static missing" 404
http GET /static/../migrations/0001_catalog.sql --path-as-is
expect_status "static no traversal" 404
http GET /favicon.ico
check "favicon not 404" [ "$STATUS" = 204 ] || [ "$STATUS" = 200 ]

# --- slow clients do not hold the worker threads ---
if command -v python3 >/dev/null; then
	port=${URL##*:}
	python3 - "$port" <<'EOF2' &
import socket, sys, time
held = []
for i in range(16):  # more idle, half-sent requests than worker threads
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
    held.append(s)
time.sleep(3)
EOF2
	slow_pid=$!
	sleep 0.5
	http GET /healthz
	expect_status "answers while slow clients hold connections" 200
	wait $slow_pid
fi

# --- keep-alive: two requests on one connection ---
curl -sv -o /dev/null -o /dev/null "$URL/healthz" "$URL/healthz" 2>"$T/ka"
check "keep-alive reuses the connection" grep -qi "Re-using existing connection" "$T/ka"

# --- access log: method path status bytes microseconds ---
check "access log line" in_log ' GET /healthz 200 3 [0-9]+us$'
check "access log has no query" sh -c "! grep -q 'q=th' '$SERVER_LOG'"

# --- SIGTERM finishes the request in flight, then exit 0 ---
head -c 65536 /dev/zero | tr '\0' a >"$T/slow"
curl -s -o "$T/slow.body" -w '%{http_code}' --max-time 60 \
	--limit-rate 16k --data-binary @"$T/slow" \
	-H 'Content-Type: application/octet-stream' \
	"$URL/khong-co" >"$T/slow.status" &
curl_pid=$!
# Wait until the upload has started (the request is in flight).
tries=0
while [ $tries -lt 50 ]; do
	curl -s "$URL/metrics" | grep -q '^motcua_http_requests_in_flight 2$' && break
	sleep 0.1
	tries=$((tries + 1))
done
it_stop
check "SIGTERM: exit 0 (got $SERVER_RC)" [ "$SERVER_RC" = 0 ]
[ "$SERVER_RC" = 0 ] || tail -5 "$SERVER_LOG"
wait $curl_pid
check "SIGTERM: request in flight answered" grep -qx 404 "$T/slow.status"
check "SIGTERM: logged" grep -q "finishing requests in flight" "$SERVER_LOG"

# --- --assets DIR: templates and static files from disk ---
root=$(cd "$here/../.." && pwd)
it_start --db "$DB" --assets "$root/assets" || it_done
http GET /khong-co
expect_status "--assets: 404 page" 404
expect_body "--assets: rendered in the layout" '<html lang="vi"'
http GET /static/site.css
expect_status "--assets: static" 200
expect_header "--assets: static revalidates" "Cache-Control: no-cache"
it_stop
check "--assets: exit 0" [ "$SERVER_RC" = 0 ]

it_done
