#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts down with a user's mount deep in the image's /home: alice
# mounts FUSE in her home (fusermount; propagated into the image's copy
# of /home), then moves the directory holding it deep into her home, so
# that its path in the image is longer than PATH_MAX (5000 bytes) and
# than 8192 bytes (10000).  A plain down still reaches it, beneath the
# image and without following anything, exits 0 and leaves nothing
# mounted in the image; alice's own mount stays.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

user_fuse_image

fuse_path() { awk -v p="$1" '/ - fuse / && index($5, p) == 1 { print $5 }' /proc/self/mountinfo; }

mounts=0
for levels in 20 40; do
	mm up demo >/dev/null || { echo "Bail out! up failed"; exit 1; }
	as alice sh -c "mkdir -p ~/src ~/m$levels/mnt && bindfs --no-allow-other ~/src ~/m$levels/mnt" ||
		{ echo "Bail out! alice cannot mount bindfs"; exit 1; }
	PIDS="$PIDS $(pgrep --ns $$ --nslist mnt -u alice -n bindfs)"
	mounts=$((mounts + 1))
	# ~/dLEVELS/000.../000... (LEVELS directories of 250 characters),
	# made and entered by relative steps; then ~/mLEVELS moved to its bottom.
	as alice bash -c "cd ~ && mkdir d$levels && cd d$levels && n=\$(printf '%0250d' 0) &&
		for i in \$(seq $levels); do mkdir \$n && cd \$n || exit 1; done && mv ~/m$levels ." ||
		{ echo "Bail out! alice cannot move her mount deep"; exit 1; }
	len=$(fuse_path "$I/home/alice/d$levels/" | awk '{ print length($0) }')
	ok "$([ "${len:-0}" -gt $((levels * 250)) ]; echo $?)" "$levels levels: the image's copy of alice's mount has a path of ${len:-no} bytes"
	run mm down demo
	like "$rc:$out" "^0:demo: unmounted [0-9]+$" "$levels levels: down exits 0 and says what it unmounted"
	is "$(mounted_below "$I" | wc -l)" "0" "$levels levels: nothing is left mounted in the image"
	is "$(fuse_path /home/ | wc -l)" "$mounts" "$levels levels: alice's own mounts on the host are still there"
done
done_testing
