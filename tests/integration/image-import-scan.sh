#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import lists what makes an image root-equivalent content
# (setuid and setgid files, device nodes, files not owned by root, writable
# directories without the sticky bit) and refuses it unless --trusted; a
# tarball must be root's, unwritable by others, in a directory only root
# can write.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
mkdir -p "$T/site"; chmod 755 "$T/site"
mkfix() { "$top_srcdir/tests/make-fixture-image" "$1" "$2" >/dev/null; }
line() { printf '%s\n' "$1" | grep -F -- "$2"; }

# A tree with one of each, next to what is fine: /tmp 1777, a user's
# symlink, a plain setgid directory that nobody else can write.
mkfix "$T/site/bad" bad
b=$T/site/bad
cp "$b/bin/busybox" "$b/bin/rootsh"; chmod 4755 "$b/bin/rootsh"
cp "$b/bin/busybox" "$b/bin/shadowsh"; chgrp 42 "$b/bin/shadowsh"; chmod 2755 "$b/bin/shadowsh"
cp "$b/bin/busybox" "$b/bin/alicesh"; chown 1501 "$b/bin/alicesh"; chmod 4755 "$b/bin/alicesh"
mknod "$b/dev/sda" b 8 0
mknod "$b/dev/mem" c 1 1
chown 1501 "$b/etc"
mkdir -m 775 "$b/srv"
mkdir -m 777 "$b/drop"
touch "$b/etc/motd"; chmod 666 "$b/etc/motd"
mkdir -m 2755 "$b/var/local"
ln -s /etc/passwd "$b/home/link"; chown -h 1501 "$b/home/link"

run mi --no-up import bad "$b"
is "$rc" "1" "import DIR with setuid files, devices and a user's /etc: refused (exit 1)"
is "$(printf '%s\n' "$out" | grep '^melee-image: bad: /' | sort)" "melee-image: bad: /bin/alicesh: setuid uid 1501, owned by uid 1501
melee-image: bad: /bin/rootsh: setuid root
melee-image: bad: /bin/shadowsh: setgid gid 42
melee-image: bad: /dev/mem: character device 1:1
melee-image: bad: /dev/sda: block device 8:0
melee-image: bad: /drop: world-writable directory without the sticky bit (mode 0777)
melee-image: bad: /etc/motd: world-writable (mode 0666)
melee-image: bad: /etc: owned by uid 1501
melee-image: bad: /srv: group-writable directory without the sticky bit (mode 0775)" "the listing: one line per path and what was found (not /tmp, /var/local or a symlink)"
is "$(printf '%s\n' "$out" | tail -1)" "melee-image: bad: refused: the 9 paths listed above make this image root-equivalent (setuid files run as root on this host); give --trusted if you trust its source like the host's /usr" "the refusal says why and what to do"
ok "$(test ! -e "$T/etc/images.d/bad.conf"; echo $?)" "nothing registered"

run mi --no-up --trusted import bad "$b"
is "$rc" "0" "import --trusted of the same tree succeeds"
like "$out" "^melee-image: bad: 9 paths above; imported as --trusted$" "with the listing shown"
ok "$(test -e "$T/etc/images.d/bad.conf"; echo $?)" "and registers it"

# The fixture has nothing to list: imported without --trusted.
mkfix "$T/site/clean" clean
run mi --no-up import clean "$T/site/clean"
is "$rc:$out" "0:melee-image: clean: registered in $T/etc/images.d/clean.conf (MELEE fixture image (clean, busybox))" "a tree without any of these imports without --trusted"

