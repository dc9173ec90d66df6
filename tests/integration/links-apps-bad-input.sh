#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps with bad input: an unknown image, options without --apps,
# --apps with another command, an image without applications, a
# relative applications directory.  A clear message, nothing written.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
app good '[Desktop Entry]
Type=Application
Name=Good
Exec=good'

run mm links --apps nosuch --bindir "$T/bin" --applications-dir "$LAUNCHERS"
is "$rc:$out" "2:melee-mounts: unknown image 'nosuch' (configured: demo)" "an unknown image is refused"
run mm links --apps '../demo' --remove --applications-dir "$LAUNCHERS"
is "$rc:$out" "2:melee-mounts: unknown image '../demo': not a valid image name (configured: demo)" \
	"--remove takes any valid image name, never a path"
run mm links --remove --applications-dir "$LAUNCHERS"
is "$rc:$out" "2:melee-mounts: --applications-dir and --remove go with links --apps IMAGE" "--remove needs --apps"
run mm status --apps demo
is "$rc:$out" "2:melee-mounts: --apps goes with the links command" "--apps needs links"
run la --applications-dir apps
is "$rc:$out" "2:melee-mounts: apps: the applications directory must be an absolute path without backslashes or control characters" \
	"a relative applications directory is refused"
is "$(ls -A "$LAUNCHERS")" "" "nothing written"

# An image without /usr/share/applications has nothing to export.
rm -r "$APPS"
run la
is "$rc:$out" "0:" "an image without applications: nothing to do"

done_testing
