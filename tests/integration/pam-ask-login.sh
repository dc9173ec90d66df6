#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real console login (Debian's login -f on a pty, driven by script)
# with pam_melee ask in the test's own /etc/pam.d/login: the user is
# asked, and the answer is where the shell runs.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image bullseye
add_image trixie
add_image secret "allow-users = bob"
echo "alice trixie" > "$T/etc/users.conf"
chmod 644 "$T/etc/users.conf"
pam_setup bullseye trixie secret
echo "session required $PAM_MELEE ask" >> "$T/pam.d/login"
cd /

# console ANSWER...: login -f alice on a pty; each ANSWER typed a second
# apart, then a command that shows where the shell runs.
console() {
	out=$( (for a in "$@"; do sleep 1; printf '%s\n' "$a"; done
		sleep 1; echo 'cat /marker 2>/dev/null || echo on-the-host; exit') |
		timeout 30 script -qec 'login -f alice' /dev/null 2>&1 | tr -d '\r')
}

console bullseye
like "$out" "Image \[trixie\] \(host, bullseye, trixie; log in as alice\+host for the host\): " "login asks, listing what alice may use, users.conf's trixie preselected"
like "$out" "^melee-fixture:bullseye$" "answer bullseye: the shell runs in bullseye"
console ''
like "$out" "^melee-fixture:trixie$" "an empty answer: the default, trixie"
console host
like "$out" "^on-the-host$" "answer host: the shell runs on the host"
console secret bullseye
like "$out" "melee: you may not use image secret \(allowed users: bob\); try again" "a forbidden answer: the user is told why"
like "$out" "^melee-fixture:bullseye$" "and asked again: bullseye"
console nosuch nosuch nosuch
like "$out" "melee: there is no image 'nosuch' \(3 answers refused\)" "three unknown answers: the message"
unlike "$out" "^(melee-fixture|on-the-host)" "and no shell ran, neither in an image nor on the host"
done_testing
