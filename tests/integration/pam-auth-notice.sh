#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee's auth stage (pamtester authenticate, real pam_unix): a name
# whose image libnss_melee refuses is an invalid user to sshd, so this
# notice is the only reason its client can get.  It must name the
# problem, change nothing (PAM_IGNORE), and be the same for every user:
# before authentication it may not tell who exists or who is allowed.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_nss
write_config
add_image demo "description = The demo image"
add_image phys "allow-groups = physics"
pam_setup
printf 'auth optional %s\nauth required pam_unix.so\n' "$PAM_MELEE" > "$T/pam.d/melee-auth"
printf 'auth optional %s\nauth required pam_permit.so\n' "$PAM_MELEE" > "$T/pam.d/melee-permit"
cd /

# auth NAME [PASSWORD]: pamtester's output (the notices), then the status.
auth() { printf '%s\n' "${2:-wrong}" | pamtester melee-auth "$1" authenticate 2>&1 | sed 's/^Password: //'; }
notices() { auth "$1" "${2:-wrong}" | grep '^melee:'; }

out=$(auth alice+nosuch)
like "$out" "^melee: there is no image 'nosuch' on this host$" "alice+nosuch: the notice names the missing image"
like "$out" "^pamtester: User not known to the underlying authentication module$" "and authentication still fails (pam_unix: no such user)"
is "$(notices zed+nosuch)" "$(notices alice+nosuch)" "zed (no such user)+nosuch gets the same notice as alice+nosuch"

out=$(notices bob+phys)
is "$out" "melee: image 'phys' is open only to the users and groups its configuration allows" \
	"bob+phys (not in physics): the notice says the image is restricted"
is "$(notices alice+phys)" "$out" "alice+phys (allowed) gets the very same notice: nothing about alice leaks"
is "$(notices zed+phys)" "$out" "zed+phys (no such user): the same notice"

is "$(notices alice+demo)" "" "alice+demo (open image): no notice"
is "$(notices zed+demo)" "" "zed+demo (no such user, open image): no notice either"
is "$(notices alice)" "" "plain alice: no notice"

is "$(notices alice+)" "melee: 'alice+' is not a user name or USER+IMAGE" "alice+: the notice says what a name looks like"
is "$(notices $'al\x01ice')" "melee: a user name must not contain control characters (byte 3 is 0x01)" "a control character in a plain name: named, with its place"
is "$(notices 'alice+../x')" "melee: there is no image '../x' on this host" "alice+../x: no such image"
is "$(notices alice++img)" "melee: there is no image '+img' on this host" "alice++img: no such image"

# The notice never decides: with the right password alice+demo passes,
# and with pam_permit after it a refused name still passes auth (the
# account stage and libnss_melee refuse it, not this stage).
ok_cmd "alice+demo with her password: authenticated (pam_melee auth returns PAM_IGNORE)" \
	pamtester melee-auth alice+demo authenticate <<< "$PASSWORD"
ok_cmd "auth optional pam_melee + pam_permit: alice+nosuch is not refused by the auth stage itself" \
	pamtester melee-permit alice+nosuch authenticate <<< ""

# Without a readable configuration the auth stage stays silent.
chmod 666 "$T/etc/melee.conf"
is "$(notices alice+nosuch)" "" "unsafe melee.conf (world-writable): no notice, nothing read from it"
chmod 644 "$T/etc/melee.conf"
done_testing
