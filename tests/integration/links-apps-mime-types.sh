#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps and an entry's MimeType: an image's entry may claim any
# type, x-scheme-handler/https included, which would make the image's
# program the host's browser.  Dropped unless melee.conf's [melee] section
# says export-mime-types = yes; a bad value is a configuration error.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
app browser '[Desktop Entry]
Type=Application
Name=Browser
Exec=browser %u
MimeType=x-scheme-handler/https;x-scheme-handler/http;text/html;'
L=$LAUNCHERS/melee-demo-browser.desktop

run la
is "$rc:$out" "0:$L" "the launcher is written"
unlike "$(cat "$L")" "^MimeType=" "export-mime-types unset: no MimeType in the launcher"
is "$(grep -c x-scheme-handler "$L")" 0 "nothing claims x-scheme-handler/https"

write_config "export-mime-types = no"
run la
is "$rc:$out" "0:" "export-mime-types = no: the same launcher, nothing rewritten"
unlike "$(cat "$L")" "^MimeType=" "export-mime-types = no: no MimeType"

write_config "export-mime-types = yes"
run la
is "$rc:$out" "0:$L" "export-mime-types = yes: the launcher is rewritten"
like "$(cat "$L")" "^MimeType=x-scheme-handler/https;x-scheme-handler/http;text/html;$" \
	"export-mime-types = yes: the entry's MimeType is kept"

write_config "export-mime-types = sometimes"
run la
like "$rc:$out" "^2:melee-mounts: .*melee.conf:[0-9]+: export-mime-types must be yes or no, got 'sometimes'" \
	"a bad value: a configuration error naming the file, line and value"
like "$(cat "$L")" "^MimeType=" "and the launcher is left as it was"

done_testing
