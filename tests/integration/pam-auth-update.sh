#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The pam-auth-update profile (etc/pam-configs/melee) enabled with the real
# pam-auth-update: pam_melee goes into common-account and common-session,
# and never into common-session-noninteractive (cron, at and other
# non-interactive sessions of a user with a default image would otherwise
# run chrooted).  Every directory pam-auth-update reads or writes, and
# debconf's database, is a private copy bound in this namespace.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

command -v pam-auth-update >/dev/null || skip_all "pam-auth-update (libpam-runtime) is not installed"

# private_copy DIR: a copy of DIR of this namespace's own, bound over it.
private_copy() {
	local c=$T/work/copy${1//\//-}
	mkdir -p "$c"
	cp -a "$1/." "$c/"
	mount --bind "$c" "$1"
}
DIRS="/etc/pam.d /usr/share/pam-configs /var/lib/pam /var/cache/debconf"
# The host's view: the test's parent process is outside this namespace.
host_sum() { (cd "/proc/$PPID/root" && for d in $DIRS; do find ".$d" -type f -exec sha256sum {} +; done | sort | sha256sum); }
before=$(host_sum)
for d in $DIRS; do
	private_copy "$d"
done
install -m 644 "$top_srcdir/etc/pam-configs/melee" /usr/share/pam-configs/melee

run env DEBIAN_FRONTEND=noninteractive pam-auth-update --enable melee
is "$rc:$out" "0:" "pam-auth-update --enable melee succeeds"
like "$(grep -v '^#' /etc/pam.d/common-session)" 'pam_melee\.so' "pam_melee is in common-session"
like "$(grep -v '^#' /etc/pam.d/common-account)" 'pam_melee\.so' "pam_melee is in common-account"
unlike "$(cat /etc/pam.d/common-session-noninteractive)" 'pam_melee' \
	"pam_melee is not in common-session-noninteractive"
unlike "$(cat /var/lib/pam/session-noninteractive)" 'pam_melee' \
	"nor in pam-auth-update's saved session-noninteractive state"

# And it can be switched off again, leaving no pam_melee line behind.
run env DEBIAN_FRONTEND=noninteractive pam-auth-update --disable melee
is "$rc:$out" "0:" "pam-auth-update --disable melee succeeds"
unlike "$(cat /etc/pam.d/common-session /etc/pam.d/common-account)" 'pam_melee' \
	"disabled: no pam_melee line left"
is "$(host_sum)" "$before" "the host's pam.d, pam-configs, /var/lib/pam and debconf database are untouched"
done_testing
