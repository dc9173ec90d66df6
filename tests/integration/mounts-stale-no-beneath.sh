#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# On a kernel without MOVE_MOUNT_BENEATH (before Linux 6.5, Debian 12's
# 6.1; here a seccomp filter, tests/deny-move-beneath, refuses it with
# EINVAL as such a kernel does) stale binds are still repaired, by a
# swap: the old mount detached by its id, the new bind attached in its
# place, never one stacked on the other (a deleted file cannot take a
# mount, and a rotated wtmp.1 under one could not be rotated again).
# status names the stale bind; up repairs it under a session that keeps
# the old file open; status and check say ready, a second up mounts
# nothing, exactly one mount stays on the file, and the host can rotate
# again; watch repairs within 3 s; down leaves nothing mounted.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

DENY=$top_builddir/tests/deny-move-beneath
need_built "$DENY"
setup_accounts
write_config
add_image demo
I=$IMAGES/demo
# melee-mounts as on Linux 6.1: move_mount refuses MOVE_MOUNT_BENEATH.
mm61() { "$DENY" "$MELEE_MOUNTS" --config "$CONF" "$@"; }
layers() { awk -v p="$I$1" '$5 == p' /proc/self/mountinfo | wc -l; }
replace_hosts() { echo "$1" > /etc/hosts.tmp && mv /etc/hosts.tmp /etc/hosts; }
shows() { [ "$(chroot "$I" /bin/cat /etc/hosts)" = "$1" ]; }

# The filter is what a 6.1 kernel does, and only that.
run "$DENY" unshare -m sh -c "mount --bind /etc/hosts /etc/passwd && echo plain move_mount allowed"
like "$out" "plain move_mount allowed" "control: the filter lets a plain mount through"
replace_hosts '127.0.0.1 localhost old-hosts'
run mm61 up demo
is "$rc:$out" "0:demo: mounted 17, 0 already present" "up under the filter mounts everything"
like "$(mm status demo)" "^demo +$I +ready +17/17$" "ready after up"

setsid chroot "$I" /bin/sh -c 'exec 3</etc/hosts 4</var/log/wtmp; exec sleep 1000' &
SESSION=$!
PIDS="$PIDS $SESSION"
wait_for 5 test -e "/proc/$SESSION/fd/4"
ok $? "a process inside holds the image's /etc/hosts and /var/log/wtmp open"

# logrotate's way: wtmp renamed away, a new one created.
echo old-record > /var/log/wtmp
rotate_wtmp() { mv /var/log/wtmp /var/log/wtmp.1 && install -m 664 /dev/null /var/log/wtmp; }
rotate_wtmp
run mm61 status demo
is "$rc:$out" "1:IMAGE  PATH$(printf '%*s' $((${#I} - 4)) '')  STATE    MOUNTS
demo   $I  stale    17/17  stale $I/var/log/wtmp" "status names the stale bind and exits 1"
run mm61 check demo
like "$rc:$out" "^1:demo: FAIL: $I/var/log/wtmp is stale" "check fails on it"
run mm61 up demo
is "$rc:$out" "0:demo: replaced the stale bind of /var/log/wtmp (the host replaced /var/log/wtmp)
demo: up, 17 of 17 present" "up repairs it on a kernel that refuses MOVE_MOUNT_BENEATH"
is "$(layers /var/log/wtmp)" "1" "exactly one mount on /var/log/wtmp (swapped, not stacked)"
is "$(stat -c %d:%i "$I/var/log/wtmp")" "$(stat -c %d:%i /var/log/wtmp)" "the image's wtmp is the host's new inode"
chroot "$I" /bin/sh -c 'echo new-record >> /var/log/wtmp'
is "$(cat /var/log/wtmp)" "new-record" "what the image writes to wtmp reaches the host's new file"
is "$(cat /var/log/wtmp.1)" "old-record" "not the rotated one"
kill -0 "$SESSION"
ok $? "the session inside is still running"
is "$(cat "/proc/$SESSION/fd/4")" "old-record" "and its open wtmp is still the old one"

