#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_access and pam_limits rules written against user names, with
# USER+IMAGE names: a rule by the name alone misses alice+demo; the
# group forms ((group) in access.conf, @group in limits.conf) and
# pam_limits' uid form cover it.  Real modules: pam_access through
# pamtester with this namespace's own /etc/security/access.conf,
# pam_limits through the harness.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_nss
write_config
add_image demo
pam_setup
printf 'account required pam_access.so\n' > "$T/pam.d/melee-access"
printf 'account required pam_access.so nodefgroup\n' > "$T/pam.d/melee-access-ndg"
printf 'session required pam_limits.so conf=%s\n' "$T/work/limits.conf" > "$T/pam.d/melee-limits"
touch "$T/work/access.conf"
mount --bind "$T/work/access.conf" /etc/security/access.conf

access() { printf '%s\n' "$@" > "$T/work/access.conf"; }
acct() { pamtester "${2:-melee-access}" "$1" acct_mgmt >/dev/null 2>&1 && echo allowed || echo denied; }
access '-:alice:ALL' '+:ALL:ALL'
is "$(acct alice melee-access-ndg) $(acct alice+demo melee-access-ndg)" "denied allowed" "access.conf -:alice:ALL (nodefgroup): alice denied, alice+demo NOT (the name alone misses it)"
is "$(acct alice+demo)" "denied" "without nodefgroup it is denied only because 'alice' is also her group's name"
access '-:(physics):ALL' '+:ALL:ALL'
is "$(acct alice) $(acct alice+demo) $(acct alice+demo melee-access-ndg) $(acct bob+demo)" "denied denied denied allowed" "access.conf -:(physics):ALL: alice and alice+demo denied, bob+demo allowed"
access '-:alice alice+demo:ALL' '+:ALL:ALL'
is "$(acct alice+demo)" "denied" "access.conf naming alice+demo itself (no glob there: one entry per image)"

limits() { printf '%s\n' "$@" > "$T/work/limits.conf"; }
nofile() { "$HARNESS" "$T/pam.d" melee-limits "$1" -- /bin/sh -c 'ulimit -n' 2>&1; }
limits 'alice - nofile 77'
# What a session that no line names gets: bob's.  Not this shell's own
# ulimit -n: Debian's pam_limits starts from /proc/1/limits, not from the
# caller's limits (pid 1 at 20000 gave a soft nofile of 1024), and
# tests/run may be started with any limit.
none=$(nofile bob)
unlike "$none" '^77$' "limits.conf 'alice - nofile 77': bob, whom no line names, does not get it"
is "$(nofile alice) $(nofile alice+demo)" "77 $none" "limits.conf 'alice - nofile 77': alice+demo does not get it"
limits '@physics - nofile 77'
is "$(nofile alice) $(nofile alice+demo)" "77 77" "limits.conf '@physics - nofile 77': alice+demo gets it"
limits '1501:1501 - nofile 78'
is "$(nofile alice+demo)" "78" "limits.conf '1501:1501' (alice's uid): alice+demo gets it"
done_testing
