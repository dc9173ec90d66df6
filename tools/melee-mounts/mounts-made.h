/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts one run of up made, recorded where each is attached, so
 * that a failure takes back exactly those (mounts-ops.c, rollback). */
#ifndef MOUNTS_MADE_H
#define MOUNTS_MADE_H

#include <stddef.h>
#include <stdint.h>

/* Each mount by the id the kernel gave it, read on the fd its attach
 * returned (melee_bind, melee_mount_cover, melee_bind_self_nosuid), and
 * that fd, kept open so that the id cannot be given to another mount
 * before the rollback; in the order made.  Zero-initialised; mounts_made_free closes the
 * fds (an attached mount stays attached). */
struct mounts_made {
	struct made_mount {
		int fd;
		uint64_t id;
		char *what; /* its path, for messages */
	} * v;
	size_t n;
};

/* Records the mount that mntfd names (the fd is taken over), attached at
 * `what`.  If its id cannot be read it is detached at once and -errno
 * returned (message in err): a mount that cannot be taken back exactly
 * is not kept. */
int mounts_made_add(struct mounts_made *made, int mntfd, const char *what, char *err,
		    size_t errlen);

/* Detaches every recorded mount, the last made first, each exactly by
 * its id at its path inside the image imgpath (melee_unmount_made): a
 * mount stacked on one of them since (a mount on a bind's host source
 * propagates there) goes first, and nothing an earlier run made is
 * touched.  Each failure is a warning naming the image and the mount.
 * Empties the record. */
void mounts_made_rollback(struct mounts_made *made, const char *image, const char *imgpath);

void mounts_made_free(struct mounts_made *made);

#endif
