#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A driver library that needs a newer glibc than the image has (a stub
# calling arc4random@GLIBC_2.36; bullseye has 2.31) refuses the up of
# that image, naming the library, both versions and which release would
# do, with nothing mounted; trixie (2.41) takes the same driver.  A gpu
# value other than none or nvidia is refused with FILE:LINE.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

images_setup
ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache" gpu_host_driver
gpu_stub libnvidia-gpucomp libnvidia-gpucomp.so.$GPU_VERSION stub-gpucomp.c && ldconfig
ok $? "libnvidia-gpucomp, built against arc4random@GLIBC_2.36, registered too"
image_ready bullseye bullseye
image_ready trixie trixie
for i in bullseye trixie; do
	printf 'gpu = nvidia\nfstab = %s\n' "$T/etc/fstab" >> "$T/etc/images.d/$i.conf"
done

run mm up bullseye
ok $((rc == 0)) "up bullseye fails (exit $rc)"
like "$out" "^melee-mounts: bullseye: gpu = nvidia refused: the host's $GPU_LIB/libnvidia-gpucomp.so.$GPU_VERSION needs glibc 2.36, the image has 2.31; an image of Debian 12 bookworm \(2.36\), Ubuntu 24.04 \(2.39\), EL10 \(2.39\) or later would do$" \
	"the reason names the library, the glibc it needs, the image's, and which releases would do"
like "$out" "^melee-mounts: bullseye: gpu = nvidia: the host's driver cannot be bound; nothing mounted$" "and says nothing was mounted"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/bullseye")" "0" "nothing is mounted in bullseye"
run mm up trixie
is "$rc" "0" "up trixie (glibc 2.41) succeeds with the same driver"
like "$out" "^trixie: bound 6 GPU driver files" "trixie gets all 6 files, libnvidia-gpucomp included"
ok_cmd "down trixie" mm down trixie

sed -i 's/^gpu = nvidia$/gpu = amd/' "$T/etc/images.d/trixie.conf"
line=$(grep -n '^gpu = amd$' "$T/etc/images.d/trixie.conf" | cut -d: -f1)
run mm up trixie
is "$rc:$out" "2:melee-mounts: $T/etc/images.d/trixie.conf:$line: gpu must be none or nvidia, got 'amd'" \
	"gpu = amd is refused with FILE:LINE and what is expected"
sed -i 's/^gpu = amd$/gpu = nvidia/' "$T/etc/images.d/trixie.conf"
write_config "gpu-libraries = libfoo*, /usr/lib/libbar.so"
run mm up trixie
is "$rc:$out" "2:melee-mounts: $T/etc/melee.conf:3: gpu-libraries: invalid soname pattern '/usr/lib/libbar.so' (expected lib followed by [A-Za-z0-9._+-*?], such as libnvidia-foo*)" \
	"a path in gpu-libraries is refused with FILE:LINE"
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/")" "0" "nothing mounted by the refused runs"
done_testing
