#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nosuid = yes through pam_melee: 'ssh alice+IMAGE' lands on the image's
# nosuid bind, so that a setuid-root program in the image runs with
# alice's uid; in an image without the option it runs as root.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image sec "nosuid = yes"
add_image demo
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("%%u\\n", (unsigned)geteuid()); return 0; }\n' > "$T/work/euid.c"
gcc -static -o "$T/work/euid" "$T/work/euid.c" || { echo "Bail out! cannot build a static program"; exit 1; }
for i in demo sec; do install -o root -g root -m 4755 "$T/work/euid" "$IMAGES/$i/bin/euid"; done
mm up sec demo >/dev/null
bind_etc_melee
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }

run key alice+sec@127.0.0.1 'cat /marker; euid'
is "$rc:$out" "0:melee-fixture:sec
1501" "ssh alice+sec (nosuid = yes): the setuid-root program runs with alice's uid"
run key alice+demo@127.0.0.1 'cat /marker; euid'
is "$rc:$out" "0:melee-fixture:demo
0" "ssh alice+demo (no nosuid): the same program runs as root"
done_testing
