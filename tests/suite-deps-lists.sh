#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/deps.txt is what tests/run installs on a fresh machine, and all it
# installs: every Build-Depends of debian/control (and build-essential,
# which dpkg-buildpackage demands of every build) must be satisfied by the
# packages of that list alone.  Checked by dpkg-checkbuilddeps against a
# dpkg status holding only the list's packages as installed here (their
# versions and Provides), so that a package the machine happens to have
# does not hide a missing line (tests/packaging.sh stopped on a fresh
# machine at "Unmet build dependencies: build-essential:native").  And
# tests/deps-quickstart.txt is part of that list.  No root needed.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_srcdir" || exit 1
command -v dpkg-checkbuilddeps >/dev/null || { echo "1..0 # SKIP not Debian: no dpkg-checkbuilddeps"; exit 0; }
n=0 failed=0
check() { # check STATUS DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1))
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}
pkgs() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"; }

adm=$(mktemp -d) || exit 1
trap 'rm -rf "$adm"' EXIT
# The installed stanzas of the list's packages, nothing else.
list=" $(pkgs tests/deps.txt | tr '\n' ' ') "
awk -v list="$list" 'BEGIN { RS = ""; ORS = "\n\n" }
	match($0, /(^|\n)Package: [^\n]*/) {
		p = substr($0, RSTART, RLENGTH); sub(/.*Package: /, "", p)
		if (index(list, " " p " ") && $0 ~ /\nStatus: install ok installed/) print
	}' /var/lib/dpkg/status > "$adm/status"
missing=$(for p in $list; do grep -qx "Package: $p" "$adm/status" || echo "$p"; done)
check "$([ -z "$missing" ]; echo $?)" "every package of tests/deps.txt is installed here (tests/install-deps)" \
	"not installed: $(echo $missing)"
out=$(dpkg-checkbuilddeps --admindir="$adm" debian/control 2>&1)
check $? "tests/deps.txt alone satisfies debian/control's Build-Depends and build-essential" "$out"

extra=$(pkgs tests/deps-quickstart.txt | while read -r p; do pkgs tests/deps.txt | grep -qx "$p" || echo "$p"; done)
check "$([ -z "$extra" ]; echo $?)" "tests/deps-quickstart.txt is part of tests/deps.txt" "only in the quickstart's: $(echo $extra)"
echo "1..$n"
[ "$failed" -eq 0 ]
