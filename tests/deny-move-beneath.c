/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-move-beneath CMD [ARG...]: runs CMD on a kernel that, for CMD and
 * its children, refuses move_mount(2) with MOVE_MOUNT_BENEATH as a kernel
 * before Linux 6.5 refuses the flag it does not know: EINVAL, from a
 * seccomp filter.  Every other move_mount passes.  The stale-bind repair's
 * fallback (common/melee-mounts.c, melee_bind_beneath) is driven through
 * this on any kernel. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "deny-move-beneath: add this architecture's AUDIT_ARCH_"
#endif

#ifndef __NR_move_mount
#define __NR_move_mount 429 /* the same on every architecture */
#endif
#define MOVE_MOUNT_BENEATH_FLAG 0x00000200

/* Both architectures above are little-endian: the flags' low 32 bits
 * come first in the 64-bit argument. */
#define ARG4_LOW offsetof(struct seccomp_data, args[4])

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_move_mount, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG4_LOW),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MOVE_MOUNT_BENEATH_FLAG, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 2) {
		fprintf(stderr, "usage: deny-move-beneath CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("deny-move-beneath: seccomp");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
