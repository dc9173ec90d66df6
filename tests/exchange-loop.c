/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attacker of tests/integration/image-remove-layers.sh (10): swaps
 * two names A and B (a directory of hers and a symlink of hers) with
 * renameat2(RENAME_EXCHANGE) as fast as it can, for SECONDS seconds, so
 * that a look at a path through A meets one or the other.  One rename:
 * neither name is ever missing.
 *
 * Prints "swapping" once the first exchange is made.
 * Usage: exchange-loop A B SECONDS
 * Exit: 0 when the time is up, 2 a usage or system error. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec now, end;
	unsigned long n = 0;

	if (argc != 4 || atoi(argv[3]) <= 0) {
		fprintf(stderr, "usage: exchange-loop A B SECONDS\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[3]);
	for (;;) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			fprintf(stderr, "exchange-loop: %s and %s: %s\n", argv[1], argv[2],
				strerror(errno));
			return 2;
		}
		if (n++ == 0) {
			printf("swapping\n");
			fflush(stdout);
		}
		if (n % 1024 != 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
	}
	return 0;
}
