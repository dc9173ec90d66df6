#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A 32-bit (i386) image: personality linux32 makes 'uname -m' say i686
# through melee, and dpkg reports i386.  These machines cannot run i386
# code natively, so the test registers qemu-user-static with binfmt_misc
# (its own entry, removed at the end); on a host that runs i386 natively
# it uses no qemu.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

BINFMT=/proc/sys/fs/binfmt_misc
# binfmt_misc is one table for the whole host: an entry of this test's
# own, so that another test (or run) removing its entry leaves ours.
ENTRY=melee-test-i386-$$
register_qemu() {
	[ -e "$BINFMT/$ENTRY" ] && return 0
	# F: the interpreter is opened now, so it works inside the chroot.
	printf '%s' ":$ENTRY:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-i386-static:F" > "$BINFMT/register"
}
unregister_qemu() { [ -e "$BINFMT/$ENTRY" ] && echo -1 > "$BINFMT/$ENTRY"; }

setup_accounts
setup_home
write_config
[ -e "$BINFMT/register" ] || mount -t binfmt_misc binfmt_misc "$BINFMT"
at_exit "[ -e $BINFMT/$ENTRY ] && echo -1 > $BINFMT/$ENTRY"
exec 3>"$T/work/cache.log"
[ -s "$IMAGE_CACHE/bookworm-i386-minbase.tar" ] || register_qemu
cached_image old32 bookworm i386; ok $? "an i386 bookworm image ($(tail -1 "$T/work/cache.log"))"
unregister_qemu
if chroot "$IMAGES/old32" /bin/true 2>/dev/null; then
	echo "# this host runs i386 code natively: no qemu"
else
	register_qemu; ok $? "i386 is not native here: qemu-i386-static registered with binfmt_misc"
fi
like "$(cat "$T/etc/images.d/old32.conf")" "^personality = linux32$" "melee-image registered it with personality linux32"
ok_cmd "old32 is up" mm up old32
install_melee old32
cd /home/alice
is "$(as alice "$T/bin/melee" old32 uname -m)" "i686" "uname -m inside through melee: i686"
is "$(as alice "$T/bin/melee" old32 dpkg --print-architecture)" "i386" "dpkg --print-architecture inside: i386"
pam_service melee-test "account required pam_permit.so
session required pam_permit.so
session required $PAM_MELEE"
is "$("$HARNESS" -E MELEE_IMAGE=old32 "$T/pam.d" melee-test alice -- /bin/uname -m 2>/dev/null)" "i686" "uname -m inside through pam_melee: i686"
is "$(uname -m)" "x86_64" "the host itself is untouched"
unregister_qemu
ok "$(test ! -e "$BINFMT/$ENTRY"; echo $?)" "the binfmt entry is removed"
done_testing
