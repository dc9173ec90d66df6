#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove NAME --delete-files never deletes a layer of the
# mount another image's tree or file is on (an overlay's upper, work,
# lower or data directory, a loop device's file), however the mount
# table names it and however deep it lies (image-layers.c): refused up
# front, nothing changed, when the layer can be placed in NAME's tree or
# NAME's tree in it, or cannot be placed at all (a relative name, a layer
# renamed or unlinked since the mount was made, one named through what
# root alone does not control, layers deeper than are looked at),
# without asking a user's stopped FUSE daemon anything; the delete walk
# still stops at a layer kept by identity (keep_others), the second
# line.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
FSCONFIG=$top_builddir/tests/mount-overlay-fsconfig
EXCHANGE=$top_builddir/tests/exchange-loop
need_built "$FSCONFIG"
need_built "$EXCHANGE"

setup_accounts
write_config
mkdir -m 755 "$T/files"
# overlay TARGET OPTIONS: root's overlay (mount(2)), undone at exit.
overlay() {
	mkdir -p -m 755 "$1" && mount -t overlay overlay -o "$2" "$1" && at_exit "umount -l '$1' 2>/dev/null"
}
# fsconfig TARGET KEY=VALUE...: the same through fsopen/fsconfig.
fsconfig() {
	mkdir -p -m 755 "$1" && "$FSCONFIG" "$@" && at_exit "umount -l '$1' 2>/dev/null"
}
# ext4_loop FILE TARGET: an ext4 in FILE, loop-mounted (the loop device
# goes with the mount).
ext4_loop() {
	truncate -s 16M "$1" && mkfs.ext4 -q "$1" && mkdir -p -m 755 "$2" &&
		mount -o loop "$1" "$2" && at_exit "umount -l '$2' 2>/dev/null"
}
# refused NAME OTHER MESSAGE DESC: remove NAME --delete-files is refused
# with MESSAGE (after "melee-image: image 'NAME': "), nothing changed.
refused() {
	local sum
	sum=$(tree_sum "$IMAGES/$1")
	run mi remove "$1" --delete-files
	is "$rc:$out" "1:melee-image: image '$1': $3" "$4"
	is "$(tree_sum "$IMAGES/$1")" "$sum" "$1's tree is whole"
	ok_cmd "$1 and $2 stay registered" eval "registered $1 && registered $2"
}
not_deleted="its files are not deleted; remove it without --delete-files"

fixture_tree "$IMAGES/big" big
conf big
run mi pack big "$T/files/big.sqsh"
is "$rc" 0 "pack big FILE (a squashfs file for the file images below)"
rm -r "$IMAGES/big" "$T/etc/images.d/big.conf"
filesum=$(sha256sum < "$T/files/big.sqsh")

# (1) A layer in a tree whose root is alice's (an overlay's upper
# directory, a loop device's file): named through her directory, where
# she may rename what root put there and put a look-alike in its place,
# so where it lies cannot be told: refused up front, by the remove of
# that tree and of every other (such a registration is the
# administrator's to correct), nothing changed.
through() { # DIR WHY: the reason named
	printf 'that layer is named through %s (%s), which root alone does not control, so where it lies cannot be told' "$1" "$2"
}
fixture_tree "$IMAGES/u1" u1
conf u1
chown alice "$IMAGES/u1"
mkdir -m 755 "$T/lower" "$IMAGES/u1/ovl" "$IMAGES/u1/ovl/upper" "$T/wk1"
overlay "$T/ovl1" "lowerdir=$T/lower,upperdir=$IMAGES/u1/ovl/upper,workdir=$T/wk1"
cp "$T/files/big.sqsh" "$T/ovl1/o1.sqsh"
conf o1 "source = $T/ovl1/o1.sqsh"
refused u1 o1 "$IMAGES/u1, which --delete-files deletes, may hold the upperdir $IMAGES/u1/ovl/upper of the overlay on $T/ovl1, where image 'o1''s file $T/ovl1/o1.sqsh is: $(through "$IMAGES/u1" "a directory that is not root's"); $not_deleted" \
	"with u1's root alice's, the upper directory of o1's overlay in it is refused up front"
is "$(sha256sum < "$IMAGES/u1/ovl/upper/o1.sqsh")" "$filesum" "o1's file in the upper directory is whole"
fixture_tree "$IMAGES/z" z
conf z
refused z o1 "$IMAGES/z, which --delete-files deletes, may hold the upperdir $IMAGES/u1/ovl/upper of the overlay on $T/ovl1, where image 'o1''s file $T/ovl1/o1.sqsh is: $(through "$IMAGES/u1" "a directory that is not root's"); $not_deleted" \
	"so is another tree's remove"
