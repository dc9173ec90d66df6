#!/bin/bash
# Finding (image-pack.c, fixed by the private clone): on a host whose
# mounts are shared, the packer's covers (read-only empty tmpfs put on
# every directory others can write, in the packer's own namespace) were
# mounted on a peer of the image's mount, so they propagated back into the
# host's namespace and stayed there after the pack: the image's /tmp,
# /var/tmp... read-only and empty for its users, and mounts under the tree
# that make remove refuse.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files"
mount --bind "$IMAGES" "$IMAGES" && mount --make-shared "$IMAGES"
touch "$IMAGES/bb/tmp/users-file"
run mi pack bb "$T/files/bb.sqsh"
is "$rc" 0 "pack succeeds"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/bb/")" 0 "no mount left under the image on the host"
ok_cmd "the image's /tmp still shows its file" test -e "$IMAGES/bb/tmp/users-file"
done_testing
