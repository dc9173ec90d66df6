#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# su and login land in the chosen image through pam_melee: 'su -
# alice+demo' from root and, with alice's password, from bob; Debian's
# login -f alice+demo driven through script(1).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo "description = The demo image"
pam_setup demo
for s in su login; do echo "session required $PAM_MELEE" >> "$T/pam.d/$s"; done
sed -i "1i auth optional $PAM_MELEE" "$T/pam.d/login"
cd /

run su - alice+demo -c 'cat /marker; id -u; pwd; echo "$MELEE_IMAGE"'
is "$rc:$out" "0:melee-fixture:demo
1501
/home/alice
demo" "su - alice+demo from root: in the image, as alice, in her home"
run su alice+demo -c 'cat /marker; pwd'
is "$rc:$out" "0:melee-fixture:demo
/home/alice" "plain su (no -): the module puts the shell in alice's home inside the image"
out=$(su - alice -c 'test -e /marker && echo image || echo host' 2>&1)
is "$out" "host" "su - alice: the host"

# bob, with alice's password typed at su's prompt on a pty.
out=$( (sleep 1; echo "$PASSWORD") | as bob script -qec "su - alice+demo -c 'cat /marker; id -u'" /dev/null 2>&1 | tr -d '\r')
like "$out" "^melee-fixture:demo$" "su - alice+demo from bob with alice's password: in the image"
like "$out" "^1501$" "as alice"
out=$( (sleep 1; echo wrong-password) | as bob script -qec "su - alice+demo -c 'cat /marker'" /dev/null 2>&1 | tr -d '\r')
like "$out" "Authentication failure" "a wrong password is refused"

# Debian's login (shadow): -f, from root, on a pty.
out=$( (sleep 1; echo 'cat /marker; echo "in=$MELEE_IMAGE"; exit') | script -qec 'login -f alice+demo' /dev/null 2>&1 | tr -d '\r')
like "$out" "^melee-fixture:demo$" "login -f alice+demo: the shell runs in the image"
like "$out" "^in=demo$" "with MELEE_IMAGE"

# A console login as alice+nosuch: the name does not resolve, and pam_melee's
# auth line (first in login's stack) tells the user why at the prompt.
out=$( (sleep 1; echo "$PASSWORD"; sleep 1; echo 'cat /marker; exit') |
	timeout 20 script -qec 'login alice+nosuch' /dev/null 2>&1 | tr -d '\r')
like "$out" "^melee: there is no image 'nosuch' on this host$" "login alice+nosuch: the user sees why"
like "$out" "Login incorrect" "and login refuses it"
unlike "$out" "^melee-fixture" "and no shell ran (cat /marker typed after the password printed nothing)"

done_testing
