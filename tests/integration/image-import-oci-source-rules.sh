#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What melee-image import refuses in an OCI source, with the reason, and
# leaving nothing registered, no tree and no partial tree: several tags
# and none asked for, an unknown tag (both list the tags), a bad digest, a
# blob whose sha256 is not its name (one byte flipped), a missing blob, an
# image for another architecture, a layer type the spec does not have, a
# source a user owns or may write.  And what it accepts: one image
# without a tag, a tag of several, the host's image of a multi-platform one.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
busybox_layer "$W/base.tar" rules
oci_tar "$W/one.tar" <<'S'
file etc/tag data=one
S
oci_tar "$W/two.tar" <<'S'
file etc/tag data=two
S
# fresh DIR TAG...: a layout with one image per TAG (base + that tag's file).
fresh() {
	local d=$W/$1 tag
	shift
	rm -rf "$d"
	for tag in "$@"; do oci_layout "$d" "$tag" "$W/base.tar" "$W/$tag.tar"; done
}

fresh multi one two
refused m1 "oci:$W/multi" "tags: " "two images, no tag"
like "$out" "tags: (one, two|two, one)" "the tags are listed, comma-separated"
refused m2 "oci:$W/multi:three" "tags: " "an unknown tag"
like "$out" "tags: (one, two|two, one)" "the unknown tag's refusal lists the tags"
imported m3 "oci:$W/multi:two" "oci:DIR:TAG picks one of two images"
is "$(cat "$IMAGES/m3/etc/tag" 2>&1)" "two" "the tagged image's content"
fresh single one
imported s1 "oci:$W/single" "one image, no tag: imported"
is "$(cat "$IMAGES/s1/etc/tag" 2>&1)" "one" "its content"
"${SKOPEO[@]}" copy -q "oci:$W/multi:one" "oci-archive:$W/multi.tar:one" &&
	"${SKOPEO[@]}" copy -q "oci:$W/multi:two" "oci-archive:$W/multi.tar:two" 2> "$W/skopeo.log"
# (skopeo writes one image per archive: the second copy replaces it.)
refused a1 "oci-archive:$W/multi.tar:three" "tags: " "oci-archive: an unknown tag"

# Digests.
fresh bad one
manifest=$(oci_blob "$W/bad" one manifest)
sed -i "s/sha256:${manifest##*/}/sha256:${manifest##*/}X/" "$W/bad/index.json"
refused d1 "oci:$W/bad" "bad digest" "a digest of 65 hex digits"
fresh bad one
sed -i "s/sha256:${manifest##*/}/SHA256:$(printf '%s' "${manifest##*/}" | tr a-f A-F)/" "$W/bad/index.json"
refused d2 "oci:$W/bad" "bad digest" "an uppercase digest"
fresh bad one
sed -i "s/sha256:${manifest##*/}/sha256:..\/..\/..\/etc\/passwd/" "$W/bad/index.json"
refused d3 "oci:$W/bad" "bad digest" "a digest naming ../../../etc/passwd"

fresh flip one
layer=$(oci_blob "$W/flip" one layer:1)
size=$(stat -c %s "$layer")
# A byte in the middle of the gzip stream, inverted.
off=$((size / 2)) byte=$(od -An -tu1 -j "$off" -N1 "$layer")
printf "\\$(printf %o $((255 - byte)))" | dd of="$layer" bs=1 seek="$off" conv=notrunc status=none
ok "$(test "$(od -An -tu1 -j "$off" -N1 "$layer")" -eq $((255 - byte)); echo $?)" "the byte at $off is inverted"
is "$(stat -c %s "$layer")" "$size" "a byte flipped in a layer blob, same size, same name"
refused f1 "oci:$W/flip" "sha256 mismatch" "a layer blob whose sha256 is not its name"
fresh flip one
config=$(oci_blob "$W/flip" one config)
sed -i 's/"os": "linux"/"os": "Linux"/' "$config"
refused f2 "oci:$W/flip" "sha256 mismatch" "a config changed in place"

fresh gone one
rm "$(oci_blob "$W/gone" one layer:0)"
refused g1 "oci:$W/gone" "missing blob" "a layer blob listed but absent"
fresh gone one
rm "$(oci_blob "$W/gone" one config)"
refused g2 "oci:$W/gone" "missing blob" "the config blob absent"

# Another architecture, re-hashed all the way up: only the config says it.
host=$(host_goarch)
other=arm64; [ "$host" = arm64 ] && other=amd64
fresh arch one
fx set-config "$W/arch" one "architecture=$other"
refused r1 "oci:$W/arch" "architecture" "an image for $other"
like "$out" "$other" "the refusal names the image's architecture ($other)"
like "$out" "$host" "and the host's ($host)"
fresh arch one
fx set-config "$W/arch" one os=windows
refused r2 "oci:$W/arch" "windows" "an image for another os"

# A multi-platform image (an image index, as skopeo copy --all writes):
# the host's platform is picked, whichever comes first.
rm -rf "$W/multiarch"
oci_layout "$W/multiarch" other --arch "$other" "$W/base.tar" "$W/one.tar"
oci_layout "$W/multiarch" mine --arch "$host" "$W/base.tar" "$W/two.tar"
fx platform-index "$W/multiarch" both other mine
imported p1 "oci:$W/multiarch:both" "an index of $other and $host images: imported"
is "$(cat "$IMAGES/p1/etc/tag" 2>&1)" "two" "the $host image was picked"

rm -rf "$W/bz"; oci_layout "$W/bz" one "$W/base.tar" "$W/one.tar:bzip2"
refused u1 "oci:$W/bz" "unsupported layer type" "a tar+bzip2 layer"

# The source's owner and modes, like a tarball's (image-import-scan.sh).
fresh own one
chown 1501 "$(oci_blob "$W/own" one layer:1)"
refused o1 "oci:$W/own" "refused" "a blob owned by alice"
fresh own one
chmod 664 "$W/own/index.json"
refused o2 "oci:$W/own" "refused" "a group-writable index.json"
fresh own one
chmod 777 "$W/own/blobs/sha256"
refused o3 "oci:$W/own" "refused" "a world-writable blobs directory"
fresh own one
chown -R 1501 "$W/own"
refused o4 "oci:$W/own" "refused" "a layout directory alice owns"
"${SKOPEO[@]}" copy -q "oci:$W/multi:one" "oci-archive:$W/alice.tar" 2>> "$W/skopeo.log"
chown 1501 "$W/alice.tar"
refused o5 "oci-archive:$W/alice.tar" "refused" "an oci-archive owned by alice"
mkdir -m 1777 "$W/pub"
"${SKOPEO[@]}" copy -q "oci:$W/multi:one" "docker-archive:$W/pub/d.tar:m/one:latest" 2>> "$W/skopeo.log"
refused o6 "docker-archive:$W/pub/d.tar" "refused" "a docker-archive in a world-writable directory"
refused n1 "oci:$W/nosuch" "$W/nosuch" "a layout that does not exist"
refused n2 "oci:relative/dir" "absolute" "a relative layout path"
is "$(ls -A "$T/etc/images.d" | tr '\n' ' ')" "m3.conf p1.conf s1.conf " "only the three good imports are registered"
done_testing
