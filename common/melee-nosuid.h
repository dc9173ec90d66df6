/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nosuid = yes: an image's root entered through a nosuid bind of itself,
 * so that setuid and setgid bits inside the image grant nothing. */
#ifndef MELEE_NOSUID_H
#define MELEE_NOSUID_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>

#include "melee-mounts.h"

/* Binds the image root imgfd (from image_open_safely) onto itself,
 * nosuid and rslave.  Callers reopen the image root afterwards: the old
 * fd still names the mount below.  Returns the attached mount's fd as
 * melee_bind does, or -errno. */
int melee_bind_self_nosuid(int imgfd, char *err, size_t errlen);

/* True if fs is such a bind: nosuid, on top of `parent` (the mount with
 * fs's parent id, NULL if none) of the same file system (what
 * melee_bind_self_nosuid makes), so that down never takes an
 * administrator's own file system mounted at the image path for it.  The
 * caller finds the parent (down: by an index of the table read once, not
 * a scan of it per image). */
bool melee_fs_is_self_bind(struct libmnt_fs *parent, struct libmnt_fs *fs);

/* Adds the nosuid bind to an image's status when nosuid = yes: expected,
 * and present if the root (imgfd) is mounted nosuid; sets st->nosuid. */
void melee_nosuid_status(const struct melee_image *im, int imgfd, struct melee_image_status *st);

#endif
