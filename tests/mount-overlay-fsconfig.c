/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-overlay-fsconfig TARGET KEY=VALUE...: mounts an overlay on TARGET
 * through the new mount API (fsopen, one fsconfig per KEY=VALUE, fsmount,
 * move_mount), as util-linux 2.39's mount does: the only way to give an
 * overlay its layers one at a time (lowerdir+=, datadir+=), which the
 * mount table then shows one option per layer (image-remove-layers.sh). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

int main(int argc, char **argv)
{
	int fs, mnt;

	if (argc < 3) {
		fprintf(stderr, "usage: mount-overlay-fsconfig TARGET KEY=VALUE...\n");
		return 2;
	}
	fs = syscall(SYS_fsopen, "overlay", 0);
	if (fs < 0) {
		perror("fsopen overlay");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq)
			*eq = '\0';
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, argv[i], eq ? eq + 1 : NULL, 0) <
		    0) {
			fprintf(stderr, "fsconfig %s: %m\n", argv[i]);
			return 1;
		}
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		perror("fsconfig create");
		return 1;
	}
	mnt = syscall(SYS_fsmount, fs, 0, 0);
	if (mnt < 0 ||
	    syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[1], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		perror("fsmount/move_mount");
		return 1;
	}
	return 0;
}
