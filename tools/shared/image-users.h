/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which process uses an image: one whose root directory is the image or
 * lies below it, compared by device and inode (never by path). */
#ifndef MELEE_IMAGE_USERS_H
#define MELEE_IMAGE_USERS_H

#include <stddef.h>
#include <sys/types.h>

/* The pid of one process using the image at `path` (its command name in
 * comm), or 0 when none does or /proc cannot be read.  With `count`, every
 * process is looked at and *count says how many use the image (the pid
 * is then the first); NULL stops at the first. */
pid_t image_user(const char *path, char *comm, size_t len, size_t *count);

/* How many processes use each of the n images at paths[] (a process
 * inside nested images counts for the innermost), from one read of /proc,
 * into counts[n].  0, or -errno when /proc cannot be read. */
int image_users_count(const char *const *paths, size_t n, size_t *counts);

#endif
