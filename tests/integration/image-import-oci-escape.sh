#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No layer entry of an OCI image writes, links or deletes outside the new
# tree, written the way the container tools' CVEs were: "../" names,
# absolute names, an entry below a symlink that leads out (absolute and
# relative, from a lower layer and from the same layer), a whiteout and an
# opaque whiteout below such a symlink, hard links to a target outside,
# a hard link to a symlink that leads out and a file then written over it.
# OUTSIDE is this test's own directory with a canary; each case checks
# that nothing there changed and that the import either failed with
# "escapes the image" (nothing registered, no tree) or put the entry
# where a chroot would (RESOLVE_IN_ROOT): the image holds the directories
# of OUTSIDE's path, with its own canary, so that the place exists.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
O=$T/OUTSIDE
IN=${O#/}                 # OUTSIDE's place inside an image
UP=$(printf '../%.0s' $(seq 1 16))
mkdir -m 755 "$O"
echo canary > "$O/canary"
echo host-secret > "$O/secret"
outside() { (cd "$O" && find . -printf '%p %y %m %s %T@ %n\n' | sort && cat canary secret); }
before=$(outside)

# The lower layers every case starts from: a busybox tree (an import
# checks that the result has a /bin/sh) and OUTSIDE's path inside it.
busybox_layer "$W/base.tar" escape
{
	p=""
	for c in ${IN//\// }; do p=${p:+$p/}$c; echo "dir $p"; done
	echo "file $IN/canary data=inside-canary"
	echo "file $IN/secret data=inside-secret"
} | oci_tar "$W/place.tar"

# attack NAME DESCRIPTION CHECK LAYER-SPEC [LAYER-SPEC]: a layout of
# place.tar and the layers (SPEC lines, one layer per argument), imported;
# CHECK is a command run on the tree when the import succeeded.
n=0
attack() {
	local name=$1 desc=$2 check=$3 layers=() tree
	shift 3
	for spec in "$@"; do
		n=$((n + 1))
		printf '%s\n' "$spec" | oci_tar "$W/$name-$n.tar"
		layers+=("$W/$name-$n.tar")
	done
	oci_layout "$W/$name" "$name" "$W/base.tar" "$W/place.tar" "${layers[@]}"
	run timeout 120 "$MELEE_IMAGE" --config "$CONF" --no-up import "$name" "oci:$W/$name"
	is "$(outside)" "$before" "$desc: nothing outside the tree changed"
	tree=$IMAGES/$name
	if [ "$rc" -eq 0 ]; then
		(cd "$tree" && eval "$check")
		st=$? what="imported, and the entry is inside the tree where a chroot puts it"
	else
		printf '%s\n' "$out" | grep '^melee-image: ' | grep -qF "escapes the image" && nothing_left "$name"
		st=$? what="refused with \"escapes the image\", nothing left"
	fi
	ok "$st" "$desc: $what"
	[ "$st" -eq 0 ] || printf '%s\n' "exit status $rc" "$out" | head -4 | sed 's/^/#   /'
}
# is_file PATH CONTENT: PATH in the current directory is a regular file
# (not through a symlink) holding CONTENT.
is_file() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(cat "$1")" = "$2" ]; }

attack dotdot "entry $UP${IN}/x" "is_file $IN/x evil" \
	"file $UP$IN/x data=evil"
attack absolute "entry $O/x (absolute)" "is_file $IN/x evil" \
	"file $O/x data=evil"
attack abslink "layer 1 etc -> $O, layer 2 etc/x" "[ -L etc ] && is_file $IN/x evil" \
	"symlink etc target=$O" "file etc/x data=evil"
attack rellink "layer 1 etc -> $UP$IN, layer 2 etc/x" "[ -L etc ] && is_file $IN/x evil" \
	"symlink etc target=$UP$IN" "file etc/x data=evil"
attack samelayer "etc -> $O and etc/x in one layer" "[ -L etc ] && is_file $IN/x evil" \
	"symlink etc target=$O
file etc/x data=evil"
attack samerel "etc -> $UP$IN and etc/x in one layer" "[ -L etc ] && is_file $IN/x evil" \
	"symlink etc target=$UP$IN
file etc/x data=evil"
attack dirlink "layer 1 etc -> $O, layer 2 directory etc/sub and etc/sub/x" "is_file $IN/sub/x evil" \
	"symlink etc target=$O" "dir etc/sub
file etc/sub/x data=evil"
attack whiteout "layer 1 link -> $O, layer 2 link/.wh.canary" "[ ! -e $IN/canary ] && is_file $IN/secret inside-secret" \
	"symlink link target=$O" "file link/.wh.canary"
attack whiteoutrel "layer 1 link -> $UP$IN, layer 2 link/.wh.canary" "[ ! -e $IN/canary ]" \
	"symlink link target=$UP$IN" "file link/.wh.canary"
attack opaque "layer 1 link -> $O, layer 2 link/.wh..wh..opq" "[ -z \"\$(ls -A $IN)\" ]" \
	"symlink link target=$O" "file link/.wh..wh..opq"
attack hardrel "hard link h to $UP$IN/secret" "is_file h inside-secret && [ h -ef $IN/secret ]" \
	"hardlink h target=$UP$IN/secret"
attack hardabs "hard link h to $O/secret" "is_file h inside-secret && [ h -ef $IN/secret ]" \
	"hardlink h target=$O/secret"
attack hardvia "layer 1 s -> $O, layer 2 hard link h to s/secret" "is_file h inside-secret" \
	"symlink s target=$O" "hardlink h target=s/secret"
# The hard link links the symlink itself; the file written over it later
# replaces it (or, followed beneath the root, writes the image's secret).
attack hardsym "hard link h2 to s -> $O/secret, then a file h2" \
	"is_file h2 evil || is_file $IN/secret evil" \
	"symlink s target=$O/secret
hardlink h2 target=s" "file h2 data=evil"
attack hardsym1 "hard link h2 to s -> $O/secret and a file h2, one layer" \
	"is_file h2 evil || is_file $IN/secret evil" \
	"symlink s target=$O/secret
hardlink h2 target=s
file h2 data=evil"
is "$(outside)" "$before" "in the end OUTSIDE is as it was"
done_testing
