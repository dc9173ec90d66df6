#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack leaves out what is in every directory that anyone but
# root can write (world- or group-writable, sticky or not, or owned by a
# user): each is packed as an empty directory with its owner and mode,
# and named in the output (the first ten, then a count).  A user's
# directory named with a newline and glob characters is left out alone:
# its root-owned siblings that a glob of its name would match are packed
# whole.  What root alone can change is packed as it is, a user's file in
# root's directory included.  Nothing of this reaches the image itself.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
add_image bb
mkdir -m 755 "$T/files"
B=$IMAGES/bb
weird=$'we*ird\n[name]?'
mkdir -m 755 "$B/opt" "$B/opt/alice" "$B/opt/data" "$B/opt/weird" "$B/opt/we-x" "$B/opt/$weird" \
	"$B/srv" "$B/srv/share" "$B/users" "$B/var/tmp/rootdir"
for d in opt/alice opt/data opt/weird opt/we-x "opt/$weird" srv/share var/tmp/rootdir; do
	echo "in $d" > "$B/$d/file"
done
chown -R 1501:1501 "$B/opt/alice"
chown -R 1502:1502 "$B/opt/$weird"
chgrp 100 "$B/srv/share"; chmod 2775 "$B/srv/share"
echo "alice's own, in root's /etc" > "$B/etc/alice.conf"; chown 1501:1501 "$B/etc/alice.conf"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	mkdir -m 700 "$B/users/u$i"; echo "u$i" > "$B/users/u$i/file"; chown -R 1501:1501 "$B/users/u$i"
done
# A root file an ACL keeps alice out of: mksquashfs keeps no ACL, so the
# pack says that this one is lost (the file image has the mode bits only).
echo "not for alice" > "$B/opt/data/restricted"
setfacl -m u:1501:--- "$B/opt/data/restricted"
before=$(tree_sum "$B")

run mi pack bb "$T/files/bb.sqsh"
is "$rc" 0 "pack succeeds"
left=$(printf '%s\n' "$out" | grep '^melee-image: bb: left out what is in /')
is "$(printf '%s\n' "$left" | wc -l)" 10 "the first ten left-out directories are named, one line each"
like "$out" "^melee-image: bb: left out what is in 7 more such directories, packed empty too$" \
	"then a count of the other seven (17 in all)"
like "$out" "^melee-image: bb: left out what is in /srv/share \(owner 0, mode 2775\): others than root can write it; packed as an empty directory$" \
	"a group-writable directory of root's is left out, and the line says why" 
unlike "$left" "/var/tmp/rootdir" "a directory below a left-out one is not looked at"
unsquashfs -lln "$T/files/bb.sqsh" | awk '{ print $1, $2, $6 }' > "$T/work/list"

entry() { awk -v p="squashfs-root/$1" '$3 == p { print $1, $2 }' "$T/work/list"; }
below() { grep -c "^[^ ]* [^ ]* squashfs-root/$1/" "$T/work/list"; }
is "$(entry opt/alice):$(below opt/alice)" "drwxr-xr-x 1501/1501:0" "alice's /opt/alice: packed empty, hers, mode 0755"
is "$(entry srv/share):$(below srv/share)" "drwxrwsr-x 0/100:0" "root's group-writable /srv/share: packed empty, mode 2775"
is "$(entry var/tmp):$(below var/tmp)" "drwxrwxrwt 0/0:0" "/var/tmp: packed empty, mode 1777 (rootdir below it too)"
is "$(entry tmp):$(below tmp)" "drwxrwxrwt 0/0:0" "/tmp: packed empty, mode 1777"
is "$(entry users/u12):$(below users/u12)" "drwx------ 1501/1501:0" "and the twelfth of alice's /users/u*, not named, the same"
# unsquashfs shows the newline of the name as it is: count the entries
# below opt/ instead (alice, data, weird, we-x, the weird one, their files).
is "$(unsquashfs -l "$T/files/bb.sqsh" opt | grep -c 'file$')" 3 \
	"below /opt only data/, weird/ and we-x/ keep their file (not alice's, not bob's weird one)"
is "$(unsquashfs -cat "$T/files/bb.sqsh" opt/weird/file):$(unsquashfs -cat "$T/files/bb.sqsh" opt/we-x/file)" \
	"in opt/weird:in opt/we-x" "the root-owned siblings a glob of bob's name would match are packed whole"
like "$left" "^melee-image: bb: left out what is in /opt/we\*ird\?\[name\]\? \(owner 1502, mode 0755\)" \
	"bob's directory is named printably (the newline as ?)"
is "$(unsquashfs -cat "$T/files/bb.sqsh" opt/data/file)" "in opt/data" "root's /opt/data is packed whole"
like "$out" "^melee-image: bb: /opt/data/restricted: its POSIX ACL is not kept \(the file image has the mode bits only\)$" \
	"a file whose ACL the file image loses is named"
unlike "$out" "/opt/data/file: its POSIX ACL" "a file without an ACL is not"
is "$(unsquashfs -cat "$T/files/bb.sqsh" etc/alice.conf)" "alice's own, in root's /etc" \
	"a user's file in a directory of root's is packed (she cannot swap it there)"
is "$(tree_sum "$B")" "$before" "the image is as it was"
is "$(mounted_below "$B")" "" "and nothing is mounted in it (the covers were the packer's alone)"
done_testing
