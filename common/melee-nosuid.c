/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nosuid = yes: the image root entered through a nosuid bind of itself. */
#include "melee-nosuid.h"
#include "melee-mnt-util.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

int melee_bind_self_nosuid(int imgfd, char *err, size_t errlen)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID,
		.propagation = MS_SLAVE,
	};
	cleanup_fd int tree = -1;

	/* Cloned from the fd the safety walk returned, never by path; made
	 * nosuid before it is attached, so that the image root is never
	 * reachable through a half-made bind. */
	tree = open_tree(imgfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return melee_fail(err, errlen, -errno, "cannot clone the image root: %s",
				  strerror(errno));
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return melee_fail(err, errlen, -errno,
				  "cannot make the image root's bind nosuid: %s", strerror(errno));
	if (move_mount(tree, "", imgfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return melee_fail(err, errlen, -errno, "cannot attach the nosuid bind: %s",
				  strerror(errno));
	return melee_steal_fd(&tree);
}

bool melee_fs_is_self_bind(struct libmnt_fs *parent, struct libmnt_fs *fs)
{
	const char *opts = mnt_fs_get_vfs_options(fs);
	const char *pt, *pr, *t = mnt_fs_get_target(fs), *r = mnt_fs_get_root(fs);
	size_t ptl, prl;

	if (!parent || !opts || mnt_optstr_get_option(opts, "nosuid", NULL, NULL) != 0 ||
	    mnt_fs_get_id(parent) != mnt_fs_get_parent_id(fs))
		return false;
	pt = mnt_fs_get_target(parent);
	pr = mnt_fs_get_root(parent);
	if (!pt || !pr || !t || !r || mnt_fs_get_devno(parent) != mnt_fs_get_devno(fs))
		return false;
	/* The same directory: its path in the file system (root) is the
	 * parent's root plus where it sits below the parent. */
	ptl = strcmp(pt, "/") ? strlen(pt) : 0;
	prl = strcmp(pr, "/") ? strlen(pr) : 0;
	return strncmp(t, pt, ptl) == 0 && strncmp(r, pr, prl) == 0 &&
	       strcmp(r + prl, t + ptl) == 0;
}

void melee_nosuid_status(const struct melee_image *im, int imgfd, struct melee_image_status *st)
{
	struct statvfs sv;

	if (!im->nosuid)
		return;
	st->expected++;
	/* The property, not the mount: a root already on a nosuid file
	 * system needs no bind of its own. */
	st->nosuid = fstatvfs(imgfd, &sv) == 0 && (sv.f_flag & ST_NOSUID) ? 1 : 0;
	st->present += (size_t)st->nosuid;
}
