#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up through the setuid melee from a cgroup the user owns (what
# systemd delegates to every program of a desktop session or of
# `systemd-run --user`): the helper leaves it for pid 1's cgroup before it
# runs, so freezing one's own cgroup (cgroup.freeze) cannot stop
# melee-mounts while it holds the lock every up and down waits for.  When
# the helper cannot leave the caller's cgroup it is not run.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/melee-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

CGMNT=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
[ -n "$CGMNT" ] && [ -e "$CGMNT/cgroup.procs" ] || skip_all "no cgroup v2 hierarchy mounted"
PID1_CG=$(sed -n 's/^0:://p' /proc/1/cgroup)
auto_up_setup "auto-up = yes"
add_image other "description = Another image"

# The test's own cgroup, beside pid 1's (the root of the hierarchy here,
# or init.scope under systemd), as systemd delegates one: the directory
# and the files a delegate may write owned by the user.
CG=$CGMNT/melee-test-auto-up-$$
mkdir "$CG" || skip_all "cannot create a cgroup under $CGMNT"
[ -e "$CG/cgroup.freeze" ] || { rmdir "$CG"; skip_all "this kernel's cgroup v2 has no cgroup.freeze"; }
# Unhide the hierarchy (a failure may leave the tmpfs below on it), then
# thaw, kill and remove the cgroup on every exit (a frozen process cannot
# be waited for; the suite's cleanup waits only for $PIDS).
at_exit 'while findmnt -rn -S melee-test-hide "$CGMNT" >/dev/null; do umount -l "$CGMNT"; done
echo 0 > "$CG/cgroup.freeze" 2>/dev/null
for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
for i in $(seq 50); do [ -s "$CG/cgroup.procs" ] || break; sleep 0.1; done
rmdir "$CG"'
chown alice "$CG" "$CG/cgroup.procs" "$CG/cgroup.threads" "$CG/cgroup.subtree_control" "$CG/cgroup.freeze"

# in_cg FD CMD...: CMD as alice, started inside the cgroup whose
# cgroup.procs is open on FD (8: the delegated one, 9: pid 1's).
exec 8> "$CG/cgroup.procs"
in_cg() {
	exec sh -c 'echo $$ >&"$0" && exec 8>&- 9>&- && exec "$@"' "$@"
}
as_alice="setpriv --reuid=alice --regid=$(id -g alice) --init-groups -- env HOME=/home/alice"
frozen() { grep -qx 'frozen 1' "$CG/cgroup.events"; }
demo_up() { grep -q " $IMAGES/demo/proc " /proc/self/mountinfo; }

# The helper waits (holding the lock every up and down takes) until
# the caller is frozen.
touch "$AUTO_UP_SEEN/pause"
in_cg 8 $as_alice "$MELEE" demo cat /marker > "$T/work/out" 2>&1 &
caller=$!
wait_for 10 ls "$AUTO_UP_SEEN"/*.cgroup
is "$(cat /proc/$caller/cgroup | sed -n 's/^0:://p')" "${CG#"$CGMNT"}" "melee runs in the user's own cgroup"
is "$(cat "$AUTO_UP_SEEN"/*.cgroup)" "$PID1_CG" "the helper runs in pid 1's cgroup ($PID1_CG), not the caller's"
run as alice sh -c "echo 1 > $CG/cgroup.freeze"
is "$rc:$out" "0:" "alice can freeze her own cgroup (as a delegate can)"
wait_for 10 frozen
ok "$(frozen && echo 0 || echo 1)" "the caller's cgroup is frozen"
rm -f "$AUTO_UP_SEEN/pause"
wait_for 20 demo_up
ok "$(demo_up && echo 0 || echo 1)" "melee-mounts up ran to its end while the caller's cgroup was frozen"
run timeout 20 "$MELEE_MOUNTS" --config "$CONF" up other
is "$rc" 0 "a root melee-mounts up of another image is not held by the frozen caller (the lock is free)"
ok "$(frozen && echo 0 || echo 1)" "the caller is still frozen meanwhile"
echo 0 > "$CG/cgroup.freeze"
wait "$caller"
is "$?:$(cat "$T/work/out")" "0:melee-fixture:demo" "thawed, melee lands in the image the helper prepared"
is "$(auto_up_runs)" "1" "melee-mounts ran once"

# When the helper cannot leave the caller's cgroup, it is not run and
# the command is refused with the reason: pid 1's cgroup.procs replaced
# in place by another file (here /dev/null bound over it) ...
mm down demo >/dev/null
exec 9> "$CGMNT${PID1_CG%/}/cgroup.procs"
mount --bind /dev/null "$CGMNT${PID1_CG%/}/cgroup.procs"
run in_cg 8 $as_alice "$MELEE" demo cat /marker
umount "$CGMNT${PID1_CG%/}/cgroup.procs"
like "$rc:$out" "^125:melee: image demo is not prepared, and auto-up will not run '.*melee-mounts up demo' in the caller's cgroup: /sys/fs/cgroup.*/cgroup\\.procs is not on a cgroup v2 file system\$" \
	"pid 1's cgroup.procs replaced by another file: refused with the reason"
is "$(auto_up_runs)" "1" "and melee-mounts was not run"
ok "$(demo_up && echo 1 || echo 0)" "demo stays down"
# ... or the hierarchy out of reach (a tmpfs hides it in this namespace).
mount -t tmpfs -o mode=755 melee-test-hide "$CGMNT"
run in_cg 8 $as_alice "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: image demo is not prepared, and auto-up will not run '.*melee-mounts up demo' in the caller's cgroup: the caller is in cgroup ${CG#"$CGMNT"}, and no cgroup v2 hierarchy is mounted here to move the helper into pid 1's \\($PID1_CG\\)\$" \
	"the hierarchy hidden: refused with the reason"
is "$(auto_up_runs)" "1" "and melee-mounts was not run"
umount "$CGMNT"
# No cgroup v2 hierarchy mounted where the caller runs (a mount namespace
# of its own without any, also none in an image's /sys): the same.
run unshare -m --propagation private sh -c 'findmnt -rn -t cgroup2 -o TARGET | xargs -r -n 1 umount -l && exec "$@"' sh \
	sh -c 'echo $$ >&8 && exec 8>&- 9>&- && exec "$@"' sh $as_alice "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: image demo is not prepared, and auto-up will not run '.*melee-mounts up demo' in the caller's cgroup: the caller is in cgroup ${CG#"$CGMNT"}, and no cgroup v2 hierarchy is mounted here to move the helper into pid 1's \\($PID1_CG\\)\$" \
	"no cgroup v2 hierarchy mounted: refused with the reason"
is "$(auto_up_runs)" "1" "and melee-mounts was not run"
mount -t tmpfs -o mode=755 melee-test-hide "$CGMNT"
# A caller already in pid 1's cgroup has nothing to leave (moved there
# through fd 9, opened before the hierarchy was hidden).
run in_cg 9 $as_alice "$MELEE" demo cat /marker
is "$rc:$out" "0:melee-fixture:demo" "a caller in pid 1's cgroup: the helper runs where it is"
umount "$CGMNT"
exec 8>&- 9>&-

done_testing
