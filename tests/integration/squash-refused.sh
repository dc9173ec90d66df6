#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An image file that is not trusted like an image root is refused by up
# and check, with a message naming the file and what is wrong, and
# nothing is mounted.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash good "$SRV/good.sqsh"

# refused NAME FILE MESSAGE DESCRIPTION: up and check refuse image NAME
# (source = FILE) with MESSAGE, and nothing is mounted or attached.
refused() {
	add_file_image "$1" "$2"
	run mm up "$1"
	like "$rc:$out" "^1:melee-mounts: $1: image file $2 refused: $3$" "up refuses $4"
	run mm check "$1"
	like "$rc:$out" "$1: FAIL: image file $2 refused: $3" "check says so too: $4"
	ok "$([ -z "$(mounted_below "$IMAGES")" ] && no_loops_of "$2"; echo $?)" "nothing mounted or attached: $4"
	rm -f "$T/etc/images.d/$1.conf"
}

cp "$SRV/good.sqsh" "$SRV/ww.sqsh"; chmod 666 "$SRV/ww.sqsh"
refused ww "$SRV/ww.sqsh" "$SRV/ww.sqsh: group- or world-writable \(mode 0666\), refused" "a world-writable file"
cp "$SRV/good.sqsh" "$SRV/gw.sqsh"; chmod 664 "$SRV/gw.sqsh"
refused gw "$SRV/gw.sqsh" "$SRV/gw.sqsh: group- or world-writable \(mode 0664\), refused" "a group-writable file"
cp "$SRV/good.sqsh" "$SRV/user.sqsh"; chown 1501 "$SRV/user.sqsh"
refused user "$SRV/user.sqsh" "$SRV/user.sqsh: owned by uid 1501, expected root \(refused\)" "a file owned by a user"
ln -s good.sqsh "$SRV/link.sqsh"
refused link "$SRV/link.sqsh" "$SRV/link.sqsh: is a symlink \(refused: an image file must not be one\)" "a symlink to a good file"
head -c 65536 /dev/zero > "$SRV/zero.sqsh"; chmod 644 "$SRV/zero.sqsh"
refused zero "$SRV/zero.sqsh" "$SRV/zero.sqsh: not a squashfs image \(no 'hsqs' magic at offset 0\)" "a file that is not squashfs"
tar -C "$T/work/tree-good" -cf "$SRV/tar.sqsh" .; chmod 644 "$SRV/tar.sqsh"
refused tar "$SRV/tar.sqsh" "$SRV/tar.sqsh: not a squashfs image \(no 'hsqs' magic at offset 0\)" "a tarball named .sqsh"
mkdir "$SRV/dir.sqsh"
refused dir "$SRV/dir.sqsh" "$SRV/dir.sqsh: is not a regular file \(refused\)" "a directory"
mkdir -p "$SRV/open"; chmod 777 "$SRV/open"; cp "$SRV/good.sqsh" "$SRV/open/x.sqsh"
refused open "$SRV/open/x.sqsh" "$SRV/open: group- or world-writable \(mode 0777\), refused" "a file below a world-writable directory"
mkdir -p "$SRV/users/deep"; chown 1501 "$SRV/users"; cp "$SRV/good.sqsh" "$SRV/users/deep/x.sqsh"
refused deep "$SRV/users/deep/x.sqsh" "$SRV/users: owned by uid 1501, expected root \(refused\)" "a file below a directory a user owns"
ln -s "$SRV" "$T/srvlink"
refused via "$T/srvlink/good.sqsh" "$T/srvlink: is a symlink \(refused: image paths must not contain symlinks\)" "a path through a symlinked directory"
refused none "$SRV/missing.sqsh" "$SRV/missing.sqsh: does not exist" "a missing file"

# The good file itself mounts: the refusals above were about the files.
add_file_image good "$SRV/good.sqsh"
run mm up good
is "$rc" "0" "the good file is mounted ($out)"
mm down good >/dev/null
done_testing