umount "$T/ovl1"
mi remove o1 > /dev/null

fixture_tree "$IMAGES/u2" u2
conf u2
chown alice "$IMAGES/u2"
ext4_loop "$IMAGES/u2/srv.img" "$T/loop2"
cp "$T/files/big.sqsh" "$T/loop2/l2.sqsh"
conf l2 "source = $T/loop2/l2.sqsh"
dev=$(findmnt -n -o SOURCE "$T/loop2")
refused u2 l2 "$IMAGES/u2, which --delete-files deletes, may hold the file $IMAGES/u2/srv.img of $dev, mounted on $T/loop2, where image 'l2''s file $T/loop2/l2.sqsh is: $(through "$IMAGES/u2" "a directory that is not root's"); $not_deleted" \
	"with u2's root alice's, the loop file of l2's file system in it is refused up front"
ok_cmd "the loop file is there" test -s "$IMAGES/u2/srv.img"
umount "$T/loop2"
mi remove l2 > /dev/null

# (1b) a loop file unlinked since, its other hard link in d3's tree: not
# found by its name, it could lie anywhere: refused.
fixture_tree "$IMAGES/d3" d3
conf d3
ext4_loop "$T/files/d3.img" "$T/loop3"
cp "$T/files/big.sqsh" "$T/loop3/l3.sqsh"
conf l3 "source = $T/loop3/l3.sqsh"
ln "$T/files/d3.img" "$IMAGES/d3/keep.img"
rm "$T/files/d3.img"
dev=$(findmnt -n -o SOURCE "$T/loop3")
lost="that layer is not where its name says (renamed, moved or unlinked since the mount was made), so where it lies cannot be told"
refused d3 l3 "$IMAGES/d3, which --delete-files deletes, may hold the file $T/files/d3.img (deleted) of $dev, mounted on $T/loop3, where image 'l3''s file $T/loop3/l3.sqsh is: $lost; $not_deleted" \
	"a tree is refused while a loop file unlinked since backs another image's file (its other hard link is in the tree)"
ok_cmd "that link is there" test -s "$IMAGES/d3/keep.img"
umount "$T/loop3"
mi remove l3 > /dev/null

# (2) layers named one by one (lowerdir+=, datadir+=: every occurrence),
# with a space, a comma, a colon or a backslash in the name.
fixture_tree "$IMAGES/e" e
conf e
odd="$IMAGES/e/la y,er:x\\b"
mkdir -m 755 "$T/lower2" "$odd" "$T/up2" "$T/wk2"
fsconfig "$T/ovl2" "lowerdir+=$T/lower2" "lowerdir+=$odd" "upperdir=$T/up2" "workdir=$T/wk2"
ok $? "root mounts an overlay with lowerdir+= twice, the second in e's tree"
cp "$T/files/big.sqsh" "$T/ovl2/o2.sqsh"
conf o2 "source = $T/ovl2/o2.sqsh"
refused e o2 "$IMAGES/e, which --delete-files deletes, holds the lowerdir $odd of the overlay on $T/ovl2, where image 'o2''s file $T/ovl2/o2.sqsh is: $not_deleted" \
	"the second lowerdir+= of an overlay, its name escaped in the mount table, is found"
umount "$T/ovl2"

mkdir -m 755 "$IMAGES/e/data" "$T/up2b" "$T/wk2b"
fsconfig "$T/ovl2b" "lowerdir+=$T/lower2" "datadir+=$IMAGES/e/data" "upperdir=$T/up2b" "workdir=$T/wk2b" "metacopy=on"
ok $? "root mounts an overlay with a datadir+= in e's tree"
cp "$T/files/big.sqsh" "$T/ovl2b/o2.sqsh"
conf o2 "source = $T/ovl2b/o2.sqsh"
refused e o2 "$IMAGES/e, which --delete-files deletes, holds the datadir $IMAGES/e/data of the overlay on $T/ovl2b, where image 'o2''s file $T/ovl2b/o2.sqsh is: $not_deleted" \
	"a datadir+= is found"
umount "$T/ovl2b"

