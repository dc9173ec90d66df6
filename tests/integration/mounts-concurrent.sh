#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Ten melee-mounts up runs at once leave exactly one copy of each mount:
# the lock under /run/melee serialises them.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image one
add_image two

pids=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	mm up > "$T/work/up.$i" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" "0" "all ten concurrent runs succeed"
is "$(cat "$T"/work/up.* | grep -c 'mounted 17, 0 already present')" "2" "exactly one run mounted each image"
is "$(cat "$T"/work/up.* | grep -c 'already up, nothing mounted')" "18" "the other nine found them up"
for img in one two; do
	for t in proc sys dev run home tmp etc/passwd etc/group; do
		n=$(awk -v p="$IMAGES/$img/$t" '$5 == p' /proc/self/mountinfo | wc -l)
		is "$n" "1" "$img: exactly one mount on /$t"
	done
done
pids=""
for i in 1 2 3 4 5; do
	mm down > "$T/work/down.$i" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" "0" "five concurrent downs succeed"
is "$(mounted_below "$IMAGES" | wc -l)" "0" "nothing left mounted"

# A lock file others may read (an administrator's chmod): flock needs no
# write access, so any user could hold it and every up with it.
chmod 644 /run/melee/lock
as alice flock -n /run/melee/lock true
ok $? "(alice can take a lock file of mode 0644)"
mm status >/dev/null
mm up one >/dev/null
is "$(stat -c %U:%a /run/melee/lock)" "root:600" "up makes the lock file root's 0600 again"
run as alice flock -n /run/melee/lock true
like "$rc:$out" "^[1-9][0-9]*:.*Permission denied" "alice cannot open it any more"
rm /run/melee/lock && mkfifo -m 600 /run/melee/lock
run mm up one
is "$rc:$out" "1:melee-mounts: /run/melee/lock: not a regular file" "a lock that is no regular file is refused, not used"
rm /run/melee/lock
echo keep > /run/melee/other && chmod 644 /run/melee/other && ln /run/melee/other /run/melee/lock ||
	{ echo "Bail out! cannot link /run/melee/other as the lock"; exit 1; }
run mm up one
is "$rc:$out" "1:melee-mounts: /run/melee/lock: has other links (refused)" "a lock with another name elsewhere is refused"
is "$(stat -c %a /run/melee/other)" "644" "and that file's mode is left as it was"
rm /run/melee/lock /run/melee/other
done_testing
