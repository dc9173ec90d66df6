#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack --register NEW writes images.d/NEW.conf with
# source = FILE that the loader reads back (melee-mounts check and list
# load it), with the tree's description; list shows file images with the
# size of their file next to the tree images; a name taken or a FILE the
# registration cannot hold is refused before anything is packed.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files"

run mi pack bb "$T/files/bb.sqsh" --register bbfile
is "$rc" 0 "pack bb FILE --register bbfile succeeds"
like "$out" "^melee-image: bbfile: registered in $T/etc/images.d/bbfile.conf \(source = $T/files/bb.sqsh, MELEE fixture image \(bb, busybox\)\); 'melee-mounts up bbfile' mounts it$" "it says where it registered the file"
is "$(cat "$T/etc/images.d/bbfile.conf")" "# Registered by melee-image.
[image bbfile]
source = $T/files/bb.sqsh
description = MELEE fixture image (bb, busybox)" "images.d/bbfile.conf names the file as source, with the tree's description"
is "$(stat -c '%a %u' "$T/etc/images.d/bbfile.conf")" "644 0" "the registration is root's, 0644"

# The busybox image packs to some hundred KiB: shown as melee-image rounds it.
size=$(stat -c %s "$T/files/bb.sqsh" | awk '{ printf "%.0fK", $1 / 1024 }')
run mi list
is "$rc" 0 "list loads the configuration with the file image"
like "$out" "^bb +[a-z]+ +linux +bb +$IMAGES/bb$" "list shows the tree image with its path"
like "$out" "^bbfile +[a-z]+ +linux +MELEE fixture image \(bb, busybox\) +$T/files/bb.sqsh \($size\)$" "and the file image with its file and size ($size)"
run mm check bbfile
unlike "$out" "images.d/bbfile.conf" "melee-mounts loads the registration without a parse error"

# Refused before anything is packed.
run mi pack bb "$T/files/other.sqsh" --register bbfile
is "$rc:$out" "2:melee-image: image 'bbfile' already exists (defined at $T/etc/images.d/bbfile.conf:2)" "a NEW name that exists is refused"
run mi pack bb "$T/files/a #b.sqsh" --register hash
is "$rc:$out" "2:melee-image: source '$T/files/a #b.sqsh' cannot be written to images.d/hash.conf: it would read back as '$T/files/a' (the file has no quoting: no newline, no trailing blank, no ' #'); rename the file" "a FILE with ' #' is refused for --register"
run mi pack bb "$T/files/x.sqsh" --register 'bad/name'
is "$rc:$out" "2:melee-image: invalid image name 'bad/name' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})" "an invalid NEW name is refused"
is "$(ls -A "$T/files")" "bb.sqsh" "none of them wrote a file"
is "$(ls "$T/etc/images.d")" "bb.conf
bbfile.conf" "nor a registration"

# Packing a file image makes no sense.
run mi pack bbfile "$T/files/again.sqsh"
is "$rc:$out" "2:melee-image: pack: image 'bbfile' is already a file image (source = $T/files/bb.sqsh); only a tree image can be packed" "a NAME that is a file image is refused"

# A file gone shows why there is no size.
rm "$T/files/bb.sqsh"
like "$(mi list 2>&1)" "^bbfile .* $T/files/bb.sqsh \(No such file or directory\)$" "list says when the file is missing"
done_testing
