#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scp and sftp to alice+IMAGE through a real sshd configured as
# etc/ssh/sshd_config-melee.example says (Subsystem sftp internal-sftp):
# files go both ways, into and out of a real Debian image.  With Debian's
# default line (an external /usr/lib/openssh/sftp-server, which the image
# does not have) both fail with "Connection closed".
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
image_ready bullseye bullseye
ok_cmd "melee-mounts up bullseye" mm up bullseye
bind_etc_melee

subsystem=$(grep '^Subsystem' "$top_srcdir/etc/ssh/sshd_config-melee.example")
is "$subsystem" "Subsystem sftp internal-sftp" "the sshd example uses internal-sftp"
start_sshd "$subsystem"
# The clients run as alice, with her own copy of the key.
install -o alice -g alice -m 600 "$S/alice_key" /home/alice/.ssh/id_test
opts=(-F /dev/null -P "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o LogLevel=ERROR -o ConnectTimeout=10 -o BatchMode=yes -o IdentitiesOnly=yes
	-i /home/alice/.ssh/id_test)
in_image=$IMAGES/bullseye/var/tmp
cd /home/alice

# scp (the sftp protocol since OpenSSH 9.0): to /var/tmp of the image, a
# directory of the image's own (not a bind of the host's).
echo "up by scp" > up-scp.txt; chown alice: up-scp.txt
run as alice scp "${opts[@]}" up-scp.txt alice+bullseye@127.0.0.1:/var/tmp/
is "$rc:$out" "0:" "scp a file into the image"
is "$(cat "$in_image/up-scp.txt" 2>&1)" "up by scp" "it is in the image's /var/tmp"
ok "$([ ! -e /var/tmp/up-scp.txt ]; echo $?)" "and not in the host's"
run as alice scp "${opts[@]}" alice+bullseye@127.0.0.1:/etc/os-release down-scp.txt
is "$rc:$out" "0:" "scp a file out of the image"
is "$(sed -n 's/^VERSION_CODENAME=//p' down-scp.txt 2>&1)" "bullseye" "it is the image's /etc/os-release"

echo "up by sftp" > up-sftp.txt; chown alice: up-sftp.txt
out=$(printf 'put up-sftp.txt /var/tmp/up-sftp.txt\nget /etc/debian_version down-sftp.txt\n' |
	as alice sftp "${opts[@]}" -b - alice+bullseye@127.0.0.1 2>&1); rc=$?
like "$rc:$out" "^0:" "sftp put and get in one session"
is "$(cat "$in_image/up-sftp.txt" 2>&1)" "up by sftp" "sftp put: in the image's /var/tmp"
is "$(cat down-sftp.txt 2>&1)" "$(cat "$IMAGES/bullseye/etc/debian_version")" "sftp get: the image's /etc/debian_version"
like "$(cat down-sftp.txt)" "^11\." "(bullseye's, not the host's)"

# Debian's default line: sshd (reloaded with SIGHUP) runs the external
# server through alice's shell inside the image, where it does not exist.
sed -i 's|^Subsystem.*|Subsystem sftp /usr/lib/openssh/sftp-server|' "$S/sshd_config"
kill -HUP "$(cat "$S/sshd.pid")"
for i in $(seq 1 50); do
	[ "$(grep -c 'Server listening on 127.0.0.1' "$T/work/sshd.log")" -ge 2 ] && break; sleep 0.1
done
run as alice ssh "${opts[@]/-P/-p}" alice+bullseye@127.0.0.1 'cat /etc/debian_version'
like "$rc:$out" "^0:11\." "after the reload a login to alice+bullseye still works"
run as alice scp "${opts[@]}" up-scp.txt alice+bullseye@127.0.0.1:/var/tmp/again.txt
is "$rc:$(printf '%s\n' "$out" | tr -d "\r" | tail -1)" "255:scp: Connection closed" \
	"with an external sftp-server the image lacks: scp fails"
out=$(echo "get /etc/os-release x" | as alice sftp "${opts[@]}" -b - alice+bullseye@127.0.0.1 2>&1); rc=$?
is "$rc:$(printf '%s\n' "$out" | tr -d "\r" | tail -1)" "255:Connection closed" "and so does sftp"
ok "$([ ! -e "$in_image/again.txt" ]; echo $?)" "nothing was copied"
rm -f "$in_image"/up-*.txt
done_testing
