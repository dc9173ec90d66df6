#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up through the setuid melee: melee-mounts runs as root in a session
# of its own (no ^C, ^Z or hangup from the caller's terminal can stop or
# kill it while it holds the lock every up and down waits for), with pid
# 1's resource limits (not a file size or address space limit the caller
# set to cut it short in the middle of writing), nice value 0, the
# default scheduling and personality.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

auto_up_setup "auto-up = yes"

# pid 1's limits, as ulimit shows them (1024-byte blocks, or unlimited).
pid1_limit() {
	local v
	v=$(awk -v k="$1" 'index($0, k) == 1 { sub(k, ""); print $1 }' /proc/1/limits)
	[ "$v" = unlimited ] && echo unlimited || echo $((v / 1024))
}
want="$(pid1_limit "Max file size") $(pid1_limit "Max address space") 0"

# Soft limits: a test namespace may lack CAP_SYS_RESOURCE, which raising
# a hard limit needs (root has it on a real host).
run as alice sh -c "ulimit -S -f 64 && ulimit -S -v 400000 && exec nice -n 15 \"$MELEE\" demo cat /marker"
is "$rc:$out" "0:melee-fixture:demo" "melee with a file size limit, an address space limit and nice 15 lands in the image"
is "$(auto_up_runs)" "1" "melee-mounts ran once"
read -r pid sid limits < "$(ls "$AUTO_UP_SEEN"/*.proc)"
is "$sid" "$pid" "the helper leads a session of its own (the caller's terminal cannot signal it)"
is "$limits" "$want" "the helper has pid 1's file size and address space limits and nice 0, not the caller's"

# The caller's scheduling: SCHED_IDLE, the idle I/O class, one CPU.
mm down demo >/dev/null
rm -f "$AUTO_UP_SEEN"/*
# Every CPU this machine lets a process have (what the helper asks for).
all_cpus=$(sh -c 'taskset -p -c "0-$(($(getconf _NPROCESSORS_CONF) - 1))" $$ >/dev/null 2>&1; taskset -p $$' | sed 's/.*: //')
run as alice chrt --idle 0 ionice -c3 taskset -c 0 "$MELEE" demo cat /marker
is "$rc:$out" "0:melee-fixture:demo" "melee under chrt --idle, ionice -c3 and taskset -c 0 lands in the image"
is "$(cat "$AUTO_UP_SEEN"/*.sched)" "SCHED_OTHER none: prio 0 $all_cpus" \
	"the helper runs SCHED_OTHER, I/O class none, on every CPU ($all_cpus), not the caller's idle classes and CPU 0"

# The caller's personality (setarch): a uname that says 2.6, a 3 GB
# address space, sticky timeouts; the kernel keeps these across the
# setuid exec.  The helper runs with none (PER_LINUX), as at boot.
mm down demo >/dev/null
rm -f "$AUTO_UP_SEEN"/*
run as alice setarch --uname-2.6 -3 -T "$MELEE" demo cat /marker
is "$rc:$out" "0:melee-fixture:demo" "melee under setarch --uname-2.6 -3 -T lands in the image"
is "$(cat "$AUTO_UP_SEEN"/*.pers)" "00000000" "the helper runs with personality PER_LINUX, not the caller's flags"

# A hard limit the caller lowered: root raises it where it holds
# CAP_SYS_RESOURCE; where it does not, the helper is not run at all
# rather than run to be cut short.
mm down demo >/dev/null
run as alice sh -c "ulimit -f 64 && exec \"$MELEE\" demo cat /marker"
if capsh --has-p=cap_sys_resource 2>/dev/null; then
	is "$rc:$out" "0:melee-fixture:demo" "a lowered hard file size limit is raised for the helper"
else
	like "$rc:$out" "^125:melee: image demo is not prepared, and auto-up's .* failed \\(exit status 126\\): cannot lift the caller's resource limits" \
		"without CAP_SYS_RESOURCE, a lowered hard file size limit: the helper is not run, the command refused"
fi

done_testing
