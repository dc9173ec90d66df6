#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The host's 32-bit driver libraries get the 64-bit ones' checks.  An
# i386 image on a host without 32-bit driver libraries is refused,
# saying so; an amd64 image with libc6-i386 there gets the 64-bit ones
# alone and nothing more said.  A 32-bit library that needs a newer
# glibc than the image's 32-bit libc (bullseye's libc6-i386: 2.31) is
# refused naming it, nothing mounted, while the i386 bookworm image
# (2.36) takes it; a 32-bit library that is not root's alone is refused
# for the images that would get it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

command -v gcc >/dev/null && [ -e /usr/lib32/libc.so ] ||
	skip_all "no gcc -m32 here (gcc-multilib, tests/deps.txt)"
images_setup
ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache (64-bit alone)" gpu_host_driver
image_ready old32 bookworm i386
image_ready multi bullseye amd64 libc6-i386
image_ready trixie trixie
for i in old32 multi trixie; do
	printf 'gpu = nvidia\n' >> "$T/etc/images.d/$i.conf"
done
nothing_in() { is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/$1/")" "0" "$2"; }

run mm up old32
is "$rc:$out" "1:melee-mounts: old32: gpu = nvidia refused: the image has a 32-bit (i386) libc.so.6 alone and the host has no 32-bit (i386) NVIDIA driver library in /etc/ld.so.cache
melee-mounts: old32: gpu = nvidia: the host's driver cannot be bound; nothing mounted" \
	"up old32 (i386) on a host without 32-bit driver libraries fails, saying why"
nothing_in old32 "nothing mounted in old32"
run mm up multi
is "$rc" "0" "up multi (amd64 with libc6-i386) on that host"
is "$(printf '%s\n' "$out" | grep -v ': created mountpoint ')" "multi: bound 5 GPU driver files under /run/melee/gpu (driver $GPU_VERSION)
multi: mounted 23, 0 already present" "multi gets the 64-bit driver's 5 files and nothing more is said"
ok_cmd "down multi" mm down multi

ok_cmd "the 32-bit libraries registered too" gpu_host_driver32
gpu_stub32 libnvidia-gpucomp libnvidia-gpucomp.so.$GPU_VERSION stub-gpucomp.c && ldconfig
ok $? "a 32-bit libnvidia-gpucomp, built against arc4random@GLIBC_2.36, registered"
run mm up multi
is "$rc:$out" "1:melee-mounts: multi: gpu = nvidia refused: the host's $GPU_LIB32/libnvidia-gpucomp.so.$GPU_VERSION needs glibc 2.36, the image's 32-bit libc has 2.31; an image of Debian 12 bookworm (2.36), Ubuntu 24.04 (2.39), EL10 (2.39) or later would do
melee-mounts: multi: gpu = nvidia: the host's driver cannot be bound; nothing mounted" \
	"up multi fails naming the 32-bit library, the glibc it needs and the image's 32-bit one"
nothing_in multi "nothing mounted in multi"
run mm up old32 trixie
is "$rc" "0" "up old32 (i386 glibc 2.36) and trixie take the same driver"
like "$out" "^old32: bound 5 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" "old32 gets the 3 32-bit libraries and the 2 JSON files"
ok_cmd "down old32 trixie" mm down old32 trixie
rm -f "$GPU_LIB32/libnvidia-gpucomp.so.$GPU_VERSION" && ldconfig
ok $? "the 32-bit libnvidia-gpucomp removed again"

# Bound while fit, unfit since: status says up refuses it now, not that
# the host has no driver (review 32).
ok_cmd "up old32" mm up old32
chown 65534 "$GPU_LIB32/libnvidia-ml.so.$GPU_VERSION"
run mm status old32
like "$out" "gpu: 4 files bound, driver $GPU_VERSION \(stale: up refuses the driver now; melee-mounts up old32 says why\)" \
	"a 32-bit library bound, not root's alone since: status says up refuses it now"
like "$(mm status --json old32)" '"stale":true,"host_driver":"refused"' "and --json says host_driver refused"
ok_cmd "down old32" mm down old32
for i in multi old32; do
	run mm up $i
	is "$rc:$out" "1:melee-mounts: GPU driver file $GPU_LIB32/libnvidia-ml.so.$GPU_VERSION is not root's alone (owner 65534, mode 0755; expected owner root and not writable by group or others); refused
melee-mounts: $i: gpu = nvidia: the host's driver cannot be bound; nothing mounted" \
		"up $i fails on a 32-bit library of another owner, naming it"
	nothing_in $i "nothing mounted in $i"
done
run mm up trixie
is "$rc" "0" "trixie (no 32-bit libc) does not get that library, and is not refused for it"
ok_cmd "down trixie" mm down trixie
done_testing
