/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What up reads to bind the host's GPU driver (mounts-gpu.c): the ld.so
 * cache's soname -> path entries, and the GLIBC_2.xx symbol versions an
 * ELF file needs or (libc.so.6) defines.  Every read is bounded by the
 * file's size and fixed caps; the fds come from melee_open_regular or
 * image_open_regular. */
#ifndef MELEE_GPU_ELF_H
#define MELEE_GPU_ELF_H

#include <stddef.h>

/* The ABIs up binds a driver for: the machine's own, and on x86_64 its
 * 32-bit one (i386: Wine, Steam, old 32-bit codes; whole i386 images).
 * GPU_ABI_NONE: a file that is not a library (a JSON file). */
enum gpu_abi { GPU_ABI_NATIVE, GPU_ABI_32, GPU_ABI_N, GPU_ABI_NONE = GPU_ABI_N };

/* "64-bit (x86_64)", "32-bit (i386)": what messages call an ABI. */
const char *gpu_abi_name(enum gpu_abi abi);

struct gpu_cache_entry {
	char *soname; /* the cache's key: libcuda.so.1 */
	char *path;   /* where it is: /usr/lib/x86_64-linux-gnu/libcuda.so.1 */
	enum gpu_abi abi;
};

/* The entries of an ld.so cache ("glibc-ld.so.cache1.1", alone or after
 * the old "ld.so-1.7.0" part) for this machine's own ABI and its 32-bit
 * one, each with its ABI (x32 and other foreign entries are left out).
 * fd: the opened cache. */
int gpu_ldcache_read(int fd, const char *shown, struct gpu_cache_entry **out, size_t *n, char *err,
		     size_t errlen);
void gpu_ldcache_free(struct gpu_cache_entry *e, size_t n);

/* A glibc version as a number: 2.31 -> 20310, 2.2.5 -> 20205. */
unsigned gpu_glibc_parse(const char *s);
/* "2.31" into buf. */
const char *gpu_glibc_str(unsigned v, char *buf, size_t len);

/* The highest GLIBC_2.xx the ELF file `fd` needs (.gnu.version_r), 0 if
 * none; with `defined`, the highest it defines (.gnu.version_d: what a
 * libc.so.6 provides); *abi: which of the ABIs above the file is for
 * (ELF64 of this machine, or ELF32 EM_386 on x86_64).  -EINVAL with a
 * message when it is neither or is malformed. */
int gpu_elf_glibc(int fd, const char *shown, int defined, enum gpu_abi *abi, unsigned *version,
		  char *err, size_t errlen);

/* The release a libc.so.6 names in its banner ("release version
 * 2.31"), 0 if none: what messages call the image's glibc. */
unsigned gpu_libc_release(int fd);

/* The oldest release of Debian, Ubuntu and EL whose glibc is at least v:
 * "Debian 12 bookworm (2.36), Ubuntu 24.04 (2.39), EL10 (2.39)". */
const char *gpu_glibc_releases(unsigned v, char *buf, size_t len);

#endif
