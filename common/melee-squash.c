/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File images: a squashfs file trusted like an image root, mounted from
 * its open fd through a loop device, and the tmpfs overlay of writable =
 * tmpfs.  See melee.conf(5) (source, writable). */
#include "melee-squash.h"
#include "melee-enter.h" /* melee_is_mountpoint */
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

/* A free loop device may be taken by another losetup or mount between
 * LOOP_CTL_GET_FREE and LOOP_CONFIGURE: ask again, a bounded number of
 * times. */
#define LOOP_TRIES 64

int melee_squash_open(const char *source, uid_t owner, char *err, size_t errlen)
{
	cleanup_fd int fd = image_open_file_safely(source, owner, err, errlen);
	unsigned char magic[4];

	if (fd < 0)
		return fd;
	/* On the fd we hold, not by name: "hsqs", the little-endian
	 * SQUASHFS_MAGIC at offset 0. */
	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "hsqs", 4) != 0)
		return melee_fail(err, errlen, -EMEDIUMTYPE,
				  "%s: not a squashfs image (no 'hsqs' magic at offset 0)", source);
	return melee_steal_fd(&fd);
}

/* A read-only, autoclear loop device on filefd: it goes away by itself
 * when the last user (the squashfs mount) lets go of it, also when up
 * dies between here and the mount. */
static int loop_attach(int filefd, const char *source, char *dev, size_t devlen, char *err,
		       size_t errlen)
{
	cleanup_fd int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);

	if (ctl < 0)
		return melee_fail(err, errlen, -errno,
				  "/dev/loop-control: %s (expected the loop driver)",
				  strerror(errno));
	for (int tries = 0; tries < LOOP_TRIES; tries++) {
		struct loop_config cfg = {
			.fd = (unsigned)filefd,
			.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR,
		};
		cleanup_fd int lfd = -1;
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0)
			return melee_fail(err, errlen, -errno, "no free loop device: %s",
					  strerror(errno));
		snprintf(dev, devlen, "/dev/loop%d", n);
		snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s",
			 source);
		lfd = open(dev, O_RDONLY | O_CLOEXEC);
		if (lfd < 0 && errno == ENOENT)
			continue; /* udev has not made the node yet */
		if (lfd < 0)
			return melee_fail(err, errlen, -errno, "%s: %s", dev, strerror(errno));
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			return melee_steal_fd(&lfd);
		if (errno != EBUSY)
			return melee_fail(err, errlen, -errno, "%s: cannot attach %s: %s", dev,
					  source, strerror(errno));
	}
	return melee_fail(err, errlen, -EBUSY,
			  "no free loop device for %s after %d tries (each was taken first)",
			  source, LOOP_TRIES);
}

/* fsopen, the options, fsmount and move_mount onto target_fd: a mount
 * that is never reachable before its flags are set.  opts holds key and
 * value pairs, NULL-terminated. */