# mount(2)'s own escapes: '\,' and '\:' in upperdir and lowerdir.
mkdir -m 755 "$IMAGES/e/u p,q:r" "$IMAGES/e/w,k" "$T/lo:w"
overlay "$T/ovl2c" "lowerdir=$T/lower2:$T/lo\\:w,upperdir=$IMAGES/e/u p\\,q\\:r,workdir=$IMAGES/e/w\\,k"
ok $? "root mounts an overlay whose upper and work directories have ',' and ':' in their names"
cp "$T/files/big.sqsh" "$T/ovl2c/o2.sqsh"
conf o2 "source = $T/ovl2c/o2.sqsh"
refused e o2 "$IMAGES/e, which --delete-files deletes, holds the upperdir $IMAGES/e/u p,q:r of the overlay on $T/ovl2c, where image 'o2''s file $T/ovl2c/o2.sqsh is: $not_deleted" \
	"an upperdir with an escaped ',' and ':' is found"
is "$(sha256sum < "$IMAGES/e/u p,q:r/o2.sqsh")" "$filesum" "o2's file in it is whole"
umount "$T/ovl2c"

# a relative layer name (fsconfig keeps it as typed): it cannot be placed.
mkdir -m 755 "$IMAGES/e/rel" "$IMAGES/e/rel/up" "$IMAGES/e/rel/wk"
mkdir -m 755 "$T/ovl2d"
(cd "$IMAGES/e/rel" && "$FSCONFIG" "$T/ovl2d" "lowerdir+=$T/lower2" "upperdir=up" "workdir=wk")
ok $? "root mounts an overlay, its upper directory named relative to a directory of e's tree"
cp "$T/files/big.sqsh" "$T/ovl2d/o2.sqsh"
conf o2 "source = $T/ovl2d/o2.sqsh"
refused e o2 "$IMAGES/e, which --delete-files deletes, may hold the upperdir up of the overlay on $T/ovl2d, where image 'o2''s file $T/ovl2d/o2.sqsh is: the mount table names that layer by a relative path, which cannot be placed; $not_deleted" \
	"a layer named by a relative path is refused"
umount "$T/ovl2d"

# (3) a loop partition: the mount's device is /dev/loopNp1, its file the
# disk's.  A kernel without the MBR reader makes no partition of the
# table: then the partition is added as the table says (BLKPG, addpart).
fixture_tree "$IMAGES/p" p
conf p
truncate -s 20M "$IMAGES/p/disk.img"
# One partition from sector 2048 to the end (an MBR, as sfdisk writes it).
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x98\x00\x00' |
	dd of="$IMAGES/p/disk.img" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$IMAGES/p/disk.img" bs=1 seek=510 conv=notrunc status=none
disk=$(losetup -f --show -P "$IMAGES/p/disk.img") && at_exit "losetup -d '$disk' 2>/dev/null"
udevadm settle 2>/dev/null
[ -b "${disk}p1" ] || addpart "$disk" 1 2048 38912
ok_cmd "$disk has its partition ${disk}p1" test -b "${disk}p1"
if [ -b "${disk}p1" ]; then
	mkfs.ext4 -q "${disk}p1" && mkdir -m 755 "$T/part" && mount "${disk}p1" "$T/part" &&
		at_exit "umount -l '$T/part' 2>/dev/null"
	ok $? "root mounts ${disk}p1, a partition of a loop file in p's tree"
	cp "$T/files/big.sqsh" "$T/part/q.sqsh"
	conf q "source = $T/part/q.sqsh"
	refused p q "$IMAGES/p, which --delete-files deletes, holds the file $IMAGES/p/disk.img of $disk, below ${disk}p1 mounted on $T/part, where image 'q''s file $T/part/q.sqsh is: $not_deleted" \
		"a tree that holds the loop file below a partition another image's file is on is refused"
	umount "$T/part"
fi
losetup -d "$disk"

# (4) layers below layers: a loop file on an overlay whose upper
# directory is in h's tree; an overlay whose lower directory is on a
# loop device whose file is in i's tree.
fixture_tree "$IMAGES/h" h
conf h
mkdir -m 755 "$IMAGES/h/up" "$IMAGES/h/wk"
overlay "$T/ovl4" "lowerdir=$T/lower,upperdir=$IMAGES/h/up,workdir=$IMAGES/h/wk"
ext4_loop "$T/ovl4/disk.img" "$T/loop4"
ok $? "root loop-mounts a file of an overlay whose upper directory is in h's tree"
cp "$T/files/big.sqsh" "$T/loop4/l4.sqsh"
conf l4 "source = $T/loop4/l4.sqsh"
refused h l4 "$IMAGES/h, which --delete-files deletes, holds the upperdir $IMAGES/h/up of the overlay on $T/ovl4, where image 'l4''s file $T/loop4/l4.sqsh is: $not_deleted" \
	"a loop file on an overlay whose upper directory is in the tree is found"
