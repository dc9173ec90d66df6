#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Layers written to exhaust melee-image rather than to escape: an opaque
# whiteout above a file 2040 directories deep (a recursion per level once
# overflowed the stack), a tree built deeper than any walk of ours through
# the layer's own symlinks (refused "too deep", nothing left), a partial
# tree of a crashed import, deeper than any walk, removed by the next
# import and by remove (and one still in use refused), overlayfs's and
# SELinux's xattrs dropped and counted, a 1 EiB GNU sparse entry of 1.5 KB
# refused, pack refusing a file mksquashfs cannot read, an images-dir that
# fills up stopped before it is full, and a layer compressed otherwise
# than its media type says refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
mkdir -p "$W"
busybox_layer "$W/base.tar" hostile

# Layer tars oci-fixture's SPEC lines cannot say (thousands of levels,
# pax sparse records); python3's tarfile writes them.
cat > "$W/craft.py" <<'PY'
import io, json, hashlib, os, sys, tarfile

def add(t, name, typ=tarfile.REGTYPE, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime = typ, 0o755 if typ == tarfile.DIRTYPE else 0o644, 1
    for k, v in kw.items():
        setattr(ti, k, v)
    ti.size = len(data) if typ == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if typ == tarfile.REGTYPE else None)

def deep(out, top, depth, leaf, opaque):
    # top/a/a/.../LEAF, DEPTH levels, then (opaque) top/.wh..wh..opq
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        add(t, top + "/" + "/".join(["a"] * int(depth)) + "/" + leaf, data=b"x")
        if opaque == "opaque":
            add(t, top + "/.wh..wh..opq")

def deep_links(out):
    # 5000 levels through two symlinks; no name is near PATH_MAX
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        p1 = "/".join(["a"] * 2000)
        add(t, p1 + "/f", data=b"x")
        add(t, "s", tarfile.SYMTYPE, linkname=p1)
        p2 = "s/" + "/".join(["b"] * 2000)
        add(t, p2 + "/f", data=b"x")
        add(t, "t", tarfile.SYMTYPE, linkname=p2)
        add(t, "t/" + "/".join(["c"] * 1000) + "/f", data=b"x")

def sparse(out, realsize):
    # GNU sparse 1.0 (pax): one byte of data, an apparent size of REALSIZE
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("GNUSparseFile.0/huge")
        ti.size, ti.mode, ti.mtime = 513, 0o644, 1
        ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                          "GNU.sparse.name": "huge", "GNU.sparse.realsize": str(realsize)}
        t.addfile(ti, io.BytesIO(b"1\n0\n1\n".ljust(512, b"\0") + b"x"))

def zeros(out, mib):
    # one file of MIB MiB of zeros (a few hundred KB gzip'ed)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("zeros")
        ti.size, ti.mode, ti.mtime = int(mib) << 20, 0o644, 1
        t.addfile(ti, io.BytesIO(bytes(ti.size)))

def deep_dirs(root, depth):
    # DEPTH directories below ROOT, made level by level (no path is long)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(int(depth)):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)

def retype(layout, n, mtype):
    # the media type of layer N of the layout's only image, digests redone
    def put(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs/sha256", d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    desc = index["manifests"][0]
    with open(os.path.join(layout, "blobs/sha256", desc["digest"][7:])) as f:
        manifest = json.load(f)
    manifest["layers"][int(n)]["mediaType"] = mtype
    desc["digest"], desc["size"] = put(json.dumps(manifest).encode())
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)

globals()[sys.argv[1]](*sys.argv[2:])
PY
craft() { /usr/bin/python3 "$W/craft.py" "$@"; }
# crashed RC: a signal ended melee-image (a stack overflow's SIGSEGV).
crashed() { [ "$1" -gt 128 ] && [ "$1" -ne 124 ]; }

