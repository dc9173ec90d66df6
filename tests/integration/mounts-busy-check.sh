#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# down with a busy mount reports it (and --lazy detaches it); check
# reports every problem of every image; cleanup never deletes a tree that
# still has mounts under it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo

mm up demo >/dev/null
# A process with its working directory in the image's /tmp keeps that
# mount busy.
(cd "$IMAGES/demo/tmp" && exec sleep 300) &
busy=$!
PIDS="$PIDS $busy"
sleep 0.2
run mm down demo
like "$out" "melee-mounts: demo: $IMAGES/demo/tmp is busy \(in use\); 'melee-mounts --lazy down demo' detaches it" "a busy mount is reported by path"
ok $((rc != 1)) "down exits 1 when a mount is busy"
awk -v p="$IMAGES/demo/tmp" '$5 == p' /proc/self/mountinfo | grep -q .
ok $? "the busy mount stays"
run mm --lazy down demo
like "$rc:$out" "^0:demo: unmounted [0-9]+$" "--lazy detaches it"
! mounted_below "$IMAGES/demo" >/dev/null
ok $? "nothing left mounted after --lazy"
kill "$busy"; wait "$busy" 2>/dev/null

# Cleanup safety: a tree with a bind of /home under it is never removed.
mkdir -p "$T/precious"
echo data > "$T/precious/file"
mkdir -p "$IMAGES/demo/home"
mount --bind "$T/precious" "$IMAGES/demo/home"
run safe_rm "$IMAGES/demo"
ok $((rc == 0)) "safe_rm refuses a tree with a mount under it"
like "$out" "refusing to delete $IMAGES/demo: still has mounts under it" "and says why"
is "$(cat "$T/precious/file")" "data" "the bound data is intact"
umount "$IMAGES/demo/home"

# check: a good image, then one with every kind of problem.
out=$(mm check demo); rc=$?
is "$rc:$out" "0:configuration: ok (1 image)
demo: ok (static shell)" "check passes on a good image"
add_image broken
rm "$IMAGES/broken/bin/sh"
add_image dyn
cp /bin/dash "$IMAGES/dyn/bin/sh" 2>/dev/null || cp /bin/bash "$IMAGES/dyn/bin/sh"
cp "$T/etc/fstab" "$T/etc/fstab.gone"
echo "/nonexistent /gone none rbind" >> "$T/etc/fstab.gone"
sed -i "s|^fstab = .*|fstab = $T/etc/fstab.gone|" "$T/etc/images.d/broken.conf"
rmdir "$IMAGES/broken/tmp"; ln -s /etc "$IMAGES/broken/tmp"
interp=$(readelf -l "$IMAGES/dyn/bin/sh" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -n "$interp" ] || interp=/lib64/ld-linux-x86-64.so.2
run mm check
ok $((rc != 1)) "check exits 1 when any image has a problem (got $rc)"
like "$out" "^broken: FAIL: $IMAGES/broken/bin/sh: missing \(every image needs a shell\)$" "check: missing /bin/sh"
like "$out" "^broken: FAIL: $T/etc/fstab.gone:$(wc -l < "$T/etc/fstab.gone"): source /nonexistent does not exist$" "check: missing fstab source"
like "$out" "^broken: FAIL: $IMAGES/broken/tmp: is a symlink" "check: symlinked mountpoint"
like "$out" "^dyn: FAIL: $IMAGES/dyn/bin/sh needs the dynamic loader $interp, which the image does not have$" "check: dynamic shell without its loader"
like "$out" "^demo: ok \(static shell\)$" "check still reports the good image"
done_testing
