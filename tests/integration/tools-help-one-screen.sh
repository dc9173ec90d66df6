#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every tool's --help fits one screen (at most 24 lines of at most 80
# columns) and ends with the man page to read.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

for tool in melee:1 melee-mounts:8 melee-image:8 melee-qsub:1; do
	section=${tool#*:} tool=${tool%:*}
	run "$top_builddir/tools/$tool/$tool" --help
	is "$rc" 0 "$tool --help: exit 0"
	lines=$(printf '%s\n' "$out" | wc -l)
	ok "$([ "$lines" -le 24 ]; echo $?)" "$tool --help: $lines lines, at most 24"
	wide=$(printf '%s\n' "$out" | awk 'length($0) > 80')
	is "$wide" "" "$tool --help: no line wider than 80 columns"
	like "$(printf '%s\n' "$out" | tail -n 1)" "See $tool\($section\)\.$" \
		"$tool --help: the last line names $tool($section)"
	ok "$([ -f "$top_srcdir/man/$tool.$section" ]; echo $?)" "$tool --help: man/$tool.$section exists"
done

done_testing
