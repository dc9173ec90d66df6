#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The quickstart run again when the user demo exists: demo's ~/.ssh and
# authorized_keys are written by demo, so a symlink that demo planted
# (~/.ssh -> a root-owned directory such as /usr/local/sbin) gives demo
# nothing.  Runs tests/quickstart-user, the part of quickstart that does
# it, against this namespace's own /etc/passwd and /home.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

setup_accounts
# The host may have its own demo (./quickstart made it): this test's is
# the only one (rewritten in place: the files are bind-mounted).
for f in passwd group; do
	grep -v '^demo:' "$T/work/$f" > "$T/work/$f.new"
	cat "$T/work/$f.new" > "$T/work/$f"
done
echo 'demo:x:1510:1510:Demo:/home/demo:/bin/sh' >> "$T/work/passwd"
echo 'demo:x:1510:' >> "$T/work/group"
private_dir /home 755
mkdir -m 755 /home/demo; chown 1510:1510 /home/demo
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMeleeQuickstartTestKeyOnlyForThisTest0000 demo@test" > "$T/work/key.pub"
chmod 600 "$T/work/key.pub"

# The directory root runs programs from, and demo's symlink to it.
victim=$T/victim
mkdir -m 755 "$victim"; echo '#!/bin/sh' > "$victim/melee-mounts"; chmod 755 "$victim/melee-mounts"
ln -s "$victim" /home/demo/.ssh; chown -h 1510:1510 /home/demo/.ssh
run "$top_srcdir/tests/quickstart-user" demo "$T/work/key.pub"
is "$rc" "1" "with ~/.ssh a symlink to a root-owned directory, the user setup fails"
like "$out" "^quickstart-user: cannot set up /home/demo/.ssh as demo$" "and says so"
is "$(stat -c '%U %a' "$victim")" "root 755" "the symlink's target is still root's, mode 755"
is "$(ls "$victim")" "melee-mounts" "nothing was written into it"
is "$(stat -c '%U' "$victim/melee-mounts")" "root" "nothing in it changed owner"

rm /home/demo/.ssh
run "$top_srcdir/tests/quickstart-user" demo "$T/work/key.pub"
is "$rc:$out" "0:" "without the symlink the user setup succeeds"
is "$(stat -c '%U %G %a' /home/demo/.ssh /home/demo/.ssh/authorized_keys)" "demo demo 700
demo demo 600" "~/.ssh is demo's 700, authorized_keys demo's 600"
is "$(cat /home/demo/.ssh/authorized_keys)" "$(cat "$T/work/key.pub")" "with the key"
run "$top_srcdir/tests/quickstart-user" demo "$T/work/key.pub"
is "$rc:$(stat -c '%U %a' /home/demo/.ssh/authorized_keys)" "0:demo 600" "a second run works too"
like "$(grep -n 'quickstart-user demo' "$top_srcdir/quickstart")" "tests/quickstart-user demo \"\\\$demo/demo_key.pub\"" "quickstart sets the user up through it"
unlike "$(cat "$top_srcdir/quickstart")" "install .*-o demo" "and installs nothing as root into demo's home"

# Run from root's terminal: demo's process has no controlling terminal
# (demo may ptrace it; with root's tty it could TIOCSTI into root's shell)
# and none of root's environment.  A FIFO demo planted as authorized_keys
# holds the process until we have looked at it.
rm -f /home/demo/.ssh/authorized_keys
mkfifo -m 600 /home/demo/.ssh/authorized_keys; chown 1510:1510 /home/demo/.ssh/authorized_keys
SECRET_OF_ROOT=1 script -qec "$top_srcdir/tests/quickstart-user demo $T/work/key.pub" /dev/null \
	> "$T/work/script.out" 2>&1 &
spid=$!
for i in $(seq 100); do pid=$(pgrep --ns $$ --nslist mnt -u 1510 -n) && break; sleep 0.1; done
ok "$(test -n "$pid"; echo $?)" "the user's process runs (pid ${pid:-none}), under a terminal"
is "$(awk '{print $7}' "/proc/$pid/stat")" "0" "it has no controlling terminal"
is "$(tr '\0' '\n' < "/proc/$pid/environ" | sort | tr '\n' ' ')" \
	"HOME=/home/demo PATH=/usr/bin:/bin " "and only HOME and PATH in its environment"
cat /home/demo/.ssh/authorized_keys > /dev/null
wait "$spid"
like "$(grep -n -A3 'setpriv' "$top_srcdir/quickstart")" "setsid -w setpriv" \
	"quickstart runs melee as demo in a session of its own too"
done_testing
