#!/bin/bash
# Attack probes against the setuid melee as alice (uid 1501): each check
# says what held.  Run as root after a build: repro/probe-melee.sh
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/auto-up-lib.sh"

melee_setup
cd /home/alice

# 1. RLIMIT_NOFILE 3..6: a clean 125 with a message, never a half-run.
for n in 3 4 5 6; do
	run as alice sh -c "ulimit -n $n; exec \"$MELEE\" demo cat /marker"
	echo "# nofile=$n rc=$rc out=$out"
	ok "$([ "$rc" = 0 ] || [ "$rc" = 125 ]; echo $?)" "nofile $n: 0 or 125"
done
# 2. deleted cwd, unreadable cwd
mkdir /tmp/gone && chown alice /tmp/gone
run as alice sh -c "cd /tmp/gone && rmdir /tmp/gone && exec \"$MELEE\" demo pwd"
echo "# deleted cwd: rc=$rc out=$out"
mkdir -p /tmp/closed/in && chown alice /tmp/closed /tmp/closed/in
run as alice sh -c "cd /tmp/closed/in && chmod 000 /tmp/closed && exec \"$MELEE\" demo pwd"
echo "# unreadable parent of cwd: rc=$rc out=$out"
chmod 755 /tmp/closed
# 3. argc 0, "-", huge argv
run as alice perl -e 'exec { $ARGV[0] } ()' "$MELEE"
echo "# argc 0: rc=$rc out=$(printf %s "$out" | head -3)"
run as alice "$MELEE" - true
echo "# '-': rc=$rc out=$out"
big=$(head -c 100000 /dev/zero | tr '\0' a)
run as alice "$MELEE" demo echo "$big"
is "$rc:${#out}" "0:100000" "a 100 kB argument passes through"
# 4. NNP: setuid not honoured, melee fails cleanly
run as alice setpriv --no-new-privs "$MELEE" demo true
echo "# no_new_privs: rc=$rc out=$out"
ok "$([ "$rc" = 125 ]; echo $?)" "no_new_privs: 125"

done_testing
