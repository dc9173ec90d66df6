#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One squashfs file image serves every way in: 'ssh alice+sq@127.0.0.1'
# (pam_melee) and 'melee sq' on the host land in the same mounted file,
# and what root writes into its tmpfs layer is seen by both.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/squash-lib.sh"

setup_logins
make_squash sq "$SRV/sq.sqsh"
ok $? "the image sq is one squashfs file"
add_file_image sq "$SRV/sq.sqsh" "writable = tmpfs:8M"
mm up sq >/dev/null
ok $? "melee-mounts up sq"
is "$(fstypes_at "$IMAGES/sq" | tr '\n' ' ')" "squashfs overlay " "sq is the squashfs file under its tmpfs overlay"
bind_etc_melee
install_melee
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
echo "written by root" > "$IMAGES/sq/etc/note"

run key alice+sq@127.0.0.1 'cat /marker /etc/note; id -un'
is "$rc:$out" "0:melee-fixture:sq
written by root
alice" "ssh alice+sq@127.0.0.1 lands in the file image, as alice"
cd /home/alice   # (melee runs the command in the directory it was started from)
run as alice "$T/bin/melee" sq sh -c 'cat /marker /etc/note; id -un'
is "$rc:$out" "0:melee-fixture:sq
written by root
alice" "melee sq on the host runs in the same mounted file"
loops=$(loops_of "$SRV/sq.sqsh" | wc -l)
is "$loops" "1" "one loop device serves both"
mm down sq >/dev/null
ok $? "melee-mounts down sq"
wait_for 5 no_loops_of "$SRV/sq.sqsh"
ok $? "and no loop device is left"
run key alice+sq@127.0.0.1 true
like "$rc:$out" "^[1-9][0-9]*:.*not prepared" "after down, ssh alice+sq is refused with the reason"
done_testing
