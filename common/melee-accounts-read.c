/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The files accounts = merge reads (melee-accounts-read.h). */
#include "melee-accounts-read.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int melee_accounts_read_host(const char *etc, const char *name, bool optional, char **out,
			     char *err, size_t errlen)
{
	char path[4096];
	cleanup_fd int fd = -1;
	int r;

	snprintf(path, sizeof(path), "%s/%s", etc, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && optional) {
		*out = strdup("");
		return *out ? 0 : melee_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	r = melee_read_fd(fd, ACCOUNTS_MAX_SIZE, out, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read: %s", path, strerror(-r));
	return 0;
}

/* Reads the image's own etc/NAME.  After the first up our merged file is
 * bound over it; a non-recursive clone of the image's /etc has no mounts
 * on top, so it shows the image's original. */
int melee_accounts_read_image(int imgfd, const char *name, char **out, char *err, size_t errlen)
{
	/* The image's own /etc only: an /etc that is a symlink into a mount
	 * up made (the host's /home, /tmp: users' files) is not read. */
	cleanup_fd int etc = image_resolve_own(imgfd, "etc", O_PATH | O_DIRECTORY);
	cleanup_fd int tree = -1, fd = -1;
	char shown[32];
	struct stat st;
	int r;

	snprintf(shown, sizeof(shown), "image's /etc/%s", name);
	if (etc == -ENOENT) {
		*out = strdup("");
		return *out ? 0
			    : melee_fail(err, errlen, -ENOMEM, "image's /etc/%s: out of memory",
					 name);
	}
	if (etc == -EXDEV)
		return melee_fail(err, errlen, etc,
				  "image's /etc: leads into a mount (a symlink out of the image's "
				  "own file system; refused)");
	if (etc < 0)
		return melee_fail(err, errlen, etc, "image's /etc: %s", strerror(-etc));
	tree = open_tree(etc, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	/* Never opened unless regular: a FIFO there would hang `up` and
	 * every login that brings the image up (melee_open_regular). */
	fd = melee_open_regular(tree >= 0 ? tree : etc, name, O_NOFOLLOW, 0, &st);
	if (fd == -ELOOP) { /* a symlink inside the image: resolve it there */
		/* Never into a mount the image shares with the host (its
		 * /tmp, /home): users write those. */
		fd = image_open_regular(imgfd, name[0] == 'p' ? "etc/passwd" : "etc/group", true,
					shown, err, errlen);
		if (fd < 0 && fd != -ENOENT)
			return fd;
	} else if (fd == -EINVAL) {
		return melee_fail(err, errlen, fd, "%s: not a regular file (refused: it is %s)",
				  shown, melee_file_kind(&st));
	} else if (fd < 0 && fd != -ENOENT) {
		return melee_fail(err, errlen, fd, "%s: %s", shown, strerror(-fd));
	}
	if (fd == -ENOENT) {
		melee_err_clear(err, errlen);
		*out = strdup("");
		return *out ? 0
			    : melee_fail(err, errlen, -ENOMEM, "image's /etc/%s: out of memory",
					 name);
	}
	r = melee_read_fd(fd, ACCOUNTS_MAX_SIZE, out, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "image's /etc/%s: cannot read: %s", name,
				  strerror(-r));
	return 0;
}
