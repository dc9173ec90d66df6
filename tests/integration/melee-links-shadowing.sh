#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-mounts links never shadows another program: an image or alias
# named like a command of the standard PATH (ls, sudo, id), like a MELEE
# program, or qsub (which melee-qsub runs by name) gets no link, with a
# message naming what it would hide; a link of ours an earlier run made
# under such a name is removed; our own links in the standard PATH are
# no clash.  --bindir is the namespace's own /usr/local/bin (a tmpfs
# over the host's).
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
melee_setup "aliases = id qsub"
add_image ls
add_image sudo
add_image melee-image
add_image sl6
mm up sl6 >/dev/null
mkdir -p "$T/apps"
private_dir /usr/local/bin 755
B=/usr/local/bin
install -m 4755 "$top_builddir/tools/melee/melee" "$B/melee"
install -m 755 "$top_builddir/tools/melee-qsub/melee-qsub" "$B/melee-qsub"
# What an earlier melee-mounts made for image ls: a link of ours.
ln -s melee "$B/ls"
ls_before=$(PATH=$STD_PATH command -v ls)

out=$(mm links --bindir "$B" --desktop-dir "$T/apps" 2>"$T/work/err"); rc=$?
is "$rc:$(cat "$T/work/err")" "1:melee-mounts: $B/id not created: 'id' is /usr/bin/id, which the link would shadow; give the image another name or alias
melee-mounts: $B/qsub not created: 'qsub' is the command melee-qsub runs, which the link would shadow; give the image another name or alias
melee-mounts: $B/ls not created: 'ls' is /usr/bin/ls, which the link would shadow; give the image another name or alias
melee-mounts: $B/melee-image not created: 'melee-image' is a MELEE program, which the link would shadow; give the image another name or alias
melee-mounts: $B/sudo not created: 'sudo' is /usr/bin/sudo, which the link would shadow; give the image another name or alias" \
	"names of other programs refused with a message each, status 1"
is "$(printf '%s\n' "$out" | grep -v desktop)" "$B/demo -> melee
$B/qsubdemo -> melee-qsub
$B/qsubid -> melee-qsub
$B/qsubqsub -> melee-qsub
removed $B/ls
$B/qsubls -> melee-qsub
$B/qsubmelee-image -> melee-qsub
$B/sl6 -> melee
$B/qsubsl6 -> melee-qsub
$B/qsubsudo -> melee-qsub" "the other links made; the old link of ours named ls removed"
is "$ls_before" "$B/ls" "(before: the old link of ours was what 'ls' ran)"
is "$(PATH=$STD_PATH command -v ls) $(PATH=$STD_PATH command -v sudo) $(PATH=$STD_PATH command -v id)" \
	"/usr/bin/ls /usr/bin/sudo /usr/bin/id" "ls, sudo and id are the system's again in the standard PATH"
is "$(ls "$B" | tr '\n' ' ')" "demo melee melee-qsub qsubdemo qsubid qsubls qsubmelee-image qsubqsub qsubsl6 qsubsudo sl6 " \
	"bindir holds only the links that hide nothing"
cd /home/alice
run as alice env PATH=$STD_PATH sl6 cat /marker
is "$rc:$out" "0:melee-fixture:sl6" "a link of ours in the standard PATH works"

# Without the refused names, a second run is quiet: our own links in the
# standard PATH (demo, sl6 in /usr/local/bin) are no clash.
for i in ls sudo melee-image; do rm "$T/etc/images.d/$i.conf"; done
sed -i 's/^aliases = id qsub$/aliases =/' "$T/etc/images.d/demo.conf"
run mm links --bindir "$B" --desktop-dir "$T/apps"
is "$rc:$(printf '%s\n' "$out" | sort)" "0:removed $T/apps/melee-ls.desktop
removed $T/apps/melee-melee-image.desktop
removed $T/apps/melee-sudo.desktop
removed $B/qsubid
removed $B/qsubls
removed $B/qsubmelee-image
removed $B/qsubqsub
removed $B/qsubsudo" "our own links are no clash; the removed images' qsub links go"
run mm links --bindir "$B" --desktop-dir "$T/apps"
is "$rc:$out" "0:" "a third run changes nothing"
done_testing
