#!/bin/bash
# Finding: `melee-image remove NAME --delete-files` deletes a tree that
# another registered image uses.  A file image registered as foo (pack
# --register foo, or by hand) mounts on images-dir/foo; when that is the tree of image
# bar (imported in place), removing foo deletes bar's whole tree.
# Run as root from a built worktree; everything happens in the test
# namespace (tests/lib.sh).  The test
# tests/integration/image-remove-shared-tree.sh is the full version.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
setup_accounts
write_config
mkdir -m 755 "$T/files"
"$top_srcdir/tests/make-fixture-image" "$IMAGES/foo" foo >/dev/null
mi --no-up import bar "$IMAGES/foo" >/dev/null
mi pack bar "$T/files/bar.sqsh" >/dev/null
printf "[image foo]\nsource = %s\n" "$T/files/bar.sqsh" > "$T/etc/images.d/foo.conf"; chmod 644 "$T/etc/images.d/foo.conf"
run mi remove foo --delete-files
echo "# rc=$rc: $out"
ok_cmd "bar's tree survives remove foo --delete-files" test -x "$IMAGES/foo/bin/busybox"
done_testing
