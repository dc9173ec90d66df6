#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nosuid = yes and a user's own mount inside the image's tree: alice
# mounts FUSE (fusermount, as any user may) on a directory of hers in the
# image's /var/tmp.  up still makes the nosuid bind and brings the image
# up (it refused, "up without its nosuid bind", and down had nothing to
# take: the image could not go up at all); down takes it down; alice's
# mount stays.  A mount root made below the image root (bindfs or a
# tmpfs, as a nested image's binds) still makes up refuse.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

command -v bindfs >/dev/null || skip_all "bindfs not found (apt-get install bindfs)"
setup_accounts
setup_home
# /dev/fuse open to all, as udev leaves it on Debian (this namespace only).
user_fuse
write_config
add_image ns "nosuid = yes"
I=$IMAGES/ns
A=$I/var/tmp/a
fuse_at() { awk -v p="$1" '$5 == p && / - fuse/ { n++ } END { print n + 0 }' /proc/self/mountinfo; }

as alice sh -c "mkdir -p $A/src $A/mnt && bindfs --no-allow-other $A/src $A/mnt" ||
	{ echo "Bail out! alice cannot mount bindfs"; exit 1; }
PIDS="$PIDS $(pgrep --ns $$ --nslist mnt -u alice -n bindfs)"
is "$(fuse_at "$A/mnt")" "1" "alice's mount is in the image's tree"

run mm up ns
like "$rc:$out" "^0:ns: mounted [0-9]+, 0 already present$" "up makes the image's mounts, the nosuid bind included"
is "$(awk -v p="$I" '$5 == p && $6 ~ /(^|,)nosuid(,|$)/ { n++ } END { print n + 0 }' /proc/self/mountinfo)" "1" \
	"the image root is its nosuid bind"
run mm status ns
like "$out" "ns +$I +ready +18/18 +nosuid" "status: ready, nosuid"
run mm down ns
like "$rc:$out" "^0:ns: unmounted [0-9]+$" "down takes it down"
is "$(mounted_below "$I" | grep -vcx "$A/mnt")" "0" "nothing of up's is left in the image"
is "$(fuse_at "$A/mnt")" "1" "alice's mount is still there"

# Mounts up cannot tell from a nested image's: root's bindfs, a tmpfs.
for how in bindfs tmpfs; do
	mkdir -p "$I/srv/$how"
	if [ $how = bindfs ]; then bindfs "$A/src" "$I/srv/$how"; else mount -t tmpfs nested "$I/srv/$how"; fi
	run mm up ns
	like "$rc:$out" "^1:melee-mounts: ns: nosuid = yes, but $I is up without its nosuid bind" \
		"a $how mount of root's below the image root: up still refuses"
	umount "$I/srv/$how"
done
done_testing
