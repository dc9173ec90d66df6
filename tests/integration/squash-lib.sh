# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the file-image tests (source = FILE): busybox squashfs
# images made with mksquashfs, and the loop devices they leave.
# (after melee-lib.sh, which has sourced it already)
declare -F mm >/dev/null || . "$top_srcdir/tests/lib.sh"

command -v mksquashfs >/dev/null || skip_all "mksquashfs not found (apt-get install squashfs-tools)"
grep -qw squashfs /proc/filesystems || modprobe squashfs 2>/dev/null ||
	skip_all "the kernel offers no squashfs"
[ -c /dev/loop-control ] || skip_all "no /dev/loop-control (loop driver)"

# Where the image files live: root's, mode 755, like a site's shared
# image directory.  A path of this test's own ($T is the same path in
# every test): the loop devices of tests running at the same time have
# other backing files.
SRV=$T/srv-$$
mkdir -p "$SRV"
chmod 755 "$SRV"

# make_squash NAME FILE: a busybox fixture tree packed into FILE,
# root-owned 0600, as melee-image pack writes it.
make_squash() {
	rm -rf "$T/work/tree-$1"
	"$top_srcdir/tests/make-fixture-image" "$T/work/tree-$1" "$1" >/dev/null || return 1
	mksquashfs "$T/work/tree-$1" "$2" -noappend -quiet -all-root -no-progress >/dev/null || return 1
	chmod 600 "$2"
}

# add_file_image NAME FILE [EXTRA-LINES]: registers NAME with source = FILE.
add_file_image() {
	{
		echo "[image $1]"
		echo "source = $2"
		echo "fstab = $T/etc/fstab"
		[ -n "${3:-}" ] && printf '%s\n' "$3"
	} > "$T/etc/images.d/$1.conf"
	chmod 644 "$T/etc/images.d/$1.conf"
}

# loops_of FILE: the loop devices whose backing file is FILE (also once
# deleted) on this test's own file system (FILE's directory's device, a
# tmpfs of this namespace), one a line: the loop devices of the host and
# of other tests, at whatever path, are not counted.
loops_of() {
	local dev
	dev=$(stat -c '%Hd:%Ld' "$(dirname "$1")" 2>/dev/null) || return 0
	losetup --list --noheadings --output NAME,BACK-MAJ:MIN,BACK-FILE |
		awk -v d="$dev" -v f="$1" '$2 == d && $3 == f && (NF == 3 || $4 == "(deleted)") { sub(".*/", "", $1); print $1 }'
}

# The kernel lets a loop device go a moment after its last user (autoclear).
no_loops_of() { [ -z "$(loops_of "$1")" ]; }

# fstypes_at PATH: the file system types mounted on PATH, in mount order.
fstypes_at() {
	awk -v p="$1" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); break } }' /proc/self/mountinfo
}