umount "$T/loop4"

fixture_tree "$IMAGES/i" i
conf i
ext4_loop "$IMAGES/i/low.img" "$T/loop5"
dev=$(findmnt -n -o SOURCE "$T/loop5")
mkdir -m 755 "$T/loop5/lower" "$T/up5" "$T/wk5"
overlay "$T/ovl5" "lowerdir=$T/loop5/lower,upperdir=$T/up5,workdir=$T/wk5"
ok $? "root mounts an overlay whose lower directory is on a loop file of i's tree"
cp "$T/files/big.sqsh" "$T/ovl5/o5.sqsh"
conf o5 "source = $T/ovl5/o5.sqsh"
refused i o5 "$IMAGES/i, which --delete-files deletes, holds the file $IMAGES/i/low.img of $dev, mounted on $T/loop5, where image 'o5''s file $T/ovl5/o5.sqsh is: $not_deleted" \
	"an overlay whose lower directory is on a loop file in the tree is found"
umount "$T/ovl5" "$T/loop5"

# (5) the other way round: r's tree lies in the upper directory of the
# overlay o6's file is on.
mkdir -m 755 "$T/up6" "$T/wk6"
fixture_tree "$T/up6/r" r
conf r "path = $T/up6/r"
overlay "$T/ovl6" "lowerdir=$T/lower,upperdir=$T/up6,workdir=$T/wk6"
cp "$T/files/big.sqsh" "$T/ovl6/o6.sqsh"
conf o6 "source = $T/ovl6/o6.sqsh"
sum=$(tree_sum "$T/up6")
run mi remove r --delete-files
is "$rc:$out" "1:melee-image: image 'r': $T/up6/r, which --delete-files deletes, lies in the upperdir $T/up6 of the overlay on $T/ovl6 (there as r), where image 'o6''s file $T/ovl6/o6.sqsh is: $not_deleted" \
	"a tree that lies in the upper directory of another image's overlay is refused"
is "$(tree_sum "$T/up6")" "$sum" "the upper directory, r's tree in it, is whole"
ok_cmd "r and o6 stay registered" eval 'registered r && registered o6'
umount "$T/ovl6"

# (6) a layer renamed since the overlay was mounted: the mount table
# still shows the name it was given, which now leads nowhere.
fixture_tree "$IMAGES/m" m
conf m
mkdir -m 755 "$IMAGES/m/srv" "$IMAGES/m/srv/upper" "$IMAGES/m/srv/work"
overlay "$T/ovl7" "lowerdir=$T/lower,upperdir=$IMAGES/m/srv/upper,workdir=$IMAGES/m/srv/work"
cp "$T/files/big.sqsh" "$T/ovl7/o7.sqsh"
conf o7 "source = $T/ovl7/o7.sqsh"
mv "$IMAGES/m/srv" "$IMAGES/m/srv.old"
refused m o7 "$IMAGES/m, which --delete-files deletes, may hold the upperdir $IMAGES/m/srv/upper of the overlay on $T/ovl7, where image 'o7''s file $T/ovl7/o7.sqsh is: $lost; $not_deleted" \
	"a tree is refused while a layer of another image's overlay was renamed (in the tree)"
is "$(sha256sum < "$IMAGES/m/srv.old/upper/o7.sqsh")" "$filesum" "o7's file in the renamed upper directory is whole"
umount "$T/ovl7"
mi remove o7 > /dev/null

# (7) a loop file on alice's FUSE mount (an administrator's loop device
# on a file of hers), her mount detached since (the loop keeps it
# alive, out of the mount table) and her daemon stopped: the file's
# name leads nowhere, and asking the loop device about it
# (LOOP_GET_STATUS64) would ask her daemon and hang with the lock held.
user_fuse allow_other
fixture_tree "$IMAGES/w" w
conf w
mkdir -m 755 "$T/asrc" "$T/am" "$T/lm"
chown alice "$T/asrc" "$T/am"
truncate -s 16M "$T/asrc/fs.img" && mkfs.ext4 -q "$T/asrc/fs.img" && chown alice "$T/asrc/fs.img"
bindfs_as alice "$T/asrc" "$T/am" -o allow_other
ok $? "alice's bindfs of her directory on $T/am"
ldev=$(losetup -f --show "$T/am/fs.img") && mount "$ldev" "$T/lm" &&
	at_exit "kill -CONT $BINDFS 2>/dev/null; umount -l '$T/lm' 2>/dev/null; losetup -d '$ldev' 2>/dev/null"
