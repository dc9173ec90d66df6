/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared part of the tests' deny-* programs: a seccomp filter that
 * makes the kernel refuse one system call (or one use of it) for a
 * command and its children, so that a test drives a failure path for
 * real.  Each program writes only its filter's middle; the checks of the
 * architecture before it and the final ALLOW after it are here. */
#ifndef MELEE_TESTS_SECCOMP_RUN_H
#define MELEE_TESTS_SECCOMP_RUN_H

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
#error "seccomp-run.h: add this architecture's AUDIT_ARCH_"
#endif

/* A filter's first three statements: another architecture's calls pass
 * untouched; then the system call number is loaded for the middle. */
#define SECCOMP_RUN_PROLOGUE                                                          \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),      \
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),                 \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                         \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

/* A filter's middle that refuses system call NR with errno E when the
 * low 32 bits of its argument ARG match VALUE by JMP_OP (BPF_JEQ: equal;
 * BPF_JSET: any bit of VALUE set); any other call of NR, and every other
 * call, reaches the final ALLOW.  Both architectures above are
 * little-endian: the low 32 bits come first in the 64-bit argument. */
#define SECCOMP_RUN_DENY_ARG(nr, arg, jmp_op, value, e)                                     \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 3),                                      \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[arg])), \
		BPF_JUMP(BPF_JMP | (jmp_op) | BPF_K, (value), 0, 1),                          \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))

/* Installs the filter (which must end in SECCOMP_RET_ALLOW) and runs
 * argv[1...]; returns only on failure, with the exit status to use. */
static inline int seccomp_run(const char *name, struct sock_filter *f, size_t n, int argc,
			      char **argv)
{
	struct sock_fprog prog = { (unsigned short)n, f };

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG...]\n", name);
		return 2;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		fprintf(stderr, "%s: seccomp: %m\n", name);
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "%s: %s: %m\n", name, argv[1]);
	return 127;
}

#endif
