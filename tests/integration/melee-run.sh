#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee IMAGE [CMD...] as an ordinary user: the command, its exit status,
# the working directory, the shell, the environment, --list, --help,
# --version, a link named after the image, access control, linux32 and
# an image that is not prepared.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup "aliases = demo-alias"
# bob's login shell does not exist in the image.
sed 's|^bob:x:1502:1502:Bob:/home/bob:/bin/sh$|bob:x:1502:1502:Bob:/home/bob:/bin/zsh|' \
	"$T/work/passwd" > "$T/work/passwd.new" && cat "$T/work/passwd.new" > "$T/work/passwd"
cd /home/alice

run as alice "$MELEE" demo cat /marker
is "$rc:$out" "0:melee-fixture:demo" "a command runs inside the image"
run as alice "$MELEE" demo-alias cat /marker
is "$rc:$out" "0:melee-fixture:demo" "an alias names the same image"
run as alice "$MELEE" demo sh -c 'exit 42'
is "$rc:$out" "42:" "the exit status is the command's"
run as alice "$MELEE" demo no-such-command
is "$rc:$out" "127:melee: no-such-command: command not found in image demo" "127 for a command not in the image"
run as alice "$MELEE" demo /etc/os-release
is "$rc:$out" "126:melee: /etc/os-release: cannot run in image demo: Permission denied" "126 for a file that is not executable"
run as alice "$MELEE" demo uname -n
is "$rc:$out" "0:$(uname -n)" "PATH lookup happens in the image (busybox uname)"
is "$(as alice "$MELEE" demo readlink /proc/self/exe)" "/bin/busybox" "the command is the image's, not the host's"

# Working directory.
run as alice "$MELEE" demo pwd
is "$rc:$out" "0:/home/alice" "the same directory inside the image"
mkdir -p "$T/work/elsewhere" && cd "$T/work/elsewhere"
run as alice "$MELEE" demo pwd
is "$rc:$out" "125:melee: directory $T/work/elsewhere does not exist in image demo; not running the command elsewhere" \
	"a command is not run in another directory than asked"
out=$(echo pwd | as alice "$MELEE" demo 2>&1); rc=$?
is "$rc:$out" "0:melee: warning: $T/work/elsewhere does not exist in image demo; starting in /home/alice
/home/alice" "a shell starts in the home directory with a warning"
# There in the image, but closed to alice: said so, not "does not exist".
mkdir -p "$IMAGES/demo$T/work" && mkdir -m 700 "$IMAGES/demo$T/work/closed"
mkdir -m 755 "$T/work/closed" && cd "$T/work/closed"
run as alice "$MELEE" demo pwd
is "$rc:$out" "125:melee: directory $T/work/closed in image demo cannot be entered (Permission denied); not running the command elsewhere" \
	"a directory the caller may not enter there is named as such"
cd /home/alice

# The login shell.
out=$(echo 'echo "$0 $MELEE_IMAGE"; cat /marker' | as alice "$MELEE" demo 2>&1); rc=$?
is "$rc:$out" "0:sh demo
melee-fixture:demo" "melee IMAGE opens the login shell in the image"
cd /home/bob
out=$(echo 'echo "$0"; cat /marker' | as bob "$MELEE" demo 2>&1); rc=$?
is "$rc:$out" "0:melee: warning: your shell /bin/zsh does not exist in image demo; using /bin/sh
sh
melee-fixture:demo" "a shell missing in the image: /bin/sh with a one-line warning"
cd /home/alice

# Environment.
env_out=$(DISPLAY=:7 XAUTHORITY=/home/alice/.Xauthority WAYLAND_DISPLAY=wayland-1 \
	XDG_RUNTIME_DIR=/run/user/1501 MY_OWN=kept as alice "$MELEE" demo env)
for v in MELEE_IMAGE=demo debian_chroot=demo DISPLAY=:7 XAUTHORITY=/home/alice/.Xauthority \
	WAYLAND_DISPLAY=wayland-1 XDG_RUNTIME_DIR=/run/user/1501 MY_OWN=kept; do
	is "$(printf '%s\n' "$env_out" | grep -cx "$v")" "1" "environment has $v"
done

# Called by the image's name.
ln -s melee "$T/bin/demo"
ln -s melee "$T/bin/demo-alias"
run as alice "$T/bin/demo" cat /marker
is "$rc:$out" "0:melee-fixture:demo" "a link named demo acts as melee demo"
run as alice "$T/bin/demo-alias" sh -c 'echo $MELEE_IMAGE'
is "$rc:$out" "0:demo" "a link named after an alias too"
out=$(echo 'cat /marker' | as alice "$T/bin/demo" 2>&1); rc=$?
is "$rc:$out" "0:melee-fixture:demo" "the link alone opens a shell"

