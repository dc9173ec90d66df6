#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pamtester (one process: the session it opens chroots pamtester itself)
# with MELEE_IMAGE and with XDG_SESSION_DESKTOP=melee-IMAGE as LightDM
# sets it; where the session went is read back from pam_melee's syslog
# line, through a syslogd of this namespace's own.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
private_syslog
write_config
add_image demo "description = The demo image"
pam_setup demo
printf 'account required pam_permit.so\nsession required pam_permit.so\nsession required %s\n' "$PAM_MELEE" > "$T/pam.d/melee-test"
cd /

: > "$SYSLOG"
run pamtester -E MELEE_IMAGE=demo melee-test alice open_session
is "$rc" "0" "pamtester -E MELEE_IMAGE=demo: the session opens"
like "$out" "^melee: The demo image$" "the user is told which image"
syslog_wait 'entered image demo'
like "$(cat "$SYSLOG")" "user alice: entered image demo \(chosen by MELEE_IMAGE\)" "pam_melee entered image demo"
: > "$SYSLOG"
run pamtester -E XDG_SESSION_DESKTOP=melee-demo melee-test alice open_session
is "$rc" "0" "pamtester -E XDG_SESSION_DESKTOP=melee-demo (as LightDM sets it): the session opens"
syslog_wait 'chosen by the session name'
like "$(cat "$SYSLOG")" "user alice: entered image demo \(chosen by the session name\)" "entered demo, chosen by the session name"
run pamtester -E MELEE_IMAGE=nosuch melee-test alice open_session
like "$out" "^melee: there is no image 'nosuch' \(asked for by MELEE_IMAGE\)$" "pamtester -E MELEE_IMAGE=nosuch: refused with the message"
ok $((rc == 0)) "and the session fails (exit $rc)"
: > "$SYSLOG"
run pamtester melee-test alice open_session
is "$rc" "0" "nothing chosen: the session opens on the host"
sleep 0.3
! grep -q "entered image" "$SYSLOG"
ok $? "and pam_melee entered no image"

# What reaches the message and the log is printable: a newline in
# MELEE_IMAGE shows as '?' (and such an image does not exist).
: > "$SYSLOG"
run pamtester -E $'MELEE_IMAGE=x\nmelee: forged' melee-test alice open_session
is "$(printf '%s' "$out" | head -1)" "melee: there is no image 'x?melee: forged' (asked for by MELEE_IMAGE)" "a newline in MELEE_IMAGE is shown as '?'"
syslog_wait 'forged'
is "$(grep -c 'forged' "$SYSLOG")" "1" "and it is one syslog line, not two"

# Without a readable configuration a login that asked for an image by
# its name fails, with any of the separators melee.conf may choose; a
# plain name opens on the host.
chmod 666 "$T/etc/melee.conf"
for n in alice+demo 'alice%demo' 'alice~demo' 'alice^demo' 'alice=demo'; do
	run pamtester melee-test "$n" open_session
	like "$rc:$out" "^[1-9][0-9]*:melee: the MELEE configuration cannot be read; see the system log" "unreadable config: $n is refused, not sent to the host"
done
ok_cmd "unreadable config: plain alice opens on the host" pamtester melee-test alice open_session
chmod 644 "$T/etc/melee.conf"
done_testing
