#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An image with hundreds of binds goes up under the soft limit of open
# files a service gets (1024 under systemd; lower here, 128, for speed):
# up keeps one fd for each mount it made until the run succeeded, to take
# exactly those back if it fails (mounts-made.c), so melee-mounts raises
# its soft limit to the hard one; down takes them all away again.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

N=300
setup_accounts
write_config
add_image demo
I=$IMAGES/demo
mkdir -p "$T/src"
for i in $(seq 1 "$N"); do
	mkdir -p "$T/src/d$i" "$I/mnt/d$i"
	echo "$i" > "$T/src/d$i/f"
	echo "$T/src/d$i /mnt/d$i none bind 0 0" >> "$T/etc/fstab"
done
count_binds() { awk -v p="$I/mnt/" 'index($5, p) == 1' /proc/self/mountinfo | wc -l; }

run sh -c "ulimit -S -n 128 && exec \"\$0\" --config \"\$1\" up demo" "$MELEE_MOUNTS" "$CONF"
is "$rc" 0 "up with $N binds under a soft limit of 128 open files succeeds"
unlike "$out" "Too many open files" "no file descriptor ran out"
is "$(count_binds)" "$N" "all $N binds are there"
is "$(cat "$I/mnt/d1/f"):$(cat "$I/mnt/d$N/f")" "1:$N" "the first and the last bind show their sources"
run sh -c "ulimit -S -n 128 && ulimit -H -n 128 && exec \"\$0\" --config \"\$1\" status demo" "$MELEE_MOUNTS" "$CONF"
is "$rc" 0 "status of the image up, under a hard limit of 128 too (it keeps no fd per bind)"
run mm down demo
is "$rc" 0 "down takes them away"
is "$(count_binds)" 0 "no bind is left"
done_testing
