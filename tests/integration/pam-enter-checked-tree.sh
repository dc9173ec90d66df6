#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The session enters the very tree pam_melee walked and checked: the
# image root is walked once (melee_image_open), the login shell is looked
# for through that fd, and the chroot is made on it (melee_enter_image_at).
# The attack: while the session is between its checks and its chroot
# (held there by strace delaying the openat2 of the image's limits.conf,
# the last look before the chroot), the image's directory is renamed
# away and another prepared tree put at its path.  The session must land
# in the tree it checked, not in the one swapped in.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

command -v strace >/dev/null || skip_all "needs strace"
setup_logins
add_image demo
add_image other
pam_setup demo other
pam_service melee-test "account required pam_permit.so
session required $PAM_MELEE"
cd /

# session USER: the marker of the tree the session's command runs in.
session() {
	"$HARNESS" "$T/pam.d" melee-test "$1" -- /bin/cat /marker 2>&1
}
is "$(session alice+demo)" "melee-fixture:demo" "control: alice+demo lands in demo"

# One walk: the image's last component is opened once, O_PATH|O_NOFOLLOW.
strace -f -o "$T/work/walk" -e trace=openat "$HARNESS" "$T/pam.d" melee-test alice+demo -- /bin/true
is "$(grep -c 'openat([0-9]*, "demo", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY)' "$T/work/walk")" "1" \
	"the image root is walked once per session, not once for the checks and again to enter"
# With auto-up = yes too: an image that is up is not walked a second time
# to ask whether it needs up.
echo "auto-up = yes" >> "$CONF"
strace -f -o "$T/work/walk" -e trace=openat "$HARNESS" "$T/pam.d" melee-test alice+demo -- /bin/true
is "$(grep -c 'openat([0-9]*, "demo", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH|O_DIRECTORY)' "$T/work/walk")" "1" \
	"with auto-up = yes and the image up: walked once too"
sed -i '/^auto-up = yes$/d' "$CONF"

# The swap, mid-session.  strace holds the second openat2 (the image's
# etc/security/limits.conf, after the walk and the shell) for 3 s.
strace -f -o "$T/work/held" -e trace=openat2 -e inject=openat2:delay_exit=3s:when=2 \
	"$HARNESS" "$T/pam.d" melee-test alice+demo -- /bin/cat /marker > "$T/work/out" 2>&1 &
held=$!
PIDS="$PIDS $held"
wait_for 10 grep -q 'limits.conf' "$T/work/held"
ok $? "the session is held at its last look into the image"
mv "$IMAGES/demo" "$IMAGES/demo.checked"
mv "$IMAGES/other" "$IMAGES/demo"
wait "$held"; rc=$?
# Back as they were, so that melee-mounts down finds its mounts.
mv "$IMAGES/demo" "$IMAGES/other"
mv "$IMAGES/demo.checked" "$IMAGES/demo"
is "$rc:$(cat "$T/work/out")" "0:melee-fixture:demo" \
	"demo swapped for another prepared tree after the checks: the session enters the tree it checked"

# And the checks still refuse on that walk: an image not prepared.
mm down other >/dev/null
"$HARNESS" "$T/pam.d" melee-test alice+other -- /bin/cat /marker > "$T/work/out" 2>&1; rc=$?
like "$rc:$(cat "$T/work/out")" "^[1-9][0-9]*:.*melee: image other is not prepared \(.*/proc is not mounted\); run 'melee-mounts up other' as root" \
	"an image not prepared is refused, with the fix named"
unlike "$(cat "$T/work/out")" "melee-fixture" "and nothing ran"
done_testing
