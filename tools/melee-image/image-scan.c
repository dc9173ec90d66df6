/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image_scan(): what in an image is more than plain files.  An image is
 * trusted like the host's /usr: a setuid-root program in it runs as root
 * on the host's kernel, a device node opens the host's device, and whoever
 * owns or can write a file in it can put such things there.  melee-image
 * lists them before it registers an image. */
#include "image-tree.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

struct scan {
	image_scan_report_fn report;
	void *data;
	int found;
	/* Whether the mount mode_mnt is on a file system whose permission
	 * check is the mode (modes_decide): asked once per mount, not per
	 * file.  -1: not asked yet. */
	uint64_t mode_mnt;
	int mnt_by_mode;
};

/* Appends one finding to the line of this path. */
__attribute__((format(printf, 3, 4))) static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len) {
		strcpy(buf + used, ", ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Whether no one but root can change st: root's, and neither group nor
 * others may write it (a POSIX ACL granting anyone write shows in the
 * group bits, its mask). */
static bool roots_alone(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Whether the kernel lets a user write a file of this file system only
 * as its mode and POSIX ACL (whose mask is the group bits) say, so that
 * roots_alone() tells the truth: the file systems whose permission check
 * is generic_permission() on the mode statx shows.  overlayfs checks
 * that on its own inode (mode and ACL of the real one) and then the real
 * inode with the mounter's credentials (Linux 4.8 on; the walk needs
 * 5.8): never less than the mode.
 * squashfs and erofs are read-only; vfat's modes come from its mount
 * options and only root changes them.  Not here: NFS (v4 ACLs the mode
 * does not show, the server decides), cifs (noperm), 9p, FUSE (without
 * default_permissions the daemon decides), and whatever we do not know. */
static bool modes_decide(long type)
{
	static const long by_mode[] = {
		EXT4_SUPER_MAGIC,      /* ext2, ext3 and ext4: the mode and ACLs */
		XFS_SUPER_MAGIC,       /* the mode and ACLs */
		BTRFS_SUPER_MAGIC,     /* the mode and ACLs */
		F2FS_SUPER_MAGIC,      /* the mode and ACLs */
		TMPFS_MAGIC,	       /* the mode and ACLs */
		RAMFS_MAGIC,	       /* the mode */
		OVERLAYFS_SUPER_MAGIC, /* the mode and ACLs, then the layer's own */
		SQUASHFS_MAGIC,	       /* read-only */
		EROFS_SUPER_MAGIC_V1,  /* read-only */
		MSDOS_SUPER_MAGIC,     /* vfat and msdos: the mode of the mount options */
	};

	for (size_t i = 0; i < sizeof(by_mode) / sizeof(by_mode[0]); i++)
		if (type == by_mode[i])
			return true;
	return false;
}

/* modes_decide() of the file system of the walk's mount, which the
 * entry's directory is checked to be on (tree_walk): one fstatfs per
 * mount.  One that cannot be asked is not trusted. */
static bool modes_decide_here(struct scan *s, const struct tree_entry *e)
{
	struct statfs sfs;

	if (s->mnt_by_mode < 0 || s->mode_mnt != e->root_mnt_id) {
		s->mode_mnt = e->root_mnt_id;
		s->mnt_by_mode = fstatfs(e->dirfd, &sfs) == 0 && modes_decide(sfs.f_type);
	}
	return s->mnt_by_mode > 0;
}

/* File capabilities (security.capability) give whoever runs the file
 * privileges like setuid root does.  A file of root's alone in a
 * directory of root's alone (nearly all of an image), on a file system
 * whose permission check is the mode (modes_decide), is read by its name
 * in the directory's fd: no one else can put a mount there (fusermount
 * wants to open the file for writing) nor another file in its place.
 * Elsewhere the mode proves nothing (an NFSv4 ACL, cifs with noperm, a
 * FUSE daemon may let her write root's 0644 file, and so mount on it).
 * Any other is read through an O_PATH fd of the name, checked to be the
 * file the walk saw on the walk's mount, by its /proc/self/fd link, which
 * lands on that very inode: a path through the name would enter what was
 * mounted on it since the walk's look (her FUSE mount on a file of hers,
 * its daemon stopped, then held the scan and the lock for good).  1 or
 * 0; -1 when the name is no longer that file on the walk's mount (moved,
 * replaced, mounted on meanwhile). */
static int has_capabilities(struct scan *s, const struct tree_entry *e)
{
	cleanup_fd int fd = -1;
	char path[64 + NAME_MAX];
	struct stat now;
	uint64_t mnt;

	if (roots_alone(e->dir_st) && roots_alone(e->st) && modes_decide_here(s, e)) {
		if ((size_t)snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", e->dirfd,
				     e->name) >= sizeof(path))
			return -1;
		return lgetxattr(path, "security.capability", NULL, 0) >= 0;
	}
	fd = openat(e->dirfd, e->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* gone meanwhile: nothing to report */
	if (tree_statx(fd, "", AT_EMPTY_PATH, &now, &mnt) < 0 || mnt != e->root_mnt_id ||
	    now.st_dev != e->st->st_dev || now.st_ino != e->st->st_ino)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return getxattr(path, "security.capability", NULL, 0) >= 0;
}

static int scan_entry(const struct tree_entry *e, bool after, void *data, char *err, size_t errlen)
{
	struct scan *s = data;
	const struct stat *st = e->st;
	mode_t m = st->st_mode;
	char what[256] = "";

	(void)err;
	(void)errlen;
	if (after)
		return 0;
	if (e->mount_point) {
		add(what, sizeof(what), "something is mounted here (not scanned)");
	} else {
		if (S_ISREG(m) && (m & S_ISUID) && st->st_uid == 0)
			add(what, sizeof(what), "setuid root");
		else if (S_ISREG(m) && (m & S_ISUID))
			add(what, sizeof(what), "setuid uid %u", (unsigned)st->st_uid);
		if (S_ISREG(m) && (m & S_ISGID))
			add(what, sizeof(what), "setgid gid %u", (unsigned)st->st_gid);
		if (S_ISREG(m)) {
			int caps = has_capabilities(s, e);

			if (caps)
				add(what, sizeof(what),
				    caps > 0 ? "file capabilities"
					     : "changed or mounted on while it was scanned "
					       "(capabilities not read)");
		}
		if (S_ISCHR(m) || S_ISBLK(m))
			add(what, sizeof(what),
			    S_ISCHR(m) ? "character device %u:%u" : "block device %u:%u",
			    major(st->st_rdev), minor(st->st_rdev));
		/* A symlink's owner cannot retarget it: its directory decides. */
		if (st->st_uid != 0 && !S_ISLNK(m))
			add(what, sizeof(what), "owned by uid %u", (unsigned)st->st_uid);
		if (S_ISDIR(m) && (m & (S_IWGRP | S_IWOTH)) && !(m & S_ISVTX))
			add(what, sizeof(what),
			    "%s-writable directory without the sticky bit (mode %04o)",
			    m & S_IWOTH ? "world" : "group", (unsigned)(m & 07777));
		if (S_ISREG(m) && (m & S_IWOTH))
			add(what, sizeof(what), "world-writable (mode %04o)",
			    (unsigned)(m & 07777));
	}
	if (what[0]) {
		s->found++;
		s->report(e->path, what, s->data);
	}
	return e->mount_point ? TREE_SKIP : 0;
}

int image_scan(int imgfd, const char *imgpath, image_scan_report_fn report, void *data, char *err,
	       size_t errlen)
{
	struct scan s = { .report = report, .data = data, .mnt_by_mode = -1 };
	int r = tree_walk(imgfd, imgpath, scan_entry, &s, err, errlen);

	return r < 0 ? r : s.found;
}
