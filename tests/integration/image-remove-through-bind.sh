#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove NAME --delete-files never deletes another image's
# file or tree that lies physically in NAME's tree through a bind mount
# an administrator made: a comparison of paths does not see what lies
# under a path (/srv a bind of images-dir/a/srv, source = /srv/b.sqsh),
# and the delete walk reaches it through the bind's source side, which is
# no mount point.  Refused up front, nothing changed, when the mount
# table shows where the bind's source lies (image-remove.c's
# check_tree_holds_no_other), a file bound alone included; one named
# through what root alone does not control (a directory a group may
# write) is refused up front too, as where it lies cannot be told (the
# delete walk's keep_others is the second line).  A tree that lies in another image's tree through a bind is
# refused too.  A hard link to another image's file inside the tree is
# no reason to refuse: the tree goes, the file stays.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
mkdir -m 755 "$T/files" "$T/srv"
# bind SRC DST: an administrator's bind mount (undone at exit).
bind() { mount --bind "$1" "$2" && at_exit "umount -l '$2' 2>/dev/null"; }

fixture_tree "$IMAGES/big" big
conf big
run mi pack big "$T/files/big.sqsh"
is "$rc" 0 "pack big FILE (a squashfs file for the file images below)"
run mi remove big --delete-files
is "$rc" 0 "remove big"
filesum=$(sha256sum < "$T/files/big.sqsh")

# (1) b's file reached through a bind of a directory of a's tree, b's
# source written with the bind's target.
fixture_tree "$IMAGES/a" a
conf a
mkdir -m 755 "$IMAGES/a/srv"
cp "$T/files/big.sqsh" "$IMAGES/a/srv/b.sqsh"
bind "$IMAGES/a/srv" "$T/srv"
ok $? "root binds $IMAGES/a/srv on $T/srv"
conf b "source = $T/srv/b.sqsh"
sum=$(tree_sum "$IMAGES/a")
run mi remove a --delete-files
is "$rc:$out" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, holds image 'b''s file $T/srv/b.sqsh (here as srv/b.sqsh, through a mount): its files are not deleted; remove it without --delete-files" \
	"remove a --delete-files is refused up front: b's file lies in a's tree through a bind"
is "$(tree_sum "$IMAGES/a")" "$sum" "a's tree and b's file in it are whole"
ok_cmd "a and b stay registered (nothing was changed)" eval 'registered a && registered b'

# (1b) the same file bound alone (a bind of the file, not of its directory).
conf b
touch "$T/files/b-alone.sqsh"
bind "$IMAGES/a/srv/b.sqsh" "$T/files/b-alone.sqsh"
ok $? "root binds $IMAGES/a/srv/b.sqsh alone on $T/files/b-alone.sqsh"
conf f "source = $T/files/b-alone.sqsh"
run mi remove a --delete-files
is "$rc:$out" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, holds image 'f''s file $T/files/b-alone.sqsh (here as srv/b.sqsh, through a mount): its files are not deleted; remove it without --delete-files" \
	"and so is one whose file is a bind of a file in a's tree"
is "$(tree_sum "$IMAGES/a")" "$sum" "a's tree is whole"
umount "$T/files/b-alone.sqsh"
rm "$T/files/b-alone.sqsh" "$T/etc/images.d/f.conf"

# (2) c's tree a bind of a directory inside a's tree.
fixture_tree "$IMAGES/a/opt/c" c
mkdir -m 755 "$IMAGES/c"
bind "$IMAGES/a/opt/c" "$IMAGES/c"
ok $? "root binds $IMAGES/a/opt/c on $IMAGES/c"
conf c
csum=$(tree_sum "$IMAGES/c")
sum=$(tree_sum "$IMAGES/a")
run mi remove a --delete-files
is "$rc:$out" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, holds image 'c''s tree $IMAGES/c (here as opt/c, through a mount): its files are not deleted; remove it without --delete-files" \
	"a tree that holds another image's tree through a bind is refused"
