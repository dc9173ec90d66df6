/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The depth of every directory an import made, by (st_dev, st_ino): a
 * layer's own symlinks make a path's depth unknowable from its name
 * ("s/b/b" can be 2000 levels down when s leads there), so each mkdir
 * records its parent's depth plus one.  An import starts from an empty
 * root and never renames, so every directory in the tree is one of ours;
 * an inode a whiteout freed and a later mkdir reused is recorded anew. */
#include "oci-source.h"
#include "melee-index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

struct oci_dirs {
	struct melee_index ix; /* inode -> its number in depth */
	unsigned *depth;
	size_t n, cap;
	dev_t dev; /* the root's: an import never leaves its file system */
};

/* Records (or, for an inode reused, records anew) a directory's depth. */
static int put(struct oci_dirs *d, const struct stat *st, unsigned depth)
{
	size_t i;

	if (st->st_dev != d->dev)
		return -EXDEV;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256;
		unsigned *grown = realloc(d->depth, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		d->depth = grown;
		d->cap = cap;
	}
	if (melee_index_reserve(&d->ix, d->n + 1) < 0)
		return -ENOMEM;
	i = melee_index_put(&d->ix, NULL, (long long)st->st_ino, d->n);
	if (i == MELEE_INDEX_NONE)
		i = d->n++;
	d->depth[i] = depth;
	return 0;
}

int oci_dirs_depth(struct oci_dirs **dirs, int rootfd, int fd, unsigned *depth)
{
	struct stat st;
	size_t i;
	int r;

	if (!*dirs) {
		*dirs = calloc(1, sizeof(**dirs));
		if (!*dirs)
			return -ENOMEM;
		if (fstat(rootfd, &st) < 0)
			return -errno;
		(*dirs)->dev = st.st_dev;
		r = put(*dirs, &st, 0);
		if (r < 0)
			return r;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	i = st.st_dev == (*dirs)->dev ? melee_index_get(&(*dirs)->ix, NULL, (long long)st.st_ino)
				      : MELEE_INDEX_NONE;
	if (i == MELEE_INDEX_NONE)
		return -ESTALE; /* not made by this import */
	*depth = (*dirs)->depth[i];
	return 0;
}

int oci_dirs_add(struct oci_dirs **dirs, int pfd, const char *name, unsigned depth)
{
	struct stat st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? put(*dirs, &st, depth) : -ENOTDIR;
}

void oci_dirs_free(struct oci_dirs *dirs)
{
	if (dirs) {
		melee_index_free(&dirs->ix);
		free(dirs->depth);
	}
	free(dirs);
}
