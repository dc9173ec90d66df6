#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts up of a file image killed with SIGKILL at any point: the
# next up completes the image with one copy of each mount, and down then
# leaves no mount and no loop device.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash kr "$SRV/kr.sqsh"
add_file_image kr "$SRV/kr.sqsh" "writable = tmpfs:8M"

# Killed after the loop device and before its mount, between the layers,
# between the binds: delays spread over the run.  Each round starts down.
bad=0
for delay in 0 0.001 0.002 0.004 0.006 0.008 0.01 0.015 0.02 0.03 0.05; do
	mm up kr >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	run mm up kr
	if [ "$rc" != 0 ]; then
		bad=$((bad + 1))
		echo "# after a kill at ${delay}s: up failed: $out"
	fi
	st=$(mm status kr)
	case $st in
	*"ready  "*) ;;
	*) bad=$((bad + 1)); echo "# after a kill at ${delay}s: $st" ;;
	esac
	for t in "" /proc /dev /run /tmp /home /etc/passwd; do
		n=$(awk -v p="$IMAGES/kr$t" '$5 == p' /proc/self/mountinfo | wc -l)
		want=1
		[ -z "$t" ] && want=2 # the squashfs and the overlay
		[ "$n" = "$want" ] || { bad=$((bad + 1)); echo "# after a kill at ${delay}s: $n mounts on kr$t"; }
	done
	[ "$(fstypes_at /run/melee/kr/writable)" = tmpfs ] || { bad=$((bad + 1)); echo "# after a kill at ${delay}s: tmpfs: $(fstypes_at /run/melee/kr/writable)"; }
	[ "$(loops_of "$SRV/kr.sqsh" | wc -l)" = 1 ] || { bad=$((bad + 1)); echo "# after a kill at ${delay}s: loops: $(loops_of "$SRV/kr.sqsh")"; }
	mm down kr >/dev/null || bad=$((bad + 1))
	wait_for 5 no_loops_of "$SRV/kr.sqsh" || { bad=$((bad + 1)); echo "# after a kill at ${delay}s: a loop device is left after down"; }
done
is "$bad" "0" "after SIGKILL at 11 points of up, the next up repairs and down leaves nothing"
is "$(mounted_below "$IMAGES"; mounted_below /run/melee/kr)" "" "nothing left mounted at the end"
done_testing
