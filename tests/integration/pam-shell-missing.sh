#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A login shell the image lacks: pam_melee refuses the session, naming the
# image and the shell (the user sees it, syslog has it), instead of su's
# "failed to execute /bin/bash" or sshd's bare exit 254.  The shell is
# resolved beneath the image root: a symlink that would reach the host's
# /bin/bash, or a FIFO, is no shell; a relative link within the image
# is.  A default image without the shell falls back to the host.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins "default-image = demo"
private_syslog
add_image demo "description = The demo image"
pam_setup demo
echo "session required $PAM_MELEE" >> "$T/pam.d/su"
cd /
# login_shell SHELL: alice's shell in this namespace's passwd (in place:
# the bind stays on the same file).
login_shell() {
	sed "s#^\(alice:.*:\)[^:]*\$#\1$1#" "$T/work/passwd" > "$T/work/passwd.new"
	cat "$T/work/passwd.new" > "$T/work/passwd"
}
login_shell /bin/bash
[ -x /bin/bash ] && [ ! -e "$IMAGES/demo/bin/bash" ] || skip_all "needs /bin/bash on the host and none in the fixture"

run su - alice+demo -c 'echo ran'
is "$rc" "1" "su - alice+demo, shell /bin/bash not in the image: refused"
like "$out" "melee: image demo has no /bin/bash, the login shell of alice \(No such file or directory\)" \
	"and su's user is told which image lacks which shell"
unlike "$out" "ran" "and nothing ran"
syslog_wait "user alice: refused"
like "$(cat "$SYSLOG")" "user alice: refused \(the login name\): image demo has no /bin/bash" "syslog has it"

# The attacker's image (or a careless one): a symlink that, followed
# from the host, would be the host's bash.
ln -s /bin/bash "$IMAGES/demo/bin/bash"
run su - alice+demo -c 'echo ran'
like "$rc:$out" "^1:.*melee: image demo has no /bin/bash" "bin/bash -> /bin/bash (itself, in the image): refused, the host's bash is not taken"
rm "$IMAGES/demo/bin/bash"
ln -s ../../../../../../usr/bin/bash "$IMAGES/demo/bin/bash"
run su - alice+demo -c 'echo ran'
like "$rc:$out" "^1:.*melee: image demo has no /bin/bash" "bin/bash -> ../../../../../../usr/bin/bash (up and out): refused"
rm "$IMAGES/demo/bin/bash"
mkfifo "$IMAGES/demo/bin/bash"
run timeout 20 su - alice+demo -c 'echo ran'
like "$rc:$out" "^1:.*melee: in image demo, /bin/bash \(the login shell of alice\) is not an executable file" \
	"a FIFO as the shell: refused at once, no hang"
rm "$IMAGES/demo/bin/bash"

# A shell that is there through a relative link inside the image.
mkdir -p "$IMAGES/demo/usr/bin"
ln -s ../../bin/busybox "$IMAGES/demo/usr/bin/sh"
login_shell /usr/bin/sh
run su - alice+demo -c 'cat /marker'
is "$rc:$out" "0:melee-fixture:demo" "shell /usr/bin/sh -> ../../bin/busybox in the image: the session opens"

# A default image (not asked for by the login) without the shell: logged,
# and the host (fallback=host).
login_shell /bin/bash
run su - alice -c 'test -e /marker && echo image || echo host'
is "$rc:$out" "0:host" "default-image demo without alice's shell: su - alice lands on the host"
syslog_wait "image demo has no /bin/bash.*using the host"
like "$(cat "$SYSLOG")" "user alice: image demo has no /bin/bash, the login shell of alice .*; using the host" "and syslog says why"

start_sshd
run "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" alice+demo@127.0.0.1 'echo ran' < /dev/null
unlike "$out" "ran" "ssh alice+demo@ with /bin/bash missing in demo: nothing ran"
ok "$([ "$rc" -ne 0 ]; echo $?)" "and ssh failed (exit $rc)"
syslog_wait "user alice: refused .*image demo has no /bin/bash"
like "$(grep sshd "$SYSLOG")" "user alice: refused \(the login name\): image demo has no /bin/bash, the login shell of alice" \
	"and sshd's log names the image and the shell"
done_testing
