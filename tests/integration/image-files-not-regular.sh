#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root reads a few files from inside an image: etc/passwd and etc/group
# (the account merge of up and check), /bin/sh (check, import), and
# etc/os-release (import, pack).  Whoever controls the image's tree can
# make them a FIFO, a device node or a directory: each is refused
# without being opened, with a message naming it and "not a regular
# file" (or, for a directory where up binds a file, by that bind's own
# check), and nothing hangs (every command runs under `timeout`; 124 is a
# hang).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files" "$T/site"
t10() { run timeout 10 "$@"; }
mm10() { t10 "$MELEE_MOUNTS" --config "$CONF" "$@"; }
mi60() { run timeout 60 "$MELEE_IMAGE" --config "$CONF" "$@"; }
# plant KIND PATH: PATH (inside an image) replaced by a FIFO, a character
# device (a copy of /dev/null) or a directory; restore PATH undoes it.
plant() {
	mv "$2" "$2.saved"
	case $1 in
	FIFO) mkfifo -m 644 "$2" ;;
	"character device") mknod -m 644 "$2" c 1 3 ;;
	directory) mkdir -m 755 "$2" ;;
	esac
}
restore() { rm -rf "$1"; mv "$1.saved" "$1"; }

n=0
for kind in FIFO "character device" directory; do
	n=$((n + 1))
	for f in passwd group; do
		plant "$kind" "$IMAGES/bb/etc/$f"
		mm10 up bb
		if [ "$kind" = directory ]; then # the bind's own check sees it first
			is "$rc:$out" "1:melee-mounts: bb: $IMAGES/bb/etc/$f: is a directory (the source is a file) (accounts = merge)" "etc/$f a $kind: up refuses at once, naming it"
		else
			is "$rc:$out" "1:melee-mounts: bb: image's /etc/$f: not a regular file (refused: it is a $kind)" "etc/$f a $kind: up refuses at once, naming it"
		fi
		mm10 check bb
		is "$rc" "1" "etc/$f a $kind: check fails at once"
		like "$out" "^bb: FAIL: accounts = merge: image's /etc/$f: not a regular file \(refused: it is a $kind\)$" "and says why"
		restore "$IMAGES/bb/etc/$f"
	done

	plant "$kind" "$IMAGES/bb/bin/sh"
	mm10 check bb
	is "$rc" "1" "/bin/sh a $kind: check fails at once"
	like "$out" "^bb: FAIL: $IMAGES/bb/bin/sh: not a regular file \(refused: it is a $kind\)$" "and names it"
	"$top_srcdir/tests/make-fixture-image" "$T/site/sh$n" "sh$n" >/dev/null
	plant "$kind" "$T/site/sh$n/bin/sh"
	mi60 --no-up --trusted import "sh$n" "$T/site/sh$n"
	is "$rc:$out" "1:melee-image: $T/site/sh$n/bin/sh is missing or not an ELF executable: not an image" "/bin/sh a $kind: import says it is no image, at once"
	restore "$IMAGES/bb/bin/sh"

	"$top_srcdir/tests/make-fixture-image" "$T/site/os$n" "os$n" >/dev/null
	plant "$kind" "$T/site/os$n/etc/os-release"
	mi60 --no-up --trusted import "os$n" "$T/site/os$n"
	is "$rc:$(printf '%s\n' "$out" | tail -n 1)" "0:melee-image: os$n: registered in $T/etc/images.d/os$n.conf (os$n)" "etc/os-release a $kind: import registers at once, described by its name"

	plant "$kind" "$IMAGES/bb/etc/os-release"
	mi60 pack bb "$T/files/bb$n.sqsh"
	unlike "$rc" "^124$" "etc/os-release a $kind: pack does not hang on it (exit $rc)"
	restore "$IMAGES/bb/etc/os-release"
done

# etc/passwd a symlink into a mount the image shares with the host (its
# /tmp and /home are binds of the host's, which users write; here a bind
# of the test's own at /shared): the merge does not follow it out of the
# image's own files (a planted uid-0 line would become a login).
mkdir -m 755 "$T/shared" "$IMAGES/bb/shared"
printf 'root:x:0:0:root:/root:/bin/sh\nplanted:x:0:0::/:/bin/sh\n' > "$T/shared/passwd"
mount --bind "$T/shared" "$IMAGES/bb/shared"
mv "$IMAGES/bb/etc/passwd" "$IMAGES/bb/etc/passwd.saved"
ln -s /shared/passwd "$IMAGES/bb/etc/passwd"
mm10 up bb
like "$rc:$out" "^1:melee-mounts: bb: $IMAGES/bb/etc/passwd: is a symlink \(refused" "etc/passwd a symlink into a shared mount: up refuses it"
ok "$(! grep -rqs '^planted:' /run/melee/bb; echo $?)" "and the planted line is in no merged passwd"
mm10 down bb >/dev/null
umount "$IMAGES/bb/shared"
rm "$IMAGES/bb/etc/passwd"
mv "$IMAGES/bb/etc/passwd.saved" "$IMAGES/bb/etc/passwd"

mi60 list
like "$rc:$out" "^0:NAME" "list answers"
mm10 up bb
is "$rc" "0" "restored: up works"
mm10 check bb
is "$rc" "0" "and check passes"
mm10 down bb >/dev/null
done_testing
