#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A test's cleanup (tests/lib.sh) ends the processes it started, by PID,
# and what they started: `as alice CMD &` records the subshell's PID, and
# CMD, its child, was left running after the test (a FUSE daemon, a
# sleep in an image, holding mounts and files).  An inner test starts
# such a process and ends; its PID is gone afterwards.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

inner=$T/work/inner.sh
cat > "$inner" <<'INNER'
#!/bin/bash
. "$top_srcdir/tests/lib.sh" || exit 1
setup_accounts
# The child's PID in the inner test's own $T (the host's /tmp is shared
# with every other test running at the same time).
mkdir -m 1777 "$T/work/pid"
as alice sh -c 'echo $$ > "$0/child"; exec sleep 600' "$T/work/pid" >/dev/null 2>&1 &
PIDS="$PIDS $!"
wait_for 5 test -s "$T/work/pid/child"
echo "# child $(cat "$T/work/pid/child")"
ok 0 "started"
done_testing
INNER
run env -u MELEE_TEST_IN_NS top_srcdir="$top_srcdir" bash "$inner"
is "$rc" 0 "the inner test ran"
child=$(sed -n 's/^# child //p' <<< "$out")
like "$child" "^[0-9]+$" "its child's PID was recorded ($child)"
wait_for 5 sh -c "! kill -0 $child 2>/dev/null"
ok $? "the child of the subshell that PIDS named is gone after the inner test"
[ -n "$child" ] && kill "$child" 2>/dev/null
done_testing
