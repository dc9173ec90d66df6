#!/bin/bash
# pamtester (one process: the session it opens chroots pamtester itself)
# with MELEE_IMAGE and with XDG_SESSION_DESKTOP=melee-IMAGE as LightDM
# sets it; where the session went is read back from pam_melee's syslog
# line, through a syslogd of this namespace's own.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
private_syslog
write_config
add_image demo "description = The demo image"
mm up demo >/dev/null
bind_etc_melee
mkdir -p "$T/pam.d"; cp -a /etc/pam.d/. "$T/pam.d/"
printf 'account required pam_permit.so\nsession required pam_permit.so\nsession required %s\n' "$PAM_MELEE" > "$T/pam.d/melee-test"
mount --bind "$T/pam.d" /etc/pam.d
cd /

: > "$SYSLOG"
out=$(pamtester -E MELEE_IMAGE=demo melee-test alice open_session 2>&1); rc=$?
is "$rc" "0" "pamtester -E MELEE_IMAGE=demo: the session opens"
like "$out" "^melee: The demo image$" "the user is told which image"
sleep 0.3
like "$(cat "$SYSLOG")" "user alice: entered image demo \(chosen by MELEE_IMAGE\)" "pam_melee entered image demo"
: > "$SYSLOG"
out=$(pamtester -E XDG_SESSION_DESKTOP=melee-demo melee-test alice open_session 2>&1); rc=$?
is "$rc" "0" "pamtester -E XDG_SESSION_DESKTOP=melee-demo (as LightDM sets it): the session opens"
sleep 0.3
like "$(cat "$SYSLOG")" "user alice: entered image demo \(chosen by the session name\)" "entered demo, chosen by the session name"
out=$(pamtester -E MELEE_IMAGE=nosuch melee-test alice open_session 2>&1); rc=$?
like "$out" "^melee: there is no image 'nosuch' \(asked for by MELEE_IMAGE\)$" "pamtester -E MELEE_IMAGE=nosuch: refused with the message"
ok $((rc == 0)) "and the session fails (exit $rc)"
: > "$SYSLOG"
out=$(pamtester melee-test alice open_session 2>&1); rc=$?
is "$rc" "0" "nothing chosen: the session opens on the host"
sleep 0.3
! grep -q "entered image" "$SYSLOG"
ok $? "and pam_melee entered no image"
done_testing
