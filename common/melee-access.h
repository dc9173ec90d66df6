/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may use an image: allow-users and allow-groups of its config.
 * Group membership is the host's, looked up before any chroot. */
#ifndef MELEE_ACCESS_H
#define MELEE_ACCESS_H

#include <stddef.h>
#include <sys/types.h>

struct passwd;

#include "melee-config.h"
#include "melee-util.h" /* melee_must_check */

/* 0 if `user` may use the image, -EACCES with "you may not use image NAME
 * (allowed groups: a, b; allowed users: c)" otherwise.  `groups` are the
 * user's host groups (getgrouplist); empty allow lists allow everyone.
 * An allowed group that cannot be looked up (-ENOMEM, a group service
 * down) is that -errno, never a refusal. */
int melee_image_access(const struct melee_image *im, const char *user, const gid_t *groups,
		       size_t ngroups, char *err, size_t errlen);

/* Who the image is open to, as melee_image_access words it: "allowed
 * groups: a, b; allowed users: c" (empty when it is open to everyone);
 * for melee --list --all. */
void melee_image_allowed(const struct melee_image *im, char *buf, size_t len);

/* The user's host groups (primary first), malloc'd into *groups. */
int melee_user_groups(const char *user, gid_t primary, gid_t **groups,
		      size_t *ngroups) melee_must_check;

/* melee_image_access for the user of `pw` (a host entry, looked up
 * before any chroot), with their host groups walked (getgrouplist) when
 * the image has allow-groups.  0, or -errno with the message in err:
 * -EACCES a refusal, another a failed lookup (never a refusal). */
int melee_user_may_use(const struct melee_image *im, const struct passwd *pw, char *err,
		       size_t errlen) melee_must_check;

#endif
