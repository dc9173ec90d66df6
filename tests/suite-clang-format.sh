#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C file of the product (common/, tools/, pam_melee/, nss_melee/,
# slurm/) is as .clang-format lays it out, so that formatting a file one
# touches changes nothing else: one check per file, and a failure names
# the file and shows the start of what clang-format would change.  The
# layout is clang-format 14's (Debian 12's); another version lays a few
# constructs out differently, so without version 14 the test is skipped,
# and says why.  No root needed: this reads the sources only.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_srcdir" || exit 1

cf=
for c in clang-format-14 clang-format; do
	if command -v "$c" >/dev/null && "$c" --version | grep -q 'version 14\.'; then
		cf=$c
		break
	fi
done
if [ -z "$cf" ]; then
	echo "1..0 # SKIP clang-format 14 is not installed (Debian: apt-get install clang-format-14)"
	exit 0
fi

n=0 failed=0
for f in $(find common tools pam_melee nss_melee slurm -name '*.[ch]' | sort); do
	n=$((n + 1))
	d=$("$cf" --style=file "$f" | diff -u "$f" -)
	if [ -z "$d" ]; then
		echo "ok $n - $f is laid out as .clang-format says"
	else
		echo "not ok $n - $f is not laid out as .clang-format says (fix: $cf -i $f)"
		printf '%s\n' "$d" | sed -n '3,22p' | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
n=$((n + 1))
if [ "$n" -gt 50 ]; then echo "ok $n - the product's files were found ($((n - 1)))"; else
	echo "not ok $n - the product's files were found (only $((n - 1)))"
	failed=$((failed + 1))
fi
echo "1..$n"
[ "$failed" -eq 0 ]
