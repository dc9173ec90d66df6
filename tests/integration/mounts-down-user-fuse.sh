#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts down with a user's own FUSE mount in the image: any user
# can mount one in their home (sshfs, gvfs: the setuid fusermount), and
# on a host whose mounts are shared (systemd) it propagates into every up
# image's rslave copy of /home.  Without allow_other FUSE answers root's
# stat EACCES: down still takes the image's copy (plain and --lazy),
# exits 0 and leaves nothing mounted in the image.  With allow_other
# (user_allow_other in fuse.conf) the user can stop the daemon: down
# never waits on it (it held the lock every up waits for).  The user's
# own mount on the host stays, each time.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

command -v fusermount >/dev/null || skip_all "fusermount not found (apt-get install fuse)"
user_fuse_image allow_other
M=/home/alice/mnt

# user_mount [OPTIONS]: alice's bindfs of her ~/src on ~/mnt; its pid in PID.
user_mount() {
	as alice sh -c "mkdir -p ~/src ~/mnt && echo hers > ~/src/f && bindfs $* ~/src ~/mnt" ||
		{ echo "Bail out! alice cannot mount bindfs"; exit 1; }
	PID=$(pgrep --ns $$ --nslist mnt -u alice -n bindfs)
	PIDS="$PIDS $PID"
}
fuse_at() { awk -v p="$1" '$5 == p && $0 ~ / - fuse / { n++ } END { print n + 0 }' /proc/self/mountinfo; }
# down_checks WHAT DOWN-ARGS...: down, and what it leaves.
down_checks() {
	local what=$1; shift
	run timeout 20 "$MELEE_MOUNTS" --config "$CONF" "$@" down demo
	like "$rc:$out" "^0:demo: unmounted [0-9]+$" "$what: down exits 0 and says what it unmounted"
	is "$(mounted_below "$I" | wc -l)" "0" "$what: nothing is left mounted in the image"
	is "$(fuse_at "$M")" "1" "$what: alice's own mount on the host is still there"
}

mm up demo >/dev/null || { echo "Bail out! up failed"; exit 1; }
user_mount --no-allow-other
is "$(fuse_at "$I$M")" "1" "alice's mount propagated into the image's /home"
down_checks "without allow_other"

mm up demo >/dev/null
down_checks "without allow_other, --lazy" --lazy

fusermount -u "$M"
mm up demo >/dev/null
user_mount -o allow_other
# Past the daemon's attribute cache (1 s): a stat would ask it.
sleep 1.5
at_exit "kill -CONT $PID 2>/dev/null"  # a stopped daemon never sees the TERM of cleanup
kill -STOP "$PID"
down_checks "allow_other, the daemon stopped"
kill -CONT "$PID"
fusermount -u "$M"
done_testing
