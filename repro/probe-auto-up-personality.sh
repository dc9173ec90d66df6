#!/bin/bash
# The caller's personality (setarch: UNAME26, LINUX32, ADDR_LIMIT_3GB...)
# survives the setuid exec (only PER_CLEAR_ON_SETID's flags are cleared)
# and reaches the auto-up helper melee-mounts.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup "auto-up = yes"
touch "$AUTO_UP_SEEN/pause"
as alice setarch "$(uname -m)" --uname-2.6 --3gb --sticky-timeouts "$MELEE" demo cat /marker > "$T/work/out" 2>&1 &
bg=$!
wait_for 10 ls "$AUTO_UP_SEEN"/*.proc
read -r hpid _ < "$(ls "$AUTO_UP_SEEN"/*.proc)"
echo "# helper $hpid personality: $(cat /proc/$hpid/personality)"
is "$(cat /proc/$hpid/personality)" "00000000" "the helper runs with the default personality, not the caller's"
rm -f "$AUTO_UP_SEEN/pause"
wait $bg; echo "# melee: $? $(cat $T/work/out)"
done_testing
