/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-personality CMD [ARG...]: runs CMD with personality(2) refused
 * (EPERM) by a seccomp filter, so that a test can make the step after
 * melee_enter_image()'s chroot fail for real.  The kernel itself never
 * refuses PER_LINUX32, so this is the only way to drive that path. */
#include "seccomp-run.h"

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		SECCOMP_RUN_PROLOGUE,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return seccomp_run("deny-personality", f, sizeof(f) / sizeof(f[0]), argc, argv);
}
