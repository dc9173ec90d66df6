#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# remove and down ask whether a process uses the image: they look at
# every process's root directory.  alice can make hers a FUSE mount of
# her own (a chroot in a user namespace of hers into her bindfs,
# allow_other), then stop its daemon: a look that asked it (stat of an
# expired root) held remove, and down with the lock, for good.  They now
# look with the attributes the kernel has (tools/shared/image-users.c)
# and finish.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

command -v bindfs >/dev/null || { echo "Bail out! bindfs is missing (tests/deps.txt)"; exit 1; }
setup_accounts
as alice unshare -Ur true 2>/dev/null ||
	skip_all "users may not make user namespaces here (kernel.unprivileged_userns_clone)"
user_fuse allow_other
write_config
add_image victim
add_image other
S=$T/asrc M=$T/amnt
mkdir -m 755 "$S" "$M" "$S/bin" && cp "$(command -v busybox)" "$S/bin/busybox"
chown -R alice "$S" "$M"
bindfs_as alice "$S" "$M" -o allow_other
ok $? "alice mounts a bindfs of hers (allow_other)"
daemon=$BINDFS
at_exit "kill -CONT $daemon 2>/dev/null; umount -l '$M' 2>/dev/null"
as alice unshare -Ur chroot "$M" /bin/busybox sleep 600 &
holder=$!
PIDS="$PIDS $holder"
wait_for 10 child_named "$holder" busybox
ok $? "a process of hers runs with her bindfs as its root (chroot in a user namespace)"
kill -STOP "$daemon"
# The attributes of her mount's root, fetched while it answered, expire
# after libfuse's attr_timeout (1 s): any look that syncs then asks her
# stopped daemon.
sleep 2

ok_cmd "melee-mounts up other" mm up other
run timeout 20 "$MELEE_MOUNTS" --config "$CONF" down other
is "$rc" 0 "melee-mounts down other finishes with her daemon stopped ($out)"
run timeout 20 "$MELEE_IMAGE" --config "$CONF" remove victim
is "$rc" 0 "melee-image remove victim finishes with her daemon stopped ($out)"
ok_cmd "victim is unregistered" test ! -e "$T/etc/images.d/victim.conf"
done_testing
