/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mounts one run of up made, recorded where each is attached, so
 * that a failure takes back exactly those (mounts-ops.c, rollback). */
#ifndef MOUNTS_MADE_H
#define MOUNTS_MADE_H

#include <stddef.h>

/* Each mount by the fd its attach returned (melee_bind,
 * melee_mount_cover, melee_bind_self_nosuid: the mount's own fd, which
 * also keeps it from being freed and its place from being taken), in the
 * order made.  Zero-initialised; mounts_made_free closes the fds (an
 * attached mount stays attached). */
struct mounts_made {
	struct made_mount {
		int fd;
		char *what; /* its path, for messages */
	} * v;
	size_t n;
};

/* Records the mount that mntfd names (the fd is taken over), attached at
 * `what`. */
void mounts_made_add(struct mounts_made *made, int mntfd, const char *what);

/* Detaches every recorded mount, the last made first, each through its
 * own fd (melee_unmount_fd): a mount stacked on one of them since (a
 * mount on a bind's host source propagates there) goes with it, nothing
 * an earlier run made is reached, and no path a user could rename is
 * walked.  Each failure is a warning naming the image and the mount.
 * Empties the record. */
void mounts_made_rollback(struct mounts_made *made, const char *image);

void mounts_made_free(struct mounts_made *made);

#endif
