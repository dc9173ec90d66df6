#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A display-manager session choice lands in the image: a real LightDM with
# Xvfb as its X server autologins alice into session 'melee-trixie';
# pam_melee (last in lightdm-autologin's session stack) enters the trixie
# image, and the session script, which exists only inside the image,
# writes a marker with the image's os-release that the test reads.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

L=$T/lightdm
setup_accounts
setup_home
setup_nss
private_dir /tmp 1777
write_config
exec 3>/dev/null
cached_image trixie trixie "" x11-apps,x11-utils; ok $? "trixie image ready"
ok_cmd "trixie is up" mm up trixie
bind_etc_melee

# The session command (x-session-manager, what the entry that
# 'melee-mounts links --xsessions-dir' writes runs) exists only in the image.
cat > "$IMAGES/trixie/usr/local/bin/x-session-manager" <<'S'
#!/bin/sh
{ . /etc/os-release; echo "os=$VERSION_CODENAME"; echo "id=$(id -u):$(id -g)"; echo "pwd=$(pwd)"
  echo "MELEE_IMAGE=$MELEE_IMAGE"; echo "DISPLAY=$DISPLAY"; } > "$HOME/dm-marker.tmp"
# Whole or not at all: the test reads it as soon as it exists.
mv "$HOME/dm-marker.tmp" "$HOME/dm-marker"
S
chmod 755 "$IMAGES/trixie/usr/local/bin/x-session-manager"
ok "$(test ! -e /usr/local/bin/x-session-manager; echo $?)" "the session script is not on the host"

# LightDM's own state, PAM stack, sessions and D-Bus, all in this namespace.
mkdir -p "$L/run" "$L/cache" "$L/log" "$L/xsessions" "$T/pam.d" /run/dbus
shared_mkdir /var/lib/lightdm-data
mount -t tmpfs lightdm-data /var/lib/lightdm-data
mount -t tmpfs dbus /run/dbus
private_pam_d
echo "session required $PAM_MELEE" >> "$T/pam.d/lightdm-autologin"
cat > "$L/xvfb" <<'X'
#!/bin/sh
# LightDM passes ":N -seat seat0 -auth FILE -nolisten tcp vtN -novtswitch";
# Xvfb takes the display and the auth file.
disp=$1; auth=""
while [ $# -gt 0 ]; do [ "$1" = -auth ] && auth=$2; shift; done
exec Xvfb "$disp" ${auth:+-auth "$auth"} -nolisten tcp -screen 0 320x240x24
X
chmod 755 "$L/xvfb"
mkdir -p "$T/bin" "$T/apps"
mm links --bindir "$T/bin" --desktop-dir "$T/apps" --xsessions-dir "$L/xsessions" >/dev/null
like "$(cat "$L/xsessions/melee-trixie.desktop")" "^Exec=x-session-manager$" "melee-mounts links wrote the session entry melee-trixie"
# LightDM counts from the lowest display without a lock file in the
# private /tmp: from one no other X server or test has (reserve_display).
reserve_display; ok $? "a free X display (:${DISPLAY_NUM:-none})"
cat > "$L/lightdm.conf" <<C
[LightDM]
minimum-display-number=${DISPLAY_NUM:-90}
run-directory=$L/run
cache-directory=$L/cache
log-directory=$L/log
sessions-directory=$L/xsessions
[Seat:*]
xserver-command=$L/xvfb
autologin-user=alice
autologin-session=melee-trixie
session-wrapper=/usr/bin/env
C
dbus-daemon --system --fork --print-pid > "$T/work/dbus.pid"
PIDS="$PIDS $(cat "$T/work/dbus.pid")"
lightdm -c "$L/lightdm.conf" -d > "$T/work/lightdm.out" 2>&1 &
PIDS="$PIDS $!"
# Its X server and session are its children; by their unique paths:
# (only in this namespace: every test's $L is the same path string).
at_exit "pkill --ns $$ --nslist mnt -f '$L/' 2>/dev/null"
for i in $(seq 1 100); do [ -s /home/alice/dm-marker ] && break; sleep 0.1; done
marker=$(cat /home/alice/dm-marker 2>/dev/null)
like "$marker" "^os=trixie$" "the session runs inside the trixie image"
like "$marker" "^id=1501:1501$" "as alice"
like "$marker" "^pwd=/home/alice$" "in her home"
like "$marker" "^MELEE_IMAGE=trixie$" "with MELEE_IMAGE in its environment"
like "$marker" "^DISPLAY=:$DISPLAY_NUM$" "on LightDM's X display, the one reserved"
like "$(cat "$T/work/lightdm.out")" "Started with service 'lightdm-autologin', username 'alice'" "through LightDM's autologin PAM service"
[ -s /home/alice/dm-marker ] || sed 's/^/# /' "$T/work/lightdm.out" | tail -40
done_testing
