#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A cover of up that fails (melee_mount_cover refused: here a seccomp
# filter, tests/deny-cover-mount, makes the kernel refuse the cover's
# fsmount with EPERM) takes back what that run mounted: up exits non-zero
# naming the image and /run/nscd, the mount table under the image is as
# before the run, status says down; up without the filter works again.
# On an image already up, an up that fails to cover takes down nothing of
# the earlier run; one that covered /run/nscd and then fails on
# /run/systemd/userdb (a symlink where a directory is expected) takes
# back its /run/nscd cover and leaves the earlier binds.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

DENY=$top_builddir/tests/deny-cover-mount
need_built "$DENY"
setup_accounts
write_config
add_image demo
I=$IMAGES/demo
mm_denied() { "$DENY" "$MELEE_MOUNTS" --config "$CONF" "$@"; }
# The image's mounts, whole mountinfo lines: the same mount keeps its id.
# Every up writes the merged accounts anew (by rename), so an earlier
# run's bind of them shows its root as "//deleted": still the same mount.
image_mounts() {
	awk -v p="$I" '{ t = $5; gsub(/\\040/, " ", t); if (t == p || index(t, p "/") == 1) print }' \
		/proc/self/mountinfo | sed 's|//deleted | |'
}
is_ro_tmpfs() { findmnt -n -o FSTYPE,OPTIONS "$1" | grep -Eq '^tmpfs +ro,'; }

# A /run/nscd of this namespace's own (an nscd would put its socket
# there): the cover is wanted.  /run/systemd of its own too, to plant the
# userdb symlink below (own_dir: neither made on the host).
own_dir /run/nscd 755
own_dir /run/systemd 755

# The filter lets every other mount of up through: an image that wants
# no cover (accounts = bind) comes up under it.
add_image plain "accounts = bind"
run "$DENY" "$MELEE_MOUNTS" --config "$CONF" up plain
like "$rc:$out" "^0:plain: mounted [0-9]+, 0 already present$" "control: up of an image without a cover passes the filter"
like "$(mm status plain)" "^plain +$IMAGES/plain +ready " "and it is ready"
ok_cmd "down plain" mm down plain

# Control: up covers /run/nscd, status is clean, down takes all.
ok_cmd "up demo" mm up demo
is_ro_tmpfs "$I/run/nscd"; ok $? "the image's /run/nscd is covered by a read-only tmpfs"
like "$(mm status demo)" "^demo +$I +ready +[0-9]+/[0-9]+$" "status: ready"
ok_cmd "down demo" mm down demo
is "$(image_mounts)" "" "down leaves nothing mounted under the image"

# The cover refused on an image that is down.
before=$(image_mounts)
run mm_denied up demo
is "$rc" "1" "up with the cover refused exits 1"
like "$out" "demo: cannot cover $I/run/nscd: .*Operation not permitted" \
	"its message names the image and /run/nscd"
is "$(image_mounts)" "$before" "nothing of that run is left mounted under the image"
like "$(mm status demo)" "^demo +$I +down +0/[0-9]+$" "status: down"
ok_cmd "up without the filter works again" mm up demo
is_ro_tmpfs "$I/run/nscd"; ok $? "and covers /run/nscd"

# Already up with its cover: up finds the cover there and mounts nothing.
before=$(image_mounts)
run mm_denied up demo
like "$rc:$out" "^0:demo: already up, nothing mounted \\(([0-9]+) of \\1 present\\)$" \
	"a second up under the filter: the earlier cover is kept, no cover is mounted"
is "$(image_mounts)" "$before" "the earlier run's mounts are all still there, the same ones"

# Up, but the cover gone: the failed cover takes down none of the binds.
umount "$I/run/nscd"
before=$(image_mounts)
run mm_denied up demo
like "$rc:$out" "^1:.*demo: cannot cover $I/run/nscd: " "up of an image up but uncovered: the refused cover fails it"
is "$(image_mounts)" "$before" "the earlier run's binds stay, the same mounts"
like "$(mm status demo)" "^demo +$I +partial .*not covered.*: $I/run/nscd$" "status: partial, /run/nscd not covered"

# This run covers /run/nscd, then cannot cover /run/systemd/userdb: a
# symlink to a directory (wanted: the host's path is a directory; refused:
# the walk in the image follows no symlink).  Its /run/nscd cover is
# taken back, the earlier binds stay.
mkdir /run/systemd/userdb.real
ln -s userdb.real /run/systemd/userdb
run mm up demo
like "$rc:$out" "^1:.*demo: cannot cover /run/systemd/userdb: " \
	"up with /run/systemd/userdb a symlink fails, naming it"
is "$(image_mounts)" "$before" "the /run/nscd cover this run made is taken back, the binds stay"
ok_cmd "down demo" mm down demo
is "$(image_mounts)" "" "down leaves nothing"

# The same from down: the binds and the /run/nscd cover of the run, all back.
run mm up demo
like "$rc:$out" "^1:.*demo: cannot cover /run/systemd/userdb: " "up of an image that is down fails the same way"
is "$(image_mounts)" "" "nothing of that run is left mounted under the image"
like "$(mm status demo)" "^demo +$I +down +0/[0-9]+$" "status: down"
rm /run/systemd/userdb
rmdir /run/systemd/userdb.real
ok_cmd "up without the symlink" mm up demo
ok_cmd "down" mm down demo
is "$(image_mounts)" "" "nothing left mounted"
done_testing
