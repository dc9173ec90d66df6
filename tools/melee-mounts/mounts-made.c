/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts one run of up made, and taking them back.  See mounts-made.h. */
#include "mounts-made.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

int mounts_made_add(struct mounts_made *made, int mntfd, const char *what, char *err, size_t errlen)
{
	cleanup_fd int fd = mntfd;
	struct made_mount *v;
	struct statx sx;

	/* Read on the fd of the mount itself, right after its attach: no
	 * path, so no mount stacked there since can lend its id. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID)) {
		char proc[64];

		/* Not yet covered by anything: the top mount there is this one. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (umount2(proc, MNT_DETACH) < 0)
			warn("rollback: cannot unmount %s: %s", what, strerror(errno));
		return melee_fail(err, errlen, -ENOSYS,
				  "%s: cannot read the id of the new mount (statx "
				  "STATX_MNT_ID, Linux 5.8)",
				  what);
	}
	v = realloc(made->v, (made->n + 1) * sizeof(*made->v));
	if (!v)
		die("out of memory");
	made->v = v;
	v[made->n].what = strdup(what);
	if (!v[made->n].what)
		die("out of memory");
	v[made->n].id = sx.stx_mnt_id;
	v[made->n].fd = melee_steal_fd(&fd);
	made->n++;
	return 0;
}

void mounts_made_rollback(struct mounts_made *made, const char *image, const char *imgpath)
{
	while (made->n > 0) {
		struct made_mount *m = &made->v[--made->n];
		char err[MELEE_ERRLEN];

		if (melee_unmount_made(imgpath, m->what, m->id, err, sizeof(err)) < 0)
			warn("%s: rollback: cannot unmount %s: %s", image, m->what, err);
		melee_closep(&m->fd);
		free(m->what);
	}
}

void mounts_made_free(struct mounts_made *made)
{
	for (size_t i = 0; i < made->n; i++) {
		melee_closep(&made->v[i].fd);
		free(made->v[i].what);
	}
	free(made->v);
	made->v = NULL;
	made->n = 0;
}
