#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee's ask option through pamtester (its conversation reads the
# answer from standard input; -I tty= sets PAM_TTY): the question lists
# exactly the images the user may use with the default preselected, and
# each kind of answer does what it says.  Where a session went is read
# from pam_melee's syslog line.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
private_syslog
write_config
add_image bullseye "aliases = bull"
add_image trixie
add_image secret "allow-users = bob"
echo "alice trixie" > "$T/etc/users.conf"
chmod 644 "$T/etc/users.conf"
pam_setup bullseye trixie secret
printf 'session required pam_permit.so\nsession required %s ask\n' "$PAM_MELEE" > "$T/pam.d/melee-ask"
cd /

PROMPT='Image [trixie] (host, bullseye, trixie; log in as alice+host for the host): '
# session TTY ANSWERS...: pamtester open_session for alice on TTY with
# the ANSWERS on its standard input; $out, $rc, and $went: the image
# pam_melee entered ("host" for none).
session() {
	local tty=$1
	shift
	: > "$SYSLOG"
	out=$(printf '%s\n' "$@" | pamtester -I "tty=$tty" melee-ask alice open_session 2>&1)
	rc=$?
	sleep 0.2
	went=$(sed -n 's/.*user alice: entered image \([^ ]*\) .*/\1/p' "$SYSLOG")
	went=${went:-host}
}
asked() { grep -o 'Image \[[^]]*\] ([^)]*): ' <<< "$out" | head -1; }
count() { grep -o 'Image \[' <<< "$out" | wc -l; }

session /dev/tty3 ''
is "$(asked)" "$PROMPT" "the question lists host and the images alice may use (not secret), users.conf's trixie preselected"
is "$rc:$went:$(count)" "0:trixie:1" "an empty answer: the default, trixie"
like "$(cat "$SYSLOG")" "entered image trixie \(chosen by the answer at the console\)" "chosen by the answer at the console"

session tty3 bullseye
is "$rc:$went" "0:bullseye" "tty3 (no /dev/), answer bullseye: bullseye"
session /dev/pts/4 host
is "$rc:$went" "0:host" "/dev/pts/4, answer host: the host"
unlike "$out" "^melee: The" "and no image's description shown"
session ttyS0 bull
is "$rc:$went" "0:bullseye" "ttyS0 (serial), answer bull (an alias): bullseye"

session /dev/tty3 nosuch bullseye
like "$out" "melee: there is no image 'nosuch'; try again" "an unknown answer: the user is told why"
is "$rc:$went:$(count)" "0:bullseye:2" "and asked again: the second answer, bullseye, wins"
session /dev/tty3 secret ''
like "$out" "melee: you may not use image secret \(allowed users: bob\); try again" "a forbidden answer (secret): the user is told why"
is "$rc:$went:$(count)" "0:trixie:2" "and asked again (empty: trixie)"

session /dev/tty3 nosuch secret $'x\033]0;forged'
like "$out" "melee: there is no image 'x\?\]0;forged' \(3 answers refused\)" "three bad answers: the last one's reason, shown printable"
ok $((rc == 0)) "and the session fails (exit $rc)"
is "$went:$(count)" "host:3" "asked three times, no image entered"
session /dev/tty3 "$(printf 'a%.0s' $(seq 1 300))" nosuch nosuch
like "$out" "melee: an image name is at most 64 characters; try again" "an over-long answer is refused by its length"

# No question where there is no terminal: then the default rules.
for tty in ssh :0 ''; do
	session "$tty" bullseye
	is "$rc:$went:$(count)" "0:trixie:0" "PAM_TTY '$tty': no question, users.conf's trixie"
done
: > "$SYSLOG"
out=$(echo bullseye | pamtester melee-ask alice open_session 2>&1)
is "$(count):$(sed -n 's/.*entered image \([^ ]*\) .*/\1/p' "$SYSLOG")" "0:trixie" "no PAM_TTY at all (pamtester without -I): no question"
# A conversation that takes no answer (end of input) before any answer:
# no question, the default.
: > "$SYSLOG"
out=$(pamtester -I tty=/dev/tty3 melee-ask alice open_session 2>&1 < /dev/null); rc=$?
sleep 0.2
is "$rc:$(sed -n 's/.*entered image \([^ ]*\) .*/\1/p' "$SYSLOG")" "0:trixie" "no answer at all (end of input): the default, trixie"

