#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove with a user's own FUSE mount in a directory of the
# image they may write (its /var/tmp): melee-mounts down leaves such a
# mount (it is not the image's), so "run melee-mounts down first" would
# send the administrator round in a circle.  remove names the mount, who
# made it and how to take it down, removes nothing, and goes on once it
# is gone.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh" || exit 1

command -v bindfs >/dev/null || skip_all "bindfs not found (apt-get install bindfs)"
setup_accounts
# /dev/fuse open to all, as udev leaves it on Debian (this namespace's own node).
user_fuse
write_config
add_image demo
A=$IMAGES/demo/var/tmp/a
as alice mkdir -p "$A/src" "$A/mnt" && bindfs_as alice "$A/src" "$A/mnt" --no-allow-other
ok $? "alice mounts a bindfs of her own in the image's /var/tmp"

run mi remove demo
is "$rc" 1 "remove refuses"
is "$out" "melee-image: image 'demo' has a mount that is not the image's below it: fuse at $A/mnt, made by uid 1501 (melee-mounts down leaves it); unmount it ('umount $A/mnt' as root) and try again" \
	"naming the mount, who made it, and how to take it down"
like "$(mi list | awk '$1 == "demo"')" "^demo +down " "the image is still registered"
umount "$A/mnt"
ok $? "the administrator unmounts it"
run mi remove demo
is "$rc" 0 "then remove goes on"
done_testing
