#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee --set-default IMAGE: alice's ~/.config/melee/image written as
# alice (directories 0755, file 0644, hers), shown by --show-default, and
# a real PAM session (the pam_start harness) lands in that image; an
# unknown or forbidden image is refused with nothing written; `host`
# removes the file; an alias is written as the image's name.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/melee-lib.sh"

setup_logins
add_image one "description = Image one
aliases = uno"
add_image two "description = Image two"
add_image phys "allow-groups = physics"
mm up one two phys >/dev/null
install_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
cd /tmp || exit 1

# where USER: the image a real PAM session of USER lands in, or host.
where() {
	"$HARNESS" -a "$T/pam.d" melee-test "$1" -- /bin/sh -c \
		'if [ -e /marker ]; then cut -d: -f2 /marker; else echo "host ${MELEE_IMAGE:-unset}"; fi' 2>"$T/work/err"
}
F=/home/alice/.config/melee/image

run as alice "$MELEE" --show-default
is "$rc:$out" "0:host (nothing chosen)" "--show-default with nothing chosen: host"
is "$(where alice)" "host unset" "(and a login lands on the host)"

# A restrictive umask must not make the file unreadable to the login.
run as alice sh -c "umask 077; exec \"$MELEE\" --set-default two"
is "$rc:$out" "0:two (from ~/.config/melee/image)
note: log in as alice+host for the host" "--set-default two: says what a login now chooses"
is "$(stat -c '%U %a' /home/alice/.config /home/alice/.config/melee "$F" | tr '\n' ' ')" \
	"alice 755 alice 755 alice 644 " "directories 0755, file 0644, all alice's (umask 077 notwithstanding)"
is "$(cat "$F")" "two" "the file holds the image name, one line"
is "$(ls -A /home/alice/.config/melee)" "image" "no temporary file is left beside it"
run as alice "$MELEE" --show-default
is "$rc:$out" "0:two (from ~/.config/melee/image)
note: log in as alice+host for the host" "--show-default: two, from the user's file"
is "$(where alice)" "two" "a real PAM session of alice lands in image two"

run as alice "$MELEE" --set-default uno
is "$rc:$(cat "$F")" "0:one" "--set-default by alias writes the image's own name"
is "$(where alice)" "one" "and the login lands in image one"
ls -i "$F" > "$T/work/ino1"

# Refusals: exit 125, the reason, the file untouched.
run as alice "$MELEE" --set-default nosuch
is "$rc:$out" "125:melee: unknown image 'nosuch' (melee --list shows the images)" "--set-default of an unknown image: refused"
run as bob "$MELEE" --set-default phys
is "$rc:$out" "125:melee: you may not use image phys (allowed groups: physics): nothing written" \
	"--set-default of an image bob may not use: refused with who may"
is "$(ls -A /home/bob)" "" "nothing written in bob's home"
run as alice "$MELEE" --set-default ../two
is "$rc" "125" "--set-default of a path: refused"
is "$(cat "$F")" "one" "alice's file still names one after her refusals"
is "$(ls -i "$F")" "$(cat "$T/work/ino1")" "(the very same file: not rewritten)"
run as alice "$MELEE" --set-default
like "$rc:$out" "^125:melee: --set-default takes one IMAGE, or host" "--set-default without an image: usage error"

# host removes the file; users.conf then decides.
echo "alice two" > "$T/etc/users.conf"
run as alice "$MELEE" --set-default host
is "$rc:$out" "0:two (users.conf)
note: log in as alice+host for the host" "--set-default host: removed, and says that users.conf now chooses"
is "$(ls -A /home/alice/.config/melee)" "" "the file is gone"
run as alice "$MELEE" --set-default host
is "$rc:$out" "0:two (users.conf)
note: log in as alice+host for the host" "--set-default host again: nothing to remove, still fine"
: > "$T/etc/users.conf"
run as alice "$MELEE" --show-default
is "$rc:$out" "0:host (nothing chosen)" "without users.conf: host (nothing chosen)"
is "$(where alice)" "host unset" "and the login stays on the host"

# Killed between the temporary file and its rename (the caller's own
# RLIMIT_FSIZE kills melee at its write: SIGXFSZ), the temporary stays;
# the next write removes it once it is a minute old (review 29).
run as alice prlimit --fsize=0 -- "$MELEE" --set-default two
left=$(cd /home/alice/.config/melee && ls -A | grep '^\.image\.tmp[0-9]*$')
is "$rc:$(printf '%s' "$left" | grep -c .)" "153:1" "killed by SIGXFSZ at its write: one temporary left"
touch -d '-2 min' "/home/alice/.config/melee/$left"
run as alice "$MELEE" --set-default two
is "$rc:$(cat "$F"):$(ls -A /home/alice/.config/melee)" "0:two:image" \
	"the next --set-default writes the file and removes the temporary the killed one left"
done_testing