# An application without a conversation function (the test harness with
# -n) on a terminal: no question put (none tried: no notice that the
# conversation failed), the default.
: > "$SYSLOG"
run "$HARNESS" -n -t /dev/tty3 "$T/pam.d" melee-ask alice -- /bin/sh -c 'cat /marker 2>/dev/null || echo host'
is "$rc:$out" "0:melee-fixture:trixie" "no conversation function: no question, users.conf's trixie"
syslog_wait 'entered image'
unlike "$(cat "$SYSLOG")" "takes no answer" "and no question was tried"
# The harness's conversation returns no answer to a prompt: tried, then
# the default (the notice says why).
: > "$SYSLOG"
run "$HARNESS" -t /dev/tty3 "$T/pam.d" melee-ask alice -- /bin/sh -c 'cat /marker 2>/dev/null || echo host'
is "$rc:$(tail -1 <<< "$out")" "0:melee-fixture:trixie" "a conversation that gives no answer: the default, trixie"
syslog_wait 'entered image'
like "$(cat "$SYSLOG")" "user alice: the conversation takes no answer \(.*\): no question" "after trying, with a notice"

# PAM_SILENT (no messages): no question either, the default.
: > "$SYSLOG"
out=$(echo bullseye | pamtester -I tty=/dev/tty3 melee-ask alice 'open_session(PAM_SILENT)' 2>&1); rc=$?
sleep 0.2
is "$rc:$(count):$(sed -n 's/.*entered image \([^ ]*\) .*/\1/p' "$SYSLOG")" "0:0:trixie" "PAM_SILENT: no question, users.conf's trixie"

# An image chosen before the question is not asked about.
: > "$SYSLOG"
out=$(echo host | pamtester -I tty=/dev/tty3 -E MELEE_IMAGE=bullseye melee-ask alice open_session 2>&1)
is "$(count)" "0" "MELEE_IMAGE chose: no question"
# Nothing preselected by any source: the host.
: > "$T/etc/users.conf"
session /dev/tty3 ''
is "$(asked)" "Image [host] (host, bullseye, trixie; log in as alice+host for the host): " "no default: host preselected"
is "$rc:$went" "0:host" "and an empty answer is the host"
# bob may use secret: it is listed for him.
out=$(echo host | pamtester -I tty=/dev/tty3 melee-ask bob open_session 2>&1)
is "$(asked)" "Image [host] (host, bullseye, secret, trixie; log in as bob+host for the host): " "bob's question lists secret (allow-users = bob)"
# A default alice may not have is not preselected.
echo "alice secret" > "$T/etc/users.conf"
session /dev/tty3 ''
is "$(asked):$went" "Image [host] (host, bullseye, trixie; log in as alice+host for the host): :host" "users.conf's secret (forbidden to alice): host preselected"

# With fallback=deny the account stage does not refuse that forbidden
# default where the session will ask: the answer decides, and is checked.
printf 'account required pam_permit.so\naccount required %s ask fallback=deny\nsession required pam_permit.so\nsession required %s ask fallback=deny\n' "$PAM_MELEE" "$PAM_MELEE" > "$T/pam.d/melee-ask-deny"
: > "$SYSLOG"
out=$(echo bullseye | pamtester -I tty=/dev/tty3 melee-ask-deny alice acct_mgmt open_session 2>&1); rc=$?
sleep 0.2
is "$rc:$(sed -n 's/.*entered image \([^ ]*\) .*/\1/p' "$SYSLOG")" "0:bullseye" \
	"ask, fallback=deny, a forbidden default at a console: account passes, the answer bullseye is entered"
out=$(printf 'secret\nsecret\nsecret\n' | pamtester -I tty=/dev/tty3 melee-ask-deny alice acct_mgmt open_session 2>&1); rc=$?
like "$out" "you may not use image secret \(allowed users: bob\) \(3 answers refused\)" "answering the forbidden default is refused"
ok $((rc == 0)) "and the session fails (exit $rc)"
# Where no question is put (PAM_TTY ssh), the account stage refuses it.
out=$(echo bullseye | pamtester -I tty=ssh melee-ask-deny alice acct_mgmt 2>&1); rc=$?
like "$out" "melee: you may not use image secret" "no terminal: fallback=deny refuses the forbidden default at the account stage"
ok $((rc == 0)) "with a failure (exit $rc)"
done_testing
