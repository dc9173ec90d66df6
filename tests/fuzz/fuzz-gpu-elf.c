/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the ELF reader of gpu = nvidia (gpu-elf.c), which
 * root runs at up on the host's driver libraries and on each image's own
 * libc.so.6, a file an image's maker shaped (review 32): the glibc
 * versions it needs and defines, ELF64 of this machine or ELF32 of its
 * 32-bit ABI, and the release banner.  An answer may be anything; it may
 * never read outside the file, loop, crash or leak. */
#include "gpu-elf.h"
#include "melee-util.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MELEE_ERRLEN];
	enum gpu_abi abi;
	unsigned v;
	int fd = fuzz_memfd(data, size);

	(void)gpu_elf_glibc(fd, "fuzz", 1, &abi, &v, err, sizeof(err));
	(void)gpu_elf_glibc(fd, "fuzz", 0, &abi, &v, err, sizeof(err));
	(void)gpu_libc_release(fd);
	close(fd);
	return 0;
}
