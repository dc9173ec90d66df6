#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import oci:DIR applies an image's layers as the OCI image
# spec says and as umoci unpack does: .wh.NAME deletes a file or a whole
# tree of a lower layer, .wh..wh..opq empties a directory of what lower
# layers put there, a layer's whiteouts never remove that layer's own
# entries, no .wh. file remains; hard links across layers, symlinks,
# sticky directories, user.* xattrs on files and directories, FIFOs; gzip,
# zstd and uncompressed layers.  A small busybox image, compared path by
# path with umoci unpack (umoci 0.4 reads no zstd: the image with a zstd
# layer is compared with umoci's unpack of the same layers gzipped).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
busybox_layer "$W/l1-base.tar" layers
# Lower layer: what the upper ones delete, hide, link to and change.
oci_tar "$W/l1-extra.tar" <<'S'
dir opt
dir opt/keep
file opt/keep/a data=first
file opt/keep/b data=second
dir opt/gone
dir opt/gone/deep
file opt/gone/deep/f data=deep
file etc/victim data=victim
dir srv
dir srv/opq
file srv/opq/f1 data=f1
dir srv/opq/sub
file srv/opq/sub/f2 data=f2
dir srv/becomes-file
file srv/becomes-dir data=file
dir srv/chmod mode=0700
S
# tar concatenation is not a tar: one lower layer of both, rebuilt.
mkdir "$W/l1" && tar -C "$W/l1" -xpf "$W/l1-base.tar" && tar -C "$W/l1" -xpf "$W/l1-extra.tar" &&
	tar -C "$W/l1" --numeric-owner -cf "$W/l1.tar" . && rm -rf "$W/l1"
oci_tar "$W/l2.tar" <<'S'
file opt/same data=same-layer
file opt/.wh.same
file etc/.wh.victim
file opt/.wh.gone
file srv/opq/.wh..wh..opq
file srv/opq/new data=new-in-opaque
hardlink opt/hl target=opt/keep/a
symlink opt/sym target=keep/b
symlink opt/abs target=/etc/passwd
dir opt/sticky mode=01777
fifo opt/fifo
file opt/xattr data=x mode=0640 uid=0 gid=1600 xattr.user.melee=file-attr
dir opt/xdir xattr.user.melee=dir-attr
file srv/.wh.becomes-file
file srv/becomes-file data=now-a-file
file srv/.wh.becomes-dir
dir srv/becomes-dir
file srv/becomes-dir/inside data=inside
dir srv/chmod mode=0751
S
oci_tar "$W/l3.tar" <<'S'
file opt/keep/b data=second-changed
hardlink opt/hl2 target=opt/hl
file opt/keep/.wh..wh..opq
file opt/keep/c data=c-only
S

# One image per compression mix, and its umoci twin (gzip, none only).
oci_layout "$W/gz" gz "$W/l1.tar" "$W/l2.tar" "$W/l3.tar"
oci_layout "$W/mix" mix "$W/l1.tar:none" "$W/l2.tar:zstd" "$W/l3.tar:gzip"
oci_layout "$W/plain" plain "$W/l1.tar:none" "$W/l2.tar:none" "$W/l3.tar:none"
want=$(umoci_rootfs "$W/gz:gz" "$W/umoci-gz")
ok $? "umoci unpacks the three-layer image"
# What the fixture is: these prove the layers above do what they say.
ok "$( [ ! -e "$want/etc/victim" ] && [ ! -e "$want/opt/gone" ] && [ ! -e "$want/srv/opq/f1" ] &&
	[ -f "$want/opt/same" ] && [ -f "$want/srv/becomes-file" ] && [ -d "$want/srv/becomes-dir" ] &&
	[ "$(stat -c %i "$want/opt/hl")" = "$(stat -c %i "$want/opt/hl2")" ] &&
	[ "$(stat -c %a "$want/opt/sticky")" = 1777 ]; echo $?)" \
	"umoci's tree has the deletion, opaque directory, same-layer entry, hard link and sticky dir"

for img in gz mix plain; do
	imported "$img" "oci:$W/$img" "import oci:DIR ($img layers): registered"
	same_tree "$IMAGES/$img" "$want" "oci:DIR ($img): the tree equals umoci unpack's"
	is "$(find "$IMAGES/$img" -name '.wh.*' 2>&1 | wc -l)" 0 "oci:DIR ($img): no .wh. file left"
