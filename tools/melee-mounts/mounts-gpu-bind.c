/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GPU driver's files mounted in a gpu = nvidia image, and what
 * status and check say of them (mounts-gpu.h). */
#include "mounts-gpu.h"
#include "melee-gpu-env.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The parent directories of `dest` inside the tmpfs (ours alone, fresh:
 * nothing in it can be a symlink). */
static int make_parents(int root, const char *dest)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", dest);
	for (char *s = strchr(dir, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(root, dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int mount_id_of(int fd, uint64_t *id, char *err, size_t errlen)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return melee_fail(err, errlen, -ENOSYS, "cannot read the mount id of %s",
				  MELEE_GPU_DIR);
	*id = sx.stx_mnt_id;
	return 0;
}

/* The opened host file bound on a new empty file `dest`: the very inode
 * host_open checked (open_tree of the fd, never the path again),
 * read-only, nosuid and nodev before it is attached. */
static int bind_file(int root, const struct gpu_file *f, uint64_t *id, char *err, size_t errlen)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		.propagation = MS_PRIVATE,
	};
	cleanup_fd int target = -1, tree = -1;
	int r = make_parents(root, f->dest);

	if (r < 0)
		return melee_fail(err, errlen, r, "cannot make the directory of %s: %s", f->dest,
				  strerror(-r));
	target = openat(root, f->dest, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (target < 0)
		return melee_fail(err, errlen, -errno, "cannot create %s: %s", f->dest,
				  strerror(errno));
	tree = open_tree(f->fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	/* Its id before it is attached (the same after): what a failed
	 * fill takes back (fill_failed). */
	if (tree < 0 || mount_id_of(tree, id, err, errlen) < 0 ||
	    mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ||
	    move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return melee_fail(err, errlen, -errno, "cannot bind %s on %s: %s", f->host, f->dest,
				  strerror(errno));
	return 0;
}

/* ids[i]: the mount id of file i's bind once it is attached, else 0. */
static int populate(int root, const struct gpu_set *set, uint64_t *ids, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->nf; i++) {
		uint64_t id = 0;

		if (bind_file(root, &set->f[i], &id, err, errlen) < 0)
			return -1;
		ids[i] = id;
	}
	for (size_t i = 0; i < set->nl; i++) {
		int r = make_parents(root, set->l[i].name);

		if (r < 0 || symlinkat(set->l[i].target, root, set->l[i].name) < 0)
			return melee_fail(err, errlen, r < 0 ? r : -errno,
					  "cannot link %s to %s: %s", set->l[i].name,
					  set->l[i].target, strerror(r < 0 ? -r : errno));
	}
	return 0;
}

/* A new tmpfs of root's (0755, nosuid, nodev: its libraries and tools
 * must stay executable), not attached yet. */
static int new_tmpfs(char *err, size_t errlen)
{
	cleanup_fd int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	int mnt;

	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "1m", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return melee_fail(err, errlen, -errno, "cannot create a tmpfs: %s",
				  strerror(errno));
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return melee_fail(err, errlen, -errno, "cannot mount a tmpfs: %s", strerror(errno));
	return mnt;
}

/* Everything below the directory `dir` removed: a new tmpfs of ours,
 * root's 0755, that only root can write (hidden beneath the old driver,
 * or on a first up or a kernel before 6.5 already where sessions look,
 * but read-only to them), so nothing races the walk; a depth of 16 is
 * deeper than any driver's file. */
static void empty_dir(int dir, unsigned depth)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR && depth < 16) {
			cleanup_fd int sub = openat(dirfd(d), de->d_name,
						    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				empty_dir(sub, depth + 1);
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
}

/* A fill that failed: the binds it made taken back, each by its id and
 * reached from the tmpfs's own root (our fd: a tmpfs hidden beneath the
 * old driver's is reached too), what it created removed, and the tmpfs
 * made read-only: what is left of it is an empty, read-only tmpfs, so
 * that the mount table lists no second set of driver files (status
 * counts them) and nothing with a driver's name shows if it is ever
 * revealed (take_down_revealed). */
static void fill_failed(int mnt, const struct gpu_set *set, const uint64_t *ids)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	char uerr[MELEE_ERRLEN];

	for (size_t i = set->nf; i-- > 0;)
		if (ids[i] && melee_unmount_beneath(mnt, MELEE_GPU_DIR, set->f[i].dest, ids[i],
						    true, uerr, sizeof(uerr)) < 0)
			warn("cannot take back a bind of the failed GPU tmpfs: %s", uerr);
	empty_dir(mnt, 0);
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		warn("cannot make the failed GPU tmpfs read-only: %s", strerror(errno));
}

/* Whether the directory fd holds nothing. */
static bool dir_empty(int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	bool empty = true;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return false;
	}
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* The attached tmpfs mnt filled, then made read-only. */
static int fill(int mnt, const struct gpu_set *set, char *err, size_t errlen)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_free uint64_t *ids = calloc(set->nf + 1, sizeof(*ids));

	if (!ids)
		die("out of memory");
	if (populate(mnt, set, ids, err, errlen) < 0) {
		fill_failed(mnt, set, ids);
		return -1;
	}
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0) {
		melee_fail(err, errlen, -errno, "cannot make the tmpfs read-only: %s",
			   strerror(errno));
		fill_failed(mnt, set, ids);
		return -1;
	}
	return 0;
}

