#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A FIFO, a device node (a copy of /dev/null) or a directory planted as
# melee.conf, images.d/IMAGE.conf, users.conf, the fstab or a user's
# ~/.config/melee/image is refused at once, named with "not a regular
# file", and never opened: a FIFO used to block every lookup (getent
# through the real NSS module, melee, melee-mounts) until someone wrote
# to it.  Every command runs under `timeout 10`: 124 is a hang.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"

melee_setup "aliases = dm"
printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\nhosts: files\n' > "$T/work/nsswitch.conf"
mount --bind "$T/work/nsswitch.conf" /etc/nsswitch.conf
export LD_LIBRARY_PATH=$top_builddir/nss_melee/.libs
cd /tmp || exit 1

# plant KIND PATH: PATH replaced by a FIFO, a character device or a
# directory (the original kept in PATH.saved; `restore PATH` puts it back).
plant() {
	[ -e "$2" ] && mv "$2" "$2.saved"
	case $1 in
	FIFO) mkfifo -m 644 "$2" ;;
	"character device") mknod -m 644 "$2" c 1 3 ;;
	directory) mkdir -m 755 "$2" ;;
	esac
}
restore() { rm -rf "$1"; [ -e "$1.saved" ] && mv "$1.saved" "$1"; return 0; }
t10() { run timeout 10 "$@"; }
t10_alice() { run as alice timeout 10 "$@"; }
mm10() { t10 "$MELEE_MOUNTS" --config "$CONF" "$@"; }

for kind in FIFO "character device" directory; do
	plant "$kind" "$CONF"
	t10 getent passwd alice+demo
	is "$rc" "2" "melee.conf a $kind: getent passwd alice+demo answers at once, not found (124 is a hang)"
	t10_alice "$MELEE" demo true
	like "$rc:$out" "^[1-9][0-9]*:melee: /etc/melee/melee.conf: not a regular file \(refused: it is a $kind\)" "melee.conf a $kind: melee demo refuses at once, naming the file"
	mm10 check
	is "$rc:$out" "2:$CONF: FAIL: not a regular file (refused: it is a $kind)" "melee.conf a $kind: melee-mounts check refuses at once"
	mm10 up demo
	like "$rc:$out" "^[1-9][0-9]*:.*$CONF: not a regular file" "melee.conf a $kind: melee-mounts up refuses at once"
	restore "$CONF"

	plant "$kind" "$T/etc/images.d/demo.conf"
	t10 getent passwd alice+demo
	is "$rc" "2" "images.d/demo.conf a $kind: getent passwd alice+demo answers at once"
	t10_alice "$MELEE" demo true
	like "$rc:$out" "^[1-9][0-9]*:melee: /etc/melee/images.d/demo.conf: not a regular file \(refused: it is a $kind\)" "images.d/demo.conf a $kind: melee demo refuses, naming it"
	mm10 check
	like "$rc:$out" "^[1-9][0-9]*:.*images.d/demo.conf: not a regular file" "images.d/demo.conf a $kind: melee-mounts check refuses"
	restore "$T/etc/images.d/demo.conf"

	plant "$kind" "$T/etc/users.conf"
	t10 getent passwd alice+dm
	is "$rc" "2" "users.conf a $kind: getent passwd alice+dm (an alias: the whole configuration) answers at once"
	t10_alice "$MELEE" --list
	like "$rc:$out" "^[1-9][0-9]*:melee: /etc/melee/users.conf: not a regular file \(refused: it is a $kind\)" "users.conf a $kind: melee --list refuses, naming it"
	mm10 check
	like "$rc:$out" "^[1-9][0-9]*:.*users.conf: not a regular file" "users.conf a $kind: melee-mounts check refuses"
	restore "$T/etc/users.conf"

	plant "$kind" "$T/etc/fstab"
	mm10 up demo
	like "$rc:$out" "^[1-9][0-9]*:.*$T/etc/fstab: not a regular file \(refused: it is a $kind\)" "the fstab a $kind: melee-mounts up refuses at once"
	restore "$T/etc/fstab"

	mkdir -p /home/alice/.config/melee; chown -R alice:alice /home/alice/.config
	plant "$kind" /home/alice/.config/melee/image
	chown alice:alice /home/alice/.config/melee/image
	t10_alice "$MELEE" --show-default
	is "$rc:$out" "0:host (nothing chosen)
note: ~/.config/melee/image is not a regular file (it is a $kind): ignored" "~/.config/melee/image a $kind: --show-default ignores it at once and says why"
	restore /home/alice/.config/melee/image
done

# Never opened, not even without blocking: a writer waiting on the FIFO
# (open for writing blocks until someone opens it for reading) stays
# blocked through every lookup.
plant FIFO "$CONF"
(exec 3>"$CONF"; echo opened > "$T/work/writer") &
writer=$!
PIDS="$PIDS $writer"
t10 getent passwd alice+demo
mm10 check
t10_alice "$MELEE" demo true
sleep 0.2
ok "$([ ! -e "$T/work/writer" ]; echo $?)" "melee.conf a FIFO with a writer waiting: getent, check and melee never opened it"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
restore "$CONF"

t10 getent passwd alice+demo
is "$rc:$out" "0:alice+demo:x:1501:1501:Alice:/home/alice:/bin/sh" "restored: alice+demo resolves again"
mm10 check
is "$rc" "0" "and check passes"
done_testing
