#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real trixie image (minbase, cached) packed by melee-image pack and
# used as a file image: its own os-release, glibc and apt through melee,
# a setuid program that still works inside (not nosuid), and down leaves
# no loop device.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/squash-lib.sh"
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
image_ready trixie trixie
echo "melee-squash:trixie" > "$IMAGES/trixie/marker"
# Packed by melee-image pack, as a site makes its files.
run mi pack trixie "$SRV/trixie.sqsh"
is "$rc" 0 "melee-image pack trixie writes the file ($out)"
add_file_image tsq "$SRV/trixie.sqsh"
add_file_image tsqw "$SRV/trixie.sqsh" "writable = tmpfs:256M"
ok_cmd "melee-mounts check tsq tsqw" mm check tsq tsqw
ok_cmd "melee-mounts up tsq tsqw" mm up tsq tsqw
install_melee
cd /home/alice

run as alice "$MELEE" tsq cat /marker
is "$rc:$out" "0:melee-squash:trixie" "melee tsq cat /marker"
like "$(as alice "$MELEE" tsq cat /etc/os-release)" "VERSION_CODENAME=trixie" "trixie's os-release"
like "$(as alice "$MELEE" tsq ldd --version | head -1)" "GLIBC 2\.4[0-9]" "trixie's own glibc"
like "$(as alice "$MELEE" tsq apt-get --version | head -1)" "^apt 3\." "trixie's apt 3"
is "$(stat -c '%a %U' "$IMAGES/tsq/usr/bin/su")" "4755 root" "su is setuid root in the file image"
# sg to a supplementary group (physics, alice's on the host and so in
# the merged group file) needs no password, but setgid to it needs root:
# it works only when the setuid bit of sg does.
run as alice "$MELEE" tsq sg physics -c 'id -gn'
is "$rc:$out" "0:physics" "a setuid program works inside: the squashfs is not nosuid"
run as alice "$MELEE" tsqw sg physics -c 'id -gn'
is "$rc:$out" "0:physics" "and through the overlay of writable = tmpfs"
echo "root wrote this" > "$IMAGES/tsqw/etc/motd"
is "$(as alice "$MELEE" tsqw cat /etc/motd)" "root wrote this" "the writable layer over the real image"
ok_cmd "melee-mounts down tsq tsqw" mm down tsq tsqw
wait_for 5 no_loops_of "$SRV/trixie.sqsh"
ok $? "no loop device left"
done_testing