# --help, --version, --list, usage.
out=$(as alice "$MELEE" --help); rc=$?
like "$rc:$out" "^0:Usage: melee IMAGE \[COMMAND \[ARG...\]\]" "--help"
out=$(as alice "$MELEE" --version); rc=$?
like "$rc:$out" "^0:melee [0-9][0-9.a-z~-]*$" "--version"
run as alice "$MELEE"
like "$rc:$(printf '%s\n' "$out" | sed -n '1p;$p' | tr '\n' '|')" "^125:IMAGE .*\|Usage: melee IMAGE .*\|$" \
	"no arguments: the images, then the usage, and 125"
run as alice "$MELEE" --frobnicate
like "$rc:$out" "^125:melee: unknown option '--frobnicate'" "unknown option: 125"

# Access control: groups from the host.
add_image sl6 "allow-groups = physics"
add_image lab "allow-users = bob"
mm up sl6 lab >/dev/null
run as alice "$MELEE" sl6 cat /marker
is "$rc:$out" "0:melee-fixture:sl6" "alice (group physics) may use sl6"
run as bob "$MELEE" sl6 cat /marker
is "$rc:$out" "125:melee: you may not use image sl6 (allowed groups: physics)" "bob may not use sl6"
run as alice "$MELEE" lab true
is "$rc:$out" "125:melee: you may not use image lab (allowed users: bob)" "alice may not use lab"

# Who may use an image is judged by the group database (melee.conf(5),
# as PAM, NSS and the SPANK plugin judge it), not by the groups the
# calling process holds; the command keeps the process's groups.
# as_groups GIDS CMD...: alice with exactly these groups (a shell from
# before a change to /etc/group, or one started without her groups).
as_groups() { local g=$1; shift; setpriv --reuid=1501 --regid=1501 "$g" -- env HOME=/home/alice "$@"; }
run as_groups --clear-groups "$MELEE" sl6 id -G
is "$rc:$out" "0:1501" "alice in physics by /etc/group, her shell without it: she may use sl6, the command gets no group she lacks"
out=$(as_groups --clear-groups "$MELEE" --list | awk '$1 == "sl6" { print $3 }')
is "$out" "yes" "--list from that shell: sl6 is open to her"
cp "$T/work/group" "$T/work/group.orig"
sed 's/^physics:x:1600:alice$/physics:x:1600:/' "$T/work/group.orig" > "$T/work/group"
run as_groups --groups=1501,1600 "$MELEE" sl6 true
is "$rc:$out" "125:melee: you may not use image sl6 (allowed groups: physics)" \
	"alice taken out of physics in /etc/group: a shell that still holds gid 1600 gets no sl6"
out=$(as_groups --groups=1501,1600 "$MELEE" --list --all | awk '$1 == "sl6" { print $3 }')
is "$out" "no" "--list from that shell: sl6 is closed to her"
cat "$T/work/group.orig" > "$T/work/group"

# A working directory removed on the host: said so, not blamed on the image.
mkdir "$T/work/gone" && chmod 777 "$T/work/gone" && cd "$T/work/gone" && rmdir "$T/work/gone"
run as alice "$MELEE" demo pwd
is "$rc:$out" "125:melee: your working directory no longer exists on the host (removed, or outside your root); not running the command elsewhere" \
	"a command from a directory removed on the host: refused, naming the cause"
out=$(echo pwd | as alice "$MELEE" demo 2>&1); rc=$?
is "$rc:$out" "0:melee: warning: your working directory no longer exists on the host; starting in /home/alice
/home/alice" "a shell from it starts in the home directory with a warning"
cd /home/alice

# linux32.
add_image old "personality = linux32"
mm up old >/dev/null
run as alice "$MELEE" old uname -m
is "$rc:$out" "0:i686" "personality = linux32: uname -m says i686"
run as alice "$MELEE" demo uname -m
is "$rc:$out" "0:$(uname -m)" "a default image keeps the host's machine"

# Not prepared.
add_image cold
run as alice "$MELEE" cold true
is "$rc:$out" "125:melee: image cold is not prepared ($IMAGES/cold/proc is not mounted); run 'melee-mounts up cold' as root" \
	"an image that is not up: says so and names the fix"

out=$(cd / && as bob "$MELEE" --list --all); rc=$?
is "$rc:$out" "0:IMAGE            STATE         ACCESS  DEFAULT  DESCRIPTION
cold             not prepared  yes     -        cold
demo             ready         yes     -        Demo image
lab              ready         yes     -        lab
old              ready         yes     -        old
sl6              ready         no      -        sl6 (allowed groups: physics)" "--list --all: name, state, access, default, description"

done_testing
