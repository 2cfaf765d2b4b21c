# public_lib.sh - helpers of the public-page tests (test_public.sh,
# test_qr_decode.sh) over the harness tests/integ/lib.sh; sourced, not run.
#   pub_start NAME   it_init, the run's database (it_db), it_start; sets
#                    PUB_URL (the server's public URL), PUB_TMP
#   get PATH         GET; sets PUB_STATUS, PUB_BODY (file), PUB_HEADERS
#   json EXPR        evaluates a JavaScript expression (node) on the last
#                    body; a leading "." stands for the document, as in
#                    ".items[0].code"; strings print raw, others as JSON
#   pub_done         it_done
# check, expect_status, expect_body (ERE), expect_no_body, expect_header
# and it_ok/it_ko come from lib.sh.
. "$(dirname "$0")/lib.sh"

pub_start() {
	it_init "$1"
	PUB_TMP=$T
	PUB_BODY=$BODY
	PUB_HEADERS=$HEADERS
	db=$(it_db) || { it_ko "motcua init"; it_done; }
	it_start --db "$db" || it_done
	PUB_URL=$URL
}

get() {
	http GET "$1"
	PUB_STATUS=$STATUS
	PUB_PATH=$1
}

json() {
	node -e '
		const fs = require("fs");
		let d;
		try { d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
		catch (e) { console.log("(not JSON)"); process.exit(0); }
		const src = process.argv[2].replace(/(^|[^\w\])"\x27])\.(?=[A-Za-z_])/g, "$1d.");
		let v;
		try { v = eval(src); } catch (e) { v = "(error: " + e.message + ")"; }
		console.log(typeof v === "string" ? v : JSON.stringify(v));
	' "$PUB_BODY" "$1"
}

pub_done() {
	it_done
}
