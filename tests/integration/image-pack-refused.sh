#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack refuses, with a message naming what is wrong, exit 2
# and nothing written: an unknown image, a compression other than zstd,
# xz or gzip, a FILE in a directory others can write (world-writable,
# sticky /tmp, owned by a user, a writable directory above, a symlink on
# the way), a relative FILE, a FILE that is a directory or inside the
# image; and a user who is not root.  A tree deeper than the walk that
# finds what to leave out goes fails (exit 1) with the path, and nothing
# is written either.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files" "$T/open" "$T/users" "$T/above" "$T/above/sub"
chmod 777 "$T/open"; chown 1501:1501 "$T/users"; chmod 775 "$T/above"
ln -s "$T/files" "$T/link"
before=$(ls -lAR "$T/files" "$T/open" "$T/users" "$T/above" "$T/etc" "$IMAGES")

refused() { # refused DESC WANT-MESSAGE ARGS...
	local desc=$1 want=$2
	shift 2
	run mi "$@"
	is "$rc:$out" "2:$want" "$desc"
}
refused "an unknown NAME" "melee-image: pack: unknown image 'nosuch'" pack nosuch "$T/files/x.sqsh"
refused "a bad compression" "melee-image: pack: --compression must be zstd, xz or gzip, got 'lz4'" \
	pack bb "$T/files/x.sqsh" --compression lz4
refused "a FILE in a world-writable directory" \
	"melee-image: pack: $T/open/x.sqsh: refused, its directory is not safe for an image file (it must be root's and writable by root alone): $T/open: group- or world-writable (mode 0777), refused" \
	pack bb "$T/open/x.sqsh"
refused "a FILE in /tmp (sticky, world-writable)" \
	"melee-image: pack: /tmp/x.sqsh: refused, its directory is not safe for an image file (it must be root's and writable by root alone): /tmp: group- or world-writable (mode 1777), refused" \
	pack bb /tmp/x.sqsh
like "$(mi pack bb "$T/users/x.sqsh" 2>&1)" "^melee-image: pack: $T/users/x.sqsh: refused, its directory is not safe for an image file \(it must be root's and writable by root alone\): $T/users: .*1501" \
	"a FILE in a directory owned by a user"
refused "a FILE below a group-writable directory" \
	"melee-image: pack: $T/above/sub/x.sqsh: refused, its directory is not safe for an image file (it must be root's and writable by root alone): $T/above: group- or world-writable (mode 0775), refused" \
	pack bb "$T/above/sub/x.sqsh"
like "$(mi pack bb "$T/link/x.sqsh" 2>&1)" "^melee-image: pack: $T/link/x.sqsh: refused, its directory is not safe for an image file .*$T/link.*symlink" \
	"a FILE reached through a symlink"
refused "a relative FILE" "melee-image: pack: files/x.sqsh: give the absolute path of the file to write" \
	pack bb files/x.sqsh
refused "a FILE that is a directory" \
	"melee-image: pack: $T/files is a directory (expected a file to write or replace)" pack bb "$T/files"
refused "a FILE inside the image" \
	"melee-image: pack: $IMAGES/bb/bb.sqsh: inside the image $IMAGES/bb itself; write it elsewhere" \
	pack bb "$IMAGES/bb/bb.sqsh"
run as alice "$MELEE_IMAGE" pack bb "$T/files/x.sqsh"
is "$rc:$out" "2:melee-image: pack: must be run as root" "a user who is not root"
is "$(ls -lAR "$T/files" "$T/open" "$T/users" "$T/above" "$T/etc" "$IMAGES")" "$before" "nothing was written anywhere"
# One process walking down (perl-base, as in every Debian): a shell's cd
# at each level costs time quadratic in the depth.
perl -e 'chdir $ARGV[0] or die; for (0 .. 4097) { mkdir "d", 0755 or die; chdir "d" or die }' "$IMAGES/bb"
run mi pack bb "$T/files/x.sqsh"
like "$rc:$out" "^1:melee-image: bb: packing " "a tree more than 4096 directories deep: exit 1"
like "$out" "^melee-image: pack: $IMAGES/bb/d/d/d/.*\.\.\.: more than 4096 directories deep; refusing to walk it$" \
	"the path and why"
like "$out" "^melee-image: pack: could not build mksquashfs's root of its own; $T/files/x.sqsh was not changed$" \
	"and that the file was not changed"
is "$(ls -A "$T/files")" "" "and nothing was written"
done_testing
