/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image remove's question: does any process use this image? */
#include "image-users.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The index in img[n] of the image the directory fd is or lies below (the
 * nearest, walking up with ".." to the top of its mount tree), n when
 * none.  Compared by device and inode, never by path: /proc/PID/root
 * reads as a path in the process's own mount namespace, so another
 * namespace's tree at the same path (a test's or a container's own
 * tmpfs) would otherwise count as this image. */
static size_t dir_within(int fd, const struct stat *img, size_t n)
{
	cleanup_fd int cur = -1;
	struct stat st, up;

	/* Deeper than any real tree: a bound on a walk we do not control. */
	for (int depth = 0; depth < 4096; depth++) {
		int at = cur >= 0 ? cur : fd, parent;

		if (fstat(at, &st) < 0)
			return n;
		for (size_t i = 0; i < n; i++)
			if (st.st_dev == img[i].st_dev && st.st_ino == img[i].st_ino)
				return i;
		parent = openat(at, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0)
			return n;
		/* The top of the process's tree: ".." is itself. */
		if (fstat(parent, &up) < 0 || (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			close(parent);
			return n;
		}
		if (cur >= 0)
			close(cur);
		cur = parent;
	}
	return n;
}

/* The root directory of process `pid` (a /proc entry name), O_PATH, or -1. */
static int proc_root(const char *pid)
{
	char link[300];

	snprintf(link, sizeof(link), "/proc/%s/root", pid);
	return open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int image_users_count(const char *const *paths, size_t n, size_t *counts)
{
	cleanup_free struct stat *img = calloc(n + 1, sizeof(*img));
	DIR *d;
	struct dirent *de;

	if (!img)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		counts[i] = 0;
		/* A missing image matches nothing (no inode 0). */
		if (stat(paths[i], &img[i]) < 0)
			img[i].st_ino = 0, img[i].st_dev = (dev_t)-1;
	}
	d = opendir("/proc");
	if (!d)
		return -errno;
	/* One pass over /proc for every image: down of 1000 images must not
	 * read it 1000 times. */
	while ((de = readdir(d))) {
		cleanup_fd int root = -1;
		size_t k;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		root = proc_root(de->d_name);
		if (root >= 0 && (k = dir_within(root, img, n)) < n)
			counts[k]++;
	}
	closedir(d);
	return 0;
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
		root = proc_root(de->d_name);
		if (root < 0)
			continue;
		if (dir_within(root, &img, 1) == 0) {
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
