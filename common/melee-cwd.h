/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The caller's working directory inside an image: the one check of melee
 * and the SPANK plugin that a directory of the caller's path there is the
 * caller's to run in.  After the chroot the path names whatever the image
 * has there, and the image's own world-writable trees (its /var/tmp) let
 * any user of the image make that path first. */
#ifndef MELEE_CWD_H
#define MELEE_CWD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The working directory as the host sees it: no fd, only its path and
 * identity, so that nothing of the host's tree is held into the image. */
struct melee_cwd {
	char path[PATH_MAX]; /* absolute, as getcwd() gives it */
	dev_t dev;
	ino_t ino;
	bool known; /* false: getcwd() or stat() failed (path is "") */
};

/* On the host, before the chroot: remembers the current directory. */
void melee_cwd_remember(struct melee_cwd *host);

/* Inside the image, as the caller (uid), after a chdir to host->path (or
 * to wherever the caller's program went instead): 0 when the current
 * directory is the very one remembered on the host (a shared tree: /home,
 * /tmp), or when every component of host->path from the image's root is a
 * real directory (no symlink) on the root's own file system (not on a
 * mount, whose owners a user's FUSE file system makes up) owned by root or
 * uid, the last one uid's or writable by no one else (the image's own
 * /var/tmp is root's, and holds anyone's files), after which that
 * checked directory is the current one.  Else -ENOENT (a component is
 * missing there: the directory does not exist in the image) or another
 * -errno, with why (the component and what is wrong with it). */
int melee_cwd_check(const struct melee_cwd *host, uid_t uid, char *why, size_t whylen);

#endif
