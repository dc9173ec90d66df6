#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove NAME --delete-files deletes NAME's path: the tree of
# a tree image, the mount point (images-dir/NAME) of a file image, never
# a file image's file.  A file of another file image (source = FILE,
# hand-written) that lies there, by its path or through a symlink on the
# way to it, would go with it: refused, naming the other image and its
# file, before anything is changed (image_remove's check_tree_not_shared).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
mkdir -m 755 "$T/files"

fixture_tree "$IMAGES/big" big
conf big
run mi pack big "$T/files/big.sqsh"
is "$rc" 0 "pack big FILE (a squashfs file for the file images below)"

# Another image's file inside the tree, by its path.
mkdir -p "$IMAGES/big/srv/files"
cp "$T/files/big.sqsh" "$IMAGES/big/srv/files/sq.sqsh"
conf sq "source = $IMAGES/big/srv/files/sq.sqsh"
sum=$(tree_sum "$IMAGES/big")
run mi remove big --delete-files
is "$rc:$out" "1:melee-image: image 'big': $IMAGES/big, which --delete-files deletes, holds the file of image 'sq' ($IMAGES/big/srv/files/sq.sqsh): its files are not deleted; remove it without --delete-files" \
	"remove --delete-files of a tree that holds another image's file is refused, naming the image and its file"
is "$(tree_sum "$IMAGES/big")" "$sum" "the tree and sq's file in it are whole"
ok_cmd "both stay registered (nothing was changed)" eval 'registered big && registered sq'

# The same file reached through a symlink on the way to it.
run mi remove sq
is "$rc:$out" "0:melee-image: sq: removed from the configuration ($T/etc/images.d/sq.conf)
melee-image: sq: its file $IMAGES/big/srv/files/sq.sqsh is kept (--delete-files deletes the directory it is mounted on, $IMAGES/sq, never the file)" \
	"remove sq (without --delete-files) unregisters it and says where its file is"
ln -s "$IMAGES/big/srv/files" "$T/files/via"
conf sl "source = $T/files/via/sq.sqsh"
run mi remove big --delete-files
is "$rc:$out" "1:melee-image: image 'big': $IMAGES/big, which --delete-files deletes, holds the file of image 'sl' ($T/files/via/sq.sqsh, through a symlink: $IMAGES/big/srv/files/sq.sqsh): its files are not deleted; remove it without --delete-files" \
	"and so is one that holds it through a symlink, which the message shows resolved"
is "$(tree_sum "$IMAGES/big")" "$sum" "the tree is whole"
ok_cmd "big and sl stay registered" eval 'registered big && registered sl'
# Through a FUSE mount of root's own (a pool, say): root's like any
# other mount (only a user's FUSE mount is not entered).
command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
mkdir -m 755 "$T/store" "$T/pool"
ln -s "$IMAGES/big/srv/files" "$T/store/via"
bindfs "$T/store" "$T/pool" && at_exit "umount -l '$T/pool' 2>/dev/null"
ok $? "root mounts a bindfs of its own"
conf sl "source = $T/pool/via/sq.sqsh"
run mi remove big --delete-files
like "$rc:$out" "^1:.*holds the file of image 'sl' \\($T/pool/via/sq.sqsh, through a symlink: $IMAGES/big/srv/files/sq.sqsh\\)" \
	"one that holds it through a symlink of root's in root's own FUSE mount is refused too"
is "$(tree_sum "$IMAGES/big")" "$sum" "the tree is whole"
umount "$T/pool"
conf sl "source = $T/files/via/sq.sqsh"

# NAME a file image: its mount point holds another file image's file.
conf fa "source = $T/files/big.sqsh"
mkdir -m 755 "$IMAGES/fa"
cp "$T/files/big.sqsh" "$IMAGES/fa/fb.sqsh"
conf fb "source = $IMAGES/fa/fb.sqsh"
fbsum=$(sha256sum < "$IMAGES/fa/fb.sqsh")
run mi remove fa --delete-files
is "$rc:$out" "1:melee-image: image 'fa': $IMAGES/fa, which --delete-files deletes, holds the file of image 'fb' ($IMAGES/fa/fb.sqsh): its files are not deleted; remove it without --delete-files" \
	"a file image whose mount point holds another image's file is refused too"
is "$(sha256sum < "$IMAGES/fa/fb.sqsh")" "$fbsum" "fb's file is whole"
ok_cmd "fa and fb stay registered" eval 'registered fa && registered fb'

# Once nothing else is there, a file image goes with its mount point,
# and its file stays (and says so).
run mi remove fb
is "$rc" 0 "remove fb (without --delete-files)"
rm "$IMAGES/fa/fb.sqsh"
filesum=$(sha256sum < "$T/files/big.sqsh")
run mi remove fa --delete-files
is "$rc:$out" "0:melee-image: fa: deleted $IMAGES/fa
melee-image: fa: removed from the configuration ($T/etc/images.d/fa.conf)
melee-image: fa: its file $T/files/big.sqsh is kept (--delete-files deletes the directory it is mounted on, $IMAGES/fa, never the file)" \
	"remove --delete-files of a file image alone: its mount point goes, its file is kept, and it says so"
ok_cmd "the mount point is gone" test ! -e "$IMAGES/fa"
is "$(sha256sum < "$T/files/big.sqsh")" "$filesum" "the file is whole"

# And a tree no other image's file lies in is deleted as before.
run mi remove sl
is "$rc" 0 "remove sl (without --delete-files)"
run mi remove big --delete-files
is "$rc" 0 "remove big --delete-files, with no other image's file in its tree, succeeds"
ok_cmd "its tree is gone" test ! -e "$IMAGES/big"
done_testing
