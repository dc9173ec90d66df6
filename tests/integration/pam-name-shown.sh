#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee's "not a user name or USER+IMAGE" message shows the login
# name printable: a control character in PAM_USER (an escape sequence a
# client could send) reaches neither the user's terminal nor the log raw.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
echo $'ev\eil+demo:x:1501:1501::/:/bin/sh' >> "$T/work/passwd"
write_config
add_image demo
bind_etc_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"

: > "$SYSLOG"
run "$HARNESS" -a "$T/pam.d" melee-test $'ev\eil+demo' -- /bin/true
is "$rc:$out" "30:error: melee: 'ev?il+demo' is not a user name or USER+IMAGE
account: User not known to the underlying authentication module" "ESC in the login name: shown as '?', the account phase refuses"
ok "$(printf '%s' "$out" | grep -c $'\e')" "no raw ESC in the message"
run "$HARNESS" "$T/pam.d" melee-test $'ev\eil+demo' -- /bin/true
like "$rc:$out" "^34:error: melee: 'ev\?il\+demo' is not a user name or USER\+IMAGE" "and the session refuses with the same message"
done_testing
