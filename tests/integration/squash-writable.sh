#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# writable = tmpfs:SIZE: an overlay over the squashfs whose upper layer is
# a size-limited tmpfs under /run/melee/NAME; what is written is seen by
# every user and gone at down.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash rw "$SRV/rw.sqsh"
add_file_image rw "$SRV/rw.sqsh" "writable = tmpfs:8M"

run mm up rw
is "$rc:$out" "0:rw: created mountpoint $IMAGES/rw
rw: mounted 20, 0 already present" "up mounts the squashfs, the tmpfs, the overlay and the binds"
is "$(fstypes_at "$IMAGES/rw" | tr '\n' ' ')" "squashfs overlay " "the overlay sits on the squashfs"
is "$(fstypes_at /run/melee/rw/writable)" "tmpfs" "the upper layer is a tmpfs under /run/melee/rw"
like "$(awk '$5 == "/run/melee/rw/writable"' /proc/self/mountinfo)" "size=8192k,nr_inodes=1024," "limited to 8M and 1024 inodes (the least)"
is "$(stat -c '%a' /run/melee/rw/writable)" "700" "only root walks the tmpfs itself"
echo written > "$IMAGES/rw/etc/note"
ok $? "root writes into the image"
is "$(cat "$IMAGES/rw/etc/note")" "written" "and reads it back"
is "$(cat /run/melee/rw/writable/upper/etc/note)" "written" "the write went to the tmpfs"
run dd if=/dev/zero of="$IMAGES/rw/big" bs=1M count=16
like "$rc:$out" "^1:.*No space left on device" "the tmpfs size limits what is written"
rm -f "$IMAGES/rw/big"
run mm status rw
like "$out" "rw +$IMAGES/rw +ready +20/20  source $SRV/rw.sqsh$" "status: ready, the three layers counted"
run mm up rw
is "$rc:$out" "0:rw: already up, nothing mounted (20 of 20 present)" "a second up mounts nothing"
run mm down rw
like "$rc:$out" "^0:rw: unmounted [0-9]+$" "down"
is "$(mounted_below "$IMAGES"; mounted_below /run/melee/rw)" "" "no overlay, squashfs or tmpfs left"
wait_for 5 no_loops_of "$SRV/rw.sqsh"
ok $? "no loop device left"
mm up rw >/dev/null
ok "$([ ! -e "$IMAGES/rw/etc/note" ]; echo $?)" "what was written is gone after down and up"
is "$(cat "$IMAGES/rw/marker")" "melee-fixture:rw" "the image itself is intact"
mm down rw >/dev/null

# writable = tmpfs without a size: 1 GiB and 65536 inodes, not the
# kernel's half of the RAM (which any user could fill).
add_file_image dflt "$SRV/rw.sqsh" "writable = tmpfs"
mm up dflt >/dev/null
like "$(awk '$5 == "/run/melee/dflt/writable"' /proc/self/mountinfo)" "size=1048576k,nr_inodes=65536," \
	"writable = tmpfs without a size: size=1G, nr_inodes=65536"
mm down dflt >/dev/null
add_file_image big "$SRV/rw.sqsh" "writable = tmpfs:2G"
mm up big >/dev/null
like "$(awk '$5 == "/run/melee/big/writable"' /proc/self/mountinfo)" "size=2097152k,nr_inodes=131072," \
	"writable = tmpfs:2G: that size, one inode per 16 KiB"
mm down big >/dev/null

# writable = no (the default): read-only, no tmpfs.
add_file_image ro "$SRV/rw.sqsh"
mm up ro >/dev/null
run touch "$IMAGES/ro/etc/note"
like "$rc:$out" "^1:.*Read-only file system" "writable = no: nothing can be written"
ok "$([ ! -e /run/melee/ro/writable ]; echo $?)" "and no tmpfs is made for it"
mm down ro >/dev/null
done_testing
