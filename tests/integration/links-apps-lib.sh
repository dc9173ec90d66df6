# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the links --apps tests: the demo fixture image with
# hand-written desktop entries in its /usr/share/applications, launchers
# written to $T/apps, and a launcher started as alice by gio launch (the
# GLib code a desktop menu runs).  Sources melee-lib.sh.
. "$top_srcdir/tests/integration/melee-lib.sh"

APPS=$IMAGES/demo/usr/share/applications
LAUNCHERS=$T/apps

# apps_setup: the demo image prepared, melee installed, an empty
# applications directory in the image and on the "host".
apps_setup() {
	melee_setup
	mkdir -p "$APPS" "$LAUNCHERS"
	chmod 755 "$IMAGES/demo/usr/share" "$APPS"
}

# app ID TEXT: writes the image's entry ID.desktop (root-owned, 0644).
app() {
	printf '%s\n' "$2" > "$APPS/$1.desktop"
	chmod 644 "$APPS/$1.desktop"
}

# in_image PATH TEXT: an executable script in the demo image.
in_image() {
	printf '%s\n' "$2" > "$IMAGES/demo$1"
	chmod 755 "$IMAGES/demo$1"
}

# la [ARGS...]: melee-mounts links --apps demo into $LAUNCHERS.
la() { mm links --apps demo --bindir "$T/bin" --applications-dir "$LAUNCHERS" "$@"; }

# launch LAUNCHER [FILE...]: what a click in alice's menu does.
launch() {
	(cd /home/alice && as alice timeout 20 gio launch "$@")
}
