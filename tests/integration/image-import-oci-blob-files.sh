#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The blobs of an oci:DIR layout are files a user may have had a hand in:
# a FIFO where a blob should be must not hang the import (it returns,
# refused, nothing left); a blob that is a symlink to /etc/shadow, or an
# index.json that is one, is never read through (refused, nothing of
# shadow shown, nothing left).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
busybox_layer "$W/base.tar" blobs
oci_tar "$W/top.tar" <<'S'
file etc/top data=top
S
fresh() { rm -rf "$W/$1"; oci_layout "$W/$1" "$1" "$W/base.tar" "$W/top.tar"; }
# swapped NAME BLOB-KIND DESCRIPTION HOW: the blob replaced (HOW: fifo or
# shadow), then imported under a timeout.
swapped() {
	local name=$1 which=$2 desc=$3 how=$4 blob
	fresh "$name"
	if [ "$which" = index ]; then blob=$W/$name/index.json; else blob=$(oci_blob "$W/$name" "$name" "$which"); fi
	rm "$blob"
	case $how in
	fifo) mkfifo -m 644 "$blob" ;;
	shadow) ln -s /etc/shadow "$blob" ;;
	esac
	local s e
	s=$(date +%s)
	run timeout 60 "$MELEE_IMAGE" --config "$CONF" --no-up import "$name" "oci:$W/$name"
	e=$(date +%s)
	ok "$( [ "$rc" -ne 124 ] && [ $((e - s)) -lt 30 ]; echo $?)" "$desc: the import returned (in $((e - s)) s)"
	ok "$( [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; echo $?)" "$desc: refused (exit $rc)"
	like "$out" "^melee-image: " "$desc: a melee-image: line says why"
	ok "$(nothing_left "$name"; echo $?)" "$desc: nothing registered, no tree, no partial tree"
	unlike "$out" "^root:" "$desc: no line of /etc/shadow shown"
	[ "$rc" -ne 0 ] || printf '%s\n' "$out" | head -3 | sed 's/^/#   /'
}
# The control: the layout as built imports; each case below differs only
# by the one file replaced.
fresh good
imported good "oci:$W/good" "the untouched layout imports"
is "$(cat "$IMAGES/good/etc/top" 2>&1)" top "with its top layer"
swapped fifolayer layer:1 "a FIFO as a layer blob" fifo
swapped fifoconfig config "a FIFO as the config blob" fifo
swapped fifomanifest manifest "a FIFO as the manifest blob" fifo
swapped fifoindex index "a FIFO as index.json" fifo
swapped shadowlayer layer:0 "a layer blob that is a symlink to /etc/shadow" shadow
swapped shadowconfig config "a config blob that is a symlink to /etc/shadow" shadow
swapped shadowindex index "an index.json that is a symlink to /etc/shadow" shadow
# The same FIFO reached through skopeo's oci-archive is not possible (tar
# stores a FIFO as a FIFO): an archive holding a FIFO blob is refused too.
fresh arch
blob=$(oci_blob "$W/arch" arch layer:1)
rm "$blob"; mkfifo -m 644 "$blob"
tar -C "$W/arch" --numeric-owner -cf "$W/arch.tar" .
refused archfifo "oci-archive:$W/arch.tar" "melee-image: " "an oci-archive with a FIFO as a blob"
done_testing