is "$(tree_sum "$IMAGES/c")" "$csum" "c's tree is whole"
is "$(tree_sum "$IMAGES/a")" "$sum" "a's tree is whole"
ok_cmd "a and c stay registered" eval 'registered a && registered c'

# (2b) a's whole tree bound on d's path: d's tree is a's (b and c
# unregistered first: their binds stay, and go with a in the end).
umount "$IMAGES/c"
ok_cmd "remove b and c (without --delete-files)" eval 'mi remove b && mi remove c'
mkdir -m 755 "$IMAGES/d"
bind "$IMAGES/a" "$IMAGES/d"
conf d
run mi remove a --delete-files
is "$rc:$out" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, holds image 'd''s tree $IMAGES/d (the tree itself, through a mount): its files are not deleted; remove it without --delete-files" \
	"a tree bound whole on another image's path is refused"
umount "$IMAGES/d"
rmdir "$IMAGES/d"
rm "$T/etc/images.d/d.conf"

# (2c) the other way round: n's tree, registered through a bind of a
# directory of w's tree, is part of w's tree.
fixture_tree "$IMAGES/w" w
conf w
fixture_tree "$IMAGES/w/srv/n" n
mkdir -m 755 "$T/srv3"
bind "$IMAGES/w/srv" "$T/srv3"
conf n "path = $T/srv3/n"
wsum=$(tree_sum "$IMAGES/w")
run mi remove n --delete-files
is "$rc:$out" "1:melee-image: image 'n': $T/srv3/n, which --delete-files deletes, lies in image 'w''s tree $IMAGES/w (there as srv/n, through a mount): its files are not deleted; remove it without --delete-files" \
	"a tree that lies in another image's tree through a bind is refused"
is "$(tree_sum "$IMAGES/w")" "$wsum" "w's tree is whole"
ok_cmd "n and w stay registered" eval 'registered n && registered w'
umount "$T/srv3"
rm "$T/etc/images.d/n.conf"

# A tree whose own root is alice's: only the directories on the way to
# it must be root's alone for it to be placed (what lies in hers is never
# looked into), so the other image's tree or file in it is found up
# front, nothing changed.
# refused_up_front NAME OTHER WHAT HERE: remove NAME --delete-files is
# refused before anything is changed.
refused_up_front() {
	run mi remove "$1" --delete-files
	is "$rc:$out" "1:melee-image: image '$1': $IMAGES/$1, which --delete-files deletes, holds image '$2''s $3 (here as $4, through a mount): its files are not deleted; remove it without --delete-files" \
		"with $1's root alice's, image '$2''s $3 in it is found up front"
	ok_cmd "$1 stays registered, nothing set aside" eval "registered $1 && test ! -e '$T/etc/images.d/.$1.conf.removing'"
}
fixture_tree "$IMAGES/u1" u1
conf u1
chown alice "$IMAGES/u1"
fixture_tree "$IMAGES/u1/opt/k" k
mkdir -m 755 "$IMAGES/k"
bind "$IMAGES/u1/opt/k" "$IMAGES/k"
conf k
ksum=$(tree_sum "$IMAGES/k")
refused_up_front u1 k "tree $IMAGES/k" opt/k
is "$(tree_sum "$IMAGES/k")" "$ksum" "k's tree is whole"
ok_cmd "k stays registered" registered k
fixture_tree "$IMAGES/u2" u2
conf u2
chown alice "$IMAGES/u2"
mkdir -m 755 "$IMAGES/u2/srv" "$T/srv2"
cp "$T/files/big.sqsh" "$IMAGES/u2/srv/m.sqsh"
bind "$IMAGES/u2/srv" "$T/srv2"
conf m "source = $T/srv2/m.sqsh"
refused_up_front u2 m "file $T/srv2/m.sqsh" srv/m.sqsh
is "$(sha256sum < "$T/srv2/m.sqsh")" "$filesum" "m's file is whole"
ok_cmd "m stays registered" registered m

