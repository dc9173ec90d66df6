#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import of a container image, the short way through: a
# two-layer OCI layout made with umoci from the busybox fixture (a file
# deleted, one added, a hard link and a symlink in the upper layer) is
# imported from oci:DIR:TAG, from oci-archive:FILE and with --file, and
# comes out as umoci unpack makes it; a blob changed in place is refused.
# The big equivalence and attack tests are image-import-oci-*.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v umoci >/dev/null || skip_all "umoci is not installed (apt-get install umoci)"
setup_accounts
write_config
mkdir -p "$T/site"; chmod 755 "$T/site"
lay=$T/site/lay
# What a tree holds, as the comparison reads it (the root's own line out).
listing() { (cd "$1" && find . -mindepth 1 -printf '%P %y %m %U %G %s %l\n' | sort); }

umoci init --layout "$lay" && umoci new --image "$lay:t"
umoci unpack --rootless --image "$lay:t" "$T/work/b1" >/dev/null 2>&1 ||
	umoci unpack --image "$lay:t" "$T/work/b1" >/dev/null
"$top_srcdir/tests/make-fixture-image" "$T/work/b1/rootfs" oci >/dev/null
echo gone > "$T/work/b1/rootfs/etc/gone"
umoci repack --image "$lay:t" "$T/work/b1" >/dev/null
umoci unpack --image "$lay:t" "$T/work/b2" >/dev/null
r=$T/work/b2/rootfs
rm "$r/etc/gone"
echo new > "$r/etc/new"; ln "$r/etc/new" "$r/etc/new-link"; ln -s new "$r/etc/new-sym"
umoci repack --image "$lay:t" "$T/work/b2" >/dev/null
umoci unpack --image "$lay:t" "$T/work/want" >/dev/null
chmod -R go-w "$lay"
ok "$(test -n "$(ls "$lay/blobs/sha256")"; echo $?)" "the layout was made ($(ls "$lay/blobs/sha256" | wc -l) blobs)"

run mi --no-up import o1 "oci:$lay:t"
is "$rc" "0" "import oci:DIR:TAG succeeds"
like "$out" "^melee-image: o1: applying 2 layers" "it says how many layers it applies"
like "$out" "^melee-image: o1: registered in $T/etc/images.d/o1.conf" "and registers the image"
is "$(listing "$IMAGES/o1")" "$(listing "$T/work/want/rootfs")" "the tree is what umoci unpack makes of it"
is "$(stat -c %i "$IMAGES/o1/etc/new")" "$(stat -c %i "$IMAGES/o1/etc/new-link")" "the hard link is one inode"
ok "$(test ! -e "$IMAGES/o1/etc/gone"; echo $?)" "the deleted file is gone"
is "$(find "$IMAGES/o1" -name '.wh.*' | wc -l)" "0" "no whiteout file is left"

tar -C "$lay" -cf "$T/site/lay.tar" .
run mi --no-up import o2 "oci-archive:$T/site/lay.tar"
is "$rc" "0" "import oci-archive:FILE (one image: no tag needed)"
is "$(listing "$IMAGES/o2")" "$(listing "$T/work/want/rootfs")" "the same tree from the archive"

run mi --no-up --file "$T/site/o3.squashfs" import o3 "oci-archive:$T/site/lay.tar:t"
is "$rc" "0" "import --file FILE writes a file image"
like "$(cat "$T/etc/images.d/o3.conf" 2>/dev/null)" "source = $T/site/o3.squashfs" "registered as source = FILE"
ok "$(test ! -e "$IMAGES/o3" && test ! -e "$IMAGES/.o3.partial"; echo $?)" "no unpacked tree is left"
is "$(head -c 4 "$T/site/o3.squashfs" 2>/dev/null)" "hsqs" "the file is a squashfs file"

run mi --no-up import o4 "oci:$lay:nosuch"
is "$rc" "1" "an unknown tag is refused"
like "$out" "tags: t$" "with the tags there are"

# A layer changed in place, its size kept: refused before any is applied.
blob=$(ls -S "$lay/blobs/sha256" | head -1)
printf 'X' | dd of="$lay/blobs/sha256/$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
run mi --no-up import o5 "oci:$lay:t"
is "$rc" "1" "a blob that does not hash to its digest is refused"
like "$out" "sha256:$blob: sha256 mismatch" "the message names the blob"
ok "$(test ! -e "$IMAGES/o5" && test ! -e "$IMAGES/.o5.partial" && test ! -e "$T/etc/images.d/o5.conf"; echo $?)" "nothing registered, no tree left"
done_testing
