/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the libFuzzer targets: the input as an fd or as C
 * strings.  A target aborts on a failure of its own setup (never on the
 * parser's answer), so that libFuzzer reports it instead of a quiet 0. */
#ifndef MELEE_FUZZ_UTIL_H
#define MELEE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_die(const char *what)
{
	perror(what);
	abort();
}

/* The bytes as a regular file, read from offset 0: what the fd-based
 * parsers get from open().  The caller closes it. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("melee-fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		fuzz_die("memfd_create");
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			fuzz_die("write memfd");
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		fuzz_die("lseek memfd");
	return fd;
}

/* The bytes as one C string (a NUL inside cuts it, as it would any C
 * caller); malloc'd. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		fuzz_die("malloc");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits the input at NUL bytes into up to n C strings (missing parts
 * are empty): the way a target feeds several files from one input.
 * parts[i] point into one malloc'd block returned for free(). */
static inline char *fuzz_split(const uint8_t *data, size_t size, const char **parts, size_t n)
{
	char *s = fuzz_strndup(data, size), *p = s, *end = s + size;

	for (size_t i = 0; i < n; i++) {
		parts[i] = p;
		if (p < end)
			p += strlen(p) + 1;
		if (p > end)
			p = end;
	}
	return s;
}

#endif