/* A tmpfs on the mountpoint target_fd, filled.  A failure after the
 * attach takes that tmpfs back through its own fd (melee_unmount_fd): it
 * and what was stacked on it since, never the mount that was at the
 * place before it. */
static int gpu_tmpfs(int target_fd, const struct gpu_set *set, char *err, size_t errlen)
{
	cleanup_fd int mnt = new_tmpfs(err, errlen);
	char uerr[MELEE_ERRLEN];

	if (mnt < 0)
		return -1;
	if (move_mount(mnt, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return melee_fail(err, errlen, -errno, "cannot mount a tmpfs: %s", strerror(errno));
	if (fill(mnt, set, err, errlen) == 0)
		return 0;
	if (melee_unmount_fd(mnt, MELEE_GPU_DIR, uerr, sizeof(uerr)) < 0)
		warn("rollback: %s", uerr);
	return -1;
}

/* What became of the driver, after the reason a replacement failed. */
__attribute__((format(printf, 3, 4))) static void err_append(char *err, size_t errlen,
							     const char *fmt, ...)
{
	size_t used = strnlen(err, errlen);
	va_list ap;

	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

/* Ours from an earlier up: a read-only tmpfs at MELEE_GPU_DIR. */
bool mounts_gpu_mounted(int fd)
{
	struct statfs sf;

	return melee_is_mountpoint(fd) && fstatfs(fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
	       (sf.f_flags & ST_RDONLY);
}

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5, <linux/mount.h> */
#endif

/* The driver version the bound tmpfs carries in `sub` (lib/libcuda.so.X.Y),
 * "" if none. */
static void bound_version_in(int gpufd, const char *sub, char *buf, size_t len)
{
	int fd = openat(gpufd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	buf[0] = '\0';
	while (d && (de = readdir(d)))
		if ((strncmp(de->d_name, "libcuda.so.", 11) == 0 && strchr(de->d_name + 11, '.')) ||
		    (!buf[0] && strncmp(de->d_name, "libnvidia-ml.so.", 16) == 0 &&
		     strchr(de->d_name + 16, '.')))
			snprintf(buf, len, "%s", strchr(de->d_name, '.') + 4);
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
}

/* What a replacement says it replaced: lib's version, or lib32's in an
 * image that got the 32-bit libraries alone. */
static void bound_version(int gpufd, char *buf, size_t len)
{
	bound_version_in(gpufd, MELEE_GPU_LIB, buf, len);
	if (!buf[0])
		bound_version_in(gpufd, MELEE_GPU_LIB32, buf, len);
}

/* The driver taken down (the host has none now): what that revealed at
 * the place, the empty read-only tmpfs of a replacement whose fill failed
 * (fill_failed; one per failure, stacked), taken down too, each by its
 * id.  Anything else found there (not an empty read-only tmpfs) is not
 * ours and stays.  *fd: the place, opened again. */
static int take_down_revealed(const struct melee_image *im, int imgfd, int *fd, char *err,
			      size_t errlen)
{
	char full[PATH_MAX];
	bool created;

	snprintf(full, sizeof(full), "%s%s", im->path, MELEE_GPU_DIR);
	/* One failed replacement leaves one (nothing caps how many a
	 * failing up repeated has stacked): as many rounds as there are. */
	for (int round = 0; round < 4096; round++) {
		uint64_t id = 0;
		int r;

		melee_fd_replace(fd, image_open_mountpoint(imgfd, im->path, MELEE_GPU_DIR,
							   MELEE_TARGET_DIR, false, &created, err,
							   errlen));
		if (*fd < 0)
			return *fd == -ENOENT ? 0 : *fd;
		if (!mounts_gpu_mounted(*fd) || !dir_empty(*fd))
			return 0;
		r = mount_id_of(*fd, &id, err, errlen);
		if (r >= 0)
			r = melee_unmount_in_image(im->path, full, id, true, err, errlen);
		if (r < 0)
			return r;
	}
	return melee_fail(err, errlen, -ELOOP, "%s: more than 4096 failed GPU tmpfs stacked there",
			  full);
}

/* Replaces the stale tmpfs at *fd by one with set (none: just takes it
 * down).  The new one is filled beneath the old one, so that a session
 * never finds the directory empty; then the old one, exactly that mount
 * (its id, reached beneath the image again without following anything),
 * is detached lazily: a process that mapped the old libcuda keeps it.  A
 * kernel without MOVE_MOUNT_BENEATH (before 6.5) gets the old one
 * detached first and the new one mounted after: for that moment new
 * processes find no driver, and if filling the new one fails, none at
 * all (it is taken back, by its id).
 *
 * A fill that fails beneath detaches nothing: the new tmpfs is then the
 * parent of the old one at the place, and umount2 reaches only the top
 * mount there (through our own fd's magic link too: LOOKUP_MOUNTPOINT
 * follows mounts down), so detaching "ours" would detach the old driver
 * and show the half-filled tmpfs to every session.  It stays hidden
 * beneath the old one, emptied and read-only (fill_failed), until down
 * (mounts-down.c takes a mount hidden beneath another after it). */
static int gpu_replace(const struct melee_image *im, int imgfd, int *fd, const struct gpu_set *set,
		       char *err, size_t errlen)
{
	char full[PATH_MAX];
	cleanup_fd int mnt = -1;
	uint64_t id = 0;
	bool created;
	int r;

	snprintf(full, sizeof(full), "%s%s", im->path, MELEE_GPU_DIR);
	if (mount_id_of(*fd, &id, err, errlen) < 0)
		return -1;
	if (!set->nf) {
		r = melee_unmount_in_image(im->path, full, id, true, err, errlen);
		return r < 0 ? r : take_down_revealed(im, imgfd, fd, err, errlen);
	}
	mnt = new_tmpfs(err, errlen);
	if (mnt < 0)
		return -1;
	if (move_mount(mnt, "", *fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH | MOVE_MOUNT_BENEATH) <
	    0) {
		if (errno != EINVAL)
			return melee_fail(err, errlen, -errno,
					  "cannot mount a tmpfs beneath %s: %s", full,
					  strerror(errno));
		r = melee_unmount_in_image(im->path, full, id, true, err, errlen);
		melee_fd_replace(fd, -1);
		if (r < 0)
			return r;
		*fd = image_open_mountpoint(imgfd, im->path, MELEE_GPU_DIR, MELEE_TARGET_DIR, false,
					    &created, err, errlen);
		if (*fd < 0)
			return *fd;
		if (gpu_tmpfs(*fd, set, err, errlen) < 0) {
			err_append(err, errlen,
				   "; the old driver's files are taken down, no "
				   "driver is bound now");
			return -1;
		}
		return 0;
	}
	if (fill(mnt, set, err, errlen) < 0) {
		err_append(err, errlen,
			   "; the old driver's files stay bound and in use, the new tmpfs "
			   "stays hidden (empty, read-only) beneath them until 'melee-mounts "
			   "down %s'",
			   im->name);
		return -1;
	}
	return melee_unmount_in_image(im->path, full, id, true, err, errlen);
}

/* An up tmpfs at fd: kept when it shows the driver the host has, else
 * replaced (or, dry, said). */
static int gpu_refresh(const struct melee_image *im, int imgfd, int *fd, const struct gpu_set *set,
		       const struct mounts_opts *o, size_t *made, size_t *present)
{
	char err[MELEE_ERRLEN], old[64];

	if (!mounts_gpu_differs(*fd, set)) {
		*present = 1 + set->nf;
		return 0;
	}
	bound_version(*fd, old, sizeof(old));
	if (o->dry_run) {
		printf("would replace the GPU driver files under %s%s (driver %s -> %s)\n",
		       im->path, MELEE_GPU_DIR, old[0] ? old : "?",
		       set->nf ? (set->version[0] ? set->version : "?") : "none");
		return 0;
	}
	if (gpu_replace(im, imgfd, fd, set, err, sizeof(err)) < 0) {
		warn("%s: gpu = nvidia: cannot replace the stale GPU driver files: %s", im->name,
		     err);
		return -1;
	}
	*made = set->nf ? 1 + set->nf : 0;
	if (!o->quiet && set->nf)
		printf("%s: replaced the stale GPU driver files under %s: driver %s -> %s, %zu "
		       "files\n",
		       im->name, MELEE_GPU_DIR, old[0] ? old : "unknown",
		       set->version[0] ? set->version : "unknown", set->nf);
	else if (!o->quiet)
		printf("%s: took down the GPU driver files under %s (driver %s): the host has "
		       "none now\n",
		       im->name, MELEE_GPU_DIR, old[0] ? old : "unknown");
	return 0;
}

int mounts_gpu_up(const struct melee_image *im, int imgfd, const struct gpu_set *set,
		  const struct mounts_opts *o, size_t *made, size_t *present)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = -1;
	bool created;

	*made = *present = 0;
	if (im->gpu != MELEE_GPU_NVIDIA)
		return 0;
	/* Through the fd walk, as every mountpoint of up: no symlink on the
	 * way (an image whose /run leads to the host's /etc is refused). */
	fd = image_open_mountpoint(imgfd, im->path, MELEE_GPU_DIR, MELEE_TARGET_DIR, set->nf != 0,
				   &created, err, sizeof(err));
	if (fd >= 0 && mounts_gpu_mounted(fd))
		return gpu_refresh(im, imgfd, &fd, set, o, made, present);
	if (!set->nf) {
		if (!o->quiet)
			printf("%s: gpu = nvidia: no NVIDIA driver library in %s, nothing bound\n",
			       im->name, MELEE_LDSO_CACHE);
		return 0;
	}
	if (fd < 0) {
		warn("%s: gpu = nvidia: %s", im->name, err);
		return -1;
	}
	if (o->dry_run) {
		printf("would mount a tmpfs on %s%s with %zu GPU driver files (driver %s)\n",
		       im->path, MELEE_GPU_DIR, set->nf, set->version[0] ? set->version : "?");
		return 0;
	}
	if (gpu_tmpfs(fd, set, err, sizeof(err)) < 0) {
		warn("%s: gpu = nvidia: %s", im->name, err);
		return -1;
	}
	*made = 1 + set->nf;
	if (!o->quiet)
		printf("%s: bound %zu GPU driver files under %s (driver %s)\n", im->name, set->nf,
		       MELEE_GPU_DIR, set->version[0] ? set->version : "version unknown");
	return 0;
}

int mounts_gpu_repair(const struct melee_image *im, int imgfd, char *line, size_t len)
{
	const struct mounts_opts quiet = { .quiet = true };
	char now[64], old[64] = "";
	struct gpu_set set;
	size_t made, present;
	int r;

	if (mounts_gpu_stale(im, imgfd, now, sizeof(now)) != 1)
		return 0;
	if (mounts_gpu_prepare(im, imgfd, &set) < 0) {
		snprintf(line, len,
			 "%s: the GPU driver files are stale and the host's driver "
			 "cannot be bound (melee-mounts up %s says why)",
			 im->name, im->name);
		return -1;
	}
	{
		char err[MELEE_ERRLEN];
		bool created;
		cleanup_fd int fd =
		    image_open_mountpoint(imgfd, im->path, MELEE_GPU_DIR, MELEE_TARGET_DIR, false,
					  &created, err, sizeof(err));

		if (fd >= 0)
			bound_version(fd, old, sizeof(old));
	}
	r = mounts_gpu_up(im, imgfd, &set, &quiet, &made, &present);
	if (r < 0)
		snprintf(line, len,
			 "%s: cannot replace the stale GPU driver files (melee-mounts "
			 "up %s says why)",
			 im->name, im->name);
	else
		snprintf(line, len,
			 "%s: replaced the stale GPU driver files under %s: driver %s -> %s",
			 im->name, MELEE_GPU_DIR, old[0] ? old : "unknown",
			 set.nf ? (set.version[0] ? set.version : "unknown") : "none");
	gpu_set_free(&set);
	return r < 0 ? -1 : 1;
}

size_t mounts_gpu_bound(const struct melee_image *im, struct libmnt_table *tb, char *version,
			size_t len)
{
	char prefix[PATH_MAX];
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	size_t n = 0, pl;

	version[0] = '\0';
	pl = (size_t)snprintf(prefix, sizeof(prefix), "%s%s/", im->path, MELEE_GPU_DIR);
	while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs), *base;

		if (!t || strncmp(t, prefix, pl) != 0)
			continue;
		n++;
		base = strrchr(t, '/') + 1;
		if ((strncmp(base, "libcuda.so.", 11) == 0 && strchr(base + 11, '.')) ||
		    (!version[0] && strncmp(base, "libnvidia-ml.so.", 16) == 0 &&
		     strchr(base + 16, '.')))
			snprintf(version, len, "%s", strchr(base, '.') + 4);
	}
	mnt_free_iter(it);
	return n;
}

void mounts_gpu_check_devices(const struct melee_image *im, int imgfd)
{
	char list[1024] = "";
	/* The image's /dev as its /dev bind shows it (a symlink there is
	 * not followed: it would list some other directory). */
	int fd = openat(imgfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	size_t used = 0;

	while (d && (de = readdir(d))) {
		int w;

		if (strncmp(de->d_name, "nvidia", 6) != 0)
			continue;
		w = snprintf(list + used, sizeof(list) - used, " /dev/%s", de->d_name);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	if (used)
		printf("%s: gpu = nvidia: devices the /dev bind shows:%s\n", im->name, list);
	else
		printf("%s: gpu = nvidia: no /dev/nvidia* device in the image's /dev (no GPU, "
		       "or its driver is not loaded)\n",
		       im->name);
}
