/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Binds that no longer show what the host names: a host file replaced by
 * rename (logrotate's wtmp, a new resolv.conf, useradd's passwd) leaves
 * the bind on the old inode, and merged accounts fall behind the host's
 * users.  Found for status and check, replaced in place by up and watch. */
#ifndef MOUNTS_STALE_H
#define MOUNTS_STALE_H

#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"
#include "melee-mounts.h"
#include "mounts-ops.h"

/* Whether plan entry m, whose mount is the top one at the opened
 * mountpoint mpfd, is stale: for a file bind, the mount shows another
 * inode than m->source names now (symlinks followed, as the bind does);
 * for merged accounts (m->source under MELEE_RUNDIR), its content differs
 * from `fresh` (NULL: from the file at m->source).  Directories and
 * missing sources are never stale. */
bool mounts_entry_stale(const struct melee_mount_spec *m, int mpfd, const char *fresh);

/* Replaces the stale mount at *mpfd (closed here) by a bind of m->source:
 * the new bind goes beneath the old one, then the old one is detached
 * (lazily: processes holding the old file keep it) by
 * melee_unmount_in_image with the old mount's id, so that a session
 * never sees the file missing and a swapped path is never followed.  A
 * kernel that refuses MOVE_MOUNT_BENEATH (before Linux 6.5) gets the old
 * mount detached the same way first and the new bind attached right
 * after (mounts-stale.c, replace_without_beneath). */
int mounts_entry_replace(const struct melee_image *im, const struct melee_mount_spec *m, int *mpfd,
			 char *err, size_t errlen);

/* The repair of entry m in words: "replaced the stale bind of
 * /etc/resolv.conf (the host replaced /etc/resolv.conf)" (a static
 * buffer). */
const char *mounts_repair_what(const struct melee_mount_spec *m);

/* The image-relative targets of image im's stale binds (status, check),
 * MELEE_GPU_DIR among them when the GPU files bound there are no longer
 * the host's driver (mounts_gpu_stale),
 * as a NULL-terminated malloc'd list (melee_strv_free); none for an image
 * that is down, unsafe or broken (status says so otherwise). */
char **mounts_stale_find(const struct melee_image *im, size_t *n);

/* watch: replaces every stale bind of im (the caller holds the lock),
 * regenerating the merged accounts first when they fell behind, and the
 * GPU files as up does (mounts_gpu_repair); one line
 * per repair goes to report().  Returns the number repaired, or -1 if one
 * failed (the line says why). */
int mounts_stale_repair(const struct melee_image *im,
			void (*report)(bool failed, const char *line));

#endif
