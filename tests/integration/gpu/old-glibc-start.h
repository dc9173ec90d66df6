/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For programs built on a new host to run in images down to glibc
 * 2.2.5's symbols (bullseye, EL7, ...): dlopen, dlsym and dlerror at
 * their oldest versions, and our own _start, since the toolchain's calls
 * __libc_start_main@GLIBC_2.34.  x86_64; build with -nostartfiles -ldl.
 * Used by tests/integration/gpu/gpu-probe.c and bench/gpu-devquery.c. */
#ifndef OLD_GLIBC_START_H
#define OLD_GLIBC_START_H

#include <dlfcn.h>

__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver __libc_start_main_old,__libc_start_main@GLIBC_2.2.5");
int __libc_start_main_old(int (*)(int, char **, char **), int, char **, void (*)(void),
			  void (*)(void), void (*)(void), void *);
int main(int argc, char **argv, char **envp);
__asm__(".text\n.globl _start\n_start:\n"
	"xor %ebp,%ebp\nmov %rdx,%r9\npop %rsi\nmov %rsp,%rdx\nand $-16,%rsp\n"
	"push %rax\npush %rsp\nxor %r8d,%r8d\nxor %ecx,%ecx\nlea main(%rip),%rdi\n"
	"call __libc_start_main_old@PLT\nhlt\n");

#endif