# 1. An opaque whiteout in the directory above a file 2040 levels deep,
# and a lower layer's file as deep beside it: the lower file goes, the
# layer's own stays.
craft deep "$W/low.tar" top 2040 old none
craft deep "$W/opq.tar" top 2040 new opaque
oci_layout "$W/opq" opq "$W/base.tar" "$W/low.tar" "$W/opq.tar"
run timeout 300 "$MELEE_IMAGE" --config "$CONF" --no-up import opq "oci:$W/opq"
ok "$(! crashed "$rc"; echo $?)" "deep opaque whiteout: melee-image did not crash (exit $rc)"
is "$rc" 0 "deep opaque whiteout: imported"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -3 | cut -c1-200 | sed 's/^/#   /'
# find: the paths are longer than PATH_MAX from here.
is "$(find "$IMAGES/opq/top" -type f -printf '%d %f\n' 2>&1)" "2041 new" \
	"deep opaque whiteout: the layer's own file 2040 levels down stays, the lower one beside it is gone"
ok "$([ -x "$IMAGES/opq/bin/busybox" ]; echo $?)" "deep opaque whiteout: the rest of the tree is untouched"
ok "$([ -z "$(find "$IMAGES" -maxdepth 1 -name '.opq.partial*')" ]; echo $?)" \
	"deep opaque whiteout: no partial tree left"
drop opq

# An opaque whiteout at the root removes the lower layers' /bin/sh: no
# image, and no tree left at images-dir/NAME either.
/usr/bin/python3 -c 'import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    t.addfile(tarfile.TarInfo(".wh..wh..opq"), io.BytesIO(b""))' "$W/rootopq.tar"
oci_layout "$W/rootopq" rootopq "$W/base.tar" "$W/rootopq.tar"
refused rootopq "oci:$W/rootopq" "not an image" "an opaque whiteout at the root (no /bin/sh left)"

# 2. 5000 levels through the layer's own symlinks: refused when a
# directory would be deeper than an import makes them, nothing left.
craft deep_links "$W/links.tar"
oci_layout "$W/links" links "$W/base.tar" "$W/links.tar"
refused links "oci:$W/links" "too deep" "a tree 5000 levels deep through the layer's symlinks"
ok "$(! crashed "$rc"; echo $?)" "the deep tree: melee-image did not crash (exit $rc)"

# 3. A partial tree left by an import that crashed (no process holds its
# flock), 5000 levels deep: the next import of the name removes it and
# says so; one that a running import holds is refused and kept.
mkdir -p "$IMAGES/.stale.partial"
craft deep_dirs "$IMAGES/.stale.partial" 5000
oci_layout "$W/plain" plain "$W/base.tar"
run timeout 300 "$MELEE_IMAGE" --config "$CONF" --no-up import stale "oci:$W/plain"
is "$rc" 0 "an import over a stale partial tree 5000 levels deep succeeds"
like "$out" "^melee-image: stale: removed $IMAGES/\.stale\.partial, left by an import or create that no longer runs" \
	"and says it removed the stale partial tree"
ok "$([ ! -e "$IMAGES/.stale.partial" ] && [ -x "$IMAGES/stale/bin/busybox" ]; echo $?)" \
	"the new image is in place, the stale tree gone"
drop stale
mkdir -p "$IMAGES/.held.partial"
# The holder: a process of its own with the flock (as make_partial takes it).
/usr/bin/python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[1] + "/mine", "w").close()
time.sleep(300)' "$IMAGES/.held.partial" &
holder=$!
PIDS="$PIDS $holder"
wait_for 10 test -e "$IMAGES/.held.partial/mine"
run timeout 60 "$MELEE_IMAGE" --config "$CONF" --no-up import held "oci:$W/plain"
ok "$([ "$rc" -eq 1 ] && [ -e "$IMAGES/.held.partial/mine" ] && [ ! -e "$IMAGES/held" ]; echo $?)" \
	"a partial tree a running import holds: the import is refused (exit $rc), the tree kept"
like "$out" "still running" "and the message says the other import is still running"
run "$MELEE_IMAGE" --config "$CONF" remove held
ok "$([ "$rc" -eq 1 ] && [ -e "$IMAGES/.held.partial/mine" ]; echo $?)" "remove of the name refuses it too (exit $rc)"
kill "$holder"
wait "$holder" 2>/dev/null
run "$MELEE_IMAGE" --config "$CONF" remove held
ok "$([ "$rc" -eq 0 ] && [ ! -e "$IMAGES/.held.partial" ]; echo $?)" \
	"once its process is gone, remove of the name removes the partial tree (exit $rc)"
