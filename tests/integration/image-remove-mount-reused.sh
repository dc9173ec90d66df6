#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files judges each mount it enters on the
# way to another image's tree by the mount table it read first; mount
# IDs are reused (lowest free first).  A mount of root's in that table,
# gone since (an image's mount taken down at a user's logout, an
# automount expiring), can hand its ID to a user's FUSE mount made since:
# alice's bindfs showing root as the owner of everything, on her
# directory m that the way to image b's tree runs through.  Judged by
# the ID alone it passed for root's, and the walk looked inside it,
# asking her stopped daemon (review 26: hung with the lock held).  A
# mount entered is also checked against the table as it is now (the fd
# that entered it holds its ID): refused at once.  The window is opened
# by tests/pause-at.la (LD_PRELOAD) at the look at m.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
PAUSE=$top_builddir/tests/.libs/pause-at.so
need_built "$PAUSE"
command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }

setup_accounts
user_fuse allow_other
write_config
W=$T/win
mkdir -m 755 "$W" "$T/srvm" "$T/srvm/m" "$T/asrc" "$T/asrc/sub"
chown alice "$T/srvm/m" "$T/asrc" "$T/asrc/sub"
fixture_tree "$IMAGES/a" a
conf a
conf b "path = $T/srvm/m/sub/b"
mntid() { awk -v p="$1" '$5 == p { print $1 }' /proc/self/mountinfo | tail -n 1; }

# Without the window: her FUSE mount on the way is refused by the table.
bindfs_as alice "$T/asrc" "$T/srvm/m" -o allow_other --force-user=root --force-group=root --perms=go-w
ok $? "alice's bindfs on $T/srvm/m, showing root as the owner"
run timeout 20 "$MELEE_IMAGE" --config "$CONF" remove a --delete-files
is "$rc:$out" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, may hold image 'b''s tree $T/srvm/m/sub/b: it is named through $T/srvm/m (a user's FUSE mount), which root alone does not control, so where it lies cannot be told; its files are not deleted; remove it without --delete-files, or correct image 'b' first" \
	"with her mount in the table: refused"
kill "$BINDFS" && wait_for 10 eval "! grep -qF ' $T/srvm/m ' /proc/self/mountinfo"
ok $? "her bindfs goes"

# With the window: her mount takes the ID of a mount of root's in the
# table read, gone since.  Mount IDs are shared by the whole machine:
# another test's mount may take it first; tried up to 8 times.
for i in $(seq 1 64); do
	mkdir -p "$T/fill$i" && mount -t tmpfs fill "$T/fill$i" && at_exit "umount -l '$T/fill$i' 2>/dev/null"
done
reused=0 try=0 result=""
while [ $reused = 0 ] && [ $try -lt 8 ]; do
	try=$((try + 1))
	rm -f "$W/at" "$W/go"
	mkdir -p "$T/rootmnt" && mount -t tmpfs r "$T/rootmnt"
	n=$(mntid "$T/rootmnt")
	MELEE_PAUSE_NAME=m MELEE_PAUSE_DIR=$W LD_PRELOAD=$PAUSE \
		timeout 20 "$MELEE_IMAGE" --config "$CONF" remove a --delete-files > "$W/out" 2>&1 &
	tool=$!
	PIDS="$PIDS $tool"
	wait_for 10 test -e "$W/at" || { echo "Bail out! remove never came to look at m"; exit 1; }
	umount "$T/rootmnt"
	bindfs_as alice "$T/asrc" "$T/srvm/m" -o allow_other --force-user=root --force-group=root --perms=go-w ||
		{ echo "Bail out! alice's bindfs on m failed"; exit 1; }
	if [ "$(mntid "$T/srvm/m")" = "$n" ]; then
		reused=1
		# Root's look at her root now answered from what the kernel
		# keeps (as root's 755); then her daemon stops.
		stat "$T/srvm/m" > /dev/null
		kill -STOP "$BINDFS"
	fi
	touch "$W/go"
	wait "$tool"
	result="$?:$(cat "$W/out")"
	kill -CONT "$BINDFS"
	kill "$BINDFS" && wait_for 10 eval "! grep -qF ' $T/srvm/m ' /proc/self/mountinfo" ||
		{ echo "Bail out! her bindfs does not go"; exit 1; }
done
echo "# tries: $try"
is "$reused" 1 "her FUSE mount took the ID of root's mount in the table read"
is "$result" "1:melee-image: image 'a': $IMAGES/a, which --delete-files deletes, may hold image 'b''s tree $T/srvm/m/sub/b: it is named through $T/srvm/m (a mount that is not the one the mount table read showed), which root alone does not control, so where it lies cannot be told; its files are not deleted; remove it without --delete-files, or correct image 'b' first" \
	"with her mount carrying that ID: refused at once, not held on her stopped daemon"
ok_cmd "a's tree is there, a and b registered" eval "test -e '$IMAGES/a/marker' && registered a && registered b"
done_testing
