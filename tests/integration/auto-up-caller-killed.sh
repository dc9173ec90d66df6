#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up through the setuid melee, the caller killed (SIGKILL, which a
# user may send to their own melee) while the helper runs: the helper's
# stderr is a pipe to the dead caller, and its writes there fail with
# EPIPE instead of killing it midway; the up completes, the image ends up
# ready and the lock is released.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup "auto-up = yes"
lock_free() { flock -n /run/melee/lock true; }

# The helper waits, holding the lock, until its caller is dead; then it
# writes 100 lines to its stderr and runs melee-mounts up.
touch "$AUTO_UP_SEEN/pause" "$AUTO_UP_SEEN/chatter"
as alice sh -c 'echo $$ > /tmp/caller.pid && exec "$0" demo cat /marker' "$MELEE" > "$T/work/out" 2>&1 &
bg=$!
wait_for 10 ls "$AUTO_UP_SEEN"/*.proc
read -r pid _ < "$(ls "$AUTO_UP_SEEN"/*.proc)"
caller=$(cat /tmp/caller.pid)
is "$(cat /proc/$caller/comm)" melee "the caller is melee, waiting for the helper"
kill -KILL "$caller"
wait "$bg" 2>/dev/null
is "$?" 137 "the caller was killed by SIGKILL"
rm -f "$AUTO_UP_SEEN/pause"
wait_for 20 lock_free
is "$(cat "$AUTO_UP_SEEN/chatter")" "done" "the helper wrote its 100 lines to the dead caller's pipe and carried on"
ok "$(lock_free && echo 0 || echo 1)" "the lock is released"
# Gone, or a zombie its new parent has not reaped yet.
state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
like "${state:-gone}" "^(gone|Z)$" "the helper has exited"
run mm status demo
is "$rc" 0 "melee-mounts status demo exits 0"
like "$out" "^demo .* ready " "the up ran to its end: the image is ready"

done_testing
