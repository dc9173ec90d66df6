#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps IMAGE --remove removes exactly the launchers (and icon
# copies) links --apps wrote for IMAGE, recognised by their X-Melee-Image
# and X-Melee-App keys: not another image's with a similar name, not the
# image's terminal launcher, not someone else's file.  A run also drops
# the launchers of entries the image no longer has, and `links` keeps
# them while the image is configured and removes them once it is not.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
add_image demo-x
mkdir -p "$IMAGES/demo-x/usr/share/applications" "$IMAGES/demo/usr/share/pixmaps"
for i in one two; do
	app $i "[Desktop Entry]
Type=Application
Name=App $i
Exec=$i
Icon=melee-test-$i"
done
printf 'icon' > "$IMAGES/demo/usr/share/pixmaps/melee-test-one.png"
printf '[Desktop Entry]\nType=Application\nName=X\nExec=x\n' > "$IMAGES/demo-x/usr/share/applications/one.desktop"

run la
is "$rc:$out" "0:$LAUNCHERS/melee-demo-one.desktop
$LAUNCHERS/melee-demo-two.desktop" "demo's launchers"
run mm links --apps demo-x --bindir "$T/bin" --applications-dir "$LAUNCHERS"
is "$rc:$out" "0:$LAUNCHERS/melee-demo-x-one.desktop" "demo-x's launcher (its name starts like demo's)"
run mm links -q --bindir "$T/bin" --desktop-dir "$LAUNCHERS"
is "$rc:$out:$(ls -A "$LAUNCHERS" | tr '\n' ' ')" "0::melee-demo-one.desktop melee-demo-two.desktop melee-demo-x-one.desktop melee-demo-x.desktop melee-demo.desktop melee-icons " \
	"links keeps the application launchers of configured images beside the terminal launchers"
# Someone else's launchers, one of them with a name like ours.
printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=mine\n' > "$LAUNCHERS/melee-demo-mine.desktop"
printf '[Desktop Entry]\nType=Application\nName=Other\nExec=other\n' > "$LAUNCHERS/other.desktop"

# An entry the image no longer has: its launcher and icon go.
rm "$APPS/one.desktop"
run la
is "$rc:$out" "0:removed $LAUNCHERS/melee-demo-one.desktop
removed $LAUNCHERS/melee-icons/melee-demo-one.png" "the launcher of a removed entry goes, with its icon"

app one '[Desktop Entry]
Type=Application
Name=App one
Exec=one
Icon=melee-test-one'
run la
is "$rc:$out" "0:$LAUNCHERS/melee-demo-one.desktop" "and comes back with the entry"
is "$(ls "$LAUNCHERS/melee-icons")" "melee-demo-one.png" "its icon copy too"

# A file of someone else's under the name a launcher would take.
app mine '[Desktop Entry]
Type=Application
Name=Mine too
Exec=mine'
run la
is "$rc:$out" "1:melee-mounts: $LAUNCHERS/melee-demo-mine.desktop exists and was not written by melee-mounts links --apps for demo; left alone" \
	"a foreign file under a launcher's name is left alone"
rm "$APPS/mine.desktop"

run la --remove
is "$rc:$out" "0:removed $LAUNCHERS/melee-demo-one.desktop
removed $LAUNCHERS/melee-icons/melee-demo-one.png
removed $LAUNCHERS/melee-demo-two.desktop" "--remove removes demo's application launchers and icons"
is "$(ls -A "$LAUNCHERS" | tr '\n' ' ')" "melee-demo-mine.desktop melee-demo-x-one.desktop melee-demo-x.desktop melee-demo.desktop other.desktop " \
	"demo-x's launchers, the terminal launcher and foreign files stay"
run la --remove
is "$rc:$out" "0:" "a second --remove has nothing to do"

# An image leaving the configuration: links removes its launchers, all
# of them, by the image named in their key.
rm "$T/etc/images.d/demo-x.conf"
run mm links --bindir "$T/bin" --desktop-dir "$LAUNCHERS"
is "$rc:$(printf '%s\n' "$out" | sort)" "0:removed $LAUNCHERS/melee-demo-x-one.desktop
removed $LAUNCHERS/melee-demo-x.desktop
removed $T/bin/demo-x
removed $T/bin/qsubdemo-x" "links removes an unconfigured image's launchers"
is "$(ls -A "$LAUNCHERS" | tr '\n' ' ')" "melee-demo-mine.desktop melee-demo.desktop other.desktop " "foreign files stay"

done_testing
