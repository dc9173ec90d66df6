#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The host's 32-bit driver libraries (Debian's libnvidia-*:i386) for
# gpu = nvidia images: 32-bit stubs with the driver's sonames in this
# namespace's ld.so cache beside the 64-bit ones.  An i386 image gets
# them in /run/melee/gpu/lib32 and no 64-bit lib or bin; an amd64 image
# with libc6-i386 gets lib and lib32, and a 32-bit and a 64-bit program
# each load their own through the one LD_LIBRARY_PATH; an amd64 image
# without a 32-bit libc gets lib alone.  status sees lib32, and a 32-bit
# driver update makes the images with lib32 stale.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

command -v gcc >/dev/null && [ -e /usr/lib32/libc.so ] ||
	skip_all "no gcc -m32 here (gcc-multilib, tests/deps.txt)"
images_setup
ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache" gpu_host_driver
ok_cmd "its 32-bit libraries and a 32-bit probe built (gcc -m32) and registered" gpu_host_driver32
cache=$(ldconfig -p)
like "$cache" "^	libcuda\.so\.1 \(libc6\) => $GPU_LIB32/libcuda\.so\.1$" \
	"the cache lists the 32-bit libcuda.so.1 with the i386 flags"
like "$cache" "^	libcuda\.so\.1 \(libc6,x86-64\) => $GPU_LIB/libcuda\.so\.1$" "and the 64-bit one with x86-64's"
image_ready old32 bookworm i386
image_ready multi bullseye amd64 libc6-i386
image_ready trixie trixie
chroot "$IMAGES/old32" /bin/true 2>/dev/null || skip_all "this host runs no i386 code natively"
for i in old32 multi trixie; do
	printf 'gpu = nvidia\n' >> "$T/etc/images.d/$i.conf"
	install -m 755 "$GPU_PROBE" "$IMAGES/$i/usr/local/bin/gpu-probe"
	install -m 755 "$GPU_PROBE32" "$IMAGES/$i/usr/local/bin/gpu-probe32"
done

run mm up old32 multi trixie
is "$rc" "0" "up old32 multi trixie"
like "$out" "^old32: bound 4 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" \
	"old32 (i386): 4 files, the 2 32-bit libraries and the 2 JSON files"
like "$out" "^multi: bound 7 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" \
	"multi (amd64 with libc6-i386): 7 files, 2 libraries of each ABI, 2 JSON files, nvidia-smi"
like "$out" "^trixie: bound 5 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" \
	"trixie (amd64 alone): 5 files, as before"
elf_class() { od -An -tu1 -j4 -N1 "$1" | tr -d ' '; } # 1: ELF32, 2: ELF64
G=$IMAGES/old32/run/melee/gpu
is "$(ls "$G")" "egl_vendor.d
lib32
vulkan" "old32: lib32 and the JSON files; no 64-bit lib, no bin (its nvidia-smi is a 64-bit program)"
is "$(readlink "$G/lib32/libcuda.so.1"):$(elf_class "$G/lib32/libcuda.so.$GPU_VERSION")" "libcuda.so.$GPU_VERSION:1" \
	"old32: lib32/libcuda.so.1 links to the 32-bit (ELF32) library"
G=$IMAGES/multi/run/melee/gpu
is "$(ls "$G" | tr '\n' ' ')" "bin egl_vendor.d lib lib32 vulkan " "multi: lib and lib32"
is "$(elf_class "$G/lib/libnvidia-ml.so.$GPU_VERSION"):$(elf_class "$G/lib32/libnvidia-ml.so.$GPU_VERSION")" "2:1" \
	"multi: lib holds the ELF64 libnvidia-ml, lib32 the ELF32 one"
like "$(findmnt -rn -o OPTIONS --mountpoint "$G/lib32/libcuda.so.$GPU_VERSION")" "^ro,nosuid,nodev," \
	"a 32-bit library is bound read-only, nosuid, nodev"
is "$(ls "$IMAGES/trixie/run/melee/gpu" | tr '\n' ' ')" "bin egl_vendor.d lib vulkan " "trixie: no lib32"

