/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image remove's question: does any process use this image? */
#include "image-users.h"
#include "melee-util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* True when the directory fd is `img` or lies below it: walks up with
 * ".." to the top of its mount tree.  Compared by device and inode, never
 * by path: /proc/PID/root reads as a path in the process's own mount
 * namespace, so another namespace's tree at the same path (a test's or a
 * container's own tmpfs) would otherwise count as this image. */
static bool dir_within(int fd, const struct stat *img)
{
	cleanup_fd int cur = -1;
	struct stat st, up;

	/* Deeper than any real tree: a bound on a walk we do not control. */
	for (int depth = 0; depth < 4096; depth++) {
		int at = cur >= 0 ? cur : fd, parent;

		if (fstat(at, &st) < 0)
			return false;
		if (st.st_dev == img->st_dev && st.st_ino == img->st_ino)
			return true;
		parent = openat(at, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0)
			return false;
		/* The top of the process's tree: ".." is itself. */
		if (fstat(parent, &up) < 0 || (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			close(parent);
			return false;
		}
		if (cur >= 0)
			close(cur);
		cur = parent;
	}
	return false;
}

/* A process whose root directory is the image (or below it) uses it. */
pid_t image_user(const char *path, char *comm, size_t len, size_t *count)
{
	DIR *d;
	struct dirent *de;
	struct stat img;
	pid_t found = 0;

	if (count)
		*count = 0;
	if (stat(path, &img) < 0 || !(d = opendir("/proc")))
		return 0;
	while ((count || !found) && (de = readdir(d))) {
		char link[300];
		cleanup_fd int root = -1;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "/proc/%s/root", de->d_name);
		root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			continue;
		if (dir_within(root, &img)) {
			cleanup_fclose FILE *f = NULL;

			if (count)
				(*count)++;
			if (found)
				continue;
			found = (pid_t)atoi(de->d_name);
			snprintf(link, sizeof(link), "/proc/%s/comm", de->d_name);
			comm[0] = '\0';
			if ((f = fopen(link, "re")) && fgets(comm, (int)len, f))
				comm[strcspn(comm, "\n")] = '\0';
		}
	}
	closedir(d);
	return found;
}
