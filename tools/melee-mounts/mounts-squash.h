/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts' part of file images (source = FILE): the squashfs and
 * overlay layers under the bind set, and --remount of a stale one. */
#ifndef MELEE_MOUNTS_SQUASH_H
#define MELEE_MOUNTS_SQUASH_H

#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"
#include "mounts-ops.h"

/* up's first step for a file image: the file checked, its squashfs
 * mounted on the image path (made when missing), and with writable =
 * tmpfs the tmpfs and the overlay, each only when missing (a second up
 * mounts nothing; an up killed half-way is completed).  *made counts
 * what this call mounted, *present what was there.  Returns 0, or -1
 * after a warning naming the file. */
int mounts_squash_up(const struct melee_image *im, const struct mounts_opts *o, size_t *made,
		     size_t *present);

/* down's last step: the overlay, the squashfs (its loop device then goes
 * by itself) and the writable tmpfs, each the mount the table names.
 * Adds to *done and *busy; returns 0, or 1 after a warning. */
int mounts_squash_down(const struct melee_image *im, const struct mounts_opts *o, size_t *done,
		       size_t *busy);

/* True when the squashfs of im is mounted on its path. */
bool mounts_squash_mounted(const struct melee_image *im);

/* check: the file (trusted, squashfs) and what the kernel offers; 0 or
 * the number of problems, each on stderr. */
int mounts_squash_check(const struct melee_image *im);

/* up --remount: for a file image whose file was replaced, 1 when its
 * layers are to be taken down first, 0 when not stale (nothing to do),
 * -1 when refused (processes inside, named and counted). */
int mounts_squash_remount_wanted(const struct melee_image *im);

#endif
