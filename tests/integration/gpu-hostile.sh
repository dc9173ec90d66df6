#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gpu = nvidia against a user who writes the image and a host file that
# is not what it should be: an image whose /run/melee (or
# /run/melee/gpu) is alice's symlink to a host directory gets nothing
# mounted there; a FIFO where the Vulkan ICD file should be, a driver
# library that is group-writable or not root's, or below a directory
# that is group-writable, refuse the up at once, naming the file, with
# nothing mounted; an image whose libc.so.6 leads into its /home bind is
# refused, not read; a session gets the GPU's LD_LIBRARY_PATH only from
# a read-only tmpfs of root's reached through root's directories.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/gpu-lib.sh"

setup_accounts
write_config
ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache" gpu_host_driver
# A fixture image with the host's libc.so.6 (the glibc check needs one).
gpu_image() {
	add_image "$1" "gpu = nvidia"
	mkdir -p "$IMAGES/$1/lib/x86_64-linux-gnu"
	cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$IMAGES/$1/lib/x86_64-linux-gnu/libc.so.6"
}
HOSTDIR=$T/host-etc
mkdir -m 755 "$HOSTDIR"

# The image's /run is its own (no /run bind) and alice may write it.
grep -v '^/run ' "$T/etc/fstab" > "$T/etc/fstab-norun"; chmod 644 "$T/etc/fstab-norun"
gpu_image evil
sed -i "s|^fstab = .*|fstab = $T/etc/fstab-norun|" "$T/etc/images.d/evil.conf"
chmod 1777 "$IMAGES/evil/run"
as alice ln -s "$HOSTDIR" "$IMAGES/evil/run/melee"
run mm up evil
ok $((rc == 0)) "up refuses evil, whose /run/melee is alice's symlink to a host directory (exit $rc)"
like "$out" "^melee-mounts: evil: gpu = nvidia: .*symlink" "the reason names the symlink"
is "$(ls -A "$HOSTDIR" | wc -l)" "0" "nothing was created in the host directory"
is "$(findmnt -rn -o TARGET | grep -c "^$HOSTDIR\|^$IMAGES/evil")" "0" "nothing is mounted there or in the image (the binds up made are taken back)"

as alice rm "$IMAGES/evil/run/melee"
# (A directory of hers there is refused before anything in it is looked
# at: mounts-target-path-unsafe.)  Root's, writable by all (sticky).
mkdir -m 1777 "$IMAGES/evil/run/melee"
as alice ln -s "$HOSTDIR" "$IMAGES/evil/run/melee/gpu"
run mm up evil
ok $((rc == 0)) "up refuses evil, whose /run/melee/gpu is alice's symlink to a host directory (exit $rc)"
like "$out" "^melee-mounts: evil: gpu = nvidia: .*symlink" "the reason names the symlink"
is "$(findmnt -rn -o TARGET | grep -c "^$HOSTDIR\|^$IMAGES/evil")" "0" "nothing is mounted on the host directory"

gpu_image good
ICD=/etc/vulkan/icd.d/nvidia_icd.json
mv "$ICD" "$T/icd.json"; mkfifo -m 644 "$ICD"
run timeout 20 "$MELEE_MOUNTS" --config "$CONF" up good
is "$rc" "1" "a FIFO as the host's Vulkan ICD file: up fails at once (exit 1, not a hang)"
like "$out" "^melee-mounts: GPU driver file $ICD is a FIFO, expected a regular file; refused$" "the reason names the FIFO"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/good")" "0" "nothing is mounted in good"
rm "$ICD"; mv "$T/icd.json" "$ICD"

LIB=$GPU_LIB/libnvidia-ml.so.$GPU_VERSION
chmod g+w "$LIB"
run mm up good
like "$out" "^melee-mounts: GPU driver file $LIB is not root's alone \(owner 0, mode 0775; expected owner root and not writable by group or others\); refused$" \
	"a group-writable driver library is refused, named"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/good")" "0" "nothing is mounted in good"
chmod g-w "$LIB"; chown alice "$LIB"
run mm up good
like "$out" "^melee-mounts: GPU driver file $LIB is not root's alone \(owner 1501," "a driver library of alice's is refused"
chown root "$LIB"
# A driver library in a directory of the ld.so cache that root's group
# may write: whoever writes it could swap the library between check and
# bind.  The up is refused, as for a library of the wrong owner.
GRP=$T/gpu-grp
mkdir -m 775 "$GRP"
gcc -shared -fPIC -O1 -o "$GRP/libnvidia-encode.so.$GPU_VERSION" -Wl,-soname,libnvidia-encode.so.1 "$GPU_SRC/stub-nvml.c"
echo "$GRP" > /etc/ld.so.conf.d/zz-melee-test-gpu-grp.conf
ldconfig
run mm up good
ok $((rc == 0)) "a driver library below a group-writable directory of the ld.so cache: up good fails (exit $rc)"
like "$out" "^melee-mounts: GPU driver file $GRP/libnvidia-encode.so.$GPU_VERSION is below a directory that is not root's alone: $GRP: group- or world-writable \\(mode 0775\\), refused$" \
	"the reason names the library and the directory"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/good")" "0" "nothing is mounted in good"
