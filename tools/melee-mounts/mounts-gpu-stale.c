/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A driver updated under an up image: the GPU files bound there compared
 * with what the host has now, for status, check, up and watch
 * (mounts-gpu.h). */
#include "mounts-gpu.h"
#include "melee-gpu-env.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The files and links in the tmpfs (root's, read-only: nobody else
 * changes it meanwhile), its few subdirectories followed. */
static size_t count_entries(int dirfd, int depth)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR && depth < 4) {
			cleanup_fd int sub = openat(dirfd, de->d_name,
						    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				n += count_entries(sub, depth + 1);
			continue;
		}
		n++;
	}
	closedir(d);
	return n;
}

bool mounts_gpu_differs(int gpufd, const struct gpu_set *set)
{
	char link[PATH_MAX];
	struct stat bound, host;

	/* The host has no driver now: a tmpfs of ours there, even an empty
	 * one (a replacement whose fill failed, revealed), is to go. */
	if (set->nf == 0)
		return true;
	/* A bind shows the host file's inode: a library replaced by dpkg
	 * (a new file renamed over the name) is another inode. */
	for (size_t i = 0; i < set->nf; i++)
		if (fstatat(gpufd, set->f[i].dest, &bound, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fstat(set->f[i].fd, &host) < 0 || bound.st_dev != host.st_dev ||
		    bound.st_ino != host.st_ino)
			return true;
	for (size_t i = 0; i < set->nl; i++) {
		ssize_t n = readlinkat(gpufd, set->l[i].name, link, sizeof(link) - 1);

		if (n < 0)
			return true;
		link[n] = '\0';
		if (strcmp(link, set->l[i].target) != 0)
			return true;
	}
	/* And nothing more: a library the new driver dropped. */
	return count_entries(gpufd, 0) != set->nf + set->nl;
}

int mounts_gpu_stale(const struct melee_image *im, int imgfd, char *now_version, size_t len)
{
	char err[MELEE_ERRLEN];
	struct gpu_set now;
	cleanup_fd int fd = -1;
	bool created;
	int r;

	now_version[0] = '\0';
	if (im->gpu != MELEE_GPU_NVIDIA)
		return 0;
	fd = image_open_mountpoint(imgfd, im->path, MELEE_GPU_DIR, MELEE_TARGET_DIR, false,
				   &created, err, sizeof(err));
	if (fd < 0 || !mounts_gpu_mounted(fd))
		return 0;
	/* A driver file (or the image's libc) that up refuses now: what is
	 * bound is not what up would bind (up names why), and the host's
	 * driver is not "none" (review 32). */
	if (mounts_gpu_discover(im, imgfd, &now, true) < 0) {
		snprintf(now_version, len, "%s", MELEE_GPU_REFUSED);
		return 1;
	}
	snprintf(now_version, len, "%s", now.version);
	r = mounts_gpu_differs(fd, &now) ? 1 : 0;
	gpu_set_free(&now);
	return r;
}
