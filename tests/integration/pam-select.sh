#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_melee's choice of image through a real Linux-PAM (pam_start_confdir
# harness that opens the session and runs a command as the user): each
# source alone, the precedence between them, every refusal with its
# message, and the host when nothing is chosen.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
# A host user as sssd names them: no separator, so not ours to judge.
echo 'carol@ad.example:x:1503:1502:Carol:/home/bob:/bin/sh' >> "$T/work/passwd"
setup_home
setup_nss
write_config
LONG=$(printf 'L%.0s' $(seq 64))  # the longest image name there may be
add_image one "description = Image one
aliases = $LONG"
add_image two "description = Image two"
add_image phys "allow-groups = physics"
add_image down
mm up one two phys >/dev/null
bind_etc_melee
pam_service melee-test "account required pam_permit.so
account required $PAM_MELEE
session required pam_permit.so
session required $PAM_MELEE"
pam_service melee-deny "session required pam_permit.so
session required $PAM_MELEE fallback=deny"

# where USER [-E VAR=VAL]...: which image the session landed in, or host.
where() {
	local u=$1; shift
	"$HARNESS" -a "$@" "$T/pam.d" melee-test "$u" -- /bin/sh -c \
		'if [ -e /marker ]; then printf "%s %s %s" "$(cat /marker | cut -d: -f2)" "$MELEE_IMAGE" "$(pwd)"; else printf "host %s" "${MELEE_IMAGE:-unset}"; fi' 2>"$T/work/err"
}

is "$(where alice)" "host unset" "nothing chosen: the host session (PAM_IGNORE)"
is "$(where alice+one)" "one one /home/alice" "1. the login-name suffix alone: in image one, MELEE_IMAGE set, cwd = home"
is "$(where alice -E MELEE_IMAGE=two)" "two two /home/alice" "2. MELEE_IMAGE in the PAM environment alone"
is "$(where alice -E XDG_SESSION_DESKTOP=melee-two)" "two two /home/alice" "3. XDG_SESSION_DESKTOP=melee-two (as LightDM sets it)"
is "$(where alice -E DESKTOP_SESSION=melee-one)" "one one /home/alice" "3. DESKTOP_SESSION=melee-one"
is "$(where alice -E XDG_SESSION_DESKTOP=gnome)" "host unset" "a session name without melee- chooses nothing"
is "$(where alice -E MELEE_IMAGE=$LONG)" "one one /home/alice" "MELEE_IMAGE with a 64-character alias: image one (nothing cut off)"
is "$(where carol@ad.example)" "host unset" "carol@ad.example (an sssd-style name, no separator): the host session, not refused"
is "$(where carol@ad.example -E MELEE_IMAGE=two)" "two two /home/bob" "carol@ad.example with MELEE_IMAGE=two: in image two"
mkdir -p /home/alice/.config/melee
echo two > /home/alice/.config/melee/image
chown -R alice /home/alice/.config
is "$(where alice)" "two two /home/alice" "4. ~/.config/melee/image alone"
echo "alice one" > "$T/etc/users.conf"
is "$(where alice)" "two two /home/alice" "4 beats 5: the user's file over users.conf"
rm /home/alice/.config/melee/image
is "$(where alice)" "one one /home/alice" "5. users.conf alone"
sed -i 's/^\[melee\]$/[melee]\ndefault-image = two/' "$CONF"
is "$(where bob)" "two two /home/bob" "6. default-image alone"
is "$(where alice)" "one one /home/alice" "5 beats 6: users.conf over default-image"

# Precedence of the strict sources.
is "$(where alice+one -E MELEE_IMAGE=two -E XDG_SESSION_DESKTOP=melee-two)" "one one /home/alice" "1 beats 2 and 3: the suffix wins"
is "$(where alice -E MELEE_IMAGE=two -E XDG_SESSION_DESKTOP=melee-one)" "two two /home/alice" "2 beats 3: MELEE_IMAGE over the session name"
echo one > /home/alice/.config/melee/image; chown alice /home/alice/.config/melee/image
is "$(where alice -E XDG_SESSION_DESKTOP=melee-two)" "two two /home/alice" "3 beats 4: the session name over the user's file"
rm /home/alice/.config/melee/image

# The user's file: not followed through a symlink, only if owned by the user.
ln -s /etc/melee-not-here /home/alice/.config/melee/image
is "$(where alice)" "one one /home/alice" "a symlinked ~/.config/melee/image is ignored"
rm /home/alice/.config/melee/image
echo two > /home/alice/.config/melee/image; chown alice /home/alice/.config/melee/image
is "$(where alice)" "two two /home/alice" "(owned by alice: honoured)"
chown bob /home/alice/.config/melee/image
is "$(where alice)" "one one /home/alice" "a ~/.config/melee/image not owned by the user is ignored"
rm /home/alice/.config/melee/image

# Refusals of strict requests: the login fails and the user is told why.
# alice+nosuch and bob+phys do not even resolve (libnss_melee says
# NOTFOUND), so a login program refuses them before PAM; MELEE_IMAGE and
# session names reach the module, which refuses them itself.
where alice+nosuch >/dev/null; rc=$?
is "$rc:$(cat "$T/work/err")" "2:pam-harness: unknown user alice+nosuch" "alice+nosuch is not a user at all"
where bob -E MELEE_IMAGE=phys >/dev/null; rc=$?
is "$rc:$(cat "$T/work/err")" "26:error: melee: you may not use image phys (allowed groups: physics)
account: Permission denied" "bob asking for phys: refused in the account phase, with the allowed groups"
is "$(where alice+phys)" "phys phys /home/alice" "alice (group physics) may use phys"
where alice -E MELEE_IMAGE=nosuch >/dev/null; rc=$?
is "$rc:$(cat "$T/work/err")" "26:error: melee: there is no image 'nosuch' (asked for by MELEE_IMAGE)
account: Permission denied" "MELEE_IMAGE=nosuch refused"
where alice -E XDG_SESSION_DESKTOP=melee-nosuch >/dev/null; rc=$?
like "$rc:$(cat "$T/work/err")" "^26:error: melee: there is no image 'nosuch' \(asked for by the session name\)" "session melee-nosuch refused"
"$HARNESS" "$T/pam.d" melee-test alice+down -- /bin/true 2>"$T/work/err"; rc=$?
is "$rc:$(cat "$T/work/err")" "34:error: melee: image down is not prepared ($IMAGES/down/proc is not mounted); run 'melee-mounts up down' as root
session: Cannot make/remove an entry for the specified session" "an unprepared image fails the session with the fix named"
chmod 775 "$IMAGES/two"
"$HARNESS" "$T/pam.d" melee-test alice+two -- /bin/true 2>"$T/work/err"; rc=$?
like "$rc:$(cat "$T/work/err")" "^34:error: melee: $IMAGES/two: group- or world-writable \(mode 0775\), refused" "an unsafe image fails the session"
chmod 755 "$IMAGES/two"

# A broken default falls back to the host, or fails with fallback=deny.
echo "alice down" > "$T/etc/users.conf"
is "$(where alice)" "host unset" "a broken users.conf choice falls back to the host"
"$HARNESS" "$T/pam.d" melee-deny alice -- /bin/true 2>"$T/work/err"; rc=$?
like "$rc:$(cat "$T/work/err")" "^34:error: melee: image down is not prepared" "with fallback=deny it fails the login"
syms=$(nm -D --defined-only "$PAM_MELEE" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
is "$syms" "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_close_session pam_sm_open_session pam_sm_setcred " "pam_melee.so exports only the pam_sm_* functions"
done_testing
