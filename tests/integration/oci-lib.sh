# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the OCI import tests (image-import-oci-*.sh): layer tars and
# OCI image layouts built byte by byte with tests/oci-fixture (Debian's
# python3), umoci and skopeo offline, the listing two trees are compared
# by, and the checks every refused import shares (nothing registered, no
# tree, no partial tree).  Source after tests/lib.sh.
. "$top_srcdir/tests/integration/images-lib.sh"

OCI_FIXTURE=$top_srcdir/tests/oci-fixture
for t in umoci skopeo /usr/bin/python3 zstd; do
	command -v "$t" >/dev/null || skip_all "$t not found (tests/install-deps installs tests/deps.txt)"
done
# skopeo's own policy, not the host's /etc/containers: local transports only.
SKOPEO=(skopeo --insecure-policy)

fx() { /usr/bin/python3 "$OCI_FIXTURE" "$@"; }

# oci_tar OUT.tar < SPEC: a layer tar from tests/oci-fixture's SPEC lines.
oci_tar() { fx tar "$1"; }

# oci_layout DIR TAG [--arch A] LAYER.tar[:gzip|zstd|none|bzip2]...
oci_layout() { fx layout "$@"; }

# oci_blob DIR TAG config|manifest|layer:N: the path of that blob.
oci_blob() { fx blob "$@"; }

# busybox_layer OUT.tar [NAME]: the busybox fixture tree (make-fixture-
# image) as a root-owned layer tar, the base of the small images.
busybox_layer() {
	local d=$T/work/bb-tree-$$-$RANDOM
	"$top_srcdir/tests/make-fixture-image" "$d" "${2:-oci}" >/dev/null &&
		tar -C "$d" --numeric-owner --owner=0 --group=0 -cf "$1" . &&
		rm -rf "$d"
}

# host_goarch: the host's architecture by Go's names (the OCI config's).
host_goarch() {
	case $(uname -m) in
	x86_64) echo amd64 ;; aarch64) echo arm64 ;; i?86) echo 386 ;;
	armv7l) echo arm ;; ppc64le) echo ppc64le ;; s390x) echo s390x ;;
	riscv64) echo riscv64 ;; *) uname -m ;;
	esac
}

# listing ROOT: what must be equal in two trees (tests/oci-fixture
# listing), the root directory itself left out.
listing() { fx listing "$1"; }

# same_tree GOT WANT DESCRIPTION: one test; the first differences shown.
# WANT is a tree, or a file holding its listing.
same_tree() {
	local d
	if [ ! -d "$1" ]; then
		ok 1 "$3"
		echo "#   no tree at $1"
		return
	fi
	d=$(diff -u <(if [ -f "$2" ]; then cat "$2"; else listing "$2"; fi) <(listing "$1"))
	ok $? "$3"
	[ -z "$d" ] || printf '%s\n' "$d" | head -40 | sed 's/^/#   /'
}

# umoci_rootfs SRC BUNDLE: umoci unpack of SRC (DIR:TAG) into BUNDLE;
# prints BUNDLE/rootfs.
umoci_rootfs() {
	umoci unpack --image "$1" "$2" > "$2.log" 2>&1 || { cat "$2.log" >&2; return 1; }
	echo "$2/rootfs"
}

# nothing_left NAME [FILE]: no images.d/NAME.conf, no images-dir/NAME, no
# .NAME.partial* under images-dir, and no FILE (the --file output).
nothing_left() {
	[ ! -e "$T/etc/images.d/$1.conf" ] && [ ! -e "$IMAGES/$1" ] &&
		[ -z "$(find "$IMAGES" -maxdepth 1 -name ".$1.partial*" -print -quit)" ] &&
		{ [ -z "${2:-}" ] || [ ! -e "$2" ]; }
}

# refused NAME SOURCE WORDS DESCRIPTION [IMPORT-OPTIONS...]: import of
# SOURCE as NAME exits non-zero, a "melee-image: " line of its output
# contains WORDS (a fixed string), and nothing is left: three tests.
refused() {
	local name=$1 src=$2 words=$3 desc=$4
	shift 4
	run timeout 120 "$MELEE_IMAGE" --config "$CONF" "$@" --no-up import "$name" "$src"
	# melee-image refuses with 1 or 2 (die, die_status); 124 is the timeout,
	# 126/127 a missing binary, above 128 a signal: none of them a refusal.
	ok "$( [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; echo $?)" "$desc: refused (exit $rc)"
	[ "$rc" -ne 0 ] || printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
	hit=$(printf '%s\n' "$out" | grep '^melee-image: ' | grep -F -- "$words")
	ok "$([ -n "$hit" ]; echo $?)" "$desc: the message says \"$words\""
	[ -n "$hit" ] || printf '%s\n' "$out" | head -5 | sed 's/^/#   /'
	ok "$(nothing_left "$name"; echo $?)" "$desc: nothing registered, no tree, no partial tree"
}

