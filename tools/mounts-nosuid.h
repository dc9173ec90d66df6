/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts' part of nosuid = yes: the nosuid bind of an image root
 * onto itself, made first by up. */
#ifndef MELEE_MOUNTS_NOSUID_H
#define MELEE_MOUNTS_NOSUID_H

#include <stdbool.h>

#include "melee-config.h"
#include "mounts-ops.h"

/* For an image with nosuid = yes whose root is not mounted nosuid yet:
 * binds the root onto itself nosuid and reopens *imgfd on the new mount
 * (every other bind of up goes on top of it).  *made says whether it did,
 * *present whether the root was nosuid already.  Refuses an image that is
 * already up without it: its binds would be hidden below.  Returns 0, or
 * -1 after a warning. */
int mounts_nosuid_up(const struct melee_image *im, int *imgfd, const struct mounts_opts *o,
		     bool *made, bool *present);

#endif
