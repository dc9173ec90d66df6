#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files killed with SIGKILL in the middle of
# the walk (after it unregistered the image): the next remove of that
# name names the drop-in left aside (images.d/.NAME.conf.removing) and
# what to do, instead of "unknown image", and changes nothing; once the
# drop-in is renamed back, remove completes.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }

write_config
add_image demo "description = Demo image"
# Enough files that the walk is still running when it is killed.
for d in $(seq 1 100); do
	mkdir -p "$IMAGES/demo/var/tmp/b$d"
	(cd "$IMAGES/demo/var/tmp/b$d" && seq 1 1000 | xargs touch)
done

"$MELEE_IMAGE" --config "$CONF" remove demo --delete-files > "$T/work/out" 2>&1 &
pid=$!
wait_for 20 test -e "$T/etc/images.d/.demo.conf.removing"
kill -KILL "$pid"
wait "$pid"
is "$?" 137 "the first remove was killed by SIGKILL"
ok_cmd "it was killed mid-walk: the tree is partly there" test -d "$IMAGES/demo/var/tmp"
ok_cmd "its drop-in is left aside" test -e "$T/etc/images.d/.demo.conf.removing"

run mi remove demo --delete-files
is "$rc" 2 "a second remove exits 2"
like "$out" "image 'demo' is unregistered, and its removal was interrupted: $T/etc/images.d/.demo.conf.removing is left" \
	"it names the interrupted removal and the drop-in left aside"
like "$out" "Rename it back to demo.conf and run remove again" "it says what to do"
ok_cmd "it changed nothing: the drop-in is still aside" test -e "$T/etc/images.d/.demo.conf.removing"
ok_cmd "and the tree is still there" test -d "$IMAGES/demo/var/tmp"

run mi remove nosuch
is "$out" "melee-image: unknown image 'nosuch'" "an image never registered is still 'unknown'"

mv "$T/etc/images.d/.demo.conf.removing" "$T/etc/images.d/demo.conf"
run mi remove demo --delete-files
is "$rc" 0 "renamed back, remove completes"
ok_cmd "the tree is gone" test ! -e "$IMAGES/demo"
ok_cmd "nothing is left in images.d" test -z "$(ls -A "$T/etc/images.d")"

done_testing
