#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts down cannot be redirected out of the image: a user's mount
# inside the image's /home whose parent directory now leads elsewhere (a
# cover mounted over it with a symlink in place of the directory, the
# state a swap between reading the mount table and unmounting leaves) is
# not reached through the symlink, plain and --lazy: a host mount the
# symlink points at stays mounted, and nothing outside the image is
# touched.  Nor is a path that leads to another mount than the table's
# (a decoy) taken for it.  down reads the table again while a mount was
# not where it said (mounts-down.c down_rounds): once the cover has gone
# with the image's /home, the user's mount is reached at its own place,
# and the image ends down.
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

# down_checks WHAT: down took the image down, and nothing else.
down_checks() {
	like "$rc:$out" "^0:demo: unmounted [0-9]+$" "$1: down exits 0 and says what it unmounted"
	unlike "$out" "left mounted" "$1: no mount is left"
	is "$(mounted_below "$I" | wc -l)" "0" "$1: nothing is left mounted in the image"
	host_intact "$1"
	rm -rf /home/alice/x
	mm up demo >/dev/null
}

plant symlink
run mm --lazy down demo
down_checks "--lazy, a symlinked parent"

plant symlink
run mm down demo
down_checks "a symlinked parent"

plant decoy
run mm down demo
down_checks "a decoy mount where the table's was"
done_testing
