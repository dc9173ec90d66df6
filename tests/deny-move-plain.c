/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-move-plain CMD [ARG...]: runs CMD with move_mount(2) refused
 * (EPERM, from a seccomp filter) when its flags are exactly
 * MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH: a mount attached on
 * an fd.  The same call with MOVE_MOUNT_BENEATH passes, so that up's
 * replacement of a stale GPU tmpfs (tools/melee-mounts/mounts-gpu-bind.c,
 * gpu_replace) attaches the new tmpfs beneath the old one and then fails
 * to fill it (its file binds are refused): gpu-fill-fails.sh. */
#include "seccomp-run.h"

#include <linux/mount.h>

#ifndef __NR_move_mount
#define __NR_move_mount 429 /* the same on every architecture */
#endif

int main(int argc, char **argv)
{
	/* The flags (argument 4), compared whole. */
	struct sock_filter f[] = {
		SECCOMP_RUN_PROLOGUE,
		SECCOMP_RUN_DENY_ARG(__NR_move_mount, 4, BPF_JEQ,
				     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH, EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return seccomp_run("deny-move-plain", f, sizeof(f) / sizeof(f[0]), argc, argv);
}
