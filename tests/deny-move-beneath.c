/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-move-beneath CMD [ARG...]: runs CMD on a kernel that, for CMD and
 * its children, refuses move_mount(2) with MOVE_MOUNT_BENEATH as a kernel
 * before Linux 6.5 refuses the flag it does not know: EINVAL, from a
 * seccomp filter.  Every other move_mount passes.  The stale-bind repair's
 * fallback (tools/melee-mounts/mounts-stale.c, replace_without_beneath) is driven
 * through this on any kernel.  With --errno=EPERM first the flag is
 * refused with EPERM instead: a replacement that fails outright
 * (mounts-rollback-exact.sh). */
#include "seccomp-run.h"

#include <stdbool.h>
#include <string.h>

#ifndef __NR_move_mount
#define __NR_move_mount 429 /* the same on every architecture */
#endif
#define MOVE_MOUNT_BENEATH_FLAG 0x00000200

int main(int argc, char **argv)
{
	bool eperm = argc > 1 && strcmp(argv[1], "--errno=EPERM") == 0;
	/* The flags (argument 4): MOVE_MOUNT_BENEATH among them. */
	struct sock_filter f[] = {
		SECCOMP_RUN_PROLOGUE,
		SECCOMP_RUN_DENY_ARG(__NR_move_mount, 4, BPF_JSET, MOVE_MOUNT_BENEATH_FLAG,
				     eperm ? EPERM : EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return seccomp_run("deny-move-beneath", f, sizeof(f) / sizeof(f[0]), argc - eperm,
			   argv + eperm);
}
