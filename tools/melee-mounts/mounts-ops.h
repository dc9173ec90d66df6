/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The work behind melee-mounts up, down and check. */
#ifndef MELEE_MOUNTS_OPS_H
#define MELEE_MOUNTS_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "melee-config.h"

struct mounts_opts {
	bool dry_run, lazy, json, quiet;
	bool remount; /* up --remount: replace a stale file image's mount */
	bool force;   /* down --force: also with processes inside the image */
};

/* accounts = merge: writes the merged passwd and group of image im
 * (imgfd: its root) under MELEE_RUNDIR/<image>/. */
int mounts_write_accounts(const struct melee_image *im, int imgfd, const struct mounts_opts *o,
			  char *err, size_t errlen);
/* "+sl6" and one per alias: the suffixes the merge adds (melee_strv_free). */
char **mounts_image_suffixes(const struct melee_image *im);

int mounts_up(const struct melee_image **sel, size_t n, const struct mounts_opts *o);
int mounts_down(const struct melee_image **sel, size_t n, const struct mounts_opts *o);
int mounts_check(const struct melee_config *cfg, const struct melee_image **sel, size_t n,
		 const struct mounts_opts *o);

#endif
