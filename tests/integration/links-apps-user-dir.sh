#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps run by root into an applications directory a user may
# write (a careless --applications-dir): the user's planted melee-icons
# link never leads root's unlinks (nor its chmod) out of that directory.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
chown alice "$LAUNCHERS"
mkdir -p "$T/victim"
printf 'root' > "$T/victim/melee-demo-one.png"
chmod 600 "$T/victim/melee-demo-one.png"
# What alice plants: a launcher that looks like one of links --apps demo,
# and melee-icons as a link to a directory of root's.
as alice sh -c "printf '[Desktop Entry]\nType=Application\nName=x\nExec=x\nX-Melee-Image=demo\nX-Melee-App=one.desktop\n' > '$LAUNCHERS/melee-demo-one.desktop' && ln -s '$T/victim' '$LAUNCHERS/melee-icons'"

run la --remove
is "$rc" "0" "links --apps demo --remove removes the planted launcher"
[ ! -e "$LAUNCHERS/melee-demo-one.desktop" ]
ok $? "the launcher is gone"
is "$(cat "$T/victim/melee-demo-one.png" 2>&1):$(stat -c %a "$T/victim/melee-demo-one.png" 2>&1)" "root:600" \
	"root's file behind the planted melee-icons link is still there, mode unchanged"
[ -L "$LAUNCHERS/melee-icons" ]
ok $? "the link itself is left alone"

done_testing
