#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# up repairs a partial image and refreshes stale merged accounts; down
# leaves alone what it did not mount; the command line itself.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo
mm up demo >/dev/null

umount -R "$IMAGES/demo/tmp"
out=$(mm status demo); rc=$?
like "$out" "^demo +$IMAGES/demo +partial +16/17$" "status: partial after a mount went away"
is "$rc" "1" "status exits 1 for a partial image"
out=$(mm up demo)
is "$out" "demo: mounted 1, 16 already present" "up repairs the missing mount only"
like "$(mm status demo)" "ready +17/17" "ready again"

echo 'carol:x:1503:1503:Carol:/home/carol:/bin/sh' >> "$T/work/passwd"
echo 'carol:x:1503:' >> "$T/work/group"
! grep -q '^carol:' "$IMAGES/demo/etc/passwd"
ok $? "a new host user is not yet in the image"
out=$(mm up demo)
is "$out" "demo: refreshed the merged accounts (the host's users changed)
demo: up, 17 of 17 present" "up refreshes stale merged accounts and says so"
like "$(cat "$IMAGES/demo/etc/passwd")" "^carol:x:1503:1503:Carol:/home/carol:/bin/sh$" "the new user is in the image"
is "$(awk -v p="$IMAGES/demo/etc/passwd" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "still exactly one mount on /etc/passwd"
is "$(mm up demo)" "demo: already up, nothing mounted (17 of 17 present)" "nothing to do when accounts are current"

# An administrator's own mount inside the image is not ours to remove.
mkdir -p "$IMAGES/demo/opt/data"
mount -t tmpfs admin "$IMAGES/demo/opt/data"
mm down demo >/dev/null
awk -v p="$IMAGES/demo/opt/data" '$5 == p' /proc/self/mountinfo | grep -q .
ok $? "down leaves a mount it did not make"
is "$(mounted_below "$IMAGES/demo")" "$IMAGES/demo/opt/data" "and unmounts everything it made"
umount "$IMAGES/demo/opt/data"

out=$("$MELEE_MOUNTS" --version); is "$out" "melee-mounts $(sed -n 's/^AC_INIT(\[melee\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "--version"
out=$("$MELEE_MOUNTS" --help); like "$out" "^Usage: melee-mounts \[OPTIONS\] COMMAND \[IMAGE...\]" "--help"
run "$MELEE_MOUNTS"
like "$rc:$out" "^2:Usage:" "no command: usage on stderr, exit 2"
run mm frob
is "$rc:$out" "2:melee-mounts: unknown command 'frob' (expected up, down, status, check, links or watch)" "unknown command"
run mm --bogus status
ok $((rc != 2)) "unknown option exits 2"
done_testing
