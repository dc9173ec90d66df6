#!/bin/bash
# While the setuid melee waits for its auto-up helper (root, holding the
# lock), what can the calling user do to either process?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup "auto-up = yes"
touch "$AUTO_UP_SEEN/pause"
as alice sh -c 'echo $$ > /tmp/caller.pid && exec "$0" demo cat /marker' "$MELEE" > "$T/work/out" 2>&1 &
bg=$!
wait_for 10 ls "$AUTO_UP_SEEN"/*.proc
read -r hpid _ < "$(ls "$AUTO_UP_SEEN"/*.proc)"
m=$(cat /tmp/caller.pid)
grep -E '^(Uid|Gid|CapEff)' /proc/$m/status | sed 's/^/# melee /'
echo "# melee dumpable: $(stat -c %U /proc/$m/environ)"
run as alice cat /proc/$m/environ; echo "# environ: rc=$rc $(printf %s "$out" | head -c 100)"
run as alice ls /proc/$m/fd; echo "# fd: rc=$rc $out"
ok "$([ "$rc" != 0 ]; echo $?)" "alice cannot list melee's fds"
run as alice strace -p $m -e trace=none -o /dev/null & sp=$!; sleep 1; kill $sp 2>/dev/null
run as alice timeout 2 strace -qq -p $m -e trace=none; echo "# strace -p melee: rc=$rc $out"
ok "$([ "$rc" != 0 ] && [ "$rc" != 124 ]; echo $?)" "alice cannot ptrace melee"
run as alice kill -STOP $hpid; echo "# STOP helper: rc=$rc $out"
ok "$([ "$rc" != 0 ]; echo $?)" "alice cannot stop the helper"
run as alice kill -STOP $m; echo "# STOP melee: rc=$rc"
rm -f "$AUTO_UP_SEEN/pause"
lock_free() { flock -n /run/melee/lock true; }
wait_for 20 lock_free
ok "$(lock_free; echo $?)" "lock released with melee stopped"
kill -CONT $m; wait $bg; echo "# melee: $? $(cat $T/work/out)"
done_testing
