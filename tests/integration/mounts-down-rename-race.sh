#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts down against a user who renames directories above a mount
# of their own: alice's FUSE mount at ~/p/mnt (fusermount, propagated
# into the image's copy of /home) while she swaps ~/p and an empty ~/q
# with renameat2(RENAME_EXCHANGE) as fast as she can.  The mount table
# down read names a path that may lead to ~/q/mnt by the time it
# unmounts: down reads the table again and takes the image down all the
# same, every time (plain and --lazy), and alice's own mount stays.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not found (apt-get install python3)"
user_fuse_image
N=20

as alice sh -c 'mkdir -p ~/src ~/p/mnt ~/q/mnt && bindfs --no-allow-other ~/src ~/p/mnt' ||
	{ echo "Bail out! alice cannot mount bindfs"; exit 1; }
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt -u alice -n bindfs)"
# (setpriv itself in the background: its pid is the swapper's, for cleanup.)
setpriv --reuid=1501 --regid=1501 --clear-groups /usr/bin/python3 -c '
import ctypes, sys
rename = ctypes.CDLL(None, use_errno=True).renameat2
while True:
    rename(-100, b"/home/alice/p", -100, b"/home/alice/q", 2)  # RENAME_EXCHANGE
' &
PIDS="$PIDS $!"
wait_for 10 sh -c 'a=$(stat -c %i /home/alice/p); sleep 0.05; [ "$a" != "$(stat -c %i /home/alice/p)" ]'
ok $? "alice swaps ~/p and ~/q"

for lazy in "" --lazy; do
	fails=0 first=""
	for i in $(seq 1 $N); do
		mm up demo >/dev/null || { echo "Bail out! up failed"; exit 1; }
		run mm $lazy down demo
		if [ "$rc" != 0 ] || [ -n "$(mounted_below "$I")" ]; then
			fails=$((fails + 1))
			[ -n "$first" ] || first=$(printf "%s\n" "$out" | head -n 1)
			mm --lazy down demo >/dev/null 2>&1
		fi
	done
	is "$fails" "0" "${lazy:-plain} down: the image is down, exit 0, in each of $N rounds${first:+ (first failure: $first)}"
done
is "$(awk '$5 ~ "^/home/alice/[pq]/mnt$" && / - fuse / { n++ } END { print n + 0 }' /proc/self/mountinfo)" "1" \
	"alice's own mount on the host is still there"
done_testing
