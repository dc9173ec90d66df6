#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts links: IMAGE -> melee links for images and aliases, a valid
# desktop launcher per image, stale ones removed when an image leaves the
# config, foreign files never touched.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup "aliases = demo1"
add_image sl6 "description = Scientific Linux 6.3
aliases = sl63"
mm up sl6 >/dev/null
mkdir -p "$T/apps"
ln -s /bin/true "$T/bin/foreign"
cp /bin/true "$T/bin/mytool"
install -m 755 "$top_builddir/tools/melee-qsub/melee-qsub" "$T/bin/melee-qsub"
Q=melee-qsub

run mm links --bindir "$T/bin" --desktop-dir "$T/apps"
is "$rc:$out" "0:$T/bin/demo -> melee
$T/bin/qsubdemo -> $Q
$T/bin/demo1 -> melee
$T/bin/qsubdemo1 -> $Q
$T/bin/sl6 -> melee
$T/bin/qsubsl6 -> $Q
$T/bin/sl63 -> melee
$T/bin/qsubsl63 -> $Q
$T/apps/melee-demo.desktop
$T/apps/melee-sl6.desktop" "links and launchers created and listed"
is "$(cd "$T/bin" && for f in *; do printf '%s %s\n' "$f" "$(readlink "$f")"; done)" "demo melee
demo1 melee
foreign /bin/true
melee 
melee-qsub 
mytool 
qsubdemo $Q
qsubdemo1 $Q
qsubsl6 $Q
qsubsl63 $Q
sl6 melee
sl63 melee" "one relative link per image and alias (and a qsub<NAME> link to melee-qsub), other files untouched"
is "$(cat "$T/apps/melee-sl6.desktop")" "[Desktop Entry]
Type=Application
Name=Terminal in Scientific Linux 6.3
Comment=A shell inside the MELEE image sl6
Exec=$T/bin/melee sl6
Terminal=true
Icon=utilities-terminal
Categories=System;TerminalEmulator;
X-Melee-Image=sl6" "the launcher: a terminal with the image's shell"
if command -v desktop-file-validate >/dev/null; then
	run desktop-file-validate "$T/apps/melee-sl6.desktop" "$T/apps/melee-demo.desktop"
	is "$rc:$out" "0:" "desktop-file-validate accepts the launchers"
else
	ok 1 "desktop-file-validate is missing (apt-get install desktop-file-utils)"
fi

cd /home/alice
run as alice "$T/bin/sl63" cat /marker
is "$rc:$out" "0:melee-fixture:sl6" "the alias link runs melee in sl6"

run mm links --bindir "$T/bin" --desktop-dir "$T/apps"
is "$rc:$out" "0:" "a second run changes nothing"

# An image named like an existing foreign file is left alone.
add_image mytool
run mm links --bindir "$T/bin" --desktop-dir "$T/apps"
is "$rc:$out" "1:melee-mounts: $T/bin/mytool exists and is not a link to melee; left alone
$T/bin/qsubmytool -> melee-qsub
$T/apps/melee-mytool.desktop" "a foreign file with an image's name is not replaced"

# A launcher file of the same name that links did not write for that
# image is not replaced: a file of the site's own, and image demo's
# application launcher "x" (links --apps demo) against image demo-x's
# terminal launcher.
printf '[Desktop Entry]\nName=Site tool\n' > "$T/apps/melee-tool2.desktop"
printf '[Desktop Entry]\nName=X in demo\nX-Melee-App=x\nX-Melee-Image=demo\n' > "$T/apps/melee-demo-x.desktop"
add_image tool2
add_image demo-x
run mm links --bindir "$T/bin" --desktop-dir "$T/apps"
is "$rc" 1 "links exits 1 when it left a file alone"
like "$out" "melee-mounts: $T/apps/melee-tool2.desktop exists and was not written by melee-mounts links for tool2; left alone" \
	"a site's own desktop file with an image's launcher name is left alone, with a warning"
like "$out" "melee-mounts: $T/apps/melee-demo-x.desktop exists and was not written by melee-mounts links for demo-x; left alone" \
	"image demo's application launcher is not overwritten by image demo-x's terminal launcher"
is "$(cat "$T/apps/melee-tool2.desktop"; grep -c X-Melee-App=x "$T/apps/melee-demo-x.desktop")" "[Desktop Entry]
Name=Site tool
1" "both files unchanged"
rm "$T/etc/images.d/tool2.conf" "$T/etc/images.d/demo-x.conf" "$T/apps/melee-demo-x.desktop" "$T/apps/melee-tool2.desktop" \
	"$T/bin/tool2" "$T/bin/qsubtool2" "$T/bin/demo-x" "$T/bin/qsubdemo-x"
rm "$T/etc/images.d/mytool.conf"

# Removing an image from the config removes its links on the next run.
rm "$T/etc/images.d/sl6.conf"
echo "# not ours" > "$T/apps/melee-other.desktop"
run mm links --bindir "$T/bin" --desktop-dir "$T/apps"
is "$rc:$(printf '%s\n' "$out" | sort)" "0:removed $T/apps/melee-mytool.desktop
removed $T/apps/melee-sl6.desktop
removed $T/bin/qsubmytool
removed $T/bin/qsubsl6
removed $T/bin/qsubsl63
removed $T/bin/sl6
removed $T/bin/sl63" "the removed image's links and launcher are gone"
is "$(ls "$T/bin" | tr '\n' ' ')" "demo demo1 foreign melee melee-qsub mytool qsubdemo qsubdemo1 " "what remains in bindir"
is "$(ls "$T/apps" | tr '\n' ' ')" "melee-demo.desktop melee-other.desktop " "a launcher not made by links is kept"

# Display-manager session entries: melee-IMAGE, run inside the image.
mkdir -p "$T/xsessions"
run mm links --bindir "$T/bin" --desktop-dir "$T/apps" --xsessions-dir "$T/xsessions"
is "$rc:$out" "0:$T/xsessions/melee-demo.desktop" "--xsessions-dir writes a session entry per image"
is "$(cat "$T/xsessions/melee-demo.desktop")" "[Desktop Entry]
Type=Application
Name=Demo image (MELEE)
Comment=A desktop session inside the MELEE image demo
Exec=x-session-manager
X-SDDM-Env=MELEE_IMAGE=demo
X-Melee-Image=demo" "the session entry: named melee-demo for the greeter, the image's own session manager, MELEE_IMAGE for SDDM's PAM environment"
run desktop-file-validate "$T/xsessions/melee-demo.desktop"
is "$rc:$out" "0:" "desktop-file-validate accepts it"

run mm links extra
is "$rc:$out" "2:melee-mounts: links takes no image names: it covers every image" "links takes no image names"

done_testing
