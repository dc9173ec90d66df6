#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts down cannot be redirected out of the image: a user's mount
# inside the image's /home whose parent directory now leads elsewhere (a
# cover mounted over it with a symlink in place of the directory, the
# state a swap between reading the mount table and unmounting leaves) is
# left alone with a warning, plain and --lazy; a host mount the symlink
# points at stays mounted; a path that leads to another mount than the
# table's is left alone too; a normal down then unmounts everything.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
setup_home
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null || { echo "Bail out! up failed"; exit 1; }
# The host mount that a redirected down would hit.
mkdir -p "$T/hostside/victim"
mount -t tmpfs host-victim "$T/hostside/victim"
outside() { cut -d' ' -f1,5 /proc/self/mountinfo | awk -v p="$I" '$2 != p && index($2, p "/") != 1' | sort; }
outside_before=$(outside)
X=$I/home/alice/x

# plant symlink|decoy: the user's mount 'inner' on $X/fs/victim sits
# under a cover over $X, in which fs is a symlink to the host's
# $T/hostside (or a directory with a mount 'decoy' on fs/victim).  inner
# is made last (through an fd opened before the cover), so that down
# meets it first, with the cover still in place.
plant() {
	mkdir -p "$X/fs/victim"
	exec 9< "$X/fs/victim"
	mount -t tmpfs cover "$X"
	if [ "$1" = symlink ]; then
		ln -s "$T/hostside" "$X/fs"
	else
		mkdir -p "$X/fs/victim"
		mount -t tmpfs decoy "$X/fs/victim"
	fi
	mount --no-canonicalize -t tmpfs inner /proc/self/fd/9
	exec 9<&-
	is "$(awk -v p="$X/fs/victim" '$5 == p { print $(NF-1) }' /proc/self/mountinfo | sort | tr '\n' ' ')" \
		"$([ "$1" = decoy ] && echo "decoy ")inner " "$1: the table shows the user's mount inner at $X/fs/victim"
}
host_intact() {
	is "$(awk -v p="$T/hostside/victim" '$5 == p { print $(NF-1) }' /proc/self/mountinfo)" "host-victim" \
		"$1: the host mount the symlink leads to is still mounted"
	is "$(outside)" "$outside_before" "$1: no mount outside the image was touched"
}
# clean_down: a normal down after the cover has gone unmounts everything.
clean_down() {
	run mm down demo
	like "$rc:$out" "^0:demo: unmounted [0-9]+$" "$1: then a normal down unmounts the rest"
	is "$(mounted_below "$I" | wc -l)" "0" "$1: nothing is left mounted in the image"
	rm -rf /home/alice/x
	mm up demo >/dev/null
}

plant symlink
run mm --lazy down demo
is "$rc" "1" "--lazy down with a symlinked parent exits 1"
like "$out" "^melee-mounts: demo: left mounted: $X/fs/victim: a directory on the way is a symlink or leads out of $I \(refused\)$" \
	"--lazy: the redirected mount is skipped with a warning naming it"
host_intact "--lazy"
is "$(mounted_below "$I" | wc -l)" "0" \
	"--lazy: the user's mount went with the image's /home it sits in, as a detach does"
rm -rf /home/alice/x
mm up demo >/dev/null

plant symlink
run mm down demo
is "$rc" "1" "down with a symlinked parent exits 1"
like "$out" "^melee-mounts: demo: left mounted: $X/fs/victim: a directory on the way is a symlink or leads out of $I \(refused\)$" \
	"down: the redirected mount is skipped with a warning naming it"
host_intact "down"
clean_down "down"

plant decoy
run mm down demo
is "$rc" "1" "down where the path leads to another mount exits 1"
like "$out" "^melee-mounts: demo: left mounted: $X/fs/victim: the path now leads to mount [0-9]+, not to mount [0-9]+ of the mount table \(a directory was replaced\?\): left alone$" \
	"the mount id check: the table's mount is left, with a warning"
is "$(awk -v p="$X/fs/victim" '$5 == p { print $(NF-1) }' /proc/self/mountinfo)" "inner" \
	"the mount the table named is still there; the decoy (inside the image) went in its own turn"
host_intact "decoy"
clean_down "decoy"

run mm down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "a normal down unmounts everything"
is "$(mounted_below "$I" | wc -l)" "0" "and nothing is left in the image"
is "$(outside)" "$outside_before" "and nothing outside it was touched"
done_testing
