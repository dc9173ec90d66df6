#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A user's FUSE mount inside a FUSE mount of theirs (fusermount allows
# the second on a directory of the first with allow_other, when fuse.conf
# has user_allow_other), both copied into an up image's rslave /home: with
# the outer daemon stopped (SIGSTOP), the way to the inner mount is a
# lookup that waits for it (only SIGKILL ends it).  down never walks it: a plain down says the
# outer one is busy and returns, --lazy detaches the outer one with the
# inner one on it; the lock is free all along, and the user's own mounts
# on the host stay.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

user_fuse_image allow_other
M=/home/alice/mnt
mm up demo >/dev/null
ok $? "up"
H=$(getent passwd alice | cut -d: -f6)
as alice sh -c 'mkdir -p ~/src/sub ~/src2 ~/mnt && echo hers > ~/src/f && echo inner > ~/src2/g' &&
	bindfs_as alice "$H/src" "$H/mnt" -o allow_other && OUTER=$BINDFS &&
	bindfs_as alice "$H/src2" "$H/mnt/sub" -o allow_other && INNER=$BINDFS
ok $? "alice mounts a bindfs in her home and a second one inside it"
at_exit "kill -CONT $OUTER $INNER 2>/dev/null"
wait_for 5 grep -qF " $I$M/sub " /proc/self/mountinfo
ok $? "both are in the image's copy of /home"
sleep 1.5 # past the daemon's entry timeout: the next lookup asks it
kill -STOP "$OUTER"

run timeout -k 5 30 "$MELEE_MOUNTS" --config "$CONF" down demo
isnt_hung() { [ "$1" != 124 ] && [ "$1" != 137 ]; }
isnt_hung "$rc"
ok $? "a plain down returns (did not hang on the stopped daemon: $rc)"
like "$out" "$I$M is busy \\(in use\\); 'melee-mounts --lazy down demo' detaches it" \
	"and says the outer mount is busy"
run timeout -k 5 30 "$MELEE_MOUNTS" --config "$CONF" --lazy down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "--lazy down detaches the rest, the outer mount with the inner one, and exits 0"
is "$(mounted_below "$I" | wc -l)" "0" "nothing is left mounted in the image"
kill -CONT "$OUTER"
is "$(cat "$M/f" "$M/sub/g")" "hers
inner" "alice's own mounts on the host are still there"
fusermount -u "$M/sub" && fusermount -u "$M"
ok $? "and hers to take down"
done_testing
