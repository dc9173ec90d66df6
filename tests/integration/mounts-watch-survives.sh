#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts watch keeps an up image following its host files: a rename
# of /etc/hosts is repaired within 3 s and logged to syslog; the image
# going down and up under it, and /etc/hosts replaced many times a second,
# lose no change; idle, it takes (almost) no CPU time and not the lock.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

private_syslog
setup_accounts
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null
"$MELEE_MOUNTS" --config "$CONF" watch demo > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
syslog_wait "melee-mounts\[$WATCH\]: watching"
ok $? "watch starts and says so in syslog"

shows() { [ "$(cat "$I/etc/hosts")" = "$1" ]; }
replace_hosts() { echo "$1" > /etc/hosts.tmp && mv /etc/hosts.tmp /etc/hosts; }

replace_hosts '10.0.0.1 first.example'
wait_for 3 shows '10.0.0.1 first.example'
ok $? "a rename of /etc/hosts reaches the image within 3 s"
like "$(mm status demo)" "ready +17/17$" "and the image is ready, not stale"
syslog_wait "melee-mounts\[$WATCH\]: demo: replaced the stale bind of /etc/hosts \(the host replaced /etc/hosts\)"
ok $? "the repair is in syslog"
like "$(cat "$T/work/watch.out")" "^demo: replaced the stale bind of /etc/hosts" "and on watch's output"

# Idle: no lock held, and no CPU burnt (utime + stime from /proc/PID/stat).
# The round that repaired may still be looking at the other binds when the
# repair shows: the lock is free once it ends, and stays free while idle.
wait_for 3 flock -n /run/melee/lock true
ok $? "watch lets the lock go once its round ends"
ticks() { awk '{ print $14 + $15 }' "/proc/$WATCH/stat"; }
before=$(ticks)
sleep ${WATCH_IDLE_SECONDS:-60}
spent=$(( $(ticks) - before ))
hz=$(getconf CLK_TCK)
ok $(( spent * 10 >= hz )) "CPU time of watch over 60 s idle: $spent ticks of 1/$hz s (under 0.1 s)"
flock -n /run/melee/lock true
ok $? "watch does not hold the lock while idle"

# Down and up under it.
mm down demo >/dev/null
replace_hosts '10.0.0.2 while-down.example'
sleep 1
ok $(( $(mounted_below "$I" | wc -l) != 0 )) "watch mounts nothing into an image that is down"
kill -0 "$WATCH"
ok $? "watch survives the image going down"
mm up demo >/dev/null
replace_hosts '10.0.0.3 after-up.example'
wait_for 3 shows '10.0.0.3 after-up.example'
ok $? "after down and up, a rename is followed again within 3 s"

# A storm: /etc/hosts replaced 20 times a second for 3 s.
for n in $(seq 1 60); do replace_hosts "10.1.0.$n storm-$n.example"; sleep 0.05; done
wait_for 3 shows '10.1.0.60 storm-60.example'
ok $? "after a storm of renames, the last one is in the image within 3 s"
like "$(mm status demo)" "ready +17/17$" "and nothing is stale"
is "$(awk -v p="$I/etc/hosts" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "exactly one mount on /etc/hosts after the storm"
kill -0 "$WATCH"
ok $? "watch is still running"

# The lock is taken for each repair: while someone holds it, nothing is
# repaired; once it is free, the repair follows.
exec 9>/run/melee/lock
flock 9
replace_hosts '10.0.0.4 locked.example'
sleep 2
shows '10.0.0.4 locked.example'
ok $(( $? == 0 )) "no repair while another run holds the lock"
flock -u 9; exec 9>&-
wait_for 3 shows '10.0.0.4 locked.example'
ok $? "the repair follows when the lock is free"
mm down demo >/dev/null
done_testing
