#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The seeds' 'sl6 firefox': an X program from the trixie image, started by
# an ordinary user through melee, shows on the host's display.  Xvfb runs
# on the host; the window is found in a screenshot taken from the host.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
setup_home
write_config
exec 3>/dev/null
cached_image trixie trixie "" x11-apps,x11-utils; ok $? "trixie image with x11-apps ready"
# A /tmp of this namespace's own, shared with the image: the X socket.
private_dir /tmp 1777
ok_cmd "trixie is up" mm up trixie
install_melee trixie

# A display of this test's own: Xvfb on the host.  Chosen by
# reserve_display (the /tmp here is private: its empty /tmp/.X11-unix
# said :90 was free even while another X server had @/tmp/.X11-unix/X90).
reserve_display; ok $? "a free X display (:${DISPLAY_NUM:-none})"
d=${DISPLAY_NUM:-90}
Xvfb ":$d" -nolisten tcp -screen 0 320x240x24 >"$T/work/xvfb.log" 2>&1 &
PIDS="$PIDS $!"
for i in $(seq 1 50); do [ -S "/tmp/.X11-unix/X$d" ] && break; sleep 0.1; done
ok "$(test -S "/tmp/.X11-unix/X$d"; echo $?)" "Xvfb :$d is running on the host"
export DISPLAY=:$d

xwd -root -silent | convert xwd:- "$T/work/before.png"
is "$(identify -format '%k' "$T/work/before.png")" "1" "the empty display is one colour"

cd /home/alice
as alice env DISPLAY=":$d" "$T/bin/trixie" xlogo -geometry 200x150+40+40 -fg black -bg white >"$T/work/xlogo.log" 2>&1 &
xlogo_pid=$!
PIDS="$PIDS $xlogo_pid"
# Until the window shows or the program has ended: a deadline, not a
# timing (a loaded machine starts it late; CI once took more than 5 s).
xlogo_up() { xwininfo -root -tree 2>/dev/null | grep -q '"xlogo"' || ! kill -0 "$xlogo_pid" 2>/dev/null; }
wait_for 120 xlogo_up
like "$(xwininfo -root -tree)" '"xlogo": \("xlogo" "XLogo"\) +200x150' "the window of trixie's xlogo is on the host's display"
xwininfo -root -tree | grep -q '"xlogo"' || sed 's/^/#   xlogo said: /' "$T/work/xlogo.log"
# The window is mapped before it is drawn: until the logo shows.
drawn() {
	xwd -root -silent | convert xwd:- "$T/work/after.png" &&
		[ "$(identify -format '%k' "$T/work/after.png")" -ge 2 ]
}
wait_for 60 drawn
colours=$(identify -format '%k' "$T/work/after.png")
ok $((colours < 2)) "the screenshot is not blank ($colours colours)"
mkdir -p "${top_builddir}/tests/integration"
cp "$T/work/after.png" "$top_builddir/tests/integration/image-gui-last.png" 2>/dev/null
# setpriv, env and melee exec: xlogo is the child of the subshell started
# above (found by its parent, not by name on the whole host).
xlogo=$(pgrep -P "$xlogo_pid" -x xlogo)
ok "$(test -n "$xlogo"; echo $?)" "xlogo still runs (pid ${xlogo:-none})"
is "$(awk '/^Uid:/ { print $2 }' "/proc/${xlogo:-none}/status" 2>&1)" "1501" "xlogo runs as alice, not root"
is "$(readlink "/proc/${xlogo:-none}/root" 2>&1)" "$IMAGES/trixie" "xlogo runs inside the trixie image"
[ -z "$xlogo" ] || kill "$xlogo" 2>/dev/null
kill "$xlogo_pid" 2>/dev/null
done_testing
