/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unmounting a mount inside an image exactly: the mount the table named,
 * reached without following anything a user could have planted. */
#ifndef MELEE_UMOUNT_H
#define MELEE_UMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unmounts the mount at `relpath` (relative, non-empty) below the
 * directory basefd (an image root opened by image_open_safely; `desc`
 * names it in messages).  Every component is resolved beneath basefd
 * without following any symlink (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), and the mount found there must have the id
 * `mnt_id` (the one the mount table gave; 0: any mount, for a mount this
 * run has just made).  Returns 0, or:
 *   -ELOOP   a component is a symlink (nothing unmounted)
 *   -ESTALE  the path leads to another mount than mnt_id (nothing unmounted)
 *   -EINVAL  nothing is mounted there (already gone)
 *   -ENOENT  the path does not exist (any more)
 *   -EBUSY   the mount is in use (not lazy)
 * and other -errno values, each with a message naming the target. */
int melee_unmount_beneath(int basefd, const char *desc, const char *relpath, uint64_t mnt_id,
			  bool lazy, char *err, size_t errlen);

/* The same for an absolute `target` from the mount table, at or below the
 * image root `imgpath`: the root is opened with image_open_safely; a mount
 * on the root itself (its nosuid bind) is reached from the root's parent
 * directory, which that walk trusts too.  -EXDEV for a target outside
 * imgpath, -EPERM if the image path fails the safety walk (never taken
 * for "already gone"). */
int melee_unmount_in_image(const char *imgpath, const char *target, uint64_t mnt_id, bool lazy,
			   char *err, size_t errlen);

/* Detaches (lazily) the mount whose own fd is mntfd (the fd open_tree
 * or fsmount returned, which a caller keeps from the attach on), and
 * every mount stacked on it since (a mount made on a bind's host source
 * propagates onto the image's rslave copy); nothing beneath it or
 * elsewhere.  No path is walked.  0 also when it was gone already;
 * -errno with a message naming `what` otherwise. */
int melee_unmount_fd(int mntfd, const char *what, char *err, size_t errlen);

#endif
