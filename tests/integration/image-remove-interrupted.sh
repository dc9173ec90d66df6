#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files killed with SIGKILL in the middle of
# the walk (after it unregistered the image): the image stays
# unregistered, and the next remove of that name finds the drop-in left
# aside (images.d/.NAME.conf.removing), says so, and finishes the job
# instead of answering "unknown image".
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

ok_cmd "meanwhile the image is not listed" sh -c "! '$MELEE_IMAGE' --config '$CONF' list | grep -q '^demo '"

run mi remove nosuch
is "$out" "melee-image: unknown image 'nosuch'" "an image never registered is still 'unknown'"

run mi remove demo --delete-files
is "$rc" 0 "a second remove finishes the first"
like "$out" "demo: finishing the removal that was cut short \($T/etc/images.d/.demo.conf.removing\)" \
	"it names the removal that was cut short and its drop-in"
ok_cmd "the tree is gone" test ! -e "$IMAGES/demo"
ok_cmd "nothing is left in images.d" test -z "$(ls -A "$T/etc/images.d")"

done_testing
