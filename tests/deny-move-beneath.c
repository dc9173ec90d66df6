/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-move-beneath CMD [ARG...]: runs CMD on a kernel that, for CMD and
 * its children, refuses move_mount(2) with MOVE_MOUNT_BENEATH as a kernel
 * before Linux 6.5 refuses the flag it does not know: EINVAL, from a
 * seccomp filter.  Every other move_mount passes.  The stale-bind repair's
 * fallback (tools/melee-mounts/mounts-stale.c, replace_without_beneath) is driven
 * through this on any kernel. */
#include "seccomp-run.h"

#ifndef __NR_move_mount
#define __NR_move_mount 429 /* the same on every architecture */
#endif
#define MOVE_MOUNT_BENEATH_FLAG 0x00000200

/* Both architectures seccomp-run.h knows are little-endian: the flags'
 * low 32 bits come first in the 64-bit argument. */
#define ARG4_LOW offsetof(struct seccomp_data, args[4])

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		SECCOMP_RUN_PROLOGUE,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_move_mount, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG4_LOW),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MOVE_MOUNT_BENEATH_FLAG, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return seccomp_run("deny-move-beneath", f, sizeof(f) / sizeof(f[0]), argc, argv);
}
