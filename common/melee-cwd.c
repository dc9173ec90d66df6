/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See melee-cwd.h.  Used by tools/melee/melee.c and slurm/melee-spank.c;
 * libc only (the SPANK plugin links it into every slurmstepd). */
#include "melee-cwd.h"

#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void melee_cwd_remember(struct melee_cwd *host)
{
	struct stat st;

	memset(host, 0, sizeof(*host));
	/* getcwd() of a directory outside the process's root gives
	 * "(unreachable)/..." on old libcs: only an absolute path counts. */
	if (!getcwd(host->path, sizeof(host->path)) || host->path[0] != '/' || stat(".", &st) < 0) {
		host->path[0] = '\0';
		return;
	}
	host->dev = st.st_dev;
	host->ino = st.st_ino;
	host->known = true;
}

int melee_cwd_check(const struct melee_cwd *host, uid_t uid, char *why, size_t whylen)
{
	char copy[PATH_MAX], *save = NULL;
	cleanup_fd int fd = -1;
	struct stat st, root;

	if (!host->known)
		return melee_fail(why, whylen, -ENOENT, "the directory is not known on the host");
	if (stat(".", &st) == 0 && st.st_dev == host->dev && st.st_ino == host->ino)
		return 0;
	snprintf(copy, sizeof(copy), "%s", host->path);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &root) < 0)
		return melee_fail(why, whylen, -errno, "/: %s", strerror(errno));
	/* Component by component, a symlink never followed: the path may
	 * not lead anywhere but down the directories checked.  st is then
	 * the last one's (the root's for "/"). */
	st = root;
	for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0)
			return melee_fail(why, whylen, -errno, "%s: %s", p, strerror(errno));
		melee_fd_replace(&fd, next);
		if (fstat(fd, &st) < 0)
			return melee_fail(why, whylen, -errno, "%s: %s", p, strerror(errno));
		if (S_ISLNK(st.st_mode))
			return melee_fail(why, whylen, -ELOOP,
					  "'%s' on the way is a symbolic link there", p);
		if (!S_ISDIR(st.st_mode))
			return melee_fail(why, whylen, -ENOTDIR,
					  "'%s' on the way is not a directory there", p);
		/* On the image's own file system only: a file system mounted
		 * there says whatever owner it likes (a user's FUSE mount,
		 * fusermount's, with --force-user=root), and no user can put
		 * another one of the image's own file system there. */
		if (st.st_dev != root.st_dev)
			return melee_fail(why, whylen, -EXDEV,
					  "'%s' on the way is on another file system there (a "
					  "mount in the image)",
					  p);
		if (st.st_uid != 0 && st.st_uid != uid)
			return melee_fail(why, whylen, -EPERM,
					  "'%s' on the way belongs to uid %u there", p,
					  (unsigned)st.st_uid);
	}
	/* The directory itself holds no one else's files only if no one
	 * else may write it: the image's own /var/tmp is root's but
	 * everyone's to write, and bob's run.sh there is not the caller's
	 * ./run.sh of the host's /var/tmp. */
	if (st.st_uid != uid && (st.st_mode & (S_IWGRP | S_IWOTH)))
		return melee_fail(why, whylen, -EPERM,
				  "it is writable by other users there (their files could be "
				  "in it)");
	/* The directory checked, not the path again: it may have been
	 * renamed or replaced since. */
	if (fchdir(fd) < 0)
		return melee_fail(why, whylen, -errno, "%s", strerror(errno));
	return 0;
}
