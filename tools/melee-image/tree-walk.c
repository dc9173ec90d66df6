/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree_walk(): the one walk root makes over an image tree, for deleting,
 * scanning and packing.  It keeps a single directory open and the levels
 * above it on the heap, so that a tree of any depth costs neither the C
 * stack nor an fd per level; a user who can write the image's /tmp
 * decides its depth.  Mount points are told by mount id (statx
 * STATX_MNT_ID), never by st_dev: a bind of /home from the same file
 * system as the image has the image's st_dev. */
#include "image-tree.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct walk_frame {
	char **names; /* read when the level was entered */
	size_t n, next;
	struct stat st; /* the directory itself, to check ".." against */
	size_t pathlen; /* length of its path in the shown buffer */
};

struct walk {
	struct walk_frame *frames;
	size_t depth, cap;
	char *path;
	size_t pathcap;
	char shown[256];   /* the path as messages show it */
	uint64_t root_mnt; /* the mount every directory entered must be on */
	size_t max_depth;  /* directories deeper than this are refused */
};

int tree_statx(int dirfd, const char *name, int flags, struct stat *st, uint64_t *mnt_id)
{
	const int look = AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC;
	struct statx sx;

	/* AT_NO_AUTOMOUNT: looking must never mount anything.
	 * AT_STATX_DONT_SYNC: the attributes the kernel has, never a request
	 * to a file system's server: a user's FUSE mount (allow_other) made
	 * on a name of the tree while it is walked answers the look at that
	 * name from its root's attributes, set at mount, and its daemon,
	 * stopped, cannot hold the walk (and the lock) for good.  On NFS the
	 * attributes are those that readdir and the lookup of the name last
	 * brought: another client's chmod of a user's file may show late,
	 * which decides nothing (a file of hers is flagged, covered, deleted
	 * as hers whatever its mode; only root changes an owner), and a
	 * name swapped meanwhile fails the open or unlink that acts on it. */
	if (statx(dirfd, name, flags | look, STATX_BASIC_STATS | STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (!(sx.stx_mask & STATX_MNT_ID))
		return -ENOSYS; /* Linux before 5.8: no mount ids, no safe walk */
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->st_ino = sx.stx_ino;
	st->st_mode = sx.stx_mode;
	st->st_nlink = sx.stx_nlink;
	st->st_uid = sx.stx_uid;
	st->st_gid = sx.stx_gid;
	st->st_rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
	st->st_size = (off_t)sx.stx_size;
	st->st_blksize = (blksize_t)sx.stx_blksize;
	st->st_blocks = (blkcnt_t)sx.stx_blocks;
	st->st_atim = (struct timespec){ sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec };
	st->st_mtim = (struct timespec){ sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec };
	st->st_ctim = (struct timespec){ sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec };
	*mnt_id = sx.stx_mnt_id;
	return 0;
}

/* The current path for a message: printable, and short enough that the
 * message's end survives (a user chose these names and their depth). */
static const char *shown_path(struct walk *w)
{
	return melee_shown(w->path, 200, w->shown, sizeof(w->shown));
}

/* Every name of the directory fd, on the heap: the walk may close fd and
 * come back to the level later through "..".  Read through a duplicate of
 * fd itself (never a path, not even "."), which is read once. */
static int read_names(int fd, char ***names, size_t *n)
{
	int rfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	DIR *d;
	int r = 0;

	*names = NULL;
	*n = 0;
	if (rfd < 0)
		return -errno;
	d = fdopendir(rfd);
	if (!d) {
		r = -errno;
		close(rfd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = melee_strv_push(names, n, de->d_name);
		if (r < 0)
			break;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* The shown path of the current level with `name` appended. */
static int set_path(struct walk *w, size_t base, const char *name)
{
	size_t need = base + 1 + strlen(name) + 1;

	if (need > w->pathcap) {
		char *np = realloc(w->path, need * 2);

		if (!np)
			return -ENOMEM;
		w->path = np;
		w->pathcap = need * 2;
	}
	if (base)
		w->path[base++] = '/';
	strcpy(w->path + base, name);
	return 0;
}

static int push(struct walk *w, int fd, const struct stat *st, size_t pathlen)
{
	struct walk_frame *f;
	int r;

	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct walk_frame *nf = realloc(w->frames, cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		w->frames = nf;
		w->cap = cap;
	}
	f = &w->frames[w->depth];
	memset(f, 0, sizeof(*f));
	f->st = *st;
	f->pathlen = pathlen;
	r = read_names(fd, &f->names, &f->n);
	if (r < 0) {
		melee_strv_free(f->names);
		return r;
	}
	w->depth++;
	return 0;
}

static void pop(struct walk *w)
{
	melee_strv_free(w->frames[--w->depth].names);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether the directory fd, just opened, is the one `expect` described
 * and on the walk's own mount: 0, or -errno with the message in err.  A
 * mount appearing on a directory between our look at its name and the
 * open is caught here, on the opened fd, where no later swap can undo it. */
static int check_opened(struct walk *w, int fd, const struct stat *expect, struct stat *now,
			const char *shown, const char *what, char *err, size_t errlen)
{
	uint64_t mnt;
	int r = tree_statx(fd, "", AT_EMPTY_PATH, now, &mnt);

	if (r < 0)
		return melee_fail(err, errlen, r, "%s/%s%s: %s", shown, shown_path(w), what,
				  strerror(-r));
	if (mnt != w->root_mnt)
		return melee_fail(err, errlen, -EBUSY,
				  "%s/%s%s: a mount appeared there while it was being walked; "
				  "stopped",
				  shown, shown_path(w), what);
	if (expect && !same_file(now, expect))
		return melee_fail(err, errlen, -ESTALE,
				  "%s/%s: %s while it was being walked; stopped", shown,
				  shown_path(w), *what ? "was moved" : "changed");
	return 0;
}

/* Opens the directory `name` of dirfd for reading once it is checked
 * (check_opened): first O_PATH, which opens nothing of the file system's
 * own, then again through "." of that fd, which stays on the directory
 * checked (a mount made on it since is not entered by "."; ".." and a
 * name would).  A plain open of a name on which a user's FUSE mount has
 * just appeared would ask her daemon to open its root, and a stopped
 * daemon never answers. */
static int open_checked(struct walk *w, int dirfd, const char *name, const struct stat *expect,
			struct stat *now, const char *shown, const char *what, char *err,
			size_t errlen)
{
	cleanup_fd int pfd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd, r;

	if (pfd < 0)
		return melee_fail(err, errlen, -errno, "%s/%s%s: %s", shown, shown_path(w), what,
				  strerror(errno));
	r = check_opened(w, pfd, expect, now, shown, what, err, errlen);
	if (r < 0)
		return r;
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s/%s%s: %s", shown, shown_path(w), what,
				  strerror(errno));
	return fd;
}

/* Enters the directory `name` of *fd, which the lstat `st` described: the
 * open must find that same directory, on the walk's mount (a swap or a
 * mount in between is refused). */
static int descend(struct walk *w, int *fd, const char *name, const struct stat *st,
		   const char *shown, char *err, size_t errlen)
{
	struct stat now;
	int child, r;

	if (w->depth >= w->max_depth)
		return melee_fail(err, errlen, -ELOOP,
				  "%s/%s: more than %zu directories deep; refusing to walk it",
				  shown, shown_path(w), w->max_depth);
	child = open_checked(w, *fd, name, st, &now, shown, "", err, errlen);
	if (child < 0)
		return child;
	r = push(w, child, &now, strlen(w->path));
	if (r < 0) {
		close(child);
		return melee_fail(err, errlen, r, "%s/%s: %s", shown, shown_path(w), strerror(-r));
	}
	close(*fd);
	*fd = child;
	return 0;
}

/* Back to the parent level through "..", which must be the directory we
 * came down from: if the tree was moved meanwhile, ".." is somewhere else
 * and the walk stops there. */
static int ascend(struct walk *w, int *fd, const char *shown, char *err, size_t errlen)
{
	const struct walk_frame *parent = &w->frames[w->depth - 2];
	struct stat st;
	int up = open_checked(w, *fd, "..", &parent->st, &st, shown, "/..", err, errlen);

	if (up < 0)
		return up;
	close(*fd);
	*fd = up;
	pop(w);
	return 0;
}

static int walk_loop(struct walk *w, int *fd, tree_visit_fn fn, void *data, const char *shown,
		     char *err, size_t errlen)
{
	while (w->depth > 0) {
		struct walk_frame *f = &w->frames[w->depth - 1];
		struct tree_entry e = { .dirfd = *fd,
					.dir_st = &f->st,
					.root_mnt_id = w->root_mnt };
		struct stat st;
		int r;

		if (f->next == f->n) {
			struct walk_frame *parent;
			struct stat dir;

			if (w->depth == 1)
				return 0;
			w->path[f->pathlen] = '\0';
			dir = f->st;
			r = ascend(w, fd, shown, err, errlen);
			if (r < 0)
				return r;
			parent = &w->frames[w->depth - 1];
			e = (struct tree_entry){ .dirfd = *fd,
						 .name = parent->names[parent->next - 1],
						 .path = w->path,
						 .st = &dir,
						 .dir_st = &parent->st,
						 .mnt_id = w->root_mnt,
						 .root_mnt_id = w->root_mnt };
			r = fn(&e, true, data, err, errlen);
			if (r < 0)
				return r;
			continue;
		}
		e.name = f->names[f->next++];
		r = set_path(w, f->pathlen, e.name);
		if (r < 0)
			return melee_fail(err, errlen, r, "%s: out of memory", shown);
		/* The name itself, not what a symlink names; a mount on it
		 * (a directory or a file bind) shows as another mount id. */
		r = tree_statx(*fd, e.name, AT_SYMLINK_NOFOLLOW, &st, &e.mnt_id);
		if (r == -ENOENT) /* gone meanwhile: nothing to do */
			continue;
		if (r < 0)
			return melee_fail(err, errlen, r, "%s/%s: %s", shown, shown_path(w),
					  strerror(-r));
		e.path = w->path;
		e.st = &st;
		e.mount_point = e.mnt_id != w->root_mnt;
		r = fn(&e, false, data, err, errlen);
		if (r < 0)
			return r;
		if (r == TREE_SKIP || !S_ISDIR(st.st_mode) || e.mount_point)
			continue;
		r = descend(w, fd, e.name, &st, shown, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int tree_walk(int rootfd, const char *shown, tree_visit_fn fn, void *data, char *err, size_t errlen)
{
	return tree_walk_deep(rootfd, shown, TREE_MAX_DEPTH, fn, data, err, errlen);
}

int tree_walk_deep(int rootfd, const char *shown, size_t max_depth, tree_visit_fn fn, void *data,
		   char *err, size_t errlen)
{
	struct walk w = { .max_depth = max_depth };
	struct stat st, rootst;
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	w.path = calloc(1, 256);
	w.pathcap = 256;
	if (!w.path) {
		r = melee_fail(err, errlen, -ENOMEM, "%s: out of memory", shown);
		goto out;
	}
	/* The root's own mount is the walk's; the fd opened through "." must
	 * be rootfd's very directory on it. */
	r = tree_statx(rootfd, "", AT_EMPTY_PATH, &rootst, &w.root_mnt);
	if (r == -ENOSYS) {
		r = melee_fail(err, errlen, r,
			       "%s: the kernel gives no mount ids (statx STATX_MNT_ID, Linux "
			       "5.8); refusing to walk it",
			       shown);
		goto out;
	}
	if (r < 0) {
		r = melee_fail(err, errlen, r, "%s: %s", shown, strerror(-r));
		goto out;
	}
	r = check_opened(&w, fd, &rootst, &st, shown, "", err, errlen);
	if (r < 0)
		goto out;
	r = push(&w, fd, &st, 0);
	if (r < 0) {
		r = melee_fail(err, errlen, r, "%s: cannot list: %s", shown, strerror(-r));
		goto out;
	}
	r = walk_loop(&w, &fd, fn, data, shown, err, errlen);
out:
	while (w.depth > 0)
		pop(&w);
	free(w.frames);
	free(w.path);
	close(fd);
	return r;
}
