#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image takes the lock melee-mounts up and down (and auto-up) take:
# remove waits for it and holds it throughout, unregisters the image
# (images.d/NAME.conf renamed to .NAME.conf.removing, which the loader
# skips) before it deletes anything, and registers it again, unchanged,
# when the delete fails.  import waits for the lock too, and releases it
# before its own melee-mounts up (which takes it): import-then-up works.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
LOCK=/run/melee/lock
setup_accounts
write_config

# hold_lock: holds $LOCK until $T/work/hold is removed.
hold_lock() {
	mkdir -p /run/melee; : > "$T/work/hold"
	flock "$LOCK" sh -c ": > '$T/work/held'; while [ -e '$T/work/hold' ]; do sleep 0.05; done" &
	holder=$!
	PIDS="$PIDS $holder"
	wait_for 10 test -e "$T/work/held"; rm -f "$T/work/held"
}
release_lock() { rm -f "$T/work/hold"; wait "$holder"; }

# remove waits for the lock, and does nothing meanwhile.
add_image demo
cp "$T/etc/images.d/demo.conf" "$T/work/demo.conf.orig"
hold_lock
mi remove demo --delete-files > "$T/work/remove.out" 2>&1 &
remover=$!
wait_for 10 grep -q . "$T/work/remove.out"
is "$(cat "$T/work/remove.out")" "melee-image: waiting for /run/melee/lock (another melee-mounts or melee-image holds it)" \
	"remove waits for the lock melee-mounts takes, and says so"
sleep 0.3
ok_cmd "while it waits, the image is registered and whole" \
	test -e "$T/etc/images.d/demo.conf" -a -e "$IMAGES/demo/marker" -a ! -e "$T/etc/images.d/.demo.conf.removing"
release_lock
wait "$remover"; rc=$?
is "$rc:$(tail -n 2 "$T/work/remove.out")" "0:melee-image: demo: deleted $IMAGES/demo
melee-image: demo: removed from the configuration ($T/etc/images.d/demo.conf)" "once the lock is free, remove completes"

# Unregistered before the first file is deleted (the order of its calls).
add_image demo
run strace -f -qq -e trace=rename,renameat,renameat2,unlink,unlinkat,rmdir -o "$T/work/trace" \
	"$MELEE_IMAGE" --config "$CONF" remove demo --delete-files
is "$rc" "0" "remove under strace completes"
first=$(grep -E 'rename|unlink|rmdir' "$T/work/trace" | grep -v ENOENT | head -n 1)
like "$first" 'renameat2?\(.*"demo\.conf", .*"\.demo\.conf\.removing"' \
	"the first thing remove changes is the registration, renamed aside (got: ${first:0:120})"
like "$(grep -E 'unlink' "$T/work/trace" | tail -n 1)" '"\.demo\.conf\.removing"' \
	"and the last is unlinking it, after the tree is gone"

# A delete that fails half-way (a user who can write the image's /var/tmp
# can make it fail at will): the image stays unregistered, so that no
# login or auto-up uses a half-deleted tree; the drop-in aside records it,
# and the next remove finishes.
add_image demo
mkdir -p "$IMAGES/demo/srv/stuck"; : > "$IMAGES/demo/srv/stuck/file"
chattr +i "$IMAGES/demo/srv/stuck/file"
run mi remove demo --delete-files
chattr -i "$IMAGES/demo/srv/stuck/file"
is "$rc:$out" "1:melee-image: $IMAGES/demo/srv/stuck/file: Operation not permitted; image 'demo' stays unregistered ($T/etc/images.d/.demo.conf.removing records it) and its files may be partly deleted: run 'melee-image remove demo --delete-files' again once the cause is gone" \
	"a delete that fails half-way says the image stays unregistered and what to do"
ok_cmd "its registration is aside, byte for byte" cmp "$T/work/demo.conf.orig" "$T/etc/images.d/.demo.conf.removing"
ok_cmd "and it is not listed" sh -c "! '$MELEE_IMAGE' --config '$CONF' list | grep -q '^demo '"
run mi remove demo --delete-files
is "$rc" "0" "once the file can go, remove again completes"
like "$out" "demo: finishing the removal that was cut short" "and says it finishes the earlier one"
ok_cmd "nothing is left: no tree, no drop-in" test ! -e "$IMAGES/demo" -a ! -e "$T/etc/images.d/.demo.conf.removing" -a ! -e "$T/etc/images.d/demo.conf"

# import waits for the lock, then runs melee-mounts up after releasing it.
"$top_srcdir/tests/make-fixture-image" "$IMAGES/imp" imp > /dev/null
hold_lock
timeout 60 "$MELEE_IMAGE" --config "$CONF" import imp "$IMAGES/imp" > "$T/work/import.out" 2>&1 &
importer=$!
wait_for 10 grep -q "waiting for" "$T/work/import.out"
ok $? "import waits for the lock"
ok_cmd "and has registered nothing meanwhile" test ! -e "$T/etc/images.d/imp.conf"
release_lock
wait "$importer"; rc=$?
is "$rc" "0" "then import registers and runs melee-mounts up, which takes the lock itself (no deadlock: $(tail -n 1 "$T/work/import.out"))"
ok_cmd "the imported image is up" mm status imp
mm down imp > /dev/null
done_testing