fixture_tree "$IMAGES/u3" u3
conf u3
chown alice "$IMAGES/u3"
mkdir -m 755 "$IMAGES/u3/srv"
cp "$T/files/big.sqsh" "$IMAGES/u3/srv/p.sqsh"
touch "$T/files/p.sqsh"
bind "$IMAGES/u3/srv/p.sqsh" "$T/files/p.sqsh"
conf p "source = $T/files/p.sqsh"
refused_up_front u3 p "file $T/files/p.sqsh" srv/p.sqsh
is "$(sha256sum < "$IMAGES/u3/srv/p.sqsh")" "$filesum" "p's file, bound alone, is whole"

# (3) hard links to h's file inside e's tree: no reason to refuse.
cp "$T/files/big.sqsh" "$T/files/h.sqsh"
conf h "source = $T/files/h.sqsh"
fixture_tree "$IMAGES/e" e
conf e
ln "$T/files/h.sqsh" "$IMAGES/e/h.sqsh"
ln "$T/files/h.sqsh" "$IMAGES/e/bin/h.sqsh"
run mi remove e --delete-files
is "$rc:$out" "0:melee-image: e: deleted $IMAGES/e
melee-image: e: removed from the configuration ($T/etc/images.d/e.conf)" \
	"a tree that holds hard links to h's file (one of the same name) is deleted"
ok_cmd "its tree is gone" test ! -e "$IMAGES/e"
is "$(stat -c %h "$T/files/h.sqsh"):$(sha256sum < "$T/files/h.sqsh")" "1:$filesum" \
	"h's file is whole, its links in e's tree gone"

# (5) s's file in a directory of root's that a group may write (2775, an
# "image admins" group), bound out of q's tree: the way to it is not
# root's alone, so what its name leads to is whatever a member of the
# group put there (root's directory renamed, a look-alike in its place:
# image-remove-user-paths.sh): refused up front, where it lies cannot be
# told.
fixture_tree "$IMAGES/q" q
conf q
mkdir -m 2775 "$IMAGES/q/srv" && chgrp 100 "$IMAGES/q/srv"
cp "$T/files/big.sqsh" "$IMAGES/q/srv/s.sqsh"
mkdir -m 755 "$T/srv4"
bind "$IMAGES/q/srv" "$T/srv4"
conf s "source = $T/srv4/s.sqsh"
run mi remove q --delete-files
is "$rc:$out" "1:melee-image: image 'q': $IMAGES/q, which --delete-files deletes, may hold image 's''s file $T/srv4/s.sqsh: it is named through $T/srv4 (a directory others may write), which root alone does not control, so where it lies cannot be told; its files are not deleted; remove it without --delete-files, or correct image 's' first" \
	"a file named through a directory a group may write is refused up front"
is "$(sha256sum < "$T/srv4/s.sqsh")" "$filesum" "s's file is whole"
umount "$T/srv4"
ok_cmd "remove s (without --delete-files), then q --delete-files" eval 'mi remove s && mi remove q --delete-files'

