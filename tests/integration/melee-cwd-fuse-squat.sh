#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The working directory inside the image is the caller's only on the
# image's own file system: bob makes /var/tmp/build in the image (his),
# then mounts a FUSE file system of his own on it (fusermount lets him:
# the directory is his; allow_other with user_allow_other in fuse.conf)
# whose every file says it is root's (bindfs --force-user=root).  alice,
# in her own /var/tmp/build on the host, runs `melee demo ./run.sh`:
# refused, bob's script never runs as alice; the same directory made by
# alice herself, without a mount, still works.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/melee-lib.sh" || exit 1

command -v bindfs >/dev/null || skip_all "bindfs not found (apt-get install bindfs)"
melee_setup
private_dir /var/tmp 1777
user_fuse allow_other
mkdir -m 700 /home/alice/other && chown alice:alice /home/alice/other
(cd /home/bob && as bob "$MELEE" demo sh -c '
	mkdir -p /var/tmp/build /var/tmp/bobsrc &&
	printf "#!/bin/sh\necho bob-ran >> /home/alice/other/ran\necho bob-ran\n" > /var/tmp/bobsrc/run.sh &&
	chmod 755 /var/tmp/bobsrc/run.sh')
I=$IMAGES/demo
bindfs_as bob "$I/var/tmp/bobsrc" "$I/var/tmp/build" -o allow_other --force-user=root --force-group=root
ok $? "bob mounts his bindfs on his /var/tmp/build in the image"
is "$(stat -c '%U %a' "$I/var/tmp/build")" "root 755" "where it says it is root's"
as alice sh -c 'mkdir -m 700 /var/tmp/build &&
	printf "#!/bin/sh\necho alice-ran\n" > /var/tmp/build/run.sh && chmod 755 /var/tmp/build/run.sh'
run as alice sh -c "cd /var/tmp/build && exec \"$MELEE\" demo ./run.sh"
is "$rc:$out" "125:melee: directory /var/tmp/build in image demo is not the one you called from, and someone else could have made it there ('build' on the way is on another file system there (a mount in the image)); not running the command there" \
	"alice's command is refused, saying why"
[ ! -e /home/alice/other/ran ]
ok $? "bob's script never ran as alice"
fusermount -u "$I/var/tmp/build"
ok $? "bob's mount taken away"
rm -rf "$I/var/tmp/build" "$I/var/tmp/bobsrc"
(cd /home/alice && as alice "$MELEE" demo mkdir -m 700 /var/tmp/build)
run as alice sh -c "cd /var/tmp/build && exec \"$MELEE\" demo pwd"
is "$rc:$out" "0:/var/tmp/build" "alice's own directory there, on the image's file system: her command runs"
done_testing
