#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files deletes only a tree that no other
# registered image uses: a file image registered as NEW (pack --register,
# import --file) mounts on images-dir/NEW, which may be the tree of an
# image imported in place under another name; two hand-written images
# (or registered before that check) may share a tree, or one lie inside
# the other, also through a symlink.  Removing one of them
# with --delete-files is refused, naming the other image, before
# anything is changed; without --delete-files it is unregistered as ever.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

# bar is the tree images-dir/foo, imported in place; foo a file image
# packed from it, so mounted on images-dir/foo too.
bar_in_place
# pack --register foo refuses that name now
# (tests/integration/image-file-mountpoint-taken.sh): written by hand.
run mi pack bar "$T/files/bar.sqsh"
is "$rc" 0 "pack bar FILE"
printf '[image foo]\nsource = %s\n' "$T/files/bar.sqsh" > "$T/etc/images.d/foo.conf"
chmod 644 "$T/etc/images.d/foo.conf"
sum=$(tree_sum "$IMAGES/foo")
run mi remove foo --delete-files
is "$rc:$out" "1:melee-image: image 'foo' shares its tree $IMAGES/foo with image 'bar' (at $IMAGES/foo): its files are not deleted; remove it without --delete-files" "remove foo --delete-files is refused, naming the image whose tree it is"
is "$(tree_sum "$IMAGES/foo")" "$sum" "bar's tree is whole"
ok_cmd "foo stays registered (nothing was changed)" test -e "$T/etc/images.d/foo.conf"
ok_cmd "bar stays registered" test -e "$T/etc/images.d/bar.conf"
run mi remove foo
is "$rc" 0 "remove foo without --delete-files unregisters it"
is "$(tree_sum "$IMAGES/foo")" "$sum" "and bar's tree is untouched"

# One tree inside the other (hand-written registrations).
fixture_tree "$IMAGES/outer" outer
fixture_tree "$IMAGES/outer/srv/inner" inner
printf '[image inner]\npath = %s\n' "$IMAGES/outer/srv/inner" > "$T/etc/images.d/inner.conf"
printf '[image outer]\n' > "$T/etc/images.d/outer.conf"
chmod 644 "$T/etc/images.d/inner.conf" "$T/etc/images.d/outer.conf"
run mi remove outer --delete-files
is "$rc:$out" "1:melee-image: image 'outer' shares its tree $IMAGES/outer with image 'inner' (at $IMAGES/outer/srv/inner): its files are not deleted; remove it without --delete-files" "an image whose tree holds another's is refused"
ok_cmd "the inner image's tree is there" test -x "$IMAGES/outer/srv/inner/bin/busybox"
run mi remove inner --delete-files
is "$rc:$out" "1:melee-image: image 'inner' shares its tree $IMAGES/outer/srv/inner with image 'outer' (at $IMAGES/outer): its files are not deleted; remove it without --delete-files" "and so is the one inside another's tree"
ok_cmd "both stay registered" test -e "$T/etc/images.d/inner.conf" -a -e "$T/etc/images.d/outer.conf"

# One tree inside the other through a symlink on the way to it, which a
# comparison of the paths as strings does not see.
fixture_tree "$IMAGES/real" real
fixture_tree "$IMAGES/real/srv/sub" sub
ln -s "$IMAGES/real/srv" "$T/files/lnk"
printf '[image sub]\npath = %s\n' "$T/files/lnk/sub" > "$T/etc/images.d/sub.conf"
printf '[image real]\n' > "$T/etc/images.d/real.conf"
chmod 644 "$T/etc/images.d/sub.conf" "$T/etc/images.d/real.conf"
sum=$(tree_sum "$IMAGES/real")
run mi remove real --delete-files
is "$rc:$out" "1:melee-image: image 'real' shares its tree $IMAGES/real with image 'sub' (at $T/files/lnk/sub, through a symlink): its files are not deleted; remove it without --delete-files" "a tree that holds another's through a symlink is refused"
is "$(tree_sum "$IMAGES/real")" "$sum" "both trees are whole"
run mi remove sub --delete-files
is "$rc:$out" "1:melee-image: image 'sub' shares its tree $T/files/lnk/sub with image 'real' (at $IMAGES/real, through a symlink): its files are not deleted; remove it without --delete-files" "and so is the one inside it"
ok_cmd "both stay registered" test -e "$T/etc/images.d/sub.conf" -a -e "$T/etc/images.d/real.conf"

# An image alone in its tree is deleted as before.
fixture_tree "$IMAGES/alone" alone
printf '[image alone]\n' > "$T/etc/images.d/alone.conf"; chmod 644 "$T/etc/images.d/alone.conf"
run mi remove alone --delete-files
is "$rc" 0 "remove --delete-files of an image alone in its tree succeeds"
ok_cmd "its tree is gone" test ! -e "$IMAGES/alone"
done_testing
