#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove refuses an image that a process uses (its root is the
# image or below it), and only then: a process of another mount namespace
# whose root has the same path string (/mnt/melee-test/images/NAME, every
# test's own tmpfs) but is another tree does not block it.  Roots are
# compared by device and inode, not by the /proc/PID/root string.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config
add_image demo
add_image other

# root_is PID DIR: PID has chrooted (its root reads as DIR).
root_is() { [ "$(readlink "/proc/$1/root")" = "$2" ]; }

# A namespace of its own (as another test or a container would have) with
# a different tree at the very path of demo: its process's root reads as
# $IMAGES/demo, yet it is not demo.
unshare -m --propagation private sh -c 'mount --bind "$1/other" "$1/demo" && exec chroot "$1/demo" /bin/sleep 300' \
	sh "$IMAGES" &
alien=$!
PIDS="$PIDS $alien"
wait_for 10 root_is "$alien" "$IMAGES/demo"; ok $? "a process of another namespace has the root $IMAGES/demo (another tree)"
run mi remove demo
is "$rc:$out" "0:melee-image: demo: removed from the configuration ($T/etc/images.d/demo.conf)
melee-image: demo: files kept in $IMAGES/demo (--delete-files deletes them)" "remove is not blocked by it"
kill "$alien"; wait "$alien" 2>/dev/null

# The image itself, and a directory below it: both in use.
chroot "$IMAGES/other" /bin/sleep 300 &
user=$!
PIDS="$PIDS $user"
wait_for 10 root_is "$user" "$IMAGES/other"
run mi remove other
is "$rc:$out" "1:melee-image: image 'other' is in use by process $user (sleep)" "a process whose root is the image blocks remove"
kill "$user"; wait "$user" 2>/dev/null
mkdir -p "$IMAGES/other/srv/jail/bin"
cp "$IMAGES/other/bin/busybox" "$IMAGES/other/srv/jail/bin/"
ln -s busybox "$IMAGES/other/srv/jail/bin/sleep"
chroot "$IMAGES/other/srv/jail" /bin/sleep 300 &
user=$!
PIDS="$PIDS $user"
wait_for 10 root_is "$user" "$IMAGES/other/srv/jail"; ok $? "a process chrooted below the image runs"
run mi remove other
is "$rc:$out" "1:melee-image: image 'other' is in use by process $user (sleep)" "a process whose root is below the image blocks remove"
kill "$user"; wait "$user" 2>/dev/null
run mi remove other
is "$rc" "0" "once it has gone, remove works"
done_testing
