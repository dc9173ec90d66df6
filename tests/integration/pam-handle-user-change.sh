#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee keeps what one stage read for the next stages of the same
# handle (pam_melee/pam-config.c), keyed by PAM_USER, PAM_SERVICE and
# conf=: an application that changes PAM_USER between the account and
# the session stage gets the new user's answer, never the old user's
# kept one.  demo admits alice only: alice's account stage passes, then
# the handle is bob's, and bob's session must be refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo "allow-users = alice"
add_image other
mm up demo other >/dev/null
bind_etc_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"

# session USER [HARNESS-OPTION...]: USER's account stage, then the
# session in the same handle; the image it landed in, or the failure.
session() {
	local user=$1; shift
	"$HARNESS" -a "$@" "$T/pam.d" melee-test "$user" -- /bin/sh -c \
		'if [ -e /marker ]; then cut -d: -f2 /marker; else echo host; fi' 2>"$T/work/err"
	echo "rc=$?"
}

is "$(session alice+demo)" "demo
rc=0" "alice+demo, one user throughout: lands in demo"
is "$(session bob+demo)" "rc=2" "bob+demo alone: no such user (demo admits alice only: libnss_melee refuses him)"
like "$(cat "$T/work/err")" "unknown user bob\+demo" "(the harness says so)"
is "$(session alice+demo -U bob+demo)" "rc=34" \
	"alice+demo's account stage, then PAM_USER bob+demo: bob's session is refused, not served alice's kept read"
like "$(cat "$T/work/err")" "you may not use image demo" "and says why"
is "$(session alice+demo -U alice+other)" "other
rc=0" "alice+demo's account stage, then PAM_USER alice+other: the session enters other, not the kept demo"
is "$(session alice+other -U alice+demo)" "demo
rc=0" "and the other way round: alice+other, then alice+demo, lands in demo"
is "$(session alice+demo -U alice)" "host
rc=0" "alice+demo, then plain alice (no image asked, none configured for her): the session stays on the host"
done_testing
