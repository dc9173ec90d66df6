#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack never packs a host file chosen by someone else: a user
# who swaps her file in the image's /var/tmp for a symlink to a host
# secret (a root-only file, /etc/shadow) at the moment the packer has read
# the directory gets no host content into the file (what others than
# root can write is left out); and even a swap in a directory only root
# can write, timed on mksquashfs's own read, resolves in the packer's
# root of its own, where the host's files do not exist.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
add_image bb
mkdir -m 755 "$T/files" "$T/private"
SWAP=$T/work/swap-on-read
need_built "$top_builddir/tests/swap-on-read"
install -m 755 "$top_builddir/tests/swap-on-read" "$SWAP"
# The host's secrets: a root-only file, and this namespace's /etc/shadow
# with a line of its own.
secret="host-secret-$$-$RANDOM"
printf '%s\n' "$secret" > "$T/private/key"
chmod 700 "$T/private"; chmod 600 "$T/private/key"
shadow_line="melee-swap-$$:\$6\$not-a-real-hash:19000:0:99999:7:::"
{ cat /etc/shadow; printf '%s\n' "$shadow_line"; } > "$T/work/shadow"
chmod 640 "$T/work/shadow"
mount --bind "$T/work/shadow" /etc/shadow
grep -qF "$shadow_line" /etc/shadow; ok $? "this namespace's /etc/shadow holds our line"

# host_content FILE: the secrets found anywhere in the packed FILE (every
# file extracted), or nothing.
host_content() {
	rm -rf "$T/work/x"
	unsquashfs -q -n -d "$T/work/x" "$1" > /dev/null 2>&1 || echo "cannot unpack $1"
	grep -rlaF -e "$secret" -e "${shadow_line%%:*}" "$T/work/x"
}

# attack UID DIR NAME TARGET FILE [--by COMM]: swap-on-read as WHO on
# DIR/NAME, then pack bb into FILE; pack's output and status in $out and
# $rc, the attacker's report in $swapped.
attack() {
	local who=$1 dir=$2 name=$3 target=$4 file=$5 pid
	shift 5
	# setpriv execs the attacker: $! is its pid, to stop it by.
	setpriv --reuid="$who" --regid="$who" --clear-groups \
		"$SWAP" "$@" "$dir" "$name" "$target" 30 > "$T/work/swap.out" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for 10 grep -q '^ready$' "$T/work/swap.out" || echo "# the attacker never got ready: $(cat "$T/work/swap.out")"
	run mi pack bb "$file"
	# Once the pack is done there is nothing more to read.
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	swapped=$(tail -1 "$T/work/swap.out")
	echo "# attacker: $swapped"
}

# 1. Alice's file in the image's /var/tmp (1777), swapped by her.
for target in "$T/private/key" /etc/shadow; do
	f=$T/files/user-$(basename "$target").sqsh
	printf '%s\n' "alice's notes, as long as a secret line might be" > "$IMAGES/bb/var/tmp/notes"
	chown 1501:1501 "$IMAGES/bb/var/tmp/notes"
	attack 1501 "$IMAGES/bb/var/tmp" notes "$target" "$f"
	is "$rc" 0 "pack succeeds while alice swaps var/tmp/notes for a symlink to $target"
	like "$out" "^melee-image: bb: left out what is in /var/tmp \(owner 0, mode 1777\)" "the output says var/tmp's contents were left out"
	is "$(host_content "$f")" "" "nothing of $target is in the file"
	is "$(unsquashfs -lln "$f" | awk '$6 ~ /^squashfs-root\/var\/tmp/ { print $1, $2, $6 }')" \
		"drwxrwxrwt 0/0 squashfs-root/var/tmp" "var/tmp is packed empty, root's, mode 1777"
	rm -f "$IMAGES/bb/var/tmp/notes" "$IMAGES"/bb/var/tmp/.swap.*
done

# 2. A swap that only root could make, in root's /opt/data, timed on
# mksquashfs's read: the symlink resolves in the packer's own root, where
# nothing is found, and the pack fails.
mkdir -m 755 "$IMAGES/bb/opt" "$IMAGES/bb/opt/data" "$IMAGES/bb/opt/big"
# Something for mksquashfs to compress after its scan, so that it still
# runs when the attacker looks up who read the directory.
head -c 16M /dev/urandom > "$IMAGES/bb/opt/big/noise"
for target in "$T/private/key" /etc/shadow ../../../../../../../../etc/shadow; do
	f=$T/files/root-$(basename "$target").sqsh
	printf '%s\n' "root's own configuration line" > "$IMAGES/bb/opt/data/config"
	attack 0 "$IMAGES/bb/opt/data" config "$target" "$f" --by mksquashfs
	is "$swapped" "swapped" "the swap to $target met mksquashfs's read of opt/data"
	# mksquashfs runs with -exit-on-error: what it scanned and then could
	# not read (the symlink leads nowhere in its root, or the swap's
	# temporary name is gone) fails the pack rather than packing it empty.
	is "$rc" 1 "pack fails: mksquashfs could not read what it scanned"
	like "$out" "^melee-image: pack: mksquashfs failed; .* was not changed$" "and says mksquashfs failed"
	ok "$([ ! -e "$f" ]; echo $?)" "no file is written"
	is "$([ ! -e "$f" ] || host_content "$f")" "" "nothing of $target is in a file"
	rm -f "$IMAGES/bb/opt/data/config" "$IMAGES"/bb/opt/data/.swap.*
done
done_testing
