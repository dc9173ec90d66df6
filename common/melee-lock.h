/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one lock of every verb that changes an image: melee-mounts up and
 * down (auto-up runs melee-mounts up), melee-image remove, pack, import
 * and create's registration.  While one holds it, no bind appears in and
 * no registration changes under another. */
#ifndef MELEE_LOCK_H
#define MELEE_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/* flock(LOCK_EX) on MELEE_RUNDIR/lock (the directory made root's 0755
 * when missing, refused unless trusted).  Returns the locked fd
 * (O_CLOEXEC: a child never inherits it; closing it releases the lock),
 * or -errno with the message in err: -EWOULDBLOCK when `wait` is false
 * and another process holds it.  A child that takes the lock itself
 * (melee-mounts up run by melee-image) must be started after the fd is
 * closed: flock locks belong to the open file description, so the child's
 * own open would wait for us for ever. */
int melee_lock_take(bool wait, char *err, size_t errlen);

#endif
