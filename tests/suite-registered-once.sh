#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every integration test is registered exactly once in the automake lists
# (tests/Makemodule.am, tests/integration/*.am): a test listed twice ran
# twice per suite (melee-run.sh did), a test listed nowhere never ran;
# and each is executable, to be run on its own.
# No root needed: this reads the lists only.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_srcdir" || exit 1
n=0 failed=0
check() { # check STATUS DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1))
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

# The words of every integration_tests assignment, continuation lines too.
listed=$(awk '/^integration_tests[ \t]*\+?=/ { f = 1 } f { print } f && !/\\$/ { f = 0 }' \
	tests/Makemodule.am tests/integration/*.am | grep -o 'tests/[A-Za-z0-9_./-]*\.sh' | sort)
present=$(ls tests/integration/*.sh tests/suite-*.sh | grep -v -- '-lib\.sh$' | sort)

dups=$(printf '%s\n' "$listed" | uniq -d)
check "$([ -z "$dups" ]; echo $?)" "no test is listed twice" "$dups"
missing=$(comm -13 <(printf '%s\n' "$listed" | uniq) <(printf '%s\n' "$present"))
check "$([ -z "$missing" ]; echo $?)" "every test file is listed" "$missing"
gone=$(comm -23 <(printf '%s\n' "$listed" | uniq) <(printf '%s\n' "$present"))
check "$([ -z "$gone" ]; echo $?)" "every listed test exists" "$gone"
# Each runs on its own too (sudo tests/integration/NAME.sh): executable.
noexec=$(for f in $present; do [ -x "$f" ] || echo "$f"; done)
check "$([ -z "$noexec" ]; echo $?)" "every test file is executable" "$noexec"
# ... and finds the source tree from its own path when make did not say.
nodefault=$(for f in $present; do grep -q 'top_srcdir:=' "$f" || echo "$f"; done)
check "$([ -z "$nodefault" ]; echo $?)" "every test finds top_srcdir on its own" "$nodefault"
check "$([ "$(printf '%s\n' "$listed" | grep -c .)" -gt 50 ]; echo $?)" "the lists were read ($(printf '%s\n' "$listed" | grep -c .) tests)"
echo "1..$n"
[ "$failed" -eq 0 ]