ok $? "root loop-mounts her file on $T/lm"
fixture_tree "$T/lm/t" t
conf t "path = $T/lm/t"
as alice fusermount -u -z "$T/am"
kill -STOP "$BINDFS"
# Past the attributes the kernel keeps of her file (FUSE's 1 s): a look
# at it now is a request her stopped daemon never answers.
sleep 1.5
run timeout 30 "$MELEE_IMAGE" --config "$CONF" remove w --delete-files
like "$rc:$out" "^1:melee-image: image 'w': $IMAGES/w, which --delete-files deletes, may hold the file [^ ]*fs.img of $ldev, mounted on $T/lm, where image 't''s tree $T/lm/t is: $(printf '%s' "$lost" | sed 's/[()]/\\&/g')" \
	"with her mount detached and her daemon stopped, a tree is refused at once (not held on her daemon)"
ok_cmd "w and t stay registered" eval 'registered w && registered t'
kill -CONT "$BINDFS"
umount "$T/lm" && losetup -d "$ldev"
ok $? "the loop mount goes"
rm "$T/etc/images.d/t.conf"

# (8) alice's FUSE mount on the way to a layer: the overlay's upper
# directory is named through an administrator's bind of a directory of
# g's tree, through a directory of her group's; her bindfs on it, made
# after the overlay, hides that the layer lies in the tree, and the walk
# (through the tree's own path, which her mount does not cover) would
# delete o8's file in it.  Nothing past a user's FUSE mount is looked at:
# refused.
fixture_tree "$IMAGES/g" g
conf g
mkdir -m 755 "$IMAGES/g/srv" "$T/srv8" "$T/asrc8"
mkdir -m 2775 "$IMAGES/g/srv/proj" && chgrp physics "$IMAGES/g/srv/proj"
mkdir -m 755 "$IMAGES/g/srv/proj/ovl" "$IMAGES/g/srv/proj/ovl/upper" "$IMAGES/g/srv/proj/ovl/work"
mount --bind "$IMAGES/g/srv" "$T/srv8" && at_exit "umount -l '$T/srv8' 2>/dev/null"
overlay "$T/ovl8" "lowerdir=$T/lower,upperdir=$T/srv8/proj/ovl/upper,workdir=$T/srv8/proj/ovl/work"
cp "$T/files/big.sqsh" "$T/ovl8/o8.sqsh"
conf o8 "source = $T/ovl8/o8.sqsh"
chown alice "$T/asrc8"
bindfs_as alice "$T/asrc8" "$T/srv8/proj" -o nonempty
ok $? "alice's bindfs on $T/srv8/proj, her group's directory on the way to the layer"
refused g o8 "$IMAGES/g, which --delete-files deletes, may hold the upperdir $T/srv8/proj/ovl/upper of the overlay on $T/ovl8, where image 'o8''s file $T/ovl8/o8.sqsh is: $(through "$T/srv8/proj" "a user's FUSE mount"); $not_deleted" \
	"a layer named through a user's FUSE mount is refused"
is "$(sha256sum < "$IMAGES/g/srv/proj/ovl/upper/o8.sqsh")" "$filesum" "o8's file in the upper directory is whole"
kill "$BINDFS" && wait_for 10 eval "! grep -qF ' $T/srv8/proj ' /proc/self/mountinfo"
ok $? "her bindfs goes"
umount "$T/ovl8" "$T/srv8"
mi remove o8 > /dev/null

# (9) trees on an overlay whose layers are named where this cannot see
# (a container's root: moved here since the mount): the delete goes
# through that overlay and never reaches its layers, so they are no
# reason to refuse.
mkdir -m 755 "$T/cr" "$T/cr/lower" "$T/cr/upper" "$T/cr/work"
overlay "$T/crm" "lowerdir=$T/cr/lower,upperdir=$T/cr/upper,workdir=$T/cr/work"
mv "$T/cr" "$T/cr.moved"
fixture_tree "$T/crm/c1" c1
fixture_tree "$T/crm/c2" c2
conf c1 "path = $T/crm/c1"
conf c2 "path = $T/crm/c2"
run mi remove c1 --delete-files
is "$rc" 0 "a tree on an overlay whose layers cannot be found is deleted, another image on it too ($out)"
ok_cmd "c1's tree is gone, c2's is there" eval "test ! -e '$T/crm/c1' -a -e '$T/crm/c2/marker' && registered c2"
mi remove c2 > /dev/null
umount "$T/crm"

