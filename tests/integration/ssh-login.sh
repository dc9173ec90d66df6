#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job: 'ssh alice+demo@127.0.0.1' lands in the demo image, through
# a real sshd (its own config, host key and PAM service, on a free port of
# 127.0.0.1) with libnss_melee and pam_melee; key and password logins, a
# pty, the host for plain 'alice', refusals, and nothing left behind.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo "description = The demo image"
add_image phys "allow-groups = physics"
mm up demo phys >/dev/null
bind_etc_melee

start_sshd
mounts_before=$(wc -l < /proc/self/mountinfo)
ok "$( (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; echo $?)" "sshd listens on 127.0.0.1:$port"
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }

run key alice+demo@127.0.0.1 'cat /marker; id; pwd; echo "MELEE_IMAGE=$MELEE_IMAGE"'
is "$rc:$out" "0:melee-fixture:demo
uid=1501(alice) gid=1501(alice) groups=1501(alice),1600(physics)
/home/alice
MELEE_IMAGE=demo" "key login as alice+demo: in the image, alice's uid and host groups, her home, MELEE_IMAGE"

cat > "$S/askpass" <<A
#!/bin/sh
echo "$PASSWORD"
A
chmod 755 "$S/askpass"
out=$(SSH_ASKPASS="$S/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid "${SSH[@]}" \
	-o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 \
	alice+demo@127.0.0.1 'cat /marker; id -u' < /dev/null 2>&1); rc=$?
is "$rc:$out" "0:melee-fixture:demo
1501" "password login (SSH_ASKPASS) as alice+demo lands in the image"

out=$(key -tt alice+demo@127.0.0.1 'tty; cat /marker' 2>&1 | tr -d '\r'); rc=$?
like "$out" "^/dev/pts/[0-9]+$" "ssh -t gets a working pty in the image"
like "$out" "^melee-fixture:demo$" "and the pty session is in the image"

run key alice@127.0.0.1 'test -e /marker && echo image || echo host; echo "${MELEE_IMAGE:-unset}"'
is "$rc:$out" "0:host
unset" "plain alice lands on the host"
is "$(key alice+phys@127.0.0.1 'cat /marker' 2>&1)" "melee-fixture:phys" "alice may log into phys (group physics)"

run key alice+nosuch@127.0.0.1 true
is "$rc" "255" "alice+nosuch is refused (key, BatchMode)"
like "$out" "Permission denied" "and the client is told so"
like "$(cat "$T/work/sshd.log")" "Invalid user alice\+nosuch" "sshd saw an invalid user (libnss_melee: NOTFOUND)"

# An interactive client on a terminal (script gives it a pty): her key
# fails for the invalid name, then keyboard-interactive runs PAM, whose
# auth stage tells her why in front of the password prompt.
interactive() {
	local cmd
	printf -v cmd '%q ' "${SSH[@]}" -o IdentitiesOnly=yes -i "$S/alice_key" \
		-o NumberOfPasswordPrompts=1 -o PreferredAuthentications=publickey,keyboard-interactive "$@"
	{ sleep 2; echo "$PASSWORD"; sleep 1; } | timeout 30 script -qec "$cmd" /dev/null | tr -d '\r'
	return "${PIPESTATUS[1]}"
}
out=$(interactive alice+nosuch@127.0.0.1 true); rc=$?
is "$rc" "255" "alice+nosuch with key and password (interactive): refused"
like "$out" "melee: there is no image 'nosuch' on this host$" "and the client sees why: no image 'nosuch'"
like "$out" "Permission denied" "and that it was denied"
out=$(interactive bob+phys@127.0.0.1 true); rc=$?
is "$rc" "255" "bob+phys (not in group physics) is refused"
like "$out" "melee: image 'phys' is open only to the users and groups its configuration allows$" \
	"and the client sees why: phys is a restricted image"
out=$(interactive alice+phys@127.0.0.1 'cat /marker'); rc=$?
is "$rc:$out" "0:melee-fixture:phys" "alice+phys interactive: her key lets her in (no password asked)"
unlike "$out" "melee:" "and she was shown no notice (keyboard-interactive never ran)"

# After logout nothing of the sessions is left running in an image and
# no mount was added.  sshd's monitor closes the session after the
# client has gone: give a loaded machine up to 10 s for that.  Only
# processes of this test's mount namespace count: every test's images
# are at the same path in its own namespace, so another test's process
# (a dpkg in image-real's debootstrap) would otherwise match.
in_images() {
	local p r ns
	ns=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$IMAGES"/*) printf ' %s(%s)' "${p#/proc/}" "$(cat "$p/comm" 2>/dev/null)";; esac
	done
}
for _ in $(seq 100); do left=$(in_images); [ -z "$left" ] && break; sleep 0.1; done
is "$left" "" "no process is left inside an image after logout"
is "$(wc -l < /proc/self/mountinfo)" "$mounts_before" "no mount was added or left"
done_testing
