#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A launcher written by links --apps, started the way a desktop menu
# starts it (gio launch: GLib parses the Exec line and expands %F), runs
# the image's program inside the image, as the user who clicked, with
# the files it was given.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
# The image's program: what it ran as, where, and its arguments, into
# /tmp (the host's /tmp of this namespace, bound into the image).
in_image /usr/bin/writer '#!/bin/sh
{ cat /marker; id -u; for a in "$@"; do printf "[%s]\n" "$a"; done; } > /tmp/.launched.$$
mv /tmp/.launched.$$ /tmp/launched'
app writer '[Desktop Entry]
Type=Application
Name=Writer
Exec=writer --title "A \\\\ title" %F'

run la
is "$rc:$out" "0:$LAUNCHERS/melee-demo-writer.desktop" "the launcher is written"
is "$(grep ^Exec= "$LAUNCHERS/melee-demo-writer.desktop")" "Exec=$T/bin/melee demo writer --title \"A \\\\\\\\ title\" %F" \
	"a quoted argument stays quoted, a backslash in it escaped twice"
run desktop-file-validate "$LAUNCHERS/melee-demo-writer.desktop"
is "$rc:$out" "0:" "desktop-file-validate accepts it"

touch "/tmp/a file" /tmp/b
run launch "$LAUNCHERS/melee-demo-writer.desktop" "/tmp/a file" /tmp/b
is "$rc:$out" "0:" "gio launch starts the launcher as alice"
wait_for 20 test -e /tmp/launched
is "$(cat /tmp/launched 2>&1)" "melee-fixture:demo
1501
[--title]
[A \\ title]
[/tmp/a file]
[/tmp/b]" "the image's program ran inside the image, as alice, with the quoted argument and each file"

# Without melee's help the program is not there: the host has no writer.
! command -v writer >/dev/null
ok $? "the program exists only in the image"

done_testing
