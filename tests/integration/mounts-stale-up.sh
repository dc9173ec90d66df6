#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A host file replaced by rename leaves its bind in the image on the old
# inode: status, status --json and check name the stale bind, and up
# replaces it in place (the new bind beneath, the old one detached) while
# a process inside keeps the old file open and running.  A useradd on the
# host makes the merged accounts stale the same way.  A stale bind whose
# path in the image was swapped for a symlink is refused, and the host's
# mount the symlink points at is left alone.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null
like "$(mm status demo)" "^demo +$I +ready +17/17$" "ready after up"
# Nothing changed: a second up leaves the merged accounts as they are,
# so that the image's binds of them keep showing the very files of
# /run/melee/demo (not an inode that up replaced with the same bytes).
acc=$(stat -c %d:%i:%Y /run/melee/demo/passwd /run/melee/demo/group)
sleep 1.1
mm up demo >/dev/null
is "$(stat -c %d:%i:%Y /run/melee/demo/passwd /run/melee/demo/group)" "$acc" \
	"a second up with nothing changed rewrites neither merged file (same inode, same mtime)"
is "$(stat -c %d:%i "$I/etc/passwd" "$I/etc/group")" "$(stat -c %d:%i /run/melee/demo/passwd /run/melee/demo/group)" \
	"the image's /etc/passwd and /etc/group are still the files /run/melee/demo holds"

# A session inside holding the old file, as a long-running program would.
echo '127.0.0.1 localhost old-hosts' > "$T/work/hosts.old"
cat "$T/work/hosts.old" > /etc/hosts.tmp && mv /etc/hosts.tmp /etc/hosts
mm up demo >/dev/null # the image now shows old-hosts
setsid chroot "$I" /bin/sh -c 'exec 3</etc/hosts; exec sleep 1000' &
SESSION=$!
PIDS="$PIDS $SESSION"
wait_for 5 test -e "/proc/$SESSION/fd/3"
ok $? "a process inside holds the image's /etc/hosts open"

echo '10.9.8.7 followed.example' > /etc/hosts.tmp && mv /etc/hosts.tmp /etc/hosts
is "$(chroot "$I" /bin/cat /etc/hosts)" "127.0.0.1 localhost old-hosts" "after the rename the image still shows the old file"
run mm status demo
is "$rc:$out" "1:IMAGE  PATH$(printf '%*s' $((${#I} - 4)) '')  STATE    MOUNTS
demo   $I  stale    17/17  stale $I/etc/hosts" "status names the stale bind and exits 1"
is "$(mm status --json demo)" "[{\"image\":\"demo\",\"path\":\"$I\",\"state\":\"stale\",\"present\":17,\"expected\":17,\"stale_binds\":[\"/etc/hosts\"]}]" "status --json: state stale and the list of stale binds"
run mm check demo
is "$rc" "1" "check exits 1 on a stale bind"
like "$out" "^demo: FAIL: $I/etc/hosts is stale: it shows a file its host source no longer names \(up replaces it\)$" "check names it"

run mm up demo
is "$rc:$out" "0:demo: replaced the stale bind of /etc/hosts (the host replaced /etc/hosts)
demo: up, 17 of 17 present" "up replaces the stale bind and says so, one line"
is "$(chroot "$I" /bin/cat /etc/hosts)" "10.9.8.7 followed.example" "new opens inside see the new file"
is "$(stat -c %d:%i "$I/etc/hosts")" "$(stat -L -c %d:%i /etc/hosts)" "the image's /etc/hosts is the host's inode now"
is "$(awk -v p="$I/etc/hosts" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "exactly one mount on /etc/hosts (the old one detached)"
kill -0 "$SESSION"
ok $? "the session inside is still running"
is "$(cat "/proc/$SESSION/fd/3")" "127.0.0.1 localhost old-hosts" "and its open file is still the old one"
like "$(mm status demo)" "^demo +$I +ready +17/17$" "ready again"
is "$(mm up demo)" "demo: already up, nothing mounted (17 of 17 present)" "a second up has nothing to replace"

# logrotate's way: wtmp renamed to wtmp.1, a new wtmp created.
mv /var/log/wtmp /var/log/wtmp.1 && install -m 664 /dev/null /var/log/wtmp
like "$(mm status demo)" "stale $I/var/log/wtmp$" "a rotated wtmp is named stale"
is "$(mm up demo | head -1)" "demo: replaced the stale bind of /var/log/wtmp (the host replaced /var/log/wtmp)" "and replaced by up"

# useradd replaces /etc/passwd and group by rename: the merged accounts
# fall behind, status says which, up regenerates and replaces them.
# useradd cannot rename over setup_accounts' binds: the files go into
# this namespace's own /etc (an overlay, tests/lib.sh) instead.
etc_accounts_as_files
mm up demo >/dev/null
useradd -u 1510 -U -M -s /bin/sh newuser
ok $? "useradd newuser on the host (this namespace's /etc)"
like "$(mm status demo)" "stale $I/etc/passwd  stale $I/etc/group$" "merged passwd and group behind the host's users are stale"
! grep -q '^newuser:' "$I/etc/passwd"
ok $? "newuser is not in the image yet"
run mm up demo
is "$rc:$out" "0:demo: refreshed the merged accounts (the host's users changed)
demo: up, 17 of 17 present" "up regenerates the accounts"
like "$(chroot "$I" /bin/cat /etc/passwd)" "^newuser:x:1510:1510::/home/newuser:/bin/sh" "newuser is in the image"
like "$(mm status demo)" "ready +17/17$" "ready again"

# An attacker's swap: the image's /var/log replaced by a symlink to a
# host directory that has a mount at the same name.  up must neither
# follow it nor unmount the host's mount.
mkdir -p "$T/hostlog" && touch "$T/hostlog/wtmp" "$T/work/hostfile"
mount --bind "$T/work/hostfile" "$T/hostlog/wtmp"
mv "$I/var/log" "$I/var/log.real" && ln -s "$T/hostlog" "$I/var/log"
mv /var/log/wtmp /var/log/wtmp.2 && install -m 664 /dev/null /var/log/wtmp
run mm up demo
is "$rc" "1" "up fails when the stale bind's path is a symlink"
like "$out" "symlink" "and says why"
is "$(awk -v p="$T/hostlog/wtmp" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "the host's mount the symlink points at is still there"
rm "$I/var/log" && mv "$I/var/log.real" "$I/var/log"
mm up demo >/dev/null
like "$(mm status demo)" "ready +17/17$" "with the image's /var/log back, up repairs it"
umount "$T/hostlog/wtmp"
# down refuses an image with a process inside (mounts-down-in-use.sh).
kill "$SESSION"; wait "$SESSION" 2>/dev/null
mm down demo >/dev/null
is "$(mounted_below "$I" | wc -l)" "0" "down leaves nothing mounted"
done_testing