rm /etc/ld.so.conf.d/zz-melee-test-gpu-grp.conf
ldconfig
run mm up good
is "$rc" "0" "with the files put right, up good works"
like "$out" "^good: bound 5 GPU driver files" "and binds the 5 files"
ok_cmd "down good" mm down good
# The image's libc.so.6 made a symlink to a file in the image's /home
# (the host's /home, bound in by the up before) and up run again (as
# for a driver update): a user's file must not stand for the image's
# glibc, nor a FIFO or FUSE file of hers hang up under the lock.
setup_home
gpu_image homelibc
ok_cmd "up homelibc" mm up homelibc
mounted=$(findmnt -rn -o TARGET | grep -c "^$IMAGES/homelibc")
cp "$IMAGES/homelibc/lib/x86_64-linux-gnu/libc.so.6" /home/alice/libc.so.6
chown alice /home/alice/libc.so.6
ln -sf /home/alice/libc.so.6 "$IMAGES/homelibc/lib/x86_64-linux-gnu/libc.so.6"
run timeout 20 "$MELEE_MOUNTS" --config "$CONF" up homelibc
is "$rc" "1" "homelibc's libc.so.6 now leads into its /home bind: up again fails at once (exit 1, not a hang)"
like "$out" "^melee-mounts: homelibc: gpu = nvidia refused: $IMAGES/homelibc/lib/x86_64-linux-gnu/libc.so.6 leads out of the image's own file system \\(into a bind such as /home\\); expected the image's own libc$" \
	"the reason names the image's libc.so.6 and where it leads"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/homelibc")" "$mounted" "nothing more is mounted in homelibc"
ok_cmd "down homelibc" mm down homelibc
# A session's GPU environment (common/melee-gpu-env.c) in an image whose
# /run is its own: only the read-only tmpfs of root's that up mounts at
# /run/melee/gpu, reached through directories of root's alone, puts its
# lib on LD_LIBRARY_PATH.  (ownrun is brought up with gpu = none, so
# that up leaves /run/melee to the test, then set to gpu = nvidia.)
install_melee
gpu_image ownrun
sed -i -e "s|^fstab = .*|fstab = $T/etc/fstab-norun|" -e "s|^gpu = nvidia$|gpu = none|" "$T/etc/images.d/ownrun.conf"
ok_cmd "up ownrun" mm up ownrun
sed -i "s|^gpu = none$|gpu = nvidia|" "$T/etc/images.d/ownrun.conf"
R=$IMAGES/ownrun/run
chmod 1777 "$R"
# ld_path: alice's LD_LIBRARY_PATH in ownrun (from /, which the image has).
ld_path() { cd / && as alice "$T/bin/melee" ownrun /bin/sh -c 'echo "[$LD_LIBRARY_PATH]"'; }
# gpu_tmpfs: a read-only tmpfs of root's on $R/melee/gpu with lib in it.
gpu_tmpfs() { mount -t tmpfs -o mode=755 melee-test-gpu "$R/melee/gpu" && mkdir -m 755 "$R/melee/gpu/lib" && mount -o remount,ro "$R/melee/gpu"; }
as alice mkdir "$R/melee"
(umask 022 && mkdir -p "$R/melee/gpu/lib")
is "$(ld_path)" "[]" "alice's /run/melee with root's gpu/lib in it (no tmpfs): no LD_LIBRARY_PATH"
ok_cmd "a read-only tmpfs of root's with lib on alice's /run/melee/gpu" gpu_tmpfs
is "$(ld_path)" "[]" "that tmpfs under alice's /run/melee: no LD_LIBRARY_PATH (she could swap it)"
umount "$R/melee/gpu"; rm -rf "$R/melee"
chmod 755 "$R"
(umask 022 && mkdir -p "$R/melee/gpu/lib")
is "$(ld_path)" "[]" "root's /run/melee/gpu/lib, plain directories of the image (no tmpfs): no LD_LIBRARY_PATH"
ok_cmd "a read-only tmpfs of root's with lib on root's /run/melee/gpu" gpu_tmpfs
is "$(ld_path)" "[/run/melee/gpu/lib]" "the tmpfs as up mounts it, root's all the way: LD_LIBRARY_PATH has its lib"
umount "$R/melee/gpu"
ok_cmd "down ownrun" mm down ownrun
done_testing
