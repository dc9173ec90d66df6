#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee runs a command in the caller's directory inside the image only
# when it is that very directory (a shared tree such as /home) or one of
# the image's own that nobody but root or the caller made: the image's
# /var/tmp is its own and writable by every user of the image, so bob
# can make /var/tmp/build there first, with a run.sh of his, or a
# symlink to another of alice's directories, or his run.sh in /var/tmp
# itself; alice, in her own /var/tmp/build or /var/tmp on the host, must
# not run bob's script as herself.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

melee_setup
private_dir /var/tmp 1777
mkdir -m 700 /home/alice/other && chown alice:alice /home/alice/other

# bob, inside the image, squats two names alice uses on the host.
(cd /home/bob && as bob "$MELEE" demo sh -c '
	mkdir /var/tmp/build &&
	printf "#!/bin/sh\necho bob-ran >> /home/alice/other/ran\necho bob-ran\n" > /var/tmp/build/run.sh &&
	chmod 755 /var/tmp/build/run.sh && chmod 777 /var/tmp/build &&
	ln -s /home/alice/other /var/tmp/link')
# alice's own directories of the same names on the host.
as alice sh -c 'mkdir -m 700 /var/tmp/build /var/tmp/link /var/tmp/mine &&
	printf "#!/bin/sh\necho alice-ran\n" > /var/tmp/build/run.sh && chmod 755 /var/tmp/build/run.sh'

run as alice sh -c "cd /var/tmp/build && exec \"$MELEE\" demo ./run.sh"
is "$rc:$out" "125:melee: directory /var/tmp/build in image demo is not the one you called from, and someone else could have made it there ('build' on the way belongs to uid 1502 there); not running the command there" \
	"a command in a directory of the same name that bob made in the image is refused"
ok "$([ ! -e /home/alice/other/ran ]; echo $?)" "bob's script never ran"

run as alice sh -c "cd /var/tmp/link && exec \"$MELEE\" demo pwd"
is "$rc:$out" "125:melee: directory /var/tmp/link in image demo is not the one you called from, and someone else could have made it there ('link' on the way is a symbolic link there); not running the command there" \
	"a command where bob put a symlink to another of alice's directories is refused"

run as alice sh -c "cd /var/tmp/build && echo pwd | \"$MELEE\" demo"
is "$rc:$out" "0:melee: warning: /var/tmp/build in image demo is not the one you called from, and someone else could have made it there ('build' on the way belongs to uid 1502 there); starting in /home/alice
/home/alice" "a shell there starts in the home directory with a warning"

# The image's /var/tmp itself is root's, but everyone's to write: bob's
# run.sh there is not alice's ./run.sh of the host's /var/tmp.
(cd /home/bob && as bob "$MELEE" demo sh -c '
	printf "#!/bin/sh\necho bob-ran >> /home/alice/other/ran\necho bob-ran\n" > /var/tmp/run.sh &&
	chmod 755 /var/tmp/run.sh')
as alice sh -c 'printf "#!/bin/sh\necho alice-ran\n" > /var/tmp/run.sh && chmod 755 /var/tmp/run.sh'
run as alice sh -c "cd /var/tmp && exec \"$MELEE\" demo ./run.sh"
is "$rc:$out" "125:melee: directory /var/tmp in image demo is not the one you called from, and someone else could have made it there (it is writable by other users there (their files could be in it)); not running the command there" \
	"a command in a directory root's but writable by all there is refused"
ok "$([ ! -e /home/alice/other/ran ]; echo $?)" "bob's script there never ran"

# What is the caller's to run in still runs.
(cd /home/alice && as alice "$MELEE" demo mkdir -p /var/tmp/mine/in-image)
run as alice sh -c "cd /var/tmp/mine && exec \"$MELEE\" demo ls"
is "$rc:$out" "0:in-image" "a directory alice made in the image: the command runs there"
run as alice sh -c "cd /usr/bin && exec \"$MELEE\" demo pwd"
is "$rc:$out" "0:/usr/bin" "a directory of the image's own, root's: the command runs there"
run as alice sh -c "cd / && exec \"$MELEE\" demo pwd"
is "$rc:$out" "0:/" "the image's root"
run as alice sh -c "cd /home/alice/other && exec \"$MELEE\" demo pwd"
is "$rc:$out" "0:/home/alice/other" "a shared directory (/home): the very same directory, the command runs there"

done_testing