# (5b) b's tree lies in v's tree, named through an administrator's bind
# (root's $T/proj/x/mnt) in a directory of alice's group (2775, no
# sticky bit).  She renames root's directory on the way (same parent:
# allowed) and puts a look-alike of hers at b's registered path: its
# identity, taken for b's, placed nowhere in v's tree, let the delete of
# v go on and take b's real tree (review 26).  Nothing past a directory
# others may write is looked at: refused up front, before and after.
fixture_tree "$IMAGES/v" v
conf v
mkdir -m 755 "$IMAGES/v/srv"
fixture_tree "$IMAGES/v/srv/b" b
mkdir -m 2775 "$T/proj" && chgrp physics "$T/proj"
mkdir -m 755 "$T/proj/x" "$T/proj/x/mnt"
bind "$IMAGES/v/srv" "$T/proj/x/mnt"
conf b "path = $T/proj/x/mnt/b"
bsum=$(tree_sum "$IMAGES/v/srv/b")
vrefused="1:melee-image: image 'v': $IMAGES/v, which --delete-files deletes, may hold image 'b''s tree $T/proj/x/mnt/b: it is named through $T/proj (a directory others may write), which root alone does not control, so where it lies cannot be told; its files are not deleted; remove it without --delete-files, or correct image 'b' first"
run mi remove v --delete-files
is "$rc:$out" "$vrefused" "b's tree named through her group's directory: refused"
as alice mv "$T/proj/x" "$T/proj/x.real" && as alice mkdir -p "$T/proj/x/mnt/b"
ok $? "alice renames root's $T/proj/x and puts her look-alike at b's path"
run mi remove v --delete-files
is "$rc:$out" "$vrefused" "refused all the same"
is "$(tree_sum "$IMAGES/v/srv/b")" "$bsum" "b's real tree is whole"
ok_cmd "v and b stay registered" eval 'registered v && registered b'
umount "$T/proj/x.real/mnt"
ok_cmd "remove b (without --delete-files), then v --delete-files" eval 'mi remove b && mi remove v --delete-files'

# (6) x's file a bind of a file of r's tree that was unlinked since: the
# mount table says its source is "//deleted", nothing of it is in r's
# tree any more, and r goes.
# r_binds_x: r's tree with srv/x.sqsh in it, bound alone on x's source
# $T/files/x.sqsh.
r_binds_x() {
	fixture_tree "$IMAGES/r" r
	conf r
	mkdir -m 755 "$IMAGES/r/srv"
	cp "$T/files/big.sqsh" "$IMAGES/r/srv/x.sqsh"
	touch "$T/files/x.sqsh"
	bind "$IMAGES/r/srv/x.sqsh" "$T/files/x.sqsh"
	conf x "source = $T/files/x.sqsh"
}
r_binds_x
rm "$IMAGES/r/srv/x.sqsh"
run mi remove r --delete-files
is "$rc" 0 "a tree is deleted when the file bound out of it was unlinked there before ($out)"
is "$(sha256sum < "$T/files/x.sqsh")" "$filesum" "x's file, held by its bind, is whole"
umount "$T/files/x.sqsh"
rm "$T/etc/images.d/x.conf"

# (6b) the same, but the file has another name in r's tree (its source
# name moved away with a link and an unlink): that name holds its data
# once the bind goes, and it cannot be found from the mount table:
# refused up front (review 27: r's tree went, and with it the last name
# of x's data).
r_binds_x
ln "$IMAGES/r/srv/x.sqsh" "$IMAGES/r/srv/x-keep.sqsh" && rm "$IMAGES/r/srv/x.sqsh"
sum=$(tree_sum "$IMAGES/r")
run mi remove r --delete-files
is "$rc:$out" "1:melee-image: image 'r': $IMAGES/r, which --delete-files deletes, may hold image 'x''s file $T/files/x.sqsh: it is a file bound alone whose source's name was unlinked since, and another name of it, which may be in the tree, cannot be found; its files are not deleted; remove it without --delete-files" \
	"a tree is refused while a file bound out of it, unlinked there, has another name"
is "$(tree_sum "$IMAGES/r")" "$sum" "r's tree is whole, x-keep.sqsh in it"
umount "$T/files/x.sqsh"
rm "$T/etc/images.d/x.conf"
ok_cmd "with x unregistered, r goes" mi remove r --delete-files

# (7) o's file on an overlay whose upper directory lies in c's tree (the
# data of every file written there is in it), and (8) l's file on an
# ext4 whose loop file lies in d's tree: no bind, no identity shows it;
# the mount's layers do.
fixture_tree "$IMAGES/c" c
conf c
mkdir -m 755 "$T/lower" "$T/ovl" "$IMAGES/c/ovl" "$IMAGES/c/ovl/upper" "$IMAGES/c/ovl/work"
mount -t overlay overlay -o "lowerdir=$T/lower,upperdir=$IMAGES/c/ovl/upper,workdir=$IMAGES/c/ovl/work" "$T/ovl" &&
	at_exit "umount -l '$T/ovl' 2>/dev/null"
