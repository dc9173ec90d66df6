/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts' part of nosuid = yes: the nosuid self-bind of an image root, made first by up. */
#include "mounts-nosuid.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-nosuid.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* True if anything is mounted strictly below path. */
static bool mounted_below(const char *path)
{
	char err[MELEE_ERRLEN];
	cleanup_mnt_table struct libmnt_table *tb = melee_mounttab_read(err, sizeof(err));
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	bool found = !tb || !it; /* unknown: assume so, and refuse */

	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);

		found = t && strcmp(t, path) != 0 && melee_path_under(t, path);
	}
	return found;
}

int mounts_nosuid_up(const struct melee_image *im, int *imgfd, const struct mounts_opts *o,
		     bool *made, bool *present)
{
	char err[MELEE_ERRLEN];
	struct statvfs sv;
	cleanup_fd int fd = -1;

	*made = *present = false;
	if (!im->nosuid)
		return 0;
	if (fstatvfs(*imgfd, &sv) == 0 && (sv.f_flag & ST_NOSUID)) {
		*present = true;
		return 0;
	}
	if (o->dry_run) {
		printf("would bind %s onto itself (nosuid, rslave)\n", im->path);
		return 0;
	}
	if (mounted_below(im->path)) {
		warn("%s: nosuid = yes, but %s is up without its nosuid bind; run "
		     "'melee-mounts down %s' first",
		     im->name, im->path, im->name);
		return -1;
	}
	if (melee_bind_self_nosuid(*imgfd, err, sizeof(err)) < 0) {
		warn("%s: %s: %s", im->name, im->path, err);
		return -1;
	}
	*made = true;
	fd = image_open_safely(im->path, 0, err, sizeof(err));
	if (fd < 0) {
		warn("%s: unsafe image path, refused: %s", im->name, err);
		return -1;
	}
	melee_fd_replace(imgfd, melee_steal_fd(&fd));
	return 0;
}
