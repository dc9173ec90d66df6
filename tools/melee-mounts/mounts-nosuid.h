/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts' part of nosuid = yes: the nosuid bind of an image root
 * onto itself, made first by up. */
#ifndef MELEE_MOUNTS_NOSUID_H
#define MELEE_MOUNTS_NOSUID_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"
#include "mounts-made.h"
#include "mounts-ops.h"

/* What up knows of the mount table, for the test that an image is not
 * already up without its nosuid bind: read once per run, not once per
 * image (1,000 images cost 27 s of CPU that way).  Zero-initialised;
 * mounts_seen_free releases it. */
struct mounts_seen {
	struct libmnt_table *tb;
	char **targets; /* tb's mount targets, sorted so that a path's
			 * descendants follow it */
	size_t n;
	/* The images this run mounted in since tb was read, sorted: a
	 * nosuid image at, above or below one of them needs a fresh read. */
	char **touched;
	size_t n_touched, cap_touched;
	bool propagates; /* a mount can appear elsewhere: re-read after each */
	bool stale;
};

/* Records that this run may have mounted at or below path (an image's
 * root), so that the table is read again before it is trusted there. */
void mounts_seen_touch(struct mounts_seen *s, const char *path);
void mounts_seen_free(struct mounts_seen *s);

/* For an image with nosuid = yes whose root is not mounted nosuid yet:
 * binds the root onto itself nosuid and reopens *imgfd on the new mount
 * (every other bind of up goes on top of it).  The bind it makes is
 * recorded in `made` (also when the reopen then fails: the caller takes
 * it back), *present says whether the root was nosuid already.  Refuses
 * an image that is already up without it: its binds would be hidden
 * below.  Returns 0, or -1 after a warning. */
int mounts_nosuid_up(const struct melee_image *im, int *imgfd, const struct mounts_opts *o,
		     struct mounts_seen *seen, struct mounts_made *made, bool *present);

#endif
