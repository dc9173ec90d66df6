#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real release from the container world: trixie minbase made into a
# three-layer OCI image offline with umoci (oci-lib.sh's trixie_oci,
# cached), then carried by skopeo (local transports) to an oci-archive and
# a docker-archive.  Each of oci:DIR, oci:DIR:TAG, oci-archive:FILE and
# docker-archive:FILE imports to the tree umoci unpack makes of it (paths,
# types, modes, owners, sizes, contents, symlink targets, hard-link
# groups, xattrs); so does --file, a squashfs file compared through the
# mounted image.  Then alice lands in it with melee and with ssh
# alice+IMAGE.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
setup_nss
private_dir /tmp 1777
write_config
W=$T/work
F=$T/files
mkdir -m 755 "$F"
trixie_oci 3>>"$W/cache.log"
ok $? "the trixie OCI layout is ready ($(tail -1 "$W/cache.log" 2>/dev/null))"
[ -n "${OCI_TRIXIE:-}" ] && [ -s "$OCI_TRIXIE/index.json" ] || { done_testing; exit 1; }
is "$(umoci ls --layout "$OCI_TRIXIE")" "trixie" "its one tag is trixie"
is "$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["layers"]))' "$(oci_blob "$OCI_TRIXIE" trixie manifest)")" 3 "it has three layers"

want=$(umoci_rootfs "$OCI_TRIXIE:trixie" "$W/umoci")
ok $? "umoci unpack of it"
listing "$want" > "$W/want.list"
# What the layers did, in umoci's tree: the fixture is what it says.
r=$want
ok "$( [ ! -e "$r/usr/bin/rgrep" ] && [ ! -e "$r/usr/share/doc/apt" ] && [ ! -e "$r/usr/share/common-licenses" ] &&
	[ -z "$(find "$r/dev" -type c -o -type b)" ] && [ -z "$(find "$r" -perm /6000 -print -quit)" ] &&
	[ "$(ls "$r/etc/apt/apt.conf.d")" = 99melee ] &&
	[ "$r/usr/local/bin/dpkg-hardlink" -ef "$r/usr/bin/dpkg" ] &&
	[ "$r/usr/local/bash-hardlink" -ef "$r/usr/bin/bash" ] &&
	[ "$(stat -c %a "$r/srv/dropbox")" = 1777 ] && [ -L "$r/srv/motd-link" ] &&
	[ "$(xattr_of "$r/etc/melee-oci" user.melee)" = layer-2 ]; echo $?)" \
	"umoci's tree: deletions, no devices or setuid, opaque directory, hard links across layers, sticky dir, symlink, xattr"

"${SKOPEO[@]}" copy -q "oci:$OCI_TRIXIE:trixie" "oci-archive:$W/trixie-oci.tar:trixie" > "$W/skopeo.log" 2>&1
ok $? "skopeo copy to oci-archive (local transports)"
"${SKOPEO[@]}" copy -q "oci:$OCI_TRIXIE:trixie" "docker-archive:$W/trixie-docker.tar:melee/trixie:latest" >> "$W/skopeo.log" 2>&1
ok $? "skopeo copy to docker-archive (local transports)"

# import_same NAME SOURCE [OPTIONS...]: imported without --trusted, the
# same tree as umoci's, then removed (the memory of a tmpfs).
import_same() {
	imported "$1" "$2" "import $2: registered without --trusted"
	same_tree "$IMAGES/$1" "$W/want.list" "import $2: the tree equals umoci unpack's"
}
import_same toci "oci:$OCI_TRIXIE"
import_same ttag "oci:$OCI_TRIXIE:trixie"
drop ttag
import_same tarch "oci-archive:$W/trixie-oci.tar"
drop tarch
import_same tdock "docker-archive:$W/trixie-docker.tar"
drop tdock

imported tfile "oci-archive:$W/trixie-oci.tar" "import --file FILE: registered" --file "$F/trixie.sqsh"
is "$(sed -n 's/^source = //p' "$T/etc/images.d/tfile.conf" 2>&1)" "$F/trixie.sqsh" "registered with source = FILE"
is "$(stat -c '%U %a' "$F/trixie.sqsh" 2>&1)" "root 600" "the file is root's, 0600"
is "$(ls -A "$IMAGES")" "toci" "no unpacked tree or partial tree left behind"
ok_cmd "melee-mounts up tfile" mm up tfile
# The squashfs alone, without the binds up put over it.
mkdir "$W/view" && mount --bind "$IMAGES/tfile" "$W/view"
same_tree "$W/view" "$W/want.list" "import --file: the mounted file image equals umoci unpack's"
umount "$W/view"

ok_cmd "melee-mounts up toci" mm up toci
install_melee
cd /   # (melee runs the command in the directory it was started from: / is in every image)
run as alice "$T/bin/melee" toci cat /etc/os-release /etc/melee-oci
like "$out" "^VERSION_CODENAME=trixie$" "melee toci cat /etc/os-release as alice: trixie"
like "$out" "^built by oci-lib.sh$" "and the OCI image's own file"
run as alice "$T/bin/melee" tfile cat /etc/melee-oci
is "$rc:$out" "0:built by oci-lib.sh" "melee tfile (the file image): the same"

start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
run key alice+toci@127.0.0.1 '. /etc/os-release; echo "$VERSION_CODENAME"; cat /etc/melee-oci; id -un'
is "$rc:$out" "0:trixie
built by oci-lib.sh
alice" "ssh alice+toci@127.0.0.1 lands in the imported image"
run key alice+tfile@127.0.0.1 'cat /etc/melee-oci'
is "$rc:$out" "0:built by oci-lib.sh" "ssh alice+tfile@127.0.0.1 lands in the file image"
done_testing
