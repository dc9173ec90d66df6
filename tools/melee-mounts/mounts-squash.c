/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts and file images: the squashfs (and overlay) under the
 * bind set at up, taken away last at down, and --remount. */
#include "mounts-squash.h"
#include "image-users.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-squash.h"
#include "melee-umount.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static struct libmnt_table *read_table(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	struct libmnt_table *tb = melee_mounttab_read(err, sizeof(err));

	if (!tb)
		warn("%s: %s", im->name, err);
	return tb;
}

static int open_file(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	int fd = melee_squash_open(im->source, 0, err, sizeof(err));

	if (fd < 0)
		warn("%s: image file %s refused: %s", im->name, im->source, err);
	return fd;
}

static void dry_run_report(const struct melee_image *im, const struct melee_squash_layers *l)
{
	if (!l->lower)
		printf("would mount squashfs %s on %s (loop, ro, nodev)\n", im->source, im->path);
	if (im->writable == MELEE_WRITABLE_TMPFS && !l->tmpfs)
		printf("would mount a tmpfs on %s/%s/%s\n", MELEE_RUNDIR, im->name,
		       MELEE_WRITABLE_DIR);
	if (im->writable == MELEE_WRITABLE_TMPFS && !l->overlay)
		printf("would mount an overlay on %s\n", im->path);
}

/* The squashfs on the path, made or found. */
static int lower_up(const struct melee_image *im, int filefd, bool have,
		    const struct mounts_opts *o, size_t *made, size_t *present)
{
	char err[MELEE_ERRLEN], dev[64];
	bool created;
	cleanup_fd int pathfd =
	    image_open_safely_create(im->path, 0, true, &created, err, sizeof(err));

	if (pathfd < 0) {
		warn("%s: unsafe image path, refused: %s", im->name, err);
		return -1;
	}
	if (created && !o->quiet)
		printf("%s: created mountpoint %s\n", im->name, im->path);
	if (have) {
		(*present)++;
		return 0;
	}
	if (melee_squash_mount(filefd, im->source, pathfd, dev, sizeof(dev), err, sizeof(err)) <
	    0) {
		warn("%s: cannot mount %s on %s: %s", im->name, im->source, im->path, err);
		return -1;
	}
	(*made)++;
	/* Without the record only a replaced file is seen stale, not one
	 * overwritten in place: said, and the up stands. */
	if (melee_squash_record(im, filefd, err, sizeof(err)) < 0)
		warn("%s: %s", im->name, err);
	return 0;
}

/* The tmpfs and the overlay of writable = tmpfs, made or found. */
static int writable_up(const struct melee_image *im, const struct melee_squash_layers *l,
		       size_t *made, size_t *present)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int top = -1;
	bool mounted;

	if (melee_writable_mount(im, &mounted, err, sizeof(err)) < 0) {
		warn("%s: writable = tmpfs: %s", im->name, err);
		return -1;
	}
	*(mounted ? made : present) += 1;
	if (l->overlay) {
		(*present)++;
		return 0;
	}
	/* The top of the path now: the squashfs the overlay goes on. */
	top = image_open_safely(im->path, 0, err, sizeof(err));
	if (top < 0 || melee_overlay_mount(im, top, err, sizeof(err)) < 0) {
		warn("%s: cannot mount the overlay on %s: %s", im->name, im->path, err);
		return -1;
	}
	(*made)++;
	return 0;
}

/* A file image others may read: it holds every file of the image, the
 * root-only ones too, which anyone who can read the file reads with
 * unsquashfs.  pack writes 0600; a file from before, or made readable on
 * purpose (NFS with root_squash, where root reads as nobody), is said so
 * at every up and check, not refused. */
static void readable_warning(const struct melee_image *im, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr,
			"%s: warning: image file %s is readable by others (mode %04o): anyone "
			"can read the image's root-only files in it (/etc/shadow, /root, host "
			"keys) with unsquashfs; 'chmod 600 %s' unless root can read it no other "
			"way (NFS with root_squash)\n",
			im->name, im->source, (unsigned)(st.st_mode & 07777), im->source);
}

