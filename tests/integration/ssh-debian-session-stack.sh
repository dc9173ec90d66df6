#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The packaged PAM setup with Debian's own sshd stack: the host's
# /etc/pam.d/sshd (copied as our sshd's service) and pam_melee put into
# common-session by the real pam-auth-update from etc/pam-configs/melee.
# The host's pam_limits, pam_env and pam_motd then run after pam_melee,
# inside the image: the default fstab gives them the host's
# limits.conf, limits.d and pam_env.conf, so the host's limits hold in an
# image session and the busybox image (which has none of its own) logs in.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

command -v pam-auth-update >/dev/null || skip_all "pam-auth-update (libpam-runtime) is not installed"
[ -f /etc/pam.d/sshd ] || skip_all "no /etc/pam.d/sshd (openssh-server) on this host"
grep -q '^[^#]*pam_limits' /etc/pam.d/sshd || skip_all "this host's /etc/pam.d/sshd runs no pam_limits"

setup_logins
add_image demo "description = The demo image"
# The host's limits for alice's group, in this namespace's /etc (a rule
# by user name does not match alice+demo: melee.conf(5), name rules).
printf '@physics soft nofile 777\n@physics hard nofile 777\n' > "$T/work/limits.conf"
cat /etc/security/limits.conf >> "$T/work/limits.conf"
mount --bind "$T/work/limits.conf" /etc/security/limits.conf
pam_setup demo

# pam-auth-update on private copies, as in pam-auth-update.sh; pam_melee
# by its build path, as a package would install it in the module path.
private_copy() {
	local c=$T/work/copy${1//\//-}
	mkdir -p "$c"
	cp -a "$1/." "$c/"
	mount --bind "$c" "$1"
}
for d in /usr/share/pam-configs /var/lib/pam /var/cache/debconf; do private_copy "$d"; done
sed "s#pam_melee\.so#$PAM_MELEE#" "$top_srcdir/etc/pam-configs/melee" > /usr/share/pam-configs/melee
ok_cmd "pam-auth-update --enable melee" env DEBIAN_FRONTEND=noninteractive pam-auth-update --enable melee
like "$(grep -v '^#' /etc/pam.d/common-session)" "pam_melee\.so" "pam_melee is in common-session"

start_sshd
# Our sshd's service is Debian's sshd file itself.
cp /etc/pam.d/sshd "$T/pam.d/sshd-melee"
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }

run key alice+demo@127.0.0.1 true
is "$rc" "0" "ssh alice+demo@ true through Debian's sshd stack: exit 0 (the busybox image logs in)"
run key alice+demo@127.0.0.1 'cat /marker; ulimit -n'
is "$rc:$out" "0:melee-fixture:demo
777" "in the image, the host's limits.conf (nofile 777 for @physics) holds"
run key alice@127.0.0.1 'test -e /marker && echo image || echo host; ulimit -n'
is "$rc:$out" "0:host
777" "and on the host, for comparison"
unlike "$(cat "$T/work/sshd.log")" "pam_open_session\(\): Error in service module" "sshd logged no failed session"
done_testing