run mm61 status demo
is "$rc:$out" "0:IMAGE  PATH$(printf '%*s' $((${#I} - 4)) '')  STATE    MOUNTS
demo   $I  ready    17/17" "status: ready, 17/17"
is "$(mm61 status --json demo)" "[{\"image\":\"demo\",\"path\":\"$I\",\"state\":\"ready\",\"present\":17,\"expected\":17}]" "status --json: ready, 13 of 13, no stale binds"
run mm61 check demo
is "$rc" "0" "check passes after the repair"
unlike "$out" "FAIL" "and names no problem"
run mm61 up demo
is "$rc:$out" "0:demo: already up, nothing mounted (17 of 17 present)" "a second up mounts nothing new"
rotate_wtmp
ok $? "the host rotates wtmp again (the old wtmp.1 is no mountpoint)"
is "$(mm61 up demo | head -1)" "demo: replaced the stale bind of /var/log/wtmp (the host replaced /var/log/wtmp)" "a second repair works"
is "$(layers /var/log/wtmp)" "1" "still one mount on /var/log/wtmp"
rm /var/log/wtmp.1
ok $? "the host deletes the rotated wtmp.1"

# A rename over /etc/hosts deletes the old file.
replace_hosts '10.9.8.7 first.example'
run mm61 up demo
is "$rc:$out" "0:demo: replaced the stale bind of /etc/hosts (the host replaced /etc/hosts)
demo: up, 17 of 17 present" "a hosts replaced by a rename over it is repaired"
shows '10.9.8.7 first.example'
ok $? "new opens inside see the new file"
is "$(stat -c %d:%i "$I/etc/hosts")" "$(stat -L -c %d:%i /etc/hosts)" "the image's /etc/hosts is the host's inode now"
is "$(layers /etc/hosts)" "1" "one mount on /etc/hosts"
is "$(cat "/proc/$SESSION/fd/3")" "127.0.0.1 localhost old-hosts" "the session's open hosts is still the old one"
like "$(mm61 status demo)" "ready +17/17$" "ready"

# watch, under the same filter: both ways.
"$DENY" "$MELEE_MOUNTS" --config "$CONF" watch demo > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
wait_for 5 sh -c "ls -l /proc/$WATCH/fd | grep -q inotify"
ok $? "watch is running"
replace_hosts '10.9.8.9 watched.example'
wait_for 3 shows '10.9.8.9 watched.example'
ok $? "watch repairs a rename over /etc/hosts within 3 s"
same_wtmp() { [ "$(stat -c %d:%i "$I/var/log/wtmp")" = "$(stat -c %d:%i /var/log/wtmp)" ]; }
rotate_wtmp
wait_for 3 same_wtmp
ok $? "watch repairs a rotated wtmp within 3 s"
wait_for 3 flock -n /run/melee/lock true
like "$(mm61 status demo)" "ready +17/17$" "ready after watch's repairs"
is "$(layers /etc/hosts):$(layers /var/log/wtmp)" "1:1" "one mount on /etc/hosts, one on /var/log/wtmp"
like "$(cat "$T/work/watch.out")" "^demo: replaced the stale bind of /etc/hosts" "watch said what it replaced"
unlike "$(cat "$T/work/watch.out")" "cannot" "and reported no failure"
kill "$WATCH"; wait "$WATCH" 2>/dev/null

run mm61 down demo
is "$rc" "1" "down refuses while the session is inside"
kill "$SESSION"; wait "$SESSION" 2>/dev/null
n=$(mounted_below "$I" | wc -l)
run mm61 down demo
is "$rc:$out" "0:demo: unmounted $n" "down unmounts all $n mounts (one per file)"
is "$(mounted_below "$I" | wc -l)" "0" "down leaves nothing mounted"
done_testing
