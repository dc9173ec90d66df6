/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File images (source = FILE): the squashfs file opened and checked like
 * an image root, mounted from that open file through a read-only loop
 * device, and with writable = tmpfs an overlay over it whose upper layer
 * is a tmpfs under MELEE_RUNDIR/NAME. */
#ifndef MELEE_SQUASH_H
#define MELEE_SQUASH_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "melee-config.h"
#include "melee-mounts.h"

/* Where writable = tmpfs keeps its tmpfs, below MELEE_RUNDIR/NAME. */
#define MELEE_WRITABLE_DIR "writable"

/* writable = tmpfs without a size: 1 GiB, not the kernel's half of the
 * RAM, which every user can fill through the image's /var/tmp (and each
 * image that is up has its own).  Apptainer's --writable-tmpfs gives 64
 * MiB to one container of one user; this layer is a whole system's, for
 * every user of the image and for as long as it is up.  melee.conf(5). */
#define MELEE_WRITABLE_DEFAULT_SIZE (1ULL << 30)
/* One inode per 16 KiB of size (mke2fs's default inode_ratio), at least
 * 1024: the kernel's default is one per page of half the RAM, and inodes
 * are kernel memory that size= does not count. */
#define MELEE_WRITABLE_INODE_RATIO 16384
#define MELEE_WRITABLE_MIN_INODES 1024

/* Opens im->source by image_open_file_safely and checks the squashfs
 * magic on the open fd.  Returns an O_RDONLY fd, or -errno with a message
 * naming the file; -EMEDIUMTYPE when it is no squashfs. */
int melee_squash_open(const char *source, uid_t owner, char *err, size_t errlen);

/* Mounts the file open at filefd (from melee_squash_open; `source` names
 * it in messages and as the loop's file name) on the directory target_fd:
 * a free loop device configured from the fd, read-only and autoclear,
 * and squashfs on it read-only and nodev.  *loopdev gets the device's
 * path. */
int melee_squash_mount(int filefd, const char *source, int target_fd, char *loopdev, size_t devlen,
		       char *err, size_t errlen);

/* writable = tmpfs: opens MELEE_RUNDIR/NAME/writable (made when missing),
 * mounts the tmpfs there unless it is, and makes its upper/ and work/.
 * *mounted says whether this call mounted it. */
int melee_writable_mount(const struct melee_image *im, bool *mounted, char *err, size_t errlen);

/* The overlay of im (lower: what is mounted on im->path now, the
 * squashfs; upper and work in the writable tmpfs) on target_fd. */
int melee_overlay_mount(const struct melee_image *im, int target_fd, char *err, size_t errlen);

/* The layers of a file image in the mount table: the squashfs on its
 * path, the overlay on top of it and the writable tmpfs (NULL: absent;
 * owned by tb). */
struct melee_squash_layers {
	struct libmnt_fs *lower, *overlay, *tmpfs;
};
void melee_squash_layers(const struct melee_image *im, struct libmnt_table *tb,
			 struct melee_squash_layers *l);

/* Records what the file open at filefd was when up mounted it (device,
 * inode, size, mtime and ctime) in MELEE_RUNDIR/NAME/MELEE_SOURCE_RECORD,
 * for melee_squash_stale to see a file overwritten in place. */
#define MELEE_SOURCE_RECORD "source.stat"
int melee_squash_record(const struct melee_image *im, int filefd, char *err, size_t errlen);

/* 1 when the file at im->source (its device and inode now) is not the
 * one the loop device under `lower` was configured from (replaced by a
 * rename, or removed), or is that file but no longer of the size, mtime
 * and ctime recorded at up (overwritten in place: `cp new old`); 0 when
 * it is, -errno when unknown. */
int melee_squash_stale(const struct melee_image *im, struct libmnt_fs *lower);

/* melee_image_status's part for a file image: counts its layers in
 * st->expected and st->present, sets st->stale and st->stale_error. */
void melee_squash_status(const struct melee_image *im, struct libmnt_table *tb,
			 struct melee_image_status *st);

/* Whether the kernel can mount file images: squashfs and overlay file
 * systems (built in, loaded, or a module to load) and /dev/loop-control.
 * -ENODEV with the missing ones named. */
int melee_squash_kernel_check(char *err, size_t errlen);

#endif
