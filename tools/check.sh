#!/bin/sh
# check.sh - static rules of the code base (STYLE.md):
#   1. layering: core uses only util; store and render use core and util;
#      web and cli use everything; util uses nothing of ours.
#   2. banned functions (git's banned.h): strcpy strcat strncpy sprintf
#      vsprintf strtok atoi gets.
#   3. no json_dumps() in src/: its string comes from jansson's allocator,
#      which is the request's arena in the JSON pool (util/json.h), and
#      must not reach free(); json_text() is the one to use.
# Prints "check: N passed, M failed".
set -u
pass=0; fail=0
allowed() { # dir -> allowed include dirs
	case $1 in
	util) echo "util" ;;
	core) echo "util core" ;;
	store) echo "util core store" ;;
	render) echo "util core render" ;;
	web|cli) echo "util core store render web cli" ;;
	esac
}
for f in src/*/*.c src/*/*.h; do
	dir=$(echo "$f" | cut -d/ -f2)
	ok=$(allowed "$dir")
	for inc in $(grep -oE '^#include "[a-z]+/' "$f" | sed -E 's/#include "([a-z]+)\//\1/'); do
		case " $ok " in
		*" $inc "*) ;;
		*) echo "layering: $f includes $inc/ (allowed: $ok)"; fail=$((fail + 1)); continue ;;
		esac
	done
done
banned=$(grep -nE '\b(strcpy|strcat|strncpy|sprintf|vsprintf|strtok|atoi|gets)\s*\(' src/*/*.c src/*/*.h tests/unit/*.c 2>/dev/null | grep -vE ':[0-9]+:\s*(\*|/\*|//)' | grep -vE '(snprintf|vsnprintf)\s*\(' || true)
if [ -n "$banned" ]; then
	echo "banned functions:"; echo "$banned"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
dumps=$(grep -nE '\bjson_dumps\s*\(' src/*/*.c src/*/*.h | grep -vE ':[0-9]+:\s*(\*|/\*|//)' || true)
if [ -n "$dumps" ]; then
	echo "json_dumps in src/ (use json_text, util/json.h):"; echo "$dumps"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
[ "$fail" -eq 0 ] && pass=$((pass + 1))
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
