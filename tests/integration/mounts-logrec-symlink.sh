#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The default fstab binds the host's /var/log/wtmp, btmp and lastlog into
# an image read-write (nofail).  An image whose /var/log/wtmp is a symlink
# (to its own /etc/passwd, or anywhere) or whose /var/log is one is
# refused: nofail skips only a missing directory, never a symlink, and
# the host's wtmp is bound over nothing it leads to.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
none_mounted() { ! mounted_below "$IMAGES/$1" >/dev/null; }
line=$(grep -n '^/var/log/wtmp' "$T/etc/fstab" | cut -d: -f1)

add_image lnk
ln -sf ../../etc/passwd "$IMAGES/lnk/var/log/wtmp"
run mm up lnk
is "$rc:$out" "1:melee-mounts: lnk: $IMAGES/lnk/var/log/wtmp: is a symlink (refused: a mountpoint inside an image must not be a symlink, it could point at the host) ($T/etc/fstab:$line)" \
	"an image whose /var/log/wtmp is a symlink is refused"
none_mounted lnk; ok $? "nothing is left mounted in that image"

add_image dirlnk
mkdir -p "$IMAGES/dirlnk/srv/log"
rm -rf "$IMAGES/dirlnk/var/log"
ln -s ../srv/log "$IMAGES/dirlnk/var/log"
run mm up dirlnk
is "$rc:$out" "1:melee-mounts: dirlnk: $IMAGES/dirlnk/var/log: is a symlink (refused: a mountpoint inside an image must not be a symlink, it could point at the host) ($T/etc/fstab:$line)" \
	"an image whose /var/log is a symlink is refused, not skipped as missing (nofail)"
none_mounted dirlnk; ok $? "nothing is left mounted in that image"
is "$(ls -A "$IMAGES/dirlnk/srv/log")" "" "no mountpoint file was created where the symlink leads"
done_testing
