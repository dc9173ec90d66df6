#!/bin/bash
# auto-up under the caller's hostile limits: RLIMIT_NPROC (no fork),
# RLIMIT_NOFILE (no pipe), RLIMIT_FSIZE 0 and RLIMIT_AS: a clean
# refusal or a complete up, the lock free after.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/auto-up-lib.sh"
auto_up_setup "auto-up = yes"
lock_free() { flock -n /run/melee/lock true; }
for lim in "-u 1" "-n 8" "-n 9" "-n 10" "-f 0" "-v 20000"; do
	run as alice sh -c "ulimit $lim; exec \"\$0\" demo cat /marker" "$MELEE"
	echo "# ulimit $lim: rc=$rc out=$out"
	ok "$([ "$rc" = 0 ] || [ "$rc" = 125 ]; echo $?)" "ulimit $lim: 0 or 125"
	ok "$(lock_free; echo $?)" "ulimit $lim: lock free"
	mm down demo >/dev/null 2>&1
done
done_testing
