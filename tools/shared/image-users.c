/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image remove's question: does any process use this image? */
#include "image-users.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The device and inode of fd (path NULL) or path, from the attributes
 * the kernel has (AT_STATX_DONT_SYNC): a process's root may be a user's
 * FUSE mount (her chroot in a user namespace of hers), and a look that
 * asked her daemon, stopped, would hold remove or down, with the lock,
 * for good.  Identity is all these compare, and it never goes stale. */
static int look(int fd, const char *path, struct stat *st)
{
	struct statx sx;

	if (statx(path ? AT_FDCWD : fd, path ? path : "",
		  (path ? 0 : AT_EMPTY_PATH) | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC, STATX_INO,
		  &sx) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->st_ino = sx.stx_ino;
	return 0;
}

/* The type of the mount of id `id` in the table `table` (read, never
 * asked of the file system): 1 FUSE, 0 another, -1 not in it. */
static int fuse_in(const char *table, uint64_t id)
{
	cleanup_fclose FILE *f = fopen(table, "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		const char *sep = strstr(line, " - ");

		if (sep && strtoull(line, NULL, 10) == id)
			return strncmp(sep + 3, "fuse", 4) == 0;
	}
	return -1;
}

/* Whether the mount of id `id` is a FUSE mount: by this namespace's
 * table, else by that of the process `pid` whose root is being walked
 * up from (another namespace's mounts: a container's, hers made with
 * unshare -m); one in neither counts as FUSE. */
static bool mount_is_fuse(uint64_t id, const char *pid)
{
	char table[64];
	int r = fuse_in("/proc/self/mountinfo", id);

	if (r < 0) {
		snprintf(table, sizeof(table), "/proc/%s/mountinfo", pid);
		r = fuse_in(table, id);
	}
	return r != 0;
}

/* ".." of the directory at, O_PATH.  Walked first from what the dcache
 * holds only (openat2 RESOLVE_CACHED, Linux 5.12): a walk from a
 * directory of a FUSE mount whose attributes have expired asks its
 * daemon for them (the permission to search it), and hers, stopped,
 * never answers.  Where the cached walk cannot go (EAGAIN: also NFS
 * before its access cache holds root, or a rare race) it is made in full
 * unless `at` is on a FUSE mount: then -1, and a process whose root lies
 * there is not counted.  It is no user of an image's own files (no
 * image's tree is a FUSE mount of its own: down and remove see any FUSE
 * mount below an image in the mount table), and counting it would let
 * her refuse every down. */
static int parent_of(int at, const char *pid)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_CACHED };
	struct statx sx;

	for (int i = 0; i < 3; i++) {
		long fd = syscall(SYS_openat2, at, "..", &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != ENOSYS && errno != EINVAL)
			return -1;
		if (errno != EAGAIN) /* before Linux 5.12 */
			break;
	}
	if (statx(at, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID) || mount_is_fuse(sx.stx_mnt_id, pid))
		return -1;
	return openat(at, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The index in img[n] of the image the directory fd (the root of process
 * `pid`) is or lies below (the nearest, walking up with ".." to the top
 * of its mount tree), n when none.  Compared by device and inode, never
 * by path: /proc/PID/root reads as a path in the process's own mount
 * namespace, so another namespace's tree at the same path (a test's or a
 * container's own tmpfs) would otherwise count as this image.  No bound
 * on the depth: a user decides it (mkdir and chdir as deep as she
 * likes), and a process given up on would not be counted; ".." always
 * ends at the top of the tree. */
static size_t dir_within(int fd, const char *pid, const struct stat *img, size_t n)
{
	cleanup_fd int cur = -1;
	struct stat st, up;

	for (;;) {
		int at = cur >= 0 ? cur : fd, parent;

		if (look(at, NULL, &st) < 0)
			return n;
		for (size_t i = 0; i < n; i++)
			if (st.st_dev == img[i].st_dev && st.st_ino == img[i].st_ino)
				return i;
		parent = parent_of(at, pid);
		if (parent < 0)
			return n;
		/* The top of the process's tree: ".." is itself. */
		if (look(parent, NULL, &up) < 0 ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			close(parent);
			return n;
		}
		if (cur >= 0)
			close(cur);
		cur = parent;
	}
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
		if (look(-1, paths[i], &img[i]) < 0)
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
		if (root >= 0 && (k = dir_within(root, de->d_name, img, n)) < n)
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
	if (look(-1, path, &img) < 0 || !(d = opendir("/proc")))
		return 0;
	while ((count || !found) && (de = readdir(d))) {
		char link[300];
		cleanup_fd int root = -1;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		root = proc_root(de->d_name);
		if (root < 0)
			continue;
		if (dir_within(root, de->d_name, &img, 1) == 0) {
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
