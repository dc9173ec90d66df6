#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gpu = nvidia without a GPU: the host's driver is two stub libraries
# with the real sonames in this namespace's ld.so cache, its JSON files
# and nvidia-smi; /dev/nvidia0 (195:0) is in a private /dev.  In a
# bullseye and a trixie image a program dlopens libcuda.so.1 and
# libnvidia-ml.so.1 and calls into them, through melee and through
# pam_melee's environment; an image with gpu = none sees none of it.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"
need_built "$HARNESS"

images_setup
ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache" gpu_host_driver
ok_cmd "a private /dev with nvidia0 (195:0) for the images" gpu_private_dev
# NVIDIA EGL's Wayland platform, and another vendor's that is not bound.
mkdir -p /etc/egl/egl_external_platform.d
echo '{"file_format_version":"1.0.0","ICD":{"library_path":"libnvidia-egl-wayland.so.1"}}' \
	> /etc/egl/egl_external_platform.d/10_nvidia_wayland.json
echo '{"file_format_version":"1.0.0","ICD":{"library_path":"libother-egl.so.1"}}' \
	> /etc/egl/egl_external_platform.d/20_other.json
image_ready bullseye bullseye
image_ready trixie trixie
for i in bullseye trixie; do
	printf 'gpu = nvidia\nfstab = %s\n' "$T/etc/fstab" >> "$T/etc/images.d/$i.conf"
	install -m 755 "$GPU_PROBE" "$IMAGES/$i/usr/local/bin/gpu-probe"
done
add_image plain "gpu = none"
ok_cmd "configuration with gpu = nvidia and gpu = none passes check" mm check plain

run mm up bullseye trixie plain
is "$rc" "0" "up bullseye trixie plain"
like "$out" "^bullseye: bound 6 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" \
	"up binds the driver's 6 files in bullseye (2 libraries, 3 JSON files, nvidia-smi)"
like "$out" "^trixie: bound 6 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" "and in trixie"
unlike "$out" "^plain: .*GPU" "nothing of the GPU for plain (gpu = none)"
run mm up bullseye trixie plain
like "$out" "^bullseye: already up, nothing mounted" "up again mounts nothing new in bullseye"

G=$IMAGES/bullseye/run/melee/gpu
is "$(readlink "$G/lib/libcuda.so.1")" "libcuda.so.$GPU_VERSION" "libcuda.so.1 is a link to the file, as ldconfig makes it"
opts=$(findmnt -rn -o OPTIONS --mountpoint "$G/lib/libcuda.so.$GPU_VERSION")
like "$opts" "^ro,nosuid,nodev," "the library is bound read-only, nosuid, nodev ($opts)"
like "$(findmnt -rn -o FSTYPE,OPTIONS --mountpoint "$G")" "^tmpfs ro,nosuid,nodev" "on a read-only tmpfs of its own"
is "$(stat -c %U:%a "$G")" "root:755" "the GPU directory is root's, 755"
is "$(findmnt -rn --mountpoint /run/melee/gpu | wc -l)" "0" "the host's /run/melee/gpu has nothing mounted"

install_melee
cd /home/alice
probe="cuInit=0 cuDriverGetVersion=12040 nvmlInit_v2=0 nvmlSystemGetDriverVersion=$GPU_VERSION"
for i in bullseye trixie; do
	run as alice "$T/bin/melee" "$i" /usr/local/bin/gpu-probe
	is "$rc:$out" "0:$probe" "$i (melee, as alice): the program dlopens libcuda.so.1 and libnvidia-ml.so.1 and calls them"
done
run as alice "$T/bin/melee" bullseye /bin/sh -c 'echo "$LD_LIBRARY_PATH|$VK_ICD_FILENAMES|$__EGL_VENDOR_LIBRARY_DIRS|$__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS"; ls /run/melee/gpu/egl_external_platform.d; nvidia-smi'
is "$out" "/run/melee/gpu/lib|/run/melee/gpu/vulkan/icd.d/nvidia_icd.json|/run/melee/gpu/egl_vendor.d|/run/melee/gpu/egl_external_platform.d
10_nvidia_wayland.json
NVIDIA-SMI $GPU_VERSION (stub)" "melee sets LD_LIBRARY_PATH, VK_ICD_FILENAMES, __EGL_VENDOR_LIBRARY_DIRS, __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS (NVIDIA's Wayland platform alone); nvidia-smi is on PATH"
run as alice env LD_LIBRARY_PATH=/opt/x "$T/bin/melee" trixie /bin/sh -c 'echo "$LD_LIBRARY_PATH"'
is "$out" "/run/melee/gpu/lib:/opt/x" "the GPU's library directory comes before the caller's LD_LIBRARY_PATH"
is "$(as alice "$T/bin/melee" trixie stat -c '%F %t:%T' /dev/nvidia0)" "character special file c3:0" \
	"/dev/nvidia0 (195:0) comes with the /dev bind"
run as alice "$T/bin/melee" plain /bin/sh -c 'echo "[$LD_LIBRARY_PATH][$VK_ICD_FILENAMES][$__EGL_VENDOR_LIBRARY_DIRS][$__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS]"; ls -A /run/melee/gpu 2>/dev/null | wc -l'
is "$out" "[][][][]
0" "plain (gpu = none): no GPU variables and nothing in /run/melee/gpu"

pam_service melee-test "account required pam_permit.so
session required pam_permit.so
session required $PAM_MELEE"
# (pam-harness tells the image's name on stderr, as "info: ...".)
out=$("$HARNESS" -E MELEE_IMAGE=trixie "$T/pam.d" melee-test alice -- /bin/sh -c 'echo "$LD_LIBRARY_PATH"; /usr/local/bin/gpu-probe' 2>/dev/null)
is "$out" "/run/melee/gpu/lib
$probe" "pam_melee (trixie): the session's environment finds the driver; the program calls it"
out=$("$HARNESS" -E MELEE_IMAGE=bullseye "$T/pam.d" melee-test alice -- /bin/sh -c 'echo "$PATH"; nvidia-smi' 2>/dev/null)
is "$out" "/run/melee/gpu/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
NVIDIA-SMI $GPU_VERSION (stub)" "pam_melee (bullseye), no PATH in the PAM environment: the GPU's bin, then login.defs' user PATH"
out=$("$HARNESS" -E MELEE_IMAGE=plain "$T/pam.d" melee-test alice -- /bin/sh -c 'echo "[$LD_LIBRARY_PATH]"' 2>/dev/null)
is "$out" "[]" "pam_melee (plain, gpu = none): no LD_LIBRARY_PATH"

run mm status bullseye plain
like "$out" "^bullseye .* gpu: 6 files bound, driver $GPU_VERSION" "status: bullseye's GPU files and the driver version"
unlike "$out" "^plain .*gpu:" "status says nothing of a GPU for plain"
run mm status --json trixie
like "$out" '"gpu":\{"files":6,"driver":"555.42.02"\}' "status --json: the GPU files and driver"
run mm check trixie
like "$out" "^trixie: gpu = nvidia: devices the /dev bind shows:.* /dev/nvidia0" "check names /dev/nvidia0"
like "$out" "^trixie: gpu = nvidia: devices the /dev bind shows:.* /dev/nvidia-caps" "and /dev/nvidia-caps"

cd /
ok_cmd "down bullseye trixie plain" mm down bullseye trixie plain
is "$(findmnt -rn -o TARGET | grep -c "^$IMAGES/")" "0" "nothing left mounted in the images"
done_testing
