/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image pack: a tree image written as one squashfs file. */
#ifndef MELEE_IMAGE_PACK_H
#define MELEE_IMAGE_PACK_H

#include "melee-config.h"

#include <stddef.h>
#include <sys/types.h>

/* The compressions pack offers (mksquashfs -comp).  zstd is the default:
 * bench/image-workload's find over trixie's /usr (warm cache, through
 * melee, alternating runs, 15 each) ran 1.06-1.11x the tree's time on a
 * tmpfs with zstd and 1.09-1.20x with gzip, and zstd's file is 6%
 * smaller (218 against 232 MB).  (An earlier measurement that favoured
 * gzip had passed --compression to no run: the bench dropped it.) */
#define PACK_COMPRESSIONS "zstd, xz or gzip"

/* What pack wrote: the description and personality for a registration. */
struct pack_result {
	char *description; /* the tree's os-release PRETTY_NAME, or NULL */
	bool linux32;
	off_t size;
};

/* Writes the tree image `name` of cfg as the squashfs file `file` (an
 * absolute path in a directory only root can write), compressed with
 * `compression` (NULL: zstd).  Nothing mounted in the tree is packed:
 * mksquashfs reads a non-recursive clone of the image root.  Nor is what
 * is in a directory that anyone but root can write (packed empty, with
 * its owner, mode, mtime and xattrs; a line on stdout each): what is packed cannot be
 * swapped by a user between mksquashfs's scan and its read.  mksquashfs
 * runs pivot_root'ed into a tmpfs of a private mount namespace holding
 * only the host's /usr, the clone and the output: no path it opens
 * resolves on the host.  The file
 * appears whole or not at all (temporary file in its directory, then
 * rename), owned by root, mode 0644.  Dies on any error. */
void image_pack(const struct melee_config *cfg, const char *name, const char *file,
		const char *compression, struct pack_result *res);

/* The same for a tree that is no registered image yet (import --file
 * packs the tree it has just made at `path`, still root's 0700); `name`
 * names it in the lines on stdout.  The squashfs's root is root's 0755. */
void image_pack_tree(const char *name, const char *path, const char *file, const char *compression,
		     struct pack_result *res);

/* "1.4G", "312M", "20K", "512B": a size as people read it. */
const char *human_size(off_t size, char *buf, size_t len);

/* What list shows after a file image's source: " (312M)", or why there
 * is no size (" (No such file or directory)"); "" for a tree image. */
const char *file_image_size(const struct melee_image *im, char *buf, size_t len);

#endif
