/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accounts = merge: the image's own system accounts plus the host's human
 * users (UID_MIN..UID_MAX of the host's login.defs) and their groups, so
 * that a user who logs into an image is known there by name, without
 * touching the image's files. */
#ifndef MELEE_ACCOUNTS_H
#define MELEE_ACCOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "melee-ids.h"	/* struct melee_id_range */
#include "melee-util.h" /* melee_must_check */

/* Where the merge used the host's name or id instead of the image's: a
 * host human's uid, or a gid one holds, that the image's file gives
 * another name (or a host name the image gives another id).  The image's
 * line is left out; the tools show each one (melee_override_describe). */
enum melee_override_kind {
	MELEE_OVERRIDE_UID,   /* an image user on a host human's uid */
	MELEE_OVERRIDE_USER,  /* an image user with a host human's name, other uid */
	MELEE_OVERRIDE_GID,   /* an image group on a gid a host human holds */
	MELEE_OVERRIDE_GROUP, /* an image group with the host's name of such a gid */
};

struct melee_override {
	enum melee_override_kind kind;
	long host_id, image_id;
	char *host_name; /* NULL: a held gid without a group line on the host */
	char *image_name;
};

struct melee_overrides {
	struct melee_override *v;
	size_t n;
};

void melee_overrides_free(struct melee_overrides *ov);

/* "image sl6: gid 10 is 'uucp' on the host, 'wheel' in the image: the
 * host's name is used", names made printable. */
const char *melee_override_describe(const struct melee_override *o, const char *image, char *buf,
				    size_t len);

/* Image passwd lines are kept unless they name a host human user or use
 * one's uid (an override each when the other field differs); then every
 * host human line is appended, and once more for each of `suffixes`
 * ("+sl6": "alice+sl6", same ids) so that the name a user logged in with
 * is known inside the image (glibc reads the image's own nsswitch.conf
 * there, so only files can answer).  *out is malloc'd; suffixes and ov
 * may be NULL. */
int melee_merge_passwd(const char *image_passwd, const char *host_passwd,
		       const struct melee_id_range *range, char *const *suffixes,
		       struct melee_overrides *ov, char **out) melee_must_check;

/* Every gid a host human holds (primary or listed member, any range) gets
 * exactly one line, with the host's name (the first host line of that
 * gid) and the host's human members (also under their suffixed names).
 * An image line with the same name and gid keeps its place and its other
 * members; an image line with that gid under another name, or with that
 * name under another gid, is left out (an override each).  Other image
 * lines are kept, without host humans among their members: a host user's
 * groups inside the image are the host's.  Linear in the input size. */
int melee_merge_group(const char *image_group, const char *host_group, const char *host_passwd,
		      const struct melee_id_range *range, char *const *suffixes,
		      struct melee_overrides *ov, char **out) melee_must_check;

/* Reads the host's files from host_etc (normally "/etc") and the image's
 * own passwd and group (rooted at imgfd, under any bind) and merges them;
 * *passwd and *group are malloc'd. */
int melee_accounts_merge(int imgfd, const char *host_etc, char *const *suffixes, char **passwd,
			 char **group, struct melee_overrides *ov, char *err,
			 size_t errlen) melee_must_check;

/* melee_accounts_merge, written atomically to outdirfd. */
int melee_accounts_write(int imgfd, const char *host_etc, int outdirfd, char *const *suffixes,
			 struct melee_overrides *ov, char *err, size_t errlen) melee_must_check;

#endif
