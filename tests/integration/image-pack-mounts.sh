#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack writes an image that is up (/proc, /home, /tmp, the
# merged passwd mounted in it) as a squashfs file holding the image's own
# files and nothing of its mounts: root's, mode 0600 whatever the umask,
# compressed as asked (zstd by default, gzip, xz).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
add_image bb
mkdir -m 755 "$T/files"
echo "alice's own" > /home/alice/secret-of-alice
echo "host tmp" > /tmp/host-tmp-marker
cp "$IMAGES/bb/etc/passwd" "$T/work/bb-passwd.orig"
ok_cmd "melee-mounts up bb" mm up bb
is "$(cat "$IMAGES/bb/home/alice/secret-of-alice")" "alice's own" "the image's /home is the host's (a bind)"
grep -q '^alice:' "$IMAGES/bb/etc/passwd"; ok $? "the image's /etc/passwd is the merged one (a bind with alice)"
test -e "$IMAGES/bb/proc/self/status"; ok $? "the image's /proc is mounted"

umask 077
run mi pack bb "$T/files/bb.sqsh"
is "$rc" 0 "pack bb FILE succeeds"
like "$out" "^melee-image: bb: packing $IMAGES/bb into $T/files/bb.sqsh \(zstd\)$" "it says what it packs, where, how"
like "$out" "^melee-image: bb: wrote $T/files/bb.sqsh \([0-9.]+K, zstd\)$" "and the size it wrote"
umask 022
is "$(stat -c '%a %u %g %F' "$T/files/bb.sqsh")" "600 0 0 regular file" "the file is root's, mode 0600 (umask 077 did not apply)"
# It holds the image's root-only files too: a user cannot read it (a
# file beside it that she may read shows that she reaches the directory).
echo readable > "$T/files/control" && chmod 644 "$T/files/control"
run as alice cat "$T/files/control"
is "$rc:$out" "0:readable" "control: alice reads a file of mode 0644 beside it"
run as alice unsquashfs -cat "$T/files/bb.sqsh" marker
ok $((rc == 0)) "alice cannot read the file image (exit $rc): the image's root-only files are not hers to read"
rm -f "$T/files/control"
list=$(unsquashfs -lln "$T/files/bb.sqsh" | awk '{ print $6 }')
like "$list" "^squashfs-root/bin/busybox$" "the image's files are in it (bin/busybox)"
like "$list" "^squashfs-root/marker$" "and its marker"
like "$list" "^squashfs-root/proc$" "the mountpoint /proc is there, as an empty directory"
unlike "$list" "^squashfs-root/proc/" "nothing of the mounted /proc"
unlike "$list" "^squashfs-root/home/" "nothing of the mounted /home (alice's secret)"
unlike "$list" "host-tmp-marker" "nothing of the mounted /tmp"
unlike "$list" "^squashfs-root/(sys|dev|run)/" "nothing of /sys, /dev, /run"
unsquashfs -cat "$T/files/bb.sqsh" etc/passwd > "$T/work/passwd.packed"
is "$(cat "$T/work/passwd.packed")" "$(cat "$T/work/bb-passwd.orig")" "etc/passwd is the image's own file, not the merged bind over it"
is "$(unsquashfs -lln "$T/files/bb.sqsh" bin/busybox | awk '/busybox/ { print $1, $2 }')" \
	"$(stat -c '%A 0/0' "$IMAGES/bb/bin/busybox")" "owners and modes are kept"
is "$(unsquashfs -s "$T/files/bb.sqsh" | sed -n 's/^Compression //p')" "zstd" "compressed with zstd by default"

for c in gzip xz; do
	ok_cmd "pack --compression $c" mi pack bb "$T/files/bb-$c.sqsh" --compression "$c"
	is "$(unsquashfs -s "$T/files/bb-$c.sqsh" | sed -n 's/^Compression //p')" "$c" "compressed with $c"
done
is "$(ls -A "$T/files")" "bb-gzip.sqsh
bb-xz.sqsh
bb.sqsh" "no temporary file is left"
done_testing