static int mount_new(const char *fstype, const char *const *opts, unsigned attrs, int target_fd,
		     char *err, size_t errlen)
{
	cleanup_fd int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	cleanup_fd int mnt = -1;

	if (fsfd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s (expected the kernel to offer it)",
				  fstype, strerror(errno));
	for (size_t i = 0; opts[i]; i += 2) {
		int r = opts[i + 1] ? fsconfig(fsfd, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0)
				    : fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[i], NULL, 0);

		if (r < 0)
			return melee_fail(err, errlen, -errno, "%s: option %s%s%s: %s", fstype,
					  opts[i], opts[i + 1] ? "=" : "",
					  opts[i + 1] ? opts[i + 1] : "", strerror(errno));
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return melee_fail(err, errlen, -errno, "cannot create the %s mount: %s", fstype,
				  strerror(errno));
	mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		return melee_fail(err, errlen, -errno, "cannot mount %s: %s", fstype,
				  strerror(errno));
	if (move_mount(mnt, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return melee_fail(err, errlen, -errno, "cannot attach the %s mount: %s", fstype,
				  strerror(errno));
	return 0;
}

int melee_squash_mount(int filefd, const char *source, int target_fd, char *loopdev, size_t devlen,
		       char *err, size_t errlen)
{
	cleanup_fd int lfd = loop_attach(filefd, source, loopdev, devlen, err, errlen);
	const char *const opts[] = { "source", loopdev, "ro", NULL, NULL };

	if (lfd < 0)
		return lfd;
	/* Read-only and nodev (device nodes come from the host's /dev
	 * bind), but not nosuid: su and sudo inside the image must keep
	 * working, as they do in a tree image (nosuid = yes adds the nosuid
	 * bind of the root on top, as for trees).  The device named by path
	 * is the one we hold configured from our fd: only root can touch it
	 * before the mount takes its own reference, and then our fd goes. */
	return mount_new("squashfs", opts, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV, target_fd, err,
			 errlen);
}

/* MELEE_RUNDIR/NAME, root's and not writable by others, made when
 * missing (write_accounts makes it the same way). */
static int open_run_dir(const struct melee_image *im, char *err, size_t errlen)
{
	char shown[4096];
	cleanup_fd int run = melee_open_trusted(MELEE_RUNDIR, true, 0, err, errlen);

	if (run < 0)
		return run;
	if (mkdirat(run, im->name, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", MELEE_RUNDIR, im->name,
				  strerror(errno));
	snprintf(shown, sizeof(shown), "%s/%s", MELEE_RUNDIR, im->name);
	return melee_open_trusted_at(run, im->name, shown, true, 0, err, errlen);
}

static bool is_fs(int fd, unsigned long magic)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && (unsigned long)sf.f_type == magic;
}

static int mkdir_in(int dirfd, const char *name, const char *shown, char *err, size_t errlen)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", shown, name, strerror(errno));
	return 0;
}

int melee_writable_mount(const struct melee_image *im, bool *mounted, char *err, size_t errlen)
{
	cleanup_fd int run = open_run_dir(im, err, errlen);
	cleanup_fd int w = -1;
	char shown[4096], size[32], inodes[32];
	const char *opts[] = { "mode", "0700",	 "size",	   size, "nr_inodes",
			       inodes, "source", "melee-writable", NULL, NULL };
	unsigned long long bytes =
	    im->writable_size ? im->writable_size : MELEE_WRITABLE_DEFAULT_SIZE;
	unsigned long long n = bytes / MELEE_WRITABLE_INODE_RATIO;
	int r;

	*mounted = false;
	if (run < 0)
		return run;
	snprintf(shown, sizeof(shown), "%s/%s/%s", MELEE_RUNDIR, im->name, MELEE_WRITABLE_DIR);
	r = mkdir_in(run, MELEE_WRITABLE_DIR, shown, err, errlen);
	if (r < 0)
		return r;
	w = melee_open_trusted_at(run, MELEE_WRITABLE_DIR, shown, true, 0, err, errlen);
	if (w < 0)
		return w;
	/* Ours when a tmpfs is mounted right there (MELEE_RUNDIR itself
	 * may be a tmpfs). */
	if (!melee_is_mountpoint(w) || !is_fs(w, TMPFS_MAGIC)) {
		snprintf(size, sizeof(size), "%llu", bytes);
		snprintf(inodes, sizeof(inodes), "%llu",
			 n < MELEE_WRITABLE_MIN_INODES ? MELEE_WRITABLE_MIN_INODES : n);
		/* Mode 0700: the host's users reach the written files only
		 * through the image's overlay, as its owners and modes say.
		 * nodev and nosuid: the overlay, not this tmpfs, decides
		 * what runs from it. */
		r = mount_new("tmpfs", opts, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, w, err, errlen);
		if (r < 0)
			return r;
		*mounted = true;
		melee_fd_replace(&w, melee_open_trusted_at(run, MELEE_WRITABLE_DIR, shown, true, 0,
							   err, errlen));
		if (w < 0)
			return w;
	}
	r = mkdir_in(w, "upper", shown, err, errlen);
	return r < 0 ? r : mkdir_in(w, "work", shown, err, errlen);
}

int melee_overlay_mount(const struct melee_image *im, int target_fd, char *err, size_t errlen)
{
	char upper[4096], work[4096];
	/* lowerdir by path: im->path passed the safety walk just now and
	 * is root's all the way; it resolves to the squashfs mounted on it,
	 * which the overlay then covers. */
	const char *const opts[] = { "source", im->source, "lowerdir", im->path, "upperdir",
				     upper,    "workdir",  work,       NULL,	 NULL };

	snprintf(upper, sizeof(upper), "%s/%s/%s/upper", MELEE_RUNDIR, im->name,
		 MELEE_WRITABLE_DIR);
	snprintf(work, sizeof(work), "%s/%s/%s/work", MELEE_RUNDIR, im->name, MELEE_WRITABLE_DIR);
	return mount_new("overlay", opts, MOUNT_ATTR_NODEV, target_fd, err, errlen);
}

static bool fs_is(struct libmnt_fs *fs, const char *target, const char *fstype)
{
	const char *t = mnt_fs_get_target(fs), *type = mnt_fs_get_fstype(fs);

	return t && type && strcmp(t, target) == 0 && strcmp(type, fstype) == 0;
}

void melee_squash_layers(const struct melee_image *im, struct libmnt_table *tb,
			 struct melee_squash_layers *l)
{
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	char wdir[4096];

	memset(l, 0, sizeof(*l));
	if (!it)
		return;
	snprintf(wdir, sizeof(wdir), "%s/%s/%s", MELEE_RUNDIR, im->name, MELEE_WRITABLE_DIR);
	/* The first of each, in mount order: the one up made (a later copy
	 * would be on top of it). */
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		if (!l->lower && fs_is(fs, im->path, "squashfs"))
			l->lower = fs;
		else if (l->lower && !l->overlay && fs_is(fs, im->path, "overlay"))
			l->overlay = fs;
		else if (!l->tmpfs && fs_is(fs, wdir, "tmpfs"))
			l->tmpfs = fs;
	}
	mnt_free_iter(it);
}

