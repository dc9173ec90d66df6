#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# down of an image with a session inside (a user's `melee IMAGE sleep`)
# is refused with the image and the number of processes, and leaves the
# image ready: the session keeps its /proc, /dev and /home.  --force
# unmounts anyway, --lazy (the boot's ExecStop) detaches.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"

melee_setup
cd /tmp || exit 1

# session: a `melee demo sleep 300` of alice's, waited for until its
# sleep runs inside the image; $sess is the melee (which execs sleep).
session() {
	rm -f /tmp/session.pid
	as alice sh -c 'echo $$ > /tmp/session.pid && exec "$0" demo sleep 300' "$MELEE" &
	wait_for 10 test -s /tmp/session.pid
	sess=$(cat /tmp/session.pid)
	PIDS="$PIDS $sess"
	wait_for 10 sh -c "[ \"\$(readlink /proc/$sess/root)\" = '$IMAGES/demo' ]"
}
# $sess is no child of this shell (the function `as` ran in a subshell):
# wait cannot wait for it, so until it is gone, or the next down could
# still find it inside the image.
end_session() { kill "$sess" 2>/dev/null; wait_for 10 sh -c "! kill -0 $sess 2>/dev/null"; }

session
is "$(readlink /proc/$sess/root)" "$IMAGES/demo" "alice's session runs chrooted in the image"
run mm down demo
is "$rc" 1 "down with a session inside exits 1"
is "$out" "melee-mounts: demo: not unmounted: 1 process is inside the image; let it leave, or 'melee-mounts --force down demo' unmounts it anyway ('--lazy down' detaches what they use)" \
	"refused with the image, the number of processes and how to proceed"
run mm status demo
is "$rc" 0 "status exits 0"
like "$out" "^demo .* ready " "the image is still ready"
ok "$(kill -0 "$sess" 2>/dev/null && echo 0 || echo 1)" "the session still runs"

# A second process inside: counted.
chroot --userspec=alice "$IMAGES/demo" /bin/sleep 300 &
second=$!
PIDS="$PIDS $second"
wait_for 10 sh -c "[ \"\$(readlink /proc/$second/root)\" = '$IMAGES/demo' ]"
run mm down demo
like "$rc:$out" "^1:melee-mounts: demo: not unmounted: 2 processes are inside the image; let them leave" "two processes: the count says 2"
kill "$second"; wait "$second" 2>/dev/null

# Several images at once: only the one in use is refused.
add_image other "description = Another image"
mm up other >/dev/null
run mm down other demo
like "$rc:$out" "^1:.*demo: not unmounted: 1 process is inside the image" "down of two images: the busy one refused"
like "$out" "other: unmounted [0-9]+" "and the other one unmounted"
unlike "$out" "demo: unmounted" "nothing reported unmounted for the refused one"

run mm --force down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "--force: down goes ahead with the session inside"
run mm status demo
like "$rc" 1 "status exits 1"
like "$out" "^demo .* down " "the image is down"
end_session

mm up demo >/dev/null
session
run mm --lazy down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "--lazy: down detaches with the session inside"
run mm status demo
like "$rc" 1 "status exits 1"
like "$out" "^demo .* down " "the image is down"
end_session

mm up demo >/dev/null
run mm --force up demo
like "$rc:$out" "^2:.*--force goes with down only" "--force with up: a usage error"
run mm down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "nobody inside: down as before"

done_testing
