#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack on the real bullseye image (debootstrap minbase, from
# the test cache) while it is up: the file holds bullseye's own files
# with their owners and modes (setuid su, root's /etc/shadow), none of
# the mounts' content (/proc, /dev, /sys, /run, alice's home, /tmp, the
# merged passwd); it is root's, 0600.  Interrupted (SIGTERM) while
# mksquashfs runs, it leaves the old file as it was and no temporary file.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
image_ready bullseye bullseye
ok_cmd "melee-mounts up bullseye" mm up bullseye
echo "alice's own" > /home/alice/secret-of-alice
echo "host tmp" > /tmp/host-tmp-marker
test -e "$IMAGES/bullseye/home/alice/secret-of-alice" && test -e "$IMAGES/bullseye/proc/self/status"
ok $? "the image is up: /home and /proc are mounted in it"
mkdir -m 755 "$T/files"

run mi pack bullseye "$T/files/bullseye.sqsh"
is "$rc" 0 "pack bullseye FILE succeeds"
like "$out" "^melee-image: bullseye: wrote $T/files/bullseye.sqsh \([0-9.]+M, zstd\)$" "and shows the size it wrote"
is "$(stat -c '%a %u %g' "$T/files/bullseye.sqsh")" "600 0 0" "the file is root's, mode 0600"
unsquashfs -lln "$T/files/bullseye.sqsh" > "$T/work/list"
unsquashfs -l "$T/files/bullseye.sqsh" | sed -n 's|^squashfs-root/|/|p' | sort > "$T/work/paths"
# The tree as it is below its mounts: a non-recursive bind shows the
# image's own files, also those the /dev and /run binds cover.
mkdir "$T/flat"
mount --bind "$IMAGES/bullseye" "$T/flat"
(cd "$T/flat" && find . -mindepth 1 | sed 's|^\.||' | sort) > "$T/work/tree"
umount "$T/flat"
is "$(unsquashfs -cat "$T/files/bullseye.sqsh" etc/debian_version | cut -d. -f1)" "11" "etc/debian_version is bullseye's (11)"
grep -qx /usr/bin/apt-get "$T/work/paths"; ok $? "usr/bin/apt-get is in it"
is "$(awk '$NF == "squashfs-root/usr/bin/su" { print $1, $2 }' "$T/work/list")" "-rwsr-xr-x 0/0" "su keeps its setuid bit and root owner"
is "$(awk '$NF == "squashfs-root/etc/shadow" { print $1, $2 }' "$T/work/list")" "$(stat -c '%A %u/%g' "$IMAGES/bullseye/etc/shadow")" "etc/shadow keeps its mode and owner"
is "$(diff "$T/work/tree" "$T/work/paths")" "" "exactly the tree's own entries (those of a non-recursive bind of it)"
paths=$(cat "$T/work/paths")
unlike "$paths" "^/(proc|sys|home|tmp)/." "nothing below /proc, /sys, /home, /tmp"
unlike "$paths" "^/dev/(pts/[0-9]|shm/.|mqueue)|^/run/melee" "nothing of the host's /dev or /run"
unlike "$paths" "secret-of-alice|host-tmp-marker" "neither alice's file nor the host's /tmp file"
unsquashfs -cat "$T/files/bullseye.sqsh" etc/passwd | grep -q '^alice:'
ok $((! $?)) "etc/passwd is bullseye's own, not the merged bind (no alice)"

# Interrupted while mksquashfs writes: the old file stays, no temp file.
old=$(sha256sum < "$T/files/bullseye.sqsh")
"$MELEE_IMAGE" --config "$CONF" pack bullseye "$T/files/bullseye.sqsh" --compression xz > "$T/work/int.out" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
# The new file has no name until it is whole: the pack's fd into $T/files.
tmp_growing() {
	local fd
	for fd in /proc/"$pid"/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in
		"$T/files/"*) [ "$(stat -L -c %s "$fd")" -gt 1024 ] && return 0 ;;
		esac
	done
	return 1
}
wait_for 120 tmp_growing; ok $? "the second pack writes its new file"
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "melee-image exits 1 on SIGTERM"
like "$(cat "$T/work/int.out")" "^melee-image: pack: interrupted; $T/files/bullseye.sqsh was not changed$" "and says that FILE was not changed"
is "$(sha256sum < "$T/files/bullseye.sqsh")" "$old" "the old FILE is untouched"
is "$(ls -A "$T/files")" "bullseye.sqsh" "no temporary file is left"

# Killed outright (SIGKILL, no handler runs): the lock is released at
# once, so mksquashfs must not go on writing after its parent.
"$MELEE_IMAGE" --config "$CONF" pack bullseye "$T/files/bullseye.sqsh" --compression xz > "$T/work/kill.out" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_for 120 tmp_growing; ok $? "a third pack writes its new file"
packer=$(pgrep -P "$pid" -x mksquashfs)
like "$packer" "^[0-9]+$" "its mksquashfs runs (pid $packer)"
kill -KILL "$pid"
wait "$pid"
gone() { ! kill -0 "$packer" 2>/dev/null; }
wait_for 5 gone
ok $? "melee-image killed with SIGKILL: its mksquashfs is gone within 5 s"
is "$(sha256sum < "$T/files/bullseye.sqsh")" "$old" "the old FILE is untouched"
is "$(ls -A "$T/files")" "bullseye.sqsh" "and no temporary file is left"
done_testing
