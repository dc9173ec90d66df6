#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image pack: a mount that appears on the image while it is packed
# (a bind of a host directory made in the host's namespace, on a host
# whose mounts are shared, as systemd makes them) never reaches the
# packer's /src: the clone of the image root is private, not a peer of
# the image's mount that would receive the new mount by propagation and
# hand its content to mksquashfs (which packs every mount below /src).
# The packer is stopped as soon as /src is in its mount table, the bind
# made, its mount table read; the file packed then holds nothing of it.
# Nor does anything of the packer's namespace come back: its covers (the
# read-only empty tmpfs on each directory others can write) once
# propagated to the host's namespace and stayed on the image's /tmp.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"

setup_accounts
write_config
add_image bb
mkdir -m 755 "$T/files" "$T/host"
# The images on a shared mount, as on a systemd host (this test's
# namespace is private: its own peer group).
mount --bind "$IMAGES" "$IMAGES" && mount --make-shared "$IMAGES"
ok $? "the images' mount is shared"
secret="host-only-$$-$RANDOM"
echo "$secret" > "$T/host/secret"; chmod 600 "$T/host/secret"
mkdir -p -m 755 "$IMAGES/bb/opt/late"
touch "$IMAGES/bb/tmp/users-file"
# Enough data that mksquashfs is still at work when it is caught.
mkdir -p "$IMAGES/bb/usr/share"
head -c 48M /dev/urandom > "$IMAGES/bb/usr/share/big"

"$MELEE_IMAGE" --config "$CONF" pack bb "$T/files/bb.sqsh" --compression xz > "$T/work/pack.out" 2>&1 &
packer=$!
PIDS="$PIDS $packer"
# Its child, process 1 of its PID namespace, once it is mksquashfs (its
# root, and /src in it, built; its mount table readable from here).
child=
for _ in $(seq 1 4000); do
	for c in $(cat "/proc/$packer/task/$packer/children" 2>/dev/null); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = mksquashfs ]; then
			kill -STOP "$c" && child=$c
		fi
	done
	[ -n "$child" ] && break
	sleep 0.005
done
ok "$([ -n "$child" ] && grep -q ' /src ' "/proc/$child/mountinfo"; echo $?)" "mksquashfs was caught at work, /src in its mount table (pid ${child:-none})"
mount --bind "$T/host" "$IMAGES/bb/opt/late"
propagated=$(grep -c ' /src/opt/late ' "/proc/${child:-0}/mountinfo" 2>/dev/null)
is "${propagated:-0}" 0 "the bind made on the image meanwhile is not in the packer's mount table"
[ -n "$child" ] && kill -CONT "$child"
wait "$packer"; rc=$?
umount "$IMAGES/bb/opt/late"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/bb/")" 0 "no mount of the packer's is left on the image in the host's namespace"
ok_cmd "the image's /tmp shows its own file still" test -e "$IMAGES/bb/tmp/users-file"
is "$rc" 0 "the pack succeeds ($(tail -n 1 "$T/work/pack.out"))"
rm -rf "$T/work/x"
unsquashfs -q -n -d "$T/work/x" "$T/files/bb.sqsh" > /dev/null 2>&1
ok_cmd "the file unpacks" test -d "$T/work/x/opt/late"
is "$(grep -rlaF "$secret" "$T/work/x" 2>/dev/null)" "" "the file holds nothing of the bind"
is "$(ls -A "$T/work/x/opt/late")" "" "its opt/late is the image's own, empty"
done_testing
