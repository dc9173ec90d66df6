/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one way into an image, and the one way out of root.  Nothing else
 * in the tree calls chroot(), setuid() or their relatives. */
#ifndef MELEE_ENTER_H
#define MELEE_ENTER_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "melee-config.h"

/* Checks that the image at imgfd is prepared by melee-mounts: its /proc
 * is a real procfs mounted there (not missing, not a symlink, not some
 * other file system pointed at it). */
int melee_image_check_prepared(int imgfd, const struct melee_image *im, char *err, size_t errlen);

/* True if the opened path is the root of a mount (statx, no mount
 * table: the prepared check below needs no libmount). */
bool melee_is_mountpoint(int fd);

/* melee_enter_image()'s code for a failure after the chroot: the process
 * is already inside the image and cannot go back to the host, so a
 * caller must fail (never fall back to "the host").  Every other
 * negative code means that nothing was changed. */
#define MELEE_ENTER_INSIDE (-ENOTRECOVERABLE)

/* Enters the image: melee_image_open() then melee_enter_image_at().
 * The caller must already have done every user and group lookup it needs
 * (after this, only ids). */
int melee_enter_image(const struct melee_image *im, char *err, size_t errlen);
/* The image root, walked once (image_open_safely: every component
 * root's, no symlink) and checked prepared on the fd walked: an O_PATH
 * directory fd for melee_enter_image_at(), or -errno with the message of
 * the walk or of the prepared check.  For a caller that looks into the
 * image before entering it (pam_melee: the login shell), so that what it
 * looked at is what it enters and the path is walked once. */
int melee_image_open(const struct melee_image *im, char *err, size_t errlen);
/* Enters the image whose root melee_image_open() returned: fchdir+chroot
 * to that fd, and the personality.  The one function that calls chroot();
 * the fd stays the caller's. */
int melee_enter_image_at(int imgfd, const struct melee_image *im, char *err, size_t errlen);

/* For a setuid caller: act with the caller's effective uid (true), so
 * that files the caller names are opened with the caller's rights, or
 * with root's again (false) for the chroot.  The saved uid stays root
 * until melee_drop_privileges(). */
int melee_act_as_caller(bool caller, char *err, size_t errlen);

/* Drops root for good: supplementary groups, gid, uid (real, effective and
 * saved), then proves that root cannot be regained. */
int melee_drop_privileges(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, char *err,
			  size_t errlen);

/* For the child that melee_auto_up() forks to run melee-mounts, between
 * fork and exec: root in full (real, effective and saved uid and gid 0,
 * no supplementary groups), so that a setuid caller's child is not the
 * caller's in any id.  Async-signal-safe.  -errno on failure. */
int melee_become_root(void);

#endif
