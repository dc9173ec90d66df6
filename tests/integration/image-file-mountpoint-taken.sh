#!/bin/bash
# A file image registered as NAME (pack --register NAME, import --file)
# is mounted on images-dir/NAME: a NAME whose images-dir/NAME is the tree
# of another image (one imported in place under another name), or holds
# files already, is refused before anything is packed or unpacked, else
# `melee-mounts up NAME` would mount over that tree and `remove NAME
# --delete-files` would delete it.  Nothing there, or an empty
# directory, is fine.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

bar_in_place
sum=$(tree_sum "$IMAGES/foo")

run mi pack bar "$T/files/bar.sqsh" --register foo
is "$rc:$out" "2:melee-image: 'foo' cannot name a file image: it would be mounted on $IMAGES/foo, the tree of image 'bar'" "pack --register NAME whose images-dir/NAME is another image's tree: refused"
ok_cmd "nothing packed" test ! -e "$T/files/bar.sqsh"
ok_cmd "nothing registered" test ! -e "$T/etc/images.d/foo.conf"

tar -C "$IMAGES/foo" --numeric-owner -cpf "$T/work/foo.tar" .
run mi --no-up import --file "$T/files/foo.sqsh" foo "$T/work/foo.tar"
is "$rc:$out" "2:melee-image: 'foo' cannot name a file image: it would be mounted on $IMAGES/foo, the tree of image 'bar'" "import --file under that NAME: refused too"
ok_cmd "no file, no partial tree, no registration" test ! -e "$T/files/foo.sqsh" -a ! -e "$IMAGES/.foo.partial" -a ! -e "$T/etc/images.d/foo.conf"
is "$(tree_sum "$IMAGES/foo")" "$sum" "bar's tree is untouched"
run mi --no-up import --file "$T/files/x.sqsh" '../foo' "$T/work/foo.tar"
is "$rc:$out" "2:melee-image: invalid image name '../foo' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})" "an invalid NAME is refused as such first"

# An unregistered tree left in images-dir.
fixture_tree "$IMAGES/left" left
run mi pack bar "$T/files/left.sqsh" --register left
is "$rc:$out" "2:melee-image: 'left' cannot name a file image: it would be mounted on $IMAGES/left, which holds files already (expected nothing there, or an empty directory)" "a NAME whose images-dir/NAME holds files: refused"
ok_cmd "nothing packed, nothing registered" test ! -e "$T/files/left.sqsh" -a ! -e "$T/etc/images.d/left.conf"

# An empty directory (a file image's mountpoint that up made) is fine.
mkdir -m 755 "$IMAGES/empty"
run mi pack bar "$T/files/empty.sqsh" --register empty
is "$rc" 0 "an empty images-dir/NAME: pack --register NAME succeeds"
run mi pack bar "$T/files/fresh.sqsh" --register fresh
is "$rc" 0 "nothing at images-dir/NAME: pack --register NAME succeeds"
done_testing
