#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee reads the caller's passwd entry whatever its size (melee_getpwuid
# grows its buffer on ERANGE): a 20 KiB GECOS, larger than the 16 KiB
# buffer melee had, still lets alice into the image and list it.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/melee-lib.sh"

melee_setup
cd /home/alice
big=$(head -c 20000 /dev/zero | tr '\0' g)
# Rewritten in place: /etc/passwd is a bind of this very inode.
sed "s|^alice:x:1501:1501:[^:]*:|alice:x:1501:1501:$big:|" "$T/work/passwd" > "$T/work/passwd.new"
cat "$T/work/passwd.new" > "$T/work/passwd"
is "$(getent passwd alice | cut -d: -f5 | wc -c)" 20001 "alice's GECOS is 20 KiB now"

out=$(as alice "$MELEE" demo id -un 2>&1); rc=$?
is "$rc:$out" "0:alice" "melee demo id -un: alice runs in the image"
out=$(as alice "$MELEE" demo sh -c 'echo $MELEE_IMAGE $HOME' 2>&1); rc=$?
is "$rc:$out" "0:demo /home/alice" "and her environment comes from the entry"
out=$(as alice "$MELEE" --list 2>&1); rc=$?
like "$rc:$out" "^0:IMAGE " "melee --list: exit 0, its heading"
like "$out" "^demo +ready +yes +- +Demo image$" "and the image, with her access"

done_testing
