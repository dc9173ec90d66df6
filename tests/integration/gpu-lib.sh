# SPDX-License-Identifier: LGPL-2.1-or-later
# A host NVIDIA driver without a GPU, for the gpu = nvidia tests: stub
# libraries with the driver's sonames (tests/integration/gpu/*.c) in a
# directory of the test's own, registered in this namespace's ld.so cache
# (/etc is the test's overlay), the driver's JSON files in /etc, and
# nvidia-smi on a tmpfs over /usr/local/bin.  Source after tests/lib.sh.

GPU_SRC=$top_srcdir/tests/integration/gpu
GPU_VERSION=555.42.02
GPU_LIB=$T/gpu-driver/lib
GPU_PROBE=$T/gpu-driver/gpu-probe
GPU_LIB32=$T/gpu-driver/lib32
GPU_PROBE32=$T/gpu-driver/gpu-probe32

# gpu_stub NAME SONAME SOURCE: $GPU_LIB/NAME.so.$GPU_VERSION with that soname
# (libnvidia-ml's stub answers $GPU_VERSION).
gpu_stub() {
	gcc -shared -fPIC -O1 -DSTUB_VERSION="\"$GPU_VERSION\"" -o "$GPU_LIB/$1.so.$GPU_VERSION" \
		-Wl,-soname,"$2" "$GPU_SRC/$3"
}

# gpu_stub32 NAME SONAME SOURCE: the same, 32-bit (gcc -m32: gcc-multilib),
# in $GPU_LIB32, as Debian's libnvidia-*:i386 sit beside the 64-bit ones;
# linked to libc.so.6 as the driver's are (ldconfig's libc6 flag).
gpu_stub32() {
	gcc -m32 -shared -fPIC -O1 -DSTUB_VERSION="\"$GPU_VERSION\"" -o "$GPU_LIB32/$1.so.$GPU_VERSION" \
		-Wl,-soname,"$2" -Wl,--no-as-needed "$GPU_SRC/$3" -lc
}

# gpu_driver_update VERSION: the host's driver replaced as a package
# update does it: the new libraries installed, the old ones removed,
# ldconfig (the soname links and the cache anew), nvidia-smi renamed over.
gpu_driver_update() {
	local old=$GPU_VERSION
	GPU_VERSION=$1
	gpu_stub libcuda libcuda.so.1 stub-cuda.c &&
		gpu_stub libnvidia-ml libnvidia-ml.so.1 stub-nvml.c &&
		rm -f "$GPU_LIB/libcuda.so.$old" "$GPU_LIB/libnvidia-ml.so.$old" && ldconfig || return 1
	printf '#!/bin/sh\necho "NVIDIA-SMI %s (stub)"\n' "$GPU_VERSION" > /usr/local/bin/nvidia-smi.new &&
		chmod 755 /usr/local/bin/nvidia-smi.new && mv /usr/local/bin/nvidia-smi.new /usr/local/bin/nvidia-smi
}

# gpu_host_driver: libcuda.so.1 and libnvidia-ml.so.1 in the cache, the
# EGL vendor and Vulkan ICD files, nvidia-smi; and the probe, a program
# that dlopens both libraries and calls into them, built to run against
# every glibc from 2.2.5's symbols on (its own _start: the toolchain's
# asks for __libc_start_main@GLIBC_2.34; libdl.so.2 named for old
# images, where dlopen lives there).
gpu_host_driver() {
	[ -n "${MELEE_PRIVATE_ETC:-}" ] || { echo "Bail out! /etc is not the test's own overlay"; exit 1; }
	(umask 022 && mkdir -p "$GPU_LIB") || return 1
	gpu_stub libcuda libcuda.so.1 stub-cuda.c &&
		gpu_stub libnvidia-ml libnvidia-ml.so.1 stub-nvml.c || return 1
	echo "$GPU_LIB" > /etc/ld.so.conf.d/zz-melee-test-gpu.conf
	ldconfig || return 1
	mkdir -p /etc/glvnd/egl_vendor.d /etc/vulkan/icd.d
	echo '{"file_format_version":"1.0.0","ICD":{"library_path":"libEGL_nvidia.so.0"}}' \
		> /etc/glvnd/egl_vendor.d/10_nvidia.json
	echo '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}' \
		> /etc/vulkan/icd.d/nvidia_icd.json
	mount -t tmpfs -o mode=755 melee-test-usr-local-bin /usr/local/bin
	printf '#!/bin/sh\necho "NVIDIA-SMI %s (stub)"\n' "$GPU_VERSION" > /usr/local/bin/nvidia-smi
	chmod 755 /usr/local/bin/nvidia-smi
	gcc -O1 -fno-stack-protector -nostartfiles -o "$GPU_PROBE" "$GPU_SRC/gpu-probe.c" \
		-Wl,--no-as-needed "$(ls /lib/x86_64-linux-gnu/libdl.so.2 /usr/lib/x86_64-linux-gnu/libdl.so.2 2>/dev/null | head -1)"
}

# gpu_host_driver32: the driver's 32-bit libcuda.so.1 and libnvidia-ml.so.1
# in the cache beside the 64-bit ones (ldconfig lists them with the i386
# flags, "(libc6)" in ldconfig -p), and a 32-bit probe (gcc -m32, its own
# _start: it runs against every i386 glibc from 2.0's symbols on).
gpu_host_driver32() {
	(umask 022 && mkdir -p "$GPU_LIB32") || return 1
	gpu_stub32 libcuda libcuda.so.1 stub-cuda.c &&
		gpu_stub32 libnvidia-ml libnvidia-ml.so.1 stub-nvml.c || return 1
	echo "$GPU_LIB32" > /etc/ld.so.conf.d/zz-melee-test-gpu32.conf
	ldconfig || return 1
	gcc -m32 -O1 -fno-stack-protector -fno-pie -no-pie -nostartfiles -o "$GPU_PROBE32" \
		"$GPU_SRC/gpu-probe.c" -Wl,--no-as-needed "$(ls /lib32/libdl.so.2 /usr/lib32/libdl.so.2 2>/dev/null | head -1)"
}

# gpu_private_dev: a /dev for the images with /dev/nvidia0 (195:0),
# nvidiactl (195:255) and nvidia-caps, instead of the host's (which has
# no GPU): the images' fstab binds $T/dev at /dev.
gpu_private_dev() {
	mkdir -p "$T/dev/nvidia-caps" "$T/dev/pts"
	mknod -m 666 "$T/dev/null" c 1 3 && mknod -m 666 "$T/dev/zero" c 1 5 &&
		mknod -m 666 "$T/dev/urandom" c 1 9 && mknod -m 666 "$T/dev/tty" c 5 0 &&
		mknod -m 666 "$T/dev/nvidia0" c 195 0 && mknod -m 666 "$T/dev/nvidiactl" c 195 255 || return 1
	sed -i "s|^/dev  *\(/dev .*\)|$T/dev \1|" "$T/etc/fstab"
}

# gpu_trixie: the stub driver registered on the host (one test), the
# cached trixie image (one test) with gpu = nvidia and the probe in it.
gpu_trixie() {
	ok_cmd "the stub driver $GPU_VERSION built and registered in the ld.so cache" gpu_host_driver
	image_ready trixie trixie
	printf 'gpu = nvidia\nfstab = %s\n' "$T/etc/fstab" >> "$T/etc/images.d/trixie.conf"
	install -m 755 "$GPU_PROBE" "$IMAGES/trixie/usr/local/bin/gpu-probe"
}
