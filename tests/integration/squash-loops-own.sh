#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A test counts only its own loop devices (squash-lib.sh's loops_of):
# another test running at the same time has its own tmpfs at the same
# $T, and once had its image file at the very same path (squash-ssh saw
# slurm-two-nodes' loop device: 3 instead of 1).  Here another mount
# namespace plays that test: a loop device on a file at this test's path,
# on a tmpfs of its own.  melee-mounts up and down leave it alone too.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash own "$SRV/own.sqsh"
add_file_image own "$SRV/own.sqsh"

# (It stays while this test counts: the path of a loop device's file on
# a file system no longer mounted anywhere is another.)
unshare -m --propagation private sh -euc '
	mount -t tmpfs -o mode=755 other-test "$1"
	mkdir -p "$2"
	truncate -s 1M "$2/own.sqsh"
	losetup --find --show "$2/own.sqsh"
	exec sleep infinity' sh "$T" "$SRV" > "$T/work/other" &
PIDS="$PIDS $!"
wait_for 10 test -s "$T/work/other"
other=$(cat "$T/work/other" 2>/dev/null)
like "$other" "^/dev/loop[0-9]+$" "another namespace has a loop device on its own $SRV/own.sqsh"
at_exit "losetup -d '$other' 2>/dev/null"
is "$(losetup --list --noheadings --output BACK-FILE "$other")" "$SRV/own.sqsh" "its backing file has this test's path"

is "$(loops_of "$SRV/own.sqsh")" "" "before up: none of this test's own"
run mm up own
is "$rc" 0 "up of the file image"
loop=$(awk -v p="$IMAGES/own" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 2); break } }' /proc/self/mountinfo)
is "$(loops_of "$SRV/own.sqsh" | wc -l)" 1 "after up: one loop device, the other test's not counted"
is "/dev/$(loops_of "$SRV/own.sqsh")" "$loop" "and it is the one mounted on the image ($loop)"
run mm down own
is "$rc" 0 "down"
wait_for 5 no_loops_of "$SRV/own.sqsh"
ok $? "after down: none of this test's own"
losetup "$other" >/dev/null 2>&1
ok $? "the other namespace's loop device is still there"
done_testing
