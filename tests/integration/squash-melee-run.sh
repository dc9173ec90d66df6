#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee IMAGE CMD on a file image: an ordinary user runs a command in the
# mounted squashfs; with the image down it is "not prepared".
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/squash-lib.sh"

setup_accounts
setup_home
private_dir /tmp 1777
write_config
make_squash sq "$SRV/sq.sqsh"
add_file_image sq "$SRV/sq.sqsh" "writable = tmpfs:8M"
install_melee
cd /home/alice

run as alice "$MELEE" sq cat /marker
like "$rc" "^[1-9]" "before up: refused ($out)"
mm up sq >/dev/null
run as alice "$MELEE" sq cat /marker
is "$rc:$out" "0:melee-fixture:sq" "melee sq cat /marker runs in the file image"
run as alice "$MELEE" sq id -un
is "$rc:$out" "0:alice" "as the caller"
run as alice "$MELEE" sq sh -c 'echo mine > /etc/alice-was-here'
like "$rc:$out" "^1:.*Permission denied" "the user cannot write where root owns (writable or not)"
echo shared > "$IMAGES/sq/etc/shared-note"
run as alice "$MELEE" sq cat /etc/shared-note
is "$rc:$out" "0:shared" "what root wrote into the writable layer is seen by every user"
mm down sq >/dev/null
run as alice "$MELEE" sq cat /marker
like "$rc:$out" "^[1-9][0-9]*:.*not prepared" "after down: not prepared"
done_testing
