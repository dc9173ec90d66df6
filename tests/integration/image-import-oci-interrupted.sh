#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An OCI import is atomic: SIGINT (a user's ^C) or SIGTERM while a big
# layer is being applied ends it with a non-zero status, nothing
# registered, no tree and no partial tree under images-dir; with --file,
# no file image and no partial file either.  The layer: 40000 files of
# 4 KiB, uncompressed, so that its application takes long enough to be
# caught in the middle.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
F=$T/files
mkdir -m 755 "$F"
busybox_layer "$W/base.tar" big
fx bigtar "$W/big.tar" big 40000 4
oci_layout "$W/big" big "$W/base.tar" "$W/big.tar:none"
blob=$(stat -c %s "$(oci_blob "$W/big" big layer:1)")

# applying PID: the import PID is in the middle of the big layer: some of
# its files are in a partial tree (under images-dir or the --file
# directory), or it has read a third of the blob.
applying() {
	find "$IMAGES" "$F" -name 'f0001[0-9][0-9]' -print -quit 2>/dev/null | grep -q . && return 0
	[ "$(awk '/^rchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0)" -gt $((blob / 3)) ]
}
applying_or_gone() { applying "$1" || ! kill -0 "$1" 2>/dev/null; }
# interrupt SIGNAL NAME DESCRIPTION [OPTIONS...]: the import started
# (with the signal's default action, as from a terminal), SIGNAL sent
# once it is applying, then the checks.
interrupt() {
	local sig=$1 name=$2 desc=$3 pid
	shift 3
	env --default-signal=INT,TERM "$MELEE_IMAGE" --config "$CONF" "$@" --no-up import "$name" "oci:$W/big" \
		> "$W/$name.out" 2>&1 &
	pid=$!
	wait_for 120 applying_or_gone "$pid"
	ok "$(applying "$pid" && kill -0 "$pid" 2>/dev/null; echo $?)" "$desc: still running, and applying the big layer, when SIG$sig is sent"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	ok "$( [ "$rc" -ne 0 ]; echo $?)" "$desc: exit status non-zero ($rc)"
	ok "$(nothing_left "$name"; echo $?)" "$desc: nothing registered, no tree, no partial tree"
	is "$(ls -A "$IMAGES" 2>&1)$(ls -A "$F" 2>&1)" "" "$desc: images-dir and the --file directory are empty"
	is "$(mounted_below "$T" | grep -c "$IMAGES\|$F")" 0 "$desc: nothing left mounted"
	sed 's/^/#   /' "$W/$name.out" | head -5
}
interrupt INT big "SIGINT during the apply"
interrupt TERM big "SIGTERM during the apply"
interrupt INT big "SIGINT during the apply with --file" --file "$F/big.sqsh"
ok "$(test ! -e "$F/big.sqsh"; echo $?)" "no --file output"

# With --file, SIGINT once the tree is applied and mksquashfs packs it:
# pack stops mksquashfs and dies, and the exit handler of the import
# (remove_partial_at_exit in tools/melee-image/melee-image.c) removes the
# applied partial tree.
packing() { [ "$(ps -o comm= --ppid "$1" 2>/dev/null)" = mksquashfs ]; }
packing_or_gone() { packing "$1" || ! kill -0 "$1" 2>/dev/null; }
env --default-signal=INT,TERM "$MELEE_IMAGE" --config "$CONF" --file "$F/big.sqsh" --no-up import big "oci:$W/big" \
	> "$W/pack.out" 2>&1 &
pid=$!
wait_for 300 packing_or_gone "$pid"
ok "$(packing "$pid" && [ -d "$IMAGES/.big.partial" ]; echo $?)" "SIGINT during the pack of --file: mksquashfs is packing the applied tree when SIGINT is sent"
mk=$(ps -o pid= --ppid "$pid" | tr -d ' ')
kill -INT "$pid"
wait "$pid"
rc=$?
ok "$( [ "$rc" -ne 0 ]; echo $?)" "SIGINT during the pack of --file: exit status non-zero ($rc)"
ok "$( [ -n "$mk" ] && ! kill -0 "$mk" 2>/dev/null; echo $?)" "SIGINT during the pack of --file: mksquashfs is stopped too, before melee-image exits"
ok "$(nothing_left big "$F/big.sqsh"; echo $?)" "SIGINT during the pack of --file: nothing registered, no tree, no partial tree, no file"
is "$(ls -A "$IMAGES" 2>&1)$(ls -A "$F" 2>&1)" "" "SIGINT during the pack of --file: images-dir and the --file directory are empty"
sed 's/^/#   /' "$W/pack.out" | head -5
# The control: left alone the same import succeeds.
imported big "oci:$W/big" "uninterrupted, the same import succeeds"
is "$(find "$IMAGES/big/big/data" -type f 2>/dev/null | wc -l)" 40000 "with the 40000 files"
done_testing