int mounts_squash_up(const struct melee_image *im, const struct mounts_opts *o, size_t *made,
		     size_t *present)
{
	cleanup_mnt_table struct libmnt_table *tb = NULL;
	cleanup_fd int filefd = -1;
	struct melee_squash_layers l;

	/* The file is checked at every up, also when it is mounted: a
	 * refused file is said so, and nothing new is mounted from it. */
	filefd = open_file(im);
	if (filefd < 0 || !(tb = read_table(im)))
		return -1;
	if (!o->quiet)
		readable_warning(im, filefd);
	melee_squash_layers(im, tb, &l);
	if (o->dry_run) {
		dry_run_report(im, &l);
		return 0;
	}
	if (l.lower && melee_squash_stale(im, l.lower) == 1 && !o->quiet)
		printf("%s: stale: %s was replaced since it was mounted; 'melee-mounts up "
		       "--remount %s' mounts the new file\n",
		       im->name, im->source, im->name);
	if (lower_up(im, filefd, l.lower != NULL, o, made, present) < 0)
		return -1;
	if (im->writable == MELEE_WRITABLE_TMPFS && writable_up(im, &l, made, present) < 0)
		return -1;
	return 0;
}

/* Unmounts fs, one layer of im; root: the directory it sits in is
 * walked from (the image path's parent for the path itself). */
static int layer_down(const struct melee_image *im, const char *root, struct libmnt_fs *fs,
		      const struct mounts_opts *o, size_t *done, size_t *busy)
{
	char err[MELEE_ERRLEN];
	const char *t = mnt_fs_get_target(fs);
	int r;

	if (o->dry_run) {
		printf("would unmount %s (%s)\n", t, mnt_fs_get_fstype(fs));
		return 0;
	}
	r = melee_unmount_in_image(root, t, (uint64_t)mnt_fs_get_id(fs), o->lazy, err, sizeof(err));
	if (r == 0) {
		(*done)++;
		return 0;
	}
	if (r == -EBUSY) {
		warn("%s: %s is busy (in use); 'melee-mounts --lazy down %s' detaches it", im->name,
		     t, im->name);
		(*busy)++;
	} else {
		warn("%s: cannot unmount %s: %s", im->name, t, err);
	}
	return 1;
}

int mounts_squash_down(const struct melee_image *im, const struct mounts_opts *o, size_t *done,
		       size_t *busy)
{
	cleanup_mnt_table struct libmnt_table *tb = read_table(im);
	struct melee_squash_layers l;
	char run[4096];
	int rc = 0;

	if (!tb)
		return 1;
	melee_squash_layers(im, tb, &l);
	/* The reverse of up: overlay, squashfs, then the tmpfs it wrote to
	 * (what was written there goes with it, as melee.conf(5) says). */
	if (l.overlay)
		rc |= layer_down(im, im->path, l.overlay, o, done, busy);
	if (l.lower && rc == 0)
		rc |= layer_down(im, im->path, l.lower, o, done, busy);
	snprintf(run, sizeof(run), "%s/%s", MELEE_RUNDIR, im->name);
	if (l.tmpfs && rc == 0)
		rc |= layer_down(im, run, l.tmpfs, o, done, busy);
	return rc;
}

bool mounts_squash_mounted(const struct melee_image *im)
{
	cleanup_mnt_table struct libmnt_table *tb = read_table(im);
	struct melee_squash_layers l;

	if (!tb)
		return false;
	melee_squash_layers(im, tb, &l);
	return l.lower != NULL;
}

int mounts_squash_check(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = melee_squash_open(im->source, 0, err, sizeof(err));
	int problems = 0;

	if (fd < 0) {
		fprintf(stderr, "%s: FAIL: image file %s refused: %s\n", im->name, im->source, err);
		problems++;
	} else {
		readable_warning(im, fd);
	}
	if (melee_squash_kernel_check(err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: FAIL: %s\n", im->name, err);
		problems++;
	}
	return problems;
}

int mounts_squash_remount_wanted(const struct melee_image *im)
{
	cleanup_mnt_table struct libmnt_table *tb = read_table(im);
	struct melee_squash_layers l;
	char comm[64];
	size_t users = 0;
	pid_t pid;

	if (!tb)
		return -1;
	melee_squash_layers(im, tb, &l);
	if (!l.lower || melee_squash_stale(im, l.lower) != 1)
		return 0;
	pid = image_user(im->path, comm, sizeof(comm), &users);
	if (pid > 0) {
		warn("%s: not remounted: %zu process%s inside the image (pid %d, %s); the stale "
		     "mount stays until they leave",
		     im->name, users, users == 1 ? " is" : "es are", (int)pid, comm);
		return -1;
	}
	return 1;
}
