#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An image whose /etc a user made a symlink into a mount up bound in (the
# host's /home: here bob's private directory): the accounts merge that
# check (and up) makes reads the image's own /etc only, never a file
# behind such a link; check says why and names nothing of bob's file.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
setup_home
write_config
add_image demo "accounts = merge"
I=$IMAGES/demo
mkdir -p /home/bob/private
printf 'secret:x:4242:4242:BOBS-SECRET:/:/bin/sh\nalice:x:4343:4343:alice-in-bobs-file:/:/bin/sh\n' > /home/bob/private/passwd
printf 'secretgroup:x:4242:alice\n' > /home/bob/private/group
chown -R bob /home/bob/private
chmod 700 /home/bob/private
mm up demo >/dev/null
ok $? "up"
mv "$I/etc" "$I/etc.real" && ln -s /home/bob/private "$I/etc"
ok $? "the image's /etc is now a symlink to /home/bob/private (bound in from the host)"

run mm check demo
is "$rc" 1 "check fails"
like "$out" "demo: FAIL: accounts = merge: image's /etc: leads into a mount \(a symlink out of the image's own file system; refused\)" \
	"and says the merge refused the image's /etc, which leads into a mount"
unlike "$out" "4242|4343|secret|BOBS" "nothing of bob's files is shown"
run mm up demo
is "$rc" 1 "up fails"
unlike "$(cat /run/melee/demo/passwd /run/melee/demo/group)" "4242|secret|BOBS" \
	"the merged accounts hold nothing of bob's files"
done_testing
