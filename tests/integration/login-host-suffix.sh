#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# USER+host (the reserved name MELEE_HOST_NAME) is the host whatever the
# default: with default-image = demo, 'su - alice', 'ssh alice@' land in
# demo, and alice+host lands on the host through su, login and ssh.  It is
# a second name like any suffix: only for people (root+host does not
# resolve, and a root+host line another source answers is refused by
# pam_melee).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins "default-image = demo"
add_image demo "description = The demo image"
pam_setup demo
for s in su login; do echo "session required $PAM_MELEE" >> "$T/pam.d/$s"; done
cd /
where='test -e /marker && echo image || echo host; echo "MELEE_IMAGE=${MELEE_IMAGE-unset}"'

run getent passwd alice+host
is "$rc:$out" "0:alice+host:x:1501:1501:Alice:/home/alice:/bin/sh" "getent passwd alice+host: alice's entry under the name"
run getent passwd root+host
is "$rc:$out" "2:" "getent passwd root+host: not found (only people get a suffix)"

run su - alice -c "$where"
is "$rc:$out" "0:image
MELEE_IMAGE=demo" "su - alice: the default image demo"
run su - alice+host -c "$where; id -u; id -G"
is "$rc:$out" "0:host
MELEE_IMAGE=
1501
1501 1600" "su - alice+host: the host, MELEE_IMAGE empty, alice's uid and groups"
run su alice+host -c 'test -e /marker && echo image || echo host'
is "$rc:$out" "0:host" "plain su alice+host: the host"

out=$( (sleep 1; echo "$where; exit") | script -qec 'login -f alice+host' /dev/null 2>&1 | tr -d '\r')
like "$out" "^host$" "login -f alice+host: the shell runs on the host"
unlike "$out" "^image$" "and not in the default image"

# Another source answering root+host (here a line in /etc/passwd, as a
# careless admin or another NSS module might): pam_melee refuses it on
# its own, in the account and the session phase, as for root+demo.
cp "$T/work/passwd" "$T/work/passwd.orig"
echo 'root+host:x:0:0:root:/root:/bin/sh' >> "$T/work/passwd"
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
run "$HARNESS" -a "$T/pam.d" melee-test root+host -- /bin/sh -c 'echo ran'
like "$rc:$out" "^26:error: melee: root \(uid 0\) is not a human account" \
	"root+host served by files: the account phase refuses it, saying why"
run "$HARNESS" "$T/pam.d" melee-test root+host -- /bin/sh -c 'echo ran'
like "$rc:$out" "^34:error: melee: root \(uid 0\) is not a human account" "and so does the session"
unlike "$out" "ran" "and nothing ran"
cat "$T/work/passwd.orig" > "$T/work/passwd"

start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
run key alice@127.0.0.1 "$where"
is "$rc:$out" "0:image
MELEE_IMAGE=demo" "ssh alice@: the default image demo"
run key alice+host@127.0.0.1 "$where"
is "$rc:$out" "0:host
MELEE_IMAGE=" "ssh alice+host@: the host"
done_testing
