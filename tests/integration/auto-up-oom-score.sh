#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up through the setuid melee from a caller with oom_score_adj 1000
# (which any user may set on themselves): the helper runs with 0, so the
# OOM killer does not pick melee-mounts first while it holds the lock
# every up and down waits for.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup "auto-up = yes"
demo_up() { grep -q " $IMAGES/demo/proc " /proc/self/mountinfo; }

# The helper waits, holding the lock, while it is looked at.
touch "$AUTO_UP_SEEN/pause"
as alice sh -c "echo \$\$ > /tmp/caller.pid && echo 1000 > /proc/self/oom_score_adj && exec \"$MELEE\" demo cat /marker" > "$T/work/out" 2>&1 &
bg=$!
wait_for 10 ls "$AUTO_UP_SEEN"/*.proc
caller=$(cat /tmp/caller.pid)
read -r pid _ < "$(ls "$AUTO_UP_SEEN"/*.proc)"
wait_for 10 sh -c '! flock -n /run/melee/lock true'
run flock -n /run/melee/lock true
is "$rc" 1 "the helper holds the lock"
is "$(cat /proc/$caller/oom_score_adj)" 1000 "the caller (melee) runs with the oom_score_adj alice set: 1000"
is "$(cat /proc/$pid/oom_score_adj)" 0 "the helper, holding the lock, has oom_score_adj 0"
is "$(cat "$AUTO_UP_SEEN"/*.oom)" 0 "and had it from its start"
rm -f "$AUTO_UP_SEEN/pause"
wait "$bg"
is "$?:$(cat "$T/work/out")" "0:melee-fixture:demo" "melee lands in the image the helper prepared"
ok "$(demo_up && echo 0 || echo 1)" "the image is up"

done_testing