/* The kernel's encoding of lo_device (huge_encode_dev). */
static bool same_dev(uint64_t lo, dev_t d)
{
	unsigned maj = (unsigned)((lo & 0xfff00) >> 8);
	unsigned min = (unsigned)((lo & 0xff) | ((lo >> 12) & 0xfff00));

	return maj == major(d) && min == minor(d);
}

/* The record's line for st: one format for writing and comparing. */
static void record_line(const struct stat *st, char *buf, size_t len)
{
	snprintf(buf, len, "%llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino, (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
		 st->st_ctim.tv_nsec);
}

int melee_squash_record(const struct melee_image *im, int filefd, char *err, size_t errlen)
{
	cleanup_fd int run = open_run_dir(im, err, errlen);
	cleanup_fd int fd = -1;
	char line[160], tmp[64];
	struct stat st;
	size_t len;

	if (run < 0)
		return run;
	if (fstat(filefd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", im->source, strerror(errno));
	record_line(&st, line, sizeof(line));
	len = strlen(line);
	/* Written beside and renamed over: status never reads half of it. */
	snprintf(tmp, sizeof(tmp), ".%s.new", MELEE_SOURCE_RECORD);
	unlinkat(run, tmp, 0);
	fd = openat(run, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len ||
	    renameat(run, tmp, run, MELEE_SOURCE_RECORD) < 0)
		return melee_fail(err, errlen, -EIO, "%s/%s/%s: %s", MELEE_RUNDIR, im->name,
				  MELEE_SOURCE_RECORD, strerror(errno));
	return 0;
}

/* 1 when the record up left names the file st is (device and inode) and
 * its size, mtime or ctime changed since; 0 otherwise, also without a
 * record (an up by an older melee-mounts). */
static int changed_in_place(const struct melee_image *im, const struct stat *st)
{
	char path[4096], now[160];
	cleanup_free char *rec = NULL;
	cleanup_fd int fd = -1;
	unsigned long long dev, ino;
	struct stat rs;

	snprintf(path, sizeof(path), "%s/%s/%s", MELEE_RUNDIR, im->name, MELEE_SOURCE_RECORD);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* Root's regular file only: nobody else can make a file image look
	 * stale (or current). */
	if (fd < 0 || fstat(fd, &rs) < 0 || !S_ISREG(rs.st_mode) || rs.st_uid != 0 ||
	    melee_read_fd(fd, 4096, &rec, NULL) < 0)
		return 0;
	if (sscanf(rec, "%llu %llu", &dev, &ino) != 2 || dev != (unsigned long long)st->st_dev ||
	    ino != (unsigned long long)st->st_ino)
		return 0;
	record_line(st, now, sizeof(now));
	return strcmp(rec, now) != 0;
}

int melee_squash_stale(const struct melee_image *im, struct libmnt_fs *lower)
{
	const char *dev = mnt_fs_get_srcpath(lower);
	struct loop_info64 info;
	cleanup_fd int lfd = -1;
	struct stat st;

	if (!dev)
		return -ENOENT;
	/* The loop's file by device and inode: its backing_file in /sys is
	 * a path, which names the new file after a rename. */
	lfd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (lfd < 0)
		return -errno;
	if (fstat(lfd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != mnt_fs_get_devno(lower))
		return -ESTALE;
	if (ioctl(lfd, LOOP_GET_STATUS64, &info) < 0)
		return -errno;
	if (lstat(im->source, &st) < 0)
		return errno == ENOENT ? 1 : -errno;
	if (!(same_dev(info.lo_device, st.st_dev) && info.lo_inode == st.st_ino))
		return 1;
	return changed_in_place(im, &st);
}

void melee_squash_status(const struct melee_image *im, struct libmnt_table *tb,
			 struct melee_image_status *st)
{
	struct melee_squash_layers l;
	int r;

	melee_squash_layers(im, tb, &l);
	st->expected += im->writable == MELEE_WRITABLE_TMPFS ? 3 : 1;
	st->present +=
	    (l.lower != NULL) +
	    (im->writable == MELEE_WRITABLE_TMPFS ? (l.overlay != NULL) + (l.tmpfs != NULL) : 0);
	r = l.lower ? melee_squash_stale(im, l.lower) : 0;
	st->stale = r == 1;
	st->stale_error = r < 0 ? r : 0;
}

/* "squashfs" in /proc/filesystems, or a module of it that a mount loads. */
static bool kernel_has_fs(const char *name)
{
	cleanup_free char *text = NULL;
	cleanup_fd int fd = open("/proc/filesystems", O_RDONLY | O_CLOEXEC);
	char path[512], mod[64];
	struct utsname u;

	if (fd >= 0 && melee_read_fd(fd, 1 << 20, &text, NULL) == 0) {
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *tab = strrchr(line, '\t');

			if (strcmp(tab ? tab + 1 : line, name) == 0)
				return true;
		}
	}
	if (uname(&u) < 0)
		return false;
	snprintf(mod, sizeof(mod), "/%s.ko", name);
	for (int i = 0; i < 2; i++) {
		cleanup_free char *list = NULL;
		cleanup_fd int lf = -1;

		snprintf(path, sizeof(path), "/lib/modules/%s/%s", u.release,
			 i ? "modules.builtin" : "modules.dep");
		lf = open(path, O_RDONLY | O_CLOEXEC);
		if (lf >= 0 && melee_read_fd(lf, 64 << 20, &list, NULL) == 0 && strstr(list, mod))
			return true;
	}
	return false;
}

int melee_squash_kernel_check(char *err, size_t errlen)
{
	bool squash = kernel_has_fs("squashfs"), overlay = kernel_has_fs("overlay");
	struct stat st;
	bool loop = stat("/dev/loop-control", &st) == 0 && S_ISCHR(st.st_mode);

	if (squash && overlay && loop)
		return 0;
	return melee_fail(err, errlen, -ENODEV,
			  "the kernel lacks%s%s%s (expected squashfs, "
			  "overlay and /dev/loop-control for file images)",
			  squash ? "" : " squashfs", overlay ? "" : " overlay",
			  loop ? "" : " /dev/loop-control");
}
