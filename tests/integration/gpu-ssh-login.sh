#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ssh alice+trixie into a gpu = nvidia image (a real sshd, pam_melee in
# its session stack): a command and a login shell (which reads the
# image's /etc/profile) find the driver that up bound, the stub of
# gpu-lib.sh, on LD_LIBRARY_PATH, and a program dlopens libcuda.so.1 and
# libnvidia-ml.so.1 and calls them.  The GPU's bin is on PATH for a
# command; a login shell's /etc/profile (Debian's) sets PATH anew, and
# the image's /etc/profile.d line that melee.conf(5) shows puts it back.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"
. "$top_srcdir/tests/integration/gpu-lib.sh"

setup_accounts
setup_home
setup_nss
write_config
gpu_trixie
add_image plain "gpu = none"
pam_setup trixie plain
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@"; }

probe="cuInit=0 cuDriverGetVersion=12040 nvmlInit_v2=0 nvmlSystemGetDriverVersion=$GPU_VERSION"
run key alice+trixie@127.0.0.1 'echo "$LD_LIBRARY_PATH"; echo "$PATH"; gpu-probe; nvidia-smi' < /dev/null
is "$out" "/run/melee/gpu/lib
/run/melee/gpu/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
$probe
NVIDIA-SMI $GPU_VERSION (stub)" \
	"ssh alice+trixie CMD: the driver's lib, its bin before login.defs' PATH; the probe calls the driver; nvidia-smi runs"

# No command: sshd starts alice's shell as a login shell ("-sh"), which
# reads the image's /etc/profile (Debian's sets PATH anew).
login_shell() {
	key alice+trixie@127.0.0.1 <<-'IN'
	echo "login:$0"
	echo "$LD_LIBRARY_PATH"
	echo "$PATH"
	gpu-probe
	/run/melee/gpu/bin/nvidia-smi
	IN
}
run login_shell
is "$out" "login:-sh
/run/melee/gpu/lib
/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
$probe
NVIDIA-SMI $GPU_VERSION (stub)" \
	"ssh alice+trixie, a login shell: LD_LIBRARY_PATH kept, the probe calls the driver; /etc/profile's PATH alone"
# The line melee.conf(5) suggests for the image (GPU section).
echo 'case ":$PATH:" in *:/run/melee/gpu/bin:*) ;; *) [ -d /run/melee/gpu/bin ] && PATH=/run/melee/gpu/bin:$PATH ;; esac' \
	> "$IMAGES/trixie/etc/profile.d/melee-gpu.sh"
run login_shell
like "$out" "^/run/melee/gpu/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games$" \
	"with the image's /etc/profile.d/melee-gpu.sh the login shell's PATH has the GPU's bin first"

run key alice+plain@127.0.0.1 'echo "[$LD_LIBRARY_PATH][$__EGL_VENDOR_LIBRARY_DIRS][$VK_ICD_FILENAMES]"; echo "$PATH"' < /dev/null
is "$out" "[][][]
/usr/local/bin:/usr/bin:/bin:/usr/games" "ssh alice+plain (gpu = none): no driver variables, sshd's PATH alone"
done_testing
