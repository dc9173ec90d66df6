#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# links --apps IMAGE: a host launcher "NAME (IMAGE)" for every shown
# application of the image, Exec through melee with its field codes,
# translations, Categories and the image's icon (MimeType only with
# export-mime-types = yes: links-apps-mime-types.sh); hidden,
# NoDisplay and non-application entries get none; each validates.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/links-apps-lib.sh" || exit 1

apps_setup
app org.example.Viewer '[Desktop Entry]
# a comment
Type=Application
Name=Viewer
Name[de]=Betrachter
GenericName=Image Viewer
Comment=Look at pictures
Comment[fr]=Voir des images
Keywords=picture;photo;
TryExec=/usr/bin/viewer
Exec=/usr/bin/viewer --open %F
Icon=melee-test-viewer
Terminal=false
StartupNotify=true
MimeType=image/png;image/jpeg;
Categories=Graphics;Viewer;
Actions=new;
X-Vendor-Thing=dropped

[Desktop Action new]
Name=New window
Exec=/usr/bin/viewer --new'
app tool '[Desktop Entry]
Type=Application
Name=Tool
Exec=tool %u --name %c --entry %k %i
Icon=/usr/share/tool/tool.svg
Terminal=true
Categories=Utility;'
app hidden '[Desktop Entry]
Type=Application
Name=Hidden
Exec=hidden
Hidden=true'
app nodisplay '[Desktop Entry]
Type=Application
Name=Helper
Exec=helper %f
NoDisplay=true'
app link '[Desktop Entry]
Type=Link
Name=A web page
URL=https://example.org/'
echo "not an entry" > "$APPS/README"
mkdir -p "$IMAGES/demo/usr/share/icons/hicolor/48x48/apps" "$IMAGES/demo/usr/share/tool"
printf 'PNG-ish viewer icon' > "$IMAGES/demo/usr/share/icons/hicolor/48x48/apps/melee-test-viewer.png"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>' > "$IMAGES/demo/usr/share/tool/tool.svg"

umask 077 # an administrator's strict umask must not hide launchers and icons
run la
umask 022
is "$rc:$out" "0:$LAUNCHERS/melee-demo-org.example.Viewer.desktop
$LAUNCHERS/melee-demo-tool.desktop" "one launcher per shown application, nothing for hidden, NoDisplay or Link entries"
is "$(cat "$LAUNCHERS/melee-demo-org.example.Viewer.desktop")" "[Desktop Entry]
Type=Application
Name=Viewer (demo)
Name[de]=Betrachter (demo)
GenericName=Image Viewer
Comment=Look at pictures
Comment[fr]=Voir des images
Keywords=picture;photo;
Exec=$T/bin/melee demo /usr/bin/viewer --open %F
Icon=$LAUNCHERS/melee-icons/melee-demo-org.example.Viewer.png
Terminal=false
StartupNotify=true
Categories=Graphics;Viewer;
X-Melee-Image=demo
X-Melee-App=org.example.Viewer.desktop" "the launcher: names marked with the image, Exec through melee, field code kept, TryExec, actions and MimeType dropped"
is "$(cat "$LAUNCHERS/melee-demo-tool.desktop")" "[Desktop Entry]
Type=Application
Name=Tool (demo)
Exec=$T/bin/melee demo tool %u --name %c --entry /usr/share/applications/tool.desktop %i
Icon=$LAUNCHERS/melee-icons/melee-demo-tool.svg
Terminal=true
Categories=Utility;
X-Melee-Image=demo
X-Melee-App=tool.desktop" "%k becomes the entry's path in the image, %u %c %i stay, an absolute Icon is copied"
is "$(cat "$LAUNCHERS/melee-icons/melee-demo-org.example.Viewer.png")" "PNG-ish viewer icon" \
	"an icon the host lacks is copied from the image's hicolor theme"
is "$(stat -c '%U %a' "$LAUNCHERS/melee-demo-tool.desktop" "$LAUNCHERS/melee-icons/melee-demo-tool.svg" "$LAUNCHERS/melee-icons")" "root 644
root 644
root 755" "launchers and icons are root's, 0644"
run desktop-file-validate "$LAUNCHERS"/*.desktop
is "$rc:$out" "0:" "desktop-file-validate accepts every launcher"

# A theme name the host has stays a name (the host's icon theme: a tmpfs
# of this namespace's own over /usr/share/icons).
mount -t tmpfs -o mode=755 melee-test-icons /usr/share/icons
mkdir -p /usr/share/icons/hicolor/48x48/apps
printf 'host icon' > /usr/share/icons/hicolor/48x48/apps/melee-test-hosticon.png
printf 'image icon' > "$IMAGES/demo/usr/share/icons/hicolor/48x48/apps/melee-test-hosticon.png"
sed -i "s/^Icon=.*/Icon=melee-test-hosticon/" "$APPS/tool.desktop"
run la
is "$rc:$out" "0:$LAUNCHERS/melee-demo-tool.desktop
removed $LAUNCHERS/melee-icons/melee-demo-tool.svg" "the changed entry is rewritten, its old icon copy removed"
is "$(grep ^Icon= "$LAUNCHERS/melee-demo-tool.desktop")" "Icon=melee-test-hosticon" \
	"an icon the host's theme has is referenced by name, not copied"
sed -i "s/^Icon=.*/Icon=melee-test-nowhere/" "$APPS/tool.desktop"
run la
is "$rc:$(grep ^Icon= "$LAUNCHERS/melee-demo-tool.desktop")" "0:Icon=melee-test-nowhere" \
	"a name neither has stays a name (the menu shows its generic icon)"

run la
is "$rc:$out" "0:" "a second run changes nothing"

run la --applications-dir "$T/nowhere"
is "$rc:$out" "2:melee-mounts: cannot open $T/nowhere: No such file or directory" "a missing applications directory is an error"

done_testing
