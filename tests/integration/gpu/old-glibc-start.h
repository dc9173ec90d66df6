/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For programs built on a new host to run in images down to glibc
 * 2.2.5's symbols (bullseye, EL7, ...): dlopen, dlsym and dlerror at
 * their oldest versions, and our own _start, since the toolchain's calls
 * __libc_start_main@GLIBC_2.34.  x86_64, and i386 (gcc -m32); build
 * with -nostartfiles -ldl.
 * Used by tests/integration/gpu/gpu-probe.c and bench/gpu-devquery.c. */
#ifndef OLD_GLIBC_START_H
#define OLD_GLIBC_START_H

#include <dlfcn.h>

#if defined(__i386__)
/* i386 (build with -m32 -fno-pie -no-pie): the same at i386's oldest
 * versions, and glibc's i386 _start. */
__asm__(".symver dlopen,dlopen@GLIBC_2.1");
__asm__(".symver dlsym,dlsym@GLIBC_2.0");
__asm__(".symver dlerror,dlerror@GLIBC_2.0");
__asm__(".symver dlinfo,dlinfo@GLIBC_2.3.3");
__asm__(".symver __libc_start_main_old,__libc_start_main@GLIBC_2.0");
int __libc_start_main_old(int (*)(int, char **, char **), int, char **, void (*)(void),
			  void (*)(void), void (*)(void), void *);
int main(int argc, char **argv, char **envp);
__asm__(".text\n.globl _start\n_start:\n"
	"xor %ebp,%ebp\npop %esi\nmov %esp,%ecx\nand $-16,%esp\n"
	"push %eax\npush %esp\npush %edx\npush $0\npush $0\npush %ecx\npush %esi\n"
	"push $main\ncall __libc_start_main_old\nhlt\n");
#else
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver dlinfo,dlinfo@GLIBC_2.3.3");
__asm__(".symver __libc_start_main_old,__libc_start_main@GLIBC_2.2.5");
int __libc_start_main_old(int (*)(int, char **, char **), int, char **, void (*)(void),
			  void (*)(void), void (*)(void), void *);
int main(int argc, char **argv, char **envp);
__asm__(".text\n.globl _start\n_start:\n"
	"xor %ebp,%ebp\nmov %rdx,%r9\npop %rsi\nmov %rsp,%rdx\nand $-16,%rsp\n"
	"push %rax\npush %rsp\nxor %r8d,%r8d\nxor %ecx,%ecx\nlea main(%rip),%rdi\n"
	"call __libc_start_main_old@PLT\nhlt\n");
#endif

#endif
