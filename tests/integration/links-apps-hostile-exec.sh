#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An image's Exec line with shell metacharacters (; $(...) backticks |
# > &) and quotes: the launcher runs melee directly, never a shell, and
# every one of them reaches the image's program as a literal argument.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
in_image /usr/bin/writer '#!/bin/sh
{ for a in "$@"; do printf "[%s]\n" "$a"; done; } > /tmp/.launched.$$
mv /tmp/.launched.$$ /tmp/launched'
# Unquoted metacharacters break the specification's rules; they are
# taken as the literal characters they are, as the image's own menu would
# not run a shell either.
app hostile '[Desktop Entry]
Type=Application
Name=Hostile
Exec=writer ; "$(touch /tmp/pwned1)" `touch /tmp/pwned2` "a \\"quoted\\" word" '"'it''s'"' x|y >/tmp/pwned3 & $HOME'

run la
is "$rc:$out" "0:$LAUNCHERS/melee-demo-hostile.desktop" "the launcher is written"
is "$(grep ^Exec= "$LAUNCHERS/melee-demo-hostile.desktop")" \
	"Exec=$T/bin/melee demo writer \";\" \"\\\\\$(touch /tmp/pwned1)\" \"\\\\\`touch\" \"/tmp/pwned2\\\\\`\" \"a \\\\\"quoted\\\\\" word\" \"'it''s'\" \"x|y\" \">/tmp/pwned3\" \"&\" \"\\\\\$HOME\"" \
	"every argument with a reserved character is quoted, \$ \` \" escaped"
run desktop-file-validate "$LAUNCHERS/melee-demo-hostile.desktop"
is "$rc:$out" "0:" "desktop-file-validate accepts it"

run launch "$LAUNCHERS/melee-demo-hostile.desktop"
is "$rc:$out" "0:" "gio launch starts it"
wait_for 20 test -e /tmp/launched
is "$(cat /tmp/launched 2>&1)" '[;]
[$(touch /tmp/pwned1)]
[`touch]
[/tmp/pwned2`]
[a "quoted" word]
['"'it''s'"']
[x|y]
[>/tmp/pwned3]
[&]
[$HOME]' "each metacharacter reached the program literally"
run ls /tmp/pwned1 /tmp/pwned2 /tmp/pwned3 "$IMAGES/demo/tmp/pwned1"
is "$rc" "2" "no shell ran: nothing was touched, nothing redirected"

done_testing
