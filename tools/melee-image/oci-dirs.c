/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The depth of every directory an import made, by (st_dev, st_ino): a
 * layer's own symlinks make a path's depth unknowable from its name
 * ("s/b/b" can be 2000 levels down when s leads there), so each mkdir
 * records its parent's depth plus one.  An import starts from an empty
 * root and never renames, so every directory in the tree is one of ours;
 * an inode a whiteout freed and a later mkdir reused is recorded anew. */
#include "oci-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

struct oci_dirs {
	struct oci_dir {
		dev_t dev;
		ino_t ino;
		unsigned depth;
		bool used;
	} * slots;
	size_t cap, n;
};

static size_t slot(const struct oci_dirs *d, dev_t dev, ino_t ino)
{
	size_t i = (size_t)((ino * 0x9E3779B97F4A7C15u) ^ dev) & (d->cap - 1);

	while (d->slots[i].used && (d->slots[i].dev != dev || d->slots[i].ino != ino))
		i = (i + 1) & (d->cap - 1);
	return i;
}

static int put(struct oci_dirs *d, const struct stat *st, unsigned depth)
{
	size_t i;

	if ((d->n + 1) * 2 > d->cap) {
		struct oci_dirs g = { calloc(d->cap ? d->cap * 2 : 256, sizeof(*g.slots)),
				      d->cap ? d->cap * 2 : 256, d->n };

		if (!g.slots)
			return -ENOMEM;
		for (size_t j = 0; j < d->cap; j++)
			if (d->slots[j].used)
				g.slots[slot(&g, d->slots[j].dev, d->slots[j].ino)] = d->slots[j];
		free(d->slots);
		*d = g;
	}
	i = slot(d, st->st_dev, st->st_ino);
	if (!d->slots[i].used)
		d->n++;
	d->slots[i] = (struct oci_dir){ st->st_dev, st->st_ino, depth, true };
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
		r = put(*dirs, &st, 0);
		if (r < 0)
			return r;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	i = slot(*dirs, st.st_dev, st.st_ino);
	if (!(*dirs)->slots[i].used)
		return -ESTALE; /* not made by this import */
	*depth = (*dirs)->slots[i].depth;
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
	if (dirs)
		free(dirs->slots);
	free(dirs);
}
