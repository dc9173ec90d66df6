#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Whether a process uses an image is found by walking up from its root
# with ".." (tools/shared/image-users.c).  That walk gave up after 4096
# levels and then counted the process as using no image: alice, who may
# write the image's /var/tmp, made 4100 directories there, chrooted into
# the deepest (a user namespace of hers) and stayed, and remove went
# ahead with her inside.  The walk has no bound now: she is found.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
as alice unshare -Ur true 2>/dev/null ||
	skip_all "users may not make user namespaces here (kernel.unprivileged_userns_clone)"
write_config
add_image victim
D=$IMAGES/victim/var/tmp/deep
mkdir -m 755 "$D" && chown alice "$D"
# 4100 levels, deeper than PATH_MAX can name: by chdir, one at a time;
# then, at the bottom, a static busybox and a chroot into it.
as alice perl -e 'chdir $ARGV[0] or die; for (1 .. 4100) { mkdir "d", 0755 or die; chdir "d" or die }
	system("cp", $ARGV[1], "busybox") == 0 or die;
	exec "unshare", "-Ur", "chroot", ".", "/busybox", "sleep", "600"' "$D" "$(command -v busybox)" &
holder=$!
PIDS="$PIDS $holder"
wait_for 20 child_named "$holder" busybox
ok $? "alice's process runs chrooted 4100 levels below the image's /var/tmp"
pid=$(child_named "$holder" busybox)
run mi remove victim
is "$rc:$out" "1:melee-image: image 'victim' is in use by process $pid (busybox)" \
	"remove finds her inside the image and refuses"
ok_cmd "victim is still registered" test -e "$T/etc/images.d/victim.conf"
done_testing
