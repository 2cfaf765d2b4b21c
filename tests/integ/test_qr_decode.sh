#!/bin/sh
# test_qr_decode.sh - the QR codes of a commune board decode, with a real
# reader (zbarimg, Debian's zbar-tools), to the public URL of their
# procedure, PUBLIC_URL/t/{code}:
#   1. /qr/t/{code}.png for every procedure the board lists;
#   2. the board page's own inline SVGs, rasterised by headless chromium
#      (all codes laid out in one grid, one screenshot, zbarimg reads them
#      all), skipped with a note when chromium is missing.
# Board: /don-vi/07738/bang-qr (Phường Cảnh Thụy). Ends with
# "qr-decode: N passed, M failed".
here=$(dirname "$0")
. "$here/public_lib.sh"
unit=${QR_UNIT:-07738}

if ! command -v zbarimg >/dev/null; then
	echo "qr-decode: zbarimg missing (apt-get install zbar-tools)"
	it_init qr-decode
	it_ko "zbarimg is installed"
	it_done
fi
pub_start qr-decode

get "/api/v1/units/$unit/board"
expect_status "board API" 200
json '.fields.flatMap(f => f.procedures.map(p => p.code)).join("\n")' >"$PUB_TMP/codes"
n=$(grep -c . "$PUB_TMP/codes")
check "board lists procedures ($n)" [ "$n" -gt 0 ]

# 1. One PNG per code.
decoded=0
while read -r code; do
	curl -s -o "$PUB_TMP/qr.png" "$PUB_URL/qr/t/$code.png"
	got=$(zbarimg -q --raw "$PUB_TMP/qr.png" 2>/dev/null)
	if [ "$got" = "$PUB_URL/t/$code" ]; then
		decoded=$((decoded + 1))
	else
		echo "  $code.png decodes to '$got'"
	fi
done <"$PUB_TMP/codes"
echo "qr-decode: $decoded of $n PNG codes carry PUBLIC_URL/t/{code}"
check "every PNG decodes to its URL ($decoded/$n)" [ "$decoded" -eq "$n" ]

# 2. The board's inline SVGs, as served in the page.
chromium=${CHROMIUM:-/usr/bin/chromium}
get "/don-vi/$unit/bang-qr"
expect_status "board page" 200
if [ ! -x "$chromium" ]; then
	echo "qr-decode: note: $chromium missing, inline SVGs not rasterised"
else
	node -e '
		const fs = require("fs");
		const html = fs.readFileSync(process.argv[1], "utf8");
		const svgs = html.match(/<svg[^>]*class="qr"[\s\S]*?<\/svg>/g) || [];
		const cells = svgs.map(s => `<div>${s}</div>`).join("\n");
		const rows = Math.ceil(svgs.length / 8);
		fs.writeFileSync(process.argv[2], `<!doctype html><meta charset="utf-8">
<style>body{margin:0;background:#fff}main{display:grid;grid-template-columns:repeat(8,200px);gap:24px;padding:24px}
svg{width:200px;height:200px;display:block}</style><main>${cells}</main>`);
		console.log(svgs.length + " " + (rows * 224 + 48));
	' "$PUB_BODY" "$PUB_TMP/grid.html" >"$PUB_TMP/grid.info"
	read -r nsvg height <"$PUB_TMP/grid.info"
	check "board page holds one SVG per code ($nsvg/$n)" [ "$nsvg" -eq "$n" ]
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$PUB_TMP/profile" --hide-scrollbars \
		--force-device-scale-factor=1 --window-size="1824,$height" \
		--screenshot="$PUB_TMP/grid.png" "file://$PUB_TMP/grid.html" \
		>"$PUB_TMP/chromium.log" 2>&1
	check "chromium rasterised the board's SVGs" [ -s "$PUB_TMP/grid.png" ]
	zbarimg -q --raw "$PUB_TMP/grid.png" 2>/dev/null | sort >"$PUB_TMP/got"
	sed "s|^|$PUB_URL/t/|" "$PUB_TMP/codes" | sort >"$PUB_TMP/want"
	svg_ok=$(comm -12 "$PUB_TMP/got" "$PUB_TMP/want" | wc -l)
	extra=$(comm -23 "$PUB_TMP/got" "$PUB_TMP/want" | wc -l)
	echo "qr-decode: $svg_ok of $n inline SVG codes carry PUBLIC_URL/t/{code}"
	comm -13 "$PUB_TMP/got" "$PUB_TMP/want" | head -5 | sed 's/^/  not decoded: /'
	check "every inline SVG decodes to its URL ($svg_ok/$n)" [ "$svg_ok" -eq "$n" ]
	check "no SVG decodes to anything else ($extra)" [ "$extra" -eq 0 ]
fi

pub_done