# (10) a directory of alice's on the way to another image's tree and to
# a layer (in her group's directory), swapped (renameat2
# RENAME_EXCHANGE, as fast as she can) with a symlink of hers to her FUSE
# mount, whose daemon is stopped: a look that meets the directory and
# then, by its path again, looks in it, meets her symlink the second
# time and asks her daemon, which never answers (review 25: 3 of 30
# runs hung with the lock held).  Nothing in a directory others may
# write is looked at (her group's $T/proj), and each look goes on from
# what the last one holds: every remove is refused at once, nothing
# changed.
mkdir -m 2775 "$T/proj" && chgrp physics "$T/proj"
mkdir -m 1777 "$T/open"
fixture_tree "$T/open/rw" rw
conf rw "path = $T/open/rw"
mkdir -m 755 "$T/proj/d" "$T/proj/d/x" "$T/proj/d/upper" "$T/proj/d/work" "$T/asrc10" "$T/am10"
chown alice "$T/proj/d" "$T/asrc10" "$T/am10"
conf x "path = $T/proj/d/x"
overlay "$T/ovl10" "lowerdir=$T/lower,upperdir=$T/proj/d/upper,workdir=$T/proj/d/work"
cp "$T/files/big.sqsh" "$T/ovl10/o10.sqsh"
conf o10 "source = $T/ovl10/o10.sqsh"
bindfs_as alice "$T/asrc10" "$T/am10" -o allow_other
ok $? "alice's bindfs of her directory on $T/am10"
as alice ln -s "$T/am10" "$T/proj/s"
kill -STOP "$BINDFS"
as alice "$EXCHANGE" "$T/proj/d" "$T/proj/s" 120 > "$T/swapper" &
swapper=$!
PIDS="$PIDS $swapper"
wait_for 10 grep -q swapping "$T/swapper"
ok $? "alice swaps $T/proj/d with her symlink to her stopped mount"
sum=$(tree_sum "$T/open/rw")
refused10="melee-image: image 'rw': $T/open/rw, which --delete-files deletes, may hold (the upperdir $T/proj/d/upper of the overlay on $T/ovl10, where image 'o10''s file $T/ovl10/o10.sqsh is: that layer|image 'x''s tree $T/proj/d/x: it) is named through $T/proj \\(a directory others may write\\)"
hung=0 other="" n=0
while [ $n -lt 150 ]; do
	n=$((n + 1))
	run timeout 10 "$MELEE_IMAGE" --config "$CONF" remove rw --delete-files
	[ "$rc" = 124 ] && { hung=$n; break; }
	[ "$rc" = 1 ] && { printf '%s\n' "$out" | grep -Eq "^$refused10"; } && continue
	other="$rc: $out"
	break
done
is "$hung:$other" "0:" "150 removes while she swaps: each refused at once, none held on her daemon"
is "$(tree_sum "$T/open/rw")" "$sum" "rw's tree is whole"
ok_cmd "rw, x and o10 stay registered" eval 'registered rw && registered x && registered o10'
kill "$(child_named "$swapper" exchange-loop)" && wait "$swapper"
kill -CONT "$BINDFS"
upper=$T/proj/d/upper
[ -L "$T/proj/d" ] && upper=$T/proj/s/upper
is "$(sha256sum < "$upper/o10.sqsh")" "$filesum" "o10's file in the upper directory is whole"
umount "$T/ovl10"
kill "$BINDFS" && wait_for 10 eval "! grep -qF ' $T/am10 ' /proc/self/mountinfo"
ok $? "her bindfs goes"
for n in rw x o10; do mi remove "$n" > /dev/null; done

# The ordinary case: with the mounts gone, the trees go (those cut
# short above finish).
for o in o2 l4 o5 o6; do mi remove "$o" > /dev/null || echo "# remove $o failed"; done
[ -n "${disk:-}" ] && conf q && mi remove q > /dev/null
for n in u1 u2 z d3 e p h i r m w g; do
	run mi remove "$n" --delete-files
	is "$rc" 0 "remove $n --delete-files once no layer of another image is in it ($out)"
done
ok_cmd "their trees are gone" eval "test ! -e '$IMAGES/u1' -a ! -e '$IMAGES/z' -a ! -e '$IMAGES/e' -a ! -e '$IMAGES/h' -a ! -e '$T/up6/r'"
done_testing
