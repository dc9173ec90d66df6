#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A squashfs file image: up mounts it read-only under the bind set, a
# second up mounts nothing, status names the file, down leaves no mount
# and no loop device.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash demo "$SRV/demo.sqsh"
add_file_image demo "$SRV/demo.sqsh"

run mm check demo
is "$rc:$out" "0:configuration: ok (1 image)
demo: ok (file image $SRV/demo.sqsh, not mounted)" "check: the file and the kernel are fine"
run mm status demo
like "$rc:$out" "demo +$IMAGES/demo +down +0/1  source $SRV/demo.sqsh$" "status before up: down, with its source"
ok "$([ ! -e "$IMAGES/demo" ]; echo $?)" "the mountpoint does not exist yet"
run mm up demo
is "$rc:$out" "0:demo: created mountpoint $IMAGES/demo
demo: mounted 18, 0 already present" "up creates the mountpoint and mounts the squashfs and the binds"
is "$(stat -c '%U %a' "$IMAGES/demo")" "root 755" "the squashfs root is what the path shows"
is "$(cat "$IMAGES/demo/marker")" "melee-fixture:demo" "the image's marker is readable"
is "$(fstypes_at "$IMAGES/demo")" "squashfs" "one squashfs on the path, nothing else"
like "$(awk -v p="$IMAGES/demo" '$5 == p { print $6 }' /proc/self/mountinfo)" "^ro,nodev," "mounted read-only and nodev"
unlike "$(awk -v p="$IMAGES/demo" '$5 == p { print $6 }' /proc/self/mountinfo)" "nosuid" "not nosuid: su and sudo inside keep working"
is "$(loops_of "$SRV/demo.sqsh" | wc -l)" "1" "one loop device backs it"
loop=$(loops_of "$SRV/demo.sqsh")
is "$(cat "/sys/block/$loop/ro")" "1" "the loop device is read-only"
is "$(cat "/sys/block/$loop/loop/autoclear")" "1" "and frees itself when unmounted"
run touch "$IMAGES/demo/newfile"
like "$rc:$out" "^1:.*Read-only file system" "writable = no: the image is read-only"
run mm up demo
is "$rc:$out" "0:demo: already up, nothing mounted (18 of 18 present)" "a second up mounts nothing"
is "$(loops_of "$SRV/demo.sqsh" | wc -l)" "1" "and attaches no second loop device"
run mm status demo
like "$rc:$out" "demo +$IMAGES/demo +ready +18/18  source $SRV/demo.sqsh$" "status: ready, with its source"
run mm status --json demo
is "$out" "[{\"image\":\"demo\",\"path\":\"$IMAGES/demo\",\"state\":\"ready\",\"present\":18,\"expected\":18,\"source\":\"$SRV/demo.sqsh\",\"stale\":false}]" "status --json: source and stale"
run mm check demo
is "$rc" "0" "check of the mounted image passes"
like "$out" "^demo: ok \(static shell\)$" "and checks its tree too (its shell)"
run mm down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "down unmounts the binds and the squashfs"
is "$(mounted_below "$IMAGES" | wc -l)" "0" "nothing left mounted"
wait_for 5 no_loops_of "$SRV/demo.sqsh"
ok $? "no loop device left after down"
run losetup -a
unlike "$out" "$SRV/demo.sqsh" "losetup -a lists none for the file"
is "$(ls -A "$IMAGES/demo")" "" "the mountpoint is left, empty"

# A read-only image without a mountpoint that up needs: refused, and the
# squashfs this up mounted is taken away again.
rmdir "$T/work/tree-demo/proc"
mksquashfs "$T/work/tree-demo" "$SRV/noproc.sqsh" -noappend -quiet -all-root -no-progress >/dev/null
chmod 600 "$SRV/noproc.sqsh"
add_file_image noproc "$SRV/noproc.sqsh"
run mm up noproc
like "$rc:$out" "^1:melee-mounts: noproc: $IMAGES/noproc/proc: cannot create mountpoint: Read-only file system" "a missing mountpoint in a read-only image fails up, named"
is "$(mounted_below "$IMAGES")" "" "and up leaves nothing mounted"
wait_for 5 no_loops_of "$SRV/noproc.sqsh"
ok $? "nor a loop device"

# A file image others may read (one packed before pack wrote 0600, or
# made readable on purpose): check and up say what it exposes, and go on.
chmod 644 "$SRV/demo.sqsh"
run mm check demo
like "$rc:$out" "^0:.*demo: warning: image file $SRV/demo.sqsh is readable by others \(mode 0644\): anyone can read the image's root-only files in it \(/etc/shadow, /root, host keys\) with unsquashfs; 'chmod 600 $SRV/demo.sqsh' unless root can read it no other way \(NFS with root_squash\)" \
	"check warns of a file image readable by others, and does not fail for it"
run mm up demo
like "$rc:$out" "^0:.*demo: warning: image file $SRV/demo.sqsh is readable by others" "up warns too, and mounts it"
chmod 600 "$SRV/demo.sqsh"
run mm check demo
unlike "$out" "warning" "mode 0600: no warning"
ok_cmd "down demo" mm down demo
done_testing