# A tarball anyone could build (tar --owner=0): setuid root and a device
# node survive unpacking, so it is refused and removed.
tar -C "$b" --numeric-owner -cpf "$T/work/bad.tar" .
run mi --no-up import tarbad "$T/work/bad.tar"
is "$rc" "1" "import TARBALL with setuid root files: refused"
like "$(line "$out" /bin/rootsh)" "^melee-image: tarbad: /bin/rootsh: setuid root$" "the unpacked setuid root file is listed"
like "$out" "removed the partial tree $IMAGES/.tarbad.partial; nothing was registered" "the unpacked tree is removed"
ok "$(test ! -e "$IMAGES/.tarbad.partial" && test ! -e "$IMAGES/tarbad" && test ! -e "$T/etc/images.d/tarbad.conf"; echo $?)" "no tree, no registration"
run mi --no-up --trusted import tarbad "$T/work/bad.tar"
is "$rc:$(stat -c '%U %a' "$IMAGES/tarbad/bin/rootsh")" "0:root 4755" "import --trusted keeps the archive's setuid bit"

# The tarball itself: root's, only root may write it, in a directory
# only root can write.
tar -C "$T/site/clean" --numeric-owner -cpf "$T/work/clean.tar" .
cp "$T/work/clean.tar" "$T/work/alice.tar"; chown 1501 "$T/work/alice.tar"
run mi --no-up import t1 "$T/work/alice.tar"
is "$rc:$out" "1:melee-image: import: $T/work/alice.tar: refused, owned by uid 1501 with mode 0644 (expected a root-owned file that only root can write)" "a tarball owned by a user is refused"
cp "$T/work/clean.tar" "$T/work/gw.tar"; chmod 664 "$T/work/gw.tar"
run mi --no-up import t2 "$T/work/gw.tar"
is "$rc:$out" "1:melee-image: import: $T/work/gw.tar: refused, owned by uid 0 with mode 0664 (expected a root-owned file that only root can write)" "a group-writable tarball is refused"
mkdir -m 1777 "$T/work/pub"; cp "$T/work/clean.tar" "$T/work/pub/clean.tar"
run mi --no-up import t3 "$T/work/pub/clean.tar"
is "$rc:$out" "1:melee-image: import: $T/work/pub/clean.tar: refused, its directory is not safe: $T/work/pub: group- or world-writable (mode 1777), refused" "a tarball in a directory others can write is refused"
ln -s "$T/work/clean.tar" "$T/work/link.tar"
run mi --no-up import t4 "$T/work/link.tar"
is "$rc:$out" "1:melee-image: import: $T/work/link.tar: Too many levels of symbolic links" "a symlink to a tarball is refused"
is "$(ls "$T/etc/images.d" "$IMAGES" | grep -E '^\.?t[1-4](\.conf|\.partial)?$')" "" "none of them registered or unpacked"
run mi --no-up import t5 "$T/work/clean.tar"
is "$rc" "0" "a root-owned tarball in a root-only directory imports"

# File capabilities give what setuid root gives: listed and refused
# alike, in a tree and in a tarball that carries them (tar --xattrs).
mkfix "$T/site/caps" caps
cp "$T/site/caps/bin/busybox" "$T/site/caps/bin/ping"
setcap cap_net_raw,cap_setuid+ep "$T/site/caps/bin/ping"
run mi --no-up import caps "$T/site/caps"
is "$rc" "1" "import DIR with a file that has capabilities: refused"
is "$(line "$out" /bin/ping)" "melee-image: caps: /bin/ping: file capabilities" "the file is listed as having file capabilities"
like "$out" "makes this image root-equivalent" "the refusal says why"
run mi --no-up --trusted import caps "$T/site/caps"
is "$rc" "0" "import --trusted of the same tree succeeds"

# A real Debian image: its setuid su and /dev nodes are listed, and it is
# refused without --trusted (the tests import theirs --trusted).
image_ready bullseye bullseye
run mi --no-up import deb "$IMAGE_CACHE/bullseye-$(dpkg --print-architecture)-minbase.tar"
is "$rc" "1" "a real Debian tarball without --trusted: refused"
like "$(line "$out" /usr/bin/su:)" "^melee-image: deb: /usr/bin/su: setuid root$" "its setuid su is listed"
like "$(line "$out" /dev/null:)" "^melee-image: deb: /dev/null: character device 1:3$" "its /dev/null is listed"
ok "$(test ! -e "$IMAGES/deb" && test ! -e "$IMAGES/.deb.partial"; echo $?)" "and removed"
done_testing
