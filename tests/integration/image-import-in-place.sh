#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import NAME images-dir/NAME registers the tree where it is
# (it was refused with a message recommending the very same command); a
# tarball, which needs images-dir/NAME free, still refuses an existing
# tree there and names the command that registers that tree.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config
mkfix() { "$top_srcdir/tests/make-fixture-image" "$1" "$2" >/dev/null; }

mkfix "$IMAGES/inplace" inplace
run mi --no-up import inplace "$IMAGES/inplace"
is "$rc:$out" "0:melee-image: inplace: registered in $T/etc/images.d/inplace.conf (MELEE fixture image (inplace, busybox))" "import NAME images-dir/NAME registers the tree in place"
is "$(grep '^path' "$T/etc/images.d/inplace.conf")" "path = $IMAGES/inplace" "at its own path"
is "$(cat "$IMAGES/inplace/marker")" "melee-fixture:inplace" "the tree is untouched"

mkfix "$IMAGES/slash" slash
run mi --no-up import slash "$IMAGES/slash/"
is "$rc:$(grep '^path' "$T/etc/images.d/slash.conf")" "0:path = $IMAGES/slash" "a trailing slash is dropped"

# A tree elsewhere may be registered under a name whose default path is
# taken: its registration names its own path.
mkdir -p "$T/site"; chmod 755 "$T/site"
mkfix "$T/site/other" other
mkfix "$IMAGES/other" other-default
run mi --no-up import other "$T/site/other"
is "$rc:$(grep '^path' "$T/etc/images.d/other.conf")" "0:path = $T/site/other" "a tree elsewhere registers although images-dir/NAME exists"

tar -C "$T/site/other" --numeric-owner -cpf "$T/work/t.tar" .
mkfix "$IMAGES/taken" taken
run mi --no-up import taken "$T/work/t.tar"
is "$rc:$out" "2:melee-image: $IMAGES/taken already exists; 'melee-image import taken $IMAGES/taken' registers it" "a tarball onto an existing images-dir/NAME is refused, naming the command that registers the tree"
run mi --no-up import taken "$IMAGES/taken"
is "$rc" "0" "and that command works"
done_testing
