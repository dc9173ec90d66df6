#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A failure after melee_enter_image()'s chroot fails the session even for
# a default image with fallback=host: the process is already inside the
# image and must not go on "using the host".  personality(2) is refused
# by a seccomp filter (tests/deny-personality) for a linux32 image.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
private_syslog
write_config "default-image = img32"
add_image img32 "personality = linux32"
add_image unprepared
pam_setup img32
printf 'session required pam_permit.so\nsession required %s\n' "$PAM_MELEE" > "$T/pam.d/melee-test"
cd /
DENY=$top_builddir/tests/deny-personality

: > "$SYSLOG"
run pamtester melee-test alice open_session
is "$rc" "0" "control: default image img32 (linux32) opens when personality works"
syslog_wait 'entered image img32'
like "$(cat "$SYSLOG")" "user alice: entered image img32 \(chosen by default-image\)" "and it entered img32"

: > "$SYSLOG"
run "$DENY" pamtester melee-test alice open_session
ok $((rc == 0)) "personality refused after the chroot: the session fails (exit $rc), no fallback to the host"
like "$out" "^melee: cannot set the linux32 personality in image img32 after the chroot: Operation not permitted$" "the user is told why"
syslog_wait 'session failed inside image img32'
like "$(cat "$SYSLOG")" "user alice: session failed inside image img32 \(default-image\)" "syslog: failed inside the image"
unlike "$(cat "$SYSLOG")" "using the host" "and never 'using the host'"

# A default that fails before the chroot still falls back (fallback=host).
sed -i 's/^default-image = img32$/default-image = unprepared/' "$CONF"
: > "$SYSLOG"
run "$DENY" pamtester melee-test alice open_session
is "$rc" "0" "a default image that is not prepared (fails before the chroot): the host session"
syslog_wait 'using the host'
like "$(cat "$SYSLOG")" "image unprepared is not prepared.*using the host \(fallback=host\)" "logged as a fallback to the host"
# chroot(2) itself refused: setpriv takes CAP_SYS_CHROOT out of the
# bounding set, so the harness it runs (root) has it nowhere.  That is
# before the process is inside, so fallback=host gives the host session;
# it must go on in the directory it was started from, not in the image's
# root, where melee_enter_image_at()'s fchdir left it.
add_image plain
ok_cmd "melee-mounts up plain" mm up plain
sed -i 's/^default-image = unprepared$/default-image = plain/' "$CONF"
mkdir -p "$T/work/started-here"
chmod 755 "$T/work" "$T/work/started-here"
cd "$T/work/started-here"
: > "$SYSLOG"
run setpriv --bounding-set=-sys_chroot "$HARNESS" "$T/pam.d" melee-test alice -- /bin/pwd
cd /
is "$rc" "0" "chroot refused for a default image: the host session (fallback=host)"
syslog_wait 'using the host'
like "$(cat "$SYSLOG")" "cannot chroot to $IMAGES/plain: Operation not permitted.*using the host \(fallback=host\)" "logged with the reason"
is "$(printf '%s\n' "$out" | tail -1)" "$T/work/started-here" "the session's command runs where the login started, not in the image's tree"
cd "$T/work/started-here"
run setpriv --bounding-set=-sys_chroot "$HARNESS" -E MELEE_IMAGE=plain "$T/pam.d" melee-test alice -- /bin/pwd
cd /
ok $((rc == 0)) "chroot refused for an image the login asked for (MELEE_IMAGE): refused (exit $rc), no host session"
like "$out" "cannot chroot to $IMAGES/plain: Operation not permitted" "the user is told why"
unlike "$out" "started-here" "and no command ran"

done_testing
