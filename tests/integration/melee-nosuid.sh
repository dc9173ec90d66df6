#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nosuid = yes: melee-mounts up binds the image root onto itself nosuid,
# first; a setuid-root program in the image then runs with the caller's
# uid (and as root in an image without the option); status shows it,
# down removes it; an image that is up without its nosuid bind is not
# entered, and up says to run down first.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup
add_image sec "nosuid = yes"
cd /home/alice
# A program that prints its effective uid, static (the fixture images
# have no C library), setuid root in both images.
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("%%u\\n", (unsigned)geteuid()); return 0; }\n' > "$T/work/euid.c"
gcc -static -o "$T/work/euid" "$T/work/euid.c" || { echo "Bail out! cannot build a static program"; exit 1; }
for i in demo sec; do install -o root -g root -m 4755 "$T/work/euid" "$IMAGES/$i/bin/euid"; done
is "$(as alice "$IMAGES/demo/bin/euid")" "0" "the setuid-root program works where the images live (run from the host)"

run mm up sec
is "$rc:$out" "0:sec: mounted 18, 0 already present" "up sec mounts the fstab, the accounts and the nosuid bind"
first=$(awk -v p="$IMAGES/sec" '$5 == p || index($5, p "/") == 1 { print $5, $6; exit }' /proc/self/mountinfo)
like "$first" "^$IMAGES/sec [^ ]*nosuid" "the first mount of the image is its root, bound onto itself nosuid"
is "$(awk -v p="$IMAGES/sec" '$5 == p' /proc/self/mountinfo | wc -l)" "1" "exactly one mount on the image root"
is "$(mm up sec 2>&1)" "sec: already up, nothing mounted (18 of 18 present)" "a second up adds nothing"
like "$(mm status sec)" "^sec +$IMAGES/sec +ready +18/18  nosuid$" "status: ready, nosuid"
like "$(mm status --json sec)" '"state":"ready","present":18,"expected":18,"nosuid":true' "status --json: nosuid true"

run as alice "$MELEE" sec euid
is "$rc:$out" "0:1501" "nosuid = yes: the setuid-root program runs with alice's uid"
run as alice "$MELEE" demo euid
is "$rc:$out" "0:0" "without nosuid: the same program runs as root"

# The option set while an image is up without its bind: not entered,
# and up refuses until a down.
sed -i 's/^description = Demo image$/description = Demo image\nnosuid = yes/' "$T/etc/images.d/demo.conf"
run as alice "$MELEE" demo euid
like "$rc:$out" "^[1-9][0-9]*:melee: image demo is not prepared \(nosuid = yes, but $IMAGES/demo is not mounted nosuid\); run 'melee-mounts up demo' as root$" \
	"an image up without its nosuid bind is not entered"
like "$(mm status demo)" "^demo +$IMAGES/demo +partial +17/18  nosuid bind missing$" "status: partial, nosuid bind missing"
run mm up demo
is "$rc:$out" "1:melee-mounts: demo: nosuid = yes, but $IMAGES/demo is up without its nosuid bind; run 'melee-mounts down demo' first" \
	"up refuses to put the bind over an image that is up"
mm down demo >/dev/null && mm up demo >/dev/null
run as alice "$MELEE" demo euid
is "$rc:$out" "0:1501" "after down and up, demo is nosuid too"

run mm down sec
like "$rc:$out" "^0:sec: unmounted [0-9]+$" "down unmounts the binds and the nosuid bind"
is "$(awk -v p="$IMAGES/sec" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo | wc -l)" "0" "nothing is left on or in the image"
# The option turned off while up: down still removes the bind it left.
mm up sec >/dev/null
sed -i '/^nosuid = yes$/d' "$T/etc/images.d/sec.conf"
run mm down sec
is "$(awk -v p="$IMAGES/sec" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo | wc -l)" "0" "with the option off, nothing is left either"
like "$rc:$out" "^0:sec: unmounted [0-9]+$" "with the option turned off, down still removes the nosuid bind"
# An administrator's own mount on an image path is not ours.
mount -t tmpfs -o nosuid admin-fs "$IMAGES/sec"
mm down sec >/dev/null
is "$(awk -v p="$IMAGES/sec" '$5 == p { print $(NF-1) }' /proc/self/mountinfo)" "admin-fs" \
	"down leaves another file system mounted on the image path alone"
umount "$IMAGES/sec"
done_testing