install_melee
cd /home/alice
probe="cuInit=0 cuDriverGetVersion=12040 nvmlInit_v2=0 nvmlSystemGetDriverVersion=$GPU_VERSION"
run as alice "$T/bin/melee" old32 /bin/sh -c 'echo "$LD_LIBRARY_PATH"; /usr/local/bin/gpu-probe32 where'
is "$rc:$out" "0:/run/melee/gpu/lib32
$probe from=/run/melee/gpu/lib32/libcuda.so.1" \
	"old32 (melee, as alice): LD_LIBRARY_PATH is lib32; a 32-bit program loads the 32-bit libraries and calls them"
unlike "$(as alice "$T/bin/melee" old32 /bin/sh -c 'echo "$PATH"')" "/run/melee/gpu" "old32: no GPU bin on PATH"
run as alice "$T/bin/melee" multi /bin/sh -c 'echo "$LD_LIBRARY_PATH"; /usr/local/bin/gpu-probe32 where; /usr/local/bin/gpu-probe where'
is "$rc:$out" "0:/run/melee/gpu/lib:/run/melee/gpu/lib32
$probe from=/run/melee/gpu/lib32/libcuda.so.1
$probe from=/run/melee/gpu/lib/libcuda.so.1" \
	"multi: one LD_LIBRARY_PATH, lib then lib32; the 32-bit program loads lib32's stubs (ld.so passes over lib's ELF64), the 64-bit one lib's"
run as alice "$T/bin/melee" trixie /bin/sh -c 'echo "$LD_LIBRARY_PATH"; /usr/local/bin/gpu-probe where'
is "$rc:$out" "0:/run/melee/gpu/lib
$probe from=/run/melee/gpu/lib/libcuda.so.1" "trixie: lib alone, as before"

run mm status old32 multi
like "$out" "^old32 .* gpu: 4 files bound, driver $GPU_VERSION$" "status: old32's 4 files and the driver version (from lib32's names)"
like "$out" "^multi .* gpu: 7 files bound, driver $GPU_VERSION$" "status: multi's 7 files"

# A 32-bit driver update alone (the :i386 packages upgraded first):
# every image with lib32 is stale; trixie, which has none, is not.
old=$GPU_VERSION GPU_VERSION=560.35.03
gpu_stub32 libcuda libcuda.so.1 stub-cuda.c && gpu_stub32 libnvidia-ml libnvidia-ml.so.1 stub-nvml.c &&
	rm -f "$GPU_LIB32/libcuda.so.$old" "$GPU_LIB32/libnvidia-ml.so.$old" && ldconfig
ok $? "the 32-bit libraries replaced by $GPU_VERSION, ldconfig"
run mm status old32 multi trixie
like "$out" "^old32 +$IMAGES/old32 +stale " "status: old32 is stale"
like "$out" "^multi +$IMAGES/multi +stale " "status: multi is stale"
like "$out" "^trixie +$IMAGES/trixie +ready " "status: trixie (no lib32) is not"
run mm up old32 multi
like "$out" "^old32: replaced the stale GPU driver files under /run/melee/gpu: driver $old -> $GPU_VERSION, 4 files$" \
	"up replaces old32's files: the driver of lib32's names"
like "$out" "^multi: replaced the stale GPU driver files under /run/melee/gpu: driver $old -> $old, 7 files$" \
	"and multi's (its driver named by lib's names, still $old)"
run as alice "$T/bin/melee" old32 /usr/local/bin/gpu-probe32
is "$rc:$out" "0:cuInit=0 cuDriverGetVersion=12040 nvmlInit_v2=0 nvmlSystemGetDriverVersion=$GPU_VERSION" \
	"old32's 32-bit program now calls the $GPU_VERSION libraries"
run mm status old32 multi trixie
is "$rc" "0" "status: all three current again"

cd /
ok_cmd "down old32 multi trixie" mm down old32 multi trixie
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/")" "0" "nothing left mounted in the images"
done_testing
