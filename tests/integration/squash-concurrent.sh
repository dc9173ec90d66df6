#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Several melee-mounts up of a file image at once: one squashfs, one
# overlay, one loop device, one copy of each bind (the lock serialises).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/squash-lib.sh" || exit 1

setup_accounts
write_config
make_squash cc "$SRV/cc.sqsh"
add_file_image cc "$SRV/cc.sqsh" "writable = tmpfs"

pids=""
for i in 1 2 3 4 5 6; do
	mm up cc > "$T/work/up.$i" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" "0" "six concurrent ups succeed"
is "$(cat "$T"/work/up.* | grep -c 'mounted 20, 0 already present')" "1" "exactly one run mounted the image"
is "$(cat "$T"/work/up.* | grep -c 'already up, nothing mounted')" "5" "the others found it up"
is "$(fstypes_at "$IMAGES/cc" | tr '\n' ' ')" "squashfs overlay " "one squashfs and one overlay on the path"
is "$(fstypes_at /run/melee/cc/writable)" "tmpfs" "one tmpfs"
is "$(loops_of "$SRV/cc.sqsh" | wc -l)" "1" "one loop device"
for t in proc dev run tmp etc/passwd; do
	is "$(awk -v p="$IMAGES/cc/$t" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "exactly one mount on /$t"
done
mm down cc >/dev/null
wait_for 5 no_loops_of "$SRV/cc.sqsh"
ok $? "down leaves no loop device"
done_testing