done
t=$IMAGES/gz
is "$(cat "$t/opt/same" 2>&1)" "same-layer" "a layer's whiteout does not remove that layer's own entry"
is "$(ls "$t/srv/opq" 2>&1)" "new" "the opaque directory holds only the upper layer's entry"
is "$(ls "$t/opt/keep" 2>&1 | tr '\n' ' ')" "b c " "an opaque directory in layer 3 hides what layer 1 put there, not layer 3's own b"
is "$(stat -c '%h %i' "$t/opt/hl" 2>&1)" "$(stat -c '%h %i' "$t/opt/hl2" 2>&1)" "a hard link to a hard link of a lower layer's file: one inode"
is "$(readlink "$t/opt/sym"):$(readlink "$t/opt/abs")" "keep/b:/etc/passwd" "symlinks kept as written"
is "$(stat -c '%F %a' "$t/opt/fifo" 2>&1)" "fifo 644" "the FIFO is created"
is "$(stat -c '%u:%g %a' "$t/opt/xattr" 2>&1)" "0:1600 640" "numeric owner and mode kept"
is "$(xattr_of "$t/opt/xattr" user.melee):$(xattr_of "$t/opt/xdir" user.melee)" \
	"file-attr:dir-attr" "user.* xattrs on a file and a directory"
is "$(stat -c %a "$t/srv/chmod" 2>&1)" 751 "a directory listed again takes the upper layer's mode"
is "$(stat -c %Y "$t/opt/keep/c" 2>&1)" 1700000000 "the entry's mtime is kept"

# The same layers from oci-archive: (skopeo, offline) and the tags.
"${SKOPEO[@]}" copy -q "oci:$W/gz:gz" "oci-archive:$W/gz.tar:gz" > "$W/skopeo.log" 2>&1
ok $? "skopeo copy oci:... oci-archive:... (local)"
imported gzarch "oci-archive:$W/gz.tar:gz" "import oci-archive:FILE:TAG"
same_tree "$IMAGES/gzarch" "$want" "oci-archive: the tree equals umoci unpack's"
# (docker's manifests have no zstd layer type: skopeo refuses to write one.)
"${SKOPEO[@]}" copy -q "oci:$W/plain:plain" "docker-archive:$W/docker.tar:melee/plain:latest" >> "$W/skopeo.log" 2>&1
ok $? "skopeo copy oci:... docker-archive:... (local)"
imported docker "docker-archive:$W/docker.tar" "import docker-archive:FILE"
same_tree "$IMAGES/docker" "$want" "docker-archive: the tree equals umoci unpack's"

# docker save of docker 25 and later: an OCI layout (oci-layout,
# index.json, blobs/sha256) and docker's manifest.json naming the same
# blobs ("blobs/sha256/HEX"), in one tar.  Made from the layout "plain"
# (uncompressed layers, as docker writes them).
rm -rf "$W/d25" && cp -a "$W/plain" "$W/d25" &&
	python3 - "$W/d25" <<'PY'
import json, os, sys
d = sys.argv[1]
def blob(digest):
    return "blobs/sha256/" + digest.split(":", 1)[1]
index = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(os.path.join(d, blob(index["manifests"][0]["digest"]))))
json.dump([{"Config": blob(m["config"]["digest"]), "RepoTags": ["melee/plain:latest"],
            "Layers": [blob(l["digest"]) for l in m["layers"]]}],
          open(os.path.join(d, "manifest.json"), "w"))
PY
tar -C "$W/d25" --numeric-owner --owner=0 --group=0 -cf "$W/docker25.tar" oci-layout index.json manifest.json blobs
ok $? "a docker 25 save: the layout and a manifest.json in one tar"
imported docker25 "docker-archive:$W/docker25.tar" "import docker-archive:FILE of a docker 25 save"
same_tree "$IMAGES/docker25" "$want" "docker-archive: (docker 25) the tree equals umoci unpack's"
imported docker25t "docker-archive:$W/docker25.tar:latest" "import docker-archive:FILE:TAG of a docker 25 save"
imported docker25o "oci-archive:$W/docker25.tar" "the same tar as oci-archive:FILE"
same_tree "$IMAGES/docker25o" "$want" "oci-archive: (docker 25) the tree equals umoci unpack's"
done_testing
