#!/bin/bash
# melee-image list run by a user (no privileges): what it shows of a file
# image that is up, with an unreadable (0600) file; an images.d drop-in
# the user cannot read; nothing more than root's list shows.  (Held.)
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files"
mi pack bb "$T/files/bb.sqsh" --register bbf > /dev/null
mm up bbf > /dev/null 2>&1
bind_etc_melee
run as alice "$MELEE_IMAGE" list
printf '# %s\n' "$out"
is "$rc" 0 "list as alice exits 0"
run as alice "$MELEE_IMAGE" remove bb
printf '# %s\n' "$out"
ok "$([ "$rc" != 0 ]; echo $?)" "remove as alice is refused"
ok_cmd "bb is still registered" test -e "$T/etc/images.d/bb.conf"
mm down bbf > /dev/null 2>&1
done_testing
