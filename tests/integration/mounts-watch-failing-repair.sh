#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts watch with a repair that keeps failing (the merged accounts
# cannot be written: /run/melee is full) tries again at the next change of
# a host file, not in a loop: the lock it takes and releases for the
# repair is its own doing, not a change.  (It went round every 100 ms,
# each time under the lock and with an error in syslog.)
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

private_syslog
setup_accounts
write_config
add_image demo
I=$IMAGES/demo
mm up demo >/dev/null

# The host's accounts as files of this namespace's own /etc (an overlay,
# tests/lib.sh), so that a rename over them is a change watch sees.
etc_accounts_as_files
mm up demo >/dev/null

"$MELEE_MOUNTS" --config "$CONF" watch demo > "$T/work/watch.out" 2>&1 &
WATCH=$!
PIDS="$PIDS $WATCH"
syslog_wait "melee-mounts\[$WATCH\]: watching"
ok $? "watch starts"

# /run/melee full: the merged accounts can no longer be written.
mount -o remount,size=2m /run/melee
dd if=/dev/zero of=/run/melee/filler bs=64k 2>/dev/null
echo "extra:x:1520:1520::/home/extra:/bin/sh" >> /etc/passwd.new
cat /etc/passwd >> /etc/passwd.new && mv /etc/passwd.new /etc/passwd
syslog_wait "melee-mounts\[$WATCH\]: .*demo"
ok $? "the failed repair is in syslog"
failures() { grep -c "melee-mounts\[$WATCH\]: .*demo" "$SYSLOG"; }
before=$(failures)
ticks() { awk '{ print $14 + $15 }' "/proc/$WATCH/stat"; }
t0=$(ticks)
sleep 3
after=$(failures)
ok $(( after - before > 1 )) "no further attempt without a change ($((after - before)) more lines in 3 s)"
ok $(( ($(ticks) - t0) * 20 >= $(getconf CLK_TCK) )) "and (almost) no CPU time meanwhile"
wait_for 3 flock -n /run/melee/lock true
ok $? "nor the lock held"

# Room again, and a change: the repair follows.
rm -f /run/melee/filler
echo "extra2:x:1521:1521::/home/extra2:/bin/sh" >> /etc/passwd.new
cat /etc/passwd >> /etc/passwd.new && mv /etc/passwd.new /etc/passwd
wait_for 3 grep -q '^extra2:' "$I/etc/passwd"
ok $? "with room again, the next change is repaired within 3 s"
like "$(mm status demo)" "ready" "and the image is ready"
done_testing
