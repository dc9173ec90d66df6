#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# down names mounts whose paths users chose (a mount of theirs in the
# host's /home propagates into every up image's copy of it): a path with
# an escape sequence in its name reaches root's terminal with every
# control byte shown as '?', in down --dry-run's list and in down's
# warnings alike.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
setup_home
mount --make-shared /home
write_config
add_image demo
mm up demo >/dev/null
ok $? "up"
esc=$(printf '\033')
D="/home/alice/e${esc}[2Jx"
mkdir "$D" && chown alice "$D"
mount -t tmpfs -o size=1m tmpfs "$D"
ok $? "a mount at a path with an escape sequence in the host's /home"
wait_for 5 grep -qF " $IMAGES/demo/home/alice/e${esc}[2Jx " /proc/self/mountinfo
ok $? "it is in the image's copy of /home too"

run mm --dry-run down demo
like "$out" "would unmount $IMAGES/demo/home/alice/e\\?\\[2Jx$" "dry-run lists it with the escape shown as ?"
unlike "$out" "$esc" "and no escape byte"
# Busy: a process inside the image's copy of the mount.
(cd "$IMAGES/demo/home/alice/e${esc}[2Jx" && exec sleep 300) &
PIDS="$PIDS $!"
wait_for 5 test "$(readlink /proc/$!/cwd)" != "$(readlink /proc/$$/cwd)"
run mm down demo
like "$out" "e\\?\\[2Jx" "down's warnings name it with the escape shown as ?"
unlike "$out" "$esc" "and no escape byte"
kill $!
umount "$D"
mm --lazy down demo >/dev/null
done_testing
