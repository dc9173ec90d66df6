#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee as a script interpreter: "#!/path/demo" runs the script with the
# image's /bin/sh, "#!/path/demo PROG" with the image's PROG; arguments
# arrive unchanged; a script that is not the same file inside the image
# is refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup
ln -s melee "$T/bin/demo"
cd /home/alice

cat > /home/alice/plain.sh <<EOS
#!$T/bin/demo
cat /marker
echo "\$MELEE_IMAGE argc=\$#"
for a in "\$@"; do echo "[\$a]"; done
EOS
cat > /home/alice/withprog.sh <<EOS
#!$T/bin/demo ash
echo "\$0 in \$(cat /marker)"
EOS
chown 1501:1501 /home/alice/*.sh
chmod 755 /home/alice/*.sh

run as alice /home/alice/plain.sh 'two words' '' '*' '-x'
is "$rc:$out" "0:melee-fixture:demo
demo argc=4
[two words]
[]
[*]
[-x]" "#!/path/demo runs the script inside the image with its arguments unchanged"
run as alice ./plain.sh
is "$rc:$out" "0:melee-fixture:demo
demo argc=0" "a relative script path works"
run as alice /home/alice/withprog.sh
is "$rc:$out" "0:/home/alice/withprog.sh in melee-fixture:demo" "#!/path/demo ash runs it with the image's ash"
is "$(as alice /home/alice/withprog.sh; echo "$?")" "/home/alice/withprog.sh in melee-fixture:demo
0" "the status is the script's"

sed -i "2s/.*/exit 7/" /home/alice/plain.sh
run as alice /home/alice/plain.sh
is "$rc:$out" "7:" "the script's exit status"

cat > /home/alice/noprog.sh <<EOS
#!$T/bin/demo no-such-interpreter
true
EOS
chown 1501:1501 /home/alice/noprog.sh; chmod 755 /home/alice/noprog.sh
run as alice /home/alice/noprog.sh
is "$rc:$out" "127:melee: no-such-interpreter: command not found in image demo" "an interpreter missing in the image: 127"

# A script that exists only on the host (not under a shared directory).
mkdir -p "$T/work/scripts"
cp /home/alice/withprog.sh "$T/work/scripts/host-only.sh"
chmod 755 "$T/work/scripts" "$T/work/scripts/host-only.sh"
cd /home/alice
run as alice "$T/work/scripts/host-only.sh"
is "$rc:$out" "125:melee: script $T/work/scripts/host-only.sh is not the same file inside image demo (keep scripts under a shared directory such as /home)" \
	"a script that is not the same file inside the image is refused"
# Same path, other file: a different file at the same path in the image.
mkdir -p "$IMAGES/demo$T/work/scripts"
cp "$T/work/scripts/host-only.sh" "$IMAGES/demo$T/work/scripts/host-only.sh"
run as alice "$T/work/scripts/host-only.sh"
is "$rc:$out" "125:melee: script $T/work/scripts/host-only.sh is not the same file inside image demo (keep scripts under a shared directory such as /home)" \
	"a look-alike file at the same path inside the image is refused too"
safe_rm "$IMAGES/demo/mnt"

done_testing
