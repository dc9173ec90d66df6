/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-cover-mount CMD [ARG...]: runs CMD with the account-daemon cover's
 * mount refused (EPERM) by a seccomp filter, so that a test drives a
 * failed cover in melee-mounts up for real (mounts-cover-fails.sh).  Only
 * fsmount(2) with exactly the cover's attributes is refused
 * (melee_mount_cover in common/melee-mounts.c): the binds of up go
 * through open_tree and mount_setattr, and no other fsmount of a
 * directory image's up asks for read-only, nosuid, nodev and noexec. */
#include "seccomp-run.h"

#include <linux/mount.h>

#ifndef __NR_fsmount
#define __NR_fsmount 432 /* the same on every architecture */
#endif
#define COVER_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

int main(int argc, char **argv)
{
	/* attr_flags (an unsigned int) exactly the cover's. */
	struct sock_filter f[] = {
		SECCOMP_RUN_PROLOGUE,
		SECCOMP_RUN_DENY_ARG(__NR_fsmount, 2, BPF_JEQ, COVER_ATTRS, EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return seccomp_run("deny-cover-mount", f, sizeof(f) / sizeof(f[0]), argc, argv);
}
