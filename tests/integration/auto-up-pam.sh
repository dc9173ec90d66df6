#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# auto-up with pam_melee: a session (real Linux-PAM harness, and a real
# sshd login) on an image that is down lands in it when auto-up = yes,
# the installed melee-mounts having run once with a clean environment,
# and the image is up afterwards; with auto-up = no it is refused as
# before; a melee-mounts up that fails refuses the login with its message.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/auto-up-lib.sh"

private_syslog
setup_logins "auto-up = no"
add_image demo "description = Demo image"
add_image other
bind_etc_melee
install_auto_up_helper
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"

# session USER: opens a session through Linux-PAM and prints the marker.
session() {
	env MARKER=from-caller PATH=/tmp/evil:/usr/bin:/bin LD_LIBRARY_PATH=/tmp/libs \
		"$HARNESS" "$T/pam.d" melee-test "$1" -- /bin/sh -c 'cat /marker' 2>&1
}

run session alice+demo
like "$rc:$out" "^[1-9][0-9]*:.*melee: image demo is not prepared \\($IMAGES/demo/proc is not mounted\\); run 'melee-mounts up demo' as root" \
	"auto-up = no: a session in a down image is refused with the usual message"
is "$(auto_up_runs)" "0" "auto-up = no: melee-mounts was never run"

write_config "auto-up = yes"
run session alice+demo
is "$rc:$out" "0:melee-fixture:demo" "auto-up = yes: the session lands in the down image"
is "$(auto_up_runs)" "1" "melee-mounts ran once"
ok_cmd "the image is up afterwards (melee-mounts status demo)" mm status demo
seen=$(ls "$AUTO_UP_SEEN"/*.env)
is "$(tr '\0' '\n' < "$seen")" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
	"the helper's environment is PATH alone: nothing of the caller's (MARKER, PATH, LD_LIBRARY_PATH)"
is "$(tail -n 1 "${seen%.env}.info")" "--config /etc/melee/melee.conf up demo" "it ran 'melee-mounts --config CONF up demo'"
syslog_wait "user alice: auto-up: image demo was not prepared: ran '$AUTO_UP_PATH --config /etc/melee/melee.conf up demo'"
ok $? "syslog says what was run, for whom"
run session alice+demo
is "$rc:$out:$(auto_up_runs)" "0:melee-fixture:demo:1" "an image that is up: nothing is run again"

# A broken image: up fails on a mountpoint that is a symlink.
rmdir "$IMAGES/other/tmp" && ln -s /etc "$IMAGES/other/tmp"
run session alice+other
like "$rc:$out" "^[1-9][0-9]*:.*melee: image other is not prepared, and auto-up's '$AUTO_UP_PATH up other' failed \\(exit status 1\\): melee-mounts: .*tmp.*symlink" \
	"a failing melee-mounts up refuses the session with its first line of stderr"
syslog_wait "user alice: refused \\(the login name\\): image other is not prepared, and auto-up's"
ok $? "syslog has the refusal"
rm "$IMAGES/other/tmp" && mkdir -m 1777 "$IMAGES/other/tmp"

# A real sshd login as alice+other, the image down: it lands.
start_sshd
run "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" alice+other@127.0.0.1 'cat /marker' </dev/null
is "$rc:$out" "0:melee-fixture:other" "ssh alice+other@127.0.0.1 on a down image with auto-up = yes lands in it"
ok_cmd "image other is up afterwards" mm status other

done_testing