# imported NAME SOURCE DESCRIPTION [IMPORT-OPTIONS...]: import --no-up
# succeeds and registers NAME: one test.
imported() {
	local name=$1 src=$2 desc=$3
	shift 3
	run timeout 600 "$MELEE_IMAGE" --config "$CONF" "$@" --no-up import "$name" "$src"
	ok "$( [ "$rc" -eq 0 ] && [ -e "$T/etc/images.d/$name.conf" ]; echo $?)" "$desc"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
}

# xattr_of PATH NAME: the value of PATH's extended attribute NAME.
xattr_of() {
	/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())' "$1" "$2" 2>&1
}

# drop NAME: unregisters NAME and deletes its files (not mounted).
drop() { mi remove "$1" --delete-files >/dev/null 2>&1; }

# trixie_oci: sets OCI_TRIXIE to an OCI layout (tag "trixie") made offline
# from the cached trixie minbase tarball (images-lib.sh's cached_image
# makes it when missing), cached under $IMAGE_CACHE keyed by the
# tarball's sha256; prints "cache hit" or "cache miss" on fd 3 if open.
# Layer 1 is the minbase as it is.  Layer 2 (umoci repack of the changed
# tree) deletes a file and a directory, takes the device nodes out and
# the setuid and setgid bits off (so that it imports without --trusted),
# adds a hard link to a layer 1 file, a symlink, a sticky directory and a
# file with a user.* xattr.  Layer 3 (crafted, umoci raw add-layer) makes
# /etc/apt/apt.conf.d opaque, whites out a tree of layer 1, hard-links a
# layer 1 file again and adds a sticky directory with an xattr.
trixie_oci() {
	local arch tarball key b
	arch=$(dpkg --print-architecture)
	tarball=$IMAGE_CACHE/trixie-$arch-minbase.tar
	if [ ! -s "$tarball" ]; then
		cached_image oci-trixie-base trixie || return 1
		drop oci-trixie-base
	fi
	# (v3: the key of this recipe; a change to it makes a new cache.)
	key=v3-$(sha256sum < "$tarball" | cut -c1-16)
	OCI_TRIXIE=$IMAGE_CACHE/oci-trixie-$key
	if [ -s "$OCI_TRIXIE/index.json" ]; then
		echo "cache hit: oci-trixie-$key" >&3
		return 0
	fi
	b=$IMAGE_CACHE/.oci-trixie-$key.tmp.$$
	rm -rf "$b"
	trixie_oci_build "$tarball" "$b" || { rm -rf "$b"; return 1; }
	mv "$b/layout" "$OCI_TRIXIE" && rm -rf "$b" || return 1
	echo "cache miss: oci-trixie-$key" >&3
}

# trixie_oci_build TARBALL DIR: trixie_oci's layout made in DIR/layout.
trixie_oci_build() {
	local tarball=$1 b=$2 r
	mkdir -p "$b" && umoci init --layout "$b/layout" && umoci new --image "$b/layout:trixie" &&
		umoci unpack --image "$b/layout:trixie" "$b/bundle" > /dev/null || return 1
	r=$b/bundle/rootfs
	tar -C "$r" --numeric-owner -xpf "$tarball" &&
		umoci repack --refresh-bundle --image "$b/layout:trixie" "$b/bundle" || return 1
	rm -f "$r/usr/bin/rgrep" &&
		find "$r/dev" \( -type c -o -type b \) -delete &&
		rm -rf "$r/usr/share/doc/apt" &&
		find "$r" -xdev -type f -perm /6000 -exec chmod ug-s {} + &&
		chmod 00755 "$r/var/mail" &&
		ln "$r/usr/bin/dpkg" "$r/usr/local/bin/dpkg-hardlink" &&
		ln -s ../lib/os-release "$r/usr/local/os-release-link" &&
		mkdir -m 1777 "$r/srv/dropbox" &&
		echo "built by oci-lib.sh" > "$r/etc/melee-oci" &&
		/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.melee", b"layer-2")' "$r/etc/melee-oci" &&
		umoci repack --image "$b/layout:trixie" "$b/bundle" || return 1
	oci_tar "$b/layer3.tar" <<-'S' || return 1
	file etc/apt/apt.conf.d/.wh..wh..opq
	file etc/apt/apt.conf.d/99melee data=//melee-oci
	file usr/share/.wh.common-licenses
	hardlink usr/local/bash-hardlink target=usr/bin/bash
	dir srv/sticky-xattr mode=01777 xattr.user.melee=layer-3
	symlink srv/motd-link target=/etc/motd
	S
	umoci raw add-layer --image "$b/layout:trixie" "$b/layer3.tar" &&
		umoci gc --layout "$b/layout" &&
		chmod -R go-w "$b/layout"
}
