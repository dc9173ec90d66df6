/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one passwd lookup (melee-pw.h): getpw*_r with a buffer grown on ERANGE. */
#include "melee-pw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* By name when name is not NULL, else by uid.  The struct and the
 * strings it points to share one allocation, so the caller frees one
 * pointer. */
static int getpw_grown(const char *name, uid_t uid, struct passwd **out, char *err, size_t errlen)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 && hint < (long)MELEE_PW_MAX ? (size_t)hint : 1024;
	char who[64];
	int r;

	*out = NULL;
	if (name)
		snprintf(who, sizeof(who), "user '%.40s'", name);
	else
		snprintf(who, sizeof(who), "user id %u", (unsigned)uid);
	for (;;) {
		cleanup_free struct passwd *block = malloc(sizeof(*block) + size);
		struct passwd *res = NULL;

		if (!block)
			return melee_fail(err, errlen, -ENOMEM, "%s: out of memory", who);
		r = name ? getpwnam_r(name, block, (char *)(block + 1), size, &res)
			 : getpwuid_r(uid, block, (char *)(block + 1), size, &res);
		if (r == ERANGE && size < MELEE_PW_MAX) {
			size *= 2;
			continue;
		}
		if (r == ERANGE)
			return melee_fail(err, errlen, -ERANGE,
					  "%s: the passwd entry is bigger than %u bytes", who,
					  MELEE_PW_MAX);
		/* glibc reports a source that is unavailable (a missing
		 * file, a directory that is down) as ENOENT: that is a
		 * failed lookup, never "no such user" (-ENOENT is kept for
		 * the lookup that worked and found nothing). */
		if (r != 0)
			return melee_fail(err, errlen, r == ENOENT || r == ESRCH ? -EIO : -r,
					  "cannot look up %s: %s", who, strerror(r));
		if (!res)
			return melee_fail(err, errlen, -ENOENT,
					  "%s is not in the password database", who);
		*out = block;
		block = NULL;
		return 0;
	}
}

int melee_getpwnam(const char *name, struct passwd **pw, char *err, size_t errlen)
{
	/* NULL would mean "by uid 0" below: never. */
	if (!name) {
		*pw = NULL;
		return melee_fail(err, errlen, -EINVAL, "no user name to look up");
	}
	return getpw_grown(name, 0, pw, err, errlen);
}

int melee_getpwuid(uid_t uid, struct passwd **pw, char *err, size_t errlen)
{
	return getpw_grown(NULL, uid, pw, err, errlen);
}
