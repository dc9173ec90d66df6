/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a path lies as root sees it, and the layers a mount stores its
 * files in: what melee-image remove --delete-files checks before it
 * deletes a tree (image-remove.c).  Every look is a statx with
 * AT_STATX_DONT_SYNC of an O_PATH fd held on the way, never an open for
 * reading of a path a user controls: no FUSE daemon is asked, so a
 * stopped one cannot hang the check. */
#ifndef MELEE_IMAGE_LAYERS_H
#define MELEE_IMAGE_LAYERS_H

#include <libmount.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The mount of id `id` in tb, or NULL. */
struct libmnt_fs *mount_of(struct libmnt_table *tb, uint64_t id);

/* What resolve_as_root found at the end of its walk, as it looked at it
 * through an fd held on the way (never by the path again); or, when it
 * found nothing, where and why it stopped. */
struct as_found {
	struct statx sx;     /* what the path names */
	struct statx dir;    /* the directory it is in ("/" itself for "/") */
	bool missing;	     /* stopped: a name not there, in directories of root's alone */
	char stop[PATH_MAX]; /* stopped: at what */
	char why[96];	     /* stopped: why ("a directory others may write") */
};

/* `path` with root's own symlinks followed, through nothing but what root
 * alone controls (see image-layers.c); NULL when it leaves that, is
 * missing or loops.  *found (may be NULL) is filled either way.
 * Allocated. */
char *resolve_as_root(struct libmnt_table *tb, const char *path, struct as_found *found);

/* Whether a mount's root field says its source was unlinked since. */
bool source_gone(const char *root);

/* Where `real` (resolve_as_root's) lies on the file system *sb of the
 * mount `mnt_id` it is on (its as_found's); NULL when that is not known.
 * Allocated. */
char *physical_path(struct libmnt_table *tb, const char *real, uint64_t mnt_id, dev_t *sb);

/* One layer a mount stores its files in: an overlay's upper, work, lower
 * or data directory, the file of a loop device (below a partition or a
 * device-mapper device too), or one of those of the mount a layer lies on
 * in its turn. */
struct layer {
	const char *path; /* as the kernel holds it, decoded */
	char *real;	  /* resolve_as_root's, NULL when not resolved */
	bool relative;	  /* path is relative: where it lies is not known */
	bool lost;	  /* not found by its name (moved, unlinked): not known */
	bool has_id;	  /* dev, ino (and is_dir) are known */
	bool is_dir;
	dev_t dev;
	ino_t ino;
	uint64_t mnt_id; /* the mount it is on (with has_id) */
	/* resolve_as_root's, while fn runs (NULL for a relative path):
	 * without has_id or lost, where and why it stopped. */
	const struct as_found *found;
	char shown[PATH_MAX + 256]; /* "the upperdir /x of the overlay on /y" */
};

typedef void (*layer_fn)(const struct layer *l, void *data);

/* Calls fn for each layer of the mount `mnt_id`, and of the mounts those
 * layers lie on, to a depth of 8 mounts (64 in all), each mount once,
 * never those of the mount `skip` (0: none).  False when a limit was met:
 * layers past it were not looked at. */
bool mount_layers(struct libmnt_table *tb, uint64_t mnt_id, uint64_t skip, layer_fn fn, void *data);

#endif
