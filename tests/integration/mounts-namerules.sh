#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts check warns about host rules written against a human
# user's name that a USER+IMAGE login slips past (sshd DenyUsers,
# AllowUsers, Match User; access.conf; sudoers Runas lists), naming
# file:line; rules that cover NAME+* (or use groups) and names of system
# accounts are not reported, and the exit status stays check's own.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
write_config
add_image demo
W=$T/work/rules
mkdir -p "$W/sshd_config.d" "$W/sudoers.d"
cat > "$W/sshd_config" <<'C'
# DenyUsers alice (a comment)
DenyUsers alice root
DenyUsers bob bob+*
AllowUsers *
Match User alice,daemon
	X11Forwarding no
Match User bob,bob+*
	X11Forwarding no
Match User *,!bob
	AllowTcpForwarding no
Match User *,!bob,!bob+*
	AllowTcpForwarding no
C
printf 'denyusers bob\nAllowUsers bob bob+* alice\n' > "$W/sshd_config.d/10-site.conf"
echo 'DenyUsers alice' > "$W/sshd_config.d/ignored.txt"
cat > "$W/access.conf" <<'A'
-:alice root:ALL
-:(physics):ALL
+:ALL:ALL
A
cat > "$W/sudoers" <<'S'
Defaults env_reset
rtuser ALL=(ALL, !root, !bob) NOPASSWD: ALL
alice ALL=(ALL) ALL
rtuser ALL=(ALL : alice) ALL
rtuser ALL=(#1502, bob) ALL # a comment that names alice
S
echo 'Runas_Alias PROT = alice, root' > "$W/sudoers.d/site"
echo 'x ALL=(bob) ALL' > "$W/sudoers.d/skipped.bak"
for f in ssh/sshd_config ssh/sshd_config.d security/access.conf sudoers sudoers.d; do
	[ -e "/etc/$f" ] || { ok 1 "/etc/$f exists to bind over"; continue; }
	mount --bind "$W/${f#*/}" "/etc/$f"
done

mm check > "$T/work/out" 2> "$T/work/err"; rc=$?
is "$rc" "0" "check still succeeds (warnings only)"
is "$(cat "$T/work/err")" "melee-mounts: warning: /etc/ssh/sshd_config:2: DenyUsers names alice, who can also log in as alice+IMAGE: add the pattern NAME+* (sshd patterns), or use DenyGroups/AllowGroups
melee-mounts: warning: /etc/ssh/sshd_config:5: Match User names alice, who can also log in as alice+IMAGE: add the pattern NAME+* (sshd patterns), or use DenyGroups/AllowGroups
melee-mounts: warning: /etc/ssh/sshd_config:9: Match User names bob, who can also log in as bob+IMAGE: add the pattern NAME+* (sshd patterns), or use DenyGroups/AllowGroups
melee-mounts: warning: /etc/ssh/sshd_config.d/10-site.conf:1: denyusers names bob, who can also log in as bob+IMAGE: add the pattern NAME+* (sshd patterns), or use DenyGroups/AllowGroups
melee-mounts: warning: /etc/ssh/sshd_config.d/10-site.conf:2: AllowUsers names alice, who can also log in as alice+IMAGE: add the pattern NAME+* (sshd patterns), or use DenyGroups/AllowGroups
melee-mounts: warning: /etc/security/access.conf:1: the user list names alice, who can also log in as alice+IMAGE: pam_access has no patterns for users: use (GROUP)
melee-mounts: warning: /etc/sudoers:2: a Runas list names bob, who can also log in as bob+IMAGE: sudo has no patterns for users: use %GROUP or #UID
melee-mounts: warning: /etc/sudoers:5: a Runas list names bob, who can also log in as bob+IMAGE: sudo has no patterns for users: use %GROUP or #UID
melee-mounts: warning: /etc/sudoers.d/site:1: a Runas list names alice, who can also log in as alice+IMAGE: sudo has no patterns for users: use %GROUP or #UID" \
	"one warning per rule that misses NAME+*, with file:line (a '*' does not cover a negated !bob); none for root, daemon, bob+*, !bob+*, groups (also a Runas group after ':') or comments; #UID is no comment"
like "$(cat "$T/work/out")" "^configuration: ok" "the check's own output is unchanged"

# Without images there are no second names: nothing to warn about.
rm "$T/etc/images.d/demo.conf"
mm check > /dev/null 2> "$T/work/err"; rc=$?
is "$rc:$(cat "$T/work/err")" "0:" "no images configured: no warnings"
done_testing
