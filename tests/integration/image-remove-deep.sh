#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image remove --delete-files walks without recursion: 3000 nested
# directories that a user made in the image's /tmp are deleted, a tree
# deeper than the cap is refused (a user can build one in /tmp at will, so
# the image, perhaps partly deleted, stays unregistered and out of
# service), and nothing outside the image (a symlink's target) is touched.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config

# nest DIR N: N directories d/d/d/... below DIR, made 500 at a time
# relative to each other (the whole path is longer than PATH_MAX), a file
# at the bottom.
nest() {
	local chunk
	chunk=$(printf 'd/%.0s' $(seq 1 500))
	(cd -P "$1" && n=$2 &&
		while [ "$n" -gt 0 ]; do
			k=$((n < 500 ? n : 500))
			mkdir -p "${chunk:0:$((2 * k))}" && cd -P "${chunk:0:$((2 * k))}" || exit 1
			n=$((n - k))
		done && echo bottom > f)
}

add_image deep
mkdir -p "$T/precious"; echo data > "$T/precious/file"
nest "$IMAGES/deep/tmp" 3000; ok $? "3000 nested directories in the image's /tmp"
chown -R 1501 "$IMAGES/deep/tmp/d"
ln -s "$T/precious" "$IMAGES/deep/tmp/link"
ln -s "$T/precious/file" "$IMAGES/deep/tmp/d/d/filelink"
run mi remove --delete-files deep
is "$rc:$out" "0:melee-image: deep: deleted $IMAGES/deep
melee-image: deep: removed from the configuration ($T/etc/images.d/deep.conf)" "remove --delete-files deletes 3000 levels, then unregisters"
ok "$(test ! -e "$IMAGES/deep" && test ! -e "$T/etc/images.d/deep.conf"; echo $?)" "the tree and its registration are gone"
is "$(ls "$T/precious"):$(cat "$T/precious/file")" "file:data" "what the symlinks pointed to is intact"

add_image deeper
nest "$IMAGES/deeper/tmp" 4100; ok $? "4100 nested directories in another image"
run mi remove --delete-files deeper
is "$rc" "1" "a tree deeper than 4096 levels: remove fails (exit 1)"
like "$out" "more than 4096 directories deep; refusing to walk it; image 'deeper' stays unregistered \($T/etc/images.d/.deeper.conf.removing records it\)" "and says so"
ok "$(test ! -e "$T/etc/images.d/deeper.conf" && test -e "$T/etc/images.d/.deeper.conf.removing"; echo $?)" "the image stays unregistered, its drop-in aside"
out=$(mi list 2>&1)
unlike "$out" "^deeper " "and it is not listed"
done_testing
