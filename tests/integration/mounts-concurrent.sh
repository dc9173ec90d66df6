#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Ten melee-mounts up runs at once leave exactly one copy of each mount:
# the lock under /run/melee serialises them.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image one
add_image two

pids=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	mm up > "$T/work/up.$i" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" "0" "all ten concurrent runs succeed"
is "$(cat "$T"/work/up.* | grep -c 'mounted 17, 0 already present')" "2" "exactly one run mounted each image"
is "$(cat "$T"/work/up.* | grep -c 'already up, nothing mounted')" "18" "the other nine found them up"
for img in one two; do
	for t in proc sys dev run home tmp etc/passwd etc/group; do
		n=$(awk -v p="$IMAGES/$img/$t" '$5 == p' /proc/self/mountinfo | wc -l)
		is "$n" "1" "$img: exactly one mount on /$t"
	done
done
pids=""
for i in 1 2 3 4 5; do
	mm down > "$T/work/down.$i" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" "0" "five concurrent downs succeed"
is "$(mounted_below "$IMAGES" | wc -l)" "0" "nothing left mounted"
done_testing
