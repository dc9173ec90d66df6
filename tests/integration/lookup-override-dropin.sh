#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An override drop-in, the systemd habit: images.d/demo-restrict.conf
# holding a second [image demo] with allow-groups = physics.  A drop-in
# defines only the image it is named after (melee.conf(5), "One drop-in
# per image"): melee-mounts check and melee --list refuse it by file and
# line, and no lookup lets bob (or anyone) into demo while it is there:
# getent through libnss_melee, sshd, pamtester's account stage, the PAM
# harness's session, the setuid melee; likewise an alias 'demo' of another image, and an
# override appended in place once a check has seen it.  With the file
# gone and a check run, demo answers again from its own two files.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/melee-lib.sh"

setup_logins
private_syslog
add_image demo
add_image zz
pam_setup demo zz
install_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
D=$T/etc/images.d
E=/etc/melee/images.d # the same, as the modules and melee read it
record() { ls /run/melee/config-checked-* >/dev/null 2>&1; }
# check_records: melee-mounts check passes and has recorded images.d
# (it records nothing within the clock tick of the last change: retried).
check_records() { wait_for 5 sh -c "\"$MELEE_MOUNTS\" --config \"$CONF\" check && ls /run/melee/config-checked-*"; }
cd /

ok_cmd "melee-mounts check passes and records images.d" check_records
run getent passwd bob+demo
is "$rc:$out" "0:bob+demo:x:1502:1502:Bob:/home/bob:/bin/sh" "before: bob+demo resolves (demo.conf lets everyone in)"
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
run key alice+demo@127.0.0.1 cat /marker
is "$rc:$out" "0:melee-fixture:demo" "before: ssh alice+demo@127.0.0.1 lands in demo"

printf '[image demo]\nallow-groups = physics\n' > "$D/demo-restrict.conf"
chmod 644 "$D/demo-restrict.conf"
why="demo-restrict.conf:1: \[image demo\] does not belong in demo-restrict.conf \(expected it in images.d/demo.conf or melee.conf: a drop-in defines only the image it is named after, and never overrides another file\)"

run mm check
like "$rc:$out" "^2:$D/$why$" "melee-mounts check refuses demo-restrict.conf:1 (FILE:LINE:), saying where demo belongs"
ok $(record; [ $? -ne 0 ]; echo $?) "and removes the record of its last full read"
run as alice "$MELEE" --list
like "$rc:$out" "^125:melee: $E/$why$" "melee --list refuses it alike"

for u in bob alice; do
	run getent passwd "$u+demo"
	is "$rc:$out" "2:" "getent passwd $u+demo (libnss_melee): not found while the override is there"
done
run getent shadow bob+demo
is "$rc" 2 "getent shadow bob+demo: not found either"
run key alice+demo@127.0.0.1 cat /marker
like "$rc:$out" "^255:.*Permission denied" "ssh alice+demo@127.0.0.1: refused"

: > "$SYSLOG"
run pamtester melee-test bob+demo acct_mgmt
like "$rc:$out" "^[1-9][0-9]*:.*Authentication service cannot retrieve authentication info" \
	"pamtester bob+demo acct_mgmt: refused"
syslog_wait "demo-restrict.conf:1"
like "$(cat "$SYSLOG")" "pam_melee\(melee-test:account\): $E/$why" "pam_melee's log names demo-restrict.conf:1"
# Without a suffix pam_melee reads everything; a configuration it cannot
# read gives a host session (pam_melee(8)), never one in demo.
run "$HARNESS" -a -E MELEE_IMAGE=demo "$T/pam.d" melee-test bob -- /bin/sh -c \
	'if [ -e /marker ]; then cut -d: -f2 /marker; else echo host; fi'
like "$out" "host$" "bob with MELEE_IMAGE=demo (the full read refuses): the session is not in demo"

run as bob "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: $E/$why$" "melee demo as bob: refused with the file and line"
run as alice "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: $E/$why$" "melee demo as alice (in physics): refused too: demo's rules are in doubt"
run as bob "$MELEE" zz cat /marker
is "$rc:$out" "0:melee-fixture:zz" "an image the override is not about still answers (melee zz)"

rm "$D/demo-restrict.conf"
ok_cmd "demo-restrict.conf removed: check passes and records again" check_records
run getent passwd bob+demo
is "$rc:$out" "0:bob+demo:x:1502:1502:Bob:/home/bob:/bin/sh" "bob+demo resolves again"

# An alias 'demo' of another image, in a new drop-in.
printf '[image other]\ndescription = other\naliases = dm, demo\n' > "$D/other.conf"
chmod 644 "$D/other.conf"
alias_why() { echo "$1/other.conf:3: alias 'demo' of image 'other' is already the name or an alias of image 'demo' \($1/demo.conf:1\)"; }
run getent passwd bob+demo
is "$rc:$out" "2:" "an alias demo in other.conf: getent passwd bob+demo is not found"
run as bob "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: $(alias_why $E)$" "melee demo: refused, naming other.conf:3"
run mm check
like "$rc:$out" "^2:$(alias_why $D)$" "melee-mounts check names the same line (FILE:LINE:)"
rm "$D/other.conf"
ok_cmd "other.conf removed: check passes and records again" check_records

# Appended in place to an existing drop-in after the record: the
# directory does not change, so lookups see it once the next check has
# refused it (melee.conf(5)).
printf '[image demo]\nallow-users = root\n' >> "$D/zz.conf"
run mm check
like "$rc:$out" "^2:$D/zz.conf:3: \[image demo\] does not belong in zz.conf" \
	"an override appended in place to zz.conf: check refuses it"
run getent passwd bob+demo
is "$rc:$out" "2:" "and from that check on, bob+demo is not found"
run as bob "$MELEE" demo cat /marker
like "$rc:$out" "^125:melee: $E/zz.conf:3: \[image demo\] does not belong in zz.conf" "nor entered with melee"
done_testing
