#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sudo with USER+IMAGE run-as names, real sudo with this namespace's own
# /etc/sudoers: `(ALL, !root)` cannot be bypassed with root+demo (no
# such name: libnss_melee gives none to root); a run-as rule by a human's
# name alone misses alice+demo, one by group (!%physics) or by uid
# (!#1501) covers it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
echo 'rtuser:x:1510:1510:RT:/tmp:/bin/sh' >> "$T/work/passwd"
echo 'rtuser:x:1510:' >> "$T/work/group"
setup_nss
echo 'rtuser:!:19000:0:99999:7:::' >> "$T/work/shadow"
write_config
add_image demo
bind_etc_melee
sudoers() {
	printf '%s\n' 'Defaults !lecture, !use_pty' "$@" > "$T/work/sudoers"
	chmod 440 "$T/work/sudoers"
}
sudoers 'rtuser ALL=(ALL, !root) NOPASSWD: ALL'
mount --bind "$T/work/sudoers" /etc/sudoers
# sudo warns "unable to resolve host" on every run where the host's name
# does not resolve (a debootstrapped Debian 12 entered as a container:
# its /etc/hosts has no line for the name, which the installer writes on
# a machine): this namespace's own /etc/hosts gets one, so that what is
# compared is sudo's answer alone.
if ! getent hosts "$(hostname)" >/dev/null && [ -f /etc/hosts ]; then
	{ cat /etc/hosts; echo "127.0.1.1 $(hostname)"; } > "$T/work/hosts"
	mount --bind "$T/work/hosts" /etc/hosts
fi
cd /
sudo_as() { as rtuser sudo -n -u "$1" id -u 2>&1; }

is "$(sudo_as bob)" "1502" "control: rtuser may run as bob"
run sudo_as root
is "$rc:$out" "1:sudo: a password is required" "(ALL, !root): not as root (no rule without a password matches)"
run sudo_as root+demo
like "$rc:$out" "^1:sudo: unknown user root\+demo" "(ALL, !root): sudo -u root+demo is refused (no such user)"
unlike "$out" "^0$" "and nothing ran as uid 0"
sudoers 'rtuser ALL=(ALL, !root, !alice) NOPASSWD: ALL'
is "$(sudo_as alice+demo)" "1501" "(ALL, !alice): alice+demo slips through (a rule by name alone)"
sudoers 'rtuser ALL=(ALL, !root, !%physics) NOPASSWD: ALL'
run sudo_as alice+demo
is "$rc:$out" "1:sudo: a password is required" "(ALL, !%physics): alice+demo is refused (the group form)"
is "$(sudo_as bob+demo)" "1502" "and bob+demo (not in physics) is allowed"
sudoers 'rtuser ALL=(ALL, !root, !#1501) NOPASSWD: ALL'
run sudo_as alice+demo
is "$rc:$out" "1:sudo: a password is required" "(ALL, !#1501): alice+demo is refused (the uid form)"
is "$(sudo_as bob+demo)" "1502" "and bob+demo (uid 1502) is allowed"
done_testing
