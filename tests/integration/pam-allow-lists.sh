#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee's allow-users and allow-groups through a real Linux-PAM, for
# every way an image is chosen: a supplementary group opens an image with
# both lists, allow-users alone needs no group, the user's file and
# users.conf (whose base-user lookup check_choice reuses) obey them too.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image lab "allow-users = bob"
add_image phys "allow-groups = physics"
add_image both "allow-users = bob
allow-groups = physics"
add_image open
mm up lab phys both open >/dev/null
bind_etc_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"

# where USER [-E VAR=VAL]...: which image the session landed in, or host.
where() {
	local u=$1; shift
	"$HARNESS" -a "$@" "$T/pam.d" melee-test "$u" -- /bin/sh -c \
		'if [ -e /marker ]; then printf "%s %s" "$(cut -d: -f2 /marker)" "$MELEE_IMAGE"; else printf "host %s" "${MELEE_IMAGE:-unset}"; fi' 2>"$T/work/err"
}

is "$(where bob -E MELEE_IMAGE=lab)" "lab lab" "allow-users = bob: bob may use lab"
where alice -E MELEE_IMAGE=lab >/dev/null; rc=$?
is "$rc:$(cat "$T/work/err")" "26:error: melee: you may not use image lab (allowed users: bob)
account: Permission denied" "alice may not use lab, and is told who may"
is "$(where alice -E MELEE_IMAGE=both)" "both both" "allow-users = bob plus allow-groups = physics: alice, by her supplementary group physics"
is "$(where bob -E MELEE_IMAGE=both)" "both both" "and bob, by name"
where bob -E MELEE_IMAGE=phys >/dev/null; rc=$?
is "$rc:$(cat "$T/work/err")" "26:error: melee: you may not use image phys (allowed groups: physics)
account: Permission denied" "bob (not in physics) may not use phys"
is "$(where alice -E MELEE_IMAGE=open)" "open open" "an image without lists is open to alice"

echo "bob lab" > "$T/etc/users.conf"
is "$(where bob)" "lab lab" "users.conf choosing lab for bob: in lab"
mkdir -p /home/alice/.config/melee
echo phys > /home/alice/.config/melee/image
chown -R alice:alice /home/alice/.config
is "$(where alice)" "phys phys" "alice's own file choosing phys: in phys (her group checked)"
echo lab > /home/alice/.config/melee/image
is "$(where alice)" "host unset" "her file choosing lab, which she may not use: the host (a default falls back)"
done_testing
