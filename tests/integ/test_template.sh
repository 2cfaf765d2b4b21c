#!/bin/sh
# test_template.sh - `motcua template render` through the real binary
# ($MOTCUA_BIN, default build/motcua): output with partials and Vietnamese
# text, then each error case (message naming file and line, exit status).
# Ends with "template: N passed, M failed"; exits 1 on any failure.

BIN=${MOTCUA_BIN:-build/motcua}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/motcua-template.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# check NAME WANT_STATUS WANT_STDOUT_FILE|- PATTERN|- CMD...
# PATTERN is looked for in stderr, or in stdout when it starts "stdout:".
check() {
	name=$1 want_rc=$2 want_out=$3 want_err=$4
	shift 4
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		ko "$name: exit $rc, want $want_rc"; sed 's/^/  stderr: /' "$T/err"
		return
	fi
	if [ "$want_out" != - ] && ! cmp -s "$want_out" "$T/out"; then
		ko "$name: stdout differs"; diff "$want_out" "$T/out" | head -20
		return
	fi
	stream=err
	case $want_err in stdout:*) stream=out want_err=${want_err#stdout:} ;; esac
	if [ "$want_err" != - ] && ! grep -q -- "$want_err" "$T/$stream"; then
		ko "$name: std$stream lacks '$want_err'"; sed 's/^/  got: /' "$T/$stream"
		return
	fi
	ok
}

mkdir -p "$T/partials"
cat >"$T/page.mustache" <<'EOF'
<h1>{{tieu_de}}</h1>
<ul>
  {{>item}}
</ul>
{{^ghi_chu}}
<p>Không có ghi chú.</p>
{{/ghi_chu}}
{{{raw}}}
EOF
cat >"$T/partials/item.mustache" <<'EOF'
{{#thu_tuc}}
<li>{{ma}}: {{ten}}</li>
{{/thu_tuc}}
EOF
cat >"$T/data.json" <<'EOF'
{
  "tieu_de": "Thủ tục <hành chính> & lệ phí",
  "thu_tuc": [
    { "ma": "1.001", "ten": "Đăng ký khai sinh" },
    { "ma": "1.002", "ten": "Đăng ký kết hôn" }
  ],
  "ghi_chu": "",
  "raw": "<b>ok</b>"
}
EOF
cat >"$T/want.html" <<'EOF'
<h1>Thủ tục &lt;hành chính&gt; &amp; lệ phí</h1>
<ul>
  <li>1.001: Đăng ký khai sinh</li>
  <li>1.002: Đăng ký kết hôn</li>
</ul>
<p>Không có ghi chú.</p>
<b>ok</b>
EOF

check "render with partials" 0 "$T/want.html" - \
	"$BIN" template render --partials "$T/partials" "$T/page.mustache" "$T/data.json"
check "--partials=DIR form" 0 "$T/want.html" - \
	"$BIN" template render "--partials=$T/partials" "$T/page.mustache" "$T/data.json"

# Without --partials the partial renders as nothing (the spec's rule).
printf '{{>item}}[{{tieu_de}}]\n' >"$T/nopart.mustache"
printf '[Thủ tục &lt;hành chính&gt; &amp; lệ phí]\n' >"$T/want-nopart"
check "no partials directory" 0 "$T/want-nopart" - \
	"$BIN" template render "$T/nopart.mustache" "$T/data.json"

# A missing partial file: empty output and a warning naming it.
printf 'a{{>missing}}b\n' >"$T/missing.mustache"
printf 'ab\n' >"$T/want-missing"
check "missing partial warns" 0 "$T/want-missing" "missing.mustache" \
	"$BIN" template render --partials "$T/partials" "$T/missing.mustache" "$T/data.json"

check "help" 0 - "stdout:usage: motcua template render" "$BIN" template --help
check "render help" 0 - "stdout:--partials" "$BIN" template render --help
check "render --help lists usage" 0 - "stdout:TEMPLATE DATA.json" "$BIN" template render --help

# Usage errors: exit 2.
check "no subcommand" 2 - "usage:" "$BIN" template
check "unknown subcommand" 2 - "unknown subcommand" "$BIN" template paint
check "missing DATA" 2 - "usage:" "$BIN" template render "$T/page.mustache"
check "unknown option" 2 - "unknown option --bogus" \
	"$BIN" template render --bogus "$T/page.mustache" "$T/data.json"

# Failures: exit 1, message naming the file (and the line).
printf 'ok\n\n{{#a}}\n  {{b\n' >"$T/bad.mustache"
check "syntax error names file and line" 1 - "bad.mustache: line 4: unclosed tag" \
	"$BIN" template render "$T/bad.mustache" "$T/data.json"
printf '{{#a}}\nx\n{{/b}}\n' >"$T/mismatch.mustache"
check "mismatched section" 1 - "mismatch.mustache: line 3: 'b' closes section 'a'" \
	"$BIN" template render "$T/mismatch.mustache" "$T/data.json"
printf '{\n  "a": 1,\n  "b": \n}\n' >"$T/bad.json"
check "bad JSON names file and line" 1 - "bad.json: line 4" \
	"$BIN" template render "$T/page.mustache" "$T/bad.json"
check "missing template" 1 - "nope.mustache" \
	"$BIN" template render "$T/nope.mustache" "$T/data.json"
check "missing data" 1 - "nope.json" \
	"$BIN" template render "$T/page.mustache" "$T/nope.json"
printf 'x\n{{#a}}\n' >"$T/partials/broken.mustache"
printf '{{>broken}}\n' >"$T/usebroken.mustache"
check "broken partial names its file and line" 1 - "broken.mustache: line 2: section 'a' is never closed" \
	"$BIN" template render --partials "$T/partials" "$T/usebroken.mustache" "$T/data.json"
printf 'secret\n' >"$T/secret.mustache"
printf '{{>../secret}}\n' >"$T/escape.mustache"
check "partial name with .. refused" 1 - "refused" \
	"$BIN" template render --partials "$T/partials" "$T/escape.mustache" "$T/data.json"
printf '{{>sub/x}}\n' >"$T/slash.mustache"
check "partial name with / refused" 1 - "refused" \
	"$BIN" template render --partials "$T/partials" "$T/slash.mustache" "$T/data.json"
printf '{{>self}}' >"$T/partials/self.mustache"
printf '{{>self}}\n' >"$T/loop.mustache"
check "recursive partial refused" 1 - "nested deeper than 64" \
	"$BIN" template render --partials "$T/partials" "$T/loop.mustache" "$T/data.json"

echo "template: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