ok $? "root mounts an overlay on $T/ovl, its upper directory in c's tree"
cp "$T/files/big.sqsh" "$T/ovl/o.sqsh"
conf o "source = $T/ovl/o.sqsh"
run mi remove c --delete-files
is "$rc:$out" "1:melee-image: image 'c': $IMAGES/c, which --delete-files deletes, holds the upperdir $IMAGES/c/ovl/upper of the overlay on $T/ovl, where image 'o''s file $T/ovl/o.sqsh is: its files are not deleted; remove it without --delete-files" \
	"a tree that holds the upper directory of the overlay another image's file is on is refused"
is "$(sha256sum < "$T/ovl/o.sqsh")" "$filesum" "o's file is whole"
umount "$T/ovl"
ok_cmd "remove o (without --delete-files), then c --delete-files" eval 'mi remove o && mi remove c --delete-files'

fixture_tree "$IMAGES/d" d
conf d
mkdir -m 755 "$T/loopmnt"
truncate -s 16M "$IMAGES/d/srv.img" && mkfs.ext4 -q "$IMAGES/d/srv.img" &&
	mount -o loop "$IMAGES/d/srv.img" "$T/loopmnt" && at_exit "umount -l '$T/loopmnt' 2>/dev/null"
ok $? "root loop-mounts an ext4 file of d's tree on $T/loopmnt"
cp "$T/files/big.sqsh" "$T/loopmnt/l.sqsh"
conf l "source = $T/loopmnt/l.sqsh"
dev=$(findmnt -n -o SOURCE "$T/loopmnt")
run mi remove d --delete-files
is "$rc:$out" "1:melee-image: image 'd': $IMAGES/d, which --delete-files deletes, holds the file $IMAGES/d/srv.img of $dev, mounted on $T/loopmnt, where image 'l''s file $T/loopmnt/l.sqsh is: its files are not deleted; remove it without --delete-files" \
	"a tree that holds the loop file of the file system another image's file is on is refused"
is "$(sha256sum < "$T/loopmnt/l.sqsh")" "$filesum" "l's file is whole"
umount "$T/loopmnt"
ok_cmd "remove l (without --delete-files), then d --delete-files" eval 'mi remove l && mi remove d --delete-files'

# (4) the ordinary case: once the other images are elsewhere, the trees
# go.
umount "$T/srv" "$IMAGES/k" "$T/srv2" "$T/files/p.sqsh"
ok_cmd "remove k, m and p (without --delete-files)" eval 'mi remove k && mi remove m && mi remove p'
run mi remove u1 --delete-files
is "$rc:$out" "0:melee-image: u1: deleted $IMAGES/u1
melee-image: u1: removed from the configuration ($T/etc/images.d/u1.conf)" \
	"u1 is removed once nothing of another image is in it"
run mi remove a --delete-files
is "$rc" 0 "remove a --delete-files, nothing of another image in it any more"
run mi remove w --delete-files
is "$rc" 0 "remove w --delete-files, with n unregistered (its tree goes with w's)"
ok_cmd "u2 and u3 too" eval 'mi remove u2 --delete-files && mi remove u3 --delete-files'
ok_cmd "u1's, u2's, u3's, a's and w's trees are gone" eval "test ! -e '$IMAGES/u1' -a ! -e '$IMAGES/u2' -a ! -e '$IMAGES/u3' -a ! -e '$IMAGES/a' -a ! -e '$IMAGES/w'"
fixture_tree "$IMAGES/g" g
conf g
run mi remove g --delete-files
is "$rc" 0 "an image alone in its tree is deleted as before, with h's file registered elsewhere"
ok_cmd "g's tree is gone, h's file is there" eval "test ! -e '$IMAGES/g' -a -f '$T/files/h.sqsh'"
done_testing
