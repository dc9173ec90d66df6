#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# While an import fills its partial tree (images-dir/.NAME.partial), the
# tree is closed to users: its root is root's, mode 0700, whatever the
# tarball's or the layer's own entry for the root says (here 0777, owned
# by alice), so that nobody walks into its world-writable directories
# before root has scanned it (tools/melee-image/melee-image.c
# make_partial).  The finished image's root is root's 0755.  Likewise a
# create's tree while debootstrap (a stand-in here) fills it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
F=$T/files
mkdir -m 755 "$F"
chmod 755 "$IMAGES"

# A layer whose root entry is alice's 0777, with a world-writable tmp,
# then 40000 files: long enough to look at the partial tree meanwhile.
busybox_layer "$W/base.tar" big
fx tar "$W/root.tar" <<'SPEC'
dir ./ mode=0777 uid=1501 gid=1501
dir tmp mode=01777
SPEC
fx bigtar "$W/big.tar" big 40000 4
oci_layout "$W/oci" big "$W/root.tar:none" "$W/base.tar" "$W/big.tar:none"
# The same as one tarball (GNU tar keeps the 0777 root entry "./").
mkdir -p "$W/tree"
for t in root base big; do tar -C "$W/tree" -xpf "$W/$t.tar" 2>/dev/null; done
chown 1501:1501 "$W/tree"; chmod 0777 "$W/tree"
tar -C "$W/tree" --numeric-owner -cf "$F/big.tar" .
is "$(tar -tvf "$F/big.tar" | head -1 | cut -c1-10)" "drwxrwxrwx" "(the tarball's root entry is 0777)"

# watch_import NAME SOURCE: what alice and root see of the partial tree
# while the import of NAME fills it, then the finished image.
watch_import() {
	local name=$1 src=$2 pid
	"$MELEE_IMAGE" --config "$CONF" --no-up import "$name" "$src" > "$W/$name.out" 2>&1 &
	pid=$!
	wait_for 120 sh -c "[ -d '$IMAGES/.$name.partial/tmp' ] || ! kill -0 $pid"
	ok "$(kill -0 "$pid" 2>/dev/null && [ -d "$IMAGES/.$name.partial" ]; echo $?)" "$name: the import is filling its partial tree"
	is "$(stat -c '%a %u' "$IMAGES/.$name.partial" 2>&1)" "700 0" "$name: the partial tree's root is root's 0700 meanwhile"
	run as alice ls "$IMAGES/.$name.partial/tmp"
	like "$rc:$out" "^2:.*Permission denied" "$name: alice cannot walk into it (its tmp is 1777)"
	run as alice touch "$IMAGES/.$name.partial/tmp/planted"
	ok "$( [ "$rc" -ne 0 ] && [ ! -e "$IMAGES/.$name.partial/tmp/planted" ]; echo $?)" "$name: nor plant a file in its tmp"
	wait "$pid"
	is "$?" 0 "$name: the import succeeds"
	sed 's/^/#   /' "$W/$name.out" | tail -3
	is "$(stat -c '%a %u %g' "$IMAGES/$name" 2>&1)" "755 0 0" "$name: the image's root is root's 0755"
	ok "$(test ! -e "$IMAGES/$name/tmp/planted"; echo $?)" "$name: nothing of alice's in it"
}
watch_import tarimg "$F/big.tar"
watch_import ociimg "oci:$W/oci"

# --file: the tree stays closed while mksquashfs packs it too (after the
# scan: what alice planted then would be in the file image unscanned);
# the file image's root is root's 0755.
"$MELEE_IMAGE" --config "$CONF" --no-up --file "$F/sq.sqsh" import sqimg "oci:$W/oci" > "$W/sq.out" 2>&1 &
pid=$!
packing() { [ "$(ps -o comm= --ppid "$pid" 2>/dev/null)" = mksquashfs ] || ! kill -0 "$pid" 2>/dev/null; }
wait_for 300 packing
ok "$([ "$(ps -o comm= --ppid "$pid" 2>/dev/null)" = mksquashfs ]; echo $?)" "--file: mksquashfs is packing the tree"
is "$(stat -c '%a %u' "$IMAGES/.sqimg.partial" 2>&1)" "700 0" "--file: the tree is root's 0700 while it is packed"
run as alice touch "$IMAGES/.sqimg.partial/tmp/planted"
ok "$( [ "$rc" -ne 0 ] && [ ! -e "$IMAGES/.sqimg.partial/tmp/planted" ]; echo $?)" "--file: alice cannot plant a file in its tmp meanwhile"
wait "$pid"
is "$?" 0 "--file: the import succeeds"
sed 's/^/#   /' "$W/sq.out" | tail -2
like "$(unsquashfs -lln "$F/sq.sqsh" 2>/dev/null | grep -m1 ' squashfs-root$')" "^drwxr-xr-x 0/0 " "--file: the file image's root is root's 0755"

# create: the stand-in debootstrap (bound over the real one in this
# namespace) records its target's mode and owner, then fails.
cat > "$W/debootstrap" <<EOS
#!/bin/sh
for a; do t=\$a; done
for a; do case \$a in /*partial) t=\$a;; esac; done
stat -c '%a %u' "\$t" > "$W/create-target"
exit 1
EOS
chmod 755 "$W/debootstrap"
mount --bind "$W/debootstrap" "$(command -v debootstrap)"
run "$MELEE_IMAGE" --config "$CONF" create made --suite bookworm
is "$(cat "$W/create-target" 2>&1)" "700 0" "create: debootstrap fills a root 0700 tree"
ok "$(test ! -e "$IMAGES/.made.partial"; echo $?)" "create: its failure removes the partial tree"
done_testing
