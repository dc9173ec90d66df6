/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree_walk(): the one walk of an image tree that melee-image does, for
 * deleting and for listing.  It keeps a single directory open and the
 * levels above it on the heap, so that a tree of any depth costs neither
 * the C stack nor an fd per level; a user who can write the image's /tmp
 * decides its depth. */
#include "image-tree.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

struct walk_frame {
	char **names; /* read when the level was entered */
	size_t n, next;
	struct stat st;	/* the directory itself, to check ".." against */
	size_t pathlen; /* length of its path in the shown buffer */
};

struct walk {
	struct walk_frame *frames;
	size_t depth, cap;
	char *path;
	size_t pathcap;
	char shown[256]; /* the path as messages show it */
};

/* The current path for a message: printable, and short enough that the
 * message's end survives (a user chose these names and their depth). */
static const char *shown_path(struct walk *w)
{
	return melee_shown(w->path, 200, w->shown, sizeof(w->shown));
}

/* Every name of the directory fd, on the heap: the walk may close fd and
 * come back to the level later through "..". */
static int read_names(int fd, char ***names, size_t *n)
{
	int rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

/* Enters the directory `name` of *fd, which the lstat `st` described: the
 * open must find that same directory (a swap in between is refused). */
static int descend(struct walk *w, int *fd, const char *name, const struct stat *st,
		   const char *shown, char *err, size_t errlen)
{
	struct stat now;
	int child, r;

	if (w->depth >= TREE_MAX_DEPTH)
		return melee_fail(err, errlen, -ELOOP,
				  "%s/%s: more than %d directories deep; refusing to walk it",
				  shown, shown_path(w), TREE_MAX_DEPTH);
	child = openat(*fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (child < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", shown, shown_path(w),
				  strerror(errno));
	if (fstat(child, &now) < 0 || !same_file(&now, st)) {
		close(child);
		return melee_fail(err, errlen, -ESTALE,
				  "%s/%s: changed while it was being walked; stopped", shown,
				  shown_path(w));
	}
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
	int up = openat(*fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (up < 0)
		return melee_fail(err, errlen, -errno, "%s/%s/..: %s", shown, shown_path(w),
				  strerror(errno));
	if (fstat(up, &st) < 0 || !same_file(&st, &parent->st)) {
		close(up);
		return melee_fail(err, errlen, -ESTALE,
				  "%s/%s: was moved while it was being walked; stopped", shown,
				  shown_path(w));
	}
	close(*fd);
	*fd = up;
	pop(w);
	return 0;
}

static int walk_loop(struct walk *w, int *fd, tree_visit_fn fn, void *data, const char *shown,
		     char *err, size_t errlen)
{
	dev_t rootdev = w->frames[0].st.st_dev;

	while (w->depth > 0) {
		struct walk_frame *f = &w->frames[w->depth - 1];
		struct tree_entry e = { .dirfd = *fd };
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
						 .st = &dir };
			r = fn(&e, true, data, err, errlen);
			if (r < 0)
				return r;
			continue;
		}
		e.name = f->names[f->next++];
		r = set_path(w, f->pathlen, e.name);
		if (r < 0)
			return melee_fail(err, errlen, r, "%s: out of memory", shown);
		if (fstatat(*fd, e.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* gone meanwhile: nothing to do */
				continue;
			return melee_fail(err, errlen, -errno, "%s/%s: %s", shown, shown_path(w),
					  strerror(errno));
		}
		e.path = w->path;
		e.st = &st;
		e.other_fs = S_ISDIR(st.st_mode) && st.st_dev != rootdev;
		r = fn(&e, false, data, err, errlen);
		if (r < 0)
			return r;
		if (r == TREE_SKIP || !S_ISDIR(st.st_mode) || e.other_fs)
			continue;
		r = descend(w, fd, e.name, &st, shown, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int tree_walk(int rootfd, const char *shown, tree_visit_fn fn, void *data, char *err,
	      size_t errlen)
{
	struct walk w = { 0 };
	struct stat st;
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
	if (fstat(fd, &st) < 0) {
		r = melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
		goto out;
	}
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
