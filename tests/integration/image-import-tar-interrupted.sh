#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A tarball import is as atomic as a container image's (the same code,
# tools/melee-image/image-import.c): SIGINT (a user's ^C) or SIGTERM while
# tar unpacks ends it with a non-zero status, tar stopped, nothing
# registered, no tree and no partial tree under images-dir; with --file
# no file image either.  The tarball: a busybox tree and 300000 empty
# files, so that tar (which makes 40000 files of 4 KiB on a tmpfs in
# well under a second) is caught in the middle of its unpack.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
F=$T/files
mkdir -m 755 "$F" "$W/tree"
"$top_srcdir/tests/make-fixture-image" "$W/tree" big > /dev/null
fx bigtar "$W/files.tar" big 300000 0
# The files appended in their order (f000000 first): a tar of a tree
# would have them in the order of the directory.
tar -C "$W/tree" --numeric-owner -cf "$W/big.tar" . && rm -rf "$W/tree" &&
	tar -Af "$W/big.tar" "$W/files.tar" && rm "$W/files.tar"
chmod 644 "$W/big.tar"

tar_running() { pgrep --ns $$ --nslist mnt -f "^tar --numeric-owner --no-overwrite-dir -xpf" > /dev/null; }
# unpacking: tar runs and has put some of the files in the partial tree
# (the 100th by name; a find would read all of a big directory).
unpacking() { [ -e "$IMAGES/.big.partial/big/data/f000100" ] && tar_running; }
unpacking_or_gone() { unpacking || ! kill -0 "$1" 2>/dev/null; }
# interrupt SIGNAL NAME DESCRIPTION [OPTIONS...]: the import started
# (with the signal's default action, as from a terminal), SIGNAL sent
# to melee-image alone once tar is unpacking, then the checks.
interrupt() {
	local sig=$1 name=$2 desc=$3 pid
	shift 3
	env --default-signal=INT,TERM "$MELEE_IMAGE" --config "$CONF" "$@" --no-up import "$name" "$W/big.tar" \
		> "$W/$name.out" 2>&1 &
	pid=$!
	wait_for 120 unpacking_or_gone "$pid"
	ok "$(unpacking && kill -0 "$pid" 2>/dev/null; echo $?)" "$desc: still running, and unpacking, when SIG$sig is sent"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	ok "$( [ "$rc" -ne 0 ]; echo $?)" "$desc: exit status non-zero ($rc)"
	# At once: melee-image stops tar and waits for it before it exits
	# (a tar left running would go on filling the partial tree).
	ok "$(! tar_running; echo $?)" "$desc: tar is stopped too, before melee-image exits"
	ok "$(nothing_left "$name"; echo $?)" "$desc: nothing registered, no tree, no partial tree"
	is "$(ls -A "$IMAGES" 2>&1)$(ls -A "$F" 2>&1)" "" "$desc: images-dir and the --file directory are empty"
	like "$(cat "$W/$name.out")" "melee-image: interrupted" "$desc: it says so"
	sed 's/^/#   /' "$W/$name.out" | head -5
}
interrupt INT big "SIGINT during the unpack"
interrupt TERM big "SIGTERM during the unpack"
interrupt INT big "SIGINT during the unpack with --file" --file "$F/big.sqsh"
# The control: left alone the same import succeeds.
imported big "$W/big.tar" "uninterrupted, the same import succeeds"
is "$(find "$IMAGES/big/big/data" -type f 2>/dev/null | wc -l)" 300000 "with the 300000 files"
done_testing
