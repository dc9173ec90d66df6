/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unmounting exactly the mount the table named inside an image, reached without following links. */
#include "melee-umount.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Longer paths are walked in pieces of at most this many bytes. */
#define WALK_PIECE 2048

/* The directory holding the last component of relpath, resolved beneath
 * basefd: no symlink (nor /proc magic link) is followed and no ".." may
 * climb out, so a directory that a user swapped for a symlink after the
 * mount table was read cannot lead the unmount out of the image.  A path
 * longer than the kernel resolves at once (a user can move the directory
 * holding a mount of theirs deep into their home) goes piece by piece,
 * each beneath the directory the last one reached. */
static int open_parent_beneath(int basefd, const char *dir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_fd int cur = -1;
	char piece[WALK_PIECE + 1];
	long fd;

	while (strlen(dir) > WALK_PIECE) {
		const char *cut = dir + WALK_PIECE;

		while (cut > dir && *cut != '/')
			cut--;
		if (cut == dir)
			return -ENAMETOOLONG;
		memcpy(piece, dir, (size_t)(cut - dir));
		piece[cut - dir] = '\0';
		fd = syscall(SYS_openat2, cur >= 0 ? cur : basefd, piece, &how, sizeof(how));
		if (fd < 0)
			return -errno;
		melee_fd_replace(&cur, (int)fd);
		dir = cut + 1;
	}
	fd = syscall(SYS_openat2, cur >= 0 ? cur : basefd, *dir ? dir : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The target opened at fd is the root of a mount, not a symlink, and
 * the mount `mnt_id` of the mount table (0: whichever). */
static int check_target(int fd, const char *desc, const char *relpath, uint64_t mnt_id, char *err,
			size_t errlen)
{
	const int flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC;
	struct statx sx;

	/* The target may be a user's own mount that the rbind of /home or
	 * /run copied in (sshfs, gvfs: FUSE, which fusermount lets any user
	 * make).  AT_STATX_DONT_SYNC: from the cached attributes, never a
	 * request to its daemon, which the user can stop (SIGSTOP) to hang
	 * down with the lock held.  Without allow_other, FUSE answers root
	 * EACCES for any attribute (fuse_allow_current_process); asked for
	 * none, the kernel still reports the mount id and whether this is
	 * a mount root, and a FUSE root is a directory or a file, never a
	 * symlink (fusermount's check_perm). */
	if (statx(fd, "", flags, STATX_TYPE | STATX_MNT_ID, &sx) < 0 &&
	    (errno != EACCES || statx(fd, "", flags, 0, &sx) < 0))
		return melee_fail(err, errlen, -errno, "%s/%s: %s", desc, relpath, strerror(errno));
	if (S_ISLNK(sx.stx_mode))
		return melee_fail(err, errlen, -ELOOP, "%s/%s: is a symlink (refused)", desc,
				  relpath);
	if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return melee_fail(err, errlen, -EINVAL, "%s/%s: nothing is mounted there", desc,
				  relpath);
	if (!(sx.stx_mask & STATX_MNT_ID))
		return melee_fail(err, errlen, -ENOSYS,
				  "%s/%s: the kernel does not report mount ids (statx "
				  "STATX_MNT_ID, Linux 5.8)",
				  desc, relpath);
	if (mnt_id && sx.stx_mnt_id != mnt_id)
		return melee_fail(err, errlen, -ESTALE,
				  "%s/%s: the path now leads to mount %llu, not to mount %llu "
				  "of the mount table (a directory was replaced?): left alone",
				  desc, relpath, (unsigned long long)sx.stx_mnt_id,
				  (unsigned long long)mnt_id);
	return 0;
}

/* Unmounts the target that check_target() accepted: open at *fd, `name`
 * in the directory `parent`. */
static int unmount_checked(int parent, int *fd, const char *name, bool lazy, const char *desc,
			   const char *relpath, char *err, size_t errlen)
{
	cleanup_free char *path = NULL;
	char proc[64];

	if (lazy) {
		/* Our own fd, not the path again: no directory swapped since
		 * can redirect it.  umount2 still reaches the top mount there
		 * (path lookup follows mounts down after the magic link), so
		 * a mount stacked after check_target would be the one
		 * detached; melee_unmount_fd handles stacks. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", *fd);
		if (umount2(proc, MNT_DETACH) < 0)
			return melee_fail(err, errlen, -errno, "%s/%s: %s", desc, relpath,
					  strerror(errno));
		return 0;
	}
	/* A plain unmount fails while any fd pins the mount, ours too: drop
	 * it and name the mount through the parent we hold.  In between only
	 * a mount stacked on the same place inside the image could take its
	 * place, which is the image's too. */
	melee_fd_replace(fd, -1);
	if (asprintf(&path, "/proc/self/fd/%d/%s", parent, name) < 0) {
		path = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (umount2(path, UMOUNT_NOFOLLOW) < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", desc, relpath, strerror(errno));
	return 0;
}

int melee_unmount_beneath(int basefd, const char *desc, const char *relpath, uint64_t mnt_id,
			  bool lazy, char *err, size_t errlen)
{
	cleanup_free char *dir = NULL;
	cleanup_fd int parent = -1, fd = -1;
	const char *name;
	int r;

	while (*relpath == '/')
		relpath++;
	name = strrchr(relpath, '/');
	name = name ? name + 1 : relpath;
	dir = strndup(relpath, (size_t)(name - relpath));
	if (!dir)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return melee_fail(err, errlen, -EINVAL, "%s/%s: not a mount target inside %s", desc,
				  relpath, desc);
	parent = open_parent_beneath(basefd, dir);
	if (parent == -ELOOP || parent == -EXDEV)
		return melee_fail(err, errlen, -ELOOP,
				  "%s/%s: a directory on the way is a symlink or leads out "
				  "of %s (refused)",
				  desc, relpath, desc);
	if (parent < 0)
		return melee_fail(err, errlen, parent, "%s/%s: %s", desc, relpath,
				  strerror(-parent));
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", desc, relpath, strerror(errno));
	r = check_target(fd, desc, relpath, mnt_id, err, errlen);
	if (r < 0)
		return r;
	return unmount_checked(parent, &fd, name, lazy, desc, relpath, err, errlen);
}

int melee_unmount_in_image(const char *imgpath, const char *target, uint64_t mnt_id, bool lazy,
			   char *err, size_t errlen)
{
	size_t len = strlen(imgpath);
	cleanup_free char *parent = NULL;
	cleanup_fd int base = -1;
	const char *rel;

	if (imgpath[0] != '/' || strcmp(imgpath, "/") == 0 || !melee_path_under(target, imgpath))
		return melee_fail(err, errlen, -EXDEV, "%s is not inside %s", target, imgpath);
	if (target[len] == '\0') {
		size_t plen;

		rel = strrchr(imgpath, '/') + 1;
		plen = (size_t)(rel - imgpath) - 1;
		parent = strndup(imgpath, plen ? plen : 1);
		if (!parent)
			return melee_fail(err, errlen, -ENOMEM, "out of memory");
		base = image_open_safely(parent, 0, err, errlen);
	} else {
		rel = target + len + 1;
		base = image_open_safely(imgpath, 0, err, errlen);
	}
	if (base < 0)
		return -EPERM; /* the message is in err */
	return melee_unmount_beneath(base, parent ? (strcmp(parent, "/") ? parent : "") : imgpath,
				     rel, mnt_id, lazy, err, errlen);
}

int melee_unmount_fd(int mntfd, const char *what, char *err, size_t errlen)
{
	char proc[64];

	/* umount2 through the magic link of the mount's own fd reaches the
	 * top of what is stacked on it at that place (path lookup follows
	 * mounts down after the link): each round detaches one mount that
	 * sits on ours (ours' lazy detach would take it along anyway), the
	 * last round ours.  Then EINVAL: ours is attached nowhere in this
	 * namespace any more.  A mount beneath ours, or anywhere else, is
	 * never reached, and no path is walked that a user could rename. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mntfd);
	for (int round = 0; round < 256; round++) {
		if (umount2(proc, MNT_DETACH) == 0)
			continue;
		if (errno == EINVAL)
			return 0;
		return melee_fail(err, errlen, -errno, "%s: %s", what, strerror(errno));
	}
	return melee_fail(err, errlen, -ELOOP, "%s: more than 256 mounts stacked on it", what);
}