like "$out" "removed $IMAGES/\.held\.partial" "and says so"

# 4. overlayfs's private xattrs and an SELinux label from the image are
# not kept, and counted; user.* is.
oci_tar "$W/x.tar" <<'S'
dir ovl xattr.trusted.overlay.redirect=/etc xattr.trusted.overlay.opaque=y xattr.user.kept=yes
file sel data=x xattr.security.selinux=system_u:object_r:shadow_t:s0
S
oci_layout "$W/x" x "$W/base.tar" "$W/x.tar"
imported xa "oci:$W/x" "a layer with trusted.overlay.* and security.selinux: imported"
ok "$(/usr/bin/python3 -c 'import os, sys
names = os.listxattr(sys.argv[1]) + os.listxattr(sys.argv[2])
sys.exit(any(n.startswith(("trusted.", "security.")) for n in names))' "$IMAGES/xa/ovl" "$IMAGES/xa/sel"; echo $?)" \
	"no trusted.* or security.selinux xattr reaches the tree"
is "$(xattr_of "$IMAGES/xa/ovl" user.kept)" yes "user.* is kept"
like "$out" "^melee-image: xa: 3 xattrs not kept \(trusted\.\*, security\.\* but security\.capability\)$" \
	"a line counts the xattrs not kept"
drop xa

# 5. A GNU sparse entry of 1.5 KB that claims 1 EiB: refused.
craft sparse "$W/sparse.tar" $((1 << 60))
oci_layout "$W/sparse" sparse "$W/base.tar" "$W/sparse.tar"
refused sparse "oci:$W/sparse" "too large a file" "a 1 EiB sparse entry"

# 6. pack of a tree holding a file mksquashfs cannot read (1 EiB apparent
# size: "Failed to read file"): a failure, no file written.
mkdir -m 755 "$W/huge"
"$top_srcdir/tests/make-fixture-image" "$W/huge" huge >/dev/null
truncate -s $((1 << 60)) "$W/huge/huge"
mi --no-up import huge "$W/huge" >/dev/null 2>&1
run timeout 120 "$MELEE_IMAGE" --config "$CONF" pack huge "$W/huge.sqfs"
ok "$([ "$rc" -eq 1 ] && [ ! -e "$W/huge.sqfs" ]; echo $?)" \
	"pack of a file mksquashfs cannot read fails (exit $rc), no file written"
like "$out" "mksquashfs failed" "and says mksquashfs failed"
mi remove huge >/dev/null 2>&1

# 7. An images-dir that fills up: a 160 MB file of zeros (a small gzip
# layer) into a 128 MB tmpfs stops before the file system is full.
mount -t tmpfs -o size=128m,mode=0755 melee-small "$IMAGES"
craft zeros "$W/zeros.tar" 160
oci_layout "$W/zeros" zeros "$W/base.tar" "$W/zeros.tar"
refused zeros "oci:$W/zeros" "no space left for the image" "a layer larger than images-dir's free space"
unlike "$out" "No space left on device" "it stopped before the file system was full"
umount "$IMAGES"

# 8. A layer whose compression is not its media type's: refused.
oci_tar "$W/t.tar" <<'S'
file etc/typed data=x
S
oci_layout "$W/gz-as-tar" gzastar "$W/base.tar" "$W/t.tar:gzip"
craft retype "$W/gz-as-tar" 1 application/vnd.oci.image.layer.v1.tar
refused gzastar "oci:$W/gz-as-tar" "layer type mismatch" "a gzip layer declared tar"
oci_layout "$W/tar-as-zstd" tarzstd "$W/base.tar" "$W/t.tar:none"
craft retype "$W/tar-as-zstd" 1 application/vnd.oci.image.layer.v1.tar+zstd
refused tarzstd "oci:$W/tar-as-zstd" "layer type mismatch" "an uncompressed layer declared tar+zstd"
oci_layout "$W/zstd-as-gzip" zstdgzip "$W/base.tar" "$W/t.tar:zstd"
craft retype "$W/zstd-as-gzip" 1 application/vnd.oci.image.layer.v1.tar+gzip
refused zstdgzip "oci:$W/zstd-as-gzip" "layer type mismatch" "a zstd layer declared tar+gzip"
done_testing
