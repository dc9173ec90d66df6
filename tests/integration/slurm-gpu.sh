#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# srun --melee-image into a gpu = nvidia image: the SPANK plugin puts the
# driver that up bound (the stub driver of gpu-lib.sh) on the task's
# LD_LIBRARY_PATH and PATH and sets the EGL and Vulkan variables, and a
# program in the image dlopens libcuda.so.1 and libnvidia-ml.so.1 and
# calls them; a task in a gpu = none image, on the same node, gets none of
# it.  A real single-node Slurm (slurm-lib.sh), a trixie image.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/slurm-lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

images_setup
gpu_trixie
add_image plain "gpu = none"
run mm up trixie plain
like "$out" "^trixie: bound 5 GPU driver files under /run/melee/gpu \(driver $GPU_VERSION\)$" \
	"up trixie plain: the driver bound in trixie"
slurm_start
ok $? "munged, slurmctld and slurmd are up with melee.so in plugstack.conf"

probe="cuInit=0 cuDriverGetVersion=12040 nvmlInit_v2=0 nvmlSystemGetDriverVersion=$GPU_VERSION"
out=$(as_alice env -u LD_LIBRARY_PATH timeout 60 srun --melee-image=trixie gpu-probe 2>&1)
is "$out" "$probe" "srun --melee-image=trixie gpu-probe: found on PATH, dlopens libcuda.so.1 and libnvidia-ml.so.1 and calls them"

out=$(as_alice env LD_LIBRARY_PATH=/opt/job/lib timeout 60 srun --melee-image=trixie \
	sh -c 'echo "$LD_LIBRARY_PATH|$PATH|$__EGL_VENDOR_LIBRARY_DIRS|$VK_ICD_FILENAMES"; nvidia-smi' 2>&1)
is "$out" "/run/melee/gpu/lib:/opt/job/lib|/run/melee/gpu/bin:$T/slurm-bin:$PATH|/run/melee/gpu/egl_vendor.d|/run/melee/gpu/vulkan/icd.d/nvidia_icd.json
NVIDIA-SMI $GPU_VERSION (stub)" \
	"the task's LD_LIBRARY_PATH and PATH start with the driver's directories, the job's own after; EGL and Vulkan set; nvidia-smi runs"

# A job's LD_LIBRARY_PATH longer than 8 KiB (a module system's) is kept
# after the driver's, not taken for unset.
long=$(printf '/opt/job/lib%04d:' $(seq 1 700))/opt/job/last
out=$(as_alice env LD_LIBRARY_PATH="$long" timeout 60 srun --melee-image=trixie \
	sh -c 'echo "${#LD_LIBRARY_PATH} ${LD_LIBRARY_PATH%%:*} ${LD_LIBRARY_PATH##*:}"' 2>&1)
is "$out" "$(( ${#long} + 19 )) /run/melee/gpu/lib /opt/job/last" \
	"a job's LD_LIBRARY_PATH of ${#long} bytes: the driver's directory first, the job's whole value after"

out=$(as_alice timeout 60 srun -n 2 --melee-image=trixie gpu-probe 2>&1)
is "$out" "$probe
$probe" "every task of a 2-task step finds the driver"

# The submit environment is the same; only the image differs.
out=$(as_alice env LD_LIBRARY_PATH=/opt/job/lib timeout 60 srun --melee-image=plain env 2>&1)
like "$out" "^MELEE_IMAGE=plain$" "srun --melee-image=plain env: the task ran in plain"
like "$out" "^LD_LIBRARY_PATH=/opt/job/lib$" "plain (gpu = none): LD_LIBRARY_PATH is the job's own, without /run/melee/gpu"
unlike "$out" "^PATH=.*/run/melee/gpu" "plain: no /run/melee/gpu on PATH"
unlike "$out" "^(__EGL_VENDOR_LIBRARY_DIRS|VK_ICD_FILENAMES|GBM_BACKENDS_PATH|__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS)=" \
	"plain: no EGL, Vulkan or GBM variables"
out=$(as_alice timeout 60 srun --melee-image=plain sh -c 'ls -A /run/melee/gpu 2>/dev/null | wc -l' 2>&1)
is "$out" "0" "plain: nothing in its /run/melee/gpu"

wait_for 60 node_idle
is "$(node_state)" "idle" "the node is idle afterwards"
done_testing
