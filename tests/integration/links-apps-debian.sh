#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps on a real Debian image (trixie minbase from the test cache,
# which ships no desktop entries: one is written into it as a package
# would install it): the launcher validates, and started by gio launch
# it runs the entry's `sh -c` script with trixie's own shell and files.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

images_setup
image_ready trixie trixie
ok_cmd "melee-mounts up trixie" mm up trixie
install_melee
A=$IMAGES/trixie/usr/share/applications
mkdir -p -m 755 "$A" "$T/apps"
cat > "$A/org.example.Version.desktop" <<'D'
[Desktop Entry]
Version=1.5
Type=Application
Name=Debian version
Name[fr]=Version de Debian
Comment=Writes the release into /tmp
Exec=sh -c "cat /etc/debian_version > /tmp/launched.$$ && mv /tmp/launched.$$ /tmp/launched" %U
Icon=debian-version
Terminal=false
Categories=System;
D
chmod 644 "$A/org.example.Version.desktop"

run mm links --apps trixie --bindir "$T/bin" --applications-dir "$T/apps"
L=$T/apps/melee-trixie-org.example.Version.desktop
is "$rc:$out" "0:$L" "the launcher is written"
is "$(grep -E '^(Name|Exec)' "$L")" "Name=Debian version (trixie)
Name[fr]=Version de Debian (trixie)
Exec=$T/bin/melee trixie sh -c \"cat /etc/debian_version > /tmp/launched.\\\\\$\\\\\$ && mv /tmp/launched.\\\\\$\\\\\$ /tmp/launched\" %U" \
	"names marked with the image; the quoted script kept whole, its \$ escaped"
run desktop-file-validate "$L"
is "$rc:$out" "0:" "desktop-file-validate accepts it"

run bash -c "cd /home/alice && setpriv --reuid=alice --regid=alice --init-groups env HOME=/home/alice timeout 20 gio launch '$L'"
is "$rc:$out" "0:" "gio launch starts it as alice"
wait_for 20 test -e /tmp/launched
is "$(cat /tmp/launched 2>&1)" "$(cat "$IMAGES/trixie/etc/debian_version")" "trixie's shell ran the script inside trixie"

run mm links --apps trixie --remove --applications-dir "$T/apps"
is "$rc:$out" "0:removed $L" "--remove takes it out again"

done_testing
